"""服务型网站 (/m): a customer on a phone (390x844) in one story, with no staff sign-in. They sign in with their
mobile number and the SMS code (read from the server's outbox), report 没气 with a photo and the place and see
the order's number, follow it under 进度, see the outage of their area, ask the bot a FAQ question, tap 转人工 and
read the agent's answer (the agent answers through the staff API), type a ``<script>`` that shows as text, and
rate an inquiry that was closed on the spot for their number."""

from __future__ import annotations

import json
import re
import struct
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import SHOTS, Server, _is_bug, whole_phones

XSS = "<script>window.__selfXss = 1</script><b>粗体</b>"
FAQ_QUESTION = "燃气费可以通过哪些方式缴纳？"
RAW_KEY = re.compile(r"\bselfService\.[a-zA-Z_.-]+")


def _png(width: int = 48, height: int = 36) -> bytes:
    """A small real PNG (a blue picture), as a phone's camera would give a JPEG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes((30, 110, 200)) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


def _customer(server: Server) -> tuple[dict[str, Any], str, bool]:
    """A demo customer with a mobile number, in the area of a live outage when there is one; their number whole;
    whether an outage is live in their area."""
    with server.apis("agent") as (agent,):
        live = [o for o in agent.get("/outages").json()["items"] if o["state"] in ("announced", "active")]
        outage_areas = {a for o in live for a in o["area_ids"]}
        orders = agent.get("/work-orders", params={"page_size": 200}).json()["items"]
        ids = list(dict.fromkeys(o["customer_id"] for o in orders if o["customer_id"]))
        fallback: dict[str, Any] | None = None
        for cid in reversed(ids):  # from the end: customers other tests are less likely to pick
            c = agent.get(f"/customers/{cid}").json()
            if not c["address"] or not any(p.startswith("1") for p in c["phones"]):
                continue
            if c["area_id"] in outage_areas:
                return c, _mobile(agent, cid), True
            fallback = fallback or c
        assert fallback, "the demo city should have customers with a mobile number"
        return fallback, _mobile(agent, fallback["id"]), False


def _mobile(http: httpx.Client, customer_id: int) -> str:
    """A customer's mobile number whole (read through the audited reveal, as a user does)."""
    return next(p for p in whole_phones(http, customer_id) if re.fullmatch(r"1[3-9]\d{9}", p))


def _sms_code(server: Server, phone: str) -> str:
    """The newest sign-in code texted to ``phone`` (the outbox row the SMS gateway would send)."""
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT payload FROM outbox WHERE address = :phone AND dedupe_key LIKE 'code:%' ORDER BY id DESC"),
                {"phone": phone},
            )
            payload = rows.scalars().first()
    finally:
        engine.dispose()
    assert payload is not None, f"no code was texted to {phone}"
    body = payload if isinstance(payload, dict) else json.loads(payload)
    m = re.search(r"验证码是(\d{6})", body["text"])
    assert m, body["text"]
    return m.group(1)


@pytest.fixture
def phone_tab(server: Server, browser: Any) -> Iterator[tuple[Any, list[str]]]:
    """A phone-sized tab with no session (no staff cookie, no customer token), allowed to locate itself."""
    ctx = browser.new_context(
        viewport={"width": 390, "height": 844},
        locale="zh-CN",
        base_url=server.base,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        geolocation={"latitude": 29.5546, "longitude": 106.5321},
        permissions=["geolocation"],
    )
    ctx.add_init_script("localStorage.getItem('huiyin.locale') || localStorage.setItem('huiyin.locale', 'zh-CN')")
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if _is_bug(m) else None)
    yield page, errors
    ctx.close()


def _shot(page: Any, name: str, *, full: bool = False) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=full)


def _clean(page: Any, errors: list[str]) -> None:
    """No uncaught error, no missing translation, no raw key on screen, no staff menu."""
    assert not errors, errors
    missing = page.evaluate("() => window.__i18nMissing || []")
    assert not missing, missing
    assert not RAW_KEY.findall(page.inner_text("body"))
    assert page.get_by_test_id("menu").count() == 0


def _field(page: Any, test_id: str) -> Any:
    """An el-input's own <input> or <textarea> (Element Plus puts the data-test attribute there)."""
    return page.get_by_test_id(test_id)


def _sign_in(page: Any, server: Server, phone: str) -> None:
    page.goto("/m")
    expect(page).to_have_url(re.compile(r"/m/login$"))  # the customer's own sign-in, not the staff one
    expect(page.get_by_test_id("self-brand")).to_have_text("渝州能源 · 回音服务")
    expect(page.get_by_test_id("self-tabs")).to_have_count(0)
    _field(page, "self-phone").fill("12345")
    page.get_by_test_id("self-send-code").click()
    expect(page.get_by_test_id("self-login-error")).to_have_text("请输入正确的11位手机号")

    _field(page, "self-phone").fill(phone)
    page.get_by_test_id("self-send-code").click()
    expect(page.get_by_test_id("self-code-sent")).to_contain_text(f"{phone[:3]}****{phone[-4:]}")
    button = page.get_by_test_id("self-send-code")
    expect(button).to_be_disabled()
    expect(button).to_contain_text("秒后重发")
    assert 50 <= int(button.get_attribute("data-left")) <= 60
    _shot(page, "self-login")

    _field(page, "self-code").fill("000000" if _sms_code(server, phone) != "000000" else "111111")
    page.get_by_test_id("self-login-submit").click()
    expect(page.get_by_test_id("self-login-error")).to_have_text("验证码错误，还可再试 4 次")
    _shot(page, "self-login-wrong-code")

    _field(page, "self-code").fill(_sms_code(server, phone))
    page.get_by_test_id("self-login-submit").click()
    expect(page).to_have_url(re.compile(r"/m$"))
    assert page.evaluate("localStorage.getItem('huiyin.self.token')")


def _agent_answers(server: Server, token: str, words: str) -> int:
    """The customer's conversation, taken from the queue and answered by an agent through the staff API."""
    r = httpx.get(f"{server.base}/api/v1/self/chat", headers={"X-Self-Token": token}, timeout=20)
    assert r.status_code == 200, r.text
    conversation_id = r.json()["conversation_id"]
    assert conversation_id
    with server.apis("agent12", "duty_manager") as (agent, manager):
        conv = agent.get(f"/conversations/{conversation_id}").json()
        assert conv["state"] in ("queued", "assigned"), conv
        if conv["state"] == "queued":
            r = agent.post(f"/conversations/{conversation_id}/accept")
            assert r.status_code == 200, r.text
        # the router may have given it to a ready agent already: their manager answers then
        who = (
            agent
            if agent.get(f"/conversations/{conversation_id}").json()["agent_id"] == agent.get("/me").json()["id"]
            else manager
        )
        r = who.post(f"/conversations/{conversation_id}/messages", json={"text": words})
        assert r.status_code == 201, r.text
    return int(conversation_id)


def test_a_customer_reports_follows_chats_and_rates_on_a_phone(server: Server, phone_tab: Any) -> None:
    page, errors = phone_tab
    with server.apis("duty_manager") as (manager,):
        conf = manager.get("/bot/settings").json()
        r = manager.put("/bot/settings", json={**conf, "mode": "always"})  # the bot answers first, whatever the hour
        assert r.status_code == 200, r.text
    customer, phone, outage_here = _customer(server)

    # --- the staff app is untouched: a staff page still asks for the staff sign-in
    page.goto("/orders")
    expect(page).to_have_url(re.compile(r"/login\?redirect="))

    # --- 登录
    _sign_in(page, server, phone)

    # --- 首页: the greeting, the shortcuts, the outage of my area
    home = page.get_by_test_id("self-home")
    expect(home).to_be_visible()
    expect(page.get_by_test_id("self-greeting")).to_contain_text(customer["name"])
    expect(page.get_by_test_id("self-me-phone")).to_have_text(f"{phone[:3]}****{phone[-4:]}")
    for s in ("report", "orders", "outages", "chat", "faq"):
        expect(page.get_by_test_id(f"self-shortcut-{s}")).to_be_visible()
    expect(page.get_by_test_id("self-tabs")).to_be_visible()
    assert page.get_by_test_id("self-tabs").locator("a").all_inner_texts() == ["首页", "报修", "进度", "客服"]
    if outage_here:
        expect(page.get_by_test_id("self-outage-banner").first).to_be_visible()
    _shot(page, "self-home")
    _shot(page, "self-home-full", full=True)
    _clean(page, errors)

    # --- 报修: 闻到燃气味 shows the safety steps first; then 没气 with a photo and the place
    page.get_by_test_id("self-shortcut-report").click()
    expect(page.get_by_test_id("self-kind-no-gas")).to_be_visible()
    _shot(page, "self-report-kinds")
    page.get_by_test_id("self-kind-gas-leak").click()
    safety = page.get_by_test_id("self-safety")
    expect(safety).to_contain_text("立即关闭燃气总阀")
    expect(safety).to_contain_text("开窗通风")
    expect(safety).to_contain_text("不要开关电器")
    expect(safety.get_by_test_id("self-safety-call")).to_have_attribute("href", "tel:96777")
    expect(page.get_by_test_id("self-report-submit")).to_be_enabled()  # it may still be submitted
    _shot(page, "self-report-gas-leak")
    page.get_by_test_id("self-change-kind").click()
    page.get_by_test_id("self-kind-no-gas").click()
    expect(page.get_by_test_id("self-safety")).to_have_count(0)
    expect(page.get_by_test_id("self-chosen-kind")).to_have_attribute("data-kind", "no-gas")
    expect(_field(page, "self-address")).to_have_value(customer["address"])  # prefilled from /self/me

    page.get_by_test_id("self-report-submit").click()
    expect(page.get_by_test_id("self-report-error")).to_have_text("请填写问题描述")
    _field(page, "self-description").fill("早上起来灶具打不着火，整栋楼好像都没气了")
    page.get_by_test_id("self-locate").click()
    expect(page.get_by_test_id("self-located")).to_contain_text("29.55460")
    page.get_by_test_id("self-photo-input").set_input_files(
        [{"name": "meter.png", "mimeType": "image/png", "buffer": _png()}]
    )
    expect(page.get_by_test_id("self-photo")).to_have_count(1)
    page.get_by_test_id("self-photo-input").set_input_files(
        [{"name": "note.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4"}]
    )
    expect(page.get_by_test_id("self-photo-error")).to_contain_text("JPG")
    expect(page.get_by_test_id("self-photo")).to_have_count(1)
    _shot(page, "self-report-form", full=True)
    page.get_by_test_id("self-report-submit").click()
    number = page.get_by_test_id("self-report-number")
    expect(number).to_have_text(re.compile(r"^\S+\d+$"))
    order_number = number.inner_text()
    expect(page.get_by_test_id("self-report-done")).to_contain_text("已上传 1 张照片")
    _shot(page, "self-report-done")
    with server.apis("agent") as (agent,):
        found = agent.get("/work-orders", params={"q": order_number}).json()["items"]
        mine = next(o for o in found if o["number"] == order_number)
        assert mine["channel"] == "web" and mine["customer_id"] == customer["id"], mine
        detail = agent.get(f"/work-orders/{mine['id']}").json()
        assert "定位" in detail["description"], detail["description"]

    # --- 进度: the order's timeline in plain words, and the list
    page.get_by_test_id("self-report-progress").click()
    expect(page.get_by_test_id("self-order-number")).to_have_text(order_number)
    expect(page.get_by_test_id("self-step").first).to_be_visible()
    assert "您的诉求已受理" in page.get_by_test_id("self-timeline").inner_text()
    expect(page.get_by_test_id("self-rate")).to_have_count(0)  # not done yet
    _shot(page, "self-order")
    page.get_by_test_id("self-tab-orders").click()
    row = page.locator(f"[data-test=self-order-row][data-number='{order_number}']")
    expect(row).to_be_visible()
    expect(page.get_by_test_id("self-order-row").first).to_have_attribute("data-number", order_number)  # newest first
    _shot(page, "self-orders")
    _clean(page, errors)

    # --- 停气停电公告
    page.get_by_test_id("self-tab-home").click()
    page.get_by_test_id("self-shortcut-outages").click()
    expect(page.get_by_test_id("self-outages")).to_be_visible()
    if outage_here:
        expect(page.locator("[data-test=self-outage][data-mine=true]").first).to_be_visible()
    else:
        expect(page.get_by_test_id("self-outage").or_(page.get_by_test_id("self-outages-empty")).first).to_be_visible()
    _shot(page, "self-outages")

    # --- 在线客服: the bot answers a FAQ question; 转人工; the agent's answer arrives over the socket
    page.get_by_test_id("self-tab-chat").click()
    chat = page.get_by_test_id("self-chat")
    expect(chat).to_have_attribute("data-mode", "socket")
    _field(page, "self-chat-input").fill(FAQ_QUESTION)
    page.get_by_test_id("self-chat-send").click()
    thread = page.get_by_test_id("self-thread")
    expect(thread.locator("[data-test=self-msg][data-mine=true]").last).to_have_text(FAQ_QUESTION)
    answer = thread.locator("[data-test=self-msg][data-sender=bot]").last
    expect(answer).to_contain_text("缴")
    expect(thread.get_by_test_id("self-msg-who").last).to_have_text("智能客服")
    expect(page.get_by_test_id("self-pending")).to_have_count(0)

    # a vaguer question: the bot's "did you mean" list comes as chips; a chip sends its number
    bots = thread.locator("[data-test=self-msg][data-sender=bot]")
    before = bots.count()
    _field(page, "self-chat-input").fill("怎么缴费")
    page.get_by_test_id("self-chat-send").click()
    expect(bots).to_have_count(before + 1)
    if page.get_by_test_id("self-suggestion").count():
        _shot(page, "self-chat-suggestions")
        page.get_by_test_id("self-suggestion").first.click()
        expect(thread.locator("[data-test=self-msg][data-mine=true]").last).to_have_text("1")
        expect(bots).to_have_count(before + 2)
        expect(page.get_by_test_id("self-suggestions")).to_have_count(0)
    _shot(page, "self-chat-bot")

    page.get_by_test_id("self-chat-human").click()
    expect(chat).to_have_attribute("data-state", "queued")
    expect(thread.locator("[data-test=self-msg][data-sender=system]").last).to_be_visible()
    expect(page.get_by_test_id("self-chat-human")).to_have_count(0)
    token = page.evaluate("localStorage.getItem('huiyin.self.token')")
    _agent_answers(server, token, "您好，我是人工客服，您反映的没气问题已为您催办。")
    agent_line = thread.locator("[data-test=self-msg][data-sender=agent]")
    expect(agent_line.last).to_have_text("您好，我是人工客服，您反映的没气问题已为您催办。", timeout=15_000)
    expect(thread.get_by_test_id("self-msg-who").last).to_have_text("人工客服")
    expect(chat).to_have_attribute("data-state", "assigned")

    # a <script> typed by the customer stays text
    _field(page, "self-chat-input").fill(XSS)
    page.get_by_test_id("self-chat-send").click()
    expect(thread.locator("[data-test=self-msg][data-mine=true]").last).to_have_text(XSS)
    assert thread.locator("[data-test=self-msg] b, [data-test=self-msg] script").count() == 0
    assert page.evaluate("() => window.__selfXss") is None
    _shot(page, "self-chat-agent")
    _clean(page, errors)

    # --- 常见问题: search, the matched words marked, an article
    page.get_by_test_id("self-tab-home").click()
    page.get_by_test_id("self-shortcut-faq").click()
    _field(page, "self-faq-input").fill("过户")
    page.get_by_test_id("self-faq-search").click()
    hit = page.get_by_test_id("self-faq-hit").first
    expect(hit).to_be_visible()
    assert page.get_by_test_id("self-faq-hit").locator("mark").count() >= 1
    _shot(page, "self-faq")
    hit.click()
    expect(page.get_by_test_id("self-article-title")).not_to_be_empty()
    expect(page.get_by_test_id("self-article-body")).not_to_be_empty()
    _shot(page, "self-faq-article")

    # --- rating a finished order: an inquiry closed on the spot for my number
    with server.apis("agent") as (agent,):
        r = agent.post(
            "/work-orders",
            json={
                "type": "inquiry",
                "category": "IQ-BILL",
                "description": "查询本月气费",
                "channel": "phone",
                "contact_phone": phone,
                "close_on_spot": True,
                "result": "已告知",
            },
        )
        assert r.status_code == 201, r.text
        inquiry = r.json()
    page.get_by_test_id("self-tab-orders").click()
    page.locator(f"[data-test=self-order-row][data-number='{inquiry['number']}']").click()
    expect(page.get_by_test_id("self-order-number")).to_have_text(inquiry["number"])
    form = page.get_by_test_id("self-rate")
    expect(form).to_be_visible()
    form.get_by_test_id("self-rate-submit").click()
    expect(page.get_by_test_id("self-rate-error")).to_have_text("请先选择满意程度")
    page.get_by_test_id("self-rate-basically_satisfied").click()
    expect(page.get_by_test_id("self-rate-basically_satisfied")).to_have_attribute("aria-checked", "true")
    _field(page, "self-rate-comment").fill("答复及时，希望账单更清楚")
    _shot(page, "self-rate", full=True)
    page.get_by_test_id("self-rate-submit").click()
    expect(page.get_by_test_id("self-rated")).to_have_attribute("data-result", "basically_satisfied")
    page.reload()
    expect(page.get_by_test_id("self-order-number")).to_have_text(inquiry["number"])
    expect(page.get_by_test_id("self-rate")).to_have_count(0)  # rated once
    with server.apis("duty_manager") as (m,):
        ratings = [
            x for x in m.get("/ratings", params={"order_id": inquiry["id"]}).json()["items"] if x["channel"] == "web"
        ]
    assert [x["result"] for x in ratings] == ["basically_satisfied"], ratings
    _clean(page, errors)

    # --- English, then signing out
    page.get_by_test_id("self-tab-home").click()
    page.get_by_test_id("self-lang-en").click()
    expect(page.get_by_test_id("self-brand")).to_have_text("Yuzhou Energy · Huiyin Service")
    assert page.get_by_test_id("self-tabs").locator("a").all_inner_texts() == ["Home", "Report", "Progress", "Chat"]
    _shot(page, "self-home-en")
    _clean(page, errors)
    page.get_by_test_id("self-lang-zh").click()
    page.get_by_test_id("self-logout").click()
    expect(page).to_have_url(re.compile(r"/m/login$"))
    assert page.evaluate("localStorage.getItem('huiyin.self.token')") is None
    page.goto("/m/orders")
    expect(page).to_have_url(re.compile(r"/m/login\?redirect=(/|%2F)m(/|%2F)orders$"))
    _clean(page, errors)
