"""Outages: creating and changing them, what they say (the IVR's announcement, the screen pop's notice, the
agent's preset answer, the customers' SMS), and reading them.

Checks come in the loop's order: visibility (404), role (403), state (409, naming what is allowed), then the
request's content (422). ``do_*`` write inside the caller's transaction; every change is an ``OutageEvent``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.org.refs import AreaRef, check_area, check_unit, org
from huiyin.outages.models import (
    NoticeCall,
    Outage,
    OutageArea,
    OutageEvent,
    OutageReport,
    OutageRound,
    OutageSuggestion,
)
from huiyin.outages.refs import LiveOutage
from huiyin.outages.states import (
    SUPPLY_ZH,
    TRANSITIONS,
    UTILITY_NAMES_ZH,
    WRITERS,
    OutageAction,
    OutageState,
)
from huiyin.settings import OutageSettings, Settings
from huiyin.workorders import service as orders
from huiyin.workorders.catalog import OrderType
from huiyin.workorders.states import Action

S = OutageState
MASTER_CONTEXT = "outage_master"
"""The registration context key of an outage's own master order (the router never merges it)."""


# ---------------------------------------------------------------- what an outage says


def _clock(at: datetime | None, tz: str) -> str:
    if at is None:
        return "待定"
    local = at.astimezone(ZoneInfo(tz))
    return f"{local.month}月{local.day}日{local.hour:02d}:{local.minute:02d}"


def area_names(session: Session, area_ids: Any) -> str:
    areas = org(session).areas
    return "、".join(areas[a].name for a in sorted(area_ids) if a in areas)


@dataclass(frozen=True)
class Texts:
    announcement: str  # the IVR plays it to callers of the areas
    preset: str  # the agent reads it (预设答案)
    sms: str  # every customer of the areas gets it


def texts(session: Session, o: LiveOutage | Outage, area_ids: Any, tz: str) -> Texts:
    what = UTILITY_NAMES_ZH.get(o.utility, "停供")
    supply = SUPPLY_ZH.get(o.utility, "供应")
    where = area_names(session, area_ids)
    eta = f"预计{_clock(o.eta, tz)}恢复{supply}" if o.eta else f"恢复{supply}时间待定，我们会及时通知"
    planned = o.kind == "planned"
    when = f"{_clock(o.starts_at, tz)}起" if planned else ""
    why = "计划检修" if planned and not o.cause else o.cause
    announcement = f"您好，{where}{when}因{why}{what}，{eta}。给您带来不便，敬请谅解。"
    scope = f"（范围：{o.scope}）" if o.scope else ""
    preset = (
        f"您好，经查询，您所在的{where}{scope}{when}因{why}{what}，抢修人员正在全力处理，{eta}。"
        f"{supply}恢复后请先检查家中阀门和用具，如有异常请再次来电。给您带来不便，非常抱歉。"
    )
    sms = f"【回音】尊敬的客户：{where}{when}因{why}{what}，{eta}。给您带来不便，敬请谅解。回TD退订"
    return Texts(announcement, preset, sms)


def restored_sms(session: Session, o: Outage, area_ids: Any, tz: str) -> str:
    supply = SUPPLY_ZH.get(o.utility, "供应")
    return (
        f"【回音】尊敬的客户：{area_names(session, area_ids)}已于{_clock(o.ended_at, tz)}恢复{supply}，您报修的问题已随"
        f"抢修一并处理。如仍有异常，请致电客服热线。感谢您的理解。"
    )


# ---------------------------------------------------------------- reading


def get_outage(session: Session, outage_id: int, *, lock: bool = False) -> Outage:
    stmt = select(Outage).where(Outage.id == outage_id)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise NotFound(f"outage {outage_id} does not exist", code="outages.no_such_outage", outage_id=outage_id)
    return found


def areas_of(session: Session, outage_ids: list[int]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {i: [] for i in outage_ids}
    if outage_ids:
        stmt = select(OutageArea.outage_id, OutageArea.area_id).where(OutageArea.outage_id.in_(outage_ids))
        for oid, aid in session.execute(stmt.order_by(OutageArea.area_id)):
            out[oid].append(aid)
    return out


def list_outages(
    session: Session, *, state: str | None = None, area_id: int | None = None, limit: int = 200
) -> list[Outage]:
    stmt = select(Outage)
    if state is not None:
        stmt = stmt.where(Outage.state == state)
    if area_id is not None:
        stmt = stmt.where(Outage.id.in_(select(OutageArea.outage_id).where(OutageArea.area_id == area_id)))
    return list(session.scalars(stmt.order_by(Outage.starts_at.desc(), Outage.id.desc()).limit(limit)))


def linked_orders(session: Session, outage_id: int) -> list[int]:
    stmt = select(OutageReport.order_id).where(OutageReport.outage_id == outage_id).order_by(OutageReport.order_id)
    return list(session.scalars(stmt))


def linked_counts(session: Session, outage_ids: list[int]) -> dict[int, int]:
    if not outage_ids:
        return {}
    stmt = (
        select(OutageReport.outage_id, func.count())
        .where(OutageReport.outage_id.in_(outage_ids))
        .group_by(OutageReport.outage_id)
    )
    return {i: int(n) for i, n in session.execute(stmt)}


def events_of(session: Session, outage_id: int) -> list[OutageEvent]:
    return list(session.scalars(select(OutageEvent).where(OutageEvent.outage_id == outage_id).order_by(OutageEvent.id)))


@dataclass(frozen=True)
class NoticeProgress:
    total: int  # customers on the call list (every round)
    reached: int
    pending: int
    no_answer: int
    wrong_number: int
    sms_sent: int  # notice SMS queued to the gateway (every round)
    rounds_pending: int
    restore_pending: bool  # merged reports still being resolved by the worker


def notice_progress(session: Session, outage_id: int) -> NoticeProgress:
    counts = {
        st: int(n)
        for st, n in session.execute(
            select(NoticeCall.state, func.count()).where(NoticeCall.outage_id == outage_id).group_by(NoticeCall.state)
        )
    }
    notice = OutageRound.kind == "notice"
    sms, pending, restoring = session.execute(
        select(
            func.coalesce(func.sum(OutageRound.sms_count).filter(notice), 0),
            func.count().filter(notice, OutageRound.state == "pending"),
            func.count().filter(OutageRound.kind == "restore", OutageRound.state == "pending"),
        ).where(OutageRound.outage_id == outage_id)
    ).one()
    return NoticeProgress(
        total=sum(counts.values()),
        reached=counts.get("reached", 0),
        pending=counts.get("pending", 0),
        no_answer=counts.get("no_answer", 0),
        wrong_number=counts.get("wrong_number", 0),
        sms_sent=int(sms),
        rounds_pending=int(pending),
        restore_pending=bool(restoring),
    )


# ---------------------------------------------------------------- creating


@dataclass
class OutagePlan:
    kind: str
    utility: str
    areas: list[AreaRef]
    cause: str
    scope: str
    starts_at: datetime
    eta: datetime | None
    unit_id: int | None


def check_writer(actor: Actor) -> None:
    if not actor.has(*WRITERS):
        allowed = ", ".join(sorted(r.value for r in WRITERS))
        raise Forbidden(f"outages are created and changed by one of the roles: {allowed}", code="outages.writer_role")


def check_areas(session: Session, area_ids: list[int] | None) -> list[AreaRef]:
    if not area_ids:
        raise Invalid("an outage needs at least one affected area", code="outages.no_areas", field="area_ids")
    if len(set(area_ids)) != len(area_ids):
        raise Invalid("an area is named twice", code="outages.area_twice", field="area_ids")
    return [check_area(session, a) for a in area_ids]


def check_eta(starts_at: datetime, eta: datetime | None) -> None:
    if eta is not None and eta <= starts_at:
        raise Invalid(
            "the expected restoration (eta) must come after the start", code="outages.eta_before_start", field="eta"
        )


def check_create(session: Session, actor: Actor, data: dict[str, Any]) -> OutagePlan:
    check_writer(actor)
    areas = check_areas(session, data.get("area_ids"))
    cause = (data.get("cause") or "").strip()
    if not cause:
        raise Invalid("an outage needs its cause", code="outages.no_cause", field="cause")
    starts_at: datetime = data["starts_at"]
    eta: datetime | None = data.get("eta")
    check_eta(starts_at, eta)
    unit_id = data.get("unit_id")
    if unit_id is not None:
        check_unit(session, unit_id)
    return OutagePlan(
        kind=data["kind"],
        utility=data["utility"],
        areas=areas,
        cause=cause,
        scope=(data.get("scope") or "").strip(),
        starts_at=starts_at,
        eta=eta,
        unit_id=unit_id,
    )


def _event(
    session: Session,
    o: Outage,
    action: OutageAction,
    before: str | None,
    actor: Actor | None,
    note: str = "",
    **data: Any,
) -> OutageEvent:
    at = now()
    o.updated_at = at
    e = OutageEvent(
        outage_id=o.id,
        action=action.value,
        from_state=before,
        to_state=o.state,
        actor_id=actor.id if actor else None,
        at=at,
        note=note,
        data=data,
    )
    session.add(e)
    return e


def master_category(settings: OutageSettings, utility: str) -> str:
    codes = settings.merge_categories.get(utility) or []
    if not codes:
        raise Invalid(
            f"no repair category takes {utility} outages (settings: outages.merge_categories)",
            code="outages.no_master_category",
        )
    return str(codes[0])


def do_create(session: Session, actor: Actor, plan: OutagePlan, settings: Settings) -> Outage:
    """The outage, its areas and first event, its master order (registered by the creator, dispatched to the
    responsible unit), and its first notice round (the worker sends it)."""
    at = now()
    planned = plan.kind == "planned"
    state = S.announced if planned and plan.starts_at > at else S.active
    lead = (plan.starts_at - at).total_seconds() / 3600 if planned else None
    needed = settings.outages.notice_lead_hours.get(plan.utility, 24.0)
    o = Outage(
        kind=plan.kind,
        utility=plan.utility,
        state=state.value,
        cause=plan.cause,
        scope=plan.scope,
        starts_at=plan.starts_at,
        eta=plan.eta,
        unit_id=plan.unit_id,
        lead_hours=round(lead, 2) if lead is not None else None,
        lead_missed=lead is not None and lead < needed,
        eta_changes=0,
        created_by=actor.id,
        created_at=at,
        updated_at=at,
    )
    session.add(o)
    session.flush()
    for a in plan.areas:
        session.add(OutageArea(outage_id=o.id, area_id=a.id))
    data: dict[str, Any] = {"area_ids": [a.id for a in plan.areas], "eta": plan.eta.isoformat() if plan.eta else None}
    if o.lead_missed:
        data["lead_missed"] = {"hours": o.lead_hours, "needed": needed}
    _event(session, o, OutageAction.announce, None, actor, plan.cause, **data)
    o.master_order_id = _register_master(session, actor, o, plan, settings).id
    _add_round(session, o, "notice", 0, texts(session, o, [a.id for a in plan.areas], settings.timezone).sms)
    session.flush()
    return o


def _command_phone(session: Session, actor: Actor, settings: Settings) -> str:
    """Who answers for the master order: the person who published the outage (their number), else the
    centre's hotline."""
    person = directory(session).users.get(actor.id)
    return (person.phone if person and person.phone else None) or settings.outages.hotline


def _register_master(session: Session, actor: Actor, o: Outage, plan: OutagePlan, settings: Settings) -> Any:
    category = orders.get_category_by_code(session, master_category(settings.outages, plan.utility))
    if category is None:
        raise Invalid(
            f"the master order's category of {plan.utility} outages does not exist",
            code="outages.master_category_missing",
        )
    where = area_names(session, [a.id for a in plan.areas])
    what = UTILITY_NAMES_ZH.get(plan.utility, "停供")
    reg = orders.RegisterPlan(
        type=OrderType.repair,
        category=category,
        grade="urgent" if plan.kind == "unplanned" else category.default_grade,
        channel="phone",
        description=f"【{what}事件 #{o.id}】{where}：{plan.cause}" + (f"（{plan.scope}）" if plan.scope else ""),
        contact_phone=_command_phone(session, actor, settings),
        contact_name="抢修指挥",
        address=where,
        area=plan.areas[0],
        extra={MASTER_CONTEXT: o.id},
    )
    master = orders.do_register(session, actor, reg, number_prefix=settings.order_number_prefix, tz=settings.timezone)
    if plan.unit_id is not None and master.state == "registered":
        orders.do_dispatch(session, master, check_unit(session, plan.unit_id), actor, note=f"{what}事件主工单")
    if plan.unit_id is None:
        o.unit_id = master.unit_id
    return master


def _add_round(session: Session, o: Outage, kind: str, n: int, text: str) -> OutageRound:
    r = OutageRound(outage_id=o.id, kind=kind, round=n, state="pending", cursor=0, text=text, created_at=now())
    session.add(r)
    session.info["outbox_wake"] = True  # the worker's outbox loop also runs the rounds
    return r


# ---------------------------------------------------------------- changing


def check_action(o: Outage, action: OutageAction) -> None:
    t = TRANSITIONS[action]
    if S(o.state) not in t.sources:
        allowed = sorted(a.value for a, tr in TRANSITIONS.items() if S(o.state) in tr.sources)
        detail = f"a {o.state} outage cannot be {action.value}d; allowed now: {allowed}"
        refusals = {  # what the action needs, in the user's words
            OutageAction.activate: Conflict(detail, code="outages.cannot_activate"),
            OutageAction.update: Conflict(detail, code="outages.cannot_update"),
            OutageAction.restore: Conflict(detail, code="outages.cannot_restore"),
            OutageAction.close: Conflict(detail, code="outages.cannot_close"),
            OutageAction.cancel: Conflict(detail, code="outages.cannot_cancel"),
        }
        raise refusals[action]


def do_update(session: Session, actor: Actor, o: Outage, data: dict[str, Any], settings: Settings) -> Outage:
    """ETA, cause, scope, areas: each change in the timeline; a new ETA (or new areas) starts a new notice
    round, and the IVR, the screen pop and the preset answer speak of it at once (the live snapshot)."""
    check_writer(actor)
    check_action(o, OutageAction.update)
    changes: dict[str, Any] = {}
    if "cause" in data and data["cause"] is not None:
        cause = data["cause"].strip()
        if not cause:
            raise Invalid("an outage needs its cause", code="outages.no_cause", field="cause")
        if cause != o.cause:
            changes["cause"] = [o.cause, cause]
            o.cause = cause
    if "scope" in data and data["scope"] is not None and data["scope"].strip() != o.scope:
        changes["scope"] = [o.scope, data["scope"].strip()]
        o.scope = data["scope"].strip()
    if "eta" in data:
        eta = data["eta"]
        check_eta(o.starts_at, eta)
        if eta != o.eta:
            changes["eta"] = [o.eta.isoformat() if o.eta else None, eta.isoformat() if eta else None]
            o.eta = eta
            o.eta_changes += 1
    before_areas = areas_of(session, [o.id])[o.id]
    if data.get("area_ids") is not None:
        areas = check_areas(session, data["area_ids"])
        after = sorted(a.id for a in areas)
        if after != before_areas:
            changes["area_ids"] = [before_areas, after]
            for a in set(before_areas) - set(after):
                session.delete(session.get(OutageArea, (o.id, a)))
            for a in set(after) - set(before_areas):
                session.add(OutageArea(outage_id=o.id, area_id=a))
    if not changes:
        return o
    _event(session, o, OutageAction.update, o.state, actor, (data.get("note") or "").strip(), **changes)
    if "eta" in changes or "area_ids" in changes:
        areas_now = changes["area_ids"][1] if "area_ids" in changes else before_areas
        _add_round(session, o, "notice", o.eta_changes, texts(session, o, areas_now, settings.timezone).sms)
    session.flush()
    return o


def do_activate(session: Session, actor: Actor | None, o: Outage, note: str = "") -> Outage:
    check_action(o, OutageAction.activate)
    before = o.state
    o.state = S.active.value
    _event(session, o, OutageAction.activate, before, actor, note or ("到达计划开始时间" if actor is None else ""))
    return o


def do_restore(
    session: Session, actor: Actor, o: Outage, result: str, ended_at: datetime | None, settings: Settings
) -> Outage:
    """Restored: the merged reports are resolved with ``result`` and their customers told (a restore round,
    done by the worker in batches); the master order is resolved with it when still open."""
    check_writer(actor)
    check_action(o, OutageAction.restore)
    result = (result or "").strip()
    if not result:
        raise Invalid("restoring an outage needs its result (what was done)", code="outages.no_result", field="result")
    end = ended_at or now()
    if end < o.starts_at:
        raise Invalid("the outage cannot end before it started", code="outages.end_before_start", field="ended_at")
    if end > now() + timedelta(minutes=5):
        raise Invalid("the outage's end cannot be in the future", code="outages.end_in_future", field="ended_at")
    before = o.state
    o.state = S.restored.value
    o.ended_at = end
    o.result = result
    _event(session, o, OutageAction.restore, before, actor, result, ended_at=end.isoformat())
    if o.master_order_id is not None:
        for master in orders.lock_orders(session, [o.master_order_id]):
            if master.state in ("registered", "dispatched", "accepted", "in_progress", "suspended"):
                orders.do_system_resolve(
                    session, master, result, f"停供事件 #{o.id} 已恢复", system="outage", outage_id=o.id
                )
                # the master is the centre's own job: no customer to call back
                orders.do_close(
                    session, master, None, "停供事件已恢复，主工单归档", waived=True, system="outage", outage_id=o.id
                )
    _add_round(session, o, "restore", 0, restored_sms(session, o, areas_of(session, [o.id])[o.id], settings.timezone))
    session.flush()
    return o


def do_close(session: Session, actor: Actor, o: Outage, note: str) -> Outage:
    check_writer(actor)
    check_action(o, OutageAction.close)
    before = o.state
    o.state = S.closed.value
    _event(session, o, OutageAction.close, before, actor, note)
    return o


def do_cancel(session: Session, actor: Actor, o: Outage, reason: str) -> Outage:
    """Cancelled (a planned outage called off, or a report that was not one): its merged reports go back to the
    dispatcher queue, each on its own."""
    check_writer(actor)
    check_action(o, OutageAction.cancel)
    reason = (reason or "").strip()
    if not reason:
        raise Invalid("cancelling an outage needs a reason", code="outages.no_cancel_reason", field="reason")
    before = o.state
    o.state = S.cancelled.value
    _event(session, o, OutageAction.cancel, before, actor, reason)
    for order in orders.lock_orders(session, linked_orders(session, o.id)):
        if order.state == "merged":
            orders.do_unmerge(session, order, actor, f"停供事件 #{o.id} 已取消：{reason}", outage_id=o.id)
    return o


# ---------------------------------------------------------------- merging by hand


def check_live_for_merge(o: Outage) -> None:
    if o.state not in (S.announced.value, S.active.value):
        raise Conflict(
            f"a {o.state} outage takes no more reports; only an announced or active one does", code="outages.not_live"
        )


def do_merge_by_hand(session: Session, actor: Actor, order_id: int, outage_id: int, note: str) -> Any:
    """A dispatcher merges a report (a near match) into the outage's master order: the order's visibility,
    role and state first (404, 403, 409), then the outage (404, 409)."""
    order = orders.get_visible_order(session, actor, order_id, lock=True)
    orders.check_transition(actor, order, Action.merge)
    o = get_outage(session, outage_id, lock=True)
    check_live_for_merge(o)
    if order.type == OrderType.emergency.value:
        raise Conflict(
            "an emergency is never merged away from its own urgent dispatch", code="outages.emergency_not_merged"
        )
    if order.id == o.master_order_id:
        raise Conflict("the outage's own master order cannot be merged into it", code="outages.master_not_merged")
    what = UTILITY_NAMES_ZH.get(o.utility, "停供")
    orders.do_merge(
        session, order, o.master_order_id or 0, actor, note or f"人工并入{what}事件 #{o.id}", outage_id=o.id
    )
    session.flush()
    return order


def do_unmerge_by_hand(session: Session, actor: Actor, order_id: int, reason: str) -> Any:
    order = orders.get_visible_order(session, actor, order_id, lock=True)
    orders.check_transition(actor, order, Action.unmerge)
    found = session.get(OutageReport, order.id)
    data = {"outage_id": found.outage_id} if found is not None else {}
    orders.do_unmerge(session, order, actor, reason, **data)
    session.flush()
    return order


# ---------------------------------------------------------------- suggestions


def get_suggestion(session: Session, suggestion_id: int) -> OutageSuggestion:
    found = session.get(OutageSuggestion, suggestion_id, with_for_update=True)
    if found is None:
        raise NotFound(
            f"suggestion {suggestion_id} does not exist", code="outages.no_such_suggestion", suggestion_id=suggestion_id
        )
    return found


def list_suggestions(session: Session, state: str | None = "open", limit: int = 200) -> list[OutageSuggestion]:
    stmt = select(OutageSuggestion)
    if state is not None:
        stmt = stmt.where(OutageSuggestion.state == state)
    return list(session.scalars(stmt.order_by(OutageSuggestion.id.desc()).limit(limit)))


def _check_open(s: OutageSuggestion) -> None:
    if s.state == "accepted":
        raise Conflict(f"the suggestion was {s.state} already", code="outages.suggestion_accepted")
    if s.state != "open":
        raise Conflict(f"the suggestion was {s.state} already", code="outages.suggestion_dismissed")


def do_accept(
    session: Session, actor: Actor, s: OutageSuggestion, data: dict[str, Any], settings: Settings
) -> tuple[Outage, list[int]]:
    """A fault suggestion: the unplanned outage is created over its area, and its reports merged; a near one:
    its report merged into the outage it nearly matched. Reports no longer open to a merge are left alone."""
    check_writer(actor)
    _check_open(s)
    at = now()
    if s.kind == "fault":
        plan = check_create(
            session,
            actor,
            {
                "kind": "unplanned",
                "utility": s.utility,
                "area_ids": [s.area_id],
                "cause": data.get("cause") or "故障研判：多起报修，原因排查中",
                "starts_at": s.created_at,  # when the reports made it suspected
                "eta": data.get("eta"),
                "unit_id": data.get("unit_id"),
            },
        )
        o = do_create(session, actor, plan, settings)
    else:  # a near match names the outage it nearly matched
        assert s.outage_id is not None
        o = get_outage(session, s.outage_id, lock=True)
        check_live_for_merge(o)
    merged: list[int] = []
    states = orders.order_states(session, s.order_ids)
    for order_id in s.order_ids:
        state = states.get(order_id, ("", "", ""))[0]
        if state in ("registered", "dispatched", "accepted"):
            do_merge_by_hand(session, actor, order_id, o.id, f"采纳研判建议 #{s.id}")
            merged.append(order_id)
    s.state, s.decided_by, s.decided_at = "accepted", actor.id, at
    session.flush()
    return o, merged


def do_dismiss(session: Session, actor: Actor, s: OutageSuggestion) -> OutageSuggestion:
    check_writer(actor)
    _check_open(s)
    s.state, s.decided_by, s.decided_at = "dismissed", actor.id, now()
    return s


# ---------------------------------------------------------------- planned outages in bulk


IMPORT_COLUMNS = ("utility", "areas", "cause", "starts_at", "eta", "scope", "unit")
"""The CSV's header (UTF-8, a BOM allowed): utility gas|electricity|water, or 燃气/电力/供水; areas: area codes
separated by ``|``; starts_at and eta: ``YYYY-MM-DD HH:MM`` in the centre's time zone; unit: a unit's code."""

_UTILITY_WORDS = {"燃气": "gas", "电力": "electricity", "供电": "electricity", "供水": "water", "自来水": "water"}


def _local_time(value: str, tz: str, field: str, row: int) -> datetime:
    try:
        parsed = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        detail = f"row {row}: {field} {value!r} is not YYYY-MM-DD HH:MM"
        if field == "eta":
            raise Invalid(detail, code="outages.row_bad_eta", field=field, row=row, value=value.strip()) from None
        raise Invalid(detail, code="outages.row_bad_start", field=field, row=row, value=value.strip()) from None
    return parsed.replace(tzinfo=ZoneInfo(tz))


def _in_row(exc: Invalid, n: int) -> Invalid:
    """A row's outage that ``check_create`` refuses: the same refusal, in that row (its number in the words)."""
    detail = f"row {n}: {exc.detail}"
    if exc.code == "outages.no_areas":
        return Invalid(detail, code="outages.row_no_areas", row=n, **exc.extra)
    if exc.code == "outages.area_twice":
        return Invalid(detail, code="outages.row_area_twice", row=n, **exc.extra)
    if exc.code == "outages.no_cause":
        return Invalid(detail, code="outages.row_no_cause", row=n, **exc.extra)
    if exc.code == "outages.eta_before_start":
        return Invalid(detail, code="outages.row_eta_before_start", row=n, **exc.extra)
    return Invalid(detail, code=exc.code, **exc.extra)  # the times' own: the row is in them already


def check_import(session: Session, actor: Actor, text: str, tz: str) -> list[OutagePlan]:
    """Every row of a CSV of planned outages, checked; the first bad row is a 422 naming it, and nothing is
    created."""
    import csv
    import io

    check_writer(actor)
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline=""))  # \r, \n or \r\n end a line
    try:
        fieldnames, rows = reader.fieldnames, list(reader)
    except csv.Error as exc:  # not a CSV the reader can take: a 422, nothing created
        raise Invalid(f"the file is not a readable CSV: {exc}", code="outages.csv_unreadable", field="file") from None
    missing = [c for c in ("utility", "areas", "cause", "starts_at") if c not in (fieldnames or [])]
    if missing:
        raise Invalid(
            f"the CSV needs the columns {list(IMPORT_COLUMNS)}; missing: {missing}",
            code="outages.csv_columns",
            field="file",
        )
    o = org(session)
    by_code = {a.code: a.id for a in o.areas.values()}
    units = {u.code: u.id for u in o.units.values()}
    plans: list[OutagePlan] = []
    for n, row in enumerate(rows, start=2):  # the header is row 1
        utility = (row.get("utility") or "").strip()
        utility = _UTILITY_WORDS.get(utility, utility)
        if utility not in ("gas", "electricity", "water"):
            raise Invalid(
                f"row {n}: utility {utility!r} is not gas, electricity or water",
                code="outages.row_bad_utility",
                field="utility",
                row=n,
                value=utility,
            )
        codes = [c.strip() for c in (row.get("areas") or "").split("|") if c.strip()]
        unknown = [c for c in codes if c not in by_code]
        if unknown:
            raise Invalid(
                f"row {n}: unknown area codes {unknown}",
                code="outages.row_unknown_areas",
                field="areas",
                row=n,
                area_codes="、".join(unknown),
            )
        unit = (row.get("unit") or "").strip()
        if unit and unit not in units:
            raise Invalid(
                f"row {n}: unknown unit code {unit!r}",
                code="outages.row_unknown_unit",
                field="unit",
                row=n,
                unit_code=unit,
            )
        eta_text = (row.get("eta") or "").strip()
        try:
            plan = check_create(
                session,
                actor,
                {
                    "kind": "planned",
                    "utility": utility,
                    "area_ids": [by_code[c] for c in codes],
                    "cause": row.get("cause") or "",
                    "scope": row.get("scope") or "",
                    "starts_at": _local_time(row.get("starts_at") or "", tz, "starts_at", n),
                    "eta": _local_time(eta_text, tz, "eta", n) if eta_text else None,
                    "unit_id": units.get(unit) if unit else None,
                },
            )
        except Invalid as exc:
            raise _in_row(exc, n) from None
        plans.append(plan)
    if not plans:
        raise Invalid("the CSV has no outage rows", code="outages.csv_empty", field="file")
    return plans
