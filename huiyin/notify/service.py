"""Telling people: who hears about an order, the notification rows and their outbox deliveries (written in
the caller's transaction), reading and acknowledging them, and the in-app fan-out.

Every writer calls ``do_notify`` inside the transaction of the change that causes it, so a change and its
notifications commit or roll back together (the transactional outbox). The worker delivers the outbox.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, event, func, or_, select
from sqlalchemy.orm import Session

from huiyin.auth.models import User, UserRole
from huiyin.clock import now
from huiyin.errors import NotFound
from huiyin.notify.models import Notification, OutboxMessage
from huiyin.org.models import Unit
from huiyin.settings import NotifySettings

PG_CHANNEL = "huiyin_ws"
"""The PostgreSQL LISTEN/NOTIFY channel every server process listens on for in-app pushes."""


@dataclass(frozen=True)
class Message:
    kind: str  # dispatch | warning | escalation | urge | supervise
    title: str
    body: str
    order_id: int | None = None
    level: int = 0
    requires_ack: bool = False
    data: dict[str, Any] = field(default_factory=dict)


# ---------------------------------------------------------------- who hears


class Audience:
    """Recipient look-ups with a per-transaction cache (a worker batch asks the same questions often)."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._cache: dict[tuple[Any, ...], list[User]] = {}
        self._paths: dict[int, list[int]] = {}

    def _users(self, key: tuple[Any, ...], stmt: Select[User]) -> list[User]:
        if key not in self._cache:
            self._cache[key] = list(self.session.scalars(stmt.where(User.is_active.is_(True)).order_by(User.id)))
        return self._cache[key]

    def unit_chain(self, unit_id: int) -> list[int]:
        """The unit and every unit above it (from its materialised path)."""
        if unit_id not in self._paths:
            path = self.session.scalar(select(Unit.path).where(Unit.id == unit_id)) or ""
            self._paths[unit_id] = [int(p) for p in path.strip("/").split("/") if p] or [unit_id]
        return self._paths[unit_id]

    def unit_handlers(self, unit_id: int) -> list[User]:
        stmt = select(User).join(UserRole).where(UserRole.role == "unit_handler", User.unit_id == unit_id)
        return self._users(("handlers", unit_id), stmt)

    def role_holders(self, role: str, unit_id: int | None) -> list[User]:
        """Holders of ``role`` for an order of ``unit_id``: center-wide ones (no unit), and those tied to the
        order's unit or a unit above it."""
        chain = self.unit_chain(unit_id) if unit_id is not None else []
        scope = or_(User.unit_id.is_(None), User.unit_id.in_(chain)) if chain else User.unit_id.is_(None)
        stmt = select(User).join(UserRole).where(UserRole.role == role, scope)
        return self._users(("role", role, unit_id), stmt)

    def user(self, user_id: int) -> list[User]:
        return self._users(("user", user_id), select(User).where(User.id == user_id))


# ---------------------------------------------------------------- writing


def do_notify(
    session: Session,
    users: Iterable[User],
    msg: Message,
    *,
    key: str,
    channels: Sequence[str] = ("app",),
    settings: NotifySettings,
    renotify_dispatch: bool = False,
) -> list[Notification]:
    """One notification per user (each once: ``key`` + user), and its outbox rows: ``channels`` now, and
    with ``renotify_dispatch`` an SMS after N minutes and a voice call after M, both skipped once anyone of
    this group has acknowledged."""
    at = now()
    recipients = list({u.id: u for u in users}.values())
    if not recipients:
        return []
    rows = [
        Notification(
            user_id=u.id,
            kind=msg.kind,
            order_id=msg.order_id,
            level=msg.level,
            title=msg.title[:200],
            body=msg.body,
            data=msg.data,
            group_key=key,
            dedupe_key=f"{key}:u{u.id}",
            requires_ack=msg.requires_ack,
            created_at=at,
        )
        for u in recipients
    ]
    session.add_all(rows)
    session.flush()
    out: list[OutboxMessage] = []
    text = {"title": msg.title, "body": msg.body, "kind": msg.kind, "order_id": msg.order_id}
    for u, n in zip(recipients, rows, strict=True):
        for channel in channels:
            address = _address(u, channel)
            if address is not None:
                out.append(_outbox(n, channel, address, text, at))
        if renotify_dispatch:
            later = (
                ("sms", settings.dispatch_sms_after_minutes),
                ("voice", settings.dispatch_voice_after_minutes),
            )
            for channel, minutes in later:
                address = _address(u, channel)
                if address is not None:
                    row = _outbox(n, channel, address, text, at + timedelta(minutes=minutes), suffix="renotify")
                    row.unless_acked = key
                    out.append(row)
    session.add_all(out)
    session.info["outbox_wake"] = True
    return rows


def _address(user: User, channel: str) -> str | None:
    if channel == "app":
        return str(user.id)
    if channel in ("sms", "voice"):
        return user.phone or None
    if channel == "email":
        return user.email or None
    return None


def _outbox(
    n: Notification, channel: str, address: str, text: dict[str, Any], due: datetime, suffix: str = ""
) -> OutboxMessage:
    key = f"{n.dedupe_key}:{channel}" + (f":{suffix}" if suffix else "")
    return OutboxMessage(
        channel=channel,
        notification_id=n.id,
        address=address,
        payload=text,
        dedupe_key=key,
        status="pending",
        due_at=due,
        attempts=0,
    )


# ---------------------------------------------------------------- reading and acknowledging


def notifications_of(
    session: Session,
    user_id: int,
    *,
    unacked: bool = False,
    unread: bool = False,
    limit: int = 50,
    before: int | None = None,
) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unacked:
        stmt = stmt.where(Notification.requires_ack.is_(True), Notification.acked_at.is_(None))
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    return list(session.scalars(stmt.order_by(Notification.id.desc()).limit(limit)))


def counts_of(session: Session, user_id: int) -> tuple[int, int]:
    """(unread, unacknowledged) for one user, in one query."""
    unread = func.count().filter(Notification.read_at.is_(None))
    unacked = func.count().filter(Notification.requires_ack.is_(True), Notification.acked_at.is_(None))
    row = session.execute(select(unread, unacked).where(Notification.user_id == user_id)).one()
    return int(row[0]), int(row[1])


def get_own(session: Session, user_id: int, notification_id: int, *, lock: bool = False) -> Notification:
    n = session.get(Notification, notification_id, with_for_update=lock)
    if n is None or n.user_id != user_id:
        raise NotFound(f"notification {notification_id} does not exist")
    return n


def do_ack(session: Session, user_id: int, notification_id: int) -> Notification:
    """Acknowledges (and reads) one notification. Acknowledging again changes nothing."""
    n = get_own(session, user_id, notification_id, lock=True)
    if n.acked_at is None:
        at = now()
        n.acked_at = at
        n.read_at = n.read_at or at
        publish(session, user_id, {"type": "acked", "id": n.id})
    return n


def do_read(session: Session, user_id: int, ids: Sequence[int] | None) -> int:
    """Marks these (or all) of the user's notifications read; returns how many changed."""
    stmt = select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        stmt = stmt.where(Notification.id.in_(list(ids)))
    rows = session.scalars(stmt).all()
    at = now()
    for n in rows:
        n.read_at = at
    return len(rows)


def notification_data(n: Notification) -> dict[str, Any]:
    return {
        "id": n.id,
        "kind": n.kind,
        "order_id": n.order_id,
        "level": n.level,
        "title": n.title,
        "body": n.body,
        "data": n.data or {},
        "requires_ack": n.requires_ack,
        "created_at": n.created_at.isoformat(),
        "read_at": n.read_at.isoformat() if n.read_at else None,
        "acked_at": n.acked_at.isoformat() if n.acked_at else None,
    }


# ---------------------------------------------------------------- in-app fan-out

_local_sinks: list[Callable[[int, dict[str, Any]], None]] = []
_wakers: list[Callable[[], None]] = []


def add_local_sink(sink: Callable[[int, dict[str, Any]], None]) -> Callable[[], None]:
    """Registers where this process delivers in-app messages after a commit (SQLite: the process's hub).
    Returns the function that removes it."""
    _local_sinks.append(sink)
    return lambda: _local_sinks.remove(sink) if sink in _local_sinks else None


def add_waker(waker: Callable[[], None]) -> Callable[[], None]:
    """Called after any commit that wrote outbox rows, so an embedded worker delivers them at once."""
    _wakers.append(waker)
    return lambda: _wakers.remove(waker) if waker in _wakers else None


def publish(session: Session, user_id: int, message: dict[str, Any]) -> None:
    """Sends ``message`` to every open socket of ``user_id`` once this transaction commits: through
    PostgreSQL NOTIFY (every server process listens), or, on SQLite (one process), this process's hub."""
    if session.get_bind().dialect.name == "postgresql":
        payload = json.dumps({"user_id": user_id, "message": message}, ensure_ascii=False, default=str)
        session.execute(select(func.pg_notify(PG_CHANNEL, payload)))
    else:
        session.info.setdefault("publish", []).append((user_id, message))


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for user_id, message in session.info.pop("publish", ()):
        for sink in list(_local_sinks):
            sink(user_id, message)
    if session.info.pop("outbox_wake", False):
        for wake in list(_wakers):
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("publish", None)
    session.info.pop("outbox_wake", None)
