"""Sign-in, the menu each role sees, the language switch and an expired session."""

from __future__ import annotations

import re
from typing import Any

from tests.browser.conftest import Desk, Server


def test_a_person_signs_in_lands_on_their_page_and_signs_out(desk: Any, server: Server) -> None:
    d: Desk = desk("agent", sign_in=False)
    page = d.go("/")
    page.wait_for_url(re.compile(r"/login"))
    d.shot("login")
    page.get_by_role("button", name="登录").click()
    assert page.get_by_test_id("login-error").inner_text() == "请输入用户名和密码"
    page.get_by_test_id("username").fill("agent")
    page.get_by_test_id("password").fill("wrong")
    page.keyboard.press("Enter")
    page.get_by_test_id("login-error").wait_for()
    page.get_by_test_id("password").fill("demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("user-menu").inner_text().startswith("agent")
    page.get_by_test_id("user-menu").click()
    page.get_by_test_id("sign-out").click()
    page.wait_for_url("**/login")
    page.goto(f"{server.base}/orders")
    page.wait_for_url(re.compile(r"/login\?redirect=/orders$"))


def test_the_menu_shows_what_each_role_may_open(desk: Any) -> None:
    seen = {}
    for user in ("agent", "dispatcher", "unit_handler", "admin", "supervisor"):
        d: Desk = desk(user)
        page = d.go("/")
        page.get_by_test_id("menu").wait_for()
        page.wait_for_timeout(100)
        seen[user] = page.eval_on_selector_all("[data-menu]", "els => els.map(e => e.dataset.menu)")
    assert seen["agent"] == [
        "workbench",
        "chat",
        "knowledge",
        "orders",
        "outages",
        "callbacks",
        "outage-calls",
        "care",
        "calls",
        "my-scorecard",
        "my-quality",
    ]
    assert seen["dispatcher"] == ["knowledge", "orders", "dispatch", "outages", "announcements", "calls"]
    assert seen["unit_handler"] == ["orders", "inbox", "expert-help", "complaint-desk", "ledger", "absences"]
    assert "care" in seen["supervisor"] and "care" not in seen["dispatcher"] + seen["unit_handler"] + seen["admin"]
    assert "admin-users" in seen["admin"] and "workbench" not in seen["admin"]
    assert "admin-categories" in seen["supervisor"] and "admin-users" not in seen["supervisor"]
    assert seen["supervisor"][0] == "overview"
    assert "overview" not in seen["agent"] + seen["dispatcher"] + seen["unit_handler"] + seen["admin"]


def test_a_page_the_role_may_not_open_sends_them_to_their_own(desk: Any) -> None:
    d: Desk = desk("unit_handler")
    page = d.go("/admin/users")
    page.wait_for_url("**/inbox")


def test_an_expired_session_returns_to_sign_in_and_back_to_the_same_page(desk: Any, server: Server) -> None:
    d: Desk = desk("dispatcher")
    page = d.go("/orders")
    page.get_by_test_id("menu").wait_for()
    page.context.clear_cookies()  # the server-side session is gone as far as this browser knows
    page.get_by_test_id("menu").locator("[data-menu=dispatch]").click()
    page.wait_for_url(re.compile(r"/login\?redirect=/dispatch&expired=1$"))
    page.get_by_test_id("expired").wait_for()
    page.get_by_test_id("username").fill("dispatcher")
    page.get_by_test_id("password").fill("demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/dispatch")


def test_english_is_one_click_away_and_remembered(desk: Any) -> None:
    d: Desk = desk("agent")
    page = d.go("/orders")
    page.get_by_test_id("locale-en").click()
    page.get_by_text("Work orders").first.wait_for()
    page.reload()
    page.get_by_text("Sign out", exact=False).count()
    assert page.evaluate("document.documentElement.lang") == "en"
    d.check_clean()
