"""The phone channel's benchmark (issue 5): CTI events at a sustained rate against ``huiyin serve`` on
PostgreSQL, with agents connected by WebSocket; screen-pop latency and IVR routing latency.

    python -m bench.cti_load --url postgresql://postgres@127.0.0.1:5433/huiyin_cti_bench \\
        --customers 1000000 --agents 200 --rate 200 --duration 300

1. **Data.** Unless ``--reuse``: creates the database, migrates it, and loads ``--customers`` customers (and
   ``--orders`` orders) with ``bench.generate``; keeps a sample of real customer numbers. Then ``--agents``
   agent accounts with API tokens and extensions, a CTI integration, and every agent signed in and ready.
2. **Server.** ``huiyin serve --workers N`` (its embedded worker off) on the database.
3. **Load.** One asyncio process: every agent holds a WebSocket (``/api/v1/ws?token=``); calls start at
   ``rate / 3`` per second (each is ``newCall`` → ``answer`` 1–3 s later → ``hangup`` 1–4 s after that, so
   the events come at ``rate`` per second), each from a sampled customer number, offered to one agent
   (round robin) who answers. Every event is a real HTTP POST to ``/api/v1/cti/{token}``. Meanwhile the IVR
   asks ``GET /api/v1/ivr/route`` for a sampled caller ``--ivr-rate`` times a second, and with
   ``--rating-rate`` the IVR posts that many key-press ratings a second for calls that ended before the run
   (made in the database beforehand, one per rating): as the PBX's ``rating`` event on its CTI URL
   (``--rating-via cti``, the default) or as ``POST /api/v1/ratings`` with the CTI token (``--rating-via api``).
4. **Measured.** Screen-pop latency = the moment the pop (``{"type": "call"}`` for that call and event)
   arrives on the agent's socket − the moment the event's POST was sent (an upper bound on "event received
   → message on the socket": it includes the request's trip to the server); the POST's own round trip; the
   IVR route's round trip; pops missing; CPU shares of the server, PostgreSQL and this client.

One JSON line per run is appended to ``--out``; ``docs/benchmarks.md`` has the results.
"""

from __future__ import annotations

import argparse
import asyncio
import heapq
import itertools
import json
import os
import random
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from bench.loadclient import HttpConnection, ProtocolError
from bench.sla_worker import CpuMeter, _machine, _pg_backends, _proc_cpu  # noqa: F401 (CPU accounting)

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent / "huiyin"
OUT = ROOT / "bench" / "out"


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def _summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50": round(_pct(values, 0.50), 2),
        "p90": round(_pct(values, 0.90), 2),
        "p99": round(_pct(values, 0.99), 2),
        "max": round(max(values), 2) if values else float("nan"),
    }


# ---------------------------------------------------------------- setup


def _pg(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def prepare(opts: Options) -> list[str]:
    """Creates and loads the database (unless reusing it); returns a sample of real customer numbers."""
    import psycopg

    phones_file = OUT / f"cti-phones-{opts.dbname}.txt"
    if not opts.reuse:
        admin_url = _pg(opts.url).rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(admin_url, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{opts.dbname}"')
            c.execute(f'CREATE DATABASE "{opts.dbname}"')
        env = {**os.environ, "HUIYIN_DATABASE_URL": opts.url}
        subprocess.run([str(BIN), "db", "upgrade"], env=env, check=True, capture_output=True)
        t = time.monotonic()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.generate",
                "--url",
                opts.url,
                "--customers",
                str(opts.customers),
                "--orders",
                str(opts.orders),
                "--days",
                "60",
                "--phones-out",
                str(phones_file),
                "--quiet",
            ],
            check=True,
            cwd=ROOT,
        )
        print(f"loaded {opts.customers:,} customers and {opts.orders:,} orders in {time.monotonic() - t:.0f} s")
    return [p for p in phones_file.read_text().split() if p]


def make_people(opts: Options) -> tuple[str, list[tuple[str, str]]]:
    """The CTI token, and (login, API token) of each bench agent, signed in and ready."""
    from sqlalchemy import select, text

    from huiyin.auth.models import User
    from huiyin.auth.service import do_create_user, do_issue_token, hash_password
    from huiyin.calls.models import AgentState
    from huiyin.calls.service import do_create_integration
    from huiyin.clock import now
    from huiyin.settings import Settings
    from huiyin.wiring import open_database

    db = open_database(Settings(database_url=opts.url))
    agents: list[tuple[str, str]] = []
    hashed = hash_password("bench")
    with db.session() as s:
        # a run starts from no calls (the call ids repeat from run to run: they would count as repeats)
        s.execute(
            text(
                "TRUNCATE call_events, call_orders, agent_states, ratings, satisfaction_daily, care_tasks, "
                "calls, cti_integrations CASCADE"
            )
        )
        integration, cti_token = do_create_integration(s, "bench PBX", None)
        s.flush()
        rated = int(opts.rating_rate * opts.duration) + 100
        if rated > 100:  # ended calls for the IVR's ratings: one each
            s.execute(
                text(
                    "INSERT INTO calls (call_id, integration_id, direction, from_number, to_number, queue, state, "
                    "offered_to, offered_at, answered_at, ended_at, wait_seconds, talk_seconds, hold_seconds, "
                    "abandoned, short_abandon, blocked, ivr_path, updated_at) "
                    "SELECT 'bench-rated-' || n, :integration, 'in', '13900000000', '95598', '综合', 'ended', "
                    "'[]', now() - interval '1 hour', now() - interval '59 minutes', now() - interval '55 minutes', "
                    "10, 240, 0, false, false, false, '', now() FROM generate_series(0, :last) AS n"
                ),
                {"integration": integration.id, "last": rated - 1},
            )
        for i in range(opts.agents):
            login = f"bench-agent-{i:03d}"
            user = s.scalar(select(User).where(User.username == login))
            if user is None:
                user = do_create_user(s, login, "bench", ["agent"], password_hash=hashed, phone=f"6{i:04d}")
            token = do_issue_token(s, user, "api", hours=None, name="bench").secret
            s.add(AgentState(user_id=user.id, state="ready", started_at=now(), source="workbench"))
            agents.append((login, token))
    db.dispose()
    return cti_token, agents


# ---------------------------------------------------------------- the run


@dataclass
class Options:
    url: str
    customers: int
    orders: int
    agents: int
    rate: float
    duration: float
    ivr_rate: float
    server_workers: int
    reuse: bool
    keep: bool
    out: Path
    label: str
    seed: int
    connections: int = 32
    rating_rate: float = 0
    rating_via: str = "cti"
    kpi_refresh: float = 0  # seconds between KPI rollup refreshes in a process of their own (0: none)

    @property
    def dbname(self) -> str:
        return self.url.rsplit("/", 1)[1]


@dataclass
class Tally:
    sent_at: dict[tuple[str, str], float] = field(default_factory=dict)  # (callId, event) → POST sent
    expect: dict[tuple[str, str], int] = field(default_factory=dict)  # → the agent's index
    pop: list[float] = field(default_factory=list)
    pop_at: list[float] = field(default_factory=list)  # when each pop arrived (perf_counter), for the series
    post: list[float] = field(default_factory=list)
    lag: list[float] = field(default_factory=list)  # sent − due: whether the sending kept the pace
    ivr: list[float] = field(default_factory=list)
    rating: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    popped: set[tuple[str, str]] = field(default_factory=set)
    t0: float = 0.0  # when the load started

    def pop_p99_by(self, window: float) -> list[float]:
        """The pop p99 of each ``window`` seconds of the run: whether latency drifts or comes in bursts."""
        slots: dict[int, list[float]] = {}
        for at, ms in zip(self.pop_at, self.pop, strict=True):
            slots.setdefault(int((at - self.t0) // window), []).append(ms)
        return [round(_pct(slots[k], 0.99), 1) for k in sorted(slots)]

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


# A pop is {"type": "call", "event": …, "call": {"id": …, "call_id": …: the key is read from its head, so the
# client (on the same machine as the server) does not parse every message whole.
_POP_HEAD = re.compile(r'^\{"type": ?"call", ?"event": ?"(\w+)", ?"call": ?\{"id": ?\d+, ?"call_id": ?"([^"]+)"')


async def _socket(base: str, token: str, index: int, tally: Tally, ready: asyncio.Event, counter: list[int]) -> None:
    from websockets.asyncio.client import connect

    ws_url = base.replace("http://", "ws://") + f"/api/v1/ws?token={token}"
    async with connect(ws_url, max_queue=None, open_timeout=60) as ws:
        await ws.recv()  # hello
        counter[0] += 1
        if counter[0] >= counter[1]:
            ready.set()
        async for raw in ws:
            got = time.perf_counter()
            text = raw if isinstance(raw, str) else raw.decode()
            head = _POP_HEAD.match(text)
            if head is None:
                if text.startswith('{"type": "call"') or text.startswith('{"type":"call"'):
                    msg = json.loads(text)  # a pop of another shape
                    key = (msg["call"]["call_id"], msg["event"])
                else:
                    continue  # agent states
            else:
                key = (head.group(2), head.group(1))
            sent = tally.sent_at.get(key)
            if sent is not None and tally.expect.get(key) == index and key not in tally.popped:
                tally.popped.add(key)
                tally.pop.append((got - sent) * 1000)
                tally.pop_at.append(got)


async def _sender(base: str, url: str, queue: asyncio.Queue[Any], tally: Tally) -> None:
    """One connection that posts the events handed to it, one at a time, as a PBX's adapter does; through
    ``bench.loadclient``'s plain HTTP/1.1 connection (httpx costs about a millisecond of this machine's CPU
    per request, which the server then lacks)."""
    host, port = base.removeprefix("http://").split(":")
    conn = HttpConnection(host, int(port))
    headers = {"Content-Type": "application/json"}
    while True:
        due, body, agent = await queue.get()
        key = (body["callId"], body["event"])
        tally.expect[key] = agent
        t = time.perf_counter()
        tally.sent_at[key] = t
        tally.lag.append((t - due) * 1000)
        try:
            r = await conn.request("POST", url, headers, json.dumps(body).encode())
            tally.post.append((time.perf_counter() - t) * 1000)
            if r.status != 200:
                tally.error(f"cti {r.status}")
        except (OSError, asyncio.IncompleteReadError, ProtocolError) as exc:
            tally.error(f"cti {exc.__class__.__name__}")
        queue.task_done()


async def _ivr_loop(
    base: str, cti_token: str, phones: list[str], opts: Options, rng: random.Random, t0: float, tally: Tally
) -> None:
    """The IVR asking where to route a caller, ``--ivr-rate`` times a second during the load."""
    if opts.ivr_rate <= 0:
        return
    host, port = base.removeprefix("http://").split(":")
    conn = HttpConnection(host, int(port))
    headers = {"X-CTI-Token": cti_token}
    n = 0
    while True:
        due = n / opts.ivr_rate
        if due >= opts.duration:
            return
        wait = t0 + due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        t = time.perf_counter()
        try:
            r = await conn.request("GET", f"/api/v1/ivr/route?caller={rng.choice(phones)}", headers, b"")
            tally.ivr.append((time.perf_counter() - t) * 1000)
            if r.status != 200:
                tally.error(f"ivr {r.status}")
        except (OSError, asyncio.IncompleteReadError, ProtocolError) as exc:
            tally.error(f"ivr {exc.__class__.__name__}")
        n += 1


async def _rating_loop(base: str, cti_token: str, opts: Options, rng: random.Random, t0: float, tally: Tally) -> None:
    """The IVR posting key-press ratings, ``--rating-rate`` a second, each for a call that ended before, over
    four connections (as a PBX adapter holds a few); a rating due while all four are busy waits its turn."""
    if opts.rating_rate <= 0:
        return
    host, port = base.removeprefix("http://").split(":")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {cti_token}"}
    results = ["satisfied"] * 88 + ["basically_satisfied"] * 8 + ["unsatisfied"] * 4
    digits = {"satisfied": "1", "basically_satisfied": "2", "unsatisfied": "3"}
    queue: asyncio.Queue[int] = asyncio.Queue()
    via_cti = opts.rating_via == "cti"
    path, ok = (f"/api/v1/cti/{cti_token}", 200) if via_cti else ("/api/v1/ratings", 201)

    async def poster() -> None:
        conn = HttpConnection(host, int(port))
        while True:
            n = await queue.get()
            result = rng.choice(results)
            body: dict[str, str] = (
                {"event": "rating", "callId": f"bench-rated-{n}", "digit": digits[result]}
                if via_cti
                else {"call_id": f"bench-rated-{n}", "channel": "ivr", "result": result}
            )
            t = time.perf_counter()
            try:
                r = await conn.request("POST", path, headers, json.dumps(body).encode())
                tally.rating.append((time.perf_counter() - t) * 1000)
                if r.status != ok:
                    tally.error(f"rating {r.status}")
            except (OSError, asyncio.IncompleteReadError, ProtocolError) as exc:
                tally.error(f"rating {exc.__class__.__name__}")
            queue.task_done()

    posters = [asyncio.create_task(poster()) for _ in range(4)]
    n = 0
    while (due := n / opts.rating_rate) < opts.duration:
        wait = t0 + due - time.perf_counter()
        if wait > 0:
            await asyncio.sleep(wait)
        queue.put_nowait(n)
        n += 1
    await asyncio.wait_for(queue.join(), timeout=max(120, opts.duration))
    for task in posters:
        task.cancel()


async def load(opts: Options, base: str, cti_token: str, agents: list[tuple[str, str]], phones: list[str]) -> Tally:
    rng = random.Random(opts.seed)
    tally = Tally()
    ready = asyncio.Event()
    counter = [0, len(agents)]
    sockets = [asyncio.create_task(_socket(base, tok, i, tally, ready, counter)) for i, (_, tok) in enumerate(agents)]
    await asyncio.wait_for(ready.wait(), timeout=120)
    print(f"{len(agents)} agents connected")
    url = f"/api/v1/cti/{cti_token}"
    # the timeline: (due, seq, event body, agent index)
    calls = int(opts.rate / 3 * opts.duration)
    heap: list[tuple[float, int, dict[str, Any], int]] = []
    seq = itertools.count()
    for n in range(calls):
        start = n * 3 / opts.rate
        agent = n % len(agents)
        login = agents[agent][0]
        caller = rng.choice(phones)
        base_body = {"callId": f"bench-{opts.seed}-{n}", "from": caller, "to": "95598", "direction": "in"}
        answer_at = start + rng.uniform(1, 3)
        hangup_at = answer_at + rng.uniform(1, 4)
        new_call = {**base_body, "event": "newCall", "user": [login], "queue": "综合"}
        heapq.heappush(heap, (start, next(seq), new_call, agent))
        heapq.heappush(heap, (answer_at, next(seq), {**base_body, "event": "answer", "answeringNumber": login}, agent))
        heapq.heappush(heap, (hangup_at, next(seq), {**base_body, "event": "hangup", "cause": "normalClearing"}, agent))
    queue: asyncio.Queue[Any] = asyncio.Queue()
    senders = [asyncio.create_task(_sender(base, url, queue, tally)) for _ in range(opts.connections)]
    t0 = time.perf_counter()
    ivr_task = asyncio.create_task(_ivr_loop(base, cti_token, phones, opts, rng, t0, tally))
    rating_task = asyncio.create_task(_rating_loop(base, cti_token, opts, random.Random(opts.seed + 1), t0, tally))
    while heap:
        now = time.perf_counter() - t0
        while heap and heap[0][0] <= now:
            due, _, body, agent = heapq.heappop(heap)
            queue.put_nowait((t0 + due, body, agent))
        await asyncio.sleep(0.002)
    await asyncio.wait_for(queue.join(), timeout=max(120, opts.duration))  # a server behind drains its backlog
    await ivr_task
    await rating_task
    await asyncio.sleep(2)  # the last pops in flight
    tally.errors["elapsed_s"] = int(time.perf_counter() - t0)
    tally.t0 = t0
    for task in senders:
        task.cancel()
    for s in sockets:
        s.cancel()
    return tally


def start_server(opts: Options) -> tuple[subprocess.Popen[bytes], str]:
    port = 18000 + random.Random().randrange(1000)
    env = {**os.environ, "HUIYIN_DATABASE_URL": opts.url, "HUIYIN_WORKER__EMBEDDED": "false", "HUIYIN_ENV": "test"}
    proc = subprocess.Popen(
        [str(BIN), "serve", "--port", str(port), "--workers", str(opts.server_workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit("the server did not start")


def _children(pid: int) -> list[int]:
    out = [pid]
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_bytes().rsplit(b")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                out.append(int(d))
    return out


def run(opts: Options) -> dict[str, Any]:
    phones = prepare(opts)
    cti_token, agents = make_people(opts)
    proc, base = start_server(opts)
    refresher = None
    if opts.kpi_refresh:
        env = {**os.environ, "HUIYIN_DATABASE_URL": opts.url}
        cmd = [sys.executable, "-m", "bench.kpi_refresher", "--url", opts.url, "--every", str(opts.kpi_refresh)]
        refresher = subprocess.Popen(cmd, env=env, stderr=(OUT / "kpi-refresher.log").open("a"))
        time.sleep(3)  # its first refresh (a rebuild when the rollups were never built) before the load
    try:
        server_pids = _children(proc.pid)
        r0 = _proc_cpu(refresher.pid) if refresher else 0
        m0, c0 = _machine()
        s0 = sum(_proc_cpu(p) for p in server_pids)
        pg0 = sum(_proc_cpu(p) for p in _pg_backends(opts.dbname))
        me0 = os.times()
        tally = asyncio.run(load(opts, base, cti_token, agents, phones))
        m1, c1 = _machine()
        s1 = sum(_proc_cpu(p) for p in server_pids)
        pg1 = sum(_proc_cpu(p) for p in _pg_backends(opts.dbname))
        r1 = _proc_cpu(refresher.pid) if refresher else 0
        me1 = os.times()
    finally:
        if refresher is not None:
            refresher.terminate()
            refresher.wait(timeout=60)
        os.killpg(proc.pid, 15)
        proc.wait(timeout=30)
    total = max(1, c1 - c0)
    tick = os.sysconf("SC_CLK_TCK")
    client_jiffies = ((me1.user - me0.user) + (me1.system - me0.system)) * tick
    expected = len(tally.expect)
    record = {
        "bench": "cti_load",
        "label": opts.label,
        "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "customers": opts.customers,
        "agents": opts.agents,
        "rate": opts.rate,
        "duration_s": opts.duration,
        "server_workers": opts.server_workers,
        "events": len(tally.post),
        "events_per_s": round(len(tally.post) / max(1, tally.errors.get("elapsed_s", opts.duration)), 1),
        "pops_expected": expected,
        "pops_received": len(tally.pop),
        "pop_ms": _summary(tally.pop),
        "pop_p99_ms_by_30s": tally.pop_p99_by(30),
        "post_ms": _summary(tally.post),
        "send_lag_ms": _summary(tally.lag),
        "connections": opts.connections,
        "ivr_ms": _summary(tally.ivr),
        "rating_rate": opts.rating_rate,
        "rating_via": opts.rating_via,
        "ratings_per_s": round(len(tally.rating) / max(1, tally.errors.get("elapsed_s", opts.duration)), 1),
        "rating_ms": _summary(tally.rating),
        "kpi_refresh_s": opts.kpi_refresh,
        "errors": {k: v for k, v in tally.errors.items() if k != "elapsed_s"},
        "cpu_share": {
            "server": round((s1 - s0) / total, 3),
            "postgres": round((pg1 - pg0) / total, 3),
            "client": round(client_jiffies / total, 3),
            "kpi_refresher": round((r1 - r0) / total, 3),
            "machine": round((m1 - m0) / total, 3),
        },
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    with opts.out.open("a") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(json.dumps(record, ensure_ascii=False, indent=1))
    if not opts.keep:
        import psycopg

        with psycopg.connect(_pg(opts.url).rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{opts.dbname}"')
    return record


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.cti_load", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/huiyin_cti_bench")
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--orders", type=int, default=200_000)
    p.add_argument("--agents", type=int, default=200)
    p.add_argument("--rate", type=float, default=200, help="CTI events per second")
    p.add_argument("--duration", type=float, default=300, help="seconds of calls starting")
    p.add_argument("--ivr-rate", type=float, default=20, help="IVR route requests per second during the load")
    p.add_argument("--rating-rate", type=float, default=0, help="IVR ratings per second during the load")
    p.add_argument(
        "--rating-via",
        choices=("cti", "api"),
        default="cti",
        help="cti: the key press as the PBX's rating event (POST /cti/{token}); api: POST /api/v1/ratings",
    )
    p.add_argument("--server-workers", type=int, default=2)
    p.add_argument(
        "--kpi-refresh", type=float, default=0, help="refresh the KPI rollups every N s in a process of their own"
    )
    p.add_argument("--connections", type=int, default=32, help="the PBX's connections posting events")
    p.add_argument("--reuse", action="store_true", help="use the existing database as it is")
    p.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    p.add_argument("--prepare-only", action="store_true", help="create and load the database, then stop")
    p.add_argument("--out", type=Path, default=OUT / "cti-load.jsonl")
    p.add_argument("--label", default="")
    p.add_argument("--seed", type=int, default=20261123)
    a = p.parse_args(argv)
    if a.prepare_only:
        opts = Options(a.url, a.customers, a.orders, a.agents, 0, 0, 0, 1, False, True, a.out, a.label, a.seed)
        print(f"{len(prepare(opts)):,} sample numbers; reuse with --reuse")
        return
    run(
        Options(
            a.url,
            a.customers,
            a.orders,
            a.agents,
            a.rate,
            a.duration,
            a.ivr_rate,
            a.server_workers,
            a.reuse,
            a.keep,
            a.out,
            a.label,
            a.seed,
            a.connections,
            a.rating_rate,
            a.rating_via,
            a.kpi_refresh,
        )
    )


if __name__ == "__main__":
    main()
