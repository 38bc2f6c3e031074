"""The QA sampling plan's draw (issue 17) at a large centre's volume: one month of answered calls (default
300,000: 10,000 a day), 60 agents, 4 inspectors, 5 % of the calls flagged by the automatic analysis, 1 %
rated unsatisfied. Times the month's first draw (at its end: every random and forced sample), then the
worker's hourly draw that finds nothing new, and reports the process's peak memory (VmHWM).

    python -m bench.qa_sampling --url sqlite:///bench/out/qa.db
    python -m bench.qa_sampling --url postgresql://postgres@127.0.0.1/huiyin_qa_bench

The database is made fresh (an SQLite file is replaced; a PostgreSQL database is dropped and created).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, text


def _fresh(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base.replace('postgresql+psycopg', 'postgresql')}/postgres", autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}"')
        c.execute(f'CREATE DATABASE "{name}"')


def _peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--calls", type=int, default=300_000)
    p.add_argument("--agents", type=int, default=60)
    args = p.parse_args(argv)
    url = args.url.replace("postgresql://", "postgresql+psycopg://")
    _fresh(url)
    from huiyin.auth.models import User, UserRole
    from huiyin.calls.models import Call
    from huiyin.cli import upgrade_database
    from huiyin.db import Database
    from huiyin.quality import sampling
    from huiyin.quality.models import CallAnalysis
    from huiyin.settings import Settings
    from huiyin.surveys.models import Rating

    upgrade_database(url)
    db = Database(Settings(database_url=url))
    rng = random.Random(17)
    tz = "Asia/Shanghai"
    start = datetime(2026, 10, 31, 16, 0, tzinfo=UTC)  # 2026-11-01 00:00 in the centre
    with db.session() as s:
        users = [{"username": f"a{i:03d}", "full_name": f"坐席{i}", "password_hash": "-"} for i in range(args.agents)]
        users += [{"username": f"qa{i}", "full_name": f"质检{i}", "password_hash": "-"} for i in range(4)]
        s.execute(insert(User), users)
        ids = dict(s.execute(text("SELECT username, id FROM users")).all())
        agents = [ids[u["username"]] for u in users[: args.agents]]
        s.execute(
            insert(UserRole),
            [{"user_id": a, "role": "agent"} for a in agents]
            + [{"user_id": ids[f"qa{i}"], "role": "qa_inspector"} for i in range(4)],
        )
    t = time.perf_counter()
    step = 30 * 86400 / args.calls
    for chunk in range(0, args.calls, 20_000):
        calls, analyses, ratings = [], [], []
        for n in range(chunk, min(args.calls, chunk + 20_000)):
            answered = start + timedelta(seconds=n * step + 9)
            talk = min(3000, int(rng.lognormvariate(5.0, 0.7)))
            agent = agents[n % len(agents)]
            calls.append(
                {"id": n + 1, "call_id": f"c{n}", "direction": "in", "state": "ended", "agent_id": agent,
                 "offered_at": answered - timedelta(seconds=9), "answered_at": answered,
                 "ended_at": answered + timedelta(seconds=talk), "talk_seconds": talk, "updated_at": answered}
            )  # fmt: skip
            if rng.random() < 0.05:
                analyses.append(
                    {"call_id": n + 1, "state": "done", "queued_at": answered, "attempts": 1, "kinds": ["dead_air"],
                     "flagged": True, "agent_id": agent, "call_at": answered}
                )  # fmt: skip
            if rng.random() < 0.01:
                ratings.append(
                    {"contact": f"call:{n + 1}", "kind": "instant", "channel": "ivr", "result": "unsatisfied",
                     "at": answered, "day": (answered + timedelta(hours=8)).date(), "call_pk": n + 1, "agent_id": agent}
                )  # fmt: skip
        with db.session() as s:
            s.execute(insert(Call), calls)
            if analyses:
                s.execute(insert(CallAnalysis), analyses)
            if ratings:
                s.execute(insert(Rating), ratings)
    print(f"loaded {args.calls:,} calls in {time.perf_counter() - t:.0f} s", flush=True)
    end = start + timedelta(days=30) - timedelta(minutes=1)
    for label, at in (("first draw (the month's end)", end), ("hourly draw, nothing new", end + timedelta(seconds=30))):
        t0, c0 = time.perf_counter(), time.process_time()
        with db.session() as s:
            drawn = sampling.do_draw(s, "2026-11", at, tz)
        print(
            f"{label}: {sum(drawn.values()):,} samples {drawn} in {time.perf_counter() - t0:.2f} s "
            f"({time.process_time() - c0:.2f} s CPU), peak {_peak_mb():.0f} MB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
