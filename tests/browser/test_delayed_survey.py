"""延时调查: the customer's survey page by its SMS link on a phone (answered, answered twice, expired, forged), the
managers' 延时调查 page (a new questionnaire version, a rule change, the handlers' Excel against the API), an
order's survey card, the field staff a unit handler names on site at the resolve (上门人员) rated on the
现场人员评价 tab (a person's history, the Excel), the results' Excel, and 请假/代班 (AB角): an absence added and ended
(by the handler, and by a manager picking a handler by name), a dispatch naming who stood in and why, their Excel."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from io import BytesIO
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from playwright.sync_api import expect

from huiyin.settings import DEV_SECRET
from huiyin.surveys.links import sign
from tests.browser.conftest import Desk, Server, pick
from tests.browser.test_queues import _act, _register
from tests.browser.test_rating_link import _phone, _shot


def _surveyed_order(server: Server) -> tuple[dict[str, Any], dict[str, Any]]:
    """An inquiry closed on the spot while every inquiry is surveyed at once (rule share 100 %, no delay), and
    its survey. A fresh number each time: nobody is surveyed twice in 30 days."""
    phone = f"137{random.randint(10_000_000, 99_999_999)}"
    with server.apis("supervisor", "agent") as (sup, agent):
        r = sup.put("/surveys/rules", json={"order_type": "inquiry", "share": 1.0, "delay_days": 0, "is_active": True})
        assert r.status_code == 200, r.text
        r = agent.post(
            "/work-orders",
            json={
                "type": "inquiry",
                "category": "IQ-BILL",
                "description": "查询气费（延时调查测试）",
                "channel": "phone",
                "contact_phone": phone,
                "close_on_spot": True,
                "result": "已告知",
            },
        )
        assert r.status_code == 201, r.text
        order = r.json()
        r = sup.get(f"/work-orders/{order['id']}/survey")
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        # back to the default (no inquiry surveyed), so the other tests' inquiries send no survey SMS
        r = sup.put("/surveys/rules", json={"order_type": "inquiry", "share": 0.0, "delay_days": 3, "is_active": True})
        assert r.status_code == 200, r.text
    assert items, "the closed inquiry was not drawn for a survey"
    return order, items[0]


def _token(survey_id: int, days: float = 7) -> str:
    return sign(f"survey:{survey_id}", datetime.now(UTC) + timedelta(days=days), DEV_SECRET)


def test_a_customer_answers_the_delayed_survey_on_a_phone(server: Server, browser: Any) -> None:
    order, survey = _surveyed_order(server)
    token = _token(survey["id"])
    ctx, page, errors = _phone(browser, server)
    other = ctx.new_page()
    try:
        page.goto(f"/s/{token}")
        expect(page.get_by_test_id("survey-order-number")).to_have_text(order["number"])
        expect(page.get_by_test_id("survey-title")).to_have_text("服务回访调查")
        assert page.url.endswith(f"/s/{token}")  # no sign-in redirect
        questions = page.get_by_test_id("survey-question")
        expect(questions.first).to_have_attribute("data-key", "overall")
        kinds = [questions.nth(i).get_attribute("data-kind") for i in range(questions.count())]
        assert {"result", "score", "yesno", "text"} <= set(kinds), kinds
        _shot(page, "survey-link-phone")
        other.goto(f"/s/{token}")  # the same link open in another tab, answered later
        expect(other.get_by_test_id("survey-submit")).to_be_visible()

        # a required question left out: marked, nothing sent
        page.get_by_test_id("survey-overall-basically_satisfied").click()
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-error")).to_contain_text("必答题未回答")
        expect(
            page.locator("[data-test=survey-question][data-key=timeliness]").get_by_test_id("survey-flag")
        ).to_be_visible()

        page.get_by_test_id("survey-timeliness-4").click()
        page.get_by_test_id("survey-attitude-5").click()
        page.get_by_test_id("survey-solved-yes").click()
        page.get_by_test_id("survey-comment-text").fill("师傅很耐心")
        expect(page.get_by_test_id("survey-error")).to_have_count(0)
        box = page.get_by_test_id("survey-submit").bounding_box()
        assert box and box["height"] >= 44 and box["width"] >= 300
        _shot(page, "survey-link-phone-filled")
        page.get_by_test_id("survey-submit").click()
        expect(page.get_by_test_id("survey-thanks")).to_contain_text("感谢您的参与")
        _shot(page, "survey-link-phone-thanks")

        with server.apis("supervisor") as (sup,):
            saved = sup.get(f"/work-orders/{order['id']}/survey").json()["items"][0]
        assert saved["state"] == "answered"
        assert saved["answers"] == {
            "overall": "basically_satisfied",
            "timeliness": 4,
            "attitude": 5,
            "solved": True,
            "comment": "师傅很耐心",
        }

        # the other tab answers too: 409, the page says it is answered
        other.get_by_test_id("survey-overall-unsatisfied").click()
        other.get_by_test_id("survey-timeliness-1").click()
        other.get_by_test_id("survey-attitude-1").click()
        other.get_by_test_id("survey-solved-no").click()
        other.get_by_test_id("survey-submit").click()
        expect(other.get_by_test_id("survey-closed")).to_contain_text("已评价或调查已结束")
        # and the link opened again says so at once
        page.reload()
        expect(page.get_by_test_id("survey-closed")).to_be_visible()
        expect(page.get_by_test_id("survey-submit")).to_have_count(0)
        _shot(page, "survey-link-phone-answered")
        page.get_by_test_id("survey-lang-en").click()
        expect(page.get_by_test_id("survey-closed")).to_contain_text("Answered already or closed")
        page.get_by_test_id("survey-lang-zh").click()

        # expired and forged links
        page.goto(f"/s/{_token(survey['id'], days=-1)}")
        expect(page.get_by_test_id("survey-expired")).to_contain_text("链接已过期")
        _shot(page, "survey-link-phone-expired")
        forged = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        page.goto(f"/s/{forged}")
        expect(page.get_by_test_id("survey-invalid")).to_contain_text("链接无效")
        assert page.url.endswith(f"/s/{forged}")

        assert not errors, errors
        assert not page.evaluate("() => window.__i18nMissing || []")
    finally:
        ctx.close()


def test_the_order_page_shows_its_delayed_survey(server: Server, desk: Any) -> None:
    order, survey = _surveyed_order(server)
    d: Desk = desk("duty_manager")
    page = d.go(f"/orders/{order['id']}")
    card = page.get_by_test_id("order-survey-card")
    expect(card).to_contain_text("延时调查")
    item = card.get_by_test_id("order-survey-item")
    # due at once (no delay): the embedded worker may send it between the API's answer and the page's, so the
    # page shows the survey as it is then: the state the API gave, or sent since, each with its own label
    expect(item).to_have_attribute("data-state", re.compile(rf"^({survey['state']}|sent)$"))
    state = item.get_attribute("data-state")
    label = {"scheduled": "待发送", "sent": "已发送"}[state or ""]
    expect(card.get_by_test_id("order-survey-state")).to_have_text(label)
    card.scroll_into_view_if_needed()
    d.shot("order-delayed-survey")
    d.check_clean()


def test_the_managers_page_new_version_rule_and_handler_export(server: Server, desk: Any) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/surveys")
    expect(page.get_by_test_id("delayed-page")).to_contain_text("延时调查")
    results = page.get_by_test_id("delayed-results")
    expect(results.get_by_test_id("kpi-sent")).to_be_visible()
    expect(results.get_by_test_id("result-question").first).to_be_visible()
    page.wait_for_load_state("networkidle")
    d.shot("delayed-surveys-results")

    # 处理人评价, and its Excel against the API
    page.get_by_role("tab", name="处理人评价").click()
    handlers = page.get_by_test_id("delayed-handlers")
    expect(handlers.get_by_test_id("handlers-rule")).to_contain_text("满意率")
    with server.apis("supervisor") as (sup,):
        figures = sup.get("/surveys/handlers", params={"count_basic": "true"}).json()
    if figures["items"]:
        expect(handlers.get_by_test_id("handler-row")).to_have_count(len(figures["items"]))
    with page.expect_download() as info:
        handlers.get_by_test_id("handlers-export").click()
    data = _read(info.value.path())
    ws = load_workbook(BytesIO(data)).active
    assert ws is not None
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    head = next(i for i, r in enumerate(rows) if r and r[0] == "处理人")
    body = [r for r in rows[head + 1 :] if r and r[0] is not None]
    assert len(body) == len(figures["items"])
    for got, want in zip(body, figures["items"], strict=True):
        assert got[0] == (want["name"] or str(want["handler_id"]))
        assert got[1:5] == [want["surveys"], want["satisfied"], want["basically_satisfied"], want["unsatisfied"]]
        assert (got[5] is None and want["rate"] is None) or abs(float(got[5]) - want["rate"]) < 1e-6
        assert got[7] == want["solved"]
    if figures["items"]:
        first = handlers.get_by_test_id("handler-row").first
        handler_id = first.get_attribute("data-id")
        first.click()
        history_drawer = page.get_by_test_id("handler-history")
        expect(history_drawer).to_be_visible()
        with server.apis("supervisor") as (sup,):
            history = sup.get(f"/surveys/handlers/{handler_id}/history").json()["items"]
        if history:  # each answered survey links its order by the order's number
            expect(history_drawer.get_by_test_id("history-item")).to_have_count(len(history))
            link = history_drawer.get_by_test_id("history-order").first
            assert history[0]["order_number"]
            expect(link).to_have_text(history[0]["order_number"])
            expect(link).to_have_attribute("href", f"/orders/{history[0]['order_id']}")
        page.wait_for_load_state("networkidle")
        d.shot("delayed-surveys-handler-history")
        page.keyboard.press("Escape")
    d.shot("delayed-surveys-handlers")

    # 问卷管理: a new version from the current one
    page.get_by_role("tab", name="问卷管理").click()
    editor = page.get_by_test_id("questionnaire-editor")
    expect(editor.get_by_test_id("editor-note")).to_contain_text("保存为新版本，已发出的调查仍按原版本统计")
    versions_before = page.get_by_test_id("questionnaire-version").count()
    top = int(page.get_by_test_id("questionnaire-version").first.get_attribute("data-version") or 0)
    editor.get_by_test_id("editor-name").fill("延时回访调查（测试版）")
    n = editor.locator("[data-test^=editor-key-]").count()
    if n >= 6:
        editor.get_by_test_id(f"editor-remove-{n - 1}").click()
        n -= 1
    editor.get_by_test_id("editor-add").click()
    editor.get_by_test_id(f"editor-key-{n}").fill("overall")
    expect(editor.get_by_test_id("editor-problem")).to_contain_text("键不能重复")
    expect(editor.get_by_test_id("editor-save")).to_be_disabled()
    editor.get_by_test_id(f"editor-key-{n}").fill("revisit")
    editor.get_by_test_id(f"editor-text-{n}").fill("您是否愿意再次使用我们的服务？")
    pick(
        editor.get_by_test_id(f"editor-kind-{n}"),
        page.locator(".el-select-dropdown__item:visible", has_text="是 / 否").first,
    )
    d.shot("delayed-surveys-editor")
    editor.get_by_test_id("editor-save").click()
    expect(page.get_by_test_id("questionnaire-version")).to_have_count(versions_before + 1)
    newest = page.get_by_test_id("questionnaire-version").first
    expect(newest).to_have_attribute("data-version", str(top + 1))
    expect(newest).to_have_attribute("data-current", "1")
    expect(newest).to_contain_text("您是否愿意再次使用我们的服务？")
    with server.apis("supervisor") as (sup,):
        current = [q for q in sup.get("/surveys/questionnaires").json()["items"] if q["is_current"]]
    assert current[0]["version"] == top + 1
    assert current[0]["questions"][-1] == {
        "key": "revisit",
        "kind": "yesno",
        "text": "您是否愿意再次使用我们的服务？",
        "required": True,
        "about": None,
    }

    # 抽样规则: repairs 30 % → 45 %, after 5 days
    page.get_by_role("tab", name="抽样规则").click()
    rules = page.get_by_test_id("delayed-rules")
    expect(rules.get_by_test_id("rule-row").first).to_be_visible()
    d.shot("delayed-surveys-rules")
    rules.get_by_test_id("rule-edit-repair").click()
    dialog = page.get_by_test_id("rule-dialog")
    dialog.get_by_test_id("rule-share-input").locator("input").fill("45")
    dialog.get_by_test_id("rule-delay-input").locator("input").fill("5")
    dialog.get_by_test_id("rule-submit").click()
    row = rules.locator("tr", has=page.locator("[data-test=rule-row][data-type=repair][data-category='']"))
    expect(row.get_by_test_id("rule-share")).to_have_text("45%")
    expect(row.get_by_test_id("rule-delay")).to_have_text("5 天")
    with server.apis("supervisor") as (sup,):
        items = sup.get("/surveys/rules").json()["items"]
    repair = next(r for r in items if r["order_type"] == "repair" and not r["category"])
    assert abs(repair["share"] - 0.45) < 1e-9 and repair["delay_days"] == 5
    d.check_clean()


def test_qa_reads_the_page_in_english_without_editing(server: Server, desk: Any) -> None:
    d: Desk = desk("qa_inspector", locale="en")
    page = d.go("/surveys?tab=rules")
    expect(page.get_by_test_id("delayed-page")).to_contain_text("Delayed surveys")
    expect(page.get_by_test_id("delayed-rules")).to_contain_text("Only supervisors, directors and admins")
    expect(page.get_by_test_id("rule-add")).to_have_count(0)
    page.get_by_role("tab", name="Questionnaires").click()
    expect(page.get_by_test_id("questionnaire-editor")).to_have_count(0)
    expect(page.get_by_test_id("questionnaire-version").first).to_be_visible()
    d.shot("delayed-surveys-en")
    page.get_by_role("tab", name="Field staff").click()
    staff = page.get_by_test_id("staff-tab")
    expect(staff.get_by_test_id("staff-export")).to_have_text("Export Excel")
    expect(staff).to_contain_text("Count fairly satisfied as satisfied")
    assert "tab=staff" in page.url
    d.check_clean()


def _sheet_rows(path: Any) -> list[list[Any]]:
    ws = load_workbook(BytesIO(_read(path))).active
    assert ws is not None
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _answer_everything(survey_id: int, server: Server) -> None:
    """Answers the survey through its link as the customer would: satisfied, top marks, attitude 4, solved
    (whatever version of the questionnaire it was drawn with)."""
    import httpx

    url = f"{server.base}/api/v1/survey/{_token(survey_id)}"
    questions = httpx.get(url, timeout=20).json()["questions"]
    by_kind = {"result": "satisfied", "score": 5, "yesno": True}
    answers = {
        q["key"]: (4 if q["key"] == "attitude" else by_kind[q["kind"]]) for q in questions if q["kind"] in by_kind
    }
    r = httpx.post(url, json={"answers": answers}, timeout=20)
    assert r.status_code == 201, r.text


def test_the_staff_on_site_named_at_the_resolve_are_rated_on_the_field_staff_tab(server: Server, desk: Any) -> None:
    unit, area = server.home()
    tag = random.randint(100, 999)
    with server.apis("admin") as (admin,):
        people = []
        for name, post in ((f"上门李{tag}", "repairer"), (f"上门周{tag}", "meter_reader")):
            r = admin.post("/staff", json={"unit_id": unit["id"], "name": name, "post": post})
            assert r.status_code == 201, r.text
            people.append(r.json())
    li, zhou = people
    with server.apis("supervisor") as (sup,):
        rules = sup.get("/surveys/rules").json()["items"]
    before = next(r for r in rules if r["order_type"] == "repair" and not r["category"])
    with server.apis("agent", "unit_handler") as (agent, handler):
        order = _register(agent, area, "RP-GAS-METER", contact_phone=f"137{random.randint(10_000_000, 99_999_999)}")
        assert order["unit_id"] == unit["id"], order
        _act(handler, order["id"], "accept")

    # the unit handler resolves it from the order page, naming two of the unit's staff on site
    d: Desk = desk("unit_handler")
    page = d.go(f"/orders/{order['id']}")
    page.get_by_test_id("action-resolve").click()
    dialog = page.get_by_test_id("action-dialog")
    dialog.get_by_test_id("action-text").fill("已更换减压阀，恢复供气。")
    dialog.get_by_test_id("resolve-on-site").click()
    for p in (li, zhou):
        option = page.locator(f"[data-test=on-site-option-{p['id']}]")
        expect(option).to_be_visible()
        option.click()
    expect(page.locator(f"[data-test=on-site-option-{li['id']}]")).to_contain_text(f"{li['name']} · 维修工")
    expect(page.locator(f"[data-test=on-site-option-{zhou['id']}]")).to_contain_text(f"{zhou['name']} · 抄表员")
    dialog.get_by_test_id("action-text").click()  # the dropdown closes
    expect(dialog.get_by_test_id("resolve-on-site")).to_contain_text(li["name"])
    expect(dialog.get_by_test_id("resolve-on-site")).to_contain_text(zhou["name"])
    page.wait_for_timeout(300)
    d.shot("resolve-dialog-on-site")
    with server.apis("supervisor") as (sup,):  # every repair surveyed at once while this order closes
        r = sup.put("/surveys/rules", json={"order_type": "repair", "share": 1.0, "delay_days": 0, "is_active": True})
        assert r.status_code == 200, r.text
    try:
        dialog.get_by_test_id("action-submit").click()
        page.locator("[data-test=order-state][data-state=resolved]").wait_for()
        on_site = page.get_by_test_id("timeline-on-site")
        expect(on_site).to_have_count(1)
        expect(on_site).to_contain_text(f"上门人员：{li['name']}、{zhou['name']}")
        d.check_clean()
        with server.apis("unit_handler", "agent") as (handler, agent):
            events = handler.get(f"/work-orders/{order['id']}").json()["events"]
            resolve = next(e for e in events if e["action"] == "resolve")
            assert resolve["data"]["on_site_staff_ids"] == [li["id"], zhou["id"]]
            _act(agent, order["id"], "callback", {"result": "satisfied"})
        with server.apis("supervisor") as (sup,):
            surveys = sup.get(f"/work-orders/{order['id']}/survey").json()["items"]
    finally:
        with server.apis("supervisor") as (sup,):
            body = {k: before[k] for k in ("order_type", "share", "delay_days", "is_active")}
            assert sup.put("/surveys/rules", json=body).status_code == 200
    assert surveys, "the closed repair was not drawn for a survey"
    _answer_everything(surveys[0]["id"], server)

    # the manager's 现场人员评价: both rows, a person's history, the Excel
    m: Desk = desk("supervisor")
    page = m.go("/surveys?tab=staff")
    tab = page.get_by_test_id("staff-tab")
    expect(tab).to_be_visible()
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    period = {"from": (today - timedelta(days=29)).isoformat(), "to": today.isoformat(), "count_basic": "true"}
    with server.apis("supervisor") as (sup,):
        figures = sup.get("/surveys/staff", params=period).json()["items"]
    mine = {f["staff_id"]: f for f in figures if f["staff_id"] in (li["id"], zhou["id"])}
    assert set(mine) == {li["id"], zhou["id"]}
    assert all((f["surveys"], f["satisfied"], f["attitude_mean"], f["rate"]) == (1, 1, 4.0, 1.0) for f in mine.values())
    expect(tab.get_by_test_id("staff-row")).to_have_count(len(figures))
    row = tab.locator(f"[data-test=staff-row][data-staff='{li['id']}']")
    expect(row).to_have_text(li["name"])
    named = page.locator(f"[data-test=staff-row][data-staff='{li['id']}']")  # `has` is relative to the row
    line = tab.locator(".el-table__body-wrapper tr", has=named)
    expect(line.get_by_test_id("staff-post")).to_have_text("维修工")
    expect(line).to_contain_text(unit["name"])
    expect(line.get_by_test_id("staff-rate")).to_have_text("100%")
    page.wait_for_load_state("networkidle")
    m.shot("delayed-surveys-staff")
    row.click()
    drawer = page.get_by_test_id("staff-history")
    expect(drawer).to_be_visible()
    expect(drawer).to_contain_text(f"{li['name']} 的评价记录")
    item = drawer.locator(f"[data-test=staff-history-item][data-order='{order['id']}']")
    expect(item).to_be_visible()
    expect(item.get_by_test_id("staff-history-order")).to_have_text(order["number"])
    page.wait_for_timeout(400)  # the drawer slides in
    m.shot("delayed-surveys-staff-history")
    page.keyboard.press("Escape")
    expect(drawer).to_be_hidden()

    link = tab.get_by_test_id("staff-export")
    assert (link.get_attribute("href") or "").startswith("/api/v1/surveys/staff/export?")
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    rows = _sheet_rows(info.value.path())
    head = next(i for i, r in enumerate(rows) if r and r[0] == "姓名")
    assert rows[head][:4] == ["姓名", "岗位", "单位", "调查数"]
    lines = sorted(tuple(r[:5]) for r in rows[head + 1 :] if r and r[0] in (li["name"], zhou["name"]))
    assert lines == sorted([(li["name"], "维修工", unit["name"], 1, 1), (zhou["name"], "抄表员", unit["name"], 1, 1)])
    m.check_clean()


def test_the_results_and_the_absences_download_as_excel(server: Server, desk: Any) -> None:
    d: Desk = desk("supervisor")
    page = d.go("/surveys?tab=results")
    results = page.get_by_test_id("delayed-results")
    expect(results.get_by_test_id("result-question").first).to_be_visible()
    with server.apis("supervisor") as (sup,):
        current = next(q for q in sup.get("/surveys/questionnaires").json()["items"] if q["is_current"])
    link = results.get_by_test_id("results-export")
    expect(link).to_have_attribute("href", re.compile(rf"questionnaire_id={current['id']}"))
    with page.expect_download() as info:
        link.click()
    assert info.value.suggested_filename.endswith(".xlsx")
    rows = _sheet_rows(info.value.path())
    head = next(i for i, r in enumerate(rows) if r and r[0] == "问题")
    texts = [r[0] for r in rows[head + 1 :] if r and r[0] and r[1]]
    assert texts == [q["text"] for q in current["questions"]]

    d.check_clean()
    d = desk("duty_manager")
    page = d.go("/absences")
    expect(page.get_by_test_id("absences-page")).to_be_visible()
    with server.apis("duty_manager") as (manager,):
        absences = manager.get("/absences").json()["items"]
    with page.expect_download() as info:
        page.get_by_test_id("absences-export").click()
    assert info.value.suggested_filename.endswith(".xlsx")
    rows = _sheet_rows(info.value.path())
    head = next(i for i, r in enumerate(rows) if r and r[0] == "姓名")
    assert rows[head][:6] == ["姓名", "开始", "结束", "事由", "代班人", "状态"]
    names = [r[0] for r in rows[head + 1 :] if r and r[0] and r[1]]
    assert names == [a["name"] or a["username"] or str(a["user_id"]) for a in absences]
    d.check_clean()


def _read(path: Any) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def test_absences_a_handler_marks_their_own_and_ends_it(server: Server, desk: Any) -> None:
    d: Desk = desk("unit_handler")
    page = d.go("/absences")
    expect(page.get_by_test_id("absences-page")).to_contain_text("请假/代班")
    with server.apis("unit_handler") as (h,):
        me = h.get("/me").json()
        before = {a["id"] for a in h.get("/absences").json()["items"]}
    page.get_by_test_id("absence-add").click()
    dialog = page.get_by_test_id("absence-dialog")
    expect(dialog.get_by_test_id("absence-user-self")).to_be_disabled()  # their own, locked
    dialog.get_by_test_id("absence-reason-training").click()
    dialog.get_by_test_id("absence-note").fill("安全培训")
    d.shot("absences-dialog")
    dialog.get_by_test_id("absence-submit").click()
    try:
        with server.apis("unit_handler") as (h,):
            mine = [a for a in h.get("/absences").json()["items"] if a["id"] not in before]
        assert len(mine) == 1 and mine[0]["user_id"] == me["id"] and mine[0]["reason"] == "training"
        row = page.locator(f"[data-test=absence-row][data-id='{mine[0]['id']}']")
        expect(row).to_have_attribute("data-current", "1")
        assert mine[0]["name"] == (me.get("full_name") or me["username"])
        expect(row).to_have_text(mine[0]["name"])  # the name, not the username
        line = page.locator(".el-table__body-wrapper tr", has=row)
        expect(line).to_contain_text("培训")
        expect(line.get_by_test_id("absence-state")).to_have_text("进行中")
        if mine[0]["backup_id"]:
            assert mine[0]["backup_name"]
            expect(line.get_by_test_id("absence-backup")).to_have_text(mine[0]["backup_name"])
        d.shot("absences")
        line.get_by_test_id(f"absence-end-{mine[0]['id']}").click()
        page.locator(".el-message-box").get_by_role("button", name="确定").click()
        expect(row).to_have_count(0)
    finally:
        with server.apis("admin") as (a,):
            for x in a.get("/absences").json()["items"]:
                if x["user_id"] == me["id"] and x["id"] not in before and x["current"]:
                    a.post(f"/absences/{x['id']}/end")
    d.check_clean()


AWAY_ZH = {"leave": "休假", "training": "培训", "business": "公出", "other": "因其他事由不在岗"}


def test_absences_the_admin_picks_a_handler_and_a_dispatch_names_the_stand_in(server: Server, desk: Any) -> None:
    # the demo: the demo handler's partner is away this week and the demo handler stands in
    with server.apis("admin") as (a,):
        users = {u["id"]: u for u in a.get("/users", params={"role": "unit_handler"}).json()["items"]}
        away = [x for x in a.get("/absences").json()["items"] if x["current"] and x["backup_id"]]
        assert away, "the demo has nobody away"
        absent = users[away[0]["user_id"]]
        backup = users[away[0]["backup_id"]]
        area = next(x for x in a.get("/areas").json()["items"] if x["unit_id"] == absent["unit_id"] and x["is_active"])
        units = {u["id"]: u["name"] for u in a.get("/units").json()["items"]}
    with server.apis("agent", "dispatcher") as (agent, dispatcher):
        order = _register(agent, area, "RP-GAS-METER")
        if order["state"] == "registered":
            _act(dispatcher, order["id"], "dispatch", {"unit_id": absent["unit_id"]})
        events = agent.get(f"/work-orders/{order['id']}").json().get("events") or []
    stand_ins = [s for e in events if e.get("action") == "dispatch" for s in (e.get("data") or {}).get("stand_ins", [])]
    assert any(s["absent_id"] == absent["id"] and s["reason"] == away[0]["reason"] for s in stand_ins), stand_ins

    d: Desk = desk("admin")
    page = d.go(f"/orders/{order['id']}")
    who = lambda u: u["full_name"] or u["username"]  # noqa: E731
    reason = AWAY_ZH[away[0]["reason"]]
    expect(page.get_by_text(f"{who(absent)}{reason}，由{who(backup)}代班").first).to_be_visible()
    d.shot("order-timeline-stand-in")

    # the absences page names people, and the picker offers every unit handler by name and unit
    page = d.go("/absences")
    row = page.locator(f"[data-test=absence-row][data-id='{away[0]['id']}']")
    expect(row).to_have_text(away[0]["name"])
    assert away[0]["name"] == who(absent) and away[0]["backup_name"] == who(backup)
    line = page.locator(".el-table__body-wrapper tr", has=row)
    expect(line.get_by_test_id("absence-backup")).to_have_text(who(backup))
    d.shot("absences-admin")
    page.get_by_test_id("absence-add").click()
    dialog = page.get_by_test_id("absence-dialog")
    dialog.get_by_test_id("absence-user").click()
    option = page.locator(f"[data-test=absence-user-{backup['id']}]")
    expect(option).to_be_visible()
    expect(option).to_contain_text(who(backup))
    if backup["unit_id"] in units:
        expect(option).to_contain_text(units[backup["unit_id"]])
    expect(page.locator(f"[data-test=absence-user-{absent['id']}]")).to_contain_text("不在岗")
    d.shot("absences-picker-admin")
    page.keyboard.press("Escape")
    d.check_clean()

    # the 代班人 on the users page
    page = d.go("/admin/users")
    page.get_by_test_id(f"user-edit-{absent['username']}").click()
    dialog = page.get_by_test_id("user-dialog")
    expect(dialog).to_contain_text("代班人")
    expect(dialog.get_by_test_id("user-backup")).to_contain_text(backup["username"])
    d.shot("user-backup")
    d.check_clean()


def test_absences_a_manager_marks_a_handler_by_name(server: Server, desk: Any) -> None:
    with server.apis("duty_manager", "unit_handler") as (m, h):
        handlers = m.get("/unit-handlers").json()["items"]
        absences = m.get("/absences").json()["items"]
        login = h.get("/me").json()["id"]
    before = {a["id"] for a in absences}
    # someone with no absence now or planned, so the new one (from this minute) overlaps none; not the handler
    # whose absence another test may just have ended (it ran to a moment ago)
    taken = {a["user_id"] for a in absences} | {login}
    target = next(x for x in handlers if not x["away"] and x["id"] not in taken)
    d: Desk = desk("duty_manager")
    page = d.go("/absences")
    page.get_by_test_id("absence-add").click()
    dialog = page.get_by_test_id("absence-dialog")
    dialog.get_by_test_id("absence-user").click()
    expect(page.locator("[data-test^=absence-user-]:visible")).to_have_count(len(handlers))
    page.keyboard.type(target["name"])
    option = page.locator(f"[data-test=absence-user-{target['id']}]")
    expect(option).to_contain_text(target["name"])
    d.shot("absences-picker-manager")
    pick(dialog.get_by_test_id("absence-user"), option, typed=target["name"], opened=True)
    dialog.get_by_test_id("absence-reason-business").click()
    dialog.get_by_test_id("absence-submit").click()
    try:
        expect(dialog).to_be_hidden()
        with server.apis("duty_manager") as (m,):
            new = [a for a in m.get("/absences").json()["items"] if a["id"] not in before]
        assert len(new) == 1 and new[0]["user_id"] == target["id"] and new[0]["reason"] == "business"
        row = page.locator(f"[data-test=absence-row][data-id='{new[0]['id']}']")
        expect(row).to_have_text(target["name"])
        line = page.locator(".el-table__body-wrapper tr", has=row)
        expect(line).to_contain_text("公出")
        if new[0]["backup_id"]:
            expect(line.get_by_test_id("absence-backup")).to_have_text(new[0]["backup_name"])
        d.shot("absences-manager")
    finally:
        with server.apis("admin") as (a,):
            for x in a.get("/absences").json()["items"]:
                if x["id"] not in before and x["user_id"] == target["id"]:
                    a.post(f"/absences/{x['id']}/end")
    d.check_clean()
