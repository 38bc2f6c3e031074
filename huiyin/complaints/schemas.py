"""API shapes of complaints: the verdict, its history, the root causes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import Instant, RefId

Stage = Literal["meter_reading", "billing", "safety_check", "business", "hotline", "repair", "construction", "other"]


class VerdictIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    validity: Literal["valid", "invalid"]
    reason: str | None = Field(default=None, max_length=500, description="why (an invalid one must say)")
    stage: Stage = Field(description="the disputed stage (抄表, 收费, 安全检查, 业务办理, 热线, 抢修, 施工, 其他)")
    responsible_unit_id: RefId | None = Field(default=None, description="required for a valid complaint")
    responsible_staff_ids: list[RefId] = Field(default_factory=list, max_length=10)
    root_cause: str = Field(min_length=1, max_length=32, description="a code of GET /complaints/root-causes")
    action: str | None = Field(default=None, max_length=500, description="the corrective action")
    action_due: Instant | None = Field(default=None, description="required with an action; tracked like a deadline")
    action_owner_id: RefId | None = Field(default=None, description="staff of the responsible unit (default: its head)")
    review_reason: str | None = Field(default=None, max_length=500, description="why a verdict given is changed")


class VerdictPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    version: int
    at: datetime
    by: int
    validity: str
    reason: str | None
    stage: str
    responsible_unit_id: int | None
    responsible_staff_ids: list[int]
    joint_head_id: int | None
    root_cause: str
    action: str | None
    action_due: datetime | None
    action_owner_id: int | None
    review_reason: str | None


class VerdictsPublic(BaseModel):
    items: list[VerdictPublic]


class RootCausePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    is_active: bool


class RootCausesPublic(BaseModel):
    items: list[RootCausePublic]


class AnalysisRow(BaseModel):
    key: str = Field(description="the stage, unit id, root cause or staff id; '' while not known")
    name: str | None
    complaints: int
    valid: int
    invalid: int
    pending: int = Field(description="no verdict yet")


class AnalysisPublic(BaseModel):
    items: list[AnalysisRow]
    by: str
    from_: date = Field(alias="from")
    to: date


class ActionDoneIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    result: str = Field(min_length=1, max_length=500, description="what was done (整改结果)")


class ActionRowPublic(BaseModel):
    order_id: int
    number: str | None
    grade: str
    action: str
    action_due: datetime
    overdue: bool
    action_owner_id: int | None
    owner_name: str | None
    responsible_unit_id: int | None
    unit_name: str | None
    action_done_at: datetime | None
    action_result: str | None


class ActionsPublic(BaseModel):
    items: list[ActionRowPublic]


class CommendationIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    staff_ids: list[RefId] = Field(min_length=1, max_length=10, description="the staff the praise is for")
    note: str = Field(default="", max_length=200)


class CommendationPublic(BaseModel):
    order_id: int
    staff_ids: list[int]
    entries_written: int


class LedgerEntryPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    month: str
    person_id: int
    person_name: str | None = None
    unit_id: int
    kind: Literal["complaint", "joint", "praise", "survey"]
    points: int = Field(description="negative: a penalty; a reversing entry has the opposite sign")
    order_id: int | None
    reverses: int | None = Field(description="the entry this one reverses (a changed verdict)")
    note: str


class LedgerPublic(BaseModel):
    items: list[LedgerEntryPublic]
    total_points: int


class StandingPublic(BaseModel):
    person_id: int
    name: str
    post: str
    unit_id: int
    unit_name: str | None
    complaint: int
    joint: int
    praise: int
    survey: int
    total: int


class StandingsPublic(BaseModel):
    month: str
    items: list[StandingPublic]


class TitleHolderPublic(BaseModel):
    person_id: int
    name: str
    post: str
    unit_id: int
    unit_name: str | None
    points: int


class TitlePublic(BaseModel):
    code: str
    name: str
    kind: str
    people: list[TitleHolderPublic]


class TitlesPublic(BaseModel):
    month: str
    titles: list[TitlePublic]


TitleKind = Literal["no_valid_complaint_ytd", "top_points_month", "min_points_month"]


class TitleRulePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    code: str
    name: str
    kind: str
    top_n: int
    min_points: int
    posts: list[str]
    is_active: bool


class TitleRulesPublic(BaseModel):
    items: list[TitleRulePublic]


class TitleRuleUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=50)
    kind: TitleKind | None = None
    top_n: int | None = Field(default=None, ge=0, le=1000)
    min_points: int | None = Field(default=None, ge=0, le=10000)
    posts: list[Literal["meter_reader", "inspector", "repairer", "handler", "head", "other"]] | None = None
    is_active: bool | None = None


class SummaryPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    from_: date = Field(alias="from")
    to: date
    complaints: int
    valid: int
    invalid: int
    pending: int
    repeats: int = Field(description="repeat complaints (the same customer and matter within 30 days)")
    valid_share: float | None = Field(description="有效投诉占比: valid ÷ (valid + invalid)")
    hours_to_verdict: float | None = Field(description="average hours from registration to the first verdict")


class MonthCellPublic(BaseModel):
    key: str
    name: str | None
    month: str
    complaints: int
    valid: int


class ByMonthPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    items: list[MonthCellPublic]
    by: str
    from_: date = Field(alias="from")
    to: date


class RatePublic(BaseModel):
    key: str = Field(description="the area id or the unit id")
    name: str | None
    complaints: int
    valid: int
    customers: int
    per_10k_month: float | None = Field(description="complaints per 10,000 customers per month")
    valid_per_10k_month: float | None


class RatesPublic(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    items: list[RatePublic]
    by: str
    from_: date = Field(alias="from")
    to: date
    months: float = Field(description="the period in months (days ÷ 30.44)")
