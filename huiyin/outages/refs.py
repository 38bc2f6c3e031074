"""The live outages (announced or active) as each process keeps them (``core.refcache``): every registration
asks whether a report falls inside one, every IVR route and screen pop whether the caller's area has one. They
change a few times a day; the snapshot is reloaded when they do."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.refcache import Snapshot, refs
from huiyin.outages.models import Outage, OutageArea
from huiyin.outages.states import LIVE, OutageState


@dataclass(frozen=True)
class LiveOutage:
    id: int
    kind: str
    utility: str
    state: str
    cause: str
    scope: str
    starts_at: datetime
    eta: datetime | None
    master_order_id: int | None
    unit_id: int | None
    ended_at: datetime | None
    area_ids: frozenset[int]

    def active_at(self, at: datetime) -> bool:
        """Active, or announced and begun (a planned outage whose start has come before anyone activated it)."""
        return self.state == OutageState.active or (self.state == OutageState.announced and self.starts_at <= at)


RECENT = timedelta(hours=48)
"""Restored outages are kept this long after their end (a report soon after is a near match)."""


@dataclass(frozen=True)
class LiveOutages:
    outages: tuple[LiveOutage, ...]
    by_area: dict[int, tuple[LiveOutage, ...]]
    restored: tuple[LiveOutage, ...] = ()  # restored within ``RECENT`` of the load, latest end first

    def in_area(self, area_id: int | None) -> tuple[LiveOutage, ...]:
        return self.by_area.get(area_id, ()) if area_id is not None else ()

    def restored_since(self, area_id: int, utility: str, since: datetime) -> LiveOutage | None:
        """The latest outage of ``utility`` over ``area_id`` restored at or after ``since``."""
        for o in self.restored:
            if o.utility == utility and area_id in o.area_ids and o.ended_at is not None and o.ended_at >= since:
                return o
        return None


def _load(session: Session) -> LiveOutages:
    live = sorted(s.value for s in LIVE)
    rows = session.execute(
        select(
            Outage.id,
            Outage.kind,
            Outage.utility,
            Outage.state,
            Outage.cause,
            Outage.scope,
            Outage.starts_at,
            Outage.eta,
            Outage.master_order_id,
            Outage.unit_id,
            Outage.ended_at,
        )
        .where(
            or_(
                Outage.state.in_(live),
                and_(Outage.state == OutageState.restored.value, Outage.ended_at >= now() - RECENT),
            )
        )
        .order_by(Outage.starts_at, Outage.id)
    ).all()
    areas: dict[int, set[int]] = {}
    if rows:
        ids = [r.id for r in rows]
        for outage_id, area_id in session.execute(
            select(OutageArea.outage_id, OutageArea.area_id).where(OutageArea.outage_id.in_(ids))
        ):
            areas.setdefault(outage_id, set()).add(area_id)
    every = [LiveOutage(**r._mapping, area_ids=frozenset(areas.get(r.id, ()))) for r in rows]
    outages = tuple(o for o in every if o.state in live)
    restored = sorted((o for o in every if o.state not in live), key=lambda o: o.ended_at or o.starts_at, reverse=True)
    by_area: dict[int, list[LiveOutage]] = {}
    for o in outages:
        for a in o.area_ids:
            by_area.setdefault(a, []).append(o)
    return LiveOutages(outages, {a: tuple(v) for a, v in by_area.items()}, tuple(restored))


OUTAGES = Snapshot("outages", _load, frozenset({"outages", "outage_areas"}))


def live_outages(session: Session) -> LiveOutages:
    return refs(session, OUTAGES)
