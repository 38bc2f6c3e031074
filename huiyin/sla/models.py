"""SLA policies (versioned), business calendars and the per-order stage deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.core.models import TimestampMixin
from huiyin.db import Base, UTCDateTime

STAGES = ("accept", "arrive", "resolve", "reply", "callback")


class BusinessCalendar(TimestampMixin, Base):
    """Working hours in a time zone; the exception days are ``calendar_days`` rows."""

    __tablename__ = "business_calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    work_hours: Mapped[list[list[str]]] = mapped_column(JSON)  # [["08:30", "12:00"], ["13:30", "17:30"]]


class CalendarDay(Base):
    """An exception to Monday–Friday: a public holiday (not working) or a make-up working day (调休)."""

    __tablename__ = "calendar_days"

    calendar_id: Mapped[int] = mapped_column(ForeignKey("business_calendars.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str] = mapped_column(String(100), default="")


class SlaPolicy(TimestampMixin, Base):
    """A policy's identity and its current version number; the content lives in its versions."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    seed_key: Mapped[str | None] = mapped_column(String(32), unique=True)  # seeded ones: seeding is idempotent


class SlaPolicyVersion(Base):
    """One version of a policy. Immutable: an edit adds version + 1, and orders keep the one they started with."""

    __tablename__ = "sla_policy_versions"
    __table_args__ = (UniqueConstraint("policy_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(ForeignKey("sla_policies.id"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    match_type: Mapped[str | None] = mapped_column(String(32))
    match_category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    match_grade: Mapped[str | None] = mapped_column(String(16))
    match_customer_tag: Mapped[str | None] = mapped_column(String(32))
    match_area_type: Mapped[str | None] = mapped_column(String(16))
    limit_accept: Mapped[int | None] = mapped_column(Integer)
    limit_arrive: Mapped[int | None] = mapped_column(Integer)
    limit_resolve: Mapped[int | None] = mapped_column(Integer)
    limit_reply: Mapped[int | None] = mapped_column(Integer)
    limit_callback: Mapped[int | None] = mapped_column(Integer)
    warn_at: Mapped[float] = mapped_column(Float, default=0.75)
    calendar_id: Mapped[int | None] = mapped_column(ForeignKey("business_calendars.id"))  # None: 24x7
    pausable: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str] = mapped_column(Text, default="")
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)

    def limit(self, stage: str) -> int | None:
        value: int | None = getattr(self, f"limit_{stage}")
        return value


@event.listens_for(SlaPolicyVersion, "before_update")
@event.listens_for(SlaPolicyVersion, "before_delete")
def _versions_are_immutable(*_: Any) -> None:
    raise RuntimeError("SLA policy versions are immutable; add a new version instead")


class OrderDeadline(Base):
    """One stage's time limit on one order in one cycle (``cycle`` = the order's reopen count then)."""

    __tablename__ = "order_deadlines"
    __table_args__ = (
        # The unmet deadlines by due time: what a worker scans for warnings and breaches.
        Index(
            "ix_order_deadlines_unmet_due",
            "due_at",
            postgresql_where=text("met_at IS NULL"),
            sqlite_where=text("met_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
