"""The escalation ladder (升级阶梯): its rungs, and when each stage deadline next needs the worker.

A deadline climbs: the warning at ``warn_at`` (skipped when it is not before ``due_at``), then level 1 at
``due_at`` + level 1's delay, level 2 at ``due_at`` + level 2's delay, and so on up to level 4. ``step``
records how far it has climbed (0 nothing, 1 warned, L + 1 escalated to level L).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.roles import Role
from huiyin.errors import Invalid
from huiyin.sla.models import EscalationStep, OrderDeadline

LEVELS = (1, 2, 3, 4)
MARKS = ("urge", "supervise")
MARK_NAMES_ZH = {"urge": "催办", "supervise": "督办"}
WARNED = 1


@dataclass(frozen=True)
class Rung:
    level: int
    role: str
    delay_minutes: int
    mark: str
    channels: tuple[str, ...]


DEFAULT_LADDER = (
    Rung(1, Role.duty_manager.value, 0, "urge", ("app",)),
    Rung(2, Role.floor_manager.value, 30, "urge", ("app", "sms")),
    Rung(3, Role.supervisor.value, 120, "supervise", ("app", "sms")),
    Rung(4, Role.director.value, 240, "supervise", ("app", "sms", "email")),
)
"""Level 1 at the breach, then +30 min, +2 h and +4 h after it (editable: ``PUT /api/v1/sla/ladder``)."""


def ladder(session: Session) -> list[Rung]:
    rows = session.scalars(select(EscalationStep).order_by(EscalationStep.level)).all()
    if not rows:
        return list(DEFAULT_LADDER)
    return [Rung(r.level, r.role, r.delay_minutes, r.mark, tuple(r.channels)) for r in rows]


def step_delays(session: Session) -> dict[int, int]:
    return {r.level: r.delay_minutes for r in ladder(session)}


def milestones(row: OrderDeadline, delays: dict[int, int]) -> list[tuple[int, datetime]]:
    """(step, when) for every step of this deadline: the warning (when before the due time), then each level."""
    out: list[tuple[int, datetime]] = []
    if row.warn_at < row.due_at:
        out.append((WARNED, row.warn_at))
    for level in LEVELS:
        delay = delays.get(level, DEFAULT_LADDER[level - 1].delay_minutes)
        out.append((level + 1, row.due_at + timedelta(minutes=delay)))
    return out


def next_fire_at(row: OrderDeadline, delays: dict[int, int]) -> datetime | None:
    """When the worker must next look at ``row``; None when met, paused or at the top of the ladder.
    ``delays`` may be empty while ``row.step`` is 0 and its warning is still ahead."""
    if row.met_at is not None or row.paused_at is not None:
        return None
    if row.step == 0 and row.warn_at < row.due_at:
        return row.warn_at
    ahead = [when for step, when in milestones(row, delays) if step > row.step]
    return min(ahead, default=None)


def check_ladder(rungs: Sequence[dict[str, Any]]) -> list[Rung]:
    """Exactly levels 1–4, known roles, marks and channels, delays that never decrease."""
    from huiyin.notify.models import CHANNELS

    levels = sorted(r["level"] for r in rungs)
    if levels != list(LEVELS):
        raise Invalid("the ladder needs exactly the levels 1, 2, 3 and 4, once each", code="sla.ladder_levels")
    out: list[Rung] = []
    roles = {r.value for r in Role}
    for r in sorted(rungs, key=lambda r: r["level"]):
        if r["role"] not in roles:
            raise Invalid(f"level {r['level']}: unknown role {r['role']!r}", code="sla.ladder_role", level=r["level"])
        if r["mark"] not in MARKS:
            raise Invalid(
                f"level {r['level']}: mark must be one of {list(MARKS)}", code="sla.ladder_mark", level=r["level"]
            )
        channels = tuple(dict.fromkeys(r["channels"]))
        bad = [c for c in channels if c not in CHANNELS]
        if bad or not channels:
            raise Invalid(
                f"level {r['level']}: channels must be a non-empty list of {list(CHANNELS)}",
                code="sla.ladder_channels",
                level=r["level"],
            )
        if out and r["delay_minutes"] < out[-1].delay_minutes:
            raise Invalid(
                f"level {r['level']}'s delay must not be shorter than level {out[-1].level}'s",
                code="sla.ladder_delay",
                level=r["level"],
                previous=out[-1].level,
            )
        out.append(Rung(r["level"], r["role"], r["delay_minutes"], r["mark"], channels))
    return out


def do_replace_ladder(session: Session, actor: Actor | None, rungs: list[Rung]) -> list[Rung]:
    """Replaces the ladder and moves the next step of every deadline already climbing it."""
    old = {r.level: r.delay_minutes for r in ladder(session)}
    existing = {r.level: r for r in session.scalars(select(EscalationStep).with_for_update())}
    for rung in rungs:
        row = existing.get(rung.level) or EscalationStep(level=rung.level)
        row.role, row.delay_minutes, row.mark, row.channels = (
            rung.role,
            rung.delay_minutes,
            rung.mark,
            list(rung.channels),
        )
        row.updated_at, row.updated_by = now(), actor.id if actor else None
        session.add(row)
    session.flush()
    # A deadline at step s (1 warned … 4 at level 3) next fires at due_at + delay(s): shift it by the change.
    dialect = session.get_bind().dialect.name
    for level in LEVELS:
        shift = rungs[level - 1].delay_minutes - old.get(level, rungs[level - 1].delay_minutes)
        if not shift:
            continue
        session.execute(
            update(OrderDeadline)
            .where(OrderDeadline.step == level, OrderDeadline.next_fire_at.is_not(None))
            .values(next_fire_at=_plus_minutes(OrderDeadline.next_fire_at, shift, dialect))
            .execution_options(synchronize_session=False)
        )
    return rungs


def _plus_minutes(column: Any, minutes: int, dialect: str) -> Any:
    from sqlalchemy import func, literal_column

    if dialect == "postgresql":
        return column + literal_column(f"interval '{int(minutes)} minutes'")
    return func.strftime("%Y-%m-%d %H:%M:%f", column, f"{int(minutes):+d} minutes")


def seed_ladder(session: Session) -> None:
    if session.scalar(select(EscalationStep.level).limit(1)) is None:
        for r in DEFAULT_LADDER:
            session.add(
                EscalationStep(
                    level=r.level, role=r.role, delay_minutes=r.delay_minutes, mark=r.mark, channels=list(r.channels)
                )
            )
        session.flush()
