"""Early warning (特征值预警, issue 16): a burst of reports in one area against the same weekday and slot of
the past weeks is caught, a peak that comes every week is not; live limits (a caller waiting too long);
one open warning per rule and series; the duty managers told; acknowledged with an outcome."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from huiyin.clock import clock, now
from huiyin.notify.models import Notification
from huiyin.performance import early_warning
from huiyin.performance.models import SLOT_SECONDS
from huiyin.settings import KpiSettings, NotifySettings
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

MONDAY_9 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)  # Monday 09:00 in Chongqing
CFG = KpiSettings()


def test_a_volume_far_above_its_weekly_median_is_a_spike_and_a_weekly_peak_is_not() -> None:
    monday_peaks = [40, 42, 38, 41, 39, 43, 40, 41]
    assert early_warning.spike(44, monday_peaks, z=3.5, floor=6) is None  # a Monday like the others
    found = early_warning.spike(130, monday_peaks, z=3.5, floor=6)
    poisson = 0.6745 * math.sqrt(40.5)  # the MAD of these counts (1.0) is below a Poisson count's: that is taken
    assert found is not None and found.median == 40.5 and found.mad == poisson
    assert found.score == round(0.6745 * 89.5 / poisson, 2)
    assert early_warning.spike(5, [0] * 8, z=3.5, floor=6) is None  # under the floor
    assert early_warning.spike(6, [0] * 8, z=3.5, floor=6) is not None  # a quiet series' MAD of 0 counts as 1
    assert early_warning.spike(6, [], z=3.5, floor=6) is None  # no history yet: nothing to compare
    busy = [190, 196, 188, 193, 191, 187, 195, 190]  # a busy queue: its MAD (2.5) is small beside its level
    assert early_warning.spike(250, busy, z=3.5, floor=20) is not None  # 30 % busier: far out even in √n …
    assert early_warning.spike(250, busy, z=3.5, floor=20, ratio=1.5) is None  # … and no incident
    assert early_warning.spike(300, busy, z=3.5, floor=20, ratio=1.5) is not None


def register_at(agent: Api, world: World, at: datetime, n: int) -> None:
    clock.set(at)
    for _ in range(n):
        agent.register(customer_id=world.customer_id)


def run(world: World, at: datetime) -> int:
    with world.db.session() as s:
        return early_warning.do_run(s, at, CFG, 5, NotifySettings())


def told(world: World) -> list[Notification]:
    with world.db.session(write=False) as s:
        return list(s.scalars(select(Notification).where(Notification.kind == "kpi_alert")))


def test_a_burst_of_no_gas_reports_in_one_area_warns_the_duty_managers_once(
    agent: Api, manager: Api, world: World
) -> None:
    for week in range(8, 0, -1):  # one or two reports on each of the last eight Mondays at 09:00–09:15
        register_at(agent, world, MONDAY_9 + timedelta(weeks=-week, minutes=3), 1 + week % 2)
    register_at(agent, world, MONDAY_9 + timedelta(minutes=2), 9)  # this Monday: nine
    assert run(world, MONDAY_9 + timedelta(minutes=14)) == 0  # the slot has not finished
    assert run(world, MONDAY_9 + timedelta(minutes=18)) == 1
    [w] = manager.ok("get", "/warnings")
    assert (w["rule"], w["value"], w["baseline"], w["hits"], w["state"]) == ("spike_orders", 9, 1.5, 1, "open")
    assert w["history"] == [1, 2, 1, 2, 1, 2, 1, 2] and w["label"].startswith("无气/气压低 · ")
    assert w["first_at"].startswith("2026-11-23T01:00")
    [note] = told(world)
    assert note.user_id == manager.id and "工单量突增" in note.title
    register_at(agent, world, MONDAY_9 + timedelta(minutes=16), 8)  # the next slot too: the same warning
    assert run(world, MONDAY_9 + timedelta(minutes=33)) == 0
    [w] = manager.ok("get", "/warnings")
    assert w["hits"] == 2 and len(told(world)) == 1


def test_a_warning_is_acknowledged_with_its_outcome_once(agent: Api, manager: Api, world: World) -> None:
    register_at(agent, world, MONDAY_9 + timedelta(weeks=-8), 1)  # the history begins eight weeks back
    register_at(agent, world, MONDAY_9, 7)
    run(world, MONDAY_9 + timedelta(minutes=20))
    [w] = manager.ok("get", "/warnings")
    acked = manager.ok("post", f"/warnings/{w['id']}/acknowledge", {"outcome": "龙溪片区中压管道抢修，已发停气公告"})
    assert acked["state"] == "acknowledged" and acked["acknowledged_by"] == manager.id
    assert manager.post(f"/warnings/{w['id']}/acknowledge", {"outcome": "again"}).status_code == 409
    assert manager.post("/warnings/999999/acknowledge", {"outcome": "x"}).status_code == 404
    assert manager.post(f"/warnings/{w['id']}/acknowledge", {"outcome": ""}).status_code == 422
    assert manager.ok("get", "/warnings") == []
    assert [x["id"] for x in manager.ok("get", "/warnings?state=all")] == [w["id"]]
    assert agent.get("/warnings").status_code == 403
    assert agent.post(f"/warnings/{w['id']}/acknowledge", {"outcome": "x"}).status_code == 403


def test_a_caller_waiting_past_the_limit_warns_while_it_lasts(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
) -> None:
    pbx.inbound(CALLER, ["agent"], queue="repair")
    pbx.wait(100)
    assert run(world, now()) == 0
    pbx.wait(30)  # 130 s: past the 120 s limit
    assert run(world, now()) == 1
    [w] = manager.ok("get", "/warnings")
    assert (w["rule"], w["series"], w["value"], w["baseline"]) == ("wait_long", "queue=repair", 130, 120)
    assert run(world, now()) == 0  # still the same warning


def test_a_new_installations_first_burst_is_no_spike_its_history_being_too_short(
    agent: Api, manager: Api, world: World
) -> None:
    register_at(agent, world, MONDAY_9 + timedelta(weeks=-7), 1)  # seven weeks of history: the baseline needs 8
    register_at(agent, world, MONDAY_9, 9)
    assert run(world, MONDAY_9 + timedelta(minutes=20)) == 0 and manager.ok("get", "/warnings") == []


@pytest.mark.parametrize("slot_minutes", [15])
def test_slots_are_judged_once_and_a_worker_long_gone_judges_only_the_last_hour(
    world: World, slot_minutes: int
) -> None:
    at = MONDAY_9 + timedelta(minutes=20)
    run(world, at)
    with world.db.session(write=False) as s:
        from huiyin.performance.models import RollupMark

        mark = s.scalar(select(RollupMark.upto).where(RollupMark.name == early_warning.MARK))
    assert mark is not None and int(mark.timestamp()) % SLOT_SECONDS == 0
    assert run(world, at + timedelta(days=3)) == 0  # three days later: the last four slots, not 288
    assert slot_minutes * 60 == SLOT_SECONDS
