"""Click-to-call: asks the PBX, over its HTTP endpoint, to place an outbound call for an agent.

The contract (``docs/cti.md``): ``POST {dial_url}`` with JSON
``{"action": "dial", "callId", "number", "callerId", "user", "agentNumber", "reference"}``, the header
``Idempotency-Key: {callId}`` and, when a secret is set, ``Authorization: Bearer {secret}``. Any 2xx is a
yes; the PBX then reports the call as usual (``newCall`` with ``direction: out`` and the same ``callId``,
``answer``, ``hangup``) to the CTI endpoint.
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from huiyin.calls.cti import Rules, caller_id_for
from huiyin.calls.models import CtiIntegration


class DialError(Exception):
    """The PBX refused or could not be reached (the agent sees why; nothing was stored)."""


def new_call_id() -> str:
    return f"hy-{uuid.uuid4()}"


def dial_request(
    integration: CtiIntegration,
    call_id: str,
    number: str,
    agent_login: str,
    agent_number: str | None,
    reference: dict[str, Any],
) -> tuple[str, dict[str, str], dict[str, Any]]:
    if not integration.dial_url:
        raise DialError(f"the CTI integration {integration.name!r} has no dial URL")
    headers = {"Idempotency-Key": call_id}
    if integration.dial_secret:
        headers["Authorization"] = f"Bearer {integration.dial_secret}"
    body = {
        "action": "dial",
        "callId": call_id,
        "number": number,
        "callerId": caller_id_for(Rules.of(integration), number),
        "user": agent_login,
        "agentNumber": agent_number,
        "reference": reference,
    }
    return integration.dial_url, headers, body


async def send_dial(url: str, headers: dict[str, str], body: dict[str, Any], timeout: float) -> dict[str, Any]:
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            r = await client.post(url, json=body, headers=headers)
    except httpx.HTTPError as exc:
        raise DialError(f"the PBX could not be reached: {exc.__class__.__name__}") from exc
    if r.status_code >= 300:
        raise DialError(f"the PBX answered {r.status_code}: {r.text[:200]}")
    try:
        data = r.json()
    except ValueError:
        data = {}
    return data if isinstance(data, dict) else {"reply": data}
