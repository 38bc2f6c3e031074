"""How the phone channel follows an order: an order registered during a call (``call_id`` in the
registration) is linked to the call, the call learns its customer, and the agent's after-call work on an
ended call ends. Subscribed in ``huiyin/wiring.py``."""

from __future__ import annotations

from huiyin.calls import service
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks


def on_registered(change: OrderChange) -> None:
    call_id = change.context.get("call_id")
    if call_id:  # an unknown call is the registration's 422: the order is rolled back with it
        call = service.get_call_by_call_id(change.session, call_id)
        service.on_order_registered(change.session, call, change.order.id, change.order.customer_id)


def subscribe(hooks: OrderHooks) -> None:
    hooks.on("calls", Moment.registered, on_registered)
