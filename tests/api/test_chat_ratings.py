"""A written conversation's rating counts in the centre's satisfaction (满意率): the customer's 1/2/3 after an
agent closed a WeChat, SMS, web-chat or e-mail conversation is a rating in surveys, counted under its channel
and the agent who held the conversation, once (a second answer is kept, the first stands); a conversation
that was never closed, or never asked, is not rated; the totals are the sum of the channel rows. On SQLite
and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from huiyin.channels import service
from huiyin.channels.models import Conversation
from huiyin.clock import clock, now
from huiyin.errors import Conflict
from huiyin.knowledge import seed
from huiyin.settings import Settings, SurveySettings
from huiyin.surveys.models import CareTask, Rating, SatisfactionDaily
from huiyin.surveys.service import do_rebuild_daily
from tests.api.test_selfservice import customer, sign_in  # noqa: F401 (the fixture)
from tests.api.test_wechat_channel import OPENID, integration, poster
from tests.personas import Api, World

INBOUND = "gw-inbound-secret"
MOBILE = "13987654321"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"surveys": SurveySettings(inbound_token=INBOUND)})  # type: ignore[arg-type]


@pytest.fixture
def to_people(manager: Api) -> None:
    """The bot off: every conversation goes to the agents' queue."""
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "off"})


Say = Callable[[str], None]


def by_sms(world: World, phone: str = MOBILE) -> Say:
    n = iter(range(1, 1000))

    def say(text: str) -> None:
        r = world.client.post(
            "/api/v1/sms/inbound",
            json={"id": f"gw-{phone}-{next(n)}", "from": phone, "text": text, "at": now().isoformat()},
            headers={"Authorization": f"Bearer {INBOUND}"},
        )
        assert r.status_code == 200, r.text

    return say


def by_wechat(world: World, admin: Api) -> Say:
    integration(admin)
    p = poster(world)

    def say(text: str) -> None:
        assert p.text(OPENID, text).status_code == 200

    return say


def by_web(world: World) -> Say:
    headers = sign_in(world)
    n = iter(range(1, 1000))

    def say(text: str) -> None:
        r = world.client.post("/api/v1/self/chat", json={"text": text, "id": f"m-{next(n):06d}"}, headers=headers)
        assert r.status_code == 200, r.text

    return say


def by_email(world: World, settings: Settings) -> Say:
    n = iter(range(1, 1000))

    def say(text: str) -> None:
        with world.db.session() as s:
            inb = service.Inbound("email", "chen@example.com", f"<m{next(n)}@example.com>", text=text, subject="咨询")
            service.do_receive(s, inb, settings)
            s.commit()

    return say


def served_and_closed(agent: Api, say: Say, question: str = "燃气费怎么交") -> int:
    """The customer writes, the agent takes the conversation, answers and closes it: the customer is asked."""
    say(question)
    cid = agent.ok("get", "/conversations?state=queued")["items"][0]["id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "您好，可以在营业厅或微信缴费。"}, 201)
    closed = agent.ok("post", f"/conversations/{cid}/close", {"reason": "solved"})
    assert "请您评价" in closed["messages"][-1]["text"]
    return int(cid)


def figures(api: Api, group_by: str) -> tuple[dict[str, dict[str, Any]], dict[str, Any]]:
    got = api.ok("get", f"/satisfaction?group_by={group_by}")
    return {r["key"]: r for r in got["items"]}, got["total"]


def counts(row: dict[str, Any]) -> tuple[int, int, int]:
    return row["satisfied"], row["basically_satisfied"], row["unsatisfied"]


def ratings(world: World) -> list[Rating]:
    with world.db.session(write=False) as s:
        return list(s.scalars(select(Rating).order_by(Rating.id)))


def test_closed_wechat_sms_web_and_email_conversations_rated_show_by_channel_and_in_their_agents_figure(
    world: World,
    agent: Api,
    agent2: Api,
    admin: Api,
    manager: Api,
    customer: int,  # noqa: F811
    settings: Settings,
    to_people: None,
) -> None:
    wechat, sms, web, email = by_wechat(world, admin), by_sms(world), by_web(world), by_email(world, settings)
    rated = {}
    for say, answer, who in ((wechat, "1", agent), (sms, "3", agent), (web, "2", agent), (email, "满意", agent2)):
        cid = served_and_closed(who, say)
        clock.advance(timedelta(minutes=5))
        say(answer)
        rated[cid] = who.ok("get", f"/conversations/{cid}")
        assert rated[cid]["messages"][-1]["text"] == service.RATED_TEXT
    assert [c["rating"] for c in rated.values()] == ["satisfied", "unsatisfied", "basic", "satisfied"]

    by_channel, total = figures(manager, "channel")
    assert {k: counts(r) for k, r in by_channel.items()} == {
        "wechat": (1, 0, 0),
        "sms": (0, 0, 1),
        "web": (0, 1, 0),
        "email": (1, 0, 0),
    }
    assert counts(total) == (2, 1, 1) and total["rate"] == 0.5
    by_agent, _ = figures(manager, "agent")
    assert counts(by_agent[str(agent.id)]) == (1, 1, 1) and by_agent[str(agent.id)]["rate"] == pytest.approx(0.3333)
    assert counts(by_agent[str(agent2.id)]) == (1, 0, 0) and by_agent[str(agent2.id)]["name"]
    assert all(r.order_id is None and r.unit_id is None and r.kind == "instant" for r in ratings(world))

    # the unsatisfied SMS conversation opens a care task (关怀) as an unsatisfied order does, without an order
    care = manager.ok("get", "/care-tasks?state=open")["items"]
    assert len(care) == 1 and care[0]["order_id"] is None and care[0]["agent_id"] == agent.id
    assert care[0]["rating"]["channel"] == "sms" and care[0]["rating"]["result"] == "unsatisfied"

    # the written channels' own figures read the same ratings
    chat = agent.ok("get", "/conversations-figures")
    assert chat["rated"] == 4 and chat["satisfied_rate"] == 0.5


def test_a_second_answer_is_kept_and_the_first_stands_counted_once(
    world: World, agent: Api, manager: Api, settings: Settings, to_people: None
) -> None:
    sms = by_sms(world)
    cid = served_and_closed(agent, sms)
    sms("1")
    sms("3")  # changed their mind: the first answer stands, as for an order's rating SMS
    conv = agent.ok("get", f"/conversations/{cid}")
    assert conv["rating"] == "satisfied"
    assert [m["text"] for m in conv["messages"][-4:]] == ["1", service.RATED_TEXT, "3", service.RATED_BEFORE_TEXT]
    assert agent.ok("get", "/conversations?state=open")["items"] == []  # no new conversation for the "3"
    rows = ratings(world)
    assert [(r.contact, r.channel, r.result) for r in rows] == [(f"conversation:{cid}", "sms", "satisfied")]
    by_channel, total = figures(manager, "channel")
    assert counts(total) == (1, 0, 0) and counts(by_channel["sms"]) == (1, 0, 0)
    with world.db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(CareTask)) == 0
    # rating it again through the service (the one write path) changes nothing either
    with world.db.session() as s:
        again = service.do_rate_conversation(s, s.get_one(Conversation, cid), "unsatisfied", now(), settings)
        s.commit()
    assert again is False and agent.ok("get", f"/conversations/{cid}")["rating"] == "satisfied"
    assert counts(figures(manager, "channel")[1]) == (1, 0, 0)


def test_a_conversation_never_closed_or_never_asked_is_not_rated(
    world: World, agent: Api, manager: Api, settings: Settings, to_people: None
) -> None:
    sms = by_sms(world)
    sms("燃气费怎么交")
    cid = agent.ok("get", "/conversations?state=queued")["items"][0]["id"]
    agent.ok("post", f"/conversations/{cid}/accept")
    sms("1")  # the conversation is open: "1" is what the customer wrote, not a rating
    conv = agent.ok("get", f"/conversations/{cid}")
    assert conv["state"] == "assigned" and conv["rating"] is None and conv["messages"][-1]["text"] == "1"
    with world.db.session() as s, pytest.raises(Conflict):
        service.do_rate_conversation(s, s.get_one(Conversation, cid), "satisfied", now(), settings)

    # closed without a person or the bot having answered (spam): nobody was asked, so "1" starts a new one
    other = by_sms(world, "13911112222")
    other("广告")
    spam = agent.ok("get", "/conversations?state=queued")["items"][0]["id"]
    manager.ok("post", f"/conversations/{spam}/close", {"reason": "spam"})
    other("1")
    assert agent.ok("get", f"/conversations/{spam}")["rating"] is None

    # asked, but the answer comes after the day the invitation stands for
    agent.ok("post", f"/conversations/{cid}/messages", {"text": "好的"}, 201)
    agent.ok("post", f"/conversations/{cid}/close", {"reason": "solved"})
    clock.advance(timedelta(hours=25))
    sms("1")
    assert agent.ok("get", f"/conversations/{cid}")["rating"] is None
    assert ratings(world) == [] and figures(manager, "channel")[1]["surveyed"] == 0


def test_the_totals_are_the_sum_of_the_rows_and_the_counts_kept_are_the_counts_rebuilt(
    world: World, agent: Api, agent2: Api, manager: Api, settings: Settings, to_people: None
) -> None:
    for i, (who, answer) in enumerate([(agent, "1"), (agent2, "2"), (agent, "1"), (agent2, "3"), (agent, "满意")]):
        say = by_sms(world, f"1390000000{i}")
        served_and_closed(who, say)
        say(answer)
    # the bot answers one alone, closes it and it is rated: a channel's rating with no agent
    with world.db.session() as s:
        seed.do_load_faq(s)
        s.commit()
    conf = manager.ok("get", "/bot/settings")
    manager.ok("put", "/bot/settings", {**conf, "mode": "always"})
    bot_only = by_sms(world, "13900000009")
    bot_only("燃气费可以在哪些地方交")
    with world.db.session() as s:
        conv = s.scalars(select(Conversation).where(Conversation.state == "bot")).one()
        assert conv.bot_answers == 1
        service.do_close(s, None, conv, "idle")
        s.commit()
    bot_only("2")
    # and an order rated through the web link's channel: conversations and orders in the same figures
    order = agent.register(customer_id=world.customer_id, contact_phone="13900000010")
    manager.ok("post", "/ratings", {"order_id": order["id"], "channel": "web", "result": "satisfied"}, 201)

    by_channel, total = figures(manager, "channel")
    assert counts(by_channel["sms"]) == (3, 2, 1) and counts(by_channel["web"]) == (1, 0, 0)
    for i, name in enumerate(("satisfied", "basically_satisfied", "unsatisfied")):
        assert total[name] == sum(r[name] for r in by_channel.values()) == (4, 2, 1)[i]
    assert total["surveyed"] == sum(r["surveyed"] for r in by_channel.values()) == 7
    by_agent, _ = figures(manager, "agent")
    assert counts(by_agent[str(agent.id)]) == (4, 0, 0)  # three conversations, and the order they registered
    assert counts(by_agent[str(agent2.id)]) == (0, 1, 1)
    by_day, day_total = figures(manager, "day")
    assert counts(day_total) == counts(total) and sum(r["surveyed"] for r in by_day.values()) == 7

    with world.db.session() as s:
        kept = sorted(tuple(r) for r in s.execute(select(SatisfactionDaily.__table__)))
        do_rebuild_daily(s)
        assert sorted(tuple(r) for r in s.execute(select(SatisfactionDaily.__table__))) == kept
        s.rollback()
