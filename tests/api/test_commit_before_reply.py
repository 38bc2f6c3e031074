"""A reply is sent only after its change has committed: when the commit itself fails, the client never sees
a success, and nothing of the change is kept (issue 14, defect 1).

The fault is real and comes from the database at COMMIT: a listener writes a row naming an order that does
not exist, and the references to orders are checked when the transaction commits (``DEFERRABLE INITIALLY
DEFERRED`` on both databases), so every statement succeeds and the commit fails. For the CTI endpoint,
whose events touch no order, the commit is made to fail by the session (a forced error)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event, func, insert, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.clock import now
from huiyin.db import Database
from huiyin.workorders.hooks import INFO_KEY, Moment, OrderChange, OrderHooks
from huiyin.workorders.models import WorkOrder, WorkOrderEvent
from tests.personas import Api, World

NO_SUCH_ORDER = 2_000_000_000


def hooks(app: FastAPI) -> OrderHooks:
    found: OrderHooks = app.state.db.session_info[INFO_KEY]
    return found


@pytest.fixture
def raw(app: FastAPI) -> Iterator[TestClient]:
    """A client that sees what the server sends, as a real one would (no exception re-raised into the test)."""
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def dangling_reference(change: OrderChange) -> None:
    """Writes an event naming an order that does not exist: accepted now, refused at COMMIT."""
    change.session.execute(
        insert(WorkOrderEvent).values(
            order_id=NO_SUCH_ORDER, action="urge", to_state="registered", at=now(), note="", data={}
        )
    )


def count(db: Database, model: Any) -> int:
    with db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_registration_whose_commit_fails_is_never_answered_201(
    app: FastAPI, raw: TestClient, agent: Api, world: World, db: Database
) -> None:
    before = count(db, WorkOrder)
    body = {
        "type": "repair",
        "category": "RP-GAS-NOGAS",
        "description": "燃气灶点不着火",
        "channel": "phone",
        "contact_phone": "13800138000",
        "customer_id": world.customer_id,
    }
    with hooks(app).subscribed("test-dangling", Moment.registered, dangling_reference):
        r = raw.post("/api/v1/work-orders", json=body, headers=agent.headers)
    assert r.status_code == 409, r.text
    assert r.json()["detail"] == "the change conflicts with what is stored; nothing was saved"
    assert count(db, WorkOrder) == before
    assert agent.register(customer_id=world.customer_id)["id"]  # and without the fault it goes through


def test_a_callback_whose_commit_fails_leaves_the_order_as_it_was(
    app: FastAPI, raw: TestClient, agent: Api, unit_worker: Api, world: World
) -> None:
    order = agent.register(customer_id=world.customer_id)
    unit_worker.act(order["id"], "accept")
    unit_worker.act(order["id"], "resolve", {"result": "已更换减压阀"})
    before = agent.ok("get", f"/work-orders/{order['id']}")
    with hooks(app).subscribed("test-dangling", Moment.closed, dangling_reference):
        r = raw.post(f"/api/v1/work-orders/{order['id']}/callback", json={"result": "satisfied"}, headers=agent.headers)
    assert r.status_code == 409, r.text
    after = agent.ok("get", f"/work-orders/{order['id']}")
    assert after["state"] == "resolved" and after["events"] == before["events"]
    assert after["callback_tasks"] == before["callback_tasks"]


def test_a_cti_event_whose_commit_fails_is_not_acknowledged(
    app: FastAPI, raw: TestClient, world: World, admin: Api, db: Database
) -> None:
    token = admin.ok("post", "/cti-integrations", {"name": "PBX"}, 201)["token"]
    before = count(db, Call)

    def refuse(session: Session) -> None:  # every commit while the event is posted: the event's
        raise OperationalError("COMMIT", {}, Exception("injected: the disk is full"))

    event.listen(db.writer, "before_commit", refuse)
    try:
        r = raw.post(
            f"/api/v1/cti/{token}", json={"event": "newCall", "callId": "fault-1", "from": "13912345678", "to": "95598"}
        )
    finally:
        event.remove(db.writer, "before_commit", refuse)
    assert r.status_code == 503, r.text
    assert count(db, Call) == before
