"""WeChat template messages (issue 19, and issue 18's announcements by WeChat): a follower who bound their
account hears of their order's registration and resolution, of an outage over their area (again when its ETA
moves, and when it is over), and of an announcement sent by WeChat; each once, however often the worker runs.
An account without a template for the kind skips it; an unsubscribed follower fails for good and gets no more.
The fake WeChat (``huiyin.channels.fake_wechat``) serves WeChat's template API."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from huiyin.channels import notices
from huiyin.channels.models import ChannelContact, WechatNotice, WechatNoticeRound
from huiyin.clock import now
from huiyin.settings import Settings
from huiyin.worker import Worker
from tests.api.test_outages import outage, run_rounds
from tests.api.test_wechat_channel import integration
from tests.personas import Api, World
from tests.unit.test_wechat_adapter import Served, fake  # noqa: F401 (the fake's API, served)

TEMPLATES = {"order": "TPL_order_progress_01", "outage": "TPL_outage_notice_01", "announcement": "TPL_notice_01"}


def bind(world: World, openid: str, customer_id: int | None, account_id: int) -> int:
    with world.db.session() as s:
        c = ChannelContact(
            channel="wechat",
            account_id=account_id,
            address=openid,
            customer_id=customer_id,
            subscribed=True,
            bound_at=now() if customer_id else None,
            created_at=now(),
        )
        s.add(c)
        s.flush()
        return c.id


@pytest.fixture
def account(admin: Api, fake: Served) -> Any:  # noqa: F811
    acc = integration(admin, api_base=fake.url)
    return admin.ok("put", "/channels/wechat-accounts/yuzhou/templates", TEMPLATES) | {"id": acc["id"]}


def run_worker(world: World, settings: Settings) -> None:
    worker = Worker(world.db, settings)
    while worker.notices_batch():
        pass


def sent(fake: Served, openid: str) -> list[dict[str, Any]]:  # noqa: F811
    return [m for m in fake.get("/_templates") if m["touser"] == openid]


def notice_rows(world: World) -> list[WechatNotice]:
    with world.db.session(write=False) as s:
        return list(s.scalars(select(WechatNotice).order_by(WechatNotice.id)))


def test_a_bound_follower_hears_their_order_registered_and_resolved_once_each(
    world: World, agent: Api, unit_worker: Api, account: Any, fake: Served, settings: Settings  # noqa: F811
) -> None:
    assert account["templates"] == TEMPLATES
    bind(world, "o_wang", world.customer_id, account["id"])
    bind(world, "o_stranger", None, account["id"])  # follows, never bound: hears nothing of orders
    order = agent.register(customer_id=world.customer_id)
    agent.register(customer_id=world.customer_b_id)  # another customer's order
    run_worker(world, settings)
    got = sent(fake, "o_wang")
    assert len(got) == 1 and got[0]["template_id"] == TEMPLATES["order"]
    assert got[0]["data"]["keyword1"]["value"] == order["number"]
    assert got[0]["data"]["keyword3"]["value"] == "已受理"
    unit_worker.act(order["id"], "accept")
    unit_worker.act(order["id"], "resolve", {"result": "更换调压阀，已恢复供气"})
    run_worker(world, settings)
    run_worker(world, settings)  # nothing twice
    got = sent(fake, "o_wang")
    assert [m["data"]["keyword3"]["value"] for m in got] == ["已受理", "已处理完毕"]
    assert sent(fake, "o_stranger") == []
    assert {n.state for n in notice_rows(world)} == {"sent"}


def test_an_outage_reaches_the_followers_of_its_areas_again_when_its_eta_moves_and_when_it_is_over(
    world: World, dispatcher: Api, account: Any, fake: Served, settings: Settings  # noqa: F811
) -> None:
    bind(world, "o_in_area", world.customer_id, account["id"])  # area A
    bind(world, "o_elsewhere", world.customer_b_id, account["id"])  # area B
    o = outage(dispatcher, world)
    run_rounds(world, settings)
    run_worker(world, settings)
    run_worker(world, settings)
    got = sent(fake, "o_in_area")
    assert len(got) == 1 and got[0]["template_id"] == TEMPLATES["outage"]
    assert "中压管道被第三方施工挖断" in got[0]["data"]["keyword1"]["value"]
    assert sent(fake, "o_elsewhere") == []
    dispatcher.ok("patch", f"/outages/{o['id']}", {"eta": (now() + timedelta(hours=6)).isoformat()})
    run_worker(world, settings)
    assert len(sent(fake, "o_in_area")) == 2  # the new ETA
    dispatcher.ok("post", f"/outages/{o['id']}/restore", {"result": "已更换受损管段，恢复供气"})
    run_rounds(world, settings)
    run_worker(world, settings)
    run_worker(world, settings)
    got = sent(fake, "o_in_area")
    assert len(got) == 3 and got[-1]["data"]["first"]["value"].startswith("您好，您所在区域的供应已恢复")
    assert sent(fake, "o_elsewhere") == []
    with world.db.session(write=False) as s:
        keys = sorted(s.scalars(select(WechatNoticeRound.key)))
    assert len(keys) == 3 and keys[-1] == f"outage:{o['id']}:restored"


def test_an_announcement_by_wechat_only_reaches_the_bound_followers_and_counts_its_deliveries(
    world: World, dispatcher: Api, account: Any, fake: Served, settings: Settings  # noqa: F811
) -> None:
    bind(world, "o_in_area", world.customer_id, account["id"])
    bind(world, "o_elsewhere", world.customer_b_id, account["id"])
    body = {"audience": {"area_ids": [world.area_a.id]}, "text": "龙溪片区12月10日夜间管网检修，请提前储水。"}
    a = dispatcher.ok("post", "/announcements", {**body, "channels": ["wechat"]}, 201)
    assert a["channel"] == "wechat" and a["state"] == "sent"  # no SMS lane to wait for
    run_worker(world, settings)
    got = sent(fake, "o_in_area")
    assert len(got) == 1 and got[0]["data"]["keyword1"]["value"] == body["text"]
    assert sent(fake, "o_elsewhere") == []
    listed = dispatcher.ok("get", "/announcements")["items"][0]
    assert listed["deliveries"] == {"wechat_sent": 1}
    both = dispatcher.ok("post", "/announcements", {**body, "channels": ["sms", "wechat"]}, 201)
    assert both["channel"] == "sms+wechat" and both["state"] == "queued"


def test_a_bad_announcement_channel_is_refused_and_nothing_is_stored(
    world: World, dispatcher: Api, account: Any
) -> None:
    body = {"audience": {"area_ids": [world.area_a.id]}, "text": "测试"}
    dispatcher.ok("post", "/announcements", {**body, "channels": ["fax"]}, 422)
    dispatcher.ok("post", "/announcements", {**body, "channels": []}, 422)
    assert dispatcher.ok("get", "/announcements")["items"] == []


def test_without_a_template_the_kind_is_skipped_and_an_unsubscribed_follower_fails_for_good(
    world: World, agent: Api, admin: Api, account: Any, fake: Served, settings: Settings  # noqa: F811
) -> None:
    admin.ok("put", "/channels/wechat-accounts/yuzhou/templates", {"outage": TEMPLATES["outage"]})
    contact = bind(world, "o_wang", world.customer_id, account["id"])
    agent.register(customer_id=world.customer_id)
    run_worker(world, settings)
    rows = notice_rows(world)
    assert [(n.state, n.error) for n in rows] == [("skipped", "公众号未配置此类模板消息的模板ID")]
    assert sent(fake, "o_wang") == []
    admin.ok("put", "/channels/wechat-accounts/yuzhou/templates", TEMPLATES)
    fake.post("/_users", json={"openid": "o_wang", "subscribed": False})
    agent.register(customer_id=world.customer_id, description="又没气了")
    run_worker(world, settings)
    last = notice_rows(world)[-1]
    assert last.state == "failed" and last.error is not None and "43004" in last.error
    with world.db.session(write=False) as s:
        assert s.get_one(ChannelContact, contact).subscribed is False
        assert notices.followers_of(s, [world.customer_id]) == []  # no more template messages to them


def test_template_ids_are_checked_and_a_missing_account_is_404(admin: Api, account: Any) -> None:
    admin.ok("put", "/channels/wechat-accounts/yuzhou/templates", {"order": "has spaces"}, 422)
    admin.ok("put", "/channels/wechat-accounts/nobody/templates", TEMPLATES, 404)
    assert admin.ok("get", "/channels/accounts")[0]["templates"] == TEMPLATES


def test_a_follower_of_the_only_account_0_is_told_through_the_wechat_account(
    world: World, agent: Api, dispatcher: Api, account: Any, fake: Served, settings: Settings  # noqa: F811
) -> None:
    bind(world, "o_zero", world.customer_id, 0)  # a contact filed under "the only account" (0), as the demo's are
    agent.register(customer_id=world.customer_id)  # the registration itself must not fail on it
    outage(dispatcher, world)
    run_rounds(world, settings)
    run_worker(world, settings)
    assert [m["template_id"] for m in sent(fake, "o_zero")] == [TEMPLATES["order"], TEMPLATES["outage"]]
    assert {n.account_id for n in notice_rows(world)} == {account["id"]}
