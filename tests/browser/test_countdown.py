"""时限 countdowns: the order list, the order detail and the unit inbox count down to each deadline.

A fresh gas repair is dispatched at registration, so its arrive deadline (30 or 60 minutes, by the area
type) is running: green. To see one past due without moving the server's clock, Playwright's clock moves
the browser's time on two hours; the countdown (browser clock) turns red with 超时.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from typing import Any

from tests.browser.conftest import Desk, Server

_phones = itertools.count(13955560001)


def _home_area(server: Server) -> dict[str, Any]:
    """An active area of the demo unit_handler's unit (a repair there is dispatched to that unit)."""
    h = server.api("unit_handler")
    try:
        unit_id = h.get("/me").json()["unit_id"]
        return next(a for a in h.get("/areas").json()["items"] if a["unit_id"] == unit_id and a["is_active"])
    finally:
        h.close()


def _register_repair(server: Server) -> dict[str, Any]:
    """A gas repair (RP-GAS-NOGAS) for a demo customer of the handler's area: dispatched, deadlines running."""
    area = _home_area(server)
    admin = server.api("admin")
    agent = server.api("agent")
    try:
        orders = admin.get("/work-orders", params={"page_size": 200, "area_id": area["id"]}).json()["items"]
        customer_id = next((o["customer_id"] for o in orders if o["customer_id"]), None)
        body = {
            "type": "repair",
            "category": "RP-GAS-NOGAS",
            "description": "浏览器测试（时限）：家中无气",
            "channel": "phone",
            "contact_phone": str(next(_phones)),
            "contact_name": "时限测试",
            "address": "测试路 9 号",
            "area_id": area["id"],
            "customer_id": customer_id,
        }
        r = agent.post("/work-orders", json=body)
        assert r.status_code == 201, r.text
        order = dict(r.json())
    finally:
        admin.close()
        agent.close()
    assert order["state"] == "dispatched", order
    assert order["next_deadline_at"] and not order["overdue"], order
    stages = {d["stage"] for d in order["deadlines"] if not d["met_at"]}
    assert "arrive" in stages, order["deadlines"]
    return order


def _list_row(d: Desk, number: str) -> Any:
    page = d.go(f"/orders?q={number}")
    row = page.locator("[data-test=orders-table] .el-table__body-wrapper tr", has_text=number)
    row.wait_for()
    return row


def test_a_fresh_order_counts_down_green_in_the_list_detail_and_inbox(desk: Any, server: Server) -> None:
    order = _register_repair(server)
    number = order["number"]

    d: Desk = desk("agent")
    row = _list_row(d, number)
    countdown = row.get_by_test_id("countdown")
    assert countdown.get_attribute("data-tone") == "green"
    assert countdown.inner_text().startswith("剩余 ")
    assert "hy-row-overdue" not in (row.get_attribute("class") or "")
    assert d.page.locator("[data-test=orders-table] th", has_text="时限").count() == 1
    d.go("/orders")
    d.page.get_by_test_id("countdown").first.wait_for()
    d.shot("orders-countdown")
    d.check_clean()

    page = d.go(f"/orders/{order['id']}")
    card = page.get_by_test_id("deadlines-card")
    card.get_by_test_id("deadlines-table").wait_for()
    assert "时限" in card.inner_text()
    arrive = card.locator(".el-table__body-wrapper tr", has=page.get_by_test_id("deadline-arrive-0"))
    assert "到场" in arrive.inner_text() and "首次" in arrive.inner_text()
    assert arrive.get_by_test_id("countdown").get_attribute("data-tone") == "green"
    assert card.get_by_test_id("escalation-level").count() == 0
    d.shot("order-detail-deadlines")
    d.check_clean()

    h: Desk = desk("unit_handler")
    page = h.go("/inbox")
    inbox_row = page.locator("[data-test=table-pending] .el-table__body-wrapper tr", has_text=number)
    inbox_row.wait_for()
    assert inbox_row.get_by_test_id("countdown").get_attribute("data-tone") == "green"
    assert inbox_row.get_by_test_id(f"accept-{number}").count() == 1
    h.check_clean()


def test_past_due_turns_red_with_overdue_on_the_browser_clock(desk: Any, server: Server) -> None:
    order = _register_repair(server)
    number = order["number"]

    d: Desk = desk("agent")
    d.page.clock.install(time=datetime.now(UTC))
    row = _list_row(d, number)
    countdown = row.get_by_test_id("countdown")
    assert countdown.get_attribute("data-tone") == "green"

    d.page.clock.fast_forward("02:00:00")  # past the arrive deadline; the shared 30 s tick re-renders
    d.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-test=orders-table] tr')]"
        f".some(r => r.innerText.includes('{number}') && r.querySelector('[data-test=countdown][data-tone=red]'))"
    )
    assert countdown.inner_text().startswith("超时 ")
    assert "hy-row-overdue" in (row.get_attribute("class") or "")

    page = d.go(f"/orders/{order['id']}")
    arrive = page.get_by_test_id("deadlines-card").locator(
        ".el-table__body-wrapper tr", has=page.get_by_test_id("deadline-arrive-0")
    )
    arrive.wait_for()
    # a new page load keeps the installed clock, two hours on
    assert arrive.get_by_test_id("countdown").get_attribute("data-tone") == "red"
    assert "超时" in arrive.get_by_test_id("countdown").inner_text()
    d.check_clean()


def test_the_countdowns_in_english(desk: Any, server: Server) -> None:
    order = _register_repair(server)
    d: Desk = desk("agent", locale="en")
    row = _list_row(d, order["number"])
    assert row.get_by_test_id("countdown").inner_text().endswith(" left")
    assert d.page.locator("[data-test=orders-table] th", has_text="Time limit").count() == 1
    d.check_clean()

    page = d.go(f"/orders/{order['id']}")
    card = page.get_by_test_id("deadlines-card")
    card.get_by_test_id("deadlines-table").wait_for()
    text = card.inner_text()
    assert "Time limits" in text and "Arrive" in text and "First" in text and " left" in text
    d.check_clean()
