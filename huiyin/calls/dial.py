"""Click-to-call: what a dial request needs checked before the PBX is asked (no transaction is held while
it answers), and the call record made once it has said yes.

The PBX's own ``newCall`` for the placed call may arrive before the PBX's answer to the dial does, in this
process or another: whichever comes second finds the record and completes it (the agent, the customer,
the order link), so the call is recorded once, whatever the order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from huiyin.calls import pbx, service
from huiyin.calls.models import Call, CtiIntegration
from huiyin.calls.states import CallState, Direction
from huiyin.core.actor import SignedIn
from huiyin.core.phones import check_phone, is_masked
from huiyin.customers.reveals import unmask
from huiyin.customers.service import get_customer
from huiyin.errors import Conflict, Invalid
from huiyin.workorders.service import get_visible_order


@dataclass(frozen=True)
class DialPlan:
    """A checked dial: the request to send to the PBX, and what the record will say."""

    call_id: str
    number: str
    integration_id: int
    url: str
    headers: dict[str, str]
    payload: dict[str, Any]
    customer_id: int | None
    order_id: int | None


def _dial_integration(session: Session, integration_id: int | None) -> CtiIntegration:
    stmt = select(CtiIntegration).where(CtiIntegration.revoked_at.is_(None), CtiIntegration.dial_url.is_not(None))
    if integration_id is not None:
        stmt = stmt.where(CtiIntegration.id == integration_id)
    found = session.scalar(stmt.order_by(CtiIntegration.id).limit(1))
    if found is None:
        raise Conflict(
            "click-to-call is not set up: no active CTI integration has a dial URL", code="calls.no_dial_url"
        )
    return found


def check_dial(
    session: Session,
    user: SignedIn,
    number: str,
    *,
    integration_id: int | None,
    customer_id: int | None,
    order_id: int | None,
    call_pk: int | None = None,
) -> DialPlan:
    """The number (422 when it is none), the integration with a dial URL (409 when there is none), the
    customer (404) and the order (404 unless the agent sees it). A masked number (as the API shows numbers)
    is one of the order's or the customer's: it is resolved here and dialled without being shown."""
    known: list[str] = []
    if customer_id is not None:
        known += get_customer(session, customer_id).phones
    if order_id is not None:
        known.append(get_visible_order(session, user, order_id).contact_phone)
    if call_pk is not None:  # calling back a call's customer (the pop's 回拨, once the number shows masked)
        known.append(service.customer_number(service.get_call(session, call_pk)))
    try:
        number = unmask(known, number.strip(), field="number") if is_masked(number.strip()) else check_phone(number)
    except ValueError as exc:
        raise Invalid(str(exc), code="calls.bad_number", field="number") from exc
    integration = _dial_integration(session, integration_id)
    call_id = pbx.new_call_id()
    reference = {"customer_id": customer_id, "order_id": order_id}
    url, headers, payload = pbx.dial_request(integration, call_id, number, user.username, user.phone, reference)
    return DialPlan(call_id, number, integration.id, url, headers, payload, customer_id, order_id)


def do_record_dial(session: Session, plan: DialPlan, user: SignedIn) -> Call:
    """The placed call's record, made or completed (the PBX's ``newCall`` may have made it first)."""
    call = session.scalar(select(Call).where(Call.call_id == plan.call_id).with_for_update())
    if call is None:
        call = Call(
            call_id=plan.call_id,
            integration_id=plan.integration_id,
            direction=Direction.out.value,
            from_number=plan.payload["callerId"] or "",
            to_number=plan.number,
            state=CallState.ringing.value,
            offered_to=[],
            hold_seconds=0,
        )
        try:
            with session.begin_nested():
                session.add(call)
                session.flush()
        except IntegrityError:  # it came first in another process, meanwhile
            call = session.scalar(select(Call).where(Call.call_id == plan.call_id).with_for_update())
            assert call is not None
    call.agent_id = call.agent_id or user.id
    call.customer_id = call.customer_id or plan.customer_id or service.match_customer_id(session, plan.number)
    session.flush()
    if plan.order_id is not None:
        service.do_link_order(session, call, plan.order_id)
    return call
