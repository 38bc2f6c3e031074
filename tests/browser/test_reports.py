"""服务质量报告: a duty manager filters the reports by kind (each filter is GET /reports?kind= row for row, or the
empty state), makes yesterday's daily report (生成报告) and sees it at the top as GET /reports lists it, downloads
its PDF (begins with %PDF) and its workbook (opens with openpyxl, the first sheet filled) through the buttons, asks
for a month to come and sees the server's 422, turns a subscription on and sees it kept (GET
/reports/subscriptions/me, after a reload too); English. An agent has neither the menu entry nor the page."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.browser.conftest import Desk, Server, said
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
KIND_ZH = {"daily": "日报", "weekly": "周报", "monthly": "月报"}
ROWS = """list => [...list.querySelectorAll('[data-test=report-row]')].map(r => {
  const tr = r.closest('tr')
  return { id: Number(r.dataset.id), kind: r.dataset.kind, first: r.dataset.first, last: r.dataset.last,
           period: tr.querySelector('[data-test=report-period]').innerText.trim(),
           kindText: tr.querySelector('[data-test=report-kind]').innerText.trim(),
           madeAt: tr.querySelector('[data-test=report-made-at]').innerText.trim(),
           pdf: tr.querySelector('[data-test=report-pdf]').getAttribute('href'),
           xlsx: tr.querySelector('[data-test=report-xlsx]').getAttribute('href'),
           isNew: !!tr.querySelector('[data-test=report-new]') }
})"""


def _today() -> date:
    return datetime.now(CENTRE).date()


def _reports(server: Server, kind: str | None = None) -> list[dict[str, Any]]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/reports", params={"kind": kind} if kind else {})
    assert r.status_code == 200, r.text
    return list(r.json())


def _instant(value: str) -> datetime:
    at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def _made_at(value: str) -> str:
    return _instant(value).astimezone(CENTRE).strftime("%Y-%m-%d %H:%M")


def _period(r: dict[str, Any], en: bool = False) -> str:
    if r["kind"] == "monthly":
        first = date.fromisoformat(r["first_day"])
        return first.strftime("%b %Y") if en else f"{first.year}年{first.month}月"
    if r["first_day"] == r["last_day"]:
        return str(r["first_day"])
    return f"{r['first_day']} {'to' if en else '至'} {r['last_day']}"


def _want(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": r["id"],
        "kind": r["kind"],
        "first": r["first_day"],
        "last": r["last_day"],
        "period": _period(r),
        "kindText": KIND_ZH[r["kind"]],
        "madeAt": _made_at(r["generated_at"]),
        "pdf": f"/api/v1/reports/{r['id']}/pdf",
        "xlsx": f"/api/v1/reports/{r['id']}/xlsx",
    }


def _rows(page: Any, kind: str) -> list[dict[str, Any]]:
    page.locator(f"[data-test=reports-list][data-filter={kind}]").wait_for()
    return list(page.get_by_test_id("reports-list").evaluate(ROWS))


def _check(page: Any, server: Server, kind: str) -> list[dict[str, Any]]:
    """The list is the API's of that kind, row for row (nothing made on the page yet), or the empty state."""
    want = _reports(server, None if kind == "all" else kind)
    rows = _rows(page, kind)
    assert [{k: v for k, v in row.items() if k != "isNew"} for row in rows] == [_want(r) for r in want]
    if not want:
        assert page.get_by_test_id("reports-empty").is_visible()
    return rows


def _pick_day(page: Any, day: date, period: str) -> None:
    """Types a day into the dialog's date picker; the period holding it shows."""
    box = page.get_by_test_id("generate-day").locator("input")
    box.click()
    box.fill(day.isoformat())
    box.press("Enter")
    shown = "p => document.querySelector('[data-test=generate-period]')?.dataset.value === p"
    page.wait_for_function(shown, arg=period)
    assert box.input_value() == day.isoformat()


def test_a_duty_manager_filters_makes_downloads_and_subscribes(desk: Any, server: Server) -> None:
    today = _today()
    yesterday = today - timedelta(days=1)
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)
    with server.apis("duty_manager") as (api,):  # a month's report to filter by (the worker makes only daily ones)
        assert api.post("/reports", json={"kind": "monthly", "day": last_month.isoformat()}).status_code == 201
        subscribed_before = api.get("/reports/subscriptions/me").json()

    d: Desk = desk("duty_manager")
    page = d.go("/")
    page.wait_for_url("**/overview")
    entry = page.get_by_test_id("menu").locator("[data-menu=reports]")
    assert entry.inner_text().strip() == "服务质量报告"
    entry.click()
    page.wait_for_url(re.compile(r"/reports$"))
    page.get_by_role("heading", name="服务质量报告").wait_for()
    assert any(r["kind"] == "monthly" for r in _check(page, server, "all"))

    # each kind by itself, kept in the URL; a kind with none says so
    for kind in ("monthly", "weekly", "daily"):
        page.get_by_test_id(f"filter-{kind}").click()
        page.wait_for_url(re.compile(rf"/reports\?kind={kind}$"))
        rows = _check(page, server, kind)
        assert {r["kind"] for r in rows} <= {kind}
    d.shot("reports")

    # 生成报告: yesterday's daily report, at the top, as GET /reports lists it
    page.get_by_test_id("reports-generate").click()
    dialog = page.get_by_test_id("generate-dialog")
    dialog.wait_for()
    assert "is-active" in (dialog.get_by_test_id("generate-kind-daily").get_attribute("class") or "")  # the filter's
    assert dialog.get_by_test_id("generate-day").locator("input").input_value() == yesterday.isoformat()
    _pick_day(page, yesterday, yesterday.isoformat())
    assert dialog.get_by_test_id("generate-period").inner_text() == f"统计期间：{yesterday.isoformat()}"
    clicked = datetime.now(UTC).replace(microsecond=0)
    with page.expect_response(lambda r: r.url.endswith("/api/v1/reports") and r.request.method == "POST") as got:
        dialog.get_by_test_id("generate-submit").click()
    assert got.value.status == 201, got.value.text()
    made = got.value.json()
    dialog.wait_for(state="hidden")
    assert (made["kind"], made["first_day"], made["last_day"]) == (
        "daily",
        yesterday.isoformat(),
        yesterday.isoformat(),
    )
    listed = _reports(server, "daily")
    assert made["id"] in [r["id"] for r in listed]
    assert _instant(made["generated_at"]) >= clicked  # made now, even if the worker had made it at 06:00
    page.wait_for_function(
        "id => document.querySelector('[data-test=report-row]')?.dataset.id === String(id)", arg=made["id"]
    )
    rows = _rows(page, "daily")
    assert rows[0] == {**_want(made), "isNew": True}
    assert [r["id"] for r in rows] == [made["id"], *(r["id"] for r in listed if r["id"] != made["id"])]
    d.shot("reports-made")

    # its PDF and its workbook, through the buttons
    top = page.get_by_test_id("report-row").first.locator("xpath=ancestor::tr")
    stem = f"客户服务中心服务质量日报_{yesterday.isoformat()}_{yesterday.isoformat()}"
    with page.expect_download() as pdf:
        top.get_by_test_id("report-pdf").click()
    assert pdf.value.suggested_filename == f"{stem}.pdf"
    with open(pdf.value.path(), "rb") as f:
        assert f.read(5) == b"%PDF-"
    with page.expect_download() as xlsx:
        top.get_by_test_id("report-xlsx").click()
    assert xlsx.value.suggested_filename == f"{stem}.xlsx"
    with open(xlsx.value.path(), "rb") as f:
        book = load_workbook(BytesIO(f.read()))
    sheet = book.worksheets[0]
    assert sheet.title == "主要指标" and sheet["A1"].value == "客户服务中心服务质量日报"
    assert sheet.max_row > 5 and sheet["A4"].value == "指标"

    # a month to come: the server refuses it, the dialog says why
    next_month = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    page.get_by_test_id("reports-generate").click()
    dialog.wait_for()
    dialog.get_by_test_id("generate-kind-monthly").click()
    _pick_day(page, next_month, f"{next_month.year}年{next_month.month}月")
    assert dialog.get_by_test_id("generate-period").inner_text() == f"统计期间：{next_month.year}年{next_month.month}月"
    dialog.get_by_test_id("generate-not-begun").wait_for()
    with server.apis("duty_manager") as (api,):
        refused = api.post("/reports", json={"kind": "monthly", "day": next_month.isoformat()})
    assert refused.status_code == 422
    with page.expect_response(lambda r: r.url.endswith("/api/v1/reports") and r.request.method == "POST") as got:
        dialog.get_by_test_id("generate-submit").click()
    assert got.value.status == 422
    error = dialog.get_by_test_id("generate-error")
    error.wait_for()
    assert said(refused.json()) in error.inner_text()
    d.shot("reports-not-begun")
    dialog.get_by_role("button", name="取消").click()
    dialog.wait_for(state="hidden")
    assert next_month.isoformat() not in [r["first_day"] for r in _reports(server, "monthly")]

    # 我的订阅: the weekly report on (or off), kept
    weekly = page.get_by_test_id("sub-weekly")
    assert weekly.get_attribute("data-on") == ("1" if "weekly" in subscribed_before else "0")
    for kind in ("daily", "monthly"):
        assert page.get_by_test_id(f"sub-{kind}").get_attribute("data-on") == (
            "1" if kind in subscribed_before else "0"
        )
    want = sorted(set(subscribed_before) ^ {"weekly"})
    with page.expect_response(lambda r: "/reports/subscriptions/me" in r.url and r.request.method == "PUT" and r.ok):
        weekly.click()
    page.wait_for_function(
        "on => document.querySelector('[data-test=sub-weekly]').dataset.on === on",
        arg="1" if "weekly" in want else "0",
    )
    with server.apis("duty_manager") as (api,):
        assert api.get("/reports/subscriptions/me").json() == want
    page.reload()
    page.get_by_test_id("reports-list").wait_for()
    page.wait_for_function(
        "on => document.querySelector('[data-test=sub-weekly]')?.dataset.on === on",
        arg="1" if "weekly" in want else "0",
    )
    d.shot("reports-subscribed")

    # English
    page.get_by_test_id("filter-all").click()
    page.wait_for_url(re.compile(r"/reports$"))
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Service-quality reports").wait_for()
    assert page.get_by_test_id("menu").locator("[data-menu=reports]").inner_text().strip() == "Quality reports"
    header = page.get_by_test_id("reports-list").locator(".el-table__header").inner_text()
    assert "Period" in header and "Made at" in header
    periods = [r["period"] for r in _rows(page, "all")]
    assert periods == [_period(r, en=True) for r in _reports(server)]  # reloaded: nothing pinned, the API's order
    assert page.get_by_test_id("reports-subs").locator("h3").inner_text() == "My subscriptions"
    assert chinese_in_chrome(page) == []
    d.shot("reports-en")
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="服务质量报告").wait_for()

    with server.apis("duty_manager") as (api,):  # as it was, for whoever reads them next
        assert api.put("/reports/subscriptions/me", json={"kinds": subscribed_before}).status_code == 200
    d.check_clean()


def test_an_agent_has_no_reports(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        assert api.get("/reports").status_code == 403
        assert api.get("/reports/subscriptions/me").status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=reports]").count() == 0
    page = d.go("/reports")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("reports-page").count() == 0
