"""Typed FastAPI dependencies: the database session, the settings, the signed-in user, role gates."""

from __future__ import annotations

import hmac
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping
from contextlib import asynccontextmanager
from typing import Annotated

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from huiyin.core.actor import SignedIn
from huiyin.core.guard import SAFE_METHODS
from huiyin.core.roles import Role
from huiyin.core.tokens import token_hash
from huiyin.db import Database
from huiyin.errors import Forbidden, Unauthorized
from huiyin.settings import Settings


async def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def get_session(request: Request) -> AsyncIterator[Session]:
    """The request's session; its transaction commits when the handler has returned, before the response
    is sent (``SessionDep``'s scope).

    Handlers run on the event loop and call the synchronous services directly, so a transaction must
    never wait, blocking the loop, for a lock held by another request of the same process that cannot
    run meanwhile. Writing requests therefore take the process's ``write_lock`` (an asyncio lock: waiting
    for it does not block) for their whole transaction; across processes the database's own locks
    queue them. Reading requests take no lock: WAL readers and PostgreSQL readers never wait for writers.

    On SQLite a writing transaction starts with ``BEGIN IMMEDIATE``, which waits for the database's one
    write lock while another process (the other server worker, the worker) or this process's embedded
    worker (in a thread) holds it. That wait happens in a thread, so the event loop serves other
    requests meanwhile; once it has the lock the transaction never waits again
    (``tests/api/test_sqlite_write_lock.py``).
    """
    db: Database = request.app.state.db
    if request.method in SAFE_METHODS:
        with db.session(write=False) as session:
            yield session
        return
    async with write_session(db) as session:
        yield session


@asynccontextmanager
async def write_session(db: Database) -> AsyncIterator[Session]:
    """A writing transaction for code on the event loop: the process's write lock, then (SQLite) the
    database's write lock taken in a thread (see ``get_session``); commits on success."""
    async with db.write_lock:
        with db.session() as session:
            if db.is_sqlite:
                await run_in_threadpool(session.connection)  # BEGIN IMMEDIATE: the wait, off the loop
            yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
"""The request's session. Its scope is the handler's call ("function"), not the whole request: the
transaction commits when the handler has returned, before the response is sent, so a reply never
announces a change that then fails to commit (a failed commit is the client's 409 or 503 instead)."""
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def bearer_token(headers: Mapping[str, str]) -> str | None:
    """The token of an ``Authorization: Bearer …`` header (of a request or a socket's handshake), if any."""
    scheme, _, value = headers.get("authorization", "").partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


FindToken = Callable[[Session, str, tuple[str, ...]], SignedIn | None]
"""How a credential becomes its user (``auth.service.find_token``, put on ``app.state`` by the app)."""


async def get_current_user(request: Request, session: SessionDep) -> SignedIn:
    """Bearer token (integrators) or session cookie (web). Cookie requests that change anything must
    echo the CSRF token in ``X-CSRF-Token`` (double submit, checked against the stored hash)."""
    state = request.app.state  # the settings as the app holds them: no dependency of its own to solve
    settings: Settings = state.settings
    find_token: FindToken = state.find_token
    bearer = bearer_token(request.headers)
    if bearer is not None:
        found = find_token(session, bearer, ("access", "api"))
        if found is None:
            raise Unauthorized("invalid or expired token", code="core.token_invalid")
        return found
    cookie = request.cookies.get(settings.auth.cookie_name)
    if not cookie:
        raise Unauthorized("sign in first", code="core.sign_in_first")
    found = find_token(session, cookie, ("session",))
    if found is None:
        raise Unauthorized("your session has expired; sign in again", code="core.session_expired")
    if request.method not in SAFE_METHODS:
        sent = request.headers.get("x-csrf-token", "")
        if not sent or not found.csrf_hash or not hmac.compare_digest(token_hash(sent), found.csrf_hash):
            raise Forbidden("missing or wrong CSRF token (send the X-CSRF-Token header)", code="core.csrf")
    return found


CurrentUser = Annotated[SignedIn, Depends(get_current_user)]


def require_roles(*roles: Role) -> Callable[[SignedIn], Coroutine[None, None, SignedIn]]:
    names = ", ".join(r.value for r in roles)

    async def gate(user: CurrentUser) -> SignedIn:
        if not user.has(*roles):
            raise Forbidden(f"this needs one of the roles: {names}", code="core.role")
        return user

    return gate


AdminUser = Annotated[SignedIn, Depends(require_roles(Role.admin))]
