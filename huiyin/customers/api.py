"""Customer look-up for the center; creation and edits by agents and managers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, require_roles
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import PathId
from huiyin.customers import service
from huiyin.customers.schemas import CustomerCreate, CustomerPublic, CustomersPublic, CustomerUpdate
from huiyin.org.service import check_area_ref

router = APIRouter(tags=["customers"])
CenterUser = Annotated[SignedIn, Depends(require_roles(*CENTER, Role.admin))]
EditorUser = Annotated[SignedIn, Depends(require_roles(Role.agent, Role.admin, *MANAGERS))]


@router.get("/customers", operation_id="customers-search")
async def search_customers(
    session: SessionDep,
    _: CenterUser,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CustomersPublic:
    found = service.search_customers(session, q, limit)
    return CustomersPublic(items=[CustomerPublic.model_validate(c) for c in found], total=len(found))


@router.get("/customers/{customer_id}", operation_id="customers-get")
async def get_customer(customer_id: PathId, session: SessionDep, _: CenterUser) -> CustomerPublic:
    return CustomerPublic.model_validate(service.get_customer(session, customer_id))


@router.post("/customers", status_code=201, operation_id="customers-create")
async def create_customer(body: CustomerCreate, session: SessionDep, _: EditorUser) -> CustomerPublic:
    if body.area_id is not None:
        check_area_ref(session, body.area_id)
    customer = service.do_create_customer(session, **body.model_dump())
    return CustomerPublic.model_validate(customer)


@router.patch("/customers/{customer_id}", operation_id="customers-update")
async def update_customer(
    customer_id: PathId, body: CustomerUpdate, session: SessionDep, _: EditorUser
) -> CustomerPublic:
    customer = service.get_customer(session, customer_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("area_id") is not None:
        check_area_ref(session, fields["area_id"])
    if fields.get("phones") is not None:
        service.do_set_phones(customer, fields.pop("phones"))
    if fields.get("tags") is not None:
        service.do_set_tags(customer, fields.pop("tags"))
    for key in ("name", "address", "meter_no", "area_id"):
        if key in fields and (fields[key] is not None or key in ("meter_no", "area_id")):
            setattr(customer, key, fields[key])
    session.flush()
    return CustomerPublic.model_validate(customer)
