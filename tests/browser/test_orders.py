"""工单查询 (the work-order list) and the order detail page."""

from __future__ import annotations

import itertools
import re
import struct
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import httpx

from tests.browser.conftest import Desk, Server

_phones = itertools.count(13955550001)


def _png(size: int = 16) -> bytes:
    """A small real PNG (a red square)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xd0\x30\x30" * size for _ in range(size))
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")


def _areas(server: Server) -> tuple[dict[str, Any], dict[str, Any], str]:
    """An area of the demo unit_handler's unit, an area of another station, and that station's handler."""
    with server.apis("unit_handler", "admin") as (h, admin):
        unit_id = h.get("/me").json()["unit_id"]
        areas = [a for a in h.get("/areas").json()["items"] if a["is_active"]]
        units = {u["id"]: u for u in h.get("/units").json()["items"]}
        away = {a["user_id"] for a in h.get("/absences").json()["items"] if a["current"]}  # whom h stands in for
        users = admin.get("/users", params={"role": "unit_handler"}).json()["items"]
    covered = {u["unit_id"] for u in users if u["id"] in away}  # (AB角: h sees those units' orders too)
    home = next(a for a in areas if a["unit_id"] == unit_id)
    other = next(
        a for a in areas if a["unit_id"] not in (unit_id, *covered) and units[a["unit_id"]]["kind"] == "station"
    )
    return home, other, f"h-{units[other['unit_id']]['code'].lower()}"


def _register(agent: httpx.Client, area: dict[str, Any], category: str = "RP-GAS-NOGAS") -> dict[str, Any]:
    body = {
        "type": "repair",
        "category": category,
        "description": f"浏览器测试（工单查询）：{category}",
        "channel": "phone",
        "contact_phone": str(next(_phones)),
        "contact_name": "查询测试",
        "address": "测试路 8 号",
        "area_id": area["id"],
    }
    r = agent.post("/work-orders", json=body)
    assert r.status_code == 201, r.text
    order = dict(r.json())
    assert order["state"] == "dispatched", order  # the demo rules dispatch gas repairs to the area's unit
    return order


def _query(page: Any) -> dict[str, list[str]]:
    return parse_qs(urlparse(page.url).query)


def _wait_rows(page: Any) -> None:
    page.locator("[data-test=orders-table], [data-test=orders-page] [data-test=page-empty]").first.wait_for()
    page.wait_for_function("() => !document.querySelector('[data-test=orders-page] .el-loading-mask')")


def _numbers(page: Any) -> list[str]:
    return list(page.get_by_test_id("order-link").all_inner_texts())


def _states(page: Any) -> set[str]:
    return set(
        page.eval_on_selector_all("[data-test=orders-table] [data-state]", "els => els.map(e => e.dataset.state)")
    )


def _total(page: Any) -> int:
    text = page.locator("[data-test=pager] .el-pagination__total").inner_text()
    return int(re.sub(r"\D", "", text))


def test_the_list_filters_by_state_counts_presets_sorts_and_pages(desk: Any, server: Server) -> None:
    home, _, _ = _areas(server)
    with server.apis("agent") as (agent,):
        me = agent.get("/me").json()["id"]
        mine = _register(agent, home)
        counts = agent.get("/work-orders", params={"with_counts": True, "page_size": 1}).json()["state_counts"]
        mine_open = agent.get("/work-orders", params={"state": "open", "owner_agent_id": me, "page_size": 1}).json()

    d: Desk = desk("agent")
    page = d.go("/orders")
    _wait_rows(page)
    assert _total(page) == sum(counts.values())
    assert page.get_by_test_id("count-resolved").get_attribute("data-count") == str(counts.get("resolved", 0))

    # a state count filters by its state
    page.get_by_test_id("count-dispatched").click()
    page.wait_for_url(re.compile(r"state=dispatched"))
    _wait_rows(page)
    assert _states(page) == {"dispatched"}
    assert _total(page) == counts["dispatched"]

    # the state select takes several states
    page.get_by_test_id("filter-state").click()
    page.get_by_test_id("state-option-accepted").click()
    page.wait_for_url(re.compile(r"state=dispatched&state=accepted"))
    page.keyboard.press("Escape")
    _wait_rows(page)
    assert _states(page) <= {"dispatched", "accepted"}
    assert _total(page) == counts["dispatched"] + counts.get("accepted", 0)

    # the preset "my open orders"
    page.get_by_test_id("preset-mine-open").click()
    page.wait_for_url(re.compile(rf"owner={me}"))
    assert _query(page)["state"] == ["open"]
    _wait_rows(page)
    assert _total(page) == mine_open["total"]
    assert mine["number"] in _numbers(page)
    assert "closed" not in _states(page)

    # save it under a name, clear the filters, and bring it back
    page.get_by_test_id("save-filter").click()
    page.get_by_test_id("save-filter-name").fill("我的在办")
    page.get_by_test_id("save-filter-submit").click()
    saved = page.locator("[data-test=saved-filter][data-name='我的在办']")
    saved.wait_for()
    page.get_by_test_id("reset").click()
    page.wait_for_url(re.compile(r"/orders$"))
    _wait_rows(page)
    page.reload()
    saved.click()  # kept in localStorage
    page.wait_for_url(re.compile(rf"owner={me}"))
    _wait_rows(page)
    assert _total(page) == mine_open["total"]
    saved.get_by_test_id("saved-filter-delete").click()
    saved.wait_for(state="detached")

    # "to call back" preset
    page.get_by_test_id("preset-to-callback").click()
    page.wait_for_url(re.compile(r"\?state=resolved$"))
    _wait_rows(page)
    assert _states(page) <= {"resolved"}

    # sorting by number, both ways, on the server
    page.get_by_test_id("reset").click()
    page.wait_for_url(re.compile(r"/orders$"))
    _wait_rows(page)
    header = page.locator("[data-test=orders-table] th", has_text="工单号")
    header.click()
    page.wait_for_url(re.compile(r"sort=number"))
    _wait_rows(page)
    ascending = _numbers(page)
    assert ascending == sorted(ascending)
    header.click()
    page.wait_for_url(re.compile(r"sort=-number"))
    _wait_rows(page)
    descending = _numbers(page)
    assert descending == sorted(descending, reverse=True) and descending[0] > ascending[0]

    # paging, 20 a page; Back returns to the previous page of the list
    assert len(descending) == 20
    page.locator("[data-test=pager] .btn-next").click()
    page.wait_for_url(re.compile(r"page=2"))
    _wait_rows(page)
    second = _numbers(page)
    assert len(second) == 20 and second[0] < descending[-1]
    page.go_back()
    page.wait_for_url(re.compile(r"sort=-number$"))
    _wait_rows(page)
    assert _numbers(page) == descending
    page.get_by_test_id("orders-page").evaluate("el => el.scrollIntoView()")
    d.shot("orders")
    d.check_clean()


def test_the_url_filters_the_list_and_a_bookmark_restores_it(desk: Any, server: Server) -> None:
    home, _, _ = _areas(server)
    with server.apis("agent") as (agent,):
        order = _register(agent, home, "RP-GAS-METER")
    d: Desk = desk("dispatcher")
    page = d.go(f"/orders?q={order['number']}&type=repair&category=RP-GAS-METER&unit={order['unit_id']}&returned=0")
    _wait_rows(page)
    assert _numbers(page) == [order["number"]]
    assert "非退单" in page.get_by_test_id("filter-returned").inner_text()
    page.get_by_test_id("filter-returned").hover()
    page.get_by_test_id("filter-returned").locator(".el-select__clear").click()
    page.wait_for_url(lambda url: "returned" not in url and "q=" in url)
    _wait_rows(page)
    assert page.get_by_test_id("filter-q").input_value() == order["number"]
    page.get_by_test_id("order-link").click()
    page.wait_for_url(re.compile(rf"/orders/{order['id']}$"))
    page.get_by_test_id("order-number").wait_for()
    page.go_back()
    page.wait_for_url(re.compile(r"q="))
    _wait_rows(page)
    assert _numbers(page) == [order["number"]]
    d.check_clean()


def _buttons(page: Any) -> list[str]:
    page.get_by_test_id("order-actions").wait_for()
    return list(
        page.eval_on_selector_all(
            "[data-test=order-actions] [data-test^=action-]", "els => els.map(e => e.dataset.test.slice(7))"
        )
    )


def test_the_detail_shows_the_timeline_and_only_the_allowed_buttons(desk: Any, server: Server) -> None:
    home, _, _ = _areas(server)
    with server.apis("agent", "dispatcher", "unit_handler") as (agent, dispatcher, handler):
        order = _register(agent, home)
        allowed = {
            user: c.get(f"/work-orders/{order['id']}").json()["allowed_actions"]
            for user, c in (("agent", agent), ("dispatcher", dispatcher), ("unit_handler", handler))
        }
    assert allowed["agent"] == ["urge"] and "reassign" in allowed["dispatcher"] and "accept" in allowed["unit_handler"]

    seen = {}
    for user in ("agent", "dispatcher", "unit_handler"):
        d: Desk = desk(user)
        page = d.go(f"/orders/{order['id']}")
        assert page.get_by_test_id("order-number").inner_text() == order["number"]
        seen[user] = _buttons(page)
        events = page.get_by_test_id("event")
        assert [e.get_attribute("data-action") for e in events.all()] == ["register", "dispatch"]
        assert "自动派单" in page.get_by_test_id("timeline").inner_text()  # the automatic dispatch's note
        by = page.get_by_test_id("event-by")
        assert by.nth(0).inner_text() == "操作人：agent"
        assert by.nth(1).inner_text().startswith("操作人：系统（派单规则 #")  # the rule that dispatched it
        assert page.get_by_test_id("field-unit").inner_text() == order["unit_name"]
        d.check_clean()
    assert seen == allowed
    assert seen["agent"] == ["urge"] and seen["unit_handler"] != seen["dispatcher"]  # 催办 only


def test_a_unit_handler_accepts_and_resolves_with_a_photo(desk: Any, server: Server, tmp_path: Path) -> None:
    home, _, _ = _areas(server)
    with server.apis("agent") as (agent,):
        order = _register(agent, home)
    photo = tmp_path / "meter.png"
    photo.write_bytes(_png())
    site = tmp_path / "site.png"
    site.write_bytes(_png(24))

    d: Desk = desk("unit_handler")
    page = d.go(f"/orders/{order['id']}")
    assert _buttons(page) == ["accept", "return"]
    page.get_by_test_id("no-attachments").wait_for()

    page.get_by_test_id("action-accept").click()
    page.get_by_test_id("action-dialog").wait_for()
    page.get_by_test_id("action-submit").click()
    page.locator("[data-test=order-state][data-state=accepted]").wait_for()
    page.wait_for_function("() => document.querySelectorAll('[data-test=event]').length === 3")
    assert "resolve" in _buttons(page) and "accept" not in _buttons(page)

    # a photo through the page's own upload button
    page.get_by_test_id("attachment-upload").locator("input[type=file]").set_input_files(str(photo))
    page.get_by_test_id("attachment-photo").first.wait_for()
    assert page.get_by_test_id("attachment-photo").count() == 1

    # resolve with another photo from the dialog
    page.get_by_test_id("action-resolve").click()
    page.get_by_test_id("action-dialog").wait_for()
    page.get_by_test_id("action-text").fill("已疏通调压器，恢复供气，压力正常。")
    page.get_by_test_id("photo-upload").locator("input[type=file]").set_input_files(str(site))
    page.get_by_test_id("action-submit").click()
    page.locator("[data-test=order-state][data-state=resolved]").wait_for()
    page.wait_for_function("() => document.querySelectorAll('[data-test=attachment-photo]').length === 2")
    assert page.get_by_test_id("field-result").inner_text() == "已疏通调压器，恢复供气，压力正常。"
    assert [e.get_attribute("data-action") for e in page.get_by_test_id("event").all()][-1] == "resolve"
    assert _buttons(page) == []
    img = page.get_by_test_id("attachment-photo").first.locator("img")
    img.wait_for()
    page.wait_for_function("el => el.complete && el.naturalWidth > 0", arg=img.element_handle())
    img.click()
    page.locator(".el-image-viewer__wrapper").wait_for()
    page.keyboard.press("Escape")
    page.locator(".el-image-viewer__wrapper").wait_for(state="detached")
    page.wait_for_function("() => !document.querySelector('.el-message')", timeout=15_000)
    d.shot("order-detail")
    d.check_clean()

    with server.apis("unit_handler") as (handler,):
        detail = handler.get(f"/work-orders/{order['id']}").json()
    assert detail["state"] == "resolved" and len(detail["attachments"]) == 2


def test_a_unit_handler_opening_another_units_order_sees_not_found(desk: Any, server: Server) -> None:
    _, other, other_handler = _areas(server)
    with server.apis("agent") as (agent,):
        order = _register(agent, other)
    d: Desk = desk("unit_handler")
    page = d.go(f"/orders/{order['id']}")
    page.get_by_test_id("order-not-found").wait_for()
    assert "工单不存在或无权查看" in page.get_by_test_id("order-not-found").inner_text()
    assert page.get_by_test_id("order-number").count() == 0
    page.get_by_test_id("back-to-list").click()
    page.wait_for_url(re.compile(r"/orders$"))
    _wait_rows(page)
    assert order["number"] not in _numbers(page)
    # the unit's own preset: its orders not yet accepted
    assert page.get_by_test_id("preset-mine-open").count() == 0
    page.get_by_test_id("preset-unit-dispatched").click()
    page.wait_for_url(re.compile(r"state=dispatched"))
    _wait_rows(page)
    with server.apis("unit_handler") as (handler,):
        unit_id = handler.get("/me").json()["unit_id"]
        expected = handler.get("/work-orders", params={"unit_id": unit_id, "state": "dispatched"}).json()["total"]
    assert _query(page)["unit"] == [str(unit_id)]
    assert _total(page) == expected and _states(page) <= {"dispatched"}
    d.check_clean()

    mate: Desk = desk(other_handler)  # the unit it went to sees it
    page = mate.go(f"/orders/{order['id']}")
    assert page.get_by_test_id("order-number").inner_text() == order["number"]
    assert _buttons(page) == ["accept", "return"]


def test_both_pages_read_in_english(desk: Any, server: Server) -> None:
    home, _, _ = _areas(server)
    with server.apis("agent") as (agent,):
        order = _register(agent, home, "RP-GAS-PIPE")
    d: Desk = desk("agent", locale="en")
    page = d.go("/orders")
    _wait_rows(page)
    page.get_by_test_id("more-filters").click()
    page.get_by_text("Saved filters").wait_for()
    assert "Registered" in page.get_by_test_id("orders-table").inner_text()
    d.check_clean()
    d.shot("orders-en")
    page.goto(f"{server.base}/orders/{order['id']}")
    page.get_by_test_id("order-number").wait_for()
    # the English category name arrives with the categories, which may load after the order itself
    page.get_by_test_id("order-header").get_by_text("Indoor piping problem").wait_for(timeout=10_000)
    assert "History" in page.inner_text("body")
    d.shot("order-detail-en")
    page.goto(f"{server.base}/orders/999999")
    page.get_by_test_id("order-not-found").wait_for()
    assert "not found" in page.get_by_test_id("order-not-found").inner_text()
    d.check_clean()
