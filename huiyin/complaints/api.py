"""Complaint endpoints: the verdict (定责) on a complaint order, its history, the root causes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from huiyin.clock import now
from huiyin.complaints import figures, service
from huiyin.complaints.schemas import (
    ActionDoneIn,
    ActionRowPublic,
    ActionsPublic,
    AnalysisPublic,
    AnalysisRow,
    ByMonthPublic,
    MonthCellPublic,
    RatePublic,
    RatesPublic,
    RootCausePublic,
    RootCausesPublic,
    SummaryPublic,
    VerdictIn,
    VerdictPublic,
    VerdictsPublic,
)
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import FromDay, PathId, ToDay, check_period
from huiyin.org.refs import org
from huiyin.org.service import check_staff_refs
from huiyin.workorders.schemas import WorkOrderDetail
from huiyin.workorders.service import get_visible_order, order_numbers, visible_unit_ids
from huiyin.workorders.views import order_detail

router = APIRouter(tags=["complaints"])


@router.post("/work-orders/{order_id}/verdict", operation_id="complaints-verdict")
async def give_verdict(
    order_id: PathId, body: VerdictIn, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> WorkOrderDetail:
    """定责: validity, stage, the responsible unit and staff (the unit's head shares responsibility), the root
    cause, a corrective action. The first from the handling unit or a manager; a change (a review) only from
    a supervisor or director, with ``review_reason``; every one kept, each in the timeline."""
    order = get_visible_order(session, user, order_id, lock=True)
    complaint = service.get_complaint(session, order.id, lock=True)
    at = now()
    verdict = service.check_verdict(session, user, complaint, body.model_dump(), at)
    service.do_verdict(session, user, order, complaint, verdict, at, settings.complaints)
    return order_detail(session, user, order)


@router.get("/work-orders/{order_id}/verdicts", operation_id="complaints-verdicts")
async def list_verdicts(order_id: PathId, session: SessionDep, user: CurrentUser) -> VerdictsPublic:
    """Every verdict given on the complaint, the first first (a review keeps the one it changed)."""
    get_visible_order(session, user, order_id)
    return VerdictsPublic(items=[VerdictPublic.model_validate(v) for v in service.verdicts(session, order_id)])


AnalysisReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]


By = Literal["stage", "staff", "unit", "root_cause", "area"]


def _analysis(session: SessionDep, tz: str, by: str, from_: date | None, to: date | None) -> AnalysisPublic:
    first, last = check_period(tz, from_, to)
    tallies = figures.analysis(session, by=by, first=first, last=last)
    names = figures.names_of(session, by, [t.key for t in tallies])
    items = [
        AnalysisRow(
            key=t.key,
            name=names.get(t.key),
            complaints=t.complaints,
            valid=t.valid,
            invalid=t.invalid,
            pending=t.pending,
        )
        for t in tallies
    ]
    return AnalysisPublic.model_validate({"items": items, "by": by, "from": first, "to": last})


@router.get("/complaints/analysis", operation_id="complaints-analysis")
async def complaint_analysis(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: By = "stage",
    from_: FromDay = None,
    to: ToDay = None,
) -> AnalysisPublic:
    """Complaints registered in the period by disputed stage, staff member, responsible unit, root cause or
    service area: how many, how many valid, invalid, still without a verdict; most complaints first (the
    root-cause Pareto and the complaint-prone staff, top N, read it in this order)."""
    return _analysis(session, settings.timezone, by, from_, to)


BY_NAMES = {"stage": "环节", "staff": "责任人", "unit": "责任单位", "root_cause": "根本原因", "area": "服务区域"}


@router.get(
    "/complaints/analysis/export",
    operation_id="complaints-analysis_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same analysis as an Excel workbook"}},
)
async def complaint_analysis_export(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: By = "stage",
    from_: FromDay = None,
    to: ToDay = None,
) -> Response:
    """``GET /complaints/analysis`` (same parameters) as an .xlsx workbook, with each row's cumulative share."""
    a = _analysis(session, settings.timezone, by, from_, to)
    total = sum(r.complaints for r in a.items)
    running = 0
    rows = []
    for r in a.items:
        running += r.complaints
        rows.append([r.name or r.key or "未定责", r.complaints, r.valid, r.invalid, r.pending, running / total])
    columns = [
        xlsx.Column(BY_NAMES[by], 20),
        xlsx.Column("投诉数", 10),
        xlsx.Column("有效", 8),
        xlsx.Column("无效", 8),
        xlsx.Column("待定责", 8),
        xlsx.Column("累计占比", 10, percent=True),
    ]
    data = xlsx.workbook(
        "投诉分析",
        f"投诉分析（按{BY_NAMES[by]}）",
        columns,
        rows,
        notes=[f"统计期间：{a.from_} 至 {a.to}（按登记日）"],
        total=[
            "合计",
            total,
            sum(r.valid for r in a.items),
            sum(r.invalid for r in a.items),
            sum(r.pending for r in a.items),
            None,
        ],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"投诉分析_{by}_{a.from_}_{a.to}.xlsx"))


@router.get("/complaints/summary", operation_id="complaints-summary")
async def complaint_summary(
    session: SessionDep, settings: SettingsDep, _: AnalysisReader, from_: FromDay = None, to: ToDay = None
) -> SummaryPublic:
    """The period's complaints in all: valid, invalid, pending, repeats, 有效投诉占比 and the average time to a
    verdict."""
    first, last = check_period(settings.timezone, from_, to)
    s = figures.summary(session, first=first, last=last)
    return SummaryPublic.model_validate(
        {
            "from": first,
            "to": last,
            "complaints": s.complaints,
            "valid": s.valid,
            "invalid": s.invalid,
            "pending": s.pending,
            "repeats": s.repeats,
            "valid_share": s.valid_share,
            "hours_to_verdict": s.hours_to_verdict,
        }
    )


@router.get("/complaints/by-month", operation_id="complaints-by_month")
async def complaints_by_month(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: By = "stage",
    from_: FromDay = None,
    to: ToDay = None,
) -> ByMonthPublic:
    """投诉易发环节: complaints by stage (or root cause, unit, area, staff) and month of registration."""
    first, last = check_period(settings.timezone, from_, to)
    cells = figures.by_month(session, by=by, first=first, last=last)
    names = figures.names_of(session, by, sorted({c.key for c in cells}))
    items = [
        MonthCellPublic(key=c.key, name=names.get(c.key), month=c.month, complaints=c.complaints, valid=c.valid)
        for c in cells
    ]
    return ByMonthPublic.model_validate({"items": items, "by": by, "from": first, "to": last})


def _rates(session: SessionDep, tz: str, by: str, from_: date | None, to: date | None) -> RatesPublic:
    first, last = check_period(tz, from_, to)
    rows = figures.rates(session, by=by, first=first, last=last)
    names = figures.names_of(session, by, [r.key for r in rows])
    items = [
        RatePublic(
            key=r.key,
            name=names.get(r.key),
            complaints=r.complaints,
            valid=r.valid,
            customers=r.customers,
            per_10k_month=r.per_10k_month,
            valid_per_10k_month=r.valid_per_10k_month,
        )
        for r in rows
    ]
    months = round(((last - first).days + 1) / figures.MONTH_DAYS, 2)
    return RatesPublic.model_validate({"items": items, "by": by, "from": first, "to": last, "months": months})


@router.get("/complaints/rates", operation_id="complaints-rates")
async def complaint_rates(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: Literal["unit", "area"] = "unit",
    from_: FromDay = None,
    to: ToDay = None,
) -> RatesPublic:
    """投诉率: complaints per 10,000 customers per month, by station (the customers of its areas) or by service
    area, highest first."""
    return _rates(session, settings.timezone, by, from_, to)


@router.get(
    "/complaints/rates/export",
    operation_id="complaints-rates_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same rates as an Excel workbook"}},
)
async def complaint_rates_export(
    session: SessionDep,
    settings: SettingsDep,
    _: AnalysisReader,
    by: Literal["unit", "area"] = "unit",
    from_: FromDay = None,
    to: ToDay = None,
) -> Response:
    """``GET /complaints/rates`` as an .xlsx workbook."""
    r = _rates(session, settings.timezone, by, from_, to)
    columns = [
        xlsx.Column("单位" if by == "unit" else "服务区域", 20),
        xlsx.Column("客户数", 10),
        xlsx.Column("投诉数", 10),
        xlsx.Column("有效投诉", 10),
        xlsx.Column("万户月投诉率", 12),
        xlsx.Column("万户月有效投诉率", 14),
    ]
    rows = [
        [i.name or i.key, i.customers, i.complaints, i.valid, i.per_10k_month, i.valid_per_10k_month] for i in r.items
    ]
    data = xlsx.workbook(
        "投诉率",
        "投诉率（每万户每月）",
        columns,
        rows,
        notes=[f"统计期间：{r.from_} 至 {r.to}（{r.months} 个月）", "投诉率 = 投诉数 ÷ 客户数 × 10000 ÷ 月数"],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"投诉率_{by}_{r.from_}_{r.to}.xlsx"))


@router.get("/complaints/root-causes", operation_id="complaints-root_causes")
async def list_root_causes(session: SessionDep, _: CurrentUser) -> RootCausesPublic:
    return RootCausesPublic(items=[RootCausePublic.model_validate(c) for c in service.root_causes(session)])


@router.post("/work-orders/{order_id}/action-done", operation_id="complaints-action_done")
async def action_done(order_id: PathId, body: ActionDoneIn, session: SessionDep, user: CurrentUser) -> WorkOrderDetail:
    """整改完成: the corrective action's result; its deadline is met (late or not, the timeline says)."""
    order = get_visible_order(session, user, order_id, lock=True)
    complaint = service.get_complaint(session, order.id, lock=True)
    service.check_action_done(user, complaint)
    service.do_action_done(session, user, order, complaint, body.result, now())
    return order_detail(session, user, order)


DeskUser = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.unit_handler, Role.qa_inspector, Role.admin))]


@router.get("/complaints/actions", operation_id="complaints-actions")
async def corrective_actions(
    session: SessionDep,
    user: DeskUser,
    state: Literal["open", "overdue", "done"] = "open",
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> ActionsPublic:
    """The complaint desk's corrective actions (整改): open ones soonest due first, the overdue ones, or the
    ones done, latest first. A unit handler sees those of their own units."""
    at = now()
    rows = service.corrective_actions(
        session, state=state, at=at, unit_ids=visible_unit_ids(session, user), limit=limit
    )
    numbers = order_numbers(session, [r.order_id for r in rows])
    owners = {p.id: p.name for p in check_staff_refs(session, [r.action_owner_id for r in rows if r.action_owner_id])}
    units = org(session).units
    items = [
        ActionRowPublic(
            order_id=r.order_id,
            number=numbers.get(r.order_id),
            grade=r.grade,
            action=r.action,
            action_due=r.action_due,
            overdue=r.action_done_at is None and r.action_due < at,
            action_owner_id=r.action_owner_id,
            owner_name=owners.get(r.action_owner_id or 0),
            responsible_unit_id=r.responsible_unit_id,
            unit_name=units[r.responsible_unit_id].name if r.responsible_unit_id in units else None,
            action_done_at=r.action_done_at,
            action_result=r.action_result,
        )
        for r in rows
    ]
    return ActionsPublic(items=items)


@router.get(
    "/complaints/actions/export",
    operation_id="complaints-actions_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same actions as an Excel workbook"}},
)
async def corrective_actions_export(
    session: SessionDep,
    settings: SettingsDep,
    user: DeskUser,
    state: Literal["open", "overdue", "done"] = "open",
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Response:
    """``GET /complaints/actions`` as an .xlsx workbook (times in the centre's time zone)."""
    listed = await corrective_actions(session, user, state, limit)
    tz = settings.timezone

    def local(t: datetime | None) -> str:
        return xlsx.local_time(t, tz)

    grades = {"general": "一般", "major": "较大", "serious": "重大"}
    columns = [
        xlsx.Column("工单号", 20),
        xlsx.Column("等级", 6),
        xlsx.Column("整改措施", 30),
        xlsx.Column("责任单位", 16),
        xlsx.Column("整改责任人", 10),
        xlsx.Column("应完成", 16),
        xlsx.Column("超期", 6),
        xlsx.Column("完成时间", 16),
        xlsx.Column("整改结果", 30),
    ]
    cells = [
        [
            a.number or str(a.order_id),
            grades.get(a.grade, a.grade),
            a.action,
            a.unit_name or "",
            a.owner_name or "",
            local(a.action_due),
            "是" if a.overdue else "",
            local(a.action_done_at),
            a.action_result or "",
        ]
        for a in listed.items
    ]
    titles = {"open": "待整改", "overdue": "已超期", "done": "已完成"}
    data = xlsx.workbook(
        "投诉整改", f"投诉整改（{titles[state]}）", columns, cells, notes=[f"导出时间：{local(now())}"]
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"投诉整改_{titles[state]}.xlsx"))
