"""The analysis queue: a stored recording queues its call (``on_recorded``, subscribed in ``huiyin/wiring.py``),
the worker analyses it (``jobs``), the API reads it (``analysis_of``) and adds a transcript's phrase flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.errors import NotFound
from huiyin.quality import phrases, rules
from huiyin.quality.models import CallAnalysis


def on_recorded(session: Session, call: Call, at: datetime) -> None:
    """Queues the call's new recording for analysis (a recording stored again is analysed again)."""
    assert call.recording_key is not None
    row = session.scalar(select(CallAnalysis).where(CallAnalysis.call_id == call.id).with_for_update())
    if row is None:
        row = CallAnalysis(call_id=call.id, recording_key=call.recording_key, queued_at=at, attempts=0)
        session.add(row)
    row.recording_key, row.state, row.reason, row.result = call.recording_key, "pending", None, None
    row.queued_at, row.analysed_at, row.attempts, row.cpu_ms, row.leased_until = at, None, 0, None, None
    row.agent_id, row.call_at = call.agent_id, call.answered_at or call.offered_at
    mark(row)


def analysis_of(session: Session, call_id: int) -> CallAnalysis:
    row = session.scalar(select(CallAnalysis).where(CallAnalysis.call_id == call_id))
    if row is None:
        raise NotFound(f"call {call_id} has no recording analysed or queued", code="quality.no_analysis")
    return row


def public(row: CallAnalysis) -> dict[str, Any]:
    """The API's shape: the state, and once done the measurements and every flag (the recording's and the
    transcript's, by their start)."""
    out: dict[str, Any] = {"state": row.state, "reason": row.reason, "analysed_at": row.analysed_at}
    result = row.result or {}
    for key in ("channels", "dead_air", "talk_over", "talk_ratio"):
        out[key] = result.get(key)
    text = (row.transcript or {}).get("flags", [])
    flags = [*result.get("flags", []), *text]
    out["flags"] = sorted(flags, key=lambda f: (f.get("start") or 0, f.get("kind", "")))
    out["transcript"] = (row.transcript or {}).get("segments")
    return out


def do_transcript(session: Session, call: Call, segments: list[dict[str, Any]], at: datetime) -> CallAnalysis:
    """Keeps a call's transcript (replacing an earlier one) and its phrase flags (``phrases.scan_segments``:
    the agent's forbidden and shirking phrases, hits and hints, timed). A call without a recording gets a row
    of its own, with nothing queued."""
    row = session.scalar(select(CallAnalysis).where(CallAnalysis.call_id == call.id).with_for_update())
    if row is None:
        row = CallAnalysis(call_id=call.id, recording_key=None, state="done", queued_at=at, attempts=0)
        session.add(row)
    row.agent_id, row.call_at = call.agent_id, call.answered_at or call.offered_at
    row.transcript = {**transcript_of(segments, rules.phrase_rules(session), at), "source": "api"}
    mark(row)
    session.flush()
    return row


def transcript_of(segments: list[dict[str, Any]], ruleset: phrases.RuleSet, at: datetime) -> dict[str, Any]:
    """A transcript as kept: its segments, and its flags: the agent's judged phrases (hits and hints), and a
    missing standard opening or closing (``phrases.standard_presence``)."""
    flags = [f for f in phrases.scan_segments(segments, ruleset) if f["kind"] in phrases.JUDGED_KINDS]
    agent = [s for s in segments if s.get("channel") == "agent" and str(s.get("text") or "").strip()]
    if agent:
        said = phrases.standard_presence(agent, ruleset)
        first = min(float(s["start"]) for s in agent)
        last = max(float(s["end"]) for s in agent)
        if not said.opening.said:
            flags.append(_missing("missing_opening", first, min(last, first + 15)))
        if not said.closing.said:
            flags.append(_missing("missing_closing", max(first, last - 15), last))
    flags.sort(key=lambda f: (f["start"], f["end"], f["kind"]))
    return {"segments": segments, "flags": flags, "at": at.isoformat()}


def _missing(kind: str, start: float, end: float) -> dict[str, Any]:
    return {
        "kind": kind,
        "start": round(start, 3),
        "end": round(end, 3),
        "value": None,
        "severity": "minor",
        "verdict": None,
    }


def mark(row: CallAnalysis) -> None:
    """The row's summary for sampling and the monthly rates: the kinds of flag present (a phrase's hints
    not counted), and whether it is flagged for inspection (a high-severity flag, or a phrase hit of
    severity red_line or major)."""
    result_flags = (row.result or {}).get("flags", [])
    text_flags = [f for f in (row.transcript or {}).get("flags", []) if f.get("verdict") in (None, "hit")]
    every = [*result_flags, *text_flags]
    row.kinds = sorted({str(f["kind"]) for f in every})
    row.flagged = any(f.get("severity") in ("high", "red_line", "major") for f in every)


def find_analysis(session: Session, call_id: int) -> CallAnalysis | None:
    return session.scalar(select(CallAnalysis).where(CallAnalysis.call_id == call_id))


def kinds_of(session: Session, call_ids: list[int]) -> dict[int, list[str]]:
    """The kinds of flag on each call's analysis."""
    if not call_ids:
        return {}
    stmt = select(CallAnalysis.call_id, CallAnalysis.kinds).where(CallAnalysis.call_id.in_(call_ids))
    return {cid: list(kinds or []) for cid, kinds in session.execute(stmt)}


def severities(ruleset: phrases.RuleSet) -> dict[tuple[str, str], str]:
    """(kind, phrase) → severity, for a text's hits."""
    out: dict[tuple[str, str], str] = {}
    for _, group in (*ruleset.plain, *ruleset.patterns):
        for r in group:
            out.setdefault((r.kind, r.text), r.severity)
    return out
