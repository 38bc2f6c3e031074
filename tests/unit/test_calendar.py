"""add_business_minutes and business_minutes_between on the working-day calendar with 2026's holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from huiyin.sla.calendar import Calendar, add_business_minutes, business_minutes_between, parse_hours
from huiyin.sla.seed_data import CN_2026, WORK_HOURS

CST = ZoneInfo("Asia/Shanghai")
CAL = Calendar(
    "Asia/Shanghai",
    parse_hours([(a, b) for a, b in WORK_HOURS]),
    {date.fromisoformat(d): w for d, w, _ in CN_2026},
)
DAY = 450  # minutes in one working day: 08:30–12:00 and 13:30–17:30


def local(y: int, m: int, d: int, hh: int, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=CST)


def test_the_24x7_calendar_adds_plain_minutes() -> None:
    start = local(2026, 10, 1, 10)
    assert add_business_minutes(None, start, 90) == local(2026, 10, 1, 11, 30)
    assert business_minutes_between(None, start, local(2026, 10, 1, 11, 30)) == 90


def test_minutes_within_a_morning_stay_in_the_morning() -> None:
    assert add_business_minutes(CAL, local(2026, 11, 24, 9), 60) == local(2026, 11, 24, 10)


def test_the_lunch_break_does_not_count() -> None:
    assert add_business_minutes(CAL, local(2026, 11, 24, 11, 30), 60) == local(2026, 11, 24, 14)


def test_a_start_outside_working_hours_begins_at_the_next_period() -> None:
    assert add_business_minutes(CAL, local(2026, 11, 24, 20), 30) == local(2026, 11, 25, 9)
    assert add_business_minutes(CAL, local(2026, 11, 24, 12, 30), 30) == local(2026, 11, 24, 14)


def test_a_deadline_landing_on_the_end_of_the_day_stays_there() -> None:
    assert add_business_minutes(CAL, local(2026, 11, 24, 8, 30), DAY) == local(2026, 11, 24, 17, 30)


def test_the_weekend_is_skipped() -> None:
    # Friday 2026-11-27 10:00 + 3 working days → Wednesday 2026-12-02 10:00
    assert add_business_minutes(CAL, local(2026, 11, 27, 10), 3 * DAY) == local(2026, 12, 2, 10)


def test_national_day_is_skipped_and_the_make_up_saturday_counts() -> None:
    # Wednesday 09-30 10:00: 360 minutes that day, 10-01..07 off, Thu 10-08 and Fri 10-09 full days,
    # then Saturday 10-10 is a make-up working day (调休): the last 90 minutes end at 10:00.
    assert add_business_minutes(CAL, local(2026, 9, 30, 10), 3 * DAY) == local(2026, 10, 10, 10)


def test_a_make_up_sunday_before_national_day_counts() -> None:
    # Saturday 09-19 is off, Sunday 09-20 is a make-up working day.
    assert add_business_minutes(CAL, local(2026, 9, 19, 10), 60) == local(2026, 9, 20, 9, 30)


def test_the_spring_festival_week_is_skipped() -> None:
    # Friday 02-13 17:00 + 60 min: 30 that day, Sat 02-14 is a make-up working day → 09:00 there.
    assert add_business_minutes(CAL, local(2026, 2, 13, 17), 60) == local(2026, 2, 14, 9)
    # Saturday 02-14 17:00 + 60: 30 that day, 02-15..23 off → Tuesday 02-24 09:00.
    assert add_business_minutes(CAL, local(2026, 2, 14, 17), 60) == local(2026, 2, 24, 9)


def test_business_minutes_between_is_the_inverse_of_adding() -> None:
    start = local(2026, 9, 30, 10)
    end = add_business_minutes(CAL, start, 3 * DAY)
    assert business_minutes_between(CAL, start, end) == 3 * DAY
    assert business_minutes_between(CAL, end, start) == 0
    assert business_minutes_between(CAL, local(2026, 10, 3, 9), local(2026, 10, 5, 17)) == 0


def test_the_answer_is_utc_and_an_aware_start_is_required() -> None:
    out = add_business_minutes(CAL, datetime(2026, 11, 24, 1, 0, tzinfo=UTC), 30)  # 09:00 local
    assert out.tzinfo == UTC and out == local(2026, 11, 24, 9, 30)
    with pytest.raises(ValueError):
        add_business_minutes(CAL, datetime(2026, 11, 24, 9), 30)


def test_a_calendar_without_working_days_gives_up_instead_of_looping() -> None:
    never = Calendar("Asia/Shanghai", ((time(9), time(10)),), {})
    weekend_only = Calendar("Asia/Shanghai", never.periods, {})
    assert add_business_minutes(weekend_only, local(2026, 11, 24, 9), 30) == local(2026, 11, 24, 9, 30)
    all_off = {date(2026, 1, 1).fromordinal(date(2026, 1, 1).toordinal() + i): False for i in range(4000)}
    with pytest.raises(ValueError):
        add_business_minutes(Calendar("Asia/Shanghai", never.periods, all_off), local(2026, 1, 1, 9), 30)


def test_working_hours_must_be_ordered_and_not_overlap() -> None:
    with pytest.raises(ValueError):
        parse_hours([])
    with pytest.raises(ValueError):
        parse_hours([("12:00", "08:30")])
    with pytest.raises(ValueError):
        parse_hours([("08:30", "12:00"), ("11:00", "17:30")])
    assert parse_hours([("13:30", "17:30"), ("08:30", "12:00")])[0] == (time(8, 30), time(12))
