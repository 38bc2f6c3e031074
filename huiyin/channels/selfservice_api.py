"""The self-service site's endpoints (``/self/...``): a customer signs in by mobile number and SMS code and
then carries the token in ``X-Self-Token`` (the site keeps it in the phone's storage); the chat also runs over
a WebSocket (``/self/ws?token=``) that sends the customer's messages in and the centre's answers out."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Header, Query, Request, UploadFile, WebSocket, WebSocketDisconnect
from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from huiyin.channels import codes, selfservice, service
from huiyin.channels.models import ChannelContact, Conversation, SelfSession
from huiyin.clock import now
from huiyin.core.deps import SessionDep, SettingsDep, write_session
from huiyin.core.phones import mask_phone
from huiyin.core.schemas import MAX_ID, PathId
from huiyin.customers.service import customer_facts
from huiyin.db import Database
from huiyin.errors import HuiyinError, Invalid, TooLarge, Unauthorized
from huiyin.settings import Settings
from huiyin.storage import StorageDep
from huiyin.workorders import attachments

router = APIRouter(tags=["self-service"])
After = Annotated[int, Query(ge=0, le=MAX_ID, description="the last message id the page has (0: all)")]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, min_length=11, max_length=20)]


class CodeIn(BaseModel):
    phone: Phone


class CodeOut(BaseModel):
    sent_to: str = Field(description="the number, masked")
    valid_minutes: int
    dev_code: str | None = Field(
        default=None,
        description="only in the development environment with no SMS gateway (make run's demo): the code itself",
    )


def _ip(request: Request) -> str | None:
    return request.client.host if request.client else None


@router.post("/self/code", operation_id="self-code")
async def send_code(body: CodeIn, request: Request, session: SessionDep, settings: SettingsDep) -> CodeOut:
    """Texts a six-digit sign-in code to the number: one a minute, five an hour a number (429 past that)."""
    masked = codes.do_send_code(session, body.phone, settings, _ip(request))
    dev_code = None
    if settings.env == "dev" and not settings.notify.sms_url:  # nobody could read the text: show it (demo only)
        dev_code = codes.latest_dev_code(session, body.phone)
    return CodeOut(sent_to=masked, valid_minutes=settings.channels.code_minutes, dev_code=dev_code)


class LoginIn(BaseModel):
    phone: Phone
    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]


class SelfMe(BaseModel):
    phone: str = Field(description="masked")
    customer_id: int | None
    name: str | None
    address: str | None


class LoginOut(SelfMe):
    token: str


def _me(session: Any, phone: str, customer_id: int | None) -> SelfMe:
    facts = customer_facts(session, customer_id) if customer_id else None
    return SelfMe(
        phone=mask_phone(phone),
        customer_id=customer_id,
        name=facts.name if facts else None,
        address=facts.address if facts else None,
    )


@router.post("/self/login", operation_id="self-login")
async def login(body: LoginIn, session: SessionDep, settings: SettingsDep) -> LoginOut:
    """Signs in with the code (401 for a wrong one; five wrong answers void it)."""
    try:
        number = codes.do_check_code(session, body.phone, body.code, settings)
    except Unauthorized:
        session.commit()  # the wrong try counts, though the answer is an error
        raise
    contact, customer_id = selfservice.do_sign_in(session, number)
    issued = codes.do_open_session(session, number, customer_id, contact.id, settings)
    return LoginOut(token=issued.token, **_me(session, number, customer_id).model_dump())


def _customer(session: Any, token: str | None) -> selfservice.Customer:
    if not token:
        raise Unauthorized("sign in with your mobile number first", code="self.sign_in_first")
    row = codes.find_session(session, token)
    return selfservice.Customer(row, session.get_one(ChannelContact, row.contact_id))


async def current_customer(
    session: SessionDep, x_self_token: Annotated[str | None, Header()] = None
) -> selfservice.Customer:
    return _customer(session, x_self_token)


Me = Annotated[selfservice.Customer, Depends(current_customer)]


@router.get("/self/me", operation_id="self-me")
async def me(session: SessionDep, who: Me) -> SelfMe:
    return _me(session, who.phone, who.customer_id)


@router.post("/self/logout", status_code=204, operation_id="self-logout")
async def logout(session: SessionDep, who: Me) -> None:
    who.session.expires_at = now()


class SelfStep(BaseModel):
    at: Any
    action: str
    text: str


class SelfOrder(BaseModel):
    id: int
    number: str
    type: str
    state: str
    state_words: str
    description: str
    address: str
    created_at: Any
    closed_at: Any


class SelfOrderDetail(SelfOrder):
    steps: list[SelfStep]
    can_rate: bool


@router.get("/self/orders", operation_id="self-orders")
async def my_orders(session: SessionDep, who: Me) -> list[SelfOrder]:
    """My orders, newest first: those of my account and those registered for my number."""
    return [SelfOrder(**o) for o in selfservice.my_orders(session, who)]


@router.get("/self/orders/{order_id}", operation_id="self-order")
async def my_order(order_id: PathId, session: SessionDep, who: Me, settings: SettingsDep) -> SelfOrderDetail:
    """One of my orders with its steps in plain words (404 for anyone else's)."""
    return SelfOrderDetail(**selfservice.my_order(session, who, order_id, settings.timezone))


class RateIn(BaseModel):
    result: Literal["satisfied", "basically_satisfied", "unsatisfied"]
    comment: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


@router.post("/self/orders/{order_id}/rate", status_code=204, operation_id="self-rate")
async def rate(order_id: PathId, body: RateIn, session: SessionDep, who: Me, settings: SettingsDep) -> None:
    """Rates a finished order of mine, once."""
    selfservice.do_rate(session, who, order_id, body.result, body.comment, settings, now())


class ReportOut(BaseModel):
    id: int
    number: str
    emergency: bool
    photos: int


MAX_PHOTOS = 6


@router.post("/self/reports", status_code=201, operation_id="self-report")
async def report(
    session: SessionDep,
    who: Me,
    settings: SettingsDep,
    storage: StorageDep,
    kind: Annotated[str, Form(description="what happened: " + ", ".join(selfservice.REPORTS))],
    description: Annotated[str, Form(min_length=1, max_length=2000)],
    address: Annotated[str | None, Form(max_length=300)] = None,
    latitude: Annotated[float | None, Form(ge=-90, le=90)] = None,
    longitude: Annotated[float | None, Form(ge=-180, le=180)] = None,
    photos: Annotated[list[UploadFile] | None, File(description="up to 6 photos")] = None,
) -> ReportOut:
    """Reports a repair (报修) with photos and the place: a work order on the web channel, followed under
    /self/orders. Everything is checked before anything is stored."""
    files = photos or []
    if len(files) > MAX_PHOTOS:
        raise Invalid(f"at most {MAX_PHOTOS} photos", code="self.too_many_photos", field="photos", most=MAX_PHOTOS)
    rules = attachments.UploadRules.of(settings.storage.max_upload_bytes, settings.storage.allowed_content_types)
    blobs = []
    for f in files:
        data = await f.read(rules.max_bytes + 1)
        if len(data) > rules.max_bytes:
            raise TooLarge(
                f"a photo is at most {rules.max_bytes // (1024 * 1024)} MiB",
                code="self.photo_too_large",
                mib=rules.max_bytes // (1024 * 1024),
            )
        blobs.append((data, f.filename, f.content_type))
    location = (latitude, longitude) if latitude is not None and longitude is not None else None
    selfservice.check_report(kind, description, address)
    order = selfservice.do_report(session, who, kind, description, address, location, settings)
    actor = selfservice.service_user(session)
    plans = [attachments.check_attach(session, actor, order.id, d, n, t, rules) for d, n, t in blobs]
    for plan in plans:
        await run_in_threadpool(attachments.do_attach, session, actor, plan, storage)
    return ReportOut(id=order.id, number=order.number, emergency=order.type == "emergency", photos=len(plans))


class SelfOutage(BaseModel):
    id: int
    utility: str
    what: str
    state: str
    areas: str
    starts_at: Any
    eta: Any
    text: str
    mine: bool = Field(description="in my area (false: every live outage, my area unknown)")


@router.get("/self/outages", operation_id="self-outages")
async def my_outages(session: SessionDep, who: Me, settings: SettingsDep) -> list[SelfOutage]:
    return [SelfOutage(**o) for o in selfservice.my_outages(session, who, settings.timezone)]


class ChatIn(BaseModel):
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{8,64}$")] = Field(
        description="the page's own id of the message: sent again after a lost answer, it is stored once"
    )


class SelfMessage(BaseModel):
    id: int
    mine: bool
    sender: str
    text: str = Field(description="plain text")
    data: dict[str, Any]
    created_at: Any


class SelfChat(BaseModel):
    conversation_id: int | None
    state: str | None
    messages: list[SelfMessage]


def _chat(session: Any, who: selfservice.Customer, after: int = 0) -> SelfChat:
    conv = session.scalars(
        select(Conversation).where(Conversation.contact_id == who.contact.id).order_by(Conversation.id.desc()).limit(1)
    ).first()
    if conv is None:
        return SelfChat(conversation_id=None, state=None, messages=[])
    msgs = [
        SelfMessage(
            id=m.id,
            mine=m.direction == "in",
            sender=m.sender,
            text=m.text,
            data={k: v for k, v in (m.data or {}).items() if k in ("suggestions", "event", "number")},
            created_at=m.created_at,
        )
        for m in service.messages_of(session, conv.id, after)
    ]
    return SelfChat(conversation_id=conv.id, state=conv.state, messages=msgs)


@router.get("/self/chat", operation_id="self-chat")
async def chat(session: SessionDep, who: Me, after: After = 0) -> SelfChat:
    """My latest conversation's messages after ``after`` (all: 0)."""
    return _chat(session, who, after)


def _say(session: Any, who: selfservice.Customer, text: str, message_id: str, settings: Settings) -> None:
    service.check_text(text, settings)
    service.do_receive(
        session,
        service.Inbound(
            channel="web",
            address=who.phone,
            external_id=f"web:{who.contact.id}:{message_id}",
            text=text,
            phone=who.phone,
        ),
        settings,
    )


@router.post("/self/chat", operation_id="self-chat_send")
async def chat_send(body: ChatIn, session: SessionDep, who: Me, settings: SettingsDep, after: After = 0) -> SelfChat:
    """Writes to the centre (the bot answers first; "人工" for a person); returns what is new since ``after``,
    the bot's answer included."""
    _say(session, who, body.text, body.id, settings)
    return _chat(session, who, after)


@router.websocket("/self/ws")
async def chat_socket(ws: WebSocket) -> None:
    """The chat over a WebSocket: the page sends ``{"text", "id"}``; the server sends ``{"type": "messages",
    "messages": [...]}`` with every new message (the bot's answer at once, an agent's within a second), and
    ``{"type": "error", "detail"}`` for a message it refused. The latest conversation's thread comes first."""
    db: Database = ws.app.state.db
    settings: Settings = ws.app.state.settings
    token = ws.query_params.get("token")
    try:
        with db.session(write=False) as s:
            who = _customer(s, token)
            contact_id, session_id = who.contact.id, who.session.id
    except HuiyinError:
        await ws.close(code=4401, reason="sign in first")
        return
    await ws.accept()
    last = 0  # the whole thread first: a page that reconnects shows what it missed

    def reload(s: Any) -> selfservice.Customer:
        row = s.get_one(SelfSession, session_id)
        if row.expires_at < now():
            raise Unauthorized("signed out", code="self.session_ended")
        return selfservice.Customer(row, s.get_one(ChannelContact, contact_id))

    async def push() -> None:
        nonlocal last
        with db.session(write=False) as s:
            new = _chat(s, reload(s), last).messages
        if new:
            last = new[-1].id
            await ws.send_text(json.dumps({"type": "messages", "messages": [m.model_dump(mode="json") for m in new]}))

    try:
        await push()
        while True:
            try:
                raw = await asyncio.wait_for(ws.receive_text(), timeout=1.0)
            except TimeoutError:
                await push()
                continue
            try:
                body = ChatIn.model_validate_json(raw)
                async with write_session(db) as s:
                    _say(s, reload(s), body.text, body.id, settings)
            except HuiyinError as exc:
                await ws.send_text(json.dumps({"type": "error", "detail": exc.detail}))
            except ValueError as exc:  # not a message of the expected shape
                await ws.send_text(json.dumps({"type": "error", "detail": str(exc)[:300]}))
            await push()
    except (WebSocketDisconnect, Unauthorized):
        with contextlib.suppress(Exception):
            await ws.close()
