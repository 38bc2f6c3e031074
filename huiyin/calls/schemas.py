"""The phone channel's API types. ``CtiEventIn`` is the generic CTI shape (Zammad's field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator

from huiyin.calls.states import AgentStatus, Cause, CtiEvent, Direction, NotReadyReason
from huiyin.core.schemas import Instant, RefId
from huiyin.workorders.schemas import WorkOrderPublic


class CtiEventIn(BaseModel):
    """One event from the PBX. Unknown extra fields are ignored (PBXs send more than the shape names)."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    event: CtiEvent
    call_id: str = Field(alias="callId", min_length=1, max_length=250)
    direction: Direction | None = None
    from_: str = Field(default="", alias="from", max_length=64)
    to: str = Field(default="", max_length=64)
    user: list[str] = Field(default_factory=list, validation_alias=AliasChoices("user", "user[]"))
    queue: str | None = Field(default=None, max_length=100)
    answering_number: str | None = Field(default=None, alias="answeringNumber", max_length=200)
    cause: Cause | None = None
    # Huiyin's own optional fields
    recording_url: str | None = Field(default=None, alias="recordingUrl", max_length=1000)
    ivr_path: str | None = Field(default=None, alias="ivrPath", max_length=300)
    wait_seconds: int | None = Field(default=None, alias="waitSeconds", ge=0, le=86_400)
    hold_seconds: int | None = Field(default=None, alias="holdSeconds", ge=0, le=86_400)
    at: Instant | None = Field(default=None, description="when it happened at the PBX (ISO 8601 with a zone)")

    @field_validator("user", mode="before")
    @classmethod
    def _one_or_many(cls, v: Any) -> Any:
        if v is None:
            return []
        return [v] if isinstance(v, str) else v

    @field_validator("direction", "cause", "queue", "answering_number", "recording_url", "ivr_path", mode="before")
    @classmethod
    def _blank_is_none(cls, v: Any) -> Any:
        return None if isinstance(v, str) and not v.strip() else v

    @field_validator("recording_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v is not None and not v.lower().startswith(("http://", "https://")):
            raise ValueError("recordingUrl must be an http(s) URL")
        return v


class CallPublic(BaseModel):
    id: int
    call_id: str = Field(description="the PBX's callId")
    direction: str
    from_: str = Field(alias="from")
    to: str
    queue: str
    state: str = Field(description="ringing | talking | ended")
    agent_id: int | None
    agent: str | None = Field(description="the agent's login")
    agent_name: str | None
    offered_to: list[int]
    customer_id: int | None
    offered_at: datetime
    answered_at: datetime | None
    ended_at: datetime | None
    acw_ended_at: datetime | None
    wait_seconds: int | None
    talk_seconds: int | None = Field(description="answered → ended, less hold")
    hold_seconds: int
    acw_seconds: int | None = Field(description="after-call work: ended → order saved or marked done")
    cause: str | None
    abandoned: bool
    short_abandon: bool
    blocked: bool
    ivr_path: str
    recording_url: str | None
    has_recording: bool
    work_order_ids: list[int]

    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)


class CallsPublic(BaseModel):
    items: list[CallPublic]
    total: int
    page: int
    page_size: int


class CustomerBrief(BaseModel):
    id: int
    account_no: str
    name: str
    address: str
    area_id: int | None
    tags: list[str]
    phones: list[str]


class Notice(BaseModel):
    kind: str = Field(description="outage: a live outage of the customer's area (or an IVR area rule's announcement)")
    text: str
    rule_id: int | None = Field(default=None, description="the IVR area rule that announces it")
    outage_id: int | None = Field(default=None, description="the live outage it speaks of")
    preset: str | None = Field(default=None, description="预设答案: what the agent reads to the caller")


class ScreenPop(BaseModel):
    call: CallPublic
    customer: CustomerBrief | None
    candidates: list[CustomerBrief] = Field(description="several customers share the number: pick one")
    open_orders: list[WorkOrderPublic]
    recent_contacts: list[CallPublic]
    notices: list[Notice]


class LinkOrderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_id: RefId


class CallCustomerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    customer_id: RefId


class DialIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(
        min_length=3, max_length=32, description="in full, or masked as shown with the order or customer it is of"
    )
    customer_id: RefId | None = None
    order_id: RefId | None = None
    call_pk: RefId | None = Field(default=None, description="a call record (id) to call back: its customer's number")
    integration_id: RefId | None = None


class DialOut(BaseModel):
    call: CallPublic
    pbx: dict[str, Any] = Field(description="what the PBX answered")


# ---------------------------------------------------------------- agents


class AgentStatePublic(BaseModel):
    user_id: int
    state: AgentStatus
    reason: str | None
    since: datetime | None
    call_id: int | None = Field(description="the call record (id) the agent is on or wrapping up")


class AgentStateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    state: Literal["signed_in", "ready", "not_ready", "signed_out"]
    reason: NotReadyReason | None = None


class BoardAgent(BaseModel):
    user_id: int
    username: str
    full_name: str
    state: AgentStatus
    reason: str | None
    since: datetime
    seconds: int
    call_id: int | None


class BoardQueue(BaseModel):
    queue: str
    waiting: int
    talking: int
    longest_wait_seconds: int


class AgentBoard(BaseModel):
    at: datetime
    agents: list[BoardAgent]
    queues: list[BoardQueue]
    counts: dict[str, int]


# ---------------------------------------------------------------- integrations


class BlockedNumber(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=3, max_length=32)
    note: str = Field(default="", max_length=200)


class CallerIdRule(BaseModel):
    model_config = ConfigDict(extra="forbid")
    prefix: str = Field(min_length=1, max_length=32, description="destination prefix, e.g. 023 or 023*")
    caller_id: str = Field(min_length=3, max_length=32)
    note: str = Field(default="", max_length=200)


class IntegrationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)


class IntegrationPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    blocked_numbers: list[BlockedNumber] | None = Field(default=None, max_length=1000)
    caller_id_rules: list[CallerIdRule] | None = Field(default=None, max_length=200)
    default_caller_id: str | None = Field(default=None, max_length=32)
    dial_url: str | None = Field(default=None, max_length=500)
    dial_secret: str | None = Field(default=None, max_length=200)

    @field_validator("dial_url")
    @classmethod
    def _http(cls, v: str | None) -> str | None:
        if v and not v.lower().startswith(("http://", "https://")):
            raise ValueError("dial_url must be an http(s) URL")
        return v or None


class IntegrationPublic(BaseModel):
    id: int
    name: str
    token_hint: str = Field(description="the token's first characters")
    revoked_at: datetime | None
    blocked_numbers: list[BlockedNumber]
    caller_id_rules: list[CallerIdRule]
    default_caller_id: str | None
    dial_url: str | None
    has_dial_secret: bool
    created_at: datetime


class IntegrationWithToken(IntegrationPublic):
    token: str = Field(description="shown once: the endpoint is /api/v1/cti/{token}")
    endpoint: str


# ---------------------------------------------------------------- IVR


class IvrRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    priority: int = Field(default=100, ge=0, le=10_000)
    kind: Literal["tag", "emergency", "area"]
    tags: list[str] = Field(default_factory=list, max_length=10)
    area_ids: list[RefId] = Field(default_factory=list, max_length=500)
    queue: str | None = Field(default=None, max_length=100)
    connect_agent: bool = False
    announcement: str | None = Field(default=None, max_length=1000)
    starts_at: Instant | None = None
    ends_at: Instant | None = None
    enabled: bool = True


class IvrRulePublic(IvrRuleIn):
    model_config = ConfigDict(from_attributes=True)
    id: int
    seed_key: str | None


class IvrRoute(BaseModel):
    caller: str
    known: bool = Field(description="the number belongs to at least one customer")
    customer_id: int | None = Field(description="when exactly one customer has the number")
    tier: str | None = Field(description="key_customer, sensitive, repeat_complainant, elderly, vip, emergency")
    tags: list[str]
    queue: str | None = Field(description="the queue to put the caller in; null: the IVR's default")
    connect_agent: bool = Field(description="skip the menus: connect to an agent at once")
    emergency_order: dict[str, Any] | None
    announcements: list[str] = Field(description="to play before the menus (an outage in the caller's area)")
    outage_ids: list[int] = Field(description="the live outages of the caller's areas whose announcements come first")
    matched_rules: list[int]
