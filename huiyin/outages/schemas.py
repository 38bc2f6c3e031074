from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from huiyin.core.schemas import Instant, LongText, RefId, ShortText

UtilityName = Literal["gas", "electricity", "water"]
OutageStateName = Literal["announced", "active", "restored", "closed", "cancelled"]
Areas = Annotated[list[RefId], Field(max_length=200)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class OutageIn(BaseModel):
    kind: Literal["planned", "unplanned"]
    utility: UtilityName
    area_ids: Areas = Field(description="one or more affected areas (an empty list is a 422)")
    cause: ShortText
    scope: Note = Field(default="", description="streets, buildings or meters, when narrower than the areas")
    starts_at: Instant
    eta: Instant | None = Field(default=None, description="expected restoration; after starts_at")
    unit_id: RefId | None = Field(default=None, description="the responsible unit: the master order goes there")


class OutagePatch(BaseModel):
    eta: Instant | None = None
    cause: ShortText | None = None
    scope: Note | None = None
    area_ids: Areas | None = None
    note: Note = ""


class RestoreIn(BaseModel):
    result: ShortText = Field(description="what was done: every merged report is resolved with it")
    ended_at: Instant | None = Field(default=None, description="when supply came back (default: now)")


class CancelIn(BaseModel):
    reason: ShortText


class OutageNoteIn(BaseModel):
    note: Note = ""


class LinkedOrder(BaseModel):
    id: int
    number: str
    state: str


class LinkedOrders(BaseModel):
    count: int
    ids: list[int]
    items: list[LinkedOrder] = Field(description="each merged report's number and state, by id")


class NoticePublic(BaseModel):
    total: int = Field(description="customers on the call list (主动服务), every round")
    reached: int
    pending: int
    no_answer: int
    wrong_number: int
    sms_sent: int = Field(description="notice SMS queued to the gateway, every round (opt-outs skipped)")
    rounds_pending: int = Field(description="notice rounds the worker is still sending")


class OutageTexts(BaseModel):
    announcement: str = Field(description="what the IVR plays to callers of the areas")
    preset: str = Field(description="预设答案: what the agent reads to a caller")
    sms: str


class OutagePublic(BaseModel):
    id: int
    kind: str
    utility: str
    state: OutageStateName
    cause: str
    scope: str
    area_ids: list[int]
    area_names: str
    starts_at: datetime
    eta: datetime | None
    ended_at: datetime | None
    result: str | None
    unit_id: int | None
    master_order_id: int | None
    lead_hours: float | None = Field(description="a planned outage: hours between its announcement and start")
    lead_missed: bool = Field(description="announced later than the utility's notice lead time")
    eta_changes: int
    linked_count: int
    created_at: datetime
    updated_at: datetime


class OutageEventPublic(BaseModel):
    id: int
    action: str
    from_state: str | None
    to_state: str
    actor: str
    at: datetime
    note: str
    data: dict[str, object]


class OutageDetail(OutagePublic):
    linked_orders: LinkedOrders
    notice: NoticePublic
    texts: OutageTexts
    events: list[OutageEventPublic]
    restore_pending: bool = Field(description="merged reports still being resolved by the worker")


class OutagesPublic(BaseModel):
    items: list[OutagePublic]


class LiveOutagePublic(BaseModel):
    """A live outage as the agent's workbench shows it for a caller's area: the preset answer to read."""

    id: int
    utility: str
    state: OutageStateName
    cause: str
    starts_at: datetime
    eta: datetime | None
    area_names: str
    preset: str
    announcement: str


class LiveOutagesPublic(BaseModel):
    items: list[LiveOutagePublic]


class MergeIn(BaseModel):
    outage_id: RefId
    note: Note = ""


class UnmergeIn(BaseModel):
    reason: ShortText


class SuggestionPublic(BaseModel):
    id: int
    kind: Literal["fault", "near"]
    state: Literal["open", "accepted", "dismissed"]
    utility: str
    area_id: int | None
    outage_id: int | None
    order_ids: list[int]
    text: str
    created_at: datetime
    decided_at: datetime | None


class SuggestionsPublic(BaseModel):
    items: list[SuggestionPublic]


class AcceptIn(BaseModel):
    cause: ShortText | None = Field(default=None, description="a suspected outage's cause (default: 故障研判)")
    eta: Instant | None = None
    unit_id: RefId | None = None


class AcceptedPublic(BaseModel):
    suggestion: SuggestionPublic
    outage_id: int
    merged: list[int] = Field(description="the orders merged into the outage's master order")


class NoticeCallPublic(BaseModel):
    id: int
    outage_id: int
    round: int
    customer_id: int
    customer_name: str
    phone: str = Field(description="masked; dial by the call's id")
    tags: list[str]
    agent_id: int | None
    state: Literal["pending", "reached", "no_answer", "wrong_number"]
    attempts: int
    note: str
    done_at: datetime | None


class NoticeCallsPublic(BaseModel):
    items: list[NoticeCallPublic]


class NoticeResultIn(BaseModel):
    result: Literal["reached", "no_answer", "wrong_number"]
    note: Note = ""


class Audience(BaseModel):
    area_ids: Areas | None = None
    tag: Literal["key_customer", "sensitive", "repeat_complainant", "elderly", "vip"] | None = None
    outage_id: RefId | None = None


class AnnouncementIn(BaseModel):
    audience: Audience
    text: LongText = Field(description="the SMS as sent (the 【签名】 and 回TD退订 included)")
    channels: list[Literal["sms", "wechat"]] = Field(
        default=["sms"],
        min_length=1,
        max_length=2,
        description="sms: every mobile of the audience; wechat: the audience's followers who bound their account"
        " (a template message)",
    )


class AudienceCount(BaseModel):
    customers: int
    reachable: int | None = Field(default=None, description="not counted before sending: every mobile is")


class AnnouncementPublic(BaseModel):
    id: int
    audience: dict[str, object]
    text: str
    channel: str
    state: Literal["queued", "sent"]
    audience_count: int
    queued_count: int
    deliveries: dict[str, int] = Field(
        description="the outbox's SMS by status (pending, delivered, failed, skipped), and the WeChat template"
        " messages by status (wechat_pending, wechat_sent, wechat_failed, wechat_skipped)"
    )
    created_at: datetime
    done_at: datetime | None


class AnnouncementsPublic(BaseModel):
    items: list[AnnouncementPublic]
