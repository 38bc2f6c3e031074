"""Reference data every installation needs: the category tree, the working-day calendar, the seeded SLA
policies, the escalation ladder and the IVR routing rules. Idempotent (categories match by code, the calendar
by code, policies and IVR rules by seed key)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.calls.ivr import seed_rules
from huiyin.clock import now
from huiyin.complaints.ledger import ensure_title_rules
from huiyin.complaints.service import ensure_root_causes
from huiyin.sla import seed_data
from huiyin.sla.ladder import seed_ladder
from huiyin.sla.models import BusinessCalendar, CalendarDay, SlaPolicy
from huiyin.sla.service import do_create_policy
from huiyin.surveys.delayed import ensure_defaults as ensure_survey_defaults
from huiyin.workorders.catalog import CATEGORIES
from huiyin.workorders.models import Category


def ensure_reference_data(session: Session, tz: str | None = None) -> int:
    """Adds missing seeded categories, the working-day calendar and SLA policies; returns how many
    categories were added. Edited ones are left alone."""
    added = _ensure_categories(session)
    _ensure_sla(session, tz)
    seed_ladder(session)
    seed_rules(session)
    ensure_root_causes(session)
    ensure_title_rules(session)
    ensure_survey_defaults(session, now())
    return added


def _ensure_sla(session: Session, tz: str | None) -> None:
    from datetime import date

    from huiyin.settings import get_settings

    cal = session.scalar(select(BusinessCalendar).where(BusinessCalendar.code == seed_data.WORKDAY_CALENDAR_CODE))
    if cal is None:
        cal = BusinessCalendar(
            code=seed_data.WORKDAY_CALENDAR_CODE,
            name=seed_data.WORKDAY_CALENDAR_NAME,
            timezone=tz or get_settings().timezone,
            work_hours=seed_data.WORK_HOURS,
        )
        session.add(cal)
        session.flush()
        session.add_all(
            CalendarDay(calendar_id=cal.id, day=date.fromisoformat(d), is_working=w, note=n)
            for d, w, n in seed_data.CN_2026
        )
        session.flush()
    seeded = set(session.scalars(select(SlaPolicy.seed_key).where(SlaPolicy.seed_key.is_not(None))))
    for p in seed_data.POLICIES:
        if p.key in seeded:
            continue
        data = {
            "name": p.name,
            "priority": p.priority,
            "match": p.match,
            "limits": p.limits,
            "warn_at": 0.75,
            "calendar": cal.id if p.working_days else "24x7",
            "pausable": p.pausable,
            "description": p.description,
            "is_active": p.is_active,
        }
        do_create_policy(session, None, data, seed_key=p.key)


def _ensure_categories(session: Session) -> int:
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
