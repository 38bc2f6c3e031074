"""The ways out: an HTTP gateway for SMS and voice calls, and SMTP for email.

The gateway contract (docs/notifications.md): ``POST {url}`` with JSON
``{"key", "to", "text", "kind", "order_id"}``, headers ``Idempotency-Key: key`` and, when configured,
``Authorization: Bearer <token>``. 2xx = accepted (the gateway must treat a repeated key as the same
message); 4xx other than 408 and 429 = rejected for good; anything else = try again later.
"""

from __future__ import annotations

import smtplib
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import make_msgid

import httpx

from huiyin.settings import NotifySettings


class DeliveryError(Exception):
    """A failed attempt; ``permanent`` ones are not retried."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Disabled(DeliveryError):
    """The channel is not configured here (no URL or SMTP host)."""

    def __init__(self, channel: str) -> None:
        super().__init__(f"{channel} is not configured", permanent=True)


def channels_off(settings: NotifySettings) -> list[str]:
    """The channels not configured here: their messages are marked ``skipped`` (nothing sent, no retry)."""
    off = [c for c, url in (("sms", settings.sms_url), ("voice", settings.voice_url)) if not url]
    return off + ([] if settings.smtp_host else ["email"])


def render(template: str, payload: dict[str, object]) -> str:
    """A staff notification's text from the template; a message to a customer carries its own ``text``."""
    if isinstance(payload.get("text"), str):
        return str(payload["text"])
    values = {k: ("" if v is None else v) for k, v in payload.items()}
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        return f"{values.get('title', '')}：{values.get('body', '')}"


class Gateway:
    """SMS and voice calls through the configured HTTP gateway (one client for the worker's life)."""

    def __init__(self, settings: NotifySettings, client: httpx.Client | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.Client(timeout=settings.gateway_timeout_seconds)

    def send(self, channel: str, key: str, to: str, payload: dict[str, object]) -> str:
        s = self.settings
        url = s.sms_url if channel == "sms" else s.voice_url
        if not url:
            raise Disabled(channel)
        template = s.sms_template if channel == "sms" else s.voice_template
        body = {
            "key": key,
            "to": to,
            "text": render(template, payload),
            "kind": payload.get("kind"),
            "order_id": payload.get("order_id"),
        }
        headers = {"Idempotency-Key": key}
        if s.gateway_token is not None:
            headers["Authorization"] = f"Bearer {s.gateway_token.get_secret_value()}"
        try:
            r = self.client.post(url, json=body, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"{channel} gateway unreachable: {exc.__class__.__name__}: {exc}") from exc
        if 200 <= r.status_code < 300:
            try:
                return str(r.json().get("id", ""))
            except ValueError:
                return ""
        permanent = 400 <= r.status_code < 500 and r.status_code not in (408, 429)
        raise DeliveryError(f"{channel} gateway answered {r.status_code}: {r.text[:200]}", permanent=permanent)

    def close(self) -> None:
        self.client.close()


def send_email(
    settings: NotifySettings,
    key: str,
    to: str,
    payload: dict[str, object],
    read: Callable[[str], bytes] | None = None,
) -> str:
    """One email over SMTP. The Message-ID is derived from the key, so a receiver can spot a resend.
    ``payload["attachments"]``: ``[{"key", "name", "type"}]``, files in storage that ``read`` gives."""
    if not settings.smtp_host:
        raise Disabled("email")
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = str(payload.get("title") or "回音通知")
    msg["Message-ID"] = make_msgid(idstring=key.replace(":", "."), domain="huiyin")
    msg["X-Huiyin-Key"] = key
    msg.set_content(f"{payload.get('title', '')}\n\n{payload.get('body', '')}\n")
    for a in payload.get("attachments") or []:  # type: ignore[attr-defined]
        if read is None:
            raise DeliveryError("email: attachments but no storage to read them from", permanent=True)
        maintype, _, subtype = str(a["type"]).partition("/")
        try:
            data = read(str(a["key"]))
        except LookupError as exc:
            raise DeliveryError(f"email: attachment {a['key']} is gone", permanent=True) from exc
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=str(a["name"]))
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.gateway_timeout_seconds) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user:
                password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
                smtp.login(settings.smtp_user, password)
            smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        raise DeliveryError(f"email refused: {exc}", permanent=True) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise DeliveryError(f"email failed: {exc.__class__.__name__}: {exc}") from exc
    return str(msg["Message-ID"])
