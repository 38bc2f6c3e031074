"""Fixtures: a fresh database per test on SQLite and on PostgreSQL, the app, and personas.

PostgreSQL: each run creates its own database on 127.0.0.1 (trust auth) and drops it at the end. When no
server answers, the PostgreSQL half is skipped with a loud message.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

os.environ.setdefault("HUIYIN_ENV", "test")
# Tests drive the worker themselves (with a moved clock); `huiyin serve` in the browser tests turns it on.
os.environ.setdefault("HUIYIN_WORKER__EMBEDDED", "false")

from huiyin.cli import upgrade_database
from huiyin.clock import clock
from huiyin.db import Base, Database
from huiyin.models import load_all
from huiyin.seed import ensure_reference_data
from huiyin.settings import Settings
from huiyin.wiring import open_database
from tests.logcheck import Watch, remember

load_all()
_watch = Watch()
logging.getLogger().addHandler(_watch)
_token_urlsafe = secrets.token_urlsafe


def _remembered_token(nbytes: int | None = None) -> str:
    """Every token this process makes (users', sessions' CSRF, CTI integrations') is looked for in the logs."""
    token = _token_urlsafe(nbytes)
    remember(token)
    return token


secrets.token_urlsafe = _remembered_token


@pytest.fixture(autouse=True)
def no_credential_is_logged() -> Iterator[None]:
    """Every test: no log line it produced holds a credential (``tests/logcheck.py``)."""
    before = len(_watch.found)
    yield
    new = _watch.found[before:]
    assert not new, f"a credential was logged: {new}"


PG_ADMIN_URL = os.environ.get("HUIYIN_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
_pg_state: dict[str, str | None] = {}


def _pg_available() -> bool:
    if "ok" not in _pg_state:
        try:
            eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
            with eng.connect():
                pass
            eng.dispose()
            _pg_state["ok"] = "yes"
        except Exception as exc:  # any failure means "no server here"
            _pg_state["ok"] = None
            msg = (
                f"\n{'!' * 70}\n!! PostgreSQL not reachable at {PG_ADMIN_URL}: {exc.__class__.__name__}\n"
                f"!! The PostgreSQL half of the suite is SKIPPED.\n{'!' * 70}\n"
            )
            sys.stderr.write(msg)
    return _pg_state["ok"] is not None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    upgrade_database(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    if not _pg_available():
        pytest.skip("PostgreSQL not reachable on 127.0.0.1:5432 (see the message above)")
    name = f"huiyin_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    upgrade_database(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_pg(url: str) -> None:
    eng = create_engine(url)
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with eng.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("pg", marks=pytest.mark.pg)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "huiyin.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    url = request.getfixturevalue("pg_url")
    _truncate_pg(url)
    db = open_database(Settings(database_url=url))
    with db.session() as s:
        ensure_reference_data(s)
    db.dispose()
    yield url


@pytest.fixture
def settings(db_url: str) -> Settings:
    return Settings(database_url=db_url, env="test")


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = open_database(settings)
    yield database
    database.dispose()


@pytest.fixture(autouse=True)
def _clock_reset() -> Iterator[None]:
    yield
    clock.reset()


pytest_plugins = ["tests.personas"]
