"""The analysis worker: claims queued recordings (a lease, so that a worker that dies hands them back), analyses
each outside any transaction (seconds of CPU: no lock held, the queue not blocked), and stores the result. A
recording that cannot be read is marked ``unreadable`` with the reason; one whose analysis fails for another
reason is tried again, and marked unreadable after ``MAX_ATTEMPTS``. Thin loops over the database."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.db import Database
from huiyin.quality import limits, rules, service
from huiyin.quality.models import CallAnalysis
from huiyin.storage.base import BlobNotFound, Storage

if TYPE_CHECKING:
    from huiyin.quality.transcribe import Transcriber

log = logging.getLogger("huiyin.quality")
LEASE = timedelta(minutes=10)
MAX_ATTEMPTS = 3
LIMITS, DEFAULT_RULES = limits.Limits(), limits.Rules()


@dataclass(frozen=True)
class Claimed:
    id: int
    recording_key: str
    attempts: int
    rules: limits.Rules = DEFAULT_RULES  # QA's thresholds when claimed (``rules.audio_rules``)


@dataclass(frozen=True)
class Outcome:
    id: int
    recording_key: str
    result: dict[str, Any] | None  # None: not analysed
    reason: str | None  # why unreadable (``result`` None and a reason: final)
    cpu_ms: int
    retry: bool = False  # failed for a reason that may pass
    transcript: list[dict[str, Any]] | None = None  # the local recogniser's, when one is set up


def claim(session: Session, at: datetime, limit: int) -> list[Claimed]:
    """The oldest queued recordings not leased to another worker, leased to this one."""
    stmt = (
        select(CallAnalysis)
        .where(
            CallAnalysis.state == "pending",
            CallAnalysis.recording_key.is_not(None),
            or_(CallAnalysis.leased_until.is_(None), CallAnalysis.leased_until <= at),
        )
        .order_by(CallAnalysis.queued_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    out = []
    thresholds = None
    for row in session.scalars(stmt):
        thresholds = thresholds or rules.audio_rules(session)
        row.attempts += 1
        row.leased_until = at + LEASE
        assert row.recording_key is not None
        out.append(Claimed(row.id, row.recording_key, row.attempts, thresholds))
    return out


def analyse_one(
    storage: Storage, c: Claimed, within: limits.Limits = LIMITS, transcriber: Transcriber | None = None
) -> Outcome:
    from huiyin.quality import audio  # numpy and scipy: imported by the first analysis, not by the server's start
    from huiyin.quality.transcribe import transcribe_recording

    started = time.process_time()
    try:
        data = storage.get(c.recording_key)
        result = audio.analyse(data, rules=c.rules, limits=within).to_dict()
        result["rules"] = {k: getattr(c.rules, k) for k in rules.THRESHOLDS}
        segments = None
        if transcriber is not None:
            try:
                segments = transcribe_recording(transcriber, data, within)
            except Exception:  # the recogniser's failure loses the transcript, not the measurements
                log.exception("transcribing recording %s failed", c.recording_key)
        return Outcome(c.id, c.recording_key, result, None, _ms(started), transcript=segments)
    except audio.Unreadable as exc:
        return Outcome(c.id, c.recording_key, None, exc.reason, _ms(started))
    except BlobNotFound:
        return Outcome(c.id, c.recording_key, None, "the recording is missing from storage", _ms(started))
    except Exception as exc:  # a bug or a resource limit: logged, tried again, then given up with its reason
        log.exception("analysing recording %s failed", c.recording_key)
        final = c.attempts >= MAX_ATTEMPTS
        reason = f"the analysis failed {c.attempts} times: {type(exc).__name__}: {exc}"[:500]
        return Outcome(c.id, c.recording_key, None, reason if final else None, _ms(started), retry=not final)


def _ms(started: float) -> int:
    return round((time.process_time() - started) * 1000)


def finish(session: Session, outcomes: list[Outcome], at: datetime) -> None:
    """Stores the outcomes, unless the call's recording was replaced meanwhile (queued again: analysed again)."""
    for o in outcomes:
        row = session.get(CallAnalysis, o.id, with_for_update=True)
        if row is None or row.recording_key != o.recording_key or row.state != "pending":
            continue
        row.leased_until = None
        if o.retry:
            continue
        row.state = "done" if o.result is not None else "unreadable"
        row.result, row.reason, row.analysed_at, row.cpu_ms = o.result, o.reason, at, o.cpu_ms
        if o.transcript is not None and (row.transcript or {}).get("source") != "api":
            row.transcript = {**service.transcript_of(o.transcript, rules.phrase_rules(session), at), "source": "local"}
        service.mark(row)


def do_batch(db: Database, storage: Storage, limit: int) -> int:
    """One batch: claim, analyse, store; the number analysed (or given up)."""
    with db.session() as s:
        claimed = claim(s, now(), limit)
    if not claimed:
        return 0
    outcomes = [analyse_one(storage, c) for c in claimed]
    with db.session() as s:
        finish(s, outcomes, now())
    return sum(not o.retry for o in outcomes)
