"""Many rows in one statement, and statements on the session's own psycopg connection.

``bulk_insert`` and ``bulk_update`` write many rows of one table with one statement whose text never
changes: on PostgreSQL an ``INSERT … SELECT FROM unnest(arrays)`` / ``UPDATE … FROM unnest(arrays)`` with the
arrays sent in binary (the text format's per-element quoting costs more than the rest of a batch's
Python); elsewhere SQLAlchemy's own bulk INSERT / bulk UPDATE by primary key. The column types come from
the table (``_pg_type``), so a new column type fails loudly here rather than being sent as text.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any, cast

from sqlalchemy import JSON, Boolean, Integer, Table, insert, update
from sqlalchemy.orm import Session

from huiyin.db import Base, UTCDateTime


def bulk_insert(
    session: Session, model: type[Base], rows: Sequence[dict[str, Any]], *, returning: bool = False
) -> list[int]:
    """Inserts ``rows`` (dicts with the same keys) into ``model``'s table; with ``returning`` gives their new
    ids in the order of ``rows``. On PostgreSQL one ``INSERT … SELECT FROM unnest(arrays)`` whose text never
    changes, with its arrays sent in binary (see ``pg_execute``); elsewhere a Core insert of the table on
    the session's connection (a third of the ORM's bulk insert's CPU: no ORM execution layer). The ORM's
    events do not see these writes: not for the tables ``core.refcache`` keeps."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    pg = pg_connection(session)
    if pg is None:
        conn = session.connection()
        if not returning:
            conn.execute(insert(table), list(rows))
            return []
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return list(conn.execute(stmt, list(rows)).scalars().all())
    names = tuple(rows[0])
    types = [_pg_type(table.c[n]) for n in names]
    cols = ", ".join(names)
    arrays = ", ".join(f"CAST(%(p{i})b AS {t}[])" for i, (t, _) in enumerate(types))
    sql = (
        f"INSERT INTO {table.name} ({cols}) SELECT {cols} FROM unnest({arrays}) WITH ORDINALITY "
        f"AS u({cols}, n) ORDER BY n" + (" RETURNING id" if returning else "")
    )
    got = pg_execute(pg, sql, _columns(rows, names, types), fetch=returning)
    return sorted(r[0] for r in got)  # ids were drawn in the rows' order (ORDER BY n)


def bulk_update(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    """Updates rows of ``model``'s table by ``id``: each dict holds the id and the new values (same keys in
    all). On PostgreSQL one ``UPDATE … FROM unnest(arrays)``; elsewhere the ORM's bulk update by primary key."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    pg = pg_connection(session)
    if pg is None:
        session.execute(update(model), list(rows))  # the ORM's "bulk UPDATE by primary key"
        return
    names = tuple(rows[0])
    types = [_pg_type(table.c[n]) for n in names]
    arrays = ", ".join(f"CAST(%(p{i})b AS {t}[])" for i, (t, _) in enumerate(types))
    sets = ", ".join(f"{n} = u.{n}" for n in names if n != "id")
    sql = f"UPDATE {table.name} AS t SET {sets} FROM unnest({arrays}) AS u({', '.join(names)}) WHERE t.id = u.id"
    pg_execute(pg, sql, _columns(rows, names, types))


def pg_connection(session: Session) -> Any | None:
    """The psycopg connection under ``session``'s transaction on PostgreSQL, else None."""
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        return None
    return conn.connection.driver_connection


def pg_execute(pg: Any, sql: str, params: dict[str, Any], *, fetch: bool = False) -> list[tuple[Any, ...]]:
    """Runs ``sql`` (psycopg ``%(name)s`` placeholders) on the session's own connection with parameters and
    results in binary: lists go as arrays without the text format's per-element quoting, which costs more
    than the rest of a batch's Python. Same transaction as the session."""
    with pg.cursor(binary=True) as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if fetch else []


def _pg_type(column: Any) -> tuple[str, Callable[[Any], Any] | None]:
    """The PostgreSQL array element type for a column, and how to turn a Python value into it."""
    t = column.type
    if isinstance(t, UTCDateTime):
        return "timestamptz", None
    if isinstance(t, JSON):
        return "json", lambda v: None if v is None else json.dumps(v)  # as SQLAlchemy's JSON type writes it
    if isinstance(t, Boolean):
        return "boolean", None
    if isinstance(t, Integer):
        return "integer", None
    return "text", None


def _columns(
    rows: Sequence[dict[str, Any]], names: Sequence[str], types: Sequence[tuple[str, Callable[[Any], Any] | None]]
) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = {}
    for i, (name, (_, proc)) in enumerate(zip(names, types, strict=True)):
        values = [r[name] for r in rows]
        if proc is not None:  # one JSON text per distinct object: a message's recipients share its payload
            done: dict[int, Any] = {}
            values = [done[id(v)] if id(v) in done else done.setdefault(id(v), proc(v)) for v in values]
        out[f"p{i}"] = values
    return out
