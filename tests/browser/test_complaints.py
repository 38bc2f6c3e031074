"""A complaint on the order page: the card (等级, 来源, 重复投诉), a close refused for want of a verdict that
points at the verdict form, the first verdict by the duty manager, a refusal shown from the server, the review
by a supervisor with its reason and the history; then the order's ratings and the 关怀回访 queue."""

from __future__ import annotations

import itertools
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import Desk, Server, pick
from tests.browser.test_queues import _act, _register

_phones = itertools.count(13712350001)


def _complaint(server: Server, phone: str, **extra: Any) -> dict[str, Any]:
    """A complaint of the unit handler's unit, resolved by the unit and waiting for its callback."""
    unit, area = server.home()
    with server.apis("agent", "dispatcher", "unit_handler") as (agent, dispatcher, handler):
        order = _register(agent, area, "CP-ATTITUDE", contact_phone=phone, **extra)
        if order["state"] == "registered":  # complaints wait for the dispatcher
            _act(dispatcher, order["id"], "dispatch", {"unit_id": unit["id"]})
        _act(handler, order["id"], "accept")
        _act(handler, order["id"], "resolve", {"result": "已上门向客户道歉并说明情况"})
        return dict(agent.get(f"/work-orders/{order['id']}").json())


def _pick(page: Any, select: Any, text: str) -> None:
    """Chooses an option of an el-select by its text."""
    pick(select, page.locator(".el-select-dropdown__item:visible", has_text=text).first)


def _due(verdict: Any, wall: str) -> None:
    """Types the corrective action's due time into the form's date picker."""
    box = verdict.locator(".el-date-editor input")
    box.fill(wall)
    box.press("Enter")
    verdict.locator(".el-dialog__title").click()


def _card(page: Any) -> Any:
    return page.get_by_test_id("complaint-card")


def test_a_complaint_is_judged_before_it_closes_and_a_supervisor_reviews_the_verdict(desk: Any, server: Server) -> None:
    unit, _ = server.home()
    with server.apis("admin") as (admin,):
        r = admin.post("/staff", json={"unit_id": unit["id"], "name": "柯师傅", "post": "repairer"})
        assert r.status_code == 201, r.text
    phone = str(next(_phones))
    order = _complaint(server, phone, complaint_source="gov_12345")
    oid, number = order["id"], order["number"]
    assert order["state"] == "resolved" and order["complaint"]["grade"] == "major"  # 12345: a point

    # The duty manager sees the card: 较大, from 12345, no repeat, no verdict yet.
    manager: Desk = desk("duty_manager")
    page = manager.go(f"/orders/{oid}")
    card = _card(page)
    card.wait_for()
    assert card.get_attribute("data-validity") == "pending"
    assert card.get_by_test_id("complaint-grade").inner_text() == "较大"
    assert card.get_by_test_id("complaint-source").inner_text() == "12345"
    assert card.get_by_test_id("complaint-repeat-none").is_visible()
    assert card.get_by_test_id("verdict-pending").inner_text() == "待定责"
    assert card.get_by_test_id("verdict-open").inner_text() == "定责"

    # 归档 without a verdict: the server's 409 is said plainly and points at the verdict form.
    page.get_by_test_id("action-close").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.get_by_test_id("action-submit").click()
    refused = dialog.get_by_test_id("action-needs-verdict")
    refused.wait_for()
    assert "尚未定责，不能归档" in refused.inner_text()
    manager.shot("complaint-close-needs-verdict")
    dialog.get_by_test_id("action-go-verdict").click()
    verdict = page.get_by_test_id("verdict-dialog")
    verdict.wait_for()
    dialog.wait_for(state="hidden")
    assert "投诉定责" in verdict.inner_text() and number in verdict.inner_text()

    # The form checks what it lacks before it asks the server.
    verdict.get_by_test_id("verdict-submit").click()
    assert verdict.get_by_test_id("verdict-error").inner_text() == "请选择投诉性质"
    verdict.get_by_test_id("verdict-validity-valid").click()
    _pick(page, verdict.get_by_test_id("verdict-stage"), "维修抢修")
    _pick(page, verdict.get_by_test_id("verdict-root-cause"), "服务态度")
    # the responsible unit is the order's unit to begin with; its people are offered
    _pick(page, verdict.get_by_test_id("verdict-staff"), "柯师傅")
    verdict.locator(".el-dialog__title").click()  # closes the multi-select's list
    verdict.get_by_test_id("verdict-action").fill("对维修人员进行服务礼仪培训")
    verdict.get_by_test_id("verdict-submit").click()
    assert verdict.get_by_test_id("verdict-error").inner_text() == "填写整改措施的，须选择整改期限"
    _due(verdict, "2030-01-15 09:00:00")
    manager.shot("complaint-verdict-form")

    # Meanwhile the unit handler judged it (through the API): the duty manager may no longer change it, and the
    # form shows the server's refusal.
    with server.apis("unit_handler") as (handler,):
        body = {"validity": "valid", "stage": "repair", "responsible_unit_id": unit["id"], "root_cause": "timeliness"}
        first = handler.post(f"/work-orders/{oid}/verdict", json=body)
        assert first.status_code == 200, first.text
    verdict.get_by_test_id("verdict-submit").click()
    error = verdict.get_by_test_id("verdict-error")
    error.wait_for()
    assert "只能由业务主管或中心领导复核" in error.inner_text()  # the server's 403, complaints.review_not_allowed
    verdict.get_by_role("button", name="取消").click()
    verdict.wait_for(state="hidden")
    page.get_by_test_id("reload").click()
    page.locator("[data-test=complaint-card][data-version='1']").wait_for()
    assert card.get_by_test_id("verdict-open").count() == 0  # a duty manager does not review
    assert "业务主管或中心领导复核" in card.inner_text()

    # The supervisor reviews it: 有效 → 无效 needs a reason, the review a reason of its own.
    supervisor: Desk = desk("supervisor")
    page = supervisor.go(f"/orders/{oid}")
    card = _card(page)
    card.get_by_test_id("verdict-open").wait_for()
    assert card.get_by_test_id("verdict-open").inner_text() == "复核定责"
    assert card.get_by_test_id("verdict-cause-shown").inner_text() == "处理不及时"
    card.get_by_test_id("verdict-open").click()
    verdict = page.get_by_test_id("verdict-dialog")
    assert "第 1 版" in verdict.get_by_test_id("verdict-review-hint").inner_text()
    verdict.get_by_test_id("verdict-validity-invalid").click()
    _pick(page, verdict.get_by_test_id("verdict-root-cause"), "客户原因")
    verdict.get_by_test_id("verdict-submit").click()
    assert verdict.get_by_test_id("verdict-error").inner_text() == "无效投诉须填写理由说明"
    verdict.get_by_test_id("verdict-reason").fill("调取录音，服务过程规范，客户误解收费政策")
    verdict.get_by_test_id("verdict-submit").click()
    assert verdict.get_by_test_id("verdict-error").inner_text() == "复核须填写复核理由"
    verdict.get_by_test_id("verdict-review-reason").fill("复核通话录音与现场记录")
    verdict.get_by_test_id("verdict-submit").click()
    verdict.wait_for(state="hidden")
    page.locator("[data-test=complaint-card][data-version='2'][data-validity=invalid]").wait_for()
    assert card.get_by_test_id("verdict-validity-tag").inner_text() == "无效投诉"
    assert card.get_by_test_id("verdict-reviewed").inner_text() == "已复核"
    assert card.get_by_test_id("verdict-cause-shown").inner_text() == "客户原因"
    assert "客户误解收费政策" in card.get_by_test_id("verdict-reason-shown").inner_text()

    # The history keeps both, the review with its reason.
    history = card.get_by_test_id("verdict-history")
    history.locator(".el-collapse-item__header").click()
    history.get_by_test_id("verdict-history-table").locator("[data-test=verdict-row][data-version='2']").wait_for()
    assert history.get_by_test_id("verdict-history-title").inner_text() == "定责记录（2）"
    assert history.get_by_test_id("verdict-row-review-reason").inner_text() == "复核通话录音与现场记录"
    with server.apis("supervisor") as (api,):
        items = api.get(f"/work-orders/{oid}/verdicts").json()["items"]
    assert [(v["version"], v["validity"], v["review_reason"]) for v in items] == [
        (1, "valid", None),
        (2, "invalid", "复核通话录音与现场记录"),
    ]
    page.wait_for_timeout(300)
    card.scroll_into_view_if_needed()
    supervisor.shot("order-complaint-card")

    # Judged, it closes.
    page.get_by_test_id("action-close").click()
    page.get_by_test_id("action-dialog").get_by_test_id("action-submit").click()
    page.locator("[data-test=order-state][data-state=closed]").wait_for()
    manager.check_clean()
    supervisor.check_clean()

    # A second complaint of the same caller about the same matter links to the first.
    again = _complaint(server, phone)
    assert again["complaint"]["repeat_of"] == oid
    page = supervisor.go(f"/orders/{again['id']}")
    repeat = _card(page).get_by_test_id("complaint-repeat")
    repeat.get_by_text(number).wait_for()
    repeat.get_by_test_id("order-link").click()
    page.wait_for_url(f"**/orders/{oid}")
    supervisor.check_clean()


def test_a_unit_handler_gives_the_first_verdict_and_english_reads_the_card(desk: Any, server: Server) -> None:
    order = _complaint(server, str(next(_phones)), complaint_source="media")
    with server.apis("admin") as (admin,):
        r = admin.post("/staff", json={"unit_id": order["unit_id"], "name": "庞话务", "post": "handler"})
        assert r.status_code == 201, r.text
        owner = r.json()
    handler: Desk = desk("unit_handler")
    page = handler.go(f"/orders/{order['id']}")
    card = _card(page)
    assert card.get_by_test_id("complaint-grade").inner_text() == "较大"  # media: two points
    card.get_by_test_id("verdict-open").click()
    verdict = page.get_by_test_id("verdict-dialog")
    verdict.get_by_test_id("verdict-validity-valid").click()
    _pick(page, verdict.get_by_test_id("verdict-stage"), "电话联系/热线服务")
    _pick(page, verdict.get_by_test_id("verdict-root-cause"), "沟通解释不到位")
    # a corrective action with its due date and the person who carries it out
    verdict.get_by_test_id("verdict-action").fill("热线话术培训并复盘通话录音")
    _due(verdict, "2030-01-15 09:00:00")
    _pick(page, verdict.get_by_test_id("verdict-action-owner"), owner["name"])
    verdict.get_by_test_id("verdict-submit").click()
    verdict.wait_for(state="hidden")
    page.locator("[data-test=complaint-card][data-version='1'][data-validity=valid]").wait_for()
    assert card.get_by_test_id("verdict-stage-shown").inner_text() == "电话联系/热线服务"
    assert card.get_by_test_id("verdict-unit-shown").inner_text() == order["unit_name"]
    assert card.get_by_test_id("verdict-action-shown").inner_text() == "热线话术培训并复盘通话录音"
    # the unit's people load apart from the order (GET /staff): the name may come a moment after the card
    expect(card.get_by_test_id("verdict-owner-shown")).to_have_text("庞话务")
    assert card.get_by_test_id("verdict-action-open").inner_text() == "整改中"
    with server.apis("unit_handler") as (api,):
        c = api.get(f"/work-orders/{order['id']}").json()["complaint"]
    due = datetime.fromisoformat(c["action_due"].replace("Z", "+00:00"))
    assert c["action_owner_id"] == owner["id"]
    assert due == datetime(2030, 1, 15, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # typed as the centre's wall clock
    assert card.get_by_test_id("verdict-open").count() == 0  # a handler does not review
    # the ratings are the centre's: a unit handler's order page has no 客户评价
    assert page.get_by_test_id("order-ratings-card").count() == 0
    handler.check_clean()

    english: Desk = desk("supervisor", locale="en")
    page = english.go(f"/orders/{order['id']}")
    card = _card(page)
    card.get_by_test_id("verdict-open").wait_for()
    assert "Complaint / verdict" in card.inner_text()
    assert card.get_by_test_id("complaint-source").inner_text() == "Media"
    assert card.get_by_test_id("verdict-validity-tag").inner_text() == "Valid"
    assert card.get_by_test_id("verdict-cause-shown").inner_text() == "Poor explanation"
    assert card.get_by_test_id("verdict-open").inner_text() == "Review verdict"
    english.check_clean()


def _unrated_closed_order(api: httpx.Client) -> dict[str, Any]:
    """A closed order of a unit nobody rated yet."""
    for page in range(1, 6):
        orders = api.get("/work-orders", params={"state": "closed", "page_size": 100, "page": page}).json()["items"]
        for o in orders:
            if o["unit_id"] is not None and not api.get("/ratings", params={"order_id": o["id"]}).json()["items"]:
                return dict(o)
    raise AssertionError("no unrated closed order in the demo city")


def test_an_unsatisfied_rating_shows_on_the_order_and_its_care_follow_up_is_finished_from_the_queue(
    desk: Any, server: Server
) -> None:
    with server.apis("duty_manager") as (api,):
        order = _unrated_closed_order(api)
        r = api.post(
            "/ratings",
            json={
                "order_id": order["id"],
                "channel": "wechat",
                "result": "unsatisfied",
                "score": 2,
                "comment": "维修师傅迟到两小时",
            },
        )
        assert r.status_code == 201, r.text
        rating = r.json()
        tasks = api.get("/care-tasks", params={"order_id": order["id"]}).json()["items"]
    assert [t["rating"]["id"] for t in tasks] == [rating["id"]]
    task = tasks[0]

    # The order page: 客户评价 with the rating and its open care follow-up.
    agent: Desk = desk("agent")
    page = agent.go(f"/orders/{order['id']}")
    ratings = page.get_by_test_id("order-ratings-card")
    row = ratings.locator(f"[data-test=order-rating][data-rating='{rating['id']}']")
    row.wait_for()
    assert row.get_attribute("data-result") == "unsatisfied"
    assert ratings.get_by_test_id("order-ratings-count").inner_text() == "(1)"
    assert ratings.get_by_test_id("order-rating-result").inner_text() == "不满意"
    assert ratings.get_by_test_id("order-rating-comment").inner_text() == "维修师傅迟到两小时"
    care = ratings.get_by_test_id("order-rating-care")
    assert care.get_attribute("data-state") == "open" and "关怀回访" in care.inner_text()
    assert "微信" in ratings.inner_text() and "2 分" in ratings.inner_text()
    ratings.scroll_into_view_if_needed()
    agent.shot("order-ratings")

    # 关怀回访 from the menu: the row, then 完成.
    page.get_by_test_id("menu").locator("[data-menu=care]").click()
    page.wait_for_url("**/care")
    page.get_by_role("heading", name="关怀回访").wait_for()
    line = page.locator(f"[data-test=care-row][data-task='{task['id']}']")
    line.wait_for()
    tr = line.locator("xpath=ancestor::tr")
    tr.get_by_test_id("order-link").get_by_text(order["number"]).wait_for()
    assert tr.get_by_test_id("care-rating").inner_text() == "不满意"
    assert "维修师傅迟到两小时" in tr.inner_text()
    # overdue ones (the demo city's older tasks) are in red; this one is due in a day
    assert line.get_attribute("data-overdue") == "0"
    with server.apis("agent") as (api,):
        late = [t for t in api.get("/care-tasks").json()["items"] if t["overdue"]]
    if late:
        late_row = page.locator(f"[data-test=care-row][data-task='{late[0]['id']}']").locator("xpath=ancestor::tr")
        assert late_row.get_by_test_id("care-overdue").inner_text() == "已超时"
    page.wait_for_timeout(300)
    agent.shot("care-queue")

    page.get_by_test_id(f"care-finish-{task['id']}").click()
    dialog = page.get_by_test_id("care-dialog")
    assert order["number"] in dialog.inner_text()
    dialog.get_by_test_id("care-submit").click()
    assert dialog.get_by_test_id("care-error").inner_text() == "请选择回访结果"
    dialog.get_by_test_id("care-outcome-reassured").click()
    dialog.get_by_test_id("care-note").fill("已致电客户致歉，说明当日抢修任务集中，客户表示理解")
    dialog.get_by_test_id("care-submit").click()
    dialog.wait_for(state="hidden")
    line.wait_for(state="detached")
    with server.apis("agent") as (api,):
        done = api.get("/care-tasks", params={"order_id": order["id"], "state": "done"}).json()["items"]
    assert [(t["id"], t["outcome"]) for t in done] == [(task["id"], "reassured")]

    # 已完成 lists it with its outcome; the order page shows the follow-up done.
    page.get_by_test_id("care-tab-done").click()
    finished = page.locator(f"[data-test=care-row][data-task='{task['id']}']").locator("xpath=ancestor::tr")
    finished.wait_for()
    assert finished.get_by_test_id("care-outcome-shown").inner_text() == "安抚解释"
    page = agent.go(f"/orders/{order['id']}")
    page.locator("[data-test=order-rating-care][data-state=done]").wait_for()
    assert "安抚解释" in page.get_by_test_id("order-rating-care").inner_text()
    agent.check_clean()

    # English: the queue's words.
    english: Desk = desk("duty_manager", locale="en")
    page = english.go("/care")
    page.get_by_role("heading", name="Care follow-ups").wait_for()
    page.get_by_test_id("care-tab-done").click()
    page.locator(f"[data-test=care-row][data-task='{task['id']}']").wait_for()
    assert "Reassured" in page.get_by_test_id("care-table").inner_text()
    english.check_clean()
