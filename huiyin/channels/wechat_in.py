"""A WeChat follower's message or event taken in: the binding of an account by phone number and SMS code,
subscriptions, the menu's clicks, and everything else as an inbound message of their conversation
(``channels.service.do_receive``). Called by the callback (at once, when the process is not busy) or by the
worker from the inbox (``channels.inbox``)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from huiyin.channels import codes, jobs, service, wechat
from huiyin.channels.models import ChannelContact
from huiyin.clock import now
from huiyin.customers.service import customer_id_by_phone
from huiyin.settings import Settings


def to_payload(inb: wechat.InboundWechat) -> dict[str, Any]:
    data = asdict(inb)
    data["created_at"] = inb.created_at.isoformat()
    data.pop("raw", None)
    return data


def from_payload(data: dict[str, Any]) -> wechat.InboundWechat:
    return wechat.InboundWechat(**{**data, "created_at": datetime.fromisoformat(data["created_at"]), "raw": {}})


BIND_PROMPT = "请回复您在本公司登记的手机号码，我们将发送验证码完成账户绑定。"


def take(session: Session, account_id: int, inb: wechat.InboundWechat, settings: Settings) -> service.Received | None:
    contact = service.do_contact(session, "wechat", inb.openid, account_id)
    if inb.kind == "event":
        if inb.event == "unsubscribe":
            contact.subscribed = False
            return None
        if inb.event == "subscribe":
            contact.subscribed = True
        if inb.opens_window:
            contact.last_inbound_at = now()
        if inb.event == "click" and inb.event_key == wechat.MENU_BIND:
            got = service.do_receive(session, _inbound(account_id, inb, text="绑定账户"), settings)
            got.replies.append(service.do_say(session, got.conversation, "bot", BIND_PROMPT, data={"event": "bind"}))
            return got
        if inb.event in ("subscribe", "click"):
            return service.do_receive(session, _inbound(account_id, inb), settings)
        return None
    text = (inb.text or "").strip()
    if inb.kind == "text" and contact.customer_id is None:
        bound = _binding(session, contact, text, settings)
        if bound is not None:
            got = service.do_receive(session, _inbound(account_id, inb), settings)
            if not got.duplicate:
                got.replies.insert(
                    0, service.do_say(session, got.conversation, "system", bound, data={"event": "bind"})
                )
            return got
    got = service.do_receive(session, _inbound(account_id, inb), settings)
    if not got.duplicate:
        jobs.queue_media(session, got.message)  # an image or voice: its file is fetched by the worker, not here
    return got


def _inbound(account_id: int, inb: wechat.InboundWechat, text: str | None = None) -> service.Inbound:
    data: dict[str, Any] = {}
    if inb.kind in ("image", "voice"):  # the file: fetched by the worker's media round (channels.jobs)
        data = {"media_id": inb.media_id, "media": "pending" if inb.media_id else "failed"}
        if inb.kind == "image":
            data["pic_url"] = inb.pic_url
    elif inb.kind == "location":
        data = {"latitude": inb.latitude, "longitude": inb.longitude, "label": inb.label}
    elif inb.kind == "event":
        data = {"event": inb.event, "key": inb.event_key}
    kind = inb.kind if inb.kind in ("text", "image", "voice", "location", "event") else "file"
    return service.Inbound(
        channel="wechat",
        address=inb.openid,
        external_id=inb.dedup_key,
        text=text if text is not None else (inb.text or ""),
        kind="text" if text is not None else kind,
        data=data,
        account_id=account_id,
        at=inb.created_at,
    )


def _binding(session: Session, contact: ChannelContact, text: str, settings: Settings) -> str | None:
    """A follower binding their account: a mobile number (a code is sent), then the code."""
    if re.fullmatch(r"1\d{10}", text):
        try:
            masked = codes.do_send_code(session, text, settings, purpose="bind")
        except codes.TooMany:
            return "验证码发送过于频繁，请稍后再试。"
        contact.pending_phone = text
        return f"验证码已发送至{masked}，请回复6位验证码完成绑定。"
    if re.fullmatch(r"\d{6}", text) and contact.pending_phone:
        try:
            number = codes.do_check_code(session, contact.pending_phone, text, settings)
        except Exception as exc:  # a wrong or stale code: said to the follower, nothing bound
            return f"验证失败：{'验证码错误' if 'wrong' in str(exc) else '验证码已失效，请重新发送手机号'}。"
        customer_id = customer_id_by_phone(session, number)
        contact.pending_phone = None
        if customer_id is None:
            return "该手机号未登记为本公司客户，请致电客服热线或到营业厅办理。"
        contact.customer_id, contact.bound_at = customer_id, now()
        return f"绑定成功！您的微信已绑定尾号{number[-4:]}的账户，可随时查询工单进度和停气停电通知。"
    return None
