"""大屏: the floor's wallboard shows what GET /kpis/wallboard says (calls waiting, the longest wait, the queues,
agents by state, today's service level in the centre's variant, 接通率, 放弃率, ASA, open emergencies) and the
open warnings of GET /warnings; it watches ``wallboard`` on the notifications socket and changes live: a call
offered through a CTI integration shows up in 排队 and its queue without a reload, red once it has waited past
60 s, and leaves again when the caller hangs up. Leaving the page unwatches. English; an agent has neither the
menu entry nor the page."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import httpx

from tests.browser.conftest import SHOTS, Desk, Server
from tests.browser.test_english import chinese_in_chrome

TRUNK = "95598"
STATES = {"ready": "就绪", "on_call": "通话中", "acw": "话后处理", "not_ready": "未就绪", "signed_in": "已签入"}


def _board(server: Server) -> dict[str, Any]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/kpis/wallboard")
    assert r.status_code == 200, r.text
    return dict(r.json())


def _open_warnings(server: Server) -> int:
    with server.apis("duty_manager") as (api,):
        r = api.get("/warnings", params={"state": "open", "limit": 200})
    assert r.status_code == 200, r.text
    return len(r.json())


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _clock(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    s = int(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02}:{sec:02}" if h else f"{m}:{sec:02}"


def _value(page: Any, hook: str) -> str:
    return str(page.get_by_test_id(hook).get_attribute("data-value"))


def _raw(value: float | None) -> str:
    """The number as the page's attribute holds it: JavaScript writes 7.0 as "7"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _check(page: Any, board: dict[str, Any]) -> None:
    """The page shows ``board`` (the API's, read after the page showed its own): every figure but the waits,
    which grow with the clock while a caller waits (the page's may be a push of a few seconds before)."""
    today = board["today"]
    assert _value(page, "wb-waiting") == str(board["waiting"])
    assert page.get_by_test_id("wb-waiting").locator("b").inner_text().strip() == str(board["waiting"])
    assert 0 <= board["longest_wait"] - int(_value(page, "wb-longest")) <= 15
    assert _value(page, "wb-emergencies") == str(board["open_emergencies"])
    assert page.get_by_test_id("wb-emergencies").get_attribute("data-alert") == (
        "1" if board["open_emergencies"] > 0 else "0"
    )
    sl = page.get_by_test_id("wb-sl")
    assert sl.get_attribute("data-variant") == board["variant"]
    assert f"服务水平 {board['variant']}（{board['threshold']}秒）" in sl.inner_text()
    assert _value(page, "wb-sl") == _raw(today["service_level"]) and _pct(today["service_level"]) in sl.inner_text()
    assert f"今日呼入 {today['offered']} · 接通 {today['answered']} · 放弃 {today['abandoned']}" in sl.inner_text()
    assert _value(page, "wb-answer-rate") == _raw(today["answer_rate"])
    assert _pct(today["answer_rate"]) in page.get_by_test_id("wb-answer-rate").inner_text()
    assert _value(page, "wb-abandon-rate") == _raw(today["abandon_rate"])
    assert _pct(today["abandon_rate"]) in page.get_by_test_id("wb-abandon-rate").inner_text()
    assert _value(page, "wb-asa") == _raw(today["asa"])
    assert _clock(today["asa"]) in page.get_by_test_id("wb-asa").inner_text()
    for state, label in STATES.items():
        tile = page.get_by_test_id(f"wb-agents-{state}")
        assert tile.get_attribute("data-value") == str(board["agents"].get(state, 0)), state
        assert label in tile.inner_text()
    shown = {
        q.get_attribute("data-queue"): q.get_by_test_id("wb-queue-waiting").get_attribute("data-value")
        for q in page.get_by_test_id("wb-queue").all()
    }
    assert shown == {q["queue"]: str(q["waiting"]) for q in board["queues"]}


class Pbx:
    def __init__(self, server: Server) -> None:
        with server.apis("admin") as (admin,):
            r = admin.post("/cti-integrations", json={"name": f"大屏测试 {random.randint(0, 10**6)}"})
        assert r.status_code == 201, r.text
        self.url = f"{server.base}/api/v1/cti/{r.json()['token']}"

    def post(self, **body: Any) -> None:
        r = httpx.post(self.url, json=body, timeout=10)
        assert r.status_code == 200, r.text


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def test_the_wallboard_shows_the_floor_and_changes_live(desk: Any, server: Server) -> None:
    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    sent: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(str(payload))))
    page.reload()  # the socket opened again, with its frames listened to
    page.get_by_test_id("menu").locator("[data-menu=wallboard]").click()
    page.wait_for_url(re.compile(r"/wallboard$"))
    page.get_by_role("heading", name="话务大屏").wait_for()

    # live: the server took the watch and pushes the board
    page.locator("[data-test=wallboard-page][data-live=live]").wait_for()
    assert "watch:wallboard" in sent
    first_at = page.get_by_test_id("wallboard-page").get_attribute("data-at")
    page.wait_for_function(
        "at => document.querySelector('[data-test=wallboard-page]').dataset.at !== at", arg=first_at, timeout=15_000
    )
    assert re.fullmatch(r"更新于 \d\d:\d\d:\d\d", page.get_by_test_id("wb-updated").inner_text().strip())
    assert re.fullmatch(r"\d\d:\d\d:\d\d", page.get_by_test_id("wb-clock").inner_text().strip())
    _check(page, _board(server))
    warnings = _open_warnings(server)
    assert _value(page, "wb-warnings") == str(warnings)
    d.shot("wallboard")

    # a caller rings into a queue of their own, offered 90 s ago: 排队 goes up without a reload, the wait is red
    page.evaluate("() => { window.__sameWallboard = true }")
    before = int(_value(page, "wb-waiting"))
    queue = f"大屏{random.randint(0, 10**6)}"
    call_id = f"wb-{random.randint(0, 10**9)}"
    side = {"from": f"1391{random.randint(0, 9_999_999):07d}", "to": TRUNK, "direction": "in", "callId": call_id}
    pbx = Pbx(server)
    pbx.post(event="newCall", queue=queue, at=_iso(datetime.now(UTC) - timedelta(seconds=90)), **side)
    try:
        row = page.locator(f"[data-test=wb-queue][data-queue='{queue}']")
        row.wait_for(timeout=15_000)
        assert row.get_by_test_id("wb-queue-waiting").get_attribute("data-value") == "1"
        assert row.get_by_test_id("wb-queue-longest").get_attribute("data-late") == "1"
        page.locator(f"[data-test=wb-waiting][data-value='{before + 1}']").wait_for()
        assert page.get_by_test_id("wb-longest").get_attribute("data-late") == "1"
        assert int(_value(page, "wb-longest")) >= 90
        assert page.evaluate("() => window.__sameWallboard") is True  # no reload
        _check(page, _board(server))
        d.shot("wallboard-waiting")
    finally:
        pbx.post(event="hangup", cause="cancel", at=_iso(datetime.now(UTC)), **side)
    # the caller gave up: the queue empties, live again
    page.locator(f"[data-test=wb-waiting][data-value='{before}']").wait_for(timeout=15_000)
    assert page.locator(f"[data-test=wb-queue][data-queue='{queue}']").count() == 0
    assert page.evaluate("() => window.__sameWallboard") is True

    # the open warnings tile leads to 预警 (a page of its own); the emergencies tile says how many
    assert page.get_by_test_id("wb-warnings").get_attribute("href") == "/warnings"

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Wallboard").wait_for()
    assert "Calls waiting" in page.get_by_test_id("wb-waiting").inner_text()
    assert "Service level" in page.get_by_test_id("wb-sl").inner_text()
    assert page.get_by_test_id("menu").locator("[data-menu=wallboard]").inner_text().strip() == "Wallboard"
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="话务大屏").wait_for()

    # leaving the page unwatches
    page.get_by_test_id("menu").locator("[data-menu=overview]").click()
    page.wait_for_url("**/overview")
    page.wait_for_function("() => true")
    page.wait_for_timeout(300)
    assert "unwatch:wallboard" in sent
    d.check_clean()


def test_the_wallboard_is_legible_full_width(desk: Any) -> None:
    """The whole board (no scrolling) at 1440x900 in the app's frame: a screenshot for a person to look at."""
    d: Desk = desk("qa_inspector")
    page = d.go("/wallboard")
    page.locator("[data-test=wallboard-page][data-live=live]").wait_for()
    page.get_by_test_id("wb-agents").wait_for()
    fits = page.evaluate(
        "() => { const m = document.querySelector('.hy-main'); return m.scrollHeight <= m.clientHeight + 2 }"
    )
    assert fits
    SHOTS.mkdir(exist_ok=True)
    page.get_by_test_id("wallboard-page").screenshot(path=str(SHOTS / "wallboard-board.png"))
    d.check_clean()


def test_an_agent_has_no_wallboard(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        assert api.get("/kpis/wallboard").status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=wallboard]").count() == 0
    page = d.go("/wallboard")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("wallboard-page").count() == 0
