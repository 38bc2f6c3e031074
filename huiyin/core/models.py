"""Column mixins and references shared by every domain's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.db import UTCDateTime


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now, nullable=False)


def order_reference(ondelete: str | None = None) -> ForeignKey:
    """A work order's id in another table, checked when the transaction commits (``DEFERRABLE INITIALLY
    DEFERRED``): a registration writes the order once, in its final state, after rows that name it (its
    deadlines, its link to a call), with an id drawn first (``workorders.service.next_number_and_id``)."""
    return ForeignKey("work_orders.id", ondelete=ondelete, deferrable=True, initially="DEFERRED")
