"""Outages (issue 18): an outage as an object with its master order; repair reports inside it merged, others
not; what the IVR, the screen pop and the preset answer say, and an ETA change reaching all three; merging by
hand; restoration resolving every merged report with one SMS per customer; the proactive call list and the
notice SMS with opt-outs honoured; fault detection on the N-th report; bad input refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.clock import clock, now
from huiyin.customers.service import do_create_customer
from huiyin.notify.bulk import do_opt_out
from huiyin.notify.models import OutboxMessage
from huiyin.outages import jobs
from huiyin.outages.models import Outage, OutageEvent
from huiyin.settings import Settings
from huiyin.wiring import order_hooks
from huiyin.workorders.hooks import Moment
from tests.pbx import Pbx
from tests.personas import Api, World

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)  # 10:00 in the centre


@pytest.fixture
def duty(world: World) -> Api:
    return world.persona("duty1", "duty_manager")


@pytest.fixture
def pbx(admin: Api, world: World) -> Pbx:
    integration = admin.ok("post", "/cti-integrations", {"name": "主中心 PBX"}, 201)
    return Pbx(world.client, integration["token"])


def ivr_route(pbx: Pbx, caller: str) -> Any:
    r = pbx.client.get("/api/v1/ivr/route", params={"caller": caller}, headers={"X-CTI-Token": pbx.token})
    assert r.status_code == 200, r.text
    return r.json()


def outage(api: Api, world: World, status: int = 201, **fields: Any) -> Any:
    body = {
        "kind": "unplanned",
        "utility": "gas",
        "area_ids": [world.area_a.id],
        "cause": "中压管道被第三方施工挖断",
        "starts_at": now().isoformat(),
        "eta": (now() + timedelta(hours=4)).isoformat(),
        "unit_id": world.station_a.id,
        **fields,
    }
    return api.ok("post", "/outages", body, status)


def run_rounds(world: World, settings: Settings) -> int:
    done = 0
    while True:
        with world.db.session() as s:
            n = jobs.do_round_step(s, settings, now())
        if not n:
            return done
        done += n


def outbox(world: World, kind: str) -> list[OutboxMessage]:
    with world.db.session(write=False) as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
        return [r for r in rows if r.payload.get("kind") == kind]


def test_the_wiring_routes_new_reports_through_outages_after_the_other_listeners() -> None:
    wired = order_hooks(Settings())
    assert wired.listeners(Moment.registered)[-1] == "outages"
    assert wired.listeners(Moment.merged) == ["sla", "outages"]
    assert wired.listeners(Moment.unmerged) == ["sla", "outages"]


def test_an_unplanned_outage_is_active_with_a_master_order_dispatched_to_its_unit(
    dispatcher: Api, world: World
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    assert o["state"] == "active" and o["master_order_id"] and o["lead_missed"] is False
    master = dispatcher.ok("get", f"/work-orders/{o['master_order_id']}")
    assert master["state"] == "dispatched" and master["unit_id"] == world.station_a.id
    assert master["outage_id"] == o["id"] and master["category"] == "RP-GAS-NOGAS"
    assert "中压管道" in o["texts"]["preset"] and "12月7日14:00" in o["texts"]["preset"]
    assert [e["action"] for e in o["events"]] == ["announce"]


def test_a_report_inside_an_active_outage_is_merged_and_one_outside_is_dispatched(
    dispatcher: Api, agent: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    inside = agent.register(customer_id=world.customer_id)
    assert inside["state"] == "merged" and inside["merged_into"] == o["master_order_id"]
    assert inside["outage_id"] == o["id"] and inside["unit_id"] is None
    assert inside["events"][-1]["action"] == "merge" and inside["events"][-1]["actor"] == "system"
    assert inside["events"][-1]["data"]["system"] == "outage"
    # another area: dispatched as usual; another category in the area: dispatched, and suggested (near)
    outside = agent.register(customer_id=world.customer_b_id)
    assert outside["state"] == "dispatched" and outside.get("outage_id") is None
    meter = agent.register(customer_id=world.customer_id, category="RP-GAS-METER", description="燃气表不走字")
    assert meter["state"] == "dispatched"
    near = dispatcher.ok("get", "/outage-suggestions")["items"]
    assert [(s["kind"], s["order_ids"], s["outage_id"]) for s in near] == [("near", [meter["id"]], o["id"])]
    # an emergency in the area is never merged away from its own urgent dispatch
    leak = agent.register(
        customer_id=world.customer_id, type="emergency", category="EM-GAS-LEAK", grade="urgent", description="有煤气味"
    )
    assert leak["state"] == "dispatched"
    detail = dispatcher.ok("get", f"/outages/{o['id']}")
    assert detail["linked_orders"] == {
        "count": 1,
        "ids": [inside["id"]],
        "items": [{"id": inside["id"], "number": inside["number"], "state": "merged"}],
    }
    # the merged report's clock is paused, not running to an escalation
    assert inside["deadlines"] and all(d["paused"] for d in inside["deadlines"] if not d["met_at"])


def test_a_planned_outage_is_announced_ahead_then_active_and_merges_only_inside_its_time(
    dispatcher: Api, agent: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    o = outage(
        dispatcher,
        world,
        kind="planned",
        cause="管网改造计划停气",
        starts_at=(T0 + timedelta(hours=30)).isoformat(),
        eta=(T0 + timedelta(hours=38)).isoformat(),
    )
    assert o["state"] == "announced" and o["lead_missed"] is False and o["lead_hours"] == 30
    before = agent.register(customer_id=world.customer_id)
    assert before["state"] == "dispatched"  # not begun yet: a near match, not merged
    short = outage(
        dispatcher, world, kind="planned", area_ids=[world.area_b.id], starts_at=(T0 + timedelta(hours=3)).isoformat()
    )
    assert short["lead_missed"] is True and short["events"][0]["data"]["lead_missed"]["needed"] == 24
    clock.set(T0 + timedelta(hours=31))
    with world.db.session() as s:
        assert jobs.do_activate_due(s, now()) == 2
    assert dispatcher.ok("get", f"/outages/{o['id']}")["state"] == "active"
    during = agent.register(customer_id=world.customer_id)
    assert during["state"] == "merged" and during["outage_id"] == o["id"]


def test_the_ivr_the_screen_pop_and_the_preset_answer_speak_of_the_outage_and_follow_its_eta(
    dispatcher: Api, agent: Api, world: World, pbx: Pbx
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    heard = ivr_route(pbx, "13912345678")
    assert heard["outage_ids"] == [o["id"]] and "12月7日14:00" in heard["announcements"][0]
    other = ivr_route(pbx, "13698765432")
    assert other["outage_ids"] == [] and other["announcements"] == []
    live = agent.ok("get", f"/outages/live?area_id={world.area_a.id}")["items"]
    assert [x["id"] for x in live] == [o["id"]] and "12月7日14:00" in live[0]["preset"]
    dispatcher.ok("patch", f"/outages/{o['id']}", {"eta": (T0 + timedelta(hours=6)).isoformat()})
    heard = ivr_route(pbx, "13912345678")
    assert "12月7日16:00" in heard["announcements"][0]
    live = agent.ok("get", f"/outages/live?area_id={world.area_a.id}")["items"]
    assert "12月7日16:00" in live[0]["preset"]
    pbx.inbound("13912345678", ["agent"], call_id="c-1")
    call = next(c for c in agent.ok("get", "/calls?page_size=20")["items"] if c["call_id"] == "c-1")
    pop = agent.ok("get", f"/calls/{call['id']}/pop")
    assert [(n["outage_id"], "12月7日16:00" in (n["preset"] or "")) for n in pop["notices"]] == [(o["id"], True)]
    events = dispatcher.ok("get", f"/outages/{o['id']}")["events"]
    assert events[-1]["action"] == "update" and events[-1]["data"]["eta"][1].startswith("2026-12-07T08:00")


def test_restoration_resolves_every_merged_report_and_texts_each_customer_once(
    dispatcher: Api, agent: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    first = agent.register(customer_id=world.customer_id)
    again = agent.register(customer_id=world.customer_id, description="还是没气")  # the same customer twice
    stranger = agent.register(customer_id=world.customer_id, contact_phone="13700001111", description="邻居报修")
    clock.set(T0 + timedelta(hours=3))
    restored = dispatcher.ok("post", f"/outages/{o['id']}/restore", {"result": "已更换受损管段，恢复供气"})
    assert restored["state"] == "restored" and restored["restore_pending"] is True
    assert dispatcher.ok("get", f"/work-orders/{o['master_order_id']}")["state"] == "closed"
    run_rounds(world, settings)
    states = {i: dispatcher.ok("get", f"/work-orders/{i}") for i in (first["id"], again["id"], stranger["id"])}
    for order in states.values():
        assert order["state"] in ("resolved", "closed") and order["result"] == "已更换受损管段，恢复供气"
        assert order["events"][-1]["actor"] == "system"
    texts = outbox(world, "outage_restored")
    assert sorted(m.address for m in texts) == ["13700001111", "13800138000"]  # one per number, not per report
    with world.db.session(write=False) as s:  # and no rating invitation besides: one message per customer
        asked = s.scalars(select(OutboxMessage.address).where(OutboxMessage.dedupe_key.like("%invite%"))).all()
    assert asked == []
    assert not dispatcher.ok("get", f"/outages/{o['id']}")["restore_pending"]
    with world.db.session(write=False) as s:
        assert jobs.sampled(1, 1.0) and not jobs.sampled(1, 0.0)
        share = sum(jobs.sampled(i, 0.1) for i in range(1, 10_001)) / 10_000
        assert 0.09 <= share <= 0.11
        del s


def test_a_near_match_is_merged_by_hand_and_unmerged_back_to_dispatch(
    dispatcher: Api, agent: Api, world: World
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    meter = agent.register(customer_id=world.customer_id, category="RP-GAS-METER", description="表没读数")
    merged = dispatcher.ok("post", f"/work-orders/{meter['id']}/merge", {"outage_id": o["id"]})
    assert merged["state"] == "merged" and merged["outage_id"] == o["id"]
    assert merged["events"][-1]["actor"] == "dispatcher"
    assert dispatcher.ok("get", f"/outages/{o['id']}")["linked_orders"]["count"] == 1
    back = dispatcher.ok("post", f"/work-orders/{meter['id']}/unmerge", {"reason": "表具自身故障，与停气无关"})
    assert back["state"] == "dispatched" and back.get("outage_id") is None and back["merged_into"] is None
    assert dispatcher.ok("get", f"/outages/{o['id']}")["linked_orders"]["count"] == 0
    assert agent.post(f"/work-orders/{meter['id']}/merge", {"outage_id": o["id"]}).status_code == 403


def test_the_proactive_list_holds_the_tagged_customers_of_the_areas_and_sms_skip_opt_outs(
    dispatcher: Api, agent: Api, agent2: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    with world.db.session() as s:
        for i in range(5):
            do_create_customer(
                s,
                account_no=f"39000000{i:02d}",
                name=f"住户{i}",
                phones=[f"1351234000{i}"],
                address="龙溪街道",
                area_id=world.area_a.id,
                tags=["vip"] if i == 0 else [],
            )
        do_create_customer(
            s,
            account_no="3900000099",
            name="外区重要客户",
            phones=["13512349999"],
            area_id=world.area_b.id,
            address="长寿",
            tags=["key_customer"],
        )
        do_opt_out(s, "13512340001", "sms")
    o = outage(dispatcher, world)
    run_rounds(world, settings)
    calls = dispatcher.ok("get", f"/outages/{o['id']}/calls")["items"]
    assert sorted(c["customer_name"] for c in calls) == ["住户0", "王建国"]  # vip; elderly + sensitive
    assert len({c["agent_id"] for c in calls}) == 2  # shared among the agents (agent, agent2)
    sent = sorted(m.address for m in outbox(world, "outage_notice"))
    assert sent == ["13512340000", "13512340002", "13512340003", "13512340004", "13912345678"]
    mine = agent.ok("get", "/outage-calls/mine")["items"]
    assert len(mine) == 1 and mine[0]["phone"].count("*") == 4
    agent.ok("post", f"/outage-calls/{mine[0]['id']}", {"result": "reached", "note": "已告知"})
    other = next(c for c in calls if c["id"] != mine[0]["id"])
    assert agent.post(f"/outage-calls/{other['id']}", {"result": "no_answer"}).status_code == 403
    dispatcher.ok("post", f"/outage-calls/{other['id']}", {"result": "no_answer"})
    notice = dispatcher.ok("get", f"/outages/{o['id']}")["notice"]
    assert notice == {
        "total": 2,
        "reached": 1,
        "pending": 0,
        "no_answer": 1,
        "wrong_number": 0,
        "sms_sent": 5,
        "rounds_pending": 0,
    }
    # the bulk lane: one gateway slot apart, behind nothing else
    with world.db.session(write=False) as s:
        batch = f"outage:{o['id']}:notice:0"
        dues = sorted(s.scalars(select(OutboxMessage.due_at).where(OutboxMessage.batch == batch)))
    gaps = {round((b - a).total_seconds(), 3) for a, b in pairwise(dues)}
    assert gaps == {round(1 / settings.outages.sms_per_second, 3)}


def test_fault_detection_fires_on_the_nth_report_and_not_twice_and_accepting_creates_the_outage(
    dispatcher: Api, agent: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    n = settings.outages.fault_reports
    ids = []
    for i in range(n - 1):
        ids.append(agent.register(customer_id=world.customer_id, description=f"没气了{i}")["id"])
        clock.set(T0 + timedelta(seconds=30 * (i + 1)))
    assert dispatcher.ok("get", "/outage-suggestions")["items"] == []
    ids.append(agent.register(customer_id=world.customer_id, description="第N起")["id"])
    found = dispatcher.ok("get", "/outage-suggestions")["items"]
    assert len(found) == 1 and found[0]["kind"] == "fault" and sorted(found[0]["order_ids"]) == sorted(ids)
    assert f"{settings.outages.fault_minutes} 分钟内 {n} 起无气报修" in found[0]["text"]
    ids.append(agent.register(customer_id=world.customer_id, description="又一起")["id"])
    again = dispatcher.ok("get", "/outage-suggestions")["items"]
    assert len(again) == 1 and sorted(again[0]["order_ids"]) == sorted(ids)  # joined, not raised twice
    took = dispatcher.ok("post", f"/outage-suggestions/{found[0]['id']}/accept", {"cause": "调压器故障"})
    assert sorted(took["merged"]) == sorted(ids)
    o = dispatcher.ok("get", f"/outages/{took['outage_id']}")
    assert o["state"] == "active" and o["kind"] == "unplanned" and o["linked_orders"]["count"] == len(ids)
    assert dispatcher.post(f"/outage-suggestions/{found[0]['id']}/accept", {}).status_code == 409


def test_bad_outage_input_is_refused_and_changes_nothing(
    dispatcher: Api, agent: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)

    def count() -> tuple[int, int]:
        with world.db.session(write=False) as s:
            return (
                s.scalar(select(func.count()).select_from(Outage)) or 0,
                s.scalar(select(func.count()).select_from(OutageEvent)) or 0,
            )

    assert outage(dispatcher, world, 422, area_ids=[])["detail"]
    assert outage(dispatcher, world, 422, eta=(now() - timedelta(hours=1)).isoformat())
    assert outage(dispatcher, world, 422, area_ids=[999_999])
    assert outage(agent, world, 403)
    assert count() == (0, 0)
    o = outage(dispatcher, world)
    before = count()
    dispatcher.ok("post", f"/outages/{o['id']}/cancel", {"reason": "误报"})
    assert dispatcher.post(f"/outages/{o['id']}/restore", {"result": "x"}).status_code == 409
    report = agent.register(customer_id=world.customer_b_id)
    r = dispatcher.post(f"/work-orders/{report['id']}/merge", {"outage_id": o["id"]})
    assert r.status_code == 409 and "cancelled" in r.json()["detail"]
    assert dispatcher.ok("get", f"/work-orders/{report['id']}")["state"] == "dispatched"
    assert count() == (before[0], before[1] + 1)  # the cancel only
    r = dispatcher.patch(f"/outages/{o['id']}", {"eta": now().isoformat()})
    assert r.status_code == 409


def test_planned_outages_come_in_bulk_from_a_csv_and_a_bad_row_stores_nothing(
    dispatcher: Api, world: World, settings: Settings
) -> None:
    clock.set(T0)
    good = (
        "\ufeffutility,areas,cause,starts_at,eta,scope,unit\n"
        "燃气,A-LX,中压管网碰口施工,2026-12-09 09:00,2026-12-09 17:00,金山路1-30号,ST-LX\n"
        "electricity,A-CS|A-LX,10kV线路检修,2026-12-07 14:00,2026-12-07 18:00,,\n"
    )
    bad = good + "water,A-NOPE,换表,2026-12-10 09:00,,,\n"
    r = dispatcher.client.post(
        "/api/v1/outages/import", headers=dispatcher.headers, files={"file": ("plan.csv", bad.encode(), "text/csv")}
    )
    assert r.status_code == 422 and r.json()["detail"].startswith("row 4: unknown area codes")
    assert dispatcher.ok("get", "/outages")["items"] == []
    r = dispatcher.client.post(
        "/api/v1/outages/import", headers=dispatcher.headers, files={"file": ("plan.csv", good.encode(), "text/csv")}
    )
    assert r.status_code == 201, r.text
    made = r.json()["items"]
    assert [(o["utility"], o["state"], o["lead_missed"]) for o in made] == [
        ("gas", "announced", False),  # 47 hours ahead
        ("electricity", "announced", True),  # 4 hours ahead: the 24-hour notice was missed
    ]
    assert made[0]["unit_id"] == world.station_a.id and made[0]["scope"] == "金山路1-30号"
    assert made[1]["area_ids"] == sorted([world.area_a.id, world.area_b.id])
    # old Mac line ends (a bare \r) are lines too; a file the CSV reader cannot take is a 422, never a 500
    mac = "utility,areas,cause,starts_at\rwater,A-LX,换表,2026-12-10 09:00\r"
    r = dispatcher.client.post(
        "/api/v1/outages/import", headers=dispatcher.headers, files={"file": ("plan.csv", mac.encode(), "text/csv")}
    )
    assert r.status_code == 201, r.text
    broken = 'utility,areas,cause,starts_at\n"gas,A-LX\x00,x,2026-12-10 09:00\n'
    r = dispatcher.client.post(
        "/api/v1/outages/import", headers=dispatcher.headers, files={"file": ("plan.csv", broken.encode(), "text/csv")}
    )
    assert r.status_code == 422, r.text


def test_accepting_a_near_match_merges_its_report_and_dismissing_one_leaves_it_dispatched(
    dispatcher: Api, agent: Api, world: World
) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    first = agent.register(customer_id=world.customer_id, category="RP-GAS-METER", description="表不走字")
    second = agent.register(customer_id=world.customer_id, category="RP-GAS-PIPE", description="户内管道漏气声")
    near = {s["order_ids"][0]: s for s in dispatcher.ok("get", "/outage-suggestions")["items"]}
    took = dispatcher.ok("post", f"/outage-suggestions/{near[first['id']]['id']}/accept", {})
    assert took == {**took, "outage_id": o["id"], "merged": [first["id"]]}
    assert took["suggestion"]["state"] == "accepted"
    dismissed = dispatcher.ok("post", f"/outage-suggestions/{near[second['id']]['id']}/dismiss")
    assert dismissed["state"] == "dismissed"
    assert dispatcher.ok("get", f"/work-orders/{second['id']}")["state"] == "dispatched"
    assert dispatcher.ok("get", "/outage-suggestions")["items"] == []
    r = dispatcher.post(f"/outage-suggestions/{near[second['id']]['id']}/accept", {})
    assert r.status_code == 409 and "dismissed" in r.json()["detail"]


def test_a_merge_into_a_restored_or_closed_outage_is_refused(dispatcher: Api, agent: Api, world: World) -> None:
    clock.set(T0)
    o = outage(dispatcher, world)
    report = agent.register(customer_id=world.customer_b_id)
    dispatcher.ok("post", f"/outages/{o['id']}/restore", {"result": "已恢复"})
    r = dispatcher.post(f"/work-orders/{report['id']}/merge", {"outage_id": o["id"]})
    assert r.status_code == 409 and "restored" in r.json()["detail"]
    dispatcher.ok("post", f"/outages/{o['id']}/close", {"note": "归档"})
    r = dispatcher.post(f"/work-orders/{report['id']}/merge", {"outage_id": o["id"]})
    assert r.status_code == 409 and "closed" in r.json()["detail"]
    assert dispatcher.ok("get", f"/work-orders/{report['id']}")["state"] == "dispatched"
    assert dispatcher.post(f"/outages/{o['id']}/cancel", {"reason": "x"}).status_code == 409
    after = agent.register(customer_id=world.customer_id)  # the area's next report: dispatched, not merged
    assert after["state"] == "dispatched"
