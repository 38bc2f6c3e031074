"""``core.prebuilt``: statements compiled once and run on the session's DB-API cursor give what
``session.execute`` gives (UTC datetimes, JSON, booleans), in the session's transaction, with SQLAlchemy's
errors; statements it cannot run as SQLAlchemy would are refused. On both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from sqlalchemy import Table, bindparam, exc, insert, select, update

from huiyin.calls.models import Call, CtiIntegration
from huiyin.core.fastsql.prebuilt import Prebuilt, PrebuiltSet, rows_together
from huiyin.db import Database

CALLS = cast(Table, Call.__table__)
AT = datetime(2026, 11, 23, 8, 30, 15, 250000, tzinfo=UTC)

_NEW_CALL = Prebuilt(
    insert(CALLS).returning(CALLS.c.id),
    column_keys=(
        "call_id",
        "direction",
        "from_number",
        "to_number",
        "queue",
        "state",
        "offered_to",
        "offered_at",
        "hold_seconds",
        "abandoned",
        "short_abandon",
        "blocked",
        "ivr_path",
        "updated_at",
    ),
)


def a_call(call_id: str, **changes: Any) -> dict[str, Any]:
    return {
        "call_id": call_id,
        "direction": "in",
        "from_number": "13912345678",
        "to_number": "95598",
        "queue": "燃气",
        "state": "ringing",
        "offered_to": [3, 5],
        "offered_at": AT,
        "hold_seconds": 0,
        "abandoned": True,
        "short_abandon": False,
        "blocked": False,
        "ivr_path": "1>2",
        "updated_at": AT,
        **changes,
    }


def test_a_prebuilt_insert_writes_json_datetimes_and_booleans_as_the_orm_reads_them(db: Database) -> None:
    with db.session() as s:
        pk = _NEW_CALL.scalar(s, a_call("pb-1", offered_at=AT.astimezone(timezone_of_beijing())))
    with db.session(write=False) as s:
        call = s.get(Call, pk)
        assert call is not None
        assert call.offered_to == [3, 5]
        assert call.offered_at == AT and call.offered_at.tzinfo is not None
        assert call.abandoned is True and call.blocked is False
        assert call.queue == "燃气"


def test_a_prebuilt_select_returns_what_session_execute_returns(db: Database) -> None:
    with db.session() as s:
        s.add(
            CtiIntegration(
                name="pb",
                token_hash="h" * 64,
                token_hint="hhhhhh",
                blocked_numbers=[{"number": "110", "note": "测试"}],
                caller_id_rules=[],
                revoked_at=AT,
            )
        )
    table = cast(Table, CtiIntegration.__table__)
    stmt = select(table).where(table.c.name == bindparam("name"))
    with db.session(write=False) as s:
        expected = dict(s.execute(stmt, {"name": "pb"}).mappings().one())
        got = Prebuilt(stmt).mapping(s, {"name": "pb"})
    assert got == expected
    assert got is not None and got["revoked_at"] == AT and got["blocked_numbers"][0]["note"] == "测试"


def test_named_records_carry_every_column_as_the_orm_object_has_it(db: Database) -> None:
    with db.session() as s:
        first = _NEW_CALL.scalar(s, a_call("pb-named-1"))
        second = _NEW_CALL.scalar(s, a_call("pb-named-2", offered_to=[], abandoned=False))
    stmt = Prebuilt(select(CALLS).where(CALLS.c.call_id.like(bindparam("p"))).order_by(CALLS.c.id))
    with db.session(write=False) as s:
        records = stmt.named(s, {"p": "pb-named-%"})
        objects = [s.get_one(Call, first), s.get_one(Call, second)]
        assert [r.id for r in records] == [first, second]
        for record, obj in zip(records, objects, strict=True):
            assert {c.key: getattr(record, c.key) for c in CALLS.c} == {c.key: getattr(obj, c.key) for c in CALLS.c}
        assert records[0].offered_at == AT and records[0].offered_at.tzinfo is not None
        assert stmt.named(s, {"p": "nothing-%"}) == []
        assert type(stmt.named(s, {"p": "pb-named-1"})[0]) is type(records[0])  # one record type per statement


def test_prebuilt_statements_share_the_sessions_transaction(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as s:
        _NEW_CALL.scalar(s, a_call("pb-rolled-back"))
        assert s.scalar(select(Call.id).where(Call.call_id == "pb-rolled-back")) is not None  # seen by the ORM
        raise RuntimeError("rolled back")
    with db.session(write=False) as s:
        assert s.scalar(select(Call.id).where(Call.call_id == "pb-rolled-back")) is None


def test_an_update_per_set_of_columns_changes_those_columns_only(db: Database) -> None:
    save = PrebuiltSet(update(CALLS).where(CALLS.c.id == bindparam("call_pk")))
    with db.session() as s:
        pk = _NEW_CALL.scalar(s, a_call("pb-upd"))
        later = AT + timedelta(seconds=42)
        save.execute(
            s,
            {"call_pk": pk, "state": "ended", "ended_at": later, "updated_at": later},
            columns=["state", "ended_at", "updated_at"],
        )
        save.execute(s, {"call_pk": pk, "cause": "busy", "updated_at": later}, columns=["cause", "updated_at"])
    with db.session(write=False) as s:
        call = s.get(Call, pk)
        assert call is not None
        assert (call.state, call.ended_at, call.cause, call.queue) == ("ended", later, "busy", "燃气")


def test_a_database_error_comes_out_as_sqlalchemys_and_the_session_rolls_back(db: Database) -> None:
    with db.session() as s:
        _NEW_CALL.scalar(s, a_call("pb-dup"))
    with pytest.raises(exc.IntegrityError), db.session() as s:
        _NEW_CALL.scalar(s, a_call("pb-dup"))
    with db.session() as s:  # the pool's connection is usable again
        assert Prebuilt(select(CALLS.c.id).where(CALLS.c.call_id == bindparam("c"))).scalar(s, {"c": "pb-dup"})


def test_a_missing_parameter_is_refused_before_anything_runs(db: Database) -> None:
    with pytest.raises(exc.ArgumentError, match="call_id"), db.session() as s:
        values = a_call("pb-missing")
        del values["call_id"]
        _NEW_CALL.scalar(s, values)


def test_statements_it_cannot_run_as_sqlalchemy_would_are_refused(db: Database) -> None:
    needs_default = Prebuilt(insert(CALLS), column_keys=("call_id", "direction"))  # updated_at etc.: Python defaults
    expanding = Prebuilt(select(CALLS.c.id).where(CALLS.c.id.in_(bindparam("ids", expanding=True))))
    with db.session() as s:
        with pytest.raises(ValueError, match="Python default"):
            needs_default.execute(s, {"call_id": "pb-x", "direction": "in"})
        with pytest.raises(ValueError, match="expanding"):
            expanding.rows(s, {"ids": [1, 2]})


def test_statements_sent_together_give_each_its_own_rows(db: Database) -> None:
    by_call_id = Prebuilt(select(CALLS.c.call_id, CALLS.c.offered_at).where(CALLS.c.call_id == bindparam("c")))
    with db.session() as s:
        _NEW_CALL.scalar(s, a_call("pb-t1"))
        _NEW_CALL.scalar(s, a_call("pb-t2", offered_at=AT + timedelta(minutes=1)))
    with db.session(write=False) as s:
        one, none, two = rows_together(
            s, [(by_call_id, {"c": "pb-t1"}), (by_call_id, {"c": "nope"}), (by_call_id, {"c": "pb-t2"})]
        )
    assert one == [("pb-t1", AT)] and none == [] and two == [("pb-t2", AT + timedelta(minutes=1))]


def test_a_failing_statement_among_those_sent_together_fails_them_all(db: Database) -> None:
    with pytest.raises(exc.IntegrityError), db.session() as s:
        rows_together(s, [(_NEW_CALL, a_call("pb-p1")), (_NEW_CALL, a_call("pb-p1"))])
    with db.session(write=False) as s:
        assert s.scalar(select(Call.id).where(Call.call_id == "pb-p1")) is None


def timezone_of_beijing() -> Any:
    from datetime import timezone

    return timezone(timedelta(hours=8))
