"""Notifications: mine, acknowledged; the outbox delivering in-app, SMS, voice and email at least once,
with retries and backoff; an unacknowledged dispatch going out again by SMS, then by voice; the WebSocket."""

from __future__ import annotations

import contextlib
import email
import email.policy
import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from fastapi.testclient import TestClient
from sqlalchemy import select

from huiyin.clock import clock
from huiyin.notify.channels import Gateway
from huiyin.notify.fake_gateway import create_fake_gateway
from huiyin.notify.models import OutboxMessage
from huiyin.settings import NotifySettings, Settings
from huiyin.worker import QuietLog, Worker
from tests.personas import Api, World

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)


@pytest.fixture
def gateway() -> Iterator[TestClient]:
    with TestClient(create_fake_gateway(token="gw-secret")) as c:
        yield c


class Inbox:
    """An SMTP server (aiosmtpd) on a free port that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Controller, Inbox]]:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield controller, inbox
    controller.stop()


@pytest.fixture
def notify_settings(smtp: tuple[Controller, Inbox]) -> NotifySettings:
    controller, _ = smtp
    return NotifySettings(
        sms_url="http://testserver/sms",
        voice_url="http://testserver/voice",
        gateway_token="gw-secret",  # type: ignore[arg-type]
        smtp_host="127.0.0.1",
        smtp_port=controller.port,
        dispatch_sms_after_minutes=5,
        dispatch_voice_after_minutes=10,
        backoff_seconds=10,
    )


@pytest.fixture
def worker(world: World, settings: Settings, notify_settings: NotifySettings, gateway: TestClient) -> Worker:
    s = settings.model_copy(update={"notify": notify_settings})
    return Worker(world.db, s, gateway=Gateway(notify_settings, client=gateway))


def phone_worker(world: World) -> Api:
    """A unit handler at station A with a mobile for SMS and calls."""
    from huiyin.auth.models import User

    api = world.persona("handler_phone", "unit_handler", unit=world.station_a)
    with world.db.session() as s:
        s.get_one(User, api.id).phone = "13700001111"
    return api


def sent(gateway: TestClient) -> list[dict[str, Any]]:
    return gateway.get("/messages").json()["messages"]  # type: ignore[no-any-return]


def outbox(world: World) -> list[OutboxMessage]:
    with world.db.session(write=False) as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def test_a_dispatch_pops_up_for_each_handler_of_the_unit_and_waits_for_an_acknowledgement(
    world: World, agent: Api, unit_worker: Api, unit_worker_b: Api
) -> None:
    clock.set(T0)
    order = agent.register(customer_id=world.customer_id)  # dispatched to station A by the rule
    mine = unit_worker.ok("get", "/notifications")
    assert mine["unacked"] == 1 and mine["unread"] == 1
    n = mine["items"][0]
    assert n["kind"] == "dispatch" and n["requires_ack"] and n["order_id"] == order["id"]
    assert order["number"] in n["title"] and n["data"]["order_number"] == order["number"]
    assert unit_worker_b.ok("get", "/notifications")["items"] == []  # another unit hears nothing
    clock.set(at(1))
    acked = unit_worker.ok("post", f"/notifications/{n['id']}/ack")
    assert acked["acked_at"] is not None and acked["read_at"] is not None
    again = unit_worker.ok("post", f"/notifications/{n['id']}/ack")
    assert again["acked_at"] == acked["acked_at"]  # a repeated acknowledgement changes nothing
    assert unit_worker.ok("get", "/notifications?unacked=true")["items"] == []
    r = unit_worker_b.post(f"/notifications/{n['id']}/ack")
    assert r.status_code == 404  # someone else's: as if it did not exist
    assert unit_worker.post("/notifications/999999/ack").status_code == 404
    assert unit_worker.post("/notifications/abc/ack").status_code == 422


def test_marking_read_takes_my_ids_or_all_of_mine(world: World, agent: Api, unit_worker: Api) -> None:
    for _ in range(3):
        agent.register(customer_id=world.customer_id)
    ids = [n["id"] for n in unit_worker.ok("get", "/notifications")["items"]]
    assert unit_worker.ok("post", "/notifications/read", {"ids": ids[:1]}) == {"changed": 1}
    assert unit_worker.ok("get", "/notifications?unread=true")["unread"] == 2
    assert unit_worker.ok("post", "/notifications/read", {}) == {"changed": 2}
    assert unit_worker.ok("get", "/notifications")["unread"] == 0
    assert unit_worker.post("/notifications/read", json={"ids": "all"}).status_code == 422
    paged = unit_worker.ok("get", f"/notifications?limit=1&before={ids[0]}")["items"]
    assert [n["id"] for n in paged] == [ids[1]]


def test_an_unacknowledged_dispatch_goes_out_by_sms_then_by_voice_call(
    world: World, agent: Api, worker: Worker, gateway: TestClient
) -> None:
    handler = phone_worker(world)
    clock.set(T0)
    order = agent.register(customer_id=world.customer_id)
    worker.tick()
    assert sent(gateway) == []  # in-app at once; nothing by phone yet
    clock.set(at(4.9))
    worker.tick()
    assert sent(gateway) == []
    clock.set(at(5))
    worker.tick()
    sms = sent(gateway)
    assert [(m["channel"], m["to"]) for m in sms] == [("sms", "13700001111")]
    assert order["number"] in sms[0]["text"] and sms[0]["text"].startswith("【回音】")
    clock.set(at(10))
    worker.tick()
    assert [m["channel"] for m in sent(gateway)] == ["sms", "voice"]
    waiting = handler.ok("get", "/notifications?unacked=true")["items"]
    assert [n["kind"] for n in waiting if n["kind"] == "dispatch"] == ["dispatch"]  # still not acknowledged


def test_a_batch_of_sms_is_sent_several_at_once_and_each_exactly_once(
    world: World, agent: Api, worker: Worker, gateway: TestClient
) -> None:
    """A gateway answers slowly (here 50 ms a request): the worker sends up to ``send_concurrency``
    messages at once instead of one after the other, and every message still goes out once."""
    phone_worker(world)
    clock.set(T0)
    orders = [agent.register(customer_id=world.customer_id) for _ in range(6)]
    worker.tick()
    gateway.post("/_control", json={"delay_ms": 50})
    clock.set(at(5))
    result = worker.tick()
    seen = gateway.get("/messages").json()
    sms = [m for m in seen["messages"] if m["channel"] == "sms"]
    assert result.delivered == 6 and len(sms) == 6 and len({m["key"] for m in sms}) == 6
    assert all(sum(o["number"] in m["text"] for m in sms) == 1 for o in orders)  # one SMS per order
    assert seen["max_in_flight"] > 1 and seen["duplicates"] == 0
    assert {r.status for r in outbox(world) if r.channel == "sms"} == {"delivered"}


def test_an_acknowledged_dispatch_sends_no_sms_and_no_call(
    world: World, agent: Api, worker: Worker, gateway: TestClient, unit_worker: Api
) -> None:
    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    clock.set(at(2))
    n = unit_worker.ok("get", "/notifications")["items"][0]
    unit_worker.ok("post", f"/notifications/{n['id']}/ack")  # one handler of the unit saw it: enough
    clock.set(at(30))
    worker.tick()
    assert sent(gateway) == []
    skipped = [r for r in outbox(world) if r.channel in ("sms", "voice")]
    assert {r.status for r in skipped} == {"skipped"} and len(skipped) == 2


def test_an_accepted_order_needs_no_more_reminders(
    world: World, agent: Api, worker: Worker, gateway: TestClient, unit_worker: Api
) -> None:
    phone_worker(world)
    clock.set(T0)
    order = agent.register(customer_id=world.customer_id)
    clock.set(at(1))
    unit_worker.act(order["id"], "accept")
    clock.set(at(30))
    worker.tick()
    assert sent(gateway) == []


def test_a_failing_gateway_is_retried_with_doubling_backoff_and_delivers_exactly_one_message(
    world: World, agent: Api, worker: Worker, gateway: TestClient
) -> None:
    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    gateway.post("/_control", json={"fail_next": 2, "fail_status": 503})
    clock.set(at(5))
    worker.tick()  # attempt 1 fails: due again in 10 s
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert (sms.status, sms.attempts, sms.due_at) == ("pending", 1, at(5) + timedelta(seconds=10))
    assert "503" in (sms.last_error or "")
    clock.set(at(5) + timedelta(seconds=9))
    worker.tick()
    assert next(r for r in outbox(world) if r.channel == "sms").attempts == 1  # not yet due
    clock.set(at(5) + timedelta(seconds=10))
    worker.tick()  # attempt 2 fails: due again in 20 s
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert (sms.attempts, sms.due_at) == (2, at(5) + timedelta(seconds=30))
    clock.set(at(5) + timedelta(seconds=30))
    worker.tick()
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert (sms.status, sms.attempts, sms.last_error) == ("delivered", 3, None)
    assert len([m for m in sent(gateway) if m["channel"] == "sms"]) == 1
    assert gateway.get("/messages").json()["requests"] == 3


def test_a_gateway_that_refuses_a_message_for_good_is_not_asked_again(
    world: World, agent: Api, worker: Worker, gateway: TestClient
) -> None:
    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    gateway.post("/_control", json={"fail_next": 1, "fail_status": 400})
    clock.set(at(5))
    worker.tick()
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert sms.status == "failed" and "400" in (sms.last_error or "")
    clock.set(at(60))
    worker.tick()
    assert gateway.get("/messages").json()["requests"] == 2  # the voice call went; the SMS never again


def test_a_message_out_of_attempts_is_failed_and_kept(
    world: World, agent: Api, settings: Settings, notify_settings: NotifySettings, gateway: TestClient
) -> None:
    phone_worker(world)
    ns = notify_settings.model_copy(update={"max_attempts": 2})
    w = Worker(world.db, settings.model_copy(update={"notify": ns}), gateway=Gateway(ns, client=gateway))
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    gateway.post("/_control", json={"fail_next": 99})
    for seconds in (0, 10, 30, 70):
        clock.set(at(5) + timedelta(seconds=seconds))
        w.tick()
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert (sms.status, sms.attempts) == ("failed", 2)


def test_a_gateway_that_does_not_answer_leaves_the_message_to_be_retried(
    world: World, agent: Api, settings: Settings, notify_settings: NotifySettings
) -> None:
    phone_worker(world)
    ns = notify_settings.model_copy(update={"sms_url": "http://127.0.0.1:9/sms", "gateway_timeout_seconds": 0.5})
    w = Worker(world.db, settings.model_copy(update={"notify": ns}))
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    clock.set(at(5))
    w.tick()
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert sms.status == "pending" and sms.attempts == 1 and "unreachable" in (sms.last_error or "")


def test_the_directors_escalation_goes_out_by_email_over_smtp(
    world: World, agent: Api, admin: Api, worker: Worker, smtp: tuple[Controller, Inbox]
) -> None:
    director = world.persona("director", "director")
    admin.ok("patch", f"/users/{director.id}", {"email": "director@gas.example.cn"})
    clock.set(T0)
    admin.ok(
        "post",
        "/sla/policies",
        {
            "name": "接单20分",
            "priority": 1,
            "match": {"type": "repair", "category": "RP-GAS-NOGAS"},
            "limits": {"accept": 20},
        },
        status=201,
    )
    order = agent.register(customer_id=world.customer_id)
    clock.set(at(20 + 240))
    worker.tick()
    _, inbox = smtp
    assert len(inbox.messages) == 1, [(r.channel, r.address, r.status, r.last_error) for r in outbox(world)]
    mail = inbox.messages[0]
    assert mail.rcpt_tos == ["director@gas.example.cn"]
    parsed = email.message_from_bytes(mail.content, policy=email.policy.default)
    assert order["number"] in str(parsed["Subject"]) and "4 级" in str(parsed["Subject"])
    assert parsed["X-Huiyin-Key"].startswith("esc:")
    assert "升级至第 4 级" in parsed.get_content()
    emails = [r for r in outbox(world) if r.channel == "email"]
    assert [r.status for r in emails] == ["delivered"]


def test_the_websocket_pushes_my_notifications_and_my_acknowledgements(
    world: World, client: TestClient, agent: Api, unit_worker: Api, worker: Worker
) -> None:
    token = unit_worker.headers["Authorization"].split()[1]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        assert ws.receive_json() == {"type": "hello", "unacked": 0}
        ws.send_text("ping")
        assert ws.receive_text() == "pong"
        order = agent.register(customer_id=world.customer_id)
        worker.tick()  # the outbox delivers the in-app message
        pushed = ws.receive_json()
        assert pushed["type"] == "notification"
        n = pushed["notification"]
        assert n["kind"] == "dispatch" and n["order_id"] == order["id"] and n["requires_ack"]
        unit_worker.ok("post", f"/notifications/{n['id']}/ack")
        assert ws.receive_json() == {"type": "acked", "id": n["id"]}
    app_rows = [r for r in outbox(world) if r.channel == "app"]
    assert [r.status for r in app_rows] == ["delivered"]


def test_the_websocket_refuses_a_stranger(client: TestClient, world: World) -> None:
    from starlette.websockets import WebSocketDisconnect

    with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect("/api/v1/ws?token=nope") as ws:
        ws.receive_json()
    assert refused.value.code == 4401


def test_a_change_that_rolls_back_takes_its_notifications_with_it(world: World, agent: Api) -> None:
    """The outbox is written in the change's own transaction: no change, no notification."""
    from huiyin.notify.models import Notification
    from huiyin.org.models import Unit
    from huiyin.workorders import service as wo
    from huiyin.workorders.models import WorkOrder

    order = agent.register(type="complaint", category="CP-ATTITUDE", customer_id=world.customer_id)
    assert order["state"] == "registered"
    with pytest.raises(RuntimeError), world.db.session() as s:
        row = s.get_one(WorkOrder, order["id"])
        wo.do_dispatch(s, row, s.get_one(Unit, world.station_a.id), None)
        assert s.scalars(select(Notification).where(Notification.order_id == row.id)).all()  # written …
        raise RuntimeError("the request failed after the dispatch")
    with world.db.session(write=False) as s:  # … and gone with the rollback
        assert s.scalars(select(Notification).where(Notification.order_id == order["id"])).all() == []
    assert [r for r in outbox(world) if r.payload.get("order_id") == order["id"]] == []
    assert agent.ok("get", f"/work-orders/{order['id']}")["state"] == "registered"


def test_two_workers_in_threads_deliver_each_message_once(
    world: World, agent: Api, settings: Settings, notify_settings: NotifySettings, gateway: TestClient
) -> None:
    phone_worker(world)
    clock.set(T0)
    for _ in range(6):
        agent.register(customer_id=world.customer_id)
    clock.set(at(11))
    workers = [
        Worker(
            world.db,
            settings.model_copy(update={"notify": notify_settings}),
            gateway=Gateway(notify_settings, client=gateway),
        )
        for _ in range(2)
    ]
    threads = [threading.Thread(target=w.tick) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert {r.status for r in outbox(world)} == {"delivered"}
    keys = [m["key"] for m in sent(gateway)]
    assert len(keys) == len(set(keys)) == 12  # 6 SMS + 6 calls


def test_a_channel_not_configured_here_is_skipped_not_failed(
    world: World, agent: Api, settings: Settings, notify_settings: NotifySettings
) -> None:
    phone_worker(world)
    ns = notify_settings.model_copy(update={"sms_url": "", "voice_url": ""})
    w = Worker(world.db, settings.model_copy(update={"notify": ns}))
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    clock.set(at(30))
    w.tick()
    phone = [r for r in outbox(world) if r.channel in ("sms", "voice")]
    assert [(r.status, r.last_error) for r in phone] == [
        ("skipped", "sms is not configured"),
        ("skipped", "voice is not configured"),
    ]


def test_a_late_answer_to_an_expired_claim_changes_nothing(
    world: World, agent: Api, worker: Worker, gateway: TestClient
) -> None:
    """A worker whose lease ran out while it was sending must not overwrite what the next claim decided."""
    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    clock.set(at(5))
    first = [c for c in worker.claim_batch() if c.channel == "sms"]
    clock.set(at(5) + timedelta(seconds=61))  # the lease (60 s) runs out; another worker claims it again
    second = [c for c in worker.claim_batch() if c.channel == "sms"]
    assert [c.id for c in first] == [c.id for c in second] and second[0].attempts == first[0].attempts + 1
    worker.finish(worker.send(second))  # the second claim delivers
    from huiyin.notify.jobs import Outcome

    worker.finish([Outcome(first[0].id, False, "timed out", True, attempt=first[0].attempts)])  # late, failing
    sms = next(r for r in outbox(world) if r.channel == "sms")
    assert (sms.status, sms.attempts) == ("delivered", 2)


def test_channels_that_are_off_are_said_once_not_per_message(
    world: World, agent: Api, settings: Settings, notify_settings: NotifySettings, caplog: pytest.LogCaptureFixture
) -> None:
    phone_worker(world)
    ns = notify_settings.model_copy(update={"sms_url": "", "voice_url": ""})
    with caplog.at_level(logging.WARNING, logger="huiyin.worker"):
        w = Worker(world.db, settings.model_copy(update={"notify": ns}))
        clock.set(T0)
        for _ in range(5):
            agent.register(customer_id=world.customer_id)
        clock.set(at(30))
        w.tick()
    lines = [r.getMessage() for r in caplog.records if r.name == "huiyin.worker"]
    assert len(lines) == 1, lines
    assert "channels off (not configured): sms, voice" in lines[0]
    assert {r.status for r in outbox(world) if r.channel in ("sms", "voice")} == {"skipped"}


def test_a_failure_repeated_a_thousand_times_is_a_few_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    quiet = QuietLog(every_seconds=60)
    with caplog.at_level(logging.WARNING, logger="huiyin.worker"):
        logged = [quiet.failed("sms", "gateway said 502", i, at=i * 0.1) for i in range(1000)]  # 100 s
        quiet.failed("voice", "gateway said 502", 1000, at=100.0)  # another kind: its own line
    lines = [r.getMessage() for r in caplog.records]
    assert sum(logged) == 2 and len(lines) == 3, lines
    assert lines[0] == "delivery 0 (sms) failed: gateway said 502"
    assert lines[1] == "delivery 600 (sms) failed: gateway said 502 (599 more like it in the last 60 s)"
    assert lines[2].startswith("delivery 1000 (voice)")


def test_an_admin_reads_which_channels_are_off(admin: Api, agent: Api) -> None:
    assert admin.ok("get", "/notifications/channels") == {"sms": False, "voice": False, "email": False}
    assert agent.get("/notifications/channels").status_code == 403


def test_a_handlers_notification_follows_the_order_to_another_unit(
    world: World, agent: Api, dispatcher: Api, unit_worker: Api, unit_worker_b: Api
) -> None:
    order = agent.register(customer_id=world.customer_id)  # to station A: its handler is told
    mine = unit_worker.ok("get", "/notifications")
    about = [n for n in mine["items"] if n["order_id"] == order["id"]]
    assert about and mine["unacked"] >= 1
    dispatcher.act(order["id"], "reassign", {"unit_id": world.station_b.id, "reason": "属长寿所辖区"})
    after = unit_worker.ok("get", "/notifications")
    assert [n for n in after["items"] if n["order_id"] == order["id"]] == []  # not its text any more
    assert after["unacked"] == mine["unacked"] - sum(1 for n in about if n["requires_ack"] and not n["acked_at"])
    assert unit_worker.post(f"/notifications/{about[0]['id']}/ack").status_code == 404
    theirs = unit_worker_b.ok("get", "/notifications")["items"]
    assert any(n["order_id"] == order["id"] for n in theirs)


def _closed_within(ws: Any, seconds: float) -> int | None:
    """Pings until the server closes the socket (its close code) or ``seconds`` pass (None)."""
    import time

    from anyio import ClosedResourceError
    from starlette.websockets import WebSocketDisconnect

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        with contextlib.suppress(ClosedResourceError):  # closed already: its close message is waiting
            ws.send_text("ping")
        try:
            assert ws.receive_text() == "pong"
        except WebSocketDisconnect as gone:
            return gone.code
        time.sleep(0.2)
    return None


def test_a_socket_closes_within_seconds_when_its_token_is_revoked(
    client: TestClient, admin: Api, agent: Api, world: World
) -> None:
    token = agent.headers["Authorization"].split()[1]
    with client.websocket_connect(f"/api/v1/ws?token={token}") as ws:
        assert ws.receive_json()["type"] == "hello"
        assert _closed_within(ws, 1.5) is None  # a standing credential: the socket stays
        token_id = next(t["id"] for t in admin.ok("get", "/api-tokens") if t["user_id"] == agent.id)
        assert admin.delete(f"/api-tokens/{token_id}").status_code == 204
        assert _closed_within(ws, 4) == 4401


@pytest.mark.parametrize("change", ["sign_out", "deactivate", "roles", "unit"])
def test_a_socket_closes_when_its_user_signs_out_is_deactivated_or_changes_roles_or_unit(
    client: TestClient, admin: Api, world: World, change: str
) -> None:
    from huiyin.auth.service import do_create_user

    with world.db.session() as s:
        user = do_create_user(s, "shift_agent", "a-long-password-1", ["agent"], cheap_hash=True)
        user_id = user.id
    r = client.post("/api/v1/auth/login", json={"username": "shift_agent", "password": "a-long-password-1"})
    csrf = r.json()["csrf_token"]
    with client.websocket_connect("/api/v1/ws") as ws:  # the session cookie
        assert ws.receive_json()["type"] == "hello"
        if change == "sign_out":
            assert client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": csrf}).status_code == 204
        elif change == "deactivate":
            admin.ok("patch", f"/users/{user_id}", {"is_active": False})
        elif change == "roles":
            admin.ok("patch", f"/users/{user_id}", {"roles": ["agent", "qa_inspector"]})
        else:
            admin.ok("patch", f"/users/{user_id}", {"roles": ["unit_handler"], "unit_id": world.station_a.id})
        assert _closed_within(ws, 4) == 4401


def test_a_dispatch_reminder_does_not_follow_the_first_unit_after_a_reassign(
    world: World, agent: Api, dispatcher: Api, worker: Worker, gateway: TestClient
) -> None:
    """The order moved to station B before station A's handler was reminded: A's handler gets no SMS about
    an order that is no longer theirs (B's handlers are reminded of their own dispatch)."""
    phone_worker(world)  # station A's handler, with a mobile
    clock.set(T0)
    order = agent.register(customer_id=world.customer_id)
    worker.tick()
    clock.set(at(2))
    dispatcher.act(order["id"], "reassign", {"unit_id": world.station_b.id, "reason": "属长寿所辖区"})
    clock.set(at(6))  # past A's SMS reminder
    worker.tick()
    assert [m for m in sent(gateway) if m["to"] == "13700001111"] == []
    first = [r for r in outbox(world) if r.channel == "sms" and r.address == "13700001111"]
    assert first and {r.status for r in first} == {"skipped"}


def _broken(*_: object) -> int:
    raise RuntimeError("a bad row")


def test_a_failing_step_of_the_workers_round_does_not_hold_back_the_sms_behind_it(
    world: World, agent: Api, worker: Worker, gateway: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    worker.notices_batch = _broken  # type: ignore[method-assign]  # WeChat's template step fails every round
    worker.channels_batch = _broken  # type: ignore[method-assign]
    clock.set(at(5))
    with caplog.at_level(logging.ERROR, logger="huiyin.worker"):
        worker.tick()
    assert [m["channel"] for m in sent(gateway)] == ["sms"]  # the outbox's step ran all the same
    failed = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert failed == ["worker step channels failed", "worker step notices failed"]


def test_a_failing_step_of_the_embedded_workers_round_does_not_hold_back_the_sms_behind_it(
    world: World, agent: Api, worker: Worker, gateway: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from huiyin.db import Database
    from huiyin.worker import run_embedded

    phone_worker(world)
    clock.set(T0)
    agent.register(customer_id=world.customer_id)
    clock.set(at(5))
    worker.notices_claim = _broken  # type: ignore[method-assign]
    worker.media_claim = _broken  # type: ignore[method-assign]

    async def one_round() -> None:
        worker.db = Database.__new__(Database)  # the same engine, with a write lock of this event loop
        worker.db.__dict__.update(world.db.__dict__, write_lock=asyncio.Lock())
        stop, wake = asyncio.Event(), asyncio.Event()
        running = asyncio.create_task(run_embedded(worker, stop, wake))
        for _ in range(200):
            await asyncio.sleep(0.02)
            if sent(gateway):
                break
        stop.set()
        wake.set()
        await running

    with caplog.at_level(logging.ERROR, logger="huiyin.worker"):
        asyncio.run(one_round())
    assert [m["channel"] for m in sent(gateway)] == ["sms"]
    failed = {r.getMessage() for r in caplog.records if r.levelno == logging.ERROR}
    assert failed == {"embedded worker step media failed", "embedded worker step notices failed"}
