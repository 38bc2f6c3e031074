"""SMS in: a customer's text to the centre's number that is not a rating reply (the gateway's webhook, the
same one the ratings use: ``POST /sms/inbound``) becomes a message of their SMS conversation, once per the
gateway's message id."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session

from huiyin.channels.service import Inbound, do_receive
from huiyin.core.phones import normalize_phone
from huiyin.settings import Settings


def taker(settings: Settings) -> Callable[[Session, str, str, str, datetime], int | None]:
    def take(session: Session, gateway_id: str, phone: str, text: str, at: datetime) -> int | None:
        number = normalize_phone(phone)
        if not number:
            return None
        got = do_receive(
            session,
            Inbound(
                channel="sms",
                address=number,
                external_id=gateway_id,
                text=text[: settings.channels.max_text],
                at=at,
                phone=number,
            ),
            settings,
        )
        return got.conversation.id

    return take
