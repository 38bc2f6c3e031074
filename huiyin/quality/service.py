"""The analysis queue: a stored recording queues its call (``on_recorded``, subscribed in ``huiyin/wiring.py``),
the worker analyses it (``jobs``), the API reads it (``analysis_of``) and adds a transcript's phrase flags."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.errors import NotFound
from huiyin.quality import phrases
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


def analysis_of(session: Session, call_id: int) -> CallAnalysis:
    row = session.scalar(select(CallAnalysis).where(CallAnalysis.call_id == call_id))
    if row is None:
        raise NotFound(f"call {call_id} has no recording analysed or queued")
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
    row.transcript = {"segments": segments, "flags": phrases.scan_segments(segments), "at": at.isoformat()}
    session.flush()
    return row
