"""Units and areas: the tree, subtree look-ups, and the checks behind the admin screens."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.org.models import Area, Staff, Unit
from huiyin.org.refs import org

UNIT_KINDS = ("company", "branch", "station")
AREA_TYPES = ("urban", "rural", "remote")


def get_unit(session: Session, unit_id: int) -> Unit:
    unit = session.get(Unit, unit_id)
    if unit is None:
        raise NotFound(f"unit {unit_id} does not exist", code="org.no_unit")
    return unit


def check_unit_ref(session: Session, unit_id: int) -> Unit:
    """A unit named inside a request body: unknown or inactive is a 422, not a 404."""
    unit = session.get(Unit, unit_id)
    if unit is None or not unit.is_active:
        raise Invalid(f"unit {unit_id} does not exist or is inactive", code="org.unit_unavailable")
    return unit


def get_area(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(f"area {area_id} does not exist", code="org.no_area")
    return area


def area_type(session: Session, area_id: int) -> str | None:
    """urban, rural or remote (what SLA policies may match on); None for an unknown id."""
    area = session.get(Area, area_id)
    return area.area_type if area is not None else None


def check_area_ref(session: Session, area_id: int) -> Area:
    area = session.get(Area, area_id)
    if area is None:
        raise Invalid(f"area {area_id} does not exist", code="org.area_unknown")
    return area


def subtree_ids(session: Session, unit_id: int) -> list[int]:
    """The unit and every unit below it (from the units the process keeps: ``org.refs``); an unknown unit
    is a 422."""
    ids = org(session).subtree(unit_id)
    if not ids:
        raise Invalid(f"unit {unit_id} does not exist", code="org.unit_unknown")
    return ids


def check_unit_code_free(session: Session, code: str, *, except_id: int | None = None) -> None:
    found = session.scalar(select(Unit.id).where(Unit.code == code))
    if found is not None and found != except_id:
        raise Conflict(f"unit code {code!r} is taken", code="org.unit_code_taken", unit_code=code)


def do_create_unit(
    session: Session, code: str, name: str, kind: str, parent_id: int | None, phone: str | None = None
) -> Unit:
    check_unit_code_free(session, code)
    parent = check_unit_ref(session, parent_id) if parent_id is not None else None
    unit = Unit(code=code, name=name, kind=kind, parent_id=parent_id, phone=phone)
    session.add(unit)
    session.flush()
    unit.path = f"{parent.path if parent else '/'}{unit.id}/"
    return unit


def do_move_unit(session: Session, unit: Unit, parent_id: int | None) -> None:
    """Re-parents a unit and rewrites the paths of its whole subtree."""
    parent = check_unit_ref(session, parent_id) if parent_id is not None else None
    if parent is not None and parent.path.startswith(unit.path):
        raise Invalid("a unit cannot move under itself or its own sub-unit", code="org.move_under_itself")
    old = unit.path
    new = f"{parent.path if parent else '/'}{unit.id}/"
    for u in session.scalars(select(Unit).where(Unit.path.startswith(old))):
        u.path = new + u.path[len(old) :]
    unit.parent_id = parent_id


def check_area_code_free(session: Session, code: str, *, except_id: int | None = None) -> None:
    found = session.scalar(select(Area.id).where(Area.code == code))
    if found is not None and found != except_id:
        raise Conflict(f"area code {code!r} is taken", code="org.area_code_taken", area_code=code)


def do_create_area(session: Session, code: str, name: str, area_type: str, unit_id: int, district: str = "") -> Area:
    check_area_code_free(session, code)
    check_unit_ref(session, unit_id)
    area = Area(code=code, name=name, area_type=area_type, unit_id=unit_id, district=district)
    session.add(area)
    session.flush()
    return area


def check_staff_refs(session: Session, ids: Sequence[int], *, field: str = "responsible_staff_ids") -> list[Staff]:
    """These people, each once, in the order given; 422 (on ``field``) naming the ids that are not staff."""
    wanted = list(dict.fromkeys(ids))
    found = {p.id: p for p in session.scalars(select(Staff).where(Staff.id.in_(wanted)))} if wanted else {}
    missing = [i for i in wanted if i not in found]
    if missing:
        raise Invalid(f"no staff with id {missing}", code="org.no_staff_ids", field=field)
    return [found[i] for i in wanted]


def unit_head(session: Session, unit_id: int) -> Staff | None:
    """The unit's head (负责人), who shares responsibility for its staff's valid complaints (连带责任)."""
    stmt = select(Staff).where(Staff.unit_id == unit_id, Staff.post == "head", Staff.is_active.is_(True))
    return session.scalar(stmt.order_by(Staff.id).limit(1))


def get_staff(session: Session, staff_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if person is None:
        raise NotFound(f"staff {staff_id} does not exist", code="org.no_staff")
    return person


def active_staff(session: Session) -> list[Staff]:
    """Every active staff member, by id."""
    return list(session.scalars(select(Staff).where(Staff.is_active.is_(True)).order_by(Staff.id)))


def staff_of_users(session: Session, user_ids: Sequence[int]) -> dict[int, Staff]:
    """The active staff record of each of these users (a staff member who also signs in), by user id."""
    if not user_ids:
        return {}
    stmt = select(Staff).where(Staff.user_id.in_(list(user_ids)), Staff.is_active.is_(True)).order_by(Staff.id)
    return {p.user_id: p for p in session.scalars(stmt) if p.user_id is not None}


def staff_by_ids(session: Session, ids: Sequence[int]) -> dict[int, Staff]:
    """These staff records, by id (ids that name nobody are left out)."""
    wanted = list(dict.fromkeys(ids))
    return {p.id: p for p in session.scalars(select(Staff).where(Staff.id.in_(wanted)))} if wanted else {}
