"""The order path's cost in process, one request at a time: CPU per request, SQL statements and SQL time
per request, for each scenario of ``bench/run.sh`` (register, get, list, phone, tail, address3, health),
optionally a cProfile of one scenario. No sockets and no contention: what one request costs the server,
the bound on what ``bench/run.sh`` can measure with two workers on two cores.

    python -m bench.order_profile --url sqlite:///bench/out/huiyin-small.db \
        --summary bench/out/summary-sqlite-small.json
    python -m bench.order_profile --url ... --summary ... --only register --profile bench/out/register.prof

It uses a database ``bench.generate`` made (the summary names its phones file and busiest station), and the
user ``agent`` (password ``demo``). Registrations are written: run it on a database you can spare.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import random
import statistics
import time
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import event

SCENARIOS = ("health", "get", "list", "phone", "tail", "address3", "register")


class Counter:
    """SQL statements and their time, through SQLAlchemy's cursor events (Prebuilt statements bypass them)."""

    def __init__(self) -> None:
        self.statements = 0
        self.seconds = 0.0
        self._t = 0.0

    def attach(self, engine: Any) -> None:
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, *_: Any) -> None:
        self._t = time.perf_counter()

    def _after(self, *_: Any) -> None:
        self.statements += 1
        self.seconds += time.perf_counter() - self._t


def requests_for(name: str, rng: random.Random, summary: dict[str, Any], phones: list[str]) -> Any:
    station = summary.get("busiest_station_id") or summary["station_unit_ids"][0]
    max_order = summary["rows"]["work_orders"]
    customers = summary["rows"]["customers"]
    while True:
        if name == "health":
            yield "GET", "/api/v1/health", None
        elif name == "get":
            yield "GET", f"/api/v1/work-orders/{rng.randint(1, max_order)}", None
        elif name == "list":
            yield "GET", f"/api/v1/work-orders?unit_id={station}&state=open&page_size=50", None
        elif name == "phone":
            yield "GET", f"/api/v1/customers?q={rng.choice(phones)}", None
        elif name == "tail":
            yield "GET", f"/api/v1/customers?q={rng.choice(phones)[-4:]}", None
        elif name == "address3":
            yield "GET", f"/api/v1/customers?q={rng.choice(['渝北区', '观音桥', '大坪正街', '杨家坪'])}", None
        elif name == "register":
            body = {
                "type": "repair",
                "category": "RP-GAS",
                "description": "燃气灶打不着火，请派人检查",
                "channel": "phone",
                "contact_phone": rng.choice(phones),
                "customer_id": rng.randint(1, customers),
            }
            yield "POST", "/api/v1/work-orders", body


async def drive(app: Any, token: str, name: str, n: int, warmup: int, seed: int, ctx: dict[str, Any]) -> list[float]:
    rng = random.Random(seed)
    gen = requests_for(name, rng, ctx["summary"], ctx["phones"])
    out: list[float] = []
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://bench", headers=headers) as client:
        for i in range(warmup + n):
            method, url, body = next(gen)
            t = time.process_time()
            r = await client.request(method, url, json=body)
            if i >= warmup:
                out.append((time.process_time() - t) * 1000)
            if r.status_code >= 300:
                raise SystemExit(f"{name}: {r.status_code} {r.text[:300]}")
    return out


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True)
    p.add_argument("--summary", required=True, help="the generator's summary JSON")
    p.add_argument("--phones", help="the generator's phones file (default: beside the summary)")
    p.add_argument("--only", nargs="*", default=list(SCENARIOS), choices=SCENARIOS)
    p.add_argument("-n", type=int, default=300)
    p.add_argument("--warmup", type=int, default=50)
    p.add_argument("--profile", help="write a cProfile of the (single) scenario here")
    p.add_argument("--json", action="store_true", help="one JSON line per scenario")
    opts = p.parse_args(argv)

    import os

    os.environ["HUIYIN_DATABASE_URL"] = opts.url
    os.environ.setdefault("HUIYIN_WORKER__EMBEDDED", "false")
    from huiyin.app import create_app
    from huiyin.settings import Settings

    summary = json.loads(Path(opts.summary).read_text())
    phones_file = Path(opts.phones) if opts.phones else Path(summary.get("phones_file") or "")
    phones = [x for x in phones_file.read_text().split() if x] if phones_file.is_file() else ["13800138000"]
    ctx = {"summary": summary, "phones": phones}
    settings = Settings(database_url=opts.url)
    app = create_app(settings)
    counter = Counter()
    counter.attach(app.state.db.engine)
    if app.state.db.read_engine is not app.state.db.engine:
        counter.attach(app.state.db.read_engine)

    async def run() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                r = await c.post("/api/v1/auth/token", json={"username": "agent", "password": "demo"})
                token = r.json()["access_token"]
            for name in opts.only:
                prof = cProfile.Profile() if opts.profile else None
                await drive(app, token, name, 0, opts.warmup, 1, ctx)
                counter.statements, counter.seconds = 0, 0.0
                if prof:
                    prof.enable()
                cpu = await drive(app, token, name, opts.n, 0, 2, ctx)
                if prof:
                    prof.disable()
                    prof.dump_stats(opts.profile)
                row = {
                    "scenario": name,
                    "n": opts.n,
                    "cpu_ms_median": round(statistics.median(cpu), 2),
                    "cpu_ms_mean": round(statistics.fmean(cpu), 2),
                    "statements": round(counter.statements / opts.n, 1),
                    "sql_ms": round(counter.seconds * 1000 / opts.n, 2),
                    "bound_rps_2_cores": round(2000 / statistics.fmean(cpu)),
                }
                print(json.dumps(row, ensure_ascii=False) if opts.json else row)

    asyncio.run(run())


if __name__ == "__main__":
    main()
