"""In English, every label the interface itself shows is English: no Chinese left in menus, headings,
buttons, form labels, table headers, tabs or dialog titles on any page (data such as customer names and
addresses stays as it was entered)."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.conftest import Desk, Server

CJK = re.compile(r"[\u3400-\u9fff]")
CHROME = ", ".join(
    [
        ".el-menu",
        ".el-button:not([data-test=locale-zh])",
        ".el-radio-button:not([data-test=locale-zh])",
        ".el-form-item__label",
        ".el-table__header",
        ".el-tabs__item",
        ".el-card__header",
        ".el-dialog__title",
        ".el-empty__description",
        "h1",
        "h2",
        "label",
        "[placeholder]",
    ]
)
PAGES = {
    "supervisor": [
        "/overview",
        "/workbench",
        "/orders",
        "/dispatch",
        "/callbacks",
        "/admin/categories",
        "/sla/policies",
        "/sla/calendars",
        "/sla/ladder",
        "/board",
        "/notifications",
    ],
    "unit_handler": ["/inbox", "/board", "/notifications"],
    "admin": ["/admin/users", "/admin/units", "/admin/areas", "/admin/dispatch-rules"],
}


def chinese_in_chrome(page: Any) -> list[str]:
    texts: list[str] = page.eval_on_selector_all(
        CHROME,
        """els => els.filter(e => e.offsetParent !== null && !e.closest('[data-test=locale-switch]'))
                     .map(e => (e.innerText || '') + ' ' + (e.getAttribute('placeholder') || ''))""",
    )
    return [t.strip() for t in texts if CJK.search(t) and "中文" not in t]


@pytest.mark.parametrize("user", sorted(PAGES))
def test_every_page_in_english_shows_no_chinese_labels(desk: Any, server: Server, user: str) -> None:
    d: Desk = desk(user, locale="en")
    for path in PAGES[user]:
        page = d.go(path)
        page.get_by_test_id("menu").wait_for()
        page.wait_for_load_state("networkidle")
        assert chinese_in_chrome(page) == [], path
        d.check_clean()


def test_the_sign_in_page_in_english(desk: Any) -> None:
    d: Desk = desk("agent", locale="en", sign_in=False)
    page = d.go("/login")
    page.get_by_test_id("login-submit").wait_for()
    assert chinese_in_chrome(page) == []
    assert page.get_by_test_id("login-submit").inner_text() == "Sign in"


def test_the_check_sees_chinese_labels_when_they_are_there(desk: Any) -> None:
    d: Desk = desk("supervisor", locale="zh-CN")
    page = d.go("/orders")
    page.get_by_test_id("menu").wait_for()
    page.wait_for_load_state("networkidle")
    found = chinese_in_chrome(page)
    assert any("工单查询" in t for t in found), found
