"""How outages follow the work orders: the router that merges a new report into a live outage's master order,
the merge links, fault detection and near matches at registration, and the ``outage_id`` on an order's view.
``huiyin/wiring.py`` subscribes them.

At registration (the ``registered`` listener, then the router):

- a repair of one of the utility's outage categories (``outages.merge_categories``) from an area of an active
  outage is merged into its master order (the router; ``hooks.Route``);
- another repair of that utility in such an area, or an outage category while the outage is only announced or
  was restored within ``near_hours``: a near match, suggested to the dispatcher;
- an outage category where no outage is known: a signal; the ``fault_reports``-th signal of an area and
  utility within ``fault_minutes`` raises one suspected-outage suggestion (not a second while it is open).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.org.refs import org
from huiyin.outages.models import OutageReport, OutageSignal, OutageSuggestion
from huiyin.outages.refs import LiveOutage, live_outages
from huiyin.outages.service import MASTER_CONTEXT
from huiyin.outages.states import UTILITY_NAMES_ZH
from huiyin.settings import OutageSettings
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks, Route
from huiyin.workorders.service import get_category

_MATCH = "outages.match"  # session.info: what the registered listener found, for the router


def utility_of(code: str, settings: OutageSettings) -> tuple[str | None, bool]:
    """(the utility, whether it is one of its outage categories) of a repair category's code."""
    for utility, codes in settings.merge_categories.items():
        if code in codes:
            return utility, True
    for utility, prefix in settings.near_prefixes.items():
        if code.startswith(prefix):
            return utility, False
    return None, False


def _covering(outages: Sequence[LiveOutage], utility: str) -> list[LiveOutage]:
    return [o for o in outages if o.utility == utility]


def on_registered(settings: OutageSettings) -> Any:
    def listener(change: OrderChange) -> None:
        session, order = change.session, change.order
        session.info.pop(_MATCH, None)
        if order.type != "repair" or order.area_id is None or MASTER_CONTEXT in change.context:
            return
        code = get_category(session, order.category_id).code
        utility, exact = utility_of(code, settings)
        if utility is None:
            return
        at = now()
        snap = live_outages(session)  # in memory: no query on the registration's path
        outages = _covering(snap.in_area(order.area_id), utility)
        active = [o for o in outages if o.active_at(at)]
        if exact and active:
            session.info[_MATCH] = (order.id, active[0])  # the router merges it
            return
        near = outages[0] if outages else None
        if near is None and exact:
            near = snap.restored_since(order.area_id, utility, at - timedelta(hours=settings.near_hours))
        with session.no_autoflush:  # the new order is written once, at the end (``do_register``)
            if near is not None:
                _suggest_near(session, order.id, order.area_id, utility, near.id, at)
            elif exact:
                _signal(session, order.id, order.area_id, utility, at, settings)

    return listener


def _suggest_near(session: Session, order_id: int, area_id: int, utility: str, outage_id: int, at: datetime) -> None:
    area = org(session).areas.get(area_id)
    text = f"疑似与停供事件 #{outage_id} 相关：{area.name if area else ''}报修 1 起，请研判是否并单"
    session.add(
        OutageSuggestion(
            kind="near",
            state="open",
            utility=utility,
            area_id=area_id,
            outage_id=outage_id,
            order_ids=[order_id],
            text=text,
            created_at=at,
        )
    )


_SIGNALS_SINCE = Prebuilt(
    select(func.count())
    .select_from(OutageSignal)
    .where(
        OutageSignal.area_id == bindparam("area_id"),
        OutageSignal.utility == bindparam("utility"),
        OutageSignal.at >= bindparam("since"),
    )
)
_ADD_SIGNAL = Prebuilt(
    insert(OutageSignal).values(
        order_id=bindparam("order_id"), area_id=bindparam("area_id"), utility=bindparam("utility"), at=bindparam("at")
    )
)


def _signal(
    session: Session, order_id: int, area_id: int, utility: str, at: datetime, settings: OutageSettings
) -> None:
    """A report with no known outage; the N-th of its area within M minutes raises one suggestion. On the
    registration's path, so on the fast path (``core.fastsql``): a count and an insert, prebuilt."""
    since = at - timedelta(minutes=settings.fault_minutes)
    key = {"area_id": area_id, "utility": utility}
    count = int(_SIGNALS_SINCE.scalar(session, {**key, "since": since}) or 0) + 1  # with this one
    _ADD_SIGNAL.execute(session, {**key, "order_id": order_id, "at": at})
    if count < settings.fault_reports:
        return

    def same(x: object) -> bool:
        return isinstance(x, OutageSuggestion) and (x.kind, x.state, x.area_id, x.utility) == (
            "fault",
            "open",
            area_id,
            utility,
        )

    pending = [x for x in session.new if same(x)]  # raised earlier in this very transaction (not flushed)
    open_one = (
        pending[0]
        if pending
        else session.scalar(
            select(OutageSuggestion)
            .where(
                OutageSuggestion.kind == "fault",
                OutageSuggestion.state == "open",
                OutageSuggestion.area_id == area_id,
                OutageSuggestion.utility == utility,
            )
            .with_for_update()
        )
    )
    if open_one is not None:  # raised already: the new report joins it
        open_one.order_ids = [*open_one.order_ids, order_id]
        return
    with session.no_autoflush:
        ids = list(
            session.scalars(
                select(OutageSignal.order_id)
                .where(OutageSignal.area_id == area_id, OutageSignal.utility == utility, OutageSignal.at >= since)
                .order_by(OutageSignal.order_id)
            )
        )
    area = org(session).areas.get(area_id)
    what = UTILITY_NAMES_ZH.get(utility, "停供")
    text = f"疑似{what}：{area.name if area else ''} {settings.fault_minutes} 分钟内 {count} 起无{what[1:]}报修"
    session.add(
        OutageSuggestion(
            kind="fault",
            state="open",
            utility=utility,
            area_id=area_id,
            order_ids=sorted({*ids, order_id}),
            text=text,
            created_at=at,
        )
    )


def route(change: OrderChange) -> Route | None:
    found = change.session.info.pop(_MATCH, None)
    if found is None or found[0] != change.order.id:
        return None
    outage: LiveOutage = found[1]
    what = UTILITY_NAMES_ZH.get(outage.utility, "停供")
    return Route(
        master_order_id=outage.master_order_id or 0,
        note=f"已并入{what}事件 #{outage.id}",
        data={"system": "outage", "outage_id": outage.id},
    )


def on_merged(change: OrderChange) -> None:
    """The merge's link (by the router or by hand: the event names the outage)."""
    data = change.event.data if change.event is not None else {}
    outage_id = (data or {}).get("outage_id")
    if outage_id is None:
        return
    o = change.order
    change.session.add(
        OutageReport(
            order_id=o.id,
            outage_id=int(outage_id),
            customer_id=o.customer_id,
            contact_phone=o.contact_phone,
            auto=change.actor is None,
            merged_at=now(),
        )
    )


def on_unmerged(change: OrderChange) -> None:
    found = change.session.get(OutageReport, change.order.id)
    if found is not None:
        change.session.delete(found)


_REPORTS_OF = Prebuilt(
    select(OutageReport.order_id, OutageReport.outage_id).where(ids_in(OutageReport.order_id, "ids"))
)


def merged_view(session: Session, order_ids: Sequence[int], at: datetime) -> dict[int, dict[str, Any]]:
    """``outage_id`` of each merged report (asked only for orders with ``merged_into``: one prebuilt query)."""
    del at
    return {order_id: {"outage_id": outage_id} for order_id, outage_id in _REPORTS_OF.rows(session, {"ids": order_ids})}


def master_view(session: Session, order_ids: Sequence[int], at: datetime) -> dict[int, dict[str, Any]]:
    """``outage_id`` of a live (or lately restored) outage's master order: from the snapshot, no query."""
    del at
    snap = live_outages(session)
    masters = {o.master_order_id: o.id for o in (*snap.outages, *snap.restored) if o.master_order_id is not None}
    return {i: {"outage_id": masters[i]} for i in order_ids if i in masters}


def _is_merged(order: Any) -> bool:
    return getattr(order, "merged_into", None) is not None


def subscribe(hooks: OrderHooks, settings: OutageSettings) -> None:
    hooks.on_many(
        "outages",
        {Moment.registered: on_registered(settings), Moment.merged: on_merged, Moment.unmerged: on_unmerged},
    )
    hooks.router("outages", route)
    hooks.view("outages-master", master_view, types={"repair"})
    hooks.view("outages-merged", merged_view, when=_is_merged)
