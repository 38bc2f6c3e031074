"""Repeat contacts (重复来电) and first-contact resolution (FCR), from the calls themselves.

A contact is an answered inbound call from a known customer. Its matter is the category of the order
registered on or linked to it; a call with no order is the customer's "no order" matter. A contact is
repeated within W when the same customer calls about the same matter again within W (24 h, 48 h, 7 days)
of it; FCR = contacts not repeated within 7 days ÷ contacts. The next call is found with ``LEAD`` over the
customer's and matter's calls, reading up to 7 days past the period so that its last contacts are judged
too. Not kept in a rollup: a month at 10,000,000 calls a year takes a second or two (docs/benchmarks.md),
so it is asked for (``repeats=true``), not computed with every report.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Float

from huiyin.calls.models import Call, CallOrder
from huiyin.performance.facts import AGENT, SLOT
from huiyin.workorders.models import WorkOrder

WINDOWS = {"24h": 24, "48h": 48, "7d": 168}
C = Call.__table__.c


class hours_between(FunctionElement[float]):
    """Hours from the first timestamp to the second."""

    type = Float()
    inherit_cache = True
    name = "hours_between"


@compiles(hours_between, "postgresql")
def _hours_pg(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(extract(epoch FROM ({b} - {a})) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({b}) - julianday({a})) * 24.0)"


def repeats(session: Session, start: datetime, end: datetime, key: Any | None) -> dict[Any, dict[str, Any]]:
    """key → contacts, repeated within each window, and FCR; ``key`` an expression over ``calls`` (the
    agent, the queue, the slot) or None for the whole centre."""
    matter = (
        select(CallOrder.call_pk, func.min(WorkOrder.category_id).label("category_id"))
        .join(WorkOrder, WorkOrder.id == CallOrder.order_id)
        .group_by(CallOrder.call_pk)
        .subquery()
    )
    cat = func.coalesce(matter.c.category_id, 0)
    keyed = key.label("key") if key is not None else func.min(0).over().label("key")
    inner = (
        select(
            keyed,
            C.offered_at,
            func.lead(C.offered_at).over(partition_by=(C.customer_id, cat), order_by=C.offered_at).label("next_at"),
        )
        .outerjoin(matter, matter.c.call_pk == C.id)
        .where(
            C.direction == "in",
            C.customer_id.is_not(None),
            C.answered_at.is_not(None),
            C.offered_at >= start,
            C.offered_at < end + timedelta(days=7),
        )
        .subquery()
    )
    in_period = and_(inner.c.offered_at >= start, inner.c.offered_at < end)
    gap = hours_between(inner.c.offered_at, inner.c.next_at)
    columns = [func.coalesce(func.sum(case((in_period, 1), else_=0)), 0).label("contacts")]
    for name, hours in WINDOWS.items():
        hit = and_(in_period, inner.c.next_at.is_not(None), gap <= hours)
        columns.append(func.coalesce(func.sum(case((hit, 1), else_=0)), 0).label(f"repeat_{name}"))
    stmt = select(inner.c.key, *columns).group_by(inner.c.key)
    out: dict[Any, dict[str, Any]] = {}
    for row in session.execute(stmt).mappings():
        contacts = int(row["contacts"])
        if not contacts:
            continue
        figures: dict[str, Any] = {"contacts": contacts}
        for name in WINDOWS:
            figures[f"repeat_{name}"] = int(row[f"repeat_{name}"])
        figures["fcr"] = round(1 - figures["repeat_7d"] / contacts, 4)
        out[row["key"]] = figures
    return out


KEYS = {"agent": AGENT, "queue": C.queue, "day": SLOT, "interval": SLOT}
