"""The complaints domain on the order's lifecycle: a complaint order opens its complaint when registered,
and may not be closed without a verdict; its view adds ``complaint`` to the order."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.complaints import service
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks


def subscribe(hooks: OrderHooks, tz: str) -> None:
    def on_registered(change: OrderChange) -> None:
        if change.order.type == "complaint":
            service.do_open(change.session, change.order, change.context.get("complaint_source"), now(), tz)

    hooks.on("complaints", Moment.registered, on_registered)
    hooks.on("complaints", Moment.closing, on_closing)
    hooks.view("complaints", complaint_view, types={"complaint"})


def on_closing(change: OrderChange) -> None:
    service.check_closable(change.session, change.order)


def complaint_view(session: Session, order_ids: Sequence[int], at: datetime) -> dict[int, dict[str, Any]]:
    return service.complaint_views(session, order_ids)
