"""The hub's delivery of NOTIFY payloads: every process gets every payload, so a payload for a user with no
socket here is dropped unread, and one for a user with a socket goes out as the message's own JSON."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from huiyin.notify.hub import Hub, _deliver


class FakeSocket:
    """Stands in for a Starlette WebSocket: records the texts sent."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    async def send_text(self, text: str) -> None:
        self.texts.append(text)


def deliver(hub: Hub, payload: str) -> None:
    asyncio.run(_deliver(hub, payload))


def hub_with(user_id: int) -> tuple[Hub, FakeSocket]:
    hub, ws = Hub(), FakeSocket()
    hub._sockets[user_id] = {ws}  # type: ignore[arg-type]
    return hub, ws


def payload(user_id: int, message: dict[str, Any]) -> str:
    return json.dumps({"user_id": user_id, "message": message}, ensure_ascii=False, default=str)


def test_a_message_for_a_user_connected_here_arrives_as_its_own_json() -> None:
    hub, ws = hub_with(7)
    message = {"type": "call", "event": "answer", "customer": {"name": "王秀英", "tags": ["elderly"]}, "n": [1, {}]}
    deliver(hub, payload(7, message))
    assert [json.loads(t) for t in ws.texts] == [message]


def test_a_message_for_a_user_with_no_socket_here_is_not_sent() -> None:
    hub, ws = hub_with(7)
    deliver(hub, payload(8, {"type": "call"}))
    deliver(hub, payload(70, {"type": "call"}))
    assert ws.texts == []


def test_a_payload_of_another_shape_is_parsed_whole() -> None:
    hub, ws = hub_with(7)
    deliver(hub, json.dumps({"message": {"type": "x"}, "user_id": 7}))
    assert [json.loads(t) for t in ws.texts] == [{"type": "x"}]


def test_a_malformed_payload_is_logged_and_dropped(caplog: pytest.LogCaptureFixture) -> None:
    hub, ws = hub_with(7)
    with caplog.at_level(logging.WARNING, logger="huiyin.hub"):
        deliver(hub, "not json")
        deliver(hub, '{"user_id": "seven"}')
    assert ws.texts == []
    assert len([r for r in caplog.records if "malformed" in r.getMessage()]) == 2
