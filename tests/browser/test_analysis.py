"""分析看板: a period's trends, its hour × weekday maps and the orders' Pareto, for the KPI readers. Each chart
carries what it draws (``data-shown``) and it is the API's for the same period: the call trend GET /kpis/calls by
day, the maps GET /kpis/heatmap (every one of the 168 cells: count and mean), the order trend GET /kpis/orders by
day, the Pareto (and its table, row for row) GET /kpis/pareto for each cut and an order type, the response times
GET /kpis/orders by category. The cards come in the order of the user's job (a duty manager the calls first, a
director the orders, QA the Pareto); the period, cut and type live in the URL; English; an agent has neither the
menu entry nor the page.

The small demo city has orders over the last weeks and a few calls; the fixture posts some calls of its own
through a CTI integration, so the call map is never empty today."""

from __future__ import annotations

import itertools
import json
import random
import re
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from tests.browser.conftest import SHOTS, Desk, Server, pick
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
SECTIONS = ["callTrend", "callHeatmap", "orderTrend", "orderHeatmap", "pareto", "durations"]
ORDERS_FIRST = ["orderTrend", "orderHeatmap", "pareto", "durations", "callTrend", "callHeatmap"]
TYPES = {"complaint": "投诉", "repair": "报修"}
_serial = itertools.count(1)


def _today() -> date:
    return datetime.now(CENTRE).date()


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat()


@pytest.fixture(scope="module")
def calls(server: Server) -> None:
    """Three calls of this test half an hour ago: two answered, one given up."""
    with server.apis("admin", "agent10") as (admin, a10):
        r = admin.post("/cti-integrations", json={"name": f"分析看板测试 {random.randint(0, 10**6)}"})
        assert r.status_code == 201, r.text
        url = f"{server.base}/api/v1/cti/{r.json()['token']}"

        def post(**fields: Any) -> None:
            body = {k.rstrip("_"): v for k, v in fields.items()}
            assert httpx.post(url, json=body, timeout=10).status_code == 200

        t0 = datetime.now(UTC) - timedelta(minutes=30)
        for n, (wait, talk) in enumerate([(5, 60), (25, 90), (40, None)]):
            at = t0 + timedelta(minutes=n * 3)
            side = {"from_": f"1371{random.randint(0, 9_999_999):07d}", "to": "95598", "direction": "in"}
            side["callId"] = f"analysis-{next(_serial)}-{random.randint(0, 10**9)}"
            post(event="newCall", user=["agent10"], queue="综合", at=_iso(at), **side)
            if talk is None:
                post(event="hangup", cause="cancel", at=_iso(at + timedelta(seconds=wait)), **side)
            else:
                post(event="answer", answeringNumber="agent10", at=_iso(at + timedelta(seconds=wait)), **side)
                post(event="hangup", cause="normalClearing", at=_iso(at + timedelta(seconds=wait + talk)), **side)
        assert a10.put("/agents/me/state", json={"state": "signed_out"}).status_code == 200


# ---------------------------------------------------------------- the API's figures, the page's


def _get(server: Server, path: str, **params: Any) -> dict[str, Any]:
    with server.apis("duty_manager") as (api,):
        r = api.get(path, params={k: str(v) for k, v in params.items()})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _days(first: date, last: date) -> list[str]:
    return [str(first + timedelta(days=i)) for i in range((last - first).days + 1)]


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _chart(page: Any, hook: str, first: date, last: date, **more: str) -> list[Any]:
    """Waits for the chart of that period drawn; what it shows."""
    sel = f"[data-test={hook}][data-from='{first}'][data-to='{last}']" + "".join(
        f"[data-{k}='{v}']" for k, v in more.items()
    )
    page.locator(f"{sel}[data-rendered='1'] canvas").first.wait_for()
    return list(json.loads(page.locator(sel).get_attribute("data-shown")))


def _check_heatmaps(page: Any, server: Server, first: date, last: date) -> dict[str, int]:
    totals = {}
    for measure, hook in (("calls", "chart-call-heatmap"), ("orders", "chart-order-heatmap")):
        shown = _chart(page, hook, first, last)
        api = _get(server, "/kpis/heatmap", **{"from": first, "to": last, "measure": measure})
        assert len(shown) == 168
        assert shown == [[c["weekday"], c["hour"], c["count"], c["mean"]] for c in api["cells"]], measure
        assert page.get_by_test_id(hook).get_attribute("data-total") == str(api["total"])
        totals[measure] = api["total"]
    return totals


def _check_trends(page: Any, server: Server, first: date, last: date) -> None:
    calls = _get(server, "/kpis/calls", **{"from": first, "to": last, "group_by": "day"})
    variant = calls["variant"]
    by_day = {i["key"]: i for i in calls["items"]}
    want = []
    for day in _days(first, last):
        i = by_day.get(day)
        want.append([day, i["offered"], i["answered"], i["service_level"][variant]] if i else [day, 0, 0, None])
    assert _chart(page, "chart-call-trend", first, last) == want
    assert page.get_by_test_id("chart-call-trend").get_attribute("data-variant") == variant
    assert f"服务水平 {variant}" in page.get_by_test_id("call-trend-hint").inner_text()

    orders = _get(server, "/kpis/orders", **{"from": first, "to": last, "group_by": "day"})
    by_day = {i["key"]: i for i in orders["items"]}
    want = []
    for day in _days(first, last):
        i = by_day.get(day)
        want.append([day, i["registered"], i["closed"], i["on_time_rate"]] if i else [day, 0, 0, None])
    assert _chart(page, "chart-order-trend", first, last) == want


PARETO_TABLE = """table => [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map(tr => {
  const row = tr.querySelector('[data-test=pareto-row]')
  return [row.dataset.key, row.innerText.trim(), tr.querySelector('[data-test=prow-count]').innerText.trim(),
          tr.querySelector('[data-test=prow-share]').innerText.trim(),
          tr.querySelector('[data-test=prow-cumulative]').innerText.trim(),
          tr.querySelector('[data-test=prow-vital]').dataset.value === '1']
})"""

NONE = {"unit": "未指定单位", "area": "未指定区域"}
CHANNELS = {"phone": "电话", "wechat": "微信", "web": "网站", "email": "邮件", "sms": "短信", "walk_in": "营业厅"}
ORDER_TYPES = {
    "inquiry": "咨询查询",
    "service_request": "业务受理",
    "repair": "报修",
    "emergency": "事故报警",
    "complaint": "投诉",
    "suggestion": "建议",
    "praise": "表扬",
    "callback": "回访",
    "care": "关怀",
    "support": "专家求助",
}


def _pareto_name(i: dict[str, Any], of: str) -> str:
    if of == "type":
        return ORDER_TYPES.get(i["key"], i["key"])
    if of == "channel":
        return CHANNELS.get(i["key"], i["key"])
    if i["key"] in ("0", ""):
        return NONE["area" if of == "area" else "unit"]
    return str(i["label"]) if i["label"] and i["label"] != "—" else f"#{i['key']}"


def _check_pareto(
    page: Any, server: Server, of: str, first: date, last: date, type_: str | None = None
) -> dict[str, Any]:
    view = f"[data-test=pareto-view][data-of={of}][data-from='{first}'][data-to='{last}']"
    view += f"[data-type={type_}]" if type_ else ":not([data-type])"
    params: dict[str, Any] = {"from": first, "to": last, "of": of}
    if type_:
        params["type"] = type_
    api = _get(server, "/kpis/pareto", **params)
    if not api["items"]:
        page.get_by_test_id("analysis-section").filter(has=page.get_by_test_id("pareto-cut")).get_by_test_id(
            "page-empty"
        ).wait_for()
        return api
    page.locator(f"{view} [data-test=chart-pareto][data-rendered='1'] canvas").first.wait_for()
    shown = json.loads(page.locator(f"{view} [data-test=chart-pareto]").get_attribute("data-shown"))
    assert shown == [[i["key"], i["count"], i["cumulative"], i["vital"]] for i in api["items"]]
    rows = page.locator(view).get_by_test_id("pareto-table").evaluate(PARETO_TABLE)
    assert rows == [
        [i["key"], _pareto_name(i, of), f"{i['count']:,}", _pct(i["share"]), _pct(i["cumulative"]), i["vital"]]
        for i in api["items"]
    ]
    vital = sum(1 for i in api["items"] if i["vital"])
    assert f"共 {api['total']:,} 件" in page.get_by_test_id("pareto-hint").inner_text()
    assert f"（{vital} 项）" in page.get_by_test_id("pareto-hint").inner_text()
    return api


def _check_durations(page: Any, server: Server, first: date, last: date, stage: str) -> None:
    api = _get(server, "/kpis/orders", **{"from": first, "to": last, "group_by": "category"})
    rows = [
        [i["key"], i["response"][stage]["n"], i["response"][stage]["p50"], i["response"][stage]["p90"]]
        for i in api["items"]
        if i["response"][stage]["n"] > 0
        and (i["response"][stage]["p50"] is not None or i["response"][stage]["p90"] is not None)
    ]
    rows.sort(key=lambda r: -r[1])
    if not rows:
        return
    shown = _chart(page, "chart-durations", first, last, stage=stage)
    # the 15 with most orders reaching the stage (ties by name, in the browser's collation): same counts, from the API
    assert [r[1] for r in shown] == [r[1] for r in rows[:15]]
    assert all(r in rows for r in shown), (shown, rows)


def _sections(page: Any) -> list[str]:
    page.get_by_test_id("analysis-section").first.wait_for()
    return list(page.eval_on_selector_all("[data-test=analysis-section]", "els => els.map(e => e.dataset.section)"))


def _shot(d: Desk, name: str) -> None:
    """The whole page: the layout scrolls inside the window, so the window is made as tall as the page."""
    SHOTS.mkdir(exist_ok=True)
    page = d.page
    size = page.viewport_size
    tall = page.evaluate("() => document.querySelector('[data-test=analysis-page]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(size["height"], int(tall) + 90)})
    page.wait_for_timeout(600)  # the charts redrawn at the new size
    page.screenshot(path=str(SHOTS / f"{name}.png"))
    page.set_viewport_size(size)


# ---------------------------------------------------------------- the tests


def test_a_duty_manager_reads_the_analysis(desk: Any, server: Server, calls: None) -> None:
    today = _today()
    first = today - timedelta(days=27)
    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    menu = page.get_by_test_id("menu")
    entries = menu.locator("[data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
    assert entries.index("analysis") == entries.index("order-kpis") + 1  # next to 话务报表 and 工单报表
    menu.locator("[data-menu=analysis]").click()
    page.wait_for_url(re.compile(r"/kpis/analysis$"))
    page.get_by_role("heading", name="分析看板").wait_for()
    assert f"{first} 至 {today}" in page.get_by_test_id("analysis-period").inner_text()

    # the floor's job: the calls first
    assert _sections(page) == SECTIONS
    titles = page.locator("[data-test=analysis-section] h3").all_inner_texts()
    assert titles == ["话务趋势", "来电热力图", "工单趋势", "工单热力图", "工单分类帕累托", "处理时长分布"]

    # the last 28 days: every chart is the API's
    totals = _check_heatmaps(page, server, first, today)
    assert totals["calls"] >= 3 and totals["orders"] > 0
    _check_trends(page, server, first, today)
    by_category = _check_pareto(page, server, "category", first, today)
    assert by_category["items"] and any(i["vital"] for i in by_category["items"])
    _check_durations(page, server, first, today, "resolve")
    _shot(d, "analysis-duty-manager")

    # the heatmap's tooltip: the count and the mean of the cell under the pointer
    heat = page.get_by_test_id("chart-call-heatmap")
    box = heat.bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 3)
    tip = heat.locator("div", has_text="日均").last
    tip.wait_for()
    assert "合计" in tip.inner_text()

    # the other stages of the response times
    page.get_by_test_id("dstage-accept").click()
    _check_durations(page, server, first, today, "accept")

    # the Pareto's cuts, in the URL
    for of in ("area", "unit", "channel", "type"):
        with page.expect_response(lambda r: "/api/v1/kpis/pareto?" in r.url and r.ok):
            page.get_by_test_id(f"pcut-{of}").click()
        page.wait_for_url(re.compile(rf"/kpis/analysis\?of={of}$"))
        _check_pareto(page, server, of, first, today)
    assert page.get_by_test_id("pareto-type").count() == 0  # a type goes with the categories only

    # the categories of one order type: the complaints
    with page.expect_response(lambda r: "/api/v1/kpis/pareto?" in r.url and r.ok):
        page.get_by_test_id("pcut-category").click()
    page.wait_for_url(re.compile(r"/kpis/analysis$"))
    _check_pareto(page, server, "category", first, today)
    for type_, label in TYPES.items():
        option = page.locator(".el-select-dropdown__item:visible", has_text=re.compile(f"^{label}$")).first
        with page.expect_response(lambda r: "/api/v1/kpis/pareto?" in r.url and r.ok):
            pick(page.get_by_test_id("pareto-type"), option)
        page.wait_for_url(re.compile(rf"/kpis/analysis\?type={type_}$"))
        _check_pareto(page, server, "category", first, today, type_)
    page.wait_for_timeout(400)
    d.shot("analysis-pareto-repairs")

    # 近7天 from the picker's quick ranges: every chart of 7 days, the cut and type kept
    week = today - timedelta(days=6)
    with page.expect_response(lambda r: "/api/v1/kpis/heatmap?" in r.url and r.ok):
        pick(
            page.get_by_test_id("analysis-range").locator("input").first,
            page.locator(".el-picker-panel__shortcut", has_text="近7天"),
        )
    page.wait_for_url(re.compile(rf"/kpis/analysis\?from={week}&to={today}&type=repair$"))
    assert f"{week} 至 {today}" in page.get_by_test_id("analysis-period").inner_text()
    _check_heatmaps(page, server, week, today)
    _check_trends(page, server, week, today)
    _check_pareto(page, server, "category", week, today, "repair")

    # a reload shows the same
    page.reload()
    _check_heatmaps(page, server, week, today)
    _check_pareto(page, server, "category", week, today, "repair")

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Analysis").wait_for()
    assert page.get_by_test_id("menu").locator("[data-menu=analysis]").inner_text().strip() == "Analysis"
    titles = page.locator("[data-test=analysis-section] h3").all_inner_texts()
    assert titles == [
        "Call trend",
        "When calls come",
        "Order trend",
        "When orders come",
        "Order Pareto",
        "Response times",
    ]
    cuts = page.get_by_test_id("pareto-cut").locator("label").all_inner_texts()
    assert [c.strip() for c in cuts] == ["Category", "Area", "Unit", "Channel", "Type"]
    page.wait_for_timeout(600)  # the charts redrawn in English
    assert chinese_in_chrome(page) == []
    _shot(d, "analysis-english")
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="分析看板").wait_for()
    d.check_clean()


def test_a_director_reads_the_orders_first_and_qa_the_pareto(desk: Any, server: Server) -> None:
    today = _today()
    first = today - timedelta(days=27)
    d: Desk = desk("director")
    page = d.go("/kpis/analysis")
    page.get_by_role("heading", name="分析看板").wait_for()
    assert _sections(page) == ORDERS_FIRST
    titles = page.locator("[data-test=analysis-section] h3").all_inner_texts()
    assert titles[:3] == ["工单趋势", "工单热力图", "工单分类帕累托"]
    _check_heatmaps(page, server, first, today)
    _check_pareto(page, server, "category", first, today)
    _shot(d, "analysis-director")
    d.check_clean()

    q: Desk = desk("qa_inspector")
    page = q.go("/kpis/analysis?of=area")
    page.get_by_role("heading", name="分析看板").wait_for()
    assert _sections(page)[0] == "pareto"
    _check_pareto(page, server, "area", first, today)
    q.check_clean()


def test_a_quiet_period_shows_empty_cards(desk: Any) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/kpis/analysis?from=2020-01-01&to=2020-01-31")
    page.get_by_role("heading", name="分析看板").wait_for()
    empty = page.locator("[data-test=analysis-section] [data-test=page-empty]")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-test=analysis-section] [data-test=page-empty]').length === 6"
    )
    assert empty.count() == 6
    assert page.locator("[data-test=analysis-section] canvas").count() == 0
    assert "该期间没有来电" in page.get_by_test_id("analysis-page").inner_text()
    d.check_clean()


def test_an_agent_has_no_analysis(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        day = str(_today())
        assert api.get("/kpis/heatmap", params={"from": day, "to": day}).status_code == 403
        assert api.get("/kpis/pareto", params={"from": day, "to": day}).status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=analysis]").count() == 0
    page = d.go("/kpis/analysis")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("analysis-page").count() == 0
