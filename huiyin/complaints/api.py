"""Complaint endpoints: the verdict (定责) on a complaint order, its history, the root causes."""

from __future__ import annotations

from fastapi import APIRouter

from huiyin.clock import now
from huiyin.complaints import service
from huiyin.complaints.schemas import RootCausePublic, RootCausesPublic, VerdictIn, VerdictPublic, VerdictsPublic
from huiyin.core.deps import CurrentUser, SessionDep
from huiyin.core.schemas import PathId
from huiyin.workorders.schemas import WorkOrderDetail
from huiyin.workorders.service import get_visible_order
from huiyin.workorders.views import order_detail

router = APIRouter(tags=["complaints"])


@router.post("/work-orders/{order_id}/verdict", operation_id="complaints-verdict")
async def give_verdict(order_id: PathId, body: VerdictIn, session: SessionDep, user: CurrentUser) -> WorkOrderDetail:
    """定责: validity, stage, the responsible unit and staff (the unit's head shares responsibility), the root
    cause, a corrective action. The first from the handling unit or a manager; a change (a review) only from
    a supervisor or director, with ``review_reason``; every one kept, each in the timeline."""
    order = get_visible_order(session, user, order_id, lock=True)
    complaint = service.get_complaint(session, order.id, lock=True)
    at = now()
    verdict = service.check_verdict(session, user, complaint, body.model_dump(), at)
    service.do_verdict(session, user, order, complaint, verdict, at)
    return order_detail(session, user, order)


@router.get("/work-orders/{order_id}/verdicts", operation_id="complaints-verdicts")
async def list_verdicts(order_id: PathId, session: SessionDep, user: CurrentUser) -> VerdictsPublic:
    """Every verdict given on the complaint, the first first (a review keeps the one it changed)."""
    get_visible_order(session, user, order_id)
    return VerdictsPublic(items=[VerdictPublic.model_validate(v) for v in service.verdicts(session, order_id)])


@router.get("/complaints/root-causes", operation_id="complaints-root_causes")
async def list_root_causes(session: SessionDep, _: CurrentUser) -> RootCausesPublic:
    return RootCausesPublic(items=[RootCausePublic.model_validate(c) for c in service.root_causes(session)])
