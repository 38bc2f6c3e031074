"""Complaints: opened with the order, graded, linked to an earlier one of the same matter, and judged.

**Grade** (一般 general / 较大 major / 重大 serious), from what is known at registration: a point each for a
source outside the centre's own channels that answers to someone (12345, an upstream transfer), two for a
regulator or the media, one for a repeat complaint, one for a key or sensitive customer. No point:
general; one or two: major; three or more: serious. ``grade_reasons`` keeps why.

**Repeat** (重复投诉): a complaint of the same customer (or, without one, the same number) about the same
category within 30 days of an earlier one is linked to it (``repeat_of``), counts a point in the grade,
and tags the customer 多次投诉 (``repeat_complainant``: a supervisor removes it, not time).

**Verdict** (定责): validity (有效 / 无效, with a reason), the disputed stage, the responsible unit and staff,
the unit's head who shares responsibility (连带责任), the root cause, a corrective action with its due
date. The handling unit's handler or a manager gives the first; afterwards only a supervisor or director
changes it, with a reason, and the old one stays (``ComplaintVerdict``). A complaint cannot be closed
without one (the ``closing`` hook refuses with a 409). Each verdict is an event in the order's timeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.orm import Session

from huiyin.complaints import ledger
from huiyin.complaints.models import ROOT_CAUSES, STAGES, Complaint, ComplaintVerdict, RootCause
from huiyin.core.actor import Actor
from huiyin.core.fastsql import Prebuilt, ids_in
from huiyin.core.roles import MANAGERS, Role
from huiyin.customers.service import customer_tags, do_add_tag
from huiyin.errors import Conflict, Forbidden, Invalid
from huiyin.org.refs import org
from huiyin.org.service import check_staff_refs, check_unit_ref, unit_head
from huiyin.settings import ComplaintSettings
from huiyin.sla import service as sla
from huiyin.workorders.service import do_record_event

REPEAT_DAYS = 30
WRITTEN_KEY = "complaints_written"
"""The complaints this request wrote (``session.info``), which the order's view answers from, not reads."""
SOURCE_POINTS = {"gov_12345": 1, "upstream": 1, "regulator": 2, "media": 2}
SOURCE_NAMES = {
    "hotline": "热线",
    "wechat_web": "微信/网站",
    "gov_12345": "12345",
    "regulator": "监管部门",
    "media": "媒体",
    "upstream": "上级转办",
}
FIRST_VERDICT = frozenset({Role.unit_handler, *MANAGERS})
REVIEWERS = frozenset({Role.supervisor, Role.director})


def grade_of(source: str, repeat: bool, tags: Sequence[str]) -> tuple[str, list[str]]:
    reasons = []
    points = SOURCE_POINTS.get(source, 0)
    if points:
        reasons.append(f"source:{source}")
    if repeat:
        points += 1
        reasons.append("repeat")
    if {"key_customer", "sensitive"} & set(tags):
        points += 1
        reasons.append("customer:" + ",".join(sorted({"key_customer", "sensitive"} & set(tags))))
    grade = "general" if points == 0 else "major" if points <= 2 else "serious"
    return grade, reasons


def default_source(channel: str) -> str:
    return "wechat_web" if channel in ("wechat", "web") else "hotline"


def do_open(session: Session, order: Any, source: str | None, at: datetime, tz: str) -> Complaint:
    """The complaint of a complaint order just registered (inside the registration: flushes nothing)."""
    with session.no_autoflush:
        who = (
            Complaint.customer_id == order.customer_id
            if order.customer_id is not None
            else Complaint.contact_phone == order.contact_phone
        )
        earlier = session.scalar(
            select(Complaint.order_id)
            .where(
                who,
                Complaint.category_id == order.category_id,
                Complaint.created_at >= at - timedelta(days=REPEAT_DAYS),
            )
            .order_by(Complaint.created_at.desc(), Complaint.order_id.desc())
            .limit(1)
        )
        tags = customer_tags(session, order.customer_id) if order.customer_id is not None else ()
        if earlier is not None and order.customer_id is not None:
            do_add_tag(session, order.customer_id, "repeat_complainant")
    src = source or default_source(order.channel)
    grade, reasons = grade_of(src, earlier is not None, tags)
    complaint = Complaint(
        order_id=order.id,
        created_at=at,
        day=at.astimezone(ZoneInfo(tz)).date(),
        source=src,
        grade=grade,
        grade_reasons=reasons,
        customer_id=order.customer_id,
        contact_phone=order.contact_phone,
        category_id=order.category_id,
        area_id=order.area_id,
        repeat_of=earlier,
        responsible_staff_ids=[],
        verdict_version=0,
    )
    session.add(complaint)
    session.info.setdefault(WRITTEN_KEY, {})[order.id] = complaint
    with session.no_autoflush:
        _count(session, complaint, +1)
    return complaint


_COUNT = text(
    "INSERT INTO complaint_daily (dim, day, key, complaints, valid, invalid, repeats, judged, verdict_minutes) "
    "VALUES (:dim, :day, :key, :complaints, :valid, :invalid, :repeats, :judged, :verdict_minutes) "
    "ON CONFLICT (dim, day, key) DO UPDATE SET "
    "complaints = complaint_daily.complaints + excluded.complaints, "
    "valid = complaint_daily.valid + excluded.valid, "
    "invalid = complaint_daily.invalid + excluded.invalid, "
    "repeats = complaint_daily.repeats + excluded.repeats, "
    "judged = complaint_daily.judged + excluded.judged, "
    "verdict_minutes = complaint_daily.verdict_minutes + excluded.verdict_minutes"
).bindparams(bindparam("day", type_=Date))
DIMENSIONS = ("all", "stage", "unit", "root_cause", "staff", "area")


def _ones(c: Complaint, sign: int) -> dict[str, int]:
    first = c.first_verdict_at
    minutes = int((first - c.created_at).total_seconds() // 60) if first is not None else 0
    return {
        "complaints": sign,
        "valid": sign * (c.validity == "valid"),
        "invalid": sign * (c.validity == "invalid"),
        "repeats": sign * (c.repeat_of is not None),
        "judged": sign * (first is not None),
        "verdict_minutes": sign * minutes,
    }


def _keys(c: Complaint) -> list[tuple[str, str]]:
    """Where a complaint is counted, as it is attributed now: once per dimension (per person for ``staff``)."""
    return [
        ("all", ""),
        ("stage", c.stage or ""),
        ("unit", str(c.responsible_unit_id) if c.responsible_unit_id else ""),
        ("root_cause", c.root_cause or ""),
        ("area", str(c.area_id) if c.area_id else ""),
        *(("staff", str(p)) for p in (c.responsible_staff_ids or [])),
    ]


def _count(session: Session, c: Complaint, sign: int) -> None:
    """Adds (``sign`` +1) or takes back (-1) a complaint's place in the daily counts, as it is attributed now."""
    ones = _ones(c, sign)
    session.execute(_COUNT, [{"dim": d, "day": c.day, "key": k, **ones} for d, k in _keys(c)])


def check_closable(session: Session, order: Any) -> None:
    """A complaint is closed only once it has a verdict (the ``closing`` hook)."""
    if order.type != "complaint":
        return
    validity = session.scalar(select(Complaint.validity).where(Complaint.order_id == order.id))
    if validity is None:
        raise Conflict(
            f"a complaint needs a verdict before it is closed: POST /api/v1/work-orders/{order.id}/verdict",
            code="complaints.verdict_before_close",
            needs="verdict",
        )


def complaint_views(session: Session, order_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The ``complaint`` field of each complaint order among ``order_ids`` (one query for the batch)."""
    if not order_ids:
        return {}
    # one this request wrote (a complaint just registered or judged) is answered from what it wrote
    written: dict[int, Complaint] = session.info.get(WRITTEN_KEY, {})
    held = {i: written[i] for i in order_ids if i in written}
    rest = [i for i in order_ids if i not in held]
    if rest:
        session.flush()  # as session.execute would: this transaction's own changes are in what is read
    rows = _COMPLAINTS_OF.named(session, {"ids": rest}) if rest else []
    return {c.order_id: {"complaint": view_of(c)} for c in [*held.values(), *rows]}


_COMPLAINTS_OF = Prebuilt(select(Complaint.__table__).where(ids_in(Complaint.order_id, "ids")))
"""The complaints of a batch of orders, as records (prebuilt: the order page and a list of complaints)."""


def view_of(c: Any) -> dict[str, Any]:
    """A complaint (the ORM object or a record of ``_COMPLAINTS_OF``) as the order's ``complaint`` field."""
    return {
        "grade": c.grade,
        "source": c.source,
        "stage": c.stage,
        "validity": c.validity,
        "reason": c.reason,
        "responsible_unit_id": c.responsible_unit_id,
        "responsible_staff_ids": list(c.responsible_staff_ids or []),
        "joint_head_id": c.joint_head_id,
        "root_cause": c.root_cause,
        "action": c.action,
        "action_due": c.action_due,
        "action_owner_id": c.action_owner_id,
        "action_done_at": c.action_done_at,
        "action_result": c.action_result,
        "repeat_of": c.repeat_of,
        "verdict_at": c.verdict_at,
        "verdict_version": c.verdict_version,
    }


def get_complaint(session: Session, order_id: int, *, lock: bool = False) -> Complaint:
    stmt = select(Complaint).where(Complaint.order_id == order_id)
    found = session.scalar(stmt.with_for_update() if lock else stmt)
    if found is None:
        raise Conflict(f"work order {order_id} is not a complaint", code="complaints.not_a_complaint")
    return found


@dataclass(frozen=True)
class Verdict:
    validity: str
    reason: str | None
    stage: str
    responsible_unit_id: int | None
    responsible_staff_ids: list[int]
    joint_head_id: int | None
    root_cause: str
    action: str | None
    action_due: datetime | None
    action_owner_id: int | None
    review_reason: str | None


def check_verdict(session: Session, user: Actor, complaint: Complaint, data: dict[str, Any], at: datetime) -> Verdict:
    """Who may judge (the first verdict: the handling unit or a manager; a change: a supervisor or director,
    with a reason), and what the verdict names: a known stage and root cause, the responsible unit and its
    own staff for a valid complaint, a due date ahead."""
    reviewing = complaint.validity is not None
    if reviewing:
        if not user.has(*REVIEWERS):
            raise Forbidden(
                "a verdict given is changed only by a supervisor or director (a review)",
                code="complaints.review_not_allowed",
            )
        if not (data.get("review_reason") or "").strip():
            raise Invalid(
                "a review says why the verdict changes (review_reason)",
                code="complaints.review_reason_missing",
                field="review_reason",
            )
    elif not user.has(*FIRST_VERDICT):
        raise Forbidden(
            "a verdict needs the handling unit's handler or a manager", code="complaints.verdict_not_allowed"
        )
    if data["validity"] == "invalid" and not (data.get("reason") or "").strip():
        raise Invalid(
            "an invalid complaint says why (reason)", code="complaints.invalid_reason_missing", field="reason"
        )
    if data["stage"] not in STAGES:
        raise Invalid(
            f"unknown stage {data['stage']!r}; one of {list(STAGES)}", code="complaints.unknown_stage", field="stage"
        )
    cause = session.get(RootCause, data["root_cause"])
    if cause is None or not cause.is_active:
        raise Invalid(
            f"unknown root cause {data['root_cause']!r}", code="complaints.unknown_root_cause", field="root_cause"
        )
    unit_id = data.get("responsible_unit_id")
    staff_ids = list(dict.fromkeys(data.get("responsible_staff_ids") or []))
    head = None
    if data["validity"] == "valid":
        if unit_id is None:
            raise Invalid(
                "a valid complaint names the responsible unit",
                code="complaints.responsible_unit_missing",
                field="responsible_unit_id",
            )
        check_unit_ref(session, unit_id)
        units = set(org(session).subtree(unit_id))
        outside = [p for p in check_staff_refs(session, staff_ids) if p.unit_id not in units]
        if outside:
            strangers = [p.id for p in outside]
            raise Invalid(
                f"staff {strangers} are not of the responsible unit",
                code="complaints.staff_not_of_unit",
                field="responsible_staff_ids",
                names="、".join(p.name for p in outside),
            )
        found = unit_head(session, unit_id)
        head = found.id if found is not None else None
    elif unit_id is not None:
        check_unit_ref(session, unit_id)
    due = data.get("action_due")
    action = (data.get("action") or "").strip() or None
    owner = data.get("action_owner_id")
    if due is not None and due <= at:
        raise Invalid(
            "the corrective action is due in the future", code="complaints.action_due_past", field="action_due"
        )
    if (due is not None or owner is not None) and action is None:
        raise Invalid(
            "a due date or owner is for a corrective action: say what it is (action)",
            code="complaints.action_missing",
            field="action",
        )
    if action is not None and due is None:
        raise Invalid(
            "a corrective action has a due date (action_due)", code="complaints.action_due_missing", field="action_due"
        )
    if owner is not None:
        (person,) = check_staff_refs(session, [owner])
        if unit_id is None or person.unit_id not in set(org(session).subtree(unit_id)):
            raise Invalid(
                f"staff {owner} is not of the responsible unit",
                code="complaints.owner_not_of_unit",
                field="action_owner_id",
                name=person.name,
            )
    elif action is not None:
        owner = head
    return Verdict(
        data["validity"],
        data.get("reason"),
        data["stage"],
        unit_id,
        staff_ids if data["validity"] == "valid" else [],
        head,
        data["root_cause"],
        action,
        due,
        owner,
        data.get("review_reason") if reviewing else None,
    )


def do_verdict(
    session: Session,
    user: Actor,
    order: Any,
    complaint: Complaint,
    v: Verdict,
    at: datetime,
    settings: ComplaintSettings,
) -> Complaint:
    """The verdict in force, the history row, the timeline's event (``verdict`` or ``verdict_review``), the
    ledger brought in line with it (a review reverses what it no longer calls for), and the corrective
    action's deadline (started, moved, or ended when a review drops the action)."""
    before = view_of(complaint) if complaint.validity is not None else None
    _count(session, complaint, -1)  # its counts move with the verdict
    fields = asdict(v)
    review_reason = fields.pop("review_reason")
    for name, value in fields.items():  # the verdict in force: the complaint's columns of the same names
        setattr(complaint, name, value)
    complaint.verdict_version += 1
    complaint.verdict_at, complaint.verdict_by = at, user.id
    complaint.first_verdict_at = complaint.first_verdict_at or at
    session.info.setdefault(WRITTEN_KEY, {})[order.id] = complaint
    _count(session, complaint, +1)
    session.add(
        ComplaintVerdict(
            order_id=order.id,
            version=complaint.verdict_version,
            at=at,
            by=user.id,
            review_reason=review_reason,
            **fields,
        )
    )
    data: dict[str, Any] = {
        "validity": v.validity,
        "stage": v.stage,
        "root_cause": v.root_cause,
        "responsible_unit_id": v.responsible_unit_id,
        "responsible_staff_ids": v.responsible_staff_ids,
        "version": complaint.verdict_version,
    }
    if before is not None:
        data["previous"] = {k: before[k] for k in ("validity", "stage", "root_cause", "responsible_unit_id")}
    action = "verdict_review" if before is not None else "verdict"
    do_record_event(session, order, action, user.id, v.review_reason or v.reason or "", data)
    ledger.do_settle_verdict(
        session, complaint, settings, by=user.id, at=at, note=f"投诉定责 v{complaint.verdict_version}"
    )
    if complaint.action_done_at is None:
        if v.action_due is not None:
            sla.do_track(session, order, "action", v.action_due, warn_hours=settings.action_warn_hours)
        elif before is not None and before["action_due"] is not None:
            sla.do_meet(session, order, "action")
    session.flush()
    return complaint


ACTION_DOERS = frozenset({Role.unit_handler, *MANAGERS})


def check_action_done(user: Actor, complaint: Complaint) -> None:
    if not user.has(*ACTION_DOERS):
        raise Forbidden(
            "a corrective action is reported done by the unit's handler or a manager",
            code="complaints.action_done_not_allowed",
        )
    if complaint.action is None:
        raise Conflict("this complaint's verdict names no corrective action", code="complaints.no_action")
    if complaint.action_done_at is not None:
        raise Conflict(
            "the corrective action is already reported done",
            code="complaints.action_done_already",
            done_at=complaint.action_done_at.isoformat(),
        )


def do_action_done(session: Session, user: Actor, order: Any, complaint: Complaint, result: str, at: datetime) -> None:
    """整改完成: the action's result, its deadline met, an ``action_done`` event in the timeline."""
    complaint.action_done_at, complaint.action_result = at, result
    session.info.setdefault(WRITTEN_KEY, {})[order.id] = complaint
    sla.do_meet(session, order, "action")
    late = complaint.action_due is not None and at > complaint.action_due
    do_record_event(session, order, "action_done", user.id, result, {"late": late})
    session.flush()


@dataclass(frozen=True)
class ActionRow:
    order_id: int
    action: str
    action_due: datetime
    action_owner_id: int | None
    responsible_unit_id: int | None
    action_done_at: datetime | None
    action_result: str | None
    grade: str


def corrective_actions(
    session: Session, *, state: str, at: datetime, unit_ids: Sequence[int] | None, limit: int
) -> list[ActionRow]:
    """The complaint desk's corrective actions: ``open`` (not done, soonest due first), ``overdue`` (not
    done and past due) or ``done`` (latest first)."""
    c = Complaint
    stmt = select(
        c.order_id,
        c.action,
        c.action_due,
        c.action_owner_id,
        c.responsible_unit_id,
        c.action_done_at,
        c.action_result,
        c.grade,
    ).where(c.action_due.is_not(None))
    if state == "done":
        stmt = stmt.where(c.action_done_at.is_not(None)).order_by(c.action_done_at.desc())
    else:
        stmt = stmt.where(c.action_done_at.is_(None))
        if state == "overdue":
            stmt = stmt.where(c.action_due < at)
        stmt = stmt.order_by(c.action_due)
    if unit_ids is not None:
        stmt = stmt.where(c.responsible_unit_id.in_(unit_ids))
    return [ActionRow(*r) for r in session.execute(stmt.limit(limit))]  # type: ignore[arg-type]


def verdicts(session: Session, order_id: int) -> list[ComplaintVerdict]:
    stmt = select(ComplaintVerdict).where(ComplaintVerdict.order_id == order_id).order_by(ComplaintVerdict.version)
    return list(session.scalars(stmt))


def root_causes(session: Session, *, active: bool | None = True) -> list[RootCause]:
    stmt = select(RootCause)
    if active is not None:
        stmt = stmt.where(RootCause.is_active.is_(active))
    return list(session.scalars(stmt.order_by(RootCause.code)))


def ensure_root_causes(session: Session) -> None:
    """The default list of root causes, once (an admin edits it afterwards)."""
    have = set(session.scalars(select(RootCause.code)))
    session.add_all(RootCause(code=c, name=n, is_active=True) for c, n in ROOT_CAUSES if c not in have)


STAGE_NAMES = {
    "meter_reading": "抄表",
    "billing": "收费",
    "safety_check": "安全检查",
    "business": "业务办理",
    "hotline": "电话联系/热线服务",
    "repair": "维修抢修",
    "construction": "工程施工",
    "other": "其他",
}


def complaint_order_ids(session: Session, first: date, last: date) -> list[int]:
    """The orders of the complaints registered on the days ``first``..``last`` (inclusive)."""
    stmt = select(Complaint.order_id).where(Complaint.day >= first, Complaint.day <= last).order_by(Complaint.order_id)
    return list(session.scalars(stmt))
