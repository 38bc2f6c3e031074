"""Field types shared by the API schemas of several domains."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import Path, Query
from pydantic import AfterValidator, Field, Strict, StringConstraints

from huiyin.clock import now
from huiyin.core.phones import check_phone, check_phone_or_masked
from huiyin.errors import Invalid

Phone = Annotated[str, StringConstraints(min_length=3, max_length=20), AfterValidator(check_phone)]
PhoneOrMasked = Annotated[str, StringConstraints(min_length=3, max_length=20), AfterValidator(check_phone_or_masked)]
"""A number in full, or as the API showed it (masked), naming a record's number without revealing it."""
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

MAX_ID = 2_147_483_647
"""Ids are 32-bit on PostgreSQL; a larger number is a 422, never a database overflow."""
RefId = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
"""An id in a JSON body: a JSON number, never ``true`` or ``"1"`` (strict), within the column's range."""
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]


FIRST_YEAR, LAST_YEAR = 1900, 9000


def check_instant(value: datetime) -> datetime:
    """A moment the database can store and compare: with a time zone, between the years 1900 and 9000 (the
    edges of Python's calendar overflow when moved to UTC). Checked on the year as written, with no
    arithmetic that could itself overflow."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("needs a time zone, e.g. 2026-11-22T00:00:00+08:00")
    if not FIRST_YEAR <= value.year < LAST_YEAR:
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Instant = Annotated[datetime, AfterValidator(check_instant)]
"""Every date-time the API takes (query parameters and bodies): zoned and bounded (``check_instant``)."""


def check_day(value: date) -> date:
    """A calendar day the database can store: between the years 1900 and 9000."""
    if not FIRST_YEAR <= value.year < LAST_YEAR:
        raise ValueError(f"must lie between the years {FIRST_YEAR} and {LAST_YEAR}")
    return value


Day = Annotated[date, AfterValidator(check_day)]
"""A calendar day the API takes (``2026-12-01``), in the centre's time zone where it bounds a period."""


FromDay = Annotated[Day | None, Query(alias="from", description="first day (centre's time zone)")]
ToDay = Annotated[Day | None, Query(description="last day, inclusive (default: today)")]


def check_period(tz: str, first: date | None, last: date | None, *, days: int = 30) -> tuple[date, date]:
    """A figure's days in the centre's time zone: ``last`` defaults to today, ``first`` to ``days`` days
    before it (inclusive); 422 when ``first`` is after ``last``."""
    end = last or now().astimezone(ZoneInfo(tz)).date()
    start = first or end - timedelta(days=days - 1)
    if start > end:
        raise Invalid("'from' is after 'to'", code="core.period_reversed", field="from")
    return start, end
