"""运行概览: the managers' first screen — KPI tiles, the daily chart by type, open orders by state."""

from __future__ import annotations

from typing import Any

from tests.browser.conftest import Desk, Server

DRAWN = """sel => {
  const canvas = document.querySelector(sel + ' canvas')
  if (!canvas || !canvas.width || !canvas.height) return 0
  const ctx = canvas.getContext('2d')
  const px = ctx.getImageData(0, 0, canvas.width, canvas.height).data
  let inked = 0
  for (let i = 3; i < px.length; i += 16) if (px[i] > 0) inked++
  return inked
}"""
PIXELS = "sel => document.querySelector(sel + ' canvas').toDataURL()"


def _stats(server: Server, days: int = 14) -> dict[str, Any]:
    api = server.api("supervisor")
    try:
        r = api.get(f"/work-orders/stats?days={days}")
    finally:
        api.close()
    assert r.status_code == 200, r.text
    return dict(r.json())


def _kpi(page: Any, name: str) -> str:
    return str(page.get_by_test_id(f"kpi-{name}").locator("[data-kpi-value]").inner_text()).strip()


def _wait_drawn(page: Any, name: str) -> None:
    page.locator(f"[data-test=chart-{name}][data-rendered='1'] canvas").wait_for()


def test_a_supervisor_lands_on_the_overview_and_its_numbers_are_the_apis(desk: Any, server: Server) -> None:
    d: Desk = desk("supervisor", sign_in=False)
    page = d.go("/login")
    page.get_by_test_id("username").fill("supervisor")
    page.get_by_test_id("password").fill("demo")
    page.keyboard.press("Enter")
    page.wait_for_url("**/overview")
    page.get_by_test_id("kpis").wait_for()
    stats = _stats(server)

    assert _kpi(page, "open") == f"{stats['open_total']:,}"
    assert _kpi(page, "urgent") == str(stats["urgent_open"])
    assert _kpi(page, "today") == str(stats["today"]["registered"])
    assert _kpi(page, "on-spot") == str(stats["today"]["closed_on_spot"])
    assert page.get_by_test_id("kpi-satisfied").inner_text() == str(stats["today"]["satisfied"])
    assert page.get_by_test_id("kpi-unsatisfied").inner_text() == str(stats["today"]["unsatisfied"])
    assert page.get_by_test_id("donut-total").inner_text() == f"{stats['open_total']:,}"
    assert stats["open_total"] > 0  # the demo city has open orders, so the charts have something to draw
    registered = sum(day["registered"] for day in stats["days"])
    assert f"共受理 {registered:,} 件" in page.get_by_test_id("daily-summary").inner_text()
    assert "近 14 天" in page.get_by_test_id("daily-summary").inner_text()

    # both charts are drawn on their canvases
    for chart in ("daily", "states"):
        _wait_drawn(page, chart)
        assert page.evaluate(DRAWN, f"[data-test=chart-{chart}]") > 100, chart
    page.wait_for_timeout(300)  # the charts' entry animation
    d.shot("overview")

    # the 30-day switch asks the API again and redraws
    with page.expect_response(lambda r: "/work-orders/stats?days=30" in r.url and r.ok):
        page.get_by_test_id("days-30").click()
    page.wait_for_url("**/overview?days=30")
    month = _stats(server, 30)
    total = sum(day["registered"] for day in month["days"])
    summary = page.get_by_test_id("daily-summary")
    summary.filter(has_text="近 30 天").wait_for()
    assert f"共受理 {total:,} 件" in summary.inner_text()
    d.check_clean()


def test_the_overview_in_english_redraws_its_charts(desk: Any, server: Server) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/overview")
    _wait_drawn(page, "daily")
    page.wait_for_timeout(600)
    before = page.evaluate(PIXELS, "[data-test=chart-daily]")
    page.get_by_test_id("locale-en").click()
    page.get_by_role("heading", name="Overview").wait_for()
    page.get_by_text("Open orders by state").wait_for()
    page.wait_for_timeout(600)
    assert page.evaluate(PIXELS, "[data-test=chart-daily]") != before  # the legend speaks English now
    assert page.get_by_test_id("menu").locator("[data-menu=overview]").inner_text().strip() == "Overview"
    assert "registered" in page.get_by_test_id("daily-summary").inner_text()
    d.shot("overview-en")
    d.check_clean()


def test_the_open_tile_opens_the_open_orders(desk: Any) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/overview")
    page.get_by_test_id("kpi-open").click()
    page.wait_for_url("**/orders?state=open")
    d.check_clean()


def test_the_overview_is_for_managers_and_qa(desk: Any) -> None:
    qa: Desk = desk("qa_inspector")
    page = qa.go("/")
    page.wait_for_url("**/overview")
    page.get_by_test_id("kpis").wait_for()
    agent: Desk = desk("agent")
    page = agent.go("/overview")
    page.wait_for_url("**/workbench")
