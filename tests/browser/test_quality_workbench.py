"""质检 (manual quality inspection) in the browser: a supervisor draws the month's samples on 质检任务; the QA inspector
opens their sample of a call whose recording the server's worker has analysed and whose transcript holds a
forbidden phrase, sees the flags as marks on the recording's timeline (a click seeks the player), scores the form
with a live total (0 once a red line is violated), pins a comment to the player's time and submits; the API then
holds that evaluation. A calibration is blind to an inspector until they have scored it, then shows the spread
per item. 质检任务 in English.

Calls are made as a PBX makes them (a CTI integration, generic events); the agents on them are agent08 and agent09,
whom no other browser test signs in as. The sampling plan is set for the draw (flagged calls, the demo
``qa_inspector`` alone) and put back afterwards.
"""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import soundfile as sf
from playwright.sync_api import expect

from tests.audio_fixtures import ESPEAK, MISSING_ESPEAK, build_call
from tests.browser.conftest import Desk, Server
from tests.browser.test_calls import call_by_call_id, new_pbx, stranger
from tests.browser.test_english import chinese_in_chrome

CENTRE = ZoneInfo("Asia/Shanghai")
needs_espeak = pytest.mark.skipif(ESPEAK is None, reason=MISSING_ESPEAK)
FORBIDDEN = "这不归我管"
TRANSCRIPT = [
    {"channel": "agent", "start": 0.5, "end": 4.0, "text": "您好，这里是燃气服务热线，请问有什么可以帮您？"},
    {"channel": "customer", "start": 4.5, "end": 7.0, "text": "我家从早上开始就没有气了"},
    {"channel": "agent", "start": 18.0, "end": 22.0, "text": "这 不归我管，你去投诉吧"},
]


def _wav() -> bytes:
    """The agent greets, the customer answers, ten seconds of dead air, then the agent again (as the API test)."""
    call = build_call(
        [
            ("agent", 0.5, "您好这里是燃气服务热线请问有什么可以帮您"),
            ("customer", 4.5, "我家从早上开始就没有气了"),
            ("agent", 18.0, "请您提供一下户号我帮您查询"),
        ]
    )
    buf = io.BytesIO()
    sf.write(buf, call.stereo(), call.rate, subtype="PCM_16", format="WAV")
    return buf.getvalue()


def _answered_call(server: Server, agent: str, talk: int = 40) -> dict[str, Any]:
    """An inbound call answered by `agent`, hung up after `talk` seconds; the call as GET /calls/{id} gives it."""
    pbx = new_pbx(server, "质检测试 PBX")
    who = stranger()
    t0 = datetime.now(UTC) - timedelta(minutes=10)
    call_id = pbx.ring(who, [agent], t0, queue="燃气")
    pbx.answer(call_id, who, agent, t0 + timedelta(seconds=5))
    pbx.hangup(call_id, who, "normalClearing", t0 + timedelta(seconds=5 + talk))
    with server.apis(agent, "supervisor") as (me, sup):
        call = call_by_call_id(sup, call_id, number=who)
        assert me.put("/agents/me/state", json={"state": "signed_out"}).status_code == 200
    return call


@dataclass
class Story:
    call: dict[str, Any]
    analysis: dict[str, Any]
    contact: dict[str, Any]


@pytest.fixture(scope="module")
def story(server: Server) -> Iterator[Story]:
    call = _answered_call(server, "agent08")
    with server.apis("agent08", "supervisor", "qa_inspector") as (agent, sup, qa):
        r = agent.post(f"/calls/{call['id']}/recording", files={"file": ("录音.wav", _wav(), "audio/wav")})
        assert r.status_code == 200, r.text
        deadline = time.monotonic() + 60
        while (got := sup.get(f"/calls/{call['id']}/analysis").json())["state"] == "pending":
            assert time.monotonic() < deadline, "the worker did not analyse the recording"
            time.sleep(0.5)
        assert got["state"] == "done", got
        r = sup.post(f"/calls/{call['id']}/transcript", json={"segments": TRANSCRIPT})
        assert r.status_code == 200, r.text
        analysis = r.json()
        assert any(f["kind"] == "forbidden" for f in analysis["flags"]), analysis["flags"]
        contact = qa.get(f"/quality/contacts/{call['id']}").json()
    yield Story(call, analysis, contact)


@contextmanager
def _plan_for_the_draw(server: Server) -> Iterator[None]:
    with server.apis("supervisor", "qa_inspector") as (sup, qa):
        before = sup.get("/quality/sampling-plan").json()
        me = qa.get("/me").json()["id"]
        r = sup.put("/quality/sampling-plan", json={**before, "flagged": True, "inspector_ids": [me]})
        assert r.status_code == 200, r.text
        try:
            yield
        finally:
            assert sup.put("/quality/sampling-plan", json=before).status_code == 200


def _time(page: Any) -> float:
    return float(page.get_by_test_id("recording-player").get_attribute("data-time"))


def _time_near(page: Any, at: float) -> None:
    page.wait_for_function(
        "at => Math.abs(Number(document.querySelector('[data-test=recording-player]').dataset.time) - at) < 0.3",
        arg=at,
        timeout=5000,
    )


def _total(page: Any, value: int, red: bool = False) -> None:
    total = page.get_by_test_id("qa-total")
    expect(total).to_have_attribute("data-value", str(value))
    expect(total).to_have_attribute("data-red", "1" if red else "0")


def _deduct(page: Any, key: str, value: int) -> None:
    page.locator(f"[data-test=qa-deduct][data-key={key}][data-value='{value}']").click()


@needs_espeak
def test_an_inspector_scores_a_sampled_call_with_its_flags_on_the_timeline_and_a_live_total(
    desk: Any, server: Server, story: Story
) -> None:
    call_id = story.call["id"]
    with _plan_for_the_draw(server):
        # the supervisor draws the month's samples on 质检任务
        sup: Desk = desk("supervisor")
        page = sup.go("/quality/samples")
        page.get_by_role("heading", name="质检任务").wait_for()
        with page.expect_response(lambda r: "/quality/samples/draw" in r.url and r.status == 200) as got:
            page.get_by_test_id("qa-draw").click()
        drawn = got.value.json()["drawn"]
        assert drawn.get("flagged", 0) >= 1, drawn
        expect(page.locator(".qa-draw-message")).to_contain_text("自动质检标记")
        # every inspector's samples: the call is the demo inspector's
        page.get_by_test_id("qa-scope-all").click()
        expect(page.get_by_test_id("qa-samples-table")).to_have_attribute("data-scope", "all")
        ours = page.locator(f"[data-test=qa-sample][data-call='{call_id}']")
        mine = page.locator("tr.el-table__row").filter(has=ours)
        expect(mine.get_by_test_id("qa-sample-inspector")).to_have_text("qa_inspector")
        sup.check_clean()

    # the inspector's worklist has the call, its reason and flags
    d: Desk = desk("qa_inspector")
    page = d.go("/quality/samples")
    row = page.locator(f"[data-test=qa-sample][data-call='{call_id}']")
    row.wait_for()
    assert row.get_attribute("data-reason") == "flagged"
    tr = page.locator("tr.el-table__row").filter(has=row)
    kinds = {f["kind"] for f in story.analysis["flags"]}
    assert set(tr.get_by_test_id("qa-sample-flag").evaluate_all("els => els.map(e => e.dataset.kind)")) == kinds
    sample_id = row.get_attribute("data-id")
    d.shot("quality-samples")
    tr.get_by_test_id("qa-sample-score").click()
    page.wait_for_url(f"**/quality/contacts/{call_id}?sample={sample_id}")

    # the workbench: the player with a mark per flag; a mark or a listed flag seeks the player there
    player = page.get_by_test_id("recording-player")
    expect(player).to_have_attribute("data-state", "ready", timeout=15_000)
    flags = story.analysis["flags"]
    marks = page.get_by_test_id("player-marker")
    expect(marks).to_have_count(len(flags))
    forbidden = next(i for i, f in enumerate(flags) if f["kind"] == "forbidden")
    assert _time(page) == 0
    page.locator(f"[data-test=player-marker][data-index='{forbidden}']").click()
    _time_near(page, flags[forbidden]["start"])
    dead = next(i for i, f in enumerate(flags) if f["kind"] == "dead_air")
    page.locator(f"[data-test=qa-flag][data-index='{dead}']").click()
    _time_near(page, flags[dead]["start"])
    expect(page.get_by_test_id("qa-flag").first).to_contain_text(
        {"dead_air": "静音", "forbidden": "服务禁语"}.get(flags[0]["kind"], "")
    )
    # the transcript highlights the phrase; a segment seeks
    expect(page.get_by_test_id("qa-hit").first).to_have_text("这 不归我管")
    page.locator("[data-test=qa-segment][data-start='4.5']").click()
    _time_near(page, 4.5)
    expect(page.get_by_test_id("qa-analysis")).to_have_attribute("data-state", "done")
    expect(page.get_by_test_id("qa-agent-rate")).to_contain_text("字/分")

    # what the flags suggest, item by item, taken only when the inspector adopts it
    want = {x["key"]: [x["deduction"], "1" if x["violated"] else "0"] for x in story.contact["suggestions"]}
    shown = page.get_by_test_id("qa-suggestion").evaluate_all(
        "els => els.map(e => [e.dataset.key, Number(e.dataset.deduction), e.dataset.violated])"
    )
    assert {k: [d, v] for k, d, v in shown} == want and "attitude" in want
    _total(page, 100)
    page.locator("[data-test=qa-suggestion][data-key=attitude]").get_by_test_id("qa-suggestion-apply").click()
    _total(page, 100 - want["attitude"][0])
    _deduct(page, "attitude", 0)

    # the form: a live total, 0 with a red banner while a red line is violated
    _total(page, 100)
    _deduct(page, "opening", 5)
    _total(page, 95)
    _deduct(page, "closing", 2)
    _total(page, 93)
    _deduct(page, "opening", 10)
    _total(page, 88)
    _deduct(page, "opening", 5)
    _total(page, 93)
    attitude = page.locator("[data-test=qa-item][data-key=attitude]")
    expect(attitude.locator("[data-test=qa-item-flag][data-kind=shirking]")).to_have_attribute("data-present", "1")
    red_key = next(i["key"] for s in story.contact["form"]["sections"] for i in s["items"] if i["red_line"])
    switch = page.locator(f"[data-test=qa-violate][data-key={red_key}] .el-switch")
    switch.click()
    _total(page, 0, red=True)
    expect(page.get_by_test_id("qa-red-banner")).to_be_visible()
    page.wait_for_timeout(300)  # the switch's transition, for the screenshot
    d.shot("quality-workbench-red-line")
    switch.click()
    _total(page, 93)
    expect(page.get_by_test_id("qa-red-banner")).to_have_count(0)

    # a comment pinned to the player's time (4.5 s, where the segment put it)
    page.get_by_test_id("qa-add-comment").click()
    comment = page.get_by_test_id("qa-comment")
    expect(comment).to_have_attribute("data-at", "4.5")
    text = comment.locator("input[data-test=qa-comment-text], [data-test=qa-comment-text] input").first
    text.fill("客户陈述诉求时未及时回应")
    page.get_by_test_id("qa-summary").fill("开场规范，结束语不完整")
    page.locator("[data-test=player-marker]").first.click()  # elsewhere, then back through the comment's time
    comment.get_by_test_id("qa-comment-at").click()
    _time_near(page, 4.5)
    d.shot("quality-workbench")

    with page.expect_response(lambda r: r.url.endswith("/quality/evaluations") and r.request.method == "POST") as got:
        page.get_by_test_id("qa-submit").click()
    assert got.value.status == 201, got.value.text()
    saved = page.get_by_test_id("qa-saved")
    expect(saved).to_have_attribute("data-score", "93")
    expect(saved).to_have_attribute("data-state", "scored")
    expect(page.get_by_test_id("qa-to-samples")).to_be_visible()
    d.shot("quality-workbench-saved")
    d.check_clean()

    with server.apis("qa_inspector") as (qa,):
        evaluation = qa.get(f"/quality/evaluations/{saved.get_attribute('data-id')}").json()
        sample = next(s for s in qa.get("/quality/samples", params={"state": "done"}).json() if s["call_id"] == call_id)
    assert evaluation["score"] == 93 and evaluation["call_id"] == call_id
    assert evaluation["sample_id"] == int(sample_id) and sample["evaluation_id"] == evaluation["id"]
    assert evaluation["comments"] == [{"at": 4.5, "text": "客户陈述诉求时未及时回应"}]
    assert evaluation["summary"] == "开场规范，结束语不完整"
    deductions = {i["key"]: i["deduction"] for i in evaluation["items"]}
    assert deductions["opening"] == 5 and deductions["closing"] == 2
    assert not any(i["violated"] for i in evaluation["items"])

    # back on 质检任务: the call is under 已评分
    page.get_by_test_id("qa-to-samples").click()
    page.get_by_test_id("qa-tab-done").click()
    page.locator(f"[data-test=qa-sample][data-call='{call_id}'][data-state=done]").wait_for()


def test_a_calibration_is_blind_to_an_inspector_until_scored_then_shows_the_spread_per_item(
    desk: Any, server: Server
) -> None:
    call = _answered_call(server, "agent09")
    with server.apis("supervisor", "qa_inspector") as (sup, qa):
        ids = [qa.get("/me").json()["id"], sup.get("/me").json()["id"]]
        r = sup.post("/quality/calibrations", json={"call_id": call["id"], "inspector_ids": ids, "note": "开场白尺度"})
        assert r.status_code == 201, r.text
        cal = r.json()
        form = qa.get(f"/quality/contacts/{call['id']}").json()["form"]
        items = [
            {"key": i["key"], "deduction": 2 if i["key"] == "opening" else 0, "violated": False}
            for s in form["sections"]
            for i in s["items"]
        ]
        r = sup.post("/quality/evaluations", json={"call_id": call["id"], "items": items, "calibration_id": cal["id"]})
        assert r.status_code == 201, r.text

    d: Desk = desk("qa_inspector")
    page = d.go("/quality/calibrations")
    page.get_by_role("heading", name="质检校准").wait_for()
    row = page.locator(f"[data-test=qa-cal-row][data-id='{cal['id']}']")
    expect(row).to_have_attribute("data-blind", "1")
    row.get_by_test_id("qa-cal-open").click()
    detail = page.locator(f"[data-test=qa-cal-detail][data-id='{cal['id']}']")
    expect(detail).to_have_attribute("data-blind", "1")
    expect(detail.get_by_test_id("qa-cal-blind")).to_contain_text("评分后可见他人评分")
    expect(detail.get_by_test_id("qa-cal-spread")).to_have_count(0)
    d.shot("quality-calibration-blind")

    detail.get_by_test_id("qa-cal-score").click()
    page.wait_for_url(f"**/quality/contacts/{call['id']}?calibration={cal['id']}")
    page.get_by_test_id("qa-calibration-tag").wait_for()
    page.get_by_test_id("qa-no-recording").wait_for()
    _deduct(page, "opening", 5)
    _total(page, 95)
    page.get_by_test_id("qa-submit").click()
    expect(page.get_by_test_id("qa-saved")).to_have_attribute("data-score", "95")
    page.get_by_test_id("qa-to-calibration").click()

    detail = page.locator(f"[data-test=qa-cal-detail][data-id='{cal['id']}'][data-blind='0']")
    detail.wait_for()
    totals = detail.get_by_test_id("qa-cal-total").evaluate_all("els => els.map(e => Number(e.dataset.value))")
    assert sorted(totals) == [95, 98]
    opening = detail.locator("[data-test=qa-spread-row][data-key=opening]")
    expect(opening).to_have_attribute("data-differs", "1")
    expect(opening.get_by_test_id("qa-spread-low")).to_have_text("5")
    expect(opening.get_by_test_id("qa-spread-high")).to_have_text("8")
    expect(opening.get_by_test_id("qa-spread-range")).to_have_text("3")
    expect(detail.locator("[data-test=qa-spread-row][data-key=closing]")).to_have_attribute("data-differs", "0")
    assert detail.locator("[data-test=qa-spread-row][data-differs='1']").count() == 1
    d.shot("quality-calibration-spread")

    # scoring it again is refused with the API's message
    d.go(f"/quality/contacts/{call['id']}?calibration={cal['id']}")
    page.get_by_test_id("qa-submit").click()
    expect(page.get_by_test_id("qa-error")).to_contain_text("您已为该质检校准评过分")
    d.check_clean()


def test_a_lead_edits_the_sampling_plan_and_names_a_calibration_in_dialogs(desk: Any, server: Server) -> None:
    call = _answered_call(server, "agent09", talk=25)
    with server.apis("supervisor", "qa_inspector") as (sup, qa):
        before = sup.get("/quality/sampling-plan").json()
        qa_id = qa.get("/me").json()["id"]
        sup_id = sup.get("/me").json()["id"]
    d: Desk = desk("supervisor")
    page = d.go("/quality/samples")
    try:
        page.get_by_test_id("qa-plan").click()
        dialog = page.get_by_test_id("qa-plan-dialog")
        per_agent = dialog.locator("[data-test=plan-per-agent] input, input[data-test=plan-per-agent]").first
        expect(per_agent).to_have_value(str(before["per_agent"]))
        per_agent.fill(str(before["per_agent"] + 1))
        per_agent.press("Tab")
        long = dialog.locator("[data-test=plan-long] input, input[data-test=plan-long]").first
        long.fill("900")
        long.press("Tab")
        d.shot("quality-sampling-plan")
        with page.expect_response(lambda r: "/quality/sampling-plan" in r.url and r.request.method == "PUT") as got:
            dialog.get_by_test_id("plan-save").click()
        assert got.value.status == 200, got.value.text()
        expect(dialog).to_be_hidden()
        with server.apis("supervisor") as (sup,):
            after = sup.get("/quality/sampling-plan").json()
        assert after == {**before, "per_agent": before["per_agent"] + 1, "long_seconds": 900}
    finally:
        with server.apis("supervisor") as (sup,):
            assert sup.put("/quality/sampling-plan", json=before).status_code == 200

    page = d.go("/quality/calibrations")
    page.get_by_test_id("qa-cal-new").click()
    dialog = page.get_by_test_id("qa-cal-dialog")
    dialog.locator("[data-test=cal-call] input, input[data-test=cal-call]").first.fill(str(call["id"]))
    dialog.get_by_test_id("cal-create").click()
    expect(dialog.get_by_test_id("cal-error")).to_have_text("请至少选择 2 名质检员")
    dialog.get_by_test_id("cal-inspectors").click()
    for who in (qa_id, sup_id):
        page.locator(f".el-select-dropdown__item[data-test=cal-inspector-{who}]").click()
    dialog.get_by_test_id("cal-note").fill("结束语尺度")
    with page.expect_response(lambda r: r.url.endswith("/quality/calibrations") and r.request.method == "POST") as got:
        dialog.get_by_test_id("cal-create").click()
    assert got.value.status == 201, got.value.text()
    made = got.value.json()
    # the lead sees it open at once: nobody has scored it yet
    detail = page.locator(f"[data-test=qa-cal-detail][data-id='{made['id']}'][data-blind='0']")
    expect(detail.get_by_test_id("qa-cal-waiting")).to_be_visible()
    assert sorted(made["inspector_ids"]) == sorted([qa_id, sup_id]) and made["note"] == "结束语尺度"
    d.check_clean()


def test_the_qa_tasks_page_in_english(desk: Any, server: Server) -> None:
    d: Desk = desk("qa_inspector", locale="en")
    page = d.go("/quality/samples")
    page.get_by_role("heading", name="QA tasks").wait_for()
    page.get_by_test_id("qa-samples-table").or_(page.get_by_test_id("page-empty")).first.wait_for()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_test_id("qa-tab-open")).to_have_text("To score")
    assert chinese_in_chrome(page) == []
    d.shot("quality-samples-en")
    d.check_clean()


def test_a_duty_manager_reads_every_inspectors_samples_without_the_leads_tools(desk: Any, server: Server) -> None:
    with server.apis("duty_manager") as (http,):
        month = datetime.now(UTC).astimezone(CENTRE).strftime("%Y-%m")
        every = http.get("/quality/samples", params={"month": month, "state": "open", "limit": 1000}).json()
    d: Desk = desk("duty_manager")
    page = d.go("/quality/samples")
    table = page.locator(f"[data-test=qa-samples-table][data-scope=all][data-month='{month}']")
    if every:
        table.wait_for()
        expect(page.get_by_test_id("qa-sample")).to_have_count(len(every))
        expect(page.get_by_test_id("qa-sample-inspector").first).to_be_visible()
    else:
        page.get_by_test_id("page-empty").wait_for()
    for tool in ("qa-draw", "qa-plan", "qa-scope-mine", "qa-scope-all"):
        expect(page.get_by_test_id(tool)).to_have_count(0)
    d.check_clean()
