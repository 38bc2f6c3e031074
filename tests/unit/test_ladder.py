"""The ladder's arithmetic: when a deadline next needs the worker, and which ladders are refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from huiyin.errors import Invalid
from huiyin.sla.ladder import DEFAULT_LADDER, check_ladder, milestones, next_fire_at
from huiyin.sla.models import OrderDeadline

DUE = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
DELAYS = {r.level: r.delay_minutes for r in DEFAULT_LADDER}


def row(
    step: int = 0, warn_minutes_before: int = 5, met_at: datetime | None = None, paused_at: datetime | None = None
) -> OrderDeadline:
    warn_at = DUE - timedelta(minutes=warn_minutes_before)
    return OrderDeadline(due_at=DUE, warn_at=warn_at, step=step, met_at=met_at, paused_at=paused_at)


def test_a_fresh_deadline_next_fires_at_its_warning_then_at_each_level_after_the_breach() -> None:
    assert next_fire_at(row(0), {}) == DUE - timedelta(minutes=5)  # no ladder needed before the breach
    assert next_fire_at(row(1), DELAYS) == DUE
    assert next_fire_at(row(2), DELAYS) == DUE + timedelta(minutes=30)
    assert next_fire_at(row(3), DELAYS) == DUE + timedelta(minutes=120)
    assert next_fire_at(row(4), DELAYS) == DUE + timedelta(minutes=240)
    assert next_fire_at(row(5), DELAYS) is None  # the director has been told: the top


def test_a_warning_at_the_full_limit_is_no_warning_at_all() -> None:
    r = row(0, warn_minutes_before=0)
    assert [step for step, _ in milestones(r, DELAYS)] == [2, 3, 4, 5]
    assert next_fire_at(r, DELAYS) == DUE


def test_a_met_or_paused_deadline_never_fires() -> None:
    assert next_fire_at(row(0, met_at=DUE), DELAYS) is None
    assert next_fire_at(row(2, paused_at=DUE), DELAYS) is None


def test_a_ladder_needs_four_levels_known_roles_and_channels_and_delays_that_never_shrink() -> None:
    good = [
        {
            "level": r.level,
            "role": r.role,
            "delay_minutes": r.delay_minutes,
            "mark": r.mark,
            "channels": list(r.channels),
        }
        for r in DEFAULT_LADDER
    ]
    assert check_ladder(good) == list(DEFAULT_LADDER)
    assert check_ladder(list(reversed(good))) == list(DEFAULT_LADDER)  # order of the list does not matter
    for broken, message in (
        (good[:3], "exactly the levels"),
        ([*good[:3], {**good[3], "level": 2}], "exactly the levels"),
        ([*good[:3], {**good[3], "delay_minutes": 60}], "must not be shorter"),
        ([*good[:3], {**good[3], "role": "mayor"}], "unknown role"),
        ([*good[:3], {**good[3], "channels": ["pager"]}], "channels"),
        ([*good[:3], {**good[3], "channels": []}], "channels"),
        ([*good[:3], {**good[3], "mark": "scold"}], "mark"),
    ):
        with pytest.raises(Invalid, match=message):
            check_ladder(broken)
