"""The deadline worker's job: fire what is due — warnings and each rung of the escalation ladder.

``fire_due`` claims up to ``limit`` deadline rows whose ``next_fire_at`` has come, together with their
orders, ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer at a time anyway). Everything a
firing writes — the order's event, its level and mark, the notifications and their outbox rows, and the
row's next step — commits in the caller's one transaction, so a worker killed mid-batch leaves the whole
batch to the next worker: nothing fires twice, nothing is skipped. An order locked by a request is
skipped this tick and picked up by the next (requests lock the order first; so does this: no deadlock).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from huiyin.core.fastsql import bulk_update
from huiyin.core.roles import ROLE_NAMES_ZH, Role
from huiyin.notify.service import Audience, Message, Notice, Person, do_notify_many
from huiyin.settings import NotifySettings
from huiyin.sla.ladder import MARK_NAMES_ZH, WARNED, Rung, ladder, milestones
from huiyin.sla.models import DATED_STAGES, OrderDeadline
from huiyin.workorders.models import WorkOrder
from huiyin.workorders.service import do_record_system_events, do_set_escalations
from huiyin.workorders.states import Action

STAGE_NAMES_ZH = {
    "accept": "接单",
    "arrive": "到场",
    "resolve": "办结",
    "reply": "答复",
    "callback": "回访",
    "action": "整改",
}


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def _local(at: datetime, tz: str) -> str:
    return at.astimezone(_zone(tz)).strftime("%m-%d %H:%M")


@dataclass(slots=True)
class Due:
    """A claimed deadline row, as plain values (what the ladder needs of it)."""

    id: int
    order_id: int
    stage: str
    cycle: int
    due_at: datetime
    warn_at: datetime
    met_at: datetime | None
    step: int


@dataclass(slots=True)
class DueOrder:
    """The claimed row's order, as plain values; the escalation level and mark change as rows fire."""

    id: int
    number: str
    state: str
    unit_id: int | None
    owner_agent_id: int
    escalation_level: int
    supervision_mark: str | None
    escalated: bool = False


_DUE_COLUMNS = (
    OrderDeadline.id,
    OrderDeadline.order_id,
    OrderDeadline.stage,
    OrderDeadline.cycle,
    OrderDeadline.due_at,
    OrderDeadline.warn_at,
    OrderDeadline.met_at,
    OrderDeadline.step,
)
_ORDER_COLUMNS = (
    WorkOrder.id,
    WorkOrder.number,
    WorkOrder.state,
    WorkOrder.unit_id,
    WorkOrder.owner_agent_id,
    WorkOrder.escalation_level,
    WorkOrder.supervision_mark,
)


def claim_statement(at: datetime, limit: int) -> Select[*tuple[Any, ...]]:
    """The due rows with what the worker needs of their orders, oldest first, skipping (and locking) rows
    a request or another worker holds."""
    return (
        select(*_DUE_COLUMNS, *_ORDER_COLUMNS)
        .join(WorkOrder, WorkOrder.id == OrderDeadline.order_id)
        .where(OrderDeadline.next_fire_at <= at)
        .order_by(OrderDeadline.next_fire_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )


class _Batch:
    """What one batch writes, gathered first and then written with one statement per table: the events
    (their ids name the warnings' notifications), the notifications and their outbox rows, the rows' next
    step and the orders' level and mark."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.notices: list[Callable[[int], list[Notice]]] = []  # one per event: its id → what to send

    def event(
        self,
        order: DueOrder,
        action: Action,
        at: datetime,
        note: str,
        notices: Callable[[int], list[Notice]],
        **data: object,
    ) -> None:
        self.events.append(
            {
                "order_id": order.id,
                "action": action.value,
                "from_state": order.state,
                "to_state": order.state,
                "unit_id": order.unit_id,
                "at": at,
                "note": note,
                "data": {"system": "sla_ladder", **data},
            }
        )
        self.notices.append(notices)

    def write(self, session: Session, settings: NotifySettings) -> None:
        if not self.events:
            return
        ids = do_record_system_events(session, self.events)
        notices = [n for make, event_id in zip(self.notices, ids, strict=True) for n in make(event_id)]
        do_notify_many(session, notices, settings=settings, deliver_in_app=True)


def fire_due(session: Session, at: datetime, *, limit: int, settings: NotifySettings, tz: str) -> int:
    """Fires up to ``limit`` due deadline rows at time ``at``; returns how many rows it took. ``tz`` is the
    centre's time zone (the warnings say when a stage is due in local time)."""
    claimed = session.execute(claim_statement(at, limit)).all()
    if not claimed:
        return 0
    rungs = {r.level: r for r in ladder(session)}
    delays = {level: r.delay_minutes for level, r in rungs.items()}
    audience = Audience(session, bulk=True)
    batch = _Batch()
    orders: dict[int, DueOrder] = {}
    steps: list[dict[str, Any]] = []
    n_due = len(_DUE_COLUMNS)
    for values in claimed:
        row = Due(*values[:n_due])
        order = orders.get(row.order_id) or orders.setdefault(row.order_id, DueOrder(*values[n_due:]))
        ahead = [(step, when) for step, when in milestones(row, delays) if step > row.step]  # type: ignore[arg-type]
        due = [step for step, when in ahead if when <= at]
        live = row.met_at is None and (order.state != "closed" or row.stage in DATED_STAGES)
        if due and live:
            top = max(due)
            if top == WARNED:
                _warn(batch, audience, order, row, at, tz)
            else:
                for step in range(max(row.step + 1, 2), top + 1):
                    _escalate(batch, audience, order, row, rungs[step - 1], at)
            row.step = top
        later = [when for step, when in ahead if step > row.step]
        next_fire = min(later) if later and live else None
        steps.append({"id": row.id, "step": row.step, "next_fire_at": next_fire})
    batch.write(session, settings)
    bulk_update(session, OrderDeadline, steps)
    escalated = [
        {"id": o.id, "escalation_level": o.escalation_level, "supervision_mark": o.supervision_mark, "updated_at": at}
        for o in orders.values()
        if o.escalated
    ]
    do_set_escalations(session, escalated)
    return len(claimed)


def _warn(batch: _Batch, audience: Audience, order: DueOrder, row: Due, at: datetime, tz: str) -> None:
    stage = STAGE_NAMES_ZH.get(row.stage, row.stage)
    note = f"{stage}时限将于 {_local(row.due_at, tz)} 到期"
    users = _workers(audience, order, row)
    msg = Message(
        kind="warning",
        title=f"即将超时 {order.number}",
        body=note,
        order_id=order.id,
        data={"order_number": order.number, "stage": row.stage, "due_at": row.due_at.isoformat()},
    )
    row_id = row.id

    def notices(event_id: int) -> list[Notice]:
        return [Notice(users, msg, key=f"warn:{row_id}:{event_id}")]

    batch.event(order, Action.warn, at, note, notices, stage=row.stage, cycle=row.cycle, due_at=row.due_at.isoformat())


def _workers(audience: Audience, order: DueOrder, row: Due) -> list[Person]:
    """Who works the stage: the owner agent for the callback, the unit's handlers, else the dispatchers."""
    if row.stage == "callback":
        return audience.user(order.owner_agent_id)
    if order.unit_id is not None:
        return audience.unit_handlers(order.unit_id)
    return audience.role_holders(Role.dispatcher.value, None)


def _escalate(batch: _Batch, audience: Audience, order: DueOrder, row: Due, rung: Rung, at: datetime) -> None:
    stage = STAGE_NAMES_ZH.get(row.stage, row.stage)
    late = max(int((at - row.due_at).total_seconds() // 60), 0)
    role = ROLE_NAMES_ZH.get(Role(rung.role), rung.role) if rung.role in Role.__members__ else rung.role
    mark = MARK_NAMES_ZH[rung.mark]
    note = f"{stage}已超时 {late} 分钟，升级至第 {rung.level} 级（{role}），{mark}"
    order.escalation_level = max(order.escalation_level, rung.level)
    if rung.mark == "supervise" or order.supervision_mark is None:
        order.supervision_mark = rung.mark
    order.escalated = True
    data = {
        "order_number": order.number,
        "stage": row.stage,
        "level": rung.level,
        "role": rung.role,
        "mark": rung.mark,
        "late_minutes": late,
        "due_at": row.due_at.isoformat(),
    }
    title = f"超时{mark}（{rung.level} 级）{order.number}"
    managers = audience.role_holders(rung.role, order.unit_id)
    msg = Message(
        kind="escalation", title=title, body=note, order_id=order.id, level=rung.level, requires_ack=True, data=data
    )
    key = f"esc:{row.id}:{rung.level}"
    # the people doing the work hear that they are being pressed, and must acknowledge it too
    workers = [u for u in _workers(audience, order, row) if u not in managers]

    def notices(_: int) -> list[Notice]:
        return [Notice(managers, msg, key=key, channels=rung.channels), Notice(workers, msg, key=f"{key}:w")]

    batch.event(
        order,
        Action.escalate,
        at,
        note,
        notices,
        stage=row.stage,
        cycle=row.cycle,
        level=rung.level,
        role=rung.role,
        mark=rung.mark,
        due_at=row.due_at.isoformat(),
    )
