"""Statements compiled once per database and run straight on the session's DB-API cursor.

``session.execute(stmt, params)`` costs about 210 µs of CPU on this project's machines besides the
database's own work: the ORM's execution layer, the statement's cache key (computed again at every
execution, even for a statement built once), an execution context and a result object. As a ``Prebuilt``
statement it costs 80-110 µs, on the driver's cursor alone 45-60 µs (``python -m bench.prebuilt_micro``).
The CTI event path runs eight statements per event, 200
events a second, so it runs its statements through ``Prebuilt``: SQLAlchemy still builds and compiles
them (once per dialect, with their bind and result type processing), and they run on the same connection
and in the same transaction as the session, so they mix freely with ordinary ``session.execute`` calls.

Limits: no expanding (``IN``) parameters and no other post-compile parameters; the statement's rows come
back as plain tuples (or dicts with ``mapping``), processed as SQLAlchemy would (UTC datetimes, JSON,
SQLite's booleans and dates); SQLAlchemy's execution events do not see these statements.
"""

from __future__ import annotations

from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import exc
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

_REQUIRED = object()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    positional: bool
    names: tuple[str, ...]  # the parameters, in the order of a positional statement's placeholders
    defaults: dict[str, Any]  # values the statement carries itself (literals: ``limit(2)``, constants)
    binders: dict[str, Callable[[Any], Any]]  # Python value → the driver's, where the type has a processor
    keys: tuple[str, ...] | None  # the result columns' names (as ``.mappings()`` has them); None: not known
    loaders: tuple[Callable[[Any], Any] | None, ...] | None  # the driver's value → Python, where a type has one


class Prebuilt:
    """One statement (or one per dialect: ``Prebuilt(lambda dialect_name: stmt)``), compiled on first use
    for each dialect; ``column_keys`` compiles an INSERT or UPDATE for exactly these columns, each a
    parameter of its own name (as ``session.execute(insert(t), {...})`` would)."""

    def __init__(
        self, stmt: ClauseElement | Callable[[str], ClauseElement], *, column_keys: Sequence[str] | None = None
    ) -> None:
        self._stmt = stmt
        self._column_keys = list(column_keys) if column_keys is not None else None
        self._compiled: dict[str, _Compiled] = {}
        self._named: dict[tuple[str, ...], Any] = {}

    def _statement(self, dialect: Dialect) -> ClauseElement:
        return self._stmt if isinstance(self._stmt, ClauseElement) else self._stmt(dialect.name)

    def _compile(self, dialect: Dialect) -> _Compiled:
        stmt = self._statement(dialect)
        compiled: Any = stmt.compile(dialect=dialect, column_keys=self._column_keys)
        if "POSTCOMPILE" in compiled.string or compiled.escaped_bind_names:
            raise ValueError(f"Prebuilt cannot run this statement (expanding or escaped parameters): {compiled}")
        if getattr(compiled, "insert_prefetch", None) or getattr(compiled, "update_prefetch", None):
            # SQLAlchemy computes Python-side column defaults in its execution context, which this skips
            raise ValueError(f"Prebuilt needs every column with a Python default given: {compiled}")
        names = tuple(compiled.positiontup) if dialect.positional else tuple(compiled.binds)
        defaults: dict[str, Any] = {}
        binders: dict[str, Callable[[Any], Any]] = {}
        for name, bind in compiled.binds.items():
            if bind.callable is not None:
                defaults[name] = bind.callable
            elif not bind.required:
                defaults[name] = bind.value
            process = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if process is not None:
                binders[name] = process
        columns = _result_columns(stmt)
        keys = tuple(columns.keys()) if columns is not None else None
        loaders = (
            tuple(c.type.dialect_impl(dialect).result_processor(dialect, None) for c in columns)
            if columns is not None
            else None
        )
        if loaders is not None and not any(loaders):
            loaders = None
        built = _Compiled(compiled.string, dialect.positional, names, defaults, binders, keys, loaders)
        self._compiled[dialect.name] = built
        return built

    def _bound(self, dialect: Dialect, params: Mapping[str, Any] | None) -> tuple[_Compiled, dict[str, Any]]:
        """The compiled statement and its parameters as the driver takes them."""
        c = self._compiled.get(dialect.name) or self._compile(dialect)
        given = params or {}
        values: dict[str, Any] = {}
        for name in c.names:
            value = given.get(name, _REQUIRED)
            if value is _REQUIRED:
                value = c.defaults.get(name, _REQUIRED)
                if value is _REQUIRED:
                    raise exc.ArgumentError(f"a value is required for bind parameter {name!r}")
                if callable(value):
                    value = value()
            process = c.binders.get(name)
            values[name] = process(value) if process is not None else value
        return c, values

    def _run(self, session: Session, params: Mapping[str, Any] | None) -> tuple[list[tuple[Any, ...]], _Compiled]:
        conn: Connection = session.connection()  # begins the session's transaction (SQLite: BEGIN IMMEDIATE)
        c, values = self._bound(conn.dialect, params)
        driver = conn.connection.dbapi_connection
        assert driver is not None
        cursor = driver.cursor()
        try:
            with _as_sqlalchemy_errors(conn, driver, cursor, c.sql, values):
                cursor.execute(c.sql, _args(c, values))
                rows = _fetched(c, cursor)
        finally:
            cursor.close()
        return _loaded(c, rows), c

    def rows(self, session: Session, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        return self._run(session, params)[0]

    def first(self, session: Session, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        found = self._run(session, params)[0]
        return found[0] if found else None

    def scalar(self, session: Session, params: Mapping[str, Any] | None = None) -> Any:
        found = self._run(session, params)[0]
        return found[0][0] if found else None

    def mapping(self, session: Session, params: Mapping[str, Any] | None = None) -> dict[str, Any] | None:
        """The first row as a dict by column name (``select(table)``: the table's column names)."""
        found, c = self._run(session, params)
        if not found:
            return None
        assert c.keys is not None, "mapping() needs a statement whose columns are known"
        return dict(zip(c.keys, found[0], strict=True))

    def execute(self, session: Session, params: Mapping[str, Any] | None = None) -> None:
        self._run(session, params)

    def scalar_alone(self, engine: Engine, params: Mapping[str, Any] | None = None) -> Any:
        found = self.first_alone(engine, params)
        return found[0] if found is not None else None

    def first_alone(self, engine: Engine, params: Mapping[str, Any] | None = None) -> tuple[Any, ...] | None:
        """Runs the statement by itself, committed at once: on a pooled connection of the engine's own, in
        the driver's autocommit (one statement, no BEGIN or COMMIT; psycopg's switch costs no round trip
        and is set back before the pool has the connection again). For a counter that must not stay
        locked for a caller's whole transaction (``workorders``' day numbers on PostgreSQL)."""
        with engine.connect() as conn:
            c, values = self._bound(conn.dialect, params)
            driver: Any = conn.connection.dbapi_connection
            cursor = driver.cursor()
            driver.autocommit = True
            try:
                with _as_sqlalchemy_errors(conn, driver, cursor, c.sql, values):
                    cursor.execute(c.sql, _args(c, values))
                    found = _loaded(c, _fetched(c, cursor))
            finally:
                cursor.close()
                driver.autocommit = False
        return found[0] if found else None

    def named(self, session: Session, params: Mapping[str, Any] | None = None) -> list[Any]:
        """The rows as named tuples (attribute access by column key, as an ORM object or a ``Row`` has):
        what a read-only view needs, without an ORM object per row."""
        found, c = self._run(session, params)
        assert c.keys is not None, "named() needs a statement whose columns are known"
        cls: Any = self._named.get(c.keys)
        if cls is None:
            cls = self._named[c.keys] = namedtuple("Record", c.keys)
        return [cls._make(row) for row in found]


def rows_together(
    session: Session, runs: Sequence[tuple[Prebuilt, Mapping[str, Any] | None]]
) -> list[list[tuple[Any, ...]]]:
    """The rows of several statements that do not depend on each other's results. On PostgreSQL they go in
    one pipeline (psycopg's pipeline mode): one round trip to the server instead of one each, so a caller on
    the event loop waits for the database, and then for the GIL, once (the IVR route)."""
    conn: Connection = session.connection()
    if conn.dialect.name != "postgresql":
        return [p.rows(session, params) for p, params in runs]
    bound = [p._bound(conn.dialect, params) for p, params in runs]
    driver = conn.connection.dbapi_connection
    assert driver is not None
    cursors = [driver.cursor() for _ in bound]
    try:
        sql = "; ".join(c.sql for c, _ in bound)
        with _as_sqlalchemy_errors(conn, driver, cursors[0], sql, {}):
            with driver.pipeline():
                for cursor, (c, values) in zip(cursors, bound, strict=True):
                    cursor.execute(c.sql, _args(c, values))
            found = [_fetched(c, cur) for (c, _), cur in zip(bound, cursors, strict=True)]
    finally:
        for cursor in cursors:
            cursor.close()
    return [_loaded(c, rows) for (c, _), rows in zip(bound, found, strict=True)]


def _args(c: _Compiled, values: dict[str, Any]) -> Any:
    return tuple(values[n] for n in c.names) if c.positional else values


def _fetched(c: _Compiled, cursor: Any) -> list[tuple[Any, ...]]:
    """The rows, without asking the cursor for its description where the statement's columns are known (the
    driver builds it anew at every asking: a tenth of the event path's time in psycopg)."""
    if c.keys is not None or cursor.description is not None:
        return cast(list[tuple[Any, ...]], cursor.fetchall())
    return []


def _loaded(c: _Compiled, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The rows with each value that has a loader turned into Python's (only those columns are visited)."""
    if c.loaders is None:
        return rows
    pairs = [(i, f) for i, f in enumerate(c.loaders) if f is not None]
    out = []
    for row in rows:
        values = list(row)
        for i, f in pairs:
            values[i] = f(values[i])
        out.append(tuple(values))
    return out


@contextmanager
def _as_sqlalchemy_errors(conn: Connection, driver: Any, cursor: Any, sql: str, values: Any) -> Iterator[None]:
    """The driver's errors as SQLAlchemy raises them (``IntegrityError`` …); a lost connection invalidated."""
    dialect = conn.dialect
    try:
        yield
    except dialect.loaded_dbapi.Error as e:
        gone = dialect.is_disconnect(e, driver, cursor)
        if gone:
            conn.invalidate(e)
        raise exc.DBAPIError.instance(
            sql, values, e, dialect.loaded_dbapi.Error, dialect=dialect, connection_invalidated=gone
        ) from e


def _result_columns(stmt: ClauseElement) -> Any:
    """The columns a statement returns (a SELECT's, or a DML statement's RETURNING), by key, else None."""
    selected = getattr(stmt, "selected_columns", None)
    if selected is not None:
        return selected
    if getattr(stmt, "_returning", None):
        return stmt.exported_columns  # type: ignore[attr-defined]
    return None


class PrebuiltSet:
    """A ``Prebuilt`` INSERT or UPDATE per set of columns given (``_save``: the columns an event changed),
    each compiled once."""

    def __init__(self, stmt: ClauseElement) -> None:
        self._stmt = stmt
        self._built: dict[tuple[str, ...], Prebuilt] = {}

    def execute(self, session: Session, params: Mapping[str, Any], *, columns: Sequence[str]) -> None:
        key = tuple(sorted(columns))
        built = self._built.get(key)
        if built is None:
            built = self._built[key] = Prebuilt(self._stmt, column_keys=key)
        built.execute(session, params)
