"""A PBX simulator for the tests: posts generic CTI events (newCall / answer / hangup) to Huiyin's endpoint
the way a PBX does, moving the test clock between them so that the call's figures are exact."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from huiyin.clock import clock

_ids = itertools.count(1)


class Pbx:
    def __init__(self, client: TestClient, token: str, *, trunk: str = "95598") -> None:
        self.client = client
        self.token = token
        self.trunk = trunk

    # one event
    def post(self, status: int = 200, **fields: Any) -> Any:
        r = self.send(**fields)
        assert r.status_code == status, r.text
        return r.json()

    def send(self, **fields: Any) -> Response:
        body = {k.rstrip("_"): v for k, v in fields.items() if v is not None}
        if "call_id" in body:
            body["callId"] = body.pop("call_id")
        return self.client.post(f"/api/v1/cti/{self.token}", json=body)

    @staticmethod
    def new_id(prefix: str = "pbx") -> str:
        return f"{prefix}-{next(_ids):06d}"

    def wait(self, seconds: float) -> None:
        clock.advance(timedelta(seconds=seconds))

    # whole calls
    def inbound(self, caller: str, users: list[str], *, call_id: str | None = None, queue: str | None = None) -> str:
        call_id = call_id or self.new_id()
        self.post(
            event="newCall", from_=caller, to=self.trunk, direction="in", call_id=call_id, user=users, queue=queue
        )
        return call_id

    def answer(self, call_id: str, caller: str, by: str, direction: str = "in") -> None:
        frm, to = (caller, self.trunk) if direction == "in" else (self.trunk, caller)
        self.post(event="answer", from_=frm, to=to, direction=direction, call_id=call_id, answeringNumber=by)

    def hangup(self, call_id: str, caller: str, cause: str, direction: str = "in", **extra: Any) -> None:
        frm, to = (caller, self.trunk) if direction == "in" else (self.trunk, caller)
        self.post(event="hangup", from_=frm, to=to, direction=direction, call_id=call_id, cause=cause, **extra)

    def answered_call(
        self,
        caller: str,
        agent: str,
        *,
        ring: float = 8,
        talk: float = 120,
        hold: int | None = None,
        queue: str | None = None,
    ) -> str:
        call_id = self.inbound(caller, [agent], queue=queue)
        self.wait(ring)
        self.answer(call_id, caller, agent)
        self.wait(talk)
        self.hangup(call_id, caller, "normalClearing", holdSeconds=hold)
        return call_id

    def abandoned_call(self, caller: str, users: list[str], *, after: float, queue: str | None = None) -> str:
        call_id = self.inbound(caller, users, queue=queue)
        self.wait(after)
        self.hangup(call_id, caller, "cancel")
        return call_id
