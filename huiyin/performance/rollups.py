"""Keeping the rollups: the worker's refresh and the rebuild from the calls.

A refresh recomputes, from the calls, every slot (and every local day) a call changed since the last
refresh could have touched, and only those: for each call whose ``updated_at`` is after the last refresh
(less a margin, for transactions still open then), the slots from its offer to its latest event. A call's
slot, queue and agent can change after it was first counted (an earlier ``at`` moves the offer back, an
answer names the agent), but the offer it was first counted under lies between its offer and its latest
event, so recomputing that whole range removes it from where it was. Recomputing is ``DELETE`` the rows,
``INSERT … SELECT`` them again from the calls (``facts``): exact, and idempotent, so looking again at a
call already counted costs time, never correctness. Refreshes take the mark's row lock first: two workers
take turns.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, delete, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.performance.facts import DAY_KEYS, FACT_NAMES, SLOT_KEYS, day_rows_select, slot_of, slot_rows_select
from huiyin.performance.models import SLOT_SECONDS, KpiAgentDay, KpiCallSlot, RollupMark
from huiyin.settings import KpiSettings

CALLS = "calls"
SLOTS = cast(Table, KpiCallSlot.__table__)
DAYS = cast(Table, KpiAgentDay.__table__)

# what a read takes from the raw rows before the last refresh: those changed since this long before it (the
# refresh's own margin, ``HUIYIN_KPIS__REFRESH_MARGIN_SECONDS``; the API passes the setting)
LATE = timedelta(seconds=KpiSettings.model_fields["refresh_margin_seconds"].default)


def slot_at(at: datetime) -> int:
    return int(at.timestamp()) // SLOT_SECONDS


def slot_start(slot: int) -> datetime:
    return datetime.fromtimestamp(slot * SLOT_SECONDS, UTC)


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """A local day as [start, end) in UTC (23 or 25 hours long on a day the clocks change)."""
    start = datetime.combine(day, time(), tz).astimezone(UTC)
    return start, datetime.combine(day + timedelta(days=1), time(), tz).astimezone(UTC)


def ranges(slots: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Half-open slot ranges, merged where they touch or overlap."""
    out: list[tuple[int, int]] = []
    for a, b in sorted(slots):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def days_of(slot_ranges: Iterable[tuple[int, int]], tz: ZoneInfo) -> set[date]:
    """The local days the slot ranges fall on."""
    out: set[date] = set()
    for a, b in slot_ranges:
        d, last = slot_start(a).astimezone(tz).date(), slot_start(b - 1).astimezone(tz).date()
        while d <= last:
            out.add(d)
            d += timedelta(days=1)
    return out


def do_recompute_slots(session: Session, slot_from: int, slot_to: int) -> None:
    """Slots [from, to) made again from the calls."""
    session.execute(delete(SLOTS).where(SLOTS.c.slot >= slot_from, SLOTS.c.slot < slot_to))
    session.execute(insert(SLOTS).from_select([*SLOT_KEYS, *FACT_NAMES], slot_rows_select(slot_from, slot_to)))


def do_recompute_day(session: Session, day: date, tz: ZoneInfo, agents: Collection[int]) -> None:
    """One local day of the agents' table made again from the calls, for ``agents`` (0: nobody's calls)."""
    start, end = day_bounds(day, tz)
    session.execute(delete(DAYS).where(DAYS.c.day == day, DAYS.c.agent_id.in_(list(agents))))
    rows = day_rows_select(day, start, end, agents)
    session.execute(insert(DAYS).from_select([*DAY_KEYS, *FACT_NAMES], rows))


def locked_mark(session: Session, name: str, upto: datetime, tz_name: str) -> tuple[RollupMark, bool]:
    """The mark's row, locked; made first (at ``upto``) when there is none, in one ``INSERT … ON CONFLICT DO
    NOTHING``, so that two workers starting at once make one and the second waits for the first. Whether it
    was made now."""
    insert_ = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    made = session.execute(
        insert_(RollupMark)
        .values(name=name, upto=upto, timezone=tz_name)
        .on_conflict_do_nothing(index_elements=["name"])
        .returning(RollupMark.name)
    ).first()
    stmt = select(RollupMark).where(RollupMark.name == name).with_for_update()
    mark = session.scalars(stmt.execution_options(populate_existing=True)).one()
    return mark, made is not None


def rolled_upto(session: Session, tz_name: str) -> datetime | None:
    """How far the rollups are kept, for days cut in ``tz_name`` (None: not built, or in another zone)."""
    row = session.execute(select(RollupMark.upto, RollupMark.timezone).where(RollupMark.name == CALLS)).first()
    return row[0] if row is not None and row[1] == tz_name else None


def changed_slots(session: Session, since: datetime, slot_from: int, slot_to: int) -> list[tuple[int, int]]:
    """The slot ranges within [from, to) that a call changed after ``since`` lies in or has left: a call can
    arrive or change late (a CTI event dated earlier moves its offer back), and until the next refresh the
    rollups do not have it, so a read takes those slots from the calls. The slots are those a refresh remakes
    (``_touched``); the ``calls.updated_at`` index finds the few rows."""
    clipped = ((max(a, slot_from), min(b, slot_to)) for a, b, _ in _touched(session, since))
    return ranges((a, b) for a, b in clipped if a < b)


def _touched(session: Session, since: datetime) -> list[tuple[int, int, int]]:
    """(first slot, end slot, agent or 0) of each call written after ``since``: from its offer to its latest
    event, which takes in the slot it was counted in before (an earlier ``at`` moved the offer back; an
    answer moved it from agent 0 to its agent)."""
    c = Call.__table__.c
    latest = func.coalesce(c.ended_at, c.answered_at, c.offered_at)
    changed = session.execute(
        select(slot_of(c.offered_at), slot_of(latest), func.coalesce(c.agent_id, 0))
        .where(c.updated_at > since)
        .distinct()
    ).all()
    return [(int(a), max(int(a), int(b)) + 1, int(agent)) for a, b, agent in changed]


def do_refresh(session: Session, at: datetime, margin: timedelta, tz_name: str) -> int:
    """Brings the rollups up to ``at``; the number of slots recomputed. No mark yet, or days cut in another
    zone: a rebuild."""
    mark, new = locked_mark(session, CALLS, at, tz_name)
    if new or mark.timezone != tz_name:
        return do_rebuild(session, at, tz_name)
    changed = _touched(session, mark.upto - margin)
    touched = ranges((a, b) for a, b, _ in changed)
    for a, b in touched:
        do_recompute_slots(session, a, b)
    # an agent's day: the agents of the changed calls, and nobody's (a call answered since was nobody's)
    tz = ZoneInfo(tz_name)
    agents_of: defaultdict[date, set[int]] = defaultdict(lambda: {0})
    for a, b, agent in changed:
        for day in days_of([(a, b)], tz):
            agents_of[day].add(agent)
    for day in sorted(agents_of):
        do_recompute_day(session, day, tz, agents_of[day])
    mark.upto = at
    return sum(b - a for a, b in touched)


def do_rebuild(session: Session, at: datetime, tz_name: str, days_per_step: int = 31) -> int:
    """Every row made again from the calls (``huiyin kpis rebuild``): the slots a month per statement, the
    agents' days a day per statement; the mark set to ``at``. The number of slots in the calls' span."""
    mark, _ = locked_mark(session, CALLS, at, tz_name)
    c = Call.__table__.c
    first, last = session.execute(select(func.min(c.offered_at), func.max(c.offered_at))).one()
    session.execute(delete(SLOTS))
    session.execute(delete(DAYS))
    mark.upto, mark.timezone = at, tz_name
    if first is None:
        return 0
    lo, hi = slot_at(first), slot_at(last) + 1
    step = days_per_step * 96
    for a in range(lo, hi, step):
        session.execute(insert(SLOTS).from_select([*SLOT_KEYS, *FACT_NAMES], slot_rows_select(a, min(a + step, hi))))
    tz = ZoneInfo(tz_name)
    for day in sorted(days_of([(lo, hi)], tz)):
        start, end = day_bounds(day, tz)
        session.execute(insert(DAYS).from_select([*DAY_KEYS, *FACT_NAMES], day_rows_select(day, start, end)))
    return hi - lo


Rows = dict[tuple[Any, ...], tuple[int, ...]]


def _rows(result: Iterable[Any], width: int) -> Rows:
    return {tuple(r[:width]): tuple(int(v) for v in r[width:]) for r in result if any(r[width:])}


def kept_rows(session: Session) -> tuple[Rows, Rows]:
    """Both tables as they are: key → facts (rows of nothing but zeros left out)."""
    slots = session.execute(select(*(SLOTS.c[k] for k in SLOT_KEYS), *(SLOTS.c[n] for n in FACT_NAMES)))
    days = session.execute(select(*(DAYS.c[k] for k in DAY_KEYS), *(DAYS.c[n] for n in FACT_NAMES)))
    return _rows(slots, len(SLOT_KEYS)), _rows(days, len(DAY_KEYS))


def fresh_rows(session: Session, tz_name: str) -> tuple[Rows, Rows]:
    """Both tables as the calls make them now."""
    c = Call.__table__.c
    first, last = session.execute(select(func.min(c.offered_at), func.max(c.offered_at))).one()
    if first is None:
        return {}, {}
    lo, hi = slot_at(first), slot_at(last) + 1
    slots = _rows(session.execute(slot_rows_select(lo, hi)), len(SLOT_KEYS))
    tz = ZoneInfo(tz_name)
    days: Rows = {}
    for day in sorted(days_of([(lo, hi)], tz)):
        days |= _rows(session.execute(day_rows_select(day, *day_bounds(day, tz))), len(DAY_KEYS))
    return slots, days


def differences(session: Session, tz_name: str) -> list[str]:
    """Where the kept rollups and the calls disagree, one line per row (empty: they agree)."""
    out = []
    for name, kept, fresh in zip(("slot", "day"), kept_rows(session), fresh_rows(session, tz_name), strict=True):
        for key in sorted(set(kept) | set(fresh), key=repr):
            a, b = kept.get(key), fresh.get(key)
            if a != b:
                out.append(f"{name} {key}: kept {a}, from the calls {b}")
    return out
