"""Calls and agents: call figures, the agent-state intervals, screen pops, links to orders, the live board,
and the CTI integrations themselves."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple, TypeVar
from typing import cast as typing_cast

from sqlalchemy import Select, String, Table, bindparam, case, cast, func, insert, select, update
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.functions import FunctionElement

from huiyin.auth.models import User
from huiyin.calls.models import AgentState, Call, CallOrder, CtiIntegration
from huiyin.calls.states import (
    AGENT_TRANSITIONS,
    AgentAction,
    AgentStatus,
    CallState,
    Cause,
    Direction,
)
from huiyin.clock import now
from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.core.phones import mask_phone
from huiyin.core.tokens import token_hash
from huiyin.customers.models import Customer, CustomerPhone, CustomerTag
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.notify.service import publish, publish_many

# ---------------------------------------------------------------- figures


def customer_number(call: Call) -> str:
    """The customer's side of the call: the caller of an inbound call, the called number of an outbound one."""
    return call.from_number if call.direction == Direction.in_ else call.to_number


# the customers with the number ``:number``, by id (the callers add their limit)
IDS_BY_NUMBER = (
    select(CustomerPhone.customer_id)
    .where(CustomerPhone.phone == bindparam("number"))
    .distinct()
    .order_by(CustomerPhone.customer_id)
)
_IDS_BY_NUMBER = Prebuilt(IDS_BY_NUMBER.limit(bindparam("limit")))


def customer_ids_by_number(session: Session, number: str, limit: int = 6) -> list[int]:
    if not number or number == "anonymous":
        return []
    return [r[0] for r in _IDS_BY_NUMBER.rows(session, {"number": number, "limit": limit})]


def match_customer_id(session: Session, number: str) -> int | None:
    """The one customer with this number; None when nobody, or several (the pop offers candidates)."""
    if not number or number == "anonymous":
        return None
    return session.scalar(select(matched_customer_id(number)))


def matched_customer_id(number: Any) -> Any:
    """``match_customer_id`` as an SQL expression of ``number`` (a bound parameter: NULL for none), to be
    computed inside the statement that needs it."""
    ids = (
        select(CustomerPhone.customer_id.label("id"))
        .where(CustomerPhone.phone == number)
        .distinct()
        .limit(2)
        .subquery()
    )
    return select(case((func.count() == 1, func.min(ids.c.id)))).scalar_subquery()


def _seconds(a: datetime | None, b: datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return max(0, round((b - a).total_seconds()))


def recompute(call: Call, short_abandon_seconds: int) -> None:
    """Wait, talk, abandoned, from the times the events gave.

    wait = offered → answered (or → ended when nobody answered), unless the PBX counted it (``waitSeconds``);
    talk = answered → ended, less the hold time; abandoned = an inbound call that ended unanswered, not
    rejected as blocked and not forwarded elsewhere; a short abandon waited less than the threshold."""
    if call.pbx_wait_seconds is not None:
        call.wait_seconds = call.pbx_wait_seconds
    else:
        call.wait_seconds = _seconds(call.offered_at, call.answered_at or call.ended_at)
    connected = _seconds(call.answered_at, call.ended_at)
    call.talk_seconds = None if connected is None else max(0, connected - (call.hold_seconds or 0))
    call.abandoned = bool(
        call.direction == Direction.in_
        and call.ended_at is not None
        and call.answered_at is None
        and not call.blocked
        and call.cause != Cause.forwarded
    )
    call.short_abandon = bool(call.abandoned and (call.wait_seconds or 0) < short_abandon_seconds)


# ---------------------------------------------------------------- agent states


class OpenState(NamedTuple):
    """An agent's open interval (``ended_at`` NULL), as the transitions read it: a row, not an ORM object."""

    id: int
    state: str
    reason: str | None
    started_at: datetime
    call_pk: int | None
    resume_state: str | None


_STATES = typing_cast(Table, AgentState.__table__)
# the agent-state statements, run by every CTI event: Prebuilt (compiled once, run on the session's cursor)
_LOCK_AGENT = Prebuilt(select(User.id).where(User.id == bindparam("user_id")).with_for_update(key_share=True))
_OPEN_STATE_SELECT = select(*(_STATES.c[f] for f in OpenState._fields)).where(
    _STATES.c.user_id == bindparam("user_id"), _STATES.c.ended_at.is_(None)
)
_OPEN_STATE = Prebuilt(_OPEN_STATE_SELECT)
_LOCK_OPEN_STATE = Prebuilt(_OPEN_STATE_SELECT.with_for_update(key_share=True))
_CLOSE_STATE = Prebuilt(
    update(_STATES).where(_STATES.c.id == bindparam("state_id")).values(ended_at=bindparam("ended_at"))
)
_NEW_STATE_COLUMNS = ("user_id", "state", "reason", "started_at", "ended_at", "call_pk", "resume_state", "source")
_OPEN_NEW_STATE = Prebuilt(insert(_STATES).returning(_STATES.c.id), column_keys=_NEW_STATE_COLUMNS)


def current_state(session: Session, user_id: int, *, lock: bool = False) -> OpenState | None:
    """The agent's open interval. ``lock``: locked, so that two events for one agent (an answer and another
    call's hangup at once) change the state one after the other. The open interval's own lock serialises
    them while it stays open; the transaction that waited for it finds it closed (the other one closed it
    and opened a new one, which this statement cannot see), and then takes the agent's own row lock and
    reads again, in a new statement and so a new snapshot. NO KEY UPDATE: the agent's lock must not wait
    for the key-share locks that foreign keys to users take."""
    if lock:
        # usually one statement: lock the open interval itself; when there is none, or the one this waited
        # for was closed meanwhile (its successor is not in this statement's snapshot), the agent's lock
        row = _LOCK_OPEN_STATE.first(session, {"user_id": user_id})
        if row is not None:
            return OpenState(*row)
        _LOCK_AGENT.execute(session, {"user_id": user_id})
    row = _OPEN_STATE.first(session, {"user_id": user_id})
    return OpenState(*row) if row is not None else None


def status_of(state: OpenState | None) -> AgentStatus:
    return AgentStatus(state.state) if state is not None else AgentStatus.signed_out


def check_agent_action(state: OpenState | None, action: AgentAction, *, by_agent: bool) -> None:
    t = AGENT_TRANSITIONS[action]
    if by_agent and not t.by_agent:
        raise Conflict(f"{action.value} comes from the phone system, not the workbench")
    current = status_of(state)
    if current not in t.sources:
        allowed = sorted(s.value for s in t.sources)
        raise Conflict(f"cannot {action.value} while {current.value}; allowed from {allowed}", state=current.value)


def do_agent_action(
    session: Session,
    user_id: int,
    action: AgentAction,
    *,
    reason: str | None = None,
    call: Call | None = None,
    at: datetime | None = None,
    source: str = "workbench",
) -> OpenState | None:
    """Locks the agent, closes the open interval and opens the next (none after signing out). Returns the
    new interval."""
    state = current_state(session, user_id, lock=True)
    return do_agent_transition(session, user_id, state, action, reason=reason, call=call, at=at, source=source)


def do_agent_transition(
    session: Session,
    user_id: int,
    state: OpenState | None,
    action: AgentAction,
    *,
    reason: str | None = None,
    call: Call | None = None,
    at: datetime | None = None,
    source: str = "workbench",
) -> OpenState | None:
    """``do_agent_action`` from ``state``, the open interval its caller read under the agent's lock."""
    at = at or now()
    check_agent_action(state, action, by_agent=source == "workbench")
    current = status_of(state)
    to = AGENT_TRANSITIONS[action].to
    resume: str | None = None
    if action == AgentAction.call:
        if state is not None and state.state in (AgentStatus.on_call, AgentStatus.acw):
            resume = state.resume_state  # a call straight after another: back to where the first found them
        else:
            resume = current.value
    elif action == AgentAction.hang_up:
        resume = state.resume_state if state is not None else None
    elif action == AgentAction.wrap_up:
        back = (state.resume_state if state is not None else None) or AgentStatus.ready.value
        to = AgentStatus(back)
    started = at
    if state is not None:
        if state.state == AgentStatus.acw and state.call_pk is not None:
            # leaving after-call work, whichever way (wrap-up, ready, not ready, the next call, signing out)
            if call is not None and call.id == state.call_pk:
                end_acw(call, at)
            else:
                _end_acw_of(session, state.call_pk, at)
        started = max(at, state.started_at)
        # closed before the next opens: one open interval per agent (a unique index)
        _CLOSE_STATE.execute(session, {"state_id": state.id, "ended_at": started})
    if to is None or to == AgentStatus.signed_out:
        _publish_state(session, user_id, None)
        return None
    on_call = to in (AgentStatus.on_call, AgentStatus.acw)
    new = OpenState(
        id=0,
        state=to.value,
        reason=reason if to == AgentStatus.not_ready else None,
        started_at=started,
        call_pk=call.id if call is not None and on_call else None,
        resume_state=resume if on_call else None,
    )
    values = {**new._asdict(), "user_id": user_id, "ended_at": None, "source": source}
    del values["id"]
    new = new._replace(id=_OPEN_NEW_STATE.scalar(session, values))
    _publish_state(session, user_id, new)
    return new


def state_data(user_id: int, state: OpenState | None) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "state": status_of(state).value,
        "reason": state.reason if state else None,
        "since": state.started_at.isoformat() if state else None,
        "call_id": state.call_pk if state else None,
    }


def _publish_state(session: Session, user_id: int, state: OpenState | None) -> None:
    publish(session, user_id, {"type": "agent_state", "agent_state": state_data(user_id, state)})


def wrap_up_call(session: Session, call: Call, at: datetime | None = None) -> None:
    """After-call work on this call ends (an order was saved for it, or the agent marked it done)."""
    if call.agent_id is None:
        return
    state = current_state(session, call.agent_id, lock=True)
    if state is not None and state.state == AgentStatus.acw and state.call_pk == call.id:
        do_agent_action(session, call.agent_id, AgentAction.wrap_up, call=call, at=at, source="cti")
    else:
        end_acw(call, at or now())


CALLS = typing_cast(Table, Call.__table__)  # the calls table, for the event path's plain statements
_ACW_OF = Prebuilt(
    select(CALLS.c.ended_at, CALLS.c.answered_at, CALLS.c.acw_ended_at).where(CALLS.c.id == bindparam("call_pk"))
)
_SET_ACW = Prebuilt(
    update(CALLS)
    .where(CALLS.c.id == bindparam("call_pk"))
    .values(
        acw_ended_at=bindparam("acw_ended_at"), acw_seconds=bindparam("acw_seconds"), updated_at=bindparam("updated_at")
    )
)


def _end_acw_of(session: Session, call_pk: int, at: datetime) -> None:
    """``end_acw`` of a call not at hand (the agent's previous call, left by taking the next one): two plain
    statements, unless the session holds that call already."""
    held = session.identity_map.get(identity_key(Call, call_pk))
    if isinstance(held, Call):
        end_acw(held, at)
        return
    row = _ACW_OF.first(session, {"call_pk": call_pk})
    if row is None:
        return
    ended_at, answered_at, acw_ended_at = row
    if acw_ended_at is None and ended_at is not None and answered_at is not None:
        ended = max(at, ended_at)
        _SET_ACW.execute(
            session,
            {"call_pk": call_pk, "acw_ended_at": ended, "acw_seconds": _seconds(ended_at, ended), "updated_at": now()},
        )


def end_acw(call: Call, at: datetime) -> None:
    """Records the end of after-call work on an answered, ended call (once)."""
    if call.acw_ended_at is None and call.ended_at is not None and call.answered_at is not None:
        call.acw_ended_at = max(at, call.ended_at)
        call.acw_seconds = _seconds(call.ended_at, call.acw_ended_at)


# ---------------------------------------------------------------- reading calls


_Row = TypeVar("_Row", Call, CtiIntegration)


def _get(session: Session, model: type[_Row], pk: int, what: str, lock: bool) -> _Row:
    stmt = select(model).where(model.id == pk)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"{what} {pk} not found")
    return found


def get_call(session: Session, call_pk: int, *, lock: bool = False) -> Call:
    return _get(session, Call, call_pk, "call", lock)


def get_call_by_call_id(session: Session, call_id: str) -> Call:
    call = session.scalar(select(Call).where(Call.call_id == call_id).with_for_update())
    if call is None:
        raise Invalid(f"no call with callId {call_id!r}", field="call_id")
    return call


_ORDER_IDS = (
    select(CallOrder.call_pk, CallOrder.order_id)
    .where(CallOrder.call_pk.in_(bindparam("call_pks", expanding=True)))
    .order_by(CallOrder.order_id)
)


def order_ids_of(session: Session, call_pks: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    if call_pks:
        for pk, oid in session.execute(_ORDER_IDS, {"call_pks": list(call_pks)}):
            out.setdefault(pk, []).append(oid)
    return out


def call_data(
    call: Call, *, agents: dict[int, AgentName] | None = None, orders: list[int] | None = None, mask: bool = False
) -> dict[str, Any]:
    """A call as ``/api/v1/calls`` and the socket show it."""
    agent = (agents or {}).get(call.agent_id) if call.agent_id else None

    def num(n: str) -> str:
        return mask_phone(n) if mask and n.isdigit() else n

    return {
        "id": call.id,
        "call_id": call.call_id,
        "direction": call.direction,
        "from": num(call.from_number),
        "to": num(call.to_number),
        "queue": call.queue,
        "state": call.state,
        "agent_id": call.agent_id,
        "agent": agent.username if agent else None,
        "agent_name": agent.full_name if agent else None,
        "offered_to": list(call.offered_to or []),
        "customer_id": call.customer_id,
        "offered_at": call.offered_at,
        "answered_at": call.answered_at,
        "ended_at": call.ended_at,
        "acw_ended_at": call.acw_ended_at,
        "wait_seconds": call.wait_seconds,
        "talk_seconds": call.talk_seconds,
        "hold_seconds": call.hold_seconds,
        "acw_seconds": call.acw_seconds,
        "cause": call.cause,
        "abandoned": call.abandoned,
        "short_abandon": call.short_abandon,
        "blocked": call.blocked,
        "ivr_path": call.ivr_path,
        "recording_url": call.recording_url,
        "has_recording": bool(call.recording_key or call.recording_url),
        "work_order_ids": orders or [],
    }


class AgentName(NamedTuple):
    id: int
    username: str
    full_name: str


_AGENT_NAMES = select(User.id, User.username, User.full_name).where(User.id.in_(bindparam("ids", expanding=True)))


def agents_of(session: Session, calls: Sequence[Call]) -> dict[int, AgentName]:
    ids = {c.agent_id for c in calls if c.agent_id}
    if not ids:
        return {}
    return {r.id: AgentName(*r) for r in session.execute(_AGENT_NAMES, {"ids": sorted(ids)})}


@dataclass
class CallFilter:
    customer_id: int | None = None
    agent_id: int | None = None
    number: str | None = None
    direction: str | None = None
    abandoned: bool | None = None
    since: datetime | None = None
    until: datetime | None = None
    state: str | None = None
    order_id: int | None = None


def filtered_calls(f: CallFilter) -> Select[Call]:
    stmt = select(Call)
    if f.customer_id is not None:
        stmt = stmt.where(Call.customer_id == f.customer_id)
    if f.agent_id is not None:
        stmt = stmt.where(Call.agent_id == f.agent_id)
    if f.number:
        stmt = stmt.where((Call.from_number == f.number) | (Call.to_number == f.number))
    if f.direction:
        stmt = stmt.where(Call.direction == f.direction)
    if f.abandoned is not None:
        stmt = stmt.where(Call.abandoned.is_(f.abandoned))
    if f.since is not None:
        stmt = stmt.where(Call.offered_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(Call.offered_at < f.until)
    if f.state:
        stmt = stmt.where(Call.state == f.state)
    if f.order_id is not None:
        stmt = stmt.where(Call.id.in_(select(CallOrder.call_pk).where(CallOrder.order_id == f.order_id)))
    return stmt


def list_calls(session: Session, f: CallFilter, *, page: int, page_size: int) -> tuple[list[Call], int]:
    stmt = filtered_calls(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(Call.offered_at.desc(), Call.id.desc()).offset((page - 1) * page_size).limit(page_size)
    )
    return list(rows), total


def calls_data(session: Session, calls: Sequence[Call], *, mask: bool = False) -> list[dict[str, Any]]:
    agents = agents_of(session, calls)
    orders = order_ids_of(session, [c.id for c in calls])
    return [call_data(c, agents=agents, orders=orders.get(c.id, []), mask=mask) for c in calls]


# ---------------------------------------------------------------- screen pop


class comma_joined(FunctionElement[str]):
    """``comma_joined(x)``: the values of ``x`` over the group joined by commas; PostgreSQL's ``string_agg``,
    SQLite's ``group_concat``, so that statements using it can be built once for both."""

    type = String()
    name = "comma_joined"
    inherit_cache = True


@compiles(comma_joined)
def _comma_joined(element: comma_joined, compiler: Any, **kw: Any) -> str:
    return f"group_concat({compiler.process(element.clauses, **kw)}, ',')"


@compiles(comma_joined, "postgresql")
def _comma_joined_pg(element: comma_joined, compiler: Any, **kw: Any) -> str:
    return f"string_agg({compiler.process(element.clauses, **kw)}, ',')"


def split_joined(value: str | None) -> list[str]:
    return [x for x in (value or "").split(",") if x]


# a customer's tags, and phones each with its row id (to keep the order they were entered), joined by commas
# (neither holds one)
TAGS_JOINED = (
    select(comma_joined(CustomerTag.tag))
    .where(CustomerTag.customer_id == Customer.id)
    .correlate(Customer)
    .scalar_subquery()
)
_PHONES_JOINED = (
    select(comma_joined(cast(CustomerPhone.id, String) + ":" + CustomerPhone.phone))
    .where(CustomerPhone.customer_id == Customer.id)
    .correlate(Customer)
    .scalar_subquery()
)
_BRIEF_COLUMNS = (
    Customer.id,
    Customer.account_no,
    Customer.name,
    Customer.address,
    Customer.area_id,
    TAGS_JOINED,
    _PHONES_JOINED,
)
_BRIEFS = select(*_BRIEF_COLUMNS).where(Customer.id.in_(bindparam("ids", expanding=True)))
_BRIEF = Prebuilt(select(*_BRIEF_COLUMNS).where(Customer.id == bindparam("id")))  # one: the pop's usual caller


def customer_briefs(session: Session, ids: Sequence[int]) -> list[dict[str, Any]]:
    """These customers as the screen pop shows them (id, account, name, address, area, tags, phones), in
    this order, in one statement of columns (the pop's hot path: no ORM objects, no relationship loads)."""
    if not ids:
        return []
    rows = _BRIEF.rows(session, {"id": ids[0]}) if len(ids) == 1 else session.execute(_BRIEFS, {"ids": list(ids)})
    found = {}
    for r in rows:
        numbered = sorted((int(n), p) for n, _, p in (x.partition(":") for x in split_joined(r[6])))
        found[r[0]] = {
            "id": r[0],
            "account_no": r[1],
            "name": r[2],
            "address": r[3],
            "area_id": r[4],
            "tags": sorted(split_joined(r[5])),
            "phones": [p for _, p in numbered],
        }
    return [found[i] for i in ids if i in found]


def caller_briefs(session: Session, call: Call) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    """Who is calling, as the pop shows it: the call's customer, or else the candidates sharing the number."""
    if call.customer_id:
        found = customer_briefs(session, [call.customer_id])
        return (found[0] if found else None), []
    return None, customer_briefs(session, customer_ids_by_number(session, customer_number(call)))


def pop_message(
    session: Session, call: Call, event: str, *, agent: AgentName | None = None, orders: list[int] | None = None
) -> dict[str, Any]:
    """The socket message of a screen pop: the call, and the caller as far as one indexed look-up tells
    (the matched customer, or the candidates sharing the number). The rest of the pop (open orders, last
    contacts, notices) the page fetches from ``GET /calls/{id}/pop`` at once. ``agent`` and ``orders``:
    what the caller knows already (the agent it just matched; no orders for a call it just created)."""
    customer, candidates = caller_briefs(session, call)
    if agent is None or agent.id != call.agent_id:
        agents = agents_of(session, [call])
    else:
        agents = {agent.id: agent}
    if orders is None:
        orders = order_ids_of(session, [call.id]).get(call.id, [])
    data = call_data(call, agents=agents, orders=orders)
    return {
        "type": "call",
        "event": event,
        "call": {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in data.items()},
        "customer": customer,
        "candidates": candidates,
    }


def pop(
    session: Session, call: Call, event: str, *, agent: AgentName | None = None, orders: list[int] | None = None
) -> None:
    """Pushes the pop to the agents concerned once this transaction commits: on ``newCall`` the agents the
    call is offered to (or the caller, outbound), on ``answer`` / ``hangup`` the agent and those it rang for
    (so their ringing pops close). A blocked caller pops nobody."""
    if call.blocked:
        return
    users = set(call.offered_to or [])
    if call.agent_id:
        users.add(call.agent_id)
    if not users:
        return
    message = pop_message(session, call, event, agent=agent, orders=orders)
    publish_many(session, [(user_id, message) for user_id in sorted(users)])


def recent_contacts(session: Session, customer_id: int, *, exclude: int | None, limit: int) -> list[Call]:
    stmt = select(Call).where(Call.customer_id == customer_id)
    if exclude is not None:
        stmt = stmt.where(Call.id != exclude)
    return list(session.scalars(stmt.order_by(Call.offered_at.desc(), Call.id.desc()).limit(limit)))


# ---------------------------------------------------------------- orders


def do_link_order(session: Session, call: Call, order_id: int) -> bool:
    """Links an order to the call (again: no change). Returns whether it was new."""
    if session.get(CallOrder, (call.id, order_id)) is not None:
        return False
    session.add(CallOrder(call_pk=call.id, order_id=order_id, linked_at=now()))
    session.flush()
    return True


def on_order_registered(session: Session, call: Call, order_id: int, customer_id: int | None) -> Call:
    """An order registered for a call (``call_id`` in the order): link it, learn the customer, and end the
    agent's after-call work on that call."""
    do_link_order(session, call, order_id)
    if call.customer_id is None and customer_id is not None:
        call.customer_id = customer_id
    if call.state == CallState.ended:
        wrap_up_call(session, call)
    return call


# ---------------------------------------------------------------- the live board


def board(session: Session) -> dict[str, Any]:
    """Agents (everyone signed in, or on a call) with their state and since when; queues with the calls
    waiting and the longest wait; both as of now."""
    at = now()
    open_states = list(session.scalars(select(AgentState).where(AgentState.ended_at.is_(None))))
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_([s.user_id for s in open_states])))}
    live = list(session.scalars(select(Call).where(Call.state != CallState.ended.value)))
    agents = []
    for s in sorted(open_states, key=lambda s: users[s.user_id].username if s.user_id in users else ""):
        u = users.get(s.user_id)
        agents.append(
            {
                "user_id": s.user_id,
                "username": u.username if u else "",
                "full_name": u.full_name if u else "",
                "state": s.state,
                "reason": s.reason,
                "since": s.started_at,
                "seconds": _seconds(s.started_at, at) or 0,
                "call_id": s.call_pk,
            }
        )
    queues: dict[str, dict[str, Any]] = {}
    for c in live:
        q = queues.setdefault(
            c.queue or "", {"queue": c.queue or "", "waiting": 0, "talking": 0, "longest_wait_seconds": 0}
        )
        if c.state == CallState.ringing and c.direction == Direction.in_ and not c.blocked:
            q["waiting"] += 1
            q["longest_wait_seconds"] = max(q["longest_wait_seconds"], _seconds(c.offered_at, at) or 0)
        elif c.state == CallState.talking:
            q["talking"] += 1
    counts: dict[str, int] = {s.value: 0 for s in AgentStatus if s != AgentStatus.signed_out}
    for s in open_states:
        counts[s.state] = counts.get(s.state, 0) + 1
    return {"at": at, "agents": agents, "queues": sorted(queues.values(), key=lambda q: q["queue"]), "counts": counts}


# ---------------------------------------------------------------- integrations


def new_token() -> str:
    return secrets.token_urlsafe(24)


def check_integration_name(session: Session, name: str, *, except_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid("a CTI integration needs a name", field="name")
    other = session.scalar(select(CtiIntegration).where(CtiIntegration.name == name))
    if other is not None and other.id != except_id:
        raise Conflict(f"a CTI integration named {name!r} exists already", field="name")
    return name


def do_create_integration(session: Session, name: str, created_by: int | None) -> tuple[CtiIntegration, str]:
    """Creates an integration; returns it and its token, shown this once (only the hash is kept)."""
    name = check_integration_name(session, name)
    token = new_token()
    integration = CtiIntegration(
        name=name,
        token_hash=token_hash(token),
        token_hint=token[:6],
        blocked_numbers=[],
        caller_id_rules=[],
        created_by=created_by,
    )
    session.add(integration)
    session.flush()
    return integration, token


def get_integration(session: Session, integration_id: int, *, lock: bool = False) -> CtiIntegration:
    return _get(session, CtiIntegration, integration_id, "CTI integration", lock)


def do_revoke_integration(session: Session, integration: CtiIntegration) -> CtiIntegration:
    """Revokes its token (again: no change); events posted with it are refused with 401 from now on."""
    if integration.revoked_at is None:
        integration.revoked_at = now()
    return integration


def do_rotate_token(session: Session, integration: CtiIntegration) -> str:
    """A new token for the integration; the old one stops working at once."""
    token = new_token()
    integration.token_hash = token_hash(token)
    integration.token_hint = token[:6]
    integration.revoked_at = None
    return token
