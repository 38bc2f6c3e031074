"""Ids drawn before their rows are written (SQLite), so that a transaction can build rows that name each
other and write them together, at its one flush.

SQLite lets one transaction write at a time, and a writing transaction of Huiyin holds the write lock from
its first statement (``BEGIN IMMEDIATE``), so nobody else can take an id meanwhile: the next id is the one
after both the table's last and the last this transaction drew (rows drawn for and not written yet are not
in the table). Every row of such a table written in a transaction that draws must take a drawn id, or
SQLite's own ``max(rowid) + 1`` could hand it one that is drawn and not yet written. (PostgreSQL draws from
the table's sequence instead: ``nextval``.)
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.db import Base, tx_memo

_LAST: dict[str, Prebuilt] = {}


def sqlite_next_ids(session: Session, model: type[Base], n: int = 1) -> list[int]:
    """``n`` new ids of ``model``'s table, ascending (SQLite, in a writing transaction)."""
    table = cast(Table, model.__table__)
    last_of = _LAST.get(table.name)
    if last_of is None:
        last_of = _LAST[table.name] = Prebuilt(select(func.coalesce(func.max(table.c.id), 0)))
    memo: dict[str, Any] = tx_memo(session, "fastsql.drawn")
    last = max(int(last_of.scalar(session)), memo.get(table.name, 0))
    memo[table.name] = last + n
    return list(range(last + 1, last + n + 1))
