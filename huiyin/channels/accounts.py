"""The channel accounts: a WeChat official account's callback credentials, a mailbox's servers."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.channels.models import ChannelAccount
from huiyin.clock import now
from huiyin.errors import Conflict, Invalid

NAME = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


def callback_url(public_url: str, name: str) -> str:
    """The URL to save in the official account's settings (服务器地址(URL))."""
    return f"{public_url.rstrip('/')}/api/v1/channels/wechat/{name}"


def do_create_account(session: Session, kind: str, name: str, config: dict[str, Any]) -> ChannelAccount:
    if not NAME.match(name):
        raise Invalid(
            "a name of lower-case letters, digits and '-' (it is part of the URL)",
            code="channels.account_name",
            field="name",
        )
    if kind == "wechat":
        if not re.fullmatch(r"[A-Za-z0-9]{3,32}", config.get("token") or ""):
            raise Invalid("WeChat's token is 3 to 32 letters or digits", code="channels.wechat_token", field="token")
        if config.get("aes_key") and not re.fullmatch(r"[A-Za-z0-9]{43}", config["aes_key"]):
            raise Invalid("the EncodingAESKey is 43 letters or digits", code="channels.aes_key", field="aes_key")
    if session.scalar(select(ChannelAccount.id).where(ChannelAccount.kind == kind, ChannelAccount.name == name)):
        raise Conflict(f"a {kind} account named {name!r} exists", code="channels.account_name_taken", name=name)
    acc = ChannelAccount(
        kind=kind,
        name=name,
        config={k: v for k, v in config.items() if v is not None},
        active=True,
        cursor={},
        created_at=now(),
    )
    session.add(acc)
    session.flush()
    return acc
