"""单位考核排名: the month's league table is GET /league?month= row for row (rank, station, total, each figure's raw
value and points, last month's rank and the movement, the three months' trend, 末位 red); the month picker
(default last month) changes it; 导出 Excel downloads the workbook; the weights dialog shows the sum live, shows
the API's 422 for a sum other than 100 and saves six that add up to 100, and the table is ranked again. English;
QA reads without the weights button; an agent has neither the menu entry nor the page."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import Desk, Server, said
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
RATES = ("on_time_rate", "satisfaction", "reopen_rate")
CODES = ("on_time_rate", "satisfaction", "complaint_rate", "reopen_rate", "urged", "supervised")


def _months_back(n: int) -> str:
    today = datetime.now(CENTRE).date()
    y, m = today.year, today.month - n
    while m < 1:
        y, m = y - 1, m + 12
    return date(y, m, 1).strftime("%Y-%m")


def _league(server: Server, month: str) -> dict[str, Any]:
    with server.apis("duty_manager") as (api,):
        r = api.get("/league", params={"month": month})
    assert r.status_code == 200, r.text
    return dict(r.json())


def _half_up(value: float, places: str) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)


def _raw(code: str, raw: float | None) -> str:
    if raw is None:
        return "—"
    if code in RATES:
        return f"{_half_up(raw * 100, '0.1')}%"
    return f"{raw:.2f}"


def _points(p: float | None) -> str:
    return "—" if p is None else f"{p:.2f}"


def _scored(p: float | None) -> str:
    return "无数据不计分" if p is None else f"{p:.2f} 分"


def _movement(item: dict[str, Any]) -> str:
    if item["previous_rank"] is None or item["movement"] is None:
        return "新"
    m = item["movement"]
    return f"↑{m}" if m > 0 else f"↓{-m}" if m < 0 else "—"


ROWS = """(table, codes) => [...table.querySelectorAll('.el-table__body-wrapper tr.el-table__row')].map(tr => {
  const row = tr.querySelector('[data-test=league-row]')
  const out = { key: row.dataset.key, rank: row.innerText.trim(), bottom: row.dataset.bottom,
                red: tr.classList.contains('hy-lg-bottom') }
  out.station = tr.querySelector('[data-test=row-station]').innerText.trim()
  out.tag = !!tr.querySelector('[data-test=row-bottom]')
  out.total = tr.querySelector('[data-test=row-total]').innerText.trim()
  for (const code of codes) {
    const cell = tr.querySelector(`[data-test=row-${code}]`)
    const text = sel => cell.querySelector(sel).innerText.trim()
    out[code] = [text('.hy-lg-raw'), text('.hy-lg-points')]
  }
  out.previous = tr.querySelector('[data-test=row-previous]').innerText.trim()
  out.movement = tr.querySelector('[data-test=row-movement]').innerText.trim()
  out.trend = tr.querySelector('[data-test=row-trend]').dataset.values
  return out
})"""


def _check(page: Any, league: dict[str, Any]) -> None:
    """The table is the API's league of that month, row for row, every cell as the page writes it."""
    page.locator(f"[data-test=league-table][data-month='{league['month']}']").wait_for()
    rows = page.get_by_test_id("league-table").locator(".el-table").first.evaluate(ROWS, list(CODES))
    assert len(rows) == len(league["items"]) and rows
    for row, item in zip(rows, league["items"], strict=True):
        figures = {f["code"]: f for f in item["items"]}
        want = {
            "key": str(item["key"]),
            "rank": str(item["rank"]),
            "bottom": "1" if item["bottom"] else "0",
            "red": item["bottom"],
            "station": item["label"],
            "tag": item["bottom"],
            "total": _points(item["total"]),
            **{c: [_raw(c, figures[c]["raw"]), _scored(figures[c]["points"])] for c in CODES},
            "previous": "—" if item["previous_rank"] is None else str(item["previous_rank"]),
            "movement": _movement(item),
            "trend": ",".join("" if v is None else f"{v:g}" for v in item["trend"]),
        }
        assert row == want, (row, want)
    line = page.get_by_test_id("league-weights-line").inner_text()
    names = ["按时办结率", "满意率", "万户投诉率", "重复派单率", "催办率（每百单）", "督办率（每百单）"]
    assert line == "权重：" + " · ".join(f"{n} {league['weights'][c]}" for n, c in zip(names, CODES, strict=True))


def _weight(page: Any, code: str) -> Any:
    return page.locator(f"[data-test=weight-{code}] input, input[data-test=weight-{code}]").first


def _set_weight(page: Any, code: str, value: int) -> None:
    box = _weight(page, code)
    box.fill(str(value))
    box.press("Tab")


def test_a_supervisor_ranks_the_stations_exports_and_sets_the_weights(desk: Any, server: Server) -> None:
    last = _months_back(1)
    d: Desk = desk("supervisor")
    page = d.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("menu").locator("[data-menu=league]").click()
    page.wait_for_url(re.compile(r"/league$"))
    page.get_by_role("heading", name="单位考核排名").wait_for()

    # last month by default, row for row the API's; 末位 red
    league = _league(server, last)
    _check(page, league)
    assert any(i["bottom"] for i in league["items"]), "the demo city has stations at the bottom"
    assert page.get_by_test_id("league-month").locator("input").input_value() == last
    page.wait_for_timeout(300)
    d.shot("league")

    # another month from the picker, kept in the URL
    earlier = _months_back(2)
    box = page.get_by_test_id("league-month").locator("input")
    box.click()
    with page.expect_response(lambda r: f"/api/v1/league?month={earlier}" in r.url and r.ok):
        box.fill(earlier)
        box.press("Enter")
    page.wait_for_url(re.compile(rf"/league\?month={earlier}$"))
    _check(page, _league(server, earlier))
    page.keyboard.press("Escape")

    # 导出 Excel: the month's workbook
    with page.expect_download() as got:
        page.get_by_test_id("league-export").click()
    download = got.value
    assert download.suggested_filename == f"单位考核排名_{earlier}.xlsx"
    with open(download.path(), "rb") as f:
        assert f.read(2) == b"PK"  # an .xlsx is a zip

    # back to last month (the picker's default drops ?month=)
    box.click()
    with page.expect_response(lambda r: f"/api/v1/league?month={last}" in r.url and r.ok):
        box.fill(last)
        box.press("Enter")
    page.wait_for_url(re.compile(r"/league$"))
    page.keyboard.press("Escape")

    # the weights: the sum live, the API's 422 for 110, then six that add up to 100
    with server.apis("supervisor") as (api,):
        before = api.get("/league/weights").json()
    page.get_by_test_id("league-weights").click()
    dialog = page.get_by_test_id("league-weights-dialog")
    dialog.wait_for()
    page.wait_for_function("() => document.querySelector('[data-test=league-weights-sum]')?.dataset.value === '100'")
    for code in CODES:
        assert _weight(page, code).input_value() == str(before[code])
    _set_weight(page, "on_time_rate", before["on_time_rate"] + 10)
    total = page.get_by_test_id("league-weights-sum")
    page.wait_for_function("() => document.querySelector('[data-test=league-weights-sum]').dataset.value === '110'")
    assert total.inner_text().strip() == "合计 110 / 100"
    assert "hy-lw-sum--bad" in (total.get_attribute("class") or "")
    bad = {**before, "on_time_rate": before["on_time_rate"] + 10}
    with server.apis("supervisor") as (api,):
        refused = api.put("/league/weights", json={"weights": bad})
    assert refused.status_code == 422
    page.get_by_test_id("league-weights-save").click()
    error = page.get_by_test_id("league-weights-error")
    error.wait_for()
    assert said(refused.json()) in error.inner_text()
    d.shot("league-weights")

    # 40 on time, 15 satisfaction: 100 again, saved, the table ranked again with them
    _set_weight(page, "satisfaction", before["satisfaction"] - 10)
    page.wait_for_function("() => document.querySelector('[data-test=league-weights-sum]').dataset.value === '100'")
    with page.expect_response(lambda r: "/api/v1/league/weights" in r.url and r.request.method == "PUT" and r.ok):
        page.get_by_test_id("league-weights-save").click()
    dialog.wait_for(state="hidden")
    with server.apis("supervisor") as (api,):
        after = api.get("/league/weights").json()
    want = {**before, "on_time_rate": before["on_time_rate"] + 10, "satisfaction": before["satisfaction"] - 10}
    assert after == want
    page.wait_for_function(
        "w => document.querySelector('[data-test=league-weights-line]').innerText.includes(w)",
        arg=f"按时办结率 {want['on_time_rate']}",
    )
    _check(page, _league(server, last))

    # English, then back
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Unit league table").wait_for()
    assert page.get_by_test_id("menu").locator("[data-menu=league]").inner_text().strip() == "Unit league"
    header = page.get_by_test_id("league-table").locator(".el-table__header").inner_text()
    assert "On-time rate" in header and "Rank" in header
    assert chinese_in_chrome(page) == []
    page.get_by_test_id("locale-zh").click()
    page.get_by_role("heading", name="单位考核排名").wait_for()

    with server.apis("supervisor") as (api,):  # as it was, for whoever reads the league next
        assert api.put("/league/weights", json={"weights": before}).status_code == 200
    d.check_clean()


def test_qa_reads_the_league_without_the_weights(desk: Any, server: Server) -> None:
    d: Desk = desk("qa_inspector")
    page = d.go("/league")
    _check(page, _league(server, _months_back(1)))
    assert page.get_by_test_id("league-weights").count() == 0
    assert page.get_by_test_id("league-export").count() == 1
    d.check_clean()


def test_an_agent_has_no_league(desk: Any, server: Server) -> None:
    with server.apis("agent") as (api,):
        assert api.get("/league", params={"month": _months_back(1)}).status_code == 403
    d: Desk = desk("agent")
    page = d.go("/")
    page.wait_for_url("**/workbench")
    page.get_by_test_id("menu").wait_for()
    assert page.locator("[data-menu=league]").count() == 0
    page = d.go("/league")
    page.wait_for_url("**/workbench")
    assert page.get_by_test_id("league-page").count() == 0
