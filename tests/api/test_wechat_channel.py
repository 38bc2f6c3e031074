"""The WeChat official account end to end (issue 19): WeChat's callback URL with its signature (good, forged,
replayed), safe mode, the bot's answer inside WeChat's 5 s, a MsgId delivered three times stored once, an
agent's answer sent later through the customer-service API within the 48-hour window and refused after it,
binding an account by phone number and SMS code, bad input refused with nothing changed. The fake WeChat
(``huiyin.channels.fake_wechat``) posts exactly what WeChat posts and serves WeChat's API."""

from __future__ import annotations

import base64
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.channels import jobs
from huiyin.channels.fake_wechat import FakeWechatPoster
from huiyin.channels.models import ChannelContact, ChannelMessage
from huiyin.clock import clock, now
from huiyin.customers.service import do_create_customer
from huiyin.knowledge import seed
from huiyin.notify.models import OutboxMessage
from tests.personas import Api, World
from tests.unit.test_wechat_adapter import Served, fake  # noqa: F401 (the fake's API, served)

TOKEN = "huiyintoken"
APPID = "wx_fake_appid"
AES_KEY = base64.b64encode(bytes(range(32))).decode().rstrip("=")
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"


def integration(admin: Api, name: str = "yuzhou", api_base: str | None = None, aes: bool = False) -> Any:
    body: dict[str, Any] = {"name": name, "token": TOKEN, "appid": APPID, "secret": "fake_secret"}
    if api_base:
        body["api_base"] = api_base
    if aes:
        body["aes_key"] = AES_KEY
    return admin.ok("post", "/channels/wechat-accounts", body, 201)


def poster(world: World, name: str = "yuzhou", *, aes: bool = False, timeout: float = 5.0) -> FakeWechatPoster:
    return FakeWechatPoster(
        world.client,
        f"/api/v1/channels/wechat/{name}",
        TOKEN,
        appid=APPID,
        aes_key=AES_KEY if aes else None,
        timeout=timeout,
        clock=lambda: now().timestamp(),
    )


@pytest.fixture
def bot_first(world: World, manager: Api) -> None:
    with world.db.session() as s:
        seed.do_load_faq(s)
        s.commit()
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "always"})


def messages(world: World) -> list[ChannelMessage]:
    with world.db.session() as s:
        return list(s.scalars(select(ChannelMessage).order_by(ChannelMessage.id)))


def test_the_callback_echoes_a_good_signature_and_refuses_a_forged_or_replayed_one(world: World, admin: Api) -> None:
    made = integration(admin)
    assert made["callback_url"].endswith("/api/v1/channels/wechat/yuzhou") and not made["safe_mode"]
    p = poster(world)
    r = p.verify("7340712345678901234")
    assert r.status_code == 200 and r.text == "7340712345678901234"
    forged = world.client.get(
        "/api/v1/channels/wechat/yuzhou",
        params={"signature": "0" * 40, "timestamp": str(int(now().timestamp())), "nonce": "1", "echostr": "x"},
    )
    assert forged.status_code == 403
    query, body = p.request("<xml><ToUserName><![CDATA[gh]]></ToUserName></xml>")
    query["signature"] = "f" * 40
    assert world.client.post("/api/v1/channels/wechat/yuzhou", params=query, content=body).status_code == 403
    old = FakeWechatPoster(
        world.client, "/api/v1/channels/wechat/yuzhou", TOKEN, clock=lambda: now().timestamp() - 3600
    )
    assert old.text(OPENID, "一小时前抓到的请求").status_code == 403  # a replay outside 5 minutes
    assert world.client.get("/api/v1/channels/wechat/nobody", params={"echostr": "x"}).status_code == 404
    assert messages(world) == []


def test_a_question_is_answered_in_the_callback_reply(world: World, admin: Api, agent: Api, bot_first: None) -> None:
    integration(admin)
    p = poster(world)
    r = p.text(OPENID, "燃气过户需要带哪些材料")
    reply = p.read_reply(r)
    assert reply is not None and reply["ToUserName"] == OPENID and "过户" in reply["Content"]
    stored = messages(world)
    assert [(m.direction, m.sender, m.delivery) for m in stored] == [("in", "customer", None), ("out", "bot", "sent")]
    conv = agent.ok("get", "/conversations?state=bot")["items"][0]
    assert conv["channel"] == "wechat" and conv["channel_name"] == "微信公众号"


def test_a_message_wechat_delivers_three_times_is_stored_once(world: World, admin: Api, bot_first: None) -> None:
    integration(admin)
    p = poster(world, timeout=0.0)  # every answer "too late": WeChat posts the same MsgId again, three in all
    responses = p.deliver(_text_xml(p, "人工", 6054768590064713728), openid=OPENID)
    assert len(responses) == 3 and all(r.status_code == 200 for r in responses)
    stored = [m for m in messages(world) if m.direction == "in"]
    assert len(stored) == 1 and stored[0].external_id == "6054768590064713728"


def _text_xml(p: FakeWechatPoster, content: str, msg_id: int) -> str:
    from huiyin.channels.fake_wechat import message_xml

    fields: dict[str, str | int | float] = {"Content": content, "MsgId": msg_id}
    return message_xml(p.account_id, OPENID, "text", fields, int(now().timestamp()))


def test_safe_mode_is_decrypted_and_answered_encrypted(world: World, admin: Api, bot_first: None) -> None:
    assert integration(admin, "safe", aes=True)["safe_mode"]
    p = poster(world, "safe", aes=True)
    reply = p.read_reply(p.text(OPENID, "燃气费可以在哪里交"))  # the poster checks the reply's signature too
    assert reply is not None and reply["Content"]
    plain = poster(world, "safe")
    assert plain.text(OPENID, "明文冒充").status_code == 403  # a plain callback to an account in safe mode


def test_an_agent_answer_goes_through_the_api_within_48_hours_and_is_refused_after(
    world: World,
    admin: Api,
    agent: Api,
    fake: Served,  # noqa: F811
) -> None:
    integration(admin, api_base=fake.url)
    p = poster(world)
    p.text(OPENID, "人工")  # not busy hours in the test's mode: straight to the queue
    cid = agent.ok("get", "/conversations?state=queued")["items"][0]["id"]
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "您好，我是客服小王"}, 201)
    _deliver(world)
    assert [m["text"]["content"] for m in fake.get("/_sent") if m["touser"] == OPENID][-1] == "您好，我是客服小王"
    clock.advance(timedelta(hours=49))
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "还在吗？"}, 201)
    _deliver(world)
    last = agent.ok("get", f"/conversations/{cid}")["messages"][-1]
    assert last["delivery"] == "failed" and "48小时" in last["error"]


def _deliver(world: World) -> None:
    with world.db.session() as s:
        claimed = jobs.claim(s, now())
        s.commit()
    outcomes = [jobs.send_one(c, now()) for c in claimed]
    with world.db.session() as s:
        jobs.finish(s, outcomes, {c.id: c.attempts for c in claimed}, now())
        s.commit()


def test_a_follower_binds_their_account_by_phone_number_and_sms_code(world: World, admin: Api, agent: Api) -> None:
    integration(admin)
    with world.db.session() as s:
        customer = do_create_customer(
            s, account_no="YZ-88001", name="李桂英", phones=["13811112222"], address="渝北区龙溪街道"
        )
        s.commit()
        customer_id = customer.id
    p = poster(world)
    p.event(OPENID, "subscribe")
    p.event(OPENID, "CLICK", "BIND")
    said = p.read_reply(p.text(OPENID, "13811112222"))
    assert said is not None and "验证码已发送至138****2222" in said["Content"]
    with world.db.session() as s:
        sms = s.scalars(select(OutboxMessage).where(OutboxMessage.address == "13811112222")).one()
    code = re.search(r"\d{6}", sms.payload["text"])
    assert code is not None
    wrong = p.read_reply(p.text(OPENID, "000000" if code.group() != "000000" else "111111"))
    assert wrong is not None and "验证失败" in wrong["Content"]
    ok = p.read_reply(p.text(OPENID, code.group()))
    assert ok is not None and "绑定成功" in ok["Content"] and "2222" in ok["Content"]
    with world.db.session() as s:
        contact = s.scalars(select(ChannelContact).where(ChannelContact.address == OPENID)).one()
        assert contact.customer_id == customer_id
    conv = agent.ok("get", "/conversations?state=open")["items"][0]
    assert conv["customer_id"] == customer_id and conv["customer_name"] == "李桂英"


def test_bad_bodies_are_refused_and_store_nothing(world: World, admin: Api) -> None:
    integration(admin)
    p = poster(world)
    assert p.post_raw("<xml><not closed").status_code == 422
    assert p.post_raw("<xml>" + "x" * 70_000 + "</xml>").status_code == 422
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ChannelMessage)) == 0


def test_when_busy_the_callback_only_stores_and_the_worker_answers_through_the_api(
    world: World,
    admin: Api,
    bot_first: None,
    fake: Served,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
) -> None:
    from huiyin.channels import api as channels_api
    from huiyin.channels import inbox

    integration(admin, api_base=fake.url)
    monkeypatch.setattr(channels_api, "SYNC_WAIT", -1.0)  # as if the process had waited for its write lock
    p = poster(world)
    r = p.text(OPENID, "燃气费可以在哪里交", msg_id=6054768590064713999)
    assert r.status_code == 200 and r.text == "success" and messages(world) == []
    assert p.text(OPENID, "燃气费可以在哪里交", msg_id=6054768590064713999).text == "success"  # WeChat's retry
    with world.db.session() as s:
        assert inbox.process_batch(s, settings) == 1
        s.commit()
    with world.db.session() as s:
        assert inbox.process_batch(s, settings) == 0  # taken in once
    stored = messages(world)
    assert [(m.direction, m.sender, m.delivery) for m in stored] == [
        ("in", "customer", None),
        ("out", "bot", "pending"),
    ]
    _deliver(world)
    sent = [m for m in fake.get("/_sent") if m["touser"] == OPENID]
    assert len(sent) == 1 and sent[0]["text"]["content"] == stored[1].text


def test_a_burst_beyond_the_process_s_room_is_acknowledged_at_once_and_taken_in_by_the_worker(
    world: World, admin: Api, bot_first: None, settings: Any
) -> None:
    from huiyin.channels import inbox

    integration(admin)
    settings.channels.wechat_sync_per_second = 2.0  # a second's worth: two messages taken in within the callback
    p = poster(world)
    replies = [p.text(f"{OPENID}{i}", "燃气费可以在哪里交", msg_id=6054768590064714000 + i) for i in range(5)]
    assert all(r.status_code == 200 for r in replies)
    answered = [p.read_reply(r) is not None for r in replies]
    assert answered[:2] == [True, True] and answered.count(True) <= 3  # the bucket refills 2 a second
    with world.db.session() as s:
        waiting = inbox.process_batch(s, settings)
        s.commit()
    assert waiting == answered.count(False) and waiting >= 2
    stored = [m for m in messages(world) if m.direction == "in"]
    assert len(stored) == 5  # none lost: the callback stored each before it answered


def test_with_no_room_every_message_is_left_to_the_worker(
    world: World, admin: Api, bot_first: None, settings: Any
) -> None:
    from huiyin.channels import inbox

    integration(admin)
    settings.channels.wechat_sync_per_second = 0
    p = poster(world)
    r = p.text(OPENID, "燃气费可以在哪里交", msg_id=6054768590064715001)
    assert r.text == "success" and messages(world) == []
    with world.db.session() as s:
        assert inbox.process_batch(s, settings) == 1
        s.commit()
    assert [(m.direction, m.sender) for m in messages(world)] == [("in", "customer"), ("out", "bot")]


def test_an_order_registered_from_a_wechat_conversation_is_the_bound_customer_s_and_answered_in_wechat(
    world: World, admin: Api, agent: Api, bot_first: None
) -> None:
    acc = integration(admin)
    with world.db.session() as s:
        s.add(
            ChannelContact(
                channel="wechat",
                account_id=acc["id"],
                address=OPENID,
                customer_id=world.customer_id,
                subscribed=True,
                bound_at=now(),
                created_at=now(),
            )
        )
    p = poster(world)
    p.text(OPENID, "人工", msg_id=6054768590064716001)
    queued = agent.ok("get", "/conversations?state=queued")["items"]
    assert len(queued) == 1 and queued[0]["channel"] == "wechat"
    cid = queued[0]["id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    body = {"type": "repair", "category": "RP-GAS-NOGAS", "description": "客户微信反映家中燃气灶打不着火"}
    done = agent.ok("post", f"/conversations/{cid}/register", body, 201)
    order = agent.ok("get", f"/work-orders/{done['order_id']}")
    assert order["channel"] == "wechat" and order["customer_id"] == world.customer_id
    assert [c["id"] for c in agent.ok("get", f"/conversations?order_id={order['id']}")["items"]] == [cid]
    told = [m for m in messages(world) if m.direction == "out" and "已为您登记工单" in m.text]
    assert len(told) == 1 and told[0].delivery == "pending"  # the customer-service API sends it (48 h window open)
    assert agent.post(f"/conversations/{cid}/register", body).status_code == 409


def test_an_unknown_openid_is_a_new_unbound_follower_and_an_openid_wechat_refuses_fails_for_good(
    world: World,
    admin: Api,
    agent: Api,
    fake: Served,  # noqa: F811
) -> None:
    integration(admin, api_base=fake.url)
    p = poster(world)
    p.text("o_never_seen_before_000001", "人工", msg_id=6054768590064717001)
    with world.db.session(write=False) as s:
        contact = s.scalars(select(ChannelContact).where(ChannelContact.address == "o_never_seen_before_000001")).one()
        assert contact.customer_id is None and contact.bound_at is None  # a follower, not a customer yet
    conv = agent.ok("get", "/conversations?state=queued")["items"][0]
    assert conv["customer_id"] is None and conv["channel"] == "wechat"
    agent.ok("post", f"/conversations/{conv['id']}/accept")
    _deliver(world)  # what the centre said so far (the queue's notice) goes out first
    fake.post("/_control", json={"fail_next": 1, "errcode": 40003})  # WeChat: not an openid of this account
    agent.ok("post", f"/conversations/{conv['id']}/messages", {"text": "您好，请问有什么可以帮您？"}, 201)
    _deliver(world)
    last = agent.ok("get", f"/conversations/{conv['id']}")["messages"][-1]
    assert last["delivery"] == "failed" and "40003" in last["error"]  # not retried: no retry will cure it
    with world.db.session(write=False) as s:
        assert s.get_one(ChannelMessage, last["id"]).attempts == 1
