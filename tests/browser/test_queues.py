"""The three work queues: 待派单 (dispatcher), 单位待办 (unit handler) and 回访 (agent)."""

from __future__ import annotations

import base64
import itertools
import re
from pathlib import Path
from typing import Any

import httpx

from tests.browser.conftest import Desk, Server

# a 1x1 PNG
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
_phones = itertools.count(13912340001)


def _register(agent: httpx.Client, area: dict[str, Any], category: str, **extra: Any) -> dict[str, Any]:
    kind = "complaint" if category.startswith("CP-") else "repair"
    body = {
        "type": kind,
        "category": category,
        "description": f"浏览器测试：{category}",
        "channel": "phone",
        "contact_phone": str(next(_phones)),
        "contact_name": "测试客户",
        "address": "渝中区解放碑街道测试路 1 号",
        "area_id": area["id"],
        **extra,
    }
    r = agent.post("/work-orders", json=body)
    assert r.status_code == 201, r.text
    return {**r.json(), "whole_phone": body["contact_phone"]}  # the API shows contact_phone masked


def _act(client: httpx.Client, order_id: int, action: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    r = client.post(f"/work-orders/{order_id}/{action}", json=body)
    assert r.status_code == 200, r.text
    return dict(r.json())


def _to_english(d: Desk) -> None:
    d.page.get_by_test_id("locale-en").click()
    d.page.wait_for_timeout(300)
    d.check_clean()


def _row(page: Any, number: str) -> Any:
    return page.locator(".el-table__body-wrapper tr", has_text=number)


def test_a_dispatcher_dispatches_from_the_queue_and_sees_returned_orders(desk: Any, server: Server) -> None:
    unit, area = server.home()
    with server.apis("agent", "unit_handler") as (agent, handler):
        queued = _register(agent, area, "CP-BILLING", grade="urgent")
        assert queued["state"] == "registered"
        sent_back = _register(agent, area, "RP-GAS-METER")
        assert sent_back["state"] == "dispatched" and sent_back["unit_id"] == unit["id"]
        _act(handler, sent_back["id"], "return", {"reason": "地址不在本站辖区"})

    d: Desk = desk("dispatcher")
    page = d.go("/dispatch")
    row = _row(page, queued["number"])
    row.wait_for()
    assert "紧急" in row.inner_text()
    assert _row(page, sent_back["number"]).count() == 0  # returned orders wait in their own tab
    assert int(page.get_by_test_id("count-returned").inner_text()) >= 1

    page.get_by_test_id("tab-returned").click()
    returned = _row(page, sent_back["number"])
    returned.wait_for()
    assert "地址不在本站辖区" in returned.inner_text()
    assert unit["name"] in returned.get_by_test_id("returned-unit").inner_text()
    d.shot("dispatch-returned")

    page.get_by_test_id("tab-queue").click()
    row.wait_for()
    d.shot("dispatch")
    page.get_by_test_id(f"dispatch-{queued['number']}").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.wait_for()
    dialog.locator(".el-select__wrapper").click()
    dialog.locator("input").first.fill(unit["name"])
    page.locator(".el-tree-node__content:visible", has_text=unit["name"]).first.click()
    page.get_by_test_id("action-submit").click()
    dialog.wait_for(state="hidden")
    row.wait_for(state="detached")

    with server.apis("dispatcher") as (dispatcher,):
        order = dispatcher.get(f"/work-orders/{queued['id']}").json()
    assert order["state"] == "dispatched" and order["unit_id"] == unit["id"]

    page.get_by_test_id("refresh").click()
    page.get_by_test_id("tab-returned").click()
    _row(page, sent_back["number"]).wait_for()
    _to_english(d)
    page.get_by_text("Returned by unit").first.wait_for()
    d.check_clean()


def test_a_unit_handler_accepts_starts_and_resolves_with_a_photo(desk: Any, server: Server, tmp_path: Path) -> None:
    unit, area = server.home()
    with server.apis("agent") as (agent,):
        order = _register(agent, area, "RP-GAS-APPLIANCE")
    assert order["unit_id"] == unit["id"]
    number = order["number"]
    photo = tmp_path / "scene.png"
    photo.write_bytes(PNG)

    d: Desk = desk("unit_handler")
    page = d.go("/inbox")
    _row(page, number).wait_for()
    d.shot("inbox")

    page.get_by_test_id(f"accept-{number}").click()
    page.get_by_test_id("action-submit").click()
    page.get_by_test_id("action-dialog").wait_for(state="hidden")
    _row(page, number).wait_for(state="detached")

    page.get_by_test_id("tab-working").click()
    page.get_by_test_id(f"start-{number}").click()
    page.get_by_test_id("action-submit").click()
    page.get_by_test_id("action-dialog").wait_for(state="hidden")
    page.locator(f"[data-test=resolve-{number}]").wait_for()
    assert _row(page, number).locator("[data-state=in_progress]").count() == 1

    page.get_by_test_id(f"resolve-{number}").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.get_by_test_id("action-text").fill("更换灶具熄火保护装置，试火正常")
    dialog.locator("input[type=file]").set_input_files(str(photo))
    dialog.locator(".el-upload-list__item").wait_for()
    page.get_by_test_id("action-submit").click()
    dialog.wait_for(state="hidden")
    _row(page, number).wait_for(state="detached")

    with server.apis("unit_handler") as (handler,):
        done = handler.get(f"/work-orders/{order['id']}").json()
    assert done["state"] == "resolved"
    assert done["result"] == "更换灶具熄火保护装置，试火正常"
    assert [a["filename"] for a in done["attachments"]] == ["scene.png"]

    page.get_by_test_id("tab-done").click()
    _row(page, number).wait_for()
    _to_english(d)
    page.get_by_text("To accept").first.wait_for()
    d.check_clean()


def _find_task_row(page: Any, number: str) -> Any:
    """The task's row, paging forward (the queue is oldest first)."""
    for _ in range(30):
        row = _row(page, number)
        try:
            row.wait_for(timeout=3000)
            return row
        except Exception:
            nxt = page.locator(".el-pagination .btn-next")
            if nxt.count() == 0 or nxt.is_disabled():
                raise
            nxt.click()
    raise AssertionError(f"{number} not in the callback queue")


def test_an_agent_calls_back_unsatisfied_reopens_then_satisfied_closes(desk: Any, server: Server) -> None:
    _, area = server.home()
    with server.apis("agent", "unit_handler") as (agent, handler):
        order = _register(agent, area, "RP-GAS-METER")
        for action, body in (("accept", None), ("start", None), ("resolve", {"result": "更换燃气表电池，计量正常"})):
            _act(handler, order["id"], action, body)
    number, phone = order["number"], order["whole_phone"]
    grouped = f"{phone[:3]} {phone[3:7]} {phone[7:]}"

    d: Desk = desk("agent")
    d.page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = d.go("/callbacks")
    row = _find_task_row(page, number)
    shown = row.get_by_test_id("phone")
    assert shown.get_by_test_id("phone-number").inner_text() == f"{phone[:3]}****{phone[7:]}"  # masked
    assert order["contact_phone"] == f"{phone[:3]}****{phone[7:]}"
    # 复制 reads the number whole (audited), shows it and copies it, ready to paste into the softphone
    shown.get_by_test_id("phone-copy").click()
    page.get_by_test_id("phone-copied").wait_for()
    assert shown.get_by_test_id("phone-number").inner_text() == grouped
    assert page.evaluate("navigator.clipboard.readText()") == phone
    assert shown.get_by_test_id("phone-reveal").count() == 0
    page.get_by_test_id("phone-copied").wait_for(state="detached")  # the message goes by itself
    assert "更换燃气表电池，计量正常" in row.inner_text()
    assert "测试客户" in row.inner_text()
    d.shot("callbacks")

    page.get_by_test_id(f"callback-{number}").click()
    page.get_by_test_id("callback-unsatisfied").click()
    page.get_by_test_id("action-text").fill("客户反映仍有异味")
    page.get_by_test_id("action-submit").click()
    page.locator(".el-message--success").wait_for()
    _row(page, number).wait_for(state="detached")

    with server.apis("unit_handler") as (handler,):
        reopened = handler.get(f"/work-orders/{order['id']}").json()
        assert reopened["state"] in ("dispatched", "registered")
        assert reopened["grade"] != order["grade"] and reopened["reopen_count"] == 1
        _act(handler, order["id"], "accept")
        _act(handler, order["id"], "resolve", {"result": "上门复查，已更换表具"})

    page.get_by_test_id("refresh").click()
    row = _find_task_row(page, number)
    assert "上门复查，已更换表具" in row.inner_text()
    page.get_by_test_id(f"callback-{number}").click()
    page.get_by_test_id("callback-satisfied").click()
    page.get_by_test_id("action-submit").click()
    _row(page, number).wait_for(state="detached")

    with server.apis("agent") as (agent,):
        closed = agent.get(f"/work-orders/{order['id']}").json()
    assert closed["state"] == "closed" and closed["callback_result"] == "satisfied"

    _to_english(d)
    # the queue may now be empty (an empty state, no table header), so look for the menu's English
    page.get_by_test_id("menu").get_by_text("Callbacks").wait_for()
    d.check_clean()


def test_a_manager_can_see_every_callback(desk: Any, server: Server) -> None:
    d: Desk = desk("duty_manager")
    page = d.go("/callbacks")
    page.get_by_test_id("scope-all").click()
    page.wait_for_load_state("networkidle")
    assert re.search(r"\d+", page.get_by_test_id("count-callbacks").inner_text())
    _to_english(d)
