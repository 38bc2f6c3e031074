"""AB角: each unit handler post has a named backup (B); while the handler (A) is away on leave or training,
the unit's dispatches and notifications go to B, who also sees the unit's orders (``auth.refs.Directory``:
``unit_handlers``, ``covered_units``); the dispatch's event names who stood in for whom."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import Absence, User
from huiyin.core.actor import Actor
from huiyin.core.roles import MANAGERS, Role
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound

REASONS = ("leave", "training", "business", "other")  # 休假 / 培训 / 公出 / 其他
KEEPERS = frozenset({*MANAGERS, Role.admin})
"""Who names backups and marks anyone absent; a unit handler marks only their own absence."""


def check_backup(session: Session, user: User, backup_id: int | None) -> User | None:
    """A backup is another active unit handler (of any unit: a neighbouring station's handler is usual)."""
    if backup_id is None:
        return None
    if backup_id == user.id:
        raise Invalid("a handler cannot be their own backup", code="auth.own_backup", field="backup_id")
    backup = session.get(User, backup_id)
    if backup is None or not backup.is_active or not backup.has(Role.unit_handler):
        raise Invalid(
            f"user {backup_id} is not an active unit handler", code="auth.backup_not_handler", field="backup_id"
        )
    return backup


@dataclass(frozen=True)
class AbsencePlan:
    user: User
    starts_at: datetime  # as asked, or where an absence already over ended (see ``check_absence``)


def check_absence(
    session: Session, actor: Actor, user_id: int, starts_at: datetime, ends_at: datetime, at: datetime
) -> AbsencePlan:
    """Who may mark whom, a period that ends after it starts and is not over, and no overlap with another
    absence of the person. An overlap with absences that are over already (one ended early a moment ago,
    re-registered from the same minute) is not refused: the new absence starts where they ended."""
    if not actor.has(*KEEPERS) and actor.id != user_id:
        raise Forbidden(
            "a unit handler marks only their own absence; a manager or admin marks anyone's",
            code="auth.absence_own_only",
        )
    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"user {user_id} does not exist", code="auth.no_user")
    if ends_at <= starts_at:
        raise Invalid("an absence ends after it starts", code="auth.absence_ends_before_start", field="ends_at")
    if ends_at <= at:
        raise Invalid("an absence that is already over changes nothing", code="auth.absence_over", field="ends_at")
    overlaps = session.execute(
        select(Absence.id, Absence.ends_at).where(
            Absence.user_id == user_id, Absence.starts_at < ends_at, Absence.ends_at > starts_at
        )
    ).all()
    holding = [a_id for a_id, end in overlaps if end > at]
    if holding:
        raise Conflict(
            f"user {user_id} is already marked absent for part of that time (absence {holding[0]})",
            code="auth.absence_overlap",
            name=user.full_name,
        )
    over = [end for _, end in overlaps]
    return AbsencePlan(user, max([starts_at, *over]))


def do_add_absence(
    session: Session,
    actor: Actor,
    user: User,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    note: str,
    at: datetime,
) -> Absence:
    absence = Absence(
        user_id=user.id,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        note=note,
        created_by=actor.id,
        created_at=at,
    )
    session.add(absence)
    session.flush()
    return absence


def get_absence(session: Session, absence_id: int) -> Absence:
    found = session.get(Absence, absence_id)
    if found is None:
        raise NotFound(f"absence {absence_id} does not exist", code="auth.no_absence")
    return found


def do_end_absence(session: Session, actor: Actor, absence: Absence, at: datetime) -> Absence:
    """Back early: the absence ends now (one not yet begun is ended before it starts: it never holds)."""
    if not actor.has(*KEEPERS) and actor.id != absence.user_id:
        raise Forbidden("a unit handler ends only their own absence", code="auth.absence_end_own_only")
    if absence.ends_at <= at:
        raise Conflict("this absence is over already", code="auth.absence_ended")
    absence.ends_at = max(at, absence.starts_at)
    session.flush()
    return absence


def absences(session: Session, *, at: datetime, user_ids: list[int] | None) -> list[Absence]:
    """The absences not over at ``at`` (current and planned), soonest first."""
    stmt = select(Absence).where(Absence.ends_at > at)
    if user_ids is not None:
        stmt = stmt.where(Absence.user_id.in_(user_ids))
    return list(session.scalars(stmt.order_by(Absence.starts_at, Absence.id)))
