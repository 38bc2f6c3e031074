"""The wallboard (大屏, issue 16): calls waiting and the longest wait, agents by state, today's service level
and rates, open emergencies, as of now; over HTTP, and pushed over the socket to those who watch it."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from huiyin.settings import Settings
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    settings.kpis.wallboard_seconds = 0.2  # pushed five times a second: the test need not wait
    return settings


def a_morning(pbx: Pbx, agent: Api, world: World) -> None:  # noqa: F811
    """张敏 ready; 刘洋 answers two calls (8 s and 40 s in the queue); one caller gives up after 30 s; two
    wait, 25 s so far, one in ``repair``; then 刘洋 picks up a new call at once (0 s) and is on it; a gas leak
    is reported (an open emergency)."""
    agent.ok("put", "/agents/me/state", {"state": "signed_in"})
    agent.ok("put", "/agents/me/state", {"state": "ready"})
    pbx.answered_call(CALLER, "agent2", ring=8, talk=60)
    pbx.answered_call(CALLER, "agent2", ring=40, talk=60)
    pbx.abandoned_call(CALLER, ["agent"], after=30)
    agent.register(type="emergency", category="EM-GAS-LEAK", description="厨房有煤气味", customer_id=world.customer_id)
    pbx.inbound(CALLER, ["agent"])
    pbx.inbound(CALLER, ["agent"], queue="repair")
    pbx.wait(25)
    pbx.answer(pbx.inbound(CALLER, ["agent2"]), CALLER, "agent2")


def test_the_wallboard_shows_the_floor_as_of_now(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    manager: Api,
    world: World,
) -> None:
    a_morning(pbx, agent, world)
    board: dict[str, Any] = manager.ok("get", "/kpis/wallboard")
    assert board["variant"] == "F3" and board["threshold"] == 20
    assert board["waiting"] == 2 and board["longest_wait"] == 25
    assert {q["queue"]: (q["waiting"], q["longest_wait"]) for q in board["queues"] if q["waiting"]} == {
        "": (1, 25),
        "repair": (1, 25),
    }
    assert (board["agents"]["ready"], board["agents"]["on_call"]) == (1, 1)
    today = board["today"]
    # answered after 8, 40 and 0 s; abandoned after 30 s; offered: those and the two still waiting
    assert (today["offered"], today["answered"], today["abandoned"]) == (6, 3, 1)
    assert today["service_level"] == 0.5  # F3: answered within 20 s (2) ÷ (answered + abandoned) (4)
    assert today["answer_rate"] == 0.5 and today["abandon_rate"] == 0.25
    assert today["asa"] == 16.0
    assert board["open_emergencies"] == 1


def test_the_wallboard_is_pushed_to_a_watching_socket_and_refused_to_an_agent(
    client: TestClient,
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
) -> None:
    pbx.answered_call(CALLER, "agent", ring=8, talk=30)
    token = manager.headers["Authorization"].split()[1]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_text("watch:wallboard")
        assert ws.receive_json() == {"type": "watching", "topic": "wallboard", "ok": True}
        pushed = ws.receive_json()
        assert pushed["type"] == "wallboard"
        assert pushed["wallboard"]["today"]["answered"] == 1
        assert pushed["wallboard"] == manager.ok("get", "/kpis/wallboard")
        ws.send_text("unwatch:wallboard")
        while (m := ws.receive_json())["type"] == "wallboard":  # one may have been on its way
            pass
        assert m == {"type": "unwatched", "topic": "wallboard", "ok": True}
    token = agent.headers["Authorization"].split()[1]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        ws.send_text("watch:wallboard")
        assert ws.receive_json() == {"type": "watching", "topic": "wallboard", "ok": False}
        ws.send_text("watch:nonsense")
        assert ws.receive_json() == {"type": "watching", "topic": "nonsense", "ok": False}
        ws.send_text("ping")
        assert ws.receive_text() == "pong"  # nothing pushed in between
    assert agent.get("/kpis/wallboard").status_code == 403


def test_an_empty_day_shows_zeros_and_dashes(manager: Api) -> None:
    board = manager.ok("get", "/kpis/wallboard")
    assert (board["waiting"], board["longest_wait"], board["open_emergencies"]) == (0, 0, 0)
    assert board["today"]["service_level"] is None and board["today"]["asa"] is None
