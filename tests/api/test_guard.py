"""The door (``core.guard``): text with NUL characters is refused with a 422 before any handler runs, in the
URL, in a JSON body (raw or escaped) and in a form; nothing is written; files in multipart bodies may hold
NUL bytes; a body read at the door reaches the handler whole."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.db import Database
from huiyin.workorders.models import WorkOrder
from tests.personas import Api, World


def _orders(db: Database) -> int:
    with db.session() as s:
        return s.scalar(select(func.count()).select_from(WorkOrder)) or 0


@pytest.mark.parametrize("path", ["/customers?q=139%00", "/customers?q=%00", "/work-orders?q=a%00b"])
def test_a_nul_in_the_query_string_is_refused(agent: Api, path: str) -> None:
    r = agent.get(path)
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "text must not contain NUL characters"
    assert r.headers["content-type"].startswith("application/problem+json")


def test_a_nul_in_the_path_is_refused(agent: Api) -> None:
    r = agent.get("/work-orders/1%00")
    assert r.status_code == 422, r.text


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "repair", "category": "RP-GAS-NOGAS", "description": "x\\u0000y", "channel": "phone"}',
        b'{"type": "repair", "category": "RP-GAS-NOGAS", "description": "x\x00y", "channel": "phone"}',
    ],
)
def test_a_nul_in_a_json_body_is_refused_and_nothing_is_written(
    world: World, agent: Api, db: Database, body: bytes
) -> None:
    before = _orders(db)
    r = agent.client.post(
        "/api/v1/work-orders", content=body, headers={**agent.headers, "Content-Type": "application/json"}
    )
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == "text must not contain NUL characters"
    assert _orders(db) == before


def test_a_nul_in_a_form_is_refused(client: TestClient, world: World) -> None:
    r = client.post(
        "/api/v1/auth/token",
        content=b"username=agent&password=pa%00ss",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 422, r.text


def test_a_body_read_at_the_door_reaches_the_handler_whole(world: World, agent: Api) -> None:
    description = "燃气表后阀门漏气，" * 400  # several kilobytes: more than one chunk on a real socket
    order = agent.register(description=description, customer_id=world.customer_id)
    assert order["description"] == description
