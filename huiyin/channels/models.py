"""Written channels: the accounts the centre is reached at (a WeChat official account, a mailbox), the people
who write (a WeChat openid, an e-mail address, a mobile number, a self-service sign-in), their conversations
and every message in and out.

- ``channel_accounts``: one per official account or mailbox; its secrets in ``config`` (the callback token and
  AES key must be read back to check WeChat's signatures, as a CTI integration's token is).
- ``channel_contacts``: who writes, on which channel and account, bound to a customer when known; the last
  time they wrote (WeChat lets us write back for 48 hours after that).
- ``conversations``: one open conversation per contact at a time; bot → queued → assigned → closed, by
  ``channels.states``; the times the KPIs need (queued, assigned, first agent reply).
- ``channel_messages``: every message; an inbound one carries the channel's own id (WeChat's MsgId, the
  Message-ID of a mail, the SMS gateway's id), unique per channel, so a repeated delivery is acknowledged and
  not stored twice; an outbound one waits in ``delivery`` = pending until the channel has taken it (the
  worker's ``channels_deliver`` round retries with back-off), so none is lost.
- ``sms_codes`` and ``self_sessions``: the self-service site's sign-in by mobile number and SMS code.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.core.models import order_reference
from huiyin.db import Base, UTCDateTime


class ChannelAccount(Base):
    __tablename__ = "channel_accounts"
    __table_args__ = (UniqueConstraint("kind", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # wechat | email
    name: Mapped[str] = mapped_column(String(64))  # in the callback URL: /channels/wechat/{name}
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cursor: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # a mailbox's UIDVALIDITY and last UID
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChannelContact(Base):
    __tablename__ = "channel_contacts"
    __table_args__ = (
        UniqueConstraint("channel", "account_id", "address"),
        Index("ix_channel_contacts_customer", "customer_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))  # wechat | web | email | sms
    account_id: Mapped[int] = mapped_column(Integer, default=0)  # the channel account (0: the only one)
    address: Mapped[str] = mapped_column(String(200))  # openid, e-mail address, mobile number
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    display_name: Mapped[str | None] = mapped_column(String(100))
    subscribed: Mapped[bool] = mapped_column(Boolean, default=True)
    last_inbound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    bound_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pending_phone: Mapped[str | None] = mapped_column(String(20))  # binding: the number a code was sent to
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Conversation(Base):
    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_state_queued", "state", "queued_at"),
        Index("ix_conversations_agent_state", "agent_id", "state"),
        Index("ix_conversations_contact_state", "contact_id", "state"),
        Index("ix_conversations_customer", "customer_id", "id"),
        Index("ix_conversations_due", "escalate_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    account_id: Mapped[int] = mapped_column(Integer, default=0)
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    state: Mapped[str] = mapped_column(String(16))  # bot | queued | assigned | closed
    subject: Mapped[str | None] = mapped_column(String(300))  # a mail thread's subject
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    handoff_reason: Mapped[str | None] = mapped_column(String(32))  # asked | misses | no_bot | busy_off | agent
    bot_misses: Mapped[int] = mapped_column(Integer, default=0)
    bot_answers: Mapped[int] = mapped_column(Integer, default=0)
    order_id: Mapped[int | None] = mapped_column(order_reference())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the first agent reply
    last_customer_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_agent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    unanswered_since: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the customer's oldest unanswered
    escalate_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the wait escalates next
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_reason: Mapped[str | None] = mapped_column(String(32))  # solved | bot | idle | customer | order
    rating: Mapped[str | None] = mapped_column(String(16))  # satisfied | basic | unsatisfied (from the invite)
    rating_invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ChannelMessage(Base):
    __tablename__ = "channel_messages"
    __table_args__ = (
        UniqueConstraint("channel", "external_id"),
        Index("ix_channel_messages_conversation", "conversation_id", "id"),
        Index("ix_channel_messages_delivery", "delivery", "deliver_after"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(16))
    direction: Mapped[str] = mapped_column(String(4))  # in | out
    sender: Mapped[str] = mapped_column(String(16))  # customer | bot | agent | system
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(16), default="text")  # text | image | location | file | event
    text: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # media keys, location, bot match, mail ids
    external_id: Mapped[str | None] = mapped_column(String(200))  # inbound: the channel's id (idempotency)
    delivery: Mapped[str | None] = mapped_column(String(16))  # out: pending/sent/failed/local; in: media (to fetch)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deliver_after: Mapped[datetime | None] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChannelInbox(Base):
    """An inbound message as its channel delivered it, stored before anything else is done with it: the
    callback answers at once (WeChat wants an answer within 5 s however busy we are), and ``process`` makes it
    a conversation's message (the bot's turn, the queue) now or in the worker's next round. Unique by the
    channel's own id, so a delivery repeated while the first still waits is one row."""

    __tablename__ = "channel_inbox"
    __table_args__ = (UniqueConstraint("channel", "external_id"), Index("ix_channel_inbox_pending", "state", "id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SmsCode(Base):
    """A sign-in code sent to a mobile number: kept hashed, valid a few minutes, a few tries."""

    __tablename__ = "sms_codes"
    __table_args__ = (Index("ix_sms_codes_phone", "phone", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    phone: Mapped[str] = mapped_column(String(20))
    code_hash: Mapped[str] = mapped_column(String(128))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ip: Mapped[str | None] = mapped_column(String(64))


class SelfSession(Base):
    """A customer signed in on the self-service site: the token's hash, the mobile number, the customer."""

    __tablename__ = "self_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    phone: Mapped[str] = mapped_column(String(20))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WechatNotice(Base):
    """A WeChat template message (模板消息) to a follower who bound their account: an order's progress, an
    outage's notice or restoration, an announcement. Pending until the worker sends it; unique by ``key``, so
    a change is told once per follower however often the listener or the round runs."""

    __tablename__ = "wechat_notices"
    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_wechat_notices_due", "state", "deliver_after"),
        Index("ix_wechat_notices_source", "source", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    account_id: Mapped[int] = mapped_column(ForeignKey("channel_accounts.id"))
    contact_id: Mapped[int] = mapped_column(ForeignKey("channel_contacts.id"))
    openid: Mapped[str] = mapped_column(String(200))
    template: Mapped[str] = mapped_column(String(24))  # order | outage | announcement: the account's template
    source: Mapped[str] = mapped_column(String(60))  # order:12 | outage:3 | ann:7
    data: Mapped[dict[str, Any]] = mapped_column(JSON)  # the template's fields: first, keyword1…, remark
    url: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | sent | failed | skipped
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    deliver_after: Mapped[datetime] = mapped_column(UTCDateTime)
    error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class WechatNoticeRound(Base):
    """Telling the bound followers of an outage's areas, or of an announcement's audience: a batch of contacts
    a step (``cursor``: the last contact id done), so that no transaction writes them all at once."""

    __tablename__ = "wechat_notice_rounds"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120), unique=True)  # outage:3:notice:<eta> | outage:3:restored | ann:7
    source: Mapped[str] = mapped_column(String(60))
    template: Mapped[str] = mapped_column(String(24))
    area_ids: Mapped[list[int] | None] = mapped_column(JSON)  # None: every area
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)  # only customers with one of them (none: all)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    queued: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
