"""The organisation as the process keeps it (``core.refcache``): units and areas, frozen."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.core.refcache import Snapshot, refs
from huiyin.errors import Invalid
from huiyin.org.models import Area, Unit


@dataclass(frozen=True)
class UnitRef:
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    is_active: bool


@dataclass(frozen=True)
class AreaRef:
    id: int
    code: str
    name: str
    area_type: str
    unit_id: int
    is_active: bool


@dataclass(frozen=True)
class Org:
    units: dict[int, UnitRef]
    areas: dict[int, AreaRef]

    def subtree(self, unit_id: int) -> list[int]:
        """The unit and every unit below it (by the materialised path), by id; empty for an unknown unit."""
        top = self.units.get(unit_id)
        if top is None:
            return []
        return sorted(u.id for u in self.units.values() if u.path.startswith(top.path))


def _load(session: Session) -> Org:
    units = session.execute(
        select(Unit.id, Unit.code, Unit.name, Unit.kind, Unit.parent_id, Unit.path, Unit.is_active)
    ).all()
    areas = session.execute(select(Area.id, Area.code, Area.name, Area.area_type, Area.unit_id, Area.is_active)).all()
    return Org({u[0]: UnitRef(*u) for u in units}, {a[0]: AreaRef(*a) for a in areas})


ORG = Snapshot("org", _load, frozenset({"units", "areas"}))


def org(session: Session) -> Org:
    return refs(session, ORG)


def unit_ref(session: Session, unit_id: int) -> UnitRef | None:
    return org(session).units.get(unit_id)


def area_ref(session: Session, area_id: int) -> AreaRef | None:
    return org(session).areas.get(area_id)


def check_unit(session: Session, unit_id: int) -> UnitRef:
    """A unit named inside a request body: unknown or inactive is a 422, not a 404."""
    unit = unit_ref(session, unit_id)
    if unit is None or not unit.is_active:
        raise Invalid(f"unit {unit_id} does not exist or is inactive", code="org.unit_unavailable")
    return unit


def check_area(session: Session, area_id: int) -> AreaRef:
    area = area_ref(session, area_id)
    if area is None:
        raise Invalid(f"area {area_id} does not exist", code="org.area_unknown")
    return area
