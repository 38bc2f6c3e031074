"""The phone channel's HTTP API: the CTI event endpoint, call records, screen pops, agent states, the live
board, click-to-call, recordings, CTI integrations and IVR routing."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Query, Request, Response, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.types import Receive, Scope, Send

from huiyin.calls import cti, intake, ivr, pbx, recordings, service
from huiyin.calls import dial as dial_service
from huiyin.calls import hooks as call_hooks
from huiyin.calls.models import Call, CtiIntegration
from huiyin.calls.schemas import (
    AgentBoard,
    AgentStateIn,
    AgentStatePublic,
    CallCustomerIn,
    CallerIdRule,
    CallPublic,
    CallsPublic,
    CtiEventIn,
    CustomerBrief,
    DialIn,
    DialOut,
    IntegrationCreate,
    IntegrationPatch,
    IntegrationPublic,
    IntegrationWithToken,
    IvrRoute,
    IvrRuleIn,
    IvrRulePublic,
    LinkOrderIn,
    Notice,
    ScreenPop,
)
from huiyin.calls.states import AgentAction, CallState, Direction
from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.apidocs import request_body
from huiyin.core.deps import (
    AdminUser,
    SessionDep,
    SettingsDep,
    get_current_user,
    require_roles,
    write_session,
)
from huiyin.core.guard import NUL_REFUSED
from huiyin.core.intake import serve_direct
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import Instant, PathId, QueryId
from huiyin.customers.reveals import do_reveal
from huiyin.customers.schemas import RevealedPhones
from huiyin.customers.service import get_customer
from huiyin.db import Database
from huiyin.errors import Conflict, Forbidden, HuiyinError, Invalid
from huiyin.outages.service import texts
from huiyin.settings import Settings
from huiyin.storage import StorageDep
from huiyin.workorders.service import get_visible_order, open_orders_of
from huiyin.workorders.views import order_items

router = APIRouter(tags=["calls"])

CenterUser = Annotated[SignedIn, Depends(require_roles(*CENTER))]
ManagerUser = Annotated[SignedIn, Depends(require_roles(*MANAGERS))]
RuleEditor = Annotated[SignedIn, Depends(require_roles(Role.supervisor, Role.admin))]
RuleReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.admin))]


# ---------------------------------------------------------------- the CTI endpoint


async def _event_fields(request: Request) -> dict[str, Any]:
    """The event's fields from a JSON body or form data (where ``user[]`` repeats)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.form()
        texts = [v for v in form.values() if isinstance(v, str)]
        if any("\x00" in v for v in texts):  # a multipart body's parts (the door checks the other bodies)
            raise Invalid(NUL_REFUSED, code="calls.nul_character")
        fields: dict[str, Any] = {k: v for k, v in form.items() if isinstance(v, str) and k not in ("user", "user[]")}
        users = [v for v in form.getlist("user[]") + form.getlist("user") if isinstance(v, str)]
        if users:
            fields["user"] = users
        return fields
    try:
        body = await request.json()
    except ValueError as exc:
        raise Invalid("the body must be JSON or form data", code="calls.unreadable_body") from exc
    if not isinstance(body, dict):
        raise Invalid("the body must be a JSON object", code="calls.body_not_object")
    return body


# The PBX's and the IVR's endpoints, asked many times a second: a router of their own that the app includes
# before the others (FastAPI tries the routes one after another).
pbx_router = APIRouter(tags=["calls"])


def _intake(request: Request) -> intake.Intake:
    """The app's event intake on this event loop (a loop's futures belong to it; tests run several), kept
    on the app (``app.state.cti_intakes``, made by ``create_app``)."""
    intakes: dict[int, intake.Intake] = request.app.state.cti_intakes
    key = id(asyncio.get_running_loop())
    found = intakes.get(key)
    if found is None:
        intakes.clear()
        settings: Settings = request.app.state.settings
        kinds: dict[str, intake.EventKind] = request.app.state.cti_event_kinds

        def apply(session: Session, item: Any, memo: dict[str, Any]) -> dict[str, Any]:
            return _apply_event(session, *item, settings=settings, memo=memo, kinds=kinds)

        found = intakes[key] = intake.Intake(request.app.state.db, apply)
    return found


@pbx_router.post(
    "/cti/{token}",
    operation_id="cti-event",
    responses={200: {"description": "{} or a newCall's action: reject (busy) or dial (caller ID)"}},
    openapi_extra=request_body(CtiEventIn, "application/json", "application/x-www-form-urlencoded"),
)
async def cti_event(token: str, request: Request) -> dict[str, Any]:
    """The generic CTI event endpoint (``newCall`` / ``answer`` / ``hangup``), JSON or form data. The token
    in the path is the integration's credential. A repeated event is acknowledged and changes nothing.

    The server reaches it through ``serve_cti_event``, ahead of FastAPI's middleware and dependencies (this
    route declares it in the OpenAPI document, and serves it where the app is mounted otherwise).

    The body is read on the event loop; the event is applied in a worker thread, in a batch with the events
    that arrived meanwhile (``calls/intake.py``), so that while the database works the loop goes on serving
    the IVR's questions and pushing screen pops to the agents' sockets. The transaction never waits on the
    loop, so on PostgreSQL it needs no process write lock (``core.deps.get_session``); events of one call or
    one agent in different processes queue on their row locks. SQLite has one writer: there the batch
    takes the lock."""
    unreadable: Invalid | None = None
    try:
        fields = await _event_fields(request)
    except Invalid as exc:  # reported after the token check: a wrong token is a 401 whatever the body
        fields, unreadable = {}, exc
    kinds: dict[str, intake.EventKind] = request.app.state.cti_event_kinds
    urgent = str(fields.get("event")) not in kinds  # another domain's event (a rating) waits for the calls'
    return await _intake(request).submit((token, fields, unreadable), urgent=urgent)


async def serve_cti_event(app: FastAPI, scope: Scope, receive: Receive, send: Send, token: str) -> None:
    """``cti_event`` as a plain ASGI call, from ``HuiyinApp`` before its middleware stack (``core.intake``):
    the PBX posts hundreds of events a second."""

    async def respond(request: Request) -> Response:
        return JSONResponse(await cti_event(token, request))

    await serve_direct(app, scope, receive, send, respond)


def _apply_event(
    session: Session,
    token: str,
    fields: dict[str, Any],
    unreadable: Invalid | None,
    *,
    settings: Settings,
    memo: dict[str, Any],
    kinds: dict[str, intake.EventKind] | None = None,
) -> dict[str, Any]:
    """One event in its batch's transaction (``memo``: what the batch looked up already, the token). An event
    of a kind another domain takes (``kinds``: the IVR's ``rating``) is handed to it, in the same batch."""
    integration = memo.get(token)
    if integration is None:
        integration = memo[token] = cti.check_token(session, token)
    if unreadable is not None:
        raise unreadable
    other = (kinds or {}).get(str(fields.get("event")))
    if other is not None:
        return other(session, integration.id, fields)
    try:
        ev = CtiEventIn.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors()) from exc
    event = cti.Event(
        event=ev.event,
        call_id=ev.call_id,
        direction=ev.direction,
        from_number=cti.normalize_number(ev.from_),
        to_number=cti.normalize_number(ev.to),
        users=ev.user,
        queue=ev.queue,
        answering_number=ev.answering_number,
        cause=ev.cause,
        recording_url=ev.recording_url,
        ivr_path=ev.ivr_path,
        wait_seconds=ev.wait_seconds,
        hold_seconds=ev.hold_seconds,
        at=ev.at,
        raw={k: v for k, v in fields.items() if isinstance(v, (str, int, float, bool, list))},
    )
    return cti.do_event(session, integration, event, settings.cti)


# ---------------------------------------------------------------- call records


def _one(session: Session, call: Call, viewer: SignedIn) -> CallPublic:
    """One call as ``viewer`` sees it: numbers masked unless the viewer is on the line (``on_the_line``)."""
    mask = not service.on_the_line(call, viewer.id)
    return CallPublic.model_validate(service.calls_data(session, [call], mask=mask)[0])


@router.get("/calls", operation_id="calls-list")
async def list_calls(
    session: SessionDep,
    _: CenterUser,
    customer_id: QueryId = None,
    agent_id: QueryId = None,
    number: Annotated[str | None, Query(max_length=32, description="either party's number")] = None,
    direction: Annotated[Direction | None, Query()] = None,
    abandoned: bool | None = None,
    state: Annotated[CallState | None, Query()] = None,
    order_id: QueryId = None,
    since: Instant | None = None,
    until: Instant | None = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
) -> CallsPublic:
    """Call records, newest first; numbers masked (``POST /calls/{id}/number/reveal`` shows one, audited)."""
    f = service.CallFilter(
        customer_id=customer_id,
        agent_id=agent_id,
        number=cti.normalize_number(number) if number else None,
        direction=direction.value if direction else None,
        abandoned=abandoned,
        since=since,
        until=until,
        state=state.value if state else None,
        order_id=order_id,
    )
    rows, total = service.list_calls(session, f, page=page, page_size=page_size)
    items = [CallPublic.model_validate(d) for d in service.calls_data(session, rows, mask=True)]
    return CallsPublic(items=items, total=total, page=page, page_size=page_size)


@router.get("/calls/{call_pk}", operation_id="calls-get")
async def get_call(call_pk: PathId, session: SessionDep, user: CenterUser) -> CallPublic:
    """One call record: its numbers masked, unless the one asking is on the line."""
    return _one(session, service.get_call(session, call_pk), user)


@router.post("/calls/{call_pk}/number/reveal", operation_id="calls-reveal_number")
async def reveal_number(call_pk: PathId, session: SessionDep, user: CenterUser) -> RevealedPhones:
    """The customer's number of this call whole (the caller's, or the number called): in the reveal audit."""
    call = service.get_call(session, call_pk)
    shown = do_reveal(
        session,
        user_id=user.id,
        subject="call",
        subject_id=call.id,
        customer_id=call.customer_id,
        numbers=[service.customer_number(call)],
    )
    return RevealedPhones(phones=shown)


@router.get("/calls/{call_pk}/pop", operation_id="calls-pop")
async def screen_pop(call_pk: PathId, session: SessionDep, user: CenterUser, settings: SettingsDep) -> ScreenPop:
    """Everything the agent's screen shows for this call: the caller (or the candidates sharing the
    number), open orders with their countdowns, the last contacts, notices for the caller's area."""
    call = service.get_call(session, call_pk)
    customer, candidates = service.caller_briefs(session, call)
    recent: list[Call] = []
    notices: list[Notice] = []
    customer_id = customer["id"] if customer is not None else None
    open_orders = open_orders_of(session, customer_id=customer_id, contact_phone=service.customer_number(call))
    if customer is not None:
        recent = service.recent_contacts(session, customer["id"], exclude=call.id, limit=settings.cti.recent_contacts)
        areas = {customer["area_id"]} if customer["area_id"] is not None else set()
        for o in ivr.outage_notices(session, areas):
            t = texts(session, o, o.area_ids, settings.timezone)
            notices.append(Notice(kind="outage", text=t.announcement, outage_id=o.id, preset=t.preset))
        notices += [
            Notice(kind="outage", text=r.announcement or "", rule_id=r.id)
            for r in ivr.area_announcements(session, customer["area_id"])
        ]
    return ScreenPop(
        call=_one(session, call, user),
        customer=CustomerBrief.model_validate(customer) if customer else None,
        candidates=[CustomerBrief.model_validate(c) for c in candidates],
        open_orders=order_items(session, open_orders),
        recent_contacts=[CallPublic.model_validate(d) for d in service.calls_data(session, recent, mask=True)],
        notices=notices,
    )


@router.post("/calls/{call_pk}/done", operation_id="calls-done")
async def call_done(call_pk: PathId, session: SessionDep, user: CenterUser) -> CallPublic:
    """After-call work on this call is over (no order needed). Only the agent who took it; again: no change."""
    call = service.get_call(session, call_pk, lock=True)
    if call.state != CallState.ended:
        raise Conflict("the call has not ended yet", code="calls.not_ended")
    if call.agent_id != user.id:
        raise Forbidden("only the agent who took the call marks it done", code="calls.done_by_own_agent")
    service.wrap_up_call(session, call)
    session.flush()
    return _one(session, call, user)


@router.post("/calls/{call_pk}/orders", operation_id="calls-link_order")
async def link_order(call_pk: PathId, body: LinkOrderIn, session: SessionDep, user: CenterUser) -> CallPublic:
    """Links an existing order to the call (the caller asks about it); again: no change."""
    call = service.get_call(session, call_pk, lock=True)
    order = get_visible_order(session, user, body.order_id)
    service.do_link_order(session, call, order.id)
    return _one(session, call, user)


@router.post("/calls/{call_pk}/customer", operation_id="calls-set_customer")
async def set_customer(call_pk: PathId, body: CallCustomerIn, session: SessionDep, user: CenterUser) -> CallPublic:
    """The agent picks who is calling (among candidates, or a customer just created)."""
    call = service.get_call(session, call_pk, lock=True)
    service.do_set_customer(session, call, get_customer(session, body.customer_id).id)
    return _one(session, call, user)


async def _dialling_user(request: Request) -> SignedIn:
    """The signed-in centre user, read without holding the process's write lock: the dial waits on the PBX
    outside any transaction, and the PBX's own events must get through meanwhile."""
    db: Database = request.app.state.db
    with db.session(write=False) as s:
        user = await get_current_user(request, s)
    if not user.has(*CENTER):
        raise Forbidden("this needs one of the centre's roles", code="calls.centre_only")
    return user


@router.post("/calls/dial", operation_id="calls-dial")
async def dial(
    body: DialIn, request: Request, user: Annotated[SignedIn, Depends(_dialling_user)], settings: SettingsDep
) -> DialOut:
    """Click-to-call: asks the PBX to call ``number`` for the signed-in agent, through the CTI integration
    that has a dial URL. Nothing is stored when the PBX says no (502)."""
    db: Database = request.app.state.db
    with db.session(write=False) as s:
        plan = dial_service.check_dial(
            s,
            user,
            body.number,
            integration_id=body.integration_id,
            customer_id=body.customer_id,
            order_id=body.order_id,
            call_pk=body.call_pk,
        )
    try:
        answer = await pbx.send_dial(plan.url, plan.headers, plan.payload, settings.cti.dial_timeout_seconds)
    except pbx.DialError as exc:
        raise DialFailed(str(exc), code="calls.dial_failed") from exc
    async with write_session(db) as s:
        return DialOut(call=_one(s, dial_service.do_record_dial(s, plan, user), user), pbx=answer)


class DialFailed(HuiyinError):
    status = 502
    title = "The PBX did not place the call"


# ---------------------------------------------------------------- recordings


@router.post("/calls/{call_pk}/recording", operation_id="calls-upload_recording")
async def upload_recording(
    call_pk: PathId,
    file: Annotated[UploadFile, File(description="WAV, MP3, Ogg, WebM or M4A audio")],
    session: SessionDep,
    user: CenterUser,
    settings: SettingsDep,
    storage: StorageDep,
) -> CallPublic:
    max_bytes = settings.cti.max_recording_mb * 1024 * 1024
    data = await file.read(max_bytes + 1)
    kind = recordings.check_recording(data, max_bytes)
    call = service.get_call(session, call_pk, lock=True)
    call.recording_key = await run_in_threadpool(recordings.do_store, storage, call, data, kind)
    call.recording_type = kind
    session.flush()
    call_hooks.publish_recorded(session, call, now())
    return _one(session, call, user)


@router.get(
    "/calls/{call_pk}/recording",
    operation_id="calls-get_recording",
    response_class=Response,
    responses={200: {"content": {k: {} for k in recordings.KINDS}}, 206: {"description": "a byte range"}},
)
async def get_recording(
    call_pk: PathId, request: Request, session: SessionDep, _: CenterUser, storage: StorageDep
) -> Response:
    """The stored recording (with ``Range`` support for seeking), or a redirect to the PBX's URL."""
    call = service.get_call(session, call_pk)
    if not call.recording_key and call.recording_url:
        return Response(status_code=307, headers={"Location": call.recording_url})
    data = await run_in_threadpool(recordings.read, storage, call)
    kind = call.recording_type or "application/octet-stream"
    headers = {"Accept-Ranges": "bytes", "Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"}
    try:
        span = recordings.parse_range(request.headers.get("range"), len(data))
    except ValueError:
        return Response(status_code=416, headers={"Content-Range": f"bytes */{len(data)}"})
    if span is None:
        return Response(data, media_type=kind, headers=headers)
    headers["Content-Range"] = f"bytes {span.start}-{span.end}/{len(data)}"
    return Response(data[span.start : span.end + 1], status_code=206, media_type=kind, headers=headers)


# ---------------------------------------------------------------- agents


@router.get("/agents/me/state", operation_id="agents-my_state")
async def my_state(session: SessionDep, user: CenterUser) -> AgentStatePublic:
    return AgentStatePublic.model_validate(service.state_data(user.id, service.current_state(session, user.id)))


@router.put("/agents/me/state", operation_id="agents-set_my_state")
async def set_my_state(body: AgentStateIn, session: SessionDep, user: CenterUser) -> AgentStatePublic:
    """Sign in, ready (示闲), not ready with a reason (示忙), sign out. On call and after-call work come
    from the phone system; choosing ready or not ready in after-call work ends it."""
    action = {
        "signed_in": AgentAction.sign_in,
        "ready": AgentAction.ready,
        "not_ready": AgentAction.not_ready,
        "signed_out": AgentAction.sign_out,
    }[body.state]
    if action == AgentAction.not_ready and body.reason is None:
        raise Invalid(
            "not ready needs a reason (break, meal, training, meeting, coaching)",
            code="calls.not_ready_reason",
            field="reason",
        )
    state = service.do_agent_action(
        session, user.id, action, reason=body.reason.value if body.reason else None, source="workbench"
    )
    return AgentStatePublic.model_validate(service.state_data(user.id, state))


@router.get("/agents/board", operation_id="agents-board")
async def agent_board(session: SessionDep, _: ManagerUser) -> AgentBoard:
    """The live board: every signed-in agent's state and since when; each queue's waiting calls and the
    longest wait."""
    return AgentBoard.model_validate(service.board(session))


# ---------------------------------------------------------------- integrations


def _integration(i: CtiIntegration) -> dict[str, Any]:
    return {
        "id": i.id,
        "name": i.name,
        "token_hint": i.token_hint,
        "revoked_at": i.revoked_at,
        "blocked_numbers": i.blocked_numbers or [],
        "caller_id_rules": i.caller_id_rules or [],
        "default_caller_id": i.default_caller_id,
        "dial_url": i.dial_url,
        "has_dial_secret": bool(i.dial_secret),
        "created_at": i.created_at,
    }


def _with_token(request: Request, i: CtiIntegration, token: str) -> IntegrationWithToken:
    endpoint = str(request.base_url).rstrip("/") + f"/api/v1/cti/{token}"
    return IntegrationWithToken(**_integration(i), token=token, endpoint=endpoint)


@router.get("/cti-integrations", operation_id="cti-integrations-list")
async def list_integrations(session: SessionDep, _: AdminUser) -> list[IntegrationPublic]:
    rows = session.scalars(select(CtiIntegration).order_by(CtiIntegration.id))
    return [IntegrationPublic.model_validate(_integration(i)) for i in rows]


@router.post("/cti-integrations", status_code=201, operation_id="cti-integrations-create")
async def create_integration(
    body: IntegrationCreate, request: Request, session: SessionDep, user: AdminUser
) -> IntegrationWithToken:
    """A new CTI integration; the reply holds its token and endpoint, shown this once."""
    integration, token = service.do_create_integration(session, body.name, user.id)
    return _with_token(request, integration, token)


@router.patch("/cti-integrations/{integration_id}", operation_id="cti-integrations-update")
async def update_integration(
    integration_id: PathId, body: IntegrationPatch, session: SessionDep, _: AdminUser
) -> IntegrationPublic:
    """Blocked numbers (an inbound newCall from one is rejected as busy), outbound caller-ID rules by
    destination prefix and the default caller ID, and the PBX's click-to-call URL."""
    integration = service.get_integration(session, integration_id, lock=True)
    data = body.model_dump(exclude_unset=True)
    if "name" in data and data["name"] is not None:
        integration.name = service.check_integration_name(session, data["name"], except_id=integration.id)
    if data.get("blocked_numbers") is not None:
        integration.blocked_numbers = [
            {"number": _blocked_number(b["number"], i), "note": b.get("note", "")}
            for i, b in enumerate(data["blocked_numbers"])
        ]
    if data.get("caller_id_rules") is not None:
        integration.caller_id_rules = [CallerIdRule.model_validate(r).model_dump() for r in data["caller_id_rules"]]
    for field in ("default_caller_id", "dial_url", "dial_secret"):
        if field in data:
            setattr(integration, field, data[field] or None)
    session.flush()
    return IntegrationPublic.model_validate(_integration(integration))


def _blocked_number(raw: str, index: int) -> str:
    """A blocked number as it is kept (normalised like every number: digits, or ``anonymous``); 422 when it
    is no number (separators only, "- -"; "+++") or grows past its limit (a character NFKC spells out)."""
    number = cti.normalize_number(raw)
    if not (3 <= len(number) <= 32 and (number.isdigit() or number == cti.ANONYMOUS)):
        raise Invalid(
            f"blocked_numbers[{index}]: {raw!r} is not a phone number",
            code="calls.blocked_not_a_number",
            field="blocked_numbers",
            number=raw,
        )
    return number


@router.post("/cti-integrations/{integration_id}/revoke", operation_id="cti-integrations-revoke")
async def revoke_integration(integration_id: PathId, session: SessionDep, _: AdminUser) -> IntegrationPublic:
    """Revokes the token: events posted with it get 401 from now on. Again: no change."""
    integration = service.do_revoke_integration(session, service.get_integration(session, integration_id, lock=True))
    session.flush()
    return IntegrationPublic.model_validate(_integration(integration))


@router.post("/cti-integrations/{integration_id}/token", operation_id="cti-integrations-rotate")
async def rotate_token(
    integration_id: PathId, request: Request, session: SessionDep, _: AdminUser
) -> IntegrationWithToken:
    """A new token (also un-revokes); the old one stops working at once."""
    integration = service.get_integration(session, integration_id, lock=True)
    token = service.do_rotate_token(session, integration)
    session.flush()
    return _with_token(request, integration, token)


# ---------------------------------------------------------------- IVR


async def _ivr_caller(request: Request, session: SessionDep) -> None:
    """The IVR authenticates with a CTI integration's token (``X-CTI-Token`` or ``?token=``); a signed-in
    manager may ask too (to try the rules)."""
    token = request.headers.get("x-cti-token") or request.query_params.get("token")
    if token:
        cti.check_token(session, token)
        return
    user = await get_current_user(request, session)
    if not user.has(*MANAGERS, Role.admin):
        raise Forbidden("this needs a CTI token or one of the manager roles", code="calls.ivr_token_or_manager")


@pbx_router.get("/ivr/route", operation_id="ivr-route", dependencies=[Depends(_ivr_caller)])
async def ivr_route(
    session: SessionDep,
    settings: SettingsDep,
    caller: Annotated[str, Query(min_length=1, max_length=64)],
    token: str | None = None,
) -> IvrRoute:
    """What the IVR should do with this caller: the tier and queue, connect straight to an agent for an
    open emergency, announcements for an outage in the caller's area. (On the event loop: a handful of
    indexed look-ups of columns, cheaper than the hop to a worker thread and back.)"""
    return IvrRoute.model_validate(ivr.route(session, caller, tz=settings.timezone))


@router.get("/ivr/rules", operation_id="ivr-rules-list")
async def list_rules(session: SessionDep, _: RuleReader) -> list[IvrRulePublic]:
    return [IvrRulePublic.model_validate(r) for r in ivr.rules(session)]


@router.post("/ivr/rules", status_code=201, operation_id="ivr-rules-create")
async def create_rule(body: IvrRuleIn, session: SessionDep, user: RuleEditor) -> IvrRulePublic:
    return IvrRulePublic.model_validate(ivr.do_save_rule(session, None, body.model_dump(), user.id))


@router.put("/ivr/rules/{rule_id}", operation_id="ivr-rules-update")
async def update_rule(rule_id: PathId, body: IvrRuleIn, session: SessionDep, user: RuleEditor) -> IvrRulePublic:
    rule = ivr.get_rule(session, rule_id)
    return IvrRulePublic.model_validate(ivr.do_save_rule(session, rule, body.model_dump(), user.id))


@router.delete("/ivr/rules/{rule_id}", status_code=204, operation_id="ivr-rules-delete")
async def delete_rule(rule_id: PathId, session: SessionDep, _: RuleEditor) -> Response:
    session.delete(ivr.get_rule(session, rule_id))
    return Response(status_code=204)
