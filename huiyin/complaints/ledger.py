"""The accountability ledger (奖惩台账) and the monthly titles computed from it.

**Entries.** A valid complaint's verdict takes points (by grade, ``ComplaintSettings.penalty_points``) from
each responsible staff member (``complaint``) and from the responsible unit's head who shares the
responsibility (``joint``, 连带责任), unless the head is among the responsible. A praise order, once the
unit or a manager names whom it praises, gives each of them ``praise_points`` (``praise``); a delayed
survey answered satisfied with the top attitude score gives its handler ``survey_points`` (``survey``). The ledger is
append-only: when a review changes a verdict (or a praise is re-attributed), each entry no longer called
for is reversed by an entry of the opposite points that names it (``reverses``), and the entries now
called for are written; an entry that stays called for is left alone. An entry counts in the month of the
matter (the order's registration), so the reversal nets out in the month it corrects.

**Titles** (editable rules, ``TitleRule``): 零投诉服务明星, no valid complaint from 1 January to the month's
end; 月度服务能手, the month's top N by points, above zero; 优质服务员工, at least N points in the month and no
penalty in it. A rule may be limited to some posts (抄表员, 维修工 …).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, aliased

from huiyin.complaints.models import TITLE_RULE_KINDS, Complaint, LedgerEntry, TitleRule
from huiyin.errors import Conflict, Invalid, NotFound
from huiyin.org.service import active_staff, check_staff_refs, staff_by_ids, staff_of_users
from huiyin.settings import ComplaintSettings
from huiyin.surveys.delayed import top_answers

TITLE_RULES = (
    ("zero_complaint_star", "零投诉服务明星", "no_valid_complaint_ytd", 0, 0),
    ("monthly_expert", "月度服务能手", "top_points_month", 3, 0),
    ("quality_staff", "优质服务员工", "min_points_month", 0, 2),
)
FIELD_POSTS = ["meter_reader", "inspector", "repairer", "handler"]


def month_of(at: datetime, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m")


def check_month(month: str) -> str:
    """``YYYY-MM`` or a 422."""
    try:
        datetime.strptime(month, "%Y-%m")
    except ValueError:
        raise Invalid(
            f"month {month!r} is not YYYY-MM", code="complaints.bad_month", field="month", month=month
        ) from None
    return month


@dataclass(frozen=True)
class Due:
    """An entry a matter calls for."""

    person_id: int
    unit_id: int
    kind: str
    points: int


def _standing(session: Session, order_id: int, kinds: Sequence[str]) -> list[LedgerEntry]:
    """The order's entries of these kinds that are in force: neither a reversal nor reversed."""
    reversal = aliased(LedgerEntry)
    stmt = (
        select(LedgerEntry)
        .outerjoin(reversal, reversal.reverses == LedgerEntry.id)
        .where(
            LedgerEntry.order_id == order_id,
            LedgerEntry.kind.in_(kinds),
            LedgerEntry.reverses.is_(None),
            reversal.id.is_(None),
        )
        .order_by(LedgerEntry.id)
    )
    return list(session.scalars(stmt))


def do_settle(
    session: Session,
    order_id: int,
    month: str,
    kinds: Sequence[str],
    due: Iterable[Due],
    *,
    by: int | None,
    at: datetime,
    note: str,
) -> list[LedgerEntry]:
    """Brings the order's standing entries of ``kinds`` to ``due``: reverses what is no longer called for,
    writes what is newly called for; returns the entries written."""
    wanted = list(dict.fromkeys(due))
    written: list[LedgerEntry] = []
    for entry in _standing(session, order_id, kinds):
        d = Due(entry.person_id, entry.unit_id, entry.kind, entry.points)
        if d in wanted:
            wanted.remove(d)
            continue
        written.append(
            LedgerEntry(
                at=at,
                month=entry.month,
                person_id=entry.person_id,
                unit_id=entry.unit_id,
                kind=entry.kind,
                points=-entry.points,
                order_id=order_id,
                reverses=entry.id,
                by=by,
                note=f"冲销：{note}"[:200],
            )
        )
    written += [
        LedgerEntry(
            at=at,
            month=month,
            person_id=d.person_id,
            unit_id=d.unit_id,
            kind=d.kind,
            points=d.points,
            order_id=order_id,
            by=by,
            note=note[:200],
        )
        for d in wanted
    ]
    session.add_all(written)
    return written


def verdict_dues(session: Session, c: Complaint, settings: ComplaintSettings) -> list[Due]:
    """What a complaint's verdict in force calls for: nothing unless valid; then each responsible person,
    and the unit's head unless among them."""
    if c.validity != "valid":
        return []
    people = check_staff_refs(session, [*c.responsible_staff_ids, *([c.joint_head_id] if c.joint_head_id else [])])
    staff = set(c.responsible_staff_ids)
    penalty = settings.penalty_points.get(c.grade, 0)
    joint = settings.joint_points.get(c.grade, 0)
    dues = [Due(p.id, p.unit_id, "complaint", -penalty) for p in people if p.id in staff and penalty]
    dues += [Due(p.id, p.unit_id, "joint", -joint) for p in people if p.id not in staff and joint]
    return dues


def do_settle_verdict(
    session: Session, c: Complaint, settings: ComplaintSettings, *, by: int, at: datetime, note: str
) -> list[LedgerEntry]:
    return do_settle(
        session,
        c.order_id,
        c.day.strftime("%Y-%m"),
        ("complaint", "joint"),
        verdict_dues(session, c, settings),
        by=by,
        at=at,
        note=note,
    )


def do_commend(
    session: Session,
    order: Any,
    staff_ids: Sequence[int],
    settings: ComplaintSettings,
    *,
    by: int,
    at: datetime,
    tz: str,
    note: str,
) -> list[LedgerEntry]:
    """A praise order's praised staff (表扬核实): each gets ``praise_points``; naming others later reverses
    the earlier ones."""
    if order.type != "praise":
        raise Conflict(f"work order {order.id} is not a praise ({order.type})", code="complaints.not_a_praise")
    people = check_staff_refs(session, staff_ids)
    dues = [Due(p.id, p.unit_id, "praise", settings.praise_points) for p in people]
    return do_settle(
        session,
        order.id,
        month_of(order.created_at, tz),
        ("praise",),
        dues,
        by=by,
        at=at,
        note=note or f"表扬 {order.number}",
    )


def do_award_surveys(
    session: Session, start: datetime, end: datetime, settings: ComplaintSettings, tz: str
) -> list[LedgerEntry]:
    """客户评优: each delayed survey answered in ``[start, end)`` with the customer satisfied and the top
    attitude score gives ``survey_points`` to each field staff member who went on site (as the resolve named
    them), or, with nobody named, to the staff member who is the order's handler (a staff record linked to
    that user). Once per order (``do_settle``): a run over the same time writes nothing."""
    found = top_answers(session, start, end)
    people = staff_of_users(session, sorted({a.handler_id for a in found if a.handler_id is not None}))
    on_site = staff_by_ids(session, sorted({i for a in found for i in a.staff_ids}))
    written: list[LedgerEntry] = []
    for a in found:
        if not settings.survey_points:
            continue
        if a.staff_ids:  # the field staff who went on site, as the resolve named them
            rewarded = [on_site[i] for i in a.staff_ids if i in on_site]
        else:  # else the handler who worked the order (a staff record linked to that user)
            handler = people.get(a.handler_id) if a.handler_id is not None else None
            rewarded = [handler] if handler is not None else []
        if not rewarded:
            continue
        due = [Due(p.id, p.unit_id, "survey", settings.survey_points) for p in rewarded]
        written += do_settle(
            session,
            a.order_id,
            month_of(a.answered_at, tz),
            ("survey",),
            due,
            by=None,
            at=a.answered_at,
            note="延时调查满分",
        )
    session.flush()
    return written


def praised(session: Session, order_id: int) -> list[int]:
    return [e.person_id for e in _standing(session, order_id, ("praise",))]


# ---------------------------------------------------------------- reading


def entries(
    session: Session,
    *,
    person_id: int | None,
    month: str | None,
    unit_ids: Sequence[int] | None,
    limit: int,
) -> list[LedgerEntry]:
    stmt = select(LedgerEntry)
    if person_id is not None:
        stmt = stmt.where(LedgerEntry.person_id == person_id)
    if month is not None:
        stmt = stmt.where(LedgerEntry.month == month)
    if unit_ids is not None:
        stmt = stmt.where(LedgerEntry.unit_id.in_(unit_ids))
    return list(session.scalars(stmt.order_by(LedgerEntry.at.desc(), LedgerEntry.id.desc()).limit(limit)))


@dataclass
class Standing:
    """One person's points in a month, by kind."""

    person_id: int
    name: str
    post: str
    unit_id: int
    complaint: int = 0
    joint: int = 0
    praise: int = 0
    survey: int = 0

    @property
    def total(self) -> int:
        return self.complaint + self.joint + self.praise + self.survey


def standings(session: Session, month: str, unit_ids: Sequence[int] | None = None) -> list[Standing]:
    """Every person with an entry in the month: points by kind and in all, lowest total first (末位)."""
    stmt = (
        select(LedgerEntry.person_id, LedgerEntry.kind, func.sum(LedgerEntry.points))
        .where(LedgerEntry.month == month)
        .group_by(LedgerEntry.person_id, LedgerEntry.kind)
    )
    if unit_ids is not None:
        stmt = stmt.where(LedgerEntry.unit_id.in_(unit_ids))
    sums = session.execute(stmt).all()
    people = {p.id: p for p in check_staff_refs(session, sorted({r[0] for r in sums}))} if sums else {}
    out: dict[int, Standing] = {}
    for person, kind, points in sums:
        p = people[person]
        s = out.setdefault(person, Standing(p.id, p.name, p.post, p.unit_id))
        setattr(s, kind, int(points or 0))
    return sorted(out.values(), key=lambda s: (s.total, s.person_id))


# ---------------------------------------------------------------- titles


def title_rules(session: Session) -> list[TitleRule]:
    return list(session.scalars(select(TitleRule).order_by(TitleRule.code)))


def ensure_title_rules(session: Session) -> None:
    """The default titles, once (an admin edits them afterwards)."""
    have = set(session.scalars(select(TitleRule.code)))
    session.add_all(
        TitleRule(code=c, name=n, kind=k, top_n=top, min_points=least, posts=FIELD_POSTS, is_active=True)
        for c, n, k, top, least in TITLE_RULES
        if c not in have
    )


def get_title_rule(session: Session, code: str) -> TitleRule:
    rule = session.get(TitleRule, code)
    if rule is None:
        raise NotFound(f"no title rule {code!r}", code="complaints.no_title_rule")
    return rule


def check_title_rule(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind is not None and kind not in TITLE_RULE_KINDS:
        raise Invalid(
            f"unknown rule kind {kind!r}; one of {list(TITLE_RULE_KINDS)}",
            code="complaints.unknown_rule_kind",
            field="kind",
        )
    if kind == "top_points_month" and not data.get("top_n", 1):
        raise Invalid("a top-N title names N (top_n ≥ 1)", code="complaints.top_n_missing", field="top_n")
    return data


def do_update_title_rule(session: Session, rule: TitleRule, changes: dict[str, Any]) -> TitleRule:
    merged = check_title_rule({"kind": rule.kind, "top_n": rule.top_n, **changes})
    for name, value in changes.items():
        setattr(rule, name, value)
    if merged["kind"] == "top_points_month" and rule.top_n < 1:
        raise Invalid("a top-N title names N (top_n ≥ 1)", code="complaints.top_n_missing", field="top_n")
    session.flush()
    return rule


@dataclass(frozen=True)
class Holder:
    person_id: int
    name: str
    post: str
    unit_id: int
    points: int


def titles(session: Session, month: str) -> list[tuple[TitleRule, list[Holder]]]:
    """Each active title of the month with the people who hold it."""
    month_points = {
        int(p): int(n or 0)
        for p, n in session.execute(
            select(LedgerEntry.person_id, func.sum(LedgerEntry.points))
            .where(LedgerEntry.month == month)
            .group_by(LedgerEntry.person_id)
        )
    }
    penalised = {
        int(p)
        for (p,) in session.execute(
            select(LedgerEntry.person_id)
            .where(LedgerEntry.month == month, LedgerEntry.kind.in_(("complaint", "joint")))
            .group_by(LedgerEntry.person_id)
            .having(func.sum(LedgerEntry.points) < 0)
        )
    }
    complained_ytd = {
        int(p)
        for (p,) in session.execute(
            select(LedgerEntry.person_id)
            .where(
                and_(LedgerEntry.month >= f"{month[:4]}-01", LedgerEntry.month <= month),
                LedgerEntry.kind == "complaint",
            )
            .group_by(LedgerEntry.person_id)
            .having(func.sum(LedgerEntry.points) < 0)
        )
    }
    staff = active_staff(session)
    out = []
    for rule in title_rules(session):
        if not rule.is_active:
            continue
        pool = [p for p in staff if not rule.posts or p.post in rule.posts]
        if rule.kind == "no_valid_complaint_ytd":
            chosen = [p for p in pool if p.id not in complained_ytd]
        elif rule.kind == "top_points_month":
            ranked = sorted((p for p in pool if month_points.get(p.id, 0) > 0), key=lambda p: -month_points[p.id])
            chosen = ranked[: rule.top_n]
        else:
            chosen = [p for p in pool if month_points.get(p.id, 0) >= max(rule.min_points, 1) and p.id not in penalised]
        out.append((rule, [Holder(p.id, p.name, p.post, p.unit_id, month_points.get(p.id, 0)) for p in chosen]))
    return out
