"""Who is acting: what services need to know about the signed-in user, and nothing more."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class Actor(Protocol):
    """Anything that acts on orders: the request's ``SignedIn`` snapshot, or a ``User`` row (jobs, demo)."""

    @property
    def id(self) -> int: ...

    @property
    def unit_id(self) -> int | None: ...

    @property
    def roles(self) -> list[str]: ...

    def has(self, *roles: str) -> bool: ...


@dataclass(frozen=True)
class SignedIn:
    """The user behind a request, read with its credential in one query and never written back."""

    id: int
    username: str
    full_name: str
    unit_id: int | None
    phone: str | None
    is_active: bool
    role_set: frozenset[str]
    token_id: int
    token_kind: str
    csrf_hash: str | None

    @property
    def roles(self) -> list[str]:
        return sorted(self.role_set)

    def has(self, *roles: str) -> bool:
        return not self.role_set.isdisjoint(roles)
