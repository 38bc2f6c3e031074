"""Notifications (what a person is told, and whether they acknowledged it) and the outbox (each delivery
of one over one channel, written in the same transaction as the change that caused it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.core.models import order_reference
from huiyin.db import Base, UTCDateTime

CHANNELS = ("app", "sms", "voice", "email")
KINDS = ("dispatch", "warning", "escalation", "urge", "supervise", "kpi_alert")


class Notification(Base):
    """One thing one user must know. ``requires_ack`` ones pop up and stay until acknowledged."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_user_id", "user_id", "id"),
        Index(
            "ix_notifications_unacked",
            "user_id",
            postgresql_where=text("requires_ack AND acked_at IS NULL"),
            sqlite_where=text("requires_ack AND acked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    order_id: Mapped[int | None] = mapped_column(order_reference(), index=True)
    level: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    group_key: Mapped[str] = mapped_column(String(120), index=True)  # the people told about the same thing
    dedupe_key: Mapped[str] = mapped_column(String(160), unique=True)
    requires_ack: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(Base):
    """One delivery to make: in-app push, SMS, voice call or email. ``status`` pending → delivered | skipped
    | failed. A worker claims due pending rows (``due_at`` ≤ now) and pushes ``due_at`` a lease ahead, so a
    worker that dies mid-send leaves the row to be retried; the receiver deduplicates by ``dedupe_key``."""

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_pending_due",
            "due_at",
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(200))  # user id (app), phone (sms, voice), email address
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str] = mapped_column(String(180), unique=True)
    unless_acked: Mapped[str | None] = mapped_column(String(120))  # a group key: skipped once any is acked
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    batch: Mapped[str | None] = mapped_column(String(60), index=True)  # a bulk send's name (``notify.bulk``)


class SmsOptOut(Base):
    """A number that asked for no more notices (回复TD退订): bulk notices and announcements skip it; what a
    customer asked for themselves (a rating, an order's own messages) still reaches them."""

    __tablename__ = "sms_opt_outs"

    phone: Mapped[str] = mapped_column(String(20), primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str] = mapped_column(String(16))  # sms (the reply) | agent | import


class SmsLane(Base):
    """Where a lane of bulk SMS ends: a new batch is spread after it at the gateway's rate, so that bulk
    notices go out at that rate, one campaign after another, while every other message (due now) overtakes
    them in the outbox's queue."""

    __tablename__ = "sms_lanes"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    tail_at: Mapped[datetime] = mapped_column(UTCDateTime)
