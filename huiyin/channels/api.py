"""Written-channel endpoints: WeChat's callback URL, the agents' inbox (conversations, messages, accept,
transfer, hand back to the bot, close, register an order), the channel accounts, and the bot's own endpoints
(ask, settings, what it could not answer, its figures)."""

from __future__ import annotations

import asyncio
import secrets
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request, Response
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from huiyin.auth.refs import directory
from huiyin.bot import service as bot
from huiyin.calls.service.agents import current_state
from huiyin.channels import inbox, service, wechat, wechat_in
from huiyin.channels.accounts import callback_url, do_create_account
from huiyin.channels.jobs import wechat_account
from huiyin.channels.models import ChannelAccount, ChannelContact, ChannelMessage, Conversation
from huiyin.channels.states import CHANNEL_NAMES_ZH, HANDLERS, STATE_NAMES_ZH, ConversationState
from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, require_roles
from huiyin.core.intake import Intake, serve_direct
from huiyin.core.phones import mask_phone
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import PathId, QueryId, RefId
from huiyin.customers.reveals import customer_numbers
from huiyin.customers.service import customer_facts, customer_views
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.outages.refs import live_outages
from huiyin.settings import Settings
from huiyin.storage import StorageDep
from huiyin.workorders import service as orders
from huiyin.workorders.catalog import OrderType

router = APIRouter(tags=["channels"])
Handler = Annotated[SignedIn, Depends(require_roles(*HANDLERS))]
Manager = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.admin))]
Centre = Annotated[
    SignedIn, Depends(require_roles(Role.agent, Role.dispatcher, Role.qa_inspector, *MANAGERS, Role.admin))
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)]


# ---------------------------------------------------------------- WeChat's callback


def _account(session: Session, name: str) -> tuple[ChannelAccount, wechat.WechatAccount]:
    acc = session.scalars(
        select(ChannelAccount).where(
            ChannelAccount.kind == "wechat", ChannelAccount.name == name, ChannelAccount.active
        )
    ).first()
    if acc is None:
        raise NotFound(f"no WeChat integration {name!r}", code="channels.no_wechat_account")
    return acc, wechat_account(acc.config)


@router.get("/channels/wechat/{name}", operation_id="channels-wechat_verify", response_class=Response)
async def wechat_verify(name: str, request: Request, session: SessionDep) -> Response:
    """WeChat's server check when the URL is saved: the signed ``echostr`` echoed back."""
    _, account = _account(session, name)
    try:
        text = wechat.echo(account, dict(request.query_params), now())
    except wechat.SignatureError as exc:
        raise Forbidden(f"WeChat signature: {exc}", code="channels.wechat_signature") from None
    return Response(text, media_type="text/plain")


SYNC_WAIT = 0.05
"""A message whose batch began later than this after it arrived is left to the worker (the process is busy)."""


class Room:
    """How many messages this process may still take in within the callback: a token bucket that refills at
    ``channels.wechat_sync_per_second`` (a burst of a second's worth). Taking one in costs the process ~10 ms
    (the contact, the conversation, the bot's turn); a burst beyond this is only stored, so that every
    callback of it is acknowledged at once, and the worker takes the rest in."""

    def __init__(self) -> None:
        self.tokens = 0.0
        self.at = 0.0

    def take(self, rate: float, at: float) -> bool:
        if rate <= 0:
            return False
        self.tokens = min(max(rate, 1.0), self.tokens + (at - self.at) * rate)
        self.at = at
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


WECHAT_BATCH = 64
"""Messages stored in one transaction at most: storing one is a single INSERT, so a batch of a busy second's
messages is cheap, and on SQLite it waits for the process's write lock once, not once per eight."""


@dataclass(frozen=True)
class _Posted:
    name: str
    params: dict[str, str]
    body: bytes
    arrived: float


def _take_posted(session: Session, posted: _Posted, memo: dict[str, Any], settings: Settings, room: Room) -> str:
    """One posted message in its batch's transaction: the reply's body (``success`` or the passive reply)."""
    found = memo.get(posted.name)
    if found is None:
        found = memo[posted.name] = _account(session, posted.name)
    acc, account = found
    params = posted.params
    try:
        wechat.check_signature(
            account, params.get("signature", ""), params.get("timestamp", ""), params.get("nonce", ""), now()
        )
        inbound = wechat.parse_inbound(account, posted.body, params, now())
    except wechat.SignatureError as exc:
        raise Forbidden(f"WeChat signature: {exc}", code="channels.wechat_signature") from None
    except wechat.UnsupportedMessage:
        return wechat.SUCCESS
    except wechat.BadMessage as exc:
        raise Invalid(f"WeChat message: {exc}", code="channels.wechat_message") from None
    payload = {"account": acc.id, "message": wechat_in.to_payload(inbound)}
    row_id = inbox.do_enqueue(session, "wechat", inbound.dedup_key, payload)
    if row_id is None:  # delivered before: stored once, answered once
        return wechat.SUCCESS
    at = time.monotonic()
    if (
        at - posted.arrived > SYNC_WAIT
        or not room.take(settings.channels.wechat_sync_per_second, at)
        or inbox.backlog(session, row_id)
    ):
        session.info["outbox_wake"] = True  # busy: the worker takes it in now
        return wechat.SUCCESS
    got = inbox.process(session, row_id, "wechat", payload, settings)
    if got is None or got.duplicate or not got.replies:
        return wechat.SUCCESS
    if time.monotonic() - posted.arrived > settings.channels.wechat_reply_seconds:  # too late: the API sends them
        return wechat.SUCCESS
    first = got.replies[0]  # any further replies stay pending: the customer-service API sends them
    first.delivery = "sent"
    first.data = {**(first.data or {}), "passive": True}
    return wechat.reply_xml(account, inbound, first.text, params, now())


def _wechat_intake(request: Request) -> Intake:
    """The app's WeChat intake on this event loop (``core.intake``), kept on the app (``app.state.intakes``)."""
    intakes: dict[tuple[str, int], Intake] = request.app.state.intakes
    key = ("wechat", id(asyncio.get_running_loop()))
    found = intakes.get(key)
    if found is None:
        settings: Settings = request.app.state.settings
        room: Room = request.app.state.wechat_room

        def apply(session: Session, posted: Any, memo: dict[str, Any]) -> dict[str, Any]:
            return {"body": _take_posted(session, posted, memo, settings, room)}

        found = intakes[key] = Intake(request.app.state.db, apply, max_batch=WECHAT_BATCH)
    return found


@router.post("/channels/wechat/{name}", operation_id="channels-wechat_message", response_class=Response)
async def wechat_message(name: str, request: Request) -> Response:
    """A follower's message or event, as WeChat posts it (plain, compatible or safe mode); 403 when the
    signature is wrong. The message is stored first (``channels.inbox``), in a batch with the messages that
    arrived meanwhile (``core.intake``: one transaction, one commit); when the process has room
    (``channels.wechat_sync_per_second``) it is taken in at once and the bot's answer goes back in this
    response (within ``channels.wechat_reply_seconds``), else ``success`` now and the worker takes it in, its
    answer sent through the customer-service API. A MsgId seen before is acknowledged and changes nothing.

    The server reaches it through ``serve_wechat_message``, ahead of FastAPI's middleware and dependencies."""
    posted = _Posted(name, dict(request.query_params), await request.body(), time.monotonic())
    body = (await _wechat_intake(request).submit(posted))["body"]
    return Response(body, media_type="text/plain" if body == wechat.SUCCESS else "application/xml")


async def serve_wechat_message(app: FastAPI, scope: Scope, receive: Receive, send: Send, name: str) -> None:
    """``wechat_message`` as a plain ASGI call, from ``HuiyinApp`` before its middleware stack: a busy official
    account posts hundreds of messages a second."""

    async def respond(request: Request) -> Response:
        return await wechat_message(name, request)

    await serve_direct(app, scope, receive, send, respond)


# ---------------------------------------------------------------- the inbox


class ConversationMessage(BaseModel):
    id: int
    direction: str
    sender: str
    agent_id: int | None
    agent_name: str | None = None
    kind: str
    text: str = Field(description="plain text: the page shows it as text, never as HTML")
    data: dict[str, Any]
    delivery: str | None
    error: str | None
    created_at: Any


class ConversationPublic(BaseModel):
    id: int
    channel: str
    channel_name: str
    state: str
    state_name: str
    contact: str = Field(description="who writes: a masked number, an address, a WeChat nickname or openid")
    customer_id: int | None
    customer_name: str | None = None
    agent_id: int | None
    agent_name: str | None = None
    subject: str | None
    handoff_reason: str | None
    order_id: int | None
    created_at: Any
    queued_at: Any
    assigned_at: Any
    first_response_at: Any
    last_customer_at: Any
    unanswered_since: Any
    escalation_level: int
    closed_at: Any
    close_reason: str | None
    rating: str | None
    last_text: str | None = None


class ConversationsPublic(BaseModel):
    items: list[ConversationPublic]
    queued: int
    longest_wait_seconds: float
    mine: int
    limit: int


class ConversationDetail(ConversationPublic):
    messages: list[ConversationMessage]
    customer: dict[str, Any] | None
    outages: list[dict[str, Any]]
    open_orders: list[dict[str, Any]]


def _who(contact: ChannelContact | None) -> str:
    if contact is None:
        return ""
    if contact.channel in ("sms", "web"):
        return mask_phone(contact.address)
    if contact.channel == "email":
        return contact.address
    return contact.display_name or f"微信用户{contact.address[-6:]}"


def _public(session: SessionDep, convs: list[Conversation]) -> list[ConversationPublic]:
    contacts = service.contacts_of(session, {c.contact_id for c in convs})
    people = directory(session)
    last: dict[int, str] = {}
    if convs:
        ids = [c.id for c in convs]
        latest = (
            select(func.max(ChannelMessage.id))
            .where(ChannelMessage.conversation_id.in_(ids))
            .group_by(ChannelMessage.conversation_id)
        )
        for cid, text in session.execute(
            select(ChannelMessage.conversation_id, ChannelMessage.text).where(ChannelMessage.id.in_(latest))
        ):
            last[cid] = text[:80]
    names = {v.id: v.name for v in customer_views(session, sorted({c.customer_id for c in convs if c.customer_id}))}
    out = []
    for c in convs:
        agent = people.users.get(c.agent_id) if c.agent_id else None
        out.append(
            ConversationPublic(
                id=c.id,
                channel=c.channel,
                channel_name=CHANNEL_NAMES_ZH.get(c.channel, c.channel),
                state=c.state,
                state_name=STATE_NAMES_ZH[ConversationState(c.state)],
                contact=_who(contacts.get(c.contact_id)),
                customer_id=c.customer_id,
                customer_name=names.get(c.customer_id) if c.customer_id else None,
                agent_id=c.agent_id,
                agent_name=agent.full_name if agent else None,
                subject=c.subject,
                handoff_reason=c.handoff_reason,
                order_id=c.order_id,
                created_at=c.created_at,
                queued_at=c.queued_at,
                assigned_at=c.assigned_at,
                first_response_at=c.first_response_at,
                last_customer_at=c.last_customer_at,
                unanswered_since=c.unanswered_since,
                escalation_level=c.escalation_level,
                closed_at=c.closed_at,
                close_reason=c.close_reason,
                rating=c.rating,
                last_text=last.get(c.id),
            )
        )
    return out


@router.get("/conversations", operation_id="channels-list")
async def list_conversations(
    session: SessionDep,
    user: Centre,
    settings: SettingsDep,
    state: Annotated[str | None, Query(pattern="^(bot|queued|assigned|closed|open)$")] = None,
    mine: bool = False,
    order_id: QueryId = None,
    customer_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> ConversationsPublic:
    """The queue (``state=queued``, longest wait first), my conversations (``mine=true``), a customer's or an
    order's conversations."""
    convs = service.list_conversations(
        session, user, state=state, mine=mine, order_id=order_id, customer_id=customer_id, limit=limit
    )
    queued, longest = service.queue_figures(session)
    return ConversationsPublic(
        items=_public(session, convs),
        queued=queued,
        longest_wait_seconds=round(longest, 1),
        mine=service.holding(session, user.id),
        limit=settings.channels.chat_limit,
    )


def _detail(session: SessionDep, conv: Conversation) -> ConversationDetail:
    base = _public(session, [conv])[0]
    people = directory(session)
    msgs = []
    for m in service.messages_of(session, conv.id):
        agent = people.users.get(m.agent_id) if m.agent_id else None
        msgs.append(
            ConversationMessage(
                id=m.id,
                direction=m.direction,
                sender=m.sender,
                agent_id=m.agent_id,
                agent_name=agent.full_name if agent else None,
                kind=m.kind,
                text=m.text,
                data=m.data or {},
                delivery=m.delivery,
                error=m.error,
                created_at=m.created_at,
            )
        )
    customer = None
    outages: list[dict[str, Any]] = []
    open_orders: list[dict[str, Any]] = []
    if conv.customer_id:
        facts = customer_facts(session, conv.customer_id)
        if facts is not None:
            customer = {
                "id": facts.id,
                "name": facts.name,
                "address": facts.address,
                "area_id": facts.area_id,
                "tags": list(facts.tags),
            }
            for live in live_outages(session).in_area(facts.area_id):
                outages.append(
                    {"id": live.id, "utility": live.utility, "state": live.state, "cause": live.cause, "eta": live.eta}
                )
            for o in orders.open_orders_of(session, customer_id=conv.customer_id, contact_phone=None, limit=10):
                open_orders.append(
                    {
                        "id": o.id,
                        "number": o.number,
                        "type": o.type,
                        "state": o.state,
                        "description": o.description[:100],
                        "created_at": o.created_at,
                    }
                )
    return ConversationDetail(
        **base.model_dump(), messages=msgs, customer=customer, outages=outages, open_orders=open_orders
    )


class ChatAgent(BaseModel):
    id: int
    name: str
    username: str
    roles: list[str]
    state: str = Field(description="the seat's state, shared with the phone: ready, not_ready, on_call, acw, …")
    holding: int = Field(description="conversations they hold now")
    limit: int


@router.get("/conversations-agents", operation_id="channels-agents")
async def agents(session: SessionDep, _: Handler, settings: SettingsDep) -> list[ChatAgent]:
    """Who a conversation can be transferred to: the agents and managers, with their seat's state and how many
    conversations they hold."""
    people = directory(session)
    holders = {p.id: p for role in ("agent", *[r.value for r in MANAGERS]) for p in people.by_role.get(role, ())}
    loads = service.loads(session, list(holders))
    out = []
    for pid, p in sorted(holders.items(), key=lambda kv: kv[1].username):
        st = current_state(session, pid)
        out.append(
            ChatAgent(
                id=pid,
                name=p.full_name,
                username=p.username,
                roles=sorted(p.roles),
                state=st.state if st else "signed_out",
                holding=loads.get(pid, 0),
                limit=settings.channels.chat_limit,
            )
        )
    return out


@router.get("/conversations/{conversation_id}", operation_id="channels-get")
async def get_conversation(conversation_id: PathId, session: SessionDep, _: Centre) -> ConversationDetail:
    """The thread with the customer panel: who they are, their tags, open orders, outages in their area."""
    return _detail(session, service.get_conversation(session, conversation_id))


@router.get(
    "/conversations/{conversation_id}/messages/{message_id}/attachments/{index}",
    operation_id="channels-attachment",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}, "description": "the file's bytes"}},
)
async def attachment(
    conversation_id: PathId,
    message_id: PathId,
    index: Annotated[int, Path(ge=0, le=100)],
    session: SessionDep,
    _: Centre,
    storage: StorageDep,
) -> Response:
    """A file a customer sent (a mail's attachment, a fax's image, a WeChat image or voice), as they sent it: a
    picture or a sound of a kind a browser shows safely inline with its own type (the inbox shows it), anything
    else (SVG, HTML, documents) as a download of bytes."""
    m = session.get(ChannelMessage, message_id)
    files = (m.data or {}).get("attachments") if m is not None and m.conversation_id == conversation_id else None
    if not files or index >= len(files) or not files[index].get("key"):
        raise NotFound("no such attachment", code="channels.no_attachment")
    f = files[index]
    data = await run_in_threadpool(storage.get, f["key"])
    name = str(f.get("filename") or "file")
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in name)
    kind = str(f.get("content_type") or "").split(";")[0].strip().lower()
    inline = kind in INLINE_TYPES
    disposition = "inline" if inline else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(data, media_type=kind if inline else "application/octet-stream", headers=headers)


INLINE_TYPES = frozenset(
    {"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"}
    | {"audio/mpeg", "audio/mp4", "audio/wav", "audio/ogg"}
)
"""What an attachment may be shown as, inline: pictures and sounds with no script in them (not SVG)."""


class ConversationReplyIn(BaseModel):
    text: Text


@router.post("/conversations/{conversation_id}/messages", status_code=201, operation_id="channels-reply")
async def reply(
    conversation_id: PathId, body: ConversationReplyIn, session: SessionDep, user: Handler, settings: SettingsDep
) -> ConversationDetail:
    """An agent's answer; a queued conversation becomes theirs by answering it."""
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.do_reply(session, user, conv, body.text, settings)
    return _detail(session, conv)


@router.post("/conversations/{conversation_id}/accept", operation_id="channels-accept")
async def accept(
    conversation_id: PathId, session: SessionDep, user: Handler, settings: SettingsDep
) -> ConversationDetail:
    """Takes a conversation from the queue (up to ``channels.chat_limit`` at once)."""
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.do_accept(session, user, conv, settings)
    return _detail(session, conv)


class ConversationTransferIn(BaseModel):
    agent_id: RefId
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""


@router.post("/conversations/{conversation_id}/transfer", operation_id="channels-transfer")
async def transfer(
    conversation_id: PathId, body: ConversationTransferIn, session: SessionDep, user: Handler, settings: SettingsDep
) -> ConversationDetail:
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.do_transfer(session, user, conv, body.agent_id, settings, body.note)
    return _detail(session, conv)


@router.post("/conversations/{conversation_id}/to-bot", operation_id="channels-to_bot")
async def to_bot(conversation_id: PathId, session: SessionDep, user: Handler) -> ConversationDetail:
    """Hands the conversation back to the bot (the customer's question answered, they may ask more)."""
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.do_to_bot(session, user, conv)
    return _detail(session, conv)


class ConversationCloseIn(BaseModel):
    reason: Annotated[str, StringConstraints(pattern="^(solved|customer|idle|order|spam)$")] = "solved"


@router.post("/conversations/{conversation_id}/close", operation_id="channels-close")
async def close(
    conversation_id: PathId, body: ConversationCloseIn, session: SessionDep, user: Handler
) -> ConversationDetail:
    """Ends the conversation; the customer is asked to rate it in the same channel."""
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.do_close(session, user, conv, body.reason)
    return _detail(session, conv)


class ConversationRegisterIn(BaseModel):
    type: OrderType
    category: Annotated[str, StringConstraints(min_length=1, max_length=32)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
    contact_phone: Annotated[str, StringConstraints(min_length=3, max_length=20)] | None = Field(
        default=None, description="default: the number the customer wrote from, or their account's"
    )
    contact_name: Annotated[str, StringConstraints(max_length=100)] | None = None
    address: Annotated[str, StringConstraints(max_length=300)] | None = None
    area_id: RefId | None = None
    customer_id: RefId | None = None


@router.post("/conversations/{conversation_id}/register", status_code=201, operation_id="channels-register")
async def register(
    conversation_id: PathId, body: ConversationRegisterIn, session: SessionDep, user: Handler, settings: SettingsDep
) -> ConversationDetail:
    """Registers a work order from the conversation (once): its channel, its customer, its number; the order's
    page shows the conversation (``GET /conversations?order_id=``)."""
    conv = service.get_conversation(session, conversation_id, lock=True)
    service.check_may_act(user, conv)
    if conv.order_id is not None:
        raise Conflict(
            f"this conversation already registered order {conv.order_id}",
            code="channels.registered_already",
            order_id=conv.order_id,
        )
    contact = session.get_one(ChannelContact, conv.contact_id)
    phone = body.contact_phone or (contact.address if contact.channel in ("sms", "web") else None)
    customer_id = body.customer_id or conv.customer_id
    if phone is None and customer_id:
        numbers = customer_numbers(session, customer_id)
        phone = numbers[0] if numbers else None
    if not phone:
        raise Invalid(
            "give the customer's contact_phone (the channel has no number)",
            code="channels.contact_phone_needed",
            field="contact_phone",
        )
    data = {
        "type": body.type.value,
        "category": body.category,
        "description": body.description,
        "channel": conv.channel,
        "contact_phone": phone,
        "contact_name": body.contact_name,
        "customer_id": customer_id,
        "address": body.address,
        "area_id": body.area_id,
    }
    plan = orders.check_register(session, user, data)
    plan.extra["conversation_id"] = conv.id
    order = orders.do_register(session, user, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
    session.flush()
    conv.order_id = order.id
    if customer_id and conv.customer_id is None:
        conv.customer_id = customer_id
    service.do_say(
        session,
        conv,
        "system",
        f"已为您登记工单{order.number}，处理进度将及时通知您。",
        data={"event": "order", "order_id": order.id, "number": order.number},
    )
    return _detail(session, conv)


# ---------------------------------------------------------------- accounts (admin)


TemplateId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class WechatTemplates(BaseModel):
    """The account's template ids (模板消息, as registered on the official account's platform) per kind of
    notice (``channels.notices``); a kind without one is not sent (its messages are marked skipped)."""

    order: TemplateId | None = Field(
        default=None, description="工单进度通知: first, keyword1-4 (number, what, state, time), remark"
    )
    outage: TemplateId | None = Field(default=None, description="停供通知: first, keyword1-3 (what, from, ETA), remark")
    announcement: TemplateId | None = Field(default=None, description="公告通知: first, keyword1-2 (text, time)")


class WechatAccountIn(BaseModel):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    token: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{3,32}$")]
    appid: Annotated[str, StringConstraints(max_length=64)] | None = None
    secret: Annotated[str, StringConstraints(max_length=128)] | None = None
    aes_key: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{43}$")] | None = None
    api_base: Annotated[str, StringConstraints(max_length=200)] | None = None
    templates: WechatTemplates | None = None


class ChannelAccountPublic(BaseModel):
    id: int
    kind: str
    name: str
    active: bool
    callback_url: str | None
    safe_mode: bool
    templates: dict[str, str] = Field(default_factory=dict, description="WeChat: the template id per notice kind")


@router.post("/channels/wechat-accounts", status_code=201, operation_id="channels-create_wechat")
async def create_wechat(
    body: WechatAccountIn,
    session: SessionDep,
    _: Annotated[SignedIn, Depends(require_roles(Role.admin))],
    settings: SettingsDep,
) -> ChannelAccountPublic:
    config = body.model_dump(exclude_none=True)
    acc = do_create_account(session, "wechat", config.pop("name"), config)
    return _account_public(acc, settings)


def _account_public(a: ChannelAccount, settings: Settings) -> ChannelAccountPublic:
    return ChannelAccountPublic(
        id=a.id,
        kind=a.kind,
        name=a.name,
        active=a.active,
        callback_url=callback_url(settings.surveys.public_url, a.name) if a.kind == "wechat" else None,
        safe_mode=bool(a.config.get("aes_key")),
        templates={k: v for k, v in (a.config.get("templates") or {}).items() if v},
    )


@router.put("/channels/wechat-accounts/{name}/templates", operation_id="channels-set_wechat_templates")
async def set_wechat_templates(
    name: str,
    body: WechatTemplates,
    session: SessionDep,
    _: Annotated[SignedIn, Depends(require_roles(Role.admin))],
    settings: SettingsDep,
) -> ChannelAccountPublic:
    """The account's template ids, once WeChat has approved them (all three replaced: a kind left out is
    switched off)."""
    acc = _account(session, name)[0]
    acc.config = {**acc.config, "templates": body.model_dump(exclude_none=True)}
    return _account_public(acc, settings)


class MailAccountIn(BaseModel):
    name: Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{1,62}$")]
    address: Annotated[str, StringConstraints(pattern=r"^[^@\s]{1,64}@[^@\s]{1,190}$")]
    display_name: Annotated[str, StringConstraints(max_length=100)] = "回音客服中心"
    imap_host: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    imap_port: Annotated[int, Field(ge=1, le=65535)] = 993
    imap_ssl: bool = True
    smtp_host: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    smtp_port: Annotated[int, Field(ge=1, le=65535)] = 465
    smtp_ssl: bool = True
    smtp_starttls: bool = False
    username: Annotated[str, StringConstraints(max_length=200)] = ""
    password: Annotated[str, StringConstraints(max_length=200)] = ""


@router.post("/channels/mail-accounts", status_code=201, operation_id="channels-create_mail")
async def create_mail(
    body: MailAccountIn, session: SessionDep, _: Annotated[SignedIn, Depends(require_roles(Role.admin))]
) -> ChannelAccountPublic:
    """A mailbox the centre is written to (a fax-to-mail gateway's too): read by IMAP, answered by SMTP."""
    config = body.model_dump()
    acc = do_create_account(session, "email", config.pop("name"), config)
    return ChannelAccountPublic(
        id=acc.id, kind=acc.kind, name=acc.name, active=True, callback_url=None, safe_mode=False
    )


@router.get("/channels/accounts", operation_id="channels-accounts")
async def accounts(
    session: SessionDep, _: Annotated[SignedIn, Depends(require_roles(Role.admin))], settings: SettingsDep
) -> list[ChannelAccountPublic]:
    return [_account_public(a, settings) for a in session.scalars(select(ChannelAccount).order_by(ChannelAccount.id))]


# ---------------------------------------------------------------- the bot


class BotAskIn(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
    session: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")] | None = Field(
        default=None, description="keeps the misses between questions; without it each question stands alone"
    )
    trial: bool = Field(
        default=False, description="a manager trying the bot (试一试): misses stay off the unanswered list"
    )


class BotSuggestion(BaseModel):
    article_id: int
    title: str
    confidence: float


class BotAskOut(BaseModel):
    answer: str | None
    article_id: int | None
    outage_id: int | None
    confidence: float
    suggestions: list[BotSuggestion]
    handoff: bool
    reason: str | None
    text: str | None = Field(description="what the bot says to the customer")
    session: str


@router.post("/bot/ask", operation_id="bot-ask")
async def ask(body: BotAskIn, session: SessionDep, settings: SettingsDep) -> BotAskOut:
    """The bot's answer to one question, from the published public FAQs and the live outages: the answer
    above the confidence threshold, else up to three suggestions (您是不是想问); a hand-off to a person when
    asked (人工) or after the misses allowed."""
    key = body.session or secrets.token_urlsafe(12)
    r = bot.ask_in_session(session, body.text, key, settings.timezone, record=not body.trial)
    return BotAskOut(
        answer=r.answer,
        article_id=r.article_id,
        outage_id=r.outage_id,
        confidence=round(r.confidence, 4),
        suggestions=[BotSuggestion(**s.__dict__) for s in r.suggestions],
        handoff=r.handoff,
        reason=r.reason,
        text=r.text,
        session=key,
    )


@router.get("/bot/settings", operation_id="bot-settings")
async def get_bot_settings(session: SessionDep, _: Centre) -> bot.BotSettings:
    return bot.bot_settings(session)


@router.put("/bot/settings", operation_id="bot-save_settings")
async def save_bot_settings(body: bot.BotSettings, session: SessionDep, user: Manager) -> bot.BotSettings:
    """The busy-hours mode, its schedule and thresholds, the confidence threshold: a manager's to change."""
    return bot.do_save_settings(session, user, body.model_dump())


class BotUnanswered(BaseModel):
    id: int
    text: str
    channel: str
    outcome: str
    confidence: float
    best_article_id: int | None
    asked_at: Any


@router.get("/bot/unanswered", operation_id="bot-unanswered")
async def unanswered(session: SessionDep, _: Centre) -> list[BotUnanswered]:
    """What the bot could not answer, newest first: for the knowledge team to write up."""
    return [BotUnanswered.model_validate(q, from_attributes=True) for q in bot.unanswered(session)]


@router.post("/bot/unanswered/{question_id}/resolve", operation_id="bot-resolve_unanswered")
async def resolve_unanswered(question_id: PathId, session: SessionDep, _: Centre) -> Response:
    bot.do_resolve_question(session, question_id)
    return Response(status_code=204)


class ConversationFigures(BaseModel):
    days: int
    conversations: int
    by_channel: dict[str, int]
    bot_only: int = Field(description="closed by the bot without a person: deflected")
    deflection_rate: float | None
    handoffs: dict[str, int] = Field(description="hand-off reasons: asked, misses, media, no_bot, agent")
    rated: int
    satisfied_rate: float | None
    answered: int = Field(description="conversations a person answered")
    avg_wait_seconds: float | None
    avg_first_response_seconds: float | None
    first_response_within_target: float | None
    target_seconds: int


@router.get("/conversations-figures", operation_id="channels-figures")
async def figures(
    session: SessionDep, _: Centre, settings: SettingsDep, days: Annotated[int, Query(ge=1, le=366)] = 7
) -> ConversationFigures:
    """The written channels' KPIs over the last ``days``: volume by channel, the bot's deflection and
    hand-off reasons, waiting and first-response times, ratings."""
    since = now() - timedelta(days=days)
    rows = list(session.scalars(select(Conversation).where(Conversation.created_at >= since)))
    by_channel: dict[str, int] = {}
    handoffs: dict[str, int] = {}
    for c in rows:
        by_channel[c.channel] = by_channel.get(c.channel, 0) + 1
        if c.handoff_reason:
            handoffs[c.handoff_reason] = handoffs.get(c.handoff_reason, 0) + 1
    bot_only = [
        c for c in rows if c.state == "closed" and c.agent_id is None and c.bot_answers > 0 and c.queued_at is None
    ]
    people = [c for c in rows if c.first_response_at is not None]
    waits = [(c.assigned_at - c.queued_at).total_seconds() for c in rows if c.assigned_at and c.queued_at]
    first = [
        (c.first_response_at - (c.queued_at or c.created_at)).total_seconds() for c in people if c.first_response_at
    ]
    rated = service.ratings_of(session, [c.id for c in rows])  # as surveys keeps them
    target = settings.channels.first_response_seconds
    return ConversationFigures(
        days=days,
        conversations=len(rows),
        by_channel=by_channel,
        bot_only=len(bot_only),
        deflection_rate=round(len(bot_only) / len(rows), 4) if rows else None,
        handoffs=handoffs,
        rated=len(rated),
        satisfied_rate=round(sum(r == "satisfied" for r in rated.values()) / len(rated), 4) if rated else None,
        answered=len(people),
        avg_wait_seconds=round(sum(waits) / len(waits), 1) if waits else None,
        avg_first_response_seconds=round(sum(first) / len(first), 1) if first else None,
        first_response_within_target=round(sum(x <= target for x in first) / len(first), 4) if first else None,
        target_seconds=target,
    )
