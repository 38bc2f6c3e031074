"""API shapes of ratings and satisfaction figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import Instant, RefId, ShortText

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


class SmsReplyIn(BaseModel):
    """One SMS a customer sent to the centre's number, as the gateway posts it (docs/notifications.md)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    id: str = Field(min_length=1, max_length=100, description="the gateway's message id (a retry repeats it)")
    from_: str = Field(alias="from", min_length=3, max_length=32, description="the sender's number")
    text: str = Field(max_length=1000)
    at: Instant | None = Field(default=None, description="when the gateway received it (default: now)")


class SmsReplyOut(BaseModel):
    outcome: Literal["rated", "unmatched", "unreadable", "already_rated"]
    rating_id: int | None
    duplicate: bool = Field(description="this message id came before: its first outcome, nothing new stored")


class RatingsPublic(BaseModel):
    items: list[RatingPublic]
    total: int


class CareDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    outcome: Literal["reassured", "unreachable", "escalated"] = Field(
        description="安抚解释 (reassured), 联系不上 (unreachable), 升级处理 (escalated: a new order or a complaint)"
    )
    note: ShortText = Field(description="what was said or done")


class CareTaskPublic(BaseModel):
    id: int
    order_id: int | None
    call_pk: int | None
    customer_id: int | None
    agent_id: int | None = Field(description="the agent of the rated contact")
    unit_id: int | None = Field(description="the unit of the rated order")
    created_at: datetime
    due_at: datetime
    overdue: bool = Field(description="still open past due_at")
    state: Literal["open", "done"]
    outcome: str | None
    note: str | None
    done_at: datetime | None
    done_by: int | None
    rating: RatingPublic


class CareTasksPublic(BaseModel):
    items: list[CareTaskPublic]
    total: int


class LinkRatingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: Result
    score: int | None = Field(default=None, ge=1, le=5)
    comment: str | None = Field(default=None, max_length=500)


class LinkPublic(BaseModel):
    """What the rating page shows (no personal data: the order's number and what it was about)."""

    order_number: str | None
    category_name: str | None
    order_type: str | None
    closed_at: datetime | None
    expires_at: datetime
    rated: bool = Field(description="rated through this link already")
    result: str | None = Field(description="the rating given through this link")
