"""The IVR's rating key press, posted by the PBX as one of its events (``POST /api/v1/cti/{token}`` with
``{"event": "rating", "callId": "…", "digit": "1"}``): after the call the IVR asks "满意请按1，基本满意请按2，
不满意请按3" and the PBX sends the digit with the call's id and its own CTI token, like the call's other
events. It takes the phone channel's intake (``calls/intake.py``): read on the event loop ahead of the
middleware, applied in a batch with the events that arrived meanwhile, in one transaction, so that a
rating costs what a call event costs and never queues the screen pops behind it.

The same rating as ``POST /api/v1/ratings`` with channel ``ivr``: one per call (a repeated key press or a
retried post is acknowledged with the first rating and counted once); a call never seen, or one that came
through another integration, is a 404; a digit other than 1–3 a 422; nothing is stored for either.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from sqlalchemy.orm import Session

from huiyin.calls.intake import EventKind
from huiyin.clock import now
from huiyin.surveys import service
from huiyin.surveys.invitations import DIGITS
from huiyin.surveys.schemas import Result


class IvrRatingIn(BaseModel):
    """The PBX's rating event. Unknown extra fields are ignored (PBXs send more than the shape names)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event: Literal["rating"]
    call_id: str = Field(alias="callId", min_length=1, max_length=250)
    digit: Literal["1", "2", "3"] | None = Field(
        default=None, description="the key pressed: 1 满意, 2 基本满意, 3 不满意"
    )
    result: Result | None = Field(default=None, description="or the result by name")
    score: int | None = Field(default=None, ge=1, le=5, description="an optional 1–5 score, when the IVR asks one")

    @model_validator(mode="after")
    def _one_answer(self) -> IvrRatingIn:
        if (self.digit is None) == (self.result is None):
            raise ValueError("a rating event carries the key pressed (digit) or the result, one of them")
        return self

    @property
    def answer(self) -> str:
        return self.result or DIGITS[self.digit or ""]


def rating_event(tz: str, care_hours: int) -> EventKind:
    """The ``rating`` event's handler for the phone channel's intake (``calls.intake.EventKind``)."""

    def apply(session: Session, integration_id: int, fields: dict[str, Any]) -> dict[str, Any]:
        try:
            ev = IvrRatingIn.model_validate(fields)
        except ValidationError as exc:
            raise RequestValidationError(exc.errors()) from exc
        contact = service.check_contact(
            session, call_id=ev.call_id, order_id=None, integration_id=integration_id, user=None
        )
        at: datetime = now()
        rating, created = service.do_rate(
            session,
            contact,
            channel="ivr",
            result=ev.answer,
            score=ev.score,
            comment=None,
            at=at,
            tz=tz,
            integration_id=integration_id,
            care_hours=care_hours,
        )
        return {"rating_id": rating.id, "result": rating.result, "repeated": not created}

    return apply
