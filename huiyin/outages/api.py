"""Outage endpoints: outages and their timeline, merging by hand, the dispatcher's suggestions, the
proactive-notice call list, one-to-many announcements, and the live outages of an area (the preset answer)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, UploadFile

from huiyin.auth.refs import directory
from huiyin.core.actor import SignedIn
from huiyin.core.deps import CurrentUser, SessionDep, SettingsDep, require_roles
from huiyin.core.phones import mask_phone
from huiyin.core.roles import MANAGERS, Role
from huiyin.core.schemas import PathId, QueryId
from huiyin.customers.service import customer_views
from huiyin.errors import Invalid, TooLarge
from huiyin.outages import notice, service
from huiyin.outages.models import Announcement, NoticeCall, Outage
from huiyin.outages.refs import live_outages
from huiyin.outages.schemas import (
    AcceptedPublic,
    AcceptIn,
    AnnouncementIn,
    AnnouncementPublic,
    AnnouncementsPublic,
    Audience,
    AudienceCount,
    CancelIn,
    LinkedOrder,
    LinkedOrders,
    LiveOutagePublic,
    LiveOutagesPublic,
    MergeIn,
    NoticeCallPublic,
    NoticeCallsPublic,
    NoticePublic,
    NoticeResultIn,
    OutageDetail,
    OutageEventPublic,
    OutageIn,
    OutageNoteIn,
    OutagePatch,
    OutagePublic,
    OutagesPublic,
    OutageTexts,
    RestoreIn,
    SuggestionPublic,
    SuggestionsPublic,
    UnmergeIn,
)
from huiyin.outages.states import WRITERS
from huiyin.workorders.schemas import WorkOrderDetail
from huiyin.workorders.service import order_states
from huiyin.workorders.views import order_detail

router = APIRouter(tags=["outages"])

Writer = Annotated[SignedIn, Depends(require_roles(*WRITERS))]
CENTRE = (Role.agent, Role.dispatcher, Role.qa_inspector, *MANAGERS)
Centre = Annotated[SignedIn, Depends(require_roles(*CENTRE))]


def _public(session: SessionDep, o: Outage, areas: list[int], linked: int) -> OutagePublic:
    return OutagePublic(
        id=o.id,
        kind=o.kind,
        utility=o.utility,
        state=o.state,
        cause=o.cause,
        scope=o.scope,
        area_ids=areas,
        area_names=service.area_names(session, areas),
        starts_at=o.starts_at,
        eta=o.eta,
        ended_at=o.ended_at,
        result=o.result,
        unit_id=o.unit_id,
        master_order_id=o.master_order_id,
        lead_hours=o.lead_hours,
        lead_missed=o.lead_missed,
        eta_changes=o.eta_changes,
        linked_count=linked,
        created_at=o.created_at,
        updated_at=o.updated_at,
    )


def _detail(session: SessionDep, o: Outage, tz: str) -> OutageDetail:
    areas = service.areas_of(session, [o.id])[o.id]
    linked = service.linked_orders(session, o.id)
    states = order_states(session, linked)
    events = service.events_of(session, o.id)
    names = directory(session).names({e.actor_id for e in events if e.actor_id})
    t = service.texts(session, o, areas, tz)
    p = service.notice_progress(session, o.id)
    return OutageDetail(
        **_public(session, o, areas, len(linked)).model_dump(),
        linked_orders=LinkedOrders(
            count=len(linked),
            ids=linked,
            items=[LinkedOrder(id=i, number=states[i][2], state=states[i][0]) for i in linked if i in states],
        ),
        notice=NoticePublic.model_validate(p, from_attributes=True),
        texts=OutageTexts(announcement=t.announcement, preset=t.preset, sms=t.sms),
        events=[
            OutageEventPublic(
                id=e.id,
                action=e.action,
                from_state=e.from_state,
                to_state=e.to_state,
                actor=names.get(e.actor_id, "") if e.actor_id else "system",
                at=e.at,
                note=e.note,
                data=e.data or {},
            )
            for e in events
        ],
        restore_pending=p.restore_pending,
    )


@router.post("/outages", status_code=201, operation_id="outages-create")
async def create_outage(body: OutageIn, session: SessionDep, settings: SettingsDep, user: Writer) -> OutageDetail:
    """An outage (停气/停电/停水): announced when planned and still ahead, active otherwise; its master work order
    is registered and dispatched to the responsible unit, and its notice goes out (the worker's rounds)."""
    plan = service.check_create(session, user, body.model_dump())
    o = service.do_create(session, user, plan, settings)
    return _detail(session, o, settings.timezone)


@router.get("/outages", operation_id="outages-list")
async def list_outages(
    session: SessionDep,
    user: Centre,
    state: Literal["announced", "active", "restored", "closed", "cancelled"] | None = None,
    area_id: QueryId = None,
) -> OutagesPublic:
    rows = service.list_outages(session, state=state, area_id=area_id)
    ids = [o.id for o in rows]
    areas, counts = service.areas_of(session, ids), service.linked_counts(session, ids)
    return OutagesPublic(items=[_public(session, o, areas[o.id], counts.get(o.id, 0)) for o in rows])


@router.get("/outages/live", operation_id="outages-live")
async def live(session: SessionDep, settings: SettingsDep, user: Centre, area_id: QueryId = None) -> LiveOutagesPublic:
    """The live outages (announced or active), of one area when given: what the agent's workbench shows for a
    caller, with the preset answer (预设答案) to read."""
    snap = live_outages(session)
    found = snap.in_area(area_id) if area_id is not None else snap.outages
    items = []
    for o in found:
        t = service.texts(session, o, o.area_ids, settings.timezone)
        items.append(
            LiveOutagePublic(
                id=o.id,
                utility=o.utility,
                state=o.state,
                cause=o.cause,
                starts_at=o.starts_at,
                eta=o.eta,
                area_names=service.area_names(session, o.area_ids),
                preset=t.preset,
                announcement=t.announcement,
            )
        )
    return LiveOutagesPublic(items=items)


@router.post("/outages/import", status_code=201, operation_id="outages-import")
async def import_outages(
    file: Annotated[UploadFile, File(description="CSV: utility,areas,cause,starts_at,eta,scope,unit")],
    session: SessionDep,
    settings: SettingsDep,
    user: Writer,
) -> OutagesPublic:
    """Planned outages in bulk from a CSV (areas as codes separated by ``|``, times ``YYYY-MM-DD HH:MM`` local):
    every row checked first, a bad row is a 422 naming it and nothing is created; each outage is announced
    as if created alone (lead time checked, notice sent)."""
    raw = await file.read(1_000_001)
    if len(raw) > 1_000_000:
        raise TooLarge("the CSV is larger than 1 MB", code="outages.csv_too_large")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Invalid("the CSV must be UTF-8", code="outages.csv_not_utf8", field="file") from None
    plans = service.check_import(session, user, text, settings.timezone)
    made = [service.do_create(session, user, p, settings) for p in plans]
    ids = [o.id for o in made]
    areas = service.areas_of(session, ids)
    return OutagesPublic(items=[_public(session, o, areas[o.id], 0) for o in made])


@router.get("/outages/{outage_id}", operation_id="outages-get")
async def get_outage(outage_id: PathId, session: SessionDep, settings: SettingsDep, user: Centre) -> OutageDetail:
    return _detail(session, service.get_outage(session, outage_id), settings.timezone)


@router.patch("/outages/{outage_id}", operation_id="outages-update")
async def update_outage(
    outage_id: PathId, body: OutagePatch, session: SessionDep, settings: SettingsDep, user: Writer
) -> OutageDetail:
    """ETA, cause, scope, areas. A new ETA reaches the IVR, the screen pop and the preset answer at once, and
    the customers by a new notice round."""
    o = service.get_outage(session, outage_id, lock=True)
    service.do_update(session, user, o, body.model_dump(exclude_unset=True), settings)
    return _detail(session, o, settings.timezone)


@router.post("/outages/{outage_id}/activate", operation_id="outages-activate")
async def activate(
    outage_id: PathId, body: OutageNoteIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> OutageDetail:
    o = service.get_outage(session, outage_id, lock=True)
    service.do_activate(session, user, o, body.note)
    return _detail(session, o, settings.timezone)


@router.post("/outages/{outage_id}/restore", operation_id="outages-restore")
async def restore(
    outage_id: PathId, body: RestoreIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> OutageDetail:
    """Supply is back: the merged reports are resolved with the result, a share keeps its callback, and every
    reporting customer gets one SMS (the worker, in batches: ``restore_pending``)."""
    o = service.get_outage(session, outage_id, lock=True)
    service.do_restore(session, user, o, body.result, body.ended_at, settings)
    return _detail(session, o, settings.timezone)


@router.post("/outages/{outage_id}/close", operation_id="outages-close")
async def close(
    outage_id: PathId, body: OutageNoteIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> OutageDetail:
    o = service.get_outage(session, outage_id, lock=True)
    service.do_close(session, user, o, body.note)
    return _detail(session, o, settings.timezone)


@router.post("/outages/{outage_id}/cancel", operation_id="outages-cancel")
async def cancel(
    outage_id: PathId, body: CancelIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> OutageDetail:
    """Called off: its merged reports go back to the dispatcher queue, each on its own."""
    o = service.get_outage(session, outage_id, lock=True)
    service.do_cancel(session, user, o, body.reason)
    return _detail(session, o, settings.timezone)


@router.post("/work-orders/{order_id}/merge", operation_id="outages-merge")
async def merge(order_id: PathId, body: MergeIn, session: SessionDep, user: CurrentUser) -> WorkOrderDetail:
    """并单 by hand: a report into an announced or active outage's master order (a dispatcher or manager)."""
    order = service.do_merge_by_hand(session, user, order_id, body.outage_id, body.note)
    return order_detail(session, user, order)


@router.post("/work-orders/{order_id}/unmerge", operation_id="outages-unmerge")
async def unmerge(order_id: PathId, body: UnmergeIn, session: SessionDep, user: CurrentUser) -> WorkOrderDetail:
    """Out of the master order, and dispatched as a new report would be."""
    order = service.do_unmerge_by_hand(session, user, order_id, body.reason)
    return order_detail(session, user, order)


def _suggestion(s: object) -> SuggestionPublic:
    return SuggestionPublic.model_validate(s, from_attributes=True)


@router.get("/outage-suggestions", operation_id="outages-suggestions")
async def suggestions(
    session: SessionDep, user: Writer, state: Literal["open", "accepted", "dismissed"] | None = "open"
) -> SuggestionsPublic:
    """故障研判: suspected outages (N reports from one area in M minutes) and near matches, for the dispatcher."""
    return SuggestionsPublic(items=[_suggestion(s) for s in service.list_suggestions(session, state)])


@router.post("/outage-suggestions/{suggestion_id}/accept", operation_id="outages-accept_suggestion")
async def accept(
    suggestion_id: PathId, body: AcceptIn, session: SessionDep, settings: SettingsDep, user: Writer
) -> AcceptedPublic:
    s = service.get_suggestion(session, suggestion_id)
    o, merged = service.do_accept(session, user, s, body.model_dump(), settings)
    return AcceptedPublic(suggestion=_suggestion(s), outage_id=o.id, merged=merged)


@router.post("/outage-suggestions/{suggestion_id}/dismiss", operation_id="outages-dismiss_suggestion")
async def dismiss(suggestion_id: PathId, session: SessionDep, user: Writer) -> SuggestionPublic:
    s = service.get_suggestion(session, suggestion_id)
    return _suggestion(service.do_dismiss(session, user, s))


def _calls(session: SessionDep, rows: list[NoticeCall]) -> NoticeCallsPublic:
    people = {c.id: c for c in customer_views(session, sorted({r.customer_id for r in rows}))}
    items = []
    for r in rows:
        c = people.get(r.customer_id)
        items.append(
            NoticeCallPublic(
                id=r.id,
                outage_id=r.outage_id,
                round=r.round,
                customer_id=r.customer_id,
                customer_name=c.name if c else "",
                phone=mask_phone(c.phones[0]) if c and c.phones else "",
                tags=list(r.tags),
                agent_id=r.agent_id,
                state=r.state,
                attempts=r.attempts,
                note=r.note,
                done_at=r.done_at,
            )
        )
    return NoticeCallsPublic(items=items)


@router.get("/outages/{outage_id}/calls", operation_id="outages-notice_calls")
async def outage_calls(outage_id: PathId, session: SessionDep, user: Centre) -> NoticeCallsPublic:
    """The outage's proactive-notice call list (主动服务), pending first."""
    service.get_outage(session, outage_id)
    return _calls(session, notice.calls_of(session, outage_id=outage_id))


@router.get("/outage-calls/mine", operation_id="outages-my_calls")
async def my_calls(session: SessionDep, user: Centre) -> NoticeCallsPublic:
    """The signed-in agent's notice calls, pending first."""
    return _calls(session, notice.calls_of(session, agent_id=user.id))


@router.post("/outage-calls/{call_id}", operation_id="outages-record_call")
async def record_call(call_id: PathId, body: NoticeResultIn, session: SessionDep, user: Centre) -> NoticeCallPublic:
    """The call's result: reached, no answer (may be tried again), or a wrong number."""
    call = notice.do_record_call(session, user, call_id, body.result, body.note)
    return _calls(session, [call]).items[0]


@router.post("/announcements/count", operation_id="outages-count_audience")
async def count_audience(body: Audience, session: SessionDep, user: Writer) -> AudienceCount:
    """How many customers an announcement would reach, before it is sent."""
    return AudienceCount(customers=notice.count_audience(session, body.model_dump()))


_ANNOUNCEMENT_FIELDS = ("id", "audience", "text", "channel", "state", "audience_count", "queued_count", "created_at")


def _announcement(a: Announcement, deliveries: dict[str, int]) -> AnnouncementPublic:
    fields = {k: getattr(a, k) for k in _ANNOUNCEMENT_FIELDS}
    return AnnouncementPublic(**fields, done_at=a.done_at, deliveries=deliveries)


@router.post("/announcements", status_code=201, operation_id="outages-announce")
async def announce(body: AnnouncementIn, session: SessionDep, user: Writer) -> AnnouncementPublic:
    """一对多公告: one SMS to an area's, a tag's or an outage's customers (opt-outs skipped), sent by the worker
    at the gateway's rate."""
    a = notice.do_announce(session, user, body.audience.model_dump(), body.text, body.channels)
    return _announcement(a, {})


@router.get("/announcements", operation_id="outages-announcements")
async def list_announcements(session: SessionDep, user: Writer) -> AnnouncementsPublic:
    return AnnouncementsPublic(items=[_announcement(a, d) for a, d in notice.announcements(session)])
