"""在线客服 (the written channels' inbox) in one story, in zh-CN, with conversations made the way customers make them:
a bound follower's messages posted to the official account's callback as WeChat posts them (signed), and texts to
the centre's number posted by the SMS gateway (``POST /api/v1/sms/inbound``), the bot answering first and "人工"
handing each to the agents' queue. The agent sees them in 排队中 (longest wait first), takes one (接入),
answers it, inserts a quick reply from the knowledge base, registers an order from it (its number appears and
links to the order, whose page links back under 来源会话), transfers another conversation to agent02 (who finds
it in 我的会话), ends the first (the rating invitation appears in the thread), and a customer's ``<script>`` shows as
text."""

from __future__ import annotations

import hashlib
import itertools
import re
import sqlite3
import time
from datetime import UTC, datetime
from typing import Any

import httpx

from tests.browser.conftest import Desk, Server, pick, whole_phones

INBOUND = "browser-gw"  # HUIYIN_SURVEYS__INBOUND_TOKEN of the browser tests' server (conftest.py)
XSS = "<script>window.__chatXss = 1</script><b>粗体</b>"
_gid = itertools.count(1)


def _sms(server: Server, phone: str, text: str) -> int:
    """A customer's text as the SMS gateway posts it; the conversation it went to."""
    r = httpx.post(
        f"{server.base}/api/v1/sms/inbound",
        json={"id": f"browser-chat-{next(_gid)}", "from": phone, "text": text},
        headers={"Authorization": f"Bearer {INBOUND}"},
        timeout=20,
    )
    assert r.status_code == 200, r.text
    conversation_id = r.json()["conversation_id"]
    assert conversation_id, r.json()
    return int(conversation_id)


DEMO_WECHAT_TOKEN = "yuzhoudemo"  # huiyin/demo/channels.py: the 渝州能源 official account "yuzhou"
_msg_id = itertools.count(6_100_000_000_000_000_001)


def _bind_follower(server: Server, openid: str, customer_id: int) -> None:
    """A follower who bound their WeChat to the customer (the binding itself is tested in test_wechat_channel)."""
    at = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(server.db_url.removeprefix("sqlite:///"), timeout=30) as db:
        (account,) = db.execute("SELECT id FROM channel_accounts WHERE kind = 'wechat' AND name = 'yuzhou'").fetchone()
        db.execute(
            "INSERT INTO channel_contacts (channel, account_id, address, customer_id, subscribed, bound_at, created_at)"
            " VALUES ('wechat', ?, ?, ?, 1, ?, ?)",
            (account, openid, customer_id, at, at),
        )


def _wechat(server: Server, openid: str, text: str) -> None:
    """A follower's text message as WeChat posts it to the callback URL (plain mode, signed with the token)."""
    timestamp, nonce = str(int(time.time())), str(next(_msg_id) % 10**9)
    signature = hashlib.sha1("".join(sorted([DEMO_WECHAT_TOKEN, timestamp, nonce])).encode()).hexdigest()
    xml = (
        f"<xml><ToUserName><![CDATA[gh_yuzhou]]></ToUserName><FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{timestamp}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{text}]]></Content><MsgId>{next(_msg_id)}</MsgId></xml>"
    )
    r = httpx.post(
        f"{server.base}/api/v1/channels/wechat/yuzhou",
        params={"signature": signature, "timestamp": timestamp, "nonce": nonce},
        content=xml.encode(),
        timeout=20,
    )
    assert r.status_code == 200, r.text


def _wechat_to_queue(server: Server, openid: str, customer_id: int, first: str) -> int:
    """A follower writes to the official account (the bot answers in the reply) and asks for a person."""
    _wechat(server, openid, first)
    _wechat(server, openid, "人工")
    with server.apis("agent") as (api,):
        for _ in range(100):  # the worker may take the messages in, not the callback
            queued = api.get("/conversations", params={"state": "queued"}).json()["items"]
            found = [c for c in queued if c["channel"] == "wechat" and c["customer_id"] == customer_id]
            if found:
                assert found[0]["handoff_reason"] == "asked", found[0]
                return int(found[0]["id"])
            time.sleep(0.2)
    raise AssertionError("the follower's conversation did not reach the queue")


def _quiet_router(server: Server) -> None:
    """No agent's phone seat left ready by an earlier test: the router would give the queued conversations to them
    before the agent of this test takes them from the queue."""
    with server.apis("duty_manager") as (manager,):
        board = manager.get("/agents/board").json()["agents"]
    for a in board:
        if a["state"] == "ready":
            with server.apis(a["username"]) as (seat,):
                r = seat.put("/agents/me/state", json={"state": "not_ready", "reason": "training"})
                assert r.status_code == 200, r.text


def _customer(server: Server) -> tuple[dict[str, Any], str]:
    """A demo customer with an area and open orders, and one of their numbers whole (their texts come from it)."""
    with server.apis("admin") as (admin,):
        orders = admin.get("/work-orders", params={"page_size": 200, "state": "dispatched"}).json()["items"]
        for cid in dict.fromkeys(o["customer_id"] for o in orders if o["customer_id"]):
            c = admin.get(f"/customers/{cid}").json()
            if c["area_id"] and c["phones"]:
                return dict(c), whole_phones(admin, cid)[0]
    raise AssertionError("the demo city should have customers with orders")


def _to_queue(server: Server, phone: str, first: str) -> int:
    """A customer writes to the centre (the bot answers) and asks for a person: the conversation waits in the queue."""
    cid = _sms(server, phone, first)
    assert _sms(server, phone, "人工") == cid
    with server.apis("agent") as (api,):
        conv = api.get(f"/conversations/{cid}").json()
    assert conv["state"] == "queued" and conv["handoff_reason"] == "asked", conv
    return cid


def _item(page: Any, kind: str, cid: int) -> Any:
    return page.locator(f"[data-test=conv-list-{kind}] [data-test=conv-item][data-id='{cid}']")


def _open_tab(page: Any, kind: str) -> None:
    page.get_by_test_id(f"tab-{kind}").click()
    page.get_by_test_id(f"conv-list-{kind}").wait_for()


def test_the_agent_takes_answers_quick_replies_registers_transfers_and_closes_conversations(
    desk: Any, server: Server
) -> None:
    with server.apis("duty_manager", "agent") as (manager, api):
        conf = manager.get("/bot/settings").json()
        r = manager.put("/bot/settings", json={**conf, "mode": "always"})  # every text starts with the bot
        assert r.status_code == 200, r.text
        kb = api.get("/kb/search", params={"q": "过户"}).json()["items"]
    assert kb, "the demo knowledge base should answer 过户"
    _quiet_router(server)
    customer, _phone = _customer(server)
    _bind_follower(server, "o_browser_chat_follower", customer["id"])
    first = _wechat_to_queue(
        server, "o_browser_chat_follower", customer["id"], "你好，我家燃气灶打不着火，整栋楼好像都没气了"
    )
    second = _to_queue(server, "13800990001", "请问过户需要带什么材料")
    third = _to_queue(server, "13800990002", XSS)

    # --- the agent's inbox: the queue, longest wait first, with the figures on top
    d: Desk = desk("agent")
    page = d.go("/chat")
    page.get_by_test_id("chat-page").wait_for()
    menu = page.get_by_test_id("menu")
    assert menu.locator("[data-menu=chat]").inner_text().strip() == "在线客服"
    _open_tab(page, "queue")
    for cid in (first, second, third):
        _item(page, "queue", cid).wait_for()
    ids = [
        int(x)
        for x in page.locator("[data-test=conv-list-queue] [data-test=conv-item]").evaluate_all(
            "els => els.map(e => e.dataset.id)"
        )
    ]
    assert ids.index(first) < ids.index(second) < ids.index(third)  # longest wait first
    assert int(page.get_by_test_id("stat-queued").get_attribute("data-n")) >= 3
    assert "我的会话 0/3" in page.get_by_test_id("stat-mine").inner_text()
    row = _item(page, "queue", first)
    assert customer["name"] in row.inner_text() and "微信公众号" in row.inner_text()
    assert "客户要求人工" in row.inner_text()
    d.shot("chat-queue")

    # --- 接入: the first customer's conversation becomes the agent's, with the customer panel
    row.get_by_test_id("conv-accept").click()
    head = page.locator(f"[data-test=conv-head][data-id='{first}'][data-state=assigned]")
    head.wait_for()
    _item(page, "mine", first).wait_for()
    assert "我的会话 1/3" in page.get_by_test_id("stat-mine").inner_text()
    side = page.get_by_test_id("customer-side")
    assert side.get_attribute("data-customer") == str(customer["id"])
    assert side.get_by_test_id("customer-name").inner_text() == customer["name"]
    assert side.get_by_test_id("fact-handoff").inner_text() == "客户要求人工"
    assert side.get_by_test_id("fact-channel").inner_text() == "微信公众号"
    thread = page.get_by_test_id("thread")
    assert thread.locator("[data-sender=customer]").first.inner_text().startswith("你好，我家燃气灶打不着火")
    bot = thread.locator("[data-test=msg][data-sender=bot]")
    assert bot.count() >= 1
    assert thread.get_by_test_id("bot-mark").first.inner_text() == "机器人"

    # --- an answer: Enter sends, Shift+Enter is a new line
    box = page.get_by_test_id("composer-input")
    box.fill("您好，我是回音客服。")
    box.press("Shift+Enter")
    box.press_sequentially("请问您的地址是？")
    assert page.get_by_test_id("composer-count").inner_text() == "19 / 2000"
    box.press("Enter")
    mine = thread.locator("[data-test=msg][data-sender=agent]")
    mine.first.wait_for()
    assert mine.first.get_by_test_id("msg-text").inner_text() == "您好，我是回音客服。\n请问您的地址是？"
    assert box.input_value() == ""

    # --- 快捷回复: the knowledge base's article text, inserted and sent
    page.get_by_test_id("quick-replies").click()
    search = page.locator("[data-test=quick-panel] input[data-test=quick-search]")
    search.fill("过户")
    hit = page.locator(f"[data-test=quick-hit][data-id='{kb[0]['id']}'][data-source='{kb[0]['source']}']")
    hit.wait_for()
    assert hit.locator("mark").count() >= 1  # the 【】-marked words highlighted
    d.shot("chat-quick-replies")
    with server.apis("agent") as (api,):
        article = api.get(f"/kb/articles/{kb[0]['id']}").json() if kb[0]["source"] == "article" else None
    hit.click()
    expected = (article["live"] or article["latest"])["body"] if article else None
    page.wait_for_function("() => document.querySelector('textarea[data-test=composer-input]').value.length > 0")
    if expected:
        assert box.input_value() == expected
    page.get_by_test_id("composer-send").click()
    page.wait_for_function(
        "n => document.querySelectorAll('[data-test=thread] [data-test=msg][data-sender=agent]').length >= n", arg=2
    )

    # --- 登记工单: the description prefilled from the customer's words; the number links to the order
    page.get_by_test_id("act-register").click()
    dialog = page.get_by_test_id("register-dialog")
    dialog.wait_for()
    description = dialog.get_by_test_id("register-description").input_value()
    assert description.startswith("你好，我家燃气灶打不着火") and "人工" not in description
    dialog.locator("[data-test=register-type] [data-type=repair]").click()
    box_cat = dialog.locator(".rd-category input")
    pick(box_cat, page.locator(".chat-category-popper [data-code='RP-GAS-NOGAS']"), typed="无气")
    d.shot("chat-register")
    page.get_by_test_id("register-submit").click()
    link = page.get_by_test_id("conv-order-link")
    link.wait_for()
    number = link.inner_text()
    assert re.fullmatch(r"[A-Z]*\d+", number), number
    href = link.get_attribute("href")
    order_id = int(href.rsplit("/", 1)[1])
    with server.apis("agent") as (api,):
        order = api.get(f"/work-orders/{order_id}").json()
        conv = api.get(f"/conversations/{first}").json()
    assert order["number"] == number and order["channel"] == "wechat" and order["customer_id"] == customer["id"]
    assert order["category"] == "RP-GAS-NOGAS" and conv["order_id"] == order_id
    thread.locator("[data-test=msg][data-sender=system]", has_text=f"已为您登记工单{number}").wait_for()
    d.shot("chat-thread")
    d.check_clean()

    # --- the order's page: 来源会话 links back to the conversation
    order_page = d.go(f"/orders/{order_id}")
    card = order_page.get_by_test_id("order-conversations")
    card.wait_for()
    back = card.locator(f"[data-test=order-conversation][data-id='{first}'] [data-test=order-conversation-link]")
    assert back.get_attribute("href") == f"/chat?conversation={first}"
    d.shot("chat-order-source")
    back.click()
    page.locator(f"[data-test=conv-head][data-id='{first}']").wait_for()

    # --- 转接: the second conversation, taken, then handed to agent02
    _open_tab(page, "queue")
    _item(page, "queue", second).get_by_test_id("conv-accept").click()
    page.locator(f"[data-test=conv-head][data-id='{second}'][data-state=assigned]").wait_for()
    page.get_by_test_id("act-transfer").click()
    tdialog = page.get_by_test_id("transfer-dialog")
    tdialog.wait_for()
    pick(tdialog.get_by_test_id("transfer-agent"), page.locator(".chat-transfer-popper [data-username=agent02]"))
    tdialog.get_by_test_id("transfer-note").fill("客户咨询过户，请跟进")
    page.get_by_test_id("transfer-submit").click()
    tdialog.wait_for(state="hidden")
    page.get_by_test_id("thread").locator("[data-sender=system]", has_text="已为您转接客服").wait_for()
    with server.apis("agent02") as (api02,):
        me02 = api02.get("/me").json()
        moved = api02.get(f"/conversations/{second}").json()
    assert moved["agent_id"] == me02["id"] and moved["state"] == "assigned"
    assert page.get_by_test_id("act-transfer").count() == 0  # agent02's now: the agent only reads it
    colleague: Desk = desk("agent02")
    p2 = colleague.go("/chat")
    theirs = _item(p2, "mine", second)
    theirs.wait_for()
    assert theirs.get_by_test_id("conv-unread").is_visible()  # not opened yet
    assert theirs.get_by_test_id("conv-awaiting").is_visible()  # the customer's question still unanswered
    assert theirs.get_by_test_id("conv-wait").inner_text().startswith("等待")
    theirs.click()
    p2.locator(f"[data-test=conv-head][data-id='{second}'][data-state=assigned]").wait_for()
    note = p2.get_by_test_id("thread").locator("[data-sender=system]", has_text="已为您转接客服")
    note.wait_for()
    assert theirs.get_by_test_id("conv-unread").count() == 0
    colleague.shot("chat-transferred")
    colleague.check_clean()

    # --- a manager reads any conversation (another agent's too) and may step in
    manager_desk: Desk = desk("duty_manager")
    pm = manager_desk.go(f"/chat?conversation={second}")
    pm.locator(f"[data-test=conv-head][data-id='{second}']").wait_for()
    assert "您作为经理可介入" in pm.get_by_test_id("composer-hint").inner_text()
    assert pm.get_by_test_id("act-transfer").is_visible()
    manager_desk.check_clean()

    # --- the customer's <script> is text
    _open_tab(page, "queue")
    _item(page, "queue", third).click()
    page.locator(f"[data-test=conv-head][data-id='{third}'][data-state=queued]").wait_for()
    texts = page.locator("[data-test=thread] [data-sender=customer] [data-test=msg-text]").all_inner_texts()
    assert XSS in texts
    assert page.evaluate("() => window.__chatXss") is None
    assert page.locator("[data-test=thread] script, [data-test=thread] b").count() == 0
    assert "发送即接入此会话" in page.get_by_test_id("composer-hint").inner_text()

    # --- 结束会话: the first, solved; the rating invitation in the thread
    _open_tab(page, "mine")
    _item(page, "mine", first).click()
    page.locator(f"[data-test=conv-head][data-id='{first}']").wait_for()
    page.get_by_test_id("act-close").click()
    cdialog = page.get_by_test_id("close-dialog")
    cdialog.wait_for()
    assert cdialog.locator("[data-reason=order] input").is_checked()  # an order registered: the default reason
    cdialog.locator("[data-reason=solved]").click()
    page.get_by_test_id("close-submit").click()
    page.locator(f"[data-test=conv-head][data-id='{first}'][data-state=closed]").wait_for()
    page.get_by_test_id("thread").locator("[data-sender=system]", has_text="请您评价").wait_for()
    assert page.get_by_test_id("composer-input").is_disabled()
    _open_tab(page, "closed")
    _item(page, "closed", first).wait_for()
    d.shot("chat-closed")
    d.check_clean()

    # --- the page in English
    english: Desk = desk("agent", locale="en")
    pe = english.go(f"/chat?conversation={first}")
    pe.locator(f"[data-test=conv-head][data-id='{first}'][data-state=closed]").wait_for()
    assert pe.get_by_test_id("tab-queue").inner_text().startswith("Queue")
    assert pe.get_by_test_id("fact-channel").inner_text() == "WeChat"
    assert pe.get_by_test_id("fact-handoff").inner_text() == "Customer asked for a person"
    english.shot("chat-english")
    english.check_clean()
