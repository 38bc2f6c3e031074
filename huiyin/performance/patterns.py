"""When the work comes and what it is about: the hour × weekday heatmap of calls offered or orders registered,
and the Pareto of orders registered by a cut (the few categories, areas or units that make most of them).

Calls come from the interval rollups through ``service.call_facts`` (hour by hour, then folded onto the
week); orders from the orders themselves, counted per UTC quarter-hour in the database (a year is some 35,000
rows, not the orders), then folded onto the centre's week in Python; the Pareto reads the daily order
rollup through ``orders.order_facts``.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from typing import Any, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.performance import orders
from huiyin.performance.facts import slot_of
from huiyin.performance.periods import Period
from huiyin.performance.rollups import LATE, slot_start
from huiyin.performance.service import CallQuery, call_facts
from huiyin.workorders.models import Category, WorkOrder

Measure = Literal["calls", "orders"]
ParetoCut = Literal["category", "area", "unit", "channel", "type"]
VITAL = 0.8  # the vital few: the keys that bring the cumulative share up to 80 %
W = WorkOrder.__table__.c


def weekday_days(period: Period) -> dict[int, int]:
    """ISO weekday (1 = Monday) → how many of the period's local days fall on it (a mean's divisor)."""
    first = period.start.astimezone(period.tz).date()
    last = (period.end - timedelta(microseconds=1)).astimezone(period.tz).date()
    out = dict.fromkeys(range(1, 8), 0)
    day = first
    while day <= last:
        out[day.isoweekday()] += 1
        day += timedelta(days=1)
    return out


def _call_hours(session: Session, period: Period, tz_name: str, late: timedelta) -> Counter[tuple[int, int]]:
    q = CallQuery(period=period, group_by="interval", interval=60, late=late)
    out: Counter[tuple[int, int]] = Counter()
    for (key, direction), facts in call_facts(session, q, tz_name).items():
        if direction == "in" and facts.get("offered"):
            at = datetime.fromisoformat(str(key))  # the local hour, "2026-12-01T09:00"
            out[(at.isoweekday(), at.hour)] += int(facts["offered"])
    return out


def _order_hours(session: Session, period: Period) -> Counter[tuple[int, int]]:
    slot = slot_of(W.created_at)
    stmt = (
        select(slot, func.count())
        .where(W.state.in_(orders.ALL_STATES), W.created_at >= period.start, W.created_at < period.end)
        .group_by(slot)
    )
    out: Counter[tuple[int, int]] = Counter()
    for s, n in session.execute(stmt):
        at = slot_start(int(s)).astimezone(period.tz)
        out[(at.isoweekday(), at.hour)] += int(n)
    return out


def heatmap(session: Session, period: Period, measure: Measure, tz_name: str, late: timedelta = LATE) -> dict[str, Any]:
    """The 7 × 24 cells (weekday 1–7, local hour 0–23) of inbound calls offered or orders registered in the
    period: the count, and the mean per such weekday in the period (count ÷ days of that weekday)."""
    counts = _call_hours(session, period, tz_name, late) if measure == "calls" else _order_hours(session, period)
    days = weekday_days(period)
    cells = [
        {
            "weekday": wd,
            "hour": h,
            "count": counts[(wd, h)],
            "mean": round(counts[(wd, h)] / days[wd], 2) if days[wd] else None,
        }
        for wd in range(1, 8)
        for h in range(24)
    ]
    return {
        "measure": measure,
        "cells": cells,
        "days": [days[wd] for wd in range(1, 8)],
        "total": sum(counts.values()),
        "from": period.start.astimezone(period.tz).isoformat(),
        "to": period.end.astimezone(period.tz).isoformat(),
    }


def pareto(
    session: Session, period: Period, of: ParetoCut, order_type: str | None = None, late: timedelta = LATE
) -> dict[str, Any]:
    """Orders registered in the period by a cut, most first, with each key's share and the cumulative share;
    ``vital`` marks the keys that bring the cumulative share up to 80 % (the one crossing it included).
    ``order_type`` keeps the categories of one order type (``of=category`` only)."""
    accs = orders.order_facts(session, period.start, period.end, period.tz, of, late)
    counts = {k: a.registered for k, a in accs.items() if a.registered}
    if order_type is not None:
        kept = {str(i) for i in session.scalars(select(Category.id).where(Category.type == order_type))}
        counts = {k: n for k, n in counts.items() if k in kept}
    names = orders.labels(session, of, counts)
    label = {k: names.get(k, k if of in ("channel", "type") else "—") for k in counts}
    total = sum(counts.values())
    items, running = [], 0
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], label[kv[0]], kv[0])):  # a tie: by name
        before = running
        running += n
        items.append(
            {
                "key": key,
                "label": label[key],
                "count": n,
                "share": round(n / total, 4),
                "cumulative": round(running / total, 4),
                "vital": before / total < VITAL,
            }
        )
    return {
        "of": of,
        "type": order_type,
        "items": items,
        "total": total,
        "from": period.start.astimezone(period.tz).isoformat(),
        "to": period.end.astimezone(period.tz).isoformat(),
    }
