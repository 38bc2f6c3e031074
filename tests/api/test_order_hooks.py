"""The order's lifecycle hooks: listeners run in the stated order, in the change's transaction; a closing
listener can refuse the close; a failing listener takes the whole change (and every listener's writes)
back with it; a session without hooks refuses to change orders."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from sqlalchemy import func, select

from huiyin.core.actor import SignedIn
from huiyin.db import Database
from huiyin.errors import Conflict, Invalid
from huiyin.notify.models import Notification
from huiyin.settings import Settings
from huiyin.sla.models import OrderDeadline
from huiyin.wiring import order_hooks
from huiyin.workorders import service as wo
from huiyin.workorders.hooks import INFO_KEY, Moment, OrderChange, OrderHooks
from huiyin.workorders.models import DispatchRule, WorkOrder, WorkOrderEvent
from tests.personas import Api, World


def hooks(app: FastAPI) -> OrderHooks:
    found: OrderHooks = app.state.db.session_info[INFO_KEY]
    return found


def counts(db: Database) -> dict[str, int]:
    with db.session(write=False) as s:
        return {
            "orders": s.scalar(select(func.count()).select_from(WorkOrder)) or 0,
            "events": s.scalar(select(func.count()).select_from(WorkOrderEvent)) or 0,
            "deadlines": s.scalar(select(func.count()).select_from(OrderDeadline)) or 0,
            "notifications": s.scalar(select(func.count()).select_from(Notification)) or 0,
        }


def test_the_wiring_subscribes_sla_first_and_notify_last() -> None:
    wired = order_hooks(Settings())
    assert wired.listeners(Moment.registered) == ["sla", "calls", "complaints", "channels", "outages"]
    assert wired.listeners(Moment.dispatched) == ["sla", "notify"]
    assert wired.listeners(Moment.reassigned) == ["sla", "notify"]
    assert wired.listeners(Moment.marked) == ["notify"]
    for moment in (Moment.accepted, Moment.started, Moment.suspended, Moment.resumed):
        assert wired.listeners(moment) == ["sla"]
    assert wired.listeners(Moment.resolved) == ["sla", "channels"]  # channels: the WeChat template message
    assert wired.listeners(Moment.closed) == ["sla", "surveys"]  # surveys: the rating SMS
    assert wired.listeners(Moment.closing) == ["complaints"]  # no complaint closes without a verdict


def test_listeners_run_in_order_inside_the_change_and_see_what_earlier_ones_wrote(
    app: FastAPI, agent: Api, world: World
) -> None:
    seen: list[tuple[str, Any]] = []

    def first(change: OrderChange) -> None:
        seen.append(("first", change.order.next_deadline_at))  # before the SLA: no deadline yet

    def last(change: OrderChange) -> None:
        rows = change.session.scalars(select(OrderDeadline).where(OrderDeadline.order_id == change.order.id)).all()
        seen.append(("last", sorted(r.stage for r in rows)))
        assert change.event is not None and change.event.action == "register"
        assert change.actor is not None and change.actor.id == agent.id

    with (
        hooks(app).subscribed("test-first", Moment.registered, first, first=True),
        hooks(app).subscribed("test-last", Moment.registered, last),
    ):
        agent.register(customer_id=world.customer_id)
    assert seen[0] == ("first", None)
    assert seen[1][0] == "last" and "resolve" in seen[1][1]  # the SLA ran in between, in the same transaction


def test_a_closing_listener_refuses_the_close_with_a_409_and_nothing_changes(
    app: FastAPI, agent: Api, unit_worker: Api, manager: Api, world: World
) -> None:
    order = agent.register(customer_id=world.customer_id)
    unit_worker.act(order["id"], "accept")
    unit_worker.act(order["id"], "resolve", {"result": "已处理"})
    before = manager.ok("get", f"/work-orders/{order['id']}")

    def veto(change: OrderChange) -> None:
        raise Conflict("a complaint needs a verdict before it is closed")

    with hooks(app).subscribed("test-veto", Moment.closing, veto):
        r = manager.post(f"/work-orders/{order['id']}/close", {"reason": "免回访"})
        assert r.status_code == 409, r.text
        assert "a complaint needs a verdict" in r.json()["detail"]
        r = agent.post(f"/work-orders/{order['id']}/callback", {"result": "satisfied"})
        assert r.status_code == 409, r.text  # a satisfied callback closes too, and is refused the same way
    after = manager.ok("get", f"/work-orders/{order['id']}")
    assert after["state"] == "resolved"
    assert after["events"] == before["events"]
    assert after["callback_tasks"] == before["callback_tasks"]
    assert after["deadlines"] == before["deadlines"]
    manager.act(order["id"], "close", {"reason": "免回访"})  # without the listener the close goes through


def test_a_refused_close_on_the_spot_stores_no_order_at_all(
    app: FastAPI, agent: Api, world: World, db: Database
) -> None:
    before = counts(db)

    def veto(change: OrderChange) -> None:
        raise Conflict("not today")

    with hooks(app).subscribed("test-veto", Moment.closing, veto):
        agent.register(
            status=409, type="inquiry", category="IQ-BILL", close_on_spot=True, result="已解答", description="问电费"
        )
    assert counts(db) == before


def test_a_failing_listener_takes_the_order_and_every_listeners_writes_back(
    app: FastAPI, agent: Api, world: World, db: Database
) -> None:
    before = counts(db)

    def fail(change: OrderChange) -> None:
        assert change.session.scalar(select(func.count()).select_from(OrderDeadline)), "the SLA wrote first"
        raise Invalid("refused by a listener")

    with hooks(app).subscribed("test-fail", Moment.dispatched, fail):
        r = agent.post(
            "/work-orders",
            {
                "type": "repair",
                "category": "RP-GAS",
                "description": "燃气灶打不着火",
                "channel": "phone",
                "contact_phone": "13912345678",
                "customer_id": world.customer_id,
            },
        )
    assert r.status_code == 422, r.text
    assert counts(db) == before  # no order, event, deadline or dispatch notification
    agent.register(customer_id=world.customer_id)
    assert counts(db)["orders"] == before["orders"] + 1


def test_event_data_from_a_listener_after_the_event_was_given_its_id_is_refused(
    app: FastAPI, agent: Api, world: World, db: Database
) -> None:
    def late(change: OrderChange) -> dict[str, Any]:
        return {"too": "late"}

    before = counts(db)
    with hooks(app).subscribed("test-late", Moment.dispatched, late):  # after notify, which took the event with its id
        r = agent.post(
            "/work-orders",
            {
                "type": "repair",
                "category": "RP-GAS",
                "description": "燃气灶打不着火",
                "channel": "phone",
                "contact_phone": "13912345678",
                "customer_id": world.customer_id,
            },
        )
    assert r.status_code == 500
    assert counts(db) == before


def test_a_session_without_order_hooks_refuses_to_change_an_order(settings: Settings, agent: Api) -> None:
    plain = Database(settings)  # not through huiyin.wiring.open_database
    actor = SignedIn(agent.id, "agent", "", None, None, True, frozenset({"agent"}), 0, "api", None)
    data = {"type": "inquiry", "category": "IQ-BILL", "description": "问电费", "channel": "phone", "contact_phone": "1"}
    try:
        with plain.session() as s:
            plan = wo.check_register(s, actor, data)
            with pytest.raises(RuntimeError, match="no order hooks"):
                wo.do_register(s, actor, plan, number_prefix="GD", tz="Asia/Shanghai")
            s.rollback()
    finally:
        plain.dispose()


def test_events_the_system_made_name_the_system_and_the_rule_or_job(agent: Api, world: World, db: Database) -> None:
    order = agent.register(customer_id=world.customer_id)
    register, dispatch = order["events"]
    assert (register["actor"], register["actor_id"]) == ("agent", agent.id)
    assert (dispatch["actor"], dispatch["actor_id"]) == ("system", None)
    assert dispatch["data"]["system"] == "dispatch_rule"
    with db.session(write=False) as s:
        rule = s.get_one(DispatchRule, dispatch["data"]["rule_id"])
        assert rule.category_id is not None  # the world's rule for repairs, not a catch-all
    urgent = agent.register(
        type="emergency", category="EM-GAS-LEAK", description="燃气泄漏", area_id=world.area_b.id, customer_id=None
    )
    assert urgent["events"][1]["data"]["system"] in ("dispatch_rule", "emergency_area_owner")


def test_a_listener_gets_the_events_id_without_a_flush_and_ids_keep_the_order_of_the_changes(
    app: FastAPI, agent: Api, world: World, db: Database
) -> None:
    seen: dict[str, Any] = {}

    def wants_id(change: OrderChange) -> None:
        event = change.event_with_id()
        seen["id"] = event.id
        # nothing was flushed for it: the order is not in the database yet, in this very transaction
        seen["order_rows"] = change.session.execute(
            select(func.count()).select_from(WorkOrder).where(WorkOrder.id == change.order.id),
            execution_options={"autoflush": False},
        ).scalar()
        seen["pending"] = change.order in change.session.new

    agent.register(customer_id=world.customer_id)  # the process's reference data loaded (a load's query flushes)
    with hooks(app).subscribed("test-id", Moment.dispatched, wants_id, first=True):
        order = agent.register(customer_id=world.customer_id)
    register, dispatch = order["events"]
    assert seen["id"] == dispatch["id"]
    assert (seen["order_rows"], seen["pending"]) == (0, True)
    assert register["id"] < dispatch["id"]  # drawn with the earlier event's, in the order they were made
    again = agent.ok("get", f"/work-orders/{order['id']}")
    assert [e["action"] for e in again["events"]] == ["register", "dispatch"]


def test_orders_and_events_built_together_in_one_transaction_take_distinct_ids(
    app: FastAPI, agent: Api, world: World, db: Database
) -> None:
    actor = SignedIn(agent.id, "agent", "", None, None, True, frozenset({"agent"}), 0, "api", None)
    data = {"type": "inquiry", "category": "IQ-BILL", "description": "问电费", "channel": "phone", "contact_phone": "1"}
    with db.session() as s:  # three registrations, nothing flushed in between
        orders = [
            wo.do_register(s, actor, wo.check_register(s, actor, data), number_prefix="GD", tz="Asia/Shanghai")
            for _ in range(3)
        ]
        assert len({o.id for o in orders}) == 3
    with db.session(write=False) as s:
        events = s.scalars(select(WorkOrderEvent).where(WorkOrderEvent.order_id.in_([o.id for o in orders]))).all()
        assert sorted(e.order_id for e in events) == sorted(o.id for o in orders)


def test_a_view_provider_for_some_order_types_is_asked_only_for_orders_of_them(
    app: FastAPI, agent: Api, world: World
) -> None:
    asked: list[list[int]] = []

    def provider(session: Any, order_ids: Any, at: Any) -> dict[int, dict[str, Any]]:
        asked.append(list(order_ids))
        return {}

    repair = agent.register(customer_id=world.customer_id)
    complaint = agent.register(
        type="complaint", category="CP-BILLING", description="多收气费", customer_id=world.customer_id
    )
    h = hooks(app)
    h.view("test-probe", provider, types={"complaint"})
    try:
        one = agent.ok("get", f"/work-orders/{repair['id']}")
        assert asked == [] and one["complaint"] is None  # no complaint on the page: not asked at all
        page = agent.ok("get", f"/work-orders?customer_id={world.customer_id}&page_size=50")
        assert {o["id"] for o in page["items"]} >= {repair["id"], complaint["id"]}
        assert asked == [[complaint["id"]]]  # the complaint alone, from a page with both
        shown = agent.ok("get", f"/work-orders/{complaint['id']}")
        assert asked[-1] == [complaint["id"]] and shown["complaint"]["grade"]  # the real provider still answers
    finally:
        h._views = [v for v in h._views if v[0] != "test-probe"]
