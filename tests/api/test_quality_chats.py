"""Quality inspection of written conversations (WeChat, the web chat, SMS, e-mail): a closed conversation scored
on the chat form, never by an agent who answered it; the phrase rules judge the agents' messages (never the
customer's) into flags and suggestions on the workbench; the sampling plan draws conversations (red-line phrase
and unsatisfied rating forced, random per agent, never to an inspector of their own); the agent appeals; the
results count it. Bad input (neither or both contacts, an open conversation) is refused and changes nothing.
On SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from huiyin.auth.models import User
from huiyin.channels import service
from huiyin.clock import clock, now
from huiyin.settings import Settings, SurveySettings
from tests.personas import Api, World

INBOUND = "gw-inbound-secret"
MONTH = "2026-11"
SETTINGS = Settings()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"surveys": SurveySettings(inbound_token=INBOUND)})  # type: ignore[arg-type]


@pytest.fixture
def inspector(world: World) -> Api:
    return world.persona("inspector", "qa_inspector")


@pytest.fixture
def lead(world: World) -> Api:
    return world.persona("lead", "supervisor")


def sms(world: World, text: str, gid: str, phone: str) -> Any:
    r = world.client.post(
        "/api/v1/sms/inbound",
        json={"id": gid, "from": phone, "text": text, "at": now().isoformat()},
        headers={"Authorization": f"Bearer {INBOUND}"},
    )
    assert r.status_code == 200, r.text
    return r.json()


def reply(world: World, agent: Api, cid: int, text: str) -> None:
    """The agent's reply (the channels' service, as ``POST /conversations/{id}/messages`` does)."""
    with world.db.session() as s:
        conv = service.get_conversation(s, cid, lock=True)
        service.do_reply(s, s.get_one(User, agent.id), conv, text, SETTINGS)
        s.commit()


def close(world: World, agent: Api, cid: int) -> None:
    with world.db.session() as s:
        service.do_close(s, s.get_one(User, agent.id), service.get_conversation(s, cid, lock=True), "solved")
        s.commit()


def chat(
    world: World,
    agent: Api,
    phone: str,
    replies: list[str],
    *,
    customer: str = "我家从早上开始没气了，怎么回事？",
    rating: str | None = None,
    closed: bool = True,
) -> int:
    """A conversation by SMS: the customer writes, ``agent`` answers each reply 30 s apart, closes it, and the
    customer rates it (1 satisfied, 3 unsatisfied)."""
    cid = int(sms(world, customer, f"gw-{phone}-0", phone)["conversation_id"])
    for text in replies:
        clock.advance(timedelta(seconds=30))
        reply(world, agent, cid, text)
    if closed:
        close(world, agent, cid)
        if rating:
            clock.advance(timedelta(minutes=2))
            sms(world, rating, f"gw-{phone}-r", phone)
    return cid


def _form(api: Api) -> Any:
    return next(f for f in api.ok("get", "/quality/forms") if f["contact_kind"] == "chat")


def _items(form: Any, **deductions: Any) -> list[dict[str, Any]]:
    out = []
    for section in form["sections"]:
        for item in section["items"]:
            got = deductions.get(item["key"], 0)
            out.append({"key": item["key"], "violated": bool(got)} if item["red_line"] else
                       {"key": item["key"], "deduction": got})  # fmt: skip
    return out


def _count(api: Api, path: str) -> int:
    return len(api.ok("get", path))


def test_a_closed_conversation_is_scored_on_the_chat_form(world: World, agent: Api, inspector: Api) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    cid = chat(world, agent, "13900000001", ["您好，请问有什么可以帮您？", "您所在片区在检修，预计下午三点恢复。"])
    form = _form(inspector)
    body = {"conversation_id": cid, "items": _items(form, response=5), "comments": [{"at": 30, "text": "回复稍慢"}]}
    got = inspector.ok("post", "/quality/evaluations", body, 201)
    assert (got["contact"], got["conversation_id"], got["call_id"]) == ("conversation", cid, None)
    assert (got["form_id"], got["agent_id"], got["score"], got["month"]) == (form["id"], agent.id, 95, MONTH)
    # a call's form is refused for a conversation
    inbound = next(f for f in inspector.ok("get", "/quality/forms") if f["contact_kind"] == "inbound_call")
    r = inspector.post("/quality/evaluations", {**body, "form_id": inbound["id"]})
    assert r.status_code == 422 and "chat" in r.text
    assert [e["id"] for e in agent.ok("get", "/quality/evaluations")] == [got["id"]]


def test_an_inspector_never_scores_a_conversation_they_answered(world: World, agent: Api, inspector: Api) -> None:
    both = world.persona("senior", "agent", "qa_inspector")
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    cid = chat(world, agent, "13900000002", ["您好，请问有什么可以帮您？", "请提供户号。"], closed=False)
    clock.advance(timedelta(seconds=20))
    with world.db.session() as s:  # the senior agent answered part of it too (as after a transfer)
        conv = service.get_conversation(s, cid, lock=True)
        service.do_say(s, conv, "agent", "我是另一位客服，继续为您处理。", agent_id=both.id)
        service.do_close(s, None, conv, "solved")
        s.commit()
    r = both.post("/quality/evaluations", {"conversation_id": cid, "items": _items(_form(both))})
    assert r.status_code == 403 and "own conversations" in r.text
    # an inspector who did not answer it scores it, for the agent who wrote most, or for the other one named
    got = inspector.ok("post", "/quality/evaluations", {"conversation_id": cid, "items": _items(_form(inspector))}, 201)
    assert got["agent_id"] == agent.id
    other = inspector.ok(
        "post", "/quality/evaluations",
        {"conversation_id": cid, "agent_id": both.id, "items": _items(_form(inspector))}, 201,
    )  # fmt: skip
    assert other["agent_id"] == both.id
    r = inspector.post("/quality/evaluations", {"conversation_id": cid, "agent_id": inspector.id, "items": []})
    assert r.status_code == 422 and "agent_id" in r.text


def test_phrase_hits_of_the_agents_messages_become_flags_and_suggestions_the_customers_do_not(
    world: World, agent: Api, inspector: Api
) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    cid = chat(
        world, agent, "13900000003",
        ["您好，请问有什么可以帮您？", "不知道，你自己去营业厅问吧。", "这不归我们管，您打别的电话吧。"],
        customer="你们到底懂不懂啊，我不管，我不知道为什么没气！",
    )  # fmt: skip
    bench = inspector.ok("get", f"/quality/conversations/{cid}")
    senders = [m["sender"] for m in bench["messages"]]
    assert senders[0] == "customer" and senders.count("agent") == 3
    assert bench["agent_id"] == agent.id and bench["agent_name"] and bench["state"] == "closed"
    assert bench["first_response_seconds"] == pytest.approx(30, abs=2)
    assert bench["longest_wait_seconds"] == pytest.approx(30, abs=2)
    agent_ids = {m["id"] for m in bench["messages"] if m["sender"] == "agent"}
    phrases = [f for f in bench["flags"] if f["kind"] in ("forbidden", "shirking")]
    assert phrases and all(f["message_id"] in agent_ids for f in phrases)  # never the customer's words
    forbidden = next(f for f in phrases if f["kind"] == "forbidden" and f["verdict"] == "hit")
    said = next(m for m in bench["messages"] if m["id"] == forbidden["message_id"])
    assert said["text"][forbidden["start"] : forbidden["end"]] == "不知道" and forbidden["severity"] == "red_line"
    assert {"forbidden", "shirking"} <= {f["kind"] for f in phrases}
    suggested = {s["key"]: s for s in bench["suggestions"]}
    assert suggested["forbidden"]["violated"] is True and suggested["attitude"]["deduction"] == 2
    assert "response" not in suggested  # answered within the target
    assert bench["form"]["contact_kind"] == "chat" and bench["rating"] is None
    assert bench["messages"][0]["offset"] == 0 and bench["messages"][1]["offset"] >= 30
    assert inspector.get("/quality/conversations/999999").status_code == 404
    assert agent.get(f"/quality/conversations/{cid}").status_code == 403


def test_a_slow_first_reply_suggests_a_deduction_for_response(world: World, agent: Api, inspector: Api) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    cid = int(sms(world, "人工", "gw-slow-0", "13900000004")["conversation_id"])
    clock.advance(timedelta(minutes=3))
    reply(world, agent, cid, "您好，让您久等了。")
    close(world, agent, cid)
    bench = inspector.ok("get", f"/quality/conversations/{cid}")
    assert bench["first_response_seconds"] >= 170
    assert [f["why"] for f in bench["flags"] if f["kind"] == "slow_response"] == ["first_response"]
    assert {s["key"]: s["deduction"] for s in bench["suggestions"]}["response"] == 5


def test_the_draw_takes_red_line_and_unsatisfied_conversations_and_random_ones_per_agent_never_ones_own(
    world: World, agent: Api, agent2: Api, inspector: Api, lead: Api
) -> None:
    both = world.persona("senior", "agent", "qa_inspector")
    clock.set(datetime(2026, 11, 3, 2, 0, tzinfo=UTC))
    red = chat(world, agent, "13900000010", ["不知道，你自己去网上看。"])
    unhappy = chat(world, agent2, "13900000011", ["您好，已为您登记。"], rating="3")
    happy = chat(world, agent2, "13900000012", ["您好，已为您登记。"], rating="1")
    mine = [chat(world, both, f"1390000002{i}", ["您好，请问有什么可以帮您？"]) for i in range(3)]
    theirs = [chat(world, agent, f"1390000003{i}", ["您好，请问有什么可以帮您？"]) for i in range(4)]
    still_open = chat(world, agent2, "13900000040", ["您好"], closed=False)
    plan = lead.ok("get", "/quality/sampling-plan")
    assert (plan["chats_per_agent"], plan["chats_red_line"], plan["chats_unsatisfied"]) == (3, True, True)
    lead.ok("put", "/quality/sampling-plan", {**plan, "per_agent": 0, "per_new_agent": 0, "chats_per_agent": 2})

    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # the month is over: its whole share
    got = lead.ok("post", "/quality/samples/draw", {"month": MONTH})
    assert got["drawn"] == {}
    assert got["drawn_chats"] == {"red_line": 1, "unsatisfied": 1, "random": 5}  # 2 of agent's, 1 of agent2's, 2
    samples = [s for s in lead.ok("get", f"/quality/samples?month={MONTH}") if s["contact"] == "conversation"]
    by_conv = {s["conversation_id"]: s for s in samples}
    assert by_conv[red]["reason"] == "red_line" and "forbidden" in by_conv[red]["flag_kinds"]
    assert by_conv[unhappy]["reason"] == "unsatisfied" and by_conv[unhappy]["channel"] == "sms"
    assert still_open not in by_conv
    randoms = [s for s in samples if s["reason"] == "random"]
    assert sum(s["conversation_id"] in theirs for s in randoms) == 2  # two each, beyond the forced one
    assert sum(s["conversation_id"] in mine for s in randoms) == 2
    assert by_conv.get(happy, {"reason": "random"})["reason"] == "random"  # agent2's only other one
    assert all(s["inspector_id"] != both.id for s in samples if s["conversation_id"] in mine)
    assert all(s["call_id"] is None and s["closed_at"] for s in samples)
    assert lead.ok("post", "/quality/samples/draw", {"month": MONTH})["drawn_chats"] == {}  # nothing new

    # scoring a sample of a conversation closes it
    s = next(s for s in samples if s["inspector_id"] == inspector.id)
    body = {"conversation_id": s["conversation_id"], "sample_id": s["id"], "items": _items(_form(inspector))}
    assert inspector.post("/quality/evaluations", {**body, "conversation_id": still_open}).status_code in (409, 422)
    ev = inspector.ok("post", "/quality/evaluations", body, 201)
    assert ev["sample_id"] == s["id"]
    assert inspector.post("/quality/evaluations", body).status_code == 409
    bench = inspector.ok("get", f"/quality/conversations/{s['conversation_id']}")
    assert [e["id"] for e in bench["evaluations"]] == [ev["id"]] and bench["sample"] is None


def test_the_agent_appeals_a_chat_evaluation_and_the_results_count_it(
    world: World, agent: Api, inspector: Api, lead: Api, manager: Api
) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    cid = chat(world, agent, "13900000050", ["您好，请问有什么可以帮您？"], rating="1")
    ev = inspector.ok(
        "post", "/quality/evaluations", {"conversation_id": cid, "items": _items(_form(inspector), answer=10)}, 201
    )
    assert ev["score"] == 90
    appeal = agent.ok(
        "post", f"/quality/evaluations/{ev['id']}/appeal", {"items": [{"key": "answer", "reason": "按知识库答复"}]}, 201
    )
    decided = lead.ok(
        "post",
        f"/quality/appeals/{appeal['id']}/decide",
        {"items": [{"key": "answer", "deduction": 0}], "note": "成立"},
    )
    assert (decided["score"], decided["original_score"], decided["state"]) == (100, 90, "decided")
    [row] = [r for r in manager.ok("get", f"/quality/results?month={MONTH}") if r["agent_id"] == agent.id]
    assert (row["qa_score"], row["evaluations"], row["chat_evaluations"], row["appeals"]) == (100, 1, 1, 1)


def test_bad_contacts_and_open_conversations_are_refused_and_change_nothing(
    world: World, agent: Api, inspector: Api
) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    closed = chat(world, agent, "13900000060", ["您好"])
    still_open = chat(world, agent, "13900000061", ["您好"], closed=False)
    items = _items(_form(inspector))
    before = _count(inspector, "/quality/evaluations")
    r = inspector.post("/quality/evaluations", {"items": items})
    assert r.status_code == 422 and "call_id or conversation_id" in r.text  # neither
    r = inspector.post("/quality/evaluations", {"call_id": 1, "conversation_id": closed, "items": items})
    assert r.status_code == 422 and "call_id or conversation_id" in r.text  # both
    r = inspector.post("/quality/evaluations", {"conversation_id": still_open, "items": items})
    assert r.status_code == 409 and "still open" in r.text
    assert inspector.post("/quality/evaluations", {"conversation_id": 999999, "items": items}).status_code == 404
    r = inspector.post("/quality/evaluations", {"conversation_id": closed, "items": items[1:]})
    assert r.status_code == 422 and "missing" in r.text
    assert _count(inspector, "/quality/evaluations") == before
