"""The order's lifecycle hooks: how other domains react to an order without ``workorders`` knowing them.

``workorders`` publishes a ``Moment`` at every change of an order, inside the change's transaction, once
the order has changed and the change's event is built (``closing`` comes before anything changes, so that
a listener may refuse the close). The other domains subscribe at start-up (``huiyin/wiring.py`` is the one
place that names them all, in the order they run); ``workorders`` imports none of them.

A listener:

- runs in the same transaction as the change, so its writes commit or roll back with the order's;
- may refuse the change by raising a ``HuiyinError`` (``Conflict`` → 409 with its message): the request
  fails and nothing of it is stored;
- may return a dict, merged into the change's event ``data`` (the SLA's ``sla_paused`` on a suspend).

The event is added to the session only after the listeners (so that their queries' autoflush does not
write it before they have added to its data), or when a listener asks for its id with ``event_with_id()``
(notify does: the event's id names its notifications; the id is drawn, nothing is flushed for it). Event
rows are append-only, so a listener that runs after that may not return data (``publish`` refuses it
loudly).

Routes: before a new order is dispatched by the dispatch rules, the routers are asked in turn whether it
belongs to something bigger (an outage's master order, ``outages.listeners``); the first ``Route`` merges it
there instead (``Moment.merged``), and it is not dispatched on its own. An emergency is never routed.

Views: a domain may also add fields to the order as the API shows it (the SLA's ``deadlines``), through a
``ViewProvider`` that answers for a batch of orders in one go. A provider that concerns some order types
only (the complaints' ``complaint``: complaint orders) names them, and is asked only for orders of those
types: a page without such an order costs it nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy.orm import Session

from huiyin.core.actor import Actor
from huiyin.workorders import eventids

if TYPE_CHECKING:
    from huiyin.workorders.models import WorkOrder, WorkOrderEvent

INFO_KEY = "order_hooks"
"""Where a session finds its hooks (``session.info``): ``huiyin.wiring.open_database`` puts them there."""


class Moment(StrEnum):
    """When listeners are called. All but ``closing`` come after the change and its event."""

    registered = "registered"
    dispatched = "dispatched"  # by hand or by a dispatch rule at registration
    reassigned = "reassigned"  # to another unit (out of suspension too: ``from_state`` says)
    marked = "marked"  # 催办 / 督办 by hand (the event's ``data["mark"]``)
    accepted = "accepted"
    started = "started"
    suspended = "suspended"
    resumed = "resumed"
    returned = "returned"  # back to the dispatcher queue
    resolved = "resolved"
    called_back = "called_back"  # a callback attempt that neither closed nor reopened (unreachable)
    closing = "closing"  # vetoable: before anything of the close is written; ``event`` is None
    closed = "closed"
    reopened = "reopened"
    merged = "merged"  # into a master order (an outage's): the report's own clock stops
    unmerged = "unmerged"  # out of it again, to be dispatched on its own


@dataclass
class OrderChange:
    """What a listener is told: the order as it is now, the event that records the change (None for
    ``closing``), who did it (None: the system; the event's data names the rule or job), and what the
    request carried for other domains (``context``: e.g. the ``call_id`` a registration came from)."""

    session: Session
    moment: Moment
    order: WorkOrder
    event: WorkOrderEvent | None
    actor: Actor | None
    context: Mapping[str, Any] = field(default_factory=dict)

    @property
    def from_state(self) -> str | None:
        return self.event.from_state if self.event is not None else None

    def event_with_id(self) -> WorkOrderEvent:
        """The change's event with its id (drawn now if need be: ``workorders.eventids``), added to the
        session: written with the transaction's next flush, and no longer open to listeners' data."""
        if self.event is None:
            raise RuntimeError(f"'{self.moment}' has no event")
        eventids.with_id(self.session, self.event)
        return self.event


Listener = Callable[[OrderChange], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Route:
    """Where a router sends a new order: into ``master_order_id``, with ``data`` for the merge event (the
    router's name as ``system`` and what it matched, e.g. the outage's id) and the note the timeline shows."""

    master_order_id: int
    note: str
    data: Mapping[str, Any] = field(default_factory=dict)


Router = Callable[[OrderChange], "Route | None"]
ViewProvider = Callable[[Session, Sequence[int], datetime], "dict[int, dict[str, Any]]"]
"""For a batch of orders (their ids), the extra fields of each order's public view, by order id (one or two
queries for the whole batch, never one per order; columns, not ORM objects: a list page has fifty)."""


@dataclass(frozen=True)
class Subscription:
    moment: Moment
    name: str
    listener: Listener


class OrderKind(Protocol):
    """What ``view_fields`` needs of an order: its id and type (an ORM object, a row, a prebuilt record)."""

    @property
    def id(self) -> int: ...

    @property
    def type(self) -> str: ...


class OrderHooks:
    """The listeners and view providers of one application, in the order they were added."""

    def __init__(self) -> None:
        self._subs: dict[Moment, list[Subscription]] = {m: [] for m in Moment}
        self._views: list[tuple[str, ViewProvider, frozenset[str] | None, Callable[[Any], bool] | None]] = []
        self._routers: list[tuple[str, Router]] = []

    def on(self, name: str, moment: Moment, listener: Listener) -> None:
        self._subs[moment].append(Subscription(moment, name, listener))

    def on_many(self, name: str, listeners: Mapping[Moment, Listener]) -> None:
        for moment, listener in listeners.items():
            self.on(name, moment, listener)

    def view(
        self,
        name: str,
        provider: ViewProvider,
        *,
        types: Collection[str] | None = None,
        when: Callable[[Any], bool] | None = None,
    ) -> None:
        """``provider`` adds fields to every order's view, or (``types``) to orders of those types only, or
        (``when``) to the orders a test on the order's own columns picks (a merged report: ``merged_into``)."""
        self._views.append((name, provider, frozenset(types) if types is not None else None, when))

    def router(self, name: str, router: Router) -> None:
        """``router`` may merge a new order (told as at ``registered``) into a master order (see the module)."""
        self._routers.append((name, router))

    def route(self, change: OrderChange) -> Route | None:
        """The first router's answer for a new order, or None: dispatch it as usual."""
        for _, router in self._routers:
            found = router(change)
            if found is not None:
                return found
        return None

    def listeners(self, moment: Moment) -> list[str]:
        """The names of ``moment``'s listeners, in the order they run."""
        return [s.name for s in self._subs[moment]]

    @contextmanager
    def subscribed(self, name: str, moment: Moment, listener: Listener, *, first: bool = False) -> Iterator[None]:
        """A listener for the duration of a block (tests)."""
        sub = Subscription(moment, name, listener)
        subs = self._subs[moment]
        subs.insert(0, sub) if first else subs.append(sub)
        try:
            yield
        finally:
            subs.remove(sub)

    def publish(self, change: OrderChange) -> None:
        event = change.event
        for sub in self._subs[change.moment]:
            effect = sub.listener(change)
            if effect:
                if event is None or event in change.session:
                    raise RuntimeError(
                        f"listener {sub.name!r} returned event data at '{change.moment}' after the event was written"
                        " (or there is no event): subscribe it before the listeners that save the event"
                    )
                event.data = {**(event.data or {}), **effect}
        if event is not None and event not in change.session:
            change.session.add(event)

    def view_fields(self, session: Session, orders: Sequence[OrderKind], at: datetime) -> dict[int, dict[str, Any]]:
        """The other domains' fields of each order's view, by order id: each provider asked once, for the
        orders of its types (not at all when there are none)."""
        ids = [o.id for o in orders]
        out: dict[int, dict[str, Any]] = {i: {} for i in ids}
        for _, provider, types, when in self._views:
            picked = [o for o in orders if (types is None or o.type in types) and (when is None or when(o))]
            asked = ids if types is None and when is None else [o.id for o in picked]
            if not asked:
                continue
            for order_id, fields in provider(session, asked, at).items():
                out[order_id].update(fields)
        return out


def hooks_of(session: Session) -> OrderHooks:
    found = session.info.get(INFO_KEY)
    if found is None:
        raise RuntimeError(
            "this session has no order hooks: open the database with huiyin.wiring.open_database(settings)"
        )
    hooks: OrderHooks = found
    return hooks


def publish(
    session: Session,
    moment: Moment,
    order: WorkOrder,
    event: WorkOrderEvent | None,
    actor: Actor | None,
    context: Mapping[str, Any] | None = None,
) -> None:
    hooks_of(session).publish(OrderChange(session, moment, order, event, actor, context or {}))
