"""A fake SMS / voice gateway speaking the contract of ``notify.channels.Gateway``, for tests and demos
(``huiyin fake-gateway --port 9100``). It keeps what it accepts in memory, deduplicates by key as a real
gateway must, and can be told to fail or to be slow (``POST /_control``)."""

from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime
from typing import Any

import httpx
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel, Field


class SendIn(BaseModel):
    key: str
    to: str
    text: str
    kind: str | None = None
    order_id: int | None = None


class ReplyIn(BaseModel):
    """A customer's SMS to the centre, for the fake to post to Huiyin as a real gateway would."""

    from_: str = Field(alias="from")
    text: str
    id: str | None = None  # the gateway's message id: a new one unless given (give one to post a retry)


def inbound_message(message_id: str, sender: str, text: str, at: datetime | None = None) -> dict[str, Any]:
    """A customer's SMS as the gateway posts it to ``POST /api/v1/sms/inbound`` (docs/notifications.md):
    the message id (a retried post repeats it), the sender's number, the text, when it was received."""
    return {"id": message_id, "from": sender, "text": text, "at": (at or datetime.now(UTC)).isoformat()}


class Control(BaseModel):
    fail_next: int = 0  # answer the next N sends with ``fail_status``
    fail_status: int = 503
    delay_ms: int = 0  # every send waits this long before answering


def create_fake_gateway(
    token: str | None = None, *, inbound_url: str | None = None, inbound_token: str | None = None
) -> FastAPI:
    """``inbound_url``/``inbound_token``: where ``POST /_reply`` posts a customer's reply (Huiyin's
    ``/api/v1/sms/inbound`` and its ``HUIYIN_SURVEYS__INBOUND_TOKEN``), as the real gateway would."""
    app = FastAPI(title="fake SMS / voice gateway")
    state: dict[str, Any] = {
        "messages": [],
        "by_key": {},
        "requests": 0,
        "duplicates": 0,
        "in_flight": 0,
        "max_in_flight": 0,  # the most requests it was answering at once
        "control": Control(),
    }
    ids = itertools.count(1)

    async def accept(channel: str, body: SendIn, authorization: str | None, idem: str | None) -> dict[str, Any]:
        if token is not None and authorization != f"Bearer {token}":
            raise HTTPException(401, "bad token")
        if idem is not None and idem != body.key:
            raise HTTPException(400, "Idempotency-Key differs from key")
        if not body.to or not body.text:
            raise HTTPException(422, "to and text are required")
        control: Control = state["control"]
        state["requests"] += 1
        state["in_flight"] += 1
        state["max_in_flight"] = max(state["max_in_flight"], state["in_flight"])
        try:
            if control.delay_ms:
                await asyncio.sleep(control.delay_ms / 1000)
        finally:
            state["in_flight"] -= 1
        if control.fail_next > 0:
            control.fail_next -= 1
            raise HTTPException(control.fail_status, "told to fail")
        if body.key in state["by_key"]:
            state["duplicates"] += 1
            return {"id": state["by_key"][body.key], "duplicate": True}
        message_id = f"{channel}-{next(ids)}"
        state["by_key"][body.key] = message_id
        state["messages"].append({"id": message_id, "channel": channel, **body.model_dump()})
        return {"id": message_id, "duplicate": False}

    @app.post("/sms")
    async def sms(
        body: SendIn, authorization: str | None = Header(None), idempotency_key: str | None = Header(None)
    ) -> dict[str, Any]:
        return await accept("sms", body, authorization, idempotency_key)

    @app.post("/voice")
    async def voice(
        body: SendIn, authorization: str | None = Header(None), idempotency_key: str | None = Header(None)
    ) -> dict[str, Any]:
        return await accept("voice", body, authorization, idempotency_key)

    @app.get("/messages")
    async def messages() -> dict[str, Any]:
        return {
            "messages": state["messages"],
            "requests": state["requests"],
            "duplicates": state["duplicates"],
            "max_in_flight": state["max_in_flight"],
        }

    @app.delete("/messages")
    async def clear() -> dict[str, Any]:
        state.update(messages=[], by_key={}, requests=0, duplicates=0, max_in_flight=0)
        return {"ok": True}

    @app.post("/_reply")
    async def reply(body: ReplyIn) -> dict[str, Any]:
        """A customer replies: posted to Huiyin in the gateway's wire format; Huiyin's answer comes back."""
        if inbound_url is None:
            raise HTTPException(409, "no inbound URL: start with --inbound-url")
        message = inbound_message(body.id or f"up-{next(ids)}", body.from_, body.text)
        headers = {"Authorization": f"Bearer {inbound_token}"} if inbound_token else {}
        async with httpx.AsyncClient(timeout=10) as client:
            r = await client.post(inbound_url, json=message, headers=headers)
        return {"sent": message, "status": r.status_code, "answer": r.json() if r.content else None}

    @app.post("/_control")
    async def control(body: Control) -> Control:
        state["control"] = body
        return body

    return app
