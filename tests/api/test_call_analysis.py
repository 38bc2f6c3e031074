"""Issue 17's API contract for the automatic analysis: a stored recording queues its call, the worker measures it
(speech, loudness, dead air, talk-over), a transcript adds the agent's phrase flags with their times; an
unreadable file is marked with the reason and does not block the queue; bad input changes nothing."""

from __future__ import annotations

import io
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import soundfile as sf

from huiyin.clock import now
from huiyin.quality.transcribe import FakeTranscriber
from huiyin.settings import Settings
from huiyin.worker import Worker
from tests.api.test_cti import CALLER, integration, pbx  # noqa: F401 (fixtures)
from tests.audio_fixtures import ESPEAK, MISSING_ESPEAK, build_call
from tests.pbx import Pbx
from tests.personas import Api, World

needs_espeak = pytest.mark.skipif(ESPEAK is None, reason=MISSING_ESPEAK)


def _call(pbx: Pbx, agent: Api) -> int:  # noqa: F811
    call_id = pbx.answered_call(CALLER, "agent", ring=5, talk=60)
    items = agent.ok("get", "/calls?page_size=50")["items"]
    return int(next(c["id"] for c in items if c["call_id"] == call_id))


def _wav() -> bytes:
    """Agent greets, the customer answers, then ten seconds of nothing (dead air), then the agent again."""
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


def _upload(api: Api, call: int, data: bytes) -> None:
    r = api.post(f"/calls/{call}/recording", files={"file": ("录音.wav", data, "audio/wav")})
    assert r.status_code == 200, r.text


def _analysis(api: Api, call: int, status: int = 200) -> Any:
    r = api.get(f"/calls/{call}/analysis")
    assert r.status_code == status, r.text
    return r.json()


@needs_espeak
def test_a_stored_recording_is_measured_by_the_worker_and_a_transcript_adds_the_agents_phrases(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
    world: World,
    settings: Settings,
) -> None:
    call = _call(pbx, agent)
    _analysis(agent, call, 404)  # nothing recorded yet
    _upload(agent, call, _wav())
    assert _analysis(agent, call)["state"] == "pending"
    worker = Worker(world.db, settings)
    assert worker.tick().analysed == 1
    done = _analysis(manager, call)
    assert done["state"] == "done" and done["reason"] is None
    assert set(done["channels"]) == {"agent", "customer"}
    assert done["channels"]["agent"]["speech_seconds"] > 3 and done["channels"]["customer"]["speech_seconds"] > 1
    [gap] = done["dead_air"]
    assert gap["end"] == pytest.approx(18.0, abs=0.3) and gap["end"] - gap["start"] > 5
    assert any(f["kind"] == "dead_air" for f in done["flags"])
    assert 0 < done["talk_ratio"] < 1

    segments = [
        {"channel": "agent", "start": 0.5, "end": 4.0, "text": "您好，这里是燃气服务热线，请问有什么可以帮您？"},
        {"channel": "customer", "start": 4.5, "end": 7.0, "text": "这不归我管吧？"},  # the customer's: no flag
        {"channel": "agent", "start": 18.0, "end": 22.0, "text": "这 不归我管，你去投诉吧"},
    ]
    after = manager.ok("post", f"/calls/{call}/transcript", {"segments": segments})
    phrases = [f for f in after["flags"] if f.get("verdict")]
    assert {f["value"] for f in phrases} == {"这不归我管", "你去投诉吧"}  # through the space and the comma
    assert all(18.0 <= f["start"] <= f["end"] <= 22.0 for f in phrases)
    assert after["transcript"][1]["text"] == "这不归我管吧？"
    assert any(f["kind"] == "dead_air" for f in after["flags"])  # the recording's flags are kept beside them


def test_an_unreadable_recording_is_marked_with_its_reason_and_the_queue_goes_on(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    world: World,
    settings: Settings,
) -> None:
    broken, fine = _call(pbx, agent), _call(pbx, agent)
    _upload(agent, broken, b"RIFF" + (1000).to_bytes(4, "little") + b"WAVE" + b"\x07" * 992)  # a header, no audio
    tone = io.BytesIO()
    sf.write(tone, [[0.1, 0.1]] * 16000, 8000, subtype="PCM_16", format="WAV")  # two seconds of a quiet DC hum
    _upload(agent, fine, tone.getvalue())
    worker = Worker(world.db, settings)
    while worker.tick().analysed:
        pass
    bad = _analysis(agent, broken)
    assert bad["state"] == "unreadable" and bad["reason"] and bad["channels"] is None
    assert _analysis(agent, fine)["state"] == "done"
    _upload(agent, broken, tone.getvalue())  # a recording stored again is analysed again
    assert _analysis(agent, broken)["state"] == "pending"
    assert worker.tick().analysed == 1 and _analysis(agent, broken)["state"] == "done"


def test_bad_transcripts_are_refused_and_an_agent_cannot_post_one(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    manager: Api,
) -> None:
    call = _call(pbx, agent)
    seg = {"channel": "agent", "start": 5.0, "end": 2.0, "text": "不知道"}
    r = manager.post(f"/calls/{call}/transcript", json={"segments": [seg]})
    assert r.status_code == 422 and "segment" in r.text
    r = manager.post(f"/calls/{call}/transcript", json={"segments": [{**seg, "channel": "robot", "end": 6}]})
    assert r.status_code == 422
    _analysis(agent, call, 404)  # nothing stored by the refusals
    assert agent.post(f"/calls/{call}/transcript", json={"segments": []}).status_code == 403
    assert manager.post("/calls/999999/transcript", json={"segments": []}).status_code == 404
    # a transcript alone (no recording): its flags, nothing queued
    only = manager.ok("post", f"/calls/{call}/transcript", {"segments": [{**seg, "end": 6.0}]})
    assert only["state"] == "done" and only["channels"] is None
    flags = {f["kind"]: f["verdict"] for f in only["flags"]}
    assert flags.pop("missing_opening") is None and flags.pop("missing_closing") is None  # no greeting, no goodbye
    assert list(flags.values()) == ["hit"]


@needs_espeak
def test_qas_thresholds_and_a_local_recogniser_shape_the_next_analysis_and_a_flagged_call_is_sampled(
    pbx: Pbx,  # noqa: F811
    agent: Api,
    world: World,
    settings: Settings,
) -> None:
    lead = world.persona("lead", "supervisor")
    call = _call(pbx, agent)
    _upload(agent, call, _wav())
    lead.ok("put", "/quality/rules/thresholds", {"values": {"dead_air_s": 20}})  # the 13 s gap is no longer one
    plan = lead.ok("get", "/quality/sampling-plan")
    lead.ok("put", "/quality/sampling-plan", {**plan, "per_agent": 0, "per_new_agent": 0})  # forced samples only
    worker = Worker(world.db, settings)
    # the admin's recogniser (a fake that answers as a real engine would: one text per stretch of speech)
    worker.transcriber = FakeTranscriber(["您好这里是燃气服务热线", "不知道，你去投诉吧"])
    assert worker.tick().analysed == 1
    done = _analysis(agent, call)
    assert not any(f["kind"] == "dead_air" for f in done["flags"]) and len(done["dead_air"]) == 0
    said = [s for s in done["transcript"] if s["channel"] == "agent"]
    assert [s["text"] for s in said] == ["您好这里是燃气服务热线", "不知道，你去投诉吧"]
    assert said[1]["start"] == pytest.approx(18.0, abs=0.3)  # timed to the speech in the file
    hits = {f["value"] for f in done["flags"] if f.get("verdict") == "hit"}
    assert {"不知道", "你去投诉吧"} <= hits
    # the workbench's suggestions: the red line for the forbidden phrase, a deduction for the shirking one
    suggested = {x["key"]: x for x in lead.ok("get", f"/quality/contacts/{call}")["suggestions"]}
    assert suggested["forbidden"]["violated"] is True and suggested["forbidden"]["because"] == ["forbidden"]
    assert (suggested["attitude"]["deduction"], suggested["attitude"]["because"]) == (2, ["shirking"])
    assert "silence" not in suggested  # the dead air is not one at QA's 20 s
    # the forbidden phrase makes it a forced sample (the worker's draw, before the analysis, had nothing to take)
    month = now().astimezone(ZoneInfo("Asia/Shanghai")).strftime("%Y-%m")
    assert lead.ok("post", "/quality/samples/draw", {"month": month})["drawn"] == {"flagged": 1}
