"""Masked numbers and their audited reveal (号码脱敏与查看记录).

Every number the API returns is masked (``core.phones.mask_phone``: 138****1234). A user who needs one
whole asks for it through a reveal action (of a customer, an order's contact or a call's parties); each
reveal writes a ``PhoneReveal`` row here, naming who saw which customer's number, through which record,
and when. The rows hold the numbers masked, so the audit itself shows none whole.

A masked number sent back (a customer's phone picked for an order, a customer's phones saved again after
an edit, a dial) names the record's number without revealing it: ``unmask`` resolves it against the
numbers of the record it comes with, and refuses one that matches none (422).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.phones import is_masked, mask_phone
from huiyin.customers.models import CustomerPhone, PhoneReveal
from huiyin.errors import Invalid

SUBJECTS = ("customer", "order", "call")


def unmask(numbers: Sequence[str], value: str, *, field: str) -> str:
    """``value`` when it is whole; else the one of ``numbers`` it masks (422 when none or several do)."""
    if not is_masked(value):
        return value
    found = {n for n in numbers if mask_phone(n) == value}
    if len(found) != 1:
        raise Invalid(
            f"{value} is a masked number that is not one of this record's numbers: pick one of them or type it in full",
            code="customers.masked_unknown",
            field=field,
            number=value,
        )
    return found.pop()


def customer_numbers(session: Session, customer_id: int) -> list[str]:
    """A customer's numbers, in the order they were added."""
    stmt = select(CustomerPhone.phone).where(CustomerPhone.customer_id == customer_id).order_by(CustomerPhone.id)
    return list(session.scalars(stmt))


def do_reveal(
    session: Session, *, user_id: int, subject: str, subject_id: int, customer_id: int | None, numbers: Sequence[str]
) -> list[str]:
    """Records that ``user_id`` is shown ``numbers`` whole, and gives them back."""
    assert subject in SUBJECTS, subject
    session.add(
        PhoneReveal(
            at=now(),
            user_id=user_id,
            subject=subject,
            subject_id=subject_id,
            customer_id=customer_id,
            numbers=",".join(mask_phone(n) for n in numbers)[:200],
        )
    )
    session.flush()
    return list(numbers)


def reveals(
    session: Session,
    *,
    customer_id: int | None = None,
    user_id: int | None = None,
    since: datetime | None = None,
    limit: int = 100,
) -> list[PhoneReveal]:
    """The reveal audit, newest first."""
    stmt = select(PhoneReveal)
    if customer_id is not None:
        stmt = stmt.where(PhoneReveal.customer_id == customer_id)
    if user_id is not None:
        stmt = stmt.where(PhoneReveal.user_id == user_id)
    if since is not None:
        stmt = stmt.where(PhoneReveal.at >= since)
    return list(session.scalars(stmt.order_by(PhoneReveal.id.desc()).limit(limit)))
