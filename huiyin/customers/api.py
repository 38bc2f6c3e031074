"""Customer look-up for the center; creation and edits by agents and managers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, require_roles
from huiyin.core.phones import mask_phone
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import Instant, PathId, QueryId
from huiyin.customers import reveals, service
from huiyin.customers.schemas import (
    CustomerCreate,
    CustomerPublic,
    CustomersPublic,
    CustomerUpdate,
    PhoneRevealPublic,
    PhoneRevealsPublic,
    RevealedPhones,
)
from huiyin.org.service import check_area_ref

router = APIRouter(tags=["customers"])
CenterUser = Annotated[SignedIn, Depends(require_roles(*CENTER, Role.admin))]
EditorUser = Annotated[SignedIn, Depends(require_roles(Role.agent, Role.admin, *MANAGERS))]
AuditReader = Annotated[SignedIn, Depends(require_roles(Role.admin))]  # as the sign-in audit (用户与角色)


def masked(customer: object) -> CustomerPublic:
    """A customer as the API shows it: every number masked (``reveal_phones`` shows them, audited)."""
    public = CustomerPublic.model_validate(customer)
    public.phones = [mask_phone(p) for p in public.phones]
    return public


@router.get("/customers", operation_id="customers-search")
async def search_customers(
    session: SessionDep,
    _: CenterUser,
    q: Annotated[str, Query(min_length=1, max_length=100)],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> CustomersPublic:
    found = service.search_customers(session, q, limit)
    return CustomersPublic(items=[masked(c) for c in found], total=len(found))


@router.get("/customers/{customer_id}", operation_id="customers-get")
async def get_customer(customer_id: PathId, session: SessionDep, _: CenterUser) -> CustomerPublic:
    return masked(service.get_customer(session, customer_id))


@router.post("/customers", status_code=201, operation_id="customers-create")
async def create_customer(body: CustomerCreate, session: SessionDep, _: EditorUser) -> CustomerPublic:
    if body.area_id is not None:
        check_area_ref(session, body.area_id)
    customer = service.do_create_customer(session, **body.model_dump())
    return masked(customer)


@router.patch("/customers/{customer_id}", operation_id="customers-update")
async def update_customer(
    customer_id: PathId, body: CustomerUpdate, session: SessionDep, user: EditorUser
) -> CustomerPublic:
    customer = service.get_customer(session, customer_id)
    fields = body.model_dump(exclude_unset=True)
    if fields.get("area_id") is not None:
        check_area_ref(session, fields["area_id"])
    if fields.get("phones") is not None:
        have = customer.phones
        service.do_set_phones(customer, [reveals.unmask(have, p, field="phones") for p in fields.pop("phones")])
    if fields.get("tags") is not None:
        service.check_tag_change(user, customer.tags, fields["tags"])
        service.do_set_tags(customer, fields.pop("tags"))
    for key in ("name", "address", "meter_no", "area_id"):
        if key in fields and (fields[key] is not None or key in ("meter_no", "area_id")):
            setattr(customer, key, fields[key])
    session.flush()
    return masked(customer)


@router.post("/customers/{customer_id}/phones/reveal", operation_id="customers-reveal_phones")
async def reveal_phones(customer_id: PathId, session: SessionDep, user: CenterUser) -> RevealedPhones:
    """A customer's numbers whole (显示号码): recorded in the reveal audit (who, which customer, when)."""
    customer = service.get_customer(session, customer_id)
    shown = reveals.do_reveal(
        session,
        user_id=user.id,
        subject="customer",
        subject_id=customer.id,
        customer_id=customer.id,
        numbers=customer.phones,
    )
    return RevealedPhones(phones=shown)


@router.get("/phone-reveals", operation_id="customers-phone_reveals")
async def phone_reveals(
    session: SessionDep,
    _: AuditReader,
    customer_id: QueryId = None,
    user_id: QueryId = None,
    since: Instant | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> PhoneRevealsPublic:
    """号码查看记录: who was shown which customer's number whole, through which record, newest first."""
    rows = reveals.reveals(session, customer_id=customer_id, user_id=user_id, since=since, limit=limit)
    return PhoneRevealsPublic(items=[PhoneRevealPublic.model_validate(r) for r in rows], total=len(rows))
