"""Conversations: a customer's written messages in, the bot's and the agents' out, one inbox.

Every channel (WeChat, the self-service site, e-mail, SMS) hands an inbound message to ``do_receive`` in the
same shape (``Inbound``). It is stored once: a repeated delivery (WeChat retries the same MsgId three times, a
mailbox read twice, a gateway posting again) finds the message by its channel id and changes nothing. The
contact (openid, address, number) is found or made, bound to a customer where the number says who; its open
conversation takes the message, or a new one starts: with the bot first (the web chat always; the other
channels in busy hours, ``bot.service.busy``) or straight in the agents' queue.

An outbound message (the bot's, an agent's, a system notice) is stored with ``delivery = pending`` in the
same transaction and handed to its channel by the worker (``channels.jobs.deliver``), retried until the
channel takes it; WeChat's passive reply and the web chat's socket take the bot's answer at once.

Routing: a queued conversation is offered to a ready agent (``calls`` agent states) with fewer than
``chat_limit`` conversations, the one with fewest first; agents also take one from the queue themselves. A
customer's message left unanswered escalates at ``escalate_minutes`` (the floor manager, the duty manager, the
director), like an order's 催办.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.bot import service as bot
from huiyin.calls.service.agents import current_state
from huiyin.calls.states import AgentStatus
from huiyin.channels.models import ChannelContact, ChannelMessage, Conversation
from huiyin.channels.states import (
    CHANNEL_NAMES_ZH,
    HANDLERS,
    OPEN,
    STATE_NAMES_ZH,
    TRANSITIONS,
    ConversationAction,
    ConversationState,
)
from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.roles import Role
from huiyin.customers.service import customer_facts, customer_id_by_phone
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.notify.service import Message, do_notify, publish
from huiyin.settings import Settings
from huiyin.surveys import service as surveys

S = ConversationState
BOT_FIRST_ALWAYS = frozenset({"web"})
"""Channels whose conversations always start with the bot; the others only in busy hours."""
RATING_WORDS = {
    "1": "satisfied",
    "2": "basic",
    "3": "unsatisfied",
    "满意": "satisfied",
    "基本满意": "basic",
    "不满意": "unsatisfied",
}
QUIET_EVENTS = {
    "email": frozenset({"accepted", "transfer", "to_bot", "queued"}),
    "sms": frozenset({"accepted", "transfer", "to_bot"}),
}
RATING_TEXT = "本次服务已结束，请您评价：回复1满意，2基本满意，3不满意。感谢您的支持！"
RATED_TEXT = "感谢您的评价，祝您生活愉快！"
RATED_BEFORE_TEXT = "您已评价过本次服务，以第一次评价为准。感谢您的支持！"
RATING_HOURS = 24
"""How long after the close the customer's 1/2/3 rates the conversation."""
RESULTS = {"satisfied": "satisfied", "basic": "basically_satisfied", "unsatisfied": "unsatisfied"}
"""A conversation's rating (as ``Conversation.rating`` and the API say it) → the surveys result it is counted as."""
LEVELS = {result: level for level, result in RESULTS.items()}


@dataclass(frozen=True)
class Inbound:
    channel: str  # wechat | web | email | sms
    address: str  # openid, e-mail address, mobile number
    external_id: str  # the channel's own id of the message (idempotency)
    text: str = ""
    kind: str = "text"  # text | image | location | file | event
    data: dict[str, Any] = field(default_factory=dict)
    account_id: int = 0
    display_name: str | None = None
    subject: str | None = None  # a mail's subject
    at: datetime | None = None
    thread: str | None = None  # e-mail: the conversation this mail answers (by In-Reply-To), when known
    phone: str | None = None  # who the channel says this is (SMS, the signed-in self-service customer)
    quiet: bool = False  # kept, never answered (an e-mail auto-reply)


@dataclass
class Received:
    conversation: Conversation
    message: ChannelMessage
    duplicate: bool = False
    replies: list[ChannelMessage] = field(default_factory=list)


def external_key(channel: str, external_id: str) -> str:
    """An id of at most 200 characters (a long Message-ID is hashed)."""
    return external_id if len(external_id) <= 200 else "sha256:" + hashlib.sha256(external_id.encode()).hexdigest()


def check_text(text: str, settings: Settings) -> str:
    if len(text) > settings.channels.max_text:
        most = settings.channels.max_text
        raise Invalid(f"a message is at most {most} characters", code="channels.text_too_long", field="text", most=most)
    return text


def find_message(session: Session, channel: str, external_id: str) -> ChannelMessage | None:
    return session.scalars(
        select(ChannelMessage).where(
            ChannelMessage.channel == channel, ChannelMessage.external_id == external_key(channel, external_id)
        )
    ).first()


def do_contact(
    session: Session,
    channel: str,
    address: str,
    account_id: int = 0,
    *,
    name: str | None = None,
    phone: str | None = None,
) -> ChannelContact:
    """The contact for this address (made when new); bound to the customer whose number it is, when one is."""
    contact = session.scalars(
        select(ChannelContact).where(
            ChannelContact.channel == channel,
            ChannelContact.account_id == account_id,
            ChannelContact.address == address,
        )
    ).first()
    at = now()
    if contact is None:
        contact = ChannelContact(
            channel=channel, account_id=account_id, address=address, display_name=name, subscribed=True, created_at=at
        )
        session.add(contact)
        session.flush()
    elif name and not contact.display_name:
        contact.display_name = name
    if contact.customer_id is None and phone:
        customer_id = customer_id_by_phone(session, phone)
        if customer_id is not None:
            contact.customer_id, contact.bound_at = customer_id, at
    return contact


def open_conversation(session: Session, contact_id: int, *, lock: bool = False) -> Conversation | None:
    stmt = (
        select(Conversation)
        .where(Conversation.contact_id == contact_id, Conversation.state.in_([s.value for s in OPEN]))
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    return session.scalars(stmt.with_for_update() if lock else stmt).first()


def queue_figures(session: Session) -> tuple[int, float]:
    """How many wait in the agents' queue, and the longest wait in seconds."""
    n, oldest = session.execute(
        select(func.count(), func.min(Conversation.queued_at)).where(Conversation.state == S.queued.value)
    ).one()
    return int(n), (now() - oldest).total_seconds() if oldest else 0.0


def bot_first(session: Session, channel: str, settings: Settings) -> bool:
    conf = bot.bot_settings(session)
    if conf.mode == "off":
        return False
    if channel in BOT_FIRST_ALWAYS:
        return True
    queued, longest = queue_figures(session)
    return bot.busy(session, conf, queued, longest, settings.timezone)


def do_receive(session: Session, inb: Inbound, settings: Settings) -> Received:
    """Stores one inbound message (once), in its conversation, and lets the bot answer when it holds it."""
    key = external_key(inb.channel, inb.external_id)
    seen = find_message(session, inb.channel, inb.external_id)
    if seen is not None:
        return Received(session.get_one(Conversation, seen.conversation_id), seen, duplicate=True)
    at = inb.at or now()
    contact = do_contact(session, inb.channel, inb.address, inb.account_id, name=inb.display_name, phone=inb.phone)
    contact.last_inbound_at = now()
    conv = None
    if inb.thread:
        conv = session.get(Conversation, int(inb.thread)) if inb.thread.isdigit() else None
        if conv is not None and (conv.contact_id != contact.id or conv.state == S.closed.value):
            conv = None
    conv = conv or open_conversation(session, contact.id, lock=True)
    rated = None if conv is not None else _rating_reply(session, contact, inb, settings)
    if rated is not None:
        conv = rated[0]
    created = conv is None
    if conv is None and inb.quiet:  # an auto-reply to nothing open: kept in a closed conversation of its own
        conv = Conversation(
            channel=inb.channel,
            account_id=inb.account_id,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            state=S.closed.value,
            subject=(inb.subject or "")[:300] or None,
            created_at=now(),
            closed_at=now(),
            close_reason="auto_reply",
            bot_misses=0,
            bot_answers=0,
            escalation_level=0,
        )
        session.add(conv)
        session.flush()
    if conv is None:
        first = bot_first(session, inb.channel, settings) and inb.kind in ("text", "event")
        conv = Conversation(
            channel=inb.channel,
            account_id=inb.account_id,
            contact_id=contact.id,
            customer_id=contact.customer_id,
            state=(S.bot if first else S.queued).value,
            subject=(inb.subject or None) and inb.subject[:300],
            created_at=now(),
            bot_misses=0,
            bot_answers=0,
            escalation_level=0,
            handoff_reason=None if first else "no_bot",
            queued_at=None if first else now(),
        )
        session.add(conv)
        session.flush()
    msg = ChannelMessage(
        conversation_id=conv.id,
        channel=inb.channel,
        direction="in",
        sender="customer",
        kind=inb.kind,
        text=inb.text,
        data=inb.data,
        external_id=key,
        created_at=at,
        attempts=0,
    )
    try:
        with session.begin_nested():
            session.add(msg)
    except IntegrityError:  # the same message, stored by a concurrent delivery a moment ago
        seen = find_message(session, inb.channel, inb.external_id)
        if seen is None:
            raise
        return Received(session.get_one(Conversation, seen.conversation_id), seen, duplicate=True)
    if not inb.quiet:
        conv.last_customer_at = now()
    if contact.customer_id and conv.customer_id is None:
        conv.customer_id = contact.customer_id
    out = Received(conv, msg)
    if inb.quiet:
        return out
    if rated is not None:
        out.replies.append(do_say(session, conv, "system", RATED_TEXT if rated[1] else RATED_BEFORE_TEXT))
        return out
    if conv.state == S.bot.value:
        _bot_turn(session, conv, msg, settings, out, greet=created)
    else:
        _awaiting_agent(session, conv, settings, created)
        if created and conv.state == S.queued.value:
            _push_queue(session)
    return out


def _rating_reply(
    session: Session, contact: ChannelContact, inb: Inbound, settings: Settings
) -> tuple[Conversation, bool] | None:
    """A reply 1/2/3 to the rating invitation of this contact's last conversation, within a day: that
    conversation and whether the reply rated it (False: it was rated before, the first answer stands, and the
    reply is only kept in the conversation, as a second SMS answer to an order's invitation is)."""
    level = RATING_WORDS.get(inb.text.strip().rstrip("。.！!"))
    if level is None:
        return None
    last = session.scalars(
        select(Conversation)
        .where(Conversation.contact_id == contact.id, Conversation.state == S.closed.value)
        .order_by(Conversation.id.desc())
        .limit(1)
    ).first()
    if last is None or last.rating_invited_at is None:
        return None
    if now() - last.rating_invited_at > timedelta(hours=RATING_HOURS):
        return None
    return last, do_rate_conversation(session, last, level, inb.at or now(), settings)


def do_rate_conversation(session: Session, conv: Conversation, level: str, at: datetime, settings: Settings) -> bool:
    """The one way a conversation is rated: surveys stores the rating (counted in 满意率 under the channel and
    the agent who held the conversation, once: the first answer stands) and ``Conversation.rating`` copies what
    surveys kept, so the two never disagree. Only a closed conversation the customer was asked to rate (409
    otherwise). Whether this answer rated it."""
    if conv.state != S.closed.value or conv.rating_invited_at is None:
        raise Conflict(
            "only a closed conversation the customer was asked to rate is rated", code="channels.not_rateable"
        )
    if level not in RESULTS:
        raise Invalid(f"rating: one of {', '.join(RESULTS)}", code="channels.rating_value", field="rating")
    rating, created = surveys.do_record_contact_rating(
        session,
        channel=conv.channel,
        contact_kind="conversation",
        contact_id=conv.id,
        agent_id=conv.agent_id,
        customer_id=conv.customer_id,
        result=RESULTS[level],
        at=at,
        tz=settings.timezone,
        care_hours=settings.surveys.care_hours,
    )
    conv.rating = LEVELS[rating.result]
    return created


def ratings_of(session: Session, conversation_ids: list[int]) -> dict[int, str]:
    """Each rated conversation's rating (satisfied, basic, unsatisfied), read from surveys, which keeps it."""
    return {cid: LEVELS[r] for cid, r in surveys.contact_results(session, "conversation", conversation_ids).items()}


def _bot_turn(
    session: Session, conv: Conversation, msg: ChannelMessage, settings: Settings, out: Received, *, greet: bool
) -> None:
    if msg.kind not in ("text",) or not msg.text.strip():
        if msg.kind == "event" and greet:
            out.replies.append(do_say(session, conv, "bot", bot.bot_settings(session).greeting))
        elif msg.kind != "event":  # a picture or a place: a person looks at it
            _handoff(session, conv, "media", settings, out)
        return
    area_id = None
    if conv.customer_id:
        facts = customer_facts(session, conv.customer_id)
        area_id = facts.area_id if facts else None
    previous = _last_bot_suggestions(session, conv.id)
    chosen = bot.choose_suggestion(msg.text, previous) if previous else None
    if chosen is not None:
        from huiyin.bot.refs import matcher

        faq = next((f for f in matcher(session).faqs if f.article_id == chosen), None)
        if faq is not None:
            conv.bot_answers += 1
            conv.bot_misses = 0
            out.replies.append(do_say(session, conv, "bot", faq.answer, data={"article_id": faq.article_id}))
            return
    reply = bot.ask(
        session,
        msg.text,
        misses_so_far=conv.bot_misses,
        area_id=area_id,
        channel=conv.channel,
        conversation_id=conv.id,
        tz=settings.timezone,
    )
    if reply.handoff:
        _handoff(session, conv, reply.reason or "misses", settings, out)
        return
    if reply.answer is not None:
        conv.bot_answers += 1
        conv.bot_misses = 0
    else:
        conv.bot_misses += 1
    data = {
        "article_id": reply.article_id,
        "outage_id": reply.outage_id,
        "confidence": reply.confidence,
        "suggestions": [s.__dict__ for s in reply.suggestions],
    }
    if reply.text:
        out.replies.append(do_say(session, conv, "bot", reply.text, data=data))


def _last_bot_suggestions(session: Session, conversation_id: int) -> list[dict[str, Any]]:
    last = session.scalars(
        select(ChannelMessage)
        .where(ChannelMessage.conversation_id == conversation_id, ChannelMessage.sender == "bot")
        .order_by(ChannelMessage.id.desc())
        .limit(1)
    ).first()
    return list((last.data or {}).get("suggestions") or []) if last is not None else []


def _handoff(session: Session, conv: Conversation, reason: str, settings: Settings, out: Received) -> None:
    _move(conv, ConversationAction.handoff)
    conv.handoff_reason, conv.queued_at = reason, now()
    _awaiting_agent(session, conv, settings, True)
    position, _ = queue_figures(session)
    wait = bot.expected_wait_text(position - 1, average_wait(session))
    out.replies.append(do_say(session, conv, "system", wait, data={"event": "queued"}))
    _push_queue(session)


def average_wait(session: Session) -> float | None:
    """The average wait of the conversations taken in the last hour, in seconds."""
    since = now() - timedelta(hours=1)
    rows = session.execute(
        select(Conversation.queued_at, Conversation.assigned_at).where(
            Conversation.assigned_at >= since, Conversation.queued_at.is_not(None)
        )
    ).all()
    waits = [(b - a).total_seconds() for a, b in rows if a and b]
    return sum(waits) / len(waits) if waits else None


def _awaiting_agent(session: Session, conv: Conversation, settings: Settings, fresh: bool) -> None:
    """The customer waits for a person: the wait escalates if nobody answers."""
    if conv.unanswered_since is None:
        conv.unanswered_since = now()
        ladder = settings.channels.escalate_minutes
        conv.escalation_level = 0
        conv.escalate_at = conv.unanswered_since + timedelta(minutes=ladder[0]) if ladder else None
    if conv.agent_id:
        publish(session, conv.agent_id, {"type": "conversation", "id": conv.id, "event": "message"})


def _push_queue(session: Session) -> None:
    pass  # the inbox polls the queue; routing offers it to a ready agent (channels.jobs.route)


def do_say(
    session: Session,
    conv: Conversation,
    sender: str,
    text: str,
    *,
    agent_id: int | None = None,
    data: dict[str, Any] | None = None,
    kind: str = "text",
) -> ChannelMessage:
    """An outbound message, pending until its channel takes it (the web chat's is there as soon as it is
    stored: the customer's page reads it). The chat notices (an agent took over, a transfer, back to the bot,
    the place in the queue) stay in the thread only on e-mail and SMS, where each would be a mail or a
    paid text."""
    at = now()
    quiet = conv.channel == "web" or (
        sender == "system" and (data or {}).get("event") in QUIET_EVENTS.get(conv.channel, frozenset())
    )
    msg = ChannelMessage(
        conversation_id=conv.id,
        channel=conv.channel,
        direction="out",
        sender=sender,
        agent_id=agent_id,
        kind=kind,
        text=text,
        data=data or {},
        delivery="local" if quiet else "pending",
        deliver_after=at,
        attempts=0,
        created_at=at,
    )
    session.add(msg)
    session.flush()
    if not quiet:
        session.info["outbox_wake"] = True  # the embedded worker wakes at the commit
    return msg


# ---------------------------------------------------------------- the agents' side


def get_conversation(session: Session, conversation_id: int, *, lock: bool = False) -> Conversation:
    stmt = select(Conversation).where(Conversation.id == conversation_id)
    conv = session.scalars(stmt.with_for_update() if lock else stmt).first()
    if conv is None:
        raise NotFound(f"no conversation {conversation_id}", code="channels.no_conversation")
    return conv


def check_handler(actor: Actor) -> None:
    if not actor.has(*HANDLERS):
        raise Forbidden("only agents and managers answer conversations", code="channels.handlers_only")


def _move(conv: Conversation, action: ConversationAction) -> None:
    t = TRANSITIONS[action]
    if S(conv.state) not in t.sources:
        allowed = [a.value for a, tt in TRANSITIONS.items() if S(conv.state) in tt.sources]
        detail = f"cannot {action.value} a conversation that is {conv.state}"
        if conv.state == S.closed.value:
            raise Conflict(detail, code="channels.closed", allowed=allowed)
        if action == ConversationAction.accept and conv.state == S.assigned.value:
            raise Conflict(detail, code="channels.accepted_already", allowed=allowed)
        raise Conflict(detail, code="channels.state_conflict", allowed=allowed)
    conv.state = t.to.value


def holding(session: Session, agent_id: int) -> int:
    return int(
        session.scalar(
            select(func.count()).where(Conversation.agent_id == agent_id, Conversation.state == S.assigned.value)
        )
        or 0
    )


def loads(session: Session, agent_ids: list[int]) -> dict[int, int]:
    """How many conversations each of these agents holds now."""
    if not agent_ids:
        return {}
    rows = session.execute(
        select(Conversation.agent_id, func.count())
        .where(Conversation.state == S.assigned.value, Conversation.agent_id.in_(agent_ids))
        .group_by(Conversation.agent_id)
    )
    return {a: n for a, n in rows if a is not None}


def check_capacity(session: Session, agent_id: int, settings: Settings) -> None:
    if holding(session, agent_id) >= settings.channels.chat_limit:
        most = settings.channels.chat_limit
        raise Conflict(f"an agent holds at most {most} conversations at once", code="channels.chat_limit", most=most)


def do_accept(session: Session, actor: Actor, conv: Conversation, settings: Settings) -> Conversation:
    check_handler(actor)
    return do_assign(session, conv, actor.id, settings, by="agent")


def do_assign(session: Session, conv: Conversation, agent_id: int, settings: Settings, *, by: str) -> Conversation:
    """The conversation becomes ``agent_id``'s (taken by them, or given by the router)."""
    check_capacity(session, agent_id, settings)
    _move(conv, ConversationAction.accept)
    conv.agent_id, conv.assigned_at = agent_id, now()
    do_say(session, conv, "system", f"客服{_name(session, agent_id)}为您服务。", data={"event": "accepted", "by": by})
    publish(session, agent_id, {"type": "conversation", "id": conv.id, "event": "assigned"})
    return conv


def _name(session: Session, user_id: int) -> str:
    p = directory(session).users.get(user_id)
    return f"{p.full_name}（工号{p.username}）" if p else ""


def check_may_act(actor: Actor, conv: Conversation) -> None:
    check_handler(actor)
    if (
        conv.state == S.assigned.value
        and conv.agent_id != actor.id
        and not actor.has(Role.duty_manager, Role.floor_manager, Role.supervisor, Role.director)
    ):
        raise Forbidden("this conversation is another agent's", code="channels.another_agents")


def do_reply(session: Session, actor: Actor, conv: Conversation, text: str, settings: Settings) -> ChannelMessage:
    """An agent's message to the customer. A conversation still in the queue is taken by who answers it."""
    check_may_act(actor, conv)
    check_text(text, settings)
    if conv.state == S.closed.value:
        raise Conflict("the conversation is closed", code="channels.closed")
    if conv.state == S.queued.value:
        do_accept(session, actor, conv, settings)
    elif conv.state == S.bot.value:  # an agent steps into the bot's conversation
        _move(conv, ConversationAction.handoff)
        conv.handoff_reason, conv.queued_at = "agent", now()
        do_accept(session, actor, conv, settings)
    at = now()
    msg = do_say(session, conv, "agent", text, agent_id=actor.id)
    if conv.first_response_at is None:
        conv.first_response_at = at
    conv.last_agent_at, conv.unanswered_since, conv.escalate_at = at, None, None
    return msg


def do_transfer(
    session: Session, actor: Actor, conv: Conversation, to_user_id: int, settings: Settings, note: str
) -> Conversation:
    check_may_act(actor, conv)
    person = directory(session).users.get(to_user_id)
    if person is None or not (set(person.roles) & {r.value for r in HANDLERS}):
        raise Invalid("transfer to an agent or a manager", code="channels.transfer_target", field="agent_id")
    if to_user_id == conv.agent_id:
        raise Conflict("the conversation is already theirs", code="channels.transfer_same_agent")
    check_capacity(session, to_user_id, settings)
    _move(conv, ConversationAction.transfer)
    before = conv.agent_id
    conv.agent_id, conv.assigned_at = to_user_id, conv.assigned_at or now()
    do_say(
        session,
        conv,
        "system",
        f"已为您转接客服{_name(session, to_user_id)}。",
        data={"event": "transfer", "from": before, "to": to_user_id, "note": note},
    )
    publish(session, to_user_id, {"type": "conversation", "id": conv.id, "event": "assigned"})
    return conv


def do_to_bot(session: Session, actor: Actor, conv: Conversation) -> Conversation:
    check_may_act(actor, conv)
    _move(conv, ConversationAction.to_bot)
    conv.agent_id, conv.bot_misses, conv.unanswered_since, conv.escalate_at = None, 0, None, None
    do_say(
        session,
        conv,
        "system",
        "如还有其他问题，智能客服将继续为您服务；需要人工请回复“人工”。",
        data={"event": "to_bot"},
    )
    return conv


def do_close(session: Session, actor: Actor | None, conv: Conversation, reason: str) -> Conversation:
    """Closes the conversation and asks the customer to rate it (in the same channel)."""
    if actor is not None:
        check_may_act(actor, conv)
    _move(conv, ConversationAction.close)
    at = now()
    conv.closed_at, conv.closed_by, conv.close_reason = at, actor.id if actor else None, reason
    conv.unanswered_since = conv.escalate_at = None
    if conv.agent_id is not None or conv.bot_answers:
        do_say(session, conv, "system", RATING_TEXT, data={"event": "rating"})
        conv.rating_invited_at = at
    return conv


# ---------------------------------------------------------------- reading


def list_conversations(
    session: Session,
    actor: Actor,
    *,
    state: str | None,
    mine: bool,
    order_id: int | None = None,
    customer_id: int | None = None,
    limit: int = 100,
) -> list[Conversation]:
    stmt = select(Conversation)
    if state == "open":
        stmt = stmt.where(Conversation.state.in_([s.value for s in OPEN]))
    elif state:
        stmt = stmt.where(Conversation.state == state)
    if mine:
        stmt = stmt.where(Conversation.agent_id == actor.id)
    if order_id is not None:
        stmt = stmt.where(Conversation.order_id == order_id)
    if customer_id is not None:
        stmt = stmt.where(Conversation.customer_id == customer_id)
    order = Conversation.queued_at.asc() if state == S.queued.value else Conversation.id.desc()
    return list(session.scalars(stmt.order_by(order, Conversation.id).limit(limit)))


def messages_of(session: Session, conversation_id: int, after_id: int = 0) -> list[ChannelMessage]:
    return list(
        session.scalars(
            select(ChannelMessage)
            .where(ChannelMessage.conversation_id == conversation_id, ChannelMessage.id > after_id)
            .order_by(ChannelMessage.id)
        )
    )


def contacts_of(session: Session, ids: set[int]) -> dict[int, ChannelContact]:
    if not ids:
        return {}
    return {c.id: c for c in session.scalars(select(ChannelContact).where(ChannelContact.id.in_(ids)))}


def channel_name(channel: str) -> str:
    return CHANNEL_NAMES_ZH.get(channel, channel)


# ---------------------------------------------------------------- worker rounds


def route_round(session: Session, settings: Settings, limit: int = 50) -> int:
    """Offers the longest-waiting queued conversations to ready agents with room, the least busy first."""
    queued = list(
        session.scalars(
            select(Conversation)
            .where(Conversation.state == S.queued.value)
            .order_by(Conversation.queued_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not queued:
        return 0
    people = directory(session)
    agents = [p.id for p in people.by_role.get(Role.agent.value, ())]
    loads: dict[int, int] = dict.fromkeys(agents, 0)
    for agent_id, n in session.execute(
        select(Conversation.agent_id, func.count())
        .where(Conversation.state == S.assigned.value, Conversation.agent_id.in_(agents))
        .group_by(Conversation.agent_id)
    ):
        if agent_id is not None:
            loads[agent_id] = n
    ready = [a for a in agents if (st := current_state(session, a)) is not None and st.state == AgentStatus.ready.value]
    done = 0
    for conv in queued:
        room = sorted((loads[a], a) for a in ready if loads[a] < settings.channels.chat_limit)
        if not room:
            break
        agent_id = room[0][1]
        do_assign(session, conv, agent_id, settings, by="router")
        loads[agent_id] += 1
        done += 1
    return done


LADDER_ROLES = (Role.floor_manager, Role.duty_manager, Role.director)


def escalate_round(session: Session, settings: Settings, limit: int = 200) -> int:
    """Customers' messages unanswered past the ladder's steps: each step tells the next role up, once."""
    at = now()
    due = list(
        session.scalars(
            select(Conversation)
            .where(Conversation.escalate_at <= at, Conversation.state.in_([S.queued.value, S.assigned.value]))
            .order_by(Conversation.escalate_at)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    ladder = settings.channels.escalate_minutes
    people = directory(session)
    for conv in due:
        level = conv.escalation_level
        role = LADDER_ROLES[min(level, len(LADDER_ROLES) - 1)]
        waited = int((at - (conv.unanswered_since or at)).total_seconds() // 60)
        who = [p for p in people.by_role.get(role.value, ())]
        if conv.agent_id and conv.agent_id in people.users:
            who.append(people.users[conv.agent_id])
        msg = Message(
            kind="escalation",
            title=f"{channel_name(conv.channel)}会话等待超时",
            body=f"会话#{conv.id} 客户已等待{waited}分钟未获回复（{STATE_NAMES_ZH[S(conv.state)]}）",
            level=level + 1,
            data={"conversation_id": conv.id},
        )
        do_notify(
            session,
            who,
            msg,
            key=f"conversation:{conv.id}:{conv.unanswered_since}:{level + 1}",
            settings=settings.notify,
        )
        conv.escalation_level = level + 1
        nxt = ladder[level + 1] if level + 1 < len(ladder) else None
        conv.escalate_at = conv.unanswered_since + timedelta(minutes=nxt) if nxt and conv.unanswered_since else None
    return len(due)


def idle_round(session: Session, settings: Settings, limit: int = 200) -> int:
    """Bot conversations quiet for ``idle_close_minutes``: closed (the bot's, when it answered)."""
    cutoff = now() - timedelta(minutes=settings.channels.idle_close_minutes)
    idle = list(
        session.scalars(
            select(Conversation)
            .where(
                Conversation.state == S.bot.value,
                or_(Conversation.last_customer_at < cutoff, Conversation.last_customer_at.is_(None)),
                Conversation.created_at < cutoff,
            )
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    for conv in idle:
        do_close(session, None, conv, "bot" if conv.bot_answers else "idle")
    return len(idle)


def do_mark(session: Session, ids: list[int], delivery: str, error: str | None = None) -> None:
    if ids:
        session.execute(update(ChannelMessage).where(ChannelMessage.id.in_(ids)).values(delivery=delivery, error=error))
