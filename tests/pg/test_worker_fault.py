"""A fault test on PostgreSQL: three ``huiyin worker`` processes, one killed with SIGKILL in the middle of a
batch. Every due deadline fires exactly once; the outbox delivers every notification at least once; the
fake gateway accepts every SMS / voice key exactly once (it deduplicates resends by key).

The backlog: a few hundred orders registered with the clock moved back (25 min, 70 min, 160 min, 5 h), so
that at the real now their accept deadline is due for 1, 2, 3 or 4 levels of the ladder. It is parked
(its times pushed a century ahead) until all three workers are up, then released in one transaction so
that the three take it on together. Two small groups registered just before the release climb again
``LATER_S`` seconds later (a warning then level 1; level 1 then level 2): rows whose next step fires while
the others are still busy. The kill lands in one of two places, one test each:

- ``fire``: while the victim holds deadline rows locked in its firing transaction (seen in ``pg_locks``)
  and the others have fired some of theirs; PostgreSQL rolls that transaction back and the others fire
  those rows — once. A batch may take only milliseconds, so the victim is made to stall inside it (a
  trigger sleeps in its event insert) and the others are held with SIGSTOP until it has taken one.
- ``send``: while the victim waits on the gateway (its SMS and voice calls go through a small proxy in this
  test that counts the requests in flight), its claimed batch leased: after the lease the others claim
  those rows again and resend them, and the gateway deduplicates what the victim had sent but not marked.

The world is registered once into a template database; each test runs on a copy of it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine

from huiyin.auth.models import User
from huiyin.auth.service import do_create_user
from huiyin.cli import upgrade_database
from huiyin.clock import clock
from huiyin.db import Database
from huiyin.notify.models import Notification, OutboxMessage
from huiyin.settings import Settings, WorkerSettings
from huiyin.sla.ladder import step_delays
from huiyin.sla.models import OrderDeadline
from huiyin.sla.schemas import PolicyCreate
from huiyin.sla.service import do_create_policy
from huiyin.wiring import open_database
from huiyin.worker import Worker
from huiyin.workorders import service as wo
from huiyin.workorders.models import WorkOrderEvent
from tests.personas import _build_world

pytestmark = pytest.mark.pg

BACKLOG = {1: 25, 2: 70, 3: 160, 4: 300}  # levels due at the real now → minutes since registration
PER_GROUP = 60  # orders per backlog group
LATER = 12  # orders in each of the two groups that climb again during the run …
LATER_S = 6.0  # … this many seconds after they are registered
BATCH = 50  # rows per claim (deadlines or deliveries): several batches each, so the kill lands inside one
LEASE_S = 3.0
GATEWAY_DELAY_MS = 5
PARK = "interval '100 years'"
ORDER = {
    "type": "repair",
    "category": "RP-GAS-NOGAS",
    "description": "家里燃气灶点不着火，没有气",
    "channel": "phone",
    "contact_phone": "13800138000",
}
HUIYIN = Path(sys.executable).with_name("huiyin")


@dataclass(frozen=True)
class Template:
    name: str
    server: str  # postgresql+psycopg://postgres@127.0.0.1:5432
    agent_id: int
    customer_id: int


def _admin(server: str) -> Engine:
    return create_engine(f"{server}/postgres", isolation_level="AUTOCOMMIT")


def _register(db: Database, agent_id: int, customer_id: int, n: int, at: datetime) -> None:
    """``n`` orders registered (and dispatched by the world's rule) at ``at``, in one transaction."""
    clock.set(at)
    try:
        with db.session() as s:
            agent = s.get_one(User, agent_id)
            for _ in range(n):
                plan = wo.check_register(s, agent, {**ORDER, "customer_id": customer_id})
                wo.do_register(s, agent, plan, number_prefix="GD", tz="Asia/Shanghai")
    finally:
        clock.reset()


PARKED = {  # (table, column, condition)
    "deadlines": ("order_deadlines", "next_fire_at", "next_fire_at IS NOT NULL"),
    "deliveries": ("outbox", "due_at", "status = 'pending'"),
}


def _park(engine: Engine, sign: str, *what: str) -> None:
    """``+`` parks every live deadline and pending delivery a century ahead; ``-`` releases the parked
    ones (only those: a worker may hold others locked), each kind at once."""
    with engine.begin() as conn:
        for kind in what or PARKED:
            table, column, where = PARKED[kind]
            if sign == "-":
                where += f" AND {column} > now() + interval '50 years'"
            conn.execute(text(f"UPDATE {table} SET {column} = {column} {sign} {PARK} WHERE {where}"))


@pytest.fixture(scope="module")
def template(pg_url: str) -> Iterator[Template]:
    """A database holding the world and the parked backlog; dropped at the end of the module."""
    server = pg_url.rsplit("/", 1)[0]
    name = f"huiyin_fault_tpl_{uuid.uuid4().hex[:8]}"
    admin = _admin(server)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = f"{server}/{name}"
        upgrade_database(url)
        db = open_database(Settings(database_url=url))
        w = _build_world(db, None)  # type: ignore[arg-type]  # no HTTP client: services only
        with db.session() as s:
            agent = do_create_user(s, "agent", "secret-pw", ["agent"], cheap_hash=True)
            do_create_user(s, "handler", "pw", ["unit_handler"], unit=w.station_a, phone="13900000001", cheap_hash=True)
            for i, role in enumerate(("duty_manager", "floor_manager", "supervisor", "director"), start=2):
                do_create_user(s, role, "pw", [role], phone=f"1390000000{i}", cheap_hash=True)  # and no email
            match = {"type": "repair", "category": "RP-GAS-NOGAS", "area_type": "urban"}
            policy = PolicyCreate(name="故障测试时限", priority=1, match=match, limits={"accept": 20}, warn_at=0.75)
            do_create_policy(s, None, policy.model_dump(mode="json"))
            agent_id = agent.id
        start = datetime.now(UTC)
        for minutes in BACKLOG.values():
            _register(db, agent_id, w.customer_id, PER_GROUP, start - timedelta(minutes=minutes))
        with db.session(write=False) as s:
            stages = s.execute(select(OrderDeadline.stage, func.count()).group_by(OrderDeadline.stage)).all()
        assert [tuple(r) for r in stages] == [("accept", PER_GROUP * len(BACKLOG))], "the test policy must win"
        _park(db.engine, "+")
        db.dispose()
        yield Template(name, server, agent_id, w.customer_id)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def copy_url(template: Template) -> Iterator[str]:
    name = f"huiyin_fault_{uuid.uuid4().hex[:8]}"
    admin = _admin(template.server)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"'))
    yield f"{template.server}/{name}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


# ---------------------------------------------------------------- processes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proxy:
    """Passes the victim's gateway requests on, counting those in flight: while one is, the victim is
    blocked in ``Gateway.send`` with a claimed batch."""

    def __init__(self, upstream: str) -> None:
        self.in_flight = 0
        self.answered = 0
        self.lock = threading.Lock()
        self.client = httpx.Client(timeout=30)
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                keep = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "idempotency-key")}
                with proxy.lock:
                    proxy.in_flight += 1
                try:
                    r = proxy.client.post(upstream + self.path, content=body, headers=keep)
                finally:
                    with proxy.lock:
                        proxy.in_flight -= 1
                        proxy.answered += 1
                try:
                    self.send_response(r.status_code)
                    self.send_header("Content-Type", r.headers.get("content-type", "application/json"))
                    self.send_header("Content-Length", str(len(r.content)))
                    self.end_headers()
                    self.wfile.write(r.content)
                except OSError:
                    pass  # the victim is gone

            def log_message(self, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def handle_error(self, request: Any, client_address: Any) -> None:
                pass  # the victim's connection reset by its death

        self.server = Server(("127.0.0.1", 0), Handler)
        self.port = int(self.server.server_address[1])
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.client.close()


@dataclass
class Procs:
    tmp: Path
    started: list[tuple[str, subprocess.Popen[bytes]]]

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
        with (self.tmp / f"{name}.log").open("wb") as log:
            proc = subprocess.Popen([str(HUIYIN), *args], env=env, stdout=log, stderr=subprocess.STDOUT)
        self.started.append((name, proc))
        return proc

    def log(self, name: str) -> str:
        return (self.tmp / f"{name}.log").read_text(errors="replace")

    def logs(self, lines: int = 12) -> str:
        tails = [f"--- {name}\n" + "\n".join(self.log(name).splitlines()[-lines:]) for name, _ in self.started]
        return "\n".join(tails)


@pytest.fixture
def procs(tmp_path: Path) -> Iterator[Procs]:
    if not HUIYIN.exists():
        pytest.fail(f"{HUIYIN} not found: install the project (uv sync)")
    p = Procs(tmp_path, [])
    yield p
    for _, proc in p.started:  # only the processes this test started, each by its own handle
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)


def _wait_for(what: str, check: Callable[[], Any], timeout: float, every: float, procs: Procs | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(every)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}" + (f"\n{procs.logs()}" if procs else ""))


# ---------------------------------------------------------------- what the ladder implies


def _due_levels(rows: list[OrderDeadline], delays: dict[int, int], at: datetime) -> set[tuple[int, str, int, int]]:
    """(order, stage, cycle, level) of every level due by ``at``."""
    return {
        (r.order_id, r.stage, r.cycle, level)
        for r in rows
        for level, delay in delays.items()
        if r.due_at + timedelta(minutes=delay) <= at
    }


def _count(engine: Engine, sql: str, **params: Any) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(text(sql), params) or 0)


ESCALATIONS = "SELECT count(*) FROM work_order_events WHERE action = 'escalate'"
DUE_ROWS = "SELECT count(*) FROM order_deadlines WHERE next_fire_at <= :at"
PENDING = "SELECT count(*) FROM outbox WHERE status = 'pending'"
UNPARKED = "SELECT count(*) FROM outbox WHERE status = 'pending' AND due_at < :at"  # due, or claimed
STALL_FUNCTION = """
CREATE FUNCTION fault_stall() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('application_name') = '{app}' THEN PERFORM pg_sleep(3); END IF;
  RETURN NULL;
END $$
"""
STALL_TRIGGER = (
    "CREATE TRIGGER fault_stall AFTER INSERT ON work_order_events FOR EACH STATEMENT EXECUTE FUNCTION fault_stall()"
)
VICTIM_IN_FIRE = """
SELECT count(*) FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid
WHERE a.datname = current_database() AND a.application_name = :app AND a.backend_xid IS NOT NULL
  AND l.locktype = 'relation' AND l.relation = 'order_deadlines'::regclass
"""  # the victim's transaction has locked deadline rows: it is inside fire_due with a batch


@pytest.mark.timeout(300)
@pytest.mark.parametrize("kill_in", ["fire", "send"])
def test_three_workers_one_killed_mid_batch_fire_each_due_step_once_and_deliver_each_message(
    kill_in: str, template: Template, copy_url: str, procs: Procs
) -> None:
    t_begin = time.monotonic()
    port = _free_port()
    gateway_url = f"http://127.0.0.1:{port}"
    procs.start("gateway", ["fake-gateway", "--port", str(port)], dict(os.environ))
    proxy = Proxy(gateway_url)

    app = f"huiyin-fault-{uuid.uuid4().hex[:6]}"
    victim_app = f"{app}-victim"
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("HUIYIN_")}
    base_env.update(
        HUIYIN_ENV="test",
        HUIYIN_WORKER__BATCH_SIZE=str(BATCH),
        HUIYIN_WORKER__POLL_SECONDS="0.2",
        HUIYIN_NOTIFY__LEASE_SECONDS=str(LEASE_S),
    )
    workers: dict[str, subprocess.Popen[bytes]] = {}
    for i in range(3):
        via = f"http://127.0.0.1:{proxy.port}" if i == 0 else gateway_url  # worker0 is the victim
        env = {
            **base_env,
            "HUIYIN_DATABASE_URL": f"{copy_url}?application_name={victim_app if i == 0 else f'{app}-{i}'}",
            "HUIYIN_NOTIFY__SMS_URL": f"{via}/sms",
            "HUIYIN_NOTIFY__VOICE_URL": f"{via}/voice",
        }
        workers[f"worker{i}"] = procs.start(f"worker{i}", ["worker"], env)
    victim = workers["worker0"]
    http = httpx.Client(base_url=gateway_url, timeout=10)

    def gateway_up() -> bool:
        try:
            return http.get("/messages").status_code == 200
        except httpx.HTTPError:
            return False

    _wait_for("the fake gateway", gateway_up, 90, 0.1, procs)
    http.post("/_control", json={"delay_ms": GATEWAY_DELAY_MS}).raise_for_status()
    _wait_for("three workers", lambda: all("worker started" in procs.log(n) for n in workers), 90, 0.1, procs)
    started = time.monotonic() - t_begin

    # the two groups that climb again during the run: their first step fires now, the next at later_at
    db = open_database(Settings(database_url=copy_url))
    watch = db.engine
    later_at = datetime.now(UTC) + timedelta(seconds=LATER_S)
    _register(db, template.agent_id, template.customer_id, LATER, later_at - timedelta(minutes=20))  # warn, L1
    _register(db, template.agent_id, template.customer_id, LATER, later_at - timedelta(minutes=50))  # L1, L2
    _wait_for("the first steps", lambda: _count(watch, DUE_ROWS, at=datetime.now(UTC)) == 0, 60, 0.1, procs)
    with db.session(write=False) as s:
        delays = step_delays(s)
        rows = list(s.scalars(select(OrderDeadline)))
    parked = [r for r in rows if r.next_fire_at and r.next_fire_at > datetime.now(UTC) + timedelta(days=365)]
    assert len(parked) == PER_GROUP * len(BACKLOG)
    backlog = len(_due_levels(parked, delays, datetime.now(UTC)))  # the escalations the release makes due
    before = _count(watch, ESCALATIONS)

    # the release, and the kill
    sent_before = proxy.answered
    seen_fired = [0]
    others = [proc for proc in workers.values() if proc is not victim]
    if kill_in == "fire":
        # The victim stalls inside its firing transaction (the trigger), the others are held until it has
        # taken a batch. The deliveries stay parked until the kill: a worker drains every due delivery
        # before it fires again, and the victim could miss the backlog.
        with watch.begin() as conn:
            conn.execute(text(STALL_FUNCTION.format(app=victim_app)))
            conn.execute(text(STALL_TRIGGER))
        soon = datetime.now(UTC) + timedelta(days=1)
        _wait_for("the workers to be idle", lambda: _count(watch, UNPARKED, at=soon) == 0, 60, 0.1, procs)
        for proc in others:
            proc.send_signal(signal.SIGSTOP)
        _park(watch, "-", "deadlines")
        released = time.monotonic()

        def victim_holds() -> bool:
            return _count(watch, VICTIM_IN_FIRE, app=victim_app) > 0

        _wait_for("the victim to take a batch", victim_holds, 30, 0.01, procs)
        for proc in others:
            proc.send_signal(signal.SIGCONT)

        def others_fired_while_the_victim_holds_its_batch() -> bool:
            seen_fired[0] = _count(watch, ESCALATIONS) - before
            return victim_holds() and 0 < seen_fired[0] < backlog

        _wait_for("the others to fire", others_fired_while_the_victim_holds_its_batch, 60, 0.01, procs)
    else:
        _park(watch, "-")
        released = time.monotonic()
        _wait_for(
            "the victim to be waiting on the gateway",
            lambda: proxy.answered - sent_before >= 5 and proxy.in_flight > 0,
            60,
            0.001,
            procs,
        )
    victim.send_signal(signal.SIGKILL)
    killed_after = time.monotonic() - released
    victim.wait(10)
    if kill_in == "fire":
        _park(watch, "-", "deliveries")
    fired_at_kill = seen_fired[0] if kill_in == "fire" else _count(watch, ESCALATIONS) - before
    victim_sent = proxy.answered
    assert victim.returncode == -signal.SIGKILL

    # the two others finish: every step due by then fired, nothing pending (the victim's lease runs out)
    def finished() -> bool:
        at = datetime.now(UTC)
        return at > later_at + timedelta(seconds=1) and _count(watch, DUE_ROWS, at=at) == 0 == _count(watch, PENDING)

    _wait_for("the survivors to fire and deliver everything", finished, 150, 0.25, procs)
    drained = time.monotonic() - released
    for name, proc in workers.items():
        if proc is not victim:
            assert proc.poll() is None, f"{name} died\n{procs.logs()}"
            proc.send_signal(signal.SIGTERM)
    for proc in workers.values():
        if proc is not victim:
            assert proc.wait(20) == 0, procs.logs()
    for name in workers:
        assert "tick failed" not in procs.log(name), procs.log(name)[-3000:]
    ended = datetime.now(UTC)

    with db.session(write=False) as s:
        rows = list(s.scalars(select(OrderDeadline)))
        events = s.execute(
            select(WorkOrderEvent.order_id, WorkOrderEvent.action, WorkOrderEvent.data).where(
                WorkOrderEvent.action.in_(["escalate", "warn"])
            )
        ).all()
        notifications = s.scalar(select(func.count()).select_from(Notification))
        outbox = s.execute(
            select(OutboxMessage.channel, OutboxMessage.status, OutboxMessage.dedupe_key, OutboxMessage.attempts)
        ).all()
        orders = s.scalar(text("SELECT count(*) FROM work_orders"))
    db.dispose()
    assert orders == PER_GROUP * len(BACKLOG) + 2 * LATER == len(rows)

    # exactly once: one escalate event per deadline row and level due by now; none missing, none more
    expected = _due_levels(rows, delays, ended)
    fired = Counter((oid, d["stage"], d["cycle"], d["level"]) for oid, action, d in events if action == "escalate")
    twice = {k: n for k, n in fired.items() if n > 1}
    assert not twice, f"fired more than once: {sorted(twice.items())[:10]}"
    assert set(fired) - expected == set(), "fired a level that was not due"
    assert expected - set(fired) == set(), f"due but never fired: {sorted(expected - set(fired))[:10]}"
    top: dict[tuple[int, str, int], int] = {}
    for oid, stage, cycle, level in expected:
        top[(oid, stage, cycle)] = max(level, top.get((oid, stage, cycle), 0))
    wrong = [r.id for r in rows if r.step != top[(r.order_id, r.stage, r.cycle)] + 1]
    assert not wrong, f"deadline rows whose step is not their top level: {wrong[:10]}"
    warned = Counter((oid, d["stage"], d["cycle"]) for oid, action, d in events if action == "warn")
    assert set(warned.values()) <= {1}, "a warning fired twice"

    # the notifications and deliveries the ladder implies: each dispatch (the unit's handler: in-app, then
    # an SMS and a voice call while unacknowledged), each warning (the handler, in-app), each level (its
    # manager: in-app, and SMS from level 2 — the director has no email —; the handler: in-app)
    assert notifications == orders + len(warned) + 2 * len(expected)
    channels = Counter(channel for channel, *_ in outbox)
    sms_levels = sum(1 for *_, level in expected if level >= 2)
    # in-app: the dispatches through the outbox; the worker pushes its own in its firing transaction
    assert channels == {"app": orders, "sms": orders + sms_levels, "voice": orders}
    statuses = Counter(status for _, status, *_ in outbox)
    assert statuses == {"delivered": len(outbox)}, statuses

    # at least once, deduplicated by key at the gateway
    seen = http.get("/messages").json()
    http.close()
    proxy.close()
    for channel in ("sms", "voice"):
        keys = [m["key"] for m in seen["messages"] if m["channel"] == channel]
        assert len(keys) == len(set(keys)), f"the gateway accepted a {channel} key twice"
        assert set(keys) == {key for ch, _, key, _ in outbox if ch == channel}
    assert seen["requests"] == len(seen["messages"]) + seen["duplicates"]  # it never failed a send
    again = sum(1 for ch, _, _, attempts in outbox if ch != "app" and attempts > 1)
    if kill_in == "send":
        assert again > 0, "the victim's leased batch was never claimed again"

    sys.stderr.write(
        f"\n[fault/{kill_in}] {orders} orders, {len(expected)} escalations, {len(warned)} warnings, "
        f"{notifications} notifications, {len(outbox)} deliveries ({channels['sms']} SMS, {channels['voice']} "
        f"voice). Victim killed {killed_after:.2f}s after the release with {fired_at_kill}/{backlog} of the "
        f"backlog's escalations fired and {victim_sent} sends through it; gateway: {len(seen['messages'])} "
        f"accepted, {seen['requests']} requests, {seen['duplicates']} duplicates (resends of keys already "
        f"accepted); {again} deliveries claimed again after the lease; drained {drained:.1f}s after the release; "
        f"processes up in {started:.1f}s, test {time.monotonic() - t_begin:.1f}s\n"
    )


def test_two_workers_in_threads_split_the_due_rows_with_skip_locked(template: Template, copy_url: str) -> None:
    settings = Settings(database_url=copy_url, env="test", worker=WorkerSettings(batch_size=10))
    db = open_database(settings)
    _park(db.engine, "-")
    at = datetime.now(UTC)
    clock.set(at)  # one clock for both threads
    with db.session(write=False) as s:
        delays = step_delays(s)
        rows = list(s.scalars(select(OrderDeadline)))
    due = [r for r in rows if r.next_fire_at is not None and r.next_fire_at <= at]
    assert len(due) == len(rows) == PER_GROUP * len(BACKLOG)

    workers = [Worker(db, settings) for _ in range(2)]
    taken: list[list[int]] = [[], []]
    errors: list[BaseException] = []
    barrier = threading.Barrier(2)

    def run(i: int) -> None:
        try:
            barrier.wait()
            while (n := workers[i].fire_batch()) > 0:
                taken[i].append(n)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for w in workers:
        w.gateway.close()
    assert not errors, errors
    assert sum(taken[0]) > 0 and sum(taken[1]) > 0, f"one thread took every row: {taken}"
    assert sum(taken[0]) + sum(taken[1]) == len(due), "a row was taken twice, or not at all"

    with db.session(write=False) as s:
        left = s.scalar(select(func.count()).select_from(OrderDeadline).where(OrderDeadline.next_fire_at <= at))
        events = s.execute(
            select(WorkOrderEvent.order_id, WorkOrderEvent.data).where(WorkOrderEvent.action == "escalate")
        )
        fired = Counter((oid, d["stage"], d["cycle"], d["level"]) for oid, d in events)
    db.dispose()
    assert left == 0
    assert max(fired.values()) == 1
    assert set(fired) == _due_levels(rows, delays, at)
    sys.stderr.write(f"\n[fault/threads] rows per batch: {taken[0]} and {taken[1]}\n")
