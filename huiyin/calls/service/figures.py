"""Call figures: wait, talk, hold and after-call work from a call's events; masked numbers."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.orm import Session

from huiyin.calls.models import Call
from huiyin.calls.states import (
    Cause,
    Direction,
)
from huiyin.core.fastsql.prebuilt import Prebuilt
from huiyin.customers.models import CustomerPhone


def customer_number(call: Call) -> str:
    """The customer's side of the call: the caller of an inbound call, the called number of an outbound one."""
    return call.from_number if call.direction == Direction.in_ else call.to_number


# the customers with the number ``:number``, by id (the callers add their limit)
IDS_BY_NUMBER = (
    select(CustomerPhone.customer_id)
    .where(CustomerPhone.phone == bindparam("number"))
    .distinct()
    .order_by(CustomerPhone.customer_id)
)
_IDS_BY_NUMBER = Prebuilt(IDS_BY_NUMBER.limit(bindparam("limit")))


def customer_ids_by_number(session: Session, number: str, limit: int = 6) -> list[int]:
    if not number or number == "anonymous":
        return []
    return [r[0] for r in _IDS_BY_NUMBER.rows(session, {"number": number, "limit": limit})]


def match_customer_id(session: Session, number: str) -> int | None:
    """The one customer with this number; None when nobody, or several (the pop offers candidates)."""
    if not number or number == "anonymous":
        return None
    return session.scalar(select(matched_customer_id(number)))


def matched_customer_id(number: Any) -> Any:
    """``match_customer_id`` as an SQL expression of ``number`` (a bound parameter: NULL for none), to be
    computed inside the statement that needs it."""
    ids = (
        select(CustomerPhone.customer_id.label("id"))
        .where(CustomerPhone.phone == number)
        .distinct()
        .limit(2)
        .subquery()
    )
    return select(case((func.count() == 1, func.min(ids.c.id)))).scalar_subquery()


def _seconds(a: datetime | None, b: datetime | None) -> int | None:
    if a is None or b is None:
        return None
    return max(0, round((b - a).total_seconds()))


def recompute(call: Call, short_abandon_seconds: int) -> None:
    """Wait, talk, abandoned, from the times the events gave.

    wait = offered → answered (or → ended when nobody answered), unless the PBX counted it (``waitSeconds``);
    talk = answered → ended, less the hold time; abandoned = an inbound call that ended unanswered, not
    rejected as blocked and not forwarded elsewhere; a short abandon waited less than the threshold."""
    if call.pbx_wait_seconds is not None:
        call.wait_seconds = call.pbx_wait_seconds
    else:
        call.wait_seconds = _seconds(call.offered_at, call.answered_at or call.ended_at)
    connected = _seconds(call.answered_at, call.ended_at)
    call.talk_seconds = None if connected is None else max(0, connected - (call.hold_seconds or 0))
    call.abandoned = bool(
        call.direction == Direction.in_
        and call.ended_at is not None
        and call.answered_at is None
        and not call.blocked
        and call.cause != Cause.forwarded
    )
    call.short_abandon = bool(call.abandoned and (call.wait_seconds or 0) < short_abandon_seconds)
