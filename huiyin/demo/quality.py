"""The demo city's quality inspection (质检), as the centre's QA team would have left it.

- A second inspector (``qa02``) beside the demo ``qa_inspector``.
- Recordings of this month's latest calls, stereo (agent left, customer right), synthesised here: voiced
  syllables at each speaker's pitch and pace, in turns; one agent talks fast, one call has a long silence, one
  agent talks over the customer, one raises their voice. Each is analysed as the worker would (the real
  analysis, not made-up figures) and given a transcript, one with a forbidden phrase, one with a shirking one.
- The sampling plan drawn for last month and this month, calls and the demo's written conversations (one a
  month per agent, and the red-line and unsatisfied ones); last month's samples all scored, this month's older
  ones; scores mostly in the 90s with a deduction or two, a red line now and then; appeals: last month's
  decided (some changed), two of this month's open; a calibration of last month with its spread.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
import soundfile as sf
from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import User, UserRole
from huiyin.calls.models import Call
from huiyin.channels import queries as conversations
from huiyin.demo import city
from huiyin.quality import evaluations as ev
from huiyin.quality import forms, jobs, sampling, service
from huiyin.quality.models import QaSample
from huiyin.settings import Settings
from huiyin.storage import make_storage

RATE = 8000
Turn = tuple[str, float, float, float]  # who, start, seconds, syllables per second

AGENT_LINES = [
    "您好，很高兴为您服务，请问有什么可以帮您？",
    "好的，请您提供一下户号，我帮您查询。",
    "您家所在片区今天上午有计划停气检修，预计下午三点恢复。",
    "我已经为您登记了报修，维修人员会在两小时内联系您。",
    "请问还有其他可以帮您的吗？感谢您的来电，再见。",
]
CUSTOMER_LINES = [
    "我家从早上开始就没有气了。",
    "户号是三一零零零零零零二三。",
    "那什么时候能恢复啊，家里老人要做饭。",
    "好的，谢谢。",
    "没有了，再见。",
]
# (the kind of call, what the agent says in place of one line) — each demo call is one of these
KINDS: list[tuple[str, dict[int, str]]] = [
    ("normal", {}),
    ("fast", {}),
    ("dead_air", {2: "请稍等，我查一下。"}),
    ("talk_over", {}),
    ("forbidden", {3: "不知道，你自己去营业厅问吧。"}),
    ("loud", {}),
    ("shirking", {3: "这不归我们管，您打别的电话吧。"}),
    ("normal", {}),
    ("normal", {}),
    ("fast", {}),
]


def _syllables(rng: random.Random, seconds: float, f0: float, pace: float) -> npt.NDArray[np.float64]:
    """Voiced syllables (five harmonics of a gently moving pitch, each under a Hann window) at ``pace`` a second."""
    n = int(seconds * RATE)
    out = np.zeros(n)
    pos = 0.0
    while pos < seconds - 0.15:
        dur = rng.uniform(0.13, 0.2)
        a, b = int(pos * RATE), min(n, int((pos + dur) * RATE))
        t = np.arange(b - a) / RATE
        pitch = f0 * (1 + 0.1 * np.sin(2 * np.pi * rng.uniform(1, 3) * t + rng.uniform(0, 6)))
        phase = 2 * np.pi * np.cumsum(pitch) / RATE
        wave = sum(np.sin(k * phase) / k for k in range(1, 6))
        out[a:b] += wave * np.hanning(b - a) * rng.uniform(0.6, 1.0)
        pos += rng.uniform(0.85, 1.15) / pace
    return out


def _turns(rng: random.Random, kind: str) -> list[Turn]:
    """Five exchanges: the agent, then the customer, with the kind's twist."""
    pace = 5.6 if kind == "fast" else rng.uniform(3.6, 4.3)
    turns: list[Turn] = []
    t = 0.6
    for i in range(5):
        a_len = rng.uniform(3.0, 5.5)
        turns.append(("agent", t, a_len, pace))
        t += a_len + rng.uniform(0.4, 1.0)
        if kind == "dead_air" and i == 2:
            t += 9.0  # the agent looks something up without a word
        c_len = rng.uniform(2.0, 4.0)
        turns.append(("customer", t, c_len, rng.uniform(3.4, 4.4)))
        t += c_len + rng.uniform(0.4, 0.9)
        if kind == "talk_over" and i == 1:
            t -= 2.2  # the agent's next turn starts before the customer has finished
    return turns


def _recording(rng: random.Random, kind: str) -> tuple[bytes, list[Turn]]:
    turns = _turns(rng, kind)
    seconds = max(start + length for _, start, length, _ in turns) + 1.0
    left, right = np.zeros(int(seconds * RATE)), np.zeros(int(seconds * RATE))
    f0_agent, f0_customer = rng.uniform(190, 240), rng.uniform(110, 140)
    for n, (who, start, length, pace) in enumerate(turns):
        voice = _syllables(rng, length, f0_agent if who == "agent" else f0_customer, pace)
        level = 0.12 * (3.5 if kind == "loud" and n == 4 else 1.0)  # the agent's third turn shouted
        a = int(start * RATE)
        (left if who == "agent" else right)[a : a + voice.size] += voice * level
    noise = np.random.default_rng(rng.randrange(2**32)).normal(0, 0.002, (left.size, 2))  # line hiss
    stereo = np.clip(np.stack([left, right], axis=1) + noise, -1, 1)
    buf = io.BytesIO()
    sf.write(buf, stereo, RATE, subtype="PCM_16", format="WAV")
    return buf.getvalue(), turns


def _transcript(turns: Sequence[Turn], lines: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for n, (who, start, length, _) in enumerate(turns):
        i = n // 2
        text = lines.get(i, AGENT_LINES[i]) if who == "agent" else CUSTOMER_LINES[i]
        out.append({"channel": who, "start": round(start, 2), "end": round(start + length, 2), "text": text})
    return out


def _recordings(s: Session, rng: random.Random, now: datetime, settings: Settings) -> int:
    storage = make_storage(settings)
    latest = list(
        s.scalars(
            select(Call)
            .where(
                Call.agent_id.is_not(None), Call.answered_at.is_not(None), Call.answered_at < now - timedelta(hours=2)
            )
            .order_by(Call.answered_at.desc())
            .limit(len(KINDS))
        )
    )
    for call, (kind, lines) in zip(latest, KINDS, strict=False):
        data, turns = _recording(rng, kind)
        call.recording_key = f"recordings/{call.id}/demo-{kind}.wav"
        call.recording_type = "audio/wav"
        storage.put(call.recording_key, data, "audio/wav")
        service.on_recorded(s, call, now)
        service.do_transcript(s, call, _transcript(turns, lines), now)
    s.flush()
    claimed = jobs.claim(s, now, len(latest))
    jobs.finish(s, [jobs.analyse_one(storage, c) for c in claimed], now)
    return len(latest)


def _score(
    s: Session, rng: random.Random, inspector: User, contact: ev.Contact, sample: QaSample | None, at: datetime, tz: str
) -> Any:
    form = forms.current_form(s, contact.kind, at)
    given = []
    for item in forms.items_of(form):
        if item["red_line"]:
            given.append({"key": item["key"], "violated": rng.random() < 0.004})
        else:
            r = rng.random()
            steps = item["steps"]
            deduction = steps[0] if r < 0.07 else steps[min(1, len(steps) - 1)] if r < 0.085 else 0
            given.append({"key": item["key"], "deduction": deduction, "note": "" if not deduction else "见批注"})
    scored = ev.check_scoring(form, given)
    said = "此处语速偏快，注意放慢" if contact.call_pk else "此条回复可更简洁，先答客户所问"
    comments = [{"at": round(rng.uniform(5, 40), 1), "text": said}] if scored[1] < 100 else []
    return ev.do_evaluate(
        s, inspector, contact, form, scored, comments=comments, summary="", sample=sample,
        calibration=None,
        at=at, tz_name=tz, appeal_days=5,
    )  # fmt: skip


def build_quality(s: Session, rng: random.Random, now: datetime, settings: Settings) -> str:
    tz = settings.timezone
    qa = s.scalar(select(User).where(User.username == "qa_inspector"))
    lead = s.scalar(select(User).where(User.username == "supervisor"))
    assert qa is not None and lead is not None
    qa2 = User(username="qa02", full_name=city.staff_name(random.Random(11)), password_hash=qa.password_hash)
    s.add(qa2)
    s.flush()
    s.add(UserRole(user_id=qa2.id, role="qa_inspector"))
    s.flush()
    s.refresh(qa2)
    inspectors = {qa.id: qa, qa2.id: qa2}
    recorded = _recordings(s, rng, now, settings)

    local = now.astimezone(ZoneInfo(tz))
    this_month = local.strftime("%Y-%m")
    last_month = (local.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
    _, last_end, _, _ = sampling.month_window(last_month, tz)
    # the demo's agents are no new starters; a week of conversations: one a month per agent
    plan = {**sampling.plan(s), "per_agent": 8, "new_agent_months": 1, "chats_per_agent": 1}
    sampling.do_set_plan(s, plan, lead.id, now - timedelta(days=60))
    sampling.do_draw(s, last_month, last_end - timedelta(minutes=1), tz)
    sampling.do_draw(s, this_month, now, tz)
    scored = 0
    appealable = []
    samples = list(s.scalars(select(QaSample).order_by(QaSample.id)))
    talks = conversations.conversation_facts(s, [x.conversation_id for x in samples if x.conversation_id])
    chats = 0
    for sample in samples:
        if sample.conversation_id is not None:  # a conversation, read as quality reads it
            facts = talks[sample.conversation_id]
            assert facts.closed_at is not None
            contact, at = ev.chat_contact(facts), facts.closed_at + timedelta(days=rng.uniform(0.3, 2))
        else:
            call = s.get(Call, sample.call_pk)
            assert call is not None and call.answered_at is not None
            contact, at = ev.call_contact(call), call.answered_at + timedelta(days=rng.uniform(0.5, 3))
        if sample.month == last_month:
            at = min(at, last_end - timedelta(hours=rng.uniform(1, 20)))
        elif at > now - timedelta(hours=6):
            continue  # this month's latest samples wait for their inspector
        evaluation = _score(s, rng, inspectors[sample.inspector_id], contact, sample, at, tz)
        chats += contact.conversation_id is not None
        scored += 1
        if evaluation.score < 100:
            appealable.append(evaluation)
    appeals, opened = 0, 0
    for evaluation in appealable:
        recent = evaluation.month == this_month
        if (recent and opened >= 2) or (not recent and appeals - opened >= 5) or rng.random() > 0.3:
            continue
        items = [
            {"key": i["key"], "reason": "通话中已按规范操作，请复听录音"}
            for i in evaluation.items
            if i["deduction"] or i["violated"]
        ][:1]
        appeal = ev.do_appeal(
            s, evaluation, items, min(evaluation.created_at + timedelta(days=1), now - timedelta(hours=1))
        )
        appeals += 1
        if recent:
            opened += 1
            continue  # this month's left open for the lead
        form = forms.get_form(s, evaluation.form_id)
        key = items[0]["key"]
        changed = [{"key": key, "deduction": 0}] if rng.random() < 0.5 else []
        decided = ev.check_decide(lead, appeal, evaluation, form, changed)
        note = "复听录音，申诉成立" if changed else "复听录音，扣分无误，维持原评分"
        ev.do_decide(s, lead, appeal, evaluation, decided, note, appeal.created_at + timedelta(days=1))
    # a calibration of last month: both inspectors scored the same call blind
    done = s.scalar(
        select(QaSample)
        .where(QaSample.month == last_month, QaSample.state == "done", QaSample.call_pk.is_not(None))
        .order_by(QaSample.id)
        .limit(1)
    )
    if done is not None:
        call = s.get(Call, done.call_pk)
        assert call is not None
        form = forms.current_form(s, ev.contact_kind(call), now)
        cal = ev.do_calibrate(
            s, lead, call, form, sorted(inspectors), "月度校准：呼入报修", last_end - timedelta(days=3)
        )
        for inspector in inspectors.values():
            given = [
                {"key": i["key"], "deduction": rng.choice([0, 0, i["steps"][0]])}
                if not i["red_line"]
                else {"key": i["key"]}
                for i in forms.items_of(form)
            ]
            ev.do_evaluate(
                s, inspector, ev.call_contact(call), form, ev.check_scoring(form, given), comments=[], summary="",
                sample=None,
                calibration=cal, at=last_end - timedelta(days=2), tz_name=tz, appeal_days=5,
            )  # fmt: skip
    s.flush()
    return f"{recorded} recordings analysed, {scored} evaluations ({chats} of conversations), {appeals} appeals"
