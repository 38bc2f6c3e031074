"""Reading orders: the filtered list, one page and its total, state counts, the timeline, the callback
queue; and what other domains may read of orders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import BindParameter, ColumnElement, Select, and_, bindparam, exists, func, literal, not_, or_, select
from sqlalchemy.orm import Session, aliased

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.errors import Invalid
from huiyin.org.service import subtree_ids
from huiyin.workorders.catalog import OrderType
from huiyin.workorders.models import (
    CallbackTask,
    Category,
    WorkOrder,
    WorkOrderEvent,
)
from huiyin.workorders.service.access import visible_unit_ids
from huiyin.workorders.service.loop import born_here, get_category_by_code
from huiyin.workorders.states import (
    OPEN_STATES,
    OrderState,
)

S = OrderState


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
        stmt = stmt.where(or_(WorkOrder.unit_id.in_(units), WorkOrder.owner_agent_id == user.id))
    if f.state == ["open"]:  # the predicate of the partial index ix_work_orders_open_unit_created
        stmt = stmt.where(WorkOrder.state != OrderState.closed.value)
    elif f.state:
        stmt = stmt.where(WorkOrder.state.in_(_state_values(f.state)))
    if f.type:
        stmt = stmt.where(WorkOrder.type == f.type)
    if f.category:
        cat = get_category_by_code(session, f.category)
        if cat is None:
            raise Invalid(
                f"category {f.category!r} does not exist", code="orders.unknown_category", category=f.category
            )
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
) -> tuple[list[Any], int]:
    """One page and the total.

    The page is found as ids first and loaded second (a deferred join): the sort then runs on index
    entries alone instead of on whole rows, which at millions of orders is the difference between
    reading 50 rows and reading every matching one. The page's orders are records of columns (a prebuilt
    statement), not ORM objects (``views.order_items`` takes either): a list is read, never changed.
    """
    stmt = filtered_orders(session, user, f)
    session.flush()  # the statements below run on the connection (Core), without the ORM's autoflush
    conn = session.connection()
    total = conn.scalar(select(func.count()).select_from(stmt.with_only_columns(WorkOrder.id).subquery())) or 0
    column = SORTS[sort.lstrip("-")]
    order = (column.desc() if sort.startswith("-") else column.asc(), WorkOrder.id.desc())
    page_ids = stmt.with_only_columns(WorkOrder.id).order_by(*order).offset((page - 1) * page_size).limit(page_size)
    ids = list(conn.scalars(page_ids))
    if not ids:
        return [], total
    rows = {o.id: o for o in _ORDERS_OF.named(session, {"ids": ids})}
    return [rows[i] for i in ids], total


_ORDERS_OF = Prebuilt(select(WorkOrder.__table__).where(ids_in(WorkOrder.id, "ids")))


def state_counts(session: Session, user: Actor, f: OrderFilter) -> dict[str, int]:
    f2 = OrderFilter(**{**f.__dict__, "state": []})
    sub = filtered_orders(session, user, f2).subquery()
    rows = session.execute(select(sub.c.state, func.count()).group_by(sub.c.state)).all()
    return {state: n for state, n in rows}


_EVENTS_OF = Prebuilt(
    select(WorkOrderEvent.__table__).where(WorkOrderEvent.order_id == bindparam("order_id")).order_by(WorkOrderEvent.id)
)


def timeline(session: Session, order: Any) -> list[Any]:
    """The order's events, oldest first, as records (attribute access; a prebuilt statement, after a
    flush, so that this transaction's own events are in it); an order this transaction created is
    answered from what it wrote."""
    born = born_here(session, order.id)
    session.flush()
    if born is not None:
        return sorted(born.events, key=lambda e: e.id)
    return _EVENTS_OF.named(session, {"order_id": order.id})


def callback_queue(session: Session, user: Actor, *, mine_only: bool) -> list[CallbackTask]:
    stmt = select(CallbackTask).where(CallbackTask.state == "open")
    if mine_only:  # mine, and the team's shared ones
        stmt = stmt.where(or_(CallbackTask.agent_id == user.id, CallbackTask.agent_id.is_(None)))
    return list(session.scalars(stmt.order_by(CallbackTask.created_at).limit(500)))


# ---------------------------------------------------------------- what other domains read of orders


def open_orders_of(
    session: Session, *, customer_id: int | None, contact_phone: str | None, limit: int = 20
) -> list[WorkOrder]:
    """The customer's open orders (or, with no customer known, those registered for this number), newest
    first: the screen pop's list."""
    if customer_id is not None:
        who: ColumnElement[bool] = WorkOrder.customer_id == customer_id
    elif contact_phone:
        who = WorkOrder.contact_phone == contact_phone
    else:
        return []
    stmt = select(WorkOrder).where(who, WorkOrder.state.in_([s.value for s in OPEN_STATES]))
    return list(session.scalars(stmt.order_by(WorkOrder.created_at.desc()).limit(limit)))


def ids_past_dispatch(session: Session, order_ids: Sequence[int]) -> set[int]:
    """Those of ``order_ids`` that no longer wait for a unit to accept them (accepted, returned, closed …):
    a dispatch reminder for them is no longer due."""
    if not order_ids:
        return set()
    stmt = select(WorkOrder.id).where(WorkOrder.id.in_(list(order_ids)), WorkOrder.state != S.dispatched.value)
    return set(session.scalars(stmt))


def dispatches_superseded(session: Session, event_ids: Sequence[int]) -> set[int]:
    """Those of these dispatch (or reassign) events after which the order was dispatched again: whatever
    waited on them (a reminder to the unit they named) is moot, the order waits on the later one."""
    if not event_ids:
        return set()
    later = aliased(WorkOrderEvent)
    stmt = select(WorkOrderEvent.id).where(
        WorkOrderEvent.id.in_(list(event_ids)),
        exists().where(
            later.order_id == WorkOrderEvent.order_id,
            later.action.in_(["dispatch", "reassign"]),
            later.id > WorkOrderEvent.id,
        ),
    )
    return set(session.scalars(stmt))


def latest_open_emergency(
    *, customer_ids: Select[Any] | None = None, contact_phone: BindParameter[Any] | None = None
) -> Select[int, str, datetime]:
    """The statement (id, number, created_at) of the newest open emergency order of the customers
    ``customer_ids`` selects, or registered from the number ``contact_phone`` binds: for a caller that
    prebuilds it (the IVR). The state conditions are literals, so that the statement has no expanding
    parameter; the number's form uses the partial index of open orders (its own condition)."""
    cols = (WorkOrder.id, WorkOrder.number, WorkOrder.created_at)
    conds: list[ColumnElement[bool]] = [WorkOrder.type == OrderType.emergency.value]
    if customer_ids is not None:
        conds += [WorkOrder.customer_id.in_(customer_ids), WorkOrder.state.in_([literal(s.value) for s in OPEN_STATES])]
    if contact_phone is not None:
        conds += [WorkOrder.contact_phone == contact_phone, WorkOrder.state != S.closed.value]
    return select(*cols).where(*conds).order_by(WorkOrder.created_at.desc()).limit(1)


def category_codes(session: Session, category_ids: Sequence[int]) -> dict[int, str]:
    """The codes of these categories, by id (one query)."""
    if not category_ids:
        return {}
    stmt = select(Category.id, Category.code).where(Category.id.in_(list(category_ids)))
    return {i: code for i, code in session.execute(stmt)}


def on_site_staff(session: Session, order_id: int) -> list[int]:
    """Who went on site for the order, as its last resolve named them (staff ids; none named: [])."""
    born = born_here(session, order_id)
    if born is not None:  # created in this very transaction (the demo's city is built so): its events are known
        resolves = [e for e in born.events if e.action == "resolve"]
        data = resolves[-1].data if resolves else None
        return [int(i) for i in (data or {}).get("on_site_staff_ids") or []]
    with session.no_autoflush:  # other domains ask this from inside a change (the close)
        data = session.scalar(
            select(WorkOrderEvent.data)
            .where(WorkOrderEvent.order_id == order_id, WorkOrderEvent.action == "resolve")
            .order_by(WorkOrderEvent.id.desc())
            .limit(1)
        )
    ids = (data or {}).get("on_site_staff_ids") or []
    return [int(i) for i in ids]


def order_numbers(session: Session, order_ids: Sequence[int]) -> dict[int, str]:
    """The numbers of these orders, by id (one query)."""
    if not order_ids:
        return {}
    stmt = select(WorkOrder.id, WorkOrder.number).where(WorkOrder.id.in_(list(order_ids)))
    return {i: n for i, n in session.execute(stmt)}


def lock_orders(session: Session, order_ids: Sequence[int]) -> list[WorkOrder]:
    """These orders, locked for update, by id (for a domain that changes many through ``do_*``: an outage's
    restoration resolves its merged reports)."""
    if not order_ids:
        return []
    stmt = select(WorkOrder).where(WorkOrder.id.in_(list(order_ids))).order_by(WorkOrder.id).with_for_update()
    return list(session.scalars(stmt))


def order_states(session: Session, order_ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """(state, type, number) of these orders, by id (one query)."""
    if not order_ids:
        return {}
    stmt = select(WorkOrder.id, WorkOrder.state, WorkOrder.type, WorkOrder.number).where(
        WorkOrder.id.in_(list(order_ids))
    )
    return {i: (st, t, n) for i, st, t, n in session.execute(stmt)}


def orders_of_customer(
    session: Session, *, customer_id: int | None, phone: str | None, limit: int = 50
) -> list[WorkOrder]:
    """A customer's own orders, newest first (the self-service site): theirs by account, or registered for
    their number."""
    conds = []
    if customer_id is not None:
        conds.append(WorkOrder.customer_id == customer_id)
    if phone:
        conds.append(WorkOrder.contact_phone == phone)
    if not conds:
        return []
    stmt = select(WorkOrder).where(or_(*conds)).order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc())
    return list(session.scalars(stmt.limit(limit)))


def order_of_customer(
    session: Session, order_id: int, *, customer_id: int | None, phone: str | None
) -> WorkOrder | None:
    """The order, when it is this customer's (by account or number); None otherwise (no leak of existence)."""
    order = session.get(WorkOrder, order_id)
    if order is None:
        return None
    if (customer_id is not None and order.customer_id == customer_id) or (phone and order.contact_phone == phone):
        return order
    return None
