"""Business time: adding working minutes to an instant on a business calendar. Pure functions.

A calendar is a time zone, the working hours of a working day (e.g. 08:30–12:00 and 13:30–17:30) and
the exception days: public holidays (``False``) and make-up working days, 调休 (``True``). Any other day
is a working day from Monday to Friday. ``None`` stands for the ``24x7`` calendar: every minute counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MAX_DAYS = 3660
"""How far (in days) the functions look before giving up on a calendar that has no working time."""


@dataclass(frozen=True)
class Calendar:
    tz: str
    periods: tuple[tuple[time, time], ...]
    exceptions: Mapping[date, bool] = field(default_factory=dict)

    def is_working(self, day: date) -> bool:
        found = self.exceptions.get(day)
        return found if found is not None else day.weekday() < 5


def _windows(cal: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """The working intervals (UTC) from ``start`` on, in order; the first may be cut by ``start``."""
    zone = ZoneInfo(cal.tz)
    day = start.astimezone(zone).date()
    for _ in range(MAX_DAYS):
        if cal.is_working(day):
            for begin, end in cal.periods:
                a = datetime.combine(day, begin, zone).astimezone(UTC)
                b = datetime.combine(day, end, zone).astimezone(UTC)
                if b <= start:
                    continue
                yield max(a, start), b
        day += timedelta(days=1)
    raise ValueError(f"the calendar has no working time within {MAX_DAYS} days")


def add_business_minutes(cal: Calendar | None, start: datetime, minutes: float) -> datetime:
    """The instant ``minutes`` working minutes after ``start`` (aware; the answer is UTC).

    A start outside working hours begins at the next working period; an answer that lands exactly on
    the end of a period stays there (17:30, not 08:30 the next working day).
    """
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    start = start.astimezone(UTC)
    if cal is None:
        return start + timedelta(minutes=minutes)
    if minutes <= 0:
        return start
    left = timedelta(minutes=minutes)
    for a, b in _windows(cal, start):
        if b - a >= left:
            return a + left
        left -= b - a
    raise AssertionError("unreachable")  # pragma: no cover - _windows raises first


def business_minutes_between(cal: Calendar | None, start: datetime, end: datetime) -> float:
    """Working minutes in [start, end) (0 when end is not after start)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    if end <= start:
        return 0.0
    if cal is None:
        return (end - start).total_seconds() / 60
    total = timedelta()
    for a, b in _windows(cal, start):
        if a >= end:
            break
        total += min(b, end) - a
    return total.total_seconds() / 60


class PeriodReversed(ValueError):
    """A working period that ends before it starts; ``start`` and ``end`` as HH:MM."""

    def __init__(self, start: time, end: time) -> None:
        super().__init__(f"working period {start:%H:%M}–{end:%H:%M} ends before it starts")
        self.start, self.end = f"{start:%H:%M}", f"{end:%H:%M}"


class PeriodsOverlap(ValueError):
    """Two working periods that overlap."""


def parse_hours(spans: list[tuple[str, str]]) -> tuple[tuple[time, time], ...]:
    """[("08:30", "12:00"), ...] → sorted periods; ValueError when empty, reversed (``PeriodReversed``) or
    overlapping (``PeriodsOverlap``)."""
    out = sorted((time.fromisoformat(a), time.fromisoformat(b)) for a, b in spans)
    if not out:
        raise ValueError("a calendar needs at least one working period")
    for i, (a, b) in enumerate(out):
        if a >= b:
            raise PeriodReversed(a, b)
        if i and out[i - 1][1] > a:
            raise PeriodsOverlap("working periods overlap")
    return tuple(out)
