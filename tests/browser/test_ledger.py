"""奖惩台账: a month picked, the standings (lowest first, 末位 marked) as the API gives them, a person's entries,
the month's titles as cards, 导出 Excel opened and compared with the API, a title rule edited by a supervisor
(a refusal from the server shown in the dialog), read-only for a duty manager, and the page in English."""

from __future__ import annotations

import itertools
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from tests.browser.conftest import Desk, Server
from tests.browser.test_complaints import _complaint

TZ = ZoneInfo("Asia/Shanghai")
_phones = itertools.count(13712370001)


def _months(n: int) -> list[str]:
    """This month and the n - 1 before it, "YYYY-MM", in the centre's time zone."""
    today = datetime.now(TZ)
    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return out


def _penalty(server: Server) -> dict[str, Any]:
    """A valid complaint this month against a person of the unit handler's unit: their points go below zero."""
    unit, _ = server.home()
    with server.apis("admin") as (admin,):
        r = admin.post("/staff", json={"unit_id": unit["id"], "name": "末位测试员", "post": "meter_reader"})
        assert r.status_code == 201, r.text
        person = dict(r.json())
    order = _complaint(server, str(next(_phones)))
    body = {
        "validity": "valid",
        "stage": "meter_reading",
        "responsible_unit_id": unit["id"],
        "responsible_staff_ids": [person["id"]],
        "root_cause": "attitude",
    }
    with server.apis("duty_manager") as (manager,):
        r = manager.post(f"/work-orders/{order['id']}/verdict", json=body)
        assert r.status_code == 200, r.text
    return person


def _signed(n: int) -> str:
    return f"+{n}" if n > 0 else f"−{-n}" if n < 0 else "0"


def test_the_supervisor_reads_the_ledger_of_a_month_exports_it_and_edits_a_title_rule(
    desk: Any, server: Server, tmp_path: Path
) -> None:
    person = _penalty(server)
    month, before = _months(2)
    with server.apis("supervisor") as (api,):
        rows = api.get("/ledger/standings", params={"month": month}).json()["items"]
        earlier = api.get("/ledger/standings", params={"month": before}).json()["items"]
    assert rows[0]["total"] < 0 and person["id"] in [r["person_id"] for r in rows]
    sup: Desk = desk("supervisor")
    page = sup.go("/ledger")
    page.get_by_test_id("ledger-page").wait_for()
    assert page.get_by_role("heading", name="奖惩台账").is_visible()

    # the month picker: this month to begin with; the month before, then back
    picker = page.get_by_test_id("ledger-month").locator("input")
    assert picker.input_value() == month
    page.locator("[data-test=standing-row]").first.wait_for()
    for m, expected in ((before, earlier), (month, rows)):
        picker.fill(m)
        picker.press("Enter")
        page.get_by_role("heading", name="奖惩台账").click()
        page.get_by_test_id("ledger-standings").get_by_text(f"积分排名 · {m}").wait_for()
        page.wait_for_function(f"document.querySelectorAll('[data-test=standing-row]').length === {len(expected)}")
    assert "month=" not in page.url  # this month is the default

    # the standings: the API's, lowest first, the last one marked 末位 when below zero
    shown = page.locator("[data-test=standing-row]")
    shown.first.wait_for()
    page.wait_for_function(f"document.querySelectorAll('[data-test=standing-row]').length === {len(rows)}")
    people = shown.evaluate_all("els => els.map(e => Number(e.dataset.person))")
    assert people == [r["person_id"] for r in rows]
    first = page.locator("[data-test=standings-table] .el-table__body-wrapper tr").first
    r0 = rows[0]
    assert first.get_by_test_id("standing-name").inner_text() == r0["name"]
    for k in ("complaint", "joint", "praise", "survey", "total"):
        assert first.get_by_test_id(f"standing-{k}").inner_text() == _signed(r0[k])
    assert first.get_by_test_id("standing-last").inner_text() == "末位"  # the lowest, below zero
    lowest = sum(r["total"] == r0["total"] for r in rows)
    assert page.locator("[data-test=standing-row][data-last='1']").count() == lowest
    posts = {"meter_reader": "抄表员", "inspector": "安检员", "repairer": "维修工", "handler": "处理员"}
    posts["head"] = "负责人"
    assert first.get_by_test_id("standing-post").inner_text() == posts.get(r0["post"], "其他")

    # the month's titles as cards, with their people
    with server.apis("supervisor") as (api,):
        titles = api.get("/ledger/titles", params={"month": month}).json()["titles"]
    cards = page.get_by_test_id("title-card")
    cards.first.wait_for()
    assert cards.count() == len(titles)
    for t in titles:
        card = page.locator(f"[data-test=title-card][data-code={t['code']}]")
        assert card.get_by_test_id("title-name").inner_text() == t["name"]
        assert card.get_attribute("data-count") == str(len(t["people"]))
    assert any("零投诉服务明星" in c for c in cards.all_inner_texts())
    sup.shot("ledger")

    # a person's entries: the API's, with their sum
    page.locator("[data-test=standings-table] .el-table__body-wrapper tr").first.click()
    drawer = page.get_by_test_id("person-entries")
    drawer.wait_for()
    with server.apis("supervisor") as (api,):
        ledger = api.get("/ledger", params={"person_id": r0["person_id"], "month": month}).json()
    drawer.locator("[data-test=entry-row]").first.wait_for()
    assert drawer.locator("[data-test=entry-row]").count() == len(ledger["items"])
    assert int(drawer.get_by_test_id("person-total").get_attribute("data-points") or "") == ledger["total_points"]
    assert ledger["total_points"] == r0["total"]
    assert f"{r0['name']} · {month} 奖惩明细" in drawer.inner_text()
    kinds = {"complaint": "投诉", "joint": "连带", "praise": "表扬", "survey": "调查"}
    entry = ledger["items"][0]
    row = page.locator(f"[data-test=entry-row][data-id='{entry['id']}']")
    assert row.inner_text().strip() == kinds[entry["kind"]]
    tr = drawer.locator("tr", has=row)
    assert tr.get_by_test_id("entry-points").inner_text() == _signed(entry["points"])
    if entry["order_id"]:
        tr.get_by_test_id("order-link").wait_for()
    reversing = [e for e in ledger["items"] if e["reverses"]]
    assert drawer.get_by_test_id("entry-reversing").count() == len(reversing)
    page.wait_for_timeout(400)  # the drawer slides in
    sup.shot("ledger-person")
    drawer.locator(".el-drawer__close-btn").click()
    drawer.wait_for(state="hidden")

    # 导出 Excel: the same people and points as the API
    link = page.get_by_test_id("ledger-export")
    assert link.get_attribute("href") == f"/api/v1/ledger/standings/export?month={month}"
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx") and month in download.suggested_filename
    saved = tmp_path / "ledger.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(cells) if r and r[0] == "姓名")
    assert cells[header][:8] == ["姓名", "岗位", "单位", "投诉扣分", "连带扣分", "表扬加分", "调查加分", "合计"]
    body = [r for r in cells[header + 1 :] if r and r[0] and r[0] != "合计"]
    assert [(r[0], *r[3:8]) for r in body] == [
        (s["name"], s["complaint"], s["joint"], s["praise"], s["survey"], s["total"]) for s in rows
    ]
    total = next(r for r in cells if r and r[0] == "合计")
    assert total[7] == sum(s["total"] for s in rows)

    # the titles' Excel: a row per title and holder, as the cards show them
    link = page.get_by_test_id("titles-export")
    assert link.get_attribute("href") == f"/api/v1/ledger/titles/export?month={month}"
    with page.expect_download() as caught:
        link.click()
    download = caught.value
    assert download.suggested_filename.endswith(".xlsx") and month in download.suggested_filename
    saved = tmp_path / "titles.xlsx"
    download.save_as(saved)
    sheet = load_workbook(saved, read_only=True).active
    cells = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(cells) if r and r[0] == "称号")
    assert cells[header][:5] == ["称号", "姓名", "岗位", "单位", "本月积分"]
    held = [(r[0], r[1]) for r in cells[header + 1 :] if r and r[0] and r[1]]
    want = [(t["name"], p["name"]) for t in titles for p in t["people"]]
    want += [(t["name"], "（无）") for t in titles if not t["people"]]
    assert sorted(held) == sorted(want)
    assert any(name == "零投诉服务明星" for name, _ in held)

    # a title rule edited: 月度服务能手 to one place; none is refused by the server
    with server.apis("supervisor") as (api,):
        before = next(r for r in api.get("/ledger/title-rules").json()["items"] if r["code"] == "monthly_expert")
    try:
        page.get_by_test_id("rule-edit-monthly_expert").click()
        dialog = page.get_by_test_id("rule-dialog")
        dialog.wait_for()
        assert dialog.get_by_test_id("rule-name").input_value() == "月度服务能手"
        top = dialog.get_by_test_id("rule-top-n-input").locator("input")
        top.fill("0")
        dialog.get_by_test_id("rule-name").click()
        dialog.get_by_test_id("rule-submit").click()
        error = dialog.get_by_test_id("rule-error")
        error.wait_for()
        assert "名额至少为 1" in error.inner_text()  # the server's 422, complaints.top_n_missing
        top.fill("1")
        dialog.get_by_test_id("rule-name").fill("月度服务标兵")
        sup.shot("ledger-rule-edit")
        dialog.get_by_test_id("rule-submit").click()
        dialog.wait_for(state="hidden")
        expert_row = page.locator("[data-test=rule-row][data-code=monthly_expert]")
        rule_row = page.locator("[data-test=rules-table] tr", has=expert_row)
        rule_row.get_by_text("月度服务标兵").wait_for()
        assert rule_row.get_by_test_id("rule-top-n").inner_text() == "1"
        with server.apis("supervisor") as (api,):
            after = next(r for r in api.get("/ledger/title-rules").json()["items"] if r["code"] == "monthly_expert")
            titles = api.get("/ledger/titles", params={"month": month}).json()["titles"]
        assert (after["name"], after["top_n"]) == ("月度服务标兵", 1)
        expert = next(t for t in titles if t["code"] == "monthly_expert")
        card = page.locator("[data-test=title-card][data-code=monthly_expert]")
        card.get_by_test_id("title-name").get_by_text("月度服务标兵").wait_for()
        assert card.get_attribute("data-count") == str(len(expert["people"])) and len(expert["people"]) <= 1
        sup.check_clean()
    finally:
        with server.apis("supervisor") as (api,):
            body = {k: before[k] for k in ("name", "kind", "top_n", "min_points", "posts", "is_active")}
            assert api.patch("/ledger/title-rules/monthly_expert", json=body).status_code == 200


def test_a_duty_manager_reads_the_rules_and_english_reads_the_ledger(desk: Any, server: Server) -> None:
    month = _months(1)[0]
    manager: Desk = desk("duty_manager")
    page = manager.go(f"/ledger?month={month}")
    page.locator("[data-test=standing-row]").first.wait_for()
    page.locator("[data-test=rule-row]").first.wait_for()
    assert page.locator("[data-test^=rule-edit-]").count() == 0
    assert "业务主管、中心领导或系统管理员" in page.get_by_test_id("rules-read-only").inner_text()
    manager.check_clean()

    english: Desk = desk("unit_handler", locale="en")
    page = english.go(f"/ledger?month={month}")
    page.get_by_role("heading", name="Accountability ledger").wait_for()
    assert page.get_by_test_id("ledger-export").inner_text().strip() == "Export Excel"
    menu = page.locator(".el-menu")
    assert menu.get_by_text("Complaint desk").is_visible() and menu.get_by_text("Accountability ledger").is_visible()
    with server.apis("unit_handler") as (api,):
        mine = api.get("/ledger/standings", params={"month": month}).json()["items"]
    if mine:  # a unit handler reads their own units' people
        page.locator("[data-test=standing-row]").first.wait_for()
        assert page.locator("[data-test=standing-row]").count() == len(mine)
        page.locator("[data-test=standings-table] .el-table__body-wrapper tr").first.click()
        drawer = page.get_by_test_id("person-entries")
        drawer.locator("[data-test=entry-row]").first.wait_for()
        assert "entries" in drawer.inner_text()
        page.wait_for_timeout(400)  # the drawer slides in
        english.shot("ledger-en-person")
        drawer.locator(".el-drawer__close-btn").click()
        drawer.wait_for(state="hidden")
    else:
        page.get_by_test_id("page-empty").get_by_text("No ledger entries this month").wait_for()
    page.get_by_test_id("title-card").first.wait_for()
    english.shot("ledger-en")
    page = english.go("/complaints")
    page.get_by_role("heading", name="Complaint desk · corrective actions").wait_for()
    labels = page.get_by_test_id("desk-tab").locator("label")
    assert [s.strip() for s in labels.all_inner_texts()] == ["Open", "Overdue", "Done"]
    english.check_clean()
