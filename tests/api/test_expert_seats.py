"""Expert seats (专家座席, issue 18): a field worker asks the centre's experts for help from the field; the
request is a support order with its own short time limits, dispatched to the experts' unit by a rule, answered
(and closed with the answer: no callback), measured like any order; the asker sees it, other units do not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from huiyin.clock import clock
from huiyin.org.service import do_create_unit
from huiyin.workorders.models import Category, DispatchRule
from tests.personas import Api, World

T0 = datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


@pytest.fixture
def expert(world: World) -> Api:
    with world.db.session() as s:
        unit = do_create_unit(s, "EXPERT", "专家座席组", "center", world.company.id)
        root = s.scalar(select(Category.id).where(Category.code == "SP-FIELD"))
        s.add(DispatchRule(category_id=root, unit_id=unit.id, note="现场求助派往专家座席"))
        s.flush()
        unit_ref = unit
    return world.persona("expert1", "unit_handler", unit=unit_ref)


def ask(api: Api, status: int = 201, **fields: object) -> Any:
    body = {
        "type": "support",
        "category": "SP-FIELD-TECH",
        "description": "客户家壁挂炉点火后熄火，燃气表读数正常，调压器出口压力1.9kPa，是否需要更换调压器？",
        "channel": "phone",
        "contact_phone": "13900001234",
        **fields,
    }
    return api.ok("post", "/work-orders", body, status)


def test_a_field_worker_asks_the_experts_who_answer_within_the_time_limit(
    unit_worker: Api, expert: Api, unit_worker_b: Api, world: World
) -> None:
    clock.set(T0)
    asked = ask(unit_worker)
    assert asked["state"] == "dispatched" and asked["unit_name"] == "专家座席组" and asked["type"] == "support"
    limits = {d["stage"]: d["due_at"] for d in asked["deadlines"]}
    assert limits["accept"].startswith("2026-12-07T02:05") and limits["resolve"].startswith("2026-12-07T02:30")
    # the asker sees their request although it lies with another unit; another unit's handler does not
    assert unit_worker.ok("get", f"/work-orders/{asked['id']}")["id"] == asked["id"]
    mine = unit_worker.ok("get", f"/work-orders?owner_agent_id={unit_worker.id}")["items"]
    assert [o["id"] for o in mine] == [asked["id"]]
    assert unit_worker_b.get(f"/work-orders/{asked['id']}").status_code == 404
    inbox = expert.ok("get", "/work-orders?state=dispatched")["items"]
    assert [o["id"] for o in inbox] == [asked["id"]]
    clock.set(T0 + timedelta(minutes=3))
    expert.act(asked["id"], "accept")
    clock.set(T0 + timedelta(minutes=12))
    done = expert.act(asked["id"], "resolve", {"result": "出口压力偏低，更换调压器后复测2.0kPa以上即可恢复。"})
    assert done["state"] == "closed" and done["callback_tasks"] == []
    assert [e["action"] for e in done["events"]][-2:] == ["resolve", "close"]
    met = {d["stage"]: (d["met_at"] is not None, d["breached"]) for d in done["deadlines"]}
    assert met["accept"] == (True, False) and met["resolve"] == (True, False)
    answer = unit_worker.ok("get", f"/work-orders/{asked['id']}")
    assert answer["result"].startswith("出口压力偏低")


def test_a_unit_handler_may_register_only_requests_for_the_experts(unit_worker: Api, expert: Api) -> None:
    r = unit_worker.post(
        "/work-orders",
        {
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "没气",
            "channel": "phone",
            "contact_phone": "13900001234",
        },
    )
    assert r.status_code == 403 and "support" in r.json()["detail"]
