"""The surveys domain on the order's lifecycle: a closed order's contact is asked for a rating by SMS, and
the order may be drawn for a delayed survey (``delayed.do_schedule``)."""

from __future__ import annotations

from typing import Any

from huiyin.clock import now
from huiyin.settings import SurveySettings
from huiyin.surveys.delayed import do_schedule
from huiyin.surveys.invitations import do_invite
from huiyin.surveys.service import Contact
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks


def subscribe(hooks: OrderHooks, settings: SurveySettings, secret: str) -> None:
    def on_closed(change: OrderChange) -> dict[str, Any] | None:
        order = change.order
        contact = Contact(
            f"order:{order.id}",
            None,
            order.id,
            order.owner_agent_id,
            order.unit_id,
            order.category_id,
            order.type,
            order.customer_id,
        )
        at = now()
        closed_by = (change.event.data or {}).get("system") if change.event is not None else None
        # not asked: an outage's report closed with it (its customer had the restoration SMS: one message, not
        # two) or its master, and a field worker's question to the experts (staff, not a customer)
        if closed_by not in ("outage", "support_answered"):
            do_invite(change.session, contact, order.contact_phone, at=at, settings=settings, secret=secret)
        if settings.surveys and settings.public_url:  # the survey is a page: without an address, none
            do_schedule(change.session, order, at=at)
        return None

    hooks.on("surveys", Moment.closed, on_closed)
