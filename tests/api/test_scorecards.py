"""The monthly agent scorecard (月度考评, issue 16): two agents' month scored by the default template as
worked out by hand (a missing QA score shared out), computed → reviewed → published and frozen, a correction
as a new version with its reason, an agent reading only their own, the template's weights checked."""

from __future__ import annotations

from datetime import UTC, datetime

from huiyin.clock import clock
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.api.test_kpis import _pk
from tests.pbx import Pbx
from tests.personas import Api, World

MONTH = "2026-11"


def a_month(pbx: Pbx, agent: Api, agent2: Api, unit_worker: Api, world: World) -> None:  # noqa: F811
    """张敏 answers two calls (10 s in the queue, 120 s of talk, 30 s of wrap-up each) and registers two gas
    repairs, one of which the unit sends back as wrongly registered; 刘洋 answers one (300 s, 90 s) and
    registers one repair, right."""
    clock.set(datetime(2026, 11, 24, 1, 0, tzinfo=UTC))
    for _ in range(2):
        call = pbx.answered_call(CALLER, "agent", ring=10, talk=120)
        pbx.wait(30)
        agent.ok("post", f"/calls/{_pk(agent, call)}/done")
    call = pbx.answered_call(CALLER, "agent2", ring=10, talk=300)
    pbx.wait(90)
    agent2.ok("post", f"/calls/{_pk(agent2, call)}/done")
    first = agent.register(customer_id=world.customer_id)["id"]
    agent.register(customer_id=world.customer_id)
    agent2.register(customer_id=world.customer_id)
    unit_worker.act(first, "return", {"reason": "地址不在本所辖区"})
    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))


def test_two_agents_month_is_scored_as_worked_out_by_hand_and_goes_draft_reviewed_published(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    unit_worker: Api,
    manager: Api,
    admin: Api,
    world: World,
) -> None:
    a_month(pbx, agent, agent2, unit_worker, world)
    card = manager.ok("post", "/scorecards/compute", {"month": MONTH}, 201)
    assert (card["version"], card["state"]) == (1, "draft")
    lines = {line["username"]: line for line in card["items"]}
    zhang, liu = lines["agent"], lines["agent2"]
    raw = {i["code"]: i["raw"] for i in zhang["items"]}
    assert raw == {
        "registrations_right": 0.5,
        "qa_score": None,
        "satisfaction": None,
        "calls_handled": 2.0,
        "aht": 150.0,
        "acw": 30.0,
        "valid_complaints": 0.0,
    }
    assert {i["code"]: i["missing"] for i in zhang["items"]}["qa_score"] is True
    # QA and 满意率 missing: the other 70 scaled to 100. 张敏: registrations 0.5 (floor 0.9) 0, calls the most
    # 1, AHT 150 s ≤ 240 1, ACW 30 s 1, no complaint 1 → (15 + 10 + 5 + 10) × 100 / 70
    assert zhang["total"] == round(40 * 100 / 70, 2)
    # 刘洋: registrations 1.0 → 30, calls the fewest 0, AHT 390 s → (480 − 390) / 240 = 0.375 of 10, ACW 90 s →
    # (120 − 90) / 90 of 5, no complaint 10
    assert liu["total"] == round((30 + 3.75 + 5 / 3 + 10) * 100 / 70, 2)
    assert (liu["rank"], zhang["rank"]) == (1, 2)
    assert zhang["items"][0]["source"] == f"/orders?owner_agent_id={agent.id}&from=2026-11-01&to=2026-11-30"

    assert agent.get(f"/scorecards/me?month={MONTH}").status_code == 404  # not published yet
    assert manager.ok("post", "/scorecards/compute", {"month": MONTH}, 201)["version"] == 1  # the draft again
    assert manager.post(f"/scorecards/{card['id']}/publish").status_code == 403  # a duty manager reviews only
    assert admin.post(f"/scorecards/{card['id']}/publish").status_code == 409  # not reviewed yet
    manager.ok("post", f"/scorecards/{card['id']}/review")
    assert admin.ok("post", f"/scorecards/{card['id']}/publish")["state"] == "published"

    mine = agent.ok("get", f"/scorecards/me?month={MONTH}")
    assert [line["username"] for line in mine["items"]] == ["agent"] and mine["items"][0]["total"] == zhang["total"]
    assert agent.ok("get", f"/scorecards/agents/{agent.id}/history") == [
        {"month": MONTH, "version": 1, "state": "published", "total": zhang["total"], "rank": 2}
    ]
    assert agent.get(f"/scorecards/agents/{agent2.id}/history").status_code == 403
    assert agent.get(f"/scorecards?month={MONTH}").status_code == 403

    assert manager.post("/scorecards/compute", {"month": MONTH}).status_code == 422  # published: a reason
    v2 = manager.ok("post", "/scorecards/compute", {"month": MONTH, "reason": "补录质检成绩"}, 201)
    assert (v2["version"], v2["state"], v2["reason"]) == (2, "draft", "补录质检成绩")
    assert manager.ok("get", f"/scorecards?month={MONTH}")["version"] == 2
    assert manager.ok("get", f"/scorecards?month={MONTH}&version=1")["state"] == "published"
    assert agent.ok("get", f"/scorecards/me?month={MONTH}")["version"] == 1  # the published one, frozen


def test_the_template_must_add_up_to_100_and_name_each_figure_once(manager: Api, admin: Api) -> None:
    items = admin.ok("get", "/scorecards/template")
    assert sum(i["weight"] for i in items) == 100 and items[0]["code"] == "registrations_right"
    assert max(items, key=lambda i: i["weight"])["code"] == "registrations_right"  # the heaviest by default
    put = lambda body: admin.put("/scorecards/template", {"items": body})  # noqa: E731
    assert put([{"code": "aht", "weight": 60, "target": 240, "floor": 480}]).status_code == 422
    assert put([{"code": "speed", "weight": 100, "method": "rank"}]).status_code == 422
    twice = [{"code": "aht", "weight": 50, "method": "rank"}, {"code": "aht", "weight": 50, "method": "rank"}]
    assert put(twice).status_code == 422
    assert put([{"code": "aht", "weight": 100}]).status_code == 422  # a target item without target and floor
    ok = [
        {"code": "calls_handled", "weight": 40, "method": "rank"},
        {"code": "aht", "weight": 60, "target": 240, "floor": 480},
    ]
    assert [i["code"] for i in admin.ok("put", "/scorecards/template", {"items": ok})] == ["calls_handled", "aht"]
    assert manager.put("/scorecards/template", {"items": ok}).status_code == 403
    assert manager.post("/scorecards/compute", {"month": "2027-01"}).status_code == 422  # not begun
    assert manager.get("/scorecards?month=2026-01").status_code == 404
