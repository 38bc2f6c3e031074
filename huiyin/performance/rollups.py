"""Keeping the interval rollups: the worker's refresh and the rebuild from the calls.

A refresh recomputes, from the calls, every slot a call changed since the last refresh could have touched,
and only those: for each call whose ``updated_at`` is after the last refresh (less a margin, for
transactions still open then), the slots from its offer to its latest event. A call's slot, queue and agent
can change after it was first counted (an earlier ``at`` moves the offer back, an answer names the agent),
but the offer it was first counted under lies between its offer and its latest event, so recomputing that
whole range removes it from where it was. Recomputing a slot is ``DELETE`` its rows, ``INSERT … SELECT``
them again from the calls (``facts.rollup_rows_select``): exact, and idempotent, so looking again at a call
already counted costs time, never correctness. Refreshes take the mark's row lock first: two workers
take turns.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.performance.facts import FACT_NAMES, KEYS, rollup_rows_select, slot_of
from huiyin.performance.models import SLOT_SECONDS, KpiCallSlot, RollupMark

CALLS = "calls"
S = cast(Table, KpiCallSlot.__table__)


def slot_at(at: datetime) -> int:
    return int(at.timestamp()) // SLOT_SECONDS


def ranges(slots: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open slot ranges, merged where they touch or overlap."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(slots):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def do_recompute(session: Session, slot_from: int, slot_to: int) -> None:
    """Slots [from, to) made again from the calls."""
    session.execute(delete(S).where(S.c.slot >= slot_from, S.c.slot < slot_to))
    session.execute(insert(S).from_select([*KEYS, *FACT_NAMES], rollup_rows_select(slot_from, slot_to)))


def _mark(session: Session, name: str) -> RollupMark | None:
    return session.scalars(select(RollupMark).where(RollupMark.name == name).with_for_update()).one_or_none()


def do_refresh(session: Session, at: datetime, margin: timedelta) -> int:
    """Brings the call rollup up to ``at``; the number of slots recomputed. No mark yet: a rebuild."""
    mark = _mark(session, CALLS)
    if mark is None:
        return do_rebuild(session, at)
    c = Call.__table__.c
    latest = func.coalesce(c.ended_at, c.answered_at, c.offered_at)
    changed = session.execute(
        select(slot_of(c.offered_at), slot_of(latest)).where(c.updated_at > mark.upto - margin).distinct()
    ).all()
    touched = ranges((int(a), max(int(a), int(b)) + 1) for a, b in changed)
    for a, b in touched:
        do_recompute(session, a, b)
    mark.upto = at
    return sum(b - a for a, b in touched)


def do_rebuild(session: Session, at: datetime, days_per_step: int = 31) -> int:
    """Every slot made again from the calls (``huiyin kpis rebuild``), a month of slots per statement; the
    mark set to ``at``. The number of slots in the calls' span."""
    mark = _mark(session, CALLS)
    if mark is None:
        mark = RollupMark(name=CALLS, upto=at)
        session.add(mark)
        session.flush()
        mark = _mark(session, CALLS)
        assert mark is not None
    c = Call.__table__.c
    first, last = session.execute(select(func.min(c.offered_at), func.max(c.offered_at))).one()
    session.execute(delete(S))
    if first is None:
        mark.upto = at
        return 0
    lo, hi = slot_at(first), slot_at(last) + 1
    step = days_per_step * 96
    for a in range(lo, hi, step):
        session.execute(insert(S).from_select([*KEYS, *FACT_NAMES], rollup_rows_select(a, min(a + step, hi))))
    mark.upto = at
    return hi - lo


def kept_rows(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The rollup's rows as they are: key → facts (rows of nothing but zeros left out)."""
    rows = session.execute(select(*(S.c[k] for k in KEYS), *(S.c[n] for n in FACT_NAMES)))
    return {tuple(r[: len(KEYS)]): tuple(r[len(KEYS) :]) for r in rows if any(r[len(KEYS) :])}


def fresh_rows(session: Session) -> dict[tuple[Any, ...], tuple[int, ...]]:
    """The rollup's rows as the calls make them now."""
    c = Call.__table__.c
    first, last = session.execute(select(func.min(c.offered_at), func.max(c.offered_at))).one()
    if first is None:
        return {}
    rows = session.execute(rollup_rows_select(slot_at(first), slot_at(last) + 1))
    return {tuple(r[: len(KEYS)]): tuple(int(v) for v in r[len(KEYS) :]) for r in rows if any(r[len(KEYS) :])}


def differences(session: Session) -> list[str]:
    """Where the kept rollup and the calls disagree, one line per row (empty: they agree)."""
    kept, fresh = kept_rows(session), fresh_rows(session)
    out = []
    for key in sorted(set(kept) | set(fresh), key=repr):
        a, b = kept.get(key), fresh.get(key)
        if a != b:
            out.append(f"{key}: kept {a}, from the calls {b}")
    return out
