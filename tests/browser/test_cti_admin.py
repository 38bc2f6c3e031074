"""CTI 集成 (系统管理): an admin creates an integration (its token and endpoint shown once), sets blocked
numbers, caller-ID rules and click-to-call, rotates the token and revokes it; every step is checked against
what the PBX's endpoint then does. Only admins see the page."""

from __future__ import annotations

import itertools
import random
from typing import Any

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Desk, Server
from tests.browser.test_english import chinese_in_chrome

_serial = itertools.count(1)


def _shot(d: Desk, name: str) -> None:
    d.page.wait_for_load_state("networkidle")
    d.page.locator(".el-loading-mask:visible").first.wait_for(state="hidden")
    d.shot(name)


def _ring_and_end(server: Server, token: str, caller: str, **fields: Any) -> httpx.Response:
    call_id = f"cti-admin-{next(_serial)}-{random.randint(0, 10**9)}"
    body = {"event": "newCall", "callId": call_id, "direction": "in", "from": caller, "to": "95598", **fields}
    r = httpx.post(f"{server.base}/api/v1/cti/{token}", json=body, timeout=10)
    if r.status_code == 200:
        hangup = {**body, "event": "hangup", "cause": "cancel"}
        httpx.post(f"{server.base}/api/v1/cti/{token}", json=hangup, timeout=10)
    return r


def _integration(server: Server, name: str) -> dict[str, Any]:
    with server.apis("admin") as (admin,):
        return next(i for i in admin.get("/cti-integrations").json() if i["name"] == name)


def _confirm(page: Any, text: str) -> None:
    box = page.locator(".el-message-box")
    box.get_by_text(text).first.wait_for()
    box.locator(".el-button--danger").click()
    box.wait_for(state="hidden")


def test_an_admin_creates_an_integration_and_sees_its_token_once(desk: Any, server: Server) -> None:
    name = f"主中心 PBX（浏览器测试 {next(_serial)}-{random.randint(0, 10**6)}）"
    caller = f"1371{random.randint(0, 9_999_999):07d}"
    d: Desk = desk("admin")
    page = d.go("/admin/cti")
    page.get_by_test_id("cti-table").wait_for()
    assert page.locator("[data-menu=admin-cti]").count() == 1  # in the 系统管理 group
    page.get_by_test_id("cti-create").click()
    page.get_by_test_id("cti-create-submit").click()
    page.get_by_test_id("cti-create-dialog").get_by_text("必填").wait_for()  # a name is needed
    page.get_by_test_id("cti-name").fill(name)
    page.get_by_test_id("cti-create-submit").click()

    shown = page.get_by_test_id("cti-token-dialog")
    shown.wait_for()
    token = page.get_by_test_id("cti-token").input_value()
    endpoint = page.get_by_test_id("cti-endpoint").input_value()
    assert len(token) >= 24 and endpoint == f"{server.base}/api/v1/cti/{token}"
    _shot(d, "calls-cti-token")
    page.get_by_test_id("cti-token-close").click()
    shown.wait_for(state="hidden")
    assert token not in page.inner_text("body")  # shown once: gone from the page
    integration = _integration(server, name)
    assert token.startswith(integration["token_hint"])
    row = page.get_by_test_id("cti-table").locator("tr", has=page.get_by_test_id(f"cti-row-{integration['id']}"))
    expect(row.get_by_test_id("cti-hint")).to_have_text(f"{integration['token_hint']}…")
    assert row.get_by_test_id("cti-status").get_attribute("data-status") == "active"
    # the token works at the endpoint it showed
    assert _ring_and_end(server, token, caller).json() == {}

    # 设置: a blocked number, a caller-ID rule, the default caller ID and click-to-call
    page.get_by_test_id(f"cti-settings-{integration['id']}").click()
    dialog = page.get_by_test_id("cti-settings-dialog")
    dialog.wait_for()
    page.get_by_test_id("cti-blocked-add").click()
    page.get_by_test_id("cti-blocked-number-0").fill(caller[:3] + " " + caller[3:7] + " " + caller[7:])
    page.get_by_test_id("cti-blocked-note-0").fill("骚扰电话")
    page.get_by_test_id("cti-blocked-add").click()
    page.get_by_test_id("cti-blocked-number-1").fill("12")  # too short: refused before it is sent
    page.get_by_test_id("cti-rule-add").click()
    page.get_by_test_id("cti-rule-prefix-0").fill("023*")
    page.get_by_test_id("cti-rule-caller-0").fill("02363001111")
    page.get_by_test_id("cti-rule-note-0").fill("重庆本地")
    page.get_by_test_id("cti-default-caller-id").fill("4008095598")
    page.get_by_test_id("cti-dial-url").fill("https://pbx.example/dial")
    page.get_by_test_id("cti-dial-secret").fill("s3cret")
    _shot(d, "calls-cti-settings")
    page.get_by_test_id("cti-settings-submit").click()
    dialog.get_by_test_id("dialog-error").get_by_text("号码至少 3 位").wait_for()
    page.get_by_test_id("cti-blocked-remove-1").click()
    page.get_by_test_id("cti-settings-submit").click()
    dialog.locator("visible=true").wait_for(state="hidden")

    saved = _integration(server, name)
    assert saved["blocked_numbers"] == [{"number": caller, "note": "骚扰电话"}]
    assert saved["caller_id_rules"] == [{"prefix": "023*", "caller_id": "02363001111", "note": "重庆本地"}]
    assert (saved["default_caller_id"], saved["dial_url"], saved["has_dial_secret"]) == (
        "4008095598",
        "https://pbx.example/dial",
        True,
    )
    expect(row.get_by_test_id("cti-blocked-count")).to_have_text("1 条")
    # and the PBX's endpoint applies them: the blocked caller is refused, an outbound call gets its caller ID
    assert _ring_and_end(server, token, caller).json() == {"action": "reject", "reason": "busy"}
    out = _ring_and_end(server, token, "95598", direction="out", to="02368881234")
    assert out.json() == {"action": "dial", "caller_id": "02363001111", "number": "02368881234"}

    # the secret stays when the dialog is saved again without it
    page.get_by_test_id(f"cti-settings-{integration['id']}").click()
    assert page.get_by_test_id("cti-blocked-number-0").input_value() == caller
    assert page.get_by_test_id("cti-dial-secret").get_attribute("placeholder") == "已设置（留空则不变）"
    page.get_by_test_id("cti-settings-submit").click()
    dialog.locator("visible=true").wait_for(state="hidden")
    assert _integration(server, name)["has_dial_secret"] is True

    # 更换令牌: a new token, shown once; the old one stops at once
    page.get_by_test_id(f"cti-rotate-{integration['id']}").click()
    _confirm(page, name)
    shown.wait_for()
    new_token = page.get_by_test_id("cti-token").input_value()
    assert new_token != token
    page.get_by_test_id("cti-token-close").click()
    assert _ring_and_end(server, token, "13800000001").status_code == 401
    assert _ring_and_end(server, new_token, "13800000001").status_code == 200

    # 吊销: after a confirmation, its events get 401
    page.get_by_test_id(f"cti-revoke-{integration['id']}").click()
    _confirm(page, name)
    row.locator("[data-test=cti-status][data-status=revoked]").wait_for()
    assert page.get_by_test_id(f"cti-revoke-{integration['id']}").count() == 0
    assert _integration(server, name)["revoked_at"] is not None
    assert _ring_and_end(server, new_token, "13800000001").status_code == 401
    _shot(d, "calls-cti-admin")
    d.check_clean()


def test_the_cti_page_in_english_and_only_for_admins(desk: Any) -> None:
    d: Desk = desk("admin", locale="en")
    page = d.go("/admin/cti")
    page.get_by_test_id("cti-table").wait_for()
    page.wait_for_load_state("networkidle")
    assert page.locator("h2").inner_text() == "CTI integrations"
    assert chinese_in_chrome(page) == []
    d.check_clean()

    s: Desk = desk("supervisor")
    page = s.go("/admin/cti")
    page.get_by_test_id("menu").wait_for()
    page.wait_for_url(lambda url: "/admin/cti" not in url)  # not theirs: sent to their first page
    assert page.locator("[data-menu=admin-cti]").count() == 0
