"""PostgreSQL's pool: reads run without BEGIN/COMMIT; a connection that sat idle is pinged and replaced when
its server session has gone; one lent again straight away is not pinged (no round trip per request)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import text

from huiyin import db as db_module
from huiyin.db import Database
from huiyin.settings import Settings
from huiyin.wiring import open_database

pytestmark = pytest.mark.pg


@pytest.fixture
def pg(pg_url: str) -> Iterator[Database]:
    database = open_database(Settings(database_url=pg_url))
    yield database
    database.dispose()




def _backend_pid(database: Database) -> int:
    with database.session(write=False) as s:
        return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_read_runs_in_autocommit_and_a_write_in_a_transaction(pg: Database) -> None:
    with pg.session(write=False) as s:
        assert s.connection().connection.dbapi_connection.autocommit is True  # type: ignore[union-attr]
        assert s.execute(text("SELECT now() = statement_timestamp()")).scalar_one() is True  # no transaction
    with pg.session() as s:
        assert s.connection().connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
        s.execute(text("SELECT 1"))
        assert s.execute(text("SELECT now() = statement_timestamp()")).scalar_one() is False  # one transaction


def test_a_connection_lent_again_at_once_is_not_pinged(pg: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    _backend_pid(pg)  # a connection in the pool
    pings: list[object] = []
    monkeypatch.setattr(pg.engine.dialect, "do_ping", lambda c: pings.append(c) or True)
    for _ in range(5):
        _backend_pid(pg)
    assert pings == []


def test_an_idle_connection_whose_server_session_died_is_replaced(
    pg: Database, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(pg)
    with Database(Settings(database_url=pg_url)).engine.connect() as other:  # the server ends the session
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_S", 0.0)  # as if it had sat idle for a while
    second = _backend_pid(pg)  # no error: pinged, found dead, replaced
    assert second != first
