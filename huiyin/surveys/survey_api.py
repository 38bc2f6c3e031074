"""Delayed survey endpoints (延时调查): the mobile page (no sign-in, by its signed link), the questionnaire
versions and sampling rules (supervisors), the results per version and each handler's ratings."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Path, Query, Response

from huiyin.auth.refs import directory
from huiyin.clock import now
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import FromDay, PathId, QueryId, ToDay, check_period
from huiyin.errors import Invalid, NotFound
from huiyin.org.models import POST_NAMES
from huiyin.org.refs import org
from huiyin.org.service import staff_by_ids
from huiyin.surveys import delayed, links
from huiyin.surveys.models import Questionnaire, Survey, SurveyRule
from huiyin.surveys.schemas import (
    HandlerFiguresPublic,
    HandlerRowPublic,
    QuestionnaireIn,
    QuestionnairePublic,
    QuestionnairesPublic,
    QuestionResultPublic,
    StaffFiguresPublic,
    StaffRowPublic,
    SurveyAnswersIn,
    SurveyPagePublic,
    SurveyPublic,
    SurveyResultsPublic,
    SurveyRuleIn,
    SurveyRulePublic,
    SurveyRulesPublic,
    SurveysPublic,
)
from huiyin.workorders.refs import catalog
from huiyin.workorders.service import get_visible_order, order_facts, order_numbers, visible_unit_ids

router = APIRouter(tags=["surveys"])
Reader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]
HandlerReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin, Role.unit_handler))]
Editor = Annotated[SignedIn, Depends(require_roles(Role.supervisor, Role.director, Role.admin))]
Token = Annotated[str, Path(max_length=300)]


def _survey_of(session: SessionDep, token: str, secret: str) -> tuple[Survey, datetime]:
    key, expires_at = links.check(token, secret, now(), purpose="survey")
    return delayed.get_survey(session, int(key.partition(":")[2])), expires_at


def _page(session: SessionDep, survey: Survey, expires_at: datetime) -> SurveyPagePublic:
    q = session.get(Questionnaire, survey.questionnaire_id)
    assert q is not None
    facts = order_facts(session, survey.order_id)
    cat = catalog(session).by_id.get(survey.category_id) if survey.category_id else None
    return SurveyPagePublic.model_validate(
        {
            "questionnaire": q.name,
            "version": q.version,
            "questions": q.questions,
            "order_number": facts.number if facts else None,
            "category_name": cat.name if cat else None,
            "order_type": survey.order_type,
            "closed_at": facts.closed_at if facts else None,
            "state": survey.state,
            "answered": survey.state == "answered",
            "expires_at": expires_at,
        }
    )


@router.get("/survey/{token}", operation_id="surveys-survey_page")
async def survey_page(token: Token, session: SessionDep, settings: SettingsDep) -> SurveyPagePublic:
    """The survey page's questions for a link from the survey SMS (no sign-in): 404 for a link this server
    did not sign (a rating link is not a survey link), 410 for an expired one."""
    survey, expires_at = _survey_of(session, token, settings.secret_key)
    return _page(session, survey, expires_at)


@router.post("/survey/{token}", status_code=201, operation_id="surveys-answer")
async def answer_survey(
    token: Token, body: SurveyAnswersIn, session: SessionDep, settings: SettingsDep
) -> SurveyPagePublic:
    """The customer's answers, once: a second answer is a 409, a missing or wrong answer a 422, a forged
    link a 404 and an expired one a 410; none of them stores anything."""
    survey, expires_at = _survey_of(session, token, settings.secret_key)
    survey = delayed.get_survey(session, survey.id, lock=True)
    q = session.get(Questionnaire, survey.questionnaire_id)
    assert q is not None
    answers = delayed.check_answers(q, body.answers)
    delayed.do_answer(session, survey, answers, at=now(), tz=settings.timezone, care_hours=settings.surveys.care_hours)
    return _page(session, survey, expires_at)


@router.get("/surveys/questionnaires", operation_id="surveys-questionnaires")
async def list_questionnaires(session: SessionDep, _: Reader) -> QuestionnairesPublic:
    """Every version of the delayed survey's questions, the first first; one is current."""
    return QuestionnairesPublic(items=[QuestionnairePublic.model_validate(q) for q in delayed.questionnaires(session)])


@router.post("/surveys/questionnaires", status_code=201, operation_id="surveys-new_questionnaire")
async def new_questionnaire(body: QuestionnaireIn, session: SessionDep, user: Editor) -> QuestionnairePublic:
    """A changed questionnaire: a new version, current from now on. Surveys already scheduled keep theirs,
    and results are counted per version."""
    questions = delayed.check_questions([q.model_dump(exclude_none=True) for q in body.questions])
    return QuestionnairePublic.model_validate(
        delayed.do_new_version(session, body.name, questions, by=user.id, at=now())
    )


def _rule(r: SurveyRule, codes: dict[int, str]) -> SurveyRulePublic:
    return SurveyRulePublic(
        id=r.id,
        order_type=r.order_type,
        category_id=r.category_id,
        category=codes.get(r.category_id) if r.category_id else None,
        share=r.share,
        delay_days=r.delay_days,
        is_active=r.is_active,
    )


@router.get("/surveys/rules", operation_id="surveys-rules")
async def survey_rules(session: SessionDep, _: Reader) -> SurveyRulesPublic:
    """The sampling rules: per order type (and per category, which wins), the share surveyed and the delay."""
    codes = {c.id: c.code for c in catalog(session).by_id.values()}
    return SurveyRulesPublic(items=[_rule(r, codes) for r in delayed.rules(session)])


@router.put("/surveys/rules", operation_id="surveys-set_rule")
async def set_survey_rule(body: SurveyRuleIn, session: SessionDep, _: Editor) -> SurveyRulePublic:
    """Makes or changes the rule of a type, or of one of its categories."""
    category_id = None
    if body.category is not None:
        cat = catalog(session).by_code.get(body.category)
        if cat is None or cat.type != body.order_type:
            raise Invalid(
                f"no category {body.category!r} of type {body.order_type!r}",
                code="surveys.no_category_of_type",
                field="category",
            )
        category_id = cat.id
    rule = delayed.do_set_rule(session, body.order_type, category_id, body.share, body.delay_days, body.is_active)
    return _rule(rule, {category_id: body.category} if category_id and body.category else {})


def _period(tz: str, start: date | None, end: date | None) -> tuple[date, date, datetime, datetime]:
    """The days, and the instants they run from and to (the answers' and sendings' times are instants)."""
    zone = ZoneInfo(tz)
    first, last = check_period(tz, start, end)
    return first, last, datetime.combine(first, time(), zone), datetime.combine(last + timedelta(days=1), time(), zone)


@router.get("/surveys/results", operation_id="surveys-results")
async def survey_results(
    session: SessionDep,
    settings: SettingsDep,
    _: Reader,
    questionnaire_id: QueryId | None = None,
    from_: FromDay = None,
    to: ToDay = None,
) -> SurveyResultsPublic:
    """One questionnaire version's results (default: the current one) for the surveys sent in the period:
    sent, answered, and each question's answers counted (a score's mean)."""
    return _results(session, settings.timezone, questionnaire_id, from_, to)


ANSWER_NAMES = {
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "true": "是",
    "false": "否",
}
KIND_NAMES = {"result": "满意度", "score": "评分（1–5）", "yesno": "是/否", "text": "文字"}


@router.get(
    "/surveys/results/export",
    operation_id="surveys-results_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same results as an Excel workbook"}},
)
async def survey_results_export(
    session: SessionDep,
    settings: SettingsDep,
    _: Reader,
    questionnaire_id: QueryId | None = None,
    from_: FromDay = None,
    to: ToDay = None,
) -> Response:
    """``GET /surveys/results`` as an .xlsx workbook: one row per question, its answers counted."""
    r = _results(session, settings.timezone, questionnaire_id, from_, to)
    columns = [
        xlsx.Column("问题", 36),
        xlsx.Column("类型", 12),
        xlsx.Column("作答数", 10),
        xlsx.Column("答案分布", 40),
        xlsx.Column("平均分", 10),
    ]
    rows = [
        [
            q.text,
            KIND_NAMES.get(q.kind, q.kind),
            q.answered,
            "；".join(f"{_answer_name(q.kind, k)} {n}" for k, n in sorted(q.counts.items(), reverse=q.kind == "score")),
            q.mean,
        ]
        for q in r.questions
    ]
    rate = f"{r.response_rate:.1%}" if r.response_rate is not None else "—"
    data = xlsx.workbook(
        "调查结果",
        f"延时调查结果：{r.name}（第 {r.version} 版）",
        columns,
        rows,
        notes=[
            f"统计期间：{r.from_} 至 {r.to}（按发送时间）；只计本版问卷，改版前后的结果不混算",
            f"发送 {r.sent} 份，回收 {r.answered} 份，回收率 {rate}",
        ],
    )
    name = f"延时调查结果_v{r.version}_{r.from_}_{r.to}.xlsx"
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(name))


def _answer_name(kind: str, key: str) -> str:
    return f"{key}分" if kind == "score" else ANSWER_NAMES.get(key, key)


def _results(
    session: SessionDep, tz: str, questionnaire_id: int | None, from_: date | None, to: date | None
) -> SurveyResultsPublic:
    q = session.get(Questionnaire, questionnaire_id) if questionnaire_id else delayed.current_questionnaire(session)
    if q is None:
        raise NotFound(f"no questionnaire {questionnaire_id}", code="surveys.no_questionnaire")
    first, last, start, end = _period(tz, from_, to)
    sent, answered, questions = delayed.results(session, q, start=start, end=end)
    return SurveyResultsPublic.model_validate(
        {
            "questionnaire_id": q.id,
            "version": q.version,
            "name": q.name,
            "from": first,
            "to": last,
            "sent": sent,
            "answered": answered,
            "response_rate": round(answered / sent, 4) if sent else None,
            "questions": [QuestionResultPublic.model_validate(r, from_attributes=True) for r in questions],
        }
    )


def _figures(r: delayed.HandlerRow, count_basic: bool) -> dict[str, Any]:
    """A person's survey counts as the handler and staff figures show them, with 满意率 by ``count_basic``."""
    good = r.satisfied + (r.basically_satisfied if count_basic else 0)
    return {
        "surveys": r.surveys,
        "satisfied": r.satisfied,
        "basically_satisfied": r.basically_satisfied,
        "unsatisfied": r.unsatisfied,
        "rate": round(good / r.surveys, 4) if r.surveys else None,
        "attitude_mean": r.attitude_mean,
        "solved": r.solved,
    }


FIGURE_COLUMNS = [
    xlsx.Column("调查数", 10),
    xlsx.Column("满意", 8),
    xlsx.Column("基本满意", 10),
    xlsx.Column("不满意", 8),
    xlsx.Column("满意率", 10, percent=True),
    xlsx.Column("态度均分", 10),
    xlsx.Column("已解决", 8),
]
"""The figures' columns of the handlers' and the staff's sheets, in the order of ``_figure_cells``."""


def _figure_cells(r: HandlerRowPublic | StaffRowPublic) -> list[Any]:
    return [r.surveys, r.satisfied, r.basically_satisfied, r.unsatisfied, r.rate, r.attitude_mean, r.solved]


def _rate_rule(count_basic: bool) -> str:
    return "满意率 =（满意 + 基本满意）÷ 调查数" if count_basic else "满意率 = 满意 ÷ 调查数（基本满意不计入满意）"


def _handlers(
    session: SessionDep, user: SignedIn, tz: str, from_: date | None, to: date | None, count_basic: bool
) -> HandlerFiguresPublic:
    first, last, start, end = _period(tz, from_, to)
    rows = delayed.handler_figures(session, start=start, end=end, unit_ids=visible_unit_ids(session, user))
    people = directory(session).users
    items = []
    for r in rows:
        p = people.get(r.handler_id)
        items.append(
            HandlerRowPublic(
                handler_id=r.handler_id,
                name=(p.full_name or p.username) if p else None,
                unit_id=p.unit_id if p else None,
                **_figures(r, count_basic),
            )
        )
    return HandlerFiguresPublic.model_validate({"items": items, "from": first, "to": last, "count_basic": count_basic})


@router.get("/surveys/handlers", operation_id="surveys-handlers")
async def handler_figures(
    session: SessionDep,
    settings: SettingsDep,
    user: HandlerReader,
    from_: FromDay = None,
    to: ToDay = None,
    count_basic: bool = True,
) -> HandlerFiguresPublic:
    """客户评优评级: each unit handler's delayed-survey results in the period (by answer), the field staff's
    attitude score on average, best first. A unit handler sees their own units'."""
    return _handlers(session, user, settings.timezone, from_, to, count_basic)


@router.get(
    "/surveys/handlers/export",
    operation_id="surveys-handlers_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same figures as an Excel workbook"}},
)
async def handler_figures_export(
    session: SessionDep,
    settings: SettingsDep,
    user: HandlerReader,
    from_: FromDay = None,
    to: ToDay = None,
    count_basic: bool = True,
) -> Response:
    """``GET /surveys/handlers`` as an .xlsx workbook (Excel, WPS)."""
    f = _handlers(session, user, settings.timezone, from_, to, count_basic)
    columns = [xlsx.Column("处理人", 14), *FIGURE_COLUMNS]
    rows = [[r.name or str(r.handler_id), *_figure_cells(r)] for r in f.items]
    rule = _rate_rule(count_basic)
    data = xlsx.workbook(
        "处理人评价",
        "延时调查：处理人评价",
        columns,
        rows,
        notes=[f"统计期间：{f.from_} 至 {f.to}（按答卷时间）", rule],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"处理人评价_{f.from_}_{f.to}.xlsx"))


def _staff(
    session: SessionDep, user: SignedIn, tz: str, from_: date | None, to: date | None, count_basic: bool
) -> StaffFiguresPublic:
    first, last, start, end = _period(tz, from_, to)
    rows = delayed.staff_figures(session, start=start, end=end, unit_ids=visible_unit_ids(session, user))
    people = staff_by_ids(session, [r.handler_id for r in rows])
    units = org(session).units
    items = []
    for r in rows:
        p = people.get(r.handler_id)
        unit = units.get(p.unit_id) if p is not None and p.unit_id else None
        items.append(
            StaffRowPublic(
                staff_id=r.handler_id,
                name=p.name if p else None,
                post=p.post if p else None,
                unit_id=p.unit_id if p else None,
                unit_name=unit.name if unit else None,
                **_figures(r, count_basic),
            )
        )
    return StaffFiguresPublic.model_validate({"items": items, "from": first, "to": last, "count_basic": count_basic})


@router.get("/surveys/staff", operation_id="surveys-staff")
async def staff_figures(
    session: SessionDep,
    settings: SettingsDep,
    user: HandlerReader,
    from_: FromDay = None,
    to: ToDay = None,
    count_basic: bool = True,
) -> StaffFiguresPublic:
    """客户评优评级 of the field staff (维修工, 抄表员 …): each person named at the resolve as having gone on
    site, rated by those orders' delayed surveys in the period; best first. A unit handler sees their own
    units'."""
    return _staff(session, user, settings.timezone, from_, to, count_basic)


@router.get(
    "/surveys/staff/export",
    operation_id="surveys-staff_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same figures as an Excel workbook"}},
)
async def staff_figures_export(
    session: SessionDep,
    settings: SettingsDep,
    user: HandlerReader,
    from_: FromDay = None,
    to: ToDay = None,
    count_basic: bool = True,
) -> Response:
    """``GET /surveys/staff`` as an .xlsx workbook (Excel, WPS)."""
    f = _staff(session, user, settings.timezone, from_, to, count_basic)
    columns = [xlsx.Column("姓名", 12), xlsx.Column("岗位", 10), xlsx.Column("单位", 18), *FIGURE_COLUMNS]
    rows = [
        [r.name or str(r.staff_id), POST_NAMES.get(r.post or "", r.post or ""), r.unit_name or "", *_figure_cells(r)]
        for r in f.items
    ]
    rule = _rate_rule(count_basic)
    data = xlsx.workbook(
        "现场人员评价",
        "延时调查：现场人员评价（客户评优评级）",
        columns,
        rows,
        notes=[f"统计期间：{f.from_} 至 {f.to}（按答卷时间）；现场人员为办结时登记的上门人员", rule],
    )
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"现场人员评价_{f.from_}_{f.to}.xlsx"))


@router.get("/surveys/staff/{staff_id}/history", operation_id="surveys-staff_history")
async def staff_history(
    staff_id: PathId, session: SessionDep, user: HandlerReader, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> SurveysPublic:
    """One field staff member's answered surveys (the orders they went on site for), latest first: their
    rating history."""
    units = visible_unit_ids(session, user)
    rows = [s for s in delayed.staff_history(session, staff_id, limit=limit) if units is None or s.unit_id in units]
    numbers = order_numbers(session, [s.order_id for s in rows])
    items = [SurveyPublic.model_validate(s).model_copy(update={"order_number": numbers.get(s.order_id)}) for s in rows]
    return SurveysPublic(items=items)


@router.get("/surveys/handlers/{handler_id}/history", operation_id="surveys-handler_history")
async def handler_history(
    handler_id: PathId, session: SessionDep, user: HandlerReader, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> SurveysPublic:
    """One handler's answered surveys, latest first (their rating history)."""
    units = visible_unit_ids(session, user)
    rows = [s for s in delayed.handler_history(session, handler_id, limit=limit) if units is None or s.unit_id in units]
    numbers = order_numbers(session, [s.order_id for s in rows])
    items = [SurveyPublic.model_validate(s).model_copy(update={"order_number": numbers.get(s.order_id)}) for s in rows]
    return SurveysPublic(items=items)


@router.get("/work-orders/{order_id}/survey", operation_id="surveys-order_survey")
async def order_survey(order_id: PathId, session: SessionDep, user: HandlerReader) -> SurveysPublic:
    """The order's delayed survey, if it was drawn: scheduled, sent, answered or expired."""
    get_visible_order(session, user, order_id)
    return SurveysPublic(items=[SurveyPublic.model_validate(s) for s in delayed.surveys_of_order(session, order_id)])
