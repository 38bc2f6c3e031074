"""Bulk SMS to customers (an outage's notice, a one-to-many announcement): many messages queued in one
statement, spread over time at the gateway's rate, skipping numbers that opted out.

Rate without a second queue: a batch's rows get ``due_at`` one gateway slot apart, after the lane's tail
(``SmsLane``), so the worker's usual claim (due rows, earliest first) sends them at that rate, campaign after
campaign, while any other message (due now) is claimed before the bulk rows not yet due: a notice to a
hundred thousand customers never holds up a dispatch SMS.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.fastsql import bulk_insert
from huiyin.notify.models import OutboxMessage, SmsLane, SmsOptOut

LANE = "bulk"
CHUNK = 5_000  # numbers or keys per look-up


@dataclass(frozen=True)
class BulkSms:
    to: str
    text: str
    key: str  # the outbox's dedupe key: a retried batch queues nothing twice


@dataclass(frozen=True)
class Queued:
    queued: int
    opted_out: int
    duplicate: int
    last_due: datetime | None


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), CHUNK):
        yield items[i : i + CHUNK]


def opted_out(session: Session, phones: Iterable[str]) -> set[str]:
    numbers = sorted(set(phones))
    found: set[str] = set()
    for part in _chunks(numbers):
        found.update(session.scalars(select(SmsOptOut.phone).where(SmsOptOut.phone.in_(part))))
    return found


def _queued_keys(session: Session, keys: Sequence[str]) -> set[str]:
    found: set[str] = set()
    for part in _chunks(keys):
        found.update(session.scalars(select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(part))))
    return found


def do_queue_bulk_sms(
    session: Session,
    messages: Sequence[BulkSms],
    *,
    kind: str,
    batch: str,
    per_second: float,
    at: datetime | None = None,
    fresh: bool = False,
) -> Queued:
    """Queues ``messages`` in the bulk lane at ``per_second``: one row each, in one statement, except for
    numbers that opted out and keys queued before; ``batch`` names the send (``delivery_counts``). Locks the
    lane (one batch at a time). ``fresh``: the caller knows none of these keys was queued before (a batch past
    its own cursor, written in the same transaction as the cursor), so they are not looked up."""
    at = at or now()
    lane = session.get(SmsLane, LANE, with_for_update=True)
    if lane is None:
        lane = SmsLane(name=LANE, tail_at=at)
        session.add(lane)
    out = opted_out(session, (m.to for m in messages))
    seen = set() if fresh else _queued_keys(session, [m.key for m in messages])
    keep: list[BulkSms] = []
    keys: set[str] = set()
    for m in messages:
        if m.to not in out and m.key not in seen and m.key not in keys:
            keys.add(m.key)
            keep.append(m)
    start = max(lane.tail_at, at)
    step = 1.0 / per_second
    dues = [start + timedelta(seconds=i * step) for i in range(len(keep))]
    rows = [
        {
            "channel": "sms",
            "notification_id": None,
            "address": m.to,
            "payload": {"text": m.text, "kind": kind},
            "dedupe_key": m.key,
            "status": "pending",
            "due_at": dues[i],
            "attempts": 0,
            "created_at": at,
            "batch": batch,
        }
        for i, m in enumerate(keep)
    ]
    bulk_insert(session, OutboxMessage, rows)
    last = dues[-1] if dues else None
    if last is not None:
        lane.tail_at = last + timedelta(seconds=step)
        session.info["outbox_wake"] = True
    dup = sum(1 for m in messages if m.key in seen)
    return Queued(len(keep), sum(1 for m in messages if m.to in out), dup, last)


_OPT_OUT = re.compile(r"^(TD|T|N|退订|取消|停止)$")


def is_opt_out(text: str) -> bool:
    """A reply that asks for no more notices: "TD", "T", "N", 退订 (full-width and lower case too)."""
    plain = unicodedata.normalize("NFKC", text).strip().upper().rstrip("。.!！")
    return bool(_OPT_OUT.match(plain))


def do_opt_out(session: Session, phone: str, source: str, at: datetime | None = None) -> bool:
    """Records the number's opt-out; False when it had opted out already."""
    if session.get(SmsOptOut, phone) is not None:
        return False
    session.add(SmsOptOut(phone=phone, at=at or now(), source=source))
    return True


def do_opt_in(session: Session, phone: str) -> bool:
    row = session.get(SmsOptOut, phone)
    if row is None:
        return False
    session.delete(row)
    return True


def delivery_counts(session: Session, batches: Sequence[str]) -> dict[str, int]:
    """How the outbox rows of these bulk sends stand: pending, delivered, failed, skipped (by status)."""
    if not batches:
        return {}
    rows = session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.batch.in_(list(batches)))
        .group_by(OutboxMessage.status)
    ).all()
    return {str(s): int(n) for s, n in rows}
