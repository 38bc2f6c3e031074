"""The results side of manual quality inspection: an inspector scores a call the demo agent answered (through the
API, a deduction on one item and a comment pinned to 01:15); the agent reads it on 我的质检 (score, comment) and
appeals the item with a reason (an appeal the server refuses, 409, shows its message); the inspector who scored
it may not decide (the API's 403 shows); a supervisor decides on 申诉处理 (the deduction taken back, before →
after shown); the agent then reads the new score with the old one kept; the month's scorecard takes the final
score as its QA score; 质检记录 and 质检结果 show the agent's row; 质检规则: a threshold saved and set back, a
phrase added, tried in 试一试 (hit and hint in two colours), switched off; a reader sees the rules read-only, in
English.

The call is made the way a PBX makes it (generic CTI events, as test_calls.py does), answered by the demo
``agent``, who is signed out again afterwards."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import Desk, Server
from tests.browser.test_calls import new_pbx, stranger
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")


def _month() -> str:
    return datetime.now(CENTRE).strftime("%Y-%m")


def _answered_call(server: Server) -> int:
    """A call the demo agent answered and hung up a few minutes ago; its id."""
    pbx = new_pbx(server, "质检申诉测试")
    who = stranger()
    t0 = datetime.now(UTC) - timedelta(minutes=6)
    call_id = pbx.ring(who, ["agent"], t0, queue="综合")
    pbx.answer(call_id, who, "agent", t0 + timedelta(seconds=5))
    pbx.hangup(call_id, who, "normalClearing", t0 + timedelta(seconds=140))
    with server.apis("agent") as (agent,):
        agent.put("/agents/me/state", json={"state": "signed_out"})  # out of after-call work
        items = agent.get("/calls", params={"page_size": 200}).json()["items"]
    return int(next(c["id"] for c in items if c["call_id"] == call_id))


def _ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r.json()


@pytest.fixture(scope="module")
def story(server: Server) -> dict[str, Any]:
    """The evaluation by qa_inspector of the agent's call: every item of the current inbound form, full points but
    the first item with deduction steps, which loses its smallest step."""
    call_pk = _answered_call(server)
    with server.apis("qa_inspector", "agent") as (qa, agent):
        form = next(f for f in _ok(qa.get("/quality/forms")) if f["contact_kind"] == "inbound_call")
        items = [i for s in form["sections"] for i in s["items"]]
        target = next(i for i in items if not i["red_line"] and i["steps"])
        step = min(target["steps"])
        body = {
            "call_id": call_pk,
            "items": [
                {"key": i["key"], "violated": False}
                if i["red_line"]
                else {
                    "key": i["key"],
                    "deduction": step if i is target else 0,
                    "note": "开场未报工号" if i is target else "",
                }
                for i in items
            ],
            "comments": [{"at": 75, "text": "客户第二次询问时未及时回应"}],
            "summary": "整体服务规范，注意开场用语",
        }
        ev = _ok(qa.post("/quality/evaluations", json=body), 201)
        me = _ok(agent.get("/me"))
    assert ev["score"] == 100 - step and ev["state"] == "scored"
    return {"ev": ev, "form": form, "item": target, "step": step, "agent": me}


def _row(page: Any, ev_id: int) -> Any:
    return page.get_by_test_id("qa-table").locator(
        "tr.el-table__row", has=page.locator(f"[data-test=qa-row][data-id='{ev_id}']")
    )


def _settle(d: Desk) -> None:
    d.page.wait_for_load_state("networkidle")
    d.page.wait_for_timeout(300)


def test_the_agent_reads_the_score_and_comments_and_appeals_an_item_with_a_reason(
    desk: Any, story: dict[str, Any]
) -> None:
    ev, item, step = story["ev"], story["item"], story["step"]
    d: Desk = desk("agent")
    page = d.go("/workbench")
    page.get_by_test_id("menu").locator("[data-menu=my-quality]").click()
    page.wait_for_url(re.compile(r"/quality/me$"))
    page.get_by_role("heading", name="我的质检").wait_for()
    page.locator(f"[data-test=qa-list][data-month='{_month()}']").wait_for()
    row = _row(page, ev["id"])
    assert row.get_by_test_id("qa-score").inner_text() == f"{100 - step:.1f}"
    assert row.get_by_test_id("qa-state").inner_text() == "已评分"
    assert row.get_by_test_id("qa-original").count() == 0
    assert row.get_by_test_id("qa-deadline").get_attribute("data-open") == "1"
    page.get_by_test_id("my-results").wait_for()
    _settle(d)
    d.shot("quality-me")

    # the drawer: items from the form, the deduction and note, the comment at 01:15, the summary
    row.get_by_test_id("qa-open").click()
    drawer = page.locator(f"[data-test=qa-drawer][data-id='{ev['id']}']")
    drawer.wait_for()
    assert drawer.get_by_test_id("qa-drawer-score").inner_text() == f"{100 - step:.1f}"
    lost = drawer.locator(f"[data-test=qa-item][data-key={item['key']}]")
    assert lost.get_attribute("data-deduction") == str(step)
    assert lost.get_by_test_id("item-title").inner_text() == item["title"]
    lost_row = drawer.locator("tr", has=page.locator(f"[data-test=qa-item][data-key={item['key']}]"))
    assert lost_row.get_by_test_id("item-deduction").inner_text() == f"−{step}"
    assert lost_row.get_by_test_id("item-note").inner_text() == "开场未报工号"
    comment = drawer.get_by_test_id("qa-comment")
    assert comment.get_by_test_id("comment-at").inner_text() == "01:15"
    assert comment.get_by_test_id("comment-text").inner_text() == "客户第二次询问时未及时回应"
    assert drawer.get_by_test_id("qa-summary").inner_text() == "整体服务规范，注意开场用语"
    drawer.get_by_test_id("qa-no-appeals").wait_for()
    _settle(d)
    d.shot("quality-me-drawer")

    # 申诉 from the drawer: only the deducted item is offered; a reason is needed
    drawer.get_by_test_id("qa-drawer-appeal").click()
    dialog = page.get_by_test_id("appeal-dialog")
    dialog.wait_for()
    assert dialog.locator("[data-test^=appeal-item-]").count() == 1
    page.get_by_test_id("appeal-submit").click()
    assert page.get_by_test_id("appeal-error").inner_text().strip() == "请至少勾选一项"
    page.get_by_test_id(f"appeal-item-{item['key']}").click()
    page.get_by_test_id("appeal-error").wait_for(state="detached")
    reason = page.locator(
        f"textarea[data-test=appeal-reason-{item['key']}], [data-test=appeal-reason-{item['key']}] textarea"
    ).first
    reason.fill("录音 00:03 已报工号，请复核")
    d.shot("quality-appeal-dialog")
    with page.expect_response(lambda r: r.url.endswith(f"/quality/evaluations/{ev['id']}/appeal") and r.status == 201):
        page.get_by_test_id("appeal-submit").click()
    dialog.wait_for(state="hidden")
    drawer = page.locator(f"[data-test=qa-drawer][data-id='{ev['id']}'][data-state=appealed]")
    drawer.wait_for()
    appeal = drawer.get_by_test_id("qa-appeal")
    assert appeal.get_attribute("data-state") == "open"
    assert (
        "录音 00:03 已报工号，请复核"
        in appeal.locator(f"[data-test=appeal-reason][data-key={item['key']}]").inner_text()
    )
    assert drawer.get_by_test_id("qa-drawer-appeal").count() == 0  # once
    page.keyboard.press("Escape")
    page.locator(f"[data-test=qa-row][data-id='{ev['id']}'][data-state=appealed]").wait_for()
    assert _row(page, ev["id"]).get_by_test_id("qa-appeal").count() == 0
    d.check_clean()


def test_an_appeal_the_server_refuses_shows_its_message(desk: Any, server: Server, story: dict[str, Any]) -> None:
    """The page still offers 申诉 for an evaluation appealed meanwhile (another tab): the API's 409 shows."""
    call_pk = _answered_call(server)
    item, step = story["item"], story["step"]
    with server.apis("qa_inspector") as (qa,):
        body = {
            "call_id": call_pk,
            "items": [
                {"key": i["key"], "violated": False}
                if i["red_line"]
                else {"key": i["key"], "deduction": step if i["key"] == item["key"] else 0}
                for s in story["form"]["sections"]
                for i in s["items"]
            ],
        }
        ev = _ok(qa.post("/quality/evaluations", json=body), 201)
    d: Desk = desk("agent")
    page = d.go("/quality/me")
    row = _row(page, ev["id"])
    row.get_by_test_id("qa-appeal").wait_for()
    with server.apis("agent") as (agent,):
        _ok(
            agent.post(
                f"/quality/evaluations/{ev['id']}/appeal",
                json={"items": [{"key": item["key"], "reason": "另一页已申诉"}]},
            ),
            201,
        )
    row.get_by_test_id("qa-appeal").click()
    page.get_by_test_id(f"appeal-item-{item['key']}").click()
    page.locator(
        f"textarea[data-test=appeal-reason-{item['key']}], [data-test=appeal-reason-{item['key']}] textarea"
    ).first.fill("再次申诉")
    with page.expect_response(lambda r: r.url.endswith(f"/quality/evaluations/{ev['id']}/appeal") and r.status == 409):
        page.get_by_test_id("appeal-submit").click()
    assert "该评分已申诉过" in page.get_by_test_id("appeal-error").inner_text()
    page.get_by_test_id("appeal-dialog").get_by_role("button", name="取消").click()
    with server.apis("supervisor") as (sup,):  # decided, so no open appeal of this test is left for the others
        appeal = next(
            a for a in _ok(sup.get("/quality/appeals", params={"state": "open"})) if a["evaluation_id"] == ev["id"]
        )
        _ok(sup.post(f"/quality/appeals/{appeal['id']}/decide", json={"items": [], "note": "维持原评分"}))


def test_a_lead_decides_the_appeal_and_the_agent_sees_the_new_score_with_the_old_one_kept(
    desk: Any, server: Server, story: dict[str, Any]
) -> None:
    ev, item, step = story["ev"], story["item"], story["step"]
    with server.apis("agent") as (agent,):
        if _ok(agent.get(f"/quality/evaluations/{ev['id']}"))["state"] == "scored":  # the test above, run alone
            _ok(
                agent.post(
                    f"/quality/evaluations/{ev['id']}/appeal",
                    json={"items": [{"key": item["key"], "reason": "请复核"}]},
                ),
                201,
            )

    # the inspector who scored it sees the appeal but may not decide it: the API's message
    q: Desk = desk("qa_inspector")
    page = q.go("/quality/appeals")
    card = page.locator(f"[data-test=appeal-card][data-evaluation='{ev['id']}']")
    card.wait_for()
    card.get_by_test_id("decide-note").fill("维持")
    card.get_by_test_id("decide-submit").click()
    assert "原评分的质检员不能处理该申诉" in card.get_by_test_id("decide-error").inner_text()

    # a supervisor takes the deduction back
    d: Desk = desk("supervisor")
    page = d.go("/overview")
    page.get_by_test_id("menu").locator("[data-menu=quality-appeals]").click()
    page.wait_for_url(re.compile(r"/quality/appeals$"))
    card = page.locator(f"[data-test=appeal-card][data-evaluation='{ev['id']}']")
    card.wait_for()
    assert card.get_by_test_id("appeal-agent").inner_text() == ev["agent_name"]
    line = card.locator(f"[data-test=decide-item][data-key={item['key']}]")
    assert line.get_by_test_id("decide-title").inner_text() == item["title"]
    assert line.get_by_test_id("decide-current").get_attribute("data-deduction") == str(step)
    preview = card.get_by_test_id("appeal-preview")
    assert preview.get_attribute("data-after") == str(100 - step)
    line.get_by_test_id(f"pick-{item['key']}-0").click()
    assert preview.get_attribute("data-after") == "100"
    assert re.sub(r"\s+", " ", preview.inner_text()).strip() == f"得分 {100 - step:.1f} → 100.0"
    appeal_id = card.get_attribute("data-id")
    card.get_by_test_id("decide-note").fill("经复听录音，开场已报工号，撤销扣分")
    _settle(d)
    d.shot("quality-appeals")
    with page.expect_response(lambda r: "/decide" in r.url and r.status == 200):
        card.get_by_test_id("decide-submit").click()
    card.wait_for(state="detached")
    page.get_by_test_id("tab-decided").click()
    done = page.locator(f"[data-test=decided-row][data-id='{appeal_id}']")
    done.wait_for()
    assert done.get_attribute("data-after") == "100"
    assert done.get_by_test_id("decided-agent").inner_text() == ev["agent_name"]
    _settle(d)
    d.shot("quality-appeals-decided")
    d.check_clean()
    with server.apis("supervisor") as (sup,):
        final = _ok(sup.get(f"/quality/evaluations/{ev['id']}"))
    assert (final["state"], final["score"], final["original_score"]) == ("decided", 100, 100 - step)

    # the agent: 100 now, the inspector's score struck through, the lead's note and the change in the drawer
    a: Desk = desk("agent")
    page = a.go("/quality/me")
    row = _row(page, ev["id"])
    row.wait_for()
    assert row.get_by_test_id("qa-score").inner_text() == "100.0"
    assert row.get_by_test_id("qa-original").inner_text() == f"{100 - step:.1f}"
    assert row.get_by_test_id("qa-state").inner_text() == "已复核"
    row.get_by_test_id("qa-open").click()
    drawer = page.locator(f"[data-test=qa-drawer][data-id='{ev['id']}'][data-state=decided]")
    drawer.wait_for()
    assert drawer.get_by_test_id("qa-drawer-original").inner_text().endswith(f"{100 - step:.1f}")
    appeal = drawer.locator("[data-test=qa-appeal][data-state=decided]")
    assert (appeal.get_attribute("data-before"), appeal.get_attribute("data-after")) == (str(100 - step), "100")
    assert appeal.get_by_test_id("appeal-note").inner_text() == "经复听录音，开场已报工号，撤销扣分"
    assert f"−{step} → −0" in appeal.locator(f"[data-test=appeal-change][data-key={item['key']}]").inner_text()
    appeal.scroll_into_view_if_needed()
    _settle(a)
    a.shot("quality-me-decided")
    a.check_clean()

    # the month's scorecard reads the final score as the agent's QA score
    month = _month()
    with server.apis("supervisor") as (sup,):
        results = _ok(sup.get("/quality/results", params={"month": month}))
        mine = next(r for r in results if r["agent_id"] == story["agent"]["id"])
        card_ = _ok(sup.post("/scorecards/compute", json={"month": month, "reason": "质检申诉复核后重算"}), 201)
    line_ = next(x for x in card_["items"] if x["key"] == story["agent"]["id"])
    qa = next(i for i in line_["items"] if i["code"] == "qa_score")
    assert qa["raw"] == pytest.approx(mine["qa_score"])
    if mine["evaluations"] == 1:
        assert mine["qa_score"] == 100


def test_qa_records_and_results_show_the_agents_row(desk: Any, server: Server, story: dict[str, Any]) -> None:
    ev, agent = story["ev"], story["agent"]
    d: Desk = desk("supervisor")
    page = d.go("/quality/evaluations")
    page.locator(f"[data-test=qa-list][data-month='{_month()}']").wait_for()
    page.get_by_test_id("qa-filter-agent").click()
    page.get_by_test_id(f"qa-agent-opt-{agent['id']}").click()
    page.wait_for_url(re.compile(rf"agent={agent['id']}"))
    rows = page.locator("[data-test=qa-row]")
    rows.first.wait_for()
    assert {r.get_attribute("data-agent") for r in rows.all()} == {str(agent["id"])}
    row = _row(page, ev["id"])
    assert row.get_by_test_id("qa-inspector").inner_text() == ev["inspector_name"]
    _settle(d)
    d.shot("quality-evaluations")
    row.get_by_test_id("qa-open").click()
    page.locator(f"[data-test=qa-drawer][data-id='{ev['id']}']").wait_for()
    page.keyboard.press("Escape")

    with server.apis("supervisor") as (sup,):
        results = _ok(sup.get("/quality/results", params={"month": _month()}))
    mine = next(r for r in results if r["agent_id"] == agent["id"])
    page.get_by_test_id("menu").locator("[data-menu=quality-results]").click()
    page.wait_for_url(re.compile(r"/quality/results$"))
    table = page.locator(f"[data-test=results-table][data-month='{_month()}']")
    table.wait_for()
    assert table.get_attribute("data-count") == str(len(results))
    line = page.locator(
        "tr.el-table__row", has=page.locator(f"[data-test=result-row][data-agent='{agent['id']}']")
    ).first
    assert line.get_by_test_id("res-score").inner_text() == f"{mine['qa_score']:.1f}"
    assert line.get_by_test_id("res-evaluations").inner_text() == str(mine["evaluations"])
    assert line.get_by_test_id("res-appeals").inner_text() == str(mine["appeals"])
    line.get_by_test_id("res-trend").click()
    box = page.locator(f"[data-test=results-chart-box][data-agent='{agent['id']}']")
    box.wait_for()
    assert box.get_attribute("data-months").split(",")[-1] == _month()
    box.locator("[data-test=results-chart][data-rendered='1']").wait_for()
    _settle(d)
    d.shot("quality-results")
    d.check_clean()


def test_qa_adds_a_phrase_tries_it_and_switches_it_off(desk: Any, server: Server) -> None:
    phrase = f"爱打不打{random.choice('甲乙丙丁戊己庚辛')}"
    d: Desk = desk("qa_inspector")
    page = d.go("/quality/rules")
    page.get_by_test_id("thresholds-table").wait_for()
    assert page.locator("[data-test=thr-row][data-key=fast_cpm]").count() == 1
    assert page.get_by_test_id("rules-readonly").count() == 0
    page.get_by_test_id("qa-form").first.wait_for()

    # a threshold changed and saved (only the changed value is sent), then set back
    box = page.locator("tr.el-table__row", has=page.locator("[data-test=thr-row][data-key=dead_air_s]")).locator(
        "input"
    )
    before = float(box.input_value())
    for value in (before + 2, before):
        box.fill(f"{value:g}")
        box.press("Tab")
        with page.expect_response(lambda r: r.url.endswith("/quality/rules/thresholds") and r.status == 200) as saved:
            page.get_by_test_id("thr-save").click()
        assert saved.value.request.post_data_json == {"values": {"dead_air_s": value}}
        page.locator(f"[data-test=thr-row][data-key=dead_air_s][data-value='{value:g}']").wait_for()

    page.get_by_test_id("phrase-text").fill(phrase)
    page.get_by_test_id("sev-red_line").click()
    with page.expect_response(lambda r: r.url.endswith("/quality/phrases") and r.status == 201):
        page.get_by_test_id("phrase-add").click()
    row = page.locator("[data-test=phrase-row][data-kind=forbidden]").filter(has_text=phrase)
    row.wait_for()
    assert row.get_attribute("data-active") == "1" and row.get_attribute("data-severity") == "red_line"

    text = f"{phrase}，您还有什么不明白的吗？"
    page.get_by_test_id("try-text").fill(text)
    page.get_by_test_id("try-run").click()
    result = page.get_by_test_id("try-result")
    result.wait_for()
    hit = result.locator("[data-test=try-piece][data-verdict=hit]")
    hint = result.locator("[data-test=try-piece][data-verdict=hint]")
    assert hit.first.inner_text() == phrase
    assert hint.first.inner_text() == "不明白"
    assert "与前后文构成其他词语" in result.locator("[data-test=try-why][data-verdict=hint]").first.inner_text()
    colours = [el.evaluate("e => getComputedStyle(e).backgroundColor") for el in (hit.first, hint.first)]
    assert colours[0] != colours[1]
    _settle(d)
    d.shot("quality-rules")

    tr = page.locator("tr.el-table__row", has=row)
    with page.expect_response(
        lambda r: "/quality/phrases/" in r.url and r.request.method == "PATCH" and r.status == 200
    ):
        tr.get_by_test_id("phrase-active").click()
    page.locator("[data-test=phrase-row][data-active='0']").filter(has_text=phrase).wait_for()
    with server.apis("qa_inspector") as (qa,):
        rules = _ok(qa.get("/quality/rules"))
    assert next(p for p in rules["phrases"] if p["text"] == phrase)["active"] is False
    with page.expect_response(lambda r: r.url.endswith("/quality/phrases/check")):
        page.get_by_test_id("try-run").click()
    page.locator("[data-test=try-result][data-hits='0']").wait_for()
    d.check_clean()


def test_a_reader_sees_the_rules_read_only_and_qa_results_reads_in_english(desk: Any, story: dict[str, Any]) -> None:
    d: Desk = desk("duty_manager", locale="en")
    page = d.go("/quality/rules")
    page.get_by_test_id("rules-readonly").wait_for()
    assert page.get_by_test_id("phrase-add").count() == 0 and page.get_by_test_id("thr-save").count() == 0
    page.get_by_role("heading", name="QA rules").wait_for()
    page.get_by_test_id("qa-form").first.wait_for()
    page.get_by_test_id("qa-form").first.click()  # unfolds the current version's sections and items
    page.get_by_test_id("form-item").first.wait_for()
    assert page.locator("[data-test=form-item][data-red-line='1']").count() >= 3
    page.get_by_test_id("form-older").first.scroll_into_view_if_needed()
    _settle(d)
    d.shot("quality-rules-forms-en")
    assert not chinese_in_chrome(page), chinese_in_chrome(page)
    page = d.go("/quality/results")
    page.get_by_role("heading", name="QA results").wait_for()
    page.get_by_test_id("results-table").wait_for()
    page.locator("[data-test=results-chart][data-rendered='1']").wait_for()
    assert not chinese_in_chrome(page), chinese_in_chrome(page)
    _settle(d)
    d.shot("quality-results-en")
    d.check_clean()


def test_a_supervisor_edits_the_outbound_form_and_saves_it_as_a_new_version(desk: Any, server: Server) -> None:
    """质检评分表编辑 on the outbound-call form (the inbound one is the other tests'): points that no longer add up
    to 100 are refused with the API's message and nothing is saved; put back, a changed title is saved as the next
    version, current, with the one before it under 历史版本."""

    def outbound() -> list[dict[str, Any]]:
        with server.apis("supervisor") as (sup,):
            every = _ok(sup.get("/quality/forms", params={"every_version": "true"}))
        return [f for f in every if f["code"] == "outbound_call"]

    before = outbound()
    current = next(f for f in before if f["current"])
    version = current["version"]
    target = [i for s in current["sections"] for i in s["items"] if not i["red_line"]][-1]
    points = target["max_points"]
    title = f"{target['title'][:80]}（{random.randint(100, 999)}）"

    d: Desk = desk("supervisor")
    page = d.go("/quality/rules")
    page.locator("[data-test=form-edit][data-code=outbound_call]").click()
    editor = page.locator(f"[data-test=form-editor][data-code=outbound_call][data-version='{version}']")
    editor.wait_for()
    editor.locator("[data-test=fe-sum][data-sum='100'][data-ok='1']").wait_for()
    row = editor.locator(f"[data-test=fe-item][data-key={target['key']}]")
    assert row.get_by_test_id("fe-item-steps").input_value() == ", ".join(map(str, target["steps"]))

    # 5 points more: the sum turns red, and the save is refused with the API's message
    box = row.get_by_test_id("fe-item-max").locator("input")
    box.fill(str(points + 5))
    box.press("Tab")
    total = editor.locator("[data-test=fe-sum][data-sum='105'][data-ok='0']")
    total.wait_for()
    assert total.evaluate("e => getComputedStyle(e).color") == "rgb(198, 40, 40)"
    with page.expect_response(lambda r: r.url.endswith("/quality/forms") and r.request.method == "POST") as refused:
        editor.get_by_test_id("fe-save").click()
    assert refused.value.status == 422
    error = editor.get_by_test_id("fe-error")
    error.wait_for()
    assert "各评分项满分合计须为 100 分（当前为 105 分）" in error.inner_text()
    assert editor.is_visible()
    _settle(d)
    d.shot("quality-form-editor")
    assert len(outbound()) == len(before)

    # put back, the title changed: saved as the next version
    box.fill(str(points))
    box.press("Tab")
    editor.locator("[data-test=fe-sum][data-sum='100'][data-ok='1']").wait_for()
    row.get_by_test_id("fe-item-title").fill(title)  # an el-input: the hook is on the <input>
    with page.expect_response(lambda r: r.url.endswith("/quality/forms") and r.request.method == "POST") as saved:
        editor.get_by_test_id("fe-save").click()
    assert saved.value.status == 201, saved.value.text()
    sent = [i for s in saved.value.request.post_data_json["sections"] for i in s["items"]]
    assert next(i for i in sent if i["key"] == target["key"]) == {**target, "title": title}
    editor.wait_for(state="hidden")

    shown = page.locator(".el-collapse-item", has=page.locator("[data-test=qa-form][data-code=outbound_call]"))
    shown.locator(f"[data-test=qa-form][data-version='{version + 1}']").wait_for()
    shown.locator(f"[data-test=form-item][data-key={target['key']}]").filter(has_text=title).wait_for()
    shown.locator(f"[data-test=form-older-row][data-version='{version}']").wait_for()

    after = outbound()
    assert len(after) == len(before) + 1
    new = next(f for f in after if f["current"])
    assert new["version"] == version + 1
    assert next(i for s in new["sections"] for i in s["items"] if i["key"] == target["key"])["title"] == title
    assert next(f for f in after if f["version"] == version)["current"] is False
    d.check_clean()
