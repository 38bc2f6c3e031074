"""The accountability ledger's endpoints (奖惩台账): a praise attributed to staff, the entries, the month's
standings and titles, and the title rules. The points themselves are ``complaints.ledger``'s."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from huiyin.clock import now
from huiyin.complaints import ledger, service
from huiyin.complaints.schemas import (
    CommendationIn,
    CommendationPublic,
    LedgerEntryPublic,
    LedgerPublic,
    StandingPublic,
    StandingsPublic,
    TitleHolderPublic,
    TitlePublic,
    TitleRulePublic,
    TitleRulesPublic,
    TitleRuleUpdate,
    TitlesPublic,
)
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import PathId, QueryId
from huiyin.errors import Forbidden
from huiyin.org.models import POST_NAMES
from huiyin.org.refs import org
from huiyin.org.service import check_staff_refs
from huiyin.workorders.service import get_visible_order, visible_unit_ids

router = APIRouter(tags=["complaints"])


@router.post("/work-orders/{order_id}/commendation", operation_id="complaints-commend")
async def commend(
    order_id: PathId, body: CommendationIn, session: SessionDep, settings: SettingsDep, user: CurrentUser
) -> CommendationPublic:
    """表扬核实: the staff a praise order is for; each gets the praise's reward points in the ledger. Naming
    other staff later reverses the earlier entries. The unit's handler or a manager."""
    order = get_visible_order(session, user, order_id, lock=True)
    if not user.has(*service.ACTION_DOERS):
        raise Forbidden(
            "a praise is attributed by the unit's handler or a manager", code="complaints.commend_not_allowed"
        )
    written = ledger.do_commend(
        session,
        order,
        body.staff_ids,
        settings.complaints,
        by=user.id,
        at=now(),
        tz=settings.timezone,
        note=body.note,
    )
    return CommendationPublic(
        order_id=order.id, staff_ids=ledger.praised(session, order.id), entries_written=len(written)
    )


LedgerReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.unit_handler, Role.qa_inspector, Role.admin))]
RuleEditor = Annotated[SignedIn, Depends(require_roles(Role.supervisor, Role.director, Role.admin))]
Month = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM")]


def _this_month(settings_tz: str) -> str:
    return ledger.month_of(now(), settings_tz)


def _scope(session: SessionDep, user: SignedIn) -> list[int] | None:
    """A unit handler reads the ledger of their own units; the centre reads all of it."""
    return visible_unit_ids(session, user)


@router.get("/ledger", operation_id="complaints-ledger")
async def ledger_entries(
    session: SessionDep,
    user: LedgerReader,
    person_id: QueryId = None,
    month: Month = None,
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> LedgerPublic:
    """The accountability ledger's entries (latest first): one person's, one month's, or both."""
    if month is not None:
        ledger.check_month(month)
    rows = ledger.entries(session, person_id=person_id, month=month, unit_ids=_scope(session, user), limit=limit)
    names = {p.id: p.name for p in check_staff_refs(session, sorted({e.person_id for e in rows}))}
    items = [
        LedgerEntryPublic.model_validate(e).model_copy(update={"person_name": names.get(e.person_id)}) for e in rows
    ]
    return LedgerPublic(items=items, total_points=sum(e.points for e in rows))


def _standings(session: SessionDep, user: SignedIn, month: str) -> list[StandingPublic]:
    units = org(session).units
    return [
        StandingPublic(
            person_id=s.person_id,
            name=s.name,
            post=s.post,
            unit_id=s.unit_id,
            unit_name=units[s.unit_id].name if s.unit_id in units else None,
            complaint=s.complaint,
            joint=s.joint,
            praise=s.praise,
            survey=s.survey,
            total=s.total,
        )
        for s in ledger.standings(session, ledger.check_month(month), _scope(session, user))
    ]


@router.get("/ledger/standings", operation_id="complaints-standings")
async def standings(
    session: SessionDep, settings: SettingsDep, user: LedgerReader, month: Month = None
) -> StandingsPublic:
    """Each person's points in the month by kind (complaint, joint responsibility, praise, survey) and in all,
    lowest first (末位 at the top)."""
    m = month or _this_month(settings.timezone)
    return StandingsPublic(month=m, items=_standings(session, user, m))


@router.get(
    "/ledger/standings/export",
    operation_id="complaints-standings_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same standings as an Excel workbook"}},
)
async def standings_export(
    session: SessionDep, settings: SettingsDep, user: LedgerReader, month: Month = None
) -> Response:
    """``GET /ledger/standings`` as an .xlsx workbook (Excel, WPS)."""
    m = month or _this_month(settings.timezone)
    rows = _standings(session, user, m)
    columns = [
        xlsx.Column("姓名", 12),
        xlsx.Column("岗位", 10),
        xlsx.Column("单位", 18),
        xlsx.Column("投诉扣分", 10),
        xlsx.Column("连带扣分", 10),
        xlsx.Column("表扬加分", 10),
        xlsx.Column("调查加分", 10),
        xlsx.Column("合计", 10),
    ]
    cells = [
        [r.name, POST_NAMES.get(r.post, r.post), r.unit_name or "", r.complaint, r.joint, r.praise, r.survey, r.total]
        for r in rows
    ]
    data = xlsx.workbook(
        "奖惩台账",
        f"奖惩台账 {m}",
        columns,
        cells,
        notes=["有效投诉扣责任人分，单位负责人承担连带责任；表扬与延时调查满分加分。定责复核时原记录冲销，不删除。"],
        total=[
            "合计",
            "",
            "",
            sum(r.complaint for r in rows),
            sum(r.joint for r in rows),
            sum(r.praise for r in rows),
            sum(r.survey for r in rows),
            sum(r.total for r in rows),
        ],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"奖惩台账_{m}.xlsx"))


@router.get("/ledger/titles", operation_id="complaints-titles")
async def monthly_titles(
    session: SessionDep, settings: SettingsDep, _: LedgerReader, month: Month = None
) -> TitlesPublic:
    """The month's titles (零投诉服务明星, 月度服务能手, 优质服务员工 …) and who holds them, by the rules in force."""
    return _titles(session, settings.timezone, month)


@router.get(
    "/ledger/titles/export",
    operation_id="complaints-titles_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same titles as an Excel workbook"}},
)
async def monthly_titles_export(
    session: SessionDep, settings: SettingsDep, _: LedgerReader, month: Month = None
) -> Response:
    """``GET /ledger/titles`` as an .xlsx workbook: one row per title and holder (a title nobody holds: one row)."""
    t = _titles(session, settings.timezone, month)
    columns = [
        xlsx.Column("称号", 16),
        xlsx.Column("姓名", 12),
        xlsx.Column("岗位", 10),
        xlsx.Column("单位", 18),
        xlsx.Column("本月积分", 10),
    ]
    rows: list[list[object]] = []
    for title in t.titles:
        if not title.people:
            rows.append([title.name, "（无）", "", "", None])
        for p in title.people:
            rows.append([title.name, p.name, POST_NAMES.get(p.post, p.post), p.unit_name or "", p.points])
    data = xlsx.workbook(
        "月度称号",
        f"月度称号 {t.month}",
        columns,
        rows,
        notes=["按当月奖惩台账与称号规则评出；规则在「称号规则」中维护。"],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"月度称号_{t.month}.xlsx"))


def _titles(session: SessionDep, tz: str, month: str | None) -> TitlesPublic:
    m = ledger.check_month(month or _this_month(tz))
    units = org(session).units
    return TitlesPublic(
        month=m,
        titles=[
            TitlePublic(
                code=rule.code,
                name=rule.name,
                kind=rule.kind,
                people=[
                    TitleHolderPublic(
                        person_id=h.person_id,
                        name=h.name,
                        post=h.post,
                        unit_id=h.unit_id,
                        unit_name=units[h.unit_id].name if h.unit_id in units else None,
                        points=h.points,
                    )
                    for h in holders
                ],
            )
            for rule, holders in ledger.titles(session, m)
        ],
    )


@router.get("/ledger/title-rules", operation_id="complaints-title_rules")
async def title_rules(session: SessionDep, _: LedgerReader) -> TitleRulesPublic:
    return TitleRulesPublic(items=[TitleRulePublic.model_validate(r) for r in ledger.title_rules(session)])


@router.patch("/ledger/title-rules/{code}", operation_id="complaints-update_title_rule")
async def update_title_rule(code: str, body: TitleRuleUpdate, session: SessionDep, _: RuleEditor) -> TitleRulePublic:
    """Edits a title's name, rule, threshold, posts, or turns it off (a supervisor, director or admin)."""
    rule = ledger.get_title_rule(session, code)
    ledger.do_update_title_rule(session, rule, body.model_dump(exclude_unset=True))
    return TitleRulePublic.model_validate(rule)
