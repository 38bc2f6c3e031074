"""The call facts as SQL: one definition of every count and sum, used both to make the rollups' rows and to
answer from the calls themselves (a threshold the rollups do not keep, a period not on slot boundaries, the
rebuild check). The rollups are therefore the same figures by construction, not a second implementation."""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Date,
    String,
    and_,
    case,
    cast,
    false,
    func,
    literal,
    not_,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from huiyin.calls.models import Call
from huiyin.performance.models import ANSWER_THRESHOLDS, SHORT_THRESHOLDS, SLOT_SECONDS

C = Call.__table__.c


class slot_of(FunctionElement[int]):
    """The 15-minute UTC slot of a timestamp: ``floor(epoch seconds / 900)``."""

    type = BigInteger()
    inherit_cache = True
    name = "slot_of"


@compiles(slot_of, "postgresql")
def _slot_pg(element: slot_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"CAST(floor(extract(epoch FROM {compiler.process(element.clauses, **kw)}) / {SLOT_SECONDS}) AS BIGINT)"


@compiles(slot_of, "sqlite")
def _slot_sqlite(element: slot_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"(CAST(strftime('%s', {compiler.process(element.clauses, **kw)}) AS INTEGER) / {SLOT_SECONDS})"


def _n(cond: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def _s(cond: ColumnElement[bool], value: Any) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((cond, func.coalesce(value, 0)), else_=0)), 0)


INBOUND = C.direction == "in"
IVR_ONLY = and_(
    INBOUND,
    not_(C.blocked),
    C.answered_at.is_(None),
    C.ended_at.is_not(None),
    C.queue == "",
    cast(C.offered_to, String) == "[]",
)
"""Left in the IVR: ended unanswered with no queue and offered to nobody."""
ROUTED = and_(INBOUND, not_(C.blocked), not_(IVR_ONLY))
ANSWERED = C.answered_at.is_not(None)
ABANDONED = and_(C.abandoned, not_(IVR_ONLY))
WAIT = func.coalesce(C.wait_seconds, 0)

FACTS: dict[str, ColumnElement[int]] = {
    "offered": _n(or_(not_(INBOUND), ROUTED)),
    "answered": _n(ANSWERED),
    "abandoned": _n(ABANDONED),
    "short_abandoned": _n(and_(C.short_abandon, not_(IVR_ONLY))),
    "ivr_only": _n(IVR_ONLY),
    "blocked": _n(and_(INBOUND, C.blocked)),
    "wait_answered": _s(and_(INBOUND, ANSWERED), C.wait_seconds),
    "wait_max": func.coalesce(func.max(case((ROUTED, WAIT), else_=0)), 0),
    "talk": _s(ANSWERED, C.talk_seconds),
    "hold": _s(ANSWERED, C.hold_seconds),
    "acw": _s(ANSWERED, C.acw_seconds),
    "acw_calls": _n(and_(ANSWERED, C.acw_seconds.is_not(None))),
    **{f"ans_le_{t}": _n(and_(INBOUND, ANSWERED, t >= WAIT)) for t in ANSWER_THRESHOLDS},
    **{f"ab_le_{t}": _n(and_(ABANDONED, t >= WAIT)) for t in ANSWER_THRESHOLDS},
    **{f"ab_lt_{s}": _n(and_(ABANDONED, s > WAIT)) for s in SHORT_THRESHOLDS},
}
"""Every column of ``kpi_call_slots`` as an aggregate over ``calls``."""
FACT_NAMES = tuple(FACTS)
MAXED = frozenset({"wait_max"})


def extra_facts(threshold: int | None, short: int | None) -> dict[str, ColumnElement[int]]:
    """The within-T counts for a threshold the rollups do not keep (``ans_le_T``, ``ab_le_T``, ``ab_lt_S``)."""
    out: dict[str, ColumnElement[int]] = {}
    if threshold is not None and threshold not in ANSWER_THRESHOLDS:
        out[f"ans_le_{threshold}"] = _n(and_(INBOUND, ANSWERED, threshold >= WAIT))
        out[f"ab_le_{threshold}"] = _n(and_(ABANDONED, threshold >= WAIT))
    if short is not None and short not in SHORT_THRESHOLDS:
        out[f"ab_lt_{short}"] = _n(and_(ABANDONED, short > WAIT))
    return out


SLOT = slot_of(C.offered_at)
AGENT = func.coalesce(C.agent_id, 0)
SLOT_KEYS: dict[str, Any] = {"slot": SLOT, "queue": C.queue, "direction": C.direction}
"""``kpi_call_slots``' key as expressions over ``calls``."""
DAY_KEYS = ("day", "agent_id", "direction")


def slot_rows_select(slot_from: int, slot_to: int) -> Any:
    """``SELECT slot, queue, direction, <facts>`` for the calls offered in slots [from, to)."""
    start, end = _slot_bounds(slot_from, slot_to)
    return (
        select(*(k.label(n) for n, k in SLOT_KEYS.items()), *(v.label(n) for n, v in FACTS.items()))
        .where(C.offered_at >= start, C.offered_at < end)
        .group_by(SLOT, C.queue, C.direction)
    )


def day_rows_select(day: date, start: datetime, end: datetime, agents: Collection[int] | None = None) -> Any:
    """``SELECT day, agent_id, direction, <facts>`` for the calls offered in [start, end), the local ``day``;
    only those of ``agents`` when given (0: the calls nobody answered)."""
    stmt = (
        select(
            literal(day, Date()).label("day"),
            AGENT.label("agent_id"),
            C.direction,
            *(v.label(n) for n, v in FACTS.items()),
        )
        .where(C.offered_at >= start, C.offered_at < end)
        .group_by(AGENT, C.direction)
    )
    if agents is not None:
        named = [a for a in agents if a]
        stmt = stmt.where(or_(C.agent_id.in_(named), C.agent_id.is_(None) if 0 in agents else false()))
    return stmt


def _slot_bounds(slot_from: int, slot_to: int) -> tuple[datetime, datetime]:
    return (
        datetime.fromtimestamp(slot_from * SLOT_SECONDS, UTC),
        datetime.fromtimestamp(slot_to * SLOT_SECONDS, UTC),
    )


def summed(col: Any, name: str) -> ColumnElement[int]:
    """A fact summed over rollup rows (the longest wait: their maximum)."""
    return func.coalesce(func.max(col) if name in MAXED else func.sum(col), 0)
