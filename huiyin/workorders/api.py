"""Work-order endpoints: thin handlers over ``service``."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Body, Depends, File, Query, Response, UploadFile
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import Instant, PathId, QueryId
from huiyin.customers.reveals import do_reveal
from huiyin.customers.schemas import RevealedPhones
from huiyin.errors import Invalid
from huiyin.settings import Settings
from huiyin.storage import StorageDep
from huiyin.workorders import attachments, service
from huiyin.workorders.schemas import (
    AttachmentPublic,
    CallbackIn,
    CallbackTaskPublic,
    CategoriesPublic,
    CategoryCreate,
    CategoryPublic,
    CategoryUpdate,
    CloseIn,
    DispatchIn,
    DispatchRuleCreate,
    DispatchRulePublic,
    DispatchRulesPublic,
    DispatchRuleUpdate,
    NoteIn,
    ReasonIn,
    ReassignIn,
    ReopenIn,
    ResolveIn,
    Sort,
    StatsDay,
    StatsToday,
    WorkOrderCreate,
    WorkOrderDetail,
    WorkOrdersPublic,
    WorkOrderStats,
)
from huiyin.workorders.states import Action, OrderState
from huiyin.workorders.views import order_detail, order_items

router = APIRouter(tags=["work-orders"])
ConfigUser = Annotated[SignedIn, Depends(require_roles(Role.admin, Role.supervisor))]


# ---------------------------------------------------------------- orders


@router.post("/work-orders", status_code=201, operation_id="work-orders-register")
async def register(
    body: WorkOrderCreate, session: SessionDep, user: CurrentUser, settings: SettingsDep
) -> WorkOrderDetail:
    data = body.model_dump()
    call_id = data.pop("call_id", None)
    source = data.pop("complaint_source", None)
    if source is not None and body.type != "complaint":
        raise Invalid(
            "complaint_source is for complaints only", code="orders.complaint_source", field="complaint_source"
        )
    plan = service.check_register(session, user, data)
    plan.extra["call_id"] = call_id  # the phone channel links the order to its call
    plan.extra["complaint_source"] = source  # the complaints domain keeps it
    order = service.do_register(session, user, plan, number_prefix=settings.order_number_prefix, tz=settings.timezone)
    session.flush()
    return order_detail(session, user, order)


@router.get("/work-orders", operation_id="work-orders-list")
async def list_orders(
    session: SessionDep,
    user: CurrentUser,
    state: Annotated[list[str] | None, Query(description="a state, or 'open'; repeatable")] = None,
    type: str | None = None,
    category: Annotated[str | None, Query(max_length=32)] = None,
    unit_id: QueryId = None,
    area_id: QueryId = None,
    owner_agent_id: QueryId = None,
    customer_id: QueryId = None,
    created_from: Instant | None = None,
    created_to: Instant | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    returned: Annotated[
        bool | None, Query(description="true: orders a unit sent back, waiting for a dispatcher again")
    ] = None,
    overdue: Annotated[bool | None, Query(description="true: a deadline is past due now")] = None,
    due_within: Annotated[
        int | None, Query(ge=1, le=100_000, description="minutes: the next deadline falls within them")
    ] = None,
    escalated: Annotated[bool | None, Query(description="true: the ladder has reached level 1 or more")] = None,
    supervision: Annotated[Literal["urge", "supervise", "any"] | None, Query(description="催办 / 督办 mark")] = None,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 20,
    sort: Sort = "-created_at",
    with_counts: bool = False,
) -> WorkOrdersPublic:
    states = state or []
    valid = {s.value for s in OrderState} | {"open"}
    bad = [s for s in states if s not in valid]
    if bad:
        raise Invalid(f"unknown state(s) {bad}; allowed: {sorted(valid)}", code="orders.unknown_state", field="state")
    f = service.OrderFilter(
        state=states,
        type=type,
        category=category,
        unit_id=unit_id,
        area_id=area_id,
        owner_agent_id=owner_agent_id,
        customer_id=customer_id,
        created_from=created_from,
        created_to=created_to,
        q=q,
        returned=returned,
        overdue=overdue,
        due_within=due_within,
        escalated=escalated,
        supervision=supervision,
    )
    orders, total = service.list_orders(session, user, f, page=page, page_size=page_size, sort=sort)
    return WorkOrdersPublic(
        items=order_items(session, orders),
        total=total,
        page=page,
        page_size=page_size,
        state_counts=service.state_counts(session, user, f) if with_counts else None,
    )


@router.get("/work-orders/stats", operation_id="work-orders-stats")
async def order_stats(
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    days: Annotated[int, Query(ge=1, le=90, description="local days to cover, today included")] = 14,
) -> WorkOrderStats:
    """The overview's numbers, over the orders the caller may see (as the list shows them)."""
    stats = service.order_stats(session, user, days=days, tz=settings.timezone)
    return WorkOrderStats(
        days=[StatsDay(day=d.day, registered=d.registered, closed=d.closed, by_type=d.by_type) for d in stats.days],
        state_counts=stats.state_counts,
        open_total=stats.open_total,
        urgent_open=stats.urgent_open,
        today=StatsToday(**stats.today.__dict__),
        types_open=stats.types_open,
    )


@router.get("/work-orders/{order_id}", operation_id="work-orders-get")
async def get_order(order_id: PathId, session: SessionDep, user: CurrentUser) -> WorkOrderDetail:
    return order_detail(session, user, service.read_visible_order(session, user, order_id))


@router.post("/work-orders/{order_id}/contact-phone/reveal", operation_id="work-orders-reveal_contact_phone")
async def reveal_contact_phone(order_id: PathId, session: SessionDep, user: CurrentUser) -> RevealedPhones:
    """The order's contact number whole (显示号码), for whoever may see the order: recorded in the reveal audit."""
    order = service.get_visible_order(session, user, order_id)
    shown = do_reveal(
        session,
        user_id=user.id,
        subject="order",
        subject_id=order.id,
        customer_id=order.customer_id,
        numbers=[order.contact_phone],
    )
    return RevealedPhones(phones=shown)


def settings_policy(settings: Settings) -> service.LoopPolicy:
    return service.LoopPolicy(settings.callback_max_unreachable, settings.callback_to_team)


def _act(
    session: Session, user: SignedIn, order_id: int, action: Action, body: dict[str, Any], settings: Any
) -> WorkOrderDetail:
    order = service.apply_action(session, user, order_id, action, body, policy=settings_policy(settings))
    return order_detail(session, user, order)


OptNote = Annotated[NoteIn | None, Body()]


@router.post("/work-orders/{order_id}/dispatch", operation_id="work-orders-dispatch")
async def dispatch(
    order_id: PathId, body: DispatchIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.dispatch, body.model_dump(), s)


@router.post("/work-orders/{order_id}/accept", operation_id="work-orders-accept")
async def accept(
    order_id: PathId, session: SessionDep, user: CurrentUser, s: SettingsDep, body: OptNote = None
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.accept, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/start", operation_id="work-orders-start")
async def start(
    order_id: PathId, session: SessionDep, user: CurrentUser, s: SettingsDep, body: OptNote = None
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.start, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/suspend", operation_id="work-orders-suspend")
async def suspend(
    order_id: PathId, body: ReasonIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.suspend, body.model_dump(), s)


@router.post("/work-orders/{order_id}/resume", operation_id="work-orders-resume")
async def resume(
    order_id: PathId, session: SessionDep, user: CurrentUser, s: SettingsDep, body: OptNote = None
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.resume, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/return", operation_id="work-orders-return")
async def return_(
    order_id: PathId, body: ReasonIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.return_, body.model_dump(), s)


@router.post("/work-orders/{order_id}/reassign", operation_id="work-orders-reassign")
async def reassign(
    order_id: PathId, body: ReassignIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.reassign, body.model_dump(), s)


@router.post("/work-orders/{order_id}/resolve", operation_id="work-orders-resolve")
async def resolve(
    order_id: PathId, body: ResolveIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.resolve, body.model_dump(), s)


@router.post("/work-orders/{order_id}/callback", operation_id="work-orders-callback")
async def callback(
    order_id: PathId, body: CallbackIn, session: SessionDep, user: CurrentUser, s: SettingsDep
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.callback, body.model_dump(), s)


@router.post("/work-orders/{order_id}/close", operation_id="work-orders-close")
async def close(
    order_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    s: SettingsDep,
    body: Annotated[CloseIn | None, Body()] = None,
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.close, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/reopen", operation_id="work-orders-reopen")
async def reopen(
    order_id: PathId,
    session: SessionDep,
    user: CurrentUser,
    s: SettingsDep,
    body: Annotated[ReopenIn | None, Body()] = None,
) -> WorkOrderDetail:
    return _act(session, user, order_id, Action.reopen, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/urge", operation_id="work-orders-urge")
async def urge(
    order_id: PathId, session: SessionDep, user: CurrentUser, s: SettingsDep, body: OptNote = None
) -> WorkOrderDetail:
    """催办: the center presses the unit. The order is marked, and the unit's handlers get a popup they must
    acknowledge. The state stays."""
    return _act(session, user, order_id, Action.urge, body.model_dump() if body else {}, s)


@router.post("/work-orders/{order_id}/supervise", operation_id="work-orders-supervise")
async def supervise(
    order_id: PathId, session: SessionDep, user: CurrentUser, s: SettingsDep, body: OptNote = None
) -> WorkOrderDetail:
    """督办: management takes the order under supervision (supervisor, director). The state stays."""
    return _act(session, user, order_id, Action.supervise, body.model_dump() if body else {}, s)


@router.get("/callbacks", operation_id="work-orders-callback_queue")
async def callback_queue(
    session: SessionDep,
    user: Annotated[SignedIn, Depends(require_roles(Role.agent, *MANAGERS))],
    mine: bool = True,
) -> list[CallbackTaskPublic]:
    tasks = service.callback_queue(session, user, mine_only=mine)
    return [CallbackTaskPublic.model_validate(t) for t in tasks]


# ---------------------------------------------------------------- attachments


@router.post("/work-orders/{order_id}/attachments", status_code=201, operation_id="work-orders-upload_attachment")
async def upload_attachment(
    order_id: PathId,
    file: Annotated[UploadFile, File(description="a photo (JPEG, PNG, WebP, GIF) or a PDF")],
    session: SessionDep,
    user: CurrentUser,
    settings: SettingsDep,
    storage: StorageDep,
) -> AttachmentPublic:
    """Attach a file to an order the caller can see and that is not closed."""
    rules = attachments.UploadRules.of(settings.storage.max_upload_bytes, settings.storage.allowed_content_types)
    data = await file.read(rules.max_bytes + 1)  # never more than one byte past the limit
    plan = attachments.check_attach(session, user, order_id, data, file.filename, file.content_type, rules)
    attachment = await run_in_threadpool(attachments.do_attach, session, user, plan, storage)
    return AttachmentPublic.of(attachment)


@router.get("/work-orders/{order_id}/attachments", operation_id="work-orders-list_attachments")
async def list_attachments(order_id: PathId, session: SessionDep, user: CurrentUser) -> list[AttachmentPublic]:
    return [AttachmentPublic.of(a) for a in attachments.list_attachments(session, user, order_id)]


def _content_disposition(filename: str) -> str:
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename)
    return f"inline; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


@router.get(
    "/attachments/{attachment_id}/content",
    operation_id="work-orders-get_attachment_content",
    response_class=Response,
    responses={200: {"content": {t: {} for t in attachments.EXTENSIONS}, "description": "the file's bytes"}},
)
async def attachment_content(
    attachment_id: PathId, session: SessionDep, user: CurrentUser, storage: StorageDep
) -> Response:
    attachment = attachments.get_visible_attachment(session, user, attachment_id)
    data = await run_in_threadpool(attachments.read_blob, storage, attachment)
    headers = {
        "Content-Disposition": _content_disposition(attachment.filename),
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, max-age=3600",
    }
    return Response(data, media_type=attachment.content_type, headers=headers)


# ---------------------------------------------------------------- categories and dispatch rules


@router.get("/categories", operation_id="work-orders-list_categories")
async def list_categories(session: SessionDep, _: CurrentUser, type: str | None = None) -> CategoriesPublic:
    cats = service.list_categories(session, type)
    return CategoriesPublic(items=[CategoryPublic.model_validate(c) for c in cats], total=len(cats))


@router.post("/categories", status_code=201, operation_id="work-orders-create_category")
async def create_category(body: CategoryCreate, session: SessionDep, _: ConfigUser) -> CategoryPublic:
    data = body.model_dump()
    service.check_new_category(session, data)
    return CategoryPublic.model_validate(service.do_create_category(session, data))


@router.patch("/categories/{category_id}", operation_id="work-orders-update_category")
async def update_category(
    category_id: PathId, body: CategoryUpdate, session: SessionDep, _: ConfigUser
) -> CategoryPublic:
    cat = service.get_category_or_404(session, category_id)
    return CategoryPublic.model_validate(service.do_update_category(session, cat, body.model_dump(exclude_unset=True)))


@router.get("/dispatch-rules", operation_id="work-orders-list_dispatch_rules")
async def list_rules(
    session: SessionDep, _: Annotated[SignedIn, Depends(require_roles(Role.admin, Role.supervisor, Role.dispatcher))]
) -> DispatchRulesPublic:
    rules = service.list_rules(session)
    return DispatchRulesPublic(items=[DispatchRulePublic.model_validate(r) for r in rules], total=len(rules))


@router.post("/dispatch-rules", status_code=201, operation_id="work-orders-create_dispatch_rule")
async def create_rule(body: DispatchRuleCreate, session: SessionDep, _: ConfigUser) -> DispatchRulePublic:
    service.check_rule_refs(session, body.category_id, body.area_id, body.unit_id)
    return DispatchRulePublic.model_validate(service.do_create_rule(session, body.model_dump()))


@router.patch("/dispatch-rules/{rule_id}", operation_id="work-orders-update_dispatch_rule")
async def update_rule(
    rule_id: PathId, body: DispatchRuleUpdate, session: SessionDep, _: ConfigUser
) -> DispatchRulePublic:
    rule = service.get_rule(session, rule_id)
    changes = body.model_dump(exclude_unset=True)
    service.check_rule_refs(session, None, None, changes.get("unit_id"))
    return DispatchRulePublic.model_validate(service.do_update_rule(session, rule, changes))


@router.delete("/dispatch-rules/{rule_id}", status_code=204, operation_id="work-orders-delete_dispatch_rule")
async def delete_rule(rule_id: PathId, session: SessionDep, _: ConfigUser) -> None:
    service.do_delete_rule(session, service.get_rule(session, rule_id))
