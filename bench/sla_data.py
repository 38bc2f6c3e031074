"""Bulk volume for the deadline worker's benchmark (PostgreSQL only): open work orders and their stage
deadlines, loaded with ``INSERT … SELECT generate_series`` in a database of the bench's own.

    python -m bench.sla_data --url postgresql://postgres@127.0.0.1/huiyin_sla_bench --create --orders 1000000

What it makes (``prepare`` once, then ``add_orders`` as often as wanted: each call adds orders after the
last one, so a database can be grown 100k → 1M → 3M):

* reference data: the migration's seed (categories, SLA policies, calendar, the escalation ladder), the demo
  city's units and areas and its users (``bench.generate.load_reference``: one user per role, 50 agents,
  one handler per station), topped up to ``handlers_per_station`` handlers per station and
  ``duty_managers`` duty managers; managers get an email address (level 4 goes out by email too);
* open work orders (30 % dispatched, 20 % accepted, 50 % in progress), registered over the last 20 days,
  with the category mix of ``bench.generate``, a real address, contact and description of the demo city,
  the area's station as unit, the policy ``huiyin.sla.service.pick_policy`` picks for the category and
  area type, and their history: register, auto-dispatch, accept, start events; the dispatch's popup to
  every handler of the unit (acknowledged once accepted) with its in-app outbox row (delivered);
* their stage deadlines (accept, arrive for repair/emergency, resolve, reply — whatever the policy
  limits): met ones (accept once accepted, arrive once started) and live ones. A live deadline is at step 0
  (warning ahead, 75 %) or step 1 (warned, level 1 ahead, 25 %) and its ``next_fire_at`` lies between
  ``lead`` and ``lead + spread`` from now (density falling with distance: ``lead + spread·u^1.5``);
  started/warn/due times are derived from it so that every row is exactly what the service and the worker
  would have left (``next_fire_at`` is the ladder's next milestone, the warning is before the due time, a
  step-0 row started before now and its warning is ahead, a step-1 row's warning is behind). Orders that are
  overdue past the top of the ladder (4 %) have all live deadlines at step 5 with ``next_fire_at`` NULL
  (the worker's index does not hold them) and their order at level 4 (督办).

Randomness is a hash of the row number (``hashint8extended``), so order *i* is the same whichever step
loads it. Speed: the loaded tables' secondary indexes are dropped and rebuilt, foreign-key triggers are
off (``session_replication_role = replica``), the load runs with ``synchronous_commit = off`` and ends with
``VACUUM (FREEZE, ANALYZE)`` (this server runs without autovacuum).

``arm`` moves chosen live deadlines so that they come due at a given rate from a given time (the measured
window); ``park`` moves them out of the way again (30 days on) once they have fired.
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import make_url

from bench.generate import Log as _Log
from bench.generate import PgSink as _PgSink
from bench.generate import TimeFormat, World, load_reference, to_us
from huiyin.db import normalize_url
from huiyin.demo import city
from huiyin.wiring import open_database

__all__ = [
    "ArmedRow",
    "LoadReport",
    "SlaDataOptions",
    "add_orders",
    "arm",
    "connect",
    "create_database",
    "drop_database",
    "park",
    "prepare",
]

BULK = ("work_orders", "work_order_events", "order_deadlines", "notifications", "outbox")
STATES = (("dispatched", 0.30), ("accepted", 0.20), ("in_progress", 0.50))
CHANNELS = (("phone", 0.70), ("wechat", 0.15), ("web", 0.06), ("sms", 0.02), ("email", 0.01), ("walk_in", 0.06))
TOP_SHARE = 0.04  # orders overdue past the ladder's top (level 4, nothing more to fire)
STEP1_SHARE = 0.25  # live deadlines already warned (level 1 ahead)
ARM_MIX = ((0, 0.50), (1, 0.25), (2, 0.12), (3, 0.08), (4, 0.05))
"""Steps of the armed rows: what fires is the warning (50 %), level 1 (25 %), 2, 3 and 4."""
EVENTS_PER_ORDER = 4  # id slots: register, dispatch, accept, start
OUTBOX_ROWS = ("(0, 'app', 0)", "(1, 'sms', 5)", "(2, 'voice', 10)")
OUTBOX_PER_NOTE = 1
"""Outbox rows loaded per dispatch popup: the in-app delivery only. The SMS and voice reminders a dispatch
also writes (sent, or skipped once acknowledged) would triple the outbox's history and the load time while
touching none of the worker's paths but the size of two outbox indexes; set 3 to load them too."""


@dataclass
class SlaDataOptions:
    url: str
    handlers_per_station: int = 2
    duty_managers: int = 3
    lead_s: float = 3600.0  # no live deadline fires within this of the load
    spread_s: float = 21 * 86400.0
    seed: int = 20261123
    chunk: int = 500_000
    quiet: bool = False


@dataclass
class LoadReport:
    orders: int = 0
    first_id: int = 0
    last_id: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    total_s: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class ArmedRow:
    deadline_id: int
    order_id: int
    stage: str
    step: int  # the step it was at: 0 fires the warning, s ≥ 1 fires level s
    at: datetime  # when it is due


# ---------------------------------------------------------------- databases


def _conninfo(url: str) -> str:
    return make_url(normalize_url(url)).set(drivername="postgresql").render_as_string(hide_password=False)


def connect(url: str, *, autocommit: bool = False) -> Any:
    import psycopg

    conn = psycopg.connect(_conninfo(url), autocommit=autocommit)
    conn.execute("SET TIME ZONE 'UTC'")
    if not autocommit:
        conn.commit()
    return conn


def create_database(url: str) -> None:
    """Creates the database of ``url`` (dropping one of that name first)."""
    drop_database(url)
    name = make_url(normalize_url(url)).database
    with connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = make_url(normalize_url(url)).database
    with connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _admin_url(url: str) -> str:
    return make_url(normalize_url(url)).set(database="postgres").render_as_string(hide_password=False)


def _u(expr: str, salt: int) -> str:
    """SQL for a uniform [0, 1) number from the integer ``expr`` and a salt (deterministic)."""
    return f"bench_u({expr}, {salt})"


# ---------------------------------------------------------------- reference data


def prepare(opts: SlaDataOptions, log: _Log | None = None) -> dict[str, Any]:
    """Migrates an empty database and loads the reference data and the lookup tables the loads draw from."""
    from huiyin.cli import upgrade_database

    log = log or _Log(opts.quiet)
    url = normalize_url(opts.url)
    t = time.perf_counter()
    upgrade_database(url)
    rng = random.Random(opts.seed)
    fmt = TimeFormat()
    start = datetime.now(UTC) - timedelta(days=400)
    sink = _PgSink(url)
    try:
        world = load_reference(sink, rng, to_us(start), fmt)
        extra = _more_users(sink, world, opts, rng, fmt(to_us(start)))
        sink.finish(_Log(quiet=True))
    finally:
        sink.close()
    policies = _policies(url, world)
    with connect(url) as conn:
        conn.execute(
            "UPDATE users SET email = username || '@yzny.example' WHERE id IN "
            "(SELECT user_id FROM user_roles WHERE role IN "
            "('duty_manager', 'floor_manager', 'supervisor', 'director'))"
        )
        _lookup_tables(conn, world, policies, rng)
        conn.commit()
    took = time.perf_counter() - t
    log.note(f"reference data: {took:.1f} s ({extra} extra users)")
    return {"reference_s": round(took, 1), "stations": len(world.station_ids)}


def _more_users(sink: _PgSink, world: World, opts: SlaDataOptions, rng: random.Random, t0: str) -> int:
    pw = sink.execute("SELECT password_hash FROM users LIMIT 1")[0][0]
    next_id = sink.execute("SELECT max(id) FROM users")[0][0] + 1
    users: list[tuple[Any, ...]] = []
    roles: list[tuple[int, str]] = []

    def add(username: str, role: str, unit: int | None) -> int:
        nonlocal next_id
        uid = next_id
        next_id += 1
        users.append((uid, username, city.person_name(rng)[:20], pw, unit, city.mobile_phone(rng), True, t0, t0))
        roles.append((uid, role))
        return uid

    for s in world.station_ids:
        have = world.handlers[s]
        for n in range(len(have) + 1, opts.handlers_per_station + 1):
            have.append(add(f"handler_{world.unit_code[s].lower().replace('-', '_')}_{n}", "unit_handler", s))
    for n in range(2, opts.duty_managers + 1):
        add(f"duty_manager{n}", "duty_manager", None)
    sink.write("users", users)
    sink.write("user_roles", roles)
    return len(users)


def _policies(url: str, world: World) -> list[tuple[Any, ...]]:
    """(category id, area type, policy version id, accept, arrive, resolve, reply) for every pair."""
    from sqlalchemy import select

    from huiyin.settings import Settings
    from huiyin.sla.service import OrderFacts, pick_policy
    from huiyin.workorders.models import Category

    db = open_database(Settings(database_url=url))
    out = []
    try:
        with db.session(write=False) as s:
            parents = {cid: pid for cid, pid in s.execute(select(Category.id, Category.parent_id))}
            for cat_id, _, typ, grade in world.categories:
                for area_type in ("urban", "rural", "remote"):
                    v = pick_policy(s, OrderFacts(typ, cat_id, parents.get(cat_id), grade, (), area_type))
                    if v is None:
                        out.append((cat_id, area_type, None, None, None, None, None))
                        continue
                    out.append(
                        (cat_id, area_type, v.id, v.limit_accept, v.limit_arrive, v.limit_resolve, v.limit_reply)
                    )
    finally:
        db.dispose()
    return out


def _lookup_tables(conn: Any, world: World, policies: Sequence[tuple[Any, ...]], rng: random.Random) -> None:
    """Small tables the bulk statements join by a hashed index: categories (weighted pool), descriptions,
    addresses with their area and station, contacts, agents, handlers per station, policies."""
    conn.execute(
        "CREATE OR REPLACE FUNCTION bench_u(i bigint, salt int) RETURNS float8 LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE AS $$ SELECT (hashint8extended(i, salt) & 2147483647)::float8 / 2147483648.0 $$"
    )
    conn.execute(
        """
        CREATE TABLE bench_cat (k int PRIMARY KEY, cat_id int, code text, type text, grade text, name text);
        CREATE TABLE bench_catpick (j int PRIMARY KEY, k int);
        CREATE TABLE bench_desc (k int, j int, description text, PRIMARY KEY (k, j));
        CREATE TABLE bench_addr (j int PRIMARY KEY, area_id int, unit_id int, area_type text, address text);
        CREATE TABLE bench_person (j int PRIMARY KEY, name text, phone text);
        CREATE TABLE bench_agent (j int PRIMARY KEY, user_id int);
        CREATE TABLE bench_handler (unit_id int, j int, user_id int, phone text, PRIMARY KEY (unit_id, j));
        CREATE TABLE bench_unit (unit_id int PRIMARY KEY, code text, name text, handlers int);
        CREATE TABLE bench_pol (cat_id int, area_type text, pv_id int, l_accept int, l_arrive int,
                                l_resolve int, l_reply int, PRIMARY KEY (cat_id, area_type));
        """
    )
    cats = world.categories
    names = dict(conn.execute("SELECT id, name FROM categories").fetchall())
    _copy(conn, "bench_cat", [(k, c[0], c[1], c[2], c[3], names[c[0]]) for k, c in enumerate(cats)])
    total = world.cat_cum[-1]
    pick, k = [], 0
    for j in range(1000):
        while k < len(cats) - 1 and world.cat_cum[k] < (j + 0.5) * total / 1000:
            k += 1
        pick.append((j, k))
    _copy(conn, "bench_catpick", pick)
    _copy(
        conn,
        "bench_desc",
        [(k, j, city.order_description(rng, c[1])) for k, c in enumerate(cats) for j in range(12)],
    )
    areas = city.areas()
    area_types = {i: a.area_type for i, a in enumerate(areas, start=1)}
    addr = []
    for aid, a in enumerate(areas, start=1):
        for _ in range(60):
            addr.append((len(addr), aid, world.area_unit[aid], area_types[aid], city.address(rng, a)))
    _copy(conn, "bench_addr", addr)
    _copy(conn, "bench_person", [(j, city.person_name(rng), city.mobile_phone(rng)) for j in range(5000)])
    _copy(conn, "bench_agent", list(enumerate(world.agents)))
    phones = dict(conn.execute("SELECT id, phone FROM users").fetchall())
    _copy(
        conn,
        "bench_handler",
        [(s, j, uid, phones[uid]) for s, hs in world.handlers.items() for j, uid in enumerate(hs, start=1)],
    )
    unit_names = dict(conn.execute("SELECT id, name FROM units").fetchall())
    _copy(
        conn,
        "bench_unit",
        [(s, world.unit_code[s], unit_names[s], len(world.handlers[s])) for s in world.station_ids],
    )
    _copy(conn, "bench_pol", list(policies))
    conn.execute(
        "ANALYZE bench_cat, bench_catpick, bench_desc, bench_addr, bench_person, bench_agent, "
        "bench_handler, bench_unit, bench_pol"
    )


def _copy(conn: Any, table: str, rows: Iterable[Sequence[Any]]) -> None:
    with conn.cursor().copy(f"COPY {table} FROM STDIN") as cp:
        for r in rows:
            cp.write_row(r)


# ---------------------------------------------------------------- orders


def _gen_sql(n_addr: int, n_agents: int) -> str:
    """One row per order id in [%(a)s, %(b)s]: everything the five tables need of it."""
    u = _u
    state_case = "CASE WHEN {u} < 0.30 THEN 'dispatched' WHEN {u} < 0.50 THEN 'accepted' ELSE 'in_progress' END"
    cum, parts = 0.0, []
    for name, share in CHANNELS[:-1]:
        cum += share
        parts.append(f"WHEN {u('i', 5)} < {cum:.4f} THEN '{name}'")
    channel_case = f"CASE {' '.join(parts)} ELSE '{CHANNELS[-1][0]}' END"
    return f"""
    CREATE TEMP TABLE g ON COMMIT DROP AS
    SELECT y.*, LEAST(y.t_accept + make_interval(secs => y.start_s), %(now)s - interval '10 s') AS t_start
    FROM (
        SELECT x.*, LEAST(x.t_dispatch + make_interval(secs => x.accept_s), %(now)s - interval '30 s') AS t_accept
        FROM (
            SELECT w.*, w.created_at + make_interval(secs => w.dispatch_s) AS t_dispatch
            FROM (
                SELECT i, c.k, c.cat_id, c.code, c.type, c.grade, c.name AS cat_name,
                       ad.area_id, ad.unit_id, ad.address, bu.code AS unit_code, bu.name AS unit_name,
                       p.name AS contact_name, p.phone AS contact_phone, d.description, ag.user_id AS agent_id,
                       h.user_id AS handler_pick, pol.pv_id, pol.l_accept, pol.l_arrive, pol.l_resolve,
                       pol.l_reply,
                       {state_case.format(u=u("i", 3))} AS state,
                       {channel_case} AS channel,
                       {u("i", 10)} < {TOP_SHARE} AS top,
                       %(now)s - make_interval(secs => 600 + 20 * 86400 * power({u("i", 4)}, 2)) AS created_at,
                       2 + 20 * {u("i", 11)} AS dispatch_s, 60 + 3600 * {u("i", 12)} AS accept_s,
                       60 + 7200 * {u("i", 13)} AS start_s
                FROM generate_series(%(a)s::int, %(b)s::int) AS i
                JOIN bench_catpick cp ON cp.j = floor({u("i", 1)} * 1000)::int
                JOIN bench_cat c ON c.k = cp.k
                JOIN bench_addr ad ON ad.j = floor({u("i", 2)} * {n_addr})::int
                JOIN bench_unit bu ON bu.unit_id = ad.unit_id
                JOIN bench_handler h ON h.unit_id = ad.unit_id AND h.j = 1 + floor({u("i", 7)} * bu.handlers)::int
                JOIN bench_person p ON p.j = floor({u("i", 9)} * 5000)::int
                JOIN bench_desc d ON d.k = c.k AND d.j = floor({u("i", 8)} * 12)::int
                JOIN bench_agent ag ON ag.j = floor({u("i", 6)} * {n_agents})::int
                JOIN bench_pol pol ON pol.cat_id = c.cat_id AND pol.area_type = ad.area_type
            ) w
        ) x
    ) y
    """


def _deadlines_sql(delays: dict[int, int]) -> str:
    """The stage deadlines of the orders in ``g`` into temp table ``dl`` (met and live ones)."""
    u = _u
    key = "(g.i::bigint * 8 + st.k)"
    return f"""
    CREATE TEMP TABLE dl ON COMMIT DROP AS
    WITH s AS (
        SELECT g.i, g.top, g.state, st.k, st.stage, st.lim * 60.0 AS lim_s,
               CASE WHEN st.k <= 2 THEN g.t_dispatch ELSE g.created_at END AS base,
               CASE WHEN st.stage = 'accept' AND g.state <> 'dispatched' THEN g.t_accept
                    WHEN st.stage = 'arrive' AND g.state = 'in_progress' THEN g.t_start END AS met_at,
               CASE WHEN {u(key, 21)} < {STEP1_SHARE} THEN 1 ELSE 0 END AS step,
               %(lead)s + %(spread)s * power({u(key, 22)}, 1.5) AS ahead_s,
               1 - 0.9 * {u(key, 23)} AS room,
               4 * 3600 + 44 * 3600 * {u(key, 24)} AS over_s
        FROM g CROSS JOIN LATERAL (VALUES (1, 'accept', g.l_accept), (2, 'arrive', g.l_arrive),
                                          (3, 'resolve', g.l_resolve), (4, 'reply', g.l_reply)) AS st(k, stage, lim)
        WHERE st.lim IS NOT NULL AND (st.stage <> 'arrive' OR g.type IN ('repair', 'emergency'))
    ), t AS (
        SELECT s.*,
               CASE WHEN met_at IS NOT NULL OR top THEN lim_s
                    WHEN step = 0 THEN GREATEST(lim_s, ahead_s / 0.75 / room)
                    ELSE GREATEST(lim_s, 4 * ahead_s / room) END AS l_s
        FROM s
    ), d AS (
        SELECT t.*,
               CASE WHEN met_at IS NOT NULL THEN base + make_interval(secs => lim_s)
                    WHEN top THEN %(now)s - make_interval(secs => over_s)
                    WHEN step = 0 THEN %(now)s + make_interval(secs => ahead_s + 0.25 * l_s)
                    ELSE %(now)s + make_interval(secs => ahead_s) END AS due_at
        FROM t
    )
    SELECT i AS order_id, stage,
           CASE WHEN met_at IS NOT NULL THEN base ELSE due_at - make_interval(secs => l_s) END AS started_at,
           due_at,
           due_at - make_interval(secs => 0.25 * l_s) AS warn_at,
           met_at,
           COALESCE(met_at > due_at, false) AS breached,
           CASE WHEN met_at IS NOT NULL THEN 0 WHEN top THEN 5 ELSE step END AS step,
           CASE WHEN met_at IS NOT NULL OR top THEN NULL
                WHEN step = 0 THEN due_at - make_interval(secs => 0.25 * l_s)
                ELSE due_at + interval '{delays[1]} minutes' END AS next_fire_at
    FROM d
    """


def _orders_sql() -> str:
    return """
    INSERT INTO work_orders (id, number, type, category_id, grade, state, channel, customer_id, contact_name,
        contact_phone, address, area_id, description, owner_agent_id, unit_id, last_unit_id, handler_id,
        unreachable_count, reopen_count, closed_on_spot, created_at, updated_at, sla_policy_version_id,
        next_deadline_at, escalation_level, supervision_mark, urge_count)
    SELECT g.i, 'GD' || to_char(g.created_at AT TIME ZONE 'Asia/Shanghai', 'YYMMDD') || lpad(g.i::text, 8, '0'),
        g.type, g.cat_id, g.grade, g.state, g.channel, NULL, g.contact_name, g.contact_phone, g.address,
        g.area_id, g.description, g.agent_id, g.unit_id, g.unit_id,
        CASE WHEN g.state = 'dispatched' THEN NULL ELSE g.handler_pick END,
        0, 0, false, g.created_at,
        CASE g.state WHEN 'dispatched' THEN g.t_dispatch WHEN 'accepted' THEN g.t_accept ELSE g.t_start END,
        g.pv_id, nd.due, CASE WHEN g.top THEN 4 ELSE 0 END, CASE WHEN g.top THEN 'supervise' END, 0
    FROM g LEFT JOIN (SELECT order_id, min(due_at) AS due FROM dl WHERE met_at IS NULL GROUP BY order_id) nd
        ON nd.order_id = g.i
    ORDER BY g.i
    """


def _events_sql() -> str:
    return f"""
    INSERT INTO work_order_events (id, order_id, action, from_state, to_state, actor_id, unit_id, at, note, data)
    SELECT %(base_e)s + {EVENTS_PER_ORDER} * (g.i - %(a)s) + e.k, g.i, e.action, e.from_state, e.to_state,
           e.actor, e.unit, e.at, e.note, e.data::json
    FROM g CROSS JOIN LATERAL (VALUES
        (0, 'register', NULL, 'registered', g.agent_id, NULL::int, g.created_at, '',
         json_build_object('category', g.code)::text),
        (1, 'dispatch', 'registered', 'dispatched', NULL::int, g.unit_id, g.t_dispatch, '自动派单',
         json_build_object('unit_code', g.unit_code, 'auto', true)::text),
        (2, 'accept', 'dispatched', 'accepted', g.handler_pick, g.unit_id, g.t_accept, '', '{{}}'),
        (3, 'start', 'accepted', 'in_progress', g.handler_pick, g.unit_id, g.t_start, '', '{{}}')
    ) AS e(k, action, from_state, to_state, actor, unit, at, note, data)
    WHERE e.k <= 1 OR (e.k = 2 AND g.state <> 'dispatched') OR (e.k = 3 AND g.state = 'in_progress')
    ORDER BY 1
    """


def _notifications_sql(hmax: int) -> str:
    """The dispatch popup to every handler of the unit (acknowledged once the order was accepted)."""
    return f"""
    INSERT INTO notifications (id, user_id, kind, order_id, level, title, body, data, group_key, dedupe_key,
        requires_ack, created_at, read_at, acked_at)
    SELECT %(base_n)s + {hmax} * (g.i - %(a)s) + h.j - 1, h.user_id, 'dispatch', g.i, 0,
        CASE WHEN g.type = 'emergency' OR g.grade = 'urgent' THEN '【紧急】' ELSE '' END || '新工单 ' || o.number,
        concat_ws('｜', g.cat_name, NULLIF(g.address, ''), left(g.description, 60)),
        json_build_object('order_number', o.number, 'order_type', g.type, 'grade', g.grade,
                          'unit_name', g.unit_name, 'emergency', g.type = 'emergency' OR g.grade = 'urgent'),
        'dispatch:' || (%(base_e)s + {EVENTS_PER_ORDER} * (g.i - %(a)s) + 1),
        'dispatch:' || (%(base_e)s + {EVENTS_PER_ORDER} * (g.i - %(a)s) + 1) || ':u' || h.user_id,
        true, g.t_dispatch,
        CASE WHEN g.state <> 'dispatched' THEN g.t_accept END,
        CASE WHEN g.state <> 'dispatched' THEN g.t_accept END
    FROM g JOIN work_orders o ON o.id = g.i JOIN bench_handler h ON h.unit_id = g.unit_id
    ORDER BY 1
    """


def _outbox_sql() -> str:
    """Each popup's in-app delivery (done at once) and, with ``OUTBOX_PER_NOTE = 3``, its SMS and voice
    reminders: sent for orders still waiting to be accepted (due 5 and 10 minutes after the dispatch, long
    past), skipped for the others (acknowledged before they were due)."""
    return f"""
    INSERT INTO outbox (id, channel, notification_id, address, payload, dedupe_key, unless_acked, status, due_at,
        attempts, last_error, created_at, delivered_at)
    SELECT %(base_o)s + {OUTBOX_PER_NOTE} * (n.id - %(base_n)s) + c.k, c.channel, n.id,
        CASE WHEN c.k = 0 THEN n.user_id::text ELSE h.phone END,
        json_build_object('title', n.title, 'body', n.body, 'kind', 'dispatch', 'order_id', n.order_id),
        n.dedupe_key || ':' || c.channel || CASE WHEN c.k = 0 THEN '' ELSE ':renotify' END,
        CASE WHEN c.k = 0 THEN NULL ELSE n.group_key END,
        CASE WHEN c.k = 0 OR n.acked_at IS NULL THEN 'delivered' ELSE 'skipped' END,
        n.created_at + make_interval(mins => c.after), 1,
        CASE WHEN c.k > 0 AND n.acked_at IS NOT NULL THEN 'acknowledged or accepted before it was due' END,
        n.created_at,
        n.created_at + make_interval(mins => c.after, secs => 1)
    FROM notifications n JOIN bench_handler h ON h.user_id = n.user_id
    CROSS JOIN LATERAL (VALUES {", ".join(OUTBOX_ROWS[:OUTBOX_PER_NOTE])}) AS c(k, channel, after)
    WHERE n.id >= %(base_n)s AND n.kind = 'dispatch'
    ORDER BY 1
    """


def _secondary_indexes(conn: Any) -> list[tuple[str, str]]:
    rows = conn.execute(
        "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) AND indexname NOT IN (SELECT conname FROM pg_constraint) "
        "ORDER BY tablename, indexname",
        [list(BULK)],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _unique_constraints(conn: Any) -> list[tuple[str, str, str]]:
    rows = conn.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'u' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
        [list(BULK)],
    ).fetchall()
    return [(r[0], r[1], r[2]) for r in rows]


def _next_id(conn: Any, table: str) -> int:
    return int(conn.execute(f"SELECT COALESCE(max(id), 0) + 1 FROM {table}").fetchone()[0])


def add_orders(opts: SlaDataOptions, count: int, *, now: datetime | None = None, log: _Log | None = None) -> LoadReport:
    """Adds ``count`` open orders (with history, notifications and deadlines) after the last one."""
    from huiyin.sla.ladder import DEFAULT_LADDER

    log = log or _Log(opts.quiet)
    report = LoadReport(orders=count)
    started = time.perf_counter()
    now = (now or datetime.now(UTC)).astimezone(UTC)
    url = normalize_url(opts.url)

    def phase(name: str, t: float) -> None:
        report.seconds[name] = round(report.seconds.get(name, 0.0) + time.perf_counter() - t, 1)

    with connect(url) as conn:
        conn.execute("SET session_replication_role = replica")  # no foreign-key triggers (superuser only)
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET work_mem = '256MB'")
        conn.execute("SET maintenance_work_mem = '1GB'")
        conn.execute("SET temp_buffers = '256MB'")
        conn.execute("SET jit = off")  # compiling these expressions costs more than running them
        delays = {r.level: r.delay_minutes for r in DEFAULT_LADDER} | dict(
            conn.execute("SELECT level, delay_minutes FROM escalation_steps").fetchall()
        )
        n_addr = conn.execute("SELECT count(*) FROM bench_addr").fetchone()[0]
        n_agents = conn.execute("SELECT count(*) FROM bench_agent").fetchone()[0]
        hmax = conn.execute("SELECT max(handlers) FROM bench_unit").fetchone()[0]
        t = time.perf_counter()
        indexes = _secondary_indexes(conn)
        uniques = _unique_constraints(conn)
        for name, _ in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        for table, name, _ in uniques:  # rebuilt by one sort afterwards, not row by row
            conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        conn.commit()
        phase("drop indexes", t)
        first = _next_id(conn, "work_orders")
        report.first_id, report.last_id = first, first + count - 1
        a = first
        gen, dls = _gen_sql(n_addr, n_agents), _deadlines_sql(delays)
        while a <= report.last_id:
            b = min(a + opts.chunk - 1, report.last_id)
            p = {
                "a": a,
                "b": b,
                "now": now,
                "lead": opts.lead_s,
                "spread": opts.spread_s,
                "base_e": _next_id(conn, "work_order_events"),
                "base_n": _next_id(conn, "notifications"),
                "base_o": _next_id(conn, "outbox"),
            }
            for name, sql in (
                ("generate", gen),
                ("generate", dls),
                (
                    "order_deadlines",
                    "INSERT INTO order_deadlines (order_id, stage, cycle, started_at, due_at, "
                    "warn_at, met_at, breached, paused_at, step, next_fire_at) SELECT order_id, stage, 0, started_at, "
                    "due_at, warn_at, met_at, breached, NULL, step, next_fire_at FROM dl ORDER BY order_id, stage",
                ),
                ("work_orders", _orders_sql()),
                ("work_order_events", _events_sql()),
                ("notifications", _notifications_sql(hmax)),
                ("outbox", _outbox_sql()),
            ):
                t = time.perf_counter()
                cur = conn.execute(sql, p)
                if name in BULK:
                    report.rows[name] = report.rows.get(name, 0) + cur.rowcount
                phase(name, t)
            t = time.perf_counter()
            conn.commit()
            phase("commit", t)
            log.note(f"  orders {a:,}–{b:,}: {time.perf_counter() - started:.0f} s")
            a = b + 1
        t = time.perf_counter()
        for name, sql in indexes:
            ti = time.perf_counter()
            conn.execute(sql)
            log.note(f"  index {name}: {time.perf_counter() - ti:.1f} s")
        for table, name, definition in uniques:
            ti = time.perf_counter()
            conn.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
            log.note(f"  unique {name}: {time.perf_counter() - ti:.1f} s")
        for table in BULK:
            conn.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT COALESCE(max(id), 0) + 1 FROM {table}), false)"
            )
        conn.commit()
        phase("indexes", t)
    t = time.perf_counter()
    with connect(url, autocommit=True) as conn:
        conn.execute(f"VACUUM (FREEZE, ANALYZE) {', '.join(BULK)}")
    phase("vacuum", t)
    report.total_s = round(time.perf_counter() - started, 1)
    log.note(
        f"added {count:,} open orders in {report.total_s:.1f} s: "
        + ", ".join(f"{k} {v:,}" for k, v in report.rows.items())
        + " | "
        + ", ".join(f"{k} {v:.1f} s" for k, v in report.seconds.items())
    )
    return report


# ---------------------------------------------------------------- arming the measured window


def arm(
    conn: Any,
    n: int,
    start: datetime,
    rate: float,
    *,
    seed: int,
    mix: Sequence[tuple[int, float]] = ARM_MIX,
    not_before: datetime | None = None,
) -> list[ArmedRow]:
    """Moves ``n`` live deadlines at step 0 or 1 (of ``n`` different orders, none due before ``not_before``)
    so that they come due evenly at ``rate`` per second from ``start``, each at a step drawn from ``mix`` (the
    step it is at; what fires is the next one). A row at step ≤ 1 has fired no level yet, so whatever it is
    armed to fire has not fired before (the dedupe keys of levels name the row; a warning's names its new
    event): rows armed before and parked after their warning can be armed again. Every time of a row moves
    so that its ladder stays what the service would have written (for steps ≥ 1 the due time is in the
    past, for step 0 it is ahead); its order's level and mark follow the step. Commits."""
    cum, parts = 0.0, []
    for step, share in mix[:-1]:
        cum += share
        parts.append(f"WHEN {_u('c.id', seed + 2)} < {cum:.4f} THEN {step}")
    step_case = f"CASE {' '.join(parts)} ELSE {mix[-1][0]} END"
    delays = dict(conn.execute("SELECT level, delay_minutes FROM escalation_steps").fetchall())
    delay_case = "CASE c1.s " + " ".join(f"WHEN {lv} THEN {m}" for lv, m in sorted(delays.items())) + " ELSE 0 END"
    not_before = not_before or datetime.now(UTC) + timedelta(minutes=10)
    # a hashed sample of the live rows, a few times what is wanted, spares sorting them all (millions)
    live = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'ix_order_deadlines_next_fire'").fetchone()
    fraction = min(1.0, 4.0 * n / max(1.0, float(live[0] if live else 0))) if live and live[0] > 0 else 1.0
    while True:
        ids = [
            r[0]
            for r in conn.execute(
                f"""
                SELECT id FROM (
                    SELECT DISTINCT ON (order_id) id FROM order_deadlines
                    WHERE next_fire_at > %(nb)s AND step <= 1 AND met_at IS NULL AND paused_at IS NULL
                      AND {_u("id", seed + 3)} < %(fraction)s
                    ORDER BY order_id, {_u("id", seed)}
                ) pick ORDER BY {_u("id", seed + 1)} LIMIT %(n)s
                """,
                {"nb": not_before, "n": n, "fraction": fraction},
            )
        ]
        if len(ids) >= n or fraction >= 1.0:
            break
        fraction = 1.0
    rows = conn.execute(
        f"""
        WITH c0 AS (
            SELECT id, n - 1 AS n FROM unnest(%(ids)s::int[]) WITH ORDINALITY AS u(id, n)
        ), c1 AS (
            SELECT c0.*, %(start)s + make_interval(secs => c0.n / %(rate)s) AS t,
                   {step_case.replace("c.id", "c0.id")} AS s
            FROM c0
        ), c AS (
            SELECT c1.*, CASE WHEN c1.s = 0 THEN c1.t + (d.due_at - d.warn_at)
                              ELSE c1.t - make_interval(mins => {delay_case}) END AS due
            FROM c1 JOIN order_deadlines d ON d.id = c1.id
        ), moved AS (
            UPDATE order_deadlines d SET step = c.s, due_at = c.due,
                warn_at = c.due - (d.due_at - d.warn_at), started_at = c.due - (d.due_at - d.started_at),
                next_fire_at = c.t
            FROM c WHERE d.id = c.id
            RETURNING d.id, d.order_id, d.stage, d.step, d.next_fire_at
        ), orders AS (
            UPDATE work_orders o SET escalation_level = GREATEST(o.escalation_level, m.step - 1),
                supervision_mark = CASE WHEN m.step - 1 >= 3 THEN 'supervise'
                                        WHEN m.step - 1 >= 1 THEN COALESCE(o.supervision_mark, 'urge')
                                        ELSE o.supervision_mark END
            FROM moved m WHERE o.id = m.order_id AND m.step >= 2
        )
        SELECT id, order_id, stage, step, next_fire_at FROM moved ORDER BY next_fire_at, id
        """,
        {"ids": ids, "start": start, "rate": float(rate)},
    ).fetchall()
    conn.commit()
    if len(rows) < n:
        raise SystemExit(f"bench: only {len(rows)} live deadlines could be armed, {n} wanted; load more orders")
    return [ArmedRow(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def park(conn: Any, ids: Sequence[int], days: int = 30) -> int:
    """Moves the given deadlines ``days`` on (every time of the row, so its ladder stays consistent):
    fired rows then climb no further during the next measurements. Commits."""
    cur = conn.execute(
        "UPDATE order_deadlines SET started_at = started_at + make_interval(days => %(d)s), "
        "due_at = due_at + make_interval(days => %(d)s), warn_at = warn_at + make_interval(days => %(d)s), "
        "next_fire_at = next_fire_at + make_interval(days => %(d)s) "
        "WHERE id = ANY(%(ids)s) AND next_fire_at IS NOT NULL",
        {"d": days, "ids": list(ids)},
    )
    conn.commit()
    return int(cur.rowcount)


# ---------------------------------------------------------------- command line


def main(argv: Iterable[str] | None = None) -> None:
    p = argparse.ArgumentParser(prog="python -m bench.sla_data", description=__doc__.split("\n\n")[0])
    p.add_argument("--url", required=True, help="postgresql://… (the database is created with --create)")
    p.add_argument("--create", action="store_true", help="(re)create the database and load the reference data")
    p.add_argument("--orders", type=int, default=100_000, help="open orders to add")
    p.add_argument("--handlers-per-station", type=int, default=2)
    p.add_argument("--duty-managers", type=int, default=3)
    p.add_argument("--chunk", type=int, default=500_000)
    p.add_argument("--quiet", action="store_true")
    a = p.parse_args(list(argv) if argv is not None else None)
    opts = SlaDataOptions(
        url=a.url,
        handlers_per_station=a.handlers_per_station,
        duty_managers=a.duty_managers,
        chunk=a.chunk,
        quiet=a.quiet,
    )
    if a.create:
        create_database(a.url)
        prepare(opts)
    add_orders(opts, a.orders)


if __name__ == "__main__":
    main()
