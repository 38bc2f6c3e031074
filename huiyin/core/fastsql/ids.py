"""A list of ids as one bound parameter: ``column IN (…)`` whose SQL never changes with the list's length.

SQLAlchemy's ``column.in_(ids)`` renders one placeholder per id when the statement runs ("expanding"
parameters), so its SQL text differs with every length, it cannot be compiled once (``Prebuilt`` refuses
it) and PostgreSQL plans each length anew. ``ids_in(column, "ids")`` binds the whole list as one value:

- PostgreSQL: ``column = ANY(CAST(%(ids)s AS BIGINT[]))``, the list sent as an array;
- SQLite: ``column IN (SELECT value FROM json_each(?))``, the list sent as JSON text; SQLite reads the
  ids into an ephemeral table and looks each one up in the column's index, as for an ``IN`` list.

Both use the column's index (``tests/api/test_fastsql_ids.py`` asks each database's planner). The values
must be integers: anything else is refused before it reaches the database.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import BigInteger, Boolean, String, bindparam
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import BindParameter, ColumnElement
from sqlalchemy.sql.visitors import InternalTraversal
from sqlalchemy.types import TypeDecorator, TypeEngine


class IdList(TypeDecorator[list[int]]):
    """A list of integers bound as one value: an array on PostgreSQL, JSON text elsewhere."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(BigInteger()))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value: Iterable[int] | None, dialect: Dialect) -> Any:
        ids = [_integer(v) for v in (value or ())]
        return ids if dialect.name == "postgresql" else json.dumps(ids)


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"ids_in takes integers, not {value!r}")
    return value


class _InIds(ColumnElement[bool]):
    """``column`` is one of the ids bound to ``param`` (see the module's docstring)."""

    __visit_name__ = "in_ids"
    inherit_cache = True
    # a condition, not a boolean value: without this SQLite (no boolean type) would be given
    # ``… IN (…) = 1``, which no index serves (an internal of SQLAlchemy's compiler, checked by
    # tests/api/test_fastsql_ids.py: the plan must use the column's index)
    _is_implicitly_boolean = True
    _traverse_internals = [  # noqa: RUF012 (SQLAlchemy's own declaration)
        ("column", InternalTraversal.dp_clauseelement),
        ("param", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: ColumnElement[Any], param: BindParameter[Any]) -> None:
        self.column = column
        self.param = param
        self.type = Boolean()


def ids_in(column: Any, name: str) -> ColumnElement[bool]:
    """``column`` is one of the integers given as the parameter ``name`` (a list, tuple or set)."""
    return _InIds(column, bindparam(name, type_=IdList()))


@compiles(_InIds)
def _in_ids_sqlite(element: _InIds, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} IN (SELECT value FROM json_each({compiler.process(element.param, **kw)}))"


@compiles(_InIds, "postgresql")
def _in_ids_postgresql(element: _InIds, compiler: Any, **kw: Any) -> str:
    column = compiler.process(element.column, **kw)
    return f"{column} = ANY(CAST({compiler.process(element.param, **kw)} AS BIGINT[]))"
