"""The migrations and the models agree, on SQLite and on PostgreSQL, and they run both ways."""

from __future__ import annotations

from alembic import command
from sqlalchemy import create_engine, inspect

from huiyin.cli import alembic_config


def test_the_models_and_the_migrations_agree(db_url: str) -> None:
    command.check(alembic_config(db_url))  # raises when autogenerate would find a difference


def test_the_migrations_go_down_to_nothing_and_up_again(db_url: str) -> None:
    cfg = alembic_config(db_url)
    command.downgrade(cfg, "base")
    engine = create_engine(cfg.attributes["url"])
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    command.upgrade(cfg, "head")
    assert "work_orders" in inspect(engine).get_table_names()
    engine.dispose()
