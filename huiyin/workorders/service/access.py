"""Who sees which order, and which actions a user may take on it now (the checks' fixed order:
visibility 404, role 403, state 409)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, bindparam, exists, select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.errors import Conflict, Forbidden, NotFound
from huiyin.org.service import subtree_ids
from huiyin.workorders.catalog import ON_THE_SPOT_TYPES
from huiyin.workorders.models import (
    WorkOrder,
)
from huiyin.workorders.states import (
    TRANSITIONS,
    Action,
    OrderState,
    Transition,
    allowed_actions,
)

S = OrderState


def sees_all_orders(user: Actor) -> bool:
    return user.has(*CENTER, Role.admin)


def visible_unit_ids(session: Session, user: Actor) -> list[int] | None:
    """None when the user sees every order; else the units whose orders the user may see (and everyone sees the
    orders they registered themselves: a unit handler's requests to the expert seats)."""
    if sees_all_orders(user):
        return None
    if user.has(Role.unit_handler) and user.unit_id is not None:
        covered = directory(session).covered_units(user.id)  # AB角: the units of absent handlers they back up
        if not covered:
            return subtree_ids(session, user.unit_id)
        return sorted({u for unit in (user.unit_id, *covered) for u in subtree_ids(session, unit)})
    return []


def visible_order_condition(session: Session, user: Actor, order_id: Any) -> ColumnElement[bool] | None:
    """A condition on another table's order id (``order_id``): the order is one the user may see now. None
    when the user sees every order. For other domains' rows about orders (a unit handler's notifications
    follow the order's visibility when it moves to another unit)."""
    units = visible_unit_ids(session, user)
    if units is None:
        return None
    return exists().where(WorkOrder.id == order_id, WorkOrder.unit_id.in_(units))


def get_visible_order(session: Session, user: Actor, order_id: int, *, lock: bool = False) -> WorkOrder:
    """The order, or 404 when it does not exist *or* the user may not see it (no leak of existence)."""
    stmt = select(WorkOrder).where(WorkOrder.id == order_id)
    if lock:
        stmt = stmt.with_for_update()
    order = session.scalar(stmt)
    if order is not None:
        units = visible_unit_ids(session, user)
        if units is None or order.unit_id in units or order.owner_agent_id == user.id:
            return order
    raise NotFound(f"work order {order_id} does not exist", code="orders.no_order")


_ORDER_BY_ID = Prebuilt(select(WorkOrder.__table__).where(WorkOrder.id == bindparam("order_id")))


def read_visible_order(session: Session, user: Actor, order_id: int) -> Any:
    """``get_visible_order`` for a request that only reads: the order's columns as a record (attribute
    access, as the ORM object has), from a prebuilt statement, no ORM object. Not for an order this
    transaction changes: it reads the database, not the session."""
    found = _ORDER_BY_ID.named(session, {"order_id": order_id})
    if found:
        units = visible_unit_ids(session, user)
        if units is None or found[0].unit_id in units or found[0].owner_agent_id == user.id:
            return found[0]
    raise NotFound(f"work order {order_id} does not exist", code="orders.no_order")


_FACTS = Prebuilt(
    select(
        WorkOrder.id,
        WorkOrder.type,
        WorkOrder.category_id,
        WorkOrder.unit_id,
        WorkOrder.owner_agent_id,
        WorkOrder.customer_id,
        WorkOrder.state,
        WorkOrder.number,
        WorkOrder.closed_at,
    ).where(WorkOrder.id == bindparam("order_id"))
)


def order_facts(session: Session, order_id: int) -> Any:
    """What other domains attribute to an order (a rating, a survey): ``id``, ``type``, ``category_id``,
    ``unit_id``, ``owner_agent_id``, ``customer_id``, ``state``, ``number``, ``closed_at``; None when there
    is no such order. No visibility check: the caller has made its own (``get_visible_order`` for a person)."""
    found = _FACTS.named(session, {"order_id": order_id})
    return found[0] if found else None


def check_transition(user: Actor, order: WorkOrder, action: Action) -> Transition:
    rule = TRANSITIONS[action]
    if not user.has(*rule.roles):
        names = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"'{action.value}' needs one of the roles: {names}", code="orders.role")
    state = OrderState(order.state)
    if state not in rule.sources:
        allowed = [a.value for a in allowed_actions(state)]
        detail = f"cannot {action.value} an order that is {state.value}; allowed now: {allowed or 'none'}"
        raise _refused_in(state, detail, allowed)
    return rule


def _refused_in(state: OrderState, detail: str, allowed: list[str]) -> Conflict:
    """The refusal of an action the order's state does not allow: one code per state (the people reading it
    know what they asked for; what they need is where the order stands now)."""
    if state is OrderState.registered:
        return Conflict(detail, code="orders.not_dispatched", state=state.value, allowed_actions=allowed)
    if state is OrderState.dispatched:
        return Conflict(detail, code="orders.not_accepted", state=state.value, allowed_actions=allowed)
    if state is OrderState.accepted:
        return Conflict(detail, code="orders.accepted", state=state.value, allowed_actions=allowed)
    if state is OrderState.in_progress:
        return Conflict(detail, code="orders.in_progress", state=state.value, allowed_actions=allowed)
    if state is OrderState.suspended:
        return Conflict(detail, code="orders.suspended", state=state.value, allowed_actions=allowed)
    if state is OrderState.merged:
        return Conflict(detail, code="orders.merged", state=state.value, allowed_actions=allowed)
    if state is OrderState.resolved:
        return Conflict(detail, code="orders.resolved", state=state.value, allowed_actions=allowed)
    return Conflict(detail, code="orders.closed", state=state.value, allowed_actions=allowed)


def actions_for(user: Actor, order: Any) -> list[str]:
    """The actions this user may take on this order now (the UI shows exactly these buttons)."""
    out = []
    for action in allowed_actions(OrderState(order.state)):
        if not user.has(*TRANSITIONS[action].roles):
            continue
        if action is Action.close and order.state == S.registered and order.type not in ON_THE_SPOT_TYPES:
            continue
        if action is Action.close and order.state == S.resolved and not user.has(*MANAGERS):
            continue
        if action is Action.merge:  # into an outage: offered by the outage's suggestions, which name it
            continue
        out.append(action.value)
    return out
