"""A fake PBX for tests and demos (``huiyin fake-pbx --port 9200 --cti-url http://…/api/v1/cti/TOKEN``).

It speaks both directions of the phone channel's contracts: it takes click-to-call requests at
``POST /dial`` (see ``calls.pbx``), and it reports calls to Huiyin's CTI endpoint in the generic CTI shape,
as a PBX does: ``newCall`` → ``answer`` → ``hangup``. ``POST /inbound`` rings agents with an inbound call.
``POST /_control`` sets whether and how fast calls are answered, or makes the next dials fail.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import Any

import httpx
from fastapi import FastAPI, Header, HTTPException
from pydantic import BaseModel


class Control(BaseModel):
    cti_url: str | None = None
    answer: bool = True  # the called party picks up
    ring_ms: int = 300
    talk_ms: int = 1000
    fail_next: int = 0  # refuse the next N dials with ``fail_status``
    fail_status: int = 503
    recording_url: str | None = None  # sent with each hangup


class DialIn(BaseModel):
    action: str
    callId: str
    number: str
    callerId: str | None = None
    user: str
    agentNumber: str | None = None
    reference: dict[str, Any] = {}


class InboundIn(BaseModel):
    from_number: str
    to: str = "95598"
    users: list[str]
    queue: str | None = None
    answer_by: str | None = None  # a login or phone; None: nobody answers (abandoned)
    ring_ms: int = 300
    talk_ms: int = 1000
    call_id: str | None = None


def create_fake_pbx(cti_url: str | None = None, secret: str | None = None) -> FastAPI:
    app = FastAPI(title="fake PBX")
    state: dict[str, Any] = {"control": Control(cti_url=cti_url), "dials": [], "posted": [], "tasks": set()}
    ids = itertools.count(1)

    async def post(event: dict[str, Any]) -> None:
        control: Control = state["control"]
        if not control.cti_url:
            return
        async with httpx.AsyncClient(timeout=5) as client:
            r = await client.post(control.cti_url, json=event)
        state["posted"].append({"event": event, "status": r.status_code, "reply": r.json() if r.content else None})

    async def play(call: dict[str, Any], users: list[str], answer_by: str | None, ring_ms: int, talk_ms: int) -> None:
        await post({**call, "event": "newCall", "user": users})
        await asyncio.sleep(ring_ms / 1000)
        if answer_by is None:
            await post({**call, "event": "hangup", "cause": "cancel" if call["direction"] == "in" else "noAnswer"})
            return
        await post({**call, "event": "answer", "user": users, "answeringNumber": answer_by})
        await asyncio.sleep(talk_ms / 1000)
        hangup = {**call, "event": "hangup", "cause": "normalClearing", "answeringNumber": answer_by}
        if state["control"].recording_url:
            hangup["recordingUrl"] = state["control"].recording_url
        await post(hangup)

    def spawn(coro: Any) -> None:
        task = asyncio.create_task(coro)
        state["tasks"].add(task)
        task.add_done_callback(state["tasks"].discard)

    @app.post("/dial")
    async def dial(body: DialIn, authorization: str | None = Header(None)) -> dict[str, Any]:
        if secret is not None and authorization != f"Bearer {secret}":
            raise HTTPException(401, "bad secret")
        control: Control = state["control"]
        state["dials"].append(body.model_dump())
        if control.fail_next > 0:
            control.fail_next -= 1
            raise HTTPException(control.fail_status, "told to fail")
        call = {"callId": body.callId, "direction": "out", "from": body.callerId or "02363000000", "to": body.number}
        # the agent's phone rings first, then the customer's: "answer" means the customer picked up
        spawn(play(call, [body.user], body.user if control.answer else None, control.ring_ms, control.talk_ms))
        return {"accepted": True, "callId": body.callId}

    @app.post("/inbound")
    async def inbound(body: InboundIn) -> dict[str, Any]:
        call_id = body.call_id or f"pbx-in-{next(ids)}"
        call = {"callId": call_id, "direction": "in", "from": body.from_number, "to": body.to}
        if body.queue:
            call["queue"] = body.queue
        spawn(play(call, body.users, body.answer_by, body.ring_ms, body.talk_ms))
        return {"callId": call_id}

    @app.get("/dials")
    async def dials() -> dict[str, Any]:
        return {"dials": state["dials"], "posted": state["posted"]}

    @app.post("/_control")
    async def control(body: Control) -> Control:
        if body.cti_url is None:
            body.cti_url = state["control"].cti_url
        state["control"] = body
        return body

    return app
