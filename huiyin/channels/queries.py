"""What other domains read of conversations (quality inspection: ``huiyin/quality/chats.py``): read-only functions
returning plain dataclasses, so no other domain imports ``channels.models``.

- ``conversation_facts``: a conversation's facts (channel, state, who answered it, the times, the rating, the
  order), and the agent it counts for: the agent who wrote most of its agent messages (a tie: the one who wrote
  last), else its holder;
- ``transcript``: its messages in order (customer, bot, agent, system), each with its time;
- ``agent_messages``: the agents' messages of some conversations (what the phrase rules judge);
- ``seen_from``: which conversations from an id on, and which of some others, are closed (a reader's cursor);
- ``ratings``: the ratings of some conversations, and until when one may still come.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from huiyin.channels.models import ChannelContact, ChannelMessage, Conversation
from huiyin.core.phones import mask_phone

RATING_WINDOW = timedelta(hours=24)
"""How long after the invitation the customer's 1/2/3 still rates a conversation (``service._rating_reply``)."""


@dataclass(frozen=True)
class ChatMessage:
    id: int
    conversation_id: int
    at: datetime
    direction: str  # in | out
    sender: str  # customer | bot | agent | system
    agent_id: int | None
    kind: str  # text | image | location | file | event
    text: str


@dataclass(frozen=True)
class ConversationFacts:
    id: int
    channel: str  # wechat | web | email | sms
    state: str  # bot | queued | assigned | closed
    contact: str  # who wrote: a masked number, an address, a nickname
    customer_id: int | None
    subject: str | None
    holder_id: int | None  # the agent holding it now (at its close: the last one)
    agent_ids: tuple[int, ...]  # every agent who wrote in it, and its holder
    agent_id: int | None  # the agent it counts for (most agent messages; a tie: the later; else the holder)
    handoff_reason: str | None
    created_at: datetime
    queued_at: datetime | None
    assigned_at: datetime | None
    first_response_at: datetime | None
    closed_at: datetime | None
    close_reason: str | None
    rating: str | None  # satisfied | basic | unsatisfied
    rating_until: datetime | None  # invited and not rated yet: a rating may come until then
    order_id: int | None

    @property
    def closed(self) -> bool:
        return self.state == "closed"


def _who(contact: ChannelContact | None) -> str:
    if contact is None:
        return ""
    if contact.channel in ("sms", "web"):
        return mask_phone(contact.address)
    if contact.channel == "email":
        return contact.address
    return contact.display_name or f"微信用户{contact.address[-6:]}"


def _rating_until(c: Conversation) -> datetime | None:
    if c.rating is not None or c.rating_invited_at is None:
        return None
    return c.rating_invited_at + RATING_WINDOW


def conversation_facts(session: Session, ids: Collection[int]) -> dict[int, ConversationFacts]:
    """id → the conversation's facts (ids not found are left out)."""
    if not ids:
        return {}
    convs = list(session.scalars(select(Conversation).where(Conversation.id.in_(list(ids)))))
    m = ChannelMessage
    writers: defaultdict[int, list[tuple[int, int, int]]] = defaultdict(list)  # conv → (messages, last id, agent)
    stmt = (
        select(m.conversation_id, m.agent_id, func.count(), func.max(m.id))
        .where(m.conversation_id.in_([c.id for c in convs]), m.sender == "agent", m.agent_id.is_not(None))
        .group_by(m.conversation_id, m.agent_id)
    )
    for conv_id, agent, n, last in session.execute(stmt):
        if agent is not None:
            writers[conv_id].append((int(n), int(last), int(agent)))
    contact_ids = {c.contact_id for c in convs}
    contacts = {
        c.id: c for c in session.scalars(select(ChannelContact).where(ChannelContact.id.in_(list(contact_ids))))
    }
    out = {}
    for c in convs:
        wrote = writers.get(c.id, [])
        agents = sorted({a for _, _, a in wrote} | ({c.agent_id} if c.agent_id else set()))
        main = max(wrote)[2] if wrote else c.agent_id
        out[c.id] = ConversationFacts(
            id=c.id, channel=c.channel, state=c.state, contact=_who(contacts.get(c.contact_id)),
            customer_id=c.customer_id, subject=c.subject, holder_id=c.agent_id, agent_ids=tuple(agents),
            agent_id=main, handoff_reason=c.handoff_reason, created_at=c.created_at, queued_at=c.queued_at,
            assigned_at=c.assigned_at, first_response_at=c.first_response_at, closed_at=c.closed_at,
            close_reason=c.close_reason, rating=c.rating, rating_until=_rating_until(c), order_id=c.order_id,
        )  # fmt: skip
    return out


def _message(row: ChannelMessage) -> ChatMessage:
    return ChatMessage(
        id=row.id, conversation_id=row.conversation_id, at=row.created_at, direction=row.direction,
        sender=row.sender, agent_id=row.agent_id, kind=row.kind, text=row.text or "",
    )  # fmt: skip


def transcript(session: Session, conversation_id: int) -> list[ChatMessage]:
    """Every message of the conversation, in order."""
    stmt = select(ChannelMessage).where(ChannelMessage.conversation_id == conversation_id).order_by(ChannelMessage.id)
    return [_message(r) for r in session.scalars(stmt)]


def agent_messages(session: Session, ids: Collection[int]) -> dict[int, list[ChatMessage]]:
    """conversation → its agents' messages, in order."""
    out: dict[int, list[ChatMessage]] = {}
    if not ids:
        return out
    m = ChannelMessage
    stmt = select(m).where(m.conversation_id.in_(list(ids)), m.sender == "agent").order_by(m.id)
    for row in session.scalars(stmt):
        out.setdefault(row.conversation_id, []).append(_message(row))
    return out


def seen_from(session: Session, next_id: int, also: Collection[int], limit: int) -> list[tuple[int, bool]]:
    """``(id, closed)`` of the conversations ``also`` and of those from ``next_id`` on (at most ``limit`` of
    these), by id: a reader that keeps the first id it has not seen and the ids it saw open reads each
    conversation's closing once, without reading the whole table."""
    c = Conversation
    newer = select(c.id).where(c.id >= next_id).order_by(c.id).limit(limit).scalar_subquery()
    stmt = select(c.id, c.state).where(or_(c.id.in_(list(also)), c.id.in_(newer))).order_by(c.id)
    return [(int(i), state == "closed") for i, state in session.execute(stmt)]


def ratings(session: Session, ids: Collection[int]) -> dict[int, tuple[str | None, datetime | None]]:
    """conversation → (its rating, until when one may still come)."""
    if not ids:
        return {}
    rows = session.scalars(select(Conversation).where(Conversation.id.in_(list(ids))))
    return {c.id: (c.rating, _rating_until(c)) for c in rows}
