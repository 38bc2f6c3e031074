"""``UTCDateTime`` reads every datetime back aware and in UTC, on both databases, through the ORM and through
a prebuilt statement; on SQLite also what another writer may have stored (no fraction, a ``T``, an offset)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import bindparam, select, text

from huiyin.core.fastsql import Prebuilt
from huiyin.db import Database
from huiyin.org.models import Unit
from tests.personas import World

_CREATED = Prebuilt(select(Unit.created_at).where(Unit.id == bindparam("id")))


def test_what_is_written_is_read_back_aware_and_in_utc(db: Database, world: World) -> None:
    at = datetime(2026, 12, 6, 16, 30, 5, 123456, tzinfo=timezone(timedelta(hours=8)))
    with db.session() as s:
        unit = s.scalars(select(Unit).order_by(Unit.id)).first()
        assert unit is not None
        unit.created_at = at
        s.flush()
        s.expire(unit)
        assert unit.created_at == at and unit.created_at.tzinfo is UTC
        assert unit.created_at.hour == 8
        (read,) = _CREATED.first(s, {"id": unit.id}) or (None,)
        assert read == at and read.tzinfo is UTC


@pytest.mark.parametrize(
    ("stored", "expected"),
    [
        ("2026-12-06 08:30:05.123456", datetime(2026, 12, 6, 8, 30, 5, 123456, tzinfo=UTC)),
        ("2026-12-06 08:30:05", datetime(2026, 12, 6, 8, 30, 5, tzinfo=UTC)),
        ("2026-12-06T08:30:05", datetime(2026, 12, 6, 8, 30, 5, tzinfo=UTC)),
        ("2026-12-06 16:30:05+08:00", datetime(2026, 12, 6, 8, 30, 5, tzinfo=UTC)),
    ],
)
def test_sqlite_reads_what_other_writers_stored(db: Database, world: World, stored: str, expected: datetime) -> None:
    if not db.is_sqlite:
        pytest.skip("SQLite keeps datetimes as text")
    with db.session() as s:
        unit_id = s.scalars(select(Unit.id).order_by(Unit.id)).first()
        s.execute(text("UPDATE units SET created_at = :v WHERE id = :id"), {"v": stored, "id": unit_id})
        got = s.scalar(select(Unit.created_at).where(Unit.id == unit_id))
        assert got == expected and got is not None and got.tzinfo is UTC
        (read,) = _CREATED.first(s, {"id": unit_id}) or (None,)
        assert read == expected
