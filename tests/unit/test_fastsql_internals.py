"""``core.fastsql.prebuilt`` reads a few internals of SQLAlchemy's compiled statements. SQLAlchemy is pinned
below its next minor version in pyproject.toml; this test fails loudly, naming the attribute, if one of
them moves (on an upgrade), before any statement is run wrongly."""

from __future__ import annotations

import pytest
import sqlalchemy
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.elements import BindParameter

meta = MetaData()
t = Table("t", meta, Column("id", Integer, primary_key=True), Column("name", String), Column("n", Integer, default=7))


@pytest.mark.parametrize("dialect", [sqlite.dialect(), postgresql.psycopg.dialect()], ids=["sqlite", "psycopg"])  # type: ignore[attr-defined]
def test_the_compiled_statement_still_has_what_prebuilt_reads(dialect: sqlalchemy.engine.Dialect) -> None:
    sel = select(t.c.id, t.c.name).where(t.c.name == bindparam("name")).limit(2)
    compiled = sel.compile(dialect=dialect)
    assert isinstance(compiled.string, str)
    assert isinstance(compiled.binds, dict) and all(isinstance(b, BindParameter) for b in compiled.binds.values())
    bind = compiled.binds["name"]
    for attr in ("callable", "required", "value", "type"):
        assert hasattr(bind, attr), f"BindParameter.{attr} moved"
    assert isinstance(compiled.escaped_bind_names, dict)
    if dialect.positional:
        assert list(compiled.positiontup) == [n for n in compiled.positiontup]  # type: ignore[arg-type]
        assert "name" in compiled.positiontup  # type: ignore[operator]
    ins = insert(t).returning(t.c.id).compile(dialect=dialect, column_keys=["name"])
    assert hasattr(ins, "insert_prefetch") and hasattr(ins, "update_prefetch")
    assert [c.name for c in ins.insert_prefetch] == ["n"]  # the Python-side default Prebuilt refuses
    assert getattr(insert(t).returning(t.c.id), "_returning", None), "Insert._returning moved"
    assert list(sel.selected_columns.keys()) == ["id", "name"]


def test_sqlalchemy_is_the_minor_version_prebuilt_was_checked_against() -> None:
    major, minor = (int(x) for x in sqlalchemy.__version__.split(".")[:2])
    version = sqlalchemy.__version__
    assert (major, minor) in {(2, 0), (2, 1)}, f"check core/fastsql/prebuilt.py against SQLAlchemy {version}"
