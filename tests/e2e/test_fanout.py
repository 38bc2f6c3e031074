"""Across server processes: a notification written by one ``huiyin serve`` (and delivered by its embedded
worker) reaches a WebSocket held by another, through PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.sync.client import connect

from huiyin.auth.service import do_create_user, do_issue_token
from huiyin.settings import Settings
from huiyin.wiring import open_database
from tests.e2e.test_serve import BIN, free_port
from tests.logcheck import check_file
from tests.personas import _build_world

pytestmark = pytest.mark.pg


def start(url: str, *, worker: bool, log: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "HUIYIN_DATABASE_URL": url, "HUIYIN_WORKER__EMBEDDED": "true" if worker else "false"}
    with log.open("w") as out:  # the child keeps its own descriptor
        proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    base = f"127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://{base}/api/v1/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("server did not start")


@pytest.fixture
def two_servers(pg_url: str, tmp_path: Path) -> Iterator[tuple[str, str]]:
    from tests.conftest import _truncate_pg

    _truncate_pg(pg_url)
    from huiyin.seed import ensure_reference_data

    db = open_database(Settings(database_url=pg_url))
    with db.session() as s:
        ensure_reference_data(s)
    db.dispose()
    a, a_base = start(pg_url, worker=False, log=tmp_path / "a.log")
    b, b_base = start(pg_url, worker=True, log=tmp_path / "b.log")
    yield a_base, b_base
    for proc in (a, b):
        proc.terminate()
        proc.wait(timeout=10)
    for name in ("a.log", "b.log"):  # the sockets' ?token= and the bearer headers: in no line either wrote
        check_file(tmp_path / name)


def receive(ws: Any, timeout: float) -> dict[str, Any]:
    return json.loads(ws.recv(timeout=timeout))  # type: ignore[no-any-return]


def test_a_dispatch_written_on_one_server_pops_up_on_a_socket_held_by_another(
    pg_url: str, two_servers: tuple[str, str]
) -> None:
    a_base, b_base = two_servers
    db = open_database(Settings(database_url=pg_url))
    world = _build_world(db, None)  # type: ignore[arg-type]
    with db.session() as s:
        handler = do_create_user(s, "handler", "pw", ["unit_handler"], unit=world.station_a, cheap_hash=True)
        agent = do_create_user(s, "agent", "pw", ["agent"], cheap_hash=True)
        handler_token = do_issue_token(s, handler, "api", hours=None, name="t").secret
        agent_token = do_issue_token(s, agent, "api", hours=None, name="t").secret
    db.dispose()

    auth = {"Authorization": f"Bearer {handler_token}"}
    with connect(f"ws://{a_base}/api/v1/ws", additional_headers=auth) as ws:  # held by server A
        assert receive(ws, 5) == {"type": "hello", "unacked": 0}
        time.sleep(0.5)  # A's LISTEN connection is up well before this (it starts with the server)
        order = {
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "燃气灶打不着火",
            "channel": "phone",
            "contact_phone": "13800138000",
            "customer_id": world.customer_id,
        }
        sent_at = time.monotonic()
        with httpx.Client(base_url=f"http://{b_base}/api/v1", headers={"Authorization": f"Bearer {agent_token}"}) as b:
            created = b.post("/work-orders", json=order)  # on server B, whose worker delivers
        assert created.status_code == 201 and created.json()["state"] == "dispatched"
        pushed = receive(ws, 5)
        took = time.monotonic() - sent_at
        assert pushed["type"] == "notification"
        assert pushed["notification"]["order_id"] == created.json()["id"]
        assert took < 2.0, f"the popup took {took:.2f} s"
        h = {"Authorization": f"Bearer {handler_token}"}
        acked = httpx.post(f"http://{b_base}/api/v1/notifications/{pushed['notification']['id']}/ack", headers=h)
        assert acked.status_code == 200
        assert receive(ws, 5) == {"type": "acked", "id": pushed["notification"]["id"]}
