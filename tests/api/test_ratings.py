"""Ratings (issue 15): the IVR's key press after a call, a rating a person records, one per contact and
channel, and 满意率 from the counts kept with them, against hand-counted fixtures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.clock import clock
from huiyin.surveys.models import Rating, SatisfactionDaily
from huiyin.surveys.service import do_rebuild_daily
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

DAY = "2026-11-24"  # T0 of the CTI tests is 09:00 on this day in Chongqing


def ivr(client: TestClient, token: str, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/ratings", json=body, headers={"Authorization": f"Bearer {token}"})


def a_call_with_an_order(phone: Pbx, agent: Api, world: World) -> tuple[str, dict[str, Any]]:
    """An answered call on which the agent registered a repair for 王建国, hung up."""
    call_id = phone.inbound(CALLER, ["张敏"])
    phone.answer(call_id, CALLER, "8001")
    order = agent.register(customer_id=world.customer_id, contact_phone=CALLER, call_id=call_id)
    phone.hangup(call_id, CALLER, "normalClearing")
    return call_id, order


def ratings(world: World) -> int:
    with world.db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(Rating)) or 0


def test_the_ivr_posts_the_key_press_and_the_rating_is_the_calls_agent_and_orders_unit(
    client: TestClient, pbx: Pbx, integration: dict[str, Any], agent: Api, world: World  # noqa: F811
) -> None:
    call_id, order = a_call_with_an_order(pbx, agent, world)
    r = ivr(client, integration["token"], {"call_id": call_id, "channel": "ivr", "result": "satisfied"})
    assert r.status_code == 201, r.text
    rating = r.json()
    assert (rating["kind"], rating["channel"], rating["result"], rating["day"]) == ("instant", "ivr", "satisfied", DAY)
    assert (rating["agent_id"], rating["order_id"], rating["unit_id"]) == (agent.id, order["id"], order["unit_id"])
    assert rating["order_type"] == "repair" and rating["category_id"] is not None

    again = ivr(client, integration["token"], {"call_id": call_id, "channel": "ivr", "result": "unsatisfied"})
    assert again.status_code == 200 and again.json()["id"] == rating["id"]  # the first, unchanged
    assert again.json()["result"] == "satisfied" and ratings(world) == 1
    by_sms = ivr(client, integration["token"], {"call_id": call_id, "channel": "sms", "result": "basically_satisfied"})
    assert by_sms.status_code == 201  # another channel is another rating of the same contact


def test_a_rating_for_an_unknown_or_another_integrations_call_is_refused_and_nothing_is_stored(
    client: TestClient, pbx: Pbx, integration: dict[str, Any], agent: Api, admin: Api, world: World  # noqa: F811
) -> None:
    call_id, order = a_call_with_an_order(pbx, agent, world)
    other = admin.ok("post", "/cti-integrations", {"name": "分中心 PBX"}, 201)["token"]
    refusals = [
        (other, {"call_id": call_id, "channel": "ivr", "result": "satisfied"}, 404),
        (integration["token"], {"call_id": "never-seen", "channel": "ivr", "result": "satisfied"}, 404),
        (integration["token"], {"call_id": call_id, "channel": "ivr", "result": "great"}, 422),
        (integration["token"], {"call_id": call_id, "channel": "fax", "result": "satisfied"}, 422),
        (integration["token"], {"call_id": call_id, "channel": "ivr", "result": "satisfied", "score": 6}, 422),
        (integration["token"], {"channel": "ivr", "result": "satisfied"}, 422),
        (integration["token"], {"call_id": call_id, "order_id": order["id"] + 1, "channel": "ivr",
                                "result": "satisfied"}, 422),
        ("not-a-token", {"call_id": call_id, "channel": "ivr", "result": "satisfied"}, 401),
    ]
    for token, body, status in refusals:
        r = ivr(client, token, body)
        assert r.status_code == status, (body, r.text)
    assert ratings(world) == 0
    with world.db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(SatisfactionDaily)) == 0


def test_a_person_records_a_rating_of_an_order_they_may_see(
    world: World, agent: Api, unit_worker: Api, unit_worker_b: Api, manager: Api
) -> None:
    order = agent.register(customer_id=world.customer_id, contact_phone=CALLER, channel="wechat")
    body = {"order_id": order["id"], "channel": "wechat", "result": "unsatisfied", "score": 2, "comment": "上门太慢"}
    rating = agent.ok("post", "/ratings", body, 201)
    assert (rating["agent_id"], rating["unit_id"], rating["score"]) == (agent.id, order["unit_id"], 2)
    assert agent.ok("post", "/ratings", body, 200)["id"] == rating["id"]
    assert unit_worker.post("/ratings", body).status_code == 403  # a unit does not rate its own work
    assert agent.post("/ratings", {**body, "order_id": 999999}).status_code == 404
    assert ratings(world) == 1
    assert manager.ok("get", f"/satisfaction?from={rating['day']}&to={rating['day']}")["total"]["unsatisfied"] == 1


def test_the_satisfaction_rate_counts_basically_satisfied_only_when_asked(
    world: World, agent: Api, agent2: Api, manager: Api
) -> None:
    """Hand-counted: day 1, agent: 3 satisfied, 1 basically, 1 unsatisfied; agent2: 1 satisfied, 2
    basically. Day 2, agent: 1 unsatisfied. By day, by agent, by channel, and the period's total."""
    clock.set(clock.now().replace(hour=2, minute=0, second=0, microsecond=0))  # 10:00 in Chongqing
    day1 = clock.now().date().isoformat()
    plan = [
        (agent, "satisfied", "web"),
        (agent, "satisfied", "web"),
        (agent, "satisfied", "wechat"),
        (agent, "basically_satisfied", "web"),
        (agent, "unsatisfied", "web"),
        (agent2, "satisfied", "wechat"),
        (agent2, "basically_satisfied", "wechat"),
        (agent2, "basically_satisfied", "web"),
    ]
    for who, result, channel in plan:
        order = who.register(contact_phone=CALLER, channel=channel)
        who.ok("post", "/ratings", {"order_id": order["id"], "channel": channel, "result": result}, 201)
    clock.advance(timedelta(days=1))
    day2 = clock.now().date().isoformat()
    order = agent.register(contact_phone=CALLER)
    agent.ok("post", "/ratings", {"order_id": order["id"], "channel": "web", "result": "unsatisfied"}, 201)

    strict = manager.ok("get", f"/satisfaction?from={day1}&to={day2}&group_by=agent")
    assert strict["count_basic"] is False
    rows = {r["key"]: r for r in strict["items"]}
    assert (rows[str(agent.id)]["surveyed"], rows[str(agent.id)]["rate"]) == (6, round(3 / 6, 4))
    assert (rows[str(agent2.id)]["surveyed"], rows[str(agent2.id)]["rate"]) == (3, round(1 / 3, 4))
    assert rows[str(agent.id)]["name"] == "agent"
    assert strict["total"] == {
        "key": "", "name": None, "surveyed": 9, "satisfied": 4, "basically_satisfied": 3, "unsatisfied": 2,
        "rate": round(4 / 9, 4),
    }
    lenient = manager.ok("get", f"/satisfaction?from={day1}&to={day2}&group_by=agent&count_basic=true")
    rows = {r["key"]: r for r in lenient["items"]}
    assert lenient["count_basic"] is True and lenient["total"]["rate"] == round(7 / 9, 4)
    assert rows[str(agent.id)]["rate"] == round(4 / 6, 4) and rows[str(agent2.id)]["rate"] == 1.0

    by_day = manager.ok("get", f"/satisfaction?from={day1}&to={day2}&group_by=day")["items"]
    assert [(r["key"], r["surveyed"], r["unsatisfied"]) for r in by_day] == [(day1, 8, 1), (day2, 1, 1)]
    channels = manager.ok("get", f"/satisfaction?from={day1}&to={day2}&group_by=channel")["items"]
    by_channel = {r["key"]: r["surveyed"] for r in channels}
    assert by_channel == {"web": 6, "wechat": 3}
    only_day2 = manager.ok("get", f"/satisfaction?from={day2}&to={day2}")
    assert only_day2["total"]["surveyed"] == 1 and only_day2["total"]["rate"] == 0.0
    nothing = manager.ok("get", "/satisfaction?from=2020-01-01&to=2020-01-31")
    assert nothing["items"] == [] and nothing["total"]["rate"] is None

    with world.db.session() as s:  # the counts kept on write are the counts made again from the ratings
        kept = sorted(tuple(r) for r in s.execute(select(SatisfactionDaily.__table__)))
        do_rebuild_daily(s)
        assert sorted(tuple(r) for r in s.execute(select(SatisfactionDaily.__table__))) == kept


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=2026-12-02&to=2026-12-01", 422), ("group_by=planet", 422), ("from=12/01/2026", 422),
     ("from=0001-01-01", 422), ("kind=later", 422)],
)
def test_a_bad_satisfaction_query_is_a_422(manager: Api, query: str, status: int) -> None:
    assert manager.get(f"/satisfaction?{query}").status_code == status


def test_the_figures_are_for_managers_and_qa(agent: Api, unit_worker: Api, manager: Api) -> None:
    assert agent.get("/satisfaction").status_code == 403
    assert unit_worker.get("/satisfaction").status_code == 403
    assert manager.get("/satisfaction").status_code == 200


def test_the_excel_export_holds_the_apis_figures(world: World, agent: Api, agent2: Api, manager: Api) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    for who, result in ((agent, "satisfied"), (agent, "unsatisfied"), (agent2, "basically_satisfied")):
        order = who.register(contact_phone=CALLER, channel="web")
        who.ok("post", "/ratings", {"order_id": order["id"], "channel": "web", "result": result}, 201)
    day = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()  # the centre's day
    query = f"from={day}&to={day}&group_by=agent&count_basic=true"
    figures = manager.ok("get", f"/satisfaction?{query}")
    r = manager.get(f"/satisfaction/export?{query}")
    assert r.status_code == 200 and r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert "attachment" in r.headers["content-disposition"] and ".xlsx" in r.headers["content-disposition"]
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert any("基本满意" in str(row[0]) for row in values[:4])  # the note says how the rate was counted
    header = values.index(["坐席", "名称", "评价数", "满意", "基本满意", "不满意", "满意率"])
    body = values[header + 1 :]
    expected = [
        [i["key"], i["name"], i["surveyed"], i["satisfied"], i["basically_satisfied"], i["unsatisfied"], i["rate"]]
        for i in figures["items"]
    ]
    t = figures["total"]
    counts = [t["surveyed"], t["satisfied"], t["basically_satisfied"], t["unsatisfied"], t["rate"]]
    expected.append(["合计", None, *counts])
    assert body == expected
    assert agent.get(f"/satisfaction/export?{query}").status_code == 403


def test_an_unsatisfied_rating_opens_a_care_task_that_the_callback_team_closes_once(
    world: World, agent: Api, agent2: Api, unit_worker: Api, manager: Api
) -> None:
    order = agent.register(customer_id=world.customer_id, contact_phone=CALLER, channel="web")
    agent.ok("post", "/ratings", {"order_id": order["id"], "channel": "web", "result": "satisfied"}, 201)
    assert agent.ok("get", "/care-tasks")["items"] == []  # a satisfied customer needs no care
    rating = agent.ok(
        "post", "/ratings", {"order_id": order["id"], "channel": "wechat", "result": "unsatisfied", "comment": "太慢"},
        201,
    )
    [task] = agent2.ok("get", "/care-tasks")["items"]
    assert (task["order_id"], task["rating"]["id"], task["state"], task["overdue"]) == (
        order["id"], rating["id"], "open", False
    )
    assert (task["agent_id"], task["unit_id"], task["customer_id"]) == (agent.id, order["unit_id"], world.customer_id)
    clock.advance(timedelta(hours=25))  # past the day it is due in
    assert agent2.ok("get", "/care-tasks")["items"][0]["overdue"] is True
    assert unit_worker.get("/care-tasks").status_code == 403

    done = agent2.ok("post", f"/care-tasks/{task['id']}/done", {"outcome": "reassured", "note": "已致电致歉"})
    assert (done["state"], done["outcome"], done["done_by"], done["overdue"]) == ("done", "reassured", agent2.id, False)
    again = agent2.post(f"/care-tasks/{task['id']}/done", {"outcome": "unreachable", "note": "再次"})
    assert again.status_code == 409
    assert agent2.post(f"/care-tasks/{task['id']}/done", {"outcome": "forgot", "note": "x"}).status_code == 422
    assert agent2.post("/care-tasks/999999/done", {"outcome": "reassured", "note": "x"}).status_code == 404
    assert agent.ok("get", "/care-tasks")["items"] == []
    [kept] = manager.ok("get", f"/care-tasks?state=done&order_id={order['id']}")["items"]
    assert kept["note"] == "已致电致歉"
    from io import BytesIO

    from openpyxl import load_workbook

    r = manager.get("/care-tasks/export?state=done")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    (row,) = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == order["id"]]
    assert (row[1], row[2], row[3], row[6], row[7]) == ("不满意", "微信", "太慢", "安抚解释", "已致电致歉")

    on_the_order = agent.ok("get", f"/ratings?order_id={order['id']}")["items"]
    assert [(r["channel"], r["result"]) for r in on_the_order] == [("wechat", "unsatisfied"), ("web", "satisfied")]
    assert world.persona("h-b", "unit_handler", unit=world.station_b).get(
        f"/ratings?order_id={order['id']}"
    ).status_code == 403
    assert agent.get("/ratings").status_code == 422


def test_the_pbx_posts_the_key_press_as_one_of_its_events_counted_once_and_refused_when_wrong(
    client: TestClient, pbx: Pbx, integration: dict[str, Any], agent: Api, admin: Api, world: World  # noqa: F811
) -> None:
    call_id, order = a_call_with_an_order(pbx, agent, world)
    url = f"/api/v1/cti/{integration['token']}"
    other = admin.ok("post", "/cti-integrations", {"name": "分中心 PBX"}, 201)["token"]
    refusals = [
        (f"/api/v1/cti/{other}", {"event": "rating", "callId": call_id, "digit": "1"}, 404),  # not its call
        (url, {"event": "rating", "callId": "never-seen", "digit": "1"}, 404),
        (url, {"event": "rating", "callId": call_id, "digit": "4"}, 422),
        (url, {"event": "rating", "callId": call_id}, 422),  # no answer
        (url, {"event": "rating", "callId": call_id, "digit": "1", "result": "unsatisfied"}, 422),  # two
        (url, {"event": "rating", "callId": call_id, "digit": "2", "score": 9}, 422),
        ("/api/v1/cti/not-a-token", {"event": "rating", "callId": call_id, "digit": "1"}, 401),
    ]
    for path, body, status in refusals:
        r = client.post(path, json=body)
        assert r.status_code == status, (body, r.text)
    assert ratings(world) == 0

    first = client.post(url, json={"event": "rating", "callId": call_id, "digit": "2"})
    assert first.status_code == 200, first.text
    assert first.json()["result"] == "basically_satisfied" and first.json()["repeated"] is False
    again = client.post(url, data={"event": "rating", "callId": call_id, "digit": "3"})  # form data, as PBXs post
    assert again.status_code == 200 and again.json() == {**first.json(), "repeated": True}
    assert ratings(world) == 1
    (rating,) = agent.ok("get", f"/ratings?order_id={order['id']}")["items"]
    assert (rating["channel"], rating["result"], rating["agent_id"]) == ("ivr", "basically_satisfied", agent.id)
    # the same contact and channel through the ratings API is the same rating, not a second one
    same = ivr(client, integration["token"], {"call_id": call_id, "channel": "ivr", "result": "satisfied"})
    assert same.status_code == 200 and same.json()["id"] == first.json()["rating_id"]
    with world.db.session(write=False) as s:
        day = s.execute(
            select(SatisfactionDaily).where(SatisfactionDaily.kind == "instant", SatisfactionDaily.dim == "all")
        ).scalar_one()
        assert (day.satisfied, day.basically_satisfied, day.unsatisfied) == (0, 1, 0)
