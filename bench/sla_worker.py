"""The deadline worker's benchmark (issue 4), on PostgreSQL.

    python -m bench.sla_worker                      # 100k → 1M → 3M open orders, curve at each, rate at 1M
    python -m bench.sla_worker --sizes 100000 --workers 1 --window 20     # a quick look

1. **Cost per tick against the open count.** At every size (the database grows by adding orders:
   ``bench.sla_data``), for each due count (0, 100, 1,000) it moves that many live deadlines to "due now"
   (``bench.sla_data.arm``), runs one real tick of ``huiyin.worker.Worker`` in this process and times its
   firing half (``fire_batch``) and its delivery half (``deliver``: claim, send, finish until a short
   claim), ``--reps`` times (median), with the CPU time of this process and of the database's backends.
   It also runs the claim query alone under ``EXPLAIN (ANALYZE, BUFFERS)`` (in a transaction that is
   rolled back), and (phase ``statements``) every statement of one 500-row batch under ``EXPLAIN
   (ANALYZE, BUFFERS, WAL)`` in a savepoint: time, foreign-key checks, full-page images, WAL bytes.
2. **Sustained rate and lateness.** At ``--rate-size`` open orders it arms deadlines of different orders,
   due evenly at ``--rate`` per second: ``--warmup`` seconds' worth, then the measured ``--window``; starts
   ``huiyin worker`` processes (1, then 2 side by side) about a minute before the first is due, and watches
   ``work_order_events`` every ``--watch`` seconds from its own connection: a firing counts as done when its
   event is visible (committed). Lateness = the time of the first poll that saw it − the time it was due (an
   upper bound: the commit came at most one poll interval earlier); also reported: the event's ``at`` (when
   the worker's batch started) − due, the lateness by 5-second slice of the window, and the warm-up's own
   lateness (the workers start from idle, with cold caches).

Fired deadlines are moved 30 days on afterwards (``park``) so that they do not climb during the next
measurement. Before each measurement the worker catches up with anything else that came due (in-process
ticks) and, for the sustained runs, the bench waits (up to ``--quiet-wait`` s) until other processes use
less than ``--quiet-busy`` of the machine; the CPU shares of the workers, PostgreSQL, this bench and
everybody else, the WAL written and the checkpoints are recorded with every run. Results: one JSON line
per measurement in ``--out``. The database is created at the start and dropped at the end (``--keep``
keeps it, ``--reuse`` takes an existing one as it is). ``--code DIR`` measures the ``huiyin/`` in DIR
instead (in this process and in the workers), ``--pgoptions`` sets PostgreSQL options for the workers'
sessions (what-ifs such as ``-c wal_compression=lz4``).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

if "--code" in sys.argv[:-1]:  # measure another version of huiyin/ (a snapshot directory holding it)
    sys.path.insert(0, str(Path(sys.argv[sys.argv.index("--code") + 1]).resolve()))

from bench import sla_data
from bench.generate import Log
from huiyin.db import normalize_url
from huiyin.wiring import open_database

ROOT = Path(__file__).resolve().parent.parent
NCPU = os.cpu_count() or 1
TICK = os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- CPU accounting (as bench/run.sh)


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _machine() -> tuple[int, int]:
    v = list(map(int, _read("/proc/stat").split(b"\n", 1)[0].split()[1:8]))
    return v[0] + v[1] + v[2] + v[5] + v[6], sum(v)


def _proc_cpu(pid: int) -> int:
    try:
        f = _read(f"/proc/{pid}/stat").rsplit(b")", 1)[1].split()
        return int(f[11]) + int(f[12])
    except (OSError, IndexError, ValueError):
        return 0


def _pg_backends(dbname: str) -> list[int]:
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                cmd = _read(f"/proc/{d}/cmdline").decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres: ") and f" {dbname} " in cmd:
                out.append(int(d))
    return out


def _pg_background() -> list[int]:
    """The server's own processes (WAL writer, checkpointer, …): they work for every database."""
    out = []
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                cmd = _read(f"/proc/{d}/cmdline").decode(errors="replace")
            except OSError:
                continue
            if cmd.startswith("postgres: ") and any(
                k in cmd for k in ("walwriter", "checkpointer", "background writer", "wal writer")
            ):
                out.append(int(d))
    return out


def _backends_cpu(dbname: str) -> int:
    """CPU jiffies used so far by this database's backends (the worker's connection among them)."""
    return sum(_proc_cpu(p) for p in _pg_backends(dbname))


def busy_share(seconds: float) -> float:
    b0, t0 = _machine()
    time.sleep(seconds)
    b1, t1 = _machine()
    return (b1 - b0) / max(1, t1 - t0)


def wait_quiet(max_wait: float, busy: float, log: Log) -> float:
    """Waits until the machine is used less than ``busy`` (all CPUs = 1) or ``max_wait`` passed."""
    waited, share = 0.0, busy_share(2)
    while max_wait > 0 and share >= busy and waited < max_wait:
        if waited == 0:
            log.note(f"  machine busy ({share:.2f} used by others); waiting up to {max_wait:.0f} s")
        time.sleep(8)
        waited += 10
        share = busy_share(2)
    return share


class CpuMeter:
    """CPU jiffies of the workers, this database's backends, the server's background processes and this
    process, against the whole machine's, between ``start`` and ``stop``."""

    def __init__(self, dbname: str, workers: Sequence[int]) -> None:
        self.dbname, self.workers = dbname, list(workers)
        self.pg_pids: set[int] = set()

    def _sample(self) -> tuple[int, int, int, int, int]:
        self.pg_pids |= set(_pg_backends(self.dbname)) | set(_pg_background())
        w = sum(_proc_cpu(p) for p in self.workers)
        g = sum(_proc_cpu(p) for p in self.pg_pids)
        r = os.times()
        me = int((r.user + r.system) * TICK)
        busy, total = _machine()
        return w, g, me, busy, total

    def start(self) -> None:
        self.pg_pids = set()
        self.s0 = self._sample()

    def stop(self) -> dict[str, float]:
        s1 = self._sample()
        w, g, me, busy, total = (b - a for a, b in zip(self.s0, s1, strict=True))
        cap = max(1, total)
        shares = {"cpu_busy": busy / cap, "cpu_workers": w / cap, "cpu_postgres": g / cap, "cpu_bench": me / cap}
        shares["cpu_others"] = max(0.0, shares["cpu_busy"] - w / cap - g / cap - me / cap)
        return {k: round(v, 3) for k, v in shares.items()}


# ---------------------------------------------------------------- options


@dataclass
class Options:
    url: str
    sizes: list[int] = field(default_factory=lambda: [100_000, 1_000_000, 3_000_000])
    due: list[int] = field(default_factory=lambda: [0, 100, 1_000])
    reps: int = 5
    rate: float = 2_000.0
    window: float = 60.0
    workers: list[int] = field(default_factory=lambda: [1, 2])
    rate_size: int = 1_000_000
    batch: int | None = None
    poll_seconds: float | None = None
    watch: float = 0.1
    drain: float = 30.0
    lead: float = 75.0
    warmup: float = 40.0
    reuse: bool = False
    keep: bool = False
    phases: tuple[str, ...] = ("curve", "statements", "sustain")
    quiet_wait: float = 300.0
    quiet_busy: float = 0.25
    out: Path = ROOT / "bench" / "out" / "sla-worker.jsonl"
    label: str = ""
    code: Path | None = None
    pgoptions: str = ""
    quiet: bool = False


def _settings(opts: Options) -> Any:
    from huiyin.settings import Settings, WorkerSettings

    worker = WorkerSettings(embedded=False)
    if opts.batch is not None:
        worker.batch_size = opts.batch
    if opts.poll_seconds is not None:
        worker.poll_seconds = opts.poll_seconds
    return Settings(database_url=normalize_url(opts.url), worker=worker)


def _commit() -> str:
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "huiyin/"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return head.stdout.strip() + ("+dirty" if dirty else "")
    except OSError:
        return "?"


def _emit(opts: Options, record: dict[str, Any]) -> None:
    import huiyin

    code = str(Path(huiyin.__file__).resolve().parent.parent)
    record = {
        "commit": _commit() if opts.code is None else f"code:{opts.code}",
        "label": opts.label,
        "code": code,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        **record,
    }
    opts.out.parent.mkdir(parents=True, exist_ok=True)
    with opts.out.open("a", encoding="utf-8") as f:
        f.write(json.dumps(record, ensure_ascii=False) + "\n")


# ---------------------------------------------------------------- helpers


class Armer:
    def __init__(self, url: str) -> None:
        self.conn = sla_data.connect(url)
        self.seed = int(time.time()) % 100_000 * 10

    def arm(self, n: int, start: datetime, rate: float) -> list[sla_data.ArmedRow]:
        if n == 0:
            return []
        self.seed += 10
        return sla_data.arm(self.conn, n, start, rate, seed=self.seed)

    def park(self, rows: Sequence[sla_data.ArmedRow]) -> None:
        if rows:
            sla_data.park(self.conn, [r.deadline_id for r in rows])

    def one(self, sql: str, params: Any = None) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        self.conn.commit()
        return row[0] if row else None

    def close(self) -> None:
        self.conn.close()


def catch_up(worker: Any, limit_s: float = 600.0) -> tuple[int, int]:
    """Ticks until nothing is due: whatever came due on its own, and the outbox."""
    fired = claimed = 0
    t = time.monotonic()
    while time.monotonic() - t < limit_s:
        r = worker.tick()
        fired += r.fired
        claimed += r.claimed
        if not r:
            break
    return fired, claimed


def _pct(values: Sequence[float], q: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(q / 100 * (len(s) - 1))))
    return s[k]


def open_count(armer: Armer) -> int:
    return int(armer.one("SELECT count(*) FROM work_orders WHERE state <> 'closed'"))


def live_count(armer: Armer) -> int:
    return int(armer.one("SELECT count(*) FROM order_deadlines WHERE next_fire_at IS NOT NULL"))


# ---------------------------------------------------------------- 1. the curve


def explain_claim(url: str, batch: int) -> dict[str, Any]:
    """The claim query alone, EXPLAIN (ANALYZE, BUFFERS), in a transaction that is rolled back; the
    second of two runs (warm)."""
    from sqlalchemy import create_engine, text

    from huiyin.sla import jobs

    engine = create_engine(normalize_url(url))
    if hasattr(jobs, "claim_statement"):
        stmt = jobs.claim_statement(datetime.now(UTC), batch)
    else:  # the worker before issue 4's changes: the same claim, selecting whole rows
        from sqlalchemy import select

        from huiyin.sla.models import OrderDeadline
        from huiyin.workorders.models import WorkOrder

        stmt = (
            select(OrderDeadline, WorkOrder)
            .join(WorkOrder, WorkOrder.id == OrderDeadline.order_id)
            .where(OrderDeadline.next_fire_at <= datetime.now(UTC))
            .order_by(OrderDeadline.next_fire_at)
            .limit(batch)
            .with_for_update(skip_locked=True)
        )
    sql = str(stmt.compile(engine, compile_kwargs={"literal_binds": True}))
    out: dict[str, Any] = {}
    try:
        for _ in range(2):
            with engine.connect() as c:
                plan = c.execute(text("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)).scalar_one()
                c.rollback()
        top = plan[0]
        node = top["Plan"]
        out = {
            "execution_ms": round(top["Execution Time"], 3),
            "planning_ms": round(top["Planning Time"], 3),
            "rows": node.get("Actual Rows"),
            "shared_hit": node.get("Shared Hit Blocks"),
            "shared_read": node.get("Shared Read Blocks"),
            "plan": _plan_outline(node),
        }
        c2 = engine.connect()
        text_plan = c2.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql)).scalars().all()
        c2.rollback()
        c2.close()
        out["text"] = "\n".join(text_plan)
    finally:
        engine.dispose()
    return out


def _plan_outline(node: dict[str, Any], depth: int = 0) -> str:
    name = node["Node Type"] + (f" on {node['Relation Name']}" if "Relation Name" in node else "")
    if "Index Name" in node:
        name += f" using {node['Index Name']}"
    parts = [("  " * depth) + f"{name} (rows={node.get('Actual Rows')})"]
    for child in node.get("Plans", []):
        parts.append(_plan_outline(child, depth + 1))
    return "\n".join(parts)


def timed_tick(worker: Any) -> dict[str, float]:
    """One tick exactly as ``Worker.tick`` runs it (a batch of deadlines, then every due message, until a
    short batch), with its two halves timed."""
    from huiyin.worker import TickResult

    batch = worker.settings.worker.batch_size
    result = TickResult()
    fire_s = deliver_s = 0.0
    batches = 0
    if not hasattr(worker, "deliver"):  # the worker before issue 4: every batch of deadlines, then the outbox
        t = time.perf_counter()
        while (n := worker.fire_batch()) > 0:
            result.fired += n
            batches += 1
            if n < batch:
                break
        t1 = time.perf_counter()
        messages = 0
        while claimed := worker.claim_batch():
            messages += len(claimed)
            worker.finish(worker.send(claimed))
            if len(claimed) < batch:
                break
        t2 = time.perf_counter()
        return {
            "fired": result.fired,
            "fire_batches": batches,
            "fire_ms": (t1 - t) * 1000,
            "messages": messages,  # to send only: that claim published in-app ones without counting them
            "deliver_ms": (t2 - t1) * 1000,
            "tick_ms": (t2 - t) * 1000,
        }
    while True:
        t = time.perf_counter()
        n = worker.fire_batch()
        fire_s += time.perf_counter() - t
        result.fired += n
        batches += 1
        t = time.perf_counter()
        worker.deliver(result)
        deliver_s += time.perf_counter() - t
        if n < batch:
            break
    return {
        "fired": result.fired,
        "fire_batches": batches,
        "fire_ms": fire_s * 1000,
        "messages": result.published + result.claimed,
        "deliver_ms": deliver_s * 1000,
        "tick_ms": (fire_s + deliver_s) * 1000,
    }


def curve(opts: Options, size: int, log: Log) -> list[dict[str, Any]]:
    from huiyin.worker import Worker

    settings = _settings(opts)
    db = open_database(settings)
    worker = Worker(db, settings)
    armer = Armer(opts.url)
    records = []
    dbname = sla_data_dbname(opts.url)
    try:
        n_open, n_live = open_count(armer), live_count(armer)
        for due in opts.due:
            catch_up(worker)
            runs = []
            meter = CpuMeter(sla_data_dbname(opts.url), [])
            meter.start()
            for _ in range(opts.reps):
                catch_up(worker)
                rows = armer.arm(due, datetime.now(UTC) - timedelta(seconds=2), max(due, 1) * 2.0)
                g0, c0 = _backends_cpu(dbname), time.process_time()
                r = timed_tick(worker)
                r["python_cpu_ms"] = (time.process_time() - c0) * 1000
                r["pg_cpu_ms"] = (_backends_cpu(dbname) - g0) * 1000 / TICK
                if r["fired"] < due:
                    log.note(f"  warning: {r['fired']} of {due} fired")
                runs.append(r)
                armer.park(rows)
            cpu = meter.stop()
            rows = armer.arm(due, datetime.now(UTC) - timedelta(seconds=2), max(due, 1) * 2.0)
            plan = explain_claim(opts.url, settings.worker.batch_size)
            armer.park(rows)
            med = {k: round(statistics.median(r[k] for r in runs), 2) for k in runs[0]}
            rec = {
                "kind": "tick",
                "open": n_open,
                "live_deadlines": n_live,
                "due": due,
                "batch": settings.worker.batch_size,
                "reps": opts.reps,
                **med,
                "fire_ms_min": round(min(r["fire_ms"] for r in runs), 2),
                "fire_ms_max": round(max(r["fire_ms"] for r in runs), 2),
                "rows_per_s": round(due / (med["fire_ms"] / 1000)) if due else 0,
                "claim_explain": {k: v for k, v in plan.items() if k != "text"},
                **cpu,
            }
            records.append(rec)
            _emit(opts, rec)
            log.note(
                f"  open {n_open:>9,} due {due:>5,}: tick {med['tick_ms']:8.1f} ms (fire {med['fire_ms']:.1f}, "
                f"deliver {med['deliver_ms']:.1f} for {med['messages']:.0f} messages), "
                f"{rec['rows_per_s']:,} rows/s; CPU python {med['python_cpu_ms']:.0f} ms + postgres "
                f"{med['pg_cpu_ms']:.0f} ms; claim query {plan.get('execution_ms')} ms, "
                f"buffers hit {plan.get('shared_hit')} read {plan.get('shared_read')}"
            )
            if due == max(opts.due):
                log.note("    " + plan.get("text", "").replace("\n", "\n    "))
    finally:
        armer.close()
        db.dispose()
    return records


def statements(opts: Options, size: int, log: Log, due: int = 500) -> dict[str, Any]:
    """One batch of ``due`` firings with every statement it writes through ``bulk_insert`` /
    ``bulk_update`` / ``publish_many`` (the worker's own SQL on PostgreSQL) run first under ``EXPLAIN
    (ANALYZE, BUFFERS, WAL)`` in a savepoint that is rolled back, then for real: the server's time per
    statement, the foreign-key triggers' share, WAL records, full-page images and bytes."""
    from huiyin.core.fastsql import bulk
    from huiyin.notify import service
    from huiyin.worker import Worker

    settings = _settings(opts)
    db = open_database(settings)
    worker = Worker(db, settings)
    armer = Armer(opts.url)
    real = bulk.pg_execute
    seen: list[dict[str, Any]] = []

    def explained(pg: Any, sql: str, params: dict[str, Any], *, fetch: bool = False) -> list[tuple[Any, ...]]:
        with pg.cursor(binary=True) as cur:
            cur.execute("SAVEPOINT bench_explain")
            cur.execute("EXPLAIN (ANALYZE, BUFFERS, WAL, FORMAT JSON) " + sql, params)
            plan = cur.fetchone()[0][0]
            cur.execute("ROLLBACK TO SAVEPOINT bench_explain")
        node = plan["Plan"]
        seen.append(
            {
                "statement": " ".join(sql.split()[:3]),
                "rows": max((len(v) for v in params.values() if isinstance(v, list)), default=0),
                "ms": round(plan["Execution Time"], 1),
                "fk_trigger_ms": round(sum(t["Time"] for t in plan.get("Triggers", [])), 1),
                "wal_records": node.get("WAL Records"),
                "wal_fpi": node.get("WAL FPI"),
                "wal_kb": round((node.get("WAL Bytes") or 0) / 1024),
            }
        )
        return real(pg, sql, params, fetch=fetch)

    try:
        catch_up(worker)
        rows = armer.arm(due, datetime.now(UTC) - timedelta(seconds=2), due * 2.0)
        bulk.pg_execute = service.pg_execute = explained  # type: ignore[assignment]
        fired = worker.fire_batch()
    finally:
        bulk.pg_execute = service.pg_execute = real
    armer.park(rows)
    armer.close()
    db.dispose()
    rec = {"kind": "statements", "open": size, "fired": fired, "statements": seen}
    _emit(opts, rec)
    for st in seen:
        log.note(
            f"    {st['statement']:<32} {st['rows']:>5} rows {st['ms']:>7.1f} ms (FK {st['fk_trigger_ms']:.1f}), "
            f"WAL {st['wal_records']} records, {st['wal_fpi']} full pages, {st['wal_kb']} kB"
        )
    return rec


def sla_data_dbname(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(normalize_url(url)).database or ""


# ---------------------------------------------------------------- 2. sustained rate


class Watcher(threading.Thread):
    """Polls ``work_order_events`` for new warn/escalate events; notes when each was first seen."""

    def __init__(self, url: str, since_id: int, interval: float, margin: int) -> None:
        super().__init__(daemon=True)
        self.conn = sla_data.connect(url, autocommit=True)
        self.low = since_id
        self.interval, self.margin = interval, margin
        self.seen: dict[int, tuple[int, str, str | None, int | None, datetime, float]] = {}
        self.stop_at = float("inf")
        self.done = threading.Event()
        self.polls = 0

    def run(self) -> None:
        top = self.low
        while time.time() < self.stop_at and not self.done.is_set():
            t = time.time()
            rows = self.conn.execute(
                "SELECT id, order_id, action, data->>'stage', (data->>'level')::int, at FROM work_order_events "
                "WHERE id > %s AND action IN ('warn', 'escalate')",
                [max(self.low, top - self.margin)],
            ).fetchall()
            self.polls += 1
            for r in rows:
                if r[0] not in self.seen:
                    self.seen[r[0]] = (r[1], r[2], r[3], r[4], r[5], t)
                    top = max(top, r[0])
            slack = self.interval - (time.time() - t)
            if slack > 0:
                time.sleep(slack)
        self.conn.close()


def _start_workers(opts: Options, n: int, tag: str) -> list[tuple[subprocess.Popen[bytes], Path]]:
    env = dict(os.environ)
    env["HUIYIN_DATABASE_URL"] = normalize_url(opts.url)
    env["HUIYIN_WORKER__EMBEDDED"] = "false"
    if opts.pgoptions:
        env["PGOPTIONS"] = opts.pgoptions
    if opts.code is not None:
        env["PYTHONPATH"] = os.pathsep.join([str(opts.code.resolve()), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    if opts.batch is not None:
        env["HUIYIN_WORKER__BATCH_SIZE"] = str(opts.batch)
    if opts.poll_seconds is not None:
        env["HUIYIN_WORKER__POLL_SECONDS"] = str(opts.poll_seconds)
    procs = []
    for i in range(n):
        path = opts.out.parent / f"sla-worker-{tag}-{i + 1}.log"
        f = path.open("wb")
        p = subprocess.Popen([str(ROOT / ".venv" / "bin" / "huiyin"), "worker"], env=env, stdout=f, stderr=f, cwd=ROOT)
        procs.append((p, path))
    return procs


def _wait_started(procs: Sequence[tuple[subprocess.Popen[bytes], Path]], limit: float = 60.0) -> None:
    t = time.monotonic()
    while time.monotonic() - t < limit:
        if all("worker started" in path.read_text(errors="replace") for _, path in procs):
            return
        for p, path in procs:
            if p.poll() is not None:
                raise SystemExit(f"bench: a worker exited early, see {path}")
        time.sleep(0.2)
    raise SystemExit("bench: the workers did not start in time")


def sustain(opts: Options, n_workers: int, log: Log) -> dict[str, Any]:
    from huiyin.worker import Worker

    settings = _settings(opts)
    db = open_database(settings)
    armer = Armer(opts.url)
    n = int(opts.rate * opts.window)
    n_warm = int(opts.rate * opts.warmup)
    try:
        log.note(
            f"sustained: {opts.rate:,.0f}/s for {opts.warmup:.0f} s of warm-up, then {opts.window:.0f} s measured "
            f"({n:,} deadlines), {n_workers} worker(s)"
        )
        others = wait_quiet(opts.quiet_wait, opts.quiet_busy, log)
        caught = catch_up(Worker(db, settings))
        n_open, n_live = open_count(armer), live_count(armer)
        t_arm = time.time()
        start = datetime.now(UTC) + timedelta(seconds=opts.lead)
        armed = armer.arm(n_warm + n, start, opts.rate)
        warm, measured = armed[:n_warm], armed[n_warm:]
        arm_s = time.time() - t_arm
        t = time.time()
        vac = sla_data.connect(opts.url, autocommit=True)
        vac.execute("VACUUM (ANALYZE) order_deadlines, work_orders")
        vac.close()
        vacuum_s = time.time() - t
        since = int(armer.one("SELECT COALESCE(max(id), 0) FROM work_order_events"))
        outbox_before = int(armer.one("SELECT COALESCE(max(id), 0) FROM outbox"))
        procs = _start_workers(opts, n_workers, f"{n_workers}w")
        try:
            _wait_started(procs)
            t_start = start.timestamp()
            t0 = t_start + opts.warmup  # the measured window
            slack = t_start - time.time()
            log.note(f"  armed in {arm_s:.1f} s, vacuum {vacuum_s:.1f} s, workers up; deadlines start in {slack:.1f} s")
            if slack < 1:
                raise SystemExit("bench: the deadlines started coming due before the workers were up; raise --lead")
            batch = settings.worker.batch_size
            watcher = Watcher(opts.url, since, opts.watch, margin=max(2_000, 4 * batch * n_workers))
            time.sleep(max(0.0, t_start - 1 - time.time()))
            watcher.stop_at = t0 + opts.window + opts.drain
            watcher.start()
            time.sleep(max(0.0, t0 - time.time()))
            meter = CpuMeter(sla_data_dbname(opts.url), [p.pid for p, _ in procs])
            meter.start()
            wal0, ckpt0 = _wal_and_checkpoints(armer)
            by_key = {(r.order_id, r.stage): r for r in measured}
            while time.time() < watcher.stop_at:
                time.sleep(0.5)
                if time.time() > t0 + opts.window and _matched(watcher, by_key) >= n:
                    break
            cpu_window = meter.stop()
            wal1, ckpt1 = _wal_and_checkpoints(armer)
            watcher.done.set()
            watcher.join()
            pending = int(
                armer.one("SELECT count(*) FROM outbox WHERE status = 'pending' AND id > %s", [outbox_before])
            )
            made = int(armer.one("SELECT count(*) FROM outbox WHERE id > %s", [outbox_before]))
        finally:
            for p, _ in procs:
                p.send_signal(signal.SIGTERM)
            for p, _ in procs:
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    p.kill()
        rec = _lateness(measured, by_key, watcher, t0, opts)
        if warm:
            w = _lateness(warm, {(r.order_id, r.stage): r for r in warm}, watcher, t_start, opts)
            rec["warmup"] = {k: w[k] for k in ("fired", "late_p50_ms", "late_p99_ms", "late_max_ms", "within_1s")}
        rec.update(
            {
                "kind": "sustain",
                "open": n_open,
                "live_deadlines": n_live,
                "workers": n_workers,
                "rate": opts.rate,
                "window_s": opts.window,
                "warmup_s": opts.warmup,
                "armed": n,
                "batch": settings.worker.batch_size,
                "poll_seconds": settings.worker.poll_seconds,
                "pgoptions": opts.pgoptions,
                "watch_s": opts.watch,
                "caught_up_before": caught,
                "outbox_made": made,
                "outbox_pending_after": pending,
                "others_before": round(others, 3),
                "wal_mb": round((wal1 - wal0) / 1e6, 1),
                "checkpoints": ckpt1 - ckpt0,
                **cpu_window,
            }
        )
        _emit(opts, rec)
        log.note(
            f"  fired {rec['fired']:,}/{n:,}; lateness visible p50 {rec['late_p50_ms']:.0f} ms, "
            f"p99 {rec['late_p99_ms']:.0f} ms, max {rec['late_max_ms']:.0f} ms; within 1 s: "
            f"{rec['within_1s']:.2%}; throughput {rec['throughput']:,.0f}/s; outbox made {made:,}, pending "
            f"after {pending:,}; CPU workers {cpu_window['cpu_workers']:.2f} postgres "
            f"{cpu_window['cpu_postgres']:.2f} bench {cpu_window['cpu_bench']:.2f} "
            f"others {cpu_window['cpu_others']:.2f}; WAL {rec['wal_mb']:.0f} MB, {rec['checkpoints']} checkpoints"
        )
        if warm:
            w = rec["warmup"]
            log.note(
                f"  (warm-up from idle: p50 {w['late_p50_ms']:.0f} ms, p99 {w['late_p99_ms']:.0f} ms, max "
                f"{w['late_max_ms']:.0f} ms, within 1 s {w['within_1s']:.2%})"
            )
        armer.park(armed)
        catch_up(Worker(db, settings))  # delivers what the run left pending
        return rec
    finally:
        armer.close()
        db.dispose()


def _wal_and_checkpoints(armer: Armer) -> tuple[int, int]:
    """WAL bytes written so far (the whole server: other databases' too) and checkpoints so far."""
    wal = int(armer.one("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn"))
    ckpt = int(armer.one("SELECT checkpoints_timed + checkpoints_req FROM pg_stat_bgwriter"))
    return wal, ckpt


def _matched(watcher: Watcher, by_key: dict[tuple[int, str], sla_data.ArmedRow]) -> int:
    return sum(1 for v in list(watcher.seen.values()) if (v[0], v[2]) in by_key)


def _lateness(
    armed: Sequence[sla_data.ArmedRow],
    by_key: dict[tuple[int, str], sla_data.ArmedRow],
    watcher: Watcher,
    t0: float,
    opts: Options,
) -> dict[str, Any]:
    visible, decided, seen_at = [], [], []
    wrong = 0
    hit: set[int] = set()
    for order_id, action, stage, level, at, seen in watcher.seen.values():
        row = by_key.get((order_id, stage or ""))
        if row is None:
            continue  # something else that came due by itself
        expected = ("warn", None) if row.step == 0 else ("escalate", row.step)
        if (action, level) != expected:
            wrong += 1
            continue
        hit.add(row.deadline_id)
        due = row.at.timestamp()
        visible.append((seen - due) * 1000)
        decided.append((at.timestamp() - due) * 1000)
        seen_at.append(seen)
    n = len(armed)
    fired = len(hit)
    span = (max(seen_at) - t0) if seen_at else float("nan")
    step = 5.0  # lateness by when the deadlines were due: does it grow over the window?
    buckets: dict[int, list[float]] = defaultdict(list)
    for late, seen in zip(visible, seen_at, strict=True):
        buckets[int((seen - late / 1000 - t0) // step)].append(late)
    by_time = [
        {"from_s": k * step, "n": len(v), "p50_ms": round(_pct(v, 50)), "max_ms": round(max(v))}
        for k, v in sorted(buckets.items())
    ]
    return {
        "fired": fired,
        "missing": n - fired,
        "unexpected": wrong,
        "late_p50_ms": round(_pct(visible, 50), 1),
        "late_p90_ms": round(_pct(visible, 90), 1),
        "late_p99_ms": round(_pct(visible, 99), 1),
        "late_max_ms": round(max(visible), 1) if visible else float("nan"),
        "within_1s": round(sum(v <= 1000 for v in visible) / n, 4) if n else 0.0,
        "decided_p50_ms": round(_pct(decided, 50), 1),
        "decided_p99_ms": round(_pct(decided, 99), 1),
        "decided_max_ms": round(max(decided), 1) if decided else float("nan"),
        "throughput": round(fired / span, 1) if seen_at and span > 0 else 0.0,
        "last_seen_after_window_s": round(max(seen_at) - (t0 + opts.window), 2) if seen_at else None,
        "watch_polls": watcher.polls,
        "by_time": by_time,
    }


# ---------------------------------------------------------------- main


def run(opts: Options) -> None:
    log = Log(opts.quiet)
    # in-process ticks: the disabled SMS/voice/email channels log a warning per message; not here
    logging.getLogger("huiyin.worker").setLevel(logging.ERROR)
    data = sla_data.SlaDataOptions(url=opts.url, quiet=opts.quiet)
    if not opts.reuse:
        t = time.perf_counter()
        sla_data.create_database(opts.url)
        info = sla_data.prepare(data, log)
        _emit(opts, {"kind": "prepare", **info, "seconds": round(time.perf_counter() - t, 1)})
    try:
        armer = Armer(opts.url)
        have = int(armer.one("SELECT count(*) FROM work_orders"))
        armer.close()
        sizes = opts.sizes if not opts.reuse else [s for s in opts.sizes if s >= have] or [have]
        for size in sizes:
            if size > have:
                log.note(f"loading {size - have:,} orders ({have:,} → {size:,})")
                report = sla_data.add_orders(data, size - have, log=log)
                _emit(opts, {"kind": "load", "size": size, **report.as_json()})
                have = size
            log.note(f"== {have:,} open orders")
            if "curve" in opts.phases:
                curve(opts, have, log)
            if "statements" in opts.phases:
                statements(opts, have, log)
            if "sustain" in opts.phases and have == opts.rate_size:
                for w in opts.workers:
                    sustain(opts, w, log)
    finally:
        if not opts.keep:
            sla_data.drop_database(opts.url)
            log.note(f"dropped {sla_data_dbname(opts.url)}")


def _ints(text: str) -> list[int]:
    return [int(x.replace("_", "")) for x in text.split(",") if x.strip()]


def main(argv: Iterable[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sla_worker", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/huiyin_sla_bench")
    p.add_argument("--sizes", type=_ints, default=[100_000, 1_000_000, 3_000_000], help="open orders, growing")
    p.add_argument("--due", type=_ints, default=[0, 100, 1_000], help="due deadlines per measured tick")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--rate", type=float, default=2_000.0, help="deadlines due per second in the window")
    p.add_argument("--window", type=float, default=60.0, help="seconds")
    p.add_argument("--workers", type=_ints, default=[1, 2], help="worker processes, one run each")
    p.add_argument("--rate-size", type=int, default=1_000_000, help="open orders for the sustained runs")
    p.add_argument("--batch", type=int, default=None, help="HUIYIN_WORKER__BATCH_SIZE (default: the setting's)")
    p.add_argument("--poll-seconds", type=float, default=None, help="HUIYIN_WORKER__POLL_SECONDS")
    p.add_argument("--watch", type=float, default=0.1, help="seconds between the watcher's polls")
    p.add_argument("--drain", type=float, default=30.0, help="seconds to wait after the window")
    p.add_argument("--lead", type=float, default=75.0, help="seconds from arming to the first deadline")
    p.add_argument("--warmup", type=float, default=40.0, help="seconds at the rate before the measured window")
    p.add_argument("--phases", default="curve,statements,sustain")
    p.add_argument("--reuse", action="store_true", help="use the existing database (no create, no reload)")
    p.add_argument("--keep", action="store_true", help="do not drop the database at the end")
    p.add_argument("--quiet-wait", type=float, default=300.0)
    p.add_argument("--quiet-busy", type=float, default=0.25)
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "out" / "sla-worker.jsonl")
    p.add_argument("--label", default="")
    p.add_argument("--code", type=Path, default=None, help="a directory holding another huiyin/ to measure")
    p.add_argument("--pgoptions", default="", help="PGOPTIONS for the workers' sessions (what-if settings)")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(list(argv) if argv is not None else None)
    if not normalize_url(a.url).startswith("postgresql"):
        p.error("the deadline worker's benchmark runs on PostgreSQL only")
    run(
        Options(
            url=a.url,
            sizes=a.sizes,
            due=a.due,
            reps=a.reps,
            rate=a.rate,
            window=a.window,
            workers=a.workers,
            rate_size=a.rate_size,
            batch=a.batch,
            poll_seconds=a.poll_seconds,
            watch=a.watch,
            drain=a.drain,
            lead=a.lead,
            warmup=a.warmup,
            reuse=a.reuse,
            keep=a.keep,
            phases=tuple(x.strip() for x in a.phases.split(",")),
            quiet_wait=a.quiet_wait,
            quiet_busy=a.quiet_busy,
            out=a.out,
            label=a.label,
            code=a.code,
            pgoptions=a.pgoptions,
            quiet=a.quiet,
        )
    )


if __name__ == "__main__":
    sys.exit(main())
