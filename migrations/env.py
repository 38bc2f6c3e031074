"""Alembic environment: Huiyin's metadata, batch mode for SQLite, and the search objects the
models do not describe (FTS5 table, pg_trgm indexes) kept out of autogenerate."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

from huiyin.db import Base, normalize_url
from huiyin.models import load_all
from huiyin.settings import Settings

load_all()
config = context.config
url = config.attributes.get("url") or normalize_url(Settings().database_url)

NOT_IN_MODELS = {"customers_fts", "ix_customers_address_trgm", "ix_customers_name_trgm",
                 "ix_work_orders_description_trgm", "kb_fts", "ix_kb_docs_vector",
                 "ix_kb_docs_head_vector"}


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    if name in NOT_IN_MODELS or (name or "").startswith(("customers_fts", "kb_fts")):
        return False
    return True


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _migrate(connection)
        return
    engine = create_engine(url)
    with engine.connect() as conn:
        _migrate(conn)
    engine.dispose()


def _migrate(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=True,
        compare_type=True,
        include_object=include_object,
    )
    with context.begin_transaction():
        context.run_migrations()


run()
