"""Orders as the API shows them: the list's items and the detail, built for a batch of orders with one
query per kind of thing (categories, units, the other domains' view fields), never one per order. Other
domains' pages (the screen pop) use ``order_items`` too."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.clock import now
from huiyin.core.actor import SignedIn
from huiyin.core.fastsql import Prebuilt
from huiyin.core.phones import mask_phone
from huiyin.org.refs import UnitRef, org
from huiyin.workorders import service
from huiyin.workorders.hooks import hooks_of
from huiyin.workorders.models import Attachment, CallbackTask, WorkOrder
from huiyin.workorders.refs import CategoryRef, catalog
from huiyin.workorders.schemas import (
    AttachmentPublic,
    CallbackTaskPublic,
    EventPublic,
    WorkOrderDetail,
    WorkOrderPublic,
)

SYSTEM_ACTOR = "system"
"""The actor of an event no user made (a dispatch rule, the SLA ladder): its ``data["system"]`` says which."""


_COLUMNS = tuple(c for c in WorkOrderPublic.model_fields if c in WorkOrder.__table__.columns)


OrderLike = WorkOrder | Row[Any] | Any
"""An order as an ORM object (one being changed), a row of its columns (a list page) or a record of a
prebuilt statement (one order read: ``service.read_visible_order``)."""


def _public(
    order: OrderLike,
    cats: Mapping[int, CategoryRef],
    units: Mapping[int, UnitRef],
    extra: dict[int, dict[str, Any]],
    at: datetime,
) -> dict[str, Any]:
    cat = cats[order.category_id]
    unit = units.get(order.unit_id) if order.unit_id else None
    data = {c: getattr(order, c) for c in _COLUMNS}
    data.update(
        category=cat.code,
        category_name=cat.name,
        unit_name=unit.name if unit else None,
        contact_phone=mask_phone(order.contact_phone),  # always: revealed whole only by ``reveal_contact_phone``
        overdue=order.next_deadline_at is not None and order.next_deadline_at < at,
        **extra.get(order.id, {}),
    )
    return data


def _lookups(session: Session) -> tuple[Mapping[int, CategoryRef], Mapping[int, UnitRef]]:
    """Categories and units as the process keeps them (``workorders.refs``, ``org.refs``): no query."""
    return catalog(session).by_id, org(session).units


def order_items(session: Session, orders: Sequence[OrderLike]) -> list[WorkOrderPublic]:
    """Orders as the list shows them (with their deadlines), for other domains' pages (the screen pop)."""
    cats, units = _lookups(session)
    at = now()
    extra = hooks_of(session).view_fields(session, orders, at)
    return [WorkOrderPublic(**_public(o, cats, units, extra=extra, at=at)) for o in orders]


_TASKS_OF = Prebuilt(
    select(CallbackTask.__table__).where(CallbackTask.order_id == bindparam("order_id")).order_by(CallbackTask.id)
)
_FILES_OF = Prebuilt(
    select(Attachment.__table__).where(Attachment.order_id == bindparam("order_id")).order_by(Attachment.id)
)


def order_detail(session: Session, user: SignedIn, order: OrderLike) -> WorkOrderDetail:
    """One order with its timeline. An order this transaction created is answered from what it wrote
    (``service.born_here``): its events and callback tasks are known, and it has no attachments yet."""
    cats, units = _lookups(session)
    events = service.timeline(session, order)
    names = directory(session).names({e.actor_id for e in events if e.actor_id} | {order.owner_agent_id})
    born = service.born_here(session, order.id)
    if born is not None:
        tasks: Sequence[Any] = born.tasks
        files: Sequence[Any] = []
    else:  # records of prebuilt statements (``timeline`` flushed this transaction's own rows first)
        tasks = _TASKS_OF.named(session, {"order_id": order.id})
        files = _FILES_OF.named(session, {"order_id": order.id})
    at = now()
    extra = hooks_of(session).view_fields(session, [order], at)
    return WorkOrderDetail(
        **_public(order, cats, units, extra=extra, at=at),
        owner_agent=names.get(order.owner_agent_id),
        events=[
            EventPublic(
                id=e.id,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=names.get(e.actor_id) if e.actor_id else SYSTEM_ACTOR,
                actor_id=e.actor_id,
                unit_id=e.unit_id,
                at=e.at,
                note=e.note,
                data=e.data or {},
            )
            for e in events
        ],
        allowed_actions=service.actions_for(user, order),
        safety_script=service.safety_script(session, cats[order.category_id]),
        callback_tasks=[CallbackTaskPublic.model_validate(t, from_attributes=True) for t in tasks],
        attachments=[AttachmentPublic.of(a) for a in files],
    )
