"""The supervision board (督办看板): open orders per unit that are due soon, overdue, escalated or marked."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from huiyin.core.actor import Actor
from huiyin.org.models import Unit
from huiyin.workorders.models import WorkOrder
from huiyin.workorders.service import visible_unit_ids
from huiyin.workorders.states import OrderState

FIELDS = ("open", "due_soon", "overdue", "escalated", "urged", "supervised", "max_level")


def supervision_board(session: Session, user: Actor, at: datetime, soon_minutes: int) -> list[dict[str, Any]]:
    """One grouped query over the open orders the user may see; rows by unit, most overdue first."""
    w = WorkOrder
    soon = at + timedelta(minutes=soon_minutes)
    stmt = (
        select(
            w.unit_id,
            func.count(),
            func.count().filter(and_(w.next_deadline_at >= at, w.next_deadline_at < soon)),
            func.count().filter(w.next_deadline_at < at),
            func.count().filter(w.escalation_level >= 1),
            func.count().filter(w.supervision_mark == "urge"),
            func.count().filter(w.supervision_mark == "supervise"),
            func.max(w.escalation_level),
        )
        .where(w.state != OrderState.closed.value)
        .group_by(w.unit_id)
    )
    units = visible_unit_ids(session, user)
    if units is not None:
        stmt = stmt.where(w.unit_id.in_(units))
    counts = session.execute(stmt).all()
    ids = [r[0] for r in counts if r[0] is not None]
    names = dict(session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(ids))).all()) if ids else {}
    rows = [
        {
            "unit_id": r[0],
            "unit_name": names.get(r[0]) if r[0] else None,
            **dict(zip(FIELDS, map(int, r[1:]), strict=True)),
        }
        for r in counts
    ]
    rows.sort(key=_rank)
    return rows


def _rank(row: dict[str, Any]) -> tuple[int, int, int, str]:
    return (-row["overdue"], -row["escalated"], -row["due_soon"], row["unit_name"] or "")


def totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"unit_id": None, "unit_name": None}
    for f in FIELDS:
        out[f] = max((r[f] for r in rows), default=0) if f == "max_level" else sum(r[f] for r in rows)
    return out
