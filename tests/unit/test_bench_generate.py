"""bench/generate.py at small volume into a temporary SQLite file: counts, consistency, and that the app
keeps working on top of the bulk-loaded data (login, registration without a number collision, search)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from bench.generate import AGENTS, ROLE_USERS, GenerateOptions, Summary, generate
from huiyin.app import create_app
from huiyin.cli import upgrade_database
from huiyin.core.phones import mask_phone
from huiyin.demo import city
from huiyin.settings import Settings

CUSTOMERS = 500
ORDERS = 1_000
OPEN = ("registered", "dispatched", "accepted", "in_progress", "suspended", "resolved")


@dataclass
class Generated:
    url: str
    path: Path
    phones: Path
    summary: Summary


@pytest.fixture(scope="module")
def gen(tmp_path_factory: pytest.TempPathFactory) -> Generated:
    tmp = tmp_path_factory.mktemp("bench")
    path = tmp / "bench.db"
    url = f"sqlite:///{path}"
    phones = tmp / "phones.txt"
    summary = generate(
        GenerateOptions(
            url=url,
            customers=CUSTOMERS,
            orders=ORDERS,
            chunk=300,
            phones_out=phones,
            phones_sample=100,
            summary_out=tmp / "summary.json",
            quiet=True,
        )
    )
    return Generated(url, path, phones, summary)


@pytest.fixture
def db(gen: Generated) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(gen.path)
    yield conn
    conn.close()


def one(conn: sqlite3.Connection, sql: str) -> int:
    return int(conn.execute(sql).fetchone()[0])


def test_counts_match(gen: Generated, db: sqlite3.Connection) -> None:
    stations = [u for u in city.units() if u.kind == "station"]
    assert one(db, "SELECT count(*) FROM customers") == CUSTOMERS
    assert one(db, "SELECT count(*) FROM work_orders") == ORDERS
    assert one(db, "SELECT count(*) FROM units") == len(city.units())
    assert one(db, "SELECT count(*) FROM areas") == len(city.areas())
    assert one(db, "SELECT count(*) FROM users") == len(ROLE_USERS) + AGENTS + len(stations)
    assert one(db, "SELECT count(*) FROM customer_phones") >= CUSTOMERS
    assert one(db, "SELECT count(*) FROM customers WHERE id NOT IN (SELECT customer_id FROM customer_phones)") == 0
    assert (
        one(
            db,
            "SELECT count(*) FROM dispatch_rules WHERE category_id IS NULL AND area_id IS NULL "
            "AND unit_id IS NULL AND is_active = 1",
        )
        == 1
    )
    for table in ("work_orders", "work_order_events", "callback_tasks", "customers", "customer_phones"):
        assert gen.summary.rows[table] == one(db, f"SELECT count(*) FROM {table}")
    assert sorted(gen.summary.station_unit_ids) == [
        r[0] for r in db.execute("SELECT id FROM units WHERE kind = 'station' ORDER BY id")
    ]
    assert gen.summary.busiest_station_id in gen.summary.station_unit_ids


def test_users_share_one_password_and_roles(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT count(DISTINCT password_hash) FROM users") == 1
    for role in ROLE_USERS:
        assert db.execute(
            "SELECT r.role FROM users u JOIN user_roles r ON r.user_id = u.id WHERE u.username = ?", (role,)
        ).fetchall() == [(role,)]
    assert (
        one(
            db,
            "SELECT count(*) FROM users u JOIN user_roles r ON r.user_id = u.id "
            "WHERE r.role = 'unit_handler' AND u.unit_id IS NULL",
        )
        == 0
    )
    assert (
        one(
            db,
            "SELECT count(*) FROM units s WHERE s.kind = 'station' AND NOT EXISTS "
            "(SELECT 1 FROM users u WHERE u.unit_id = s.id)",
        )
        == 0
    )


def test_database_is_sound(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_indexes_and_triggers_are_back(gen: Generated, tmp_path: Path) -> None:
    fresh = tmp_path / "fresh.db"
    upgrade_database(f"sqlite:///{fresh}")
    sql = "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') ORDER BY type, name"
    with sqlite3.connect(fresh) as a, sqlite3.connect(gen.path) as b:
        assert b.execute(sql).fetchall() == a.execute(sql).fetchall()


def test_every_order_starts_with_register(db: sqlite3.Connection) -> None:
    first = db.execute(
        "SELECT o.id, e.action, e.from_state, e.to_state, e.at, o.created_at FROM work_orders o "
        "JOIN work_order_events e ON e.id = (SELECT min(id) FROM work_order_events WHERE order_id = o.id)"
    ).fetchall()
    assert len(first) == ORDERS
    for _, action, from_state, to_state, at, created_at in first:
        assert (action, from_state, to_state) == ("register", None, "registered")
        assert at == created_at


def test_timelines_are_consistent(db: sqlite3.Connection) -> None:
    # timestamps increase with ids inside each order, states chain, the last event is the order's state
    rows = db.execute(
        "SELECT order_id, action, from_state, to_state, at, unit_id FROM work_order_events ORDER BY order_id, id"
    ).fetchall()
    orders = {r[0]: r for r in db.execute("SELECT id, state, updated_at, unit_id FROM work_orders")}
    last: dict[int, tuple[str, str, int | None]] = {}
    for order_id, action, from_state, to_state, at, unit_id in rows:
        if order_id in last:
            prev_state, prev_at, _ = last[order_id]
            assert at >= prev_at, order_id
            assert from_state == prev_state, (order_id, action)
        last[order_id] = (to_state, at, unit_id)
    for order_id, (state, at, unit_id) in last.items():
        assert orders[order_id][1] == state
        assert orders[order_id][2] == at
        assert orders[order_id][3] == unit_id


def test_closed_orders_have_a_close_event(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT count(*) FROM work_orders WHERE state = 'closed'") > ORDERS * 0.8
    assert (
        one(
            db,
            "SELECT count(*) FROM work_orders o WHERE state = 'closed' AND (closed_at IS NULL OR NOT EXISTS "
            "(SELECT 1 FROM work_order_events e WHERE e.order_id = o.id AND e.action = 'close' "
            "AND e.at = o.closed_at))",
        )
        == 0
    )
    assert one(db, "SELECT count(*) FROM work_orders WHERE state != 'closed' AND closed_at IS NOT NULL") == 0


def test_open_orders(db: sqlite3.Connection) -> None:
    n_open = one(db, "SELECT count(*) FROM work_orders WHERE state != 'closed'")
    assert 0 < n_open < ORDERS * 0.15
    assert (
        one(db, "SELECT count(*) FROM work_orders WHERE state NOT IN ('closed', 'registered') AND unit_id IS NULL") == 0
    )
    assert one(db, "SELECT count(*) FROM work_orders WHERE state = 'registered' AND unit_id IS NOT NULL") == 0
    assert set(OPEN) >= {r[0] for r in db.execute("SELECT DISTINCT state FROM work_orders WHERE state != 'closed'")}


def test_callback_tasks(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT count(*) FROM callback_tasks") == one(
        db, "SELECT count(*) FROM work_order_events WHERE action = 'resolve'"
    )
    # exactly the resolved orders wait for a callback
    assert [r[0] for r in db.execute("SELECT order_id FROM callback_tasks WHERE state = 'open' ORDER BY 1")] == [
        r[0] for r in db.execute("SELECT id FROM work_orders WHERE state = 'resolved' ORDER BY 1")
    ]
    assert (
        one(
            db,
            "SELECT count(*) FROM callback_tasks t JOIN work_orders o ON o.id = t.order_id "
            "WHERE t.agent_id != o.owner_agent_id",
        )
        == 0
    )


def test_numbers_are_unique_and_counted(db: sqlite3.Connection) -> None:
    assert one(db, "SELECT count(DISTINCT number) FROM work_orders") == ORDERS
    tz = ZoneInfo("Asia/Shanghai")
    per_day: dict[str, int] = {}
    for number, created_at in db.execute("SELECT number, created_at FROM work_orders ORDER BY id"):
        assert number.startswith("GD") and len(number) == 16
        day, seq = number[2:10], int(number[10:])
        local = datetime.fromisoformat(created_at).replace(tzinfo=UTC).astimezone(tz).strftime("%Y%m%d")
        assert day == local
        assert seq == per_day.get(day, 0) + 1  # ids follow time, numbers count up per day
        per_day[day] = seq
    assert dict(db.execute("SELECT day, last FROM order_number_seq").fetchall()) == per_day


def test_timestamps_look_like_sqlalchemy_wrote_them(db: sqlite3.Connection) -> None:
    for (value,) in db.execute("SELECT at FROM work_order_events LIMIT 50"):
        assert len(value) == 26 and value[10] == " " and value[19] == "."
        datetime.fromisoformat(value)
    assert {r[0] for r in db.execute("SELECT DISTINCT closed_on_spot FROM work_orders")} <= {0, 1}


def test_fts_matches_like(db: sqlite3.Connection) -> None:
    # trigram FTS answers LIKE for 3+ characters (the app scans for shorter fragments)
    for fragment in ("渝北区", "重庆市", "单元1"):
        fts = {r[0] for r in db.execute("SELECT rowid FROM customers_fts WHERE address LIKE ?", (f"%{fragment}%",))}
        like = {r[0] for r in db.execute("SELECT id FROM customers WHERE address LIKE ?", (f"%{fragment}%",))}
        assert fts == like


def test_phones_file(gen: Generated, db: sqlite3.Connection) -> None:
    phones = gen.phones.read_text().split()
    assert len(phones) == 100
    known = {r[0] for r in db.execute("SELECT phone FROM customer_phones")}
    assert set(phones) <= known


def test_every_phone_is_kept_reversed_for_the_tail_search(db: sqlite3.Connection) -> None:
    rows = db.execute("SELECT phone, phone_rev FROM customer_phones").fetchall()
    assert rows
    assert all(rev == phone[::-1] for phone, rev in rows)


def test_refuses_a_filled_database(gen: Generated) -> None:
    with pytest.raises(SystemExit):
        generate(GenerateOptions(url=gen.url, customers=1, orders=1, quiet=True))


def test_the_app_works_on_the_generated_data(gen: Generated) -> None:
    app = create_app(Settings(database_url=gen.url))
    with TestClient(app) as client:
        r = client.post("/api/v1/auth/token", json={"username": "agent", "password": "demo"})
        assert r.status_code == 200, r.text
        auth = {"Authorization": f"Bearer {r.json()['access_token']}"}
        body = {
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "无气",
            "channel": "phone",
            "contact_phone": "13800138000",
            "customer_id": 1,
        }
        numbers = []
        for _ in range(2):
            r = client.post("/api/v1/work-orders", json=body, headers=auth)
            assert r.status_code == 201, r.text
            numbers.append(r.json()["number"])
            assert r.json()["id"] > ORDERS
            assert r.json()["state"] == "dispatched"  # the default rule sends it to the area's owner
        today = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d")
        with sqlite3.connect(gen.path) as conn:
            assert one(conn, "SELECT count(DISTINCT number) FROM work_orders") == ORDERS + 2
            last = conn.execute("SELECT last FROM order_number_seq WHERE day = ?", (today,)).fetchone()[0]
        assert numbers == [f"GD{today}{last - 1:06d}", f"GD{today}{last:06d}"]

        unit = gen.summary.busiest_station_id
        r = client.get("/api/v1/work-orders", params={"unit_id": unit, "state": "open", "page_size": 50}, headers=auth)
        assert r.status_code == 200, r.text
        assert r.json()["total"] >= gen.summary.open_by_unit[unit]
        assert {o["unit_id"] for o in r.json()["items"]} == {unit}

        r = client.get("/api/v1/work-orders/1", headers=auth)
        assert r.status_code == 200 and r.json()["events"][0]["action"] == "register"

        phone = gen.phones.read_text().split()[0]
        r = client.get("/api/v1/customers", params={"q": phone}, headers=auth)
        assert r.status_code == 200 and mask_phone(phone) in r.json()["items"][0]["phones"]
        r = client.get("/api/v1/customers", params={"q": "渝北区"}, headers=auth)
        assert r.status_code == 200 and r.json()["total"] > 0


def test_about_half_the_closed_orders_are_rated_and_the_daily_counts_hold_them(
    gen: Generated, db: sqlite3.Connection
) -> None:
    closed = one(db, "SELECT count(*) FROM work_orders WHERE state = 'closed'")
    rated = one(db, "SELECT count(*) FROM ratings")
    assert gen.summary.rows["ratings"] == rated and 0.45 * closed < rated < 0.60 * closed
    assert one(db, "SELECT count(*) FROM ratings WHERE order_id NOT IN (SELECT id FROM work_orders)") == 0
    assert one(db, "SELECT count(*) FROM ratings r JOIN work_orders o ON o.id = r.order_id "
                   "WHERE r.unit_id IS NOT o.unit_id OR r.agent_id IS NOT o.owner_agent_id") == 0
    shares = dict(db.execute("SELECT result, count(*) FROM ratings GROUP BY result").fetchall())
    assert 0.82 < shares["satisfied"] / rated < 0.94 and shares["unsatisfied"] < shares["basically_satisfied"]
    counted = "SELECT sum(satisfied + basically_satisfied + unsatisfied) FROM satisfaction_daily WHERE dim = "
    assert one(db, counted + "'all'") == rated == one(db, counted + "'channel'")
    assert one(db, counted + "'unit'") == one(db, "SELECT count(*) FROM ratings WHERE unit_id IS NOT NULL")
