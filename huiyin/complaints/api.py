"""Complaint endpoints: the verdict (定责) on a complaint order, its history, the root causes."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Query

from huiyin.clock import now
from huiyin.complaints import service
from huiyin.complaints.schemas import (
    AnalysisPublic,
    AnalysisRow,
    RootCausePublic,
    RootCausesPublic,
    VerdictIn,
    VerdictPublic,
    VerdictsPublic,
)
from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import Day, PathId
from huiyin.errors import Invalid
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


AnalysisReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]


@router.get("/complaints/analysis", operation_id="complaints-analysis")
async def complaint_analysis(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: Literal["stage", "staff", "unit", "root_cause"] = "stage",
    from_: Annotated[Day | None, Query(alias="from", description="first day (centre's time zone)")] = None,
    to: Annotated[Day | None, Query(description="last day, inclusive (default: today)")] = None,
) -> AnalysisPublic:
    """Complaints registered in the period by disputed stage, staff member, responsible unit or root cause:
    how many, how many valid, invalid, still without a verdict; most complaints first."""
    zone = ZoneInfo(settings.timezone)
    last = to or now().astimezone(zone).date()
    first = from_ or last - timedelta(days=29)
    if first > last:
        raise Invalid("'from' is after 'to'", field="from")
    tallies = service.analysis(session, by=by, first=first, last=last)
    names = service.names_of(session, by, [t.key for t in tallies])
    items = [
        AnalysisRow(
            key=t.key, name=names.get(t.key), complaints=t.complaints, valid=t.valid, invalid=t.invalid,
            pending=t.pending,
        )
        for t in tallies
    ]
    return AnalysisPublic.model_validate({"items": items, "by": by, "from": first, "to": last})


@router.get("/complaints/root-causes", operation_id="complaints-root_causes")
async def list_root_causes(session: SessionDep, _: CurrentUser) -> RootCausesPublic:
    return RootCausesPublic(items=[RootCausePublic.model_validate(c) for c in service.root_causes(session)])
