"""工单报表: the order KPIs of a period. The cards (登记, 办结, 按时办结率, 重复派单率, 催办, 督办, 接单 / 到场 /
办结 p50 and p90 as h:mm) are GET /kpis/orders?group_by=none, and every grouping's table (按分类 … 按日期) is the API's
items for the same period, row for row; the chart draws them; the period (a quick range) and grouping live in
the URL; the table sorts. English; an agent has neither the menu entry nor the page."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import Desk, Server, pick
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
STAGES = ("accept", "arrive", "resolve")
TYPES = {
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
CHANNELS = {"phone": "电话", "wechat": "微信", "web": "网站", "email": "邮件", "sms": "短信", "walk_in": "营业厅"}


def _today() -> date:
    return datetime.now(CENTRE).date()


def _kpis(server: Server, first: date, last: date, group_by: str = "none") -> dict[str, Any]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/kpis/orders", params={"from": str(first), "to": str(last), "group_by": group_by})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _pct(rate: float | None) -> str:
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _hm(minutes: float | None) -> str:
    """formatMinutes of the page: h:mm, rounded to the minute (half up, as Math.round of a positive)."""
    if minutes is None:
        return "—"
    m = int(Decimal(str(minutes)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    return f"{m // 60}:{m % 60:02}"


def _name(i: dict[str, Any], group: str) -> str:
    if group == "type":
        return TYPES.get(i["key"], i["key"])
    if group == "channel":
        return CHANNELS.get(i["key"], i["key"])
    if group == "day":
        return str(i["key"])
    if i["key"] in ("0", ""):
        return "未指定区域" if group == "area" else "未指定单位"
    return str(i["label"]) if i["label"] and i["label"] != "—" else f"#{i['key']}"


def _cells(i: dict[str, Any]) -> dict[str, str]:
    out = {
        "registered": f"{i['registered']:,}",
        "closed": f"{i['closed']:,}",
        "on-time": _pct(i["on_time_rate"]),
        "reopen-rate": _pct(i["reopen_rate"]),
        "reopened": f"{i['reopened']:,}",
        "urged": f"{i['urged']:,}",
        "supervised": f"{i['supervised']:,}",
    }
    for s in STAGES:
        out[f"{s}-p50"] = _hm(i["response"][s]["p50"])
        out[f"{s}-p90"] = _hm(i["response"][s]["p90"])
    return out


TABLE = """table => [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map(tr => {
  const row = tr.querySelector('[data-test=order-kpi-row]')
  const out = { key: row.dataset.key, name: row.innerText.trim() }
  for (const cell of tr.querySelectorAll('[data-test^="orow-"]')) {
    out[cell.dataset.test.slice(5)] = cell.innerText.trim()
  }
  return out
})"""


def _table(page: Any) -> list[dict[str, str]]:
    return list(page.get_by_test_id("order-kpi-table").evaluate(TABLE))


def _check_table(page: Any, server: Server, group: str, first: date, last: date) -> dict[str, Any]:
    shown = f"[data-test=order-kpis-groups][data-group={group}][data-from='{first}'][data-to='{last}']"
    page.locator(shown).wait_for()
    figures = _kpis(server, first, last, group)
    want = [{"key": str(i["key"]), "name": _name(i, group), **_cells(i)} for i in figures["items"]]
    assert _table(page) == want
    if figures["items"]:
        page.locator(f"{shown} [data-test=order-kpis-chart][data-rendered='1'] canvas").wait_for()
        drawn = len(figures["items"]) if group == "day" else min(20, len(figures["items"]))
        assert page.get_by_test_id("order-kpis-chart").get_attribute("data-count") == str(drawn)
    return figures


def _check_cards(page: Any, server: Server, first: date, last: date) -> dict[str, Any]:
    page.locator(f"[data-test=order-kpis-cards][data-from^='{first}']").wait_for()
    figures = _kpis(server, first, last)
    assert page.get_by_test_id("order-kpis-cards").get_attribute("data-to") == figures["to"]
    total = figures["items"][0]

    def value(hook: str) -> str:
        return str(page.get_by_test_id(hook).locator("[data-kpi-value]").inner_text()).strip()

    assert value("okpi-registered") == f"{total['registered']:,}"
    assert value("okpi-closed") == f"{total['closed']:,}"
    assert value("okpi-on-time") == _pct(total["on_time_rate"])
    assert value("okpi-reopen") == _pct(total["reopen_rate"])
    assert f"重新派单 {total['reopened']:,} 件" in page.get_by_test_id("okpi-reopen").inner_text()
    assert value("okpi-urged") == f"{total['urged']:,}"
    assert value("okpi-supervised") == f"{total['supervised']:,}"
    for s in STAGES:
        r = total["response"][s]
        assert re.sub(r"\s+", " ", value(f"okpi-{s}")) == f"P50 {_hm(r['p50'])} P90 {_hm(r['p90'])}", s
    footer = page.get_by_test_id("order-kpi-table").locator(".el-table__footer").inner_text()
    assert footer.split()[:3] == ["合计", f"{total['registered']:,}", f"{total['closed']:,}"]
    return dict(total)


def _switch(page: Any, hook: str, url: str) -> None:
    with page.expect_response(lambda r: "/api/v1/kpis/orders?" in r.url and r.ok):
        page.get_by_test_id(hook).click()
    page.wait_for_url(re.compile(url))


def test_a_duty_manager_reads_the_order_kpis_by_each_grouping(desk: Any, server: Server) -> None:
    today = _today()
    week = today - timedelta(days=6)
    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("menu").locator("[data-menu=order-kpis]").click()
    page.wait_for_url(re.compile(r"/kpis/orders$"))
    page.get_by_role("heading", name="工单报表").wait_for()

    # the last 7 days 按分类 (the defaults): the cards and the table are the API's
    first = _check_table(page, server, "category", week, today)
    total = _check_cards(page, server, week, today)
    assert total["registered"] > 0 and first["items"]
    assert f"{week} 至 {today}" in page.get_by_test_id("order-kpis-period").inner_text()
    page.wait_for_timeout(400)
    d.shot("order-kpis")

    # every other grouping, in the URL
    for group in ("type", "unit", "area", "channel", "day"):
        _switch(page, f"ogroup-{group}", rf"/kpis/orders\?group_by={group}$")
        _check_table(page, server, group, week, today)
    assert page.get_by_test_id("order-kpis-chart").get_attribute("data-count") == "7"  # a bar per day
    page.wait_for_timeout(400)
    d.shot("order-kpis-days")

    # the table sorts: 登记, most first on the second click
    _switch(page, "ogroup-category", r"/kpis/orders$")
    _check_table(page, server, "category", week, today)
    header = (
        page.get_by_test_id("order-kpi-table").locator(".el-table__header th").filter(has_text=re.compile("^登记$"))
    )
    header.click()
    header.click()
    shown = [int(r["registered"].replace(",", "")) for r in _table(page)]
    assert shown == sorted(shown, reverse=True)

    # 近30天 from the picker's quick ranges: the cards and the table of 30 days
    month = today - timedelta(days=29)
    with page.expect_response(lambda r: "/api/v1/kpis/orders?" in r.url and "group_by=none" in r.url and r.ok):
        pick(
            page.get_by_test_id("order-kpis-range").locator("input").first,
            page.locator(".el-picker-panel__shortcut", has_text="近30天"),
        )
    page.wait_for_url(re.compile(rf"from={month}&to={today}$"))
    _check_cards(page, server, month, today)
    _check_table(page, server, "category", month, today)

    # a reload shows the same
    page.reload()
    _check_table(page, server, "category", month, today)

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Order KPIs").wait_for()
    tabs = page.get_by_test_id("order-kpis-group").locator("label")
    assert [s.strip() for s in tabs.all_inner_texts()] == [
        "By category",
        "By type",
        "By unit",
        "By area",
        "By channel",
        "By day",
    ]
    assert page.get_by_test_id("menu").locator("[data-menu=order-kpis]").inner_text().strip() == "Order KPIs"
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="工单报表").wait_for()
    d.check_clean()


def test_a_quiet_period_shows_the_empty_state(desk: Any) -> None:
    d: Desk = desk("qa_inspector")
    page = d.go("/kpis/orders?from=2020-01-01&to=2020-01-31")
    page.get_by_test_id("page-empty").filter(has_text="该期间没有工单").wait_for()
    assert page.get_by_test_id("order-kpis-cards").count() == 0
    d.check_clean()


def test_an_agent_has_no_order_kpis(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        r = api.get("/kpis/orders", params={"from": str(_today()), "to": str(_today())})
        assert r.status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=order-kpis]").count() == 0
    page = d.go("/kpis/orders")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("order-kpis-page").count() == 0
