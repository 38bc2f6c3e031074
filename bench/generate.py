"""Bulk generator of realistic benchmark volume for Huiyin.

    python -m bench.generate --url sqlite:///bench/out/bench.db --customers 1000000 --orders 2000000 \\
        --phones-out bench/out/phones.txt --summary-out bench/out/summary.json

The target must be empty; it is migrated first (``huiyin.cli.upgrade_database``, which also seeds the
categories). Then it loads the demo city's units and areas (``huiyin.demo.city``), one user per role
(named like the role, password ``demo``), ~50 agents and one unit handler per station, the default dispatch
rule (category, area and unit all NULL: "route to the area's owner"), the customers with their phones and
tags, and the work orders of the last ``--days`` days with a consistent event history, their callback tasks
and the per-day order-number counters.

Orders are simulated the way the service would have written them (``huiyin.workorders.service``): every
state change is one event with increasing timestamps, the order's columns are what the ``do_*`` functions
leave behind, and a callback task is owed for every resolution. Ids of events and callback tasks follow
time, as in production. An order whose next step would lie after "now" stops where it is, so recent
orders are open; a few older ones are stuck (suspended, waiting for a callback, ...), which makes a few
per cent of all orders open.

Speed: secondary indexes of the loaded tables are dropped and rebuilt afterwards (their definitions are
read from the database, so new migrations are respected), foreign-key checks are off during the load,
PostgreSQL gets ``COPY ... FREEZE`` inside one transaction (via psycopg 3 ``cursor.copy``), SQLite gets
``executemany`` in large transactions with ``synchronous=OFF`` and an in-memory journal; the SQLite FTS5
tables fed by insert triggers are rebuilt in one pass (``'rebuild'``) instead. Rows are produced and written
in chunks; memory stays bounded (about 150 bytes per customer are kept for the orders' contact fields).
"""

from __future__ import annotations

import argparse
import contextlib
import heapq
import json
import math
import random
import re
import sqlite3
import sys
import time
from array import array
from bisect import bisect
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import make_url

from huiyin.db import normalize_url
from huiyin.demo import city

__all__ = ["GenerateOptions", "Summary", "generate", "main"]

US = 1_000_000  # microseconds per second
MIN = 60 * US
HOUR = 60 * MIN
DAY = 24 * HOUR
PASSWORD = "demo"
ROLE_USERS = (
    "agent",
    "duty_manager",
    "floor_manager",
    "supervisor",
    "director",
    "dispatcher",
    "unit_handler",
    "qa_inspector",
    "admin",
)
AGENTS = 50
BULK_TABLES = (
    "customers",
    "customer_phones",
    "customer_tags",
    "work_orders",
    "work_order_events",
    "callback_tasks",
    "ratings",
    "calls",
)
RATED_PERCENT = 52
"""Of the closed orders, the share with an instant rating (~1,000,000 of 2,000,000 orders)."""

# ------------------------------------------------------------------------------------------ columns

COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("id", "code", "name", "kind", "parent_id", "path", "phone", "is_active", "created_at", "updated_at"),
    "areas": ("id", "code", "name", "area_type", "district", "unit_id", "is_active", "created_at", "updated_at"),
    "users": (
        "id",
        "username",
        "full_name",
        "password_hash",
        "unit_id",
        "phone",
        "is_active",
        "created_at",
        "updated_at",
    ),
    "user_roles": ("user_id", "role"),
    "dispatch_rules": (
        "id",
        "category_id",
        "area_id",
        "unit_id",
        "priority",
        "is_active",
        "note",
        "created_at",
        "updated_at",
    ),
    "customers": ("id", "account_no", "name", "address", "area_id", "meter_no", "created_at", "updated_at"),
    "customer_phones": ("id", "customer_id", "phone", "phone_rev"),  # phone_rev: reversed, for the 尾号 search
    "customer_tags": ("customer_id", "tag"),
    "work_orders": (
        "id",
        "number",
        "type",
        "category_id",
        "grade",
        "state",
        "channel",
        "customer_id",
        "contact_name",
        "contact_phone",
        "address",
        "area_id",
        "description",
        "owner_agent_id",
        "unit_id",
        "last_unit_id",
        "handler_id",
        "result",
        "suspend_reason",
        "callback_result",
        "unreachable_count",
        "reopen_count",
        "closed_on_spot",
        "resolved_at",
        "closed_at",
        "created_at",
        "updated_at",
    ),
    "work_order_events": (
        "id",
        "order_id",
        "action",
        "from_state",
        "to_state",
        "actor_id",
        "unit_id",
        "at",
        "note",
        "data",
    ),
    "callback_tasks": (
        "id",
        "order_id",
        "agent_id",
        "state",
        "attempts",
        "result",
        "note",
        "done_at",
        "created_at",
        "updated_at",
    ),
    "order_number_seq": ("day", "last"),
    "calls": (
        "id",
        "call_id",
        "direction",
        "from_number",
        "to_number",
        "queue",
        "state",
        "agent_id",
        "offered_to",
        "customer_id",
        "offered_at",
        "answered_at",
        "ended_at",
        "acw_ended_at",
        "wait_seconds",
        "talk_seconds",
        "hold_seconds",
        "acw_seconds",
        "cause",
        "abandoned",
        "short_abandon",
        "blocked",
        "ivr_path",
        "updated_at",
    ),
}
QUEUES = (("general", 0.66), ("repair", 0.22), ("senior", 0.07), ("slow_speech", 0.02), ("emergency", 0.03))
"""The inbound queues and their shares of the calls that reach a queue."""

# ------------------------------------------------------------------------------------------ time


class TimeFormat:
    """Microseconds since the epoch (UTC) → what SQLAlchemy writes for ``UTCDateTime``.

    Both sinks get the same naive-UTC text "YYYY-MM-DD HH:MM:SS.ffffff": SQLite stores it as is (exactly
    SQLAlchemy's SQLite format), PostgreSQL parses it into ``timestamptz`` in a session whose time zone is
    UTC.
    """

    _HMS = tuple(f"{h:02d}:{m:02d}:{s:02d}." for h in range(24) for m in range(60) for s in range(60))

    def __init__(self) -> None:
        self._days: dict[int, str] = {}

    def __call__(self, us: int) -> str:
        sec, frac = divmod(us, US)
        day, sec = divmod(sec, 86400)
        prefix = self._days.get(day)
        if prefix is None:
            prefix = self._days[day] = datetime.fromtimestamp(day * 86400, UTC).strftime("%Y-%m-%d ")
        return f"{prefix}{self._HMS[sec]}{frac:06d}"


def to_us(at: datetime) -> int:
    return (at - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(microseconds=1)


# ------------------------------------------------------------------------------------------ sinks


class Sink:
    """Where rows go; records per-table write time."""

    dialect = ""

    def __init__(self) -> None:
        self.rows: Counter[str] = Counter()
        self.seconds: defaultdict[str, float] = defaultdict(float)

    def write(self, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        t = time.perf_counter()
        self._write(table, COLUMNS[table], rows)
        self.seconds[table] += time.perf_counter() - t
        self.rows[table] += len(rows)

    def _write(self, table: str, cols: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        raise NotImplementedError

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def checkpoint(self) -> None:
        """End of a chunk (SQLite commits here; PostgreSQL keeps its single transaction)."""

    def prepare(self) -> None: ...

    def finish(self, log: Log) -> None: ...

    def close(self) -> None: ...


class SqliteSink(Sink):
    dialect = "sqlite"

    def __init__(self, path: str) -> None:
        super().__init__()
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.journal_mode = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        self.conn.execute("PRAGMA journal_mode=MEMORY")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("PRAGMA foreign_keys=OFF")
        self.conn.execute("PRAGMA cache_size=-1048576")  # 1 GiB while loading
        self.conn.execute("PRAGMA temp_store=FILE")
        self.indexes: list[tuple[str, str]] = []
        self.triggers: list[tuple[str, str]] = []
        self.fts: list[str] = []
        self.conn.execute("BEGIN")

    def _write(self, table: str, cols: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"
        self.conn.executemany(sql, rows)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.conn.execute(sql, params).fetchall()

    def checkpoint(self) -> None:
        self.conn.execute("COMMIT")
        self.conn.execute("BEGIN")

    def prepare(self) -> None:
        """Drops the bulk tables' secondary indexes and the insert triggers that feed FTS5 tables."""
        marks = ",".join("?" * len(BULK_TABLES))
        self.indexes = self.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type='index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks}) ORDER BY rowid",
            BULK_TABLES,
        )
        fts_by_content: dict[str, str] = {}
        for name, sql in self.execute(
            "SELECT name, sql FROM sqlite_master WHERE type='table' AND sql LIKE "
            "'CREATE VIRTUAL TABLE%' AND lower(sql) LIKE '%using fts%'"
        ):
            m = re.search(r"content\s*=\s*['\"]?(\w+)", sql, re.I)
            if m and m.group(1) in BULK_TABLES:
                fts_by_content[name] = m.group(1)
        self.fts = list(fts_by_content)
        for name, sql in self.execute(
            f"SELECT name, sql FROM sqlite_master WHERE type='trigger' AND tbl_name IN ({marks}) ORDER BY rowid",
            BULK_TABLES,
        ):
            if re.search(r"\bAFTER\s+INSERT\b", sql, re.I) and any(f in sql for f in self.fts):
                self.triggers.append((name, sql))
        for name, _ in self.indexes:
            self.conn.execute(f'DROP INDEX "{name}"')
        for name, _ in self.triggers:
            self.conn.execute(f'DROP TRIGGER "{name}"')
        self.checkpoint()

    def finish(self, log: Log) -> None:
        with log.phase("indexes"):
            for name, sql in self.indexes:
                t = time.perf_counter()
                self.conn.execute(sql)
                log.note(f"  index {name}: {time.perf_counter() - t:.1f} s")
            self.checkpoint()
        with log.phase("fts rebuild"):
            for name in self.fts:
                self.conn.execute(f"INSERT INTO {name}({name}) VALUES('rebuild')")
            for _, sql in self.triggers:
                self.conn.execute(sql)
            self.conn.execute("COMMIT")
        with log.phase("analyze"):
            self.conn.execute("ANALYZE")
        self.conn.execute("PRAGMA synchronous=NORMAL")
        mode = self.journal_mode if self.journal_mode.lower() != "memory" else "delete"
        self.conn.execute(f"PRAGMA journal_mode={mode}")

    def close(self) -> None:
        self.conn.close()


class PgSink(Sink):
    """One transaction: TRUNCATE the bulk tables, drop their secondary indexes, COPY ... FREEZE, rebuild."""

    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        super().__init__()
        import psycopg

        conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.conn = psycopg.connect(conninfo)
        self.cur = self.conn.cursor()
        self.indexes: list[tuple[str, str]] = []
        self.freeze = False
        self.cur.execute("SET TIME ZONE 'UTC'")
        self.cur.execute("SET synchronous_commit = off")
        self.cur.execute("SET maintenance_work_mem = '1GB'")
        self.fk_off = True
        try:  # skips the foreign-key triggers; needs a superuser, so it is only an optimisation
            self.cur.execute("SAVEPOINT fk")
            self.cur.execute("SET LOCAL session_replication_role = replica")
            self.cur.execute("RELEASE SAVEPOINT fk")
        except psycopg.Error:
            self.cur.execute("ROLLBACK TO SAVEPOINT fk")
            self.fk_off = False

    def _write(self, table: str, cols: tuple[str, ...], rows: Sequence[tuple[Any, ...]]) -> None:
        opts = " (FREEZE)" if self.freeze and table in BULK_TABLES else ""
        with self.cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN{opts}") as copy:
            for row in rows:
                copy.write_row(row)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        self.cur.execute(sql, params or None)
        return self.cur.fetchall() if self.cur.description else []

    def prepare(self) -> None:
        try:  # COPY ... FREEZE needs the table truncated in this transaction; refused if others refer to it
            self.cur.execute("SAVEPOINT tr")
            self.cur.execute(f"TRUNCATE {', '.join(BULK_TABLES)}")
            self.cur.execute("RELEASE SAVEPOINT tr")
            self.freeze = True
        except Exception:
            self.cur.execute("ROLLBACK TO SAVEPOINT tr")
        self.indexes = self.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint) "
            "ORDER BY tablename, indexname",
            [list(BULK_TABLES)],
        )
        for name, _ in self.indexes:
            self.cur.execute(f'DROP INDEX "{name}"')

    def finish(self, log: Log) -> None:
        with log.phase("indexes"):
            for name, sql in self.indexes:
                t = time.perf_counter()
                self.cur.execute(sql)
                log.note(f"  index {name}: {time.perf_counter() - t:.1f} s")
        for table in COLUMNS:
            if "id" in COLUMNS[table]:
                self.cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)"
                )
        with log.phase("commit"):
            self.conn.commit()
        self.conn.autocommit = True
        # VACUUM too, not ANALYZE alone: a bulk-loaded table has no visibility map yet, so every count a
        # list page makes would read the heap (a bitmap heap scan of ~4,700 pages for one station's open
        # orders: 10 ms) instead of the partial index alone (2 ms). A database that grew by use has one,
        # kept by autovacuum; this makes the generated one look like it.
        with log.phase("vacuum analyze"):
            self.cur.execute("VACUUM (ANALYZE)")

    def close(self) -> None:
        self.conn.close()


# ------------------------------------------------------------------------------------------ log


class Log:
    def __init__(self, quiet: bool = False) -> None:
        self.quiet = quiet
        self.phases: dict[str, float] = {}
        self.started = time.perf_counter()

    def note(self, text: str) -> None:
        if not self.quiet:
            print(text, flush=True)

    def phase(self, name: str) -> _Phase:
        return _Phase(self, name)


class _Phase:
    def __init__(self, log: Log, name: str) -> None:
        self.log, self.name = log, name

    def __enter__(self) -> None:
        self.t = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        took = time.perf_counter() - self.t
        self.log.phases[self.name] = self.log.phases.get(self.name, 0.0) + took
        self.log.note(f"{self.name}: {took:.1f} s")


# ------------------------------------------------------------------------------------------ texts

RESULTS = {
    "EM": (
        "抢修人员到场处置，已关闭阀门并完成管道修复，现场检测无泄漏。",
        "已切断故障线路并完成抢修，恢复供电，现场安全。",
        "到场检查确认险情已排除，已对用户进行安全用气宣传。",
    ),
    "RP": (
        "已上门检修，更换减压阀后恢复正常。",
        "已更换表具电池，表具工作正常。",
        "已处理线路接触不良，恢复供电。",
        "已上门检查，为户内开关故障，已协助更换。",
        "已调整管网压力，用户用气恢复正常。",
    ),
    "SR": ("已按客户预约时间上门办理完毕。", "已告知所需材料，客户已在营业厅办结。", "已完成现场勘查并答复客户。"),
    "IQ": ("已为客户查询并答复。", "已告知客户相关政策及办理渠道。"),
    "CP": (
        "已核实情况，向客户致歉并说明整改措施，客户接受。",
        "已约谈相关人员并答复客户。",
        "已核对账单，多收费用已退还。",
    ),
    "SG": ("已记录客户建议并转相关部门。",),
    "PR": ("已将表扬转达相关班组。",),
    "CB": ("已完成回访，客户无其他意见。",),
    "CA": ("已上门为老人讲解安全用气并检查设施。", "已联系客户并完成关怀服务。"),
}
SPOT_ANSWERS = ("已当场答复客户。", "已告知客户查询结果。", "已记录客户意见并致谢。", "已告知客户办理渠道和所需材料。")
SUSPEND_REASONS = (
    "等待配件到货",
    "客户不在家，约定改期上门",
    "需协调物业开挖路面",
    "等待供电线路停电计划",
    "需第三方施工配合",
)
RETURN_REASONS = ("地址不属于本单位辖区", "业务类型不符，请重新派单", "非本所维护设备")
REASSIGN_REASONS = ("改派辖区单位", "原单位人手不足，改派抢修班")
CALLBACK_NOTES = {
    "satisfied": ("客户表示满意", "客户对处理结果满意", "问题已解决，客户满意"),
    "basically_satisfied": ("客户基本满意", "客户认为处理偏慢，基本满意"),
    "unsatisfied": ("客户表示问题未彻底解决", "客户反映问题再次出现"),
    "unreachable": ("电话无人接听", "客户关机", "电话占线"),
}
HOUR_WEIGHTS = (0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 1, 2.5, 5, 7, 7.5, 7, 5.5, 5, 6, 6.5, 6.5, 6, 5, 5, 4.5, 3.5, 2, 1)
CHANNELS = (("phone", 70), ("wechat", 15), ("web", 6), ("sms", 2), ("email", 1), ("walk_in", 6))
TYPE_SHARE = {"EM": 3, "RP": 40, "SR": 20, "IQ": 20, "CP": 7, "SG": 2, "PR": 1, "CB": 3, "CA": 4}
ON_SPOT = {"inquiry", "suggestion", "praise"}
STUCK_STATES = (("dispatched", 15), ("accepted", 12), ("in_progress", 25), ("suspended", 18), ("resolved", 30))
OPEN_STATES = ("registered", "dispatched", "accepted", "in_progress", "suspended", "resolved")

_json_cache: dict[tuple[Any, ...], str] = {}


def jd(*pairs: Any) -> str:
    """``json.dumps`` of a small dict given as key, value, key, value… (cached; SQLAlchemy's format)."""
    got = _json_cache.get(pairs)
    if got is None:
        got = _json_cache[pairs] = json.dumps(dict(zip(pairs[::2], pairs[1::2], strict=True)))
    return got


# ------------------------------------------------------------------------------------------ options


@dataclass
class GenerateOptions:
    url: str
    customers: int = 1_000_000
    orders: int = 2_000_000
    days: int = 365
    seed: int = 20261122
    now: datetime | None = None
    chunk: int = 50_000
    phones_out: Path | None = None
    phones_sample: int = 10_000
    summary_out: Path | None = None
    prefix: str = "GD"
    timezone: str = "Asia/Shanghai"
    quiet: bool = False
    calls: int = 0
    agents: int = AGENTS


@dataclass
class Summary:
    url: str
    rows: dict[str, int] = field(default_factory=dict)
    rows_per_s: dict[str, float] = field(default_factory=dict)
    phases_s: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0
    station_unit_ids: list[int] = field(default_factory=list)
    busiest_station_id: int = 0
    open_by_unit: dict[int, int] = field(default_factory=dict)
    states: dict[str, int] = field(default_factory=dict)
    max_customer_id: int = 0
    max_order_id: int = 0
    phones_file: str | None = None
    fk_checks_skipped: bool = True
    db_bytes: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items()}


# ------------------------------------------------------------------------------------------ world


@dataclass
class World:
    """Reference ids the order simulation needs."""

    unit_code: dict[int, str]
    station_ids: list[int]
    branch_of: dict[int, int]
    stations_of_branch: dict[int, list[int]]
    area_unit: dict[int, int]
    area_ids: list[int]
    handlers: dict[int, list[int]]
    agents: list[int]
    dispatcher: int
    managers: list[int]
    categories: list[tuple[int, str, str, str]]  # id, code, type, default grade
    cat_cum: list[float]


def _pick_weighted(items: Sequence[tuple[Any, float]]) -> tuple[list[Any], list[float]]:
    names = [n for n, _ in items]
    cum, total = [], 0.0
    for _, w in items:
        total += w
        cum.append(total)
    return names, cum


def load_reference(
    sink: Sink, rng: random.Random, start_us: int, fmt: TimeFormat, agent_count: int = AGENTS
) -> World:
    """Units, areas, users and roles, the default dispatch rule."""
    t0 = fmt(start_us - 30 * DAY)
    units = city.units()
    unit_id: dict[str, int] = {}
    unit_rows: list[tuple[Any, ...]] = []
    unit_code: dict[int, str] = {}
    path: dict[int, str] = {}
    for i, u in enumerate(units, start=1):
        unit_id[u.code] = i
        parent = unit_id[u.parent_code] if u.parent_code else None
        path[i] = f"{path[parent] if parent else '/'}{i}/"
        unit_code[i] = u.code
        phone = city.landline(rng) if u.kind != "company" else "95598"
        unit_rows.append((i, u.code, u.name, u.kind, parent, path[i], phone, True, t0, t0))
    sink.write("units", unit_rows)
    station_ids = [unit_id[u.code] for u in units if u.kind == "station"]
    branch_of = {unit_id[u.code]: unit_id[u.parent_code] for u in units if u.kind == "station" and u.parent_code}
    stations_of_branch: dict[int, list[int]] = {}
    for s, b in branch_of.items():
        stations_of_branch.setdefault(b, []).append(s)

    area_rows, area_unit = [], {}
    for i, a in enumerate(city.areas(), start=1):
        area_unit[i] = unit_id[a.unit_code]
        area_rows.append((i, a.code, a.name, a.area_type, a.district, unit_id[a.unit_code], True, t0, t0))
    sink.write("areas", area_rows)

    from huiyin.auth.service import hash_password

    pw = hash_password(PASSWORD)  # once; every demo user shares it
    users: list[tuple[Any, ...]] = []
    roles: list[tuple[int, str]] = []

    def person() -> str:
        while True:
            name = city.person_name(rng)
            if len(name) <= 4:
                return name

    def add(username: str, role: str, unit: int | None = None, full_name: str | None = None) -> int:
        uid = len(users) + 1
        users.append((uid, username, full_name or person(), pw, unit, city.mobile_phone(rng), True, t0, t0))
        roles.append((uid, role))
        return uid

    ids = {r: add(r, r, unit=station_ids[0] if r == "unit_handler" else None) for r in ROLE_USERS}
    agents = [ids["agent"]] + [add(f"agent{i:03d}", "agent") for i in range(1, agent_count + 1)]
    handlers: dict[int, list[int]] = {s: [] for s in station_ids}
    handlers[station_ids[0]].append(ids["unit_handler"])
    for s in station_ids:
        handlers[s].append(add(f"handler_{unit_code[s].lower().replace('-', '_')}", "unit_handler", unit=s))
    sink.write("users", users)
    sink.write("user_roles", roles)
    sink.write("dispatch_rules", [(1, None, None, None, 100, True, "默认规则：派往服务区域所属单位", t0, t0)])

    cats = {
        code: (cid, code, typ, grade)
        for cid, code, typ, grade in sink.execute("SELECT id, code, type, default_grade FROM categories")
    }
    leaves = [cats[c] for c in city.CATEGORY_CODES if c in cats]
    if not leaves:
        raise SystemExit("no categories: was the database migrated and seeded?")
    per_prefix = Counter(c[1][:2] for c in leaves)
    _, cat_cum = _pick_weighted([(c, TYPE_SHARE.get(c[1][:2], 1) / per_prefix[c[1][:2]]) for c in leaves])
    return World(
        unit_code=unit_code,
        station_ids=station_ids,
        branch_of=branch_of,
        stations_of_branch=stations_of_branch,
        area_unit=area_unit,
        area_ids=list(area_unit),
        handlers=handlers,
        agents=agents,
        dispatcher=ids["dispatcher"],
        managers=[ids["duty_manager"], ids["floor_manager"]],
        categories=leaves,
        cat_cum=cat_cum,
    )


# ------------------------------------------------------------------------------------------ customers


class CustomerBook:
    """What orders need of each customer, compactly: area id and "name\\x1faddress\\x1fphone"."""

    def __init__(self) -> None:
        self.area = array("H", [0])
        self.info: list[str] = [""]

    def __len__(self) -> int:
        return len(self.info) - 1


def load_customers(
    sink: Sink, opts: GenerateOptions, rng: random.Random, start_us: int, fmt: TimeFormat, log: Log
) -> tuple[CustomerBook, list[str]]:
    areas = city.areas()
    area_id = {a.code: i for i, a in enumerate(areas, start=1)}
    book = CustomerBook()
    n = opts.customers
    want = set(rng.sample(range(1, n + 1), min(opts.phones_sample, n))) if n else set()
    sample: list[str] = []
    cust, phones, tags = [], [], []
    phone_id = 0
    span = 10 * 365 * DAY
    rand = rng.random
    for cid, spec in enumerate(city.customers(rng, n, areas), start=1):
        aid = area_id[spec.area_code]
        created = fmt(start_us - int(rand() * span))
        cust.append((cid, spec.account_no, spec.name, spec.address, aid, spec.meter_no, created, created))
        for p in spec.phones:
            phone_id += 1
            phones.append((phone_id, cid, p, p[::-1]))
        for tag in spec.tags:
            tags.append((cid, tag))
        book.area.append(aid)
        book.info.append(f"{spec.name}\x1f{spec.address}\x1f{spec.phones[0]}")
        if cid in want:
            sample.append(spec.phones[int(rand() * len(spec.phones))])
        if len(cust) >= opts.chunk:
            sink.write("customers", cust)
            sink.write("customer_phones", phones)
            sink.write("customer_tags", tags)
            sink.checkpoint()
            cust, phones, tags = [], [], []
            if cid % (opts.chunk * 4) == 0:
                log.note(f"  customers: {cid:,}")
    sink.write("customers", cust)
    sink.write("customer_phones", phones)
    sink.write("customer_tags", tags)
    sink.checkpoint()
    rng.shuffle(sample)
    return book, sample


# ------------------------------------------------------------------------------------------ orders


class _Stop(Exception):
    """The next step of an order would happen after "now"."""


class OrderSim:
    """One order's life, step by step, with the effects of ``huiyin.workorders.service``'s ``do_*``."""

    __slots__ = (
        "callback_result",
        "closed_at",
        "closed_on_spot",
        "events",
        "grade",
        "handler_id",
        "last_unit_id",
        "now",
        "reopen_count",
        "resolved_at",
        "result",
        "state",
        "suspend_reason",
        "task",
        "tasks",
        "unit_code",
        "unit_id",
        "unreachable_count",
        "updated_at",
    )

    def __init__(self, now: int, grade: str, unit_code: dict[int, str]) -> None:
        self.now = now
        self.events: list[tuple[int, str, str | None, str, int | None, int | None, str, str]] = []
        self.tasks: list[list[Any]] = []
        self.state = "registered"
        self.unit_id: int | None = None
        self.last_unit_id: int | None = None
        self.handler_id: int | None = None
        self.result: str | None = None
        self.suspend_reason: str | None = None
        self.callback_result: str | None = None
        self.unreachable_count = 0
        self.reopen_count = 0
        self.closed_on_spot = False
        self.resolved_at: int | None = None
        self.closed_at: int | None = None
        self.grade = grade
        self.updated_at = 0
        self.task: list[Any] | None = None  # the open callback task
        self.unit_code = unit_code

    def _ev(self, at: int, action: str, to: str, actor: int | None, note: str, data: str) -> None:
        self.events.append(
            (at, action, self.state if action != "register" else None, to, actor, self.unit_id, note, data)
        )
        self.state = to
        self.updated_at = at

    def _check(self, at: int) -> None:
        if at > self.now:
            raise _Stop

    def register(self, at: int, actor: int, category: str) -> None:
        self._ev(at, "register", "registered", actor, "", jd("category", category))

    def close_on_spot(self, at: int, actor: int, answer: str) -> None:
        self._check(at)
        self.closed_at = at
        self.closed_on_spot = True
        self.result = answer
        self._ev(at, "close", "closed", actor, answer, jd("on_spot", True))

    def dispatch(self, at: int, unit: int, actor: int | None, note: str = "", auto: bool = False) -> None:
        self._check(at)
        self.unit_id = self.last_unit_id = unit
        self.handler_id = None
        self._ev(at, "dispatch", "dispatched", actor, note, jd("unit_code", self.unit_code[unit], "auto", auto))

    def reassign(self, at: int, unit: int, actor: int, note: str) -> None:
        self._check(at)
        previous = self.unit_id
        self.unit_id = self.last_unit_id = unit
        self.handler_id = None
        self.suspend_reason = None
        self._ev(
            at, "reassign", "dispatched", actor, note, jd("from_unit_id", previous, "unit_code", self.unit_code[unit])
        )

    def return_(self, at: int, actor: int, reason: str) -> None:
        self._check(at)
        previous = self.unit_id
        self.unit_id = None
        self.handler_id = None
        self._ev(at, "return", "registered", actor, reason, jd("from_unit_id", previous))

    def accept(self, at: int, actor: int) -> None:
        self._check(at)
        self.handler_id = actor
        self._ev(at, "accept", "accepted", actor, "", "{}")

    def start(self, at: int, actor: int) -> None:
        self._check(at)
        self.handler_id = self.handler_id or actor
        self._ev(at, "start", "in_progress", actor, "", "{}")

    def suspend(self, at: int, actor: int, reason: str) -> None:
        self._check(at)
        self.suspend_reason = reason
        self._ev(at, "suspend", "suspended", actor, reason, "{}")

    def resume(self, at: int, actor: int) -> None:
        self._check(at)
        self.suspend_reason = None
        self._ev(at, "resume", "in_progress", actor, "", "{}")

    def resolve(self, at: int, actor: int, result: str, agent: int) -> None:
        self._check(at)
        self.result = result
        self.resolved_at = at
        self.handler_id = self.handler_id or actor
        self._ev(at, "resolve", "resolved", actor, result, "{}")
        # id, agent, state, attempts, result, note, done_at, created_at, updated_at
        self.task = [agent, "open", 0, None, "", None, at, at]
        self.tasks.append(self.task)

    def _finish_task(self, at: int, result: str, note: str, state: str = "done") -> None:
        task = self.task
        if task is not None:
            task[1], task[3], task[4], task[5], task[7] = state, result, note, at, at
            self.task = None

    def close(self, at: int, actor: int, reason: str, *pairs: Any) -> None:
        self._check(at)
        self.closed_at = at
        self._finish_task(
            at, self.callback_result or "waived", reason, "cancelled" if self.callback_result is None else "done"
        )
        self._ev(at, "close", "closed", actor, reason, jd("on_spot", False, *pairs))

    def reopen(self, at: int, actor: int, reason: str, *pairs: Any) -> None:
        self._check(at)
        self._finish_task(at, "reopened", reason, "cancelled")
        self.grade = {"normal": "important", "important": "urgent"}.get(self.grade, "urgent")
        self.reopen_count += 1
        self.closed_at = None
        self.resolved_at = None
        self.handler_id = None
        self.unit_id = self.last_unit_id
        self._ev(
            at,
            "reopen",
            "dispatched" if self.unit_id is not None else "registered",
            actor,
            reason,
            jd("grade", self.grade, *pairs),
        )

    def callback(self, at: int, actor: int, result: str, note: str, max_unreachable: int = 3) -> None:
        self._check(at)
        self.callback_result = result
        if result in ("satisfied", "basically_satisfied"):
            self._finish_task(at, result, note)
            self.close(at, actor, note, "callback", result)
        elif result == "unsatisfied":
            self._finish_task(at, result, note)
            self.reopen(at, actor, note or "回访不满意", "callback", result)
        else:
            self.unreachable_count += 1
            if self.task is not None:
                self.task[2] += 1
                self.task[7] = at
            if self.unreachable_count >= max_unreachable:
                self._finish_task(at, result, note)
                self.close(
                    at,
                    actor,
                    f"{max_unreachable}次回访未接通，按规定归档",
                    "callback",
                    result,
                    "attempts",
                    self.unreachable_count,
                )
            else:
                self._ev(
                    at, "callback", self.state, actor, note, jd("callback", result, "attempts", self.unreachable_count)
                )


class OrderFactory:
    """Decides each order's content and life."""

    def __init__(self, world: World, book: CustomerBook, rng: random.Random, now: int) -> None:
        self.w, self.book, self.rng, self.now = world, book, rng, now
        self.chan_names, self.chan_cum = _pick_weighted(CHANNELS)
        self.stuck_names, self.stuck_cum = _pick_weighted(STUCK_STATES)
        self.n_customers = len(book)
        self.areas = city.areas()

    def _lognorm(self, median_s: float, sigma: float) -> int:
        return max(US, int(median_s * math.exp(self.rng.gauss(0.0, sigma)) * US))

    def _choice(self, names: list[Any], cum: list[float]) -> Any:
        return names[min(bisect(cum, self.rng.random() * cum[-1]), len(names) - 1)]

    def make(self, t0: int) -> tuple[tuple[Any, ...], OrderSim]:
        rng, w = self.rng, self.w
        rand = rng.random
        cat = self._choice(w.categories, w.cat_cum)
        cat_id, code, otype, grade = cat
        prefix = code[:2]
        channel = self._choice(self.chan_names, self.chan_cum)
        agent = w.agents[int(rand() * len(w.agents))]
        customer_id: int | None = None
        contact_name, address, area_id = "", "", None
        if self.n_customers and rand() < 0.92:
            if rand() < 0.3:  # regular callers
                customer_id = 20 * (1 + int(rand() * max(1, self.n_customers // 20)))
                customer_id = min(customer_id, self.n_customers)
            else:
                customer_id = 1 + int(rand() * self.n_customers)
            contact_name, address, phone = self.book.info[customer_id].split("\x1f")
            area_id = self.book.area[customer_id]
        else:
            phone = city.mobile_phone(rng)
            if otype == "emergency" or rand() < 0.25:
                area_id = w.area_ids[int(rand() * len(w.area_ids))]
                address = city.address(rng, self.areas[area_id - 1])
            if rand() < 0.6:
                contact_name = city.person_name(rng)
        description = city.order_description(rng, code)
        sim = OrderSim(self.now, grade, w.unit_code)
        sim.register(t0, agent, code)
        with contextlib.suppress(_Stop):
            self._life(sim, t0, otype, prefix, area_id, agent)
        row = (
            None,
            None,
            otype,
            cat_id,
            sim.grade,
            sim.state,
            channel,
            customer_id,
            contact_name,
            phone,
            address,
            area_id,
            description,
            agent,
            sim.unit_id,
            sim.last_unit_id,
            sim.handler_id,
            sim.result,
            sim.suspend_reason,
            sim.callback_result,
            sim.unreachable_count,
            sim.reopen_count,
            sim.closed_on_spot,
            sim.resolved_at,
            sim.closed_at,
            t0,
            sim.updated_at,
        )
        return row, sim

    def _life(self, s: OrderSim, t: int, otype: str, prefix: str, area_id: int | None, agent: int) -> None:
        rng, w = self.rng, self.w
        rand = rng.random
        ln = self._lognorm
        if otype in ON_SPOT and rand() < 0.85:
            s.close_on_spot(t + int((60 + rand() * 540) * US), agent, rng.choice(SPOT_ANSWERS))
            return
        age_days = (self.now - t) / DAY
        halt = None
        if rand() < 0.45 * math.exp(-age_days / 25):
            halt = "registered" if area_id is None and rand() < 0.5 else self._choice(self.stuck_names, self.stuck_cum)
        emergency = otype == "emergency"
        if area_id is not None:
            t += 2_000 + int(rand() * 20_000)  # same request as the registration
            s.dispatch(t, w.area_unit[area_id], None, "自动派单", auto=True)
        else:
            if halt == "registered":
                return
            t += ln(900, 1.0)
            s.dispatch(t, w.station_ids[int(rand() * len(w.station_ids))], w.dispatcher)
        if halt == "dispatched":
            return
        if rand() < 0.02:  # wrong unit: handed back, the dispatcher sends it elsewhere
            t += ln(1800, 0.8)
            s.return_(t, rng.choice(w.handlers[s.unit_id or 0] or [w.dispatcher]), rng.choice(RETURN_REASONS))
            t += ln(600, 0.8)
            others = [u for u in w.station_ids if u != s.last_unit_id]
            s.dispatch(t, rng.choice(others), w.dispatcher)
        resolve_median = {"EM": 5400, "RP": 4 * 3600, "SR": 86400, "CP": 1.5 * 86400}.get(prefix, 86400)
        for round_ in range(2):
            unit = s.unit_id or 0
            handler = rng.choice(w.handlers[unit])
            t += ln(180, 0.6) if emergency else ln(2400, 1.0)
            s.accept(t, handler)
            if halt == "accepted":
                return
            if round_ == 0 and not emergency and rand() < 0.015:
                t += ln(3600, 0.8)
                siblings = [u for u in w.stations_of_branch[w.branch_of[unit]] if u != unit] or [
                    u for u in w.station_ids if u != unit
                ]
                unit = rng.choice(siblings)
                s.reassign(t, unit, w.dispatcher, rng.choice(REASSIGN_REASONS))
                handler = rng.choice(w.handlers[unit])
                t += ln(1800, 1.0)
                s.accept(t, handler)
            t += ln(120, 0.5) if emergency else ln(3 * 3600, 1.0)
            s.start(t, handler)
            if halt == "in_progress":
                return
            if halt == "suspended" or (not emergency and rand() < 0.06):
                t += ln(resolve_median / 3, 0.8)
                s.suspend(t, handler, rng.choice(SUSPEND_REASONS))
                if halt == "suspended":
                    return
                t += ln(2 * 86400, 0.7)
                s.resume(t, handler)
            t += ln(resolve_median, 0.6 if emergency else 0.9)
            s.resolve(t, handler, rng.choice(RESULTS.get(prefix, RESULTS["RP"])), agent)
            if halt == "resolved":
                for _ in range(int(rand() * 3)):
                    t += ln(86400, 0.5)
                    s.callback(t, agent, "unreachable", rng.choice(CALLBACK_NOTES["unreachable"]))
                return
            if rand() < 0.01:  # a manager waives the callback
                t += ln(3 * 86400, 0.4)
                s.close(t, rng.choice(w.managers), "免回访归档", "waived", True)
                return
            t += ln(18 * 3600, 0.6)
            while True:
                r = rand()
                if round_ == 0:
                    result = (
                        "satisfied"
                        if r < 0.72
                        else "basically_satisfied"
                        if r < 0.86
                        else "unsatisfied"
                        if r < 0.89
                        else "unreachable"
                    )
                else:
                    result = "satisfied" if r < 0.8 else "basically_satisfied" if r < 0.95 else "unreachable"
                s.callback(t, agent, result, rng.choice(CALLBACK_NOTES[result]))
                if s.state != "resolved":
                    break
                t += ln(86400, 0.5)
            if s.state == "closed":
                return
            # reopened (dispatched again): the second round


def day_counts(rng: random.Random, opts: GenerateOptions, now: datetime) -> list[tuple[date, int, int]]:
    """(local date, orders that day, local midnight in µs UTC) for the window, summing to ``opts.orders``."""
    tz = ZoneInfo(opts.timezone)
    today = now.astimezone(tz).date()
    days = [today - timedelta(days=i) for i in range(opts.days - 1, -1, -1)]
    hour_total = sum(HOUR_WEIGHTS)
    local_now = now.astimezone(tz)
    elapsed = sum(HOUR_WEIGHTS[: local_now.hour]) + HOUR_WEIGHTS[local_now.hour] * (local_now.minute / 60)
    weights = []
    for d in days:
        weekday = 0.8 if d.weekday() >= 5 else 1.0
        season = 1.0 + 0.2 * math.cos(2 * math.pi * (d.timetuple().tm_yday - 15) / 365)  # winter gas peak
        season += 0.15 * math.exp(-(((d.timetuple().tm_yday - 205) / 25) ** 2))  # summer power peak
        w = weekday * season * (0.9 + 0.2 * rng.random())
        if d == today:
            w *= elapsed / hour_total
        weights.append(w)
    total = sum(weights)
    raw = [opts.orders * x / total for x in weights]
    counts = [int(x) for x in raw]
    for i in sorted(range(len(raw)), key=lambda i: raw[i] - counts[i], reverse=True)[: opts.orders - sum(counts)]:
        counts[i] += 1
    out = []
    for d, c in zip(days, counts, strict=True):
        midnight = datetime(d.year, d.month, d.day, tzinfo=tz)
        out.append((d, c, to_us(midnight)))
    return out


def day_times(rng: random.Random, n: int, midnight: int, now: int) -> list[int]:
    cum = list(_pick_weighted([(h, w) for h, w in enumerate(HOUR_WEIGHTS)])[1])
    hours = rng.choices(range(24), cum_weights=cum, k=n)
    out = []
    rand = rng.random
    for h in hours:
        t = midnight + h * HOUR + int(rand() * HOUR)
        while t > now:  # today: only what has happened so far
            t = midnight + int(rand() * max(1, now - midnight))
        out.append(t)
    out.sort()
    return out


def load_orders(
    sink: Sink,
    opts: GenerateOptions,
    world: World,
    book: CustomerBook,
    rng: random.Random,
    now_dt: datetime,
    fmt: TimeFormat,
    log: Log,
) -> tuple[Counter[str], Counter[int], int]:
    now = to_us(now_dt)
    factory = OrderFactory(world, book, rng, now)
    heap: list[tuple[int, int, int, Any]] = []
    seq = 0
    event_id = task_id = order_id = 0
    orders: list[tuple[Any, ...]] = []
    events: list[tuple[Any, ...]] = []
    tasks: list[tuple[Any, ...]] = []
    states: Counter[str] = Counter()
    open_by_unit: Counter[int] = Counter()
    seq_rows: list[tuple[str, int]] = []
    push, pop = heapq.heappush, heapq.heappop

    def drain(until: int) -> None:
        nonlocal event_id, task_id
        while heap and heap[0][0] <= until:
            _, _, kind, item = pop(heap)
            if kind == 0:
                oid, (at, action, frm, to, actor, unit, note, data) = item
                event_id += 1
                events.append((event_id, oid, action, frm, to, actor, unit, fmt(at), note, data))
            else:
                oid, (agent, state, attempts, result, note, done_at, created, updated) = item
                task_id += 1
                tasks.append(
                    (
                        task_id,
                        oid,
                        agent,
                        state,
                        attempts,
                        result,
                        note,
                        fmt(done_at) if done_at is not None else None,
                        fmt(created),
                        fmt(updated),
                    )
                )

    def flush() -> None:
        sink.write("work_orders", orders)
        sink.write("work_order_events", events)
        sink.write("callback_tasks", tasks)
        sink.checkpoint()
        orders.clear()
        events.clear()
        tasks.clear()

    prefix = opts.prefix
    for day, count, midnight in day_counts(rng, opts, now_dt):
        if not count:
            continue
        stamp = day.strftime("%Y%m%d")
        seq_rows.append((stamp, count))
        for n, t0 in enumerate(day_times(rng, count, midnight, now), start=1):
            row, sim = factory.make(t0)
            order_id += 1
            drain(t0)
            for ev in sim.events:
                seq += 1
                push(heap, (ev[0], seq, 0, (order_id, ev)))
            for task in sim.tasks:
                seq += 1
                push(heap, (task[6], seq, 1, (order_id, task)))
            resolved_at, closed_at = row[23], row[24]
            orders.append(
                (
                    order_id,
                    f"{prefix}{stamp}{n:06d}",
                    *row[2:23],
                    fmt(resolved_at) if resolved_at is not None else None,
                    fmt(closed_at) if closed_at is not None else None,
                    fmt(t0),
                    fmt(row[26]),
                )
            )
            states[sim.state] += 1
            if sim.state != "closed" and sim.unit_id is not None:
                open_by_unit[sim.unit_id] += 1
            if len(orders) >= opts.chunk:
                flush()
                if order_id % (opts.chunk * 4) == 0:
                    log.note(f"  orders: {order_id:,} (events {sink.rows['work_order_events']:,})")
    drain(now + 100 * 365 * DAY)
    flush()
    sink.write("order_number_seq", seq_rows)
    sink.checkpoint()
    return states, open_by_unit, order_id


# ------------------------------------------------------------------------------------------ main


def load_ratings(sink: Sink, opts: GenerateOptions, log: Log) -> int:
    """An instant rating for about half the closed orders, made in the database from the orders themselves
    (each one as the rating's own transaction would attribute it: the order's first-contact agent, unit,
    category and type; the channel it came in on), ~88 % satisfied, ~8 % basically, ~4 % unsatisfied, a
    little worse in some units; then the daily counts made from them as ``huiyin.surveys`` rebuilds them."""
    from huiyin.surveys.service import REBUILD_SQL

    if sink.dialect == "sqlite":
        hours = datetime.now(ZoneInfo(opts.timezone)).utcoffset() or timedelta()
        day = f"date(closed_at, '{int(hours.total_seconds() // 3600):+d} hours')"
    else:
        day = f"(closed_at AT TIME ZONE '{opts.timezone}')::date"
    pick = "(CAST(id AS BIGINT) * 40503 + COALESCE(unit_id, 0) * 7919) % 1000"  # 64-bit on PostgreSQL too
    t = time.perf_counter()
    sink.execute(
        "INSERT INTO ratings (contact, kind, channel, result, score, at, day, order_id, agent_id, unit_id, "
        "category_id, order_type, customer_id) "
        "SELECT 'order:' || CAST(id AS VARCHAR(12)), 'instant', "
        "CASE channel WHEN 'phone' THEN 'ivr' WHEN 'wechat' THEN 'wechat' WHEN 'web' THEN 'web' ELSE 'sms' END, "
        f"CASE WHEN {pick} < 880 THEN 'satisfied' WHEN {pick} < 960 THEN 'basically_satisfied' "
        "ELSE 'unsatisfied' END, NULL, closed_at, "
        f"{day}, id, owner_agent_id, unit_id, category_id, type, customer_id "
        f"FROM work_orders WHERE state = 'closed' AND closed_at IS NOT NULL "
        f"AND (CAST(id AS BIGINT) * 2654435761) % 100 < {RATED_PERCENT}"
    )
    n = int(sink.execute("SELECT count(*) FROM ratings")[0][0])
    sink.seconds["ratings"] += time.perf_counter() - t
    sink.rows["ratings"] += n
    t = time.perf_counter()
    for sql in REBUILD_SQL:
        sink.execute(sql)
    sink.rows["satisfaction_daily"] += int(sink.execute("SELECT count(*) FROM satisfaction_daily")[0][0])
    sink.seconds["satisfaction_daily"] += time.perf_counter() - t
    sink.checkpoint()
    log.note(f"  {n} ratings, {sink.rows['satisfaction_daily']} daily counts")
    return n


def load_calls(
    sink: Sink, opts: GenerateOptions, world: World, rng: random.Random, now_dt: datetime, fmt: TimeFormat, log: Log
) -> int:
    """``opts.calls`` ended call records over the window, as the CTI events would have left them
    (``huiyin.calls.cti`` and ``calls.service.figures.recompute``): the days and hours shaped like the orders',
    ~90 % inbound; of the inbound, 0.2 % blocked numbers, 2 % left in the IVR (no queue, offered to nobody),
    ~4 % abandoned in the queue (a quarter of them within 5 s), the rest answered after an exponential wait
    (mean 12 s, longer at the peaks) by one of the agents, ~3 min of talk, hold on one call in ten, 15–90 s of
    after-call work; ~10 % outbound (callbacks), four in five connected."""
    now = to_us(now_dt)
    agents = world.agents
    queues, queue_cum = _pick_weighted(list(QUEUES))
    counts = day_counts(random.Random(opts.seed + 1), GenerateOptions(url="", orders=opts.calls, days=opts.days,
                                                                       timezone=opts.timezone), now_dt)
    rand, expo, choice, lognorm = rng.random, rng.expovariate, rng.choice, rng.lognormvariate
    rows: list[tuple[Any, ...]] = []
    cid = 0
    for _day, n, midnight in counts:
        for t in day_times(rng, n, midnight, now):
            cid += 1
            offered = fmt(t)
            hour = (t - midnight) // HOUR
            peak = 1.8 if hour in (9, 10, 14, 15) else 1.0
            agent = choice(agents)
            r = rand()
            if r < 0.10:  # outbound
                number = city.mobile_phone(rng)
                if rand() < 0.8:
                    talk = int(lognorm(4.6, 0.6))
                    ans = t + int(5 + 20 * rand()) * US
                    end = ans + talk * US
                    acw = int(15 + 60 * rand())
                    rows.append((cid, f"bench-{cid}", "out", "95598", number, "", "ended", agent, "[]", None,
                                 offered, fmt(ans), fmt(end), fmt(end + acw * US), 0, talk, 0, acw,
                                 "normalClearing", False, False, False, "", fmt(end + acw * US)))
                else:
                    end = t + int(20 + 20 * rand()) * US
                    rows.append((cid, f"bench-{cid}", "out", "95598", number, "", "ended", agent, "[]", None,
                                 offered, None, fmt(end), None, 0, None, 0, None, "noAnswer", False, False, False,
                                 "", fmt(end)))
                continue
            caller = city.mobile_phone(rng)
            r = rand()
            if r < 0.002:  # a blocked number: rejected at once
                rows.append((cid, f"bench-{cid}", "in", caller, "95598", "", "ended", None, "[]", None, offered,
                             None, offered, None, 0, None, 0, None, "busy", False, False, True, "", offered))
                continue
            if r < 0.022:  # left in the IVR menu
                end = t + int(10 + 50 * rand()) * US
                rows.append((cid, f"bench-{cid}", "in", caller, "95598", "", "ended", None, "[]", None, offered,
                             None, fmt(end), None, int((end - t) / US), None, 0, None, "cancel", True, False,
                             False, "1", fmt(end)))
                continue
            queue = queues[bisect(queue_cum, rand() * queue_cum[-1])]
            offered_to = f"[{agent}]"
            if r < 0.062:  # abandoned in the queue
                wait = int(rand() * 5) if rand() < 0.25 else int(5 + expo(1 / (40 * peak)))
                end = t + wait * US
                rows.append((cid, f"bench-{cid}", "in", caller, "95598", queue, "ended", None, offered_to, None,
                             offered, None, fmt(end), None, wait, None, 0, None, "cancel", True, wait < 5, False,
                             "1", fmt(end)))
                continue
            wait = int(expo(1 / (12 * peak)))
            ans = t + wait * US
            hold = int(10 + 50 * rand()) if rand() < 0.1 else 0
            talk = int(lognorm(5.0, 0.55))
            end = ans + (talk + hold) * US
            acw = int(15 + 75 * rand())
            rows.append((cid, f"bench-{cid}", "in", caller, "95598", queue, "ended", agent, offered_to, None,
                         offered, fmt(ans), fmt(end), fmt(end + acw * US), wait, talk, hold, acw, "normalClearing",
                         False, False, False, "1", fmt(end + acw * US)))
            if len(rows) >= opts.chunk:
                sink.write("calls", rows)
                sink.checkpoint()
                rows = []
        if len(rows) >= opts.chunk:
            sink.write("calls", rows)
            sink.checkpoint()
            rows = []
    sink.write("calls", rows)
    sink.checkpoint()
    log.note(f"  {cid:,} calls")
    return cid


def _check_empty(sink: Sink) -> None:
    for table in ("users", "units", "customers", "work_orders"):
        n = sink.execute(f"SELECT count(*) FROM {table}")[0][0]
        if n:
            raise SystemExit(f"bench.generate: table {table} already has {n} rows; give an empty database")


def generate(opts: GenerateOptions) -> Summary:
    """Migrates ``opts.url`` and fills it; returns what was made."""
    from huiyin.cli import upgrade_database

    log = Log(opts.quiet)
    url = normalize_url(opts.url)
    now_dt = (opts.now or datetime.now(UTC)).astimezone(UTC)
    start = now_dt - timedelta(days=opts.days)
    fmt = TimeFormat()
    rng = random.Random(opts.seed)
    with log.phase("migrate"):
        upgrade_database(url)
    sink: Sink
    if url.startswith("sqlite"):
        db_path = make_url(url).database
        if not db_path or db_path == ":memory:":
            raise SystemExit("bench.generate: give a SQLite file, not an in-memory database")
        sink = SqliteSink(db_path)
    else:
        sink = PgSink(url)
    try:
        _check_empty(sink)
        sink.prepare()
        with log.phase("reference data"):
            world = load_reference(sink, rng, to_us(start), fmt, opts.agents)
        with log.phase("customers"):
            book, phones = load_customers(sink, opts, rng, to_us(start), fmt, log)
        with log.phase("orders"):
            states, open_by_unit, max_order = load_orders(sink, opts, world, book, rng, now_dt, fmt, log)
        with log.phase("ratings"):
            load_ratings(sink, opts, log)
        if opts.calls:
            with log.phase("calls"):
                load_calls(sink, opts, world, rng, now_dt, fmt, log)
        sink.finish(log)
    finally:
        sink.close()
    del book

    summary = Summary(url=make_url(url).render_as_string(hide_password=True))
    summary.total_s = round(time.perf_counter() - log.started, 1)
    summary.rows = dict(sink.rows)
    summary.rows_per_s = {t: round(sink.rows[t] / s) for t, s in sink.seconds.items() if s > 0}
    summary.phases_s = {k: round(v, 1) for k, v in log.phases.items()}
    summary.station_unit_ids = world.station_ids
    summary.open_by_unit = dict(sorted(open_by_unit.items()))
    summary.busiest_station_id = max(world.station_ids, key=lambda u: (open_by_unit[u], -u))
    summary.states = dict(sorted(states.items()))
    summary.max_customer_id = opts.customers
    summary.max_order_id = max_order
    summary.fk_checks_skipped = getattr(sink, "fk_off", True)
    if sink.dialect == "sqlite":
        db_path = make_url(url).database or ""
        summary.db_bytes = Path(db_path).stat().st_size
    if opts.phones_out is not None:
        opts.phones_out.parent.mkdir(parents=True, exist_ok=True)
        opts.phones_out.write_text("".join(f"{p}\n" for p in phones), encoding="utf-8")
        summary.phones_file = str(opts.phones_out)
    if opts.summary_out is not None:
        opts.summary_out.parent.mkdir(parents=True, exist_ok=True)
        opts.summary_out.write_text(json.dumps(summary.as_json(), ensure_ascii=False, indent=1) + "\n")
    _report(summary, sink, log)
    return summary


def _report(s: Summary, sink: Sink, log: Log) -> None:
    log.note("")
    log.note(f"{'table':<20} {'rows':>12} {'write s':>9} {'rows/s':>11}")
    for table, n in s.rows.items():
        secs = sink.seconds[table]
        log.note(f"{table:<20} {n:>12,} {secs:>9.1f} {s.rows_per_s.get(table, 0):>11,}")
    total_rows = sum(s.rows.values())
    log.note(
        f"{'all':<20} {total_rows:>12,} {s.total_s:>9.1f} {round(total_rows / max(s.total_s, 1e-9)):>11,}"
        "   (wall clock, generation included)"
    )
    log.note("phases: " + ", ".join(f"{k} {v:.1f} s" for k, v in s.phases_s.items()))
    total = sum(s.states.values()) or 1
    log.note("states: " + ", ".join(f"{k} {v:,} ({100 * v / total:.2f}%)" for k, v in s.states.items()))
    log.note("station unit ids: " + ",".join(str(u) for u in s.station_unit_ids))
    log.note(f"busiest station: {s.busiest_station_id} ({s.open_by_unit.get(s.busiest_station_id, 0):,} open)")
    if s.phones_file:
        log.note(f"phones sample: {s.phones_file}")
    if not s.fk_checks_skipped:
        log.note("note: foreign-key triggers stayed on (not a superuser), which slows COPY down")


def _parse(argv: Iterable[str] | None) -> GenerateOptions:
    p = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="database URL (sqlite:///file.db or postgresql://...)")
    p.add_argument("--customers", type=int, default=1_000_000)
    p.add_argument("--orders", type=int, default=2_000_000)
    p.add_argument("--days", type=int, default=365, help="orders spread over the last N days")
    p.add_argument("--seed", type=int, default=20261122)
    p.add_argument(
        "--now", type=datetime.fromisoformat, default=None, help="end of the window, ISO with zone (default: the clock)"
    )
    p.add_argument("--chunk", type=int, default=50_000, help="rows per batch / transaction")
    p.add_argument("--phones-out", type=Path, default=None, help="write a sample of real phone numbers")
    p.add_argument("--phones-sample", type=int, default=10_000)
    p.add_argument("--summary-out", type=Path, default=None, help="write a JSON summary (unit ids, counts)")
    p.add_argument("--prefix", default="GD", help="order number prefix (Settings.order_number_prefix)")
    p.add_argument("--timezone", default="Asia/Shanghai", help="local time zone of order numbers")
    p.add_argument("--calls", type=int, default=0, help="call records over the window (the KPI benchmark: 10000000)")
    p.add_argument("--agents", type=int, default=AGENTS, help="agents besides the demo 'agent'")
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(list(argv) if argv is not None else None)
    if a.customers < 0 or a.orders < 0 or a.days < 1 or a.chunk < 1:
        p.error("--customers/--orders must be >= 0, --days and --chunk >= 1")
    if a.now is not None and a.now.tzinfo is None:
        p.error("--now needs a time zone, e.g. 2026-11-22T12:00:00+08:00")
    return GenerateOptions(
        url=a.url,
        customers=a.customers,
        orders=a.orders,
        days=a.days,
        seed=a.seed,
        now=a.now,
        chunk=a.chunk,
        phones_out=a.phones_out,
        phones_sample=a.phones_sample,
        summary_out=a.summary_out,
        prefix=a.prefix,
        timezone=a.timezone,
        quiet=a.quiet,
        calls=a.calls,
        agents=a.agents,
    )


def main(argv: Iterable[str] | None = None) -> int:
    generate(_parse(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
