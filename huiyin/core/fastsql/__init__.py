"""The one fast path for SQL on hot paths (docs/architecture.md → "The fast path for SQL").

Everything else uses the ORM. Hot paths use, from here:

- ``prebuilt.Prebuilt``: a statement built with SQLAlchemy, compiled once per dialect, run on the session's
  own DB-API cursor in the session's transaction (about half the CPU of ``session.execute``);
  ``rows_together`` sends independent statements in one psycopg pipeline.
- ``bulk.bulk_insert`` / ``bulk.bulk_update``: many rows of one table in one statement.
- ``ids.ids_in``: ``column IN`` a list of ids bound as one parameter (an array on PostgreSQL, JSON on
  SQLite), so that a look-up by a list of ids can be prebuilt.
- ``bulk.pg_connection`` / ``bulk.pg_execute``: a hand-written statement on the session's psycopg connection.
- ``drawn.sqlite_next_ids``: ids drawn before their rows are written, on SQLite (PostgreSQL: the sequence).

``prebuilt`` reads a few internals of SQLAlchemy's compiled statements; ``tests/api/test_prebuilt.py``
checks them against the installed version and fails loudly when one moves.
"""

from huiyin.core.fastsql.bulk import bulk_insert, bulk_update, pg_connection, pg_execute
from huiyin.core.fastsql.drawn import sqlite_next_ids
from huiyin.core.fastsql.ids import ids_in
from huiyin.core.fastsql.prebuilt import Prebuilt, PrebuiltSet, rows_together

__all__ = [
    "Prebuilt",
    "PrebuiltSet",
    "bulk_insert",
    "bulk_update",
    "ids_in",
    "pg_connection",
    "pg_execute",
    "rows_together",
    "sqlite_next_ids",
]
