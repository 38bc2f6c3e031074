"""Notifications that must be acknowledged (the popup), the notification centre, 催办 / 督办 from the order
page, and the supervision board (督办看板).

The server runs its worker embedded, so a dispatch or an urge reaches the browser through the WebSocket
within moments. Every test makes its own orders; the ``desk`` fixture acknowledges what an earlier test
left waiting for the user before the page opens.
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from tests.browser.conftest import Desk, Server, pick

_phones = itertools.count(13966660001)


def _register(agent: httpx.Client, area: dict[str, Any], category: str, kind: str) -> dict[str, Any]:
    body = {
        "type": kind,
        "category": category,
        "description": f"浏览器测试（通知）：{category}",
        "channel": "phone",
        "contact_phone": str(next(_phones)),
        "contact_name": "通知测试",
        "address": "渝中区解放碑街道通知路 2 号",
        "area_id": area["id"],
    }
    r = agent.post("/work-orders", json=body)
    assert r.status_code == 201, r.text
    return dict(r.json())


@pytest.fixture
def made(server: Server) -> Iterator[list[dict[str, Any]]]:
    """The orders a test makes. Afterwards the unit resolves those still open, so their 10-minute accept
    limit does not escalate them into a later test's page."""
    orders: list[dict[str, Any]] = []
    yield orders
    with server.apis("unit_handler") as (h,):
        for o in orders:
            state = h.get(f"/work-orders/{o['id']}").json().get("state")
            steps = {"dispatched": ["accept", "start", "resolve"], "accepted": ["start", "resolve"]}.get(state, [])
            for step in steps:
                h.post(f"/work-orders/{o['id']}/{step}", json={"result": "测试结束"} if step == "resolve" else None)


def _queued(server: Server, area: dict[str, Any]) -> dict[str, Any]:
    """A complaint in the dispatcher's queue (complaints are not dispatched automatically)."""
    with server.apis("agent") as (agent,):
        order = _register(agent, area, "CP-BILLING", "complaint")
    assert order["state"] == "registered" and order["unit_id"] is None, order
    return order


def _dispatched(server: Server, area: dict[str, Any]) -> dict[str, Any]:
    """A gas repair, dispatched at registration to the area's unit (the handler's)."""
    with server.apis("agent") as (agent,):
        order = _register(agent, area, "RP-GAS-METER", "repair")
    assert order["state"] == "dispatched", order
    return order


def _live(page: Any) -> None:
    """The page's notification socket is open (pushes now arrive at once)."""
    page.locator("[data-test=notification-bell][data-connection=open]").wait_for()


def _settled(page: Any) -> None:
    """The page has loaded what waits for an acknowledgement."""
    _live(page)
    page.wait_for_load_state("networkidle")


def test_a_dispatch_pops_up_at_the_unit_until_acknowledged(desk: Any, server: Server, made: list[Any]) -> None:
    unit, area = server.home()
    order = _queued(server, area)
    made.append(order)
    number = order["number"]

    d: Desk = desk("unit_handler", popups=True)
    page = d.go("/inbox")
    page.get_by_test_id("inbox-page").wait_for()
    _settled(page)
    popup = page.get_by_test_id("notification-popup")
    assert not popup.is_visible()

    with server.apis("dispatcher") as (dispatcher,):
        r = dispatcher.post(f"/work-orders/{order['id']}/dispatch", json={"unit_id": unit["id"]})
        assert r.status_code == 200, r.text
    started = time.monotonic()
    popup.wait_for(timeout=2000)  # pushed through the socket within 2 s of the dispatch
    assert time.monotonic() - started < 2.5
    popup.get_by_test_id("notification-order-number").filter(has_text=number).wait_for(timeout=2000)
    assert popup.get_attribute("data-kind") == "dispatch"
    assert "新工单" in popup.inner_text()
    assert int(page.get_by_test_id("notification-bell").get_attribute("data-unacked") or 0) >= 1
    page.wait_for_timeout(400)  # the dialog's fade-in
    d.shot("notification-popup")

    # Not acknowledged: it comes back after a reload, and neither Escape nor a click outside closes it.
    page.reload()
    popup.get_by_test_id("notification-order-number").filter(has_text=number).wait_for()
    page.keyboard.press("Escape")
    page.mouse.click(20, 450)
    page.wait_for_timeout(300)
    assert popup.is_visible()

    popup.get_by_test_id("notification-ack").click()
    popup.wait_for(state="hidden")
    page.reload()
    page.get_by_test_id("inbox-page").wait_for()
    _settled(page)
    page.wait_for_timeout(300)
    assert not page.get_by_test_id("notification-popup").is_visible()

    # The notification centre lists it as acknowledged.
    page.get_by_test_id("notification-bell").click()
    page.wait_for_url("**/notifications")
    row = page.locator(f"[data-test=notification-row][data-order='{number}']")
    row.wait_for()
    assert row.get_attribute("data-state") == "acked"
    state = page.locator(".el-table__body-wrapper tr", has=row).get_by_test_id("notification-state").inner_text()
    assert state.startswith("已确认")
    d.shot("notification-centre")

    page.get_by_test_id("tab-unacked").click()
    page.wait_for_url(re.compile(r"tab=unacked"))
    page.locator(f"[data-test=notification-row][data-order='{number}']").wait_for(state="detached")
    d.check_clean()


def test_a_manager_urges_in_the_order_page_and_the_unit_must_acknowledge(
    desk: Any, server: Server, made: list[Any]
) -> None:
    _, area = server.home()
    order = _dispatched(server, area)
    made.append(order)
    number = order["number"]

    handler: Desk = desk("unit_handler", popups=True)  # the dispatch popup is acknowledged before the page opens
    inbox = handler.go("/inbox")
    inbox.get_by_test_id("inbox-page").wait_for()
    _settled(inbox)
    assert not inbox.get_by_test_id("notification-popup").is_visible()

    manager: Desk = desk("duty_manager")
    page = manager.go(f"/orders/{order['id']}")
    page.get_by_test_id("order-number").wait_for()
    assert page.get_by_test_id("supervision-mark").count() == 0
    assert page.get_by_test_id("action-supervise").count() == 0  # 督办 is the supervisor's and director's
    page.get_by_test_id("action-urge").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.get_by_test_id("action-hint").wait_for()
    dialog.get_by_test_id("action-text").fill("客户第三次来电，请尽快上门")
    page.get_by_test_id("action-submit").click()
    dialog.wait_for(state="hidden")
    mark = page.get_by_test_id("order-header").get_by_test_id("supervision-mark")
    mark.wait_for()
    assert mark.inner_text() == "催办" and mark.get_attribute("data-mark") == "urge"
    page.locator("[data-test=event][data-action=urge]").filter(has_text="客户第三次来电").wait_for()
    manager.shot("order-urged")

    # The unit's handler gets a popup naming the order, who pressed and why.
    popup = inbox.get_by_test_id("notification-popup")
    popup.wait_for(timeout=3000)
    assert popup.get_attribute("data-kind") == "urge"
    text = popup.inner_text()
    assert number in text and "客户第三次来电，请尽快上门" in text and "催办" in text

    # A supervisor puts it under supervision as well: two wait, the newest (督办, red) first.
    with server.apis("supervisor") as (supervisor,):
        r = supervisor.post(f"/work-orders/{order['id']}/supervise", json={"note": "列入本周督办"})
        assert r.status_code == 200, r.text
        assert r.json()["supervision_mark"] == "supervise"
    inbox.locator("[data-test=notification-popup][data-kind=supervise]").wait_for(timeout=3000)
    assert popup.get_attribute("data-tone") == "danger"
    assert popup.get_by_test_id("notification-more").inner_text() == "还有 1 条待确认"
    inbox.wait_for_timeout(400)
    handler.shot("notification-popup-two")

    # 查看工单: acknowledges it and opens the order; the 催办 is still waiting there.
    popup.get_by_test_id("notification-open-order").click()
    inbox.wait_for_url(f"**/orders/{order['id']}")
    inbox.locator("[data-test=notification-popup][data-kind=urge]").wait_for()
    assert inbox.get_by_test_id("notification-more").count() == 0
    popup.get_by_test_id("notification-ack").click()
    popup.wait_for(state="hidden")
    tag = inbox.get_by_test_id("order-header").get_by_test_id("supervision-mark")
    assert tag.inner_text() == "督办"

    # the inbox row and the list show the mark too
    inbox.goto(f"{server.base}/inbox")
    row = inbox.locator(".el-table__body-wrapper tr", has_text=number)
    assert row.get_by_test_id("supervision-mark").inner_text() == "督办"
    manager.check_clean()
    handler.check_clean()


def test_acknowledge_all_and_another_tab_closes_too(desk: Any, server: Server, made: list[Any]) -> None:
    _, area = server.home()
    d: Desk = desk("unit_handler", popups=True)
    first = d.go("/inbox")
    _settled(first)
    second = first.context.new_page()
    second.goto(f"{server.base}/orders")
    _settled(second)

    orders = [_dispatched(server, area) for _ in range(2)]
    made.extend(orders)
    for page in (first, second):
        popup = page.get_by_test_id("notification-popup")
        popup.get_by_test_id("notification-more").wait_for(timeout=3000)
        assert popup.get_by_test_id("notification-order-number").inner_text() == orders[-1]["number"]  # newest first
    assert first.get_by_test_id("notification-more").inner_text() == "还有 1 条待确认"

    first.get_by_test_id("notification-ack-all").click()
    first.get_by_test_id("notification-popup").wait_for(state="hidden")
    second.get_by_test_id("notification-popup").wait_for(state="hidden", timeout=3000)  # told by the socket
    with server.apis("unit_handler") as (h,):
        assert h.get("/notifications", params={"unacked": "true"}).json()["unacked"] == 0
    d.check_clean()


def _board_counts(page: Any, unit: str) -> dict[str, int]:
    out = {}
    for field in ("open", "due_soon", "overdue", "escalated", "urged", "supervised"):
        cell = page.locator(f"[data-test=board-{field}][data-unit='{unit}']")
        out[field] = int(cell.inner_text())
    return out


def _total(page: Any) -> int:
    page.wait_for_function("() => !document.querySelector('[data-test=orders-page] .el-loading-mask')")
    text = page.locator("[data-test=pager] .el-pagination__total").inner_text()
    return int(re.sub(r"\D", "", text))


def test_the_board_counts_open_the_filtered_order_list(desk: Any, server: Server, made: list[Any]) -> None:
    unit, area = server.home()
    order = _dispatched(server, area)
    made.append(order)
    with server.apis("dispatcher") as (dispatcher,):
        assert dispatcher.post(f"/work-orders/{order['id']}/urge", json={"note": "看板测试"}).status_code == 200
        board = dispatcher.get("/sla/board", params={"soon_minutes": 60}).json()
    row = next(r for r in board["rows"] if r["unit_id"] == unit["id"])
    assert row["open"] >= 1 and row["urged"] >= 1

    d: Desk = desk("supervisor")
    page = d.go("/overview")
    page.get_by_test_id("board-link").click()
    page.wait_for_url("**/board")
    page.get_by_test_id("board-table").wait_for()
    page.locator("[data-test=board-chart][data-rendered='1']").wait_for()
    key = str(unit["id"])
    counts = _board_counts(page, key)
    assert counts["open"] >= 1 and counts["urged"] >= 1
    totals = _board_counts(page, "total")
    assert totals["open"] >= counts["open"]
    assert unit["name"] in page.locator(f"[data-test=board-unit][data-unit='{key}']").inner_text()
    d.shot("supervision-board")

    # 即将到期 within 120 minutes: in the URL, and counted again
    page.get_by_test_id("soon-120").click()
    page.wait_for_url(re.compile(r"soon=120"))

    # a count opens the order list with exactly those orders
    page.locator(f"a[data-test=board-urged][data-unit='{key}']").click()
    page.wait_for_url(re.compile(r"/orders\?"))
    query = parse_qs(urlparse(page.url).query)
    assert query["unit"] == [key] and query["supervision"] == ["urge"] and query["state"] == ["open"]
    page.get_by_test_id("orders-table").wait_for()
    assert _total(page) == counts["urged"]
    page.get_by_test_id("filter-supervision").wait_for()  # the filter shows in the bar (更多条件 opened)
    assert "催办" in page.get_by_test_id("filter-supervision").inner_text()
    link_row = page.locator(".el-table__body-wrapper tr", has_text=order["number"])
    assert link_row.get_by_test_id("supervision-mark").inner_text() == "催办"
    d.shot("orders-from-board")

    page.go_back()
    page.wait_for_url("**/board**")
    page.locator(f"a[data-test=board-open][data-unit='{key}']").click()
    page.wait_for_url(re.compile(r"/orders\?"))
    page.get_by_test_id("orders-table").wait_for()
    assert _total(page) == counts["open"]
    d.check_clean()


def test_the_list_filters_by_deadline_and_mark_from_the_url(desk: Any, server: Server, made: list[Any]) -> None:
    _, area = server.home()
    order = _dispatched(server, area)
    made.append(order)
    with server.apis("supervisor") as (supervisor,):
        assert supervisor.post(f"/work-orders/{order['id']}/supervise").status_code == 200
        expected = supervisor.get(
            "/work-orders", params={"supervision": "supervise", "overdue": "false", "state": "open"}
        ).json()["total"]
    d: Desk = desk("supervisor")
    page = d.go("/orders?supervision=supervise&overdue=0&state=open")
    page.get_by_test_id("orders-table").wait_for()
    assert _total(page) == expected
    assert page.locator(".el-table__body-wrapper tr", has_text=order["number"]).count() == 1
    # a fresh gas repair is due within two hours, not overdue
    pick(
        page.get_by_test_id("filter-due-within"), page.locator(".el-select-dropdown__item:visible", has_text="2 小时内")
    )
    page.wait_for_url(re.compile(r"due_within=120"))
    page.get_by_test_id("orders-table").wait_for()
    assert page.locator(".el-table__body-wrapper tr", has_text=order["number"]).count() == 1
    d.check_clean()


def test_the_new_pages_in_english(desk: Any, server: Server, made: list[Any]) -> None:
    _, area = server.home()
    d: Desk = desk("unit_handler", locale="en", popups=True)
    page = d.go("/notifications")
    page.get_by_test_id("notifications-page").wait_for()
    assert page.get_by_test_id("tab-unacked").inner_text().startswith("To acknowledge")
    _settled(page)

    order = _dispatched(server, area)
    made.append(order)
    popup = page.get_by_test_id("notification-popup")
    popup.get_by_test_id("notification-order-number").filter(has_text=order["number"]).wait_for(timeout=3000)
    chrome = [
        popup.locator(".el-dialog__title").inner_text(),
        popup.get_by_test_id("notification-kind").inner_text(),
        popup.get_by_test_id("notification-title").inner_text(),
        *popup.locator(".el-button").all_inner_texts(),
    ]
    assert chrome[:3] == ["Please acknowledge", "Dispatch", "New work order"], chrome
    assert not [t for t in chrome if re.search(r"[\u3400-\u9fff]", t)], chrome
    page.wait_for_timeout(400)
    d.shot("notification-popup-en")
    popup.get_by_test_id("notification-ack").click()
    popup.wait_for(state="hidden")
    # the centre shows it at once (the store's revision reloads the list)
    row = page.locator(f"[data-test=notification-row][data-order='{order['number']}']")
    row.wait_for()
    assert row.get_attribute("data-state") == "acked"
    page = d.go("/board")
    page.get_by_test_id("board-table").wait_for()
    assert "Supervision board" in page.locator("h2").inner_text()
    d.check_clean()


def test_a_popup_that_turns_up_mid_test_does_not_block_other_tests(desk: Any, server: Server, made: list[Any]) -> None:
    """The desk fixture acknowledges a popup that is not the test's business before the next action."""
    _, area = server.home()
    d: Desk = desk("unit_handler")
    page = d.go("/inbox")
    _settled(page)
    made.append(_dispatched(server, area))
    # (no wait_for on the popup: waiting is an action, and the fixture would acknowledge it first)
    page.wait_for_function("() => document.querySelector('[data-test=notification-popup]')?.offsetParent")
    page.get_by_test_id("tab-working").click()  # would time out under the modal
    assert not page.get_by_test_id("notification-popup").is_visible()
    with server.apis("unit_handler") as (h,):
        assert h.get("/notifications", params={"unacked": "true"}).json()["unacked"] == 0
    d.check_clean()
