"""The people as the process keeps them (``core.refcache``): every user's name, unit, contact details and
roles, frozen. Who handles a unit and what an actor's name is are asked on every dispatch and every order
page; accounts change a few times a week (an admin's edit reloads this in every process)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import Absence, User, UserRole
from huiyin.clock import now
from huiyin.core.refcache import Snapshot, refs


@dataclass(frozen=True)
class Person:
    id: int
    username: str
    full_name: str
    unit_id: int | None
    phone: str | None
    email: str | None
    is_active: bool
    backup_id: int | None
    roles: frozenset[str]


@dataclass(frozen=True)
class StandIn:
    """An absent unit handler and the backup who stands in (None: the backup is away too, or none named)."""

    absent: Person
    backup: Person | None
    reason: str = "other"  # leave | training | business | other


@dataclass(frozen=True)
class Directory:
    users: dict[int, Person]
    by_role: dict[str, tuple[Person, ...]]  # active holders, by id
    away: dict[int, tuple[tuple[datetime, datetime, str], ...]] = field(default_factory=dict)
    """Absences not over when loaded, by user: (starts, ends, reason). The clock decides which hold now."""

    def names(self, ids: set[int]) -> dict[int, str]:
        return {i: self.users[i].username for i in ids if i in self.users}

    def is_absent(self, user_id: int, at: datetime | None = None) -> bool:
        return self.absence_reason(user_id, at) is not None

    def absence_reason(self, user_id: int, at: datetime | None = None) -> str | None:
        """Why the user is away at ``at`` (default: now): leave, training …; None when not away."""
        t = at or now()
        return next((why for a, b, why in self.away.get(user_id, ()) if a <= t < b), None)

    def _backup(self, p: Person, at: datetime) -> Person | None:
        b = self.users.get(p.backup_id) if p.backup_id is not None else None
        return b if b is not None and b.is_active and not self.is_absent(b.id, at) else None

    def stand_ins(self, unit_id: int, at: datetime | None = None) -> list[StandIn]:
        """The unit's handlers away at ``at`` (default: now), each with who stands in."""
        t = at or now()
        return [
            StandIn(p, self._backup(p, t), self.absence_reason(p.id, t) or "other")
            for p in self._handlers(unit_id)
            if self.is_absent(p.id, t)
        ]

    def _handlers(self, unit_id: int) -> list[Person]:
        return [p for p in self.by_role.get("unit_handler", ()) if p.unit_id == unit_id]

    def unit_handlers(self, unit_id: int, at: datetime | None = None) -> list[Person]:
        """Who handles ``unit_id``'s orders at ``at`` (default: now), by id: its active handlers who are not
        away, and the backup of each who is (AB角). Should nobody be left (every handler and backup away),
        the unit's handlers all the same: a dispatch is never told to no one."""
        t = at or now()
        handlers = self._handlers(unit_id)
        if not any(p.id in self.away for p in handlers):
            return handlers
        present = {p.id: p for p in handlers if not self.is_absent(p.id, t)}
        for s in self.stand_ins(unit_id, t):
            if s.backup is not None:
                present.setdefault(s.backup.id, s.backup)
        return sorted(present.values(), key=lambda p: p.id) if present else handlers

    def covered_units(self, user_id: int, at: datetime | None = None) -> list[int]:
        """The units whose absent handler ``user_id`` stands in for at ``at`` (default: now)."""
        t = at or now()
        return sorted(
            {
                p.unit_id
                for p in self.by_role.get("unit_handler", ())
                if p.backup_id == user_id
                and p.unit_id is not None
                and self.is_absent(p.id, t)
                and self._backup(p, t) is not None
            }
        )


def _load(session: Session) -> Directory:
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
        roles.setdefault(user_id, set()).add(role)
    u = User
    rows = session.execute(
        select(u.id, u.username, u.full_name, u.unit_id, u.phone, u.email, u.is_active, u.backup_id).order_by(u.id)
    ).all()
    users = {r[0]: Person(*r, roles=frozenset(roles.get(r[0], ()))) for r in rows}
    by_role: dict[str, list[Person]] = {}
    for p in users.values():
        if p.is_active:
            for role in p.roles:
                by_role.setdefault(role, []).append(p)
    away: dict[int, list[tuple[datetime, datetime, str]]] = {}
    for user_id, starts, ends, reason in session.execute(
        select(Absence.user_id, Absence.starts_at, Absence.ends_at, Absence.reason).where(Absence.ends_at > now())
    ):
        away.setdefault(user_id, []).append((starts, ends, reason))
    return Directory(users, {k: tuple(v) for k, v in by_role.items()}, {k: tuple(v) for k, v in away.items()})


DIRECTORY = Snapshot("auth.directory", _load, frozenset({"users", "user_roles", "absences"}))


def directory(session: Session) -> Directory:
    return refs(session, DIRECTORY)
