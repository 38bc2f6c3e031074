"""满意度分析: the customers' ratings of a period — KPI cards, the chart, the table and the Excel export agree
with GET /satisfaction; the controls (grouping, 基本满意计为满意) ask the API again; English; who may open it."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from tests.browser.conftest import Desk, Server


def _figures(server: Server, **params: Any) -> dict[str, Any]:
    """GET /satisfaction as the duty manager (the page's defaults: the last 30 days, by day, instant)."""
    with server.apis("duty_manager") as (api,):
        r = api.get(
            "/satisfaction", params={k: str(v).lower() if isinstance(v, bool) else v for k, v in params.items()}
        )
    assert r.status_code == 200, r.text
    return dict(r.json())


def _rate_one_basically_satisfied(server: Server) -> None:
    """Makes sure the period has a 基本满意 (the small demo city may have none in the last 30 days): the duty
    manager records one, by web, for a closed order of a unit (the same order and channel again counts once)."""
    with server.apis("duty_manager") as (api,):
        orders = api.get("/work-orders", params={"state": "closed", "page_size": 100}).json()["items"]
        order = next(o for o in orders if o["unit_id"] is not None)
        r = api.post("/ratings", json={"order_id": order["id"], "channel": "web", "result": "basically_satisfied"})
    assert r.status_code in (200, 201), r.text


def _pct(rate: float | None) -> str:
    """A rate as the page shows it: a percentage with one decimal, half up; "—" when nobody rated."""
    if rate is None:
        return "—"
    return f"{(Decimal(str(rate)) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _kpi(page: Any, name: str) -> str:
    return str(page.get_by_test_id(f"kpi-{name}").locator("[data-kpi-value]").inner_text()).strip()


TABLE = """table => [...table.querySelectorAll('.el-table__body tr')].map(tr => {
  const text = name => tr.querySelector(`[data-test=${name}]`).innerText.trim()
  const row = tr.querySelector('[data-test=satisfaction-row]')
  return {
    key: row.dataset.key, name: row.innerText.trim(), surveyed: text('row-surveyed'),
    satisfied: text('row-satisfied'), basic: text('row-basic'), unsatisfied: text('row-unsatisfied'),
    rate: text('row-rate'),
  }
})"""


def _table(page: Any) -> list[dict[str, str]]:
    """The table's rows as shown (in the table's order)."""
    return list(page.get_by_test_id("satisfaction-table").evaluate(TABLE))


def _expected(items: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "key": i["key"],
            "name": i["name"] or i["key"],
            "surveyed": f"{i['surveyed']:,}",
            "satisfied": f"{i['satisfied']:,}",
            "basic": f"{i['basically_satisfied']:,}",
            "unsatisfied": f"{i['unsatisfied']:,}",
            "rate": _pct(i["rate"]),
        }
        for i in items
    ]


def _wait_drawn(page: Any, group: str) -> None:
    page.locator(f"[data-test=satisfaction-chart][data-group={group}][data-rendered='1'] canvas").wait_for()
    page.wait_for_timeout(400)  # the chart's entry animation, for the screenshot


def test_a_duty_manager_reads_the_figures_by_unit_counts_basic_and_exports_them(
    desk: Any, server: Server, tmp_path: Path
) -> None:
    _rate_one_basically_satisfied(server)
    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("menu").locator("[data-menu=satisfaction]").click()
    page.wait_for_url("**/satisfaction")
    page.get_by_role("heading", name="满意度分析").wait_for()

    # the period's KPIs are the API's total for the same (default) period
    month = _figures(server)
    total = month["total"]
    assert total["surveyed"] > 0  # the demo city's customers rated calls and closed orders
    page.get_by_test_id("satisfaction-kpis").wait_for()
    assert _kpi(page, "surveyed") == f"{total['surveyed']:,}"
    assert _kpi(page, "rate") == _pct(total["rate"])
    assert _kpi(page, "satisfied") == f"{total['satisfied']:,}"
    assert _kpi(page, "basic") == f"{total['basically_satisfied']:,}"
    assert _kpi(page, "unsatisfied") == f"{total['unsatisfied']:,}"
    assert "满意率 = 满意 ÷ 评价数" in page.get_by_test_id("kpi-rate").inner_text()
    assert f"占 {_pct(total['rate'])}" in page.get_by_test_id("kpi-satisfied").inner_text()  # the same rule
    period = page.get_by_test_id("satisfaction-period").inner_text()
    assert f"{month['from']} 至 {month['to']}" in period and "即时评价" in period
    # by day: a row per day someone rated, in order, and the day chart drawn
    assert _table(page) == _expected(month["items"])
    assert page.get_by_test_id("total-surveyed").inner_text() == f"{total['surveyed']:,}"
    _wait_drawn(page, "day")
    d.shot("satisfaction")

    # 按单位: the rows are the API's units, with their names and figures; the chart ranks them
    with page.expect_response(lambda r: "/api/v1/satisfaction?" in r.url and "group_by=unit" in r.url and r.ok):
        page.get_by_test_id("group-unit").click()
    page.wait_for_url(re.compile(r"/satisfaction\?group_by=unit$"))
    _wait_drawn(page, "unit")
    units = _figures(server, group_by="unit")
    assert units["items"], "the demo's ratings are attributed to units"
    assert _table(page) == _expected(units["items"])
    assert page.get_by_test_id("satisfaction-table").locator(".el-table__header").inner_text().startswith("单位")
    # the worse stations stand out: the lowest rate is coloured as far under the period's
    worst = min((u for u in units["items"] if u["rate"] is not None), key=lambda u: u["rate"])
    if worst["rate"] < total["rate"] - 0.05:
        cell = page.locator(f"[data-test=satisfaction-row][data-key='{worst['key']}']").locator("xpath=ancestor::tr")
        assert cell.get_by_test_id("row-rate").get_attribute("data-tone") == "bad"
    d.shot("satisfaction-units")

    # 基本满意计为满意: the rate is the API's count_basic=true rate, and the page says which rule it uses
    basic = _figures(server, group_by="unit", count_basic=True)
    assert basic["total"]["rate"] != total["rate"]  # the period has a 基本满意 rating
    page.get_by_test_id("satisfaction-count-basic").click()
    page.wait_for_url(re.compile(r"count_basic=1"))
    page.wait_for_function(
        "rate => Number(document.querySelector('[data-test=kpi-rate]')?.dataset.rate) === rate",
        arg=basic["total"]["rate"],
    )
    assert _kpi(page, "rate") == _pct(basic["total"]["rate"])
    assert "满意率 =（满意 + 基本满意）÷ 评价数" in page.get_by_test_id("kpi-rate").inner_text()
    assert "基本满意" in page.get_by_test_id("rate-rule").inner_text()
    assert _table(page) == _expected(basic["items"])
    assert page.get_by_test_id("total-rate").inner_text() == _pct(basic["total"]["rate"])

    # 导出 Excel: the same figures, its total row the API's
    link = page.get_by_test_id("satisfaction-export")
    href = link.get_attribute("href") or ""
    assert href.startswith("/api/v1/satisfaction/export?") and "group_by=unit" in href and "count_basic=true" in href
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx") and "单位" in download.suggested_filename
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    total_row = next(r for r in rows if r and r[0] == "合计")
    t = basic["total"]
    assert total_row[2:7] == [t["surveyed"], t["satisfied"], t["basically_satisfied"], t["unsatisfied"], t["rate"]]
    assert any(r and r[0] == units["items"][0]["key"] for r in rows)  # the units' rows are there too

    # English: the title, the tabs and the menu entry
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Customer satisfaction").wait_for()
    tabs = page.get_by_test_id("satisfaction-group").locator("label")
    assert [s.strip() for s in tabs.all_inner_texts()] == ["By day", "By agent", "By unit", "By category", "By channel"]
    assert page.get_by_test_id("menu").locator("[data-menu=satisfaction]").inner_text().strip() == "Satisfaction"
    assert "Rate = (satisfied + basically satisfied) ÷ rated" in page.get_by_test_id("kpi-rate").inner_text()
    _wait_drawn(page, "unit")
    page.wait_for_timeout(600)  # the redrawn chart's animation
    d.shot("satisfaction-en")
    d.check_clean()


def test_the_controls_come_from_the_url(desk: Any, server: Server) -> None:
    d: Desk = desk("qa_inspector")
    # by channel, in words; the period from the URL
    month = _figures(server)
    first, last = month["from"], month["to"]
    channels = _figures(server, group_by="channel", **{"from": first, "to": last})
    page = d.go(f"/satisfaction?group_by=channel&from={first}&to={last}")
    page.get_by_test_id("satisfaction-table").wait_for()
    names = {"ivr": "语音按键", "sms": "短信", "web": "网页在线", "wechat": "微信", "email": "邮件"}
    assert [r["name"] for r in _table(page)] == [names[i["key"]] for i in channels["items"]]
    assert page.get_by_test_id("group-channel").locator("input").is_checked()
    # 延时调查: what the demo has of them (none, so the empty state), the kind in the URL
    delayed = _figures(server, kind="delayed")
    page.get_by_test_id("kind-delayed").click()
    page.wait_for_url(re.compile(r"kind=delayed"))
    if delayed["total"]["surveyed"] == 0:
        page.get_by_test_id("page-empty").filter(has_text="该期间没有延时调查").wait_for()
    else:
        page.locator(f"[data-test=kpi-surveyed]:has-text('{delayed['total']['surveyed']:,}')").wait_for()
    d.check_clean()


def test_an_agent_has_no_satisfaction_page(desk: Any) -> None:
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=satisfaction]").count() == 0
    page = d.go("/satisfaction")
    page.wait_for_url("**/workbench")  # a page the role may not open sends them to their own
    assert page.get_by_test_id("satisfaction-page").count() == 0


def test_the_admin_reads_it_but_still_lands_on_users(desk: Any) -> None:
    d: Desk = desk("admin")
    page = d.go("/")
    page.wait_for_url("**/admin/users")
    page.get_by_test_id("menu").locator("[data-menu=satisfaction]").click()
    page.wait_for_url("**/satisfaction")
    page.get_by_test_id("satisfaction-kpis").wait_for()
    d.check_clean()
