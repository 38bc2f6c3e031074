"""话务报表: the call KPIs of a period — the KPI cards, the five service-level variants, each grouping's chart and
table agree with GET /kpis/calls for the same period; the period and grouping live in the URL; English; an agent
has neither the menu entry nor the page.

The small demo city has a few calls a day at most, none given up in the last days; the fixture posts its own
through a CTI integration (answered after a short and a long wait, one given up, one given up at once), so the
default period (the last 7 days) has every kind of row, 未接通 among the agents."""

from __future__ import annotations

import itertools
import random
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import SHOTS, Desk, Server, pick
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
TRUNK = "95598"
_serial = itertools.count(1)


# ---------------------------------------------------------------- calls through the CTI endpoint


@dataclass
class Pbx:
    server: Server
    token: str

    def post(self, **fields: Any) -> None:
        body = {k.rstrip("_"): v for k, v in fields.items() if v is not None}
        r = httpx.post(f"{self.server.base}/api/v1/cti/{self.token}", json=body, timeout=10)
        assert r.status_code == 200, r.text

    def call(self, caller: str, agent: str, at: datetime, *, queue: str, wait: int, talk: int | None = None) -> str:
        """An inbound call offered to ``agent`` at ``at``: answered after ``wait`` seconds and hung up after
        ``talk`` more, or (no ``talk``) given up after ``wait`` seconds."""
        call_id = f"kpi-{next(_serial)}-{random.randint(0, 10**9)}"
        side = {"from_": caller, "to": TRUNK, "direction": "in", "callId": call_id}
        self.post(event="newCall", user=[agent], queue=queue, at=_iso(at), **side)
        if talk is None:
            self.post(event="hangup", cause="cancel", at=_iso(at + timedelta(seconds=wait)), **side)
        else:
            self.post(event="answer", answeringNumber=agent, at=_iso(at + timedelta(seconds=wait)), **side)
            self.post(event="hangup", cause="normalClearing", at=_iso(at + timedelta(seconds=wait + talk)), **side)
        return call_id


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


def _stranger() -> str:
    return f"1371{random.randint(0, 9_999_999):07d}"


@pytest.fixture(scope="module")
def calls(server: Server) -> None:
    """Today's calls of this test, 20 to 10 minutes ago: agent10 answers after 6 s (with 15 s on hold) and after
    35 s, agent11 after 12 s; a caller gives up after 48 s, another after 2 s (a short abandon)."""
    with server.apis("admin", "agent10", "agent11") as (admin, a10, a11):
        r = admin.post("/cti-integrations", json={"name": f"话务报表测试 {random.randint(0, 10**6)}"})
        assert r.status_code == 201, r.text
        pbx = Pbx(server, r.json()["token"])
        t0 = datetime.now(UTC) - timedelta(minutes=20)
        pbx.call(_stranger(), "agent10", t0, queue="燃气", wait=6, talk=140)
        pbx.call(_stranger(), "agent11", t0 + timedelta(minutes=1), queue="电力", wait=12, talk=75)
        pbx.call(_stranger(), "agent10", t0 + timedelta(minutes=4), queue="电力", wait=35, talk=200)
        pbx.call(_stranger(), "agent11", t0 + timedelta(minutes=6), queue="燃气", wait=48)
        pbx.call(_stranger(), "agent11", t0 + timedelta(minutes=7), queue="综合", wait=2)
        for agent in (a10, a11):  # out of after-call work: nothing of theirs runs on with the clock
            assert agent.put("/agents/me/state", json={"state": "signed_out"}).status_code == 200


# ---------------------------------------------------------------- the figures: the API's, the page's


def _today() -> date:
    return datetime.now(CENTRE).date()


def _kpis(server: Server, first: date, last: date, group_by: str = "none", **more: Any) -> dict[str, Any]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/kpis/calls", params={"from": str(first), "to": str(last), "group_by": group_by, **more})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _clock(seconds: float | None) -> str:
    """formatSeconds of the web app: "0:08", "4:20", "1:02:05"; "—" for none."""
    if seconds is None:
        return "—"
    s = int(seconds)
    h, m, sec = s // 3600, s % 3600 // 60, s % 60
    return f"{h}:{m:02}:{sec:02}" if h else f"{m}:{sec:02}"


def _cells(i: dict[str, Any], variant: str) -> dict[str, str]:
    """A row's figures as the table writes them, by column hook."""
    return {
        "offered": f"{i['offered']:,}",
        "answered": f"{i['answered']:,}",
        "abandoned": f"{i['abandoned']:,}",
        "short": f"{i['short_abandoned']:,}",
        "ivr": f"{i['ivr_only']:,}",
        "answer-rate": _pct(i["answer_rate"]),
        "within20": _pct(i["answered_within_rate"]["20"]),
        "sl": _pct(i["service_level"][variant]),
        "asa": _clock(i["asa"]),
        "longest": _clock(i["longest_wait"]),
        "aht": _clock(i["aht"]),
        "acw": _clock(i["acw"]),
        "talk": _clock(i["avg_talk"]),
        "occupancy": _pct(i["occupancy"]),
        "outbound": f"{i['outbound']:,}",
    }


def _name(i: dict[str, Any], group: str) -> str:
    if group == "agent":
        return "未接通" if i["key"] is None else i["label"] or f"坐席 #{i['key']}"
    if i["key"] in (None, ""):  # a call routed to no queue (the API's key is "")
        return "未分队列"
    return str(i["key"]).replace("T", " ")


def _expected(figures: dict[str, Any], group: str) -> list[dict[str, Any]]:
    return [
        {
            "key": "none" if i["key"] is None else str(i["key"]),
            "name": _name(i, group),
            **_cells(i, figures["variant"]),
        }
        for i in figures["items"]
    ]


TABLE = """table => [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map(tr => {
  const row = tr.querySelector('[data-test=call-kpi-row]')
  const out = { key: row.dataset.key, name: row.innerText.trim() }
  for (const cell of tr.querySelectorAll('[data-test^="row-"]')) out[cell.dataset.test.slice(4)] = cell.innerText.trim()
  out.occupancy_raw = tr.querySelector('[data-test=row-occupancy]').dataset.value
  return out
})"""


def _table(page: Any) -> list[dict[str, str]]:
    """The table's rows as shown, in the table's order (the raw occupancy apart)."""
    rows = list(page.get_by_test_id("call-kpi-table").evaluate(TABLE))
    for r in rows:
        r.pop("occupancy_raw")
    return rows


def _between(shown: str, bounds: list[float | None]) -> bool:
    """An occupancy the page shows (raw) lies between two the API gave before and after (see _check_cards)."""
    known = [b for b in bounds if b is not None]
    if len(known) < 2:
        return not known and shown == ""
    return shown != "" and min(known) - 0.00005 <= float(shown) <= max(known) + 0.00005


def _check_table(page: Any, before: dict[str, Any], after: dict[str, Any], group: str) -> None:
    """The table's rows are the API's items of the grouping, in its order, every cell as the API's ``after``
    the page showed them; but occupancy, which moves with the clock: between ``before`` and ``after``."""
    rows = page.get_by_test_id("call-kpi-table").evaluate(TABLE)
    expected, earlier = _expected(after, group), _expected(before, group)
    assert [r["key"] for r in rows] == [e["key"] for e in expected] == [e["key"] for e in earlier]
    first = {str(i["key"]): i["occupancy"] for i in before["items"]}
    for row, want, was, item in zip(rows, expected, earlier, after["items"], strict=True):
        raw = row.pop("occupancy_raw")
        if want["occupancy"] == was["occupancy"]:
            assert row == want
        else:
            assert {k: v for k, v in row.items() if k != "occupancy"} == {
                k: v for k, v in want.items() if k != "occupancy"
            }
            assert _between(raw, [first[str(item["key"])], item["occupancy"]]), (row, raw)


def _grouping(
    page: Any, server: Server, hook: str, url: str, group: str, first: date, last: date, interval: int | None = None
) -> dict[str, Any]:
    """Switches to a grouping (or interval) and checks its table against the API; returns the API's figures."""
    params = {"interval": interval} if interval else {}
    before = _kpis(server, first, last, group, **params)
    _switch(page, hook, url)
    _wait_groups(page, group, first, last, interval)
    after = _kpis(server, first, last, group, **params)
    _check_table(page, before, after, group)
    return after


def _card(page: Any, name: str) -> Any:
    return page.get_by_test_id(f"kpi-{name}")


def _card_value(page: Any, name: str) -> str:
    return str(_card(page, name).locator("[data-kpi-value]").inner_text()).strip()


def _raw(page: Any, name: str) -> float | None:
    v = _card(page, name).get_attribute("data-value")
    return None if v in (None, "") else float(v)


def _check_cards(page: Any, before: dict[str, Any], after: dict[str, Any], first: date) -> None:
    """The KPI cards are the API's figures of the whole period (group_by=none), asked for ``before`` the page
    asked and ``after`` it showed them. Occupancy counts the agents' time up to now (one another test left signed
    in keeps it moving); with every open interval growing with the clock it moves one way, so the page's lies
    between the two (each rounded to 4 places). Every other figure is the same in both."""
    page.locator(f"[data-test=call-kpis-cards][data-from^='{first}']").wait_for()
    total = after["items"][0]
    assert {k: v for k, v in before["items"][0].items() if k != "occupancy"} == {
        k: v for k, v in total.items() if k != "occupancy"
    }
    variant, threshold = after["variant"], after["threshold"]
    level = total["service_level"][variant]
    assert _card_value(page, "offered") == f"{total['offered']:,}" and _raw(page, "offered") == total["offered"]
    assert _card_value(page, "answered") == f"{total['answered']:,}" and _raw(page, "answered") == total["answered"]
    assert _card_value(page, "answer-rate") == _pct(total["answer_rate"])
    assert _raw(page, "answer-rate") == total["answer_rate"]
    assert _card_value(page, "service-level") == _pct(level) and _raw(page, "service-level") == level
    assert _card(page, "service-level").get_attribute("data-variant") == variant
    assert f"服务水平 {variant}（{threshold}秒）" in _card(page, "service-level").inner_text()
    assert _card_value(page, "abandon-rate") == _pct(total["abandon_rate"])
    assert _raw(page, "abandon-rate") == total["abandon_rate"]
    assert _card_value(page, "asa") == _clock(total["asa"]) and _raw(page, "asa") == total["asa"]
    assert f"最长等待 {_clock(total['longest_wait'])}" in _card(page, "asa").inner_text()
    assert _card_value(page, "aht") == _clock(total["aht"]) and _raw(page, "aht") == total["aht"]
    occupancy = _raw(page, "occupancy")
    bounds = [f["items"][0]["occupancy"] for f in (before, after)]
    if None in bounds:
        assert bounds == [None, None] and occupancy is None and _card_value(page, "occupancy") == "—"
    else:
        assert occupancy is not None and min(bounds) - 0.00005 <= occupancy <= max(bounds) + 0.00005
        if bounds[0] == bounds[1]:
            assert _card_value(page, "occupancy") == _pct(bounds[0])
    for v in ("F1", "F2", "F3", "F4", "F5"):  # the five variants, each with its rule
        box = page.get_by_test_id(f"sl-{v}")
        assert _pct(total["service_level"][v]) in box.inner_text()
        assert "÷" in box.inner_text()


def _check_total_row(page: Any, figures: dict[str, Any]) -> None:
    cells = _cells(figures["items"][0], figures["variant"])
    for hook in ("offered", "answered", "abandoned", "sl", "asa", "aht"):
        assert page.get_by_test_id(f"total-{hook}").inner_text().strip() == cells[hook], hook


def _wait_groups(page: Any, group: str, first: date, last: date, interval: int | None = None) -> None:
    """Waits for the chart and table of that grouping and period (and interval) to be on the page, drawn."""
    shown = f"[data-test=call-kpis-groups][data-group={group}][data-from='{first}'][data-to='{last}']"
    if interval:
        shown += f"[data-interval='{interval}']"
    page.locator(shown).wait_for()
    page.locator(f"{shown} [data-test=call-kpis-chart][data-rendered='1'] canvas").wait_for()
    page.wait_for_timeout(400)  # the chart's entry animation, for the screenshot


def _shot(d: Desk, name: str) -> None:
    """The whole page (the cards, the chart and the table): the layout scrolls inside the window, so the window
    is made as tall as the page for the shot."""
    SHOTS.mkdir(exist_ok=True)
    page = d.page
    size = page.viewport_size
    tall = page.evaluate("() => document.querySelector('[data-test=call-kpis-page]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(tall) + 90)})
    page.wait_for_timeout(500)  # the chart redrawn at its new size
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(size)


def _switch(page: Any, hook: str, url: str) -> None:
    with page.expect_response(lambda r: "/api/v1/kpis/calls?" in r.url and r.ok):
        page.get_by_test_id(hook).click()
    page.wait_for_url(re.compile(url))


# ---------------------------------------------------------------- the tests


def test_a_duty_manager_reads_the_call_kpis_by_each_grouping_and_period(desk: Any, server: Server, calls: None) -> None:
    today = _today()
    week = today - timedelta(days=6)
    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    before = _kpis(server, week, today)
    days_before = _kpis(server, week, today, "day")
    page.get_by_test_id("menu").locator("[data-menu=call-kpis]").click()
    page.wait_for_url(re.compile(r"/kpis/calls$"))
    page.get_by_role("heading", name="话务报表").wait_for()

    # the cards: the API's figures of the last 7 days
    page.get_by_test_id("call-kpis-cards").wait_for()
    total = _kpis(server, week, today)
    assert total["items"][0]["offered"] >= 5 and total["items"][0]["abandoned"] >= 2  # this test's calls at least
    _check_cards(page, before, total, week)
    assert f"{week} 至 {today}" in page.get_by_test_id("call-kpis-period").inner_text()

    # 按日期 (the default): a row per day with calls, a bar per day of the period, the total row the period's
    _wait_groups(page, "day", week, today)
    days = _kpis(server, week, today, "day")
    _check_table(page, days_before, days, "day")
    assert page.get_by_test_id("call-kpis-chart").get_attribute("data-count") == "7"
    _check_total_row(page, total)
    today_row = page.locator(f"[data-test=call-kpi-row][data-key='{today}']").locator("xpath=ancestor::tr")
    assert today_row.get_by_test_id("row-offered").get_attribute("data-value") == str(days["items"][-1]["offered"])
    _shot(d, "call-kpis")

    # 按时段: hourly by default, then 15 minutes, both in the URL
    hours = _grouping(page, server, "group-interval", r"/kpis/calls\?group_by=interval$", "interval", week, today, 60)
    assert page.get_by_test_id("call-kpis-chart").get_attribute("data-count") == str(7 * 24)  # every hour drawn
    quarters = _grouping(page, server, "interval-15", r"group_by=interval&interval=15$", "interval", week, today, 15)
    assert len(quarters["items"]) >= len(hours["items"])

    # 按坐席: the agents who answered and 未接通, the calls nobody answered
    agents = _grouping(page, server, "group-agent", r"group_by=agent$", "agent", week, today)
    assert page.get_by_test_id("call-kpi-table").locator(".el-table__header").inner_text().startswith("坐席")
    nobody = next(i for i in agents["items"] if i["key"] is None)
    none_row = page.locator("[data-test=call-kpi-row][data-key=none]")
    assert none_row.inner_text().strip() == "未接通"
    none_cells = none_row.locator("xpath=ancestor::tr")
    assert none_cells.get_by_test_id("row-abandoned").inner_text() == f"{nobody['abandoned']:,}"
    answered_by = [i for i in agents["items"] if i["key"] is not None]
    assert page.get_by_test_id("call-kpis-chart").get_attribute("data-count") == str(min(20, len(answered_by)))
    assert f"未接通 {nobody['offered']:,} 通见表格" in page.get_by_test_id("chart-hint").inner_text()
    _shot(d, "call-kpis-agents")

    # the table sorts: 接通, most first on the second click
    headers = page.get_by_test_id("call-kpi-table").locator(".el-table__header th")
    header = headers.filter(has_text=re.compile(r"^接通$"))
    header.click()
    header.click()
    shown = [int(r["answered"].replace(",", "")) for r in _table(page)]
    assert shown == sorted(shown, reverse=True) and len(shown) == len(agents["items"])

    # 按队列
    _grouping(page, server, "group-queue", r"group_by=queue$", "queue", week, today)
    assert {"燃气", "电力", "综合"} <= {r["key"] for r in _table(page)}

    # another period: 今天 from the picker's quick ranges; the cards and the queues are today's
    before = _kpis(server, today, today)
    queues_before = _kpis(server, today, today, "queue")
    with page.expect_response(lambda r: "/api/v1/kpis/calls?" in r.url and "group_by=none" in r.url and r.ok):
        pick(
            page.get_by_test_id("call-kpis-range").locator("input").first,
            page.locator(".el-picker-panel__shortcut", has_text="今天"),
        )
    page.wait_for_url(re.compile(rf"from={today}&to={today}&group_by=queue$"))
    page.locator(f"[data-test=call-kpis-cards][data-from^='{today}']").wait_for()
    _check_cards(page, before, _kpis(server, today, today), today)
    _wait_groups(page, "queue", today, today)
    _check_table(page, queues_before, _kpis(server, today, today, "queue"), "queue")
    assert f"{today} 至 {today}" in page.get_by_test_id("call-kpis-period").inner_text()
    _check_total_row(page, _kpis(server, today, today))

    # the URL holds it all: a reload shows the same
    page.reload()
    _wait_groups(page, "queue", today, today)
    assert page.get_by_test_id("group-queue").locator("input").is_checked()

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Call KPIs").wait_for()
    tabs = page.get_by_test_id("call-kpis-group").locator("label")
    assert [s.strip() for s in tabs.all_inner_texts()] == ["By day", "By interval", "By agent", "By queue"]
    assert page.get_by_test_id("menu").locator("[data-menu=call-kpis]").inner_text().strip() == "Call KPIs"
    assert "Service level F3" in _card(page, "service-level").inner_text() or total["variant"] != "F3"
    assert page.get_by_test_id("call-kpi-table").locator(".el-table__header").inner_text().startswith("Queue")
    assert chinese_in_chrome(page) == []
    page.wait_for_timeout(600)  # the chart redrawn in English
    _shot(d, "call-kpis-en")
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="话务报表").wait_for()
    assert "按队列" in page.get_by_test_id("call-kpis-group").inner_text()
    d.check_clean()


def test_a_quiet_period_shows_the_empty_state(desk: Any) -> None:
    d: Desk = desk("qa_inspector")
    page = d.go("/kpis/calls?from=2020-01-01&to=2020-01-31")
    page.get_by_test_id("page-empty").filter(has_text="该期间没有话务").wait_for()
    assert page.get_by_test_id("call-kpis-cards").count() == 0
    d.check_clean()


def test_an_agent_has_no_call_kpis(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        assert api.get("/kpis/calls", params={"from": str(_today()), "to": str(_today())}).status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=call-kpis]").count() == 0
    page = d.go("/kpis/calls")
    page.wait_for_url("**/workbench")  # a page the role may not open sends them to their own
    assert page.get_by_test_id("call-kpis-page").count() == 0


def test_the_admin_reads_it_but_still_lands_on_users(desk: Any) -> None:
    d: Desk = desk("admin")
    page = d.go("/")
    page.wait_for_url("**/admin/users")
    page.get_by_test_id("menu").locator("[data-menu=call-kpis]").click()
    page.wait_for_url("**/kpis/calls")
    page.get_by_test_id("call-kpis-cards").wait_for()
    d.check_clean()
