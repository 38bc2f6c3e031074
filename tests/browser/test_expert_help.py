"""专家求助 (issue 18, the expert seats) on a field worker's phone (390x844), in zh-CN: a 台区经理 (a unit handler)
signs in on the phone, asks the experts a question (the number to call back is their own, filled in), and sees it
待专家响应 with the time it must be taken up by; an expert of the experts' unit (专家座席组, which a dispatch rule gives
SP-FIELD) takes it up — the page, refreshing itself every 30 s, says 专家处理中 — and answers; the page shows 已答复,
the answer and how long it took. Then the same page in English and on a desktop."""

from __future__ import annotations

import random
import secrets
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from tests.browser.conftest import Desk, Server, _dismiss_notifications, _is_bug
from tests.browser.test_english import chinese_in_chrome

PASSWORD = "field-pass-2026"  # new users: the password rules ask for 12 characters
ANSWER = "可以一并受理：需营业执照复印件，用气性质变更按商业气价自次月起执行。"


def _client(server: Server, username: str) -> httpx.Client:
    http = httpx.Client(base_url=f"{server.base}/api/v1", timeout=20)
    r = http.post("/auth/token", json={"username": username, "password": PASSWORD})
    assert r.status_code == 200, r.text
    http.headers["Authorization"] = f"Bearer {r.json()['access_token']}"
    return http


def _experts_unit(admin: httpx.Client) -> dict[str, Any]:
    """The experts' unit, with the dispatch rule that sends SP-FIELD to it (the demo city has both: 专家座席组, EXPERT;
    made here as an admin would when they are missing)."""
    units = admin.get("/units").json()["items"]
    unit = next((u for u in units if u["code"] == "EXPERT"), None)
    if unit is None:
        top = next(u for u in units if u["parent_id"] is None)
        body = {"code": "EXPERT", "name": "专家座席组", "kind": "center", "parent_id": top["id"]}
        r = admin.post("/units", json=body)
        assert r.status_code == 201, r.text
        unit = r.json()
    root = next(c for c in admin.get("/categories").json()["items"] if c["code"] == "SP-FIELD")
    rules = admin.get("/dispatch-rules").json()["items"]
    if not any(r["category_id"] == root["id"] and r["unit_id"] == unit["id"] and r["is_active"] for r in rules):
        rule = {"category_id": root["id"], "unit_id": unit["id"], "note": "现场求助派往专家座席"}
        r = admin.post("/dispatch-rules", json=rule)
        assert r.status_code == 201, r.text
    return dict(unit)


def _unit_handler(admin: httpx.Client, username: str, unit_id: int, full_name: str, phone: str) -> dict[str, Any]:
    r = admin.post(
        "/users",
        json={
            "username": username,
            "password": PASSWORD,
            "roles": ["unit_handler"],
            "unit_id": unit_id,
            "full_name": full_name,
            "phone": phone,
        },
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _mobile(prefix: str) -> str:
    return f"{prefix}{random.randint(10_000_000, 99_999_999)}"


@pytest.fixture
def people(server: Server) -> dict[str, Any]:
    """A 台区经理 of the demo handler's unit, with a mobile, and an expert of the experts' unit: both new, so the
    worker's list starts empty."""
    tag = secrets.token_hex(3)
    home, _ = server.home()
    with server.apis("admin") as (admin,):
        experts = _experts_unit(admin)
        worker = _unit_handler(admin, f"tq{tag}", home["id"], "王台区", _mobile("139"))
        expert = _unit_handler(admin, f"zj{tag}", experts["id"], "周工（燃气专家）", _mobile("138"))
    return {"worker": worker, "expert": expert, "unit": experts}


@pytest.fixture
def tab(server: Server, browser: Any) -> Iterator[Any]:
    """``tab(username, phone=True)``: a browser tab at phone size (390x844, touch) or a desktop's, not signed in."""
    contexts: list[Any] = []

    def open_tab(username: str, *, phone: bool = True, locale: str = "zh-CN") -> Desk:
        size = {"width": 390, "height": 844} if phone else {"width": 1440, "height": 900}
        extra = {"device_scale_factor": 2, "is_mobile": True, "has_touch": True} if phone else {}
        ctx = browser.new_context(viewport=size, locale=locale, base_url=server.base, **extra)
        contexts.append(ctx)
        keep_or_set = f"localStorage.getItem('huiyin.locale') || localStorage.setItem('huiyin.locale', {locale!r})"
        ctx.add_init_script(keep_or_set)
        page = ctx.new_page()
        page.set_default_timeout(10_000)
        d = Desk(page, server, username)
        page.on("pageerror", lambda e: d.errors.append(f"pageerror: {e}"))
        page.on("console", lambda m: d.errors.append(f"console: {m.text}") if _is_bug(m) else None)
        _dismiss_notifications(page)
        return d

    yield open_tab
    for ctx in contexts:
        ctx.close()


def _item(page: Any, order_id: int) -> Any:
    return page.locator(f"[data-test=expert-help-item][data-id='{order_id}']")


def test_a_field_worker_asks_the_experts_from_the_phone_and_reads_the_answer(
    tab: Any, server: Server, people: dict[str, Any]
) -> None:
    worker, expert = people["worker"], people["expert"]
    d: Desk = tab(worker["username"])
    page = d.page
    page.clock.install(time=datetime.now(UTC))  # the page's 30 s refresh, fast-forwarded below

    # --- signs in on the phone and comes back to 专家求助
    page.goto("/expert-help")
    page.wait_for_url("**/login?redirect=/expert-help")
    page.get_by_test_id("username").fill(worker["username"])
    page.get_by_test_id("password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url("**/expert-help")
    view = page.get_by_test_id("expert-help-page")
    expect(view).to_be_visible()
    expect(page.get_by_test_id("expert-help-list")).to_contain_text("暂无求助记录")

    # the page is the phone's whole width, nothing wider than the screen
    box = view.bounding_box()
    assert box and box["x"] == 0 and box["width"] == 390, box
    assert page.evaluate("() => document.querySelector('[data-test=expert-help-page]').scrollWidth") <= 390
    submit = page.get_by_test_id("expert-help-submit")
    button = submit.bounding_box()
    assert button and button["height"] >= 44 and button["width"] >= 300  # a thumb's target
    for kind in ("技术疑难", "政策与业务口径", "账务与档案核查"):
        expect(page.get_by_test_id("expert-help-form").get_by_text(kind, exact=True)).to_be_visible()
    # the number to call back is the worker's own, and may be changed
    expect(page.get_by_test_id("expert-help-phone")).to_have_value(worker["phone"])

    # a question must say what it is
    submit.click()
    expect(page.get_by_test_id("expert-help-form")).to_contain_text("请填写问题描述")

    question = f"客户要求过户同时变更用气性质（居民改商业），现场能否一并受理？#{worker['id']}"
    page.get_by_test_id("expert-help-category-SP-FIELD-POLICY").click()
    page.get_by_test_id("expert-help-description").fill(question)
    d.shot("expert-help-phone-ask")
    submit.click()

    # --- it waits for an expert, with the 5 minutes to take it up
    newest = page.get_by_test_id("expert-help-item").first
    expect(newest).to_have_attribute("data-phase", "waiting")
    order_id = int(newest.get_attribute("data-id") or 0)
    item = _item(page, order_id)
    expect(page.get_by_test_id("expert-help-item")).to_have_count(1)
    expect(item.get_by_test_id("expert-help-phase")).to_have_text("待专家响应")
    expect(item.get_by_test_id("expert-help-question")).to_have_text(question)
    expect(item).to_contain_text("政策与业务口径")
    expect(item.get_by_test_id("expert-help-due")).to_contain_text("前响应")
    expect(item.get_by_test_id("countdown")).to_contain_text("剩余")
    expect(item.get_by_test_id("expert-help-answer")).to_have_count(0)
    expect(page.get_by_test_id("expert-help-description")).to_have_value("")  # ready for the next one
    item.scroll_into_view_if_needed()
    d.shot("expert-help-phone-waiting")

    with server.apis("admin") as (admin,):
        order = admin.get(f"/work-orders/{order_id}").json()
    assert order["type"] == "support" and order["category"] == "SP-FIELD-POLICY" and order["channel"] == "phone"
    assert order["owner_agent_id"] == worker["id"] and order["unit_id"] == people["unit"]["id"]
    assert order["state"] == "dispatched" and order["description"] == question
    limits = {x["stage"] for x in order["deadlines"]}
    assert {"accept", "resolve"} <= limits, limits

    # --- the expert takes it up: the page says so at its next refresh
    http = _client(server, expert["username"])
    try:
        inbox = http.get("/work-orders", params={"state": "dispatched", "page_size": 200}).json()["items"]
        assert order_id in [o["id"] for o in inbox]
        r = http.post(f"/work-orders/{order_id}/accept", json={})
        assert r.status_code == 200, r.text
        page.clock.fast_forward("00:31")
        expect(item.get_by_test_id("expert-help-phase")).to_have_text("专家处理中")
        expect(item).to_have_attribute("data-phase", "working")
        expect(item.get_by_test_id("expert-help-due")).to_contain_text("前答复")

        # --- and answers it: the request is closed with the answer
        r = http.post(f"/work-orders/{order_id}/resolve", json={"result": ANSWER})
        assert r.status_code == 200, r.text
        assert r.json()["state"] == "closed"
    finally:
        http.close()
    page.clock.fast_forward("00:31")
    expect(item.get_by_test_id("expert-help-phase")).to_have_text("已答复")
    expect(item).to_have_attribute("data-phase", "answered")
    expect(item.get_by_test_id("expert-help-answer")).to_contain_text(ANSWER)
    expect(item.get_by_test_id("expert-help-answer")).to_contain_text(people["unit"]["name"])
    expect(item.get_by_test_id("expert-help-took")).to_contain_text("用时")
    expect(item.get_by_test_id("expert-help-due")).to_have_count(0)
    item.scroll_into_view_if_needed()
    d.shot("expert-help-phone-answered")
    d.check_clean()

    # --- the same page in English, from the phone's own bar
    page.get_by_test_id("expert-help-lang-en").click()
    expect(item.get_by_test_id("expert-help-phase")).to_have_text("Answered")
    expect(page.get_by_test_id("expert-help-form")).to_contain_text("Policy and business rules")
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("expert-help-page").evaluate("el => el.scrollTo(0, 0)")
    d.shot("expert-help-phone-en")
    page.get_by_test_id("expert-help-lang-zh").click()
    expect(item.get_by_test_id("expert-help-phase")).to_have_text("已答复")
    d.check_clean()


def test_the_page_on_a_desktop_sits_in_the_menu_beside_the_inbox(
    tab: Any, server: Server, people: dict[str, Any]
) -> None:
    worker = people["worker"]
    http = _client(server, worker["username"])
    try:
        r = http.post(
            "/work-orders",
            json={
                "type": "support",
                "category": "SP-FIELD-TECH",
                "description": "台区低压线路末端电压只有195V，客户空调无法启动，是否需要调整分接头？",
                "channel": "phone",
                "contact_phone": worker["phone"],
            },
        )
        assert r.status_code == 201, r.text
        order_id = r.json()["id"]
    finally:
        http.close()
    d: Desk = tab(worker["username"], phone=False)
    r = d.page.context.request.post("/api/v1/auth/login", data={"username": worker["username"], "password": PASSWORD})
    assert r.ok, r.text()
    page = d.go("/")
    page.wait_for_url("**/inbox")  # a unit handler still lands on 单位待办
    menu = page.get_by_test_id("menu")
    assert menu.locator("[data-menu=expert-help]").inner_text().strip() == "专家求助"
    menu.locator("[data-menu=expert-help]").click()
    page.wait_for_url("**/expert-help")
    item = _item(page, order_id)
    expect(item.get_by_test_id("expert-help-phase")).to_have_text("待专家响应")
    expect(item).to_contain_text("技术疑难")
    # on a desktop the form and the list sit side by side
    form = page.get_by_test_id("expert-help-form").bounding_box()
    listing = page.get_by_test_id("expert-help-list").bounding_box()
    assert form and listing and listing["x"] >= form["x"] + form["width"], (form, listing)
    d.shot("expert-help-desktop")
    d.check_clean()
