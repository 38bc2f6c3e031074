"""Rating endpoints: the PBX's IVR (its CTI token) or a person posts a rating; managers read the figures."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from huiyin.calls.cti import check_token
from huiyin.clock import now
from huiyin.core import xlsx
from huiyin.core.actor import SignedIn
from huiyin.core.deps import SessionDep, SettingsDep, bearer_token, get_current_user, require_roles
from huiyin.core.roles import CENTER, MANAGERS, Role
from huiyin.core.schemas import Day, PathId, QueryId, check_period
from huiyin.errors import Forbidden, Invalid, Unauthorized
from huiyin.surveys import invitations, links, service
from huiyin.surveys.models import CareTask, Rating
from huiyin.surveys.schemas import (
    CareDoneIn,
    CareTaskPublic,
    CareTasksPublic,
    GroupBy,
    LinkPublic,
    LinkRatingIn,
    RatingIn,
    RatingPublic,
    RatingsPublic,
    SatisfactionPublic,
    SatisfactionRow,
    SmsReplyIn,
    SmsReplyOut,
)
from huiyin.workorders.service import get_visible_order

router = APIRouter(tags=["surveys"])
FigureReader = Annotated[SignedIn, Depends(require_roles(*MANAGERS, Role.qa_inspector, Role.admin))]


@dataclass(frozen=True)
class Poster:
    """Who posts a rating: a CTI integration (the IVR, with its token) or a person of the centre."""

    integration_id: int | None
    user: SignedIn | None


async def rating_poster(request: Request, session: SessionDep) -> Poster:
    """A CTI integration's token as ``Authorization: Bearer``, else a signed-in centre user."""
    token = bearer_token(request.headers)
    if token is not None:
        try:
            return Poster(check_token(session, token).id, None)
        except Unauthorized:
            pass  # a person's token, then
    user = await get_current_user(request, session)
    if not user.has(*CENTER):
        raise Forbidden(
            "recording a rating needs a CTI integration's token or one of the centre's roles",
            code="surveys.rating_not_allowed",
        )
    return Poster(None, user)


@router.post(
    "/ratings",
    status_code=201,
    operation_id="surveys-rate",
    responses={200: {"description": "this contact was rated through this channel already: that rating"}},
)
async def rate(
    body: RatingIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    poster: Annotated[Poster, Depends(rating_poster)],
) -> RatingPublic:
    """A customer's rating of a contact (满意度评价): the IVR's key press after the call (the PBX posts it
    with its CTI token), or one a person records. 201 the first time; the same contact and channel again
    is 200 with the first rating, counted once."""
    contact = service.check_contact(
        session,
        call_id=body.call_id,
        order_id=body.order_id,
        integration_id=poster.integration_id,
        user=poster.user,
    )
    rating, created = service.do_rate(
        session,
        contact,
        channel=body.channel,
        result=body.result,
        score=body.score,
        comment=body.comment,
        at=now(),
        tz=settings.timezone,
        integration_id=poster.integration_id,
        recorded_by=poster.user.id if poster.user else None,
        care_hours=settings.surveys.care_hours,
    )
    if not created:
        response.status_code = 200
    return RatingPublic.model_validate(rating)


async def _figures(
    session: SessionDep,
    settings: SettingsDep,
    group_by: GroupBy = "day",
    from_: Annotated[Day | None, Query(alias="from", description="first day (centre's time zone)")] = None,
    to: Annotated[Day | None, Query(description="last day, inclusive (default: today)")] = None,
    count_basic: Annotated[bool, Query(description="count 基本满意 as satisfied in the rate")] = False,
    kind: Literal["instant", "delayed"] = "instant",
) -> SatisfactionPublic:
    first, last = check_period(settings.timezone, from_, to)
    groups, total = service.satisfaction(session, kind=kind, group_by=group_by, start=first, end=last)
    names = service.names_of(session, group_by, [g.key for g in groups])

    def row(c: service.Counts, name: str | None = None) -> SatisfactionRow:
        return SatisfactionRow(
            key=c.key,
            name=name,
            surveyed=c.surveyed,
            satisfied=c.satisfied,
            basically_satisfied=c.basically_satisfied,
            unsatisfied=c.unsatisfied,
            rate=c.rate(count_basic),
        )

    return SatisfactionPublic.model_validate(
        {
            "items": [row(g, names.get(g.key)) for g in groups],
            "total": row(total),
            "count_basic": count_basic,
            "kind": kind,
            "group_by": group_by,
            "from": first,
            "to": last,
        }
    )


Figures = Annotated[SatisfactionPublic, Depends(_figures)]


@router.get("/satisfaction", operation_id="surveys-satisfaction")
async def satisfaction(_: FigureReader, figures: Figures) -> SatisfactionPublic:
    """满意率 by agent, unit, category, channel or day over a period (default: the last 30 days)."""
    return figures


GROUP_NAMES = {"day": "日期", "agent": "坐席", "unit": "单位", "category": "业务分类", "channel": "评价渠道"}
CHANNEL_NAMES = {"ivr": "语音按键", "sms": "短信", "web": "网页在线", "wechat": "微信", "email": "邮件"}


@router.get(
    "/satisfaction/export",
    operation_id="surveys-satisfaction_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same figures as an Excel workbook"}},
)
async def satisfaction_export(_: FigureReader, figures: Figures) -> Response:
    """The figures of ``GET /satisfaction`` (same parameters) as an .xlsx workbook (Excel, WPS)."""
    f = figures
    dim = GROUP_NAMES[f.group_by]
    columns = [
        xlsx.Column(dim, 14),
        xlsx.Column("名称", 18),
        xlsx.Column("评价数", 10),
        xlsx.Column("满意", 10),
        xlsx.Column("基本满意", 10),
        xlsx.Column("不满意", 10),
        xlsx.Column("满意率", 10, percent=True),
    ]

    def cells(r: SatisfactionRow, key: str, name: str) -> list[object]:
        return [key, name, r.surveyed, r.satisfied, r.basically_satisfied, r.unsatisfied, r.rate]

    rows = [cells(r, r.key, r.name or CHANNEL_NAMES.get(r.key, "")) for r in f.items]
    kind = "即时评价" if f.kind == "instant" else "延时调查"
    rule = "满意率 =（满意 + 基本满意）÷ 评价数" if f.count_basic else "满意率 = 满意 ÷ 评价数（基本满意不计入满意）"
    data = xlsx.workbook(
        "满意度",
        f"满意度（{kind}，按{dim}）",
        columns,
        rows,
        notes=[f"统计期间：{f.from_} 至 {f.to}", rule],
        total=cells(f.total, "合计", ""),
    )
    name = f"满意度_{dim}_{f.from_}_{f.to}.xlsx"
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(name))


CareUser = Annotated[SignedIn, Depends(require_roles(Role.agent, *MANAGERS))]
CentreUser = Annotated[SignedIn, Depends(require_roles(*CENTER))]


@router.get("/ratings", operation_id="surveys-ratings")
async def list_ratings(
    session: SessionDep,
    user: CentreUser,
    order_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> RatingsPublic:
    """An order's ratings (its calls' and its own, every channel), newest first: the order page shows them."""
    if order_id is None:
        raise Invalid("name the order (order_id)", code="surveys.order_missing", field="order_id")
    get_visible_order(session, user, order_id)
    rows = service.ratings_of_order(session, order_id, limit=limit)
    return RatingsPublic(items=[RatingPublic.model_validate(r) for r in rows], total=len(rows))


@router.get("/care-tasks", operation_id="surveys-care_tasks")
async def list_care_tasks(
    session: SessionDep,
    _: CareUser,
    state: Literal["open", "done"] | None = "open",
    order_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> CareTasksPublic:
    """关怀: unsatisfied ratings to follow up, the open ones soonest due first (``overdue`` past ``due_at``)."""
    at = now()
    rows = service.care_tasks(session, state=state, order_id=order_id, limit=limit)
    return CareTasksPublic(items=[_care(t, r, at) for t, r in rows], total=len(rows))


RESULT_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
OUTCOME_NAMES = {"reassured": "安抚解释", "unreachable": "联系不上", "escalated": "升级处理"}


@router.get(
    "/care-tasks/export",
    operation_id="surveys-care_tasks_export",
    response_class=Response,
    responses={200: {"content": {xlsx.MEDIA_TYPE: {}}, "description": "the same tasks as an Excel workbook"}},
)
async def care_tasks_export(
    session: SessionDep,
    settings: SettingsDep,
    _: CareUser,
    state: Literal["open", "done"] | None = "open",
    limit: Annotated[int, Query(ge=1, le=5000)] = 1000,
) -> Response:
    """``GET /care-tasks`` as an .xlsx workbook (times in the centre's time zone)."""
    at = now()
    tz = settings.timezone

    def local(t: datetime | None) -> str:
        return xlsx.local_time(t, tz)

    rows = [_care(t, r, at) for t, r in service.care_tasks(session, state=state, order_id=None, limit=limit)]
    columns = [
        xlsx.Column("工单", 10),
        xlsx.Column("评价", 10),
        xlsx.Column("渠道", 8),
        xlsx.Column("评价意见", 24),
        xlsx.Column("应完成", 16),
        xlsx.Column("超时", 6),
        xlsx.Column("结果", 10),
        xlsx.Column("说明", 24),
        xlsx.Column("完成时间", 16),
    ]
    cells = [
        [
            c.order_id,
            RESULT_NAMES.get(c.rating.result, c.rating.result),
            CHANNEL_NAMES.get(c.rating.channel, ""),
            c.rating.comment or "",
            local(c.due_at),
            "是" if c.overdue else "",
            OUTCOME_NAMES.get(c.outcome or "", ""),
            c.note or "",
            local(c.done_at),
        ]
        for c in rows
    ]
    title = "关怀回访（待办）" if state == "open" else "关怀回访（已完成）" if state == "done" else "关怀回访"
    data = xlsx.workbook("关怀回访", title, columns, cells, notes=[f"导出时间：{local(at)}"])
    return Response(data, media_type=xlsx.MEDIA_TYPE, headers=xlsx.attachment(f"关怀回访_{state or 'all'}.xlsx"))


@router.post("/care-tasks/{task_id}/done", operation_id="surveys-finish_care")
async def finish_care(task_id: PathId, body: CareDoneIn, session: SessionDep, user: CareUser) -> CareTaskPublic:
    """The follow-up was made: what came of it (reassured, unreachable, escalated) and a note; once."""
    task = service.get_care_task(session, task_id, lock=True)
    service.do_finish_care(session, task, outcome=body.outcome, note=body.note, by=user.id, at=now())
    rating = session.get(Rating, task.rating_id)
    assert rating is not None
    return _care(task, rating, now())


def _care(task: CareTask, rating: Rating, at: datetime) -> CareTaskPublic:
    return CareTaskPublic(
        id=task.id,
        order_id=task.order_id,
        call_pk=task.call_pk,
        customer_id=task.customer_id,
        agent_id=task.agent_id,
        unit_id=task.unit_id,
        created_at=task.created_at,
        due_at=task.due_at,
        overdue=task.state == "open" and task.due_at < at,
        state=task.state,
        outcome=task.outcome,
        note=task.note,
        done_at=task.done_at,
        done_by=task.done_by,
        rating=RatingPublic.model_validate(rating),
    )


@router.get("/rate/{token}", operation_id="surveys-link")
async def rating_link(
    token: Annotated[str, Path(max_length=300)], session: SessionDep, settings: SettingsDep
) -> LinkPublic:
    """The rating page's contents for a link from the invitation SMS (no sign-in): 404 for a link this
    server did not sign, 410 for an expired one."""
    contact, expires_at = links.check(token, settings.secret_key, now())
    return service.link_view(session, contact, expires_at)


@router.post(
    "/rate/{token}",
    status_code=201,
    operation_id="surveys-rate_by_link",
    responses={200: {"description": "rated through this link already: that rating"}},
)
async def rate_by_link(
    token: Annotated[str, Path(max_length=300)],
    body: LinkRatingIn,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
) -> LinkPublic:
    """The customer's rating from the page (channel ``web``): 201 the first time, 200 with the first rating
    after; a forged link is a 404 and an expired one a 410, nothing stored."""
    key, expires_at = links.check(token, settings.secret_key, now())
    contact = service.contact_of_key(session, key)
    _, created = service.do_rate(
        session,
        contact,
        channel="web",
        result=body.result,
        score=body.score,
        comment=body.comment,
        at=now(),
        tz=settings.timezone,
        care_hours=settings.surveys.care_hours,
    )
    if not created:
        response.status_code = 200
    return service.link_view(session, key, expires_at)


async def sms_gateway(request: Request, settings: SettingsDep) -> None:
    """The SMS gateway, with the token set as ``HUIYIN_SURVEYS__INBOUND_TOKEN`` (none set: no replies)."""
    expected = settings.surveys.inbound_token
    given = bearer_token(request.headers)
    if expected is None or not given or not hmac.compare_digest(given, expected.get_secret_value()):
        raise Unauthorized("unknown SMS gateway token", code="surveys.sms_gateway_token")


@router.post("/sms/inbound", operation_id="surveys-sms_inbound", dependencies=[Depends(sms_gateway)])
async def sms_inbound(body: SmsReplyIn, session: SessionDep, settings: SettingsDep) -> SmsReplyOut:
    """A customer's SMS to the centre, posted by the gateway: a reply to a rating invitation rates it;
    anything else is kept (unmatched, unreadable) and goes to the written channels as a conversation. A
    message id seen before: 200 with its first outcome."""
    at = min(body.at, now()) if body.at else now()
    got = invitations.do_receive_reply(
        session,
        gateway_id=body.id,
        phone=body.from_,
        text=body.text,
        at=at,
        settings=settings.surveys,
        tz=settings.timezone,
    )
    conversation_id = None
    if got.outcome in ("unmatched", "unreadable"):  # not a rating: the written channels' (a conversation)
        for take in session.info.get(invitations.UNCLAIMED_SMS_KEY, ()):
            conversation_id = take(session, body.id, body.from_, body.text, at) or conversation_id
    return SmsReplyOut.model_validate(
        {
            "outcome": got.outcome,
            "rating_id": got.rating_id,
            "duplicate": got.duplicate,
            "conversation_id": conversation_id,
        }
    )
