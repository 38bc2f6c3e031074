"""预警: the early warnings of GET /warnings in three tabs (未处理 / 已确认 / 全部), each with its rule, label, first
and last time, hits, value against its baseline (a spike: the last weeks' counts as a small bar chart); a duty
manager acknowledges one through the dialog (处置结果 required) and it moves to 已确认 with its outcome; one
acknowledged by someone else meanwhile shows the API's 409 message. The demo city has its 无气 bursts (one
acknowledged at least, with its history chart); the fixture adds two live ones (callers waiting past the limit),
as the worker's step would. English; QA reads without 确认; an agent has neither the menu entry nor the page."""

from __future__ import annotations

import random
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.browser.conftest import Desk, Server, said
from tests.browser.test_english import chinese_in_chrome
from tests.browser.test_wallboard import TRUNK, Pbx, _iso

RULES = {
    "spike_orders": "工单量突增",
    "spike_calls": "话务量突增",
    "sl_low": "服务水平偏低",
    "abandon_high": "放弃率偏高",
    "wait_long": "等待过长",
}


def _warnings(server: Server, state: str) -> list[dict[str, Any]]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/warnings", params={"state": state, "limit": 200})
    assert r.status_code == 200, r.text
    return list(r.json())


def _figure(rule: str, value: float | None) -> str:
    """formatFigure of the page: a count, a percentage, a clock."""
    if value is None:
        return "—"
    if rule in ("sl_low", "abandon_high"):
        return f"{value * 100:.1f}%"
    if rule == "wait_long":
        s = int(value)
        return f"{s // 60}:{s % 60:02}"
    return f"{round(value * 10) / 10:g}"


def _judge_now(server: Server) -> None:
    """The worker's early-warning step (``early_warning.do_run``: the slots just finished and the live waits) on
    the server's database. ``huiyin serve``'s embedded worker fires deadlines and sends notifications but does not
    run the KPI steps (rollups, warnings), so the test runs this one itself, as ``huiyin worker`` would."""
    from huiyin.clock import now
    from huiyin.db import Database
    from huiyin.performance import early_warning
    from huiyin.settings import Settings

    settings = Settings(database_url=server.db_url, storage={"local_root": str(server.tmp / "uploads")})
    db = Database(settings)
    try:
        with db.session() as s:
            early_warning.do_run(s, now(), settings.kpis, settings.cti.short_abandon_seconds, settings.notify)
    finally:
        db.dispose()


@pytest.fixture(scope="module")
def long_waits(server: Server) -> list[dict[str, Any]]:
    """Two callers waiting 200 s, each in a queue of their own: the worker's live check warns (等待过长) once per
    queue; then they hang up. The two warnings stay open."""
    pbx = Pbx(server)
    calls = []
    for _ in range(2):
        queue = f"预警{random.randint(0, 10**6)}"
        side = {"from": f"1392{random.randint(0, 9_999_999):07d}", "to": TRUNK, "direction": "in"}
        side["callId"] = f"wn-{random.randint(0, 10**9)}"
        pbx.post(event="newCall", queue=queue, at=_iso(datetime.now(UTC) - timedelta(seconds=200)), **side)
        calls.append((queue, side))
    try:
        deadline = time.monotonic() + 20
        while True:
            _judge_now(server)
            series = {w["series"]: w for w in _warnings(server, "open")}
            found = [series.get(f"queue={queue}") for queue, _ in calls]
            if all(found):
                return [w for w in found if w]
            assert time.monotonic() < deadline, "no 等待过长 warnings"
            time.sleep(0.5)
    finally:
        for _, side in calls:
            pbx.post(event="hangup", cause="cancel", at=_iso(datetime.now(UTC)), **side)


def _card(page: Any, warning_id: int) -> Any:
    return page.locator(f"[data-test=warning-card][data-id='{warning_id}']")


def _check_tab(page: Any, server: Server, tab: str) -> list[dict[str, Any]]:
    """The tab shows the API's warnings of that state, in its order, each as the API says."""
    page.locator(f"[data-test=warnings-list][data-tab={tab}]").wait_for()
    expected = _warnings(server, tab)
    cards = page.get_by_test_id("warning-card")
    assert [int(c.get_attribute("data-id")) for c in cards.all()] == [w["id"] for w in expected]
    for w in expected:
        card = _card(page, w["id"])
        assert card.get_attribute("data-state") == w["state"]
        assert card.get_by_test_id("warning-rule").inner_text().strip() == RULES.get(w["rule"], w["rule_name"])
        assert card.get_by_test_id("warning-label").inner_text().strip() == w["label"]
        assert card.get_by_test_id("warning-state").inner_text().strip() == (
            "未处理" if w["state"] == "open" else "已确认"
        )
        assert card.get_by_test_id("warning-first").get_attribute("data-value") == w["first_at"]
        assert card.get_by_test_id("warning-last").get_attribute("data-value") == w["last_at"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", card.get_by_test_id("warning-first").inner_text().strip())
        assert card.get_by_test_id("warning-hits").inner_text().strip() == f"{w['hits']} 次"
        assert card.get_by_test_id("warning-value").inner_text().strip() == _figure(w["rule"], w["value"])
        assert card.get_by_test_id("warning-baseline").inner_text().strip() == _figure(w["rule"], w["baseline"])
        if w["rule"].startswith("spike"):
            chart = card.locator("[data-test=warning-history][data-rendered='1']")
            chart.wait_for()
            assert chart.get_attribute("data-count") == str(len(w["history"]) + 1)
            assert f"近 {len(w['history'])} 周同时段中位数" in card.inner_text()
        if w["state"] == "open":
            assert card.get_by_test_id("warning-outcome").count() == 0
        else:
            assert (w["outcome"] or "—") in card.get_by_test_id("warning-outcome").inner_text()
    return expected


def _tab(page: Any, name: str) -> None:
    page.locator(f"#tab-{name}").click()


def test_a_duty_manager_acknowledges_a_warning(desk: Any, server: Server, long_waits: list[dict[str, Any]]) -> None:
    first, second = long_waits
    spikes = [w for w in _warnings(server, "all") if w["rule"].startswith("spike")]
    assert spikes, "the demo city's 无气 bursts"

    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("menu").locator("[data-menu=warnings]").click()
    page.wait_for_url(re.compile(r"/warnings$"))
    page.get_by_role("heading", name="特征值预警").wait_for()

    opened = _check_tab(page, server, "open")
    assert page.get_by_test_id("count-open").inner_text().strip() == str(len(opened))
    assert _card(page, first["id"]).get_by_test_id("warning-baseline").inner_text().strip() == "2:00"
    assert "等待过长" in _card(page, first["id"]).get_by_test_id("warning-rule").inner_text()
    page.wait_for_timeout(300)
    d.shot("warnings")

    # 确认: the outcome is required; then the warning leaves 未处理
    _card(page, first["id"]).get_by_test_id("warning-ack").click()
    dialog = page.get_by_test_id("warning-ack-dialog")
    dialog.wait_for()
    assert first["label"] in dialog.inner_text()
    page.get_by_test_id("warning-ack-submit").click()
    dialog.get_by_text("请填写处置结果").wait_for()
    outcome = f"已核实：来电高峰，已安排两名坐席支援该队列（测试 {random.randint(0, 10**6)}）"
    page.get_by_test_id("warning-outcome-input").fill(outcome)
    dialog.get_by_text("请填写处置结果").wait_for(state="hidden")  # checked again as it is typed
    d.shot("warnings-dialog")
    with page.expect_response(lambda r: f"/warnings/{first['id']}/acknowledge" in r.url and r.ok):
        page.get_by_test_id("warning-ack-submit").click()
    dialog.wait_for(state="hidden")
    _card(page, first["id"]).wait_for(state="detached")
    after = _check_tab(page, server, "open")
    assert len(after) == len(opened) - 1
    page.wait_for_function(
        "n => document.querySelector('[data-test=count-open]').innerText.trim() === n", arg=str(len(after))
    )

    # 已确认: there, with its outcome, as the API has it
    _tab(page, "acknowledged")
    page.wait_for_url(re.compile(r"/warnings\?tab=acknowledged$"))
    acked = _check_tab(page, server, "acknowledged")
    mine = next(w for w in acked if w["id"] == first["id"])
    assert mine["outcome"] == outcome and mine["state"] == "acknowledged"
    assert outcome in _card(page, first["id"]).get_by_test_id("warning-outcome").inner_text()
    assert _card(page, first["id"]).get_by_test_id("warning-ack").count() == 0

    # acknowledged by someone else while the dialog is open: the API's 409 message
    _tab(page, "open")
    page.wait_for_url(re.compile(r"/warnings$"))
    _check_tab(page, server, "open")
    _card(page, second["id"]).get_by_test_id("warning-ack").click()
    page.get_by_test_id("warning-outcome-input").fill("排队已处理")
    with server.apis("supervisor") as (sup,):
        r = sup.post(f"/warnings/{second['id']}/acknowledge", json={"outcome": "另一位经理已处理"})
        assert r.status_code == 200, r.text
        again = sup.post(f"/warnings/{second['id']}/acknowledge", json={"outcome": "x"})
    assert again.status_code == 409
    page.get_by_test_id("warning-ack-submit").click()
    error = page.get_by_test_id("warning-ack-error")
    error.wait_for()
    assert said(again.json()) in error.inner_text()
    page.get_by_test_id("warning-ack-dialog").get_by_role("button", name="取消").click()
    page.get_by_test_id("refresh").click()
    _card(page, second["id"]).wait_for(state="detached")

    # 全部
    _tab(page, "all")
    page.wait_for_url(re.compile(r"/warnings\?tab=all$"))
    every = _check_tab(page, server, "all")
    assert {first["id"], second["id"]} | {w["id"] for w in spikes} <= {w["id"] for w in every}
    page.locator("[data-test=warning-history][data-rendered='1']").first.wait_for()
    d.shot("warnings-all")

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Early warnings").wait_for()
    assert page.get_by_test_id("menu").locator("[data-menu=warnings]").inner_text().strip() == "Warnings"
    assert "Long wait" in _card(page, first["id"]).get_by_test_id("warning-rule").inner_text()
    english = {"spike_orders": "Order spike", "spike_calls": "Call spike"}[spikes[0]["rule"]]
    assert english in _card(page, spikes[0]["id"]).get_by_test_id("warning-rule").inner_text()
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="特征值预警").wait_for()
    d.check_clean()


def test_qa_reads_warnings_without_acknowledging(desk: Any, server: Server) -> None:
    d: Desk = desk("qa_inspector")
    page = d.go("/warnings?tab=all")
    _check_tab(page, server, "all")
    assert page.get_by_test_id("warning-ack").count() == 0
    d.check_clean()


def test_an_agent_has_no_warnings(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        assert api.get("/warnings").status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=warnings]").count() == 0
    page = d.go("/warnings")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("warnings-page").count() == 0
