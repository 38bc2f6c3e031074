"""API shapes of work orders, categories, dispatch rules and callback tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import LongText, PhoneOrMasked, RefId, ShortText
from huiyin.workorders.catalog import CallbackResult, Channel, ComplaintSource, Grade, OrderType
from huiyin.workorders.models import Attachment
from huiyin.workorders.states import OrderState

Stage = Literal["accept", "arrive", "resolve", "reply", "callback", "action"]
"""A deadline's stage: the policy's five, and a complaint's corrective action (``action``, set by date)."""


class DeadlinePublic(BaseModel):
    """One stage deadline of an order, as the SLA keeps it (the SLA fills ``deadlines`` through its view)."""

    stage: Stage
    cycle: int = Field(description="0, then 1 after the first reopen, …")
    started_at: datetime
    due_at: datetime
    warn_at: datetime
    met_at: datetime | None
    breached: bool = Field(description="met late, or unmet and past due now (a paused one: past due when paused)")
    paused: bool


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class WorkOrderCreate(Strict):
    type: OrderType
    category: str = Field(min_length=1, max_length=32, description="category code, e.g. RP-GAS-NOGAS")
    description: LongText
    channel: Channel
    contact_phone: PhoneOrMasked = Field(
        description="in full, or one of the customer's numbers as the API showed it (masked, with customer_id)"
    )
    contact_name: str | None = Field(default=None, max_length=100)
    customer_id: RefId | None = None
    address: str | None = Field(default=None, max_length=300)
    area_id: RefId | None = None
    grade: Grade | None = None
    close_on_spot: bool = Field(default=False, description="answered on the spot: register and close at once")
    result: str | None = Field(default=None, max_length=4000, description="the answer given, when closed on the spot")
    call_id: str | None = Field(
        default=None, min_length=1, max_length=250, description="the PBX's callId of the call this order comes from"
    )
    complaint_source: ComplaintSource | None = Field(
        default=None, description="a complaint's source (投诉来源); default: the hotline, or wechat_web by channel"
    )


class NoteIn(Strict):
    note: str | None = Field(default=None, max_length=500)


class DispatchIn(NoteIn):
    unit_id: RefId


class ReassignIn(Strict):
    unit_id: RefId
    reason: str | None = Field(default=None, max_length=500)


class ReasonIn(Strict):
    reason: ShortText


class ResolveIn(Strict):
    result: LongText
    on_site_staff_ids: list[RefId] = Field(
        default_factory=list,
        max_length=10,
        description="who went on site (维修工, 抄表员 …: staff of the order's unit), rated by the delayed survey",
    )


class CallbackIn(Strict):
    result: CallbackResult
    note: str | None = Field(default=None, max_length=500)


class CloseIn(Strict):
    reason: str | None = Field(default=None, max_length=500)
    result: str | None = Field(default=None, max_length=4000)


class ReopenIn(Strict):
    reason: str | None = Field(default=None, max_length=500)


class EventPublic(BaseModel):
    id: int
    action: str
    from_state: OrderState | None
    to_state: OrderState
    actor: str | None = Field(
        description="the user's username, or 'system' for an event no user made (data['system'] names the job or rule)"
    )
    actor_id: int | None
    unit_id: int | None
    at: datetime
    note: str
    data: dict[str, Any]


class CallbackTaskPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_id: RefId
    agent_id: int | None
    state: str
    attempts: int
    result: str | None
    note: str
    created_at: datetime
    done_at: datetime | None


ATTACHMENT_CONTENT_URL = "/api/v1/attachments/{id}/content"


class AttachmentPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_id: int
    filename: str
    content_type: str
    size: int = Field(description="bytes")
    uploaded_by: int
    created_at: datetime
    url: str = Field(description="where the bytes are: GET it with the same credentials")

    @classmethod
    def of(cls, attachment: Attachment) -> AttachmentPublic:
        return cls(
            id=attachment.id,
            order_id=attachment.order_id,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=attachment.size,
            uploaded_by=attachment.uploaded_by,
            created_at=attachment.created_at,
            url=ATTACHMENT_CONTENT_URL.format(id=attachment.id),
        )


class WorkOrderPublic(BaseModel):
    id: int
    number: str
    type: str
    category: str
    category_name: str
    grade: str
    state: OrderState
    channel: str
    customer_id: int | None
    contact_name: str
    contact_phone: str
    address: str
    area_id: int | None
    description: str
    owner_agent_id: RefId
    unit_id: int | None
    unit_name: str | None
    last_unit_id: int | None = Field(description="the unit it was last dispatched to (kept when a unit returns it)")
    handler_id: int | None
    result: str | None
    callback_result: str | None
    unreachable_count: int
    reopen_count: int
    closed_on_spot: bool
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    closed_at: datetime | None
    sla_policy_version_id: int | None = Field(description="the SLA policy version the order started with")
    next_deadline_at: datetime | None = Field(description="the earliest unmet, unpaused stage deadline")
    overdue: bool = Field(description="an unmet, unpaused deadline is past due now (next_deadline_at < now)")
    deadlines: list[DeadlinePublic] = Field(description="every stage deadline of every cycle, oldest first")
    escalation_level: int = Field(description="how far the escalation ladder has climbed: 0 none, 1 … 4 director")
    supervision_mark: Literal["urge", "supervise"] | None = Field(
        description="催办 (urge, by the center) or 督办 (supervise, by management); 督办 is never lowered"
    )
    urge_count: int = Field(description="how many times the order was urged by hand")
    complaint: ComplaintView | None = Field(default=None, description="a complaint's grade, source and verdict")
    merged_into: int | None = Field(default=None, description="并单: the master order this report was merged into")
    outage_id: int | None = Field(default=None, description="the outage it was merged into, or whose master it is")


class ComplaintView(BaseModel):
    """A complaint order's complaint, as the complaints domain keeps it (its view on the order)."""

    grade: Literal["general", "major", "serious"] = Field(description="一般 / 较大 / 重大")
    source: str = Field(description="hotline, wechat_web, gov_12345, regulator, media, upstream")
    stage: str | None = Field(description="the disputed stage (抄表, 收费, 安全检查 …), once known")
    validity: Literal["valid", "invalid"] | None = Field(description="the verdict: null while pending")
    reason: str | None
    responsible_unit_id: int | None
    responsible_staff_ids: list[int]
    joint_head_id: int | None = Field(description="the responsible unit's head, who shares responsibility")
    root_cause: str | None
    action: str | None = Field(description="the corrective action (整改措施)")
    action_due: datetime | None = Field(description="when it is due: tracked as the order's ``action`` deadline")
    action_owner_id: int | None = Field(description="the staff member who carries it out (default: the unit's head)")
    action_done_at: datetime | None
    action_result: str | None
    repeat_of: int | None = Field(description="the earlier complaint of the same customer and matter (30 days)")
    verdict_at: datetime | None
    verdict_version: int = Field(description="0: no verdict yet; 2 and more: reviewed")


class WorkOrderDetail(WorkOrderPublic):
    owner_agent: str | None
    events: list[EventPublic]
    allowed_actions: list[str]
    safety_script: str | None
    callback_tasks: list[CallbackTaskPublic]
    attachments: list[AttachmentPublic]


class WorkOrdersPublic(BaseModel):
    items: list[WorkOrderPublic]
    total: int
    page: int
    page_size: int
    state_counts: dict[str, int] | None = None


class StatsDay(BaseModel):
    day: date = Field(description="a calendar day in the center's time zone")
    registered: int = Field(description="orders registered that day")
    closed: int = Field(description="closures recorded that day")
    by_type: dict[str, int] = Field(description="orders registered that day, by type (every type, zero-filled)")


class StatsToday(BaseModel):
    registered: int
    closed_on_spot: int = Field(description="orders registered today and answered on the spot")
    callbacks_done: int = Field(description="callback attempts recorded today, whatever their result")
    satisfied: int = Field(description="callbacks today that were satisfied or basically satisfied")
    unsatisfied: int


class WorkOrderStats(BaseModel):
    days: list[StatsDay] = Field(description="one entry per local day, oldest first, today last")
    state_counts: dict[str, int] = Field(description="open orders by state (every open state, zero-filled)")
    open_total: int
    urgent_open: int
    today: StatsToday
    types_open: dict[str, int] = Field(description="open orders by type (every type, zero-filled)")


class CategoryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    name_en: str
    type: str
    parent_id: int | None
    default_grade: str
    safety_script: str | None
    is_active: bool


class CategoriesPublic(BaseModel):
    items: list[CategoryPublic]
    total: int


class CategoryCreate(Strict):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    type: OrderType
    parent_id: RefId | None = None
    default_grade: Grade = Grade.normal
    safety_script: str | None = Field(default=None, max_length=2000)


class CategoryUpdate(Strict):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    default_grade: Grade | None = None
    safety_script: str | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class DispatchRuleCreate(Strict):
    category_id: RefId | None = None
    area_id: RefId | None = None
    unit_id: RefId | None = Field(default=None, description="null: the unit that owns the order's area")
    priority: int = Field(default=100, ge=0, le=10000)
    note: str = Field(default="", max_length=200)


class DispatchRuleUpdate(Strict):
    unit_id: RefId | None = None
    priority: int | None = Field(default=None, ge=0, le=10000)
    is_active: bool | None = None
    note: str | None = Field(default=None, max_length=200)


class DispatchRulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    category_id: int | None
    area_id: int | None
    unit_id: int | None
    priority: int
    is_active: bool
    note: str


class DispatchRulesPublic(BaseModel):
    items: list[DispatchRulePublic]
    total: int


Sort = Literal[
    "created_at", "-created_at", "updated_at", "-updated_at", "number", "-number", "grade", "-grade", "state", "-state"
]
