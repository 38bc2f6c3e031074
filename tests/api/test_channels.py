"""Written channels (issue 19): an SMS that is not a rating becomes a conversation (once per gateway id); the
bot answers from the seeded FAQ, asks back, hands off on "人工" or after two misses; the queue, accepting up to
the chat limit, routing to a ready agent, answering, transferring, closing with a rating in the channel;
registering an order from a conversation; an unanswered customer escalating; bad input refused, nothing
changed. On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.channels import jobs, service
from huiyin.channels.models import ChannelMessage, Conversation
from huiyin.clock import clock, now
from huiyin.knowledge import seed
from huiyin.notify.models import Notification, OutboxMessage
from huiyin.settings import Settings, SurveySettings
from tests.personas import Api, World

INBOUND = "gw-inbound-secret"
MOBILE = "13987654321"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"surveys": SurveySettings(inbound_token=INBOUND)})  # type: ignore[arg-type]


@pytest.fixture
def faq(world: World, manager: Api) -> None:
    with world.db.session() as s:
        seed.do_load_faq(s)
        s.commit()
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "always"})  # the bot first on every channel


def sms(world: World, text: str, gid: str, phone: str = MOBILE) -> Any:
    r = world.client.post(
        "/api/v1/sms/inbound",
        json={"id": gid, "from": phone, "text": text, "at": now().isoformat()},
        headers={"Authorization": f"Bearer {INBOUND}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def thread(api: Api, conversation_id: int) -> Any:
    return api.ok("get", f"/conversations/{conversation_id}")


def test_an_sms_that_is_not_a_rating_opens_one_conversation_and_the_bot_answers(
    world: World, agent: Api, faq: None
) -> None:
    got = sms(world, "燃气费可以在哪些地方交", "gw-1")
    assert got["outcome"] == "unmatched" and got["conversation_id"]
    again = sms(world, "燃气费可以在哪些地方交", "gw-1")  # the gateway posts it again
    assert again["duplicate"] and again["conversation_id"] == got["conversation_id"]
    conv = thread(agent, got["conversation_id"])
    assert conv["channel"] == "sms" and conv["state"] == "bot" and conv["contact"] == "139****4321"
    assert [(m["direction"], m["sender"]) for m in conv["messages"]] == [("in", "customer"), ("out", "bot")]
    answer = conv["messages"][1]
    assert answer["data"]["article_id"] and "缴" in answer["text"] and answer["delivery"] == "pending"
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(ChannelMessage)) == 2
        claimed = jobs.claim(s, now())  # SMS out: handed to notify's outbox
        s.commit()
    assert claimed == []
    with world.db.session() as s:
        out = s.scalars(select(OutboxMessage).where(OutboxMessage.channel == "sms")).all()
        assert [o.address for o in out] == [MOBILE] and out[0].payload["text"] == answer["text"]
        assert s.get_one(ChannelMessage, answer["id"]).delivery == "sent"


def test_the_bot_hands_off_on_request_and_the_agent_answers_closes_and_is_rated(
    world: World, agent: Api, faq: None, settings: Settings
) -> None:
    cid = sms(world, "我要转人工", "gw-2")["conversation_id"]
    conv = thread(agent, cid)
    assert conv["state"] == "queued" and conv["handoff_reason"] == "asked"
    assert "转接人工客服" in conv["messages"][-1]["text"]
    queue = agent.ok("get", "/conversations?state=queued")
    assert [c["id"] for c in queue["items"]] == [cid] and queue["queued"] == 1
    clock.advance(timedelta(seconds=40))
    taken = agent.ok("post", f"/conversations/{cid}/accept")
    assert taken["state"] == "assigned" and taken["agent_id"] == agent.id
    clock.advance(timedelta(seconds=10))
    done = agent.ok("post", f"/conversations/{cid}/messages", {"text": "您好，请问有什么可以帮您？"}, 201)
    assert done["first_response_at"] and done["unanswered_since"] is None
    assert agent.ok("get", "/conversations?mine=true")["mine"] == 1
    closed = agent.ok("post", f"/conversations/{cid}/close", {"reason": "solved"})
    assert closed["state"] == "closed" and "请您评价" in closed["messages"][-1]["text"]
    rated = sms(world, "1", "gw-3")
    assert rated["conversation_id"] == cid
    assert thread(agent, cid)["rating"] == "satisfied"
    figures = agent.ok("get", "/conversations-figures")
    assert figures["conversations"] == 1 and figures["handoffs"] == {"asked": 1}
    assert figures["avg_wait_seconds"] == pytest.approx(40, abs=1)
    assert figures["avg_first_response_seconds"] == pytest.approx(50, abs=1)
    assert figures["satisfied_rate"] == 1.0


def test_two_misses_hand_off_and_the_bot_asks_back_first(world: World, agent: Api, faq: None) -> None:
    r1 = world.client.post("/api/v1/bot/ask", json={"text": "今天天气怎么样啊"}).json()
    assert r1["answer"] is None and not r1["handoff"] and r1["session"]
    r2 = world.client.post("/api/v1/bot/ask", json={"text": "你们公司招不招人", "session": r1["session"]}).json()
    assert r2["handoff"] and r2["reason"] == "misses"
    hit = world.client.post("/api/v1/bot/ask", json={"text": "过户要带什么材料"}).json()
    assert hit["answer"] and hit["confidence"] > 0 and not hit["handoff"]
    unanswered = agent.ok("get", "/bot/unanswered")
    assert {q["text"] for q in unanswered} >= {"你们公司招不招人"}


def test_an_agent_holds_at_most_the_limit_and_routing_offers_to_a_ready_agent(
    world: World, agent: Api, agent2: Api, faq: None, settings: Settings
) -> None:
    ids = [sms(world, "人工", f"gw-q{i}", phone=f"1390000000{i}")["conversation_id"] for i in range(5)]
    for cid in ids[:3]:
        agent.ok("post", f"/conversations/{cid}/accept")
    r = agent.post(f"/conversations/{ids[3]}/accept")
    assert r.status_code == 409 and "at most 3" in r.json()["detail"]
    agent2.ok("put", "/agents/me/state", {"state": "signed_in"})
    agent2.ok("put", "/agents/me/state", {"state": "ready"})
    with world.db.session() as s:
        assert service.route_round(s, settings) == 2
        s.commit()
    mine = agent2.ok("get", "/conversations?mine=true")
    assert sorted(c["id"] for c in mine["items"]) == sorted(ids[3:])
    moved = agent.ok("post", f"/conversations/{ids[0]}/transfer", {"agent_id": agent2.id, "note": "燃气专席"})
    assert moved["agent_id"] == agent2.id and "转接" in moved["messages"][-1]["text"]
    full = agent.ok("post", f"/conversations/{ids[1]}/transfer", {"agent_id": agent2.id}, 409)
    assert "at most 3" in full["detail"]


def test_an_unanswered_customer_escalates_step_by_step(world: World, agent: Api, faq: None, settings: Settings) -> None:
    floor = world.persona("floor1", "floor_manager")
    cid = sms(world, "人工", "gw-e1")["conversation_id"]
    clock.advance(timedelta(minutes=6))
    with world.db.session() as s:
        assert service.escalate_round(s, settings) == 1
        assert service.escalate_round(s, settings) == 0  # once per step
        s.commit()
    with world.db.session() as s:
        told = s.scalars(select(Notification).where(Notification.user_id == floor.id)).all()
        assert len(told) == 1 and "会话等待超时" in told[0].title
        assert s.get_one(Conversation, cid).escalation_level == 1
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "抱歉久等"}, 201)
    clock.advance(timedelta(minutes=30))
    with world.db.session() as s:
        assert service.escalate_round(s, settings) == 0  # answered: the clock stopped


def test_an_order_is_registered_from_a_conversation_once(world: World, agent: Api, faq: None) -> None:
    cid = sms(world, "人工", "gw-o1")["conversation_id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    body = {"type": "repair", "category": "RP-GAS-NOGAS", "description": "客户短信反映家中无气"}
    done = agent.ok("post", f"/conversations/{cid}/register", body, 201)
    order_id = done["order_id"]
    order = agent.ok("get", f"/work-orders/{order_id}")
    assert order["channel"] == "sms" and order["contact_phone"].endswith("4321")
    assert "已为您登记工单" in done["messages"][-1]["text"]
    assert agent.post(f"/conversations/{cid}/register", body).status_code == 409
    assert [c["id"] for c in agent.ok("get", f"/conversations?order_id={order_id}")["items"]] == [cid]


def test_bad_input_is_refused_and_changes_nothing(world: World, agent: Api, agent2: Api, faq: None) -> None:
    cid = sms(world, "人工", "gw-b1")["conversation_id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    assert agent.post(f"/conversations/{cid}/messages", {"text": "x" * 2001}).status_code == 422
    assert agent2.post(f"/conversations/{cid}/messages", {"text": "我来"}).status_code == 403
    assert agent.post("/conversations/999999/accept").status_code == 404
    assert agent.post(f"/conversations/{cid}/close", {"reason": "whatever"}).status_code == 422
    script = "<script>alert(1)</script>"
    agent.ok("post", f"/conversations/{cid}/messages", {"text": script}, 201)
    assert thread(agent, cid)["messages"][-1]["text"] == script  # kept as text
    r = world.client.post("/api/v1/sms/inbound", json={"id": "x", "from": MOBILE, "text": "hi"})
    assert r.status_code == 401
    with world.db.session() as s:
        assert s.scalar(select(func.count()).select_from(Conversation)) == 1
    assert world.client.post("/api/v1/bot/ask", json={"text": ""}).status_code == 422


def test_the_transfer_list_shows_each_agent_with_their_seat_and_load(
    world: World, agent: Api, agent2: Api, faq: None
) -> None:
    cid = sms(world, "人工", "gw-t1")["conversation_id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    agent2.ok("put", "/agents/me/state", {"state": "signed_in"})
    listed = {a["id"]: a for a in agent.ok("get", "/conversations-agents")}
    assert listed[agent.id]["holding"] == 1 and listed[agent.id]["limit"] == 3
    assert listed[agent2.id]["state"] == "signed_in" and listed[agent2.id]["holding"] == 0


def test_a_managers_trial_question_stays_off_the_unanswered_list(world: World, manager: Api, faq: None) -> None:
    r = world.client.post("/api/v1/bot/ask", json={"text": "火星上有燃气吗", "trial": True}).json()
    assert r["answer"] is None
    assert "火星上有燃气吗" not in {q["text"] for q in manager.ok("get", "/bot/unanswered")}
