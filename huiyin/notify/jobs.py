"""The outbox worker's two halves: claim due deliveries (one short transaction), then record how each went
(another). Sending happens between them, outside any transaction and any lock.

Claiming takes pending rows whose ``due_at`` has come with ``FOR UPDATE SKIP LOCKED`` (so workers side by
side never take the same row) and pushes ``due_at`` one lease ahead: a worker killed while sending leaves
its rows to come due again, and another worker sends them again (at least once; receivers deduplicate by
key). In-app messages need no sending: claiming publishes them (PostgreSQL NOTIFY, sent on commit) and
marks them delivered in the same transaction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Integer, any_, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from huiyin.core.fastsql import bulk_update
from huiyin.notify.models import Notification, OutboxMessage
from huiyin.notify.service import notification_data, publish_many
from huiyin.settings import NotifySettings
from huiyin.workorders.service import dispatches_superseded, ids_past_dispatch


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    address: str
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    error: str | None = None
    permanent: bool = False
    attempt: int = 0  # the claim's attempt number: a late answer to an older claim changes nothing
    skipped: bool = False  # the channel is not configured here: nothing to send, nothing to retry


@dataclass(slots=True)
class _Row:
    """A claimed outbox row, as plain values."""

    id: int
    channel: str
    notification_id: int | None
    address: str
    dedupe_key: str
    payload: dict[str, Any]
    unless_acked: str | None
    attempts: int


def _moved_on(session: Session, rows: list[_Row]) -> set[int]:
    """Renotify rows whose group someone acknowledged, or whose order is no longer waiting for the unit (it
    was accepted, or dispatched again: to another unit, whose own reminder then counts)."""
    groups = {r.unless_acked for r in rows if r.unless_acked}
    if not groups:
        return set()
    acked = set(
        session.scalars(
            select(Notification.group_key)
            .where(Notification.group_key.in_(groups), Notification.acked_at.is_not(None))
            .distinct()
        )
    )
    order_ids = {r.payload.get("order_id") for r in rows if r.unless_acked and r.unless_acked not in acked}
    accepted = ids_past_dispatch(session, [i for i in order_ids if i])
    # a dispatch the order has since left (reassigned to another unit): its unit's reminder is not theirs now
    dispatches = [int(g.removeprefix("dispatch:")) for g in groups if re.fullmatch(r"dispatch:\d+", g)]
    moved = {f"dispatch:{i}" for i in dispatches_superseded(session, dispatches)}
    return {
        r.id
        for r in rows
        if r.unless_acked
        and (r.unless_acked in acked or r.unless_acked in moved or r.payload.get("order_id") in accepted)
    }


_CLAIM_COLUMNS = (
    OutboxMessage.id,
    OutboxMessage.channel,
    OutboxMessage.notification_id,
    OutboxMessage.address,
    OutboxMessage.dedupe_key,
    OutboxMessage.payload,
    OutboxMessage.unless_acked,
    OutboxMessage.attempts,
)
_NOTE_COLUMNS = (
    Notification.id,
    Notification.user_id,
    Notification.kind,
    Notification.order_id,
    Notification.level,
    Notification.title,
    Notification.body,
    Notification.data,
    Notification.requires_ack,
    Notification.created_at,
    Notification.read_at,
    Notification.acked_at,
)


@dataclass(frozen=True)
class Claim:
    """What one claim took: ``taken`` rows in all (in-app ones published, acknowledged reminders skipped —
    both done), and ``to_send`` the ones to send now."""

    taken: int
    to_send: list[Claimed]


def claim(session: Session, at: datetime, *, limit: int, settings: NotifySettings) -> list[Claimed]:
    """Claims up to ``limit`` due deliveries. In-app ones are published and done here; renotify rows whose
    dispatch was acknowledged are skipped; the rest are returned for sending."""
    return claim_due(session, at, limit=limit, settings=settings).to_send


def claim_due(session: Session, at: datetime, *, limit: int, settings: NotifySettings) -> Claim:
    """``claim``, also telling how many rows it took: a batch of in-app messages alone sends nothing, yet
    more may be due."""
    rows = [
        _Row(*r)
        for r in session.execute(
            select(*_CLAIM_COLUMNS)
            .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= at)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ]
    if not rows:
        return Claim(0, [])
    skip = _moved_on(session, rows)
    app_ids = [r.notification_id for r in rows if r.channel == "app" and r.id not in skip and r.notification_id]
    notes = (
        {n.id: n for n in session.execute(select(*_NOTE_COLUMNS).where(_one_of(session, Notification.id, app_ids)))}
        if app_ids
        else {}
    )
    out: list[Claimed] = []
    pushes: list[tuple[int, dict[str, Any]]] = []
    skipped, delivered, leased = [], [], []
    lease = timedelta(seconds=settings.lease_seconds)
    for r in rows:
        if r.id in skip:
            skipped.append(r.id)
        elif r.channel == "app":
            n = notes.get(r.notification_id or 0)
            if n is not None:
                pushes.append((n.user_id, {"type": "notification", "notification": notification_data(n)}))
            delivered.append(r.id)
        else:
            leased.append(r.id)
            out.append(Claimed(r.id, r.channel, r.address, r.dedupe_key, dict(r.payload), r.attempts + 1))
    publish_many(session, pushes)
    _set(session, skipped, status="skipped", last_error="acknowledged or accepted before it was due", delivered_at=at)
    _set(session, delivered, status="delivered", delivered_at=at)
    _set(session, leased, due_at=at + lease)
    return Claim(len(rows), out)


def _set(session: Session, ids: list[int], **values: Any) -> None:
    """One UPDATE for the rows ``ids``: ``values``, and one more attempt each."""
    if ids:
        session.execute(
            update(OutboxMessage)
            .where(_one_of(session, OutboxMessage.id, ids))
            .values(attempts=OutboxMessage.attempts + 1, **values)
            .execution_options(synchronize_session=False)
        )


def _one_of(session: Session, column: Any, ids: list[int]) -> Any:
    """``column IN ids``; on PostgreSQL ``= ANY(array)``, one statement text whatever the number of ids."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, ids, type_=ARRAY(Integer)))
    return column.in_(ids)


def backoff(attempts: int, settings: NotifySettings) -> timedelta:
    return timedelta(seconds=min(settings.backoff_seconds * 2 ** max(attempts - 1, 0), settings.backoff_max_seconds))


def finish(session: Session, at: datetime, outcomes: list[Outcome], *, settings: NotifySettings) -> None:
    """Records each attempt: delivered; or failed for good (permanent, or out of attempts); or due again
    after a backoff that doubles with each attempt."""
    if not outcomes:
        return
    by_id = {o.id: o for o in outcomes}
    rows = session.execute(
        select(OutboxMessage.id, OutboxMessage.attempts).where(
            _one_of(session, OutboxMessage.id, list(by_id)), OutboxMessage.status == "pending"
        )
    ).all()
    delivered, failed, again = [], [], []
    for row_id, attempts in rows:
        o = by_id[row_id]
        if o.attempt and o.attempt != attempts:
            continue  # the lease ran out and another worker claimed it again: its answer decides
        if o.skipped:
            failed.append({"id": row_id, "status": "skipped", "last_error": o.error})
        elif o.ok:
            delivered.append({"id": row_id, "status": "delivered", "delivered_at": at, "last_error": None})
        elif o.permanent or attempts >= settings.max_attempts:
            failed.append({"id": row_id, "status": "failed", "last_error": o.error})
        else:
            again.append({"id": row_id, "due_at": at + backoff(attempts, settings), "last_error": o.error})
    for group in (delivered, failed, again):
        bulk_update(session, OutboxMessage, group)


def pending_count(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0
    )
