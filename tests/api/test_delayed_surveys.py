"""The delayed survey (延时调查, issue 15): drawn at the close by the rules (its share held within ±3 % on
10,000 closed orders, nobody surveyed twice in 30 days), sent by SMS some days later through the outbox and
the fake gateway, reminded once, answered once on the mobile page by its signed link, counted as the
order's delayed rating (an unsatisfied one opens care), rating the handler who worked the order, and kept
apart per questionnaire version."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from io import BytesIO
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from huiyin.clock import clock
from huiyin.notify.channels import Gateway
from huiyin.notify.fake_gateway import create_fake_gateway
from huiyin.settings import NotifySettings, Settings
from huiyin.surveys import delayed
from huiyin.surveys.links import sign
from huiyin.worker import Worker
from tests.personas import Api, World

PHONE = "13800138000"


@pytest.fixture(autouse=True)
def _office_hours() -> None:
    """A fixed morning (10:00 in Shanghai, mid-month): the day and month the figures count in are the same
    in UTC and in the centre's time zone, whenever the suite runs."""
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))


@pytest.fixture
def gateway() -> Iterator[TestClient]:
    with TestClient(create_fake_gateway(token="gw-secret")) as c:
        yield c


@pytest.fixture
def worker(world: World, settings: Settings, gateway: TestClient) -> Worker:
    notify = NotifySettings(sms_url="http://testserver/sms", gateway_token="gw-secret")  # type: ignore[arg-type]
    return Worker(world.db, settings.model_copy(update={"notify": notify}), gateway=Gateway(notify, client=gateway))


def closed_repair(agent: Api, unit_worker: Api, **fields: Any) -> dict[str, Any]:
    customer = fields.pop("customer_id", None)
    where = {"customer_id": customer} if customer else {"area_id": world_area(agent)}
    order = agent.register(contact_phone=fields.pop("phone", PHONE), **where, **fields)
    unit_worker.act(order["id"], "accept")
    unit_worker.act(order["id"], "resolve", {"result": "已更换减压阀，恢复供气"})
    return agent.act(order["id"], "callback", {"result": "satisfied"})  # type: ignore[no-any-return]


def world_area(agent: Api) -> int:
    """龙溪 (station A's area): a repair there without a customer is dispatched to station A."""
    return next(int(a["id"]) for a in agent.ok("get", "/areas")["items"] if a["code"] == "A-LX")


def survey_sms(gateway: TestClient) -> list[dict[str, Any]]:
    return [m for m in gateway.get("/messages").json()["messages"] if "/s/" in m["text"]]


def token_of(sms: dict[str, Any]) -> str:
    found = re.search(r"/s/([A-Za-z0-9_\-.]+)$", sms["text"])
    assert found, sms["text"]
    return found.group(1)


@pytest.fixture
def every_repair(admin: Api) -> None:
    admin.ok("put", "/surveys/rules", {"order_type": "repair", "share": 1.0, "delay_days": 3})


def test_the_sampler_holds_each_types_share_on_ten_thousand_closed_orders(world: World) -> None:
    at = clock.now()
    with world.db.session() as s:
        drawn: dict[str, int] = {}
        for order_type, n in (("repair", 10_000), ("complaint", 1000), ("inquiry", 1000), ("service_request", 5000)):
            before = len(s.new)
            for i in range(n):
                order = SimpleNamespace(
                    id=1_000_000 + i,
                    type=order_type,
                    category_id=None,
                    contact_phone=f"139{i:08d}",
                    customer_id=None,
                    handler_id=None,
                    unit_id=None,
                    owner_agent_id=1,
                )
                delayed.do_schedule(s, order, at=at)
            drawn[order_type] = len(s.new) - before
            s.expunge_all()
        s.rollback()
    assert abs(drawn["repair"] / 10_000 - 0.30) <= 0.03
    assert abs(drawn["service_request"] / 5000 - 0.10) <= 0.03
    assert (drawn["complaint"], drawn["inquiry"]) == (1000, 0)  # every complaint, no inquiry


def test_a_closed_order_is_surveyed_days_later_answered_once_and_rated_as_delayed(
    agent: Api, unit_worker: Api, manager: Api, world: World, worker: Worker, gateway: TestClient, every_repair: None
) -> None:
    order = closed_repair(agent, unit_worker)
    (survey,) = manager.ok("get", f"/work-orders/{order['id']}/survey")["items"]
    assert (survey["state"], survey["handler_id"]) == ("scheduled", unit_worker.id)
    worker.deliver(worker.tick())
    assert survey_sms(gateway) == []  # not before its day
    clock.advance(timedelta(days=3, minutes=1))
    worker.deliver(worker.tick())
    (sms,) = survey_sms(gateway)
    assert sms["to"] == PHONE and sms["text"].startswith("【回音】您好，为提升服务质量")
    token = token_of(sms)

    page = agent.client.get(f"/api/v1/survey/{token}").json()
    assert (page["state"], page["order_number"], page["version"]) == ("sent", order["number"], 1)
    assert [q["key"] for q in page["questions"]] == ["overall", "timeliness", "attitude", "solved", "comment"]
    url = f"/api/v1/survey/{token}"
    bad = [
        {"overall": "satisfied"},  # required ones missing
        {"overall": "great", "timeliness": 5, "attitude": 5, "solved": True},
        {"overall": "satisfied", "timeliness": 6, "attitude": 5, "solved": True},
        {"overall": "satisfied", "timeliness": 5, "attitude": 5, "solved": "yes"},
        {"overall": "satisfied", "timeliness": 5, "attitude": 5, "solved": True, "mood": "ok"},
    ]
    for answers in bad:
        assert agent.client.post(url, json={"answers": answers}).status_code == 422, answers
    answers = {"overall": "unsatisfied", "timeliness": 2, "attitude": 4, "solved": False, "comment": "等了两天"}
    r = agent.client.post(url, json={"answers": answers})
    assert r.status_code == 201 and r.json()["answered"] is True, r.text
    again = agent.client.post(url, json={"answers": {**answers, "overall": "satisfied"}})
    assert again.status_code == 409  # answered once: nothing changes

    ratings = agent.ok("get", f"/ratings?order_id={order['id']}")["items"]
    delayed_ones = [x for x in ratings if x["kind"] == "delayed"]
    assert [(x["channel"], x["result"], x["score"]) for x in delayed_ones] == [("web", "unsatisfied", 4)]
    day = clock.now().date().isoformat()
    figures = manager.ok("get", f"/satisfaction?kind=delayed&from={day}&to={day}")
    assert (figures["total"]["surveyed"], figures["total"]["unsatisfied"]) == (1, 1)
    instant = manager.ok("get", f"/satisfaction?kind=instant&from={day}&to={day}")
    assert instant["total"]["surveyed"] == 0  # kept apart
    care = [t for t in agent.ok("get", "/care-tasks")["items"] if t["order_id"] == order["id"]]
    assert len(care) == 1  # the unsatisfied answer opened a follow-up

    handlers = manager.ok("get", f"/surveys/handlers?from={day}&to={day}")["items"]
    assert [(h["handler_id"], h["surveys"], h["unsatisfied"], h["attitude_mean"], h["solved"]) for h in handlers] == [
        (unit_worker.id, 1, 1, 4.0, 0)
    ]
    history = unit_worker.ok("get", f"/surveys/handlers/{unit_worker.id}/history")["items"]
    assert [(h["answers"]["comment"], h["order_number"]) for h in history] == [("等了两天", order["number"])]
    results = manager.ok("get", f"/surveys/results?from={day}&to={day}")
    by_key = {q["key"]: q for q in results["questions"]}
    assert (results["sent"], results["answered"], results["response_rate"]) == (1, 1, 1.0)
    assert by_key["overall"]["counts"] == {"unsatisfied": 1} and by_key["timeliness"]["mean"] == 2.0


def test_an_unanswered_survey_is_reminded_once_then_closes(
    agent: Api, unit_worker: Api, world: World, worker: Worker, gateway: TestClient, every_repair: None
) -> None:
    closed_repair(agent, unit_worker)
    clock.advance(timedelta(days=3, minutes=1))
    worker.deliver(worker.tick())
    (sent,) = survey_sms(gateway)
    clock.advance(timedelta(days=2, minutes=1))
    worker.deliver(worker.tick())
    clock.advance(timedelta(days=1))
    worker.deliver(worker.tick())
    texts = [m["text"] for m in survey_sms(gateway)]
    assert len(texts) == 2 and texts[1].startswith("【回音】温馨提醒")  # one reminder, not two
    assert token_of({"text": texts[1]}) == token_of(sent)  # the same link
    clock.advance(timedelta(days=5))
    worker.deliver(worker.tick())
    r = agent.client.post(f"/api/v1/survey/{token_of(sent)}", json={"answers": {"overall": "satisfied"}})
    assert r.status_code == 410  # the link has expired: nothing stored


def test_nobody_is_surveyed_twice_in_thirty_days(
    agent: Api, unit_worker: Api, unit_worker_b: Api, manager: Api, world: World, every_repair: None
) -> None:
    first = closed_repair(agent, unit_worker, customer_id=world.customer_id)
    clock.advance(timedelta(days=10))
    second = closed_repair(agent, unit_worker, customer_id=world.customer_id)
    other = closed_repair(agent, unit_worker_b, customer_id=world.customer_b_id, phone="13698765432")
    clock.advance(timedelta(days=25))
    third = closed_repair(agent, unit_worker, customer_id=world.customer_id)  # 35 days after the first
    states = {
        o["id"]: manager.ok("get", f"/work-orders/{o['id']}/survey")["items"] for o in (first, second, other, third)
    }
    assert [len(states[o["id"]]) for o in (first, second, other, third)] == [1, 0, 1, 1]


def test_a_changed_questionnaire_is_a_new_version_and_its_results_stay_apart(
    agent: Api,
    unit_worker: Api,
    manager: Api,
    admin: Api,
    world: World,
    worker: Worker,
    gateway: TestClient,
    every_repair: None,
) -> None:
    closed_repair(agent, unit_worker, phone="13900000001")  # scheduled with version 1
    questions = [
        {"key": "overall", "kind": "result", "text": "总体满意吗？"},
        {"key": "arrived_on_time", "kind": "yesno", "text": "维修人员是否按约定时间到达？"},
        {"key": "attitude", "kind": "score", "text": "服务态度（1–5 分）", "about": "handler"},
    ]
    assert agent.post("/surveys/questionnaires", json={"name": "x", "questions": questions}).status_code == 403
    assert admin.post("/surveys/questionnaires", json={"name": "x", "questions": questions[1:]}).status_code == 422
    no_overall = [{**questions[0], "key": "total"}, *questions[1:]]
    assert admin.post("/surveys/questionnaires", json={"name": "x", "questions": no_overall}).status_code == 422
    v2 = admin.ok("post", "/surveys/questionnaires", {"name": "抢修回访 2027 版", "questions": questions}, 201)
    assert (v2["version"], v2["is_current"]) == (2, True)
    closed_repair(agent, unit_worker, phone="13900000002")  # scheduled with version 2
    clock.advance(timedelta(days=3, minutes=1))
    worker.deliver(worker.tick())
    by_phone = {m["to"]: token_of(m) for m in survey_sms(gateway)}
    old = agent.client.get(f"/api/v1/survey/{by_phone['13900000001']}").json()
    new = agent.client.get(f"/api/v1/survey/{by_phone['13900000002']}").json()
    assert (old["version"], new["version"]) == (1, 2)
    assert [q["key"] for q in new["questions"]] == ["overall", "arrived_on_time", "attitude"]
    r = agent.client.post(
        f"/api/v1/survey/{by_phone['13900000002']}",
        json={"answers": {"overall": "satisfied", "arrived_on_time": True, "attitude": 5}},
    )
    assert r.status_code == 201, r.text
    day = clock.now().date().isoformat()
    v1 = manager.ok("get", f"/surveys/results?questionnaire_id={v2['id'] - 1}&from={day}&to={day}")
    v2r = manager.ok("get", f"/surveys/results?from={day}&to={day}")
    assert (v1["version"], v1["sent"], v1["answered"]) == (1, 1, 0)
    assert (v2r["version"], v2r["sent"], v2r["answered"]) == (2, 1, 1)
    versions = [q["version"] for q in manager.ok("get", "/surveys/questionnaires")["items"]]
    assert versions == [1, 2]
    r = manager.get(f"/surveys/results/export?from={day}&to={day}")  # the same figures, for Excel and WPS
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    cells = list(sheet.iter_rows(values_only=True))
    assert any(row[0] and "发送 1 份，回收 1 份，回收率 100.0%" in str(row[0]) for row in cells)
    by_text = {row[0]: row for row in cells if row and row[0] in {q["text"] for q in questions}}
    assert by_text["总体满意吗？"][2:4] == (1, "满意 1")
    assert by_text["维修人员是否按约定时间到达？"][2:4] == (1, "是 1")
    assert by_text["服务态度（1–5 分）"][2:5] == (1, "5分 1", 5)
    assert agent.get(f"/surveys/results/export?from={day}&to={day}").status_code == 403
    assert manager.get(f"/surveys/results/export?from={day}&to=2020-01-01").status_code == 422


def test_a_forged_or_foreign_link_is_refused_and_stores_nothing(
    agent: Api, unit_worker: Api, world: World, settings: Settings, every_repair: None
) -> None:
    order = closed_repair(agent, unit_worker)
    forged = sign("survey:1", clock.now() + timedelta(days=3), "not-the-secret")
    assert agent.client.get(f"/api/v1/survey/{forged}").status_code == 404
    rating_link = sign(f"order:{order['id']}", clock.now() + timedelta(days=3), settings.secret_key)
    assert agent.client.get(f"/api/v1/survey/{rating_link}").status_code == 404  # a rating link is no survey link
    expired = sign("survey:1", clock.now() - timedelta(minutes=1), settings.secret_key)
    assert agent.client.post(f"/api/v1/survey/{expired}", json={"answers": {}}).status_code == 410
    assert agent.client.get("/api/v1/survey/nonsense").status_code == 404
    assert agent.ok("get", f"/ratings?order_id={order['id']}")["items"] == []


def test_the_sampling_rules_are_kept_by_supervisors(admin: Api, agent: Api, manager: Api) -> None:
    rules = {(r["order_type"], r["category"]): r for r in manager.ok("get", "/surveys/rules")["items"]}
    assert rules[("complaint", None)]["share"] == 1.0 and rules[("inquiry", None)]["share"] == 0.0
    assert rules[("repair", None)]["share"] == 0.3
    made = admin.ok("put", "/surveys/rules", {"order_type": "repair", "category": "RP-GAS-NOGAS", "share": 0.5})
    assert (made["category"], made["share"], made["delay_days"]) == ("RP-GAS-NOGAS", 0.5, 3)
    assert admin.put("/surveys/rules", {"order_type": "repair", "category": "IQ-BILL", "share": 0.5}).status_code == 422
    assert admin.put("/surveys/rules", {"order_type": "repair", "share": 1.5}).status_code == 422
    assert agent.put("/surveys/rules", {"order_type": "repair", "share": 0.5}).status_code == 403
    assert manager.put("/surveys/rules", {"order_type": "repair", "share": 0.5}).status_code == 403


def test_a_top_score_rewards_the_handler_in_the_ledger_once(
    agent: Api,
    unit_worker: Api,
    manager: Api,
    admin: Api,
    world: World,
    worker: Worker,
    gateway: TestClient,
    every_repair: None,
) -> None:
    body = {"unit_id": world.station_a.id, "name": "龙溪处理员", "post": "handler", "user_id": unit_worker.id}
    person = admin.ok("post", "/staff", body, 201)["id"]
    closed_repair(agent, unit_worker)
    clock.advance(timedelta(days=3, minutes=1))
    worker.deliver(worker.tick())
    (sms,) = survey_sms(gateway)
    answers = {"overall": "satisfied", "timeliness": 5, "attitude": 5, "solved": True}
    assert agent.client.post(f"/api/v1/survey/{token_of(sms)}", json={"answers": answers}).status_code == 201
    clock.advance(timedelta(minutes=2))
    worker.deliver(worker.tick())
    clock.advance(timedelta(minutes=2))
    worker.deliver(worker.tick())
    month = clock.now().strftime("%Y-%m")
    entries = manager.ok("get", f"/ledger?person_id={person}&month={month}")["items"]
    assert [(e["kind"], e["points"]) for e in entries] == [("survey", 1)]
    standing = manager.ok("get", f"/ledger/standings?month={month}")["items"]
    assert [(s["name"], s["survey"], s["total"]) for s in standing] == [("龙溪处理员", 1, 1)]


def test_the_field_staff_who_went_on_site_are_rated_by_the_survey_and_rewarded_in_the_ledger(
    agent: Api,
    unit_worker: Api,
    manager: Api,
    admin: Api,
    world: World,
    worker: Worker,
    gateway: TestClient,
    every_repair: None,
) -> None:
    def person(unit_id: int, name: str, post: str) -> int:
        return int(admin.ok("post", "/staff", {"unit_id": unit_id, "name": name, "post": post}, 201)["id"])

    li, zhou = person(world.station_a.id, "李师傅", "repairer"), person(world.station_a.id, "周师傅", "repairer")
    other_unit = person(world.station_b.id, "赵电工", "repairer")
    order = agent.register(contact_phone=PHONE, area_id=world_area(agent))
    unit_worker.act(order["id"], "accept")
    path = f"/work-orders/{order['id']}/resolve"
    # who went on site must be the unit's own staff: refused, nothing changes
    for bad in ([other_unit], [999_999]):
        r = unit_worker.post(path, {"result": "已处理", "on_site_staff_ids": bad})
        assert r.status_code == 422 and "on_site_staff_ids" in r.text, r.text
    assert unit_worker.ok("get", f"/work-orders/{order['id']}")["state"] == "accepted"
    resolved = unit_worker.ok("post", path, {"result": "已更换减压阀，恢复供气", "on_site_staff_ids": [li, zhou, li]})
    event = next(e for e in resolved["events"] if e["action"] == "resolve")
    assert event["data"]["on_site_staff_ids"] == [li, zhou]  # each once
    agent.act(order["id"], "callback", {"result": "satisfied"})
    clock.advance(timedelta(days=3, minutes=1))
    worker.deliver(worker.tick())
    (sms,) = survey_sms(gateway)
    answers = {"overall": "satisfied", "timeliness": 5, "attitude": 5, "solved": True}
    assert agent.client.post(f"/api/v1/survey/{token_of(sms)}", json={"answers": answers}).status_code == 201

    day = clock.now().date().isoformat()
    rows = manager.ok("get", f"/surveys/staff?from={day}&to={day}")["items"]
    got = sorted((r["name"], r["post"], r["surveys"], r["satisfied"], r["attitude_mean"], r["rate"]) for r in rows)
    assert got == [
        ("周师傅", "repairer", 1, 1, 5.0, 1.0),
        ("李师傅", "repairer", 1, 1, 5.0, 1.0),
    ]
    assert {r["unit_name"] for r in rows} == {world.station_a.name}
    history = manager.ok("get", f"/surveys/staff/{li}/history")["items"]
    assert [(h["order_id"], h["order_number"]) for h in history] == [(order["id"], order["number"])]
    assert manager.ok("get", f"/surveys/staff/{other_unit}/history")["items"] == []
    assert unit_worker.ok("get", f"/surveys/staff?from={day}&to={day}")["items"]  # station A's own
    assert agent.get("/surveys/staff").status_code == 403

    r = manager.get(f"/surveys/staff/export?from={day}&to={day}")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(r.content)).active
    assert sheet is not None
    lines = sorted(row[:4] for row in sheet.iter_rows(values_only=True) if row and row[0] in ("李师傅", "周师傅"))
    assert lines == [("周师傅", "维修工", world.station_a.name, 1), ("李师傅", "维修工", world.station_a.name, 1)]

    clock.advance(timedelta(minutes=2))
    worker.deliver(worker.tick())  # the ledger's award: the staff who came, not the handler
    month = clock.now().strftime("%Y-%m")
    for someone in (li, zhou):
        entries = manager.ok("get", f"/ledger?person_id={someone}&month={month}")["items"]
        assert [(e["kind"], e["points"]) for e in entries] == [("survey", 1)]
    worker.deliver(worker.tick())
    assert len(manager.ok("get", f"/ledger?person_id={li}&month={month}")["items"]) == 1  # once
