"""``ids_in``: a list of ids bound as one parameter finds exactly those rows, whatever the list's length, on
both databases, through the column's index, as an ordinary statement and as a prebuilt one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.orm import Session

from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.customers.models import Customer, CustomerPhone
from huiyin.db import Database

_PHONES_OF = Prebuilt(
    select(CustomerPhone.customer_id, CustomerPhone.phone)
    .where(ids_in(CustomerPhone.customer_id, "ids"))
    .order_by(CustomerPhone.id)
)


def _fill(session: Session, n: int) -> list[int]:
    at = datetime(2026, 12, 1, tzinfo=UTC)
    ids = list(range(50_001, 50_001 + n))
    rows = [{"id": i, "account_no": f"I{i}", "name": "批量", "created_at": at, "updated_at": at} for i in ids]
    session.execute(insert(Customer), rows)
    session.execute(insert(CustomerPhone), [{"customer_id": i, "phone": f"139{i:08d}"} for i in ids])
    session.flush()
    session.execute(text("ANALYZE"))
    return ids


@pytest.mark.parametrize("wanted", [[], [50_002], [50_003, 50_001, 50_001], list(range(50_010, 50_210))])
def test_a_prebuilt_lookup_by_ids_gives_exactly_their_rows(db: Database, wanted: list[int]) -> None:
    with db.session() as s:
        _fill(s, 300)
        got = _PHONES_OF.rows(s, {"ids": wanted})
        assert sorted(cid for cid, _ in got) == sorted(set(wanted))
        assert all(phone == f"139{cid:08d}" for cid, phone in got)


def test_the_same_statement_serves_every_length_and_a_set_or_tuple(db: Database) -> None:
    with db.session() as s:
        _fill(s, 20)
        stmt = select(Customer.id).where(ids_in(Customer.id, "ids")).order_by(Customer.id)
        assert list(s.scalars(stmt, {"ids": (50_002, 50_001)})) == [50_001, 50_002]
        assert list(s.scalars(stmt, {"ids": {50_005}})) == [50_005]
        assert list(s.scalars(stmt, {"ids": [99_999_999]})) == []


@pytest.mark.parametrize("bad", [["1"], [1.5], [True], [None]])
def test_anything_but_integers_is_refused_before_the_database(db: Database, bad: list[object]) -> None:
    with db.session() as s, pytest.raises(Exception, match="ids_in takes integers"):
        s.scalars(select(Customer.id).where(ids_in(Customer.id, "ids")), {"ids": bad}).all()


def test_the_lookup_uses_the_columns_index(db: Database) -> None:
    with db.session() as s:
        _fill(s, 4000)
        conn = s.connection()
        stmt = select(CustomerPhone.phone).where(ids_in(CustomerPhone.customer_id, "ids"))
        sql = str(stmt.compile(conn))
        if conn.dialect.name == "sqlite":
            plan = "\n".join(str(r[-1]) for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", ('[50002, 50003]',)))
            assert "USING INDEX ix_customer_phones_customer_id" in plan, sql + plan
            assert "SCAN customer_phones" not in plan, plan
        else:
            conn.exec_driver_sql("SET enable_seqscan = off")  # at 4,000 rows the planner may prefer a scan
            plan = "\n".join(str(r[0]) for r in conn.exec_driver_sql(f"EXPLAIN {sql}", {"ids": [50002, 50003]}))
            assert "ix_customer_phones_customer_id" in plan, plan
            assert "Seq Scan" not in plan, plan
