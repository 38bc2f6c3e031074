"""Part of a number as agents type it: its start, or a mobile's last digits (手机尾号), each served by an index
on SQLite and PostgreSQL."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import Select, insert, select, text
from sqlalchemy.orm import Session

from huiyin.clock import clock
from huiyin.customers.models import Customer, CustomerPhone
from huiyin.customers.service import (
    _next_digits,
    do_create_customer,
    mobiles_ending_with,
    phones_starting_with,
    search_customers,
)
from huiyin.db import Database
from tests.personas import Api, World

# account number → phones; with the world's 3100000001 (13912345678, 02367891234) and 3100000002 (13698765432)
MORE = {
    "3100000003": ["13912340000"],  # starts as 3100000001's mobile does
    "3100000004": ["15800005678"],  # ends as 3100000001's mobile does
    "3100000005": ["02361235678"],  # a landline ending the same: no 尾号 hit, it is no mobile
    "3100000006": ["13900001391"],  # ends with what 3100000001's mobile starts with
}


@pytest.fixture
def phone_book(world: World) -> World:
    with world.db.session() as s:
        for account_no, phones in MORE.items():
            do_create_customer(s, account_no=account_no, name="测试户", phones=phones)
        do_create_customer(s, account_no="3100000007", name="表号户", phones=["18700000000"], meter_no="13912")
    return world


def found(api: Api, q: str) -> list[str]:
    r = api.get("/customers", params={"q": q})
    assert r.status_code == 200, r.text
    return [c["account_no"][-1] for c in r.json()["items"]]  # the last digit tells them apart here


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("139", ["6", "3", "1"]),  # prefix, in number order: 13900001391, 13912340000, 13912345678
        ("1391234", ["3", "1"]),
        ("139-1234-5", ["1"]),
        ("1391234567", ["1"]),  # ten digits: still a prefix
        ("13912345678", ["1"]),  # eleven: exact
        ("1391234567X", []),  # not digits: a name or address, and none has it
        ("5678", ["4", "1"]),  # 尾号: two mobiles end with it, the landline 02361235678 does not
        ("45678", ["1"]),
        ("2345678", ["1"]),
        ("1391", ["6", "3", "1"]),  # four digits: the 尾号 hit first, then the numbers that start with them
        ("0236", ["5", "1"]),  # landlines by their area code and exchange
        ("023-6789", ["1"]),
        ("13912", ["7", "3", "1"]),  # an exact meter number comes before the prefix hits
        ("3100000004", ["4"]),  # an account number, exactly; no phone starts with it
        ("12", []),  # two digits: too few for part of a number
        ("0000", ["7", "3"]),  # 18700000000, 13912340000
        ("9999", []),
        ("1380", []),
    ],
)
def test_an_agent_finds_customers_by_part_of_a_number(
    phone_book: World, agent: Api, q: str, expected: list[str]
) -> None:
    assert found(agent, q) == expected


def test_the_next_digit_string_carries_over_nines() -> None:
    assert _next_digits("1380") == "1381"
    assert _next_digits("1239") == "124"
    assert _next_digits("0999") == "1"
    assert _next_digits("999") is None


def test_a_tail_follows_a_changed_number(phone_book: World, agent: Api) -> None:
    agent.ok("patch", f"/customers/{phone_book.customer_b_id}", {"phones": ["13600002468"]})
    assert found(agent, "2468") == ["2"]
    assert found(agent, "5432") == []


# ------------------------------------------------------------------------------- many numbers, and the plans


def _fill(session: Session, n: int) -> list[tuple[int, str]]:
    """``n`` customers with a random mobile or landline each, loaded as a bulk insert naming only ``phone`` (so
    the column's default fills ``phone_rev``); the tables analysed, as a live database's are."""
    rng = random.Random(13)
    at = clock.now()
    base = 10_000
    phones: list[tuple[int, str]] = []
    for i in range(n):
        if rng.random() < 0.8:
            phones.append((base + i, f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"))
        else:
            phones.append((base + i, f"023{rng.randrange(10**8):08d}"))
    session.execute(
        insert(Customer),
        [{"id": cid, "account_no": f"B{cid}", "name": "批量", "created_at": at, "updated_at": at} for cid, _ in phones],
    )
    session.execute(insert(CustomerPhone), [{"customer_id": cid, "phone": p} for cid, p in phones])
    session.flush()
    session.execute(text("ANALYZE"))
    return phones


def _plan(session: Session, stmt: Select[int]) -> str:
    sql = str(stmt.limit(20).compile(session.get_bind(), compile_kwargs={"literal_binds": True}))
    if session.get_bind().dialect.name == "sqlite":
        return "\n".join(str(row[-1]) for row in session.execute(text(f"EXPLAIN QUERY PLAN {sql}")))
    return "\n".join(str(row[0]) for row in session.execute(text(f"EXPLAIN {sql}")))


def test_prefix_and_tail_are_ranges_on_their_indexes(db: Database) -> None:
    with db.session() as s:
        _fill(s, 4000)
        prefix = _plan(s, phones_starting_with("1391"))
        tail = _plan(s, mobiles_ending_with("5678"))
    assert "ix_customer_phones_phone " in prefix + " ", prefix
    assert "ix_customer_phones_phone_rev" in tail, tail
    for plan in (prefix, tail):
        assert "Seq Scan" not in plan and "SCAN customer_phones" not in plan, plan


def test_many_numbers_give_every_hit_and_no_other(db: Database) -> None:
    with db.session() as s:
        phones = _fill(s, 4000)
        for q in ("139", "1391", "0236", "5678", "01234", "888888"):
            want_start = {cid for cid, p in phones if len(q) <= 10 and p.startswith(q)}
            want_tail = {cid for cid, p in phones if len(q) >= 4 and p.endswith(q) and p.startswith("1")}
            got = [c.id for c in search_customers(s, q, limit=5000)]
            assert len(got) == len(set(got))
            assert set(got) == want_start | want_tail, q
            by_start = {cid for cid, p in phones if p.startswith(q)}
            by_tail = {cid for cid, p in phones if p.endswith(q) and p.startswith("1")}
            assert set(s.scalars(phones_starting_with(q))) == by_start, q
            assert set(s.scalars(mobiles_ending_with(q))) == by_tail, q
        assert all(rev == p[::-1] for p, rev in s.execute(select(CustomerPhone.phone, CustomerPhone.phone_rev)))


def test_the_tail_search_stops_at_the_pages_last_hit_even_as_a_prepared_statement(db: Database) -> None:
    """The reversed index holds mobiles only, and the query asks the same condition in the same words, so
    the planner reads the range in order and stops at the limit (no sort of every hit), also when the
    statement is prepared with its digits as parameters (as psycopg prepares a repeated statement)."""
    with db.session() as s:
        _fill(s, 4000)
        conn = s.connection()
        tail = mobiles_ending_with("5678").limit(20)
        if conn.dialect.name == "sqlite":
            sql = str(tail.compile(conn))
            args = tuple(tail.compile(conn).params[k] for k in tail.compile(conn).positiontup or ())
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", args))
            assert "ix_customer_phones_phone_rev" in plan and "TEMP B-TREE" not in plan, plan
        else:
            conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
            sql = str(tail.compile(conn, compile_kwargs={"render_postcompile": True}))
            prepared = sql.replace("%(lo)s", "$1").replace("%(hi)s", "$2").replace("%(param_1)s", "$3")
            conn.exec_driver_sql(f"PREPARE tail_search(text, text, int) AS {prepared}")
            plan = "\n".join(str(r[0]) for r in conn.exec_driver_sql("EXPLAIN EXECUTE tail_search('8765', '8766', 20)"))
            assert "ix_customer_phones_phone_rev" in plan and "Sort" not in plan, plan
