"""What people are told when an order reaches them or is pressed: dispatch and reassignment (a popup that
must be acknowledged, then SMS and a voice call while nobody does), 催办 and 督办 by hand. These are
notify's listeners on the order's lifecycle (subscribed in ``huiyin/wiring.py``, after the SLA's: they
flush the event for its id). Escalations are sent by the worker (huiyin/sla/jobs.py). All of it is
written in the change's transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.auth.refs import directory
from huiyin.notify.service import Audience, Message, do_notify
from huiyin.org.refs import unit_ref
from huiyin.settings import NotifySettings
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks
from huiyin.workorders.service import get_category

if TYPE_CHECKING:
    from huiyin.workorders.models import WorkOrder, WorkOrderEvent

MARK_TITLES = {"urge": "催办", "supervise": "督办"}


def _summary(session: Session, order: WorkOrder) -> str:
    parts = [get_category(session, order.category_id).name, order.address, order.description[:60]]
    return "｜".join(p for p in parts if p)


def _order_data(order: WorkOrder, **extra: object) -> dict[str, object]:
    return {"order_number": order.number, "order_type": order.type, "grade": order.grade, **extra}


def notify_dispatch(session: Session, order: WorkOrder, event: WorkOrderEvent, settings: NotifySettings) -> None:
    """The unit's handlers get a popup to acknowledge; while nobody of them has (and the order still waits
    to be accepted), an SMS after N minutes and a voice call after M. ``event`` has its id already (it
    names this dispatch): ``subscribe`` passes ``event_with_id()``."""
    assert order.unit_id is not None
    unit = unit_ref(session, order.unit_id)
    assert unit is not None
    handlers = Audience(session).unit_handlers(unit.id)
    emergency = order.type == "emergency" or order.grade == "urgent"
    msg = Message(
        kind="dispatch",
        title=f"{'【紧急】' if emergency else ''}新工单 {order.number}",
        body=_summary(session, order),
        order_id=order.id,
        requires_ack=True,
        data=_order_data(order, unit_name=unit.name, emergency=emergency),
    )
    do_notify(session, handlers, msg, key=f"dispatch:{event.id}", settings=settings, renotify_dispatch=True)


def notify_mark(
    session: Session,
    order: WorkOrder,
    actor: User | None,
    event: WorkOrderEvent,
    settings: NotifySettings,
) -> None:
    """催办 / 督办 by hand: the unit's handlers (or the dispatchers, while no unit has it) must acknowledge."""
    mark, note = event.data["mark"], event.note
    audience = Audience(session)
    users = audience.unit_handlers(order.unit_id) if order.unit_id else audience.role_holders("dispatcher", None)
    who = actor.full_name or actor.username if actor else ""
    msg = Message(
        kind=mark,
        title=f"{MARK_TITLES[mark]} {order.number}",
        body=note or _summary(session, order),
        order_id=order.id,
        requires_ack=True,
        data=_order_data(order, by=who, note=note),
    )
    do_notify(session, users, msg, key=f"{mark}:{event.id}", settings=settings)


def stand_ins(session: Session, unit_id: int) -> list[dict[str, object]]:
    """AB角: the unit's handlers away now and who stands in for each (None: nobody can; the unit's handlers
    are told all the same), as the dispatch's event records them."""
    return [
        {
            "absent_id": s.absent.id,
            "absent": s.absent.full_name or s.absent.username,
            "reason": s.reason,
            "backup_id": s.backup.id if s.backup else None,
            "backup": (s.backup.full_name or s.backup.username) if s.backup else None,
        }
        for s in directory(session).stand_ins(unit_id)
    ]


def subscribe(hooks: OrderHooks, settings: NotifySettings) -> None:
    def dispatched(change: OrderChange) -> None:
        event = change.event
        if event is not None and change.order.unit_id is not None:
            away = stand_ins(change.session, change.order.unit_id)
            if away:  # the timeline says who stood in for whom
                event.data = {**(event.data or {}), "stand_ins": away}
        notify_dispatch(change.session, change.order, change.event_with_id(), settings)

    def marked(change: OrderChange) -> None:
        who = change.session.get(User, change.actor.id) if change.actor else None
        notify_mark(change.session, change.order, who, change.event_with_id(), settings)

    hooks.on_many("notify", {Moment.dispatched: dispatched, Moment.reassigned: dispatched, Moment.marked: marked})
