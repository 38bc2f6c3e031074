"""Reading calls: the list and one call, the caller's candidates and brief for the screen pop, recent contacts,
links to orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, NamedTuple, TypeVar

from sqlalchemy import Select, String, bindparam, cast, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from huiyin.auth.models import User
from huiyin.calls.models import Call, CallOrder, CtiIntegration
from huiyin.calls.service.agents import wrap_up_call
from huiyin.calls.service.figures import customer_ids_by_number, customer_number
from huiyin.calls.states import (
    CallState,
)
from huiyin.clock import now
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.core.phones import mask_phone
from huiyin.customers.models import Customer, CustomerPhone, CustomerTag
from huiyin.errors import Invalid, NotFound
from huiyin.notify.service import publish_many

_Row = TypeVar("_Row", Call, CtiIntegration)


def _get(session: Session, model: type[_Row], pk: int, what: str, lock: bool) -> _Row:
    stmt = select(model).where(model.id == pk)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        if model is Call:
            raise NotFound(f"{what} {pk} not found", code="calls.no_call")
        raise NotFound(f"{what} {pk} not found", code="calls.no_integration")
    return found


def get_call(session: Session, call_pk: int, *, lock: bool = False) -> Call:
    return _get(session, Call, call_pk, "call", lock)


def get_call_by_call_id(session: Session, call_id: str) -> Call:
    call = session.scalar(select(Call).where(Call.call_id == call_id).with_for_update())
    if call is None:
        raise Invalid(f"no call with callId {call_id!r}", code="calls.no_call_id", field="call_id")
    return call


_ORDER_IDS = Prebuilt(
    select(CallOrder.call_pk, CallOrder.order_id)
    .where(ids_in(CallOrder.call_pk, "call_pks"))
    .order_by(CallOrder.order_id)
)


_CALL_FACTS = Prebuilt(
    select(Call.id, Call.integration_id, Call.agent_id, Call.customer_id, Call.ended_at).where(
        Call.call_id == bindparam("call_id")
    )
)


def call_facts(session: Session, call_id: str) -> Any:
    """A call by the PBX's callId, as other domains attribute to it (a rating): ``id``, ``integration_id``,
    ``agent_id``, ``customer_id``, ``ended_at``; None when no call has that id. Reads, locks nothing."""
    found = _CALL_FACTS.named(session, {"call_id": call_id})
    return found[0] if found else None


def call_id_of(session: Session, call_pk: int) -> str | None:
    """The PBX's callId of a call record."""
    return session.scalar(select(Call.call_id).where(Call.id == call_pk))


def order_ids_of(session: Session, call_pks: Sequence[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    if call_pks:
        session.flush()  # as session.execute would: this transaction's own links are in what is read
        for pk, oid in _ORDER_IDS.rows(session, {"call_pks": list(call_pks)}):
            out.setdefault(pk, []).append(oid)
    return out


def on_the_line(call: Call, user_id: int) -> bool:
    """Whether ``user_id`` is the agent on this call (or one it rings for) and its after-call work is not over:
    the one time a record shows the caller's number whole, as the agent's phone shows it anyway (it is
    needed to register an unknown caller's order). Every other view masks it."""
    return (user_id == call.agent_id or user_id in (call.offered_to or [])) and call.acw_ended_at is None


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
            "phones": [mask_phone(p) for _, p in numbered],  # revealed through the customer, audited
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


def do_set_customer(session: Session, call: Call, customer_id: int) -> None:
    """The agent says who is calling (among the candidates, or a customer just created)."""
    call.customer_id = customer_id
    session.flush()


class CallToRate(NamedTuple):
    id: int
    caller: str
    ended_at: datetime


LONGEST_CALL_HOURS = 4
"""A call this long is not looked for (the range on ``offered_at`` that keeps the query on its index)."""


def calls_without_orders(session: Session, start: datetime, end: datetime, *, limit: int) -> list[CallToRate]:
    """Inbound calls an agent answered that ended in ``[start, end)`` with no order registered on them: the
    contacts asked for a rating by SMS after the call (a call with an order is asked when the order is
    closed). Oldest first; on the index of ``offered_at``."""
    linked = select(CallOrder.call_pk).where(CallOrder.call_pk == Call.id).exists()
    stmt = (
        select(Call.id, Call.from_number, Call.ended_at)
        .where(
            Call.offered_at >= start - timedelta(hours=LONGEST_CALL_HOURS),
            Call.offered_at < end,
            Call.direction == "in",
            Call.answered_at.is_not(None),
            Call.ended_at >= start,
            Call.ended_at < end,
            ~linked,
        )
        .order_by(Call.ended_at, Call.id)
        .limit(limit)
    )
    return [CallToRate(*r) for r in session.execute(stmt)]  # type: ignore[arg-type]


class AnsweredCall(NamedTuple):
    pk: int
    agent_id: int
    direction: str
    answered_at: datetime
    talk_seconds: int | None


def _answered(start: datetime, end: datetime) -> list[Any]:
    return [Call.offered_at >= start, Call.offered_at < end, Call.answered_at.is_not(None), Call.agent_id.is_not(None)]


def answered_calls(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    agent_id: int | None = None,
    pks: Sequence[int] | None = None,
    talk_from: int | None = None,
    talk_below: int | None = None,
) -> list[AnsweredCall]:
    """Calls offered in ``[start, end)`` that an agent answered (or placed and got through): what QA samples.
    Narrowed to one agent's, to these calls (``pks``), or by their talk (at least ``talk_from`` seconds,
    under ``talk_below``)."""
    where = _answered(start, end)
    if agent_id is not None:
        where.append(Call.agent_id == agent_id)
    if talk_from is not None:
        where.append(Call.talk_seconds >= talk_from)
    if talk_below is not None:
        where.append(Call.talk_seconds < talk_below)
    cols = (Call.id, Call.agent_id, Call.direction, Call.answered_at, Call.talk_seconds)
    if pks is None:
        rows = list(session.execute(select(*cols).where(*where).order_by(Call.id)))
    else:
        wanted = sorted(set(pks))
        rows = []
        for n in range(0, len(wanted), 1000):
            rows += session.execute(select(*cols).where(*where, Call.id.in_(wanted[n : n + 1000]))).all()
    return [AnsweredCall(pk, int(agent), d, at, talk) for pk, agent, d, at, talk in rows if agent and at]


def answered_counts(session: Session, start: datetime, end: datetime) -> dict[int, int]:
    """Each agent's count of the calls ``answered_calls`` gives."""
    stmt = select(Call.agent_id, func.count()).where(*_answered(start, end)).group_by(Call.agent_id)
    return {int(a): int(n) for a, n in session.execute(stmt) if a is not None}


def first_answered(session: Session, agent_ids: Sequence[int]) -> dict[int, datetime]:
    """Each agent's first answered call, by when it was offered (how long they have been on the phones): one
    step down the (agent, offered) index each."""
    out: dict[int, datetime] = {}
    for agent_id in agent_ids:
        at = session.scalar(
            select(Call.offered_at)
            .where(Call.agent_id == agent_id, Call.answered_at.is_not(None))
            .order_by(Call.offered_at)
            .limit(1)
        )
        if at is not None:
            out[agent_id] = at
    return out


def call_pks_of_orders(session: Session, order_ids: Sequence[int]) -> dict[int, list[int]]:
    """The calls each order was registered from or linked to."""
    out: dict[int, list[int]] = {}
    for start in range(0, len(order_ids), 1000):
        chunk = list(order_ids[start : start + 1000])
        stmt = select(CallOrder.call_pk, CallOrder.order_id).where(CallOrder.order_id.in_(chunk))
        for pk, oid in session.execute(stmt):
            out.setdefault(oid, []).append(pk)
    return out


def calls_by_pks(session: Session, pks: Sequence[int]) -> list[Call]:
    """These calls (those that exist), in one query per thousand."""
    out: list[Call] = []
    wanted = list(dict.fromkeys(pks))
    for start in range(0, len(wanted), 1000):
        out.extend(session.scalars(select(Call).where(Call.id.in_(wanted[start : start + 1000]))))
    return out
