"""The deadline worker's job: fire what is due — warnings and each rung of the escalation ladder.

``fire_due`` claims up to ``limit`` deadline rows whose ``next_fire_at`` has come, together with their
orders, ``FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite has one writer at a time anyway). Everything a
firing writes — the order's event, its level and mark, the notifications and their outbox rows, and the
row's next step — commits in the caller's one transaction, so a worker killed mid-batch leaves the whole
batch to the next worker: nothing fires twice, nothing is skipped. An order locked by a request is
skipped this tick and picked up by the next (requests lock the order first; so does this: no deadlock).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import User
from huiyin.core.roles import ROLE_NAMES_ZH, Role
from huiyin.notify.service import Audience, Message, do_notify
from huiyin.settings import NotifySettings
from huiyin.sla.ladder import MARK_NAMES_ZH, WARNED, Rung, ladder, milestones
from huiyin.sla.models import OrderDeadline
from huiyin.workorders.models import WorkOrder, WorkOrderEvent
from huiyin.workorders.states import Action

STAGE_NAMES_ZH = {"accept": "接单", "arrive": "到场", "resolve": "办结", "reply": "答复", "callback": "回访"}


def _local(at: datetime) -> str:
    from zoneinfo import ZoneInfo

    from huiyin.settings import get_settings

    return at.astimezone(ZoneInfo(get_settings().timezone)).strftime("%m-%d %H:%M")


def _event(
    session: Session, order: WorkOrder, action: Action, at: datetime, note: str, **data: object
) -> WorkOrderEvent:
    event = WorkOrderEvent(
        order_id=order.id,
        action=action.value,
        from_state=order.state,
        to_state=order.state,
        actor_id=None,
        unit_id=order.unit_id,
        at=at,
        note=note,
        data=data,
    )
    session.add(event)
    return event


def fire_due(session: Session, at: datetime, *, limit: int, settings: NotifySettings) -> int:
    """Fires up to ``limit`` due deadline rows at time ``at``; returns how many rows it took."""
    rows = session.execute(
        select(OrderDeadline, WorkOrder)
        .join(WorkOrder, WorkOrder.id == OrderDeadline.order_id)
        .where(OrderDeadline.next_fire_at <= at)
        .order_by(OrderDeadline.next_fire_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not rows:
        return 0
    rungs = {r.level: r for r in ladder(session)}
    delays = {level: r.delay_minutes for level, r in rungs.items()}
    audience = Audience(session)
    for row, order in rows:
        ahead = [(step, when) for step, when in milestones(row, delays) if step > row.step]
        due = [step for step, when in ahead if when <= at]
        if due and order.state != "closed" and row.met_at is None:
            top = max(due)
            if top == WARNED:
                _warn(session, audience, order, row, at, settings)
            else:
                for step in range(max(row.step + 1, 2), top + 1):
                    _escalate(session, audience, order, row, rungs[step - 1], at, settings)
            row.step = top
        later = [when for step, when in ahead if step > row.step]
        row.next_fire_at = min(later) if later and row.met_at is None and order.state != "closed" else None
    return len(rows)


def _warn(
    session: Session, audience: Audience, order: WorkOrder, row: OrderDeadline, at: datetime, settings: NotifySettings
) -> None:
    stage = STAGE_NAMES_ZH.get(row.stage, row.stage)
    note = f"{stage}时限将于 {_local(row.due_at)} 到期"
    event = _event(
        session, order, Action.warn, at, note, stage=row.stage, cycle=row.cycle, due_at=row.due_at.isoformat()
    )
    session.flush()
    users = _workers(audience, order, row)
    msg = Message(
        kind="warning",
        title=f"即将超时 {order.number}",
        body=note,
        order_id=order.id,
        data={"order_number": order.number, "stage": row.stage, "due_at": row.due_at.isoformat()},
    )
    do_notify(session, users, msg, key=f"warn:{row.id}:{event.id}", settings=settings)


def _workers(audience: Audience, order: WorkOrder, row: OrderDeadline) -> list[User]:
    """Who works the stage: the owner agent for the callback, the unit's handlers, else the dispatchers."""
    if row.stage == "callback":
        return audience.user(order.owner_agent_id)
    if order.unit_id is not None:
        return audience.unit_handlers(order.unit_id)
    return audience.role_holders(Role.dispatcher.value, None)


def _escalate(
    session: Session,
    audience: Audience,
    order: WorkOrder,
    row: OrderDeadline,
    rung: Rung,
    at: datetime,
    settings: NotifySettings,
) -> None:
    stage = STAGE_NAMES_ZH.get(row.stage, row.stage)
    late = max(int((at - row.due_at).total_seconds() // 60), 0)
    role = ROLE_NAMES_ZH.get(Role(rung.role), rung.role) if rung.role in Role.__members__ else rung.role
    mark = MARK_NAMES_ZH[rung.mark]
    note = f"{stage}已超时 {late} 分钟，升级至第 {rung.level} 级（{role}），{mark}"
    order.escalation_level = max(order.escalation_level, rung.level)
    if rung.mark == "supervise" or order.supervision_mark is None:
        order.supervision_mark = rung.mark
    order.updated_at = at
    _event(
        session,
        order,
        Action.escalate,
        at,
        note,
        stage=row.stage,
        cycle=row.cycle,
        level=rung.level,
        role=rung.role,
        mark=rung.mark,
        due_at=row.due_at.isoformat(),
    )
    session.flush()
    data = {
        "order_number": order.number,
        "stage": row.stage,
        "level": rung.level,
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
    do_notify(session, managers, msg, key=key, channels=rung.channels, settings=settings)
    # the people doing the work hear that they are being pressed, and must acknowledge it too
    workers = [u for u in _workers(audience, order, row) if u not in managers]
    do_notify(session, workers, msg, key=f"{key}:w", settings=settings)
