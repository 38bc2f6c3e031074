"""Ratings by SMS: the invitation after an order is closed, and the customer's reply.

When an order is closed (``listeners``), its contact number, if a mobile, gets an SMS through the outbox:
"请对本次服务评价：回复1满意 2基本满意 3不满意" — unless the contact was rated already (the IVR's key press on
the order's call) or that number was asked within ``invite_once_per_hours``. The reply comes back through
the gateway's inbound webhook (``POST /sms/inbound``) and rates the latest unrated invitation sent to that
number within ``reply_window_hours``. Every reply is kept (``SmsReply``), rated or not: a late one, one from
a number never asked, one that is not 1/2/3, a second answer — never lost, never counted twice.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from huiyin.calls.service import calls_without_orders
from huiyin.core.phones import is_mobile, normalize_phone
from huiyin.notify.bulk import do_opt_out, is_opt_out
from huiyin.notify.service import do_queue_sms
from huiyin.settings import SurveySettings
from huiyin.surveys.links import sign
from huiyin.surveys.models import Rating, RatingInvitation, SmsReply
from huiyin.surveys.service import Contact, contact_of_key, do_rate


def invitation_text(contact: Contact, *, at: datetime, settings: SurveySettings, secret: str) -> str:
    """The SMS: the reply to send, and the rating link when Huiyin has a public address."""
    if not settings.public_url:
        return settings.invite_text
    token = sign(contact.key, at + timedelta(days=settings.link_days), secret)
    return f"{settings.invite_text}也可点击评价：{settings.public_url.rstrip('/')}/r/{token}"


def do_invite(
    session: Session, contact: Contact, phone: str, *, at: datetime, settings: SurveySettings, secret: str
) -> RatingInvitation | None:
    """Asks ``phone`` by SMS to rate ``contact``; None when it is not a mobile, the contact is rated or asked
    already, or the number was asked recently. Flushes nothing: it runs inside an order's change (a close at
    registration among them), whose rows are written once, at the end."""
    if not settings.invite_sms or not is_mobile(phone):
        return None
    with session.no_autoflush:
        rated = select(Rating.id).where(
            (Rating.contact == contact.key) | (Rating.order_id == contact.order_id)
            if contact.order_id is not None
            else Rating.contact == contact.key
        )
        if session.scalar(rated.limit(1)) is not None:
            return None
        since = at - timedelta(hours=settings.invite_once_per_hours)
        asked = exists().where(RatingInvitation.phone == phone, RatingInvitation.sent_at > since)
        if settings.invite_once_per_hours and session.scalar(select(asked)):
            return None
        text = invitation_text(contact, at=at, settings=settings, secret=secret)
        if not do_queue_sms(session, to=phone, text=text, key=f"rating-invite:{contact.key}", kind="rating"):
            return None  # this contact was asked before (a reopened order closed again)
    invitation = RatingInvitation(
        contact=contact.key, order_id=contact.order_id, call_pk=contact.call_pk, phone=phone, sent_at=at
    )
    session.add(invitation)
    return invitation


_WORDS = (("不满意", "unsatisfied"), ("基本满意", "basically_satisfied"), ("满意", "satisfied"))
DIGITS = {"1": "satisfied", "2": "basically_satisfied", "3": "unsatisfied"}
"""The keys of the rating question (SMS reply, IVR key press): 1 满意, 2 基本满意, 3 不满意."""


def read_reply(text: str) -> str | None:
    """The result a reply gives: its first digit 1, 2 or 3 (full-width too), or the words 满意 / 基本满意 /
    不满意; None for anything else ("谢谢", "4", an empty text)."""
    plain = unicodedata.normalize("NFKC", text).strip()
    m = re.match(r"\D*?([0-9])", plain)
    if m and len(plain) <= 20:
        return DIGITS.get(m.group(1))
    for word, result in _WORDS:
        if word in plain:
            return result
    return None


@dataclass(frozen=True)
class ReplyOutcome:
    outcome: str  # rated | unmatched | unreadable | already_rated | opted_out
    reply_id: int
    rating_id: int | None
    duplicate: bool = False  # the gateway sent this message before: the first outcome, unchanged


UNCLAIMED_SMS_KEY = "surveys.unclaimed_sms"
"""Where a session finds who takes an inbound SMS that is not a rating: callables ``(session, gateway_id,
phone, text, at) -> conversation id | None`` (the written channels, hung there by ``huiyin.wiring``)."""


def do_receive_reply(
    session: Session,
    *,
    gateway_id: str,
    phone: str,
    text: str,
    at: datetime,
    settings: SurveySettings,
    tz: str,
) -> ReplyOutcome:
    """Keeps the reply and, when it reads as a rating, rates the latest unrated invitation to that number
    within the window. A gateway message seen before is acknowledged with its first outcome."""
    seen = session.scalar(select(SmsReply).where(SmsReply.gateway_id == gateway_id))
    if seen is not None:
        return ReplyOutcome(seen.outcome, seen.id, seen.rating_id, duplicate=True)
    number = normalize_phone(phone)
    if is_opt_out(text):  # 回TD退订: no more notices to this number (not a rating, whatever it was sent after)
        do_opt_out(session, number, "sms", at)
        reply = SmsReply(gateway_id=gateway_id, phone=number, text=text[:500], received_at=at, outcome="opted_out")
        session.add(reply)
        session.flush()
        return ReplyOutcome("opted_out", reply.id, None)
    result = read_reply(text)
    invitation = session.scalar(
        select(RatingInvitation)
        .where(
            RatingInvitation.phone == number,
            RatingInvitation.sent_at >= at - timedelta(hours=settings.reply_window_hours),
            RatingInvitation.sent_at <= at,
        )
        .order_by(RatingInvitation.sent_at.desc(), RatingInvitation.id.desc())
        .limit(1)
        .with_for_update()
    )
    rating_id = None
    if invitation is None:
        outcome = "unmatched"
    elif result is None:
        outcome = "unreadable"
    elif invitation.rated_at is not None:
        outcome = "already_rated"
    else:
        contact = contact_of_key(session, invitation.contact)  # an order, or a call without one
        rating, created = do_rate(
            session,
            contact,
            channel="sms",
            result=result,
            score=None,
            comment=text[:500],
            at=at,
            tz=tz,
            care_hours=settings.care_hours,
        )
        invitation.rated_at, invitation.rating_id = at, rating.id
        rating_id = rating.id
        outcome = "rated" if created else "already_rated"
    reply = SmsReply(
        gateway_id=gateway_id,
        phone=number,
        text=text[:500],
        received_at=at,
        outcome=outcome,
        invitation_id=invitation.id if invitation else None,
        rating_id=rating_id,
    )
    session.add(reply)  # the same message at the same moment elsewhere: the unique id refuses the second
    session.flush()
    return ReplyOutcome(outcome, reply.id, rating_id)


def do_invite_after_calls(
    session: Session, start: datetime, end: datetime, *, settings: SurveySettings, secret: str, limit: int = 20_000
) -> int:
    """Asks the callers of the answered calls that ended in ``[start, end)`` without an order for a rating by
    SMS (a call with an order is asked when its order is closed; a call rated in the IVR is not asked). The
    worker calls it each minute for the calls that ended ``invite_call_delay_minutes`` ago and before, so an
    order registered in after-call work, or an IVR key press, comes first. Each call is asked once (the
    outbox's key), each number at most once in ``invite_once_per_hours``. Returns how many were asked."""
    if not settings.invite_sms or not settings.invite_after_call:
        return 0
    asked = 0
    for call in calls_without_orders(session, start, end, limit=limit):
        phone = normalize_phone(call.caller)
        if not is_mobile(phone):
            continue
        contact = contact_of_key(session, f"call:{call.id}")
        if do_invite(session, contact, phone, at=end, settings=settings, secret=secret) is not None:
            session.flush()  # the next call's check of "this number was asked today" sees this one
            asked += 1
    return asked
