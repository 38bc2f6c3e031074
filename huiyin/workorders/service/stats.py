"""The managers' overview: registrations and closures per local day, today's figures, open orders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, case, func, literal, or_, select, true
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.workorders.catalog import CallbackResult, Grade, OrderType
from huiyin.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
)
from huiyin.workorders.service.access import visible_unit_ids
from huiyin.workorders.states import (
    OPEN_STATES,
    OrderState,
)

S = OrderState


@dataclass
class DayStats:
    day: date
    registered: int = 0
    closed: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: {t.value: 0 for t in OrderType})


@dataclass
class TodayStats:
    registered: int = 0
    closed_on_spot: int = 0
    callbacks_done: int = 0
    satisfied: int = 0
    unsatisfied: int = 0


@dataclass
class OrderStats:
    days: list[DayStats]
    state_counts: dict[str, int]
    open_total: int
    urgent_open: int
    today: TodayStats
    types_open: dict[str, int]


def local_day_bounds(first: date, days: int, tz: str) -> list[datetime]:
    """The UTC instants at which each local day from ``first`` begins, plus the end of the last one
    (``days + 1`` instants). Computed per day, so a zone with daylight saving still gets its real days."""
    zone = ZoneInfo(tz)
    return [datetime.combine(first + timedelta(days=i), time(), zone).astimezone(UTC) for i in range(days + 1)]


def _day_bucket(column: Any, bounds: list[datetime]) -> Any:
    """0 for the first local day … n-1 for the last; the caller keeps ``column`` inside the bounds."""
    whens = [(column < b, i) for i, b in enumerate(bounds[1:-1])]
    return case(*whens, else_=len(bounds) - 2) if whens else literal(0)


def _visible(units: list[int] | None) -> ColumnElement[bool]:
    """The list's visibility as a condition on ``WorkOrder``."""
    return true() if units is None else WorkOrder.unit_id.in_(units)


def order_stats(session: Session, user: Actor, *, days: int, tz: str) -> OrderStats:
    """Per-day registrations and closures for the last ``days`` local days (today included), today's
    figures and the open orders now, counted over the orders the user may see (as the list does).

    Three grouped queries, whatever the window: registrations by day, type and on-the-spot; closures and
    callbacks by day (from the events, whose ``at`` is indexed); open orders by state, type and grade.
    """
    units = visible_unit_ids(session, user)
    today = now().astimezone(ZoneInfo(tz)).date()
    first = today - timedelta(days=days - 1)
    bounds = local_day_bounds(first, days, tz)
    start, end = bounds[0], bounds[-1]
    out = [DayStats(first + timedelta(days=i)) for i in range(days)]
    last = days - 1
    today_stats = TodayStats()

    created = (
        select(
            _day_bucket(WorkOrder.created_at, bounds).label("bucket"),
            WorkOrder.type.label("type"),
            WorkOrder.closed_on_spot.label("on_spot"),
        )
        .where(WorkOrder.created_at >= start, WorkOrder.created_at < end, _visible(units))
        .subquery()
    )
    for bucket, type_, on_spot, n in session.execute(
        select(created.c.bucket, created.c.type, created.c.on_spot, func.count()).group_by(
            created.c.bucket, created.c.type, created.c.on_spot
        )
    ):
        d = out[int(bucket)]
        d.registered += n
        d.by_type[type_] = d.by_type.get(type_, 0) + n
        if int(bucket) == last:
            today_stats.registered += n
            if on_spot:
                today_stats.closed_on_spot += n

    callback = WorkOrderEvent.data["callback"].as_string()
    events = (
        select(
            _day_bucket(WorkOrderEvent.at, bounds).label("bucket"),
            (WorkOrderEvent.to_state == S.closed.value).label("closing"),
            callback.label("callback"),
        )
        .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
        .where(
            WorkOrderEvent.at >= start,
            WorkOrderEvent.at < end,
            or_(WorkOrderEvent.to_state == S.closed.value, callback.is_not(None)),
            _visible(units),
        )
        .subquery()
    )
    for bucket, closing, result, n in session.execute(
        select(events.c.bucket, events.c.closing, events.c.callback, func.count()).group_by(
            events.c.bucket, events.c.closing, events.c.callback
        )
    ):
        if closing:
            out[int(bucket)].closed += n
        if result and int(bucket) == last:
            today_stats.callbacks_done += n
            if result in (CallbackResult.satisfied, CallbackResult.basically_satisfied):
                today_stats.satisfied += n
            elif result == CallbackResult.unsatisfied:
                today_stats.unsatisfied += n

    state_counts = {s.value: 0 for s in OrderState if s in OPEN_STATES}
    types_open = {t.value: 0 for t in OrderType}
    urgent = 0
    urgent_n = func.sum(case((WorkOrder.grade == Grade.urgent.value, 1), else_=0))
    open_rows = (
        select(WorkOrder.state, WorkOrder.type, func.count(), urgent_n)
        .where(WorkOrder.state != S.closed.value, _visible(units))
        .group_by(WorkOrder.state, WorkOrder.type)
    )
    for state, type_, n, n_urgent in session.execute(open_rows):
        state_counts[state] = state_counts.get(state, 0) + n
        types_open[type_] = types_open.get(type_, 0) + n
        urgent += int(n_urgent or 0)
    return OrderStats(
        days=out,
        state_counts=state_counts,
        open_total=sum(state_counts.values()),
        urgent_open=urgent,
        today=today_stats,
        types_open=types_open,
    )
