"""CTI events in the generic shape Zammad defined (``newCall`` / ``answer`` / ``hangup``), applied to call
records, agent states and screen pops.

A PBX posts each event once or more (at least once); ``(call, event)`` is unique, so a repeat is
acknowledged with the same reply and changes nothing. Events may arrive out of order (a hangup before
its answer) or for a call never announced (an answer for an unknown ``callId`` creates the call).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import String, Table, bindparam, or_, select, update
from sqlalchemy import cast as cast_sql
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.calls import service
from huiyin.calls.models import Call, CallEvent, CallOrder, CtiIntegration
from huiyin.calls.service import CALLS, AgentName, OpenState
from huiyin.calls.states import AgentAction, AgentStatus, CallState, Cause, CtiEvent, Direction
from huiyin.clock import now
from huiyin.core.fastsql.prebuilt import Prebuilt, PrebuiltSet
from huiyin.core.phones import normalize_phone
from huiyin.core.tokens import token_hash
from huiyin.errors import Unauthorized
from huiyin.settings import CtiSettings

ANONYMOUS = "anonymous"
Agent = AgentName  # what events need of a user: a row of three columns, not the user with its roles


def normalize_number(raw: str | None) -> str:
    """A number as the PBX sent it, normalised as every number is (``core.phones.normalize_phone``, the one
    normaliser; this name stays for the calls code); ``None`` is "", ``anonymous`` stays."""
    if raw is None:
        return ""
    return ANONYMOUS if raw.strip().lower() == ANONYMOUS else normalize_phone(raw)


@dataclass
class Event:
    """One CTI event, parsed (see ``schemas.CtiEventIn`` for the wire fields)."""

    event: CtiEvent
    call_id: str
    direction: Direction | None
    from_number: str
    to_number: str
    users: list[str]
    queue: str | None
    answering_number: str | None
    cause: Cause | None
    recording_url: str | None
    ivr_path: str | None
    wait_seconds: int | None
    hold_seconds: int | None
    at: datetime | None
    raw: dict[str, Any]


@dataclass(frozen=True)
class Rules:
    """What applying events needs of a CTI integration: its id and its reply rules."""

    id: int
    blocked_numbers: list[dict[str, Any]]
    caller_id_rules: list[dict[str, Any]]
    default_caller_id: str | None

    @classmethod
    def of(cls, integration: CtiIntegration) -> Rules:
        return cls(
            integration.id,
            integration.blocked_numbers or [],
            integration.caller_id_rules or [],
            integration.default_caller_id,
        )


_I = CtiIntegration
_BY_TOKEN = Prebuilt(
    select(_I.id, _I.blocked_numbers, _I.caller_id_rules, _I.default_caller_id).where(
        _I.token_hash == bindparam("token_hash"), _I.revoked_at.is_(None)
    )
)


def check_token(session: Session, token: str) -> Rules:
    """The integration whose token this is; 401 for an unknown or revoked one."""
    found = _BY_TOKEN.first(session, {"token_hash": token_hash(token)})
    if found is None:
        raise Unauthorized("unknown or revoked CTI token", code="calls.bad_token")
    id_, blocked, caller_id_rules, default_caller_id = found
    return Rules(id_, blocked or [], caller_id_rules or [], default_caller_id)


# ---------------------------------------------------------------- replies


def reply_for(integration: Rules, call: Call) -> dict[str, Any]:
    """What the generic CTI shape answers a ``newCall``: reject a blocked caller (inbound), set the caller
    ID for an outbound call where a rule or a default applies, else ``{}``."""
    if call.direction == Direction.in_:
        return {"action": "reject", "reason": "busy"} if call.blocked else {}
    caller_id = caller_id_for(integration, call.to_number)
    return {"action": "dial", "caller_id": caller_id, "number": call.to_number} if caller_id else {}


def is_blocked(integration: Rules, number: str) -> bool:
    return number != ANONYMOUS and any(
        normalize_number(str(b.get("number", ""))) == number for b in integration.blocked_numbers
    )


def caller_id_for(integration: Rules, destination: str) -> str | None:
    """The longest matching destination prefix's caller ID (``023*`` → 023…), else the default."""
    best: tuple[int, str] | None = None
    for rule in integration.caller_id_rules:
        prefix = normalize_number(str(rule.get("prefix", "")).rstrip("*"))
        if destination.startswith(prefix) and (best is None or len(prefix) > best[0]):
            best = (len(prefix), str(rule.get("caller_id", "")))
    if best is not None and best[1]:
        return best[1]
    return integration.default_caller_id or None


# ---------------------------------------------------------------- applying


def do_event(session: Session, integration: Rules, ev: Event, settings: CtiSettings) -> dict[str, Any]:
    """Applies one event (or recognises a repeat) and returns the reply for the PBX."""
    received = now()
    at = ev.at or received
    loaded = _call_for(session, integration, ev, at)
    call = loaded.call
    if not _first_time(session, call, ev, at, received):
        return reply_for(integration, call) if ev.event == CtiEvent.new_call else {}
    if ev.event == CtiEvent.new_call:
        agent = _on_new_call(session, integration, call, ev, at)
    elif ev.event == CtiEvent.answer:
        agent = _on_answer(session, call, ev, at, settings)
    else:
        agent = _on_hangup(session, call, ev, at, settings)
    _save(session, call, loaded.values)
    service.pop(session, call, ev.event.value, agent=agent or loaded.agent, orders=loaded.orders)
    return reply_for(integration, call) if ev.event == CtiEvent.new_call else {}


# An event reads its call as a row and writes back the columns it changed: a record of ~30 columns, read and
# written once per event, costs less as plain statements than through the ORM's identity map and flush. The
# event's statements are ``Prebuilt``: compiled once, run on the session's cursor.
# the call, locked, with what its pop needs besides: its orders, and the name of its agent so far
_LOCK_CALL = Prebuilt(
    select(
        CALLS,
        select(service.comma_joined(cast_sql(CallOrder.order_id, String)))
        .where(CallOrder.call_pk == CALLS.c.id)
        .correlate(CALLS)
        .scalar_subquery()
        .label("pop_order_ids"),
        User.username.label("pop_agent_login"),
        User.full_name.label("pop_agent_name"),
    )
    .select_from(CALLS.outerjoin(User, User.id == CALLS.c.agent_id))
    .where(CALLS.c.call_id == bindparam("call_id"))
    .with_for_update(of=CALLS)
)


@dataclass
class Loaded:
    """The call an event applies to, outside the session, its values as read, and what its pop needs."""

    call: Call
    values: dict[str, Any]
    orders: list[int]
    agent: Agent | None


class _CallRecord:
    """A call's columns as plain attributes: what the event path reads and changes of a call, without the
    ORM's instrumentation (an ORM ``Call`` outside the session cost a tenth of the event's Python, in its
    constructor and in every attribute read and write). The event's functions take it as a ``Call``: they
    use the columns only, and ``_save`` writes back those that changed."""

    __slots__ = tuple(CALLS.c.keys())

    def __init__(self, values: dict[str, Any]) -> None:
        for key, value in values.items():
            setattr(self, key, value)


def _loaded(row: Any) -> Loaded:
    """The row as a ``Call`` record outside the session (the event's functions change its attributes;
    ``_save`` writes what changed)."""
    values = dict(row)
    orders = sorted(int(o) for o in service.split_joined(values.pop("pop_order_ids", None)))
    login, name = values.pop("pop_agent_login", None), values.pop("pop_agent_name", None)
    agent = Agent(values["agent_id"], login, name) if values["agent_id"] and login is not None else None
    return Loaded(cast(Call, _CallRecord(values)), values, orders, agent)


_UPDATE_CALL = PrebuiltSet(update(CALLS).where(CALLS.c.id == bindparam("call_pk")))  # SET: the columns given


def _save(session: Session, call: Call, loaded: dict[str, Any]) -> None:
    changed = {k: getattr(call, k) for k, v in loaded.items() if getattr(call, k) != v}
    if changed:
        changed["updated_at"] = now()
        _UPDATE_CALL.execute(session, {**changed, "call_pk": call.id}, columns=list(changed))


def _locked_call(session: Session, call_id: str) -> Loaded | None:
    row = _LOCK_CALL.mapping(session, {"call_id": call_id})
    return _loaded(row) if row is not None else None


def _call_for(session: Session, integration: Rules, ev: Event, at: datetime) -> Loaded:
    """The call this event belongs to, locked (an unknown callId makes the call, whatever the event). A
    newCall tries the insert first (its call is usually new), the others the look-up. Two requests creating
    the same call at once: ``ON CONFLICT DO NOTHING`` lets one insert, and the other then locks that row."""
    if ev.event != CtiEvent.new_call:
        found = _locked_call(session, ev.call_id)
        if found is not None:
            return found
    direction = (ev.direction or Direction.in_).value
    number = ev.from_number if direction == Direction.in_ else ev.to_number
    values = {
        "call_id": ev.call_id,
        "integration_id": integration.id,
        "direction": direction,
        "from_number": ev.from_number,
        "to_number": ev.to_number,
        "queue": ev.queue or "",
        "offered_at": at,
        "ivr_path": ev.ivr_path or "",
        "number": number if number and number != ANONYMOUS else None,
        "updated_at": now(),  # when it was written, not the PBX's ``at``: the KPI rollups' refresh goes by it
    }
    made = _NEW_CALL.mapping(session, values)
    if made is not None:
        return _loaded(made)
    found = _locked_call(session, ev.call_id)
    assert found is not None
    return found


def _first_time(session: Session, call: Call, ev: Event, at: datetime, received: datetime) -> bool:
    """Records the event; False when this (call, event) was already recorded: a repeat. One statement
    (``INSERT … ON CONFLICT DO NOTHING``), so a repeat racing its original loses cleanly."""
    values = {"call_pk": call.id, "event": ev.event.value, "received_at": received, "at": at, "data": ev.raw}
    return _FIRST_TIME.first(session, values) is not None


def _insert(dialect: str) -> Any:
    return pg_insert if dialect == "postgresql" else sqlite_insert


def _new_call_statement(dialect: str) -> Any:
    given = ("call_id", "integration_id", "direction", "from_number", "to_number", "queue", "offered_at")
    return (
        _insert(dialect)(CALLS)
        .values(
            {
                **{c: bindparam(c) for c in (*given, "ivr_path", "updated_at")},
                "state": CallState.ringing.value,
                "offered_to": [],
                "hold_seconds": 0,
                "abandoned": False,
                "short_abandon": False,
                "blocked": False,
                "customer_id": service.matched_customer_id(bindparam("number")),
            }
        )
        .on_conflict_do_nothing(index_elements=["call_id"])
        .returning(*CALLS.c)
    )


def _first_time_statement(dialect: str) -> Any:
    event = cast(Table, CallEvent.__table__)
    return (
        _insert(dialect)(event)
        .values({c: bindparam(c) for c in ("call_pk", "event", "received_at", "at", "data")})
        .on_conflict_do_nothing(index_elements=["call_pk", "event"])
        .returning(event.c.id)
    )


# the event's two inserts, one per dialect (each has its own ``ON CONFLICT``)
_NEW_CALL = Prebuilt(_new_call_statement)
_FIRST_TIME = Prebuilt(_first_time_statement)


_AGENT = (User.id, User.username, User.full_name)
_USER_NAMED = Prebuilt(  # the usual ``user``: one name
    select(*_AGENT).where(
        User.is_active.is_(True), or_(User.username == bindparam("name"), User.full_name == bindparam("name"))
    )
)


def _users_named(session: Session, names: list[str]) -> list[Agent]:
    """The users a ``user`` value names: by login, then by real name (Zammad sends real names)."""
    wanted = [n.strip() for n in names if n and n.strip()]
    if not wanted:
        return []
    if len(wanted) == 1:
        found = _USER_NAMED.rows(session, {"name": wanted[0]})
    else:
        found = list(
            session.execute(
                select(*_AGENT).where(
                    User.is_active.is_(True), or_(User.username.in_(wanted), User.full_name.in_(wanted))
                )
            )
        )
    rows = [Agent(*r) for r in found]
    by_login = {u.username: u for u in rows}
    by_name: dict[str, Agent] = {}
    for u in sorted(rows, key=lambda u: u.id):
        by_name.setdefault(u.full_name, u)
    picked: list[Agent] = []
    for name in wanted:
        hit = by_login.get(name) or by_name.get(name)
        if hit is not None and hit not in picked:
            picked.append(hit)
    return picked


# a user by login, phone or id (a parameter left NULL matches nothing)
_ANSWERING = Prebuilt(
    select(*_AGENT, User.phone)
    .where(or_(User.username == bindparam("value"), User.phone == bindparam("digits"), User.id == bindparam("as_id")))
    .order_by(User.id)
)


def _answering_user(session: Session, value: str) -> Agent | None:
    """``answeringNumber``: a user by phone, then login, then id (the order the generic shape gives); the
    three looked up in one statement."""
    value = value.strip()
    if not value:
        return None
    digits = normalize_number(value) or None
    as_id = int(value) if value.isdigit() and len(value) < 10 else None
    rows = _ANSWERING.rows(session, {"value": value, "digits": digits, "as_id": as_id})

    def rank(r: tuple[Any, ...]) -> int:
        return 0 if digits and r[3] == digits else 1 if r[1] == value else 2

    found = min(rows, key=rank, default=None)  # every row matched one of the three; by id: the lowest wins a tie
    if found is None:
        return None
    return Agent(found[0], found[1], found[2])


def _on_new_call(session: Session, integration: Rules, call: Call, ev: Event, at: datetime) -> Agent | None:
    if ev.direction is not None:
        call.direction = ev.direction.value
    call.from_number = ev.from_number or call.from_number
    call.to_number = ev.to_number or call.to_number
    call.queue = ev.queue or call.queue
    call.ivr_path = ev.ivr_path or call.ivr_path
    if call.offered_at > at:
        call.offered_at = at
    if ev.wait_seconds is not None:
        call.pbx_wait_seconds = ev.wait_seconds
    call.customer_id = call.customer_id or service.match_customer_id(session, service.customer_number(call))
    users = _users_named(session, ev.users)
    if call.direction == Direction.in_:
        call.blocked = is_blocked(integration, call.from_number)
        call.offered_to = sorted({*call.offered_to, *(u.id for u in users)})
        return None
    # outbound: the user is the one calling (or the agent who clicked to call, already on the record)
    if users and call.agent_id is None:
        call.agent_id = users[0].id
    if call.agent_id is not None:
        _on_the_call(session, call.agent_id, call, at)
    return users[0] if users else None


def _on_the_call(session: Session, agent_id: int, call: Call, at: datetime) -> None:
    """The agent is on this call from now, unless already (an outbound call: from its newCall)."""
    state = service.current_state(session, agent_id, lock=True)
    if not _on_this_call(state, call):
        service.do_agent_transition(session, agent_id, state, AgentAction.call, call=call, at=at, source="cti")


def _on_this_call(state: OpenState | None, call: Call) -> bool:
    return state is not None and state.state == AgentStatus.on_call and state.call_pk == call.id


def _on_answer(session: Session, call: Call, ev: Event, at: datetime, settings: CtiSettings) -> Agent | None:
    agent = _answering_user(session, ev.answering_number) if ev.answering_number else None
    if agent is None:
        named = _users_named(session, ev.users)
        offered = [u for u in named if u.id in call.offered_to] or named
        agent = offered[0] if offered and (len(offered) == 1 or call.direction == Direction.out) else None
    if agent is not None and call.agent_id is None:
        call.agent_id = agent.id
    ended = call.ended_at is not None
    if call.answered_at is None:
        call.answered_at = min(at, call.ended_at) if ended and call.ended_at is not None else at
    if ended:  # the hangup came first: the figures change, the agent goes to after-call work now
        service.recompute(call, settings.short_abandon_seconds)
        if call.agent_id is not None:
            _after_call(session, call, at, late=True)
        return agent
    call.state = CallState.talking.value
    if call.agent_id is not None:
        _on_the_call(session, call.agent_id, call, at)
    return agent


def _on_hangup(session: Session, call: Call, ev: Event, at: datetime, settings: CtiSettings) -> Agent | None:
    agent = None
    if call.agent_id is None and ev.answering_number:
        agent = _answering_user(session, ev.answering_number)
        if agent is not None:
            call.agent_id = agent.id
    call.ended_at = max(at, call.answered_at or at, call.offered_at)
    call.state = CallState.ended.value
    call.cause = (
        ev.cause.value if ev.cause else (Cause.normal_clearing.value if call.answered_at else Cause.cancel.value)
    )
    if ev.hold_seconds is not None:
        call.hold_seconds = ev.hold_seconds
    if ev.recording_url:
        call.recording_url = ev.recording_url
    if ev.wait_seconds is not None:
        call.pbx_wait_seconds = ev.wait_seconds
    service.recompute(call, settings.short_abandon_seconds)
    if call.agent_id is not None and call.answered_at is not None:
        _after_call(session, call, call.ended_at, late=False)
    elif call.agent_id is not None and call.direction == Direction.out:  # an outbound call nobody took
        state = service.current_state(session, call.agent_id, lock=True)
        if _on_this_call(state, call):
            for action in (AgentAction.hang_up, AgentAction.wrap_up):
                state = service.do_agent_transition(
                    session, call.agent_id, state, action, call=call, at=call.ended_at, source="cti"
                )
    return agent


def _after_call(session: Session, call: Call, at: datetime, *, late: bool) -> None:
    """The agent who took the call goes from on call to after-call work (ACW)."""
    assert call.agent_id is not None
    state = service.current_state(session, call.agent_id, lock=True)
    if late and not _on_this_call(state, call):
        # the answer arrives after the hangup: put the agent through the call now, unless busy on another
        if state is not None and state.state == AgentStatus.on_call:
            return
        state = service.do_agent_transition(
            session, call.agent_id, state, AgentAction.call, call=call, at=at, source="cti"
        )
    if _on_this_call(state, call):
        service.do_agent_transition(session, call.agent_id, state, AgentAction.hang_up, call=call, at=at, source="cti")
