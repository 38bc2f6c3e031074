"""The agent-state rollup (``kpi_agent_state_slots``): seconds per 15-minute slot, agent and state, from the
agent-state intervals, for occupancy over long periods without reading every interval.

A refresh recomputes (``DELETE``, then the intervals overlapping the range cut at slot boundaries in Python,
``INSERT``) every slot that an interval written since the last refresh (``agent_states.written_at``, less the
margin) overlaps, and every slot from the last refresh to now: an interval still open has grown meanwhile.
Exact, idempotent, rebuildable (``huiyin kpis rebuild``) like the other rollups.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from huiyin.calls.models import AgentState
from huiyin.performance.models import KpiAgentStateSlot, RollupMark
from huiyin.performance.rollups import ranges, slot_at, slot_start

STATES = "agent_states"
TABLE = cast(Table, KpiAgentStateSlot.__table__)
A = AgentState.__table__.c
COUNTED = ("ready", "on_call", "acw", "not_ready", "signed_in")


def pieces(rows: Iterable[Any], start: datetime, end: datetime, at: datetime) -> dict[tuple[int, int, str], float]:
    """(slot, agent, state) → seconds of the intervals within [start, end) (an open one runs to ``at``)."""
    out: defaultdict[tuple[int, int, str], float] = defaultdict(float)
    for user_id, state, started, ended in rows:
        a, b = max(started, start), min(ended or at, end)
        while a < b:
            slot = slot_at(a)
            piece_end = min(b, slot_start(slot + 1))
            out[(slot, user_id, state)] += (piece_end - a).total_seconds()
            a = piece_end
    return dict(out)


def _intervals(session: Session, start: datetime, end: datetime) -> list[Any]:
    stmt = select(A.user_id, A.state, A.started_at, A.ended_at).where(
        A.started_at < end, or_(A.ended_at.is_(None), A.ended_at > start), A.state.in_(COUNTED)
    )
    return list(session.execute(stmt).all())


def do_recompute(session: Session, slot_from: int, slot_to: int, at: datetime) -> None:
    start, end = slot_start(slot_from), slot_start(slot_to)
    session.execute(delete(TABLE).where(TABLE.c.slot >= slot_from, TABLE.c.slot < slot_to))
    rows = [
        {"slot": slot, "agent_id": agent, "state": state, "seconds": round(secs, 3)}
        for (slot, agent, state), secs in pieces(_intervals(session, start, end), start, end, at).items()
    ]
    if rows:
        session.execute(insert(TABLE), rows)


def _mark(session: Session) -> RollupMark | None:
    return session.scalars(select(RollupMark).where(RollupMark.name == STATES).with_for_update()).one_or_none()


def states_upto(session: Session) -> datetime | None:
    return session.scalar(select(RollupMark.upto).where(RollupMark.name == STATES))


def do_refresh(session: Session, at: datetime, margin: timedelta) -> int:
    mark = _mark(session)
    if mark is None:
        return do_rebuild(session, at)
    since = mark.upto - margin
    written = session.execute(select(A.started_at, A.ended_at).where(A.written_at > since)).all()
    spans = [(slot_at(s), slot_at(min(e or at, at)) + 1) for s, e in written]
    spans.append((slot_at(min(since, at)), slot_at(at) + 1))  # open intervals grew since the last refresh
    touched = ranges(spans)
    for a, b in touched:
        do_recompute(session, a, b, at)
    mark.upto = at
    return sum(b - a for a, b in touched)


def do_rebuild(session: Session, at: datetime, days_per_step: int = 7) -> int:
    mark = _mark(session)
    if mark is None:
        session.add(RollupMark(name=STATES, upto=at, timezone=""))
        session.flush()
        mark = _mark(session)
        assert mark is not None
    mark.upto = at
    session.execute(delete(TABLE))
    first = session.scalar(select(func.min(A.started_at)))
    if first is None:
        return 0
    lo, hi = slot_at(first), slot_at(at) + 1
    step = days_per_step * 96
    for a in range(lo, hi, step):
        do_recompute(session, a, min(a + step, hi), at)
    return hi - lo


def differences(session: Session) -> list[str]:
    """Where the kept rollup and the intervals disagree, as of the last refresh (open intervals counted up to
    it), to the millisecond; one line per (slot, agent, state)."""
    upto = states_upto(session)
    first = session.scalar(select(func.min(A.started_at)))
    if upto is None or first is None:
        return []
    start, end = slot_start(slot_at(first)), slot_start(slot_at(upto) + 1)
    fresh = {k: round(v, 3) for k, v in pieces(_intervals(session, start, end), start, end, upto).items() if v}
    kept = {
        (int(s), int(a), st): round(float(v), 3)
        for s, a, st, v in session.execute(select(TABLE.c.slot, TABLE.c.agent_id, TABLE.c.state, TABLE.c.seconds))
        if v
    }
    return [
        f"agent-state slot {k}: kept {kept.get(k)}, from the intervals {fresh.get(k)}"
        for k in sorted(set(kept) | set(fresh))
        if abs((kept.get(k) or 0) - (fresh.get(k) or 0)) > 0.001
    ]
