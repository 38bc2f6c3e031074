"""Bad input and wrong roles: each a clear 4xx in problem+json, and nothing changes."""

from __future__ import annotations

from typing import Any

import pytest

from tests.personas import Api, World


def assert_refused_registration(agent: Api, change: dict, contains: str) -> None:
    """A repair registration with ``change`` applied is a 422 naming ``contains``, and stores nothing."""
    body = {
        "type": "repair",
        "category": "RP-GAS-NOGAS",
        "description": "无气",
        "channel": "phone",
        "contact_phone": "13800138000",
        **change,
    }
    assert_problem(agent.post("/work-orders", json=body), 422, contains)
    assert agent.ok("get", "/work-orders")["total"] == 0


def count_events(api: Api, oid: int) -> int:
    return len(api.ok("get", f"/work-orders/{oid}")["events"])


def assert_problem(r: Any, status: int, contains: str = "") -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == status and body["detail"]
    assert contains in body["detail"], body["detail"]


def test_resolving_an_order_that_was_never_accepted_is_refused(world: World, agent: Api, unit_worker: Api) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    before = count_events(agent, oid)
    r = unit_worker.post(f"/work-orders/{oid}/start", json={})
    assert_problem(r, 409, "cannot start an order that is dispatched")
    assert r.json()["allowed_actions"] == ["accept", "return", "reassign", "urge", "supervise", "merge"]
    assert count_events(agent, oid) == before


def test_a_unit_handler_cannot_open_another_units_order(world: World, agent: Api, unit_worker_b: Api) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    assert_problem(unit_worker_b.get(f"/work-orders/{oid}"), 404)
    assert_problem(unit_worker_b.post(f"/work-orders/{oid}/accept", json={}), 404)
    assert unit_worker_b.ok("get", "/work-orders")["total"] == 0


def test_a_branch_handler_sees_the_orders_of_its_stations(world: World, agent: Api) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    branch_worker = world.persona("branch_worker", "unit_handler", unit=world.branch)
    assert branch_worker.ok("get", f"/work-orders/{oid}")["id"] == oid


@pytest.mark.parametrize(
    ("who", "action", "body"),
    [
        ("agent", "accept", {}),
        ("agent", "dispatch", {"unit_id": 1}),
        ("unit_worker", "reassign", {"unit_id": 1}),
        ("outsider", "callback", {"result": "satisfied"}),
        ("dispatcher", "resolve", {"result": "x"}),
    ],
)
def test_a_role_that_does_not_play_this_part_gets_403(
    world: World, agent: Api, who: str, action: str, body: dict
) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    before = count_events(agent, oid)
    assert_problem(world.personas[who].post(f"/work-orders/{oid}/{action}", json=body), 403, "roles")
    assert count_events(agent, oid) == before


def test_only_center_roles_register_orders(world: World, unit_worker: Api, outsider: Api) -> None:
    for api in (unit_worker, outsider):
        r = api.post(
            "/work-orders",
            json={
                "type": "repair",
                "category": "RP-GAS-NOGAS",
                "description": "x",
                "channel": "phone",
                "contact_phone": "13800138000",
            },
        )
        assert_problem(r, 403)


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"contact_phone": "1234"}, "contact_phone"),
        ({"contact_phone": "2380013800"}, "contact_phone"),
        ({"contact_phone": "1380013800a"}, "contact_phone"),
        ({"type": "gossip"}, "type"),
        ({"channel": "pigeon"}, "channel"),
        ({"description": "长" * 4001}, "description"),
        ({"description": "   "}, "description"),
        ({"grade": "extreme"}, "grade"),
        ({"surprise": 1}, "surprise"),
    ],
)
def test_malformed_registrations_are_422_and_store_nothing(agent: Api, change: dict, where: str) -> None:
    assert_refused_registration(agent, change, where)


@pytest.mark.parametrize(
    ("change", "detail"),
    [
        ({"category": "NOPE"}, "category 'NOPE' does not exist"),
        ({"category": "IQ-BILL"}, "belongs to type inquiry"),
        ({"customer_id": 999999}, "customer 999999 does not exist"),
        ({"area_id": 999999}, "area 999999 does not exist"),
        ({"close_on_spot": True, "result": "x"}, "closed on the spot"),
    ],
)
def test_registrations_naming_things_that_do_not_exist_are_422(agent: Api, change: dict, detail: str) -> None:
    assert_refused_registration(agent, change, detail)


def test_malformed_json_is_a_422(agent: Api) -> None:
    r = agent.client.post(
        "/api/v1/work-orders",
        content=b'{"type": "repair",',
        headers={**agent.headers, "content-type": "application/json"},
    )
    assert_problem(r, 422)


def test_unknown_ids_are_404(agent: Api, admin: Api) -> None:
    assert_problem(agent.get("/work-orders/999999"), 404, "work order 999999 does not exist")
    assert_problem(agent.post("/work-orders/999999/callback", json={"result": "satisfied"}), 404)
    assert_problem(agent.get("/customers/999999"), 404)
    assert_problem(admin.get("/units/999999"), 404)
    assert_problem(admin.patch("/users/999999", json={"full_name": "x"}), 404)


def test_dispatch_to_an_unknown_unit_is_422_and_changes_nothing(world: World, agent: Api, dispatcher: Api) -> None:
    oid = agent.register(type="complaint", category="CP-BILLING", description="收费不合理")["id"]
    assert_problem(dispatcher.post(f"/work-orders/{oid}/dispatch", json={"unit_id": 999999}), 422, "unit 999999")
    assert agent.ok("get", f"/work-orders/{oid}")["state"] == "registered"


def test_a_callback_result_outside_the_four_is_422(world: World, agent: Api, unit_worker: Api) -> None:
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    unit_worker.act(oid, "resolve", {"result": "ok"})
    assert_problem(agent.post(f"/work-orders/{oid}/callback", json={"result": "meh"}), 422, "result")
    assert agent.ok("get", f"/work-orders/{oid}")["state"] == "resolved"


def test_no_token_is_401_and_a_bad_token_is_401(client: Any) -> None:
    assert_problem(client.get("/api/v1/work-orders"), 401)
    assert_problem(client.get("/api/v1/me", headers={"Authorization": "Bearer nope"}), 401)


def test_list_filters_reject_unknown_states_and_naive_times(agent: Api) -> None:
    assert_problem(agent.get("/work-orders?state=lost"), 422, "unknown state")
    assert_problem(agent.get("/work-orders?created_from=2026-01-01T00:00:00"), 422, "time zone")
    assert_problem(agent.get("/work-orders?page_size=1000"), 422)
