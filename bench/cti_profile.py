"""The CTI event path's cost in process, one event at a time: wall time, SQL statements and SQL time per
event kind, optionally a cProfile of the whole run. No sockets and no contention: what one event costs
the server's CPU, the number ``bench/cti_load.py``'s throughput is bounded by.

    python -m bench.cti_profile --url postgresql://postgres@127.0.0.1:5433/huiyin_cti_bench --calls 300
    python -m bench.cti_profile --url ... --calls 300 --profile bench/out/cti.prof

It reuses a database ``bench.cti_load --prepare-only`` loaded (its sampled customer numbers), and, like that
benchmark, starts from no calls and 200 ready agents. Each call is ``newCall`` → ``answer`` → ``hangup``.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

from bench.cti_load import OUT, Options, make_people
from huiyin.core.fastsql import prebuilt


def _phones(dbname: str) -> list[str]:
    return [p for p in (OUT / f"cti-phones-{dbname}.txt").read_text().split() if p]


async def _drive(
    app: Any, token: str, logins: list[str], phones: list[str], calls: int, seed: int
) -> list[tuple[str, float]]:
    rng = random.Random(seed)
    out: list[tuple[str, float]] = []
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
        url = f"/api/v1/cti/{token}"
        for n in range(calls):
            login = logins[n % len(logins)]
            base = {"callId": f"prof-{seed}-{n}", "from": rng.choice(phones), "to": "95598", "direction": "in"}
            bodies: tuple[dict[str, Any], ...] = (
                {**base, "event": "newCall", "user": [login], "queue": "综合"},
                {**base, "event": "answer", "answeringNumber": login},
                {**base, "event": "hangup", "cause": "normalClearing"},
            )
            for body in bodies:
                t = time.perf_counter()
                r = await client.post(url, json=body)
                out.append((str(body["event"]), (time.perf_counter() - t) * 1000))
                if r.status_code != 200:
                    raise SystemExit(f"{body['event']}: {r.status_code} {r.text}")
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--calls", type=int, default=300)
    p.add_argument("--agents", type=int, default=200)
    p.add_argument(
        "--profile", type=Path, help="write a cProfile of the measured calls here (the event loop's thread only)"
    )
    a = p.parse_args(argv)

    from huiyin.app import create_app
    from huiyin.settings import Settings

    opts = Options(
        url=a.url,
        customers=0,
        orders=0,
        agents=a.agents,
        rate=0,
        duration=0,
        ivr_rate=0,
        server_workers=1,
        reuse=True,
        keep=True,
        out=OUT,
        label="profile",
        seed=1,
    )
    cti_token, agents = make_people(opts)
    phones = _phones(opts.dbname)
    app = create_app(Settings(database_url=a.url, env="test"))
    engine = app.state.db.engine
    stmts: list[float] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _before(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        conn.info["t0"] = time.perf_counter()

    @event.listens_for(engine, "after_cursor_execute")
    def _after(conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool) -> None:
        stmts.append(time.perf_counter() - conn.info.pop("t0", time.perf_counter()))

    # the event path's statements are Prebuilt (run on the driver's cursor, unseen by the events above)
    run = prebuilt.Prebuilt._run

    def _counted(self: Any, session: Any, params: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return run(self, session, params)
        finally:
            stmts.append(time.perf_counter() - t0)

    prebuilt.Prebuilt._run = _counted  # type: ignore[method-assign]

    logins = [login for login, _ in agents]
    asyncio.run(_drive(app, cti_token, logins, phones, 30, seed=0))  # warm up
    stmts.clear()
    prof = cProfile.Profile() if a.profile else None
    if prof:
        prof.enable()
    t, cpu = time.perf_counter(), time.process_time()
    times = asyncio.run(_drive(app, cti_token, logins, phones, a.calls, seed=1))
    wall, cpu = time.perf_counter() - t, time.process_time() - cpu
    if prof:
        prof.disable()
        prof.dump_stats(a.profile)
    n = len(times)
    print(f"{n} events in {wall:.2f} s: {wall / n * 1000:.2f} ms per event (commits included)")
    print(f"CPU of this process (client included): {cpu / n * 1000:.2f} ms per event")
    print(f"SQL: {len(stmts) / n:.1f} statements and {sum(stmts) / n * 1000:.2f} ms per event (NOTIFY aside)")
    for kind in ("newCall", "answer", "hangup"):
        ms = [t for k, t in times if k == kind]
        print(f"  {kind:8} median {statistics.median(ms):.2f} ms, p90 {sorted(ms)[int(len(ms) * 0.9)]:.2f} ms")
    app.state.db.dispose()


if __name__ == "__main__":
    main()
