"""Complaints (投诉管理): each complaint order's source, grade, disputed stage and verdict."""
