"""Time limits: picking an order's policy, starting, meeting, pausing and resuming its stage deadlines,
and the admin side (versioned policies, business calendars).

Stage rules (docs/architecture.md → "Time limits"):

- accept: starts at dispatch, met at accept.
- arrive (repair and emergency orders only): starts at dispatch, met at start (the crew is on site).
- resolve: starts at registration, met at resolve.
- reply (complaints; any order whose policy has the limit): starts at registration, met at resolve.
- callback: starts at resolve, met by a callback that reaches the customer (or by the close).

A stage starts once per cycle (a return and a new dispatch keep the running clock). Resolving meets every
open stage but callback; closing meets them all. Reopening starts a new cycle (the old rows stay).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.db import tx_memo
from huiyin.errors import Invalid, NotFound
from huiyin.sla.calendar import (
    Calendar,
    PeriodReversed,
    PeriodsOverlap,
    add_business_minutes,
    business_minutes_between,
    parse_hours,
)
from huiyin.sla.ladder import next_fire_at, step_delays
from huiyin.sla.models import (
    DATED_STAGES,
    STAGES,
    BusinessCalendar,
    CalendarDay,
    OrderDeadline,
    SlaPolicy,
    SlaPolicyVersion,
)
from huiyin.sla.refs import PolicyRef, book
from huiyin.workorders.service import category_codes as workorder_category_codes
from huiyin.workorders.service import do_set_next_deadline, get_category_by_code

if TYPE_CHECKING:
    from huiyin.workorders.models import WorkOrder

ALL_STAGES: tuple[str, ...] = STAGES
"""The order's own stages: a close meets them all (a dated stage, ``DATED_STAGES``, lives on)."""
DISPATCH_STAGES = ("accept", "arrive")
ARRIVE_TYPES = frozenset({"repair", "emergency"})
CALENDAR_HORIZON_DAYS = 400
"""Exception days loaded for a computation: from the start's day on this many days (limits are far shorter)."""


# ---------------------------------------------------------------- calendars


def load_calendar(session: Session, calendar_id: int | None, start: datetime | None = None) -> Calendar | None:
    """The pure ``Calendar`` of a row (None for 24x7), with all its exception days (``sla.refs``: kept by
    the process, reloaded when a calendar changes). ``start`` is no longer needed; kept for callers."""
    if calendar_id is None:
        return None
    return book(session).calendars.get(calendar_id)


def check_timezone(name: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise Invalid(f"unknown time zone {name!r}", code="sla.unknown_timezone", zone=name) from exc
    return name


def do_create_calendar(
    session: Session, code: str, name: str, timezone: str, work_hours: list[tuple[str, str]]
) -> BusinessCalendar:
    if session.scalar(select(BusinessCalendar.id).where(BusinessCalendar.code == code)) is not None:
        raise Invalid(f"calendar code {code!r} is taken", code="sla.calendar_code_taken", calendar_code=code)
    try:
        periods = parse_hours(work_hours)
    except PeriodReversed as exc:
        raise Invalid(str(exc), code="sla.period_reversed", start=exc.start, end=exc.end) from exc
    except PeriodsOverlap as exc:
        raise Invalid(str(exc), code="sla.periods_overlap") from exc
    except ValueError as exc:  # no period at all, or a time that is not one
        raise Invalid(str(exc), code="sla.bad_work_hours") from exc
    cal = BusinessCalendar(
        code=code,
        name=name,
        timezone=check_timezone(timezone),
        work_hours=[[f"{a:%H:%M}", f"{b:%H:%M}"] for a, b in periods],
    )
    session.add(cal)
    session.flush()
    return cal


def get_calendar(session: Session, calendar_id: int) -> BusinessCalendar:
    cal = session.get(BusinessCalendar, calendar_id)
    if cal is None:
        raise NotFound(f"calendar {calendar_id} does not exist", code="sla.no_calendar")
    return cal


def calendar_days(session: Session, calendar_id: int, year: int) -> list[CalendarDay]:
    stmt = select(CalendarDay).where(
        CalendarDay.calendar_id == calendar_id,
        CalendarDay.day >= date(year, 1, 1),
        CalendarDay.day <= date(year, 12, 31),
    )
    return list(session.scalars(stmt.order_by(CalendarDay.day)))


def do_replace_days(
    session: Session, cal: BusinessCalendar, year: int, days: Sequence[tuple[date, bool, str]]
) -> list[CalendarDay]:
    """Replaces the calendar's exception days of ``year`` with ``days`` (all of them in that year)."""
    seen: set[date] = set()
    for day, _, _ in days:
        if day.year != year:
            raise Invalid(
                f"{day.isoformat()} is not in {year}", code="sla.day_not_in_year", day=day.isoformat(), year=year
            )
        if day in seen:
            raise Invalid(f"{day.isoformat()} is listed twice", code="sla.day_twice", day=day.isoformat())
        seen.add(day)
    session.execute(
        delete(CalendarDay).where(
            CalendarDay.calendar_id == cal.id,
            CalendarDay.day >= date(year, 1, 1),
            CalendarDay.day <= date(year, 12, 31),
        )
    )
    rows = [CalendarDay(calendar_id=cal.id, day=d, is_working=w, note=n) for d, w, n in sorted(days)]
    session.add_all(rows)
    session.flush()
    return rows


# ---------------------------------------------------------------- policies


def current_versions(session: Session, *, active_only: bool = False) -> list[SlaPolicyVersion]:
    stmt = select(SlaPolicyVersion).join(
        SlaPolicy, and_(SlaPolicy.id == SlaPolicyVersion.policy_id, SlaPolicy.version == SlaPolicyVersion.version)
    )
    if active_only:
        stmt = stmt.where(SlaPolicyVersion.is_active.is_(True))
    return list(session.scalars(stmt.order_by(SlaPolicy.id)))


def current_version(session: Session, policy_id: int) -> SlaPolicyVersion:
    policy = session.get(SlaPolicy, policy_id)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} does not exist", code="sla.no_policy")
    return session.scalars(
        select(SlaPolicyVersion).where(
            SlaPolicyVersion.policy_id == policy.id, SlaPolicyVersion.version == policy.version
        )
    ).one()


@dataclass(frozen=True)
class OrderFacts:
    """What policy matching looks at."""

    type: str
    category_id: int
    parent_category_id: int | None
    grade: str
    customer_tags: tuple[str, ...]
    area_type: str | None


def pick_policy(session: Session, facts: OrderFacts) -> PolicyRef | None:
    """The most specific active policy (number of matched fields), then the lowest priority, then the
    lowest id; among the current versions the process keeps (``sla.refs``), no query."""
    cat_ids = [facts.category_id] + ([facts.parent_category_id] if facts.parent_category_id else [])
    candidates = [
        p
        for p in book(session).current
        if p.is_active and p.matches(facts.type, cat_ids, facts.grade, facts.customer_tags, facts.area_type)
    ]
    return min(candidates, key=PolicyRef.rank, default=None)


def _category_id(session: Session, code: str | None, order_type: str | None) -> int | None:
    if code is None:
        return None
    cat = get_category_by_code(session, code)
    if cat is None:
        raise Invalid(f"category {code!r} does not exist", code="sla.no_category")
    if order_type is not None and cat.type != order_type:
        raise Invalid(
            f"category {code!r} belongs to type {cat.type}, not {order_type}", code="sla.category_not_of_type"
        )
    return cat.id


def _check_calendar_ref(session: Session, ref: str | int) -> int | None:
    if ref == "24x7":
        return None
    if isinstance(ref, str) or session.get(BusinessCalendar, ref) is None:
        raise Invalid(f'calendar {ref!r} does not exist (use "24x7" or a calendar id)', code="sla.no_calendar_ref")
    return ref


def _version_fields(session: Session, data: dict[str, Any]) -> dict[str, Any]:
    """API fields (name, match, limits, calendar, …) → SlaPolicyVersion columns, checked."""
    match = data["match"]
    limits = data["limits"]
    if not any(limits.get(s) is not None for s in STAGES):
        raise Invalid("a policy needs at least one stage limit", code="sla.no_limits")
    return {
        "name": data["name"],
        "priority": data["priority"],
        "match_type": match.get("type"),
        "match_category_id": _category_id(session, match.get("category"), match.get("type")),
        "match_grade": match.get("grade"),
        "match_customer_tag": match.get("customer_tag"),
        "match_area_type": match.get("area_type"),
        **{f"limit_{s}": limits.get(s) for s in STAGES},
        "warn_at": data["warn_at"],
        "calendar_id": _check_calendar_ref(session, data["calendar"]),
        "pausable": data["pausable"],
        "description": data["description"],
        "is_active": data["is_active"],
    }


def do_create_policy(
    session: Session, actor: Actor | None, data: dict[str, Any], *, seed_key: str | None = None
) -> SlaPolicyVersion:
    fields = _version_fields(session, data)
    policy = SlaPolicy(version=1, seed_key=seed_key)
    session.add(policy)
    session.flush()
    version = SlaPolicyVersion(policy_id=policy.id, version=1, created_by=actor.id if actor else None, **fields)
    session.add(version)
    session.flush()
    return version


def policy_data(session: Session, v: SlaPolicyVersion, codes: dict[int, str] | None = None) -> dict[str, Any]:
    """A version as the API shows it."""
    if codes is None:
        codes = category_codes(session, [v])
    return {
        "id": v.policy_id,
        "version": v.version,
        "version_id": v.id,
        "name": v.name,
        "priority": v.priority,
        "match": {
            "type": v.match_type,
            "category": codes.get(v.match_category_id) if v.match_category_id else None,
            "grade": v.match_grade,
            "customer_tag": v.match_customer_tag,
            "area_type": v.match_area_type,
        },
        "limits": {s: v.limit(s) for s in STAGES},
        "warn_at": v.warn_at,
        "calendar": v.calendar_id if v.calendar_id is not None else "24x7",
        "pausable": v.pausable,
        "description": v.description,
        "is_active": v.is_active,
        "created_at": v.created_at,
    }


def category_codes(session: Session, versions: Iterable[SlaPolicyVersion]) -> dict[int, str]:
    return workorder_category_codes(session, [v.match_category_id for v in versions if v.match_category_id])


def do_update_policy(session: Session, actor: Actor, policy_id: int, changes: dict[str, Any]) -> SlaPolicyVersion:
    """A new version: the current one with ``changes`` merged in (``match`` and ``limits`` field by field)."""
    policy = session.get(SlaPolicy, policy_id, with_for_update=True)
    if policy is None:
        raise NotFound(f"SLA policy {policy_id} does not exist", code="sla.no_policy")
    current = current_version(session, policy_id)
    data = policy_data(session, current)
    for key, value in changes.items():
        if key in ("match", "limits"):
            data[key] = {**data[key], **value}
        elif value is not None:
            data[key] = value
    fields = _version_fields(session, data)
    policy.version += 1
    version = SlaPolicyVersion(policy_id=policy.id, version=policy.version, created_by=actor.id, **fields)
    session.add(version)
    session.flush()
    return version


# ---------------------------------------------------------------- deadlines on orders


def _open_rows(session: Session, order: WorkOrder) -> list[OrderDeadline]:
    """The order's unmet deadlines, and every deadline of its current cycle (met or not): what the hooks
    need to meet stages and to start each stage at most once per cycle. One query per order and
    transaction: the rows (and those started since) are held for the rest of it, so a registration that
    dispatches at once does not read back the deadlines it has just started. Rows met earlier in the
    transaction may stay in the list; every use skips met rows."""
    held: dict[int, list[OrderDeadline]] = tx_memo(session, "sla.rows")
    if order.id not in held:
        held[order.id] = list(
            session.scalars(
                select(OrderDeadline).where(
                    OrderDeadline.order_id == order.id,
                    or_(OrderDeadline.met_at.is_(None), OrderDeadline.cycle == order.reopen_count),
                )
            )
        )
    return held[order.id]


def _policy(session: Session, order: WorkOrder) -> PolicyRef | None:
    """The order's policy version (``sla.refs``: every version is kept, and versions never change)."""
    if order.sla_policy_version_id is None:
        return None
    return book(session).versions.get(order.sla_policy_version_id)


def _refresh_next(order: WorkOrder, open_rows: Iterable[OrderDeadline]) -> None:
    due = [r.due_at for r in open_rows if r.met_at is None and r.paused_at is None]
    do_set_next_deadline(order, min(due, default=None))


def _start(
    session: Session,
    order: WorkOrder,
    policy: PolicyRef,
    stages: Iterable[str],
    open_rows: list[OrderDeadline],
    cal: Calendar | None,
    *,
    started_at: datetime,
) -> None:
    """Starts each stage the policy limits and the current cycle has not started yet (``open_rows`` holds
    the current cycle's rows)."""
    have = {r.stage for r in open_rows if r.cycle == order.reopen_count}
    todo = [s for s in stages if policy.limit(s) is not None and s not in have]
    for stage in todo:
        minutes = policy.limit(stage) or 0
        row = OrderDeadline(
            order_id=order.id,
            stage=stage,
            cycle=order.reopen_count,
            started_at=started_at,
            due_at=add_business_minutes(cal, started_at, minutes),
            warn_at=add_business_minutes(cal, started_at, minutes * policy.warn_at),
            breached=False,
            step=0,
        )
        row.next_fire_at = next_fire_at(row, {})
        session.add(row)
        open_rows.append(row)


def _meet(open_rows: list[OrderDeadline], stages: Iterable[str], at: datetime) -> None:
    wanted = set(stages)
    for row in open_rows:
        if row.met_at is None and row.stage in wanted:
            row.met_at = at
            row.breached = at > row.due_at if row.paused_at is None else row.paused_at > row.due_at
            row.paused_at = None
            row.next_fire_at = None


def on_register(session: Session, order: WorkOrder, policy: PolicyRef | None) -> None:
    """Starts resolve and reply under the policy ``pick_policy`` chose (set on the order already)."""
    rows: list[OrderDeadline] = tx_memo(session, "sla.rows").setdefault(order.id, [])  # a new order has none
    tx_memo(session, "sla.born")[order.id] = True  # and every row it gets in this transaction is held
    if policy is None:
        return
    at = order.created_at
    if policy.limit("resolve") is None and policy.limit("reply") is None:
        return
    _start(
        session,
        order,
        policy,
        ("resolve", "reply"),
        rows,
        load_calendar(session, policy.calendar_id, at),
        started_at=at,
    )
    _refresh_next(order, rows)


def _with_policy(session: Session, order: WorkOrder) -> tuple[PolicyRef | None, list[OrderDeadline]]:
    policy = _policy(session, order)
    return policy, (_open_rows(session, order) if policy is not None else [])


def on_dispatch(session: Session, order: WorkOrder) -> None:
    policy, rows = _with_policy(session, order)
    if policy is None:
        return
    stages = [s for s in DISPATCH_STAGES if s != "arrive" or order.type in ARRIVE_TYPES]
    if any(policy.limit(s) is not None for s in stages):
        at = now()
        _start(session, order, policy, stages, rows, load_calendar(session, policy.calendar_id, at), started_at=at)
    _refresh_next(order, rows)


def on_met(session: Session, order: WorkOrder, stages: Iterable[str], *, then_start: Sequence[str] = ()) -> None:
    """Meets ``stages`` now; then starts ``then_start`` (resolve → callback)."""
    policy, rows = _with_policy(session, order)
    if policy is None:
        return
    at = now()
    _meet(rows, stages, at)
    if then_start and any(policy.limit(s) is not None for s in then_start):
        _start(session, order, policy, then_start, rows, load_calendar(session, policy.calendar_id, at), started_at=at)
    _refresh_next(order, rows)


def on_reopen(session: Session, order: WorkOrder) -> None:
    """The earlier cycle's open deadlines end now; the new cycle starts resolve and reply (and, when the
    order goes straight back to a unit, accept and arrive)."""
    policy, rows = _with_policy(session, order)
    if policy is None:
        return
    at = now()
    _meet([r for r in rows if r.cycle != order.reopen_count], STAGES, at)  # a dated stage runs on
    cal = load_calendar(session, policy.calendar_id, at)
    stages: list[str] = ["resolve", "reply"]
    if order.unit_id is not None:
        stages += [s for s in DISPATCH_STAGES if s != "arrive" or order.type in ARRIVE_TYPES]
    _start(session, order, policy, stages, rows, cal, started_at=at)
    _refresh_next(order, rows)


def on_suspend(session: Session, order: WorkOrder, *, always: bool = False) -> dict[str, Any]:
    """Pauses the clock on a pausable policy (on any policy when ``always``: a report merged into an outage's
    master order, whose time is the outage's). Returns what to add to the event's data."""
    policy, rows = _with_policy(session, order)
    if policy is None:
        return {}
    if not (policy.pausable or always):
        return {"sla_paused": False}
    at = now()
    for row in rows:
        if row.paused_at is None and row.met_at is None:
            row.paused_at = at
            row.next_fire_at = None  # a paused clock neither warns nor climbs the ladder
    _refresh_next(order, rows)
    return {"sla_paused": True}


def on_resume(session: Session, order: WorkOrder) -> dict[str, Any]:
    """Pushes every paused deadline later by the paused time (working minutes on a business calendar)."""
    policy, rows = _with_policy(session, order)
    paused = [r for r in rows if r.paused_at is not None]
    if policy is None or not paused:
        return {}
    at = now()
    cal = load_calendar(session, policy.calendar_id, at)
    longest = 0.0
    delays = step_delays(session) if any(r.step >= 1 for r in paused) else {}
    for row in paused:
        assert row.paused_at is not None
        minutes = business_minutes_between(cal, row.paused_at, at)
        longest = max(longest, minutes)
        row.due_at = add_business_minutes(cal, row.due_at, minutes) if minutes else row.due_at
        row.warn_at = add_business_minutes(cal, row.warn_at, minutes) if minutes else row.warn_at
        row.paused_at = None
        row.next_fire_at = next_fire_at(row, delays)
    _refresh_next(order, rows)
    return {"sla_resumed": True, "sla_paused_minutes": round(longest)}


def do_track(session: Session, order: WorkOrder, stage: str, due_at: datetime, *, warn_hours: float = 24) -> None:
    """A deadline set by date (``DATED_STAGES``: a complaint's corrective action), started now or moved to
    the new date if one is running; warned ``warn_hours`` before it (at most half of its span), then
    escalated up the ladder like any stage, closed order or not. Needs no policy."""
    if stage not in DATED_STAGES:
        raise ValueError(f"{stage!r} is not a dated stage")
    at = now()
    rows = _open_rows(session, order)
    running = [r for r in rows if r.stage == stage and r.met_at is None]
    warn = max(due_at - timedelta(hours=warn_hours), at + (due_at - at) / 2)
    if running:
        row = running[0]
        row.due_at, row.warn_at, row.step, row.breached = due_at, warn, 0, False
    else:
        row = OrderDeadline(
            order_id=order.id,
            stage=stage,
            cycle=order.reopen_count,
            started_at=at,
            due_at=due_at,
            warn_at=warn,
            breached=False,
            step=0,
        )
        session.add(row)
        rows.append(row)
    row.next_fire_at = next_fire_at(row, {})
    _refresh_next(order, rows)


def do_meet(session: Session, order: WorkOrder, stage: str) -> None:
    """Meets a dated stage now (the action is done, or a verdict no longer asks for one)."""
    rows = _open_rows(session, order)
    _meet(rows, [stage], now())
    _refresh_next(order, rows)


# ---------------------------------------------------------------- reading


def deadlines_of(session: Session, order_ids: Sequence[int]) -> dict[int, list[OrderDeadline]]:
    """Every deadline of these orders (one query), by order, oldest first. The deadlines of an order this
    transaction registered are the ones it holds (``_open_rows``), not read back."""
    out: dict[int, list[OrderDeadline]] = {i: [] for i in order_ids}
    born = tx_memo(session, "sla.born")
    held = tx_memo(session, "sla.rows")
    rest = [i for i in order_ids if i not in born]
    if len(rest) < len(order_ids):
        session.flush()  # the held rows' ids
        for i in order_ids:
            if i in born:
                out[i] = sorted(held.get(i, ()), key=lambda r: r.id)
    if not rest:
        return out
    stmt = select(OrderDeadline).where(OrderDeadline.order_id.in_(rest)).order_by(OrderDeadline.id)
    for row in session.scalars(stmt):
        out[row.order_id].append(row)
    return out


_VIEW_COLUMNS = (
    OrderDeadline.order_id,
    OrderDeadline.stage,
    OrderDeadline.cycle,
    OrderDeadline.started_at,
    OrderDeadline.due_at,
    OrderDeadline.warn_at,
    OrderDeadline.met_at,
    OrderDeadline.breached,
    OrderDeadline.paused_at,
)
_VIEWS_OF = Prebuilt(select(*_VIEW_COLUMNS).where(ids_in(OrderDeadline.order_id, "ids")).order_by(OrderDeadline.id))


def deadline_views(session: Session, order_ids: Sequence[int], at: datetime) -> dict[int, list[dict[str, Any]]]:
    """Every deadline of these orders as the API shows it, by order, oldest first: one prebuilt query of
    columns (a list page's 150 deadlines are tuples, not ORM objects); an order this transaction registered is
    answered from the rows it holds."""
    out: dict[int, list[dict[str, Any]]] = {i: [] for i in order_ids}
    born = tx_memo(session, "sla.born")
    rest = [i for i in order_ids if i not in born]
    if len(rest) < len(order_ids):
        for order_id, rows in deadlines_of(session, [i for i in order_ids if i in born]).items():
            out[order_id] = [deadline_data(r, at) for r in rows]
    if not rest:
        return out
    session.flush()  # as session.execute would: this transaction's own changes are in what is read
    for order_id, stage, cycle, started_at, due_at, warn_at, met_at, breached, paused_at in _VIEWS_OF.rows(
        session, {"ids": rest}
    ):
        out[order_id].append(_view(stage, cycle, started_at, due_at, warn_at, met_at, breached, paused_at, at=at))
    return out


def _view(
    stage: str,
    cycle: int,
    started_at: datetime,
    due_at: datetime,
    warn_at: datetime,
    met_at: datetime | None,
    breached: bool,
    paused_at: datetime | None,
    *,
    at: datetime,
) -> dict[str, Any]:
    return {
        "stage": stage,
        "cycle": cycle,
        "started_at": started_at,
        "due_at": due_at,
        "warn_at": warn_at,
        "met_at": met_at,
        "breached": breached if met_at is not None else (paused_at or at) > due_at,
        "paused": paused_at is not None,
    }


def deadline_data(row: OrderDeadline, at: datetime) -> dict[str, Any]:
    r = row
    return _view(r.stage, r.cycle, r.started_at, r.due_at, r.warn_at, r.met_at, r.breached, r.paused_at, at=at)
