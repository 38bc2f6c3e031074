"""The real thing: ``huiyin`` commands in subprocesses and ``huiyin serve`` over a real socket."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from websockets.sync.client import connect

from tests.logcheck import check_file

BIN = Path(sys.executable).parent / "huiyin"


def huiyin(url: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "HUIYIN_DATABASE_URL": url}
    return subprocess.run([str(BIN), *args], env=env, capture_output=True, text=True, check=check, timeout=120)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server_log(tmp_path: Path) -> Path:
    return tmp_path / "serve.log"


@pytest.fixture
def server(db_url: str, server_log: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, "HUIYIN_DATABASE_URL": db_url}
    with server_log.open("w") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=out, stderr=out)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError(server_log.read_text())
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    check_file(server_log)  # no credential in anything the server wrote


def test_an_integrator_scripts_the_loop_against_a_running_server(db_url: str, server: str) -> None:
    huiyin(db_url, "user", "create", "li", "--password", "pw-li", "--role", "agent", "--role", "dispatcher")
    with httpx.Client(base_url=f"{server}/api/v1", timeout=10) as http:
        token = http.post("/auth/token", json={"username": "li", "password": "pw-li"}).json()["access_token"]
        http.headers["Authorization"] = f"Bearer {token}"
        me = http.get("/me").json()
        assert me["roles"] == ["agent", "dispatcher"]
        body = {
            "type": "inquiry",
            "category": "IQ-OUTAGE",
            "description": "明天是否停气",
            "channel": "phone",
            "contact_phone": "13800138000",
        }
        created = http.post("/work-orders", json=body)
        assert created.status_code == 201
        order = created.json()
        assert order["unit_id"] is None and order["state"] == "registered"
        closed = http.post(f"/work-orders/{order['id']}/close", json={"result": "明天不停气"}).json()
        assert closed["state"] == "closed"
        listed = http.get("/work-orders", params={"state": "closed"}).json()
        assert listed["total"] == 1 and listed["items"][0]["contact_phone"] == "138****8000"
        spec = http.get("/openapi.json").json()
        assert "/api/v1/work-orders/{order_id}/callback" in spec["paths"]
        bad = http.post("/work-orders", content=b"{", headers={"content-type": "application/json"})
        assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"


def test_the_user_commands_create_users_and_set_passwords(db_url: str) -> None:
    out = huiyin(db_url, "user", "create", "wang", "--password", "a1", "--role", "agent").stdout
    assert "created user wang" in out
    refused = huiyin(
        db_url, "user", "create", "zhao", "--password", "a1", "--role", "unit_handler", "--unit", "NOPE", check=False
    )
    assert refused.returncode == 1 and "unit 'NOPE' does not exist" in refused.stderr
    assert huiyin(db_url, "user", "create", "wang", "--password", "a", "--role", "agent", check=False).returncode == 1
    assert "password set" in huiyin(db_url, "user", "set-password", "wang", "--password", "b2").stdout
    assert huiyin(db_url, "user", "set-password", "nobody", "--password", "x", check=False).returncode == 1


def test_a_socket_token_in_the_url_is_redacted_in_the_servers_log(
    db_url: str, server: str, server_log: Path
) -> None:
    """uvicorn writes every WebSocket handshake with its query string, access log or not: the serve
    command's log configuration redacts the token. The header keeps it out of the URL altogether."""
    huiyin(db_url, "user", "create", "li", "--password", "pw-li", "--role", "agent")
    got = httpx.post(f"{server}/api/v1/auth/token", json={"username": "li", "password": "pw-li"})
    token = got.json()["access_token"]
    ws_base = server.replace("http://", "ws://") + "/api/v1/ws"
    with connect(f"{ws_base}?token={token}") as ws:
        assert '"hello"' in str(ws.recv(timeout=5))
    with connect(ws_base, additional_headers={"Authorization": f"Bearer {token}"}) as ws:
        assert '"hello"' in str(ws.recv(timeout=5))
    deadline = time.monotonic() + 5
    while "token=[redacted]" not in server_log.read_text() and time.monotonic() < deadline:
        time.sleep(0.1)
    log = server_log.read_text()
    assert "ws?token=[redacted]" in log and token not in log


def test_the_servers_embedded_worker_keeps_the_kpi_rollups_and_huiyin_kpis_check_agrees(
    db_url: str, server_log: Path
) -> None:
    """``huiyin serve`` runs the worker inside itself: its KPI step (rollups, early warning, reports) too, not
    only deadlines and deliveries; then the CLI's check finds the kept rollups equal to the facts."""
    from sqlalchemy import create_engine, text

    from huiyin.db import normalize_url

    env = {**os.environ, "HUIYIN_DATABASE_URL": db_url, "HUIYIN_WORKER__EMBEDDED": "true"}
    with server_log.open("w") as out:
        proc = subprocess.Popen([str(BIN), "serve", "--port", str(free_port())], env=env, stdout=out, stderr=out)
    engine = create_engine(normalize_url(db_url))
    deadline = time.monotonic() + 30
    marks: set[str] = set()
    try:
        while time.monotonic() < deadline and not {"calls", "orders", "agent_states", "warnings"} <= marks:
            time.sleep(0.3)
            with engine.connect() as c:
                marks = set(c.execute(text("SELECT name FROM kpi_rollup_marks")).scalars())
    finally:
        engine.dispose()
        proc.terminate()
        proc.wait(timeout=10)
    assert {"calls", "orders", "agent_states", "warnings"} <= marks, (marks, server_log.read_text()[-2000:])
    checked = huiyin(db_url, "kpis", "check")
    assert "the rollups equal the calls" in checked.stdout
