"""IVR routing hints (IVR 路由提示): what the IVR should do with a caller, from rules supervisors edit.

``route`` does a handful of indexed look-ups (the caller's customers by number, their tags and areas, an
open emergency order by customer or by contact number) plus the enabled rules, so that it answers well
inside the 20 ms the IVR can wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from huiyin.calls.cti import normalize_number
from huiyin.calls.models import IvrRule
from huiyin.calls.service import IDS_BY_NUMBER, TAGS_JOINED, split_joined
from huiyin.clock import now
from huiyin.core.fastsql.prebuilt import Prebuilt, rows_together
from huiyin.customers.models import TAGS, Customer
from huiyin.errors import Invalid, NotFound
from huiyin.outages.refs import LiveOutage, live_outages
from huiyin.outages.service import texts
from huiyin.workorders.service import latest_open_emergency

KINDS = ("tag", "emergency", "area")


@dataclass(frozen=True)
class SeedRule:
    key: str
    name: str
    priority: int
    kind: str
    tags: tuple[str, ...] = ()
    queue: str | None = None
    connect_agent: bool = False


# The routing most service centres start from: an open emergency goes straight to an agent; key and
# sensitive customers and repeat complainants to the senior (expert) queue; the elderly to the slow-speech one.
SEED_RULES = (
    SeedRule("emergency", "未结紧急工单：直接转人工", 10, "emergency", queue="emergency", connect_agent=True),
    SeedRule("key", "重要客户进专家座席", 20, "tag", ("key_customer", "vip"), queue="senior"),
    SeedRule(
        "sensitive", "敏感客户、重复投诉进专家座席", 30, "tag", ("sensitive", "repeat_complainant"), queue="senior"
    ),
    SeedRule("elderly", "老年客户进慢语速队列", 40, "tag", ("elderly",), queue="slow_speech"),
)


def seed_rules(session: Session) -> None:
    """Adds the seeded rules not there yet (matched by seed key); edited ones are left alone."""
    have = set(session.scalars(select(IvrRule.seed_key).where(IvrRule.seed_key.is_not(None))))
    for r in SEED_RULES:
        if r.key not in have:
            session.add(
                IvrRule(
                    name=r.name,
                    priority=r.priority,
                    kind=r.kind,
                    tags=list(r.tags),
                    area_ids=[],
                    queue=r.queue,
                    connect_agent=r.connect_agent,
                    seed_key=r.key,
                    enabled=True,
                )
            )
    session.flush()


class Rule(NamedTuple):
    """An IVR rule as routing reads it (a row, not an ORM object)."""

    id: int
    kind: str
    tags: list[str]
    area_ids: list[int]
    queue: str | None
    connect_agent: bool
    announcement: str | None
    starts_at: datetime | None
    ends_at: datetime | None


class Emergency(NamedTuple):
    id: int
    number: str
    created_at: datetime


# The IVR waits on these: each is Prebuilt (compiled once, run on the session's cursor: core/prebuilt.py).
_RULES_SELECT = (
    select(*(getattr(IvrRule, f) for f in Rule._fields))
    .where(IvrRule.enabled.is_(True))
    .order_by(IvrRule.priority, IvrRule.id)
)
_RULES = Prebuilt(_RULES_SELECT)
_AREA_RULES = Prebuilt(_RULES_SELECT.where(IvrRule.kind == "area"))
# the customers with the caller's number (six at most, as the pop's candidates), with their areas and tags
_CALLER_IDS = IDS_BY_NUMBER.limit(6)
_CALLERS = Prebuilt(
    select(Customer.id, Customer.area_id, TAGS_JOINED).where(Customer.id.in_(_CALLER_IDS)).order_by(Customer.id)
)
_EMERGENCY_OF_CUSTOMERS = Prebuilt(latest_open_emergency(customer_ids=_CALLER_IDS))
_EMERGENCY_FROM_NUMBER = Prebuilt(latest_open_emergency(contact_phone=bindparam("number")))


def _rules(rows: list[tuple[Any, ...]]) -> list[Rule]:
    return [r._replace(tags=r.tags or [], area_ids=r.area_ids or []) for r in (Rule(*row) for row in rows)]


def route(session: Session, caller: str, at: datetime | None = None, tz: str = "Asia/Shanghai") -> dict[str, Any]:
    """Four statements of columns only, each compiled once and independent of the others, sent together
    (one round trip on PostgreSQL): the IVR waits on this. The caller's customers (by number), the newest
    open emergency order of theirs, or else one reported from this number (two indexed look-ups, not one OR
    that scans), and the enabled rules."""
    at = at or now()
    number = normalize_number(caller)
    ids: list[int] = []
    tags: set[str] = set()
    areas: set[int] = set()
    emergency: Emergency | None = None
    if number and number != "anonymous":
        given = {"number": number}
        callers, of_customers, from_number, rule_rows = rows_together(
            session,
            [(_CALLERS, given), (_EMERGENCY_OF_CUSTOMERS, given), (_EMERGENCY_FROM_NUMBER, given), (_RULES, None)],
        )
        for customer_id, area_id, joined in callers:
            ids.append(customer_id)
            tags.update(split_joined(joined))
            if area_id is not None:
                areas.add(area_id)
        found = [Emergency(*hit) for hit in (*of_customers, *from_number)]
        emergency = max(found, key=lambda o: o.created_at) if found else None
    else:
        rule_rows = _RULES.rows(session)
    rules = _rules(rule_rows)
    queue: str | None = None
    tier: str | None = None
    connect = False
    matched: list[int] = []
    announcements: list[str] = []
    outage_ids: list[int] = []
    for outage in outage_notices(session, areas):  # the live outages of the caller's areas, first
        announcements.append(texts(session, outage, outage.area_ids, tz).announcement)
        outage_ids.append(outage.id)
    for r in rules:
        if r.kind == "area":
            if _announces(r, areas, at):
                announcements.append(r.announcement or "")
                matched.append(r.id)
            continue
        if r.kind == "emergency":
            hit = emergency is not None
        else:
            hits = [t for t in r.tags or [] if t in tags]
            hit = bool(hits)
        if not hit:
            continue
        matched.append(r.id)
        if queue is None and r.queue:
            queue = r.queue
        if tier is None:
            tier = "emergency" if r.kind == "emergency" else next(t for t in r.tags if t in tags)
        connect = connect or r.connect_agent
        if r.announcement:
            announcements.append(r.announcement)
    return {
        "caller": number,
        "known": bool(ids),
        "customer_id": ids[0] if len(ids) == 1 else None,
        "tier": tier,
        "tags": sorted(tags),
        "queue": queue,
        "connect_agent": connect,
        "emergency_order": {"id": emergency.id, "number": emergency.number} if emergency else None,
        "announcements": announcements,
        "outage_ids": outage_ids,
        "matched_rules": matched,
    }


def outage_notices(session: Session, area_ids: set[int]) -> list[LiveOutage]:
    """The live outages (``outages.refs``: in memory) of these areas, each once, the earliest start first."""
    snap = live_outages(session)
    found = {o.id: o for a in sorted(area_ids) for o in snap.in_area(a)}
    return sorted(found.values(), key=lambda o: (o.starts_at, o.id))


def _announces(rule: Rule, area_ids: set[int], at: datetime) -> bool:
    """An area rule with an announcement, active now, for one of these areas."""
    active = (rule.starts_at is None or rule.starts_at <= at) and (rule.ends_at is None or at < rule.ends_at)
    return bool(active and rule.announcement and area_ids.intersection(rule.area_ids))


def area_announcements(session: Session, area_id: int | None, at: datetime | None = None) -> list[Rule]:
    """The outage announcements active now for an area (the screen pop's notices), by priority."""
    if area_id is None:
        return []
    at = at or now()
    return [r for r in _rules(_AREA_RULES.rows(session)) if _announces(r, {area_id}, at)]


# ---------------------------------------------------------------- editing


def check_rule(data: dict[str, Any]) -> dict[str, Any]:
    kind = data.get("kind")
    if kind not in KINDS:
        raise Invalid(f"kind must be one of {list(KINDS)}", code="calls.rule_kind", field="kind")
    tags = list(dict.fromkeys(data.get("tags") or []))
    bad = [t for t in tags if t not in TAGS]
    if bad:
        raise Invalid(f"unknown tag(s) {bad}; allowed: {list(TAGS)}", code="calls.rule_unknown_tag", field="tags")
    if kind == "tag" and not tags:
        raise Invalid("a tag rule needs at least one tag", code="calls.rule_needs_tag", field="tags")
    if kind == "area" and not (data.get("area_ids") and data.get("announcement")):
        raise Invalid(
            "an area rule needs areas and the announcement to play", code="calls.rule_needs_areas", field="area_ids"
        )
    if kind != "area" and not (data.get("queue") or data.get("connect_agent") or data.get("announcement")):
        raise Invalid(
            "the rule must do something: a queue, connect to an agent, or an announcement",
            code="calls.rule_does_nothing",
            field="queue",
        )
    starts, ends = data.get("starts_at"), data.get("ends_at")
    if starts is not None and ends is not None and ends <= starts:
        raise Invalid("ends_at must be after starts_at", code="calls.rule_ends_before_start", field="ends_at")
    return {**data, "tags": tags, "area_ids": list(dict.fromkeys(data.get("area_ids") or []))}


def check_areas(session: Session, area_ids: list[int]) -> None:
    from huiyin.org.models import Area

    if area_ids:
        found = set(session.scalars(select(Area.id).where(Area.id.in_(area_ids))))
        missing = [a for a in area_ids if a not in found]
        if missing:
            raise Invalid(f"unknown area(s) {missing}", code="calls.rule_unknown_area", field="area_ids")


def get_rule(session: Session, rule_id: int) -> IvrRule:
    rule = session.get(IvrRule, rule_id)
    if rule is None:
        raise NotFound(f"IVR rule {rule_id} not found", code="calls.no_rule")
    return rule


def do_save_rule(session: Session, rule: IvrRule | None, data: dict[str, Any], user_id: int) -> IvrRule:
    data = check_rule(data)
    check_areas(session, data["area_ids"])
    if rule is None:
        rule = IvrRule()
        session.add(rule)
    for field in (
        "name",
        "priority",
        "kind",
        "tags",
        "area_ids",
        "queue",
        "connect_agent",
        "announcement",
        "starts_at",
        "ends_at",
        "enabled",
    ):
        if field in data:
            setattr(rule, field, data[field])
    rule.updated_by = user_id
    session.flush()
    return rule


def rules(session: Session) -> list[IvrRule]:
    return list(session.scalars(select(IvrRule).order_by(IvrRule.priority, IvrRule.id)))
