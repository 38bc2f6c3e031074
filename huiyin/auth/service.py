"""Passwords, sign-in and tokens.

Secrets are random URL-safe strings shown once; only their SHA-256 is stored, so a leaked database
does not sign anyone in. Passwords are hashed with argon2id.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

from huiyin.auth.models import AuthToken, User, UserRole
from huiyin.clock import now
from huiyin.core import refcache
from huiyin.core.actor import SignedIn
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.core.roles import Role
from huiyin.core.tokens import token_hash
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.org.models import Unit


@lru_cache
def _hasher(cheap: bool) -> PasswordHasher:
    # The cheap variant only serves test runs that create hundreds of users.
    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1) if cheap else PasswordHasher()


def hash_password(password: str, *, cheap: bool = False) -> str:
    return _hasher(cheap).hash(password)


def verify_password(hashed: str, password: str) -> bool:
    try:
        return _hasher(False).verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def check_roles(roles: list[str]) -> list[str]:
    unknown = sorted(set(roles) - {r.value for r in Role})
    if unknown:
        raise Invalid(f"unknown role(s) {unknown}; allowed: {[r.value for r in Role]}", code="auth.unknown_role")
    if not roles:
        raise Invalid("a user needs at least one role", code="auth.no_role")
    return sorted(set(roles))


def check_new_user(session: Session, username: str, roles: list[str], unit_code: str | None) -> Unit | None:
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"user {username!r} already exists", code="auth.username_taken", username=username)
    check_roles(roles)
    unit = None
    if unit_code is not None:
        unit = session.scalar(select(Unit).where(Unit.code == unit_code))
        if unit is None:
            raise Invalid(f"unit {unit_code!r} does not exist", code="auth.no_unit", unit=unit_code)
    if Role.unit_handler in roles and unit is None:
        raise Invalid("a unit handler must belong to a unit", code="auth.handler_needs_unit", field="unit_id")
    return unit


def do_create_user(
    session: Session,
    username: str,
    password: str,
    roles: list[str],
    *,
    unit: Unit | None = None,
    full_name: str = "",
    phone: str | None = None,
    email: str | None = None,
    cheap_hash: bool = False,
    password_hash: str | None = None,
) -> User:
    """Adds a user; the caller has run ``check_new_user``. ``password_hash`` skips hashing (bulk loads)."""
    user = User(
        username=username,
        full_name=full_name or username,
        password_hash=password_hash or hash_password(password, cheap=cheap_hash),
        unit_id=unit.id if unit else None,
        phone=phone,
        email=email,
        role_rows=[UserRole(role=r) for r in check_roles(roles)],
    )
    session.add(user)
    session.flush()
    return user


def do_set_roles(session: Session, user: User, roles: list[str]) -> None:
    wanted = check_roles(roles)
    user.role_rows = [r for r in user.role_rows if r.role in wanted]
    have = set(user.roles)
    user.role_rows.extend(UserRole(role=r) for r in wanted if r not in have)
    session.flush()


def do_set_password(session: Session, user: User, password: str) -> None:
    """Sets the password and revokes the user's sessions and access tokens (API tokens stay)."""
    user.password_hash = hash_password(password)
    for tok in session.scalars(select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.kind != "api")):
        tok.revoked_at = now()


def get_user_by_username(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        raise NotFound(f"user {username!r} does not exist", code="auth.no_user")
    return user


@dataclass(frozen=True)
class IssuedToken:
    token: AuthToken
    secret: str
    csrf: str | None


def do_issue_token(session: Session, user: User, kind: str, *, hours: int | None, name: str = "") -> IssuedToken:
    """Creates a session / access / API token; the secret is returned once and never stored."""
    secret = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24) if kind == "session" else None
    at = now()
    tok = AuthToken(
        user_id=user.id,
        kind=kind,
        name=name,
        token_hash=token_hash(secret),
        csrf_hash=token_hash(csrf) if csrf else None,
        created_at=at,
        expires_at=at + timedelta(hours=hours) if hours else None,
    )
    session.add(tok)
    session.flush()
    return IssuedToken(tok, secret, csrf)


def _roles_csv(dialect_name: str) -> Any:
    """The user's roles in one text, comma-separated (a scalar subquery of the user's row)."""
    agg = func.string_agg if dialect_name == "postgresql" else func.group_concat
    return select(agg(UserRole.role, ",")).where(UserRole.user_id == User.id).scalar_subquery()


def _standing(expires_at: datetime | None, revoked_at: datetime | None, active: bool, at: datetime) -> bool:
    """A credential stands: not revoked, not expired, its user active."""
    return revoked_at is None and (expires_at is None or expires_at > at) and active


def _token_statement(dialect_name: str) -> ClauseElement:
    roles = _roles_csv(dialect_name)
    return (
        select(
            AuthToken.id,
            AuthToken.kind,
            AuthToken.csrf_hash,
            AuthToken.expires_at,
            AuthToken.revoked_at,
            User.id,
            User.username,
            User.full_name,
            User.unit_id,
            User.phone,
            User.is_active,
            roles,
            refcache.VERSION_QUERY.scalar_subquery(),  # rides along: the reference cache's version
        )
        .join(User, User.id == AuthToken.user_id)
        .where(
            AuthToken.token_hash == bindparam("token_hash"),
            or_(AuthToken.kind == bindparam("kind"), AuthToken.kind == bindparam("or_kind")),
        )
    )


_BY_TOKEN = Prebuilt(_token_statement)
"""Every request runs this (``core.fastsql``: compiled once, on the session's own cursor)."""


def find_token(session: Session, secret: str, kinds: tuple[str, ...]) -> SignedIn | None:
    """The live credential's user, with roles, in one round trip; None if unknown, expired or revoked.
    ``kinds``: the one or two kinds the credential may be."""
    if not 1 <= len(kinds) <= 2:
        raise ValueError("find_token takes one or two kinds")
    row = _BY_TOKEN.first(session, {"token_hash": token_hash(secret), "kind": kinds[0], "or_kind": kinds[-1]})
    if row is None:
        return None
    tok_id, kind, csrf, expires_at, revoked_at, uid, username, full_name, unit_id, phone, active, role_csv, ref = row
    refcache.seen_version(session, ref)
    if not _standing(expires_at, revoked_at, active, now()):
        return None
    return SignedIn(
        id=uid,
        username=username,
        full_name=full_name,
        unit_id=unit_id,
        phone=phone,
        is_active=active,
        role_set=frozenset((role_csv or "").split(",")) - {""},
        token_id=tok_id,
        token_kind=kind,
        csrf_hash=csrf,
    )


def do_revoke_by_id(session: Session, token_id: int) -> None:
    tok = session.get(AuthToken, token_id)
    if tok is not None:
        do_revoke(session, tok)


def do_revoke(session: Session, tok: AuthToken) -> None:
    if tok.revoked_at is None:
        tok.revoked_at = now()


def credential_fingerprint(unit_id: int | None, roles: Iterable[str]) -> str:
    """What a live socket was allowed on, to compare later: the user's unit and roles."""
    return f"{unit_id or ''}|{','.join(sorted(roles))}"


def _credentials_statement(dialect_name: str) -> ClauseElement:
    return (
        select(
            AuthToken.id,
            AuthToken.expires_at,
            AuthToken.revoked_at,
            User.is_active,
            User.unit_id,
            _roles_csv(dialect_name),
        )
        .join(User, User.id == AuthToken.user_id)
        .where(ids_in(AuthToken.id, "ids"))
    )


_CREDENTIALS = Prebuilt(_credentials_statement)


def ended_credentials(session: Session, held: Mapping[int, str]) -> set[int]:
    """Of these tokens (id → the fingerprint their socket was opened with), those that no longer stand:
    revoked (sign-out, an admin), expired, their user deactivated, or the user's unit or roles changed. One
    prebuilt query, whatever the number: the notification sockets ask it every second."""
    if not held:
        return set()
    at = now()
    alive = set()
    for tok_id, expires_at, revoked_at, active, unit_id, role_csv in _CREDENTIALS.rows(session, {"ids": list(held)}):
        roles = (role_csv or "").split(",") if role_csv else []
        if _standing(expires_at, revoked_at, active, at) and credential_fingerprint(unit_id, roles) == held[tok_id]:
            alive.add(tok_id)
    return set(held) - alive


def do_ensure_service_user(session: Session, username: str, full_name: str, roles: list[str]) -> User:
    """A user the system acts as (the self-service site registering a customer's report): made once, with a
    password nobody knows (``!``: no hash matches it), so nobody signs in as it."""
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        user = User(
            username=username, full_name=full_name, password_hash="!", role_rows=[UserRole(role=r) for r in roles]
        )
        session.add(user)
        session.flush()
    return user
