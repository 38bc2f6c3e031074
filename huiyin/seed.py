"""Reference data every installation needs: the category tree. Idempotent (matches by code)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.workorders.catalog import CATEGORIES
from huiyin.workorders.models import Category


def ensure_reference_data(session: Session) -> int:
    """Adds missing seeded categories; returns how many were added. Edited ones are left alone."""
    existing = {c.code: c for c in session.scalars(select(Category))}
    added = 0
    for i, seed in enumerate(CATEGORIES):
        if seed.code in existing:
            continue
        parent = existing.get(seed.parent) if seed.parent else None
        cat = Category(
            code=seed.code,
            name=seed.name,
            name_en=seed.name_en,
            type=seed.type.value,
            parent_id=parent.id if parent else None,
            default_grade=seed.default_grade.value,
            safety_script=seed.safety_script,
            sort=i,
        )
        session.add(cat)
        session.flush()
        existing[seed.code] = cat
        added += 1
    return added
