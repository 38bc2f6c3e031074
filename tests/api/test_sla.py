"""Time limits: policies, calendars and the stage deadlines on orders, with a moved clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from huiyin.clock import clock
from huiyin.customers.service import do_create_customer
from tests.api.test_query_budget import counted
from tests.personas import Api, World

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai
CST = ZoneInfo("Asia/Shanghai")


def at(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def deadline(order: dict[str, Any], stage: str, cycle: int = 0) -> dict[str, Any]:
    found = [d for d in order["deadlines"] if d["stage"] == stage and d["cycle"] == cycle]
    assert len(found) == 1, order["deadlines"]
    return found[0]


def minutes(d: dict[str, Any]) -> float:
    return (at(d["due_at"]) - at(d["started_at"])).total_seconds() / 60


def seeded(api: Api, name: str) -> dict[str, Any]:
    return next(p for p in api.ok("get", "/sla/policies")["items"] if p["name"] == name)


def test_each_stage_deadline_starts_at_its_event_and_is_met_at_the_next(
    world: World, agent: Api, unit_worker: Api, admin: Api
) -> None:
    clock.set(T0)
    limits = {"accept": 10, "arrive": 20, "resolve": 60, "reply": 90, "callback": 30}
    policy = admin.ok(
        "post",
        "/sla/policies",
        {"name": "表具五段", "priority": 1, "match": {"type": "repair", "category": "RP-GAS-METER"}, "limits": limits},
        status=201,
    )
    order = agent.register(category="RP-GAS-METER", customer_id=world.customer_id)
    assert order["sla_policy_version_id"] == policy["version_id"]
    assert {d["stage"] for d in order["deadlines"]} == {"accept", "arrive", "resolve", "reply"}
    for stage in ("accept", "arrive", "resolve", "reply"):
        d = deadline(order, stage)
        assert at(d["started_at"]) == T0 and minutes(d) == limits[stage] and d["met_at"] is None
        assert not d["breached"]
    assert at(deadline(order, "accept")["warn_at"]) == T0 + timedelta(minutes=7.5)
    assert at(order["next_deadline_at"]) == T0 + timedelta(minutes=10)
    assert order["overdue"] is False and order["escalation_level"] == 0
    oid = order["id"]

    clock.advance(timedelta(minutes=5))
    accepted = unit_worker.act(oid, "accept")
    assert at(deadline(accepted, "accept")["met_at"]) == T0 + timedelta(minutes=5)
    assert at(accepted["next_deadline_at"]) == T0 + timedelta(minutes=20)
    clock.advance(timedelta(minutes=5))
    started = unit_worker.act(oid, "start")
    assert at(deadline(started, "arrive")["met_at"]) == T0 + timedelta(minutes=10)
    assert at(started["next_deadline_at"]) == T0 + timedelta(minutes=60)
    clock.advance(timedelta(minutes=20))
    resolved = unit_worker.act(oid, "resolve", {"result": "更换燃气表"})
    for stage in ("resolve", "reply"):
        assert at(deadline(resolved, stage)["met_at"]) == T0 + timedelta(minutes=30)
    callback = deadline(resolved, "callback")
    assert at(callback["started_at"]) == T0 + timedelta(minutes=30) and minutes(callback) == 30
    assert at(resolved["next_deadline_at"]) == T0 + timedelta(minutes=60)
    clock.advance(timedelta(minutes=10))
    closed = agent.act(oid, "callback", {"result": "satisfied"})
    assert at(deadline(closed, "callback")["met_at"]) == T0 + timedelta(minutes=40)
    assert closed["next_deadline_at"] is None and closed["overdue"] is False
    assert not any(d["breached"] for d in closed["deadlines"])


def test_an_order_past_its_deadline_is_overdue_and_the_stage_breached(
    world: World, agent: Api, unit_worker: Api
) -> None:
    clock.set(T0)
    oid = agent.register(customer_id=world.customer_id)["id"]  # gas repair, urban: on site in 30 min
    clock.advance(timedelta(minutes=5))
    unit_worker.act(oid, "accept")  # within its 10 minutes
    clock.advance(timedelta(minutes=24))
    early = agent.ok("get", f"/work-orders/{oid}")
    assert early["overdue"] is False and deadline(early, "arrive")["breached"] is False
    clock.advance(timedelta(minutes=2))
    late = agent.ok("get", f"/work-orders/{oid}")
    assert late["overdue"] is True
    arrive = deadline(late, "arrive")
    assert arrive["breached"] is True and arrive["met_at"] is None
    listed = agent.ok("get", "/work-orders?state=open")["items"]
    assert [(o["id"], o["overdue"]) for o in listed] == [(oid, True)]
    assert deadline(listed[0], "arrive")["breached"] is True
    on_site = unit_worker.act(oid, "start")
    arrive = deadline(on_site, "arrive")
    assert arrive["met_at"] is not None and arrive["breached"] is True
    assert on_site["overdue"] is False


def test_a_rural_area_gets_a_longer_arrival_limit_than_an_urban_one(world: World, agent: Api) -> None:
    clock.set(T0)
    urban = agent.register(customer_id=world.customer_id)
    rural = agent.register(customer_id=world.customer_b_id)
    assert minutes(deadline(urban, "arrive")) == 30
    assert minutes(deadline(rural, "arrive")) == 60
    assert urban["sla_policy_version_id"] != rural["sla_policy_version_id"]
    elec_urban = agent.register(category="RP-ELEC-OUTAGE", description="整栋楼停电", customer_id=world.customer_id)
    elec_rural = agent.register(category="RP-ELEC-OUTAGE", description="村里停电", customer_id=world.customer_b_id)
    assert minutes(deadline(elec_urban, "arrive")) == 45
    assert minutes(deadline(elec_rural, "arrive")) == 90
    assert minutes(deadline(elec_rural, "resolve")) == 90 + 240


def test_a_key_customer_policy_wins_because_it_matches_more(world: World, agent: Api, admin: Api) -> None:
    clock.set(T0)
    with world.db.session() as s:
        key = do_create_customer(
            s,
            account_no="3100000009",
            name="重点医院",
            phones=["02368880000"],
            address="重庆市渝北区龙溪街道医院路1号",
            area_id=world.area_a.id,
            tags=["key_customer"],
        )
        s.flush()
        key_id = key.id
    admin.ok(
        "post",
        "/sla/policies",
        {
            "name": "重点客户燃气报修",
            "priority": 500,  # a worse priority: specificity decides first
            "match": {"type": "repair", "category": "RP-GAS", "customer_tag": "key_customer"},
            "limits": {"arrive": 15},
            "description": "[D] 重点客户承诺15分钟到达",
        },
        status=201,
    )
    vip = agent.register(customer_id=key_id)
    plain = agent.register(customer_id=world.customer_id)
    assert minutes(deadline(vip, "arrive")) == 15
    assert minutes(deadline(plain, "arrive")) == 30


def test_suspending_under_a_pausable_policy_pushes_the_deadline_by_the_paused_time(
    world: World, agent: Api, unit_worker: Api
) -> None:
    clock.set(T0)
    oid = agent.register(customer_id=world.customer_id)["id"]  # gas repair: pausable
    due = at(deadline(agent.ok("get", f"/work-orders/{oid}"), "arrive")["due_at"])
    unit_worker.act(oid, "accept")
    clock.advance(timedelta(minutes=10))
    paused = unit_worker.act(oid, "suspend", {"reason": "客户不在家，约定一小时后上门"})
    assert paused["events"][-1]["data"]["sla_paused"] is True
    assert paused["next_deadline_at"] is None and deadline(paused, "arrive")["paused"] is True
    clock.advance(timedelta(minutes=60))
    assert agent.ok("get", f"/work-orders/{oid}")["overdue"] is False
    resumed = unit_worker.act(oid, "resume")
    assert resumed["events"][-1]["data"] == {"sla_resumed": True, "sla_paused_minutes": 60}
    assert at(deadline(resumed, "arrive")["due_at"]) == due + timedelta(minutes=60)
    assert at(resumed["next_deadline_at"]) == due + timedelta(minutes=60)
    assert resumed["overdue"] is False


def test_reassigning_a_suspended_order_resumes_its_paused_clock(
    world: World, agent: Api, dispatcher: Api, unit_worker: Api
) -> None:
    clock.set(T0)
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "suspend", {"reason": "等待配件"})
    clock.advance(timedelta(minutes=15))
    moved = dispatcher.act(oid, "reassign", {"unit_id": world.station_b.id, "reason": "改派"})
    assert moved["events"][-1]["data"]["sla_paused_minutes"] == 15
    arrive = deadline(moved, "arrive")
    assert arrive["paused"] is False and at(arrive["due_at"]) == T0 + timedelta(minutes=45)
    assert at(moved["next_deadline_at"]) == T0 + timedelta(minutes=45)


def test_suspending_under_a_non_pausable_policy_leaves_the_clock_running(
    world: World, agent: Api, unit_worker: Api
) -> None:
    clock.set(T0)
    order = agent.register(
        type="emergency", category="EM-GAS-LEAK", description="闻到燃气味", customer_id=world.customer_id
    )
    oid, due = order["id"], at(deadline(order, "arrive")["due_at"])
    unit_worker.act(oid, "accept")
    suspended = unit_worker.act(oid, "suspend", {"reason": "等待物业开门"})
    assert suspended["events"][-1]["data"]["sla_paused"] is False
    assert at(suspended["next_deadline_at"]) == due
    clock.advance(timedelta(minutes=60))
    resumed = unit_worker.act(oid, "resume")
    assert at(deadline(resumed, "arrive")["due_at"]) == due
    assert resumed["overdue"] is True and deadline(resumed, "arrive")["breached"] is True


def _complaint(agent: Api, world: World) -> dict[str, Any]:
    return agent.register(
        type="complaint", category="CP-ATTITUDE", description="抄表员态度恶劣", customer_id=world.customer_id
    )


def test_a_complaints_reply_deadline_skips_the_weekend(world: World, agent: Api) -> None:
    clock.set(datetime(2026, 11, 27, 10, 0, tzinfo=CST))  # Friday
    reply = deadline(_complaint(agent, world), "reply")
    assert at(reply["due_at"]) == datetime(2026, 12, 2, 10, 0, tzinfo=CST)  # 3 working days: Wednesday


def test_a_complaints_reply_deadline_skips_national_day_and_counts_the_make_up_saturday(
    world: World, agent: Api
) -> None:
    clock.set(datetime(2026, 9, 30, 10, 0, tzinfo=CST))  # the day before the National Day week
    reply = deadline(_complaint(agent, world), "reply")
    assert at(reply["due_at"]) == datetime(2026, 10, 10, 10, 0, tzinfo=CST)  # Saturday 10-10 is a working day


def test_an_old_order_keeps_its_policy_version_after_the_policy_is_edited(
    world: World, agent: Api, unit_worker: Api, admin: Api
) -> None:
    clock.set(T0)
    gas = seeded(admin, "燃气报修（城区，缺省）")
    old = agent.register(customer_id=world.customer_id)
    assert old["sla_policy_version_id"] == gas["version_id"]
    edited = admin.ok("patch", f"/sla/policies/{gas['id']}", {"limits": {"arrive": 20, "callback": 60}})
    assert edited["id"] == gas["id"] and edited["version"] == gas["version"] + 1
    assert edited["version_id"] != gas["version_id"]
    assert edited["limits"]["arrive"] == 20 and edited["match"] == gas["match"]
    assert edited["description"] == gas["description"]
    new = agent.register(customer_id=world.customer_id)
    assert new["sla_policy_version_id"] == edited["version_id"] and minutes(deadline(new, "arrive")) == 20
    unit_worker.act(old["id"], "accept")
    resolved = unit_worker.act(old["id"], "resolve", {"result": "已处理"})
    assert resolved["sla_policy_version_id"] == gas["version_id"]
    assert minutes(deadline(resolved, "arrive")) == 30
    assert minutes(deadline(resolved, "callback")) == 24 * 60  # version 1's callback limit, not 60
    listed = [p for p in admin.ok("get", "/sla/policies")["items"] if p["id"] == gas["id"]]
    assert [p["version"] for p in listed] == [2]


BAD_POLICIES: list[tuple[str, dict[str, Any]]] = [
    ("no limit at all", {"name": "x", "limits": {}}),
    ("a negative limit", {"name": "x", "limits": {"accept": -5}}),
    ("an unknown stage", {"name": "x", "limits": {"lunch": 5}}),
    ("warn_at above one", {"name": "x", "limits": {"accept": 5}, "warn_at": 1.5}),
    ("a calendar that does not exist", {"name": "x", "limits": {"accept": 5}, "calendar": 9999}),
    ("a calendar name", {"name": "x", "limits": {"accept": 5}, "calendar": "weekdays"}),
    ("an unknown category", {"name": "x", "limits": {"accept": 5}, "match": {"category": "NOPE"}}),
    (
        "a category of another type",
        {"name": "x", "limits": {"accept": 5}, "match": {"type": "complaint", "category": "RP-GAS"}},
    ),
    ("an unknown area type", {"name": "x", "limits": {"accept": 5}, "match": {"area_type": "suburban"}}),
    ("an unknown tag", {"name": "x", "limits": {"accept": 5}, "match": {"customer_tag": "friend"}}),
    ("an empty name", {"name": "", "limits": {"accept": 5}}),
    ("an unknown field", {"name": "x", "limits": {"accept": 5}, "colour": "red"}),
]


@pytest.mark.parametrize("why,body", BAD_POLICIES, ids=[b[0] for b in BAD_POLICIES])
def test_bad_policy_input_is_refused_with_422_and_nothing_is_stored(admin: Api, why: str, body: dict[str, Any]) -> None:
    before = admin.ok("get", "/sla/policies")
    r = admin.post("/sla/policies", json=body)
    assert r.status_code == 422, (why, r.text)
    assert r.headers["content-type"].startswith("application/problem+json")
    assert admin.ok("get", "/sla/policies") == before


def test_a_bad_edit_is_refused_and_keeps_the_current_version(admin: Api) -> None:
    gas = seeded(admin, "燃气报修（城区，缺省）")
    no_limits = {"accept": None, "arrive": None, "resolve": None, "callback": None}
    for body in ({"limits": {"arrive": 0}}, {"limits": no_limits}, {"calendar": 4242}):
        r = admin.patch(f"/sla/policies/{gas['id']}", json=body)
        assert r.status_code == 422, r.text
    assert seeded(admin, "燃气报修（城区，缺省）") == gas
    assert admin.patch("/sla/policies/99999", json={"priority": 3}).status_code == 404


def test_a_unit_handler_cannot_write_policies_or_calendars_but_can_read_them(
    unit_worker: Api, agent: Api, admin: Api
) -> None:
    gas = seeded(admin, "燃气报修（城区，缺省）")
    assert unit_worker.post("/sla/policies", json={"name": "x", "limits": {"accept": 5}}).status_code == 403
    assert unit_worker.patch(f"/sla/policies/{gas['id']}", json={"priority": 1}).status_code == 403
    assert agent.patch(f"/sla/policies/{gas['id']}", json={"priority": 1}).status_code == 403
    cal = unit_worker.ok("get", "/sla/calendars")["items"][0]
    r = unit_worker.client.put(
        f"/api/v1/sla/calendars/{cal['id']}/days", json={"year": 2027, "days": []}, headers=unit_worker.headers
    )
    assert r.status_code == 403
    assert unit_worker.post("/sla/calendars", json={"code": "X", "name": "x", "work_hours": []}).status_code == 403
    assert len(unit_worker.ok("get", "/sla/policies")["items"]) >= 10
    assert seeded(admin, "燃气报修（城区，缺省）") == gas


def test_a_supervisor_keeps_calendars_and_a_years_days_are_replaced_as_a_whole(world: World, admin: Api) -> None:
    boss = world.persona("supervisor", "supervisor")
    cal = boss.ok(
        "post",
        "/sla/calendars",
        {"code": "NIGHT", "name": "夜班", "work_hours": [{"start": "20:00", "end": "23:59"}]},
        status=201,
    )
    assert cal["timezone"] == "Asia/Shanghai"
    path = f"/api/v1/sla/calendars/{cal['id']}/days"
    first = {"year": 2027, "days": [{"date": "2027-01-01", "is_working": False, "note": "元旦"}]}
    assert boss.client.put(path, json=first, headers=boss.headers).status_code == 200
    second = {"year": 2027, "days": [{"date": "2027-02-06", "is_working": True, "note": "调休"}]}
    shown = boss.client.put(path, json=second, headers=boss.headers).json()
    assert [d["date"] for d in shown["days"]] == ["2027-02-06"]
    wrong_year = {"year": 2027, "days": [{"date": "2028-01-01", "is_working": False}]}
    assert boss.client.put(path, json=wrong_year, headers=boss.headers).status_code == 422
    again = boss.ok("get", f"/sla/calendars/{cal['id']}?year=2027")
    assert [d["date"] for d in again["days"]] == ["2027-02-06"]
    bad = {"code": "BAD", "name": "x", "work_hours": [{"start": "12:00", "end": "08:00"}]}
    assert boss.post("/sla/calendars", json=bad).status_code == 422
    assert boss.post("/sla/calendars", json={**bad, "timezone": "Mars/Olympus"}).status_code == 422
    seeded_cal = boss.ok("get", "/sla/calendars")["items"][0]
    national_day = boss.ok("get", f"/sla/calendars/{seeded_cal['id']}?year=2026")["days"]
    assert {"date": "2026-10-10", "is_working": True, "note": "国庆节调休上班"} in national_day


def test_a_reopened_order_gets_new_deadlines_and_keeps_the_old_ones(
    world: World, agent: Api, dispatcher: Api, unit_worker: Api
) -> None:
    clock.set(T0)
    oid = _complaint(agent, world)["id"]
    dispatcher.act(oid, "dispatch", {"unit_id": world.station_a.id})
    unit_worker.act(oid, "accept")
    clock.advance(timedelta(hours=1))
    unit_worker.act(oid, "resolve", {"result": "已向客户道歉"})
    reopened = agent.act(oid, "callback", {"result": "unsatisfied"})
    assert reopened["reopen_count"] == 1
    stages = sorted((d["cycle"], d["stage"]) for d in reopened["deadlines"])
    assert stages == [(0, "accept"), (0, "callback"), (0, "reply"), (1, "accept"), (1, "reply")]
    assert all(d["met_at"] is not None for d in reopened["deadlines"] if d["cycle"] == 0)
    assert all(d["met_at"] is None for d in reopened["deadlines"] if d["cycle"] == 1)
    assert at(deadline(reopened, "reply", cycle=1)["started_at"]) == T0 + timedelta(hours=1)


def test_an_order_answered_on_the_spot_has_its_deadlines_met_at_once(agent: Api) -> None:
    order = agent.register(
        type="inquiry", category="IQ-BILL", description="查气费", close_on_spot=True, result="已告知"
    )
    assert order["next_deadline_at"] is None and order["overdue"] is False
    assert [d["stage"] for d in order["deadlines"]] == ["resolve"]  # the default policy
    assert order["deadlines"][0]["met_at"] is not None


def test_registering_an_order_costs_a_bounded_few_more_queries(app: FastAPI, world: World, agent: Api) -> None:
    agent.register(customer_id=world.customer_id)  # warm up
    with counted(app) as gas:
        agent.register(customer_id=world.customer_id)
    with counted(app) as complaint:  # a business calendar: its days are one more query
        _complaint(agent, world)
    # An auto-dispatched gas repair, as SQLAlchemy's events see it (prebuilt statements run on the driver's
    # cursor and are not counted: the token check, and on SQLite the day's number; nor, on PostgreSQL, the
    # bulk inserts of core.fastsql): the order's id (SQLite), its deadlines (resolve at registration,
    # accept and arrive at the dispatch: one INSERT each on SQLite, one on PostgreSQL), the order itself,
    # once, in its final state, its two events, the unit handlers' notifications and their outbox rows.
    # The customer's facts are prebuilt too. The reply is built from what was written (no read back). The
    # complaint is not dispatched.
    assert len(gas) <= 10, gas
    assert len(complaint) <= 6, complaint
    # reference data (policies, calendars, categories, units, areas, rules, users) comes from the process's
    # cache, and the SLA reads back no deadline it has just started
    reference = ("sla_policy", "business_calendars", "calendar_days", "categories", "units", "areas")
    reference += ("dispatch_rules", "users", "user_roles", "order_deadlines", "work_order_events")
    reads = [q for q in gas + complaint if q.lstrip().upper().startswith("SELECT") and "FROM auth_tokens" not in q]
    assert [q for q in reads if any(f"FROM {t}" in q for t in reference)] == [], reads


def test_a_registration_writes_the_order_once_in_its_final_state(app: FastAPI, world: World, agent: Api) -> None:
    """Its id drawn first and its references checked at commit, the auto-dispatched order is inserted as it
    ends (dispatched, its policy and next deadline set) and never updated in the same request."""
    agent.register(customer_id=world.customer_id)  # warm up
    with counted(app) as seen:
        order = agent.register(customer_id=world.customer_id)
    writes = [q.split("(")[0].split(" SET")[0].strip() for q in seen if q.lstrip().startswith(("INSERT", "UPDATE"))]
    assert writes.count("INSERT INTO work_orders") == 1, seen
    assert not [w for w in writes if w.startswith("UPDATE work_orders")], seen
    assert order["state"] == "dispatched" and order["next_deadline_at"] is not None
    assert [e["action"] for e in order["events"]] == ["register", "dispatch"]
