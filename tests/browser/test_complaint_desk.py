"""投诉台: the corrective actions of valid complaints (待整改 / 已超期 / 已完成), one finished from the desk by the unit
handler, a refusal from the server shown in the dialog, one finished from the complaint card on the order page,
the managers' root-cause Pareto chart and its period (统计期间, kept in the URL); 表扬核实 on a praise order's page."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.browser.conftest import Desk, Server, pick
from tests.browser.test_complaints import _complaint, _pick

_phones = itertools.count(13712360001)
TZ = ZoneInfo("Asia/Shanghai")


def _judged(server: Server, action: str) -> dict[str, Any]:
    """A complaint of the unit handler's unit judged valid by the duty manager, with a corrective action due in
    a week."""
    unit, _ = server.home()
    order = _complaint(server, str(next(_phones)))
    due = (datetime.now(TZ) + timedelta(days=7)).replace(microsecond=0).isoformat()
    body = {
        "validity": "valid",
        "stage": "repair",
        "responsible_unit_id": unit["id"],
        "root_cause": "attitude",
        "action": action,
        "action_due": due,
    }
    with server.apis("duty_manager") as (manager,):
        r = manager.post(f"/work-orders/{order['id']}/verdict", json=body)
        assert r.status_code == 200, r.text
        return dict(r.json())


def test_the_unit_handler_finishes_a_corrective_action_from_the_desk(desk: Any, server: Server) -> None:
    first = _judged(server, "维修班组服务礼仪培训")
    second = _judged(server, "回访话术复盘")
    handler: Desk = desk("unit_handler")
    page = handler.go("/complaints")
    page.get_by_test_id("complaint-desk").wait_for()
    assert page.locator(".el-menu").get_by_text("投诉台").is_visible()
    assert page.locator(".el-menu").get_by_text("奖惩台账").is_visible()
    row = page.locator(f"[data-test=desk-row][data-order='{first['id']}']")
    row.wait_for()
    with server.apis("unit_handler") as (api,):
        listed = api.get("/complaints/actions", params={"state": "open"}).json()["items"]
    assert page.locator("[data-test=desk-row]").count() == len(listed)
    tr = page.locator("[data-test=desk-table] .el-table__body-wrapper tr", has=row)
    assert first["number"] in tr.inner_text() and "维修班组服务礼仪培训" in tr.inner_text()
    assert page.get_by_test_id("desk-analysis").count() == 0  # the analysis is the managers' and QA's
    handler.shot("complaint-desk")

    # 整改完成 needs a result.
    page.get_by_test_id(f"desk-finish-{first['id']}").click()
    dialog = page.get_by_test_id("action-done-dialog")
    dialog.wait_for()
    assert first["number"] in dialog.inner_text() and "维修班组服务礼仪培训" in dialog.inner_text()
    dialog.get_by_test_id("action-done-submit").click()
    assert dialog.get_by_test_id("action-done-error").inner_text() == "请填写整改结果"
    dialog.get_by_test_id("action-done-result").fill("已组织维修班组服务礼仪培训，全员考核通过")
    handler.shot("complaint-desk-finish")
    dialog.get_by_test_id("action-done-submit").click()
    dialog.wait_for(state="hidden")
    row.wait_for(state="detached")

    # 已完成: with its time and result.
    page.get_by_test_id("desk-tab-done").click()
    done = page.locator(f"[data-test=desk-row][data-order='{first['id']}'][data-done='1']")
    done.wait_for()
    tr = page.locator("[data-test=desk-table] .el-table__body-wrapper tr", has=done)
    assert "已组织维修班组服务礼仪培训，全员考核通过" in tr.get_by_test_id("desk-result").inner_text()
    assert tr.get_by_test_id("desk-done-at").inner_text().strip()
    handler.shot("complaint-desk-done")

    # Someone else reports the second one done while the dialog is open: the server's refusal is shown.
    page.get_by_test_id("desk-tab-open").click()
    page.get_by_test_id(f"desk-finish-{second['id']}").click()
    dialog.wait_for()
    dialog.get_by_test_id("action-done-result").fill("话术复盘完成")
    with server.apis("duty_manager") as (manager,):
        r = manager.post(f"/work-orders/{second['id']}/action-done", json={"result": "经理已确认整改"})
        assert r.status_code == 200, r.text
    dialog.get_by_test_id("action-done-submit").click()
    error = dialog.get_by_test_id("action-done-error")
    error.wait_for()
    assert "整改已反馈完成" in error.inner_text()  # complaints.action_done_already
    dialog.get_by_role("button", name="取消").click()

    # the order shows the action done, with its result, and no button any more
    page = handler.go(f"/orders/{first['id']}")
    card = page.get_by_test_id("complaint-card")
    assert "全员考核通过" in card.get_by_test_id("verdict-action-done").inner_text()
    assert card.get_by_test_id("action-done-open").count() == 0
    handler.check_clean()


def test_a_manager_finishes_an_action_from_the_complaint_card_and_reads_the_pareto(desk: Any, server: Server) -> None:
    order = _judged(server, "抄表员上门服务规范再培训")
    manager: Desk = desk("duty_manager")
    page = manager.go(f"/orders/{order['id']}")
    card = page.get_by_test_id("complaint-card")
    assert card.get_by_test_id("verdict-action-open").inner_text() == "整改中"
    card.scroll_into_view_if_needed()
    manager.shot("complaint-card-action-open")
    card.get_by_test_id("action-done-open").click()
    dialog = page.get_by_test_id("action-done-dialog")
    dialog.get_by_test_id("action-done-result").fill("已完成再培训并抽查上门服务")
    dialog.get_by_test_id("action-done-submit").click()
    dialog.wait_for(state="hidden")
    card.get_by_test_id("verdict-action-done").get_by_text("已完成再培训并抽查上门服务", exact=False).wait_for()
    assert card.get_by_test_id("action-done-open").count() == 0
    with server.apis("duty_manager") as (api,):
        complaint = api.get(f"/work-orders/{order['id']}").json()["complaint"]
    assert complaint["action_result"] == "已完成再培训并抽查上门服务" and complaint["action_done_at"]
    card.scroll_into_view_if_needed()
    manager.shot("complaint-card-action-done")

    # The desk: the overdue tab's rows are red; the chart ranks root causes with a cumulative line.
    page = manager.go("/complaints")
    page.get_by_test_id("desk-tab-overdue").click()
    with server.apis("duty_manager") as (api,):
        overdue = api.get("/complaints/actions", params={"state": "overdue"}).json()["items"]
        causes = api.get("/complaints/analysis", params={"by": "root_cause"}).json()["items"]
    if overdue:
        page.locator("[data-test=desk-row][data-overdue='1']").first.wait_for()
        assert page.locator("[data-test=desk-row]").count() == len(overdue)
        assert page.get_by_test_id("desk-overdue").first.inner_text() == "超期"
    else:
        page.get_by_test_id("page-empty").get_by_text("暂无超期整改").wait_for()
    chart = page.get_by_test_id("desk-pareto")
    chart.wait_for()
    known = [c for c in causes if c["key"] and c["complaints"]]
    assert chart.get_attribute("data-bars") == str(len(known))
    page.locator("[data-test=desk-pareto][data-rendered='1']").wait_for()
    page.get_by_test_id("desk-tab-done").click()
    page.locator("[data-test=desk-row][data-done='1']").first.wait_for()
    page.get_by_test_id("desk-analysis").scroll_into_view_if_needed()
    manager.shot("complaint-desk-pareto")
    page.get_by_test_id("desk-by-stage").click()
    page.locator("[data-test=desk-pareto][data-by=stage]").wait_for()
    href = page.get_by_test_id("desk-analysis-export").get_attribute("href")
    period = page.get_by_test_id("desk-period")
    first, last = period.get_attribute("data-from"), period.get_attribute("data-to")
    assert href == f"/api/v1/complaints/analysis/export?by=stage&from={first}&to={last}"
    with page.expect_download() as caught:
        page.get_by_test_id("desk-analysis-export").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    manager.check_clean()


def test_a_praise_is_checked_on_its_order_page(desk: Any, server: Server) -> None:
    with server.apis("duty_manager") as (api,):
        praises = api.get("/work-orders", params={"type": "praise", "limit": 100}).json()["items"]
        order = next(o for o in praises if o["unit_id"])  # the demo's praises, most with a unit
        month = datetime.fromisoformat(order["created_at"]).astimezone(TZ).strftime("%Y-%m")
        entries = api.get("/ledger", params={"month": month}).json()["items"]
        before = {e["person_id"] for e in entries if e["order_id"] == order["id"] and e["kind"] == "praise"}
        people = api.get("/staff", params={"unit_id": order["unit_id"]}).json()["items"]
        staff = [s for s in people if s["id"] not in before]
    assert staff
    pick = staff[0]

    manager: Desk = desk("duty_manager")
    page = manager.go(f"/orders/{order['id']}")
    card = page.get_by_test_id("praise-card")
    card.wait_for()
    assert "表扬核实" in card.inner_text()
    card.locator("[data-test=praise-current], [data-test=praise-current-none]").first.wait_for()
    card.get_by_test_id("praise-submit").click()
    assert card.get_by_test_id("praise-error").inner_text() == "请选择被表扬的员工"
    _pick(page, card.get_by_test_id("praise-staff"), pick["name"])
    card.get_by_test_id("praise-note").click()  # closes the multi-select's list
    card.get_by_test_id("praise-note").fill("客户来电表扬上门服务热情")
    card.get_by_test_id("praise-submit").click()
    result = card.get_by_test_id("praise-result")
    result.wait_for()
    assert result.get_attribute("data-staff") == str(pick["id"])
    written = int(result.get_attribute("data-written") or "0")
    assert written >= 1 and pick["name"] in result.inner_text() and "写入台账" in result.inner_text()
    assert card.get_by_test_id("praise-current").get_attribute("data-staff") == str(pick["id"])
    card.scroll_into_view_if_needed()
    manager.shot("order-praise-card")

    with server.apis("duty_manager") as (api,):
        entries = api.get("/ledger", params={"month": month}).json()["items"]
    mine = [e for e in entries if e["order_id"] == order["id"] and e["kind"] == "praise"]
    net: dict[int, int] = {}
    for e in mine:
        net[e["person_id"]] = net.get(e["person_id"], 0) + e["points"]
    assert {p for p, n in net.items() if n > 0} == {pick["id"]}
    assert len(mine) >= written  # the new entry, and the reversals of the earlier ones

    # a reload reads who is praised from the ledger
    page.reload()
    page.locator(f"[data-test=praise-card] [data-test=praise-current][data-staff='{pick['id']}']").wait_for()
    manager.check_clean()


def test_a_manager_reads_the_complaint_figures_rates_and_stages(desk: Any, server: Server) -> None:
    _judged(server, "收费窗口服务规范培训")
    manager: Desk = desk("duty_manager")
    page = manager.go("/complaints")
    kpis = page.get_by_test_id("desk-kpis")
    kpis.wait_for()
    today = datetime.now(TZ).date()
    first = today.replace(day=1)
    for _ in range(11):
        first = (first - timedelta(days=1)).replace(day=1)
    with server.apis("duty_manager") as (api,):
        summary = api.get("/complaints/summary").json()
        rates = api.get("/complaints/rates", params={"by": "unit"}).json()
        areas = api.get("/complaints/rates", params={"by": "area"}).json()
        cells = api.get("/complaints/by-month", params={"by": "stage", "from": str(first), "to": str(today)}).json()

    # the KPI cards: the same period as the Pareto chart (the server's default), the server's figures
    assert summary["complaints"] >= 1
    assert kpis.get_attribute("data-from") == summary["from"] and kpis.get_attribute("data-to") == summary["to"]
    for name in ("complaints", "valid", "invalid", "pending", "repeats"):
        card = page.get_by_test_id(f"desk-kpi-{name}")
        assert card.get_attribute("data-value") == str(summary[name])
        assert int(card.locator("[data-kpi-value]").inner_text().replace(",", "")) == summary[name]
    share = page.get_by_test_id("desk-kpi-valid-share").locator("[data-kpi-value]").inner_text()
    if summary["valid_share"] is None:
        assert share == "—"
    else:
        assert share == f"{round(summary['valid_share'] * 100, 1):.1f}%"
    hours = page.get_by_test_id("desk-kpi-hours").locator("[data-kpi-value]").inner_text()
    if summary["hours_to_verdict"] is None:
        assert hours == "—"
    else:
        assert hours == f"{round(summary['hours_to_verdict'], 1):.1f} 小时"
    assert "有效投诉占比" in kpis.inner_text() and "平均定责时长" in kpis.inner_text()

    # 投诉率 by unit, highest first, then by area
    table = page.get_by_test_id("desk-rates-table")
    table.wait_for()
    assert rates["items"], rates
    top = rates["items"][0]
    assert max(i["per_10k_month"] or -1 for i in rates["items"]) == (top["per_10k_month"] or -1)
    assert page.get_by_test_id("desk-rate-name").count() == len(rates["items"])
    assert page.get_by_test_id("desk-rate-name").first.inner_text() == (top["name"] or top["key"])
    assert page.get_by_test_id("desk-rate-complaints").first.inner_text().replace(",", "") == str(top["complaints"])
    assert page.get_by_test_id("desk-rate-rate").first.inner_text() == f"{top['per_10k_month']:.2f}"
    assert page.get_by_test_id("desk-rates-export").get_attribute("href") == "/api/v1/complaints/rates/export?by=unit"

    # 投诉易发环节: the last 12 months, stage × month
    heat = page.locator("[data-test=desk-stage-heatmap][data-rendered='1']")
    heat.wait_for()
    stages = {c["key"] for c in cells["items"] if c["key"] and c["complaints"]}
    assert heat.get_attribute("data-stages") == str(len(stages)) and stages
    assert f"{first} 至 {today}" in page.get_by_test_id("desk-stages").inner_text()
    page.locator("[data-test=desk-pareto][data-rendered='1']").wait_for()
    page.set_viewport_size({"width": 1440, "height": 1400})  # the whole desk: the app scrolls inside its main
    manager.shot("complaint-desk-figures")
    page.set_viewport_size({"width": 1440, "height": 900})

    page.get_by_test_id("desk-rates-by-area").click()
    page.locator("[data-test=desk-rates-table][data-by=area]").wait_for()
    if areas["items"]:
        a = areas["items"][0]
        page.get_by_test_id("desk-rate-name").first.get_by_text(a["name"] or a["key"], exact=True).wait_for()
    href = page.get_by_test_id("desk-rates-export").get_attribute("href")
    assert href == "/api/v1/complaints/rates/export?by=area"
    with page.expect_download() as caught:
        page.get_by_test_id("desk-rates-export").click()
    assert caught.value.suggested_filename.endswith(".xlsx")
    manager.check_clean()


def _type_period(page: Any, first: str, last: str) -> None:
    """Types a period into the desk's date-range picker and waits until the page has it."""
    inputs = page.get_by_test_id("desk-period").locator("input")
    inputs.nth(0).fill(first)
    inputs.nth(1).fill(last)
    inputs.nth(1).press("Enter")
    page.locator(f"[data-test=desk-period][data-from='{first}'][data-to='{last}']").wait_for()


def _kpis_of(page: Any, first: str, last: str) -> Any:
    kpis = page.locator(f"[data-test=desk-kpis][data-from='{first}'][data-to='{last}']")
    kpis.wait_for()
    return kpis


def test_a_manager_picks_the_analysis_period(desk: Any, server: Server) -> None:
    _judged(server, "营业厅服务流程复盘")
    today = datetime.now(TZ).date()
    # a month long before the demo's complaints and the one just judged
    old = today.replace(year=today.year - 6, day=1)
    old_last = (old + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    with server.apis("duty_manager") as (api,):
        empty = api.get("/complaints/summary", params={"from": str(old), "to": str(old_last)}).json()
        default = api.get("/complaints/summary").json()
    assert empty["complaints"] == 0 and default["complaints"] >= 1

    manager: Desk = desk("duty_manager")
    page = manager.go("/complaints")
    period = page.get_by_test_id("desk-period")
    # the default: the last 30 days to today, the server's own default; nothing in the URL
    assert period.get_attribute("data-from") == str(today - timedelta(days=29))
    assert period.get_attribute("data-to") == str(today)
    _kpis_of(page, default["from"], default["to"])
    assert "from=" not in page.url
    assert "统计期间" in page.get_by_test_id("complaint-desk").inner_text()

    # a past month: no complaints, an empty Pareto chart, the period in the URL and the export link
    _type_period(page, str(old), str(old_last))
    page.wait_for_url(f"**/complaints?*from={old}*")
    assert f"to={old_last}" in page.url
    _kpis_of(page, str(old), str(old_last))
    for name in ("complaints", "valid", "invalid", "pending", "repeats"):
        assert page.get_by_test_id(f"desk-kpi-{name}").get_attribute("data-value") == "0"
    assert page.get_by_test_id("desk-kpi-complaints").locator("[data-kpi-value]").inner_text() == "0"
    analysis = page.get_by_test_id("desk-analysis")
    analysis.get_by_text("所选期间暂无已定责的投诉").wait_for()
    assert f"{old} 至 {old_last}" in analysis.inner_text()
    assert page.get_by_test_id("desk-pareto").count() == 0
    href = page.get_by_test_id("desk-analysis-export").get_attribute("href")
    assert href == f"/api/v1/complaints/analysis/export?by=root_cause&from={old}&to={old_last}"
    # the rates and the stages keep their months
    assert f"{today.strftime('%Y-%m')}" in page.get_by_test_id("desk-stages").inner_text()

    # a reload keeps it
    page.reload()
    _kpis_of(page, str(old), str(old_last))
    assert period.get_attribute("data-from") == str(old) and period.get_attribute("data-to") == str(old_last)
    assert page.get_by_test_id("desk-kpi-complaints").get_attribute("data-value") == "0"

    # 近7天 from the picker's quick ranges: today's complaint counts again
    week = str(today - timedelta(days=6))
    pick(period.locator("input").first, page.locator(".el-picker-panel__shortcut", has_text="近7天"))
    page.locator(f"[data-test=desk-period][data-from='{week}'][data-to='{today}']").wait_for()
    page.wait_for_url(f"**/complaints?*from={week}*")
    with server.apis("duty_manager") as (api,):
        summary = api.get("/complaints/summary", params={"from": week, "to": str(today)}).json()
        causes = api.get("/complaints/analysis", params={"by": "root_cause", "from": week, "to": str(today)}).json()
    assert summary["complaints"] >= 1
    _kpis_of(page, week, str(today))
    for name in ("complaints", "valid", "invalid", "pending", "repeats"):
        assert page.get_by_test_id(f"desk-kpi-{name}").get_attribute("data-value") == str(summary[name])
    known = [c for c in causes["items"] if c["key"] and c["complaints"]]
    assert known
    page.locator(f"[data-test=desk-pareto][data-bars='{len(known)}'][data-rendered='1']").wait_for()
    assert f"{week} 至 {today}" in analysis.inner_text()
    period.scroll_into_view_if_needed()
    manager.shot("complaint-desk-period")

    # the default again (近30天): the URL drops the period
    pick(period.locator("input").first, page.locator(".el-picker-panel__shortcut", has_text="近30天"))
    _kpis_of(page, default["from"], default["to"])
    page.wait_for_url(lambda url: "from=" not in url)
    manager.check_clean()


def test_the_period_picker_in_english(desk: Any, server: Server) -> None:
    manager: Desk = desk("duty_manager", locale="en")
    today = datetime.now(TZ).date()
    first = today.replace(day=1)
    page = manager.go(f"/complaints?from={first}&to={today}")
    _kpis_of(page, str(first), str(today))
    assert "Period" in page.get_by_test_id("desk-period").inner_text()
    page.get_by_test_id("desk-period").locator("input").first.click()
    for text in ("Last 7 days", "Last 30 days", "This month", "Last month", "Last 90 days"):
        page.locator(".el-picker-panel__shortcut", has_text=text).wait_for()
    page.locator(".el-picker-panel__shortcut", has_text="Last month").click()
    last = first - timedelta(days=1)
    _kpis_of(page, str(last.replace(day=1)), str(last))
    manager.check_clean()
