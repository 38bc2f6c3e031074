"""The outbox worker's two halves: claim due deliveries (one short transaction), then record how each went
(another). Sending happens between them, outside any transaction and any lock.

Claiming takes pending rows whose ``due_at`` has come with ``FOR UPDATE SKIP LOCKED`` (so workers side by
side never take the same row) and pushes ``due_at`` one lease ahead: a worker killed while sending leaves
its rows to come due again, and another worker sends them again (at least once; receivers deduplicate by
key). In-app messages need no sending: claiming publishes them (PostgreSQL NOTIFY, sent on commit) and
marks them delivered in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.notify.models import Notification, OutboxMessage
from huiyin.notify.service import notification_data, publish
from huiyin.settings import NotifySettings
from huiyin.workorders.models import WorkOrder


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


def _moved_on(session: Session, rows: list[OutboxMessage]) -> set[int]:
    """Renotify rows whose group someone acknowledged, or whose order is no longer waiting for the unit."""
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
    accepted: set[int] = set()
    if order_ids:
        accepted = set(
            session.scalars(
                select(WorkOrder.id).where(
                    WorkOrder.id.in_([i for i in order_ids if i]), WorkOrder.state != "dispatched"
                )
            )
        )
    return {r.id for r in rows if r.unless_acked and (r.unless_acked in acked or r.payload.get("order_id") in accepted)}


def claim(session: Session, at: datetime, *, limit: int, settings: NotifySettings) -> list[Claimed]:
    """Claims up to ``limit`` due deliveries. In-app ones are published and done here; renotify rows whose
    dispatch was acknowledged are skipped; the rest are returned for sending."""
    rows = list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == "pending", OutboxMessage.due_at <= at)
            .order_by(OutboxMessage.due_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not rows:
        return []
    skip = _moved_on(session, rows)
    app_ids = [r.notification_id for r in rows if r.channel == "app" and r.id not in skip and r.notification_id]
    notes = (
        {n.id: n for n in session.scalars(select(Notification).where(Notification.id.in_(app_ids)))} if app_ids else {}
    )
    out: list[Claimed] = []
    lease = timedelta(seconds=settings.lease_seconds)
    for r in rows:
        r.attempts += 1
        if r.id in skip:
            r.status, r.last_error, r.delivered_at = "skipped", "acknowledged or accepted before it was due", at
        elif r.channel == "app":
            n = notes.get(r.notification_id or 0)
            if n is not None:
                publish(session, n.user_id, {"type": "notification", "notification": notification_data(n)})
            r.status, r.delivered_at = "delivered", at
        else:
            r.due_at = at + lease
            out.append(Claimed(r.id, r.channel, r.address, r.dedupe_key, dict(r.payload), r.attempts))
    return out


def backoff(attempts: int, settings: NotifySettings) -> timedelta:
    return timedelta(seconds=min(settings.backoff_seconds * 2 ** max(attempts - 1, 0), settings.backoff_max_seconds))


def finish(session: Session, at: datetime, outcomes: list[Outcome], *, settings: NotifySettings) -> None:
    """Records each attempt: delivered; or failed for good (permanent, or out of attempts); or due again
    after a backoff that doubles with each attempt."""
    if not outcomes:
        return
    by_id = {o.id: o for o in outcomes}
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.id.in_(list(by_id)), OutboxMessage.status == "pending")
    ).all()
    for r in rows:
        o = by_id[r.id]
        if o.ok:
            r.status, r.delivered_at, r.last_error = "delivered", at, None
        elif o.permanent or r.attempts >= settings.max_attempts:
            r.status, r.last_error = "failed", o.error
        else:
            r.due_at, r.last_error = at + backoff(r.attempts, settings), o.error


def pending_count(session: Session) -> int:
    return int(
        session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "pending")) or 0
    )
