"""The self-service site (issue 19): sign-in by mobile number and SMS code (rate-limited, five wrong codes void
it); a repair reported with photos and the place becomes a web order the customer follows in plain words; the
outages of their area; the chat with the bot first, a person on request, over HTTP and over the WebSocket;
rating a finished order once; someone else's order is a 404; bad input refused with nothing stored."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.websockets import WebSocketDisconnect

from huiyin.clock import clock, now
from huiyin.customers.service import do_create_customer
from huiyin.knowledge import seed
from huiyin.notify.models import OutboxMessage
from tests.personas import Api, World

PHONE = "13855556666"
JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


def last_code(world: World, phone: str = PHONE) -> str:
    with world.db.session() as s:
        sms = s.scalars(
            select(OutboxMessage).where(OutboxMessage.address == phone).order_by(OutboxMessage.id.desc())
        ).first()
    assert sms is not None
    found = re.search(r"\d{6}", sms.payload["text"])
    assert found is not None
    return found.group()


def sign_in(world: World, phone: str = PHONE) -> dict[str, str]:
    r = world.client.post("/api/v1/self/code", json={"phone": phone})
    assert r.status_code == 200, r.text
    r = world.client.post("/api/v1/self/login", json={"phone": phone, "code": last_code(world, phone)})
    assert r.status_code == 200, r.text
    return {"X-Self-Token": r.json()["token"]}


@pytest.fixture
def customer(world: World) -> int:
    with world.db.session() as s:
        c = do_create_customer(
            s,
            account_no="YZ-90001",
            name="陈秀兰",
            phones=[PHONE],
            address="渝北区龙溪街道紫荆小区3栋",
            area_id=world.area_a.id,
        )
        s.commit()
        return c.id


def test_a_customer_signs_in_by_sms_code_and_wrong_codes_are_limited(world: World, customer: int) -> None:
    c = world.client
    sent = c.post("/api/v1/self/code", json={"phone": PHONE}).json()
    assert sent["sent_to"] == "138****6666"
    assert c.post("/api/v1/self/code", json={"phone": PHONE}).status_code == 429  # again within a minute
    code = last_code(world)
    wrong = "000000" if code != "000000" else "111111"
    for left in (4, 3, 2, 1):
        r = c.post("/api/v1/self/login", json={"phone": PHONE, "code": wrong})
        assert r.status_code == 401 and f"{left} tries left" in r.json()["detail"]
    assert c.post("/api/v1/self/login", json={"phone": PHONE, "code": wrong}).status_code == 401
    assert c.post("/api/v1/self/login", json={"phone": PHONE, "code": code}).status_code == 401  # void now
    clock.advance(timedelta(minutes=2))
    headers = sign_in(world)
    me = c.get("/api/v1/self/me", headers=headers).json()
    assert me == {
        "phone": "138****6666",
        "customer_id": customer,
        "name": "陈秀兰",
        "address": "渝北区龙溪街道紫荆小区3栋",
    }
    assert c.get("/api/v1/self/me").status_code == 401
    assert c.post("/api/v1/self/code", json={"phone": "12345"}).status_code == 422


def test_a_reported_repair_with_photos_is_followed_in_plain_words(world: World, customer: int, dispatcher: Api) -> None:
    headers = sign_in(world)
    r = world.client.post(
        "/api/v1/self/reports",
        data={
            "kind": "no-gas",
            "description": "今天早上开始灶台打不着火",
            "latitude": "29.7183",
            "longitude": "106.6312",
        },
        files=[("photos", ("灶台.jpg", JPEG, "image/jpeg")), ("photos", ("表.jpg", JPEG, "image/jpeg"))],
        headers=headers,
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert made["photos"] == 2 and not made["emergency"]
    mine = world.client.get("/api/v1/self/orders", headers=headers).json()
    assert [o["number"] for o in mine] == [made["number"]]
    detail = world.client.get(f"/api/v1/self/orders/{made['id']}", headers=headers).json()
    assert detail["steps"][0]["text"] == "您的诉求已受理" and detail["can_rate"] is False
    order = dispatcher.ok("get", f"/work-orders/{made['id']}")
    assert order["channel"] == "web" and "29.71830" in order["description"] and order["customer_id"] == customer
    assert len(dispatcher.ok("get", f"/work-orders/{made['id']}/attachments")) == 2
    other = sign_in(world, "13700001111")
    assert world.client.get(f"/api/v1/self/orders/{made['id']}", headers=other).status_code == 404
    leak = world.client.post(
        "/api/v1/self/reports", data={"kind": "gas-leak", "description": "厨房有很大的燃气味"}, headers=headers
    ).json()
    assert leak["emergency"] is True


def test_bad_reports_are_refused_and_store_nothing(world: World, customer: int, agent: Api) -> None:
    headers = sign_in(world)
    before = agent.ok("get", "/work-orders")["total"]
    post = world.client.post
    assert post("/api/v1/self/reports", data={"kind": "ufo", "description": "x"}, headers=headers).status_code == 422
    seven = [("photos", (f"{i}.jpg", JPEG, "image/jpeg")) for i in range(7)]
    assert (
        post(
            "/api/v1/self/reports", data={"kind": "no-gas", "description": "x"}, files=seven, headers=headers
        ).status_code
        == 422
    )
    exe = [("photos", ("a.exe", b"MZ\x90\x00", "application/x-msdownload"))]
    assert post(
        "/api/v1/self/reports", data={"kind": "no-gas", "description": "x"}, files=exe, headers=headers
    ).status_code in (415, 422)
    assert post("/api/v1/self/reports", data={"kind": "no-gas", "description": "x"}).status_code == 401
    assert agent.ok("get", "/work-orders")["total"] == before


def test_the_outages_of_my_area_are_shown(world: World, customer: int, dispatcher: Api) -> None:
    dispatcher.ok(
        "post",
        "/outages",
        {
            "kind": "unplanned",
            "utility": "gas",
            "area_ids": [world.area_a.id],
            "cause": "中压管道抢修",
            "starts_at": now().isoformat(),
            "eta": (now() + timedelta(hours=3)).isoformat(),
            "unit_id": world.station_a.id,
        },
        201,
    )
    headers = sign_in(world)
    shown = world.client.get("/api/v1/self/outages", headers=headers).json()
    assert len(shown) == 1 and shown[0]["mine"] and shown[0]["what"] == "停气" and "中压管道抢修" in shown[0]["text"]


def test_the_chat_starts_with_the_bot_and_a_person_answers_over_the_socket(
    world: World, customer: int, agent: Api
) -> None:
    with world.db.session() as s:
        seed.do_load_faq(s)
        s.commit()
    headers = sign_in(world)
    got = world.client.post(
        "/api/v1/self/chat", json={"text": "燃气过户要带什么证件", "id": "m-000001"}, headers=headers
    ).json()
    assert got["state"] == "bot" and [m["sender"] for m in got["messages"]] == ["customer", "bot"]
    assert "过户" in got["messages"][1]["text"]
    again = world.client.post(
        "/api/v1/self/chat", json={"text": "燃气过户要带什么证件", "id": "m-000001"}, headers=headers
    )
    assert len(again.json()["messages"]) == 2  # the page sent it twice: stored once
    token = headers["X-Self-Token"]
    with world.client.websocket_connect(f"/api/v1/self/ws?token={token}") as ws:
        first = ws.receive_json()
        assert first["type"] == "messages" and len(first["messages"]) == 2
        ws.send_json({"text": "人工", "id": "m-000002"})
        pushed = ws.receive_json()
        assert [m["sender"] for m in pushed["messages"]] == ["customer", "system"]
        cid = agent.ok("get", "/conversations?state=queued")["items"][0]["id"]
        agent.ok("post", f"/conversations/{cid}/messages", {"text": "您好，我是客服，请讲。"}, 201)
        answer: dict[str, Any] = ws.receive_json()
        assert (
            answer["messages"][-1]["text"] == "您好，我是客服，请讲。" and answer["messages"][-1]["sender"] == "agent"
        )
        ws.send_json({"text": "x" * 2001, "id": "m-000003"})
        assert ws.receive_json()["type"] == "error"
    with pytest.raises(WebSocketDisconnect), world.client.websocket_connect("/api/v1/self/ws?token=nope") as ws:
        ws.receive_json()


def test_a_finished_order_is_rated_once(world: World, customer: int, agent: Api) -> None:
    done = agent.register(
        type="inquiry",
        category="IQ-BILL",
        description="查询气费",
        close_on_spot=True,
        result="已告知",
        contact_phone=PHONE,
        customer_id=customer,
    )
    headers = sign_in(world)
    detail = world.client.get(f"/api/v1/self/orders/{done['id']}", headers=headers).json()
    assert detail["can_rate"] and detail["state_words"] == "已办结"
    r = world.client.post(f"/api/v1/self/orders/{done['id']}/rate", json={"result": "satisfied"}, headers=headers)
    assert r.status_code == 204
    again = world.client.post(f"/api/v1/self/orders/{done['id']}/rate", json={"result": "unsatisfied"}, headers=headers)
    assert again.status_code == 409
    assert world.client.get(f"/api/v1/self/orders/{done['id']}", headers=headers).json()["can_rate"] is False
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) >= 1
