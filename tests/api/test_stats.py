"""GET /work-orders/stats: the managers' overview, bucketed by local day, limited to what the caller sees."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from fastapi import FastAPI

from huiyin.clock import clock
from tests.api.test_query_budget import counted
from tests.personas import Api, World

SH = ZoneInfo("Asia/Shanghai")


def at(text: str) -> None:
    """Move the clock to a Shanghai wall-clock time, e.g. '2026-11-20 10:00'."""
    clock.set(datetime.fromisoformat(text).replace(tzinfo=SH))


def by_day(stats: dict) -> dict[str, dict]:
    return {d["day"]: d for d in stats["days"]}


def test_orders_are_counted_on_their_local_day_with_the_empty_days_zero_filled(world: World, agent: Api) -> None:
    at("2026-11-18 10:00")
    agent.register(customer_id=world.customer_id)
    agent.register(customer_id=world.customer_b_id)
    at("2026-11-19 23:30")  # 15:30 UTC: still the 19th in UTC too
    agent.register(type="complaint", category="CP-ATTITUDE", description="态度差", customer_id=world.customer_id)
    at("2026-11-21 00:30")  # 16:30 UTC on the 20th: a UTC bucket would put it a day early
    agent.register(type="inquiry", category="IQ-BILL", description="查气费", close_on_spot=True, result="已告知")
    at("2026-11-21 23:30")
    agent.register(customer_id=world.customer_id)
    at("2026-11-22 09:00")

    stats = agent.ok("get", "/work-orders/stats?days=7")
    assert [d["day"] for d in stats["days"]] == [f"2026-11-{n}" for n in range(16, 23)]
    days = by_day(stats)
    assert [days[f"2026-11-{n}"]["registered"] for n in range(16, 23)] == [0, 0, 2, 1, 0, 2, 0]
    assert days["2026-11-18"]["by_type"]["repair"] == 2
    assert days["2026-11-19"]["by_type"]["complaint"] == 1
    zero = {t: 0 for t in days["2026-11-21"]["by_type"]}
    assert days["2026-11-21"]["by_type"] == {**zero, "inquiry": 1, "repair": 1}
    assert days["2026-11-20"] == {
        "day": "2026-11-20",
        "registered": 0,
        "closed": 0,
        "by_type": zero,
    }
    assert days["2026-11-21"]["closed"] == 1  # the inquiry, closed on the spot at 00:30
    assert stats["today"]["registered"] == 0

    # the window follows the clock: the default is 14 days, today last
    at("2026-11-21 12:00")
    stats = agent.ok("get", "/work-orders/stats")
    assert len(stats["days"]) == 14 and stats["days"][-1]["day"] == "2026-11-21"
    assert stats["days"][0]["day"] == "2026-11-08"
    assert stats["today"]["registered"] == 2 and stats["today"]["closed_on_spot"] == 1
    assert sum(d["registered"] for d in stats["days"]) == 5


def test_open_orders_by_state_type_and_grade(world: World, agent: Api, unit_worker: Api) -> None:
    at("2026-11-22 10:00")
    repair = agent.register(customer_id=world.customer_id)["id"]
    agent.register(type="emergency", category="EM-GAS-LEAK", description="燃气味", customer_id=world.customer_id)
    agent.register(type="complaint", category="CP-ATTITUDE", description="态度差")
    agent.register(type="inquiry", category="IQ-BILL", description="查气费", close_on_spot=True, result="已告知")
    unit_worker.act(repair, "accept")

    stats = agent.ok("get", "/work-orders/stats")
    assert stats["state_counts"] == {
        "registered": 1,
        "dispatched": 1,
        "accepted": 1,
        "in_progress": 0,
        "suspended": 0,
        "merged": 0,
        "resolved": 0,
    }
    assert stats["open_total"] == 3 and stats["urgent_open"] == 1
    assert {k: v for k, v in stats["types_open"].items() if v} == {"repair": 1, "emergency": 1, "complaint": 1}
    assert stats["today"]["registered"] == 4 and stats["today"]["closed_on_spot"] == 1
    assert stats["days"][-1]["closed"] == 1


def test_todays_callbacks_and_closures(world: World, agent: Api, unit_worker: Api) -> None:
    at("2026-11-21 15:00")
    ids = [agent.register(customer_id=world.customer_id)["id"] for _ in range(4)]
    for oid in ids:
        unit_worker.act(oid, "accept")
        unit_worker.act(oid, "resolve", {"result": "已处理"})
    agent.act(ids[0], "callback", {"result": "satisfied"})  # yesterday: not today's
    at("2026-11-22 08:00")
    agent.act(ids[1], "callback", {"result": "basically_satisfied"})
    agent.act(ids[2], "callback", {"result": "unsatisfied"})
    agent.act(ids[3], "callback", {"result": "unreachable"})

    stats = agent.ok("get", "/work-orders/stats?days=2")
    assert stats["today"] == {
        "registered": 0,
        "closed_on_spot": 0,
        "callbacks_done": 3,
        "satisfied": 1,
        "unsatisfied": 1,
    }
    assert [(d["day"], d["registered"], d["closed"]) for d in stats["days"]] == [
        ("2026-11-21", 4, 1),
        ("2026-11-22", 0, 1),
    ]
    assert stats["state_counts"]["dispatched"] == 1  # the unsatisfied one, reopened
    assert stats["state_counts"]["resolved"] == 1


def test_a_unit_handler_sees_only_their_units_numbers(
    world: World, agent: Api, unit_worker: Api, unit_worker_b: Api, outsider: Api
) -> None:
    at("2026-11-22 10:00")
    for _ in range(3):
        agent.register(customer_id=world.customer_id)  # station A
    agent.register(customer_id=world.customer_b_id)  # station B
    agent.register(type="complaint", category="CP-ATTITUDE", description="态度差")  # no unit yet

    a = unit_worker.ok("get", "/work-orders/stats")
    b = unit_worker_b.ok("get", "/work-orders/stats")
    center = outsider.ok("get", "/work-orders/stats")
    assert (a["today"]["registered"], a["open_total"], a["days"][-1]["by_type"]["repair"]) == (3, 3, 3)
    assert (b["today"]["registered"], b["open_total"], b["days"][-1]["by_type"]["repair"]) == (1, 1, 1)
    assert (center["today"]["registered"], center["open_total"]) == (5, 5)
    assert a["state_counts"]["registered"] == 0 and center["state_counts"]["registered"] == 1
    # the same numbers as the list each of them sees
    listed = unit_worker.ok("get", "/work-orders?state=open")["total"]
    assert listed == a["open_total"]


@pytest.mark.parametrize("days", ["0", "91", "-1", "x"])
def test_the_window_is_one_to_ninety_days(agent: Api, days: str) -> None:
    assert agent.get(f"/work-orders/stats?days={days}").status_code == 422


def test_the_window_edges_are_accepted(agent: Api) -> None:
    assert len(agent.ok("get", "/work-orders/stats?days=1")["days"]) == 1
    assert len(agent.ok("get", "/work-orders/stats?days=90")["days"]) == 90


def test_signing_in_is_needed(client: object) -> None:
    from fastapi.testclient import TestClient

    assert isinstance(client, TestClient)
    assert client.get("/api/v1/work-orders/stats").status_code == 401


def test_the_overview_costs_the_same_few_queries_for_7_days_as_for_90(
    app: FastAPI, world: World, agent: Api, unit_worker: Api
) -> None:
    for _ in range(3):
        agent.register(customer_id=world.customer_id)
    with counted(app) as week:
        agent.ok("get", "/work-orders/stats?days=7")
    with counted(app) as quarter:
        agent.ok("get", "/work-orders/stats?days=90")
    with counted(app) as unit:
        unit_worker.ok("get", "/work-orders/stats?days=90")
    assert len(week) == len(quarter), quarter
    # the token's user, then three grouped queries (a unit handler also looks up their unit's subtree)
    assert len(quarter) <= 6 and len(unit) <= len(quarter) + 1, unit
