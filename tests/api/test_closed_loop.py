"""The whole closed loop through the HTTP API, as the roles that play each part."""

from __future__ import annotations

import re

from tests.personas import Api, World


def actions(order: dict) -> list[str]:
    return [e["action"] for e in order["events"]]


def test_a_repair_goes_round_the_whole_loop_and_closes_when_the_customer_is_satisfied(
    world: World, agent: Api, unit_worker: Api
) -> None:
    order = agent.register(customer_id=world.customer_id)
    assert re.fullmatch(r"GD\d{8}\d{6}", order["number"])
    assert order["state"] == "dispatched"
    assert order["unit_id"] == world.station_a.id
    assert order["area_id"] == world.area_a.id
    assert order["address"].startswith("重庆市渝北区龙溪街道")
    oid = order["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "start")
    resolved = unit_worker.act(oid, "resolve", {"result": "更换调压阀，已恢复供气"})
    assert resolved["state"] == "resolved"
    queue = agent.ok("get", "/callbacks")
    assert [t["order_id"] for t in queue] == [oid]
    closed = agent.act(oid, "callback", {"result": "satisfied", "note": "客户表示满意"})
    assert closed["state"] == "closed"
    assert actions(closed) == ["register", "dispatch", "accept", "start", "resolve", "close"]
    assert closed["events"][-1]["actor"] == "agent"
    assert closed["events"][1]["from_state"] == "registered" and closed["events"][1]["to_state"] == "dispatched"
    assert agent.ok("get", "/callbacks") == []


def test_an_unsatisfied_callback_reopens_the_order_to_the_same_unit_one_grade_higher(
    world: World, agent: Api, unit_worker: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id, grade="normal")["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    reopened = agent.act(oid, "callback", {"result": "unsatisfied", "note": "还是没气"})
    assert reopened["state"] == "dispatched"
    assert reopened["unit_id"] == world.station_a.id
    assert reopened["grade"] == "important"
    assert reopened["reopen_count"] == 1
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "更换燃气表"})
    assert agent.act(oid, "callback", {"result": "basically_satisfied"})["state"] == "closed"


def test_three_unreachable_callbacks_close_the_order_with_that_recorded(
    world: World, agent: Api, unit_worker: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    assert agent.act(oid, "callback", {"result": "unreachable"})["state"] == "resolved"
    assert agent.act(oid, "callback", {"result": "unreachable"})["state"] == "resolved"
    closed = agent.act(oid, "callback", {"result": "unreachable"})
    assert closed["state"] == "closed"
    assert closed["unreachable_count"] == 3
    assert "3次回访未接通" in closed["events"][-1]["note"]
    assert closed["callback_tasks"][0]["attempts"] == 3


def test_an_order_without_a_matching_rule_waits_for_the_dispatcher(
    world: World, agent: Api, dispatcher: Api, unit_worker_b: Api
) -> None:
    order = agent.register(
        type="complaint", category="CP-ATTITUDE", description="抄表员态度恶劣", customer_id=world.customer_b_id
    )
    assert order["state"] == "registered" and order["unit_id"] is None
    queue = dispatcher.ok("get", "/work-orders?state=registered")
    assert [o["id"] for o in queue["items"]] == [order["id"]]
    done = dispatcher.act(order["id"], "dispatch", {"unit_id": world.station_b.id})
    assert done["state"] == "dispatched" and done["unit_id"] == world.station_b.id
    assert unit_worker_b.act(order["id"], "accept")["state"] == "accepted"


def test_a_unit_returns_a_wrong_assignment_and_the_dispatcher_reassigns_it(
    world: World, agent: Api, dispatcher: Api, unit_worker: Api, unit_worker_b: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    fresh = agent.register(
        type="complaint", category="CP-ATTITUDE", description="态度差", customer_id=world.customer_id
    )
    back = unit_worker.act(oid, "return", {"reason": "地址属长寿供电所辖区"})
    assert back["state"] == "registered" and back["unit_id"] is None
    assert back["last_unit_id"] == world.station_a.id
    returned = dispatcher.ok("get", "/work-orders?returned=true")
    assert [o["id"] for o in returned["items"]] == [oid]
    never_sent = dispatcher.ok("get", "/work-orders?state=registered&returned=false")
    assert [o["id"] for o in never_sent["items"]] == [fresh["id"]]
    dispatcher.act(oid, "dispatch", {"unit_id": world.station_b.id})
    assert dispatcher.ok("get", "/work-orders?returned=true")["total"] == 0
    moved = dispatcher.act(oid, "reassign", {"unit_id": world.station_a.id, "reason": "重新核实地址"})
    assert moved["unit_id"] == world.station_a.id and moved["state"] == "dispatched"
    assert actions(moved) == ["register", "dispatch", "return", "dispatch", "reassign"]


def test_suspension_needs_a_reason_and_resume_goes_back_to_work(agent: Api, unit_worker: Api, world: World) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "suspend", {"reason": ""}, status=422)
    s = unit_worker.act(oid, "suspend", {"reason": "客户不在家，约定明天上门"})
    assert s["state"] == "suspended"
    assert unit_worker.act(oid, "resume")["state"] == "in_progress"


def test_an_inquiry_answered_on_the_spot_is_closed_at_registration(agent: Api) -> None:
    order = agent.register(
        type="inquiry",
        category="IQ-BILL",
        description="查询本月气费",
        close_on_spot=True,
        result="本月气费128.5元，已告知客户",
    )
    assert order["state"] == "closed" and order["closed_on_spot"] is True
    assert actions(order) == ["register", "close"]


def test_a_registered_inquiry_can_be_closed_later_but_a_repair_cannot(agent: Api, world: World) -> None:
    inquiry = agent.register(type="inquiry", category="IQ-POLICY", description="阶梯气价政策")
    assert agent.act(inquiry["id"], "close", {"result": "已解释阶梯气价"})["state"] == "closed"
    repair = agent.register(type="repair", category="RP-GAS-METER", description="表不走")
    # no area, so it waits in the queue; closing it is not allowed
    r = agent.post(f"/work-orders/{repair['id']}/close", json={})
    assert r.status_code == 409


def test_a_gas_leak_is_dispatched_at_once_and_carries_the_safety_script(agent: Api, world: World) -> None:
    order = agent.register(
        type="emergency", category="EM-GAS-LEAK", description="厨房闻到很浓的燃气味", customer_id=world.customer_id
    )
    assert order["state"] == "dispatched" and order["unit_id"] == world.station_a.id
    assert order["grade"] == "urgent"
    assert "打开门窗" in order["safety_script"] and "明火" in order["safety_script"]


def test_a_manager_reopens_a_closed_order_when_the_customer_calls_again(
    world: World, agent: Api, unit_worker: Api, manager: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    agent.act(oid, "callback", {"result": "satisfied"})
    again = manager.act(oid, "reopen", {"reason": "客户再次来电反映无气"})
    assert again["state"] == "dispatched" and again["unit_id"] == world.station_a.id


def test_only_a_manager_may_close_a_resolved_order_without_its_callback(
    world: World, agent: Api, unit_worker: Api, manager: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    assert agent.post(f"/work-orders/{oid}/close", json={}).status_code == 403
    assert "close" not in agent.ok("get", f"/work-orders/{oid}")["allowed_actions"]
    assert manager.act(oid, "close", {"reason": "客户要求免回访"})["state"] == "closed"


def test_the_owner_agent_stays_the_first_contact_owner_after_others_act(
    world: World, agent: Api, agent2: Api, unit_worker: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    agent2.act(oid, "callback", {"result": "unsatisfied"})
    order = agent.ok("get", f"/work-orders/{oid}")
    assert order["owner_agent_id"] == agent.id and order["owner_agent"] == "agent"


def test_the_detail_lists_exactly_the_actions_the_user_may_take_now(
    world: World, agent: Api, unit_worker: Api, dispatcher: Api
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    assert sorted(unit_worker.ok("get", f"/work-orders/{oid}")["allowed_actions"]) == ["accept", "return"]
    assert dispatcher.ok("get", f"/work-orders/{oid}")["allowed_actions"] == ["reassign", "urge"]
    assert agent.ok("get", f"/work-orders/{oid}")["allowed_actions"] == ["urge"]  # 催办 only


def test_a_center_with_a_callback_team_puts_callbacks_in_a_shared_queue(
    db_url: str, world: World, agent: Api, agent2: Api, unit_worker: Api
) -> None:
    from fastapi.testclient import TestClient

    from huiyin.app import create_app
    from huiyin.settings import Settings

    team_app = create_app(Settings(database_url=db_url, callback_to_team=True))
    with TestClient(team_app) as c:
        a = Api(c, agent.headers["Authorization"].split()[1], agent.id, "agent")
        b = Api(c, agent2.headers["Authorization"].split()[1], agent2.id, "agent2")
        w = Api(c, unit_worker.headers["Authorization"].split()[1], unit_worker.id, "unit_worker")
        oid = a.register(customer_id=world.customer_id)["id"]
        w.act(oid, "accept")
        w.act(oid, "resolve", {"result": "已处理"})
        assert [t["order_id"] for t in b.ok("get", "/callbacks")] == [oid]
        assert b.act(oid, "callback", {"result": "satisfied"})["state"] == "closed"


def test_unreachable_attempts_start_again_after_a_reopen(world: World, agent: Api, unit_worker: Api) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "已处理"})
    agent.act(oid, "callback", {"result": "unreachable"})
    agent.act(oid, "callback", {"result": "unsatisfied"})
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "再次处理"})
    assert agent.act(oid, "callback", {"result": "unreachable"})["state"] == "resolved"


def test_concurrent_registrations_get_distinct_consecutive_numbers(world: World, agent: Api) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(8) as pool:
        numbers = list(pool.map(lambda _: agent.register(customer_id=world.customer_id)["number"], range(40)))
    assert len(set(numbers)) == 40
    tails = sorted(int(n[-6:]) for n in numbers)
    assert tails == list(range(tails[0], tails[0] + 40))
