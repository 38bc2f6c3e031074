"""The worker writes its in-app pushes' JSON from a part shared by all recipients of a message: it must be
exactly what ``publish`` would have sent for each of them."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from huiyin.notify.service import Message, Recipient, _notification_values, _push, _push_json, _shared_json


@pytest.mark.parametrize(
    "msg",
    [
        Message(kind="warning", title="即将超时 GD2611230000001", body='接单时限将于 11-23 10:00 到期 "q" \\ b'),
        Message(
            kind="escalation",
            title="超时督办（4 级）GD2611230000002",
            body="办结已超时 240 分钟，升级至第 4 级（客户服务中心领导），督办",
            order_id=42,
            level=4,
            requires_ack=True,
            data={"order_number": "GD2611230000002", "stage": "resolve", "level": 4, "late_minutes": 240, "x": None},
        ),
    ],
)
def test_the_spliced_push_is_exactly_what_publish_sends(msg: Message) -> None:
    at = datetime(2026, 11, 23, 2, 0, 0, 123456, tzinfo=UTC)
    users = [Recipient(7, 3, "13800000000", None), Recipient(123456, None, None, "d@x.example")]
    shared = None
    for n, u in enumerate(users, start=900):
        values = _notification_values(u, msg, "esc:1:4", at)
        shared = shared or _shared_json(values)  # computed once per message, from its first recipient
        expected = json.dumps({"user_id": u.id, "message": _push(n, values)}, ensure_ascii=False, default=str)
        assert _push_json(u.id, n, shared) == expected
        assert json.loads(expected)["message"]["notification"]["id"] == n
