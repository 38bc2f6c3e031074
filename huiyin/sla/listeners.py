"""How the SLA follows an order: its listeners on the order's lifecycle, and the deadlines it adds to the
order's view. ``huiyin/wiring.py`` subscribes them, first of all listeners (they add ``sla_paused`` and
``sla_resumed`` to the events' data, which must happen before anyone flushes the event)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from huiyin.customers.service import customer_tags
from huiyin.org.refs import area_ref
from huiyin.sla import service as sla
from huiyin.workorders.hooks import Listener, Moment, OrderChange, OrderHooks
from huiyin.workorders.service import do_set_sla_policy, get_category


def on_registered(change: OrderChange) -> None:
    """Picks the policy (the order keeps this version for good) and starts resolve and reply."""
    session, order = change.session, change.order
    category = get_category(session, order.category_id)
    area = area_ref(session, order.area_id) if order.area_id else None
    facts = sla.OrderFacts(
        type=order.type,
        category_id=order.category_id,
        parent_category_id=category.parent_id,
        grade=order.grade,
        customer_tags=customer_tags(session, order.customer_id) if order.customer_id else (),
        area_type=area.area_type if area else None,
    )
    policy = sla.pick_policy(session, facts)  # in memory (sla.refs)
    do_set_sla_policy(order, policy.id if policy else None)
    sla.on_register(session, order, policy)


def on_dispatched(change: OrderChange) -> None:
    sla.on_dispatch(change.session, change.order)


def on_reassigned(change: OrderChange) -> dict[str, Any]:
    """Out of suspension the paused clock resumes; a dispatch starts nothing the cycle has started."""
    effect = sla.on_resume(change.session, change.order) if change.from_state == "suspended" else {}
    sla.on_dispatch(change.session, change.order)
    return effect


def _meets(*stages: str, then_start: Sequence[str] = ()) -> Listener:
    def listener(change: OrderChange) -> None:
        sla.on_met(change.session, change.order, stages, then_start=then_start)

    return listener


def on_suspended(change: OrderChange) -> dict[str, Any]:
    return sla.on_suspend(change.session, change.order)  # {"sla_paused": true|false} under a policy


def on_resumed(change: OrderChange) -> dict[str, Any]:
    return sla.on_resume(change.session, change.order)  # {"sla_resumed": true, "sla_paused_minutes": n}


def on_merged(change: OrderChange) -> dict[str, Any]:
    """A merged report's clock stops while it is merged (the outage's restoration is its resolution)."""
    return sla.on_suspend(change.session, change.order, always=True)


def on_resolved(change: OrderChange) -> dict[str, Any]:
    """Meets what resolving meets; a merged report's paused clock resumes first, so that its stages count
    only the time it was its own."""
    effect = sla.on_resume(change.session, change.order) if change.from_state == "merged" else {}
    sla.on_met(change.session, change.order, ("accept", "arrive", "resolve", "reply"), then_start=["callback"])
    return effect


def on_reopened(change: OrderChange) -> None:
    sla.on_reopen(change.session, change.order)


LISTENERS: dict[Moment, Listener] = {
    Moment.registered: on_registered,
    Moment.dispatched: on_dispatched,
    Moment.reassigned: on_reassigned,
    Moment.accepted: _meets("accept"),
    Moment.started: _meets("arrive"),  # in progress: the crew is on site
    Moment.suspended: on_suspended,
    Moment.resumed: on_resumed,
    Moment.resolved: on_resolved,
    Moment.closed: _meets(*sla.ALL_STAGES),
    Moment.reopened: on_reopened,
    Moment.merged: on_merged,
    Moment.unmerged: on_resumed,
}


def deadlines_view(session: Session, order_ids: Sequence[int], at: datetime) -> dict[int, dict[str, Any]]:
    """Each order's deadlines as the API shows them (one query for the batch, columns only)."""
    return {order_id: {"deadlines": found} for order_id, found in sla.deadline_views(session, order_ids, at).items()}


def subscribe(hooks: OrderHooks) -> None:
    hooks.on_many("sla", LISTENERS)
    hooks.view("sla", deadlines_view)
