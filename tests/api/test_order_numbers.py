"""The day's order numbers: concurrent registrations get distinct, consecutive numbers on both databases;
on PostgreSQL the counter commits by itself (a rolled-back registration leaves a gap, never a repeat) and
the pooled connection it borrowed goes back out of autocommit."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from huiyin.db import Database
from huiyin.workorders.service import next_number


def _numbers(db: Database, n: int) -> list[str]:
    out = []
    for _ in range(n):
        with db.session() as s:
            out.append(next_number(s, "GD", "Asia/Shanghai"))
    return out


def test_concurrent_registrations_get_distinct_consecutive_numbers(db: Database) -> None:
    threads = 1 if db.is_sqlite else 8  # SQLite: one writer at a time is its rule, not this test's
    with ThreadPoolExecutor(threads) as pool:
        got = [n for part in pool.map(lambda _: _numbers(db, 25), range(threads)) for n in part]
    assert len(set(got)) == len(got) == 25 * threads
    assert sorted(int(n[-6:]) for n in got) == list(range(1, 25 * threads + 1))
    assert len({n[2:10] for n in got}) == 1 and all(n.startswith("GD") for n in got)


def test_a_rolled_back_registration_leaves_a_gap_not_a_repeat(db: Database) -> None:
    first = _numbers(db, 1)[0]
    try:
        with db.session() as s:
            lost = next_number(s, "GD", "Asia/Shanghai")
            raise RuntimeError("the registration fails after taking its number")
    except RuntimeError:
        pass
    after = _numbers(db, 1)[0]
    assert int(after[-6:]) > int(first[-6:])
    if db.is_sqlite:  # the counter was part of the failed transaction
        assert after == lost
    else:  # the counter had committed by itself
        assert int(after[-6:]) == int(lost[-6:]) + 1
    if not db.is_sqlite:
        with db.engine.connect() as conn:  # the pool's connections are back in ordinary transactions
            assert conn.connection.dbapi_connection.autocommit is False  # type: ignore[union-attr]
            conn.execute(text("SELECT 1"))
