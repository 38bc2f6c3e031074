"""Agent-state intervals for the KPI benchmark's calls (PostgreSQL or SQLite): what the CTI path would have left for
each agent around the calls ``bench.generate --calls`` made (on a call from answer to hang-up, after-call
work to its end, ready in the gaps between calls shorter than 30 minutes), written in three
``INSERT … SELECT`` statements with window functions; then ``huiyin kpis rebuild`` cuts them into the
agent-state rollup.

    python -m bench.agent_states --url postgresql://postgres@127.0.0.1/huiyin_kpi
    python -m bench.agent_states --url sqlite:///bench/out/kpi.db
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
import time

import psycopg

STATEMENTS = (
    (
        "on_call",
        "INSERT INTO agent_states (user_id, state, started_at, ended_at, call_pk, source, written_at) "
        "SELECT agent_id, 'on_call', answered_at, ended_at, id, 'cti', ended_at FROM calls "
        "WHERE agent_id IS NOT NULL AND answered_at IS NOT NULL AND ended_at > answered_at",
    ),
    (
        "acw",
        "INSERT INTO agent_states (user_id, state, started_at, ended_at, call_pk, source, written_at) "
        "SELECT agent_id, 'acw', ended_at, acw_ended_at, id, 'cti', acw_ended_at FROM calls "
        "WHERE agent_id IS NOT NULL AND acw_ended_at > ended_at",
    ),
    (
        "ready",
        "INSERT INTO agent_states (user_id, state, started_at, ended_at, source, written_at) "
        "SELECT agent_id, 'ready', free_at, next_at, 'workbench', next_at FROM ("
        "  SELECT agent_id, coalesce(acw_ended_at, ended_at) AS free_at,"
        "         lead(answered_at) OVER (PARTITION BY agent_id ORDER BY answered_at) AS next_at"
        "  FROM calls WHERE agent_id IS NOT NULL AND answered_at IS NOT NULL) gaps "
        "WHERE next_at > free_at AND next_at - free_at < interval '30 minutes'",
    ),
)


def _sqlite(path: str) -> None:
    """The same statements on SQLite: its datetimes are ``YYYY-MM-DD HH:MM:SS.ffffff`` text (ordered as text),
    a gap is measured in days (``julianday``)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    gap = "(julianday(next_at) - julianday(free_at)) < 30.0 / 1440"
    for name, sql in STATEMENTS:
        t = time.perf_counter()
        n = conn.execute(sql.replace("next_at - free_at < interval '30 minutes'", gap)).rowcount
        print(f"{name}: {n:,} intervals in {time.perf_counter() - t:.1f} s", flush=True)
    conn.execute("ANALYZE agent_states")
    conn.close()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    a = p.parse_args(argv)
    if a.url.startswith("sqlite:///"):
        _sqlite(a.url.removeprefix("sqlite:///"))
        return 0
    with psycopg.connect(a.url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        for name, sql in STATEMENTS:
            t = time.perf_counter()
            n = conn.execute(sql).rowcount
            print(f"{name}: {n:,} intervals in {time.perf_counter() - t:.1f} s", flush=True)
        conn.execute("ANALYZE agent_states")
    return 0


if __name__ == "__main__":
    sys.exit(main())
