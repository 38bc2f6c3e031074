"""Units and areas: readable by every signed-in user, written by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from sqlalchemy import select

from huiyin.core.actor import SignedIn
from huiyin.core.deps import AdminUser, CurrentUser, SessionDep, require_roles
from huiyin.core.roles import Role
from huiyin.core.schemas import PathId, QueryId
from huiyin.org import service
from huiyin.org.models import Area, Staff, Unit
from huiyin.org.schemas import (
    AreaCreate,
    AreaPublic,
    AreasPublic,
    AreaUpdate,
    StaffCreate,
    StaffListPublic,
    StaffPublic,
    StaffUpdate,
    UnitCreate,
    UnitPublic,
    UnitsPublic,
    UnitUpdate,
)

router = APIRouter(tags=["org"])


@router.get("/units", operation_id="org-list_units")
async def list_units(session: SessionDep, _: CurrentUser) -> UnitsPublic:
    units = session.scalars(select(Unit).order_by(Unit.path)).all()
    return UnitsPublic(items=[UnitPublic.model_validate(u) for u in units], total=len(units))


@router.get("/units/{unit_id}", operation_id="org-get_unit")
async def get_unit(unit_id: PathId, session: SessionDep, _: CurrentUser) -> UnitPublic:
    return UnitPublic.model_validate(service.get_unit(session, unit_id))


@router.post("/units", status_code=201, operation_id="org-create_unit")
async def create_unit(body: UnitCreate, session: SessionDep, _: AdminUser) -> UnitPublic:
    unit = service.do_create_unit(session, body.code, body.name, body.kind, body.parent_id, body.phone)
    return UnitPublic.model_validate(unit)


@router.patch("/units/{unit_id}", operation_id="org-update_unit")
async def update_unit(unit_id: PathId, body: UnitUpdate, session: SessionDep, _: AdminUser) -> UnitPublic:
    unit = service.get_unit(session, unit_id)
    fields = body.model_dump(exclude_unset=True)
    if "parent_id" in fields:
        service.do_move_unit(session, unit, fields.pop("parent_id"))
    for key, value in fields.items():
        if value is not None:
            setattr(unit, key, value)
    session.flush()
    return UnitPublic.model_validate(unit)


@router.get("/areas", operation_id="org-list_areas")
async def list_areas(session: SessionDep, _: CurrentUser) -> AreasPublic:
    areas = session.scalars(select(Area).order_by(Area.code)).all()
    return AreasPublic(items=[AreaPublic.model_validate(a) for a in areas], total=len(areas))


@router.get("/areas/{area_id}", operation_id="org-get_area")
async def get_area(area_id: PathId, session: SessionDep, _: CurrentUser) -> AreaPublic:
    return AreaPublic.model_validate(service.get_area(session, area_id))


@router.post("/areas", status_code=201, operation_id="org-create_area")
async def create_area(body: AreaCreate, session: SessionDep, _: AdminUser) -> AreaPublic:
    area = service.do_create_area(session, body.code, body.name, body.area_type, body.unit_id, body.district)
    return AreaPublic.model_validate(area)


@router.patch("/areas/{area_id}", operation_id="org-update_area")
async def update_area(area_id: PathId, body: AreaUpdate, session: SessionDep, _: AdminUser) -> AreaPublic:
    area = service.get_area(session, area_id)
    fields = body.model_dump(exclude_unset=True, exclude_none=True)
    if "unit_id" in fields:
        service.check_unit_ref(session, fields["unit_id"])
    for key, value in fields.items():
        setattr(area, key, value)
    session.flush()
    return AreaPublic.model_validate(area)


StaffEditor = Annotated[SignedIn, Depends(require_roles(Role.admin, Role.supervisor))]


@router.get("/staff", operation_id="org-list_staff")
async def list_staff(
    session: SessionDep, _: CurrentUser, unit_id: QueryId = None, active: bool | None = True
) -> StaffListPublic:
    """A unit's people (员工: meter readers, inspectors, repair workers, its head), by name."""
    stmt = select(Staff)
    if unit_id is not None:
        stmt = stmt.where(Staff.unit_id == unit_id)
    if active is not None:
        stmt = stmt.where(Staff.is_active.is_(active))
    people = session.scalars(stmt.order_by(Staff.unit_id, Staff.name, Staff.id)).all()
    return StaffListPublic(items=[StaffPublic.model_validate(p) for p in people], total=len(people))


@router.post("/staff", status_code=201, operation_id="org-create_staff")
async def create_staff(body: StaffCreate, session: SessionDep, _: StaffEditor) -> StaffPublic:
    service.check_unit_ref(session, body.unit_id)
    person = Staff(**body.model_dump(), is_active=True)
    session.add(person)
    session.flush()
    return StaffPublic.model_validate(person)


@router.patch("/staff/{staff_id}", operation_id="org-update_staff")
async def update_staff(staff_id: PathId, body: StaffUpdate, session: SessionDep, _: StaffEditor) -> StaffPublic:
    person = service.get_staff(session, staff_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("unit_id") is not None:
        service.check_unit_ref(session, fields["unit_id"])
    for key, value in fields.items():
        if value is not None or key == "phone":
            setattr(person, key, value)
    session.flush()
    return StaffPublic.model_validate(person)
