"""Proactive notice (主动服务) call results, and one-to-many announcements (一对多公告): by SMS (this domain's
worker steps, through notify's bulk lane) and by WeChat (``channels.notices`` reads the announcements that
name it, ``announcements_by_channel``, and adds its delivery counts through ``DELIVERY_COUNTS_KEY``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.clock import now
from huiyin.core.actor import Actor
from huiyin.core.roles import MANAGERS, Role
from huiyin.customers.service import count_customers
from huiyin.errors import Conflict, Forbidden, Invalid, NotFound
from huiyin.notify.bulk import delivery_counts
from huiyin.org.refs import check_area
from huiyin.outages.models import Announcement, NoticeCall
from huiyin.outages.service import areas_of, get_outage
from huiyin.outages.states import WRITERS


def calls_of(
    session: Session, *, outage_id: int | None = None, agent_id: int | None = None, state: str | None = None
) -> list[NoticeCall]:
    stmt = select(NoticeCall)
    if outage_id is not None:
        stmt = stmt.where(NoticeCall.outage_id == outage_id)
    if agent_id is not None:
        stmt = stmt.where(NoticeCall.agent_id == agent_id)
    if state is not None:
        stmt = stmt.where(NoticeCall.state == state)
    return list(session.scalars(stmt.order_by(NoticeCall.state != "pending", NoticeCall.id).limit(500)))


def do_record_call(session: Session, actor: Actor, call_id: int, result: str, note: str) -> NoticeCall:
    """An agent's result: reached, no answer (may be tried again), wrong number. The call's agent, or a
    manager."""
    call = session.get(NoticeCall, call_id, with_for_update=True)
    if call is None:
        raise NotFound(f"notice call {call_id} does not exist", code="outages.no_such_call", call_id=call_id)
    if call.agent_id != actor.id and not actor.has(*MANAGERS, Role.dispatcher):
        raise Forbidden("this call is another agent's", code="outages.call_not_yours")
    if call.state == "reached":
        raise Conflict(f"the call was recorded as {call.state} already", code="outages.call_reached")
    if call.state == "wrong_number":
        raise Conflict(f"the call was recorded as {call.state} already", code="outages.call_wrong_number")
    call.state = result
    call.attempts += 1
    call.note = note
    call.done_at = now()
    return call


def check_audience(session: Session, audience: dict[str, Any]) -> tuple[list[int] | None, list[str]]:
    """(areas, tags) of an audience: exactly one of areas, a tag, an outage."""
    given = [k for k in ("area_ids", "tag", "outage_id") if audience.get(k)]
    if len(given) != 1:
        raise Invalid(
            "an audience is one of: area_ids, a tag, an outage_id", code="outages.audience_one", field="audience"
        )
    if audience.get("area_ids"):
        return [check_area(session, a).id for a in audience["area_ids"]], []
    if audience.get("tag"):
        return None, [str(audience["tag"])]
    o = get_outage(session, int(audience["outage_id"]))
    return areas_of(session, [o.id])[o.id], []


def count_audience(session: Session, audience: dict[str, Any]) -> int:
    areas, tags = check_audience(session, audience)
    return count_customers(session, areas, tags)


CHANNELS = ("sms", "wechat")
DELIVERY_COUNTS_KEY = "outages.delivery_counts"
"""session.info: functions (session, announcement ids) → {id: {count name: n}} of the other channels an
announcement goes by (``channels.notices.announcement_counts``, hung in ``huiyin/wiring.py``)."""
DeliveryCounts = Callable[[Session, Sequence[int]], dict[int, dict[str, int]]]


def do_announce(
    session: Session, actor: Actor, audience: dict[str, Any], text: str, channels: Sequence[str] = ("sms",)
) -> Announcement:
    """An announcement to ``audience`` by SMS, by WeChat (its bound followers), or both."""
    if not actor.has(*WRITERS):
        raise Forbidden("announcements are sent by dispatchers and managers", code="outages.announce_role")
    chosen = [c for c in CHANNELS if c in channels]
    if not chosen or len(chosen) != len(set(channels)):
        raise Invalid(f"channels: one or more of {', '.join(CHANNELS)}", code="outages.channels", field="channels")
    count = count_audience(session, audience)
    a = Announcement(
        audience={k: v for k, v in audience.items() if v},
        text=text,
        channel="+".join(chosen),
        state="queued" if "sms" in chosen else "sent",  # the SMS steps; WeChat's rounds are channels' own
        audience_count=count,
        queued_count=0,
        cursor=0,
        created_by=actor.id,
        created_at=now(),
    )
    session.add(a)
    session.flush()
    session.info["outbox_wake"] = True
    return a


def announcements(session: Session, limit: int = 100) -> list[tuple[Announcement, dict[str, int]]]:
    rows = list(session.scalars(select(Announcement).order_by(Announcement.id.desc()).limit(limit)))
    extra: dict[int, dict[str, int]] = {}
    for counts in session.info.get(DELIVERY_COUNTS_KEY, ()):
        for i, got in counts(session, [a.id for a in rows]).items():
            extra.setdefault(i, {}).update(got)
    return [
        (a, {**(delivery_counts(session, [f"ann:{a.id}"]) if "sms" in a.channel else {}), **extra.get(a.id, {})})
        for a in rows
    ]


@dataclass(frozen=True)
class AnnouncementFacts:
    id: int
    audience: dict[str, Any]
    text: str
    created_at: datetime


def announcements_by_channel(session: Session, channel: str, *, after_id: int = 0) -> list[AnnouncementFacts]:
    """The announcements after ``after_id`` that go by ``channel``, oldest first (another domain sends them)."""
    rows = session.scalars(
        select(Announcement)
        .where(Announcement.id > after_id, Announcement.channel.contains(channel))
        .order_by(Announcement.id)
        .limit(100)
    )
    return [AnnouncementFacts(a.id, dict(a.audience), a.text, a.created_at) for a in rows]
