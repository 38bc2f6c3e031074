"""The worker's share of the written channels:

- **deliver**: outbound messages still pending are claimed (leased, so two workers never send one twice in a
  row), handed to their channel with no transaction open (WeChat's customer-service API, SMTP from the
  mailbox's thread, SMS through notify's outbox), and marked sent, or retried with back-off, or failed for
  good (out of WeChat's 48-hour window, an address refused) and the agent told;
- **route**, **escalate**, **idle**: ``channels.service``'s rounds;
- **mail**: each mailbox read by IMAP every ``mail_poll_seconds``; every new mail becomes an inbound message
  (once, by its Message-ID), threaded by In-Reply-To/References; auto-replies and bounces are kept but not
  answered, a bounce marks the message it returns as failed;
- **media**: a WeChat image or voice arrives as a MediaId (the callback has 5 s and fetches nothing); its file
  is fetched from WeChat's ``media/get`` here (claimed, fetched with no transaction open, finished) into the
  blob storage as the message's attachment, as a mail's are, retried with back-off, and marked failed for
  good (the message says so) when WeChat has no such media (40007: over its 3 days, or never) or it is over
  ``channels.max_upload_bytes``.
"""

from __future__ import annotations

import hashlib
import logging
import mimetypes
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from huiyin.channels import mail, wechat
from huiyin.channels.models import ChannelAccount, ChannelContact, ChannelMessage, Conversation
from huiyin.channels.service import Inbound, do_receive, escalate_round, idle_round, route_round
from huiyin.clock import now
from huiyin.notify.service import do_queue_sms, publish
from huiyin.settings import Settings
from huiyin.storage import Storage

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


def send_one(c: Claimed, at: datetime, tokens: wechat.TokenStore | None = None) -> Outcome:
    """Hands one message to WeChat (with the worker's access tokens, ``tokens``) or to the mailbox's SMTP."""
    try:
        if c.channel == "wechat":
            wx = wechat_account(c.account)
            if c.last_inbound_at is None or not wechat.in_window(c.last_inbound_at, at):
                return Outcome(c.id, False, "客户48小时内未发消息，微信不允许再发送（请改用短信或电话）", True)
            wechat.WechatApi(wx, tokens=tokens).send_text(c.address, c.text)
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
        too_large: mail.MailTooLarge | None = None
        try:
            m = mail.parse_mail(
                raw, max_bytes=settings.channels.max_upload_bytes * 3, fax_senders=settings.channels.fax_senders
            )
        except mail.MailTooLarge as exc:  # taken by its headers: the agent sees it came, and from whom
            log.warning("mail uid %s of account %s: %s bytes, taken without its body", uid, account_id, exc.size)
            m, too_large = mail.parse_head(raw, fax_senders=settings.channels.fax_senders), exc
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
        text = m.text
        if too_large is not None:
            data["too_large"] = too_large.size
            text = (
                f"（此邮件大小 {too_large.size / 1048576:.1f} MB，超过 {too_large.limit / 1048576:.0f} MB 的收取上限，"
                "正文和附件未收取，请在邮箱中查看原邮件，或请客户分开发送。）"
            )
        got = do_receive(
            session,
            Inbound(
                channel="email",
                address=m.sender,
                external_id=m.message_id,
                text=text[: settings.channels.max_text * 5],
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


# ---------------------------------------------------------------- WeChat media in

MEDIA = "media"
"""``ChannelMessage.delivery`` of an inbound WeChat image or voice whose file is still to be fetched (the index on
delivery and deliver_after finds them; the outbound rounds look only for ``pending``). Its ``data["media"]``
says the same to the page: ``pending``, then ``stored`` (the file is ``data["attachments"][0]``) or ``failed``
(``error`` says why). The message's ``attempts`` counts the fetches."""

MEDIA_TRIES = 10
"""Fetches before a message's media is given up while WeChat or the storage fails (10 s doubling, up to 30
minutes apart: about an hour and a quarter in all, well inside WeChat's 3 days)."""

MEDIA_REFUSED_TRIES = 3
"""Fetches before a refusal no retry should cure (40007 invalid media_id) is believed: twice more, a minute
apart, in case it was WeChat's slip."""

_MEDIA_KINDS = ("image", "voice")


def queue_media(session: Session, message: ChannelMessage) -> bool:
    """Marks a WeChat image or voice just taken in for the worker's media round (``claim_media``); whether it
    was one. Its ``data`` already holds ``media_id`` and ``media = pending`` (``wechat_in``)."""
    if message.channel != "wechat" or message.kind not in _MEDIA_KINDS or not (message.data or {}).get("media_id"):
        return False
    message.delivery = MEDIA
    message.deliver_after = now()
    message.attempts = 0
    session.info["outbox_wake"] = True  # the embedded worker wakes at the commit
    return True


@dataclass(frozen=True)
class MediaClaim:
    id: int
    account_id: int
    account: dict[str, Any]
    media_id: str
    kind: str
    attempts: int
    key: str  # where the file goes in the blob storage


@dataclass(frozen=True)
class MediaOutcome:
    id: int
    attempts: int
    file: dict[str, Any] | None = None  # the attachment, as a mail's: filename, content_type, size, key
    error: str | None = None
    permanent: bool = False


def claim_media(session: Session, at: datetime, limit: int = 20) -> list[MediaClaim]:
    """The images and voices whose file is due to be fetched, leased (``LEASE``) so no other worker fetches
    them meanwhile; one WeChat no longer keeps (``wechat.MEDIA_KEPT``) or whose account cannot call WeChat
    (no AppID/AppSecret) fails here, without a call."""
    rows = list(
        session.scalars(
            select(ChannelMessage)
            .where(ChannelMessage.delivery == MEDIA, ChannelMessage.deliver_after <= at)
            .order_by(ChannelMessage.deliver_after, ChannelMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    out = []
    for m in rows:
        conv = session.get_one(Conversation, m.conversation_id)
        account = session.get(ChannelAccount, conv.account_id) if conv.account_id else None
        config = dict(account.config) if account is not None else {}
        media_id = str((m.data or {}).get("media_id") or "")
        if at - m.created_at >= wechat.MEDIA_KEPT:
            _media_failed(session, m, conv, "微信仅保存3天，已过期无法获取")
            continue
        if not (media_id and config.get("appid") and config.get("secret")):
            _media_failed(session, m, conv, "公众号未配置AppID/AppSecret，无法从微信获取")
            continue
        m.attempts += 1
        m.deliver_after = at + LEASE
        digest = hashlib.sha256((m.external_id or str(m.id)).encode()).hexdigest()[:32]
        key = f"wechat/{conv.account_id}/{digest}/0"  # named by the MsgId's hash: a second fetch writes the same
        out.append(MediaClaim(m.id, conv.account_id, config, media_id, m.kind, m.attempts, key))
    return out


def fetch_media(
    claimed: list[MediaClaim], storage: Storage, settings: Settings, tokens: wechat.TokenStore | None = None
) -> list[MediaOutcome]:
    """Each file fetched from WeChat and put in the storage, with no transaction open; one ``WechatApi`` (one
    access token) per account in the batch, the token from the worker's ``tokens``."""
    apis: dict[int, wechat.WechatApi] = {}
    return [_fetch_one(c, apis, storage, settings.channels.max_upload_bytes, tokens) for c in claimed]


def _fetch_one(
    c: MediaClaim,
    apis: dict[int, wechat.WechatApi],
    storage: Storage,
    max_bytes: int,
    tokens: wechat.TokenStore | None,
) -> MediaOutcome:
    try:
        api = apis.get(c.account_id)
        if api is None:
            api = apis[c.account_id] = wechat.WechatApi(
                wechat_account(c.account), max_media_bytes=max_bytes, tokens=tokens
            )
        content, ctype = api.download_media(c.media_id)
        ctype = ctype.split(";")[0].strip().lower() or "application/octet-stream"
        if ctype.startswith(("application/json", "text/")):  # neither a file nor an error WeChat names
            return MediaOutcome(c.id, c.attempts, error=f"微信返回了非媒体内容（{ctype}）")
        storage.put(c.key, content, ctype)
    except wechat.WechatApiError as exc:
        if exc.errcode is None and exc.permanent:  # the one error of ours WeChat did not say: over the size
            return MediaOutcome(c.id, c.attempts, error=f"文件超过{max_bytes // (1024 * 1024)}MB上限", permanent=True)
        if exc.errcode == 40007:
            return MediaOutcome(c.id, c.attempts, error="微信已无此文件（超过3天或media_id无效）", permanent=True)
        error = f"微信接口错误 {exc.errcode}: {exc.errmsg}"[:300]
        return MediaOutcome(c.id, c.attempts, error=error, permanent=exc.permanent)
    except Exception as exc:  # a bad account configuration, the storage down: tried again later
        return MediaOutcome(c.id, c.attempts, error=f"{type(exc).__name__}: {exc}"[:300])
    name = f"{c.kind}-{c.media_id[:40]}{media_extension(ctype)}"
    file = {"filename": name, "content_type": ctype, "size": len(content), "key": c.key}
    return MediaOutcome(c.id, c.attempts, file=file)


def media_extension(content_type: str) -> str:
    """``.jpg``, ``.amr``…: the file name's extension for a media type WeChat gives (none when unknown)."""
    known = {"image/jpeg": ".jpg", "audio/amr": ".amr", "audio/mpeg": ".mp3", "audio/x-speex": ".speex"}
    return known.get(content_type) or mimetypes.guess_extension(content_type) or ""


def finish_media(session: Session, outcomes: list[MediaOutcome], at: datetime) -> None:
    """Stored: the message's attachment; failed for good: said on the message; else the next try later. The
    agent holding the conversation is told either way (the page shows the picture or the failure at once)."""
    for o in outcomes:
        m = session.get(ChannelMessage, o.id, with_for_update=True)
        if m is None or m.delivery != MEDIA:  # finished meanwhile by a worker whose lease had run out
            continue
        conv = session.get_one(Conversation, m.conversation_id)
        if o.file is not None:
            m.data = {**(m.data or {}), "media": "stored", "attachments": [o.file]}
            m.delivery, m.deliver_after, m.error = None, None, None
            _media_news(session, conv, m)
        elif o.attempts >= (MEDIA_REFUSED_TRIES if o.permanent else MEDIA_TRIES):
            _media_failed(session, m, conv, o.error)
        else:
            m.deliver_after = at + timedelta(seconds=min(10 * 2 ** (o.attempts - 1), 1800) if not o.permanent else 60)
            m.error = o.error
            log.info("media of message %s not fetched (try %s): %s", m.id, o.attempts, o.error)


def _media_failed(session: Session, m: ChannelMessage, conv: Conversation, error: str | None) -> None:
    m.data = {**(m.data or {}), "media": "failed"}
    m.delivery, m.deliver_after = None, None
    m.error = (error or "无法获取")[:300]
    log.warning("media of message %s given up: %s", m.id, m.error)
    _media_news(session, conv, m)


def _media_news(session: Session, conv: Conversation, m: ChannelMessage) -> None:
    if conv.agent_id:
        publish(session, conv.agent_id, {"type": "conversation", "id": conv.id, "event": "media", "message": m.id})
