"""Reference data per process: categories, dispatch rules, units and areas, SLA policies and calendars are
read on nearly every request and change a few times a month. Each process keeps them as frozen snapshots
and reloads a snapshot when the database's reference version has moved.

How it stays right:

- ``ref_version`` is one row, one counter. A flush that inserts, changes or deletes a row of a watched
  table (the tables every registered ``Snapshot`` is made of) raises the counter in the same transaction,
  and so do ORM-enabled bulk ``insert``/``update``/``delete`` statements on them. Raw ``text()`` writes and
  bulk loads outside the ORM (the demo, the benchmark's generator) call ``do_bump(session)`` themselves.
- A session learns the version once per transaction: the token check reads it in the same statement
  (``auth.service.find_token`` calls ``seen_version``), so a signed-in request pays no extra round trip;
  other sessions (the worker, the CLI) read it on their first ``refs`` call. A cached snapshot is used only
  if it was loaded at exactly the session's version; the version is read before the snapshot's rows, so a
  snapshot is never older than the version it is filed under.
- A session that has itself changed reference rows (not yet committed) loads its own snapshots and keeps
  them to itself until its transaction ends: uncommitted data never reaches the process's cache. A later
  change in the same transaction drops them, so that the session sees its own latest writes (a demo built in
  one transaction creates an outage, then registers the reports it takes).

Snapshots are plain frozen values; what a snapshot holds and how it answers questions is its domain's
business (``workorders.refs``, ``org.refs``, ``sla.refs``). ``huiyin/wiring.py`` names the snapshots of an
application; ``install`` hangs the cache and its listeners on the database's session factories.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, Integer, event, insert, select, update
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, mapped_column, sessionmaker

from huiyin.db import Base, tx_memo

T = TypeVar("T")

CACHE_KEY = "refcache"
"""Where a session finds the process's ``RefCache`` (``session.info``)."""
_VERSION = "refcache.version"  # the version this transaction has seen
_LOCAL = "refcache.local"  # snapshots of a session that changed reference rows itself


class RefVersion(Base):
    """The reference data's version: one row (id 1), raised by every change to a watched table."""

    __tablename__ = "ref_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(BigInteger, default=0, nullable=False)


VERSION_QUERY = select(RefVersion.n).where(RefVersion.id == 1)
"""The version as a scalar subquery for a statement that runs anyway (the token check)."""


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """A named piece of reference data: how to load it, and the tables it is made of."""

    name: str
    load: Callable[[Session], T]
    tables: frozenset[str]


class RefCache:
    """One process's snapshots, each filed under the version it was loaded at."""

    def __init__(self, snapshots: Iterable[Snapshot[Any]]) -> None:
        self.snapshots = {s.name: s for s in snapshots}
        self.watched = frozenset(t for s in self.snapshots.values() for t in s.tables)
        self._values: dict[str, tuple[int, Any]] = {}
        self._lock = threading.Lock()
        self.loads = 0  # how many times a snapshot was loaded (tests, benchmarks)

    def get(self, session: Session, snap: Snapshot[T]) -> T:
        if snap.name not in self.snapshots:
            raise RuntimeError(f"snapshot {snap.name!r} is not registered with this application's RefCache")
        local: dict[str, Any] | None = session.info.get(_LOCAL)
        if local is not None:  # this transaction changed reference rows: its own view, kept to itself
            if snap.name not in local:
                local[snap.name] = snap.load(session)
                self.loads += 1
            found: T = local[snap.name]
            return found
        version = session.info.get(_VERSION)
        if version is None:
            version = session.execute(VERSION_QUERY).scalar_one_or_none() or 0
            session.info[_VERSION] = version
        held = self._values.get(snap.name)
        if held is not None and held[0] == version:
            cached: T = held[1]
            return cached
        value = snap.load(session)
        self.loads += 1
        with self._lock:
            current = self._values.get(snap.name)
            if current is None or current[0] <= version:
                self._values[snap.name] = (version, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


def refs(session: Session, snap: Snapshot[T]) -> T:
    """``snap`` as this session's transaction should see it. A session without a cache (a ``Database`` not
    opened through ``huiyin.wiring.open_database``: a script) loads it once per transaction."""
    cache: RefCache | None = session.info.get(CACHE_KEY)
    if cache is not None:
        return cache.get(session, snap)
    held = tx_memo(session, "refcache.uncached")
    if snap.name not in held:
        held[snap.name] = snap.load(session)
    found: T = held[snap.name]
    return found


def seen_version(session: Session, version: int | None) -> None:
    """The version a statement of this transaction read (the token check's subquery)."""
    if version is not None and _LOCAL not in session.info:
        session.info[_VERSION] = version


def do_bump(session: Session) -> None:
    """Raises the version (for writes the ORM does not see); this session reads its own snapshots from now
    until its transaction ends."""
    conn = session.connection()
    if conn.execute(update(RefVersion).where(RefVersion.id == 1).values(n=RefVersion.n + 1)).rowcount == 0:
        conn.execute(insert(RefVersion).values(id=1, n=1))
    session.info[_LOCAL] = {}
    session.info.pop(_VERSION, None)


def _table_of(obj: object) -> str | None:
    table = getattr(type(obj), "__table__", None)
    return getattr(table, "name", None)


def install(factories: Iterable[sessionmaker[Session]], cache: RefCache) -> None:
    """Watches the writes of these factories' sessions to ``cache``'s tables (the sessions find the cache
    in their ``info`` under ``CACHE_KEY``: ``huiyin.wiring.open_database`` puts it there)."""

    def changed(session: Session) -> None:
        local: dict[str, Any] | None = session.info.get(_LOCAL)
        if local is None:
            do_bump(session)
        else:  # bumped already in this transaction: its own snapshots are reloaded when next asked
            local.clear()

    def after_flush(session: Session, _: Any) -> None:
        for obj in (*session.new, *session.dirty, *session.deleted):
            if _table_of(obj) in cache.watched and (obj not in session.dirty or session.is_modified(obj)):
                changed(session)
                return

    def on_execute(state: ORMExecuteState) -> None:
        if not (state.is_insert or state.is_update or state.is_delete):
            return
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in cache.watched:
            changed(state.session)

    def transaction_over(session: Session, *_: Any) -> None:
        session.info.pop(_VERSION, None)
        session.info.pop(_LOCAL, None)

    for factory in factories:
        event.listen(factory, "after_flush", after_flush)
        event.listen(factory, "do_orm_execute", on_execute)
        event.listen(factory, "after_commit", transaction_over)
        event.listen(factory, "after_rollback", transaction_over)
