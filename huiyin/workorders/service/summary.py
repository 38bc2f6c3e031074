"""What other domains may write on an order, through these functions only: the SLA keeps a summary of
its deadlines on the order (for the list's filters and indexes), and its ladder appends events and marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from huiyin.core.fastsql import bulk_insert, bulk_update
from huiyin.workorders import eventids
from huiyin.workorders.models import (
    WorkOrder,
    WorkOrderEvent,
)
from huiyin.workorders.states import (
    OrderState,
)

S = OrderState


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
    if session.get_bind().dialect.name == "postgresql":  # the ids come from the sequence
        return bulk_insert(session, WorkOrderEvent, [{**r, "actor_id": None} for r in rows], returning=True)
    ids = eventids.draw(session, len(rows))  # SQLite: every event's id is drawn (``workorders.eventids``)
    bulk_insert(session, WorkOrderEvent, [{**r, "actor_id": None, "id": i} for r, i in zip(rows, ids, strict=True)])
    return ids


def do_record_event(
    session: Session, order: WorkOrder, action: str, actor_id: int | None, note: str, data: dict[str, Any]
) -> WorkOrderEvent:
    """An event about the order that changes nothing of it (a complaint's verdict), in its timeline."""
    event = WorkOrderEvent(
        order_id=order.id,
        action=action,
        from_state=order.state,
        to_state=order.state,
        actor_id=actor_id,
        unit_id=order.unit_id,
        note=note,
        data=data,
    )
    session.add(eventids.assign(session, event))
    return event


def do_set_escalations(session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """The escalation ladder's marks on orders, in one statement: each row holds the order's ``id``, its
    ``escalation_level``, ``supervision_mark`` and ``updated_at``."""
    bulk_update(session, WorkOrder, rows)
