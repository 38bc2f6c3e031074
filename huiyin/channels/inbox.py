"""The inbound inbox: a webhook's message is stored first (one INSERT, idempotent by the channel's id) and
answered at once; making it a conversation's message (the bot's turn, the queue, the escalation clock) is done
then and there when the process has room, else by the worker's next round (``process_batch``), whose answers
leave through the channel's API. So WeChat hears back within its 5 s however many write at once, and a
message is never lost between the two: the row stays ``pending`` until its processing commits.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from huiyin.channels import service, wechat_in
from huiyin.channels.models import ChannelInbox
from huiyin.clock import now
from huiyin.settings import Settings

log = logging.getLogger("huiyin.channels")
MAX_ATTEMPTS = 5


def do_enqueue(session: Session, channel: str, external_id: str, payload: dict[str, Any]) -> int | None:
    """Stores the message; its row id, or None when the channel delivered it before (acknowledge, do nothing)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        insert(ChannelInbox)
        .values(
            channel=channel,
            external_id=service.external_key(channel, external_id),
            payload=payload,
            state="pending",
            attempts=0,
            received_at=now(),
        )
        .on_conflict_do_nothing(index_elements=["channel", "external_id"])
        .returning(ChannelInbox.id)
    )
    return session.execute(stmt).scalar_one_or_none()


def process(
    session: Session, row_id: int, channel: str, payload: dict[str, Any], settings: Settings
) -> service.Received | None:
    """Makes the stored message a conversation's message and marks it done (in the caller's transaction)."""
    if channel == "wechat":
        got = wechat_in.take(session, payload["account"], wechat_in.from_payload(payload["message"]), settings)
    else:
        data = dict(payload)
        if data.get("at"):
            data["at"] = datetime.fromisoformat(data["at"])
        got = service.do_receive(session, service.Inbound(**data), settings)
    session.execute(update(ChannelInbox).where(ChannelInbox.id == row_id).values(state="done", processed_at=now()))
    return got


def backlog(session: Session, row_id: int) -> bool:
    """Whether older messages still wait (the worker is behind: this one waits its turn)."""
    return (
        session.scalar(
            select(ChannelInbox.id).where(ChannelInbox.state == "pending", ChannelInbox.id < row_id).limit(1)
        )
        is not None
    )


def process_batch(session: Session, settings: Settings, limit: int = 50) -> int:
    """The oldest pending messages, each in its own savepoint: one that fails is retried next round (failed
    after ``MAX_ATTEMPTS``, and said in the log), the others go on."""
    rows = session.execute(
        select(ChannelInbox.id, ChannelInbox.channel, ChannelInbox.payload, ChannelInbox.attempts)
        .where(ChannelInbox.state == "pending")
        .order_by(ChannelInbox.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row_id, channel, payload, attempts in rows:
        try:
            with session.begin_nested():
                process(session, row_id, channel, payload, settings)
        except Exception as exc:  # a bad row must not hold up the others
            log.exception("inbox message %s could not be taken in", row_id)
            session.execute(
                update(ChannelInbox)
                .where(ChannelInbox.id == row_id)
                .values(
                    attempts=attempts + 1,
                    error=f"{type(exc).__name__}: {exc}"[:300],
                    state="failed" if attempts + 1 >= MAX_ATTEMPTS else "pending",
                )
            )
    return len(rows)
