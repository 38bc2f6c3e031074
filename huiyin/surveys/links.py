"""The rating link (评价链接): a signed, expiring link in the invitation SMS that opens a mobile page where
the customer rates the contact without signing in.

The token names the contact and when the link expires, and carries an HMAC-SHA256 of both under the
server's ``secret_key``: ``<contact>.<expiry, unix seconds>.<signature>``, each part URL-safe. Nothing is
stored to make one (an invitation inside an order's change writes no row early) and nothing is looked up
to check one; a forged or altered token is a 404, an expired one a 410, and neither stores anything.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from datetime import UTC, datetime

from huiyin.errors import HuiyinError, NotFound

_CONTACT = {
    "rate": re.compile(r"^(order|call):[1-9][0-9]{0,9}$"),  # the rating link: a contact
    "survey": re.compile(r"^survey:[1-9][0-9]{0,9}$"),  # the delayed survey's link: a survey
}


class LinkExpired(HuiyinError):
    status = 410
    title = "This link has expired"


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _signature(contact: str, expires: int, secret: str) -> str:
    purpose = (contact.partition(":")[0] == "survey" and "survey") or "rate"  # a link of one kind is not the other
    mac = hmac.new(secret.encode(), f"{purpose}|{contact}|{expires}".encode(), hashlib.sha256)
    return _b64(mac.digest()[:18])


def sign(contact: str, expires_at: datetime, secret: str) -> str:
    expires = int(expires_at.timestamp())
    return f"{_b64(contact.encode())}.{expires}.{_signature(contact, expires, secret)}"


def check(token: str, secret: str, at: datetime, purpose: str = "rate") -> tuple[str, datetime]:
    """The contact (or survey) a token names and when it expires; 404 when it is not one this server signed
    for ``purpose`` (a rating link is not a survey link), 410 when it is past its time."""
    try:
        part, expires_text, signature = token.split(".")
        contact = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode()
        expires = int(expires_text)
    except (ValueError, UnicodeDecodeError):
        raise NotFound("this rating link is not valid", code="links.invalid") from None
    if not _CONTACT[purpose].match(contact) or not hmac.compare_digest(signature, _signature(contact, expires, secret)):
        raise NotFound("this rating link is not valid", code="links.invalid")
    expires_at = datetime.fromtimestamp(expires, UTC)
    if expires_at < at:
        raise LinkExpired("this rating link has expired", code="links.expired")
    return contact, expires_at
