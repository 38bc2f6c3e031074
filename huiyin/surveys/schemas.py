"""API shapes of ratings and satisfaction figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import RefId

Result = Literal["satisfied", "basically_satisfied", "unsatisfied"]
Channel = Literal["ivr", "sms", "web", "wechat"]
GroupBy = Literal["agent", "unit", "category", "channel", "day"]


class RatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    call_id: str | None = Field(
        default=None, min_length=1, max_length=250, description="the PBX's callId of the call rated"
    )
    order_id: RefId | None = Field(default=None, description="the order rated (or one registered on the call)")
    channel: Channel
    result: Result
    score: int | None = Field(default=None, ge=1, le=5, description="an optional 1–5 score")
    comment: str | None = Field(default=None, max_length=500)


class RatingPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    kind: str = Field(description="instant (after a contact) or delayed (the survey)")
    channel: str
    result: str
    score: int | None
    comment: str | None
    at: datetime
    day: date = Field(description="the day it came, in the centre's time zone")
    call_pk: int | None = Field(description="the call record (id) rated")
    order_id: int | None
    agent_id: int | None = Field(description="the agent of the contact")
    unit_id: int | None = Field(description="the order's unit")
    category_id: int | None
    order_type: str | None


class SatisfactionRow(BaseModel):
    key: str = Field(description="the agent, unit or category id, the channel, or the day (YYYY-MM-DD)")
    name: str | None = Field(default=None, description="the agent's, unit's or category's name")
    surveyed: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rate: float | None = Field(description="satisfied (and basically satisfied if counted) ÷ surveyed; null: none")


class SatisfactionPublic(BaseModel):
    items: list[SatisfactionRow]
    total: SatisfactionRow = Field(description="the whole period")
    count_basic: bool = Field(description="whether 基本满意 counts as satisfied in ``rate``")
    kind: str
    group_by: str
    from_: date = Field(alias="from")
    to: date
