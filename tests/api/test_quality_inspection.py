"""Manual quality inspection (issue 17 §1 and §4): versioned QA forms, an inspector's evaluation with deduction
steps and red lines, the agent's appeal and the lead's decision (the old score kept), the scorecard reading the
final score, the sampling plan (random, new agents, forced samples, even assignment, never one's own calls),
blind calibration with the spread per item, QA's rule table, chat text through the phrase rules, and the
monthly results. Bad input changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from huiyin.clock import clock
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.api.test_kpis import _pk
from tests.pbx import Pbx
from tests.personas import Api, World

MONTH = "2026-11"


@pytest.fixture
def inspector(world: World) -> Api:
    return world.persona("inspector", "qa_inspector")


@pytest.fixture
def inspector2(world: World) -> Api:
    return world.persona("inspector2", "qa_inspector")


@pytest.fixture
def lead(world: World) -> Api:
    return world.persona("lead", "supervisor")


def _answered(pbx: Pbx, agent: Api, talk: float = 120, who: str = "agent") -> int:  # noqa: F811
    call = pbx.answered_call(CALLER, who, ring=5, talk=talk)
    return _pk(agent, call)


def _form(api: Api, kind: str = "inbound_call") -> Any:
    return next(f for f in api.ok("get", "/quality/forms") if f["contact_kind"] == kind)


def _items(form: Any, **deductions: Any) -> list[dict[str, Any]]:
    """Every item of the form: full points unless a deduction (or, for a red line, True) is given."""
    out = []
    for section in form["sections"]:
        for item in section["items"]:
            got = deductions.get(item["key"], 0)
            if item["red_line"]:
                out.append({"key": item["key"], "violated": bool(got)})
            else:
                out.append({"key": item["key"], "deduction": got})
    return out


def _count(api: Api, path: str) -> int:
    return len(api.ok("get", path))


def test_the_default_forms_add_up_to_100_and_saving_one_makes_its_next_version(
    inspector: Api, lead: Api, agent: Api
) -> None:
    forms = inspector.ok("get", "/quality/forms")
    assert {f["contact_kind"] for f in forms} == {"inbound_call", "outbound_call", "chat"}
    for f in forms:
        items = [i for s in f["sections"] for i in s["items"]]
        assert sum(i["max_points"] for i in items) == 100
        assert {i["key"] for i in items if i["red_line"]} >= {"forbidden", "leak", "hang_up"}
    inbound = _form(agent)  # an agent reads the form they are scored on
    sections = inbound["sections"]
    sections[0]["items"][0]["max_points"] = 15  # 105 in all
    r = lead.post("/quality/forms", {**{k: inbound[k] for k in ("code", "name", "contact_kind")}, "sections": sections})
    assert r.status_code == 422 and "add up to 100" in r.text
    sections[0]["items"][0]["max_points"] = 10
    sections[3]["items"][0]["max_points"] = 5  # a red line with points
    r = lead.post("/quality/forms", {**{k: inbound[k] for k in ("code", "name", "contact_kind")}, "sections": sections})
    assert r.status_code == 422 and "red-line" in r.text
    assert _count(lead, "/quality/forms?every_version=true") == 3  # nothing saved
    sections[3]["items"][0]["max_points"] = 0
    sections[0]["items"][0]["steps"] = [1, 3, 10]
    assert (
        agent.post(
            "/quality/forms", {**{k: inbound[k] for k in ("code", "name", "contact_kind")}, "sections": sections}
        ).status_code
        == 403
    )
    v2 = lead.ok(
        "post",
        "/quality/forms",
        {**{k: inbound[k] for k in ("code", "name", "contact_kind")}, "sections": sections},
        201,
    )
    assert (v2["version"], v2["current"]) == (2, True)
    every = lead.ok("get", "/quality/forms?every_version=true")
    assert [(f["version"], f["current"]) for f in every if f["code"] == "inbound_call"] == [(2, True), (1, False)]
    assert _form(inspector)["id"] == v2["id"]


def test_an_inspector_scores_a_call_with_steps_and_a_red_line_fails_it_whole(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    inspector: Api,
    world: World,
) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    call = _answered(pbx, agent)
    form = _form(inspector)
    body = {
        "call_id": call,
        "items": _items(form, opening=5, speech=2),
        "comments": [{"at": 42.5, "text": "语速偏快"}, {"at": 3.0, "text": "开场白未报工号"}],
        "summary": "整体规范",
    }
    got = inspector.ok("post", "/quality/evaluations", body, 201)
    assert (got["score"], got["original_score"], got["red_line"], got["state"]) == (93, 93, False, "scored")
    assert [c["at"] for c in got["comments"]] == [3.0, 42.5]  # in recording order
    assert got["agent_name"] and got["inspector_name"] and got["month"] == MONTH
    opening = next(i for i in got["items"] if i["key"] == "opening")
    assert (opening["deduction"], opening["points"]) == (5, 5)

    failed = inspector.ok("post", "/quality/evaluations", {**body, "items": _items(form, speech=2, leak=True)}, 201)
    assert (failed["score"], failed["red_line"]) == (0, True)

    before = _count(inspector, "/quality/evaluations")
    for items, why in (
        (_items(form, opening=3), "deducts one of 2, 5, 10"),  # not a step of the item
        (_items(form)[1:], "missing opening"),
        ([*_items(form), {"key": "nope"}], "not an item"),
    ):
        r = inspector.post("/quality/evaluations", {**body, "items": items})
        assert r.status_code == 422 and why in r.text, r.text
    assert inspector.post("/quality/evaluations", {**body, "call_id": 999999}).status_code == 404
    assert agent.post("/quality/evaluations", body).status_code == 403  # an agent does not score
    assert _count(inspector, "/quality/evaluations") == before


def test_an_inspector_never_scores_their_own_call(pbx: Pbx, world: World) -> None:  # noqa: F811
    both = world.persona("senior", "agent", "qa_inspector")
    call = pbx.answered_call(CALLER, "senior", ring=5, talk=60)
    pk = _pk(both, call)
    r = both.post("/quality/evaluations", {"call_id": pk, "items": _items(_form(both))})
    assert r.status_code == 403 and "own" in r.text


def test_the_agent_appeals_the_lead_decides_and_the_scorecard_uses_the_final_score(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    inspector: Api,
    lead: Api,
    manager: Api,
    world: World,
) -> None:
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    call = _answered(pbx, agent)
    form = _form(inspector)
    ev = inspector.ok(
        "post", "/quality/evaluations", {"call_id": call, "items": _items(form, answer=15, opening=5)}, 201
    )
    assert ev["score"] == 80
    # the agent sees their own, the other agent nothing
    assert [e["id"] for e in agent.ok("get", "/quality/evaluations")] == [ev["id"]]
    assert agent2.ok("get", "/quality/evaluations") == []
    assert agent2.get(f"/quality/evaluations/{ev['id']}").status_code == 404
    assert agent.get(f"/quality/evaluations?agent_id={agent2.id}").status_code == 403

    appeal_body = {"items": [{"key": "answer", "reason": "我按知识库答复的，录音 2:10 处可证"}]}
    assert agent2.post(f"/quality/evaluations/{ev['id']}/appeal", appeal_body).status_code in (403, 404)
    bad = {"items": [{"key": "closing", "reason": "没扣分也申诉"}]}
    r = agent.post(f"/quality/evaluations/{ev['id']}/appeal", bad)
    assert r.status_code == 422 and "nothing was deducted" in r.text
    appeal = agent.ok("post", f"/quality/evaluations/{ev['id']}/appeal", appeal_body, 201)
    assert (appeal["state"], appeal["score_before"]) == ("open", 80)
    assert agent.post(f"/quality/evaluations/{ev['id']}/appeal", appeal_body).status_code == 409  # once
    assert [a["id"] for a in lead.ok("get", "/quality/appeals?state=open")] == [appeal["id"]]

    decision = {"items": [{"key": "answer", "deduction": 5}], "note": "知识库确有此说明，酌情减扣"}
    r = inspector.post(f"/quality/appeals/{appeal['id']}/decide", decision)
    assert r.status_code == 403 and "scored" in r.text  # not the one who scored it
    r = lead.post(
        f"/quality/appeals/{appeal['id']}/decide", {**decision, "items": [{"key": "opening", "deduction": 0}]}
    )
    assert r.status_code == 422 and "was not appealed" in r.text
    after = lead.ok("post", f"/quality/appeals/{appeal['id']}/decide", decision)
    assert (after["score"], after["original_score"], after["state"]) == (90, 80, "decided")
    [kept] = after["appeals"]
    assert (kept["score_before"], kept["score_after"], kept["decided_by_name"]) == (80, 90, "lead")
    assert kept["changes"] == [
        {"key": "answer", "before": {"deduction": 15, "points": 0, "violated": False},
         "after": {"deduction": 5, "points": 10, "violated": False}}
    ]  # fmt: skip
    assert lead.post(f"/quality/appeals/{appeal['id']}/decide", decision).status_code == 409

    clock.set(datetime(2026, 12, 2, 1, 0, tzinfo=UTC))
    card = manager.ok("post", "/scorecards/compute", {"month": MONTH}, 201)
    line = next(line for line in card["items"] if line["username"] == "agent")
    assert next(i for i in line["items"] if i["code"] == "qa_score")["raw"] == 90


def test_an_appeal_after_the_window_is_refused(pbx: Pbx, agent: Api, inspector: Api) -> None:  # noqa: F811
    clock.set(datetime(2026, 11, 10, 2, 0, tzinfo=UTC))
    call = _answered(pbx, agent)
    ev = inspector.ok(
        "post", "/quality/evaluations", {"call_id": call, "items": _items(_form(inspector), opening=2)}, 201
    )
    clock.advance(timedelta(days=5, seconds=1))
    r = agent.post(f"/quality/evaluations/{ev['id']}/appeal", {"items": [{"key": "opening", "reason": "迟了"}]})
    assert r.status_code == 409 and "appeal window" in r.text
    assert agent.ok("get", f"/quality/evaluations/{ev['id']}")["state"] == "scored"


def test_the_sampling_plan_draws_random_new_agent_and_forced_samples_spread_evenly_never_ones_own(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    inspector: Api,
    inspector2: Api,
    lead: Api,
    world: World,
) -> None:
    # agent2 has been on the phones since August (not new); agent starts in November (new)
    clock.set(datetime(2026, 8, 3, 2, 0, tzinfo=UTC))
    _answered(pbx, agent2, who="agent2")
    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    mine = [_answered(pbx, agent, talk=120) for _ in range(8)]
    rated = pbx.answered_call(CALLER, "agent2", ring=5, talk=120)
    agent2.ok("post", "/ratings", {"call_id": rated, "channel": "ivr", "result": "unsatisfied"}, 201)
    theirs = [_pk(agent2, rated)] + [_answered(pbx, agent2, talk=120, who="agent2") for _ in range(5)]
    long_call = _answered(pbx, agent2, talk=700, who="agent2")
    short_call = _answered(pbx, agent, talk=12)
    plan = lead.ok("get", "/quality/sampling-plan")
    plan.update(per_agent=2, per_new_agent=4, long_short_cap=1, inspector_ids=[inspector.id, inspector2.id])
    assert lead.put("/quality/sampling-plan", {**plan, "per_new_agent": 1}).status_code == 422
    assert inspector.put("/quality/sampling-plan", {**plan, "inspector_ids": [agent.id]}).status_code == 422
    lead.ok("put", "/quality/sampling-plan", plan)

    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))  # the month is over: its whole share
    drawn = lead.ok("post", "/quality/samples/draw", {"month": MONTH})["drawn"]
    assert drawn == {"unsatisfied": 1, "long": 1, "short": 1, "new_agent": 4, "random": 2}
    samples = lead.ok("get", f"/quality/samples?month={MONTH}")
    by_call = {s["call_id"]: s for s in samples}
    assert by_call[theirs[0]]["reason"] == "unsatisfied" and by_call[long_call]["reason"] == "long"
    assert by_call[short_call]["reason"] == "short"
    assert sum(s["reason"] == "new_agent" and s["call_id"] in mine for s in samples) == 4
    load = {i.id: sum(s["inspector_id"] == i.id for s in samples) for i in (inspector, inspector2)}
    assert sorted(load.values()) == [4, 5]  # nine samples, spread evenly
    assert lead.ok("post", "/quality/samples/draw", {"month": MONTH})["drawn"] == {}  # nothing new: nothing drawn
    assert lead.post("/quality/samples/draw", {"month": "2026-13"}).status_code == 422
    worklist = inspector.ok("get", f"/quality/samples?inspector_id={inspector.id}&state=open")
    assert len(worklist) == load[inspector.id] and all(s["agent_name"] for s in worklist)

    # scoring a sample closes it; another inspector's sample is refused
    s = worklist[0]
    body = {"call_id": s["call_id"], "sample_id": s["id"], "items": _items(_form(inspector))}
    assert inspector2.post("/quality/evaluations", body).status_code == 403
    ev = inspector.ok("post", "/quality/evaluations", body, 201)
    assert ev["sample_id"] == s["id"]
    assert _count(inspector, f"/quality/samples?inspector_id={inspector.id}&state=open") == len(worklist) - 1
    assert inspector.post("/quality/evaluations", body).status_code == 409


def test_the_inspectors_are_the_active_qa_inspectors_and_supervisors(
    inspector: Api, lead: Api, manager: Api, agent: Api
) -> None:
    people = {p["id"]: p for p in manager.ok("get", "/quality/inspectors")}
    assert people[inspector.id]["qa_inspector"] is True and people[lead.id]["qa_inspector"] is False
    assert agent.id not in people and manager.id not in people
    assert agent.get("/quality/inspectors").status_code == 403


def test_an_inspector_who_is_also_an_agent_gets_no_sample_of_their_own_calls(pbx: Pbx, world: World) -> None:  # noqa: F811
    both = world.persona("senior", "agent", "qa_inspector")
    other = world.persona("inspector", "qa_inspector")
    lead = world.persona("lead", "supervisor")
    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    for _ in range(4):
        pbx.answered_call(CALLER, "senior", ring=5, talk=60)
    clock.set(datetime(2026, 12, 1, 2, 0, tzinfo=UTC))
    lead.ok("post", "/quality/samples/draw", {"month": MONTH})
    samples = lead.ok("get", f"/quality/samples?month={MONTH}")
    assert samples and both.id not in {s["inspector_id"] for s in samples}
    assert other.id in {s["inspector_id"] for s in samples}


def test_a_calibration_is_blind_until_scored_and_shows_the_spread_per_item(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    inspector: Api,
    inspector2: Api,
    lead: Api,
) -> None:
    call = _answered(pbx, agent)
    assert lead.post("/quality/calibrations", {"call_id": call, "inspector_ids": [inspector.id]}).status_code == 422
    assert (
        lead.post("/quality/calibrations", {"call_id": call, "inspector_ids": [inspector.id, agent.id]}).status_code
        == 422
    )
    cal = lead.ok(
        "post", "/quality/calibrations", {"call_id": call, "inspector_ids": [inspector.id, inspector2.id]}, 201
    )
    assert cal["blind"] is False and cal["spread"]["total"]["values"] == []  # the lead sees it all along
    form = _form(inspector)
    body = {"call_id": call, "calibration_id": cal["id"]}
    first = inspector.ok("post", "/quality/evaluations", {**body, "items": _items(form, opening=5)}, 201)
    seen = inspector2.ok("get", f"/quality/calibrations/{cal['id']}")
    assert (seen["blind"], seen["evaluations"], seen["spread"]) == (True, [], None)
    assert inspector2.get(f"/quality/evaluations/{first['id']}").status_code == 403  # not even by its id
    inspector2.ok("post", "/quality/evaluations", {**body, "items": _items(form, opening=10, speech=2)}, 201)
    assert inspector.post("/quality/evaluations", {**body, "items": _items(form)}).status_code == 409  # once each
    done = inspector2.ok("get", f"/quality/calibrations/{cal['id']}")
    assert done["blind"] is False and len(done["evaluations"]) == 2
    spread = {i["key"]: i for i in done["spread"]["items"]}
    assert (spread["opening"]["low"], spread["opening"]["high"], spread["opening"]["range"]) == (0, 5, 5)
    assert spread["speech"]["values"] == [10, 8] and spread["answer"]["range"] == 0
    assert done["spread"]["total"] == {
        "values": [95, 88],
        "low": 88,
        "high": 95,
        "mean": 91.5,
        "stdev": 3.5,
        "range": 7,
    }
    assert agent.ok("get", "/quality/evaluations") == []  # a calibration is not the agent's record
    assert agent.get(f"/quality/calibrations/{cal['id']}").status_code == 403


def test_qa_edits_the_thresholds_and_phrase_lists_and_chat_text_goes_through_the_same_rules(
    inspector: Api, agent: Api, admin: Api
) -> None:
    got = inspector.ok("get", "/quality/rules")
    fast = next(t for t in got["thresholds"] if t["key"] == "fast_cpm")
    assert fast["value"] == fast["default"] == 280
    assert any(p["kind"] == "forbidden" for p in got["phrases"])
    for values, why in (
        ({"fast_cpm": 1000}, "between"),
        ({"slow_cpm": 240, "fast_cpm": 200}, "below fast_cpm"),
        ({"nope": 1}, "not a threshold"),
    ):
        r = inspector.put("/quality/rules/thresholds", {"values": values})
        assert r.status_code == 422 and why in r.text, r.text
    assert agent.put("/quality/rules/thresholds", {"values": {"fast_cpm": 300}}).status_code == 403
    after = inspector.ok("put", "/quality/rules/thresholds", {"values": {"fast_cpm": 320, "dead_air_s": 8}})
    assert {t["key"]: t["value"] for t in after["thresholds"]}["fast_cpm"] == 320

    text = {"text": "您好，这个情况你自己去营业厅问吧。"}
    assert agent.ok("post", "/quality/phrases/check", {"text": "这个得问别的部门"})["hits"] is not None
    before = agent.ok("post", "/quality/phrases/check", text)["hits"]
    added = inspector.ok(
        "post", "/quality/phrases", {"kind": "shirking", "text": "自己去营业厅", "severity": "major"}, 201
    )
    assert (
        inspector.post(
            "/quality/phrases", {"kind": "shirking", "text": "自己去营业厅", "severity": "major"}
        ).status_code
        == 409
    )
    assert (
        inspector.post("/quality/phrases", {"kind": "shirking", "text": "，。", "severity": "major"}).status_code == 422
    )
    hits = agent.ok("post", "/quality/phrases/check", text)["hits"]
    new = [h for h in hits if h["phrase"] == "自己去营业厅"]
    assert (
        len(new) == 1 and new[0]["verdict"] == "hit" and text["text"][new[0]["start"] : new[0]["end"]] == "自己去营业厅"
    )
    inspector.ok("patch", f"/quality/phrases/{added['id']}", {"active": False})
    assert agent.ok("post", "/quality/phrases/check", text)["hits"] == before
    assert admin.ok("get", "/quality/rules")["phrases"]


def test_the_monthly_results_give_each_agent_their_qa_score_red_lines_and_trend(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    agent2: Api,
    inspector: Api,
    manager: Api,
) -> None:
    form = None
    for month, deduction in (
        (datetime(2026, 10, 12, 2, 0, tzinfo=UTC), 10),
        (datetime(2026, 11, 12, 2, 0, tzinfo=UTC), 0),
    ):
        clock.set(month)
        form = form or _form(inspector)
        call = _answered(pbx, agent)
        inspector.ok("post", "/quality/evaluations", {"call_id": call, "items": _items(form, answer=deduction)}, 201)
    call = _answered(pbx, agent)
    inspector.ok("post", "/quality/evaluations", {"call_id": call, "items": _items(form, quarrel=True)}, 201)
    rows = manager.ok("get", f"/quality/results?month={MONTH}")
    [mine] = [r for r in rows if r["agent_id"] == agent.id]
    assert (mine["qa_score"], mine["evaluations"], mine["red_lines"]) == (50, 2, 1)
    assert [t["qa_score"] for t in mine["trend"]][-2:] == [90, 50]
    assert [r["agent_id"] for r in agent.ok("get", f"/quality/results?month={MONTH}")] == [agent.id]
    assert agent.get(f"/quality/results?month={MONTH}&agent_id={agent2.id}").status_code == 403
    assert manager.get("/quality/results?month=2026-1").status_code == 422


def test_flagged_calls_are_sampled_worst_first_up_to_the_cap(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    inspector: Api,
    lead: Api,
    world: World,
) -> None:
    from huiyin.quality.models import CallAnalysis

    clock.set(datetime(2026, 11, 2, 2, 0, tzinfo=UTC))
    pks = [_answered(pbx, agent) for _ in range(4)]
    kinds = [["dead_air"], ["dead_air", "talk_over"], ["forbidden"], ["fast_speech"]]
    with world.db.session() as s:  # as the worker leaves them (the analysis itself: test_call_analysis.py)
        for pk, k in zip(pks, kinds, strict=True):
            s.add(CallAnalysis(call_id=pk, state="done", queued_at=clock.now(), kinds=k, flagged=True,
                               agent_id=agent.id, call_at=clock.now()))  # fmt: skip
    plan = lead.ok("get", "/quality/sampling-plan")
    lead.ok("put", "/quality/sampling-plan", {**plan, "per_agent": 0, "per_new_agent": 0, "flagged_cap": 2})
    assert lead.ok("post", "/quality/samples/draw", {"month": MONTH})["drawn"] == {"flagged": 2}
    drawn = {s["call_id"] for s in lead.ok("get", f"/quality/samples?month={MONTH}")}
    assert drawn == {pks[2], pks[1]}  # the forbidden phrase, then the most kinds of flag
    assert lead.ok("post", "/quality/samples/draw", {"month": MONTH})["drawn"] == {}  # the cap holds
