"""The whole closed loop, each person at their own desk in the browser (the issue's main scenario).

An agent finds the caller by phone and registers a repair; it is dispatched automatically to the unit
that owns the customer's area; the unit handler accepts it and resolves it with a photo; the agent calls
back "unsatisfied" and sees it reopened; the unit resolves it again; the agent calls back "satisfied"
and sees it closed. Nothing is done through the API but the set-up of the customer and the checks.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from tests.browser.conftest import Desk, Server
from tests.browser.test_queues import _find_task_row, _row
from tests.browser.test_workbench import _pick_category

PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def _submit_dialog(page: Any) -> None:
    page.get_by_test_id("action-submit").click()
    page.get_by_test_id("action-dialog").wait_for(state="hidden")


def _resolve_from_inbox(page: Any, number: str, result: str, photo: Path | None) -> None:
    page.get_by_test_id("refresh").click()
    page.get_by_test_id("tab-pending").click()
    _row(page, number).wait_for()
    page.get_by_test_id(f"accept-{number}").click()
    _submit_dialog(page)
    page.get_by_test_id("tab-working").click()
    page.get_by_test_id(f"resolve-{number}").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.get_by_test_id("action-text").fill(result)
    if photo is not None:
        dialog.locator("input[type=file]").set_input_files(str(photo))
        dialog.locator(".el-upload-list__item").wait_for()
    _submit_dialog(page)
    _row(page, number).wait_for(state="detached")


def _call_back(page: Any, number: str, result: str) -> None:
    page.get_by_test_id("refresh").click()
    _find_task_row(page, number)
    page.get_by_test_id(f"callback-{number}").click()
    page.get_by_test_id(f"callback-{result}").click()
    _submit_dialog(page)
    _row(page, number).wait_for(state="detached")


def test_a_repair_goes_round_the_loop_in_the_browser_until_the_customer_is_satisfied(
    desk: Any, server: Server, tmp_path: Path
) -> None:
    unit, area = server.home()
    admin = server.api("admin")
    r = admin.post(
        "/customers",
        json={
            "account_no": "LOOP-0001",
            "name": "闭环测试客户",
            "phones": ["13566660001"],
            "address": "渝中区解放碑街道闭环路 8 号",
            "area_id": area["id"],
            "tags": ["key_customer"],
        },
    )
    assert r.status_code == 201, r.text
    customer = r.json()
    photo = tmp_path / "site.png"
    photo.write_bytes(PNG)

    # The agent finds the caller by phone and registers a repair.
    agent: Desk = desk("agent")
    page = agent.go("/workbench")
    page.get_by_test_id("customer-search").fill("13566660001")
    page.keyboard.press("Enter")
    panel = page.get_by_test_id("customer-panel")
    panel.wait_for()
    assert panel.get_attribute("data-customer") == str(customer["id"])
    assert panel.locator("[data-tag=key_customer]").inner_text() == "重要客户"
    page.locator("[data-test=order-type] [data-type=repair]").click()
    _pick_category(page, "无气", "RP-GAS-NOGAS")
    page.get_by_test_id("description").fill("灶具打不着火，燃气表有余额。")
    page.get_by_test_id("save").click()
    saved = page.get_by_test_id("saved-order")
    saved.wait_for()
    order_id = int(saved.get_attribute("data-order") or 0)
    api = server.api("agent")
    order = api.get(f"/work-orders/{order_id}").json()
    assert order["state"] == "dispatched" and order["unit_id"] == unit["id"]  # dispatched automatically
    number = order["number"]

    # The unit handler accepts it and resolves it with a photo.
    handler: Desk = desk("unit_handler")
    inbox = handler.go("/inbox")
    _resolve_from_inbox(inbox, number, "更换调压器，试火正常", photo)

    # The agent calls back: unsatisfied, and the order is reopened one grade higher.
    callbacks = agent.go("/callbacks")
    _call_back(callbacks, number, "unsatisfied")
    detail = agent.go(f"/orders/{order_id}")
    detail.locator("[data-test=order-state][data-state=dispatched]").wait_for()
    timeline = detail.get_by_test_id("timeline").inner_text()
    assert "重新打开" in timeline or "reopen" in timeline
    assert detail.get_by_test_id("attachments").locator("[data-test=attachment-photo]").count() == 1

    # The unit resolves it again; the agent calls back satisfied and the order is closed.
    _resolve_from_inbox(inbox, number, "复查后更换表前阀，客户确认正常", None)
    callbacks = agent.go("/callbacks")
    _call_back(callbacks, number, "satisfied")
    detail = agent.go(f"/orders/{order_id}")
    detail.locator("[data-test=order-state][data-state=closed]").wait_for()
    agent.shot("order-detail-closed")
    closed = api.get(f"/work-orders/{order_id}").json()
    assert closed["state"] == "closed" and closed["callback_result"] == "satisfied"
    assert closed["reopen_count"] == 1 and closed["grade"] == "urgent"
    assert [e["action"] for e in closed["events"]] == [
        "register",
        "dispatch",
        "accept",
        "resolve",
        "reopen",
        "accept",
        "resolve",
        "close",
    ]  # the callbacks are recorded as the reopen and the close they caused
    agent.check_clean()
    handler.check_clean()
    api.close()
    admin.close()
