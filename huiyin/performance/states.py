"""The agent-state rollups: seconds per 15-minute slot and state (all agents: ``kpi_state_slots``) and per
local day, agent and state (``kpi_agent_state_days``), from the agent-state intervals, so that occupancy over
months reads a few rows, not every interval. One row per slot × agent would hold about as many rows as the
intervals (an agent is in two or three states in most slots), hence the two tables, as for the calls.

Both hold the intervals up to the last refresh (an open interval counted up to it); a read takes them up to
then and the intervals themselves after it. A refresh remakes, from the intervals:
- every slot an interval written since the last refresh (``agent_states.written_at``, indexed, less the
  margin) overlaps, and every slot from the last refresh to now (an open interval has grown);
- for each local day those touch, the rows of the agents whose intervals were written since, or are open.
Exact, idempotent, rebuildable (``huiyin kpis rebuild``), checked (``huiyin kpis check``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from huiyin.calls.models import AgentState
from huiyin.performance.models import KpiAgentStateDay, KpiStateSlot, RollupMark
from huiyin.performance.rollups import day_bounds, locked_mark, ranges, slot_at, slot_start

STATES = "agent_states"
SLOTS = cast(Table, KpiStateSlot.__table__)
DAYS = cast(Table, KpiAgentStateDay.__table__)
A = AgentState.__table__.c
COUNTED = ("ready", "on_call", "acw", "not_ready", "signed_in")


def intervals(
    session: Session,
    start: datetime,
    end: datetime,
    agents: Collection[int] | None = None,
    kept: Collection[str] = COUNTED,
) -> list[Any]:
    """(agent, state, started, ended) of the intervals of ``kept`` states overlapping [start, end)."""
    stmt = select(A.user_id, A.state, A.started_at, A.ended_at).where(
        A.started_at < end, or_(A.ended_at.is_(None), A.ended_at > start), A.state.in_(list(kept))
    )
    if agents is not None:
        stmt = stmt.where(A.user_id.in_(list(agents)))
    return list(session.execute(stmt).all())


def slot_pieces(rows: Iterable[Any], start: datetime, end: datetime, at: datetime) -> dict[tuple[int, str], float]:
    """(slot, state) → seconds of the intervals within [start, end) (an open one runs to ``at``)."""
    out: defaultdict[tuple[int, str], float] = defaultdict(float)
    for _user, state, started, ended in rows:
        a, b = max(started, start), min(ended or at, end, at)
        while a < b:
            slot = slot_at(a)
            piece_end = min(b, slot_start(slot + 1))
            out[(slot, state)] += (piece_end - a).total_seconds()
            a = piece_end
    return dict(out)


def agent_seconds(rows: Iterable[Any], start: datetime, end: datetime, at: datetime) -> dict[tuple[int, str], float]:
    """(agent, state) → seconds of the intervals within [start, end) (an open one runs to ``at``)."""
    out: defaultdict[tuple[int, str], float] = defaultdict(float)
    for user_id, state, started, ended in rows:
        a, b = max(started, start), min(ended or at, end, at)
        if a < b:
            out[(user_id, state)] += (b - a).total_seconds()
    return dict(out)


def do_recompute_slots(session: Session, slot_from: int, slot_to: int, at: datetime) -> None:
    start, end = slot_start(slot_from), slot_start(slot_to)
    session.execute(delete(SLOTS).where(SLOTS.c.slot >= slot_from, SLOTS.c.slot < slot_to))
    pieces = slot_pieces(intervals(session, start, end), start, end, at)
    rows = [{"slot": sl, "state": st, "seconds": round(v, 3)} for (sl, st), v in pieces.items() if v]
    if rows:
        session.execute(insert(SLOTS), rows)


def do_recompute_day(session: Session, day: date, tz: ZoneInfo, at: datetime, agents: Collection[int] | None) -> None:
    """One local day's rows, for ``agents`` (None: all)."""
    start, end = day_bounds(day, tz)
    gone = delete(DAYS).where(DAYS.c.day == day)
    if agents is not None:
        gone = gone.where(DAYS.c.agent_id.in_(list(agents)))
    session.execute(gone)
    seconds = agent_seconds(intervals(session, start, end, agents), start, end, at)
    rows = [{"day": day, "agent_id": ag, "state": st, "seconds": round(v, 3)} for (ag, st), v in seconds.items() if v]
    if rows:
        session.execute(insert(DAYS), rows)


def states_upto(session: Session, tz_name: str) -> datetime | None:
    row = session.execute(select(RollupMark.upto, RollupMark.timezone).where(RollupMark.name == STATES)).first()
    return row[0] if row is not None and row[1] == tz_name else None


def _days(first: datetime, last: datetime, tz: ZoneInfo) -> list[date]:
    d, end = first.astimezone(tz).date(), last.astimezone(tz).date()
    out = []
    while d <= end:
        out.append(d)
        d += timedelta(days=1)
    return out


def changed_slots(session: Session, since: datetime, slot_from: int, slot_to: int) -> list[tuple[int, int]]:
    """The slot ranges within [from, to) a read takes from the intervals, not the rollups: from the start of
    each interval written after ``since`` on (opened, or closed at a PBX time that may lie before the last
    refresh, which counted it as running up to then). ``agent_states.written_at`` finds the few rows."""
    starts = session.scalars(select(A.started_at).where(A.written_at > since))
    return ranges((max(slot_from, slot_at(s)), slot_to) for s in starts if slot_at(s) < slot_to)


def do_refresh(session: Session, at: datetime, margin: timedelta, tz_name: str) -> int:
    mark, new = locked_mark(session, STATES, at, tz_name)
    if new or mark.timezone != tz_name:
        return do_rebuild(session, at, tz_name)
    tz = ZoneInfo(tz_name)
    since = min(mark.upto - margin, at)
    written = session.execute(select(A.user_id, A.started_at, A.ended_at).where(A.written_at > since)).all()
    open_agents = set(session.scalars(select(A.user_id).where(A.ended_at.is_(None))))
    spans = [(slot_at(s), slot_at(min(e or at, at)) + 1) for _, s, e in written if s <= at]
    spans.append((slot_at(since), slot_at(at) + 1))  # open intervals grew since the last refresh
    touched = ranges(spans)
    for a, b in touched:
        do_recompute_slots(session, a, b, at)
    agents_of: defaultdict[date, set[int]] = defaultdict(set)
    for user_id, started, ended in written:
        for d in _days(started, min(ended or at, at), tz):
            agents_of[d].add(user_id)
    for d in _days(since, at, tz):
        agents_of[d] |= open_agents
    for d in sorted(agents_of):
        if agents_of[d]:
            do_recompute_day(session, d, tz, at, agents_of[d])
    mark.upto = at
    return sum(b - a for a, b in touched)


def do_rebuild(session: Session, at: datetime, tz_name: str, days_per_step: int = 7) -> int:
    mark, _ = locked_mark(session, STATES, at, tz_name)
    mark.upto, mark.timezone = at, tz_name
    session.execute(delete(SLOTS))
    session.execute(delete(DAYS))
    first = session.scalar(select(func.min(A.started_at)))
    if first is None:
        return 0
    lo, hi = slot_at(first), slot_at(at) + 1
    step = days_per_step * 96
    for a in range(lo, hi, step):
        do_recompute_slots(session, a, min(a + step, hi), at)
    tz = ZoneInfo(tz_name)
    for d in _days(first, at, tz):
        do_recompute_day(session, d, tz, at, None)
    return hi - lo


def differences(session: Session, tz_name: str) -> list[str]:
    """Where the kept rollups and the intervals disagree as of the last refresh, to the millisecond."""
    upto = states_upto(session, tz_name)
    first = session.scalar(select(func.min(A.started_at)))
    if upto is None or first is None:
        return []
    tz = ZoneInfo(tz_name)
    start, end = slot_start(slot_at(first)), slot_start(slot_at(upto) + 1)
    fresh: dict[tuple[Any, ...], float] = {
        ("slot", *k): round(v, 3) for k, v in slot_pieces(intervals(session, start, end), start, end, upto).items()
    }
    for d in _days(first, upto, tz):
        a, b = day_bounds(d, tz)
        for k, v in agent_seconds(intervals(session, a, b), a, b, upto).items():
            fresh[("day", d, *k)] = round(v, 3)
    kept: dict[tuple[Any, ...], float] = {("slot", int(s), st): float(v) for s, st, v in session.execute(select(SLOTS))}
    kept |= {("day", d, int(ag), st): float(v) for d, ag, st, v in session.execute(select(DAYS))}
    return [
        f"agent states {k}: kept {kept.get(k)}, from the intervals {fresh.get(k)}"
        for k in sorted(set(kept) | set(fresh), key=repr)
        if abs((kept.get(k) or 0) - (fresh.get(k) or 0)) > 0.001
    ]
