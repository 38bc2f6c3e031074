"""Periods in the centre's time zone: ``from``/``to`` as the API takes them, and the keys figures group by."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

from huiyin.errors import Invalid
from huiyin.performance.models import SLOT_SECONDS

MAX_DAYS = 800
INTERVALS = (15, 30, 60)


@dataclass(frozen=True)
class Period:
    """[start, end) in UTC, and the zone its days are cut in."""

    start: datetime
    end: datetime
    tz: ZoneInfo

    @property
    def on_slots(self) -> bool:
        """Both ends on 15-minute boundaries: the rollups answer it."""
        return all(int(t.timestamp()) % SLOT_SECONDS == 0 and t.microsecond == 0 for t in (self.start, self.end))

    @cached_property  # asked for every row a grouping reads: worked out once (a year: 365 look-ups)
    def fixed_offset(self) -> int | None:
        """The zone's offset from UTC in seconds when it is the same through the whole period (China's
        always is), else None (a daylight-saving change inside it)."""
        days = (self.end - self.start).days + 1
        offsets = {self.tz.utcoffset((self.start + timedelta(days=k)).replace(tzinfo=None)) for k in range(days)}
        offsets.add(self.tz.utcoffset(self.end.replace(tzinfo=None)))
        if len(offsets) != 1:
            return None
        only = offsets.pop()
        return None if only is None else int(only.total_seconds())

    @property
    def slots(self) -> tuple[int, int]:
        return int(self.start.timestamp()) // SLOT_SECONDS, -(-int(self.end.timestamp()) // SLOT_SECONDS)


def _parse(value: str, field: str, tz: ZoneInfo, *, end: bool) -> datetime:
    text = value.strip()
    try:
        if len(text) >= 4 and text[:4].isdigit() and not 2000 <= int(text[:4]) <= 2100:
            if field == "from":
                raise Invalid(f"{field}: a year from 2000 to 2100", code="performance.from_year")
            raise Invalid(f"{field}: a year from 2000 to 2100", code="performance.to_year")
        if len(text) == 10:  # a date: from its local midnight; as ``to``, through its end (inclusive)
            d = date.fromisoformat(text)
            return datetime.combine(d + timedelta(days=1) if end else d, time(), tz).astimezone(UTC)
        at = datetime.fromisoformat(text)
    except (ValueError, OverflowError):
        detail = f"{field}: not an ISO date or date-time: {value!r}"
        if field == "from":
            raise Invalid(detail, code="performance.bad_from", value=value) from None
        raise Invalid(detail, code="performance.bad_to", value=value) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=tz)
    return at.astimezone(UTC)


def period(from_: str, to: str, tz_name: str) -> Period:
    """The period ``from`` … ``to``: dates (``to`` inclusive) or date-times (``to`` exclusive), in the
    centre's zone unless they carry one. 422 when unreadable, reversed, empty or longer than ``MAX_DAYS``."""
    tz = ZoneInfo(tz_name)
    start, end = _parse(from_, "from", tz, end=False), _parse(to, "to", tz, end=True)
    if end <= start:
        raise Invalid("to: must be after from", code="performance.to_before_from")
    if end - start > timedelta(days=MAX_DAYS):
        raise Invalid(
            f"the period is longer than {MAX_DAYS} days", code="performance.period_too_long", max_days=MAX_DAYS
        )
    return Period(start, end, tz)


def month_bounds(month: str) -> tuple[date, date]:
    """``YYYY-MM`` → its first and last day; 422 otherwise."""
    try:
        first = date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Invalid(f"month: YYYY-MM, not {month!r}", code="performance.bad_month", month=month) from None
    if not 2000 <= first.year <= 2100:
        raise Invalid("month: a year from 2000 to 2100", code="performance.month_year")
    nxt = (first + timedelta(days=32)).replace(day=1)
    return first, nxt - timedelta(days=1)


def bucket_width(group_by: str, minutes: int) -> int:
    """The width in seconds of a day or interval bucket."""
    return 86400 if group_by == "day" else minutes * 60


def bucket_key(bucket: int, group_by: str, minutes: int) -> str:
    """The label of a local bucket numbered ``(UTC epoch seconds + offset) // width``."""
    local = datetime(1970, 1, 1) + timedelta(seconds=bucket * bucket_width(group_by, minutes))
    return local.date().isoformat() if group_by == "day" else local.strftime("%Y-%m-%dT%H:%M")


def slot_key(slot: int, group_by: str, tz: ZoneInfo, minutes: int = 15) -> str:
    """The label a slot falls under: its local day (``2026-12-01``) or its local interval start
    (``2026-12-01T08:30``)."""
    local = datetime.fromtimestamp(slot * SLOT_SECONDS, tz)
    if group_by == "day":
        return local.date().isoformat()
    minute = local.minute - local.minute % minutes
    return local.replace(minute=minute).strftime("%Y-%m-%dT%H:%M")
