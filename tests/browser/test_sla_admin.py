"""时限管理: SLA policies (时限标准), business calendars (工作日历) and the escalation ladder (升级阶梯).

Supervisors create and edit (an edited policy gets a new version), directors only read, and every page
reads in English too. The tests share a server with others, so what they create does not touch other
tests' orders: the policy matches urgent care orders of elderly customers and ends inactive, the
calendar is a new one, and the ladder is put back as it was.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest

from tests.browser.conftest import Desk, Server
from tests.browser.test_admin import _choose
from tests.browser.test_english import chinese_in_chrome

PAGES = ("policies", "calendars", "ladder")
_serial = itertools.count(1)


def _shot(d: Desk, name: str) -> None:
    """A screenshot once the page has settled (no loading mask, no request in flight)."""
    d.page.wait_for_load_state("networkidle")
    d.page.locator(".el-loading-mask:visible").first.wait_for(state="hidden")
    d.shot(name)


@contextmanager
def _api(server: Server, username: str = "supervisor") -> Iterator[httpx.Client]:
    http = server.api(username)
    try:
        yield http
    finally:
        http.close()


def _policies(server: Server) -> list[dict[str, Any]]:
    with _api(server) as http:
        return list(http.get("/sla/policies").json()["items"])


def _number(page: Any, test_id: str, value: str) -> None:
    """Type into an el-input-number and commit it (it takes the value on blur)."""
    box = page.get_by_test_id(test_id).locator("input")
    box.fill(value)
    box.press("Tab")


def _pick_date(page: Any, index: int, day: str) -> None:
    box = page.get_by_test_id(f"day-date-{index}").locator("input")
    box.click()
    box.fill(day)
    box.press("Enter")


def test_the_policies_read_as_the_standards_write_them(desk: Any, server: Server) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/sla/policies")
    page.get_by_test_id("policy-table").wait_for()
    elec = next(p for p in _policies(server) if p["name"] == "电力报修（城区，缺省）")
    assert elec["limits"]["arrive"] == 45 and elec["limits"]["resolve"] == 225
    assert page.get_by_test_id(f"policy-limit-{elec['id']}-arrive").inner_text() == "45 分钟"
    assert page.get_by_test_id(f"policy-limit-{elec['id']}-resolve").inner_text() == "3 小时 45 分钟"
    assert page.get_by_test_id(f"policy-limit-{elec['id']}-callback").inner_text() == "1 天"
    assert page.get_by_test_id(f"policy-version-{elec['id']}").inner_text() == f"v{elec['version']}"
    match = page.get_by_test_id(f"policy-match-{elec['id']}").inner_text()
    assert "报修" in match and "电力报修" in match
    # A policy on the working-day calendar counts working days (450 working minutes each).
    workday = next(p for p in _policies(server) if p["calendar"] != "24x7" and p["limits"]["accept"] == 450)
    assert page.get_by_test_id(f"policy-limit-{workday['id']}-accept").inner_text() == "1 个工作日"
    assert "工作日" in page.get_by_test_id(f"policy-calendar-{workday['id']}").inner_text()
    _shot(d, "sla-policies")

    page.get_by_test_id("policy-search").fill("燃气")
    names = page.get_by_test_id("policy-table").locator("tbody tr").all_inner_texts()
    assert names and all("燃气" in n for n in names)
    page.get_by_test_id("policy-search").fill("")
    page.get_by_test_id("policy-type-filter").click()
    _choose(page, "事故报警")
    rows = page.get_by_test_id("policy-table").locator("tbody tr")
    assert rows.count() == sum(1 for p in _policies(server) if p["match"]["type"] == "emergency")
    d.check_clean()


def test_a_supervisor_creates_a_policy_and_edits_it_into_version_2(desk: Any, server: Server) -> None:
    name = f"老人关怀紧急（测试 {next(_serial)}）"
    d: Desk = desk("supervisor")
    page = d.go("/sla/policies")
    page.get_by_test_id("policy-table").wait_for()
    page.get_by_test_id("policy-create").click()
    page.get_by_test_id("policy-name").fill(name)
    page.get_by_test_id("policy-category").click()
    page.keyboard.type("CA-ELDERLY")
    _choose(page, "老人关怀")
    assert "关怀" in page.get_by_test_id("policy-type").inner_text()  # the category's type is filled in
    page.get_by_test_id("policy-grade").click()
    _choose(page, "紧急")
    page.get_by_test_id("policy-tag").click()
    _choose(page, "老年客户")
    _number(page, "policy-limit-accept", "15")
    _number(page, "policy-limit-resolve", "240")
    assert page.get_by_test_id("policy-limit-preview-resolve").inner_text() == "4 小时"
    _number(page, "policy-warn", "80")
    page.get_by_test_id("policy-description").fill("浏览器测试：紧急关怀")
    _shot(d, "sla-policy-dialog")
    page.get_by_test_id("policy-submit").click()
    page.get_by_test_id("policy-dialog").locator("visible=true").wait_for(state="hidden")

    created = next(p for p in _policies(server) if p["name"] == name)
    assert created["version"] == 1 and created["is_active"] is True
    assert created["match"] == {
        "type": "care",
        "category": "CA-ELDERLY",
        "grade": "urgent",
        "customer_tag": "elderly",
        "area_type": None,
    }
    assert created["limits"] == {"accept": 15, "arrive": None, "resolve": 240, "reply": None, "callback": None}
    assert created["warn_at"] == 0.8 and created["calendar"] == "24x7" and created["pausable"] is True
    pid = created["id"]
    assert page.get_by_test_id(f"policy-version-{pid}").inner_text() == "v1"
    assert page.get_by_test_id(f"policy-limit-{pid}-resolve").inner_text() == "4 小时"

    # An edit makes version 2; the dialog says running orders keep version 1.
    page.get_by_test_id(f"policy-edit-{pid}").click()
    note = page.get_by_test_id("policy-version-note").inner_text()
    assert "v2" in note and "v1" in note and "原版本" in note
    assert page.get_by_test_id("policy-name").input_value() == name
    _number(page, "policy-limit-accept", "10")
    page.get_by_test_id("policy-limit-resolve").locator("input").fill("")
    page.get_by_test_id("policy-limit-resolve").locator("input").press("Tab")
    _number(page, "policy-limit-callback", "2880")
    page.get_by_test_id("policy-active").click()  # and off: it must not time other tests' orders
    page.get_by_test_id("policy-submit").click()
    page.get_by_test_id("policy-dialog").locator("visible=true").wait_for(state="hidden")
    page.get_by_test_id(f"policy-version-{pid}").filter(has_text="v2").wait_for()

    edited = next(p for p in _policies(server) if p["id"] == pid)
    assert edited["version"] == 2 and edited["version_id"] != created["version_id"]
    assert edited["limits"] == {"accept": 10, "arrive": None, "resolve": None, "reply": None, "callback": 2880}
    assert edited["is_active"] is False and edited["match"] == created["match"]
    assert page.get_by_test_id(f"policy-limit-{pid}-callback").inner_text() == "2 天"
    d.check_clean()


def test_a_policy_without_limits_shows_the_servers_error_and_saves_nothing(desk: Any, server: Server) -> None:
    before = _policies(server)
    d: Desk = desk("supervisor")
    page = d.go("/sla/policies")
    page.get_by_test_id("policy-table").wait_for()
    page.get_by_test_id("policy-create").click()
    page.get_by_test_id("policy-submit").click()  # no name: stopped before anything is sent
    page.get_by_test_id("policy-dialog").locator(".el-form-item__error").first.wait_for()
    page.get_by_test_id("policy-name").fill("没有时限的标准")
    page.get_by_test_id("policy-submit").click()
    error = page.get_by_test_id("dialog-error")
    error.wait_for()
    assert "至少需要一个环节的时限" in error.inner_text()  # sla.no_limits, in the page's language
    assert page.get_by_test_id("policy-name").is_visible()  # the dialog stays open
    assert _policies(server) == before
    d.check_clean()


def test_a_supervisor_creates_a_calendar_and_edits_its_holidays(desk: Any, server: Server) -> None:
    code = f"TEST-CAL-{next(_serial)}"
    d: Desk = desk("supervisor")
    page = d.go("/sla/calendars")
    page.get_by_test_id("calendar-row-CN-WORKDAY").wait_for()
    # The seeded calendar of the year shown first: China's 2026 holidays and make-up working days.
    rows = page.get_by_test_id("day-table").locator("tbody tr")
    rows.first.wait_for()
    with _api(server) as http:
        seeded = next(c for c in http.get("/sla/calendars").json()["items"] if c["code"] == "CN-WORKDAY")
        days = http.get(f"/sla/calendars/{seeded['id']}", params={"year": 2026}).json()["days"]
    holidays = sum(1 for day in days if not day["is_working"])
    counts = f"节假日 {holidays} 天，调休上班 {len(days) - holidays} 天"
    assert page.get_by_test_id("days-counts").inner_text() == counts
    assert rows.count() == len(days)
    # Clicking a row turns the month view to its month: National Day, red, and its make-up day, blue.
    rows.nth(next(i for i, day in enumerate(days) if day["date"] == "2026-10-01")).locator("td").nth(1).click()
    month = page.get_by_test_id("calendar-month")
    month.locator("[data-day='2026-10-01'][data-kind=holiday]").wait_for()
    assert month.locator("[data-day='2026-10-10'][data-kind=workday]").count() == 1
    assert page.get_by_test_id("days-dirty").count() == 0
    _shot(d, "sla-calendars")

    page.get_by_test_id("calendar-create").click()
    page.get_by_test_id("calendar-code").fill(code)
    page.get_by_test_id("calendar-name").fill("测试日历（单班）")
    page.get_by_test_id("calendar-submit").click()
    page.get_by_test_id(f"calendar-row-{code}").wait_for()
    with _api(server) as http:
        cal = next(c for c in http.get("/sla/calendars").json()["items"] if c["code"] == code)
    assert cal["work_hours"] == [{"start": "08:30", "end": "12:00"}, {"start": "13:30", "end": "17:30"}]
    page.get_by_test_id("days-title").filter(has_text="测试日历（单班）").wait_for()  # the new one is chosen

    page.get_by_test_id("calendar-year").click()
    _choose(page, "2027")
    page.get_by_test_id("days-title").filter(has_text="2027").wait_for()
    page.get_by_test_id("days-empty").wait_for()
    page.get_by_test_id("day-add-holiday").click()
    _pick_date(page, 0, "2027-01-01")
    page.get_by_test_id("day-note-0").fill("元旦")
    page.get_by_test_id("day-add-holiday").click()
    _pick_date(page, 0, "2027-02-08")
    page.get_by_test_id("day-note-0").fill("春节")
    page.get_by_test_id("day-add-workday").click()
    _pick_date(page, 0, "2027-02-20")
    page.get_by_test_id("day-note-0").fill("春节调休上班")
    # A date twice stops the save until it is fixed.
    page.get_by_test_id("day-add-holiday").click()
    _pick_date(page, 0, "2027-01-01")
    page.get_by_test_id("day-problem-0").filter(has_text="日期重复").wait_for()
    page.get_by_test_id("days-save").click()
    page.get_by_test_id("days-error").filter(has_text="请先修正标红的行").wait_for()
    page.get_by_test_id("day-remove-0").click()
    page.get_by_test_id("days-error").wait_for(state="detached")  # fixed: the message goes
    page.get_by_test_id("day-table").locator("tbody tr").first.locator("td").nth(1).click()  # 2027-02-20
    month = page.get_by_test_id("calendar-month")
    month.locator("[data-day='2027-02-20'][data-kind=workday]").wait_for()
    assert month.locator("[data-day='2027-02-08'][data-kind=holiday]").count() == 1
    _shot(d, "sla-calendar-edit")
    page.get_by_test_id("days-save").click()
    page.get_by_test_id("days-dirty").wait_for(state="detached")

    with _api(server) as http:
        days = http.get(f"/sla/calendars/{cal['id']}", params={"year": 2027}).json()["days"]
        assert http.get(f"/sla/calendars/{cal['id']}", params={"year": 2026}).json()["days"] == []
    assert days == [
        {"date": "2027-01-01", "is_working": False, "note": "元旦"},
        {"date": "2027-02-08", "is_working": False, "note": "春节"},
        {"date": "2027-02-20", "is_working": True, "note": "春节调休上班"},
    ]

    # After a reload the saved days are there.
    page.reload()
    page.get_by_test_id(f"calendar-days-{code}").click()
    page.get_by_test_id("days-title").filter(has_text="测试日历（单班）").wait_for()
    page.get_by_test_id("calendar-year").click()
    _choose(page, "2027")
    page.get_by_test_id("days-title").filter(has_text="2027").wait_for()
    page.get_by_test_id("day-table").locator("tbody tr").nth(2).wait_for()
    dates = [page.get_by_test_id(f"day-date-{i}").locator("input").input_value() for i in range(3)]
    assert dates == ["2027-01-01", "2027-02-08", "2027-02-20"]
    assert "节假日 2 天，调休上班 1 天" in page.get_by_test_id("days-counts").inner_text()
    d.check_clean()


def test_a_supervisor_edits_the_escalation_ladder(desk: Any, server: Server) -> None:
    with _api(server) as http:
        original = http.get("/sla/ladder").json()
    try:
        d: Desk = desk("supervisor")
        page = d.go("/sla/ladder")
        page.get_by_test_id("ladder-steps").wait_for()
        assert "当值经理" in page.get_by_test_id("ladder-step-1").inner_text()
        _shot(d, "sla-ladder")
        level2 = original["steps"][1]["delay_minutes"]
        _number(page, "ladder-delay-2", str(level2 + 15))
        page.get_by_test_id("ladder-step-2").filter(has_text=f"{level2 + 15} 分钟").wait_for()
        # A level earlier than the one below it is refused before anything is sent.
        _number(page, "ladder-delay-3", "1")
        page.get_by_test_id("ladder-problem-3").filter(has_text="不得早于上一级").wait_for()
        page.get_by_test_id("ladder-save").click()
        page.get_by_test_id("ladder-error").wait_for()
        with _api(server) as http:
            assert http.get("/sla/ladder").json() == original
        _number(page, "ladder-delay-3", str(original["steps"][2]["delay_minutes"]))
        page.get_by_test_id("ladder-channels-2").get_by_text("语音电话").click()
        page.get_by_test_id("ladder-save").click()
        page.get_by_test_id("ladder-dirty").wait_for(state="detached")
        with _api(server) as http:
            steps = http.get("/sla/ladder").json()["steps"]
        assert steps[1]["delay_minutes"] == level2 + 15 and "voice" in steps[1]["channels"]
        page.reload()
        page.get_by_test_id("ladder-step-2").filter(has_text=f"{level2 + 15} 分钟").wait_for()
        d.check_clean()
    finally:
        with _api(server) as http:
            assert http.put("/sla/ladder", json=original).status_code == 200


def test_a_director_reads_every_page_but_changes_nothing(desk: Any, server: Server) -> None:
    d: Desk = desk("director")
    page = d.go("/sla/policies")
    page.get_by_test_id("policy-table").wait_for()
    for name in ("sla-policies", "sla-calendars", "sla-ladder"):
        assert page.locator(f"[data-menu={name}]").count() == 1, name
    assert page.get_by_test_id("read-only").is_visible()
    assert page.get_by_test_id("policy-create").count() == 0
    assert page.locator("[data-test^=policy-edit-]").count() == 0

    page = d.go("/sla/calendars")
    page.get_by_test_id("day-table").locator("tbody tr").first.wait_for()
    assert page.get_by_test_id("read-only").is_visible()
    for test_id in ("calendar-create", "day-add-holiday", "day-add-workday", "days-save"):
        assert page.get_by_test_id(test_id).count() == 0, test_id
    assert page.locator("[data-test^=day-remove-]").count() == 0
    assert page.get_by_test_id("day-table").locator("input").count() == 0

    page = d.go("/sla/ladder")
    page.get_by_test_id("ladder-steps").wait_for()
    assert page.get_by_test_id("read-only").is_visible()
    assert page.get_by_test_id("ladder-form").count() == 0
    _shot(d, "sla-ladder-director")
    d.check_clean()


def test_the_pages_are_not_for_agents(desk: Any) -> None:
    d: Desk = desk("agent")
    page = d.go("/sla/policies")
    page.wait_for_url("**/workbench")
    assert page.locator("[data-menu=sla-policies]").count() == 0


@pytest.mark.parametrize("name", PAGES)
def test_every_time_limit_page_reads_in_english(desk: Any, server: Server, name: str) -> None:
    d: Desk = desk("supervisor", locale="en")
    page = d.go(f"/sla/{name}")
    page.get_by_test_id(f"sla-{name}").wait_for()
    page.wait_for_load_state("networkidle")
    page.locator(".el-loading-mask:visible").first.wait_for(state="hidden")
    if name == "policies":
        page.get_by_test_id("policy-table").wait_for()
        elec = next(p for p in _policies(server) if p["name"] == "电力报修（城区，缺省）")
        assert page.get_by_test_id(f"policy-limit-{elec['id']}-resolve").inner_text() == "3 h 45 min"
    elif name == "calendars":
        page.get_by_test_id("day-table").locator("tbody tr").first.wait_for()
    _shot(d, f"sla-{name}-en")
    assert chinese_in_chrome(page) == []
    d.check_clean()
    create = {"policies": "policy-create", "calendars": "calendar-create"}.get(name)
    if create:  # the create dialog reads in English too
        page.get_by_test_id(create).click()
        page.locator(".el-dialog:visible .el-form").wait_for()
        assert chinese_in_chrome(page) == []
        d.check_clean()
