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
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import ColumnElement, Select, event, func, or_, select
from sqlalchemy.orm import Session, lazyload

from huiyin.auth.models import User, UserRole
from huiyin.auth.refs import directory
from huiyin.clock import now
from huiyin.core.fastsql import bulk_insert, pg_connection, pg_execute
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


class Person(Protocol):
    """What telling someone needs of them: a ``User``, or a ``Recipient``."""

    @property
    def id(self) -> int: ...
    @property
    def unit_id(self) -> int | None: ...
    @property
    def phone(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class Recipient:
    """A user as the worker's audience loads them: the columns telling needs, no ORM object."""

    id: int
    unit_id: int | None
    phone: str | None
    email: str | None


class Audience:
    """Recipient look-ups with a per-transaction cache (a worker batch asks the same questions often).

    ``bulk=True`` (the worker) answers every question from one query per kind instead of one per unit:
    all unit handlers, all holders of a role, all units' paths; the answers are the same people, as
    ``Recipient`` values instead of ORM objects."""

    def __init__(self, session: Session, *, bulk: bool = False) -> None:
        self.session = session
        self.bulk = bulk
        self._cache: dict[tuple[Any, ...], list[Person]] = {}
        self._paths: dict[int, list[int]] = {}
        self._all_paths = False

    def _users(self, key: tuple[Any, ...], stmt: Callable[[], Select[User]]) -> list[Person]:
        if key not in self._cache:
            query = stmt().where(User.is_active.is_(True)).order_by(User.id)
            if self.bulk:
                columns = query.with_only_columns(User.id, User.unit_id, User.phone, User.email)
                self._cache[key] = [Recipient(*row) for row in self.session.execute(columns)]
            else:
                self._cache[key] = list(self.session.scalars(query.options(lazyload(User.role_rows))))
        return self._cache[key]

    def unit_chain(self, unit_id: int) -> list[int]:
        """The unit and every unit above it (from its materialised path)."""
        if unit_id not in self._paths:
            if self.bulk and not self._all_paths:
                self._all_paths = True
                for uid, unit_path in self.session.execute(select(Unit.id, Unit.path)):
                    self._paths.setdefault(uid, _chain(uid, unit_path))
                return self.unit_chain(unit_id)
            self._paths[unit_id] = _chain(unit_id, self.session.scalar(select(Unit.path).where(Unit.id == unit_id)))
        return self._paths[unit_id]

    def unit_handlers(self, unit_id: int) -> list[Person]:
        """The unit's active handlers, from the people the process keeps (``auth.refs``): no query."""
        key = ("handlers", unit_id)
        if key not in self._cache:
            self._cache[key] = list(directory(self.session).unit_handlers(unit_id))
        return self._cache[key]

    def role_holders(self, role: str, unit_id: int | None) -> list[Person]:
        """Holders of ``role`` for an order of ``unit_id``: center-wide ones (no unit), and those tied to the
        order's unit or a unit above it."""
        key = ("role", role, unit_id)
        if key in self._cache:
            return self._cache[key]
        chain = self.unit_chain(unit_id) if unit_id is not None else []
        if self.bulk:
            everyone = self._users(("role", role), lambda: _holders(role))
            return self._pick(key, everyone, lambda u: u.unit_id is None or u.unit_id in chain)
        scope = or_(User.unit_id.is_(None), User.unit_id.in_(chain)) if chain else User.unit_id.is_(None)
        return self._users(key, lambda: select(User).join(UserRole).where(UserRole.role == role, scope))

    def user(self, user_id: int) -> list[Person]:
        return self._users(("user", user_id), lambda: select(User).where(User.id == user_id))

    def _pick(self, key: tuple[Any, ...], everyone: list[Person], keep: Callable[[Person], bool]) -> list[Person]:
        if key not in self._cache:
            self._cache[key] = [u for u in everyone if keep(u)]
        return self._cache[key]


def _holders(role: str) -> Select[User]:
    return select(User).join(UserRole).where(UserRole.role == role)


def _chain(unit_id: int, path: str | None) -> list[int]:
    return [int(p) for p in (path or "").strip("/").split("/") if p] or [unit_id]


# ---------------------------------------------------------------- writing


@dataclass(frozen=True)
class Notice:
    """One ``do_notify`` call's worth: ``msg`` to ``users`` (each once), grouped under ``key``; ``later``:
    (channel, minutes) deliveries after the first, each skipped once anyone of the group has acknowledged."""

    users: Sequence[Person]
    msg: Message
    key: str
    channels: Sequence[str] = ("app",)
    later: Sequence[tuple[str, int]] = ()


def do_notify(
    session: Session,
    users: Iterable[Person],
    msg: Message,
    *,
    key: str,
    channels: Sequence[str] = ("app",),
    settings: NotifySettings,
    renotify_dispatch: bool = False,
) -> int:
    """One notification per user (each once: ``key`` + user), and its outbox rows: ``channels`` now, and
    with ``renotify_dispatch`` an SMS after N minutes and a voice call after M, both skipped once anyone of
    this group has acknowledged. Written like the worker's batches (``do_notify_many``): one INSERT per
    table, no ORM flush. Returns how many notifications it wrote."""
    later: tuple[tuple[str, int], ...] = ()
    if renotify_dispatch:
        later = (("sms", settings.dispatch_sms_after_minutes), ("voice", settings.dispatch_voice_after_minutes))
    return do_notify_many(session, [Notice(list(users), msg, key, channels, later)], settings=settings)


def do_notify_many(
    session: Session, notices: Sequence[Notice], *, settings: NotifySettings, deliver_in_app: bool = False
) -> int:
    """``do_notify`` for many notices at once (the worker's batches): the same notification and outbox rows,
    written with one INSERT per table. Returns how many notifications it wrote.

    ``deliver_in_app`` (the worker) publishes the in-app messages in this transaction instead of queueing
    them: the push goes out when this commits (PostgreSQL sends a NOTIFY only then), exactly as claiming
    them would have sent it. They get no outbox row: the notification row is the in-app message's durable
    record (a tab that was closed reads it on load, one whose socket was down polls it), so a row
    "delivered" at birth would only double the writes of every firing (measured in docs/benchmarks.md)."""
    at = now()
    planned: list[tuple[Person, Notice, dict[str, Any]]] = []
    for notice in notices:
        for u in _recipients(notice.users):
            planned.append((u, notice, _notification_values(u, notice.msg, notice.key, at)))
    if not planned:
        return 0
    ids = bulk_insert(session, Notification, [p[2] for p in planned], returning=True)
    out: list[dict[str, Any]] = []
    pushes: list[tuple[int, dict[str, Any]]] = []
    texts: list[str] = []  # PostgreSQL: the pushes as NOTIFY payloads, their shared part serialised once
    as_text = deliver_in_app and session.get_bind().dialect.name == "postgresql"
    contents: dict[int, dict[str, Any]] = {}
    shared: dict[int, str] = {}
    for (u, notice, values), nid in zip(planned, ids, strict=True):
        content = contents.get(id(notice.msg))
        if content is None:
            content = contents[id(notice.msg)] = _text(notice.msg)
        rows = _outbox_values(u, nid, values["dedupe_key"], notice.channels, content, at)
        rows += _later_values(u, nid, values["dedupe_key"], notice, content, at)
        if deliver_in_app and "app" in notice.channels:  # the in-app message, pushed on commit
            rows = [row for row in rows if row["channel"] != "app"]
            if as_text:
                part = shared.get(id(notice))
                if part is None:
                    part = shared[id(notice)] = _shared_json(values)
                texts.append(_push_json(u.id, nid, part))
            else:
                pushes.append((u.id, _push(nid, values)))
        out.extend(rows)
    bulk_insert(session, OutboxMessage, out)
    if texts:  # NOTIFY at the commit, in order with the other pushes of the transaction
        session.info.setdefault("notify", []).extend(texts)
    publish_many(session, pushes)
    if out:
        session.info["outbox_wake"] = True
    return len(planned)


def do_queue_email(
    session: Session,
    *,
    to: str,
    title: str,
    body: str,
    key: str,
    kind: str,
    attachments: Sequence[dict[str, str]] = (),
) -> bool:
    """An e-mail through the outbox (a report to a subscriber): sent by the worker now, retried as every
    delivery is, with ``attachments`` (``{"key", "name", "type"}``: files in storage) attached. Once per
    ``key``: False when that key was queued already."""
    at = now()
    if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
        return False
    session.add(
        OutboxMessage(
            channel="email",
            notification_id=None,
            address=to,
            payload={"title": title, "body": body, "kind": kind, "attachments": list(attachments)},
            dedupe_key=key,
            status="pending",
            due_at=at,
            attempts=0,
            created_at=at,
        )
    )
    session.info["outbox_wake"] = True
    return True


def do_queue_sms(session: Session, *, to: str, text: str, key: str, kind: str, due: datetime | None = None) -> bool:
    """An SMS to someone who is not a user (a customer), through the outbox: sent by the worker at ``due``
    (now by default), retried as every delivery is, ``text`` as it is (no template). Once per ``key``:
    False when that key was queued already."""
    at = due or now()
    with session.no_autoflush:  # callers may be inside a change whose rows are written once, later
        if session.scalar(select(OutboxMessage.id).where(OutboxMessage.dedupe_key == key)) is not None:
            return False
    session.add(
        OutboxMessage(
            channel="sms",
            notification_id=None,
            address=to,
            payload={"text": text, "kind": kind},
            dedupe_key=key,
            status="pending",
            due_at=at,
            attempts=0,
            created_at=at,
        )
    )
    session.info["outbox_wake"] = True
    return True


def _push(notification_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """What ``publish`` sends for a notification not read back: its id and the values it was written with."""
    return {"type": "notification", "notification": _values_data(notification_id, values)}


def _shared_json(values: dict[str, Any]) -> str:
    """The members of a push that all recipients of one notice share (all but the ids), serialised."""
    data = _values_data(0, values)
    del data["id"]
    return json.dumps(data, ensure_ascii=False, default=str)[1:-1]


def _push_json(user_id: int, notification_id: int, shared: str) -> str:
    """Exactly ``json.dumps({"user_id": …, "message": _push(…)}, ensure_ascii=False)``, from the shared part."""
    return (
        f'{{"user_id": {int(user_id)}, "message": {{"type": "notification", '
        f'"notification": {{"id": {int(notification_id)}, {shared}}}}}}}'
    )


def _values_data(notification_id: int, values: dict[str, Any]) -> dict[str, Any]:
    """``notification_data`` of a notification not read back: its id and the values it was written with."""
    return notification_data(SimpleNamespace(id=notification_id, **values))


def _recipients(users: Iterable[Person]) -> list[Person]:
    return list({u.id: u for u in users}.values())


def _text(msg: Message) -> dict[str, Any]:
    return {"title": msg.title, "body": msg.body, "kind": msg.kind, "order_id": msg.order_id}


def _notification_values(u: Person, msg: Message, key: str, at: datetime) -> dict[str, Any]:
    return {
        "user_id": u.id,
        "kind": msg.kind,
        "order_id": msg.order_id,
        "level": msg.level,
        "title": msg.title[:200],
        "body": msg.body,
        "data": msg.data,
        "group_key": key,
        "dedupe_key": f"{key}:u{u.id}",
        "requires_ack": msg.requires_ack,
        "created_at": at,
        "read_at": None,
        "acked_at": None,
    }


def _outbox_values(
    u: Person, notification_id: int, dedupe_key: str, channels: Sequence[str], content: dict[str, Any], due: datetime
) -> list[dict[str, Any]]:
    """The outbox rows of one notification for ``channels`` (those the user has an address for)."""
    out = []
    for channel in channels:
        address = _address(u, channel)
        if address is not None:
            out.append(
                {
                    "channel": channel,
                    "notification_id": notification_id,
                    "address": address,
                    "payload": content,
                    "dedupe_key": f"{dedupe_key}:{channel}",
                    "unless_acked": None,
                    "status": "pending",
                    "due_at": due,
                    "attempts": 0,
                    "last_error": None,
                    "created_at": due,
                    "delivered_at": None,
                }
            )
    return out


def _later_values(
    u: Person, notification_id: int, dedupe_key: str, notice: Notice, content: dict[str, Any], at: datetime
) -> list[dict[str, Any]]:
    """The deliveries ``notice.later`` asks for (a dispatch's SMS after N minutes, voice after M), each
    skipped by the worker once anyone of the group has acknowledged (``unless_acked``)."""
    out = []
    for channel, minutes in notice.later:
        address = _address(u, channel)
        if address is not None:
            due = at + timedelta(minutes=minutes)
            row = _outbox_values(u, notification_id, dedupe_key, [channel], content, due)[0]
            row.update(dedupe_key=f"{dedupe_key}:{channel}:renotify", unless_acked=notice.key, created_at=at)
            out.append(row)
    return out


def _address(user: Person, channel: str) -> str | None:
    if channel == "app":
        return str(user.id)
    if channel in ("sms", "voice"):
        return user.phone or None
    if channel == "email":
        return user.email or None
    return None


# ---------------------------------------------------------------- reading and acknowledging


def _seen(stmt: Any, visible: ColumnElement[bool] | None) -> Any:
    """Only notifications about no order, or about an order the user may see now (``visible``, from
    ``workorders.service.visible_order_condition``; None: every order)."""
    return stmt if visible is None else stmt.where(or_(Notification.order_id.is_(None), visible))


def notifications_of(
    session: Session,
    user_id: int,
    *,
    unacked: bool = False,
    unread: bool = False,
    limit: int = 50,
    before: int | None = None,
    visible: ColumnElement[bool] | None = None,
) -> list[Notification]:
    stmt = select(Notification).where(Notification.user_id == user_id)
    if unacked:
        stmt = stmt.where(Notification.requires_ack.is_(True), Notification.acked_at.is_(None))
    if unread:
        stmt = stmt.where(Notification.read_at.is_(None))
    if before is not None:
        stmt = stmt.where(Notification.id < before)
    return list(session.scalars(_seen(stmt, visible).order_by(Notification.id.desc()).limit(limit)))


def counts_of(session: Session, user_id: int, visible: ColumnElement[bool] | None = None) -> tuple[int, int]:
    """(unread, unacknowledged) for one user, in one query."""
    unread = func.count().filter(Notification.read_at.is_(None))
    unacked = func.count().filter(Notification.requires_ack.is_(True), Notification.acked_at.is_(None))
    row = session.execute(_seen(select(unread, unacked).where(Notification.user_id == user_id), visible)).one()
    return int(row[0]), int(row[1])


def get_own(
    session: Session,
    user_id: int,
    notification_id: int,
    *,
    lock: bool = False,
    visible: ColumnElement[bool] | None = None,
) -> Notification:
    """One of the user's notifications; 404 when it is another's, or about an order the user may no longer
    see (it moved to another unit: its text is not theirs to read any more)."""
    stmt = _seen(select(Notification).where(Notification.id == notification_id), visible)
    n: Notification | None = session.scalar(stmt.with_for_update() if lock else stmt)
    if n is None or n.user_id != user_id:
        raise NotFound(f"notification {notification_id} does not exist", code="notify.no_notification")
    return n


def do_ack(
    session: Session, user_id: int, notification_id: int, visible: ColumnElement[bool] | None = None
) -> Notification:
    """Acknowledges (and reads) one notification. Acknowledging again changes nothing."""
    n = get_own(session, user_id, notification_id, lock=True, visible=visible)
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


class _NotificationLike(Protocol):
    id: int
    kind: str
    order_id: int | None
    level: int
    title: str
    body: str
    data: dict[str, Any]
    requires_ack: bool
    created_at: datetime
    read_at: datetime | None
    acked_at: datetime | None


def notification_data(n: _NotificationLike) -> dict[str, Any]:
    """A notification as the API and the WebSocket show it (a row or any object with its columns)."""
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

SINKS_KEY = "notify_local_sinks"
"""``session.info`` key of where this process delivers in-app messages after a commit (SQLite: the app's hub)."""
WAKERS_KEY = "notify_wakers"
"""``session.info`` key of what is called after a commit that wrote outbox rows (the embedded worker)."""


def session_info() -> dict[str, Any]:
    """What an application's sessions carry for notify (``huiyin.wiring.open_database`` adds it): its own
    lists of sinks and wakers, filled by ``add_local_sink`` / ``add_waker`` while the app runs."""
    return {SINKS_KEY: [], WAKERS_KEY: []}


def add_local_sink(info: dict[str, Any], sink: Callable[[int, dict[str, Any]], None]) -> Callable[[], None]:
    """Registers, in a database's session info, where in-app messages go after a commit (SQLite: the
    process's hub). Returns the function that removes it."""
    sinks: list[Callable[[int, dict[str, Any]], None]] = info[SINKS_KEY]
    sinks.append(sink)
    return lambda: sinks.remove(sink) if sink in sinks else None


def add_waker(info: dict[str, Any], waker: Callable[[], None]) -> Callable[[], None]:
    """Called after any commit that wrote outbox rows, so an embedded worker delivers them at once."""
    wakers: list[Callable[[], None]] = info[WAKERS_KEY]
    wakers.append(waker)
    return lambda: wakers.remove(waker) if waker in wakers else None


def publish(session: Session, user_id: int, message: dict[str, Any]) -> None:
    """Sends ``message`` to every open socket of ``user_id`` once this transaction commits: through
    PostgreSQL NOTIFY (every server process listens), or, on SQLite (one process), this process's hub."""
    publish_many(session, [(user_id, message)])


def publish_many(session: Session, messages: Sequence[tuple[int, dict[str, Any]]]) -> None:
    """``publish`` for many (user id, message) pairs, in this order; on PostgreSQL one statement for all."""
    if not messages:
        return
    if session.get_bind().dialect.name == "postgresql":  # sent at the commit, all in one statement
        session.info.setdefault("notify", []).extend(
            json.dumps({"user_id": user_id, "message": message}, ensure_ascii=False, default=str)
            for user_id, message in messages
        )
    else:
        session.info.setdefault("publish", []).extend(messages)


def _notify(session: Session, payloads: list[str]) -> None:
    """NOTIFY the in-app channel with these payloads, in this order (PostgreSQL)."""
    if len(payloads) == 1:  # on the session's psycopg connection: a statement built by SQLAlchemy costs more
        pg_execute(
            pg_connection(session),
            "SELECT pg_notify(%(channel)s, %(payload)s)",
            {"channel": PG_CHANNEL, "payload": payloads[0]},
        )
        return
    pg_execute(
        pg_connection(session),
        "SELECT pg_notify(%(channel)s, p.payload) FROM unnest(CAST(%(payloads)b AS text[])) "
        "WITH ORDINALITY AS p(payload, n) ORDER BY p.n",
        {"channel": PG_CHANNEL, "payloads": payloads},
    )


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    payloads = session.info.pop("notify", None)
    if payloads:
        _notify(session, payloads)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    for user_id, message in session.info.pop("publish", ()):
        for sink in list(session.info.get(SINKS_KEY, ())):
            sink(user_id, message)
    if session.info.pop("outbox_wake", False):
        for wake in list(session.info.get(WAKERS_KEY, ())):
            wake()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("publish", None)
    session.info.pop("notify", None)
    session.info.pop("outbox_wake", None)
