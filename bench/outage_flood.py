"""A big outage under load (issue 18): thousands of repair reports from one area within minutes, merged into
the outage's master order while normal traffic goes on; the IVR answering the area's callers from the outage;
the notice SMS to every affected customer queued and sent at the gateway's rate.

    python -m bench.outage_flood --url postgresql://postgres@127.0.0.1/huiyin_outage_bench \\
        --customers 1000000 --orders 200000 --reports 5000 --minutes 10
    python -m bench.outage_flood --url sqlite:///bench/out/outage.db --customers 1000000 --orders 200000

1. **Data** (unless ``--reuse``): a fresh database, migrated, loaded by ``bench.generate`` (the demo city's 43
   areas, ``--customers`` customers with their phones, ``--orders`` orders over 60 days). The outage covers the
   most populous areas until they hold ``--affected`` customers (100,000); the reports come from the first.
2. **Processes.** The fake SMS gateway (``huiyin.notify.fake_gateway``, the real wire format) on its own port;
   ``huiyin serve`` (``--workers`` processes; on SQLite one, with the embedded worker); on PostgreSQL a
   ``huiyin worker`` beside it. Bulk notices go out at ``--sms-rate`` a second (``outages.sms_per_second``).
3. **Load.** A dispatcher creates the unplanned outage; then for ``--minutes``: ``--reports`` repair reports
   (无气, ``RP-GAS-NOGAS``) from customers of the flood area, evenly spread, each must come back ``merged``;
   normal traffic beside it: registrations elsewhere (``--normal-rate``/s), order pages (``--get-rate``/s), a
   unit's open orders (``--list-rate``/s), IVR routes (``--ivr-rate``/s, half of them callers of the outage's
   areas, whose route must carry the outage).
4. **Measured.** Latency per request kind (p50/p90/p99/max), errors, merges; the time from the outage's
   creation until its notice round is queued whole (``notice.rounds_pending`` = 0) and how many SMS; from the
   outbox afterwards: the bulk sends' delivered rate in each minute, and the lateness (delivered − due) of every
   other message delivered during the run.

One JSON line per run is appended to ``--out``; ``docs/benchmarks.md`` has the results.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.cti_load import _summary  # the same percentiles as the phone channel's benchmark

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "huiyin"
OUT = ROOT / "bench" / "out"
GATEWAY_TOKEN = "bench-gateway"
_GENERATE = (sys.executable, "-m", "bench.generate", "--days", "60", "--quiet")
_UVICORN = (sys.executable, "-m", "uvicorn", "--factory", "bench.outage_flood:gateway_app", "--host", "127.0.0.1")
_UVICORN_LOG = ("--log-level", "warning")


@dataclass
class Options:
    url: str
    customers: int
    orders: int
    affected: int
    reports: int
    minutes: float
    normal_rate: float
    get_rate: float
    list_rate: float
    ivr_rate: float
    sms_rate: float
    workers: int
    reuse: bool
    out: Path
    label: str
    port: int = 8780
    gateway_port: int = 8781

    @property
    def sqlite(self) -> bool:
        return self.url.startswith("sqlite")


# ---------------------------------------------------------------- data


def prepare(opts: Options) -> None:
    if opts.reuse:
        return
    if opts.sqlite:
        path = Path(opts.url.removeprefix("sqlite:///"))
        for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            p.unlink(missing_ok=True)
    else:
        import psycopg

        admin = opts.url.replace("postgresql+psycopg://", "postgresql://").rsplit("/", 1)[0] + "/postgres"
        name = opts.url.rsplit("/", 1)[1]
        with psycopg.connect(admin, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}"')
            c.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "HUIYIN_DATABASE_URL": opts.url}
    subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
    t = time.monotonic()
    subprocess.run(
        [*_GENERATE, "--url", opts.url, "--customers", str(opts.customers), "--orders", str(opts.orders)],
        check=True,
        cwd=ROOT,
    )
    print(f"loaded {opts.customers:,} customers and {opts.orders:,} orders in {time.monotonic() - t:.0f} s")


@dataclass
class World:
    dispatcher: str
    agent: str
    cti: str
    outage_areas: list[int]
    affected: int
    flood: list[tuple[int, str]]  # (customer id, phone) of the flood area
    elsewhere: list[tuple[int, str]]  # customers of other areas
    inside_phones: list[str]
    outside_phones: list[str]
    order_ids: list[int]
    unit_id: int


def make_world(opts: Options) -> World:
    """Bench users with tokens, a CTI integration, and the areas and customers the load uses."""
    from sqlalchemy import func, select, text

    from huiyin.auth.models import User
    from huiyin.auth.service import do_create_user, do_issue_token, hash_password
    from huiyin.calls.service import do_create_integration
    from huiyin.customers.models import Customer, CustomerPhone
    from huiyin.settings import Settings
    from huiyin.wiring import open_database
    from huiyin.workorders.models import WorkOrder

    db = open_database(Settings(database_url=opts.url))
    hashed = hash_password("bench")
    with db.session() as s:
        s.execute(text("DELETE FROM outage_reports"))
        s.execute(text("DELETE FROM outage_rounds"))
        s.execute(text("DELETE FROM outage_notice_calls"))
        s.execute(text("DELETE FROM outage_events"))
        s.execute(text("DELETE FROM outage_areas"))
        s.execute(text("UPDATE outages SET state = 'closed'"))
        # a run of its own: an earlier run's notices still queued would hold this one's behind them (the lane)
        s.execute(text("DELETE FROM outbox WHERE batch IS NOT NULL AND status = 'pending'"))
        s.execute(text("DELETE FROM sms_lanes"))
        tokens = []
        for login, role in (("bench-dispatcher", "dispatcher"), ("bench-agent", "agent")):
            user = s.scalar(select(User).where(User.username == login))
            if user is None:
                user = do_create_user(s, login, "bench", [role], password_hash=hashed)
            tokens.append(do_issue_token(s, user, "api", hours=None, name="bench").secret)
        _, cti = do_create_integration(s, f"bench PBX {time.time():.0f}", None)
        counts = s.execute(
            select(Customer.area_id, func.count()).group_by(Customer.area_id).order_by(func.count().desc())
        ).all()
        areas, total = [], 0
        for area_id, n in counts:
            if total >= opts.affected:
                break
            areas.append(area_id)
            total += n

        def sample(area_filter: Any, n: int) -> list[tuple[int, str]]:
            rows = s.execute(
                select(Customer.id, func.min(CustomerPhone.phone))
                .join(CustomerPhone, CustomerPhone.customer_id == Customer.id)
                .where(area_filter, func.length(CustomerPhone.phone) == 11)
                .group_by(Customer.id)
                .order_by(Customer.id)
                .limit(n)
            ).all()
            return [(int(i), str(p)) for i, p in rows]

        flood = sample(Customer.area_id == areas[0], opts.reports * 2)
        elsewhere = sample(Customer.area_id.not_in(areas), 20_000)
        inside = [p for _, p in sample(Customer.area_id.in_(areas[1:] or areas), 5_000)]
        orders = [int(i) for i in s.scalars(select(WorkOrder.id).order_by(func.random()).limit(20_000))]
        busiest = s.execute(
            select(WorkOrder.unit_id, func.count())
            .where(WorkOrder.state != "closed", WorkOrder.unit_id.is_not(None))
            .group_by(WorkOrder.unit_id)
            .order_by(func.count().desc())
            .limit(1)
        ).one()
    db.dispose()
    return World(
        dispatcher=tokens[0],
        agent=tokens[1],
        cti=cti,
        outage_areas=areas,
        affected=total,
        flood=flood,
        elsewhere=elsewhere,
        inside_phones=inside,
        outside_phones=[p for _, p in elsewhere[:5_000]],
        order_ids=orders,
        unit_id=int(busiest[0]),
    )


# ---------------------------------------------------------------- processes


def _wait_http(url: str, proc: subprocess.Popen[bytes], seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"{url}: the process died")
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"{url} did not come up")


def start(opts: Options) -> list[subprocess.Popen[bytes]]:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "HUIYIN_DATABASE_URL": opts.url,
        "HUIYIN_NOTIFY__SMS_URL": f"http://127.0.0.1:{opts.gateway_port}/sms",
        "HUIYIN_NOTIFY__GATEWAY_TOKEN": GATEWAY_TOKEN,
        "HUIYIN_OUTAGES__SMS_PER_SECOND": str(opts.sms_rate),
        "HUIYIN_WORKER__EMBEDDED": "true" if opts.sqlite else "false",
        "HUIYIN_KPIS__REFRESH_SECONDS": "60",
    }
    workers = 1 if opts.sqlite else opts.workers
    gw = subprocess.Popen(
        [*_UVICORN, *_UVICORN_LOG, "--port", str(opts.gateway_port)],
        cwd=ROOT,
        stdout=open(OUT / "outage-gateway.log", "wb"),  # noqa: SIM115 (the process keeps it)
        stderr=subprocess.STDOUT,
    )
    server = subprocess.Popen(
        [str(BIN), "serve", "--host", "127.0.0.1", "--port", str(opts.port), "--workers", str(workers)],
        env=env,
        stdout=open(OUT / "outage-server.log", "wb"),  # noqa: SIM115 (the process keeps it)
        stderr=subprocess.STDOUT,
    )
    procs = [gw, server]
    _wait_http(f"http://127.0.0.1:{opts.gateway_port}/docs", gw)
    _wait_http(f"http://127.0.0.1:{opts.port}/api/v1/health", server)
    if not opts.sqlite:
        procs.append(
            subprocess.Popen(
                [str(BIN), "worker"],
                env=env,
                stdout=open(OUT / "outage-worker.log", "wb"),  # noqa: SIM115 (the process keeps it)
                stderr=subprocess.STDOUT,
            )
        )
    return procs


def gateway_app() -> Any:
    from huiyin.notify.fake_gateway import create_fake_gateway

    return create_fake_gateway(token=GATEWAY_TOKEN)


def stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for p in procs:
        p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()


# ---------------------------------------------------------------- load


@dataclass
class Tally:
    lat: dict[str, list[float]] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    merged: int = 0
    not_merged: int = 0
    ivr_with_outage: int = 0
    ivr_inside: int = 0

    def add(self, kind: str, ms: float) -> None:
        self.lat.setdefault(kind, []).append(ms)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _paced(rate: float, seconds: float, fire: Any) -> None:
    """Calls ``fire(i)`` ``rate`` times a second for ``seconds``, each as a task (an open loop: a slow answer
    does not slow the pace)."""
    if rate <= 0:
        return
    t0 = time.perf_counter()
    n = int(rate * seconds)
    tasks = []
    for i in range(n):
        due = t0 + i / rate
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(fire(i)))
    await asyncio.gather(*tasks)


async def _timed(client: httpx.AsyncClient, tally: Tally, kind: str, method: str, url: str, **kw: Any) -> Any:
    t = time.perf_counter()
    try:
        r = await client.request(method, url, **kw)
    except httpx.HTTPError as exc:
        tally.error(f"{kind}: {type(exc).__name__}")
        return None
    tally.add(kind, (time.perf_counter() - t) * 1000)
    if r.status_code >= 400:
        tally.error(f"{kind}: {r.status_code}")
        return None
    return r.json()


async def run_load(opts: Options, w: World) -> dict[str, Any]:
    base = f"http://127.0.0.1:{opts.port}/api/v1"
    limits = httpx.Limits(max_connections=48, max_keepalive_connections=48)
    tally = Tally()
    rng = random.Random(18)
    seconds = opts.minutes * 60
    async with (
        httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client,
        httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as ivr_client,
    ):
        disp = {"Authorization": f"Bearer {w.dispatcher}"}
        agent = {"Authorization": f"Bearer {w.agent}"}
        now = datetime.now(UTC)
        created_at = time.perf_counter()
        o = await _timed(
            client,
            tally,
            "create_outage",
            "POST",
            "/outages",
            headers=disp,
            json={
                "kind": "unplanned",
                "utility": "gas",
                "area_ids": w.outage_areas,
                "cause": "中压主管被第三方施工挖断（压测）",
                "starts_at": now.isoformat(),
                "eta": now.replace(year=now.year + 1).isoformat(),
            },
        )
        if o is None:
            raise SystemExit(f"could not create the outage: {tally.errors}")
        outage_id = o["id"]
        notice: dict[str, Any] = {}

        async def watch_notice() -> None:
            while True:
                got = await client.get(f"/outages/{outage_id}", headers=disp)
                n = got.json()["notice"]
                if n["rounds_pending"] == 0:
                    notice.update(n, queued_seconds=round(time.perf_counter() - created_at, 1))
                    return
                await asyncio.sleep(0.5)

        async def report(i: int) -> None:
            cid, phone = w.flood[i % len(w.flood)]
            body = {
                "type": "repair",
                "category": "RP-GAS-NOGAS",
                "description": "家里突然没气了，灶具打不着火",
                "channel": "phone",
                "contact_phone": phone,
                "customer_id": cid,
            }
            got = await _timed(client, tally, "report", "POST", "/work-orders", headers=agent, json=body)
            if got is not None:
                if got["state"] == "merged" and got.get("outage_id") == outage_id:
                    tally.merged += 1
                else:
                    tally.not_merged += 1

        categories = ("RP-ELEC-METER", "RP-GAS-METER", "SR-GAS-INSPECT", "RP-ELEC-VOLT")

        async def normal(i: int) -> None:
            cid, phone = w.elsewhere[rng.randrange(len(w.elsewhere))]
            cat = categories[i % len(categories)]
            body = {
                "type": "service_request" if cat.startswith("SR") else "repair",
                "category": cat,
                "description": "日常报修/业务（压测背景流量）",
                "channel": "phone",
                "contact_phone": phone,
                "customer_id": cid,
            }
            await _timed(client, tally, "register_normal", "POST", "/work-orders", headers=agent, json=body)

        async def get(i: int) -> None:
            oid = w.order_ids[rng.randrange(len(w.order_ids))]
            await _timed(client, tally, "get", "GET", f"/work-orders/{oid}", headers=agent)

        async def lst(i: int) -> None:
            url = f"/work-orders?unit_id={w.unit_id}&state=open&page_size=50"
            await _timed(client, tally, "list", "GET", url, headers=disp)

        async def ivr(i: int) -> None:
            inside = i % 2 == 0
            phones = w.inside_phones if inside else w.outside_phones
            caller = phones[rng.randrange(len(phones))]
            got = await _timed(
                ivr_client, tally, "ivr", "GET", "/ivr/route", params={"caller": caller}, headers={"X-CTI-Token": w.cti}
            )
            if got is not None and inside:
                tally.ivr_inside += 1
                tally.ivr_with_outage += outage_id in got["outage_ids"]

        t0 = time.perf_counter()
        watcher = asyncio.create_task(watch_notice())
        await asyncio.gather(
            _paced(opts.reports / seconds, seconds, report),
            _paced(opts.normal_rate, seconds, normal),
            _paced(opts.get_rate, seconds, get),
            _paced(opts.list_rate, seconds, lst),
            _paced(opts.ivr_rate, seconds, ivr),
        )
        elapsed = time.perf_counter() - t0
        await asyncio.wait_for(watcher, timeout=600)
        detail = (await client.get(f"/outages/{outage_id}", headers=disp)).json()
    return {
        "outage_id": outage_id,
        "elapsed_s": round(elapsed, 1),
        "latency_ms": {k: _summary(v) for k, v in sorted(tally.lat.items())},
        "errors": tally.errors,
        "merged": tally.merged,
        "not_merged": tally.not_merged,
        "linked": detail["linked_orders"]["count"],
        "ivr_inside": tally.ivr_inside,
        "ivr_inside_with_outage": tally.ivr_with_outage,
        "notice": notice,
        "run_started": now.isoformat(),
    }


def outbox_figures(opts: Options, outage_id: int, since: str) -> dict[str, Any]:
    """From the outbox: the notice's rows, the bulk sends' deliveries per minute, the others' lateness."""
    from sqlalchemy import select

    from huiyin.notify.models import OutboxMessage
    from huiyin.settings import Settings
    from huiyin.wiring import open_database

    start = datetime.fromisoformat(since)
    db = open_database(Settings(database_url=opts.url))
    batch = f"outage:{outage_id}:notice:0"
    with db.session(write=False) as s:
        rows = s.execute(
            select(OutboxMessage.batch, OutboxMessage.status, OutboxMessage.due_at, OutboxMessage.delivered_at).where(
                OutboxMessage.created_at >= start
            )
        ).all()
    db.dispose()
    bulk = [r for r in rows if r.batch == batch]
    per_minute: dict[int, int] = {}
    for r in bulk:
        if r.delivered_at is not None and r.status == "delivered":
            m = int((r.delivered_at - start).total_seconds() // 60)
            per_minute[m] = per_minute.get(m, 0) + 1
    others = [
        (r.delivered_at - r.due_at).total_seconds() * 1000
        for r in rows
        if r.batch is None and r.delivered_at is not None and r.status == "delivered"
    ]
    return {
        "notice_rows": len(bulk),
        "notice_delivered": sum(per_minute.values()),
        "notice_delivered_per_minute": [per_minute.get(m, 0) for m in range(max(per_minute, default=-1) + 1)],
        "other_messages": len(others),
        "other_lateness_ms": _summary(others),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True)
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--orders", type=int, default=200_000)
    p.add_argument("--affected", type=int, default=100_000, help="customers in the outage's areas (at least)")
    p.add_argument("--reports", type=int, default=5_000)
    p.add_argument("--minutes", type=float, default=10)
    p.add_argument("--normal-rate", type=float, default=5)
    p.add_argument("--get-rate", type=float, default=20)
    p.add_argument("--list-rate", type=float, default=5)
    p.add_argument("--ivr-rate", type=float, default=20)
    p.add_argument("--sms-rate", type=float, default=50, help="the gateway's rate for bulk notices")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--reuse", action="store_true")
    p.add_argument("--label", default="")
    p.add_argument("--out", type=Path, default=OUT / "outage-flood.jsonl")
    a = p.parse_args()
    opts = Options(
        url=a.url,
        customers=a.customers,
        orders=a.orders,
        affected=a.affected,
        reports=a.reports,
        minutes=a.minutes,
        normal_rate=a.normal_rate,
        get_rate=a.get_rate,
        list_rate=a.list_rate,
        ivr_rate=a.ivr_rate,
        sms_rate=a.sms_rate,
        workers=a.workers,
        reuse=a.reuse,
        out=a.out,
        label=a.label,
    )
    prepare(opts)
    world = make_world(opts)
    print(f"outage over areas {world.outage_areas}: {world.affected:,} customers; reports from {len(world.flood)}")
    procs = start(opts)
    try:
        result = asyncio.run(run_load(opts, world))
    finally:
        stop(procs)
    result.update(outbox_figures(opts, result["outage_id"], result.pop("run_started")))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    line = {
        "db": "sqlite" if opts.sqlite else "postgresql",
        "label": opts.label,
        "commit": commit.stdout.strip(),
        "customers": opts.customers,
        "orders": opts.orders,
        "affected": world.affected,
        "reports": opts.reports,
        "minutes": opts.minutes,
        "rates": {"normal": opts.normal_rate, "get": opts.get_rate, "list": opts.list_rate, "ivr": opts.ivr_rate},
        "sms_rate": opts.sms_rate,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **result,
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    with opts.out.open("a") as f:
        f.write(json.dumps(line, ensure_ascii=False) + "\n")
    print(json.dumps(line, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
