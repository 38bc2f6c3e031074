"""The rating SMS for real: ``huiyin serve`` (its worker on) and ``huiyin fake-gateway`` as processes on real
sockets. A closed order's SMS leaves through the outbox to the gateway; the customer's reply comes back
from the gateway to ``/api/v1/sms/inbound`` in its wire format, and rates the order."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from huiyin.auth.service import do_create_user, do_issue_token
from huiyin.settings import Settings
from huiyin.wiring import open_database
from tests.e2e.test_click_to_call import stop, until, wait_up
from tests.e2e.test_serve import BIN, free_port, huiyin
from tests.logcheck import check_file

INBOUND = "e2e-inbound-token-0123456789"
GATEWAY = "e2e-gateway-token-0123456789"
MOBILE = "13912345678"


@pytest.fixture
def site(tmp_path: Path) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path / 'huiyin.db'}"
    huiyin(url, "db", "upgrade")
    db = open_database(Settings(database_url=url))
    with db.session() as s:
        from huiyin.seed import ensure_reference_data

        ensure_reference_data(s)
        agent = do_create_user(s, "agent", "pw", ["agent"], cheap_hash=True)
        manager = do_create_user(s, "boss", "pw", ["duty_manager"], cheap_hash=True)
        tokens = {u.username: do_issue_token(s, u, "api", hours=None, name="t").secret for u in (agent, manager)}
    db.dispose()
    port, gw_port = free_port(), free_port()
    env = {
        **os.environ,
        "HUIYIN_DATABASE_URL": url,
        "HUIYIN_WORKER__EMBEDDED": "true",
        "HUIYIN_WORKER__POLL_SECONDS": "0.2",
        "HUIYIN_NOTIFY__SMS_URL": f"http://127.0.0.1:{gw_port}/sms",
        "HUIYIN_NOTIFY__GATEWAY_TOKEN": GATEWAY,
        "HUIYIN_SURVEYS__INBOUND_TOKEN": INBOUND,
    }
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen([str(BIN), "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
    inbound = f"http://127.0.0.1:{port}/api/v1/sms/inbound"
    gateway = subprocess.Popen(
        [str(BIN), "fake-gateway", "--port", str(gw_port), "--token", GATEWAY, "--inbound-url", inbound,
         "--inbound-token", INBOUND],
        env=env,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_up(f"http://127.0.0.1:{port}/api/v1/health", serve)
        wait_up(f"http://127.0.0.1:{gw_port}/messages", gateway)
        yield {"base": f"http://127.0.0.1:{port}/api/v1", "gateway": f"http://127.0.0.1:{gw_port}", "tokens": tokens}
    finally:
        stop(serve, gateway)
        log.close()
    check_file(tmp_path / "serve.log")


def test_the_sms_goes_out_through_the_gateway_and_the_reply_comes_back_and_rates(site: dict[str, Any]) -> None:
    agent = httpx.Client(base_url=site["base"], headers={"Authorization": f"Bearer {site['tokens']['agent']}"})
    boss = httpx.Client(base_url=site["base"], headers={"Authorization": f"Bearer {site['tokens']['boss']}"})
    gateway = httpx.Client(base_url=site["gateway"])
    body = {
        "type": "inquiry", "category": "IQ-BILL", "description": "查询气费", "channel": "phone",
        "contact_phone": MOBILE, "close_on_spot": True, "result": "已告知",
    }
    order = agent.post("/work-orders", json=body)
    assert order.status_code == 201, order.text

    def sent() -> Any:
        return [m for m in gateway.get("/messages").json()["messages"] if m["to"] == MOBILE]

    [sms] = until(sent, timeout=15) or [None]
    assert sms is not None, "the worker did not send the rating SMS"
    assert "回复1满意" in sms["text"] and "/r/" in sms["text"] and sms["kind"] == "rating"

    reply = gateway.post("/_reply", json={"from": MOBILE, "text": "2", "id": "up-e2e-1"}).json()
    assert reply["status"] == 200 and reply["answer"]["outcome"] == "rated", reply
    again = gateway.post("/_reply", json={"from": MOBILE, "text": "2", "id": "up-e2e-1"}).json()  # a retry
    assert again["answer"]["duplicate"] is True
    ratings = agent.get("/ratings", params={"order_id": order.json()["id"]}).json()["items"]
    assert [(r["channel"], r["result"]) for r in ratings] == [("sms", "basically_satisfied")]
    figures = boss.get("/satisfaction", params={"group_by": "channel", "count_basic": "true"}).json()
    assert figures["total"]["surveyed"] == 1 and figures["total"]["rate"] == 1.0
