"""Call KPIs (issue 16): every figure against hand-built calls posted as real CTI events, worked out by hand;
the rollups kept by the worker equal the ones made afresh from the calls, and answer what the calls answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from huiyin.clock import clock, now
from huiyin.performance.rollups import differences, do_rebuild, do_refresh
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

DAY = "2026-11-24"  # the CTI tests start at 09:00 on this day in Chongqing
MARGIN = timedelta(minutes=2)
TZ = "Asia/Shanghai"


def kpis(api: Api, status: int = 200, **params: Any) -> Any:
    params = {"from": DAY, "to": DAY, **params}
    r = api.get("/kpis/calls", params=params)
    assert r.status_code == status, r.text
    return r.json()


def one(api: Api, **params: Any) -> dict[str, Any]:
    items = kpis(api, **params)["items"]
    assert len(items) == 1
    return items[0]  # type: ignore[no-any-return]


def refresh(world: World) -> None:
    with world.db.session() as s:
        do_refresh(s, now(), MARGIN, TZ)


def rollups_agree(world: World) -> None:
    with world.db.session(write=False) as s:
        assert differences(s, TZ) == []


def kpis_md_calls(phone: Pbx) -> None:
    """kpis.md's service-level data set at a tenth of its size (the same fractions): 100 answered, 86 of
    them within T = 20 s; 6 abandoned, 2 within T (one of them within 5 s, a short abandon) and 4 after;
    and one caller who left in the IVR, who counts in none of them."""
    for i in range(100):
        phone.answered_call(CALLER, "agent" if i % 2 else "agent2", ring=10 if i < 86 else 40, talk=60, queue="general")
        phone.wait(30)
    for wait in (3, 15, 60, 61, 62, 63):
        phone.abandoned_call(CALLER, ["张敏"], after=wait, queue="general")
        phone.wait(30)
    ivr = phone.new_id()
    phone.post(event="newCall", from_=CALLER, to="95598", direction="in", call_id=ivr)
    phone.wait(20)
    phone.hangup(ivr, CALLER, "cancel")


def test_the_five_service_level_variants_are_kpis_mds_figures_from_calls_the_pbx_posted(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
) -> None:
    kpis_md_calls(pbx)
    fresh = kpis(manager)
    assert fresh["variant"] == "F3" and fresh["threshold"] == 20 and fresh["short_abandon"] == 5
    item = fresh["items"][0]
    assert item["service_level"] == {"F1": 0.8302, "F2": 0.86, "F3": 0.8113, "F4": 0.8269, "F5": 0.8208}
    assert (item["offered"], item["answered"], item["abandoned"], item["short_abandoned"]) == (106, 100, 6, 1)
    assert (item["answered_within"], item["abandoned_within"], item["ivr_only"], item["blocked"]) == (86, 2, 1, 0)
    assert item["answer_rate"] == round(100 / 106, 4)
    assert item["answered_within_rate"] == {"15": 0.8113, "20": 0.8113, "30": 0.8113}
    assert item["abandon_rate"] == round(5 / 105, 4)  # the short abandon is not an abandon
    assert item["asa"] == (86 * 10 + 14 * 40) / 100 and item["longest_wait"] == 63

    clock.advance(timedelta(minutes=5))
    refresh(world)  # the first refresh builds the rollups; the day now comes from them
    rollups_agree(world)
    assert kpis(manager) == fresh
    assert one(manager, threshold=45)["service_level"]["F2"] == 1.0  # a kept threshold, from the rollups
    odd = one(manager, threshold=25, short_abandon=4)  # thresholds not kept: from the calls
    assert (odd["answered_within"], odd["abandoned_within"], odd["short_abandoned"]) == (86, 2, 1)


def test_wait_talk_hold_and_after_call_work_are_averaged_per_agent_as_worked_out_by_hand(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    manager: Api,
    world: World,
) -> None:
    first = pbx.answered_call(CALLER, "agent", ring=10, talk=120, hold=30)  # talk 90 s after 30 s on hold
    pbx.wait(40)
    agent.ok("post", f"/calls/{_pk(agent, first)}/done")  # after-call work: 40 s
    second = pbx.answered_call(CALLER, "agent2", ring=20, talk=200)
    pbx.wait(60)
    agent2.ok("post", f"/calls/{_pk(agent2, second)}/done")
    out = pbx.new_id("out")
    pbx.post(event="newCall", from_="95598", to=CALLER, direction="out", call_id=out, user="张敏")
    pbx.wait(5)
    pbx.hangup(out, CALLER, "noAnswer", direction="out")

    by_agent = {i["label"]: i for i in kpis(manager, group_by="agent")["items"]}
    zhang, liu = by_agent["张敏"], by_agent["刘洋"]
    assert (zhang["key"], liu["key"]) == (agent.id, agent2.id)
    assert (zhang["asa"], zhang["avg_talk"], zhang["avg_hold"], zhang["acw"], zhang["aht"]) == (10, 90, 30, 40, 160)
    assert (liu["asa"], liu["avg_talk"], liu["avg_hold"], liu["acw"], liu["aht"]) == (20, 200, 0, 60, 260)
    assert (zhang["outbound"], zhang["outbound_connected"], liu["outbound"]) == (1, 0, 0)
    total = one(manager)
    assert (total["asa"], total["avg_talk"], total["acw"]) == (15, 145, 50)
    assert total["aht"] == (90 + 30 + 200) / 2 + 50


def test_an_empty_period_has_zero_counts_and_null_rates_not_a_division_by_zero(manager: Api) -> None:
    item = one(manager, **{"from": "2026-01-01", "to": "2026-01-31"})
    assert item["offered"] == 0 and item["answered"] == 0
    assert set(item["service_level"].values()) == {None}
    for name in ("answer_rate", "abandon_rate", "asa", "aht", "acw", "avg_talk", "longest_wait", "occupancy"):
        assert item[name] is None, name
    assert kpis(manager, group_by="agent", **{"from": "2026-01-01", "to": "2026-01-02"})["items"] == []


def test_a_call_offered_before_midnight_counts_in_the_day_and_interval_it_was_offered(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
) -> None:
    clock.set(datetime(2026, 11, 24, 15, 59, 50, tzinfo=UTC))  # 23:59:50 in Chongqing
    pbx.answered_call(CALLER, "agent", ring=15, talk=100)  # answered 00:00:05 on the 25th
    params = {"from": "2026-11-24", "to": "2026-11-25"}
    days = kpis(manager, group_by="day", **params)["items"]
    assert [(d["key"], d["answered"]) for d in days if d["offered"]] == [("2026-11-24", 1)]
    slots = kpis(manager, group_by="interval", **params)["items"]
    assert [(d["key"], d["answered"]) for d in slots if d["offered"]] == [("2026-11-24T23:45", 1)]
    hours = kpis(manager, group_by="interval", interval=60, **params)["items"]
    assert [h["key"] for h in hours if h["offered"]] == ["2026-11-24T23:00"]
    assert one(manager, **{"from": "2026-11-25", "to": "2026-11-25"})["answered"] == 0
    assert one(manager, **{"from": "2026-11-24T23:50", "to": "2026-11-25T00:00"})["answered"] == 1  # mid-slot
    clock.advance(timedelta(minutes=5))
    refresh(world)
    assert kpis(manager, group_by="interval", **params)["items"] == slots


def test_occupancy_is_handling_time_over_the_agents_available_time(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
    world: World,
) -> None:
    agent.ok("put", "/agents/me/state", {"state": "signed_in"})
    pbx.wait(30)  # signed in, not yet ready: not available
    agent.ok("put", "/agents/me/state", {"state": "ready"})
    pbx.wait(60)  # ready 60 s
    call = pbx.answered_call(CALLER, "agent", ring=20, talk=100)  # ringing while ready: 20 s more ready
    pbx.wait(20)
    agent.ok("post", f"/calls/{_pk(agent, call)}/done")  # after-call work 20 s, then ready again
    pbx.wait(100)
    agent.ok("put", "/agents/me/state", {"state": "not_ready", "reason": "meal"})
    pbx.wait(300)  # not ready: not available
    item = next(i for i in kpis(manager, group_by="agent")["items"] if i["key"] == agent.id)
    assert item["occupancy"] == round((100 + 20) / (60 + 20 + 100 + 20 + 100), 4)


def test_bad_periods_and_parameters_are_refused_and_agents_cannot_read_the_centres_figures(
    agent: Api, manager: Api
) -> None:
    for params, needle in (
        ({"from": "yesterday"}, "from"),
        ({"to": "2026-13-01"}, "to"),
        ({"from": "2026-11-25", "to": "2026-11-24"}, "after"),
        ({"from": "2020-01-01", "to": "2026-11-24"}, "800"),
        ({"from": "0001-01-01", "to": "0001-01-02"}, "2000"),
        ({"from": "9999-12-31T23:00+14:00", "to": "9999-12-31"}, "2100"),
        ({"interval": 20, "group_by": "interval"}, "interval"),
    ):
        assert needle in str(kpis(manager, 422, **params)), params
    kpis(manager, 422, group_by="unit")
    kpis(manager, 422, threshold=0)
    kpis(agent, 403)


@pytest.mark.parametrize("late", [False, True])
def test_the_kept_rollups_equal_the_calls_after_events_out_of_order_and_a_transfer(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
    late: bool,
) -> None:
    """A hangup that overtakes its answer, an answer for a call never announced, an event whose ``at`` moves
    the offer back into an earlier slot (the call leaves the slot it was counted in), refreshes in between."""
    t0 = now()
    at = lambda s: (t0 + timedelta(seconds=s)).isoformat()  # noqa: E731
    a = pbx.new_id()
    pbx.post(event="newCall", from_=CALLER, to="95598", direction="in", call_id=a, user=["张敏"], at=at(0))
    pbx.post(event="hangup", from_=CALLER, to="95598", direction="in", call_id=a, cause="normalClearing", at=at(90))
    refresh(world)
    pbx.post(event="answer", from_=CALLER, to="95598", direction="in", call_id=a, answeringNumber="8001", at=at(9))
    b = pbx.new_id()  # first heard of by its answer at 09:16, then its newCall says it was offered at 09:14
    pbx.post(event="answer", from_=CALLER, to="95598", direction="in", call_id=b, answeringNumber="8002", at=at(960))
    clock.advance(timedelta(minutes=20))
    refresh(world)
    if late:  # delivered after the refresh margin: still found, by when it was written
        clock.advance(timedelta(hours=1))
    pbx.post(event="newCall", from_=CALLER, to="95598", direction="in", call_id=b, user=["刘洋"], at=at(840))
    pbx.post(event="hangup", from_=CALLER, to="95598", direction="in", call_id=b, cause="normalClearing", at=at(1000))
    clock.advance(timedelta(minutes=1))
    refresh(world)
    rollups_agree(world)
    slots = kpis(manager, group_by="interval")["items"]
    seen = [(s["key"], s["answered"], s["asa"]) for s in slots if s["offered"]]
    assert seen == [("2026-11-24T09:00", 2, (9 + 120) / 2)]


def test_a_rebuild_makes_the_same_rollups_and_an_empty_database_rebuilds_to_nothing(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
) -> None:
    with world.db.session() as s:
        assert do_rebuild(s, now(), TZ) == 0
    kpis_md_calls(pbx)
    clock.advance(timedelta(minutes=5))
    refresh(world)
    before = kpis(manager, group_by="interval")
    with world.db.session() as s:
        assert do_rebuild(s, now(), TZ) > 0
    rollups_agree(world)
    assert kpis(manager, group_by="interval") == before


def _pk(api: Api, call_id: str) -> int:
    items = api.ok("get", "/calls?page_size=200")["items"]
    return next(c["id"] for c in items if c["call_id"] == call_id)  # type: ignore[no-any-return]


def test_occupancy_from_the_agent_state_rollup_equals_the_intervals_and_an_open_interval_grows(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
    world: World,
) -> None:
    from huiyin.performance import states

    agent.ok("put", "/agents/me/state", {"state": "signed_in"})
    agent.ok("put", "/agents/me/state", {"state": "ready"})
    pbx.wait(600)
    call = pbx.answered_call(CALLER, "agent", ring=20, talk=400)
    pbx.wait(100)
    agent.ok("post", f"/calls/{_pk(agent, call)}/done")
    pbx.wait(500)  # ready again, and still: an open interval
    with world.db.session() as s:
        states.do_refresh(s, now(), MARGIN, TZ)  # the first: a rebuild, the open interval counted up to now
    pbx.wait(1200)  # the open interval grows by 20 minutes
    raw = {g: kpis(manager, group_by=g)["items"] for g in ("none", "agent", "interval")}
    with world.db.session() as s:
        states.do_refresh(s, now(), MARGIN, TZ)
        assert states.differences(s, TZ) == []
    for g, items in raw.items():
        assert kpis(manager, group_by=g)["items"] == items, g
    [mine] = [i for i in raw["agent"] if i["key"] == agent.id]
    handling, available = 400 + 100, 600 + 20 + 400 + 100 + 500 + 1200
    assert mine["occupancy"] == round(handling / available, 4)
    agent.ok("put", "/agents/me/state", {"state": "signed_out"})
    with world.db.session() as s:
        states.do_refresh(s, now(), MARGIN, TZ)
        assert states.differences(s, TZ) == []
        states.do_rebuild(s, now(), TZ)
        assert states.differences(s, TZ) == []


def test_repeat_calls_about_the_same_matter_and_fcr_are_counted_by_hand(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
    world: World,
) -> None:
    """王建国 calls about no gas (an order registered on the call), again ten hours later about the same
    (another order of that category): a repeat within 24 h; a day later with no order, and again 4 days
    and 18 hours after that: a repeat within 7 days only. A stranger's call is no customer's contact."""

    def call(order: bool) -> None:
        call_id = pbx.inbound(CALLER, ["agent"])
        pbx.wait(5)
        pbx.answer(call_id, CALLER, "8001")
        if order:
            agent.register(customer_id=world.customer_id, contact_phone=CALLER, call_id=call_id)
        pbx.wait(60)
        pbx.hangup(call_id, CALLER, "normalClearing")

    call(order=True)
    pbx.wait(10 * 3600)
    call(order=True)
    pbx.wait(20 * 3600)
    call(order=False)
    pbx.wait(114 * 3600)
    call(order=False)
    pbx.answered_call("13500001111", "agent", ring=5, talk=30)
    week = {"from": "2026-11-24", "to": "2026-11-30"}
    item = one(manager, repeats="true", **week)
    assert item["repeats"] == {"contacts": 4, "repeat_24h": 1, "repeat_48h": 1, "repeat_7d": 2, "fcr": 0.5}
    assert one(manager, **week)["repeats"] is None  # asked for only
    by_day = {d["key"]: d["repeats"] for d in kpis(manager, group_by="day", repeats="true", **week)["items"]}
    assert by_day["2026-11-24"] == {"contacts": 2, "repeat_24h": 1, "repeat_48h": 1, "repeat_7d": 1, "fcr": 0.5}
    [mine] = [i for i in kpis(manager, group_by="agent", repeats="true", **week)["items"] if i["key"] == agent.id]
    assert mine["repeats"]["contacts"] == 4


@pytest.mark.parametrize("group_by", ["none", "interval", "queue", "day", "agent"])
def test_a_call_dated_into_a_slot_already_rolled_up_counts_at_once_not_at_the_next_refresh(
    pbx: Pbx,  # noqa: F811
    manager: Api,
    world: World,
    group_by: str,
) -> None:
    """The PBX delivers a call late, dated in a slot (a day) the worker has rolled up: the figures have it
    from the moment it is written, the same as once the worker has run again; the slots around it still
    come from the rollups."""
    t0 = now()
    pbx.answered_call(CALLER, "agent", ring=10, talk=60, queue="general")
    pbx.wait(20 * 60)
    pbx.answered_call(CALLER, "agent2", ring=30, talk=90, queue="billing")
    clock.advance(timedelta(days=1))  # the next day: the whole of DAY is rolled up, the agents' day too
    refresh(world)
    before = kpis(manager, group_by=group_by)
    late = pbx.new_id()
    side = {"from_": CALLER, "to": "95598", "direction": "in", "call_id": late}
    pbx.post(event="newCall", user=["张敏"], queue="general", at=(t0 + timedelta(seconds=60)).isoformat(), **side)
    pbx.post(event="answer", answeringNumber="8001", at=(t0 + timedelta(seconds=75)).isoformat(), **side)
    pbx.post(event="hangup", cause="normalClearing", at=(t0 + timedelta(seconds=175)).isoformat(), **side)
    at_once = kpis(manager, group_by=group_by)
    assert sum(i["offered"] for i in at_once["items"]) == sum(i["offered"] for i in before["items"]) + 1
    clock.advance(timedelta(seconds=30))
    refresh(world)
    rollups_agree(world)
    assert kpis(manager, group_by=group_by) == at_once


@pytest.mark.parametrize("group_by", ["none", "interval", "agent"])
def test_an_agent_state_the_pbx_dates_before_the_last_refresh_counts_in_occupancy_at_once(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
    world: World,
    group_by: str,
) -> None:
    """Ready from 09:00 to past midnight, the worker has kept the day; then the PBX delivers a call answered
    at 23:50 the evening before: the ready interval ends there, talk and after-call work follow, and the
    occupancy has them from the moment they are written, the same as once the worker has run again."""
    from huiyin.performance import states

    t0 = now()
    agent.ok("put", "/agents/me/state", {"state": "signed_in"})
    agent.ok("put", "/agents/me/state", {"state": "ready"})
    clock.advance(timedelta(hours=15, minutes=10))  # 00:10 the next day
    with world.db.session() as s:
        states.do_refresh(s, now(), MARGIN, TZ)
    before = kpis(manager, group_by=group_by)["items"]
    late = pbx.new_id()
    side = {"from_": CALLER, "to": "95598", "direction": "in", "call_id": late}
    at = lambda m: (t0 + timedelta(hours=14, minutes=m)).isoformat()  # noqa: E731 (23:00 + m minutes)
    pbx.post(event="newCall", user=["agent"], at=at(49), **side)
    pbx.post(event="answer", answeringNumber="agent", at=at(50), **side)
    pbx.post(event="hangup", cause="normalClearing", at=at(55), **side)
    at_once = kpis(manager, group_by=group_by)["items"]
    occupancy = lambda items: sorted(i["occupancy"] or 0 for i in items)  # noqa: E731
    assert occupancy(at_once) != occupancy(before) and max(occupancy(at_once)) > 0
    with world.db.session() as s:
        states.do_refresh(s, now(), MARGIN, TZ)
        assert states.differences(s, TZ) == []
    assert kpis(manager, group_by=group_by)["items"] == at_once
