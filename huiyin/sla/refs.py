"""Time-limit reference data as the process keeps it (``core.refcache``): every policy version (versions
never change, and orders keep the one they started with), which of them are current, and the business
calendars with all their exception days."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.core.refcache import Snapshot, refs
from huiyin.sla.calendar import Calendar, parse_hours
from huiyin.sla.models import BusinessCalendar, CalendarDay, SlaPolicy, SlaPolicyVersion


@dataclass(frozen=True)
class PolicyRef:
    """One policy version (the columns of ``SlaPolicyVersion`` that decide deadlines)."""

    id: int
    policy_id: int
    version: int
    name: str
    priority: int
    match_type: str | None
    match_category_id: int | None
    match_grade: str | None
    match_customer_tag: str | None
    match_area_type: str | None
    limit_accept: int | None
    limit_arrive: int | None
    limit_resolve: int | None
    limit_reply: int | None
    limit_callback: int | None
    warn_at: float
    calendar_id: int | None
    pausable: bool
    is_active: bool

    def limit(self, stage: str) -> int | None:
        value: int | None = getattr(self, f"limit_{stage}")
        return value

    def matches(
        self, type: str, category_ids: Sequence[int], grade: str, tags: Sequence[str], area_type: str | None
    ) -> bool:
        return (
            (self.match_type is None or self.match_type == type)
            and (self.match_category_id is None or self.match_category_id in category_ids)
            and (self.match_grade is None or self.match_grade == grade)
            and (self.match_customer_tag is None or self.match_customer_tag in tags)
            and (self.match_area_type is None or self.match_area_type == (area_type or ""))
        )

    def rank(self) -> tuple[int, int, int]:
        """Most specific first (matched fields), then the lowest priority, then the lowest policy id."""
        set_fields = (self.match_type, self.match_category_id, self.match_grade, self.match_customer_tag)
        specific = sum(f is not None for f in (*set_fields, self.match_area_type))
        return (-specific, self.priority, self.policy_id)


_POLICY_FIELDS = tuple(f.name for f in fields(PolicyRef))


@dataclass(frozen=True)
class PolicyBook:
    versions: dict[int, PolicyRef]  # every version, by its id
    current: tuple[PolicyRef, ...]  # each policy's current version, active or not
    calendars: dict[int, Calendar]


def _load(session: Session) -> PolicyBook:
    columns: list[Any] = [getattr(SlaPolicyVersion, name) for name in _POLICY_FIELDS]
    versions = {row[0]: PolicyRef(*row) for row in session.execute(select(*columns))}
    current_ids = session.scalars(
        select(SlaPolicyVersion.id)
        .join(SlaPolicy, (SlaPolicy.id == SlaPolicyVersion.policy_id) & (SlaPolicy.version == SlaPolicyVersion.version))
        .order_by(SlaPolicy.id)
    ).all()
    days: dict[int, dict[Any, bool]] = {}
    day_rows = session.execute(select(CalendarDay.calendar_id, CalendarDay.day, CalendarDay.is_working))
    for cal_id, day, working in day_rows:
        days.setdefault(cal_id, {})[day] = working
    calendars = {
        c.id: Calendar(c.timezone, parse_hours([(a, b) for a, b in c.work_hours]), days.get(c.id, {}))
        for c in session.scalars(select(BusinessCalendar))
    }
    return PolicyBook(versions, tuple(versions[i] for i in current_ids), calendars)


POLICIES = Snapshot(
    "sla.policies", _load, frozenset({"sla_policies", "sla_policy_versions", "business_calendars", "calendar_days"})
)


def book(session: Session) -> PolicyBook:
    return refs(session, POLICIES)
