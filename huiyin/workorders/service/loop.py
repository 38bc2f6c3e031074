"""The closed loop: registration, dispatch, handling, callback, closure and reopening.

Checks come in a fixed order so every refusal is the right one: visibility (404), role (403),
state (409, naming what is allowed), then the request's content (422). ``do_*`` functions write;
they run inside the caller's transaction and add exactly one event per state change, and tell the
order's listeners (``workorders.hooks``) of it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, bindparam, func, literal_column, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huiyin.clock import clock, now
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt, sqlite_next_ids
from huiyin.core.phones import is_masked
from huiyin.core.roles import MANAGERS, Role
from huiyin.customers.reveals import customer_numbers, unmask
from huiyin.customers.service import CustomerFacts, check_customer_facts
from huiyin.db import tx_memo
from huiyin.errors import Conflict, Forbidden, Invalid
from huiyin.org.refs import AreaRef, UnitRef, check_area, check_unit, org
from huiyin.org.service import check_staff_refs
from huiyin.workorders import eventids
from huiyin.workorders.catalog import ON_THE_SPOT_TYPES, CallbackResult, OrderType, raise_grade
from huiyin.workorders.hooks import Moment, OrderChange, hooks_of, publish
from huiyin.workorders.models import (
    CallbackTask,
    OrderNumberSeq,
    WorkOrder,
    WorkOrderEvent,
)
from huiyin.workorders.refs import CategoryRef, RuleMatch, catalog
from huiyin.workorders.service.access import check_transition, get_visible_order
from huiyin.workorders.states import (
    Action,
    OrderState,
)

S = OrderState


@dataclass
class Born:
    """What a transaction knows of an order it created itself: every event and callback task the order has
    (nothing else can have written any), so that the reply needs no read back."""

    events: list[WorkOrderEvent] = field(default_factory=list)
    tasks: list[CallbackTask] = field(default_factory=list)


def born_here(session: Session, order_id: int) -> Born | None:
    """The order's rows, if this transaction created the order (None otherwise)."""
    found: Born | None = tx_memo(session, "workorders.born").get(order_id)
    return found


def _record(
    session: Session,
    order: WorkOrder,
    action: Action,
    from_state: str | None,
    actor: Actor | None,
    note: str = "",
    **data: Any,
) -> WorkOrderEvent:
    event = WorkOrderEvent(
        order_id=order.id,
        action=action.value,
        from_state=from_state,
        to_state=order.state,
        actor_id=actor.id if actor else None,
        unit_id=order.unit_id,
        at=now(),
        note=note,
        data=data,
    )
    eventids.assign(session, event)
    order.updated_at = event.at
    born = born_here(session, order.id)
    if born is not None:
        born.events.append(event)
    return event


def _change(
    session: Session, order: WorkOrder, moment: Moment, event: WorkOrderEvent, actor: Actor | None
) -> WorkOrderEvent:
    """Tells ``moment``'s listeners of the change ``event`` records; returns the event."""
    publish(session, moment, order, event, actor)
    return event


def _move(
    session: Session,
    order: WorkOrder,
    action: Action,
    to: OrderState,
    actor: Actor | None,
    note: str = "",
    **data: Any,
) -> WorkOrderEvent:
    before = order.state
    order.state = to.value
    return _record(session, order, action, before, actor, note, **data)


# ---------------------------------------------------------------- registration


def next_number(session: Session, prefix: str, tz: str) -> str:
    """The day's next order number (see ``next_number_and_id``)."""
    return next_number_and_id(session, prefix, tz)[0]


def next_number_and_id(session: Session, prefix: str, tz: str) -> tuple[str, int]:
    """The day's next order number, from an atomic per-day counter (one upsert, safe under concurrent
    registrations on both databases), and the new order's id, drawn before the order is written so that
    the order, its events and its deadlines are written together, once.

    On PostgreSQL the upsert commits at once, on a pooled connection of its own in autocommit (one
    statement, no BEGIN or COMMIT), so the counter row is locked for microseconds rather than for the whole
    registration; the id comes from the table's sequence in the same statement. A registration that fails
    afterwards leaves a gap in the day's numbers, which is harmless. SQLite serialises writers anyway:
    there the upsert runs in the registration's transaction, which holds the write lock, and the id is
    drawn by ``core.fastsql.sqlite_next_ids`` (after the table's last and this transaction's last).
    """
    day = clock.local_today(tz)
    bind = session.get_bind()
    if bind.dialect.name == "postgresql" and isinstance(bind, Engine):
        found = _PG_NUMBER.first_alone(bind, {"day": day})
        assert found is not None  # an upsert returns its row
        seq, order_id = found
    else:
        seq = _SQLITE_NUMBER.scalar(session, {"day": day})
        order_id = sqlite_next_ids(session, WorkOrder)[0]  # after orders this transaction has not written yet
    return f"{prefix}{day}{seq:06d}", order_id


def _number_upsert(dialect_name: str) -> Any:
    ins = postgresql.insert(OrderNumberSeq) if dialect_name == "postgresql" else sqlite.insert(OrderNumberSeq)
    return ins.values(day=bindparam("day"), last=1).on_conflict_do_update(
        index_elements=["day"], set_={"last": OrderNumberSeq.last + 1}
    )


_PG_NUMBER = Prebuilt(
    _number_upsert("postgresql").returning(
        OrderNumberSeq.last, func.nextval(literal_column("pg_get_serial_sequence('work_orders', 'id')::regclass"))
    )
)
_SQLITE_NUMBER = Prebuilt(_number_upsert("sqlite").returning(OrderNumberSeq.last))


def get_category(session: Session, category_id: int) -> CategoryRef:
    """A category as the process keeps it (``workorders.refs``); KeyError for an unknown id."""
    return catalog(session).by_id[category_id]


def get_category_by_code(session: Session, code: str) -> CategoryRef | None:
    return catalog(session).by_code.get(code)


def safety_script(session: Session, category: CategoryRef) -> str | None:
    return catalog(session).safety_script(category)


@dataclass
class RegisterPlan:
    """What ``check_register`` found valid, ready for ``do_register``."""

    type: OrderType
    category: CategoryRef
    grade: str
    channel: str
    description: str
    contact_phone: str
    contact_name: str = ""
    customer: CustomerFacts | None = None
    address: str = ""
    area: AreaRef | None = None
    close_on_spot: bool = False
    result: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def check_register(session: Session, actor: Actor, data: dict[str, Any]) -> RegisterPlan:
    order_type = OrderType(data["type"])
    field_help = order_type is OrderType.support and actor.has(Role.unit_handler)  # 专家求助 from the field
    if not (actor.has(Role.agent, *MANAGERS) or field_help):
        raise Forbidden(
            "registering an order needs one of the roles: agent, duty_manager, floor_manager, supervisor, director"
            " (a unit handler registers requests for the expert seats, type support)",
            code="orders.register_role",
        )
    category = get_category_by_code(session, data["category"])
    if category is None or not category.is_active:
        raise Invalid(
            f"category {data['category']!r} does not exist",
            code="orders.category_unavailable",
            category=data["category"],
        )
    if category.type != order_type:
        raise Invalid(
            f"category {category.code} belongs to type {category.type}, not {order_type.value}",
            code="orders.category_of_another_type",
            category=category.code,
        )
    customer = check_customer_facts(session, data["customer_id"]) if data.get("customer_id") else None
    contact_phone = data["contact_phone"]
    if is_masked(contact_phone):  # one of the customer's numbers, picked as the API showed it
        if customer is None:
            raise Invalid(
                "a masked contact_phone needs the customer_id it belongs to",
                code="orders.masked_phone_without_customer",
                field="contact_phone",
            )
        contact_phone = unmask(customer_numbers(session, customer.id), contact_phone, field="contact_phone")
    area_id = data.get("area_id") or (customer.area_id if customer else None)
    area = check_area(session, area_id) if area_id else None
    close_on_spot = bool(data.get("close_on_spot"))
    if close_on_spot and order_type not in ON_THE_SPOT_TYPES:
        allowed = sorted(t.value for t in ON_THE_SPOT_TYPES)
        raise Invalid(f"only these types can be closed on the spot: {allowed}", code="orders.not_on_the_spot_type")
    if close_on_spot and not data.get("result"):
        raise Invalid("closing on the spot needs the answer given, in 'result'", code="orders.on_the_spot_answer")
    return RegisterPlan(
        type=order_type,
        category=category,
        grade=data.get("grade") or category.default_grade,
        channel=data["channel"],
        description=data["description"],
        contact_phone=contact_phone,
        contact_name=data.get("contact_name") or (customer.name if customer else ""),
        customer=customer,
        address=data.get("address") or (customer.address if customer else ""),
        area=area,
        close_on_spot=close_on_spot,
        result=data.get("result"),
    )


def find_dispatch_unit(session: Session, category: CategoryRef, area: AreaRef | None) -> RuleMatch | None:
    """The unit the most specific active rule names (a rule without unit means the area's owner)."""
    return catalog(session).dispatch_unit(category, area.id if area else None, area.unit_id if area else None)


def do_register(
    session: Session,
    actor: Actor,
    plan: RegisterPlan,
    *,
    number_prefix: str,
    tz: str,
) -> WorkOrder:
    """Creates the order, its first event, and dispatches it when a rule (or an emergency) says so.
    ``plan.extra`` reaches the ``registered`` listeners as the change's context (e.g. the call's id)."""
    number, order_id = next_number_and_id(session, number_prefix, tz)
    order = WorkOrder(
        id=order_id,
        number=number,
        type=plan.type.value,
        category_id=plan.category.id,
        grade=plan.grade,
        state=S.registered.value,
        channel=plan.channel,
        customer_id=plan.customer.id if plan.customer else None,
        contact_name=plan.contact_name,
        contact_phone=plan.contact_phone,
        address=plan.address,
        area_id=plan.area.id if plan.area else None,
        description=plan.description,
        owner_agent_id=actor.id,
        created_at=now(),
        # the columns' defaults, given here: the order may change many times before its first flush
        unreachable_count=0,
        reopen_count=0,
        closed_on_spot=False,
        escalation_level=0,
        urge_count=0,
    )
    session.add(order)  # written with the first flush, as it is then: once, in its final state
    tx_memo(session, "workorders.born")[order.id] = Born()
    event = _record(session, order, Action.register, None, actor, category=plan.category.code)
    hooks = hooks_of(session)
    change = OrderChange(session, Moment.registered, order, event, actor, plan.extra)
    hooks.publish(change)  # adds the event
    if plan.close_on_spot:
        do_close(session, order, actor, reason=plan.result or "", on_spot=True)
        return order
    route = hooks.route(change) if plan.type is not OrderType.emergency else None  # an emergency has its own
    if route is not None:
        do_merge(session, order, route.master_order_id, None, route.note, **route.data)
        return order
    _auto_dispatch(session, order, plan.category, plan.area)
    return order


def _auto_dispatch(session: Session, order: WorkOrder, category: CategoryRef, area: AreaRef | None) -> None:
    """Dispatches a new (or unmerged) order where a dispatch rule says, an emergency to its area's owner unit;
    leaves it in the dispatcher queue otherwise."""
    match = find_dispatch_unit(session, category, area)
    units = org(session).units
    if match is not None:
        unit = units[match.unit_id]
        by = {"system": "dispatch_rule", "rule_id": match.rule_id}
        do_dispatch(session, order, unit, None, note="自动派单", auto=True, **by)
    elif order.type == OrderType.emergency.value and area is not None:  # straight to the area's owner unit
        unit = units[area.unit_id]
        do_dispatch(session, order, unit, None, note="自动派单", auto=True, system="emergency_area_owner")


# ---------------------------------------------------------------- merging (并单)


def do_merge(
    session: Session, order: WorkOrder, master_order_id: int, actor: Actor | None, note: str, **data: Any
) -> WorkOrderEvent:
    """Into ``master_order_id`` (an outage's): out of any unit's hands, its own clock stopped (the listeners),
    resolved with the master's result (``do_system_resolve``). By the system (``actor`` None) the data names
    the router (``system``) and what it matched."""
    if order.id == master_order_id:
        raise Conflict("an order cannot be merged into itself", code="orders.merge_into_itself")
    order.merged_into = master_order_id
    order.unit_id = None
    order.handler_id = None
    event = _move(session, order, Action.merge, S.merged, actor, note, master_order_id=master_order_id, **data)
    return _change(session, order, Moment.merged, event, actor)


def do_unmerge(session: Session, order: WorkOrder, actor: Actor, note: str, **data: Any) -> WorkOrderEvent:
    """Out of its master order, back to the dispatcher queue, and dispatched as a new order would be."""
    master = order.merged_into
    order.merged_into = None
    event = _move(session, order, Action.unmerge, S.registered, actor, note, master_order_id=master, **data)
    _change(session, order, Moment.unmerged, event, actor)
    area = org(session).areas.get(order.area_id) if order.area_id else None
    _auto_dispatch(session, order, get_category(session, order.category_id), area)
    return event


def do_system_resolve(session: Session, order: WorkOrder, result: str, note: str, **system: Any) -> WorkOrderEvent:
    """Resolved by the system (``system`` names the job): a merged report with its master's result, an
    outage's master order at its restoration. It owes its callback like any resolved order."""
    order.result = result
    order.resolved_at = now()  # ``merged_into`` stays: the master it was resolved with
    event = _move(session, order, Action.resolve, S.resolved, None, note or result, **system)
    task = CallbackTask(order_id=order.id, agent_id=order.owner_agent_id, created_at=now())
    session.add(task)
    born = born_here(session, order.id)
    if born is not None:
        born.tasks.append(task)
    return _change(session, order, Moment.resolved, event, None)


# ---------------------------------------------------------------- unit side


def do_dispatch(
    session: Session,
    order: WorkOrder,
    unit: UnitRef,
    actor: Actor | None,
    note: str = "",
    auto: bool = False,
    **system: Any,
) -> WorkOrderEvent:
    """To ``unit``; by the system (``actor`` None) the event's data names what decided it (``system``:
    the job or rule, and the rule's id)."""
    order.unit_id = unit.id
    order.last_unit_id = unit.id
    order.handler_id = None
    event = _move(session, order, Action.dispatch, S.dispatched, actor, note, unit_code=unit.code, auto=auto, **system)
    return _change(session, order, Moment.dispatched, event, actor)


def do_reassign(session: Session, order: WorkOrder, unit: UnitRef, actor: Actor, note: str = "") -> WorkOrderEvent:
    """To another unit; a suspended order leaves suspension (its listeners resume a paused clock)."""
    if unit.id == order.unit_id:
        raise Invalid(f"the order is already with unit {unit.code}", code="orders.same_unit", unit=unit.name)
    previous = order.unit_id
    order.unit_id = unit.id
    order.last_unit_id = unit.id
    order.handler_id = None
    order.suspend_reason = None
    data = {"from_unit_id": previous, "unit_code": unit.code}
    event = _move(session, order, Action.reassign, S.dispatched, actor, note, **data)
    return _change(session, order, Moment.reassigned, event, actor)


def do_mark(session: Session, order: WorkOrder, actor: Actor, mark: str, note: str) -> WorkOrderEvent:
    """催办 (urge) or 督办 (supervise) by hand: an event, the order's mark (督办 is never lowered to 催办), and
    a notification the unit must acknowledge."""
    action = Action.urge if mark == "urge" else Action.supervise
    if mark == "supervise" or order.supervision_mark is None:
        order.supervision_mark = mark
    if mark == "urge":
        order.urge_count += 1
    event = _record(session, order, action, order.state, actor, note, mark=mark)
    return _change(session, order, Moment.marked, event, actor)


def do_accept(session: Session, order: WorkOrder, actor: Actor, note: str = "") -> WorkOrderEvent:
    order.handler_id = actor.id
    event = _move(session, order, Action.accept, S.accepted, actor, note)
    return _change(session, order, Moment.accepted, event, actor)


def do_start(session: Session, order: WorkOrder, actor: Actor, note: str = "") -> WorkOrderEvent:
    order.handler_id = order.handler_id or actor.id
    event = _move(session, order, Action.start, S.in_progress, actor, note)
    return _change(session, order, Moment.started, event, actor)


def do_suspend(session: Session, order: WorkOrder, actor: Actor, reason: str) -> WorkOrderEvent:
    order.suspend_reason = reason
    event = _move(session, order, Action.suspend, S.suspended, actor, reason)
    return _change(session, order, Moment.suspended, event, actor)


def do_resume(session: Session, order: WorkOrder, actor: Actor, note: str = "") -> WorkOrderEvent:
    order.suspend_reason = None
    event = _move(session, order, Action.resume, S.in_progress, actor, note)
    return _change(session, order, Moment.resumed, event, actor)


def do_return(session: Session, order: WorkOrder, actor: Actor, reason: str) -> WorkOrderEvent:
    """Back to the dispatcher queue: a wrong assignment, never a refusal."""
    previous = order.unit_id
    order.unit_id = None
    order.handler_id = None
    event = _move(session, order, Action.return_, S.registered, actor, reason, from_unit_id=previous)
    return _change(session, order, Moment.returned, event, actor)


@dataclass(frozen=True)
class LoopPolicy:
    """The center's settings that shape the loop (from ``Settings``)."""

    max_unreachable: int = 3
    callback_to_team: bool = False


def check_on_site_staff(session: Session, order: WorkOrder, ids: list[int]) -> list[int]:
    """The staff named as having gone on site: each once, active, of the unit that has the order (422)."""
    people = check_staff_refs(session, ids, field="on_site_staff_ids")
    foreign = [p.id for p in people if p.unit_id != order.unit_id or not p.is_active]
    if foreign:
        raise Invalid(
            f"staff {foreign} are not active staff of the unit that has the order",
            code="orders.on_site_staff",
            field="on_site_staff_ids",
        )
    return [p.id for p in people]


def do_resolve(
    session: Session,
    order: WorkOrder,
    actor: Actor,
    result: str,
    *,
    to_team: bool = False,
    on_site: list[int] | None = None,
) -> WorkOrderEvent:
    """Records the result (and, in the event, who went on site: ``on_site_staff_ids``) and owes the customer
    a callback: from the first-contact owner, or from the callback team's shared queue when the center
    works that way."""
    order.result = result
    order.resolved_at = now()
    order.handler_id = order.handler_id or actor.id
    extra = {"on_site_staff_ids": on_site} if on_site else {}
    event = _move(session, order, Action.resolve, S.resolved, actor, result, **extra)
    if order.type == OrderType.support.value:  # the expert's answer is the service: no callback owed
        _change(session, order, Moment.resolved, event, actor)
        return do_close(session, order, None, "专家已答复", system="support_answered")
    agent_id = None if to_team else order.owner_agent_id
    task = CallbackTask(order_id=order.id, agent_id=agent_id, created_at=now())
    session.add(task)
    born = born_here(session, order.id)
    if born is not None:
        born.tasks.append(task)
    return _change(session, order, Moment.resolved, event, actor)


# ---------------------------------------------------------------- center side


def _open_callback(session: Session, order: WorkOrder) -> CallbackTask | None:
    return session.scalar(select(CallbackTask).where(CallbackTask.order_id == order.id, CallbackTask.state == "open"))


def _finish_callback(session: Session, order: WorkOrder, result: str, note: str, state: str = "done") -> None:
    task = _open_callback(session, order)
    if task is not None:
        task.state = state
        task.result = result
        task.note = note
        task.done_at = now()


def do_close(
    session: Session, order: WorkOrder, actor: Actor | None, reason: str = "", on_spot: bool = False, **data: Any
) -> WorkOrderEvent:
    """Closes the order; a ``closing`` listener may refuse first (409), before anything is written. By the
    system (``actor`` None: a merged report closed with its outage), ``data`` names the job."""
    publish(session, Moment.closing, order, None, actor, data)
    order.closed_at = now()
    if on_spot:
        order.closed_on_spot = True
        order.result = reason
    _finish_callback(session, order, "waived", reason, state="cancelled")  # no-op once the callback is done
    event = _move(session, order, Action.close, S.closed, actor, reason, on_spot=on_spot, **data)
    return _change(session, order, Moment.closed, event, actor)


def do_reopen(session: Session, order: WorkOrder, actor: Actor, reason: str, **data: Any) -> WorkOrderEvent:
    """Back to the unit that last had it, one grade higher; to the queue if it never had a unit."""
    _finish_callback(session, order, "reopened", reason, state="cancelled")
    order.grade = raise_grade(order.grade).value
    order.reopen_count += 1
    order.unreachable_count = 0
    order.closed_at = None
    order.resolved_at = None
    order.handler_id = None
    order.unit_id = order.last_unit_id
    to = S.dispatched if order.unit_id is not None else S.registered
    event = _move(session, order, Action.reopen, to, actor, reason, grade=order.grade, **data)
    return _change(session, order, Moment.reopened, event, actor)


def do_callback(
    session: Session, order: WorkOrder, actor: Actor, result: CallbackResult, note: str, *, max_unreachable: int
) -> WorkOrderEvent:
    """Satisfied closes; unsatisfied reopens; unreachable counts, and the last allowed attempt closes."""
    order.callback_result = result.value
    if result in (CallbackResult.satisfied, CallbackResult.basically_satisfied):
        _finish_callback(session, order, result.value, note)
        return do_close(session, order, actor, note, callback=result.value)
    if result is CallbackResult.unsatisfied:
        _finish_callback(session, order, result.value, note)
        return do_reopen(session, order, actor, note or "回访不满意", callback=result.value)
    order.unreachable_count += 1
    task = _open_callback(session, order)
    if task is not None:
        task.attempts += 1
    if order.unreachable_count >= max_unreachable:
        _finish_callback(session, order, result.value, note)
        reason = f"{max_unreachable}次回访未接通，按规定归档"
        return do_close(session, order, actor, reason, callback=result.value, attempts=order.unreachable_count)
    attempts = order.unreachable_count
    event = _record(session, order, Action.callback, order.state, actor, note, callback=result.value, attempts=attempts)
    return _change(session, order, Moment.called_back, event, actor)


# ---------------------------------------------------------------- one entry point per action


def check_reason(value: str | None, action: Action) -> str:
    if value and value.strip():
        return value.strip()
    detail = f"'{action.value}' needs a reason"
    if action is Action.suspend:
        raise Invalid(detail, code="orders.suspend_reason")
    if action is Action.return_:
        raise Invalid(detail, code="orders.return_reason")
    if action is Action.resolve:
        raise Invalid(detail, code="orders.resolve_result")
    raise Invalid(detail, code="orders.reason")


def apply_action(
    session: Session, actor: Actor, order_id: int, action: Action, body: dict[str, Any], *, policy: LoopPolicy
) -> WorkOrder:
    """Locks the order, checks, and runs the action's ``do_*``."""
    order = get_visible_order(session, actor, order_id, lock=True)
    check_transition(actor, order, action)
    note = (body.get("note") or "").strip()
    if action is Action.dispatch:
        do_dispatch(session, order, check_unit(session, body["unit_id"]), actor, note)
    elif action is Action.reassign:
        unit = check_unit(session, body["unit_id"])
        do_reassign(session, order, unit, actor, body.get("reason") or note)
    elif action in (Action.urge, Action.supervise):
        do_mark(session, order, actor, action.value, note)
    elif action is Action.accept:
        do_accept(session, order, actor, note)
    elif action is Action.start:
        do_start(session, order, actor, note)
    elif action is Action.suspend:
        do_suspend(session, order, actor, check_reason(body.get("reason"), action))
    elif action is Action.resume:
        do_resume(session, order, actor, note)
    elif action is Action.return_:
        do_return(session, order, actor, check_reason(body.get("reason"), action))
    elif action is Action.resolve:
        result = check_reason(body.get("result"), action)
        on_site = check_on_site_staff(session, order, body.get("on_site_staff_ids") or [])
        do_resolve(session, order, actor, result, to_team=policy.callback_to_team, on_site=on_site)
    elif action is Action.callback:
        do_callback(session, order, actor, CallbackResult(body["result"]), note, max_unreachable=policy.max_unreachable)
    elif action is Action.close:
        _apply_close(session, order, actor, (body.get("reason") or "").strip(), body.get("result"))
    elif action is Action.reopen:
        do_reopen(session, order, actor, (body.get("reason") or "").strip() or "客户再次来电")
    session.flush()
    return order


def _apply_close(session: Session, order: WorkOrder, actor: Actor, reason: str, result: str | None) -> None:
    if order.state == S.registered:
        if order.type not in ON_THE_SPOT_TYPES:
            allowed = sorted(t.value for t in ON_THE_SPOT_TYPES)
            raise Conflict(
                f"only {allowed} orders can be closed at registration; dispatch this one",
                code="orders.close_needs_dispatch",
            )
        answer = (result or reason).strip()
        if not answer:
            raise Invalid(
                "closing on the spot needs the answer given, in 'result' or 'reason'", code="orders.on_the_spot_answer"
            )
        do_close(session, order, actor, answer, on_spot=True)
        return
    if not actor.has(*MANAGERS):
        raise Forbidden(
            "closing a resolved order without its callback needs a manager role", code="orders.waive_callback_role"
        )
    do_close(session, order, actor, reason or "免回访归档", waived=True)
