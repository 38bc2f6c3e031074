"""Click-to-call for real: ``huiyin serve`` and ``huiyin fake-pbx`` as processes on real sockets, the CTI
integration made with ``huiyin cti create``. The agent's dial goes to the PBX's HTTP endpoint; the PBX
places the call and reports it back to the CTI endpoint, as a PBX does."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from huiyin.auth.service import do_create_user, do_issue_token
from huiyin.settings import Settings
from huiyin.wiring import open_database
from tests.e2e.test_serve import BIN, free_port, huiyin
from tests.logcheck import check_file
from tests.personas import _build_world

CUSTOMER_PHONE = "13912345678"  # 王建国 in the test world


def wait_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            if proc.poll() is not None:
                break
            time.sleep(0.1)
    proc.kill()
    raise AssertionError(f"{url} did not come up")


def stop(*procs: subprocess.Popen[bytes]) -> None:
    """Stops every process, even when one hangs (terminate all, then wait, killing what does not end)."""
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def until(check: Any, timeout: float = 10) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        got = check()
        if got or time.monotonic() > deadline:
            return got
        time.sleep(0.1)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'huiyin.db'}"
    huiyin(url, "db", "upgrade")
    created = huiyin(url, "cti", "create", "主中心 PBX").stdout
    token = next(line.split(": ", 1)[1] for line in created.splitlines() if line.startswith("token: "))
    db = open_database(Settings(database_url=url))
    world = _build_world(db, None)  # type: ignore[arg-type]
    with db.session() as s:
        agent = do_create_user(s, "agent", "pw", ["agent"], cheap_hash=True, phone="13800000001")
        admin = do_create_user(s, "admin", "pw", ["admin"], cheap_hash=True)
        tokens = {u.username: do_issue_token(s, u, "api", hours=None, name="t").secret for u in (agent, admin)}
    db.dispose()
    port, pbx_port = free_port(), free_port()
    env = {**os.environ, "HUIYIN_DATABASE_URL": url, "HUIYIN_WORKER__EMBEDDED": "false"}
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    cti_url = f"http://127.0.0.1:{port}/api/v1/cti/{token}"
    pbx = subprocess.Popen(
        [str(BIN), "fake-pbx", "--port", str(pbx_port), "--cti-url", cti_url, "--secret", "pbx-secret"],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/health", serve)
        wait_up(f"http://127.0.0.1:{pbx_port}/dials", pbx)
        yield {
            "url": url,
            "base": f"http://127.0.0.1:{port}/api/v1",
            "pbx": f"http://127.0.0.1:{pbx_port}",
            "token": token,
            "tokens": tokens,
            "customer_id": world.customer_id,
        }
    finally:
        stop(serve, pbx)
        log.close()
    check_file(tmp_path / "serve.log")  # the CTI token is in the URL the PBX posts to: never in a log


def test_an_agent_dials_through_the_pbx_and_the_call_comes_back_as_events(site: dict[str, Any]) -> None:
    agent = httpx.Client(base_url=site["base"], headers={"Authorization": f"Bearer {site['tokens']['agent']}"})
    admin = httpx.Client(base_url=site["base"], headers={"Authorization": f"Bearer {site['tokens']['admin']}"})
    pbx = httpx.Client(base_url=site["pbx"])
    assert agent.post("/calls/dial", json={"number": CUSTOMER_PHONE}).status_code == 409  # no dial URL yet
    integration = admin.get("/cti-integrations").json()[0]
    r = admin.patch(
        f"/cti-integrations/{integration['id']}",
        json={
            "dial_url": f"{site['pbx']}/dial",
            "dial_secret": "pbx-secret",
            "caller_id_rules": [{"prefix": "139*", "caller_id": "02363000139"}],
        },
    )
    assert r.status_code == 200, r.text
    pbx.post("/_control", json={"ring_ms": 200, "talk_ms": 400})

    # the number as the API shows it (masked), with the customer it is of: resolved by the server, never shown
    dialled = agent.post("/calls/dial", json={"number": "139****5678", "customer_id": site["customer_id"]})
    assert dialled.status_code == 200, dialled.text
    call = dialled.json()["call"]
    assert (call["direction"], call["agent"], call["customer_id"]) == ("out", "agent", site["customer_id"])

    def ended() -> Any:
        got = agent.get(f"/calls/{call['id']}").json()
        return got if got["state"] == "ended" else None

    done = until(ended)
    assert done, "the PBX never reported the hangup"
    assert done["answered_at"] and done["talk_seconds"] is not None and not done["abandoned"]
    assert agent.get("/calls", params={"direction": "out"}).json()["total"] == 1  # one call, not two
    assert agent.get("/agents/me/state").json()["state"] == "acw"
    sent = pbx.get("/dials").json()
    assert sent["dials"][0]["callId"] == call["call_id"] and sent["dials"][0]["callerId"] == "02363000139"
    assert sent["dials"][0]["user"] == "agent" and sent["dials"][0]["agentNumber"] == "13800000001"
    replies = [p["reply"] for p in sent["posted"] if p["event"]["event"] == "newCall"]
    assert replies == [{"action": "dial", "caller_id": "02363000139", "number": CUSTOMER_PHONE}]
    assert all(p["status"] == 200 for p in sent["posted"])

    pbx.post("/_control", json={"fail_next": 1, "fail_status": 503})
    refused = agent.post("/calls/dial", json={"number": CUSTOMER_PHONE})
    assert refused.status_code == 502 and "503" in refused.json()["detail"]
    assert agent.get("/calls").json()["total"] == 1  # nothing stored for a refused dial

    assert "revoked" not in huiyin(site["url"], "cti", "list").stdout
    huiyin(site["url"], "cti", "revoke", "主中心 PBX")
    assert "revoked" in huiyin(site["url"], "cti", "list").stdout
    event = {"event": "newCall", "callId": "after-revoke", "from": CUSTOMER_PHONE, "to": "95598", "direction": "in"}
    assert httpx.post(f"{site['base']}/cti/{site['token']}", json=event).status_code == 401
    assert huiyin(site["url"], "cti", "revoke", "no such", check=False).returncode == 1
