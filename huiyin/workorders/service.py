"""The closed loop: registration, dispatch, handling, callback, closure and reopening.

Checks come in a fixed order so every refusal is the right one: visibility (404), role (403),
state (409, naming what is allowed), then the request's content (422). ``do_*`` functions write;
they run inside the caller's transaction and add exactly one event per state change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Engine, Select, and_, case, func, literal, not_, or_, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huiyin.clock import clock, now
from huiyin.core.actor import Actor
from huiyin.core.fastsql import bulk_insert, bulk_update
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.customers.models import Customer
from huiyin.customers.service import check_customer_ref
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.org.models import Area, Unit
from huiyin.org.service import check_area_ref, check_unit_ref, subtree_ids
from huiyin.workorders.catalog import ON_THE_SPOT_TYPES, CallbackResult, Grade, OrderType, raise_grade
from huiyin.workorders.hooks import Moment, publish
from huiyin.workorders.models import (
    CallbackTask,
    Category,
    DispatchRule,
    OrderNumberSeq,
    WorkOrder,
    WorkOrderEvent,
)
from huiyin.workorders.states import (
    OPEN_STATES,
    TRANSITIONS,
    Action,
    OrderState,
    Transition,
    allowed_actions,
)

S = OrderState


# ---------------------------------------------------------------- visibility and checks


def sees_all_orders(user: Actor) -> bool:
    return user.has(*CENTER, Role.admin)


def visible_unit_ids(session: Session, user: Actor) -> list[int] | None:
    """None when the user sees every order; else the units whose orders the user may see."""
    if sees_all_orders(user):
        return None
    if user.has(Role.unit_handler) and user.unit_id is not None:
        return subtree_ids(session, user.unit_id)
    return []


def get_visible_order(session: Session, user: Actor, order_id: int, *, lock: bool = False) -> WorkOrder:
    """The order, or 404 when it does not exist *or* the user may not see it (no leak of existence)."""
    stmt = select(WorkOrder).where(WorkOrder.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    order = session.scalar(stmt)
    if order is not None:
        units = visible_unit_ids(session, user)
        if units is None or order.unit_id in units:
            return order
    raise NotFound(f"work order {order_id} does not exist")


def check_transition(user: Actor, order: WorkOrder, action: Action) -> Transition:
    rule = TRANSITIONS[action]
    if not user.has(*rule.roles):
        names = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"'{action.value}' needs one of the roles: {names}")
    state = OrderState(order.state)
    if state not in rule.sources:
        allowed = [a.value for a in allowed_actions(state)]
        raise Conflict(
            f"cannot {action.value} an order that is {state.value}; allowed now: {allowed or 'none'}",
            state=state.value,
            allowed_actions=allowed,
        )
    return rule


def actions_for(user: Actor, order: WorkOrder) -> list[str]:
    """The actions this user may take on this order now (the UI shows exactly these buttons)."""
    out = []
    for action in allowed_actions(OrderState(order.state)):
        if not user.has(*TRANSITIONS[action].roles):
            continue
        if action is Action.close and order.state == S.registered and order.type not in ON_THE_SPOT_TYPES:
            continue
        if action is Action.close and order.state == S.resolved and not user.has(*MANAGERS):
            continue
        out.append(action.value)
    return out


# ---------------------------------------------------------------- events


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
    order.updated_at = event.at
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
    """Atomic per-day counter: one upsert, safe under concurrent registrations on both databases.

    On PostgreSQL the upsert commits at once on its own connection, so the counter row is locked for
    microseconds rather than for the whole registration; a registration that fails afterwards leaves a
    gap in the day's numbers, which is harmless. (SQLite serialises writers anyway.)
    """
    day = clock.local_today(tz)
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert(OrderNumberSeq) if dialect == "postgresql" else sqlite.insert(OrderNumberSeq)
    stmt = (
        ins.values(day=day, last=1)
        .on_conflict_do_update(index_elements=["day"], set_={"last": OrderNumberSeq.last + 1})
        .returning(OrderNumberSeq.last)
    )
    bind = session.get_bind()
    if dialect == "postgresql" and isinstance(bind, Engine):
        with bind.begin() as conn:
            seq = conn.execute(stmt).scalar_one()
    else:
        seq = session.execute(stmt).scalar_one()
    return f"{prefix}{day}{seq:06d}"


def get_category(session: Session, category_id: int) -> Category:
    return session.get_one(Category, category_id)


def get_category_by_code(session: Session, code: str) -> Category | None:
    return session.scalar(select(Category).where(Category.code == code))


def safety_script(session: Session, category: Category) -> str | None:
    node: Category | None = category
    while node is not None:
        if node.safety_script:
            return node.safety_script
        node = session.get(Category, node.parent_id) if node.parent_id else None
    return None


@dataclass
class RegisterPlan:
    """What ``check_register`` found valid, ready for ``do_register``."""

    type: OrderType
    category: Category
    grade: str
    channel: str
    description: str
    contact_phone: str
    contact_name: str = ""
    customer: Customer | None = None
    address: str = ""
    area: Area | None = None
    close_on_spot: bool = False
    result: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def check_register(session: Session, actor: Actor, data: dict[str, Any]) -> RegisterPlan:
    if not actor.has(Role.agent, *MANAGERS):
        raise Forbidden(
            "registering an order needs one of the roles: agent, duty_manager, floor_manager, supervisor, director"
        )
    order_type = OrderType(data["type"])
    category = get_category_by_code(session, data["category"])
    if category is None or not category.is_active:
        raise Invalid(f"category {data['category']!r} does not exist")
    if category.type != order_type:
        raise Invalid(f"category {category.code} belongs to type {category.type}, not {order_type.value}")
    customer = check_customer_ref(session, data["customer_id"]) if data.get("customer_id") else None
    area_id = data.get("area_id") or (customer.area_id if customer else None)
    area = check_area_ref(session, area_id) if area_id else None
    close_on_spot = bool(data.get("close_on_spot"))
    if close_on_spot and order_type not in ON_THE_SPOT_TYPES:
        allowed = sorted(t.value for t in ON_THE_SPOT_TYPES)
        raise Invalid(f"only these types can be closed on the spot: {allowed}")
    if close_on_spot and not data.get("result"):
        raise Invalid("closing on the spot needs the answer given, in 'result'")
    return RegisterPlan(
        type=order_type,
        category=category,
        grade=data.get("grade") or category.default_grade,
        channel=data["channel"],
        description=data["description"],
        contact_phone=data["contact_phone"],
        contact_name=data.get("contact_name") or (customer.name if customer else ""),
        customer=customer,
        address=data.get("address") or (customer.address if customer else ""),
        area=area,
        close_on_spot=close_on_spot,
        result=data.get("result"),
    )


@dataclass(frozen=True)
class RuleMatch:
    """Where a dispatch rule sends an order: the unit, and the rule that said so."""

    unit_id: int
    rule_id: int


def find_dispatch_unit(session: Session, category: Category, area: Area | None) -> RuleMatch | None:
    """The unit the most specific active rule names (a rule without unit means the area's owner)."""
    conds: list[ColumnElement[bool]] = [DispatchRule.is_active.is_(True)]
    cat_ids = [category.id] + ([category.parent_id] if category.parent_id else [])
    conds.append(or_(DispatchRule.category_id.in_(cat_ids), DispatchRule.category_id.is_(None)))
    area_cond: ColumnElement[bool] = DispatchRule.area_id.is_(None)
    if area is not None:
        area_cond = or_(area_cond, DispatchRule.area_id == area.id)
    rules = session.scalars(select(DispatchRule).where(and_(*conds, area_cond))).all()

    def specificity(r: DispatchRule) -> tuple[int, int, int]:
        cat_score = 2 if r.category_id == category.id else (1 if r.category_id is not None else 0)
        return (int(r.area_id is not None) + cat_score, cat_score, -r.priority)

    for rule in sorted(rules, key=specificity, reverse=True):
        if rule.unit_id is not None:
            return RuleMatch(rule.unit_id, rule.id)
        if area is not None:
            return RuleMatch(area.unit_id, rule.id)
    return None


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
    order = WorkOrder(
        number=next_number(session, number_prefix, tz),
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
    )
    session.add(order)
    session.flush()
    event = _record(session, order, Action.register, None, actor, category=plan.category.code)
    publish(session, Moment.registered, order, event, actor, plan.extra)  # adds the event
    if plan.close_on_spot:
        do_close(session, order, actor, reason=plan.result or "", on_spot=True)
        return order
    match = find_dispatch_unit(session, plan.category, plan.area)
    if match is not None:
        unit = session.get_one(Unit, match.unit_id)
        by = {"system": "dispatch_rule", "rule_id": match.rule_id}
        do_dispatch(session, order, unit, None, note="自动派单", auto=True, **by)
    elif plan.type is OrderType.emergency and plan.area is not None:  # straight to the area's owner unit
        unit = session.get_one(Unit, plan.area.unit_id)
        do_dispatch(session, order, unit, None, note="自动派单", auto=True, system="emergency_area_owner")
    return order


# ---------------------------------------------------------------- unit side


def do_dispatch(
    session: Session,
    order: WorkOrder,
    unit: Unit,
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


def do_reassign(session: Session, order: WorkOrder, unit: Unit, actor: Actor, note: str = "") -> WorkOrderEvent:
    """To another unit; a suspended order leaves suspension (its listeners resume a paused clock)."""
    if unit.id == order.unit_id:
        raise Invalid(f"the order is already with unit {unit.code}")
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


def do_resolve(
    session: Session, order: WorkOrder, actor: Actor, result: str, *, to_team: bool = False
) -> WorkOrderEvent:
    """Records the result and owes the customer a callback: from the first-contact owner, or from the
    callback team's shared queue when the center works that way."""
    order.result = result
    order.resolved_at = now()
    order.handler_id = order.handler_id or actor.id
    event = _move(session, order, Action.resolve, S.resolved, actor, result)
    agent_id = None if to_team else order.owner_agent_id
    session.add(CallbackTask(order_id=order.id, agent_id=agent_id, created_at=now()))
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
    session: Session, order: WorkOrder, actor: Actor, reason: str = "", on_spot: bool = False, **data: Any
) -> WorkOrderEvent:
    """Closes the order; a ``closing`` listener may refuse first (409), before anything is written."""
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
    if not value or not value.strip():
        raise Invalid(f"'{action.value}' needs a reason")
    return value.strip()


def apply_action(
    session: Session, actor: Actor, order_id: int, action: Action, body: dict[str, Any], *, policy: LoopPolicy
) -> WorkOrder:
    """Locks the order, checks, and runs the action's ``do_*``."""
    order = get_visible_order(session, actor, order_id, lock=True)
    check_transition(actor, order, action)
    note = (body.get("note") or "").strip()
    if action is Action.dispatch:
        do_dispatch(session, order, check_unit_ref(session, body["unit_id"]), actor, note)
    elif action is Action.reassign:
        unit = check_unit_ref(session, body["unit_id"])
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
        do_resolve(session, order, actor, check_reason(body.get("result"), action), to_team=policy.callback_to_team)
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
            raise Conflict(f"only {allowed} orders can be closed at registration; dispatch this one")
        answer = (result or reason).strip()
        if not answer:
            raise Invalid("closing on the spot needs the answer given, in 'result' or 'reason'")
        do_close(session, order, actor, answer, on_spot=True)
        return
    if not actor.has(*MANAGERS):
        raise Forbidden("closing a resolved order without its callback needs a manager role")
    do_close(session, order, actor, reason or "免回访归档", waived=True)


# ---------------------------------------------------------------- queries


@dataclass
class OrderFilter:
    state: list[str] = field(default_factory=list)
    type: str | None = None
    category: str | None = None
    unit_id: int | None = None
    area_id: int | None = None
    owner_agent_id: int | None = None
    customer_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    q: str | None = None
    returned: bool | None = None  # True: sent back by a unit and waiting for a dispatcher again
    overdue: bool | None = None  # an unmet, unpaused deadline is past due (next_deadline_at < now)
    due_within: int | None = None  # minutes: the next deadline falls between now and now + this
    escalated: bool | None = None  # escalation_level ≥ 1
    supervision: str | None = None  # urge | supervise | any


SORTS = {
    "created_at": WorkOrder.created_at,
    "updated_at": WorkOrder.updated_at,
    "number": WorkOrder.number,
    "grade": WorkOrder.grade,
    "state": WorkOrder.state,
}


def _state_values(states: list[str]) -> list[str]:
    out: list[str] = []
    for s in states:
        out.extend(sorted(OPEN_STATES) if s == "open" else [s])
    return out


def filtered_orders(session: Session, user: Actor, f: OrderFilter) -> Select[WorkOrder]:
    stmt = select(WorkOrder)
    units = visible_unit_ids(session, user)
    if units is not None:
        stmt = stmt.where(WorkOrder.unit_id.in_(units))
    if f.state == ["open"]:  # the predicate of the partial index ix_work_orders_open_unit_created
        stmt = stmt.where(WorkOrder.state != OrderState.closed.value)
    elif f.state:
        stmt = stmt.where(WorkOrder.state.in_(_state_values(f.state)))
    if f.type:
        stmt = stmt.where(WorkOrder.type == f.type)
    if f.category:
        cat = get_category_by_code(session, f.category)
        if cat is None:
            raise Invalid(f"category {f.category!r} does not exist")
        children = select(Category.id).where(Category.parent_id == cat.id)
        stmt = stmt.where(or_(WorkOrder.category_id == cat.id, WorkOrder.category_id.in_(children)))
    if f.unit_id is not None:
        stmt = stmt.where(WorkOrder.unit_id.in_(subtree_ids(session, f.unit_id)))
    for column, value in (
        (WorkOrder.area_id, f.area_id),
        (WorkOrder.owner_agent_id, f.owner_agent_id),
        (WorkOrder.customer_id, f.customer_id),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if f.created_from:
        stmt = stmt.where(WorkOrder.created_at >= f.created_from)
    if f.created_to:
        stmt = stmt.where(WorkOrder.created_at < f.created_to)
    if f.q:
        stmt = stmt.where(_text_match(f.q.strip()))
    if f.returned is not None:
        # A returned order is back in the queue with no unit, but remembers the unit it was with.
        returned = and_(WorkOrder.state == S.registered.value, WorkOrder.last_unit_id.is_not(None))
        stmt = stmt.where(returned if f.returned else not_(returned))
    at = now()
    if f.overdue is not None:
        late = WorkOrder.next_deadline_at < at
        stmt = stmt.where(late if f.overdue else or_(WorkOrder.next_deadline_at.is_(None), not_(late)))
    if f.due_within is not None:
        stmt = stmt.where(
            WorkOrder.next_deadline_at >= at, WorkOrder.next_deadline_at < at + timedelta(minutes=f.due_within)
        )
    if f.escalated is not None:
        stmt = stmt.where(WorkOrder.escalation_level >= 1 if f.escalated else WorkOrder.escalation_level == 0)
    if f.supervision == "any":
        stmt = stmt.where(WorkOrder.supervision_mark.is_not(None))
    elif f.supervision:
        stmt = stmt.where(WorkOrder.supervision_mark == f.supervision)
    return stmt


def _text_match(q: str) -> Any:
    like = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    return or_(
        WorkOrder.number == q,
        WorkOrder.contact_phone == q,
        WorkOrder.description.like(like, escape="\\"),
        WorkOrder.address.like(like, escape="\\"),
    )


def list_orders(
    session: Session, user: Actor, f: OrderFilter, *, page: int, page_size: int, sort: str
) -> tuple[list[WorkOrder], int]:
    """One page and the total.

    The page is found as ids first and loaded second (a deferred join): the sort then runs on index
    entries alone instead of on whole rows, which at millions of orders is the difference between
    reading 50 rows and reading every matching one.
    """
    stmt = filtered_orders(session, user, f)
    total = session.scalar(select(func.count()).select_from(stmt.with_only_columns(WorkOrder.id).subquery())) or 0
    column = SORTS[sort.lstrip("-")]
    order = (column.desc() if sort.startswith("-") else column.asc(), WorkOrder.id.desc())
    page_ids = stmt.with_only_columns(WorkOrder.id).order_by(*order).offset((page - 1) * page_size).limit(page_size)
    ids = list(session.scalars(page_ids))
    if not ids:
        return [], total
    rows = {o.id: o for o in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(ids)))}
    return [rows[i] for i in ids], total


def state_counts(session: Session, user: Actor, f: OrderFilter) -> dict[str, int]:
    f2 = OrderFilter(**{**f.__dict__, "state": []})
    sub = filtered_orders(session, user, f2).subquery()
    rows = session.execute(select(sub.c.state, func.count()).group_by(sub.c.state)).all()
    return {state: n for state, n in rows}


def timeline(session: Session, order: WorkOrder) -> list[WorkOrderEvent]:
    return list(
        session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.order_id == order.id).order_by(WorkOrderEvent.id))
    )


def callback_queue(session: Session, user: Actor, *, mine_only: bool) -> list[CallbackTask]:
    stmt = select(CallbackTask).where(CallbackTask.state == "open")
    if mine_only:  # mine, and the team's shared ones
        stmt = stmt.where(or_(CallbackTask.agent_id == user.id, CallbackTask.agent_id.is_(None)))
    return list(session.scalars(stmt.order_by(CallbackTask.created_at).limit(500)))


# ---------------------------------------------------------------- the managers' overview


@dataclass
class DayStats:
    day: date
    registered: int = 0
    closed: int = 0
    by_type: dict[str, int] = field(default_factory=lambda: {t.value: 0 for t in OrderType})


@dataclass
class TodayStats:
    registered: int = 0
    closed_on_spot: int = 0
    callbacks_done: int = 0
    satisfied: int = 0
    unsatisfied: int = 0


@dataclass
class OrderStats:
    days: list[DayStats]
    state_counts: dict[str, int]
    open_total: int
    urgent_open: int
    today: TodayStats
    types_open: dict[str, int]


def local_day_bounds(first: date, days: int, tz: str) -> list[datetime]:
    """The UTC instants at which each local day from ``first`` begins, plus the end of the last one
    (``days + 1`` instants). Computed per day, so a zone with daylight saving still gets its real days."""
    zone = ZoneInfo(tz)
    return [datetime.combine(first + timedelta(days=i), time(), zone).astimezone(UTC) for i in range(days + 1)]


def _day_bucket(column: Any, bounds: list[datetime]) -> Any:
    """0 for the first local day … n-1 for the last; the caller keeps ``column`` inside the bounds."""
    whens = [(column < b, i) for i, b in enumerate(bounds[1:-1])]
    return case(*whens, else_=len(bounds) - 2) if whens else literal(0)


def _visible(units: list[int] | None) -> ColumnElement[bool]:
    """The list's visibility as a condition on ``WorkOrder``."""
    return true() if units is None else WorkOrder.unit_id.in_(units)


def order_stats(session: Session, user: Actor, *, days: int, tz: str) -> OrderStats:
    """Per-day registrations and closures for the last ``days`` local days (today included), today's
    figures and the open orders now, counted over the orders the user may see (as the list does).

    Three grouped queries, whatever the window: registrations by day, type and on-the-spot; closures and
    callbacks by day (from the events, whose ``at`` is indexed); open orders by state, type and grade.
    """
    units = visible_unit_ids(session, user)
    today = now().astimezone(ZoneInfo(tz)).date()
    first = today - timedelta(days=days - 1)
    bounds = local_day_bounds(first, days, tz)
    start, end = bounds[0], bounds[-1]
    out = [DayStats(first + timedelta(days=i)) for i in range(days)]
    last = days - 1
    today_stats = TodayStats()

    created = (
        select(
            _day_bucket(WorkOrder.created_at, bounds).label("bucket"),
            WorkOrder.type.label("type"),
            WorkOrder.closed_on_spot.label("on_spot"),
        )
        .where(WorkOrder.created_at >= start, WorkOrder.created_at < end, _visible(units))
        .subquery()
    )
    for bucket, type_, on_spot, n in session.execute(
        select(created.c.bucket, created.c.type, created.c.on_spot, func.count()).group_by(
            created.c.bucket, created.c.type, created.c.on_spot
        )
    ):
        d = out[int(bucket)]
        d.registered += n
        d.by_type[type_] = d.by_type.get(type_, 0) + n
        if int(bucket) == last:
            today_stats.registered += n
            if on_spot:
                today_stats.closed_on_spot += n

    callback = WorkOrderEvent.data["callback"].as_string()
    events = (
        select(
            _day_bucket(WorkOrderEvent.at, bounds).label("bucket"),
            (WorkOrderEvent.to_state == S.closed.value).label("closing"),
            callback.label("callback"),
        )
        .join(WorkOrder, WorkOrder.id == WorkOrderEvent.order_id)
        .where(
            WorkOrderEvent.at >= start,
            WorkOrderEvent.at < end,
            or_(WorkOrderEvent.to_state == S.closed.value, callback.is_not(None)),
            _visible(units),
        )
        .subquery()
    )
    for bucket, closing, result, n in session.execute(
        select(events.c.bucket, events.c.closing, events.c.callback, func.count()).group_by(
            events.c.bucket, events.c.closing, events.c.callback
        )
    ):
        if closing:
            out[int(bucket)].closed += n
        if result and int(bucket) == last:
            today_stats.callbacks_done += n
            if result in (CallbackResult.satisfied, CallbackResult.basically_satisfied):
                today_stats.satisfied += n
            elif result == CallbackResult.unsatisfied:
                today_stats.unsatisfied += n

    state_counts = {s.value: 0 for s in OrderState if s in OPEN_STATES}
    types_open = {t.value: 0 for t in OrderType}
    urgent = 0
    urgent_n = func.sum(case((WorkOrder.grade == Grade.urgent.value, 1), else_=0))
    open_rows = (
        select(WorkOrder.state, WorkOrder.type, func.count(), urgent_n)
        .where(WorkOrder.state != S.closed.value, _visible(units))
        .group_by(WorkOrder.state, WorkOrder.type)
    )
    for state, type_, n, n_urgent in session.execute(open_rows):
        state_counts[state] = state_counts.get(state, 0) + n
        types_open[type_] = types_open.get(type_, 0) + n
        urgent += int(n_urgent or 0)
    return OrderStats(
        days=out,
        state_counts=state_counts,
        open_total=sum(state_counts.values()),
        urgent_open=urgent,
        today=today_stats,
        types_open=types_open,
    )


# ---------------------------------------------------------------- what other domains may write on an order
# The SLA keeps a summary of its deadlines on the order (for the list's filters and indexes); it writes it
# through these functions, never by itself.


def do_set_sla_policy(order: WorkOrder, version_id: int | None) -> None:
    """The SLA policy version the order keeps for its whole life (chosen at registration)."""
    order.sla_policy_version_id = version_id


def do_set_next_deadline(order: WorkOrder, at: datetime | None) -> None:
    """The earliest unmet, unpaused deadline (``overdue`` is ``next_deadline_at < now``)."""
    order.next_deadline_at = at


def do_record_system_events(session: Session, rows: Sequence[dict[str, Any]]) -> list[int]:
    """Appends events made by the system (no user: the ``system`` key of each row's ``data`` names the job
    or rule) in one statement; returns their ids in the rows' order. Each row holds ``order_id``,
    ``action``, ``from_state``, ``to_state``, ``unit_id``, ``at``, ``note`` and ``data``."""
    return bulk_insert(session, WorkOrderEvent, [{**r, "actor_id": None} for r in rows], returning=True)


def do_set_escalations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """The escalation ladder's marks on orders, in one statement: each row holds the order's ``id``, its
    ``escalation_level``, ``supervision_mark`` and ``updated_at``."""
    bulk_update(session, WorkOrder, rows)
