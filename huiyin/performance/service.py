"""The call KPIs of a period by a cut: from the rollups where they hold the answer, else from the calls.

The rollups answer a period whose ends lie on 15-minute boundaries, for the thresholds they keep, up to
their last refresh; the slots after it (the live part of today), any other threshold and any period cut
mid-slot are read from the calls with the same SQL (``facts.FACTS``). Either way the figures are sums of the
same facts, then the named functions of ``kpis``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.performance import kpis, states
from huiyin.performance.facts import AGENT, FACT_NAMES, FACTS, MAXED, SLOT, C, extra_facts, summed
from huiyin.performance.models import (
    ANSWER_THRESHOLDS,
    SHORT_THRESHOLDS,
    SLOT_SECONDS,
    KpiAgentDay,
    KpiAgentStateDay,
    KpiCallSlot,
    KpiStateSlot,
)
from huiyin.performance.periods import Period, bucket_key, bucket_width, slot_key
from huiyin.performance.repeats import KEYS as REPEAT_KEYS
from huiyin.performance.repeats import repeats
from huiyin.performance.rollups import LATE, changed_slots, day_bounds, days_of, rolled_upto, slot_at, slot_start
from huiyin.performance.states import changed_slots as state_changed_slots
from huiyin.performance.states import states_upto

CallGroup = Literal["none", "agent", "queue", "day", "interval"]
THRESHOLDS_SHOWN = (15, 20, 30)  # N 秒人工接通率
SLOTS = KpiCallSlot.__table__.c
DAYS = KpiAgentDay.__table__.c
STATE_SLOTS = KpiStateSlot.__table__.c
STATE_DAYS = KpiAgentStateDay.__table__.c
Facts = dict[str, int]
HANDLING, AVAILABLE = ("on_call", "acw"), ("ready", "on_call", "acw")  # occupancy = handling ÷ available


@dataclass(frozen=True)
class CallQuery:
    period: Period
    group_by: CallGroup = "none"
    threshold: int = 20
    short_abandon: int = 5
    interval: int = 15  # minutes, for group_by=interval
    variant: str = "F3"
    repeats: bool = False  # 重复来电 and FCR too (read from the calls: ``repeats``)
    late: timedelta = LATE  # the calls changed this long before the last refresh, or since, are read live


def _fold(into: Facts, row: dict[str, Any]) -> None:
    for k, v in row.items():
        v = int(v or 0)
        into[k] = max(into.get(k, 0), v) if k in MAXED else into.get(k, 0) + v


TIMED = ("day", "interval")


def _label(q: CallQuery, value: Any) -> Any:
    if q.group_by in TIMED:
        if q.period.fixed_offset is not None:  # the bucket was numbered in SQL
            return bucket_key(int(value), q.group_by, q.interval)
        return slot_key(int(value), q.group_by, q.period.tz, q.interval)
    return value


def _bucket(q: CallQuery, slot: Any) -> Any:
    """A day or interval of the centre's zone as an SQL expression of the slot, when the zone's offset is
    fixed through the period (the database then adds up by day or interval, not Python); else the slot."""
    offset = q.period.fixed_offset
    if offset is None:
        return slot
    return (slot * SLOT_SECONDS + offset) // bucket_width(q.group_by, q.interval)


def _slot_rows(
    session: Session, q: CallQuery, slot_from: int, slot_to: int, skipped: list[tuple[int, int]]
) -> list[Any]:
    """The kept figures of the slots [from, to) but the ``skipped`` ranges (read from the calls instead)."""
    by: dict[str, list[Any]] = {"queue": [SLOTS.queue], "day": [_bucket(q, SLOTS.slot)]}
    keys = by.get(q.group_by, [_bucket(q, SLOTS.slot)] if q.group_by == "interval" else [])
    stmt = (
        select(*(k.label("key") for k in keys), SLOTS.direction, *(summed(SLOTS[n], n).label(n) for n in FACT_NAMES))
        .where(SLOTS.slot >= slot_from, SLOTS.slot < slot_to)
        .where(*(or_(SLOTS.slot < a, SLOTS.slot >= b) for a, b in skipped))
        .group_by(*keys, SLOTS.direction)
    )
    return list(session.execute(stmt).mappings())


def _day_rows(session: Session, first: date, end: date, skipped: list[date]) -> list[Any]:
    """The agents' figures of the local days [first, end) but the ``skipped`` (read from the calls instead)."""
    stmt = (
        select(DAYS.agent_id.label("key"), DAYS.direction, *(summed(DAYS[n], n).label(n) for n in FACT_NAMES))
        .where(DAYS.day >= first, DAYS.day < end, *([DAYS.day.not_in(skipped)] if skipped else []))
        .group_by(DAYS.agent_id, DAYS.direction)
    )
    return list(session.execute(stmt).mappings())


def _call_rows(session: Session, q: CallQuery, spans: list[tuple[datetime, datetime]]) -> list[Any]:
    """The facts of the calls offered in the half-open ``spans``."""
    by: dict[str, list[Any]] = {"agent": [AGENT], "queue": [C.queue]}
    keys = by.get(q.group_by, [_bucket(q, SLOT)] if q.group_by in TIMED else [])
    facts = {**FACTS, **extra_facts(q.threshold, q.short_abandon)}
    stmt = (
        select(*(k.label("key") for k in keys), C.direction, *(v.label(n) for n, v in facts.items()))
        .where(or_(*(and_(C.offered_at >= a, C.offered_at < b) for a, b in spans)))
        .group_by(*keys, C.direction)
    )
    return list(session.execute(stmt).mappings())


def _local_day(at: datetime, tz: ZoneInfo) -> date | None:
    """The local day ``at`` starts, when it is a local midnight."""
    local = at.astimezone(tz)
    return local.date() if local.time() == time() else None


def call_facts(session: Session, q: CallQuery, tz_name: str) -> dict[tuple[Any, str], Facts]:
    """(key, direction) → summed facts for the query's period and cut.

    The agents' cut over whole local days reads ``kpi_agent_days`` up to the day of the last refresh; every
    other cut over a period on slot boundaries reads ``kpi_call_slots`` up to the slot of the last refresh;
    the rest of the period (and a threshold the rollups do not keep) is read from the calls, and so are the
    slots (the days) holding a call changed since shortly before the last refresh, which the rollups may not
    have yet: the figures are the calls' as they stand, whenever the worker last ran."""
    p = q.period
    kept = q.threshold in ANSWER_THRESHOLDS and q.short_abandon in SHORT_THRESHOLDS
    upto = rolled_upto(session, tz_name) if kept else None
    split = p.start
    rows: list[Any] = []
    live: list[tuple[datetime, datetime]] = []  # spans before ``split`` read from the calls
    if upto is not None and q.group_by == "agent":
        first, end = _local_day(p.start, p.tz), _local_day(p.end, p.tz)
        if first is not None and end is not None:
            cut = min(end, upto.astimezone(p.tz).date())  # the day of the last refresh is read live
            if cut > first:
                start, stop = p.start, day_bounds(cut, p.tz)[0]
                changed = changed_slots(
                    session, upto - q.late, slot_at(start), -(-int(stop.timestamp()) // SLOT_SECONDS)
                )
                stale = sorted(d for d in days_of(changed, p.tz) if first <= d < cut)
                rows += _day_rows(session, first, cut, stale)
                live += [day_bounds(d, p.tz) for d in stale]
                split = stop
    elif upto is not None and p.on_slots:
        lo, hi = p.slots
        cut_slot = min(hi, int(upto.timestamp()) // SLOT_SECONDS)  # the slot of the last refresh is read live
        if cut_slot > lo:
            changed = changed_slots(session, upto - q.late, lo, cut_slot)
            rows += _slot_rows(session, q, lo, cut_slot, changed)
            live += [(slot_start(a), slot_start(b)) for a, b in changed]
            split = slot_start(cut_slot)
    if split < p.end:
        live.append((split, p.end))
    if live:
        rows += _call_rows(session, q, live)
    out: dict[tuple[Any, str], Facts] = defaultdict(dict)
    for r in rows:
        row = dict(r)
        key = _label(q, row.pop("key")) if q.group_by != "none" else "all"
        _fold(out[(key, row.pop("direction"))], row)
    return out


def _occupancy(session: Session, q: CallQuery, at: datetime, tz_name: str) -> dict[Any, tuple[float, float]]:
    """key → (handling seconds, available seconds): from the agent-state rollups up to their last refresh
    (the slots for a period on slot boundaries, the agents' days for one of whole days) but the slots (days)
    an interval written since shortly before it overlaps, from the intervals themselves for those and after
    it, each clipped to the period (an open interval runs to ``at``)."""
    p = q.period
    out: dict[Any, list[float]] = defaultdict(lambda: [0.0, 0.0])
    upto = states_upto(session, tz_name)
    split = p.start
    live: list[tuple[datetime, datetime]] = []
    handled, available = HANDLING, AVAILABLE
    if upto is not None and upto > p.start:
        if q.group_by == "agent":
            first, end = _local_day(p.start, p.tz), _local_day(p.end, p.tz)
            if first is not None and end is not None:
                split = min(max(upto, p.start), p.end)
                changed = state_changed_slots(session, upto - q.late, slot_at(p.start), slot_at(split) + 1)
                stale = sorted(d for d in days_of(changed, p.tz) if first <= d < end)
                t = STATE_DAYS
                stmt = (
                    select(
                        t.agent_id,
                        func.coalesce(func.sum(case((t.state.in_(handled), t.seconds), else_=0)), 0),
                        func.coalesce(func.sum(case((t.state.in_(available), t.seconds), else_=0)), 0),
                    )
                    .where(t.day >= first, t.day < end, *([t.day.not_in(stale)] if stale else []))
                    .group_by(t.agent_id)
                )
                for agent_id, h, a in session.execute(stmt):
                    out[agent_id][0] += float(h)
                    out[agent_id][1] += float(a)
                live += [(lo, min(hi, split)) for lo, hi in (day_bounds(d, p.tz) for d in stale) if lo < split]
        elif p.on_slots:
            lo, hi = p.slots
            t = STATE_SLOTS
            changed = state_changed_slots(session, upto - q.late, lo, hi)
            keys = [_bucket(q, t.slot)] if q.group_by in TIMED else []
            stmt = (
                select(
                    *(k.label("key") for k in keys),
                    func.coalesce(func.sum(case((t.state.in_(handled), t.seconds), else_=0)), 0).label("h"),
                    func.coalesce(func.sum(case((t.state.in_(available), t.seconds), else_=0)), 0).label("a"),
                )
                .where(t.slot >= lo, t.slot < hi)
                .where(*(or_(t.slot < a, t.slot >= b) for a, b in changed))
                .group_by(*keys)
            )
            for r in session.execute(stmt).mappings():
                key = _label(q, r["key"]) if keys else "all"
                out[key][0] += float(r["h"])
                out[key][1] += float(r["a"])
            split = min(max(upto, p.start), p.end)
            live += [
                (a_, min(b_, split)) for a_, b_ in ((slot_start(a), slot_start(b)) for a, b in changed) if a_ < split
            ]
    if split < p.end:
        live.append((split, p.end))
    for a_, b_ in live:
        _raw_occupancy(session, q, a_, b_, at, out)
    return {k: (v[0], v[1]) for k, v in out.items() if v[1] or v[0]}


def _raw_occupancy(
    session: Session, q: CallQuery, start: datetime, end: datetime, at: datetime, out: dict[Any, list[float]]
) -> None:
    """Adds the handling and available seconds of [start, end) from the intervals themselves, cut as the
    rollup cuts them (``states.slot_pieces`` / ``agent_seconds``; an open interval runs to ``at``)."""
    rows = states.intervals(session, start, end, kept=AVAILABLE)
    keyed: Iterable[tuple[Any, str, float]]
    if q.group_by in TIMED:
        pieces = states.slot_pieces(rows, start, end, at)
        tz = q.period.tz
        keyed = ((slot_key(slot, q.group_by, tz, q.interval), state, s) for (slot, state), s in pieces.items())
    else:
        by_agent = states.agent_seconds(rows, start, end, at)
        keyed = ((user if q.group_by == "agent" else "all", state, s) for (user, state), s in by_agent.items())
    for key, state, secs in keyed:
        acc = out[key]
        acc[1] += secs
        if state in HANDLING:
            acc[0] += secs


def _item(q: CallQuery, key: Any, inbound: Facts, outbound: Facts, occ: tuple[float, float] | None) -> dict[str, Any]:
    f: defaultdict[str, int] = defaultdict(int, inbound)
    t, short = q.threshold, q.short_abandon
    return {
        "key": key,
        "offered": f["offered"],
        "answered": f["answered"],
        "abandoned": f["abandoned"],
        "short_abandoned": f[f"ab_lt_{short}"],
        "ivr_only": f["ivr_only"],
        "blocked": f["blocked"],
        "answered_within": f[f"ans_le_{t}"],
        "abandoned_within": f[f"ab_le_{t}"],
        "service_level": {v: kpis.SERVICE_LEVEL[v](f, t, short) for v in kpis.VARIANTS},
        "answer_rate": kpis.answer_rate(f),
        "answered_within_rate": {str(n): kpis.answered_within_rate(f, n) for n in THRESHOLDS_SHOWN},
        "abandon_rate": kpis.abandon_rate(f, short),
        "asa": kpis.asa(f),
        "longest_wait": f["wait_max"] if f["offered"] else None,
        "aht": kpis.aht(f),
        "acw": kpis.acw(f),
        "avg_talk": kpis.avg_talk(f),
        "avg_hold": kpis.avg_hold(f),
        "occupancy": kpis.occupancy(*occ) if occ is not None else None,
        "outbound": outbound.get("offered", 0),
        "outbound_connected": outbound.get("answered", 0),
    }


def call_kpis(session: Session, q: CallQuery, at: datetime, tz_name: str) -> dict[str, Any]:
    """``GET /kpis/calls``: one item per key of the cut, in key order (agents by name)."""
    facts = call_facts(session, q, tz_name)
    occ = _occupancy(session, q, at, tz_name) if q.group_by != "queue" else {}
    keys = {k for k, _ in facts} | set(occ)
    if q.group_by == "none":
        keys = {"all"}
    labels: dict[Any, str] = {}
    if q.group_by == "agent":
        ids = [k for k in keys if k]
        labels = {i: n for i, n in session.execute(select(User.id, User.full_name).where(User.id.in_(ids)))}
    items = []
    for key in keys:
        item = _item(q, key, facts.get((key, "in"), {}), facts.get((key, "out"), {}), occ.get(key))
        if q.group_by == "agent":
            item["key"] = key or None
            item["label"] = labels.get(key, "") if key else "未接通"
        items.append(item)
    if q.repeats:
        expr = None if q.group_by == "none" else (_bucket(q, SLOT) if q.group_by in TIMED else REPEAT_KEYS[q.group_by])
        found = repeats(session, q.period.start, q.period.end, expr)
        by_key = {("all" if q.group_by == "none" else _label(q, k)): v for k, v in found.items()}
        for item in items:
            key = item["key"] if item["key"] is not None else 0
            item["repeats"] = by_key.get(key)
    items.sort(key=_sort_key(q.group_by))
    return {
        "items": items,
        "variant": q.variant,
        "threshold": q.threshold,
        "short_abandon": q.short_abandon,
        "from": q.period.start.astimezone(q.period.tz).isoformat(),
        "to": q.period.end.astimezone(q.period.tz).isoformat(),
    }


def _sort_key(group_by: str) -> Any:
    if group_by == "agent":
        return lambda i: (i["key"] is None, i.get("label", ""), i["key"] or 0)
    return lambda i: str(i["key"])
