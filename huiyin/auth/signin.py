"""Signing in, made hard to guess and cheap for everyone else (issue 14).

- **Throttled per account and per client address.** Failures are counted per key (``account:<name>``,
  ``address:<client>``; an address's bar is higher, ``address_max_failures``, as a centre's agents often
  share one) in a streak that ends after ``AuthSettings.window_minutes`` without one (counted
  from the end of the last lock-out); from the
  ``max_failures``-th on, the key is locked out for ``lock_seconds``, doubled at each further failure up to
  ``lock_max_seconds`` (a guesser who waits out each lock gets a handful of tries an hour).
  A locked key is refused with a 429 and ``Retry-After`` before any password is checked. A success clears
  the account's count (not the address's: one right password from an address that guessed at others does
  not wipe its record); an admin can unlock an account (``do_unlock``).
- **No enumeration by timing.** An unknown or deactivated user's attempt verifies the password against a
  dummy hash of the same cost, so it takes as long as a real user's wrong password, and gets the same answer.
- **argon2 outside any lock.** The password's hash is read in a reading session, verified in a worker
  thread with no transaction and no lock held, and only then is the outcome written, in a short writing
  transaction (before, argon2 ran holding the process's write lock: eight guessers stalled every
  registration behind them).
- **Audited.** Every attempt is a ``sign_in_audit`` row (success, failure, locked, and unlocked by an admin),
  which admins read at ``GET /api/v1/auth/sign-ins``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

import anyio.to_thread
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from huiyin.auth.models import SignInAudit, SignInThrottle, User
from huiyin.auth.service import IssuedToken, do_issue_token, hash_password, verify_password
from huiyin.clock import now
from huiyin.core.deps import write_session
from huiyin.db import Database
from huiyin.errors import HuiyinError, Unauthorized
from huiyin.settings import AuthSettings

WRONG = "wrong username or password"


class TooManyAttempts(HuiyinError):
    status = 429
    title = "Too many sign-in attempts"


@lru_cache
def _dummy_hash() -> str:
    """A hash of the same cost as a real user's, verified when the user is unknown (never matches)."""
    return hash_password("no user has this password: it only costs what a real check costs")


def account_key(username: str) -> str:
    return f"account:{username.strip().lower()[:64]}"


def address_key(address: str) -> str:
    return f"address:{address[:64]}"


@dataclass(frozen=True)
class Attempt:
    username: str
    password: str
    address: str
    kind: str  # session (a person's cookie) | access (a system's bearer token)


@dataclass(frozen=True)
class _Known:
    user_id: int | None
    password_hash: str
    active: bool


def _locked_until(session: Session, keys: list[str], at: datetime) -> datetime | None:
    rows = session.scalars(select(SignInThrottle).where(SignInThrottle.key.in_(keys))).all()
    until = [r.locked_until for r in rows if r.locked_until is not None and r.locked_until > at]
    return max(until) if until else None


def _read(session: Session, attempt: Attempt, at: datetime) -> tuple[_Known, datetime | None]:
    row = session.execute(
        select(User.id, User.password_hash, User.is_active).where(User.username == attempt.username)
    ).first()
    known = _Known(row[0], row[1], row[2]) if row is not None else _Known(None, _dummy_hash(), False)
    keys = [account_key(attempt.username), address_key(attempt.address)]
    return known, _locked_until(session, keys, at)


def _audit(session: Session, attempt: Attempt, user_id: int | None, outcome: str, at: datetime) -> None:
    session.add(
        SignInAudit(
            at=at,
            username=attempt.username[:64],
            user_id=user_id,
            address=attempt.address[:64],
            outcome=outcome,
            kind=attempt.kind,
        )
    )


def _count_failure(session: Session, key: str, limit: int, rules: AuthSettings, at: datetime) -> None:
    """One more failure for ``key``, locking it out from the ``limit``-th on."""
    # the key's row, made if missing (two first failures at once both find it made) and locked for this change
    dialect = sqlite if session.get_bind().dialect.name == "sqlite" else postgresql
    session.execute(
        dialect.insert(SignInThrottle)
        .values(key=key, failures=0, last_failure_at=at)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    row = session.get(SignInThrottle, key, with_for_update=True, populate_existing=True)
    assert row is not None
    if row.failures and max(row.last_failure_at, row.locked_until or row.last_failure_at) + _window(rules) < at:
        row.failures, row.locked_until = 0, None  # quiet for a whole window after the last failure or lock
    row.failures += 1
    row.last_failure_at = at
    over = row.failures - limit
    if over >= 0:
        seconds = min(rules.lock_seconds * (2**over), rules.lock_max_seconds)
        row.locked_until = at + timedelta(seconds=seconds)


def _window(rules: AuthSettings) -> timedelta:
    return timedelta(minutes=rules.window_minutes)


def _refuse_locked(until: datetime, at: datetime) -> TooManyAttempts:
    seconds = max(1, int((until - at).total_seconds() + 0.999))
    return TooManyAttempts(
        f"too many failed sign-ins: try again in {seconds} s, or ask an admin to unlock the account",
        code="auth.locked",
        retry_after=seconds,
    )


async def sign_in(db: Database, rules: AuthSettings, attempt: Attempt, *, hours: int) -> tuple[User, IssuedToken]:
    """Checks the attempt and, if it is right, issues a token of ``attempt.kind`` valid for ``hours``."""
    at = now()
    with db.session(write=False) as session:
        known, locked = _read(session, attempt, at)
    if locked is not None:
        async with write_session(db) as session:
            _audit(session, attempt, known.user_id, "locked", at)
        raise _refuse_locked(locked, at)
    right = await anyio.to_thread.run_sync(verify_password, known.password_hash, attempt.password)
    right = right and known.active and known.user_id is not None
    async with write_session(db) as session:
        if not right:
            _audit(session, attempt, known.user_id, "failure", at)
            _count_failure(session, account_key(attempt.username), rules.max_failures, rules, at)
            _count_failure(session, address_key(attempt.address), rules.address_max_failures, rules, at)
        else:
            user = session.get(User, known.user_id)
            assert user is not None
            session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(attempt.username)))
            _audit(session, attempt, user.id, "success", at)
            issued = do_issue_token(session, user, attempt.kind, hours=hours)
            return user, issued
    raise Unauthorized(WRONG, code="auth.wrong_password")


def do_unlock(session: Session, user: User, actor_id: int) -> None:
    """Lets the account try again at once (an admin's decision, audited); its addresses keep their count."""
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == account_key(user.username)))
    session.add(
        SignInAudit(at=now(), username=user.username, user_id=user.id, outcome="unlocked", kind="", actor_id=actor_id)
    )


def sign_ins(session: Session, *, username: str | None, outcome: str | None, limit: int) -> list[SignInAudit]:
    stmt = select(SignInAudit)
    if username:
        stmt = stmt.where(SignInAudit.username == username)
    if outcome:
        stmt = stmt.where(SignInAudit.outcome == outcome)
    return list(session.scalars(stmt.order_by(SignInAudit.id.desc()).limit(limit)))


def locked_accounts(session: Session) -> dict[str, datetime]:
    """Usernames locked out now, and until when."""
    at = now()
    rows = session.scalars(
        select(SignInThrottle).where(SignInThrottle.key.like("account:%"), SignInThrottle.locked_until > at)
    )
    return {r.key.removeprefix("account:"): r.locked_until for r in rows if r.locked_until is not None}
