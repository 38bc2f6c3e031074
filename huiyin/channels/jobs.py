"""The worker's share of the written channels:

- **deliver**: outbound messages still pending are claimed (leased, so two workers never send one twice in a
  row), handed to their channel with no transaction open (WeChat's customer-service API, SMTP from the
  mailbox's thread, SMS through notify's outbox), and marked sent, or retried with back-off, or failed for
  good (out of WeChat's 48-hour window, an address refused) and the agent told;
- **route**, **escalate**, **idle**: ``channels.service``'s rounds;
- **mail**: each mailbox read by IMAP every ``mail_poll_seconds``; every new mail becomes an inbound message
  (once, by its Message-ID), threaded by In-Reply-To/References; auto-replies and bounces are kept but not
  answered, a bounce marks the message it returns as failed.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiyin.channels import mail, wechat
from huiyin.channels.models import ChannelAccount, ChannelContact, ChannelMessage, Conversation
from huiyin.channels.service import Inbound, do_receive, escalate_round, idle_round, route_round
from huiyin.notify.service import do_queue_sms, publish
from huiyin.settings import Settings

log = logging.getLogger("huiyin.channels")
LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    id: int
    channel: str
    attempts: int
    text: str
    address: str
    account: dict[str, Any]
    subject: str | None
    thread: tuple[str, ...]  # e-mail: the ids to answer (In-Reply-To first)
    last_inbound_at: datetime | None
    agent_id: int | None


@dataclass(frozen=True)
class Outcome:
    id: int
    ok: bool
    error: str | None = None
    permanent: bool = False
    external_id: str | None = None


def claim(session: Session, at: datetime, limit: int = 50) -> list[Claimed]:
    rows = list(
        session.scalars(
            select(ChannelMessage)
            .where(ChannelMessage.delivery == "pending", ChannelMessage.deliver_after <= at)
            .order_by(ChannelMessage.deliver_after, ChannelMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    out = []
    for m in rows:
        conv = session.get_one(Conversation, m.conversation_id)
        contact = session.get_one(ChannelContact, conv.contact_id)
        if m.channel == "sms":  # notify's outbox takes it from here, retried as every SMS is
            do_queue_sms(session, to=contact.address, text=m.text, key=f"chat:{m.id}", kind="chat")
            m.delivery = "sent"
            continue
        account = session.get(ChannelAccount, conv.account_id) if conv.account_id else None
        m.attempts += 1
        m.deliver_after = at + LEASE
        thread: tuple[str, ...] = ()
        if m.channel == "email":
            thread = tuple(
                x
                for x in session.scalars(
                    select(ChannelMessage.external_id)
                    .where(ChannelMessage.conversation_id == conv.id, ChannelMessage.external_id.is_not(None))
                    .order_by(ChannelMessage.id.desc())
                )
                if x
            )
        out.append(
            Claimed(
                m.id,
                m.channel,
                m.attempts,
                m.text,
                contact.address,
                dict(account.config) if account else {},
                conv.subject,
                thread,
                contact.last_inbound_at,
                conv.agent_id,
            )
        )
    return out


def send_one(c: Claimed, at: datetime) -> Outcome:
    try:
        if c.channel == "wechat":
            wx = wechat_account(c.account)
            if c.last_inbound_at is None or not wechat.in_window(c.last_inbound_at, at):
                return Outcome(c.id, False, "客户48小时内未发消息，微信不允许再发送（请改用短信或电话）", True)
            wechat.WechatApi(wx).send_text(c.address, c.text)
            return Outcome(c.id, True)
        if c.channel == "email":
            account = mail_account(c.account)
            msg = mail.build_reply(
                account,
                to=c.address,
                subject=c.subject or "您的来信",
                text=c.text,
                in_reply_to=c.thread[0] if c.thread else None,
                references=list(reversed(c.thread[:20])),
            )
            mail.send(account, msg)
            return Outcome(c.id, True, external_id=str(msg["Message-ID"]).strip("<>"))
        return Outcome(c.id, False, f"no way out for {c.channel}", True)
    except wechat.WechatApiError as exc:
        return Outcome(c.id, False, f"微信接口错误 {exc.errcode}: {exc}"[:300], exc.permanent)
    except mail.MailError as exc:
        return Outcome(c.id, False, f"邮件发送失败: {exc}"[:300], exc.permanent)
    except Exception as exc:  # a network error, a bad configuration: tried again later
        return Outcome(c.id, False, f"{type(exc).__name__}: {exc}"[:300], False)


def finish(session: Session, outcomes: list[Outcome], attempts: dict[int, int], at: datetime) -> None:
    for o in outcomes:
        if o.ok:
            values: dict[str, Any] = {"delivery": "sent", "error": None}
            if o.external_id:
                values["external_id"] = o.external_id
            session.execute(update(ChannelMessage).where(ChannelMessage.id == o.id).values(**values))
            continue
        tries = attempts.get(o.id, 1)
        if o.permanent or tries >= MAX_ATTEMPTS:
            session.execute(
                update(ChannelMessage).where(ChannelMessage.id == o.id).values(delivery="failed", error=o.error)
            )
            m = session.get_one(ChannelMessage, o.id)
            conv = session.get_one(Conversation, m.conversation_id)
            if conv.agent_id:
                publish(
                    session, conv.agent_id, {"type": "conversation", "id": conv.id, "event": "failed", "error": o.error}
                )
        else:
            later = at + timedelta(seconds=min(10 * 2 ** (tries - 1), 1800))
            session.execute(
                update(ChannelMessage).where(ChannelMessage.id == o.id).values(deliver_after=later, error=o.error)
            )


def wechat_account(config: dict[str, Any]) -> wechat.WechatAccount:
    return wechat.WechatAccount(
        token=config["token"],
        appid=config.get("appid"),
        secret=config.get("secret"),
        aes_key=config.get("aes_key"),
        api_base=config.get("api_base") or "https://api.weixin.qq.com/",
    )


def mail_account(config: dict[str, Any]) -> mail.MailAccount:
    return mail.MailAccount(
        imap_host=config["imap_host"],
        imap_port=int(config["imap_port"]),
        imap_ssl=bool(config.get("imap_ssl")),
        smtp_host=config["smtp_host"],
        smtp_port=int(config["smtp_port"]),
        smtp_starttls=bool(config.get("smtp_starttls")),
        smtp_ssl=bool(config.get("smtp_ssl")),
        username=config.get("username", ""),
        password=config.get("password", ""),
        address=config["address"],
        display_name=config.get("display_name") or "回音客服中心",
    )


def rounds(session: Session, settings: Settings) -> int:
    return route_round(session, settings) + escalate_round(session, settings) + idle_round(session, settings)


# ---------------------------------------------------------------- e-mail in


def mail_accounts(session: Session) -> list[tuple[int, dict[str, Any], dict[str, Any]]]:
    return [
        (a.id, dict(a.config), dict(a.cursor or {}))
        for a in session.scalars(select(ChannelAccount).where(ChannelAccount.kind == "email", ChannelAccount.active))
    ]


def fetch(config: dict[str, Any], cursor: dict[str, Any], limit: int = 100) -> tuple[int, list[tuple[int, bytes]]]:
    """What is new in the mailbox since the cursor (a changed UIDVALIDITY starts over: the ids say no mail
    twice)."""
    account = mail_account(config)
    validity = mail.uidvalidity(account)
    after = int(cursor.get("uid", 0)) if int(cursor.get("uidvalidity", -1)) == validity else 0
    return validity, mail.fetch_new(account, after, limit=limit)


def do_take_mail(
    session: Session,
    account_id: int,
    validity: int,
    fetched: list[tuple[int, bytes]],
    settings: Settings,
    storage: Any = None,
) -> int:
    """Stores the fetched mails as inbound messages and moves the mailbox's cursor, in one transaction; their
    attachments (a fax's image too) go to the blob storage, named by the mail's hash, so a mail read twice
    writes the same keys."""
    taken = 0
    for uid, raw in fetched:
        try:
            m = mail.parse_mail(
                raw, max_bytes=settings.channels.max_upload_bytes * 3, fax_senders=settings.channels.fax_senders
            )
        except mail.MailTooLarge:
            log.warning("mail uid %s of account %s is too large; skipped", uid, account_id)
            continue
        if m.bounce:
            _bounced(session, m)
            continue
        thread = _thread_of(session, m)
        data: dict[str, Any] = {"subject": m.subject, "quoted": m.quoted[:2000]}
        if m.attachments:
            digest = hashlib.sha256(m.message_id.encode()).hexdigest()[:32]
            kept = []
            for i, a in enumerate(m.attachments):
                key = f"mail/{account_id}/{digest}/{i}"
                if storage is not None:
                    storage.put(key, a.data, a.content_type or "application/octet-stream")
                kept.append(
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": len(a.data),
                        "key": key if storage is not None else None,
                    }
                )
            data["attachments"] = kept
        if m.fax:
            data["fax"] = True
        if m.auto_reply:
            data["auto_reply"] = True
        got = do_receive(
            session,
            Inbound(
                channel="email",
                address=m.sender,
                external_id=m.message_id,
                text=m.text[: settings.channels.max_text * 5],
                kind="file" if (m.fax or (m.attachments and not m.text.strip())) else "text",
                data=data,
                account_id=account_id,
                display_name=m.sender_name,
                subject=m.subject,
                at=m.received_at,
                thread=str(thread) if thread else None,
                quiet=m.auto_reply,
            ),
            settings,
        )
        taken += 0 if got.duplicate else 1
    if fetched:
        acc = session.get_one(ChannelAccount, account_id)
        acc.cursor = {"uidvalidity": validity, "uid": max(uid for uid, _ in fetched)}
    return taken


def _thread_of(session: Session, m: mail.InboundMail) -> int | None:
    keys = mail.thread_keys(m)
    if not keys:
        return None
    return session.scalar(
        select(ChannelMessage.conversation_id)
        .where(ChannelMessage.channel == "email", ChannelMessage.external_id.in_(keys))
        .order_by(ChannelMessage.id.desc())
        .limit(1)
    )


def _bounced(session: Session, m: mail.InboundMail) -> None:
    if m.bounced_message_id:
        session.execute(
            update(ChannelMessage)
            .where(ChannelMessage.channel == "email", ChannelMessage.external_id == m.bounced_message_id)
            .values(delivery="failed", error=f"退信：{m.bounced_recipient or ''} 无法投递"[:300])
        )
