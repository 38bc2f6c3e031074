"""The ladder: warnings, escalation levels 1–4, supervision marks, urge and supervise by hand, the
supervision board — with a moved clock and the worker's ``tick`` instead of sleeping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.clock import clock
from huiyin.settings import Settings
from huiyin.worker import Worker
from huiyin.workorders.models import WorkOrderEvent
from tests.personas import Api, World

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 10:00 in Shanghai


def policy(admin: Api, limits: dict[str, int], **extra: Any) -> dict[str, Any]:
    body = {
        "name": f"测试时限 {sorted(limits.items())}",
        "priority": 1,
        "match": {"type": "repair", "category": "RP-GAS-NOGAS"},
        "limits": limits,
        **extra,
    }
    return admin.ok("post", "/sla/policies", body, status=201)  # type: ignore[no-any-return]


def tick_at(worker: Worker, at: datetime) -> Any:
    clock.set(at)
    return worker.tick()


def events(world: World, order_id: int, action: str) -> list[WorkOrderEvent]:
    with world.db.session(write=False) as s:
        stmt = select(WorkOrderEvent).where(WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == action)
        return list(s.scalars(stmt.order_by(WorkOrderEvent.id)))


def inbox(api: Api, **params: Any) -> list[dict[str, Any]]:
    return api.ok("get", "/notifications" + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""))[
        "items"
    ]


@pytest.fixture
def worker(world: World, settings: Settings) -> Worker:
    return Worker(world.db, settings)


@pytest.fixture
def ladder_people(world: World) -> dict[str, Api]:
    return {
        "floor": world.persona("floor", "floor_manager"),
        "supervisor": world.persona("supervisor", "supervisor"),
        "director": world.persona("director", "director"),
    }


def test_the_worker_warns_at_the_share_of_the_limit_then_climbs_every_level_of_the_ladder_once(
    world: World, agent: Api, admin: Api, unit_worker: Api, manager: Api, ladder_people: dict[str, Api], worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20}, warn_at=0.75)
    order = agent.register(customer_id=world.customer_id)
    oid = order["id"]
    assert order["state"] == "dispatched" and order["escalation_level"] == 0

    tick_at(worker, T0 + timedelta(minutes=14, seconds=59))
    assert events(world, oid, "warn") == []
    tick_at(worker, T0 + timedelta(minutes=15))
    warned = events(world, oid, "warn")
    assert len(warned) == 1 and warned[0].data["stage"] == "accept"
    assert warned[0].actor_id is None and warned[0].data["system"] == "sla_ladder"  # the ladder names itself
    assert [n["kind"] for n in inbox(unit_worker)] == ["warning", "dispatch"]

    expected = [  # (minutes after registration, level, who hears, mark)
        (20, 1, manager, "urge"),
        (50, 2, ladder_people["floor"], "urge"),
        (140, 3, ladder_people["supervisor"], "supervise"),
        (260, 4, ladder_people["director"], "supervise"),
    ]
    for minutes, level, person, mark in expected:
        tick_at(worker, T0 + timedelta(minutes=minutes) - timedelta(seconds=1))
        assert len(events(world, oid, "escalate")) == level - 1
        tick_at(worker, T0 + timedelta(minutes=minutes))
        tick_at(worker, T0 + timedelta(minutes=minutes))  # a second tick at the same time fires nothing
        climbed = events(world, oid, "escalate")
        assert [e.data["level"] for e in climbed] == list(range(1, level + 1))
        now = agent.ok("get", f"/work-orders/{oid}")
        assert now["escalation_level"] == level and now["supervision_mark"] == mark
        assert now["overdue"] is (minutes > 20)  # level 1 fires at the due time itself
        got = [n for n in inbox(person) if n["kind"] == "escalation"]
        assert len(got) == 1 and got[0]["level"] == level and got[0]["requires_ack"] is True
        assert got[0]["data"]["stage"] == "accept" and got[0]["order_id"] == oid
    # the unit hears of every level (it is the one being pressed), each needing an acknowledgement
    pressed = [n for n in inbox(unit_worker) if n["kind"] == "escalation"]
    assert sorted(n["level"] for n in pressed) == [1, 2, 3, 4]
    assert tick_at(worker, T0 + timedelta(days=3)).fired == 0  # the top of the ladder: nothing more


def test_a_worker_that_was_down_catches_up_climbing_each_missed_level_without_a_stale_warning(
    world: World, agent: Api, admin: Api, ladder_people: dict[str, Api], worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20})
    oid = agent.register(customer_id=world.customer_id)["id"]
    tick_at(worker, T0 + timedelta(hours=6))
    assert events(world, oid, "warn") == []
    assert [e.data["level"] for e in events(world, oid, "escalate")] == [1, 2, 3, 4]
    assert len(inbox(ladder_people["director"])) == 1


def test_meeting_a_stage_in_time_stops_its_ladder(
    world: World, agent: Api, admin: Api, unit_worker: Api, worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20})
    oid = agent.register(customer_id=world.customer_id)["id"]
    clock.set(T0 + timedelta(minutes=19))
    unit_worker.act(oid, "accept")
    tick_at(worker, T0 + timedelta(hours=8))
    assert events(world, oid, "escalate") == [] and events(world, oid, "warn") == []
    assert agent.ok("get", f"/work-orders/{oid}")["escalation_level"] == 0


def test_a_paused_clock_neither_warns_nor_climbs_and_resumes_shifted_by_the_pause(
    world: World, agent: Api, admin: Api, unit_worker: Api, worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"resolve": 60}, pausable=True, warn_at=0.75)
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    clock.set(T0 + timedelta(minutes=10))
    unit_worker.act(oid, "suspend", {"reason": "等待客户在家"})
    tick_at(worker, T0 + timedelta(minutes=100))
    assert events(world, oid, "warn") == [] and events(world, oid, "escalate") == []
    unit_worker.act(oid, "resume")  # at T0 + 100: 90 minutes paused
    tick_at(worker, T0 + timedelta(minutes=45 + 90) - timedelta(seconds=1))
    assert events(world, oid, "warn") == []
    tick_at(worker, T0 + timedelta(minutes=45 + 90))
    assert len(events(world, oid, "warn")) == 1
    tick_at(worker, T0 + timedelta(minutes=60 + 90))
    assert [e.data["level"] for e in events(world, oid, "escalate")] == [1]


def test_a_stage_met_while_paused_mid_ladder_ends_its_ladder(
    world: World, agent: Api, admin: Api, unit_worker: Api, worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"resolve": 30}, pausable=True)
    oid = agent.register(customer_id=world.customer_id)["id"]
    unit_worker.act(oid, "accept")
    tick_at(worker, T0 + timedelta(minutes=31))
    assert len(events(world, oid, "escalate")) == 1
    unit_worker.act(oid, "start")
    unit_worker.act(oid, "resolve", {"result": "已更换减压阀，恢复供气"})
    tick_at(worker, T0 + timedelta(hours=9))
    assert len(events(world, oid, "escalate")) == 1


def test_the_ladder_is_read_by_all_edited_by_supervisors_and_refuses_a_bad_ladder_whole(
    world: World, agent: Api, admin: Api, ladder_people: dict[str, Api]
) -> None:
    ladder = agent.ok("get", "/sla/ladder")["steps"]
    assert [(s["level"], s["role"], s["delay_minutes"], s["mark"]) for s in ladder] == [
        (1, "duty_manager", 0, "urge"),
        (2, "floor_manager", 30, "urge"),
        (3, "supervisor", 120, "supervise"),
        (4, "director", 240, "supervise"),
    ]
    changed = [dict(s) for s in ladder]
    changed[1]["delay_minutes"] = 10
    assert agent.put("/sla/ladder", {"steps": changed}).status_code == 403
    for bad, message in (
        ([*changed[:3], {**changed[3], "delay_minutes": 5}], "must not be shorter"),
        ([*changed[:3], {**changed[3], "role": "janitor"}], "unknown role"),
        ([*changed[:3], {**changed[3], "level": 3}], "exactly the levels"),
    ):
        r = ladder_people["supervisor"].put("/sla/ladder", {"steps": bad})
        assert r.status_code == 422 and message in r.json()["detail"], r.text
    r = ladder_people["supervisor"].put("/sla/ladder", {"steps": changed[:3]})
    assert r.status_code == 422
    assert agent.ok("get", "/sla/ladder")["steps"] == ladder  # nothing changed
    saved = ladder_people["supervisor"].put("/sla/ladder", {"steps": changed})
    assert saved.status_code == 200, saved.text
    assert saved.json()["steps"][1]["delay_minutes"] == 10


def test_a_ladder_change_moves_the_next_step_of_deadlines_already_climbing(
    world: World, agent: Api, admin: Api, ladder_people: dict[str, Api], worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20})
    oid = agent.register(customer_id=world.customer_id)["id"]
    tick_at(worker, T0 + timedelta(minutes=21))  # level 1; level 2 was due at T0 + 50
    steps = agent.ok("get", "/sla/ladder")["steps"]
    steps[1]["delay_minutes"] = 10  # level 2 now at T0 + 30
    ladder_people["supervisor"].put("/sla/ladder", {"steps": steps})
    tick_at(worker, T0 + timedelta(minutes=30))
    assert [e.data["level"] for e in events(world, oid, "escalate")] == [1, 2]


def test_a_role_tied_to_a_unit_hears_only_of_that_units_orders_and_those_below_it(
    world: World, agent: Api, admin: Api, worker: Worker
) -> None:
    center = world.persona("floor_center", "floor_manager")
    branch = world.persona("floor_branch", "floor_manager", unit=world.branch)
    other = world.persona("floor_b", "floor_manager", unit=world.station_b)
    clock.set(T0)
    policy(admin, {"accept": 20})
    agent.register(customer_id=world.customer_id)  # goes to station A
    tick_at(worker, T0 + timedelta(minutes=55))
    heard = {p.username: len(inbox(p)) for p in (center, branch, other)}
    assert heard == {"floor_center": 1, "floor_branch": 1, "floor_b": 0}


def test_urge_and_supervise_by_hand_mark_the_order_and_pop_up_at_the_unit(
    world: World, agent: Api, admin: Api, unit_worker: Api, dispatcher: Api, ladder_people: dict[str, Api]
) -> None:
    clock.set(T0)
    oid = agent.register(customer_id=world.customer_id)["id"]
    urged = agent.act(oid, "urge", {"note": "客户第三次来电催促"})
    assert urged["supervision_mark"] == "urge" and urged["urge_count"] == 1 and urged["state"] == "dispatched"
    assert urged["events"][-1]["action"] == "urge" and urged["events"][-1]["note"] == "客户第三次来电催促"
    popup = inbox(unit_worker, unacked="true")[0]
    assert popup["kind"] == "urge" and popup["requires_ack"] and popup["body"] == "客户第三次来电催促"
    supervised = ladder_people["supervisor"].act(oid, "supervise", {"note": "列入督办"})
    assert supervised["supervision_mark"] == "supervise"
    again = dispatcher.act(oid, "urge")
    assert again["supervision_mark"] == "supervise" and again["urge_count"] == 2  # 督办 is never lowered
    r = unit_worker.post(f"/work-orders/{oid}/urge", json={})
    assert r.status_code == 403
    r = agent.post(f"/work-orders/{oid}/supervise", json={})
    assert r.status_code == 403
    assert agent.ok("get", f"/work-orders/{oid}")["urge_count"] == 2  # refusals changed nothing


def test_urging_a_closed_order_is_refused(world: World, agent: Api) -> None:
    order = agent.register(type="inquiry", category="IQ-BILL", close_on_spot=True, result="已解答")
    r = agent.post(f"/work-orders/{order['id']}/urge", json={})
    assert r.status_code == 409 and "cannot urge" in r.json()["detail"]


def test_the_supervision_board_counts_each_units_due_soon_overdue_escalated_and_marked_orders(
    world: World, agent: Api, admin: Api, unit_worker: Api, unit_worker_b: Api, manager: Api, worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20})
    late = agent.register(customer_id=world.customer_id)["id"]
    clock.set(T0 + timedelta(minutes=15))
    agent.register(customer_id=world.customer_id)  # due at T0 + 35
    agent.register(customer_id=world.customer_b_id)  # station B, due at T0 + 35
    agent.act(late, "urge")
    tick_at(worker, T0 + timedelta(minutes=24))  # station B's rural order is due at T0 + 25: not yet
    board = manager.ok("get", "/sla/board?soon_minutes=15")
    rows = {r["unit_name"]: r for r in board["rows"]}
    a, b = rows["龙溪供气所"], rows["长寿供电所"]
    assert (a["open"], a["due_soon"], a["overdue"], a["escalated"], a["urged"], a["max_level"]) == (2, 1, 1, 1, 1, 1)
    assert (b["open"], b["overdue"], b["escalated"]) == (1, 0, 0)  # a rural order: a seeded policy of its own
    assert board["rows"][0]["unit_name"] == "龙溪供气所"  # most overdue first
    assert board["totals"]["open"] == 3 and board["totals"]["overdue"] == 1
    mine = unit_worker_b.ok("get", "/sla/board")
    assert [r["unit_name"] for r in mine["rows"]] == ["长寿供电所"]
    # the board's numbers are the order list's filters
    listed = manager.ok("get", "/work-orders?overdue=true")["items"]
    assert [o["id"] for o in listed] == [late]
    assert manager.ok("get", "/work-orders?escalated=true")["total"] == 1
    assert manager.ok("get", "/work-orders?supervision=urge")["total"] == 1
    assert manager.ok("get", "/work-orders?due_within=15")["total"] == board["totals"]["due_soon"] == 2
    assert manager.get("/work-orders?supervision=nonsense").status_code == 422


def test_every_escalation_event_and_notification_is_written_exactly_once_per_level(
    world: World, agent: Api, admin: Api, worker: Worker
) -> None:
    clock.set(T0)
    policy(admin, {"accept": 20, "resolve": 40})
    for _ in range(5):
        agent.register(customer_id=world.customer_id)
    for minutes in range(0, 400, 7):
        tick_at(worker, T0 + timedelta(minutes=minutes))
    with world.db.session(write=False) as s:
        per_level = s.execute(
            select(WorkOrderEvent.order_id, func.count())
            .where(WorkOrderEvent.action == "escalate")
            .group_by(WorkOrderEvent.order_id)
        ).all()
    assert sorted(n for _, n in per_level) == [8] * 5  # two stages × four levels, each once
