"""The CTI integrations: credentials (stored hashed), dial URLs, caller-ID rules, blocked numbers."""

from __future__ import annotations

import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from huiyin.calls.models import CtiIntegration
from huiyin.calls.service.records import _get
from huiyin.clock import now
from huiyin.core.tokens import token_hash
from huiyin.errors import Conflict, Invalid


def new_token() -> str:
    return secrets.token_urlsafe(24)


def check_integration_name(session: Session, name: str, *, except_id: int | None = None) -> str:
    name = name.strip()
    if not name:
        raise Invalid("a CTI integration needs a name", code="calls.integration_name_missing", field="name")
    other = session.scalar(select(CtiIntegration).where(CtiIntegration.name == name))
    if other is not None and other.id != except_id:
        raise Conflict(
            f"a CTI integration named {name!r} exists already",
            code="calls.integration_name_taken",
            field="name",
            name=name,
        )
    return name


def do_create_integration(session: Session, name: str, created_by: int | None) -> tuple[CtiIntegration, str]:
    """Creates an integration; returns it and its token, shown this once (only the hash is kept)."""
    name = check_integration_name(session, name)
    token = new_token()
    integration = CtiIntegration(
        name=name,
        token_hash=token_hash(token),
        token_hint=token[:6],
        blocked_numbers=[],
        caller_id_rules=[],
        created_by=created_by,
    )
    session.add(integration)
    session.flush()
    return integration, token


def get_integration(session: Session, integration_id: int, *, lock: bool = False) -> CtiIntegration:
    return _get(session, CtiIntegration, integration_id, "CTI integration", lock)


def do_revoke_integration(session: Session, integration: CtiIntegration) -> CtiIntegration:
    """Revokes its token (again: no change); events posted with it are refused with 401 from now on."""
    if integration.revoked_at is None:
        integration.revoked_at = now()
    return integration


def do_rotate_token(session: Session, integration: CtiIntegration) -> str:
    """A new token for the integration; the old one stops working at once."""
    token = new_token()
    integration.token_hash = token_hash(token)
    integration.token_hint = token[:6]
    integration.revoked_at = None
    return token
