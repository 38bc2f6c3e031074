"""Engines and sessions; every SQLite- or PostgreSQL-specific setting lives here.

SQLite (embedded mode) runs in WAL with a busy timeout. Reading requests use a deferred transaction;
writing requests open theirs with ``BEGIN IMMEDIATE`` so two writers queue on the busy timeout instead of
failing on a lock upgrade. PostgreSQL uses psycopg 3 and plain READ COMMITTED transactions.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from huiyin.settings import Settings

_fromisoformat = datetime.fromisoformat

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on both databases (SQLite keeps no zone, so it stores naive UTC)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)

    def result_processor(self, dialect: Dialect, coltype: Any) -> Callable[[Any], datetime | None] | None:
        """One function per value instead of two (the dialect's parse, then ``process_result_value``): a list
        page reads some 700 datetimes. SQLite keeps SQLAlchemy's ``YYYY-MM-DD HH:MM:SS.ffffff``, which
        ``datetime.fromisoformat`` reads in C; anything else takes the general way."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return general

        def process(value: Any) -> datetime | None:
            if value is None:
                return None
            try:
                parsed = _fromisoformat(value)
            except (TypeError, ValueError):
                return general(value) if general is not None else value
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)

        return process


def normalize_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def _sqlite_engine(url: str, echo: bool, immediate: bool) -> Engine:
    engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 30})
    queue = _writers_file(engine) if immediate else None

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.close()
        if queue is not None:
            record.info[_QUEUE_FD] = os.open(queue, os.O_RDWR | os.O_CREAT, 0o600)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        if queue is not None:
            info = conn.connection.info
            if not info.get(_QUEUED):
                fcntl.flock(info[_QUEUE_FD], fcntl.LOCK_EX)  # in line behind the other writers
                info[_QUEUED] = True
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    if queue is not None:

        @event.listens_for(engine, "checkin")
        def _on_checkin(_: Any, record: Any) -> None:
            if record.info.pop(_QUEUED, False):
                fcntl.flock(record.info[_QUEUE_FD], fcntl.LOCK_UN)

        @event.listens_for(engine, "close")
        def _on_close(_: Any, record: Any) -> None:
            fd = record.info.pop(_QUEUE_FD, None)
            record.info.pop(_QUEUED, None)
            if fd is not None:
                os.close(fd)  # lets go of the queue too

    return engine


_QUEUE_FD = "huiyin_writers_fd"
_QUEUED = "huiyin_writers_queued"


def _writers_file(engine: Engine) -> str | None:
    """Where a file database's writers queue: ``<database>-writers``, beside it (None in memory).

    SQLite's busy handler retries a locked ``BEGIN IMMEDIATE`` after sleeps that grow to 100 ms, so under
    contention a writer waits far longer than the lock is held, and unfairly (a p99 of ~1 s at 16
    connections against two server processes). Writers of every process and thread therefore first take
    an exclusive ``flock`` on this file, which the kernel hands to the next waiter the moment its holder
    lets go (when its connection goes back to the pool, after the commit or rollback); then ``BEGIN
    IMMEDIATE`` finds the database's lock free. Readers never queue.
    """
    path = engine.url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return None
    return f"{path}-writers"


TX_KEY = "tx"


def tx_memo(session: Session, name: str) -> dict[Any, Any]:
    """A dict for answers worth keeping for the rest of this transaction (a customer's facts asked twice
    by one registration), emptied when the transaction ends (``Database`` sessions only)."""
    memo: dict[str, dict[Any, Any]] = session.info.setdefault(TX_KEY, {})
    return memo.setdefault(name, {})


def _forget_tx(session: Session, *_: Any) -> None:
    session.info.pop(TX_KEY, None)


PING_AFTER_IDLE_S = 10.0
"""A pooled PostgreSQL connection idle for longer than this is pinged before it is lent (see ``_pg_engine``)."""


def _pg_engine(url: str, echo: bool) -> Engine:
    """PostgreSQL's engine. A connection that has sat in the pool for a while (``PING_AFTER_IDLE_S``) is
    pinged before it is lent, and replaced if the server has gone (a restart, a fail-over, an idle timeout
    on the way); one lent again straight after its last use is not: under load SQLAlchemy's
    ``pool_pre_ping`` cost a round trip on every request. Should the server go while connections are in
    use, the first statement to notice fails and SQLAlchemy invalidates the whole pool."""
    engine = create_engine(url, echo=echo, pool_size=10, max_overflow=20)

    @event.listens_for(engine, "connect")
    def _fresh(dbapi_conn: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkin")
    def _returned(dbapi_conn: Any, record: Any) -> None:
        if record is not None:
            record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _lent(dbapi_conn: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("idle_since", 0.0) < PING_AFTER_IDLE_S:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)  # SQLAlchemy's own ping (in autocommit: no BEGIN left open)
        except engine.dialect.loaded_dbapi.Error as e:  # the server is gone: the pool connects anew
            raise exc.DisconnectionError(str(e)) from e

    return engine


class Database:
    """The engines and session factories of one Huiyin instance."""

    def __init__(self, settings: Settings, *, session_info: dict[str, Any] | None = None) -> None:
        """``session_info`` is copied into every session's ``info``: how the application's wiring (the
        order hooks) reaches code that only has a session."""
        url = normalize_url(settings.database_url)
        self.url = url
        self.is_sqlite = url.startswith("sqlite")
        if self.is_sqlite:
            self.engine = _sqlite_engine(url, settings.sql_echo, immediate=True)
            self.read_engine = _sqlite_engine(url, settings.sql_echo, immediate=False)
        else:
            self.engine = _pg_engine(url, settings.sql_echo)
            # Reading requests run their statements in autocommit: no BEGIN and no COMMIT round trip. Under
            # READ COMMITTED every statement takes its own snapshot inside a transaction too, so what a
            # read sees is the same; the pool is shared and each connection goes back to it as it was.
            self.read_engine = self.engine.execution_options(isolation_level="AUTOCOMMIT")
        self.write_lock = asyncio.Lock()  # see core.deps.get_session
        self.session_info = dict(session_info or {})
        self.writer = sessionmaker(self.engine, expire_on_commit=False, info=self.session_info)
        self.reader = sessionmaker(self.read_engine, expire_on_commit=False, info=self.session_info)
        for factory in (self.writer, self.reader):
            event.listen(factory, "after_commit", _forget_tx)
            event.listen(factory, "after_rollback", _forget_tx)

    @contextmanager
    def session(self, write: bool = True) -> Iterator[Session]:
        """A session whose transaction commits on success and rolls back on any error."""
        factory = self.writer if write else self.reader
        with factory() as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not self.engine:
            self.read_engine.dispose()


def equal_where_given(model: Any, **values: Any) -> list[Any]:
    """``column == value`` for each value given (not None): a list's optional filters, once."""
    return [getattr(model, name) == value for name, value in values.items() if value is not None]
