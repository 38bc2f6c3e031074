"""The people as the process keeps them (``core.refcache``): every user's name, unit, contact details and
roles, frozen. Who handles a unit and what an actor's name is are asked on every dispatch and every order
page; accounts change a few times a week (an admin's edit reloads this in every process)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.models import User, UserRole
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
    roles: frozenset[str]


@dataclass(frozen=True)
class Directory:
    users: dict[int, Person]
    by_role: dict[str, tuple[Person, ...]]  # active holders, by id

    def names(self, ids: set[int]) -> dict[int, str]:
        return {i: self.users[i].username for i in ids if i in self.users}

    def unit_handlers(self, unit_id: int) -> list[Person]:
        """The active unit handlers of ``unit_id``, by id."""
        return [p for p in self.by_role.get("unit_handler", ()) if p.unit_id == unit_id]


def _load(session: Session) -> Directory:
    roles: dict[int, set[str]] = {}
    for user_id, role in session.execute(select(UserRole.user_id, UserRole.role)):
        roles.setdefault(user_id, set()).add(role)
    rows = session.execute(
        select(User.id, User.username, User.full_name, User.unit_id, User.phone, User.email, User.is_active).order_by(
            User.id
        )
    ).all()
    users = {r[0]: Person(*r, roles=frozenset(roles.get(r[0], ()))) for r in rows}
    by_role: dict[str, list[Person]] = {}
    for p in users.values():
        if p.is_active:
            for role in p.roles:
                by_role.setdefault(role, []).append(p)
    return Directory(users, {k: tuple(v) for k, v in by_role.items()})


DIRECTORY = Snapshot("auth.directory", _load, frozenset({"users", "user_roles"}))


def directory(session: Session) -> Directory:
    return refs(session, DIRECTORY)
