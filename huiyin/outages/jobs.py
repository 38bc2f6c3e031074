"""The worker's share of outages, a batch per step so that no transaction writes a hundred thousand rows:

- a planned outage becomes active when its start comes;
- a ``notice`` round: every customer of the outage's areas gets the notice SMS (the bulk lane, at the gateway's
  rate, opt-outs skipped, once per customer and round), and the key, sensitive, repeat-complainant, elderly
  and VIP customers go on the call list (主动服务), shared among the agents;
- a ``restore`` round: every merged report is resolved with the outage's result; a share keeps its callback
  (``callback_share``), the rest are closed without one; each reporting number gets one SMS;
- an announcement (一对多公告): its audience's SMS, batch by batch.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.auth.refs import directory
from huiyin.core.fastsql import bulk_insert
from huiyin.core.phones import is_mobile
from huiyin.core.roles import Role
from huiyin.customers.service import Reachable, customers_in_areas, customers_with_tag
from huiyin.notify.bulk import BulkSms, do_queue_bulk_sms
from huiyin.outages.models import Announcement, NoticeCall, Outage, OutageReport, OutageRound
from huiyin.outages.service import areas_of, do_activate
from huiyin.outages.states import LIVE, OutageState
from huiyin.settings import Settings
from huiyin.workorders import service as orders


def do_activate_due(session: Session, at: datetime) -> int:
    """Planned outages whose start has come: active now."""
    due = session.scalars(
        select(Outage)
        .where(Outage.state == OutageState.announced.value, Outage.starts_at <= at)
        .with_for_update(skip_locked=True)
    ).all()
    for o in due:
        do_activate(session, None, o)
    return len(due)


def _claim_round(session: Session) -> OutageRound | None:
    stmt = (
        select(OutageRound)
        .where(OutageRound.state == "pending")
        .order_by(OutageRound.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    return session.scalar(stmt)


def _agents(session: Session) -> list[int]:
    """The active agents who are not away now (the call list is theirs)."""
    people = directory(session)
    return [p.id for p in people.by_role.get(Role.agent.value, ()) if not people.is_absent(p.id)]


def sampled(order_id: int, share: float) -> bool:
    """Whether a merged report keeps its callback: a fixed share, spread evenly over the ids."""
    return (order_id * 2654435761) % 1000 < round(share * 1000)


def _notice_step(session: Session, r: OutageRound, o: Outage, settings: Settings, at: datetime) -> int:
    cfg = settings.outages
    if o.state not in LIVE:  # cancelled or over before its notice went out
        r.state, r.done_at = "done", at
        return 0
    batch = customers_in_areas(session, areas_of(session, [o.id])[o.id], after_id=r.cursor, limit=cfg.batch_size)
    messages = [
        BulkSms(c.mobile, r.text, f"outage:{o.id}:n{r.round}:{c.id}") for c in batch if c.mobile and is_mobile(c.mobile)
    ]
    batch_name = f"outage:{o.id}:notice:{r.round}"
    # past the round's cursor, in the cursor's transaction: none of these was queued (``fresh``)
    got = do_queue_bulk_sms(
        session, messages, kind="outage_notice", batch=batch_name, per_second=cfg.sms_per_second, fresh=True
    )
    r.sms_count += got.queued
    _call_list(session, r, o, [c for c in batch if set(c.tags) & set(cfg.call_tags)], cfg.call_tags, at)
    r.done_count += len(batch)
    if batch:
        r.cursor = batch[-1].id
    if len(batch) < cfg.batch_size:
        r.state, r.done_at = "done", at
    return len(batch)


def _call_list(
    session: Session, r: OutageRound, o: Outage, people: list[Reachable], tags: list[str], at: datetime
) -> None:
    """The tagged customers of this batch on the round's call list (an ETA change calls them again with the new
    time), shared round-robin among the agents."""
    if not people:
        return
    agents = _agents(session)
    start = r.done_count
    rows = [
        {
            "outage_id": o.id,
            "round": r.round,
            "customer_id": p.id,
            "tags": [t for t in p.tags if t in tags],
            "agent_id": agents[(start + i) % len(agents)] if agents else None,
            "state": "pending",
            "attempts": 0,
            "note": "",
            "created_at": at,
        }
        for i, p in enumerate(people)
    ]
    bulk_insert(session, NoticeCall, rows)  # one statement a batch (a big outage lists thousands)


def _restore_step(session: Session, r: OutageRound, o: Outage, settings: Settings, at: datetime) -> int:
    cfg = settings.outages
    size = max(cfg.batch_size // 20, 10)  # each report is a resolve (and a close) through the loop: short steps
    ids = list(
        session.scalars(
            select(OutageReport.order_id)
            .where(OutageReport.outage_id == o.id, OutageReport.order_id > r.cursor)
            .order_by(OutageReport.order_id)
            .limit(size)
        )
    )
    result = o.result or "故障已排除，已恢复供应"
    phones: list[str] = []
    for order in orders.lock_orders(session, ids):
        if order.state != "merged":
            continue  # unmerged meanwhile, or resolved another way
        orders.do_system_resolve(
            session, order, result, f"随停供事件 #{o.id} 恢复办结", system="outage", outage_id=o.id
        )
        if not sampled(order.id, cfg.callback_share):
            reason = f"停供事件 #{o.id} 已恢复，批量办结（抽样回访未抽中）"
            orders.do_close(session, order, None, reason, waived=True, system="outage", outage_id=o.id)
        if order.contact_phone and is_mobile(order.contact_phone):
            phones.append(order.contact_phone)
    messages = [BulkSms(p, r.text, f"outage:{o.id}:restored:{p}") for p in dict.fromkeys(phones)]
    got = do_queue_bulk_sms(
        session, messages, kind="outage_restored", batch=f"outage:{o.id}:restore", per_second=cfg.sms_per_second
    )
    r.sms_count += got.queued
    r.done_count += len(ids)
    if ids:
        r.cursor = ids[-1]
    if len(ids) < size:
        r.state, r.done_at = "done", at
    return len(ids)


def do_round_step(session: Session, settings: Settings, at: datetime) -> int:
    """One batch of the oldest pending round; how many customers or reports it took (0: none pending)."""
    r = _claim_round(session)
    if r is None:
        return 0
    o = session.get(Outage, r.outage_id)
    assert o is not None
    if r.kind == "restore":
        return _restore_step(session, r, o, settings, at) or 1
    return _notice_step(session, r, o, settings, at) or 1


def audience_batch(session: Session, a: Announcement, limit: int) -> list[Reachable]:
    aud = a.audience
    if aud.get("tag"):
        return customers_with_tag(session, str(aud["tag"]), after_id=a.cursor, limit=limit)
    area_ids = list(aud.get("area_ids") or [])
    if aud.get("outage_id"):
        area_ids = areas_of(session, [int(aud["outage_id"])])[int(aud["outage_id"])]
    return customers_in_areas(session, area_ids, after_id=a.cursor, limit=limit)


def do_announcement_step(session: Session, settings: Settings, at: datetime) -> int:
    """One batch of the oldest queued announcement."""
    a = session.scalar(
        select(Announcement)
        .where(Announcement.state == "queued")
        .order_by(Announcement.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if a is None:
        return 0
    size = settings.outages.batch_size
    batch = audience_batch(session, a, size)
    messages = [BulkSms(c.mobile, a.text, f"ann:{a.id}:{c.id}") for c in batch if c.mobile and is_mobile(c.mobile)]
    got = do_queue_bulk_sms(
        session, messages, kind="announcement", batch=f"ann:{a.id}", per_second=settings.outages.sms_per_second
    )
    a.queued_count += got.queued
    if batch:
        a.cursor = batch[-1].id
    if len(batch) < size:
        a.state, a.done_at = "sent", at
    return len(batch) or 1
