"""API shapes of SLA policies, business calendars and order deadlines."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiyin.workorders.catalog import Grade, OrderType

AreaType = Literal["urban", "rural", "remote"]
CustomerTag = Literal["key_customer", "sensitive", "repeat_complainant", "elderly", "vip"]
Minutes = Annotated[int, Field(ge=1, le=525_600, description="minutes (on the policy's calendar)")]
CalendarRef = Annotated[
    Literal["24x7"] | Annotated[int, Field(ge=1, le=2_147_483_647)],
    Field(description='"24x7", or the id of a business calendar (working minutes)'),
]
HHMM = Annotated[str, StringConstraints(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PolicyMatch(Strict):
    """What an order must have for the policy to apply; a field left out matches anything."""

    type: OrderType | None = None
    category: str | None = Field(default=None, min_length=1, max_length=32, description="code; includes children")
    grade: Grade | None = None
    customer_tag: CustomerTag | None = None
    area_type: AreaType | None = None


class PolicyLimits(Strict):
    """Minutes per stage; a stage left out has no deadline under this policy."""

    accept: Minutes | None = None
    arrive: Minutes | None = None
    resolve: Minutes | None = None
    reply: Minutes | None = None
    callback: Minutes | None = None


class PolicyCreate(Strict):
    name: str = Field(min_length=1, max_length=100)
    priority: int = Field(default=100, ge=0, le=10000, description="among equally specific policies, lower wins")
    match: PolicyMatch = Field(default_factory=PolicyMatch)
    limits: PolicyLimits
    warn_at: float = Field(default=0.75, gt=0, le=1, description="share of the limit at which to warn")
    calendar: CalendarRef = "24x7"
    pausable: bool = Field(default=False, description="suspending the order pauses its clock")
    description: str = Field(default="", max_length=2000, description="where the figures come from")
    is_active: bool = True


class PolicyUpdate(Strict):
    """Every field optional. ``match`` and ``limits`` merge: a field sent as null removes it."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    priority: int | None = Field(default=None, ge=0, le=10000)
    match: PolicyMatch | None = None
    limits: PolicyLimits | None = None
    warn_at: float | None = Field(default=None, gt=0, le=1)
    calendar: CalendarRef | None = None
    pausable: bool | None = None
    description: str | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class PolicyPublic(BaseModel):
    id: int
    version: int
    version_id: int = Field(description="this version's id (what an order's sla_policy_version_id names)")
    name: str
    priority: int
    match: PolicyMatch
    limits: PolicyLimits
    warn_at: float
    calendar: str | int
    pausable: bool
    description: str
    is_active: bool
    created_at: datetime = Field(description="when this version was made")


class PoliciesPublic(BaseModel):
    items: list[PolicyPublic]
    total: int


class WorkPeriod(Strict):
    start: HHMM
    end: HHMM


class CalendarCreate(Strict):
    code: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")
    name: str = Field(min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64, description="default: the center's (HUIYIN_TIMEZONE)")
    work_hours: list[WorkPeriod] = Field(min_length=1, max_length=6)


class CalendarDayIn(Strict):
    date: date
    is_working: bool = Field(description="false: a holiday; true: a make-up working day (调休) on a weekend")
    note: str = Field(default="", max_length=100)


class CalendarDaysIn(Strict):
    year: int = Field(ge=2000, le=2100)
    days: list[CalendarDayIn] = Field(max_length=366)


class CalendarPublic(BaseModel):
    id: int
    code: str
    name: str
    timezone: str
    work_hours: list[WorkPeriod]
    days: list[CalendarDayIn] | None = Field(default=None, description="the exception days (with ?year=)")


class CalendarsPublic(BaseModel):
    items: list[CalendarPublic]
    total: int


class LadderStep(Strict):
    level: int = Field(ge=1, le=4)
    role: str = Field(min_length=1, max_length=32, description="who is told at this level (a role name)")
    delay_minutes: int = Field(ge=0, le=100_000, description="minutes after the breach of a stage deadline")
    mark: Literal["urge", "supervise"] = Field(description="催办 (urge) or 督办 (supervise)")
    channels: list[Literal["app", "sms", "voice", "email"]] = Field(min_length=1, max_length=4)


class Ladder(Strict):
    steps: list[LadderStep] = Field(min_length=4, max_length=4)


class BoardRow(BaseModel):
    unit_id: int | None = Field(description="None: orders no unit holds (the dispatcher queue)")
    unit_name: str | None
    open: int
    due_soon: int = Field(description="the next deadline falls within soon_minutes")
    overdue: int
    escalated: int = Field(description="escalation level 1 or more")
    urged: int = Field(description="marked 催办")
    supervised: int = Field(description="marked 督办")
    max_level: int


class Board(BaseModel):
    soon_minutes: int
    at: datetime
    rows: list[BoardRow]
    totals: BoardRow
