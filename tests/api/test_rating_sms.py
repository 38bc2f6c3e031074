"""Ratings by SMS (issue 15): a closed order's contact is asked through the outbox and the fake gateway;
the reply comes back in the gateway's wire format and rates it. Repeated, late, unmatched and unreadable
replies are kept, never counted twice, never lost."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from huiyin.clock import clock
from huiyin.notify.bulk import opted_out
from huiyin.notify.channels import Gateway
from huiyin.notify.fake_gateway import create_fake_gateway, inbound_message
from huiyin.settings import NotifySettings, Settings, SurveySettings
from huiyin.surveys.invitations import read_reply
from huiyin.surveys.models import Rating, RatingInvitation, SmsReply
from huiyin.worker import Worker
from tests.api.test_cti import STRANGER, integration, pbx  # noqa: F401 (fixtures)
from tests.pbx import Pbx
from tests.personas import Api, World

MOBILE = "13912345678"
INBOUND = "gw-inbound-secret"


@pytest.fixture
def settings(settings: Settings) -> Settings:  # the app's settings, with replies allowed
    surveys = SurveySettings(inbound_token=INBOUND)  # type: ignore[arg-type]
    return settings.model_copy(update={"surveys": surveys})


@pytest.fixture
def gateway() -> Iterator[TestClient]:
    with TestClient(create_fake_gateway(token="gw-secret")) as c:
        yield c


@pytest.fixture
def worker(world: World, settings: Settings, gateway: TestClient) -> Worker:
    notify = NotifySettings(sms_url="http://testserver/sms", gateway_token="gw-secret")  # type: ignore[arg-type]
    return Worker(world.db, settings.model_copy(update={"notify": notify}), gateway=Gateway(notify, client=gateway))


def closed_inquiry(agent: Api, phone: str = MOBILE, **fields: Any) -> dict[str, Any]:
    return agent.register(  # type: ignore[no-any-return]
        type="inquiry",
        category="IQ-BILL",
        description="查询气费",
        close_on_spot=True,
        result="已告知",
        contact_phone=phone,
        **fields,
    )


def reply(client: TestClient, message_id: str, sender: str, text: str, token: str = INBOUND) -> Any:
    body = inbound_message(message_id, sender, text, clock.now())
    return client.post("/api/v1/sms/inbound", json=body, headers={"Authorization": f"Bearer {token}"})


def count(world: World, model: Any) -> int:
    with world.db.session(write=False) as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_a_closed_orders_contact_gets_the_sms_and_the_reply_rates_the_order(
    client: TestClient, agent: Api, world: World, worker: Worker, gateway: TestClient
) -> None:
    order = closed_inquiry(agent)
    worker.deliver(worker.tick())
    [sms] = gateway.get("/messages").json()["messages"]
    assert sms["to"] == MOBILE and "回复1满意 2基本满意 3不满意" in sms["text"]
    assert sms["text"].startswith(SurveySettings().invite_text)  # the customer's text, not a staff template
    assert "/r/" in sms["text"]  # and the rating link (test_rating_link)

    clock.advance(timedelta(minutes=7))
    r = reply(client, "up-1", MOBILE, "1")
    assert r.status_code == 200 and r.json()["outcome"] == "rated" and not r.json()["duplicate"], r.text
    with world.db.session(write=False) as s:
        rating = s.get(Rating, r.json()["rating_id"])
        assert rating is not None
        assert (rating.channel, rating.result, rating.contact, rating.order_id) == (
            "sms",
            "satisfied",
            f"order:{order['id']}",
            order["id"],
        )
        assert (rating.agent_id, rating.unit_id) == (agent.id, order["unit_id"])

    again = reply(client, "up-1", MOBILE, "1")  # the gateway retries the webhook
    assert again.json() == {
        "outcome": "rated",
        "rating_id": r.json()["rating_id"],
        "duplicate": True,
        "conversation_id": None,
    }
    second = reply(client, "up-2", MOBILE, "3")  # the customer changes their mind: kept, not counted
    assert second.json()["outcome"] == "already_rated"
    assert count(world, Rating) == 1 and count(world, SmsReply) == 2


def test_replies_that_rate_nothing_are_kept(client: TestClient, agent: Api, world: World) -> None:
    closed_inquiry(agent)
    assert reply(client, "u1", "13500001111", "1").json()["outcome"] == "unmatched"  # never asked
    assert reply(client, "u2", MOBILE, "谢谢").json()["outcome"] == "unreadable"
    clock.advance(timedelta(hours=49))
    assert reply(client, "u3", MOBILE, "2").json()["outcome"] == "unmatched"  # too late
    assert count(world, Rating) == 0
    with world.db.session(write=False) as s:
        kept = [(r.phone, r.text, r.outcome) for r in s.scalars(select(SmsReply).order_by(SmsReply.id))]
    assert kept == [("13500001111", "1", "unmatched"), (MOBILE, "谢谢", "unreadable"), (MOBILE, "2", "unmatched")]


def test_a_contact_rated_by_the_ivr_or_a_number_asked_today_is_not_asked_again(agent: Api, world: World) -> None:
    first = closed_inquiry(agent)
    closed_inquiry(agent)  # the same number, minutes later: one SMS a day is enough
    other = agent.register(type="inquiry", category="IQ-POLICY", description="阶梯气价", contact_phone="13700001234")
    agent.ok("post", "/ratings", {"order_id": other["id"], "channel": "wechat", "result": "satisfied"}, 201)
    agent.act(other["id"], "close", {"result": "已解释"})  # rated before it was closed: no SMS for it
    closed_inquiry(agent, phone="02367891234")  # a landline: no SMS
    with world.db.session(write=False) as s:
        asked = [(i.order_id, i.phone) for i in s.scalars(select(RatingInvitation))]
    assert asked == [(first["id"], MOBILE)]


@pytest.mark.parametrize("token", [INBOUND + "x", ""])
def test_a_reply_without_the_gateways_token_is_refused_and_nothing_is_kept(
    client: TestClient, agent: Api, world: World, token: str
) -> None:
    closed_inquiry(agent)
    assert reply(client, "up-9", MOBILE, "1", token=token).status_code == 401
    assert count(world, SmsReply) == 0 and count(world, Rating) == 0


@pytest.mark.parametrize(
    ("text", "result"),
    [
        ("1", "satisfied"),
        ("１", "satisfied"),
        (" 2 ", "basically_satisfied"),
        ("3不满意", "unsatisfied"),
        ("满意", "satisfied"),
        ("基本满意", "basically_satisfied"),
        ("非常不满意！", "unsatisfied"),
        ("谢谢", None),
        ("4", None),
        ("", None),
    ],
)
def test_a_reply_reads_as_the_digit_or_the_words(text: str, result: str | None) -> None:
    assert read_reply(text) == result


def test_a_caller_whose_call_registered_no_order_is_asked_after_the_call_and_the_reply_rates_the_call(
    client: TestClient,
    pbx: Pbx,  # noqa: F811
    agent: Api,
    world: World,
    worker: Worker,
    gateway: TestClient,
) -> None:
    plain = pbx.inbound(MOBILE, ["张敏"])  # an inquiry answered on the phone: no order
    pbx.answer(plain, MOBILE, "8001")
    pbx.hangup(plain, MOBILE, "normalClearing")
    with_order = pbx.inbound(STRANGER, ["张敏"])
    pbx.answer(with_order, STRANGER, "8001")
    agent.register(contact_phone=STRANGER, call_id=with_order)  # asked when its order closes, not now
    pbx.hangup(with_order, STRANGER, "normalClearing")
    rated = pbx.answered_call("13700002222", "张敏", talk=30)
    clock.advance(timedelta(minutes=2))
    worker.deliver(worker.tick())
    assert gateway.get("/messages").json()["messages"] == []  # not yet: an order or a key press may come
    with world.db.session() as s:  # the IVR rated the third call meanwhile
        from huiyin.calls.service import call_facts
        from huiyin.surveys.service import contact_of_key, do_rate

        facts = call_facts(s, rated)
        do_rate(
            s,
            contact_of_key(s, f"call:{facts.id}"),
            channel="ivr",
            result="satisfied",
            score=None,
            comment=None,
            at=clock.now(),
            tz="Asia/Shanghai",
        )
    clock.advance(timedelta(minutes=10))
    worker.deliver(worker.tick())
    [sms] = gateway.get("/messages").json()["messages"]
    assert sms["to"] == MOBILE and "回复1满意" in sms["text"]
    clock.advance(timedelta(minutes=5))
    worker.deliver(worker.tick())
    assert len(gateway.get("/messages").json()["messages"]) == 1  # asked once
    r = reply(client, "up-call-1", MOBILE, "2")
    assert r.json()["outcome"] == "rated", r.text
    with world.db.session(write=False) as s:
        rating = s.get(Rating, r.json()["rating_id"])
        assert rating is not None
        assert (rating.contact, rating.channel, rating.result, rating.order_id, rating.agent_id) == (
            f"call:{rating.call_pk}",
            "sms",
            "basically_satisfied",
            None,
            agent.id,
        )
        from huiyin.calls.service import call_facts

        assert rating.call_pk == call_facts(s, plain).id


@pytest.mark.parametrize("text", ["TD", "td", "退订", "Ｔ"])
def test_a_td_reply_opts_the_number_out_of_notices_and_is_not_a_rating(
    client: TestClient, world: World, text: str
) -> None:
    got = reply(client, f"m-td-{text}", MOBILE, text)
    assert got.status_code == 200 and got.json()["outcome"] == "opted_out", got.text
    again = reply(client, f"m-td-{text}", MOBILE, text)
    assert again.json() == {"outcome": "opted_out", "rating_id": None, "duplicate": True, "conversation_id": None}
    with world.db.session(write=False) as s:
        assert opted_out(s, [MOBILE, "13698765432"]) == {MOBILE}
    assert count(world, Rating) == 0
