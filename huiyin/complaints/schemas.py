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
    action_due: Instant | None = None
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
