"""The order KPIs and their daily rollup (``kpi_order_days``).

A local day's row per cut (``all``, ``type``, ``category``, ``unit``, ``area``, ``channel``) holds, for the
orders **registered** that day: their count and the response times from registration to the first accept, the
first start on site (到场), the resolve and the close, each as a count, a sum of minutes and a histogram of
minutes in 5 % bins (``hist``: percentiles within 2.5 % of the exact value); and for the orders **closed**
that day: their count, how many had every stage's deadline met (on time), and each stage's deadlines met in
time out of those due; and the day's reopens, 催办 and 督办.

It is kept like the call rollups (``rollups``): every order event since the last refresh (less a margin;
``work_order_events.at``, indexed) marks its own day and its order's registration day dirty, and each
dirty day is made again from the orders, their events and their deadlines. The orders stay the truth;
``huiyin kpis rebuild`` makes every day again.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, and_, case, delete, func, insert, select
from sqlalchemy.orm import Session

from huiyin.org.models import Area, Unit
from huiyin.performance.models import KpiOrderDay, RollupMark
from huiyin.performance.periods import Period
from huiyin.performance.rollups import LATE, day_bounds, locked_mark
from huiyin.sla.models import STAGES, OrderDeadline
from huiyin.workorders.models import Category, WorkOrder, WorkOrderEvent
from huiyin.workorders.states import Action, OrderState

ORDERS = "orders"
DAYS = cast(Table, KpiOrderDay.__table__)
CUTS = ("all", "type", "category", "unit", "area", "channel")
RESPONSE = ("accept", "arrive", "resolve", "close")
"""Registration → first accept (接单), → first start on site (到场), → resolve (办结), → close (归档)."""
RATIO = 1.05  # the histogram's bins: [1.05^(b-1), 1.05^b) minutes; bin 0 is under a minute
COUNTED = {Action.reopen.value: "reopened", Action.urge.value: "urged", Action.supervise.value: "supervised"}
ALL_STATES = [s.value for s in OrderState]  # ``state IN (all)`` lets the (state, created_at) index serve a range
W = WorkOrder.__table__.c
E = WorkOrderEvent.__table__.c
D = OrderDeadline.__table__.c


def bin_of(minutes: float) -> int:
    return 0 if minutes < 1 else 1 + int(math.log(minutes) / math.log(RATIO))


def bin_value(b: int) -> float:
    """A bin's geometric middle (bin 0: half a minute)."""
    return 0.5 if b == 0 else RATIO ** (b - 0.5)


def percentile(hist: dict[int, int], q: float) -> float | None:
    """The ``q`` quantile (0..1) of a histogram, as its bin's middle, in minutes (rounded to 0.1)."""
    n = sum(hist.values())
    if not n:
        return None
    rank = max(1, math.ceil(q * n))
    seen = 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return round(bin_value(b), 1)
    return None  # pragma: no cover (the loop reaches n)


@dataclass
class Acc:
    """The facts of one cut's key over some days: what a ``kpi_order_days`` row holds, added up."""

    registered: int = 0
    closed: int = 0
    on_time: int = 0
    reopened: int = 0
    urged: int = 0
    supervised: int = 0
    n: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RESPONSE, 0))
    total: dict[str, float] = field(default_factory=lambda: dict.fromkeys(RESPONSE, 0.0))
    hist: dict[str, dict[int, int]] = field(default_factory=lambda: {s: {} for s in RESPONSE})
    stage_due: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))
    stage_met: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STAGES, 0))

    def merge(self, row: Mapping[Any, Any]) -> None:
        for k in ("registered", "closed", "on_time", "reopened", "urged", "supervised"):
            setattr(self, k, getattr(self, k) + int(row[k]))
        for s in RESPONSE:
            self.n[s] += int(row[f"{s}_n"])
            self.total[s] += float(row[f"{s}_minutes"])
            for b, c in (row[f"{s}_hist"] or {}).items():
                self.hist[s][int(b)] = self.hist[s].get(int(b), 0) + int(c)
        for s in STAGES:
            self.stage_due[s] += int(row[f"{s}_due"])
            self.stage_met[s] += int(row[f"{s}_met"])

    def columns(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            k: getattr(self, k) for k in ("registered", "closed", "on_time", "reopened", "urged", "supervised")
        }
        for s in RESPONSE:
            out[f"{s}_n"] = self.n[s]
            out[f"{s}_minutes"] = round(self.total[s], 2)
            out[f"{s}_hist"] = {str(b): c for b, c in sorted(self.hist[s].items())}
        for s in STAGES:
            out[f"{s}_due"] = self.stage_due[s]
            out[f"{s}_met"] = self.stage_met[s]
        return out


def _keys(o: Any) -> Iterator[tuple[str, str]]:
    yield "all", ""
    yield "type", o.type
    yield "category", str(o.category_id)
    yield "unit", str(o.unit or 0)
    yield "area", str(o.area_id or 0)
    yield "channel", o.channel


def _minutes(a: datetime | None, b: datetime | None) -> float | None:
    if a is None or b is None:
        return None
    return max(0.0, (b - a).total_seconds() / 60)


UNIT = func.coalesce(W.unit_id, W.last_unit_id).label("unit")
DIMS = (W.id, W.type, W.category_id, UNIT, W.area_id, W.channel)


def _first(action: str) -> Any:
    return func.min(case((E.action == action, E.at)))


def _registered(session: Session, start: datetime, end: datetime) -> list[Any]:
    """The orders registered in [start, end), with their first accept, start and resolve, and close."""
    firsts = (
        select(
            E.order_id,
            _first(Action.accept.value).label("accept_at"),
            _first(Action.start.value).label("arrive_at"),
            _first(Action.resolve.value).label("resolve_at"),
        )
        .join(WorkOrder.__table__, W.id == E.order_id)
        .where(W.state.in_(ALL_STATES), W.created_at >= start, W.created_at < end)
        .group_by(E.order_id)
        .subquery()
    )
    stmt = (
        select(*DIMS, W.created_at, W.closed_at, firsts.c.accept_at, firsts.c.arrive_at, firsts.c.resolve_at)
        .outerjoin(firsts, firsts.c.order_id == W.id)
        .where(W.state.in_(ALL_STATES), W.created_at >= start, W.created_at < end)
    )
    return list(session.execute(stmt).all())


def _closed(session: Session, start: datetime, end: datetime) -> list[Any]:
    """The orders closed in [start, end) (their last close in it), with their deadlines' counts."""
    closing = (
        select(E.order_id)
        .where(E.action == Action.close.value, E.at >= start, E.at < end)
        .group_by(E.order_id)
        .subquery()
    )
    late = case((and_(D.met_at.is_not(None), D.met_at <= D.due_at, D.breached.is_(False)), 0), else_=1)
    per_stage = [func.coalesce(func.sum(case((D.stage == s, 1), else_=0)), 0).label(f"{s}_due") for s in STAGES] + [
        func.coalesce(func.sum(case((and_(D.stage == s, late == 0), 1), else_=0)), 0).label(f"{s}_met") for s in STAGES
    ]
    deadlines = (
        select(D.order_id, func.coalesce(func.sum(late), 0).label("late"), *per_stage)
        .join(closing, closing.c.order_id == D.order_id)
        .group_by(D.order_id)
        .subquery()
    )
    stmt = (
        select(*DIMS, deadlines)
        .join(closing, closing.c.order_id == W.id)
        .outerjoin(deadlines, deadlines.c.order_id == W.id)
        .where(W.closed_at.is_not(None), W.closed_at >= start, W.closed_at < end)
    )
    return list(session.execute(stmt).mappings().all())


def _counted(session: Session, start: datetime, end: datetime) -> list[Any]:
    """The reopens, 催办 and 督办 of [start, end), with their orders' cuts."""
    stmt = (
        select(*DIMS, E.action)
        .join(WorkOrder.__table__, W.id == E.order_id)
        .where(E.action.in_(list(COUNTED)), E.at >= start, E.at < end)
    )
    return list(session.execute(stmt).all())


def facts(session: Session, start: datetime, end: datetime, cuts: Iterable[str] = CUTS) -> dict[tuple[str, str], Acc]:
    """(cut, key) → the facts of [start, end), made from the orders, events and deadlines."""
    wanted = set(cuts)
    out: defaultdict[tuple[str, str], Acc] = defaultdict(Acc)

    def accs(o: Any) -> list[Acc]:
        return [out[k] for k in _keys(o) if k[0] in wanted]

    for o in _registered(session, start, end):
        reached = []  # (stage, minutes, bin), worked out once for the order's six cuts
        for stage, at in (("accept", o.accept_at), ("arrive", o.arrive_at), ("resolve", o.resolve_at)):
            m = _minutes(o.created_at, at)
            if m is not None:
                reached.append((stage, m, bin_of(m)))
        m = _minutes(o.created_at, o.closed_at)
        if m is not None:
            reached.append(("close", m, bin_of(m)))
        for acc in accs(o):
            acc.registered += 1
            for stage, m, b in reached:
                acc.n[stage] += 1
                acc.total[stage] += m
                h = acc.hist[stage]
                h[b] = h.get(b, 0) + 1
    for c in _closed(session, start, end):
        on_time = not c["late"]  # no deadline late (an order no time limit applied to was not late either)
        for acc in accs(_Row(c)):
            acc.closed += 1
            acc.on_time += on_time
            for s in STAGES:
                acc.stage_due[s] += int(c[f"{s}_due"] or 0)
                acc.stage_met[s] += int(c[f"{s}_met"] or 0)
    for ev in _counted(session, start, end):
        for acc in accs(ev):
            name = COUNTED[ev.action]
            setattr(acc, name, getattr(acc, name) + 1)
    return dict(out)


class _Row:
    def __init__(self, mapping: Any) -> None:
        self.__dict__.update(dict(mapping))


# ------------------------------------------------------------------------------------------------ keeping


def do_recompute_day(session: Session, day: date, tz: ZoneInfo) -> None:
    start, end = day_bounds(day, tz)
    session.execute(delete(DAYS).where(DAYS.c.day == day))
    rows = [
        {"day": day, "cut": cut, "key": key, **acc.columns()} for (cut, key), acc in facts(session, start, end).items()
    ]
    if rows:
        session.execute(insert(DAYS), rows)


def orders_upto(session: Session, tz_name: str) -> datetime | None:
    row = session.execute(select(RollupMark.upto, RollupMark.timezone).where(RollupMark.name == ORDERS)).first()
    return row[0] if row is not None and row[1] == tz_name else None


def changed_days(session: Session, since: datetime, tz: ZoneInfo) -> set[date]:
    """The local days an order event written after ``since`` changes: its own and its order's registration
    day (``work_order_events.at``, indexed: a few rows)."""
    changed = session.execute(
        select(E.at, W.created_at).join(WorkOrder.__table__, W.id == E.order_id).where(E.at > since)
    ).all()
    return {t.astimezone(tz).date() for pair in changed for t in pair}


def do_refresh(session: Session, at: datetime, margin: timedelta, tz_name: str) -> int:
    """Brings ``kpi_order_days`` up to ``at``; the number of days made again. No mark yet, or another zone:
    a rebuild."""
    mark, new = locked_mark(session, ORDERS, at, tz_name)
    if new or mark.timezone != tz_name:
        return do_rebuild(session, at, tz_name)
    tz = ZoneInfo(tz_name)
    days = changed_days(session, mark.upto - margin, tz)
    for day in sorted(days):
        do_recompute_day(session, day, tz)
    mark.upto = at
    return len(days)


def do_rebuild(session: Session, at: datetime, tz_name: str) -> int:
    """Every day made again from the orders (the days of their first registration to their last event)."""
    mark, _ = locked_mark(session, ORDERS, at, tz_name)
    mark.upto, mark.timezone = at, tz_name
    session.execute(delete(DAYS))
    first, last = session.execute(select(func.min(E.at), func.max(E.at))).one()
    first_order = session.scalar(select(func.min(W.created_at)))
    if first is None:
        return 0
    tz = ZoneInfo(tz_name)
    day = min(first, first_order or first).astimezone(tz).date()
    end = last.astimezone(tz).date()
    n = 0
    while day <= end:
        do_recompute_day(session, day, tz)
        day += timedelta(days=1)
        n += 1
    return n


def differences(session: Session, tz_name: str) -> list[str]:
    """Where ``kpi_order_days`` and the orders disagree, one line per (day, cut, key) (empty: they agree)."""
    tz = ZoneInfo(tz_name)
    kept_rows: dict[tuple[date, str, str], dict[str, Any]] = {}
    for r in session.execute(select(DAYS)).mappings():
        acc = Acc()
        acc.merge(r)
        kept_rows[(r["day"], r["cut"], r["key"])] = acc.columns()
    first, last = session.execute(select(func.min(E.at), func.max(E.at))).one()
    fresh: dict[tuple[date, str, str], dict[str, Any]] = {}
    if first is not None:
        day, end = first.astimezone(tz).date() - timedelta(days=1), last.astimezone(tz).date()
        while day <= end:
            for (cut, key), acc in facts(session, *day_bounds(day, tz)).items():
                fresh[(day, cut, key)] = acc.columns()
            day += timedelta(days=1)
    out = []
    for row_key in sorted(set(kept_rows) | set(fresh), key=repr):
        if kept_rows.get(row_key) != fresh.get(row_key):
            out.append(f"order day {row_key}: kept {kept_rows.get(row_key)}, from the orders {fresh.get(row_key)}")
    return out


# ------------------------------------------------------------------------------------------------ reading

OrderGroup = Literal["none", "type", "category", "unit", "area", "channel", "day"]


def _stat(acc: Acc, stage: str) -> dict[str, Any]:
    n = acc.n[stage]
    return {
        "n": n,
        "mean": round(acc.total[stage] / n, 1) if n else None,
        "p50": percentile(acc.hist[stage], 0.5),
        "p90": percentile(acc.hist[stage], 0.9),
    }


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def item(key: str, acc: Acc) -> dict[str, Any]:
    return {
        "key": key,
        "registered": acc.registered,
        "closed": acc.closed,
        "reopened": acc.reopened,
        "urged": acc.urged,
        "supervised": acc.supervised,
        "on_time_rate": _ratio(acc.on_time, acc.closed),
        "reopen_rate": _ratio(acc.reopened, acc.closed),
        "stage_on_time": {s: _ratio(acc.stage_met[s], acc.stage_due[s]) for s in STAGES},
        "response": {s: _stat(acc, s) for s in RESPONSE},
    }


def _local_day(at: datetime, tz: ZoneInfo) -> date | None:
    local = at.astimezone(tz)
    return local.date() if (local.hour, local.minute, local.second, local.microsecond) == (0, 0, 0, 0) else None


def order_facts(
    session: Session, start: datetime, end: datetime, tz: ZoneInfo, group_by: str, late: timedelta = LATE
) -> dict[str, Acc]:
    """key → facts of the period [start, end): the kept days up to the day of the last refresh (when the
    period is whole local days) but those an order event written since shortly before it changes (``late``:
    the refresh's margin), the orders themselves for the rest: the figures as the orders stand."""
    cut = "all" if group_by in ("none", "day") else group_by
    out: defaultdict[str, Acc] = defaultdict(Acc)
    first, last = _local_day(start, tz), _local_day(end, tz)
    upto = orders_upto(session, tz.key)
    split = start
    live: list[tuple[datetime, datetime]] = []
    if first is not None and last is not None and upto is not None:
        cut_day = min(last, upto.astimezone(tz).date())
        if cut_day > first:
            stale = sorted(d for d in changed_days(session, upto - late, tz) if first <= d < cut_day)
            rows = session.execute(
                select(DAYS).where(
                    DAYS.c.cut == cut,
                    DAYS.c.day >= first,
                    DAYS.c.day < cut_day,
                    *([DAYS.c.day.not_in(stale)] if stale else []),
                )
            )
            for r in rows.mappings():
                out[r["day"].isoformat() if group_by == "day" else r["key"]].merge(r)
            live += [day_bounds(d, tz) for d in stale]
            split = day_bounds(cut_day, tz)[0]
    if split < end:
        live.append((split, end))
    for a_, b_ in live:
        if group_by == "day":  # day by day, each its own key
            a = a_
            while a < b_:
                day = a.astimezone(tz).date()
                b = min(b_, day_bounds(day, tz)[1])
                for (_, _), acc in facts(session, a, b, ["all"]).items():
                    _add(out[day.isoformat()], acc)
                a = b
        else:
            for (_, key), acc in facts(session, a_, b_, [cut]).items():
                _add(out[key], acc)
    if group_by == "none":
        return {"all": out.get("", Acc())}
    return dict(out)


def _add(into: Acc, acc: Acc) -> None:
    into.merge(acc.columns())


def labels(session: Session, group_by: str, keys: Iterable[str]) -> dict[str, str]:
    """Names of the keys: categories, units, areas; order types and channels by their code."""
    ids = [int(k) for k in keys if k.isdigit() and k != "0"]
    model: Any = {"category": Category, "unit": Unit, "area": Area}.get(group_by)
    if model is None or not ids:
        return {}
    return {str(i): n for i, n in session.execute(select(model.id, model.name).where(model.id.in_(ids)))}


def order_kpis(session: Session, period: Period, group_by: str, late: timedelta = LATE) -> dict[str, Any]:
    accs = order_facts(session, period.start, period.end, period.tz, group_by, late)
    names = labels(session, group_by, accs)
    items = []
    for key in sorted(accs):
        row = item(key, accs[key])
        row["label"] = names.get(key, "" if key != "0" else "—")
        items.append(row)
    return {
        "items": items,
        "group_by": group_by,
        "from": period.start.astimezone(period.tz).isoformat(),
        "to": period.end.astimezone(period.tz).isoformat(),
    }
