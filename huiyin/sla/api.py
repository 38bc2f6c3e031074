"""Time-limit endpoints: SLA policies (versioned) and business calendars. Thin handlers over ``service``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import CENTER, Role
from huiyin.core.schemas import PathId
from huiyin.sla import board as board_service
from huiyin.sla import ladder as ladder_service
from huiyin.sla import service
from huiyin.sla.models import BusinessCalendar, CalendarDay
from huiyin.sla.schemas import (
    Board,
    BoardRow,
    CalendarCreate,
    CalendarDayIn,
    CalendarDaysIn,
    CalendarPublic,
    CalendarsPublic,
    Ladder,
    LadderStep,
    PoliciesPublic,
    PolicyCreate,
    PolicyPublic,
    PolicyUpdate,
    WorkPeriod,
)

router = APIRouter(prefix="/sla", tags=["sla"])
ConfigUser = Annotated[SignedIn, Depends(require_roles(Role.admin, Role.supervisor))]


@router.get("/policies", operation_id="sla-list_policies")
async def list_policies(session: SessionDep, _: CurrentUser) -> PoliciesPublic:
    """Every policy in its current version (inactive ones too)."""
    versions = service.current_versions(session)
    codes = service.category_codes(session, versions)
    items = [PolicyPublic(**service.policy_data(session, v, codes)) for v in versions]
    return PoliciesPublic(items=items, total=len(items))


@router.post("/policies", status_code=201, operation_id="sla-create_policy")
async def create_policy(body: PolicyCreate, session: SessionDep, user: ConfigUser) -> PolicyPublic:
    version = service.do_create_policy(session, user, body.model_dump(mode="json"))
    return PolicyPublic(**service.policy_data(session, version))


@router.patch("/policies/{policy_id}", operation_id="sla-update_policy")
async def update_policy(policy_id: PathId, body: PolicyUpdate, session: SessionDep, user: ConfigUser) -> PolicyPublic:
    """Adds a new version; orders that started under an older one keep it."""
    changes = body.model_dump(mode="json", exclude_unset=True)
    for key in ("match", "limits"):
        if key in changes and changes[key] is None:
            changes.pop(key)
        elif key in changes:
            nested = getattr(body, key)
            changes[key] = nested.model_dump(mode="json", exclude_unset=True)
    version = service.do_update_policy(session, user, policy_id, changes)
    return PolicyPublic(**service.policy_data(session, version))


def _calendar(cal: BusinessCalendar, days: list[CalendarDay] | None = None) -> CalendarPublic:
    return CalendarPublic(
        id=cal.id,
        code=cal.code,
        name=cal.name,
        timezone=cal.timezone,
        work_hours=[WorkPeriod(start=a, end=b) for a, b in cal.work_hours],
        days=None if days is None else [CalendarDayIn(date=d.day, is_working=d.is_working, note=d.note) for d in days],
    )


@router.get("/calendars", operation_id="sla-list_calendars")
async def list_calendars(session: SessionDep, _: CurrentUser) -> CalendarsPublic:
    cals = session.scalars(select(BusinessCalendar).order_by(BusinessCalendar.id)).all()
    return CalendarsPublic(items=[_calendar(c) for c in cals], total=len(cals))


@router.post("/calendars", status_code=201, operation_id="sla-create_calendar")
async def create_calendar(
    body: CalendarCreate, session: SessionDep, _: ConfigUser, settings: SettingsDep
) -> CalendarPublic:
    cal = service.do_create_calendar(
        session, body.code, body.name, body.timezone or settings.timezone, [(p.start, p.end) for p in body.work_hours]
    )
    return _calendar(cal)


@router.get("/calendars/{calendar_id}", operation_id="sla-get_calendar")
async def get_calendar(
    calendar_id: PathId,
    session: SessionDep,
    _: CurrentUser,
    year: Annotated[int, Query(ge=2000, le=2100, description="the year whose exception days to list")] = 2026,
) -> CalendarPublic:
    cal = service.get_calendar(session, calendar_id)
    return _calendar(cal, service.calendar_days(session, cal.id, year))


@router.put("/calendars/{calendar_id}/days", operation_id="sla-replace_calendar_days")
async def replace_days(calendar_id: PathId, body: CalendarDaysIn, session: SessionDep, _: ConfigUser) -> CalendarPublic:
    """Replaces the calendar's exception days of ``year``: holidays (not working) and make-up working days."""
    cal = service.get_calendar(session, calendar_id)
    rows = service.do_replace_days(session, cal, body.year, [(d.date, d.is_working, d.note) for d in body.days])
    return _calendar(cal, rows)


def _ladder(rungs: list[ladder_service.Rung]) -> Ladder:
    return Ladder(
        steps=[
            LadderStep(
                level=r.level, role=r.role, delay_minutes=r.delay_minutes, mark=r.mark, channels=list(r.channels)
            )
            for r in rungs
        ]
    )


@router.get("/ladder", operation_id="sla-get_ladder")
async def get_ladder(session: SessionDep, _: CurrentUser) -> Ladder:
    """The escalation ladder: who is told at each level, how long after a breach, with which mark and how."""
    return _ladder(ladder_service.ladder(session))


@router.put("/ladder", operation_id="sla-replace_ladder")
async def replace_ladder(body: Ladder, session: SessionDep, user: ConfigUser) -> Ladder:
    """Replaces all four levels. Deadlines already climbing move their next step by the change."""
    rungs = ladder_service.check_ladder([s.model_dump() for s in body.steps])
    return _ladder(ladder_service.do_replace_ladder(session, user, rungs))


BoardUser = Annotated[SignedIn, Depends(require_roles(*CENTER, Role.unit_handler))]


@router.get("/board", operation_id="sla-board")
async def supervision_board(
    session: SessionDep,
    user: BoardUser,
    soon_minutes: Annotated[int, Query(ge=1, le=10_080, description="'due soon' means within these minutes")] = 60,
) -> Board:
    """督办看板: per unit, the open orders due soon, overdue, escalated, urged and supervised (a unit handler
    sees their own units)."""
    at = now()
    rows = board_service.supervision_board(session, user, at, soon_minutes)
    return Board(
        soon_minutes=soon_minutes,
        at=at,
        rows=[BoardRow(**r) for r in rows],
        totals=BoardRow(**board_service.totals(rows)),
    )
