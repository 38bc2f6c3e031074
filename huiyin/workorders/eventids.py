"""Event ids drawn before the events are written, so that a change needs no flush of its own.

A listener may need the change's event id before the transaction writes anything (notify keys a dispatch's
notifications by it: ``OrderChange.event_with_id``). Flushing the session for it costs an ORM flush of the
order and everything pending, half of a registration's CPU. Instead the id is drawn:

- PostgreSQL: from the table's sequence (``nextval``), when an id is asked for; every other event takes its
  id from the same sequence when it is written, so they never collide. An order's events must stay in
  the order they happened (the timeline sorts by id), so the id asked for is drawn together with those of
  the transaction's earlier events that have none yet, in one statement, in the order they were built.
- SQLite: every event written by ``workorders`` has its id drawn when it is built (``assign``), by
  ``core.fastsql.sqlite_next_ids`` (the next after both the table's last and the last drawn in this
  transaction); an event inserted without an id (by SQLite's ``max(rowid) + 1``) could take one drawn and
  not yet written, which is why on SQLite every event of ``workorders`` gets its id here.

Ids drawn and not used (a rolled-back request) leave gaps, as a sequence does.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer, bindparam, func, literal_column, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnClause

from huiyin.core.fastsql import Prebuilt, sqlite_next_ids
from huiyin.db import tx_memo
from huiyin.workorders.models import WorkOrderEvent

_SEQUENCE: ColumnClause[Any] = literal_column("pg_get_serial_sequence('work_order_events', 'id')::regclass")
_PG_NEXT = Prebuilt(select(func.nextval(_SEQUENCE)).select_from(func.generate_series(1, bindparam("n", type_=Integer))))


def _is_pg(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def draw(session: Session, n: int = 1) -> list[int]:
    """``n`` new event ids, ascending, in one statement."""
    if n <= 0:
        return []
    if _is_pg(session):
        return sorted(int(r[0]) for r in _PG_NEXT.rows(session, {"n": n}))
    return sqlite_next_ids(session, WorkOrderEvent, n)


def assign(session: Session, event: WorkOrderEvent) -> WorkOrderEvent:
    """Gives a new event its id where the database needs it drawn now (SQLite: see the module); on
    PostgreSQL the id comes with the write, or from ``with_id`` when a listener asks for it first (the
    event is remembered until then, so that the ids keep the order the events were built in)."""
    if event.id is None:
        if _is_pg(session):
            tx_memo(session, "workorders.unnumbered").setdefault("events", []).append(event)
        else:
            event.id = draw(session)[0]
    return event


def with_id(session: Session, event: WorkOrderEvent) -> int:
    """The event's id, drawn now if it has none yet; the event is added to the session (written with the
    transaction's next flush)."""
    if event.id is None:
        earlier: list[WorkOrderEvent] = tx_memo(session, "workorders.unnumbered").pop("events", [])
        todo = [e for e in earlier if e.id is None and e is not event] + [event]
        for e, i in zip(todo, draw(session, len(todo)), strict=True):
            e.id = i
    session.add(event)
    return event.id
