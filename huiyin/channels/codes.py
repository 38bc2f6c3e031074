"""Sign-in and binding by SMS code: the self-service site signs a customer in by mobile number and code; a
WeChat follower binds their account the same way.

A code is six digits, sent by SMS through notify's outbox, kept only as a keyed hash, valid ``code_minutes``;
``code_tries`` wrong answers void it (guessing 10⁶ codes five at a time is hopeless), at most
``codes_per_hour`` codes to one number and one per ``code_gap_seconds``, and at most 30 an hour from one
address, so that nobody floods a number with texts or the gateway with costs.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.channels.models import SelfSession, SmsCode
from huiyin.clock import now
from huiyin.core.phones import is_mobile, mask_phone, normalize_phone
from huiyin.errors import HuiyinError, Invalid, Unauthorized
from huiyin.notify.service import do_queue_sms
from huiyin.settings import Settings

PER_ADDRESS_PER_HOUR = 30


class TooMany(HuiyinError):
    """429: too many codes asked for."""

    status = 429
    title = "Too Many Requests"


def _hash(secret: str, phone: str, code: str) -> str:
    return hmac.new(secret.encode(), f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def check_mobile(phone: str) -> str:
    number = normalize_phone(phone)
    if not number or not is_mobile(number):
        raise Invalid("a mainland mobile number (11 digits, 1…)", code="self.bad_mobile", field="phone")
    return number


def do_send_code(
    session: Session, phone: str, settings: Settings, ip: str | None = None, *, purpose: str = "login"
) -> str:
    """Sends a new code to ``phone``; returns the number masked. Refuses (429) past the limits."""
    number = check_mobile(phone)
    at = now()
    cfg = settings.channels
    recent = list(
        session.scalars(
            select(SmsCode.created_at)
            .where(SmsCode.phone == number, SmsCode.created_at >= at - timedelta(hours=1))
            .order_by(SmsCode.created_at.desc())
        )
    )
    if len(recent) >= cfg.codes_per_hour:
        raise TooMany("too many codes to this number in the last hour; try again later", code="self.codes_per_hour")
    if recent and (at - recent[0]).total_seconds() < cfg.code_gap_seconds:
        wait = cfg.code_gap_seconds - int((at - recent[0]).total_seconds())
        raise TooMany(f"a code was sent just now; ask again in {wait} s", code="self.code_just_sent", retry_after=wait)
    if ip is not None:
        from_ip = session.scalar(
            select(func.count()).where(SmsCode.ip == ip, SmsCode.created_at >= at - timedelta(hours=1))
        )
        if (from_ip or 0) >= PER_ADDRESS_PER_HOUR:
            raise TooMany("too many codes asked for from this address; try again later", code="self.codes_per_address")
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = SmsCode(
        phone=number,
        code_hash=_hash(settings.secret_key, number, code),
        attempts=0,
        used=False,
        created_at=at,
        expires_at=at + timedelta(minutes=cfg.code_minutes),
        ip=ip,
    )
    session.add(row)
    session.flush()
    what = "绑定" if purpose == "bind" else "登录"
    session.info["channels.dev_code"] = code  # read back only by the development-mode demo (latest_dev_code)
    do_queue_sms(
        session,
        to=number,
        text=f"【回音】您的{what}验证码是{code}，{cfg.code_minutes}分钟内有效。如非本人操作请忽略。",
        key=f"code:{row.id}",
        kind="code",
    )
    return mask_phone(number)


def latest_dev_code(session: Session, phone: str) -> str | None:
    """The code this transaction just sent (the demo without an SMS gateway shows it on the page)."""
    code = session.info.pop("channels.dev_code", None)
    return str(code) if code else None


def do_check_code(session: Session, phone: str, code: str, settings: Settings) -> str:
    """The number, when ``code`` is its latest live code (used up by this); 401 otherwise, and a wrong code
    counts against the code's tries."""
    number = check_mobile(phone)
    at = now()
    row = session.scalars(
        select(SmsCode)
        .where(SmsCode.phone == number, SmsCode.used.is_(False))
        .order_by(SmsCode.id.desc())
        .limit(1)
        .with_for_update()
    ).first()
    if row is None or row.expires_at < at or row.attempts >= settings.channels.code_tries:
        raise Unauthorized("no valid code for this number: ask for a new one", code="self.no_code")
    if not hmac.compare_digest(row.code_hash, _hash(settings.secret_key, number, code.strip())):
        row.attempts += 1
        left = settings.channels.code_tries - row.attempts
        if left <= 0:
            row.used = True
        if left > 0:
            raise Unauthorized(f"wrong code ({left} tries left)", code="self.code_wrong", tries_left=left)
        raise Unauthorized("wrong code; this code is void, ask for a new one", code="self.code_void")
    row.used = True
    return number


@dataclass(frozen=True)
class Issued:
    token: str
    session: SelfSession


def do_open_session(
    session: Session, phone: str, customer_id: int | None, contact_id: int, settings: Settings
) -> Issued:
    token = secrets.token_urlsafe(32)
    at = now()
    row = SelfSession(
        token_hash=hashlib.sha256(token.encode()).hexdigest(),
        phone=phone,
        customer_id=customer_id,
        contact_id=contact_id,
        created_at=at,
        expires_at=at + timedelta(days=settings.channels.session_days),
    )
    session.add(row)
    session.flush()
    return Issued(token, row)


def find_session(session: Session, token: str) -> SelfSession:
    row = session.scalars(
        select(SelfSession).where(SelfSession.token_hash == hashlib.sha256(token.encode()).hexdigest())
    ).first()
    if row is None or row.expires_at < now():
        raise Unauthorized("sign in again (the session ended)", code="self.session_ended")
    return row
