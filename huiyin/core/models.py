"""Column mixins shared by every domain's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.db import UTCDateTime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now, nullable=False)
