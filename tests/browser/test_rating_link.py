"""The customer's rating page, opened from the SMS link on a phone (390x844), without signing in."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import create_engine, text

from tests.browser.conftest import SHOTS, Server, _is_bug


def _invited(server: Server) -> tuple[dict[str, Any], str]:
    """An inquiry answered and closed on the spot for a mobile number, and the token its rating SMS carries."""
    phone = f"139{random.randint(10_000_000, 99_999_999)}"  # a number not asked recently by another test
    with server.apis("agent") as (agent,):
        r = agent.post("/work-orders", json={
            "type": "inquiry", "category": "IQ-BILL", "description": "查询气费", "channel": "phone",
            "contact_phone": phone, "close_on_spot": True, "result": "已告知",
        })
        assert r.status_code == 201, r.text
        order = r.json()
    engine = create_engine(server.db_url)
    try:
        with engine.connect() as c:
            rows = c.execute(text(
                "SELECT payload FROM outbox WHERE dedupe_key LIKE 'rating-invite:%' ORDER BY id DESC"
            )).scalars().all()
    finally:
        engine.dispose()
    payloads = [p if isinstance(p, dict) else json.loads(p) for p in rows]
    mine = [p for p in payloads if phone in json.dumps(p)] or payloads
    assert mine, "no rating invitation was queued"
    m = re.search(r"http://127\.0\.0\.1:8000/r/(\S+)$", mine[0]["text"])
    assert m, mine[0]["text"]
    return order, m.group(1)


def _phone(browser: Any, server: Server) -> tuple[Any, Any, list[str]]:
    """A phone-sized tab with no session."""
    ctx = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN", base_url=server.base,
                              device_scale_factor=2, is_mobile=True, has_touch=True)
    page = ctx.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    page.on("console", lambda m: errors.append(f"console: {m.text}") if _is_bug(m) else None)
    return ctx, page, errors


def _shot(page: Any, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _web_ratings(server: Server, order_id: int) -> list[dict[str, Any]]:
    with server.apis("duty_manager") as (m,):
        r = m.get("/ratings", params={"order_id": order_id})
        assert r.status_code == 200, r.text
        return [x for x in r.json()["items"] if x["channel"] == "web"]


def test_a_customer_rates_an_order_from_the_sms_link_on_a_phone(server: Server, browser: Any) -> None:
    order, token = _invited(server)
    ctx, page, errors = _phone(browser, server)
    try:
        page.goto(f"/r/{token}")
        expect(page.get_by_test_id("rate-order-number")).to_have_text(order["number"])
        expect(page.get_by_test_id("rate-centre")).to_have_text("回音 客户服务中心")
        expect(page.get_by_text("请对本次服务进行评价")).to_be_visible()
        assert page.url.endswith(f"/r/{token}")  # no sign-in redirect
        _shot(page, "rating-link-phone")

        page.get_by_test_id("rate-choice-unsatisfied").click()
        expect(page.get_by_test_id("rate-choice-unsatisfied")).to_have_attribute("aria-checked", "true")
        page.locator("[data-test=rate-score] .el-rate__item").nth(1).click()  # 2 stars
        page.get_by_test_id("rate-comment").fill("等待时间太长")
        _shot(page, "rating-link-phone-filled")
        box = page.get_by_test_id("rate-submit").bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 300  # a thumb's target
        page.get_by_test_id("rate-submit").click()

        thanks = page.get_by_test_id("rate-thanks")
        expect(thanks).to_contain_text("感谢您的评价")
        expect(thanks).to_contain_text("不满意")
        expect(thanks).to_have_attribute("data-result", "unsatisfied")
        _shot(page, "rating-link-phone-thanks")

        page.reload()
        expect(page.get_by_test_id("rate-thanks")).to_contain_text("不满意")
        expect(page.get_by_test_id("rate-submit")).to_have_count(0)

        web = _web_ratings(server, order["id"])
        assert len(web) == 1, web
        assert web[0]["result"] == "unsatisfied"
        assert web[0]["score"] == 2
        assert web[0]["comment"] == "等待时间太长"

        page.get_by_test_id("rate-lang-en").click()
        expect(page.get_by_test_id("rate-thanks")).to_contain_text("Thank you for your feedback")
        expect(page.get_by_test_id("rate-thanks")).to_contain_text("Unsatisfied")
        page.get_by_test_id("rate-lang-zh").click()
        expect(page.get_by_test_id("rate-thanks")).to_contain_text("感谢您的评价")

        assert not errors, errors
        assert not page.evaluate("() => window.__i18nMissing || []")
    finally:
        ctx.close()


def test_an_altered_link_shows_it_is_invalid_and_stores_nothing(server: Server, browser: Any) -> None:
    order, token = _invited(server)
    altered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
    ctx, page, errors = _phone(browser, server)
    try:
        page.goto(f"/r/{altered}")
        expect(page.get_by_test_id("rate-invalid")).to_contain_text("链接无效")
        expect(page.get_by_test_id("rate-submit")).to_have_count(0)
        assert page.url.endswith(f"/r/{altered}")  # a 404 never sends the customer to sign-in
        _shot(page, "rating-link-phone-invalid")
        assert _web_ratings(server, order["id"]) == []
        assert not errors, errors
    finally:
        ctx.close()
