"""WeChat template messages (模板消息) to the followers who bound their account to a customer: what a utility's
official account tells its customers without being asked.

- **An order's progress**: the order registered (受理) and resolved (处理完毕), through the orders' lifecycle
  hooks (``subscribe``; ``huiyin/wiring.py`` hangs it), to every bound follower of the order's customer.
- **An outage**: when it is announced or becomes active, and again when its ETA moves, the bound followers
  among the customers of its areas get its notice; when it is restored, that it is over. The worker's
  ``scan`` finds these changes in the live outages (``outages.refs``), as a round keyed by the change.
- **An announcement** (一对多公告) sent ``by WeChat``: its audience's bound followers (``outages.notice``'s
  announcements with the channel).

A round goes through the bound followers a batch at a time (``do_round_step``); each message is a pending
row, unique by its key (a change is told once per follower however often a listener or a round runs), that
the worker claims, sends with no transaction open and marks sent, retried with back-off, or failed for good
(the follower unsubscribed, no such template). An account with no template id for the kind skips it, said on
the row. Template messages need no 48-hour window: WeChat delivers them to any subscriber.

The template's fields are WeChat's industry-template shape (``first``, ``keyword1``…``keyword4``, ``remark``);
the account's ``config["templates"]`` names its template id per kind (``order``, ``outage``,
``announcement``), as registered on the official account's platform.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from huiyin.channels import wechat
from huiyin.channels.models import ChannelAccount, ChannelContact, WechatNotice, WechatNoticeRound
from huiyin.clock import now
from huiyin.core.fastsql import Prebuilt
from huiyin.customers.service import reachable
from huiyin.outages.notice import announcements_by_channel, check_audience
from huiyin.outages.refs import LiveOutage, live_outages
from huiyin.outages.service import texts
from huiyin.settings import Settings
from huiyin.workorders.hooks import Moment, OrderChange, OrderHooks
from huiyin.workorders.service import get_category

log = logging.getLogger("huiyin.channels")
TEMPLATES = ("order", "outage", "announcement")
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 6
BATCH = 500
RESTORED_WITHIN = timedelta(hours=6)
"""A restoration older than this when the worker first sees it (a new deployment) is not announced."""
STATE_ZH = {"registered": "已受理", "resolved": "已处理完毕"}


# ---------------------------------------------------------------- queueing


@dataclass(frozen=True)
class Follower:
    contact_id: int
    account_id: int
    openid: str
    customer_id: int


def followers_of(session: Session, customer_ids: Sequence[int]) -> list[Follower]:
    """The subscribed WeChat followers bound to these customers."""
    if not customer_ids:
        return []
    rows = session.execute(
        select(ChannelContact.id, ChannelContact.account_id, ChannelContact.address, ChannelContact.customer_id)
        .where(
            ChannelContact.customer_id.in_(list(customer_ids)),
            ChannelContact.channel == "wechat",
            ChannelContact.subscribed,
        )
        .order_by(ChannelContact.id)
    ).all()
    return [Follower(r.id, r.account_id, r.address, r.customer_id) for r in rows if r.customer_id is not None]


_FOLLOWERS_OF_ONE = Prebuilt(
    select(ChannelContact.id, ChannelContact.account_id, ChannelContact.address, ChannelContact.customer_id)
    .where(
        ChannelContact.customer_id == bindparam("customer_id"),
        ChannelContact.channel == "wechat",
        ChannelContact.subscribed,
    )
    .order_by(ChannelContact.id)
)
"""One customer's followers, on the registration's path: prebuilt (``core.fastsql``), an index look-up that costs
the request ~0.1 ms, and almost always finds none."""


def do_queue(
    session: Session,
    followers: Sequence[Follower],
    *,
    template: str,
    source: str,
    key: str,
    data: Mapping[str, str],
    url: str | None = None,
    at: datetime | None = None,
) -> int:
    """One pending message per follower (``{key}:{contact}``), none twice; how many were new."""
    if not followers:
        return 0
    at = at or now()
    if any(f.account_id == 0 for f in followers):  # a contact of "the only account" (0): the first WeChat one
        first = (
            session.scalar(
                select(ChannelAccount.id).where(ChannelAccount.kind == "wechat").order_by(ChannelAccount.id).limit(1)
            )
            or 0
        )
        followers = [f if f.account_id else Follower(f.contact_id, first, f.openid, f.customer_id) for f in followers]
        followers = [f for f in followers if f.account_id]
        if not followers:
            return 0
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "key": f"{key}:{f.contact_id}",
            "account_id": f.account_id,
            "contact_id": f.contact_id,
            "openid": f.openid,
            "template": template,
            "source": source,
            "data": dict(data),
            "url": url,
            "state": "pending",
            "attempts": 0,
            "deliver_after": at,
            "created_at": at,
        }
        for f in followers
    ]
    stmt = insert(WechatNotice).values(rows).on_conflict_do_nothing(index_elements=["key"]).returning(WechatNotice.id)
    got = len(session.execute(stmt).all())
    if got:
        session.info["outbox_wake"] = True
    return got


def _clock(at: datetime | None, tz: str) -> str:
    return at.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if at else "待定"


# ---------------------------------------------------------------- orders


def on_order(tz: str) -> Any:
    def listener(change: OrderChange) -> None:
        order = change.order
        if order.customer_id is None or getattr(order, "merged_into", None):  # a merged report: the outage tells
            return
        session = change.session
        rows = _FOLLOWERS_OF_ONE.rows(session, {"customer_id": order.customer_id})
        if not rows:
            return
        followers = [Follower(r[0], r[1], r[2], r[3]) for r in rows]
        with session.no_autoflush:  # the new order is written once, at the end (``do_register``)
            category = get_category(session, order.category_id).name
        moment = change.moment.value
        first = "您好，您的诉求已受理，我们将尽快处理。" if moment == "registered" else "您好，您的诉求已处理完毕。"
        remark = (
            "如需补充情况，可直接在公众号留言。"
            if moment == "registered"
            else "稍后我们将回访了解您的满意度，感谢您的支持。"
        )
        with session.no_autoflush:
            _queue_order(session, followers, order, moment, category, first, remark, tz)

    return listener


def _queue_order(
    session: Session,
    followers: list[Follower],
    order: Any,
    moment: str,
    category: str,
    first: str,
    remark: str,
    tz: str,
) -> None:
    do_queue(
        session,
        followers,
        template="order",
        source=f"order:{order.id}",
        key=f"order:{order.id}:{moment}",
        data={
            "first": first,
            "keyword1": order.number,
            "keyword2": category,
            "keyword3": STATE_ZH[moment],
            "keyword4": _clock(now(), tz),
            "remark": remark,
        },
    )


def subscribe(hooks: OrderHooks, settings: Settings) -> None:
    listener = on_order(settings.timezone)
    hooks.on_many("channels", {Moment.registered: listener, Moment.resolved: listener})


# ---------------------------------------------------------------- outages and announcements


def _outage_round_key(o: LiveOutage) -> str:
    eta = o.eta.isoformat() if o.eta else "none"
    return f"outage:{o.id}:notice:{eta}"


def _round(
    session: Session,
    key: str,
    source: str,
    template: str,
    area_ids: Sequence[int] | None,
    tags: Sequence[str],
    data: Mapping[str, str],
    at: datetime,
) -> WechatNoticeRound:
    r = WechatNoticeRound(
        key=key,
        source=source,
        template=template,
        area_ids=sorted(area_ids) if area_ids is not None else None,
        tags=list(tags),
        data=dict(data),
        cursor=0,
        queued=0,
        state="pending",
        created_at=at,
    )
    session.add(r)
    return r


def do_scan(session: Session, settings: Settings, at: datetime | None = None) -> int:
    """New rounds for what changed since the last scan: a live outage's notice (a new outage, a moved ETA), a
    restoration, an announcement by WeChat. Cheap when nothing changed: the live outages are in memory, and
    one query asks which of their keys have rounds already."""
    at = at or now()
    if session.scalar(select(func.count()).select_from(ChannelAccount).where(ChannelAccount.kind == "wechat")) == 0:
        return 0
    snap = live_outages(session)
    wanted: dict[str, tuple[LiveOutage, bool]] = {}
    for o in snap.outages:
        wanted[_outage_round_key(o)] = (o, False)
    for o in snap.restored:
        if o.ended_at is not None and at - o.ended_at <= RESTORED_WITHIN:
            wanted[f"outage:{o.id}:restored"] = (o, True)
    last_ann = session.scalar(
        select(func.max(WechatNoticeRound.id)).where(WechatNoticeRound.template == "announcement")
    )
    seen_ann = (
        session.scalar(select(WechatNoticeRound.source).where(WechatNoticeRound.id == last_ann)) if last_ann else None
    )
    after = int(seen_ann.split(":")[1]) if seen_ann else 0
    anns = announcements_by_channel(session, "wechat", after_id=after)
    keys = list(wanted) + [f"ann:{a.id}" for a in anns]
    if not keys:
        return 0
    have = set(session.scalars(select(WechatNoticeRound.key).where(WechatNoticeRound.key.in_(keys))))
    made = 0
    for key, (o, restored) in wanted.items():
        if key in have:
            continue
        if restored and not session.scalar(  # only the followers who were told of it hear it is over
            select(WechatNoticeRound.id).where(WechatNoticeRound.source == f"outage:{o.id}").limit(1)
        ):
            continue
        t = texts(session, o, o.area_ids, settings.timezone)
        what = t.announcement.removeprefix("您好，")
        data = (
            {
                "first": "您好，您所在区域的供应已恢复。",
                "keyword1": what,
                "keyword2": _clock(o.ended_at, settings.timezone),
                "remark": "恢复后请先检查家中阀门和用具，如有异常请拨打客服热线。",
            }
            if restored
            else {
                "first": "您好，您所在区域有一项停供安排，特此通知。",
                "keyword1": what,
                "keyword2": _clock(o.starts_at, settings.timezone),
                "keyword3": _clock(o.eta, settings.timezone),
                "remark": "给您带来不便，敬请谅解。",
            }
        )
        _round(session, key, f"outage:{o.id}", "outage", sorted(o.area_ids), [], data, at)
        made += 1
    for a in anns:
        if f"ann:{a.id}" in have:
            continue
        areas, tags = check_audience(session, a.audience)
        data = {
            "first": "您好，客户服务中心公告：",
            "keyword1": a.text,
            "keyword2": _clock(a.created_at, settings.timezone),
        }
        _round(session, f"ann:{a.id}", f"ann:{a.id}", "announcement", areas, tags, data, at)
        made += 1
    if made:
        session.flush()
    return made


def do_round_step(session: Session, at: datetime | None = None, limit: int = BATCH) -> int:
    """A batch of the oldest pending round: its next bound followers, those among the round's customers
    queued. How many followers were looked at (0: no round waits)."""
    at = at or now()
    r = session.scalar(
        select(WechatNoticeRound)
        .where(WechatNoticeRound.state == "pending")
        .order_by(WechatNoticeRound.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
    if r is None:
        return 0
    rows = session.execute(
        select(ChannelContact.id, ChannelContact.account_id, ChannelContact.address, ChannelContact.customer_id)
        .where(
            ChannelContact.channel == "wechat",
            ChannelContact.subscribed,
            ChannelContact.customer_id.is_not(None),
            ChannelContact.id > r.cursor,
        )
        .order_by(ChannelContact.id)
        .limit(limit)
    ).all()
    customers = {c.id: c for c in reachable(session, sorted({row.customer_id for row in rows}))}
    areas = set(r.area_ids) if r.area_ids is not None else None
    tags = set(r.tags)
    chosen = []
    for row in rows:
        c = customers.get(row.customer_id)
        if c is None or (areas is not None and c.area_id not in areas) or (tags and not tags & set(c.tags)):
            continue
        chosen.append(Follower(row.id, row.account_id, row.address, row.customer_id))
    r.queued += do_queue(session, chosen, template=r.template, source=r.source, key=r.key, data=r.data, at=at)
    if rows:
        r.cursor = rows[-1].id
    if len(rows) < limit:
        r.state, r.done_at = "done", at
    return len(rows) or 1


def figures(session: Session, sources: Sequence[str]) -> dict[str, dict[str, int]]:
    """Per source (``ann:7``, ``outage:3``): how many messages are pending, sent, failed, skipped."""
    out: dict[str, dict[str, int]] = {s: {} for s in sources}
    if not sources:
        return out
    rows = session.execute(
        select(WechatNotice.source, WechatNotice.state, func.count())
        .where(WechatNotice.source.in_(list(sources)))
        .group_by(WechatNotice.source, WechatNotice.state)
    )
    for source, state, n in rows:
        out[source][state] = int(n)
    return out


def announcement_counts(session: Session, ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """An announcement's WeChat deliveries, for ``outages.notice`` (hung in ``huiyin/wiring.py``)."""
    got = figures(session, [f"ann:{i}" for i in ids])
    return {i: {f"wechat_{k}": v for k, v in got[f"ann:{i}"].items()} for i in ids}


# ---------------------------------------------------------------- sending


@dataclass(frozen=True)
class Claimed:
    id: int
    attempts: int
    openid: str
    template_id: str | None
    data: dict[str, str]
    url: str | None
    account: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    error: str | None = None
    permanent: bool = False
    skipped: bool = False


def claim(session: Session, at: datetime, limit: int = 100) -> list[Claimed]:
    """The due pending messages, leased (a worker that dies leaves them to another after ``LEASE``)."""
    rows = list(
        session.scalars(
            select(WechatNotice)
            .where(WechatNotice.state == "pending", WechatNotice.deliver_after <= at)
            .order_by(WechatNotice.deliver_after, WechatNotice.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not rows:
        return []
    accounts = {
        a.id: dict(a.config)
        for a in session.scalars(select(ChannelAccount).where(ChannelAccount.id.in_({m.account_id for m in rows})))
    }
    out = []
    for m in rows:
        m.attempts += 1
        m.deliver_after = at + LEASE
        config = accounts.get(m.account_id, {})
        template_id = (config.get("templates") or {}).get(m.template)
        out.append(Claimed(m.id, m.attempts, m.openid, template_id, dict(m.data), m.url, config))
    return out


def send_one(c: Claimed, tokens: wechat.TokenStore | None = None) -> Outcome:
    """One template message to WeChat, with the worker's access tokens (``tokens``)."""
    from huiyin.channels.jobs import wechat_account

    if not c.template_id:
        return Outcome(c.id, False, "公众号未配置此类模板消息的模板ID", permanent=True, skipped=True)
    try:
        wechat.WechatApi(wechat_account(c.account), tokens=tokens).send_template(c.openid, c.template_id, c.data, c.url)
        return Outcome(c.id, True)
    except wechat.WechatApiError as exc:
        return Outcome(c.id, False, f"微信接口错误 {exc.errcode}: {exc}"[:300], exc.permanent)
    except Exception as exc:  # a network error, a bad configuration: tried again later
        return Outcome(c.id, False, f"{type(exc).__name__}: {exc}"[:300], False)


def finish(session: Session, claimed: Sequence[Claimed], outcomes: Sequence[Outcome], at: datetime) -> None:
    tries = {c.id: c.attempts for c in claimed}
    for o in outcomes:
        where = update(WechatNotice).where(WechatNotice.id == o.id)
        if o.ok:
            session.execute(where.values(state="sent", sent_at=at, error=None))
        elif o.skipped:
            session.execute(where.values(state="skipped", error=o.error))
        elif o.permanent or tries.get(o.id, 1) >= MAX_ATTEMPTS:
            session.execute(where.values(state="failed", error=o.error))
            if o.error and "43004" in o.error:  # unsubscribed: no more template messages to them
                contact = session.scalar(select(WechatNotice.contact_id).where(WechatNotice.id == o.id))
                session.execute(update(ChannelContact).where(ChannelContact.id == contact).values(subscribed=False))
        else:
            later = at + timedelta(seconds=min(10 * 2 ** (tries.get(o.id, 1) - 1), 1800))
            session.execute(where.values(deliver_after=later, error=o.error))
