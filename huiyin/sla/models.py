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
from huiyin.core.models import TimestampMixin, order_reference
from huiyin.db import Base, UTCDateTime

STAGES = ("accept", "arrive", "resolve", "reply", "callback")
"""The stages a policy limits (a column each on its versions)."""
DATED_STAGES = ("action",)
"""Deadlines another domain sets by date, not a policy: a complaint's corrective action (整改). They are
worked, warned and escalated like the others, and outlive the order's close (an action is often due after
the customer's complaint is closed)."""


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


class EscalationStep(Base):
    """One rung of the escalation ladder (升级阶梯), center-wide. Level 1 fires ``delay_minutes`` after a stage
    deadline is breached (usually 0), each next level after its own, longer, delay from the breach."""

    __tablename__ = "escalation_steps"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)  # 1 … 4
    role: Mapped[str] = mapped_column(String(32))
    delay_minutes: Mapped[int] = mapped_column(Integer)
    mark: Mapped[str] = mapped_column(String(16))  # urge (催办) | supervise (督办)
    channels: Mapped[list[str]] = mapped_column(JSON)  # app | sms | voice | email
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class OrderDeadline(Base):
    """One stage's time limit on one order in one cycle (``cycle`` = the order's reopen count then).

    ``step`` is how far its ladder has climbed: 0 nothing yet, 1 warned, 2 … 5 escalated to level 1 … 4.
    ``next_fire_at`` is when the worker must act on it next (the warning, the breach, the next level); it
    is NULL once met, while paused and after the top level, so the worker's index holds only live rows.
    """

    __tablename__ = "order_deadlines"
    __table_args__ = (
        # What a worker claims: the live rows by the time they next fire. Its size is the number of open
        # deadlines; a tick reads only the due ones off its front.
        Index(
            "ix_order_deadlines_next_fire",
            "next_fire_at",
            postgresql_where=text("next_fire_at IS NOT NULL"),
            sqlite_where=text("next_fire_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    cycle: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    warn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    met_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    breached: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    step: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_fire_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
