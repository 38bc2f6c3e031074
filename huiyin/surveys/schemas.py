"""API shapes of ratings and satisfaction figures."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

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
    outcome: Literal["rated", "unmatched", "unreadable", "already_rated", "opted_out"] = Field(
        description="opted_out: the customer asked for no more notices (TD, 退订): bulk notices skip the number"
    )
    rating_id: int | None
    duplicate: bool = Field(description="this message id came before: its first outcome, nothing new stored")
    conversation_id: int | None = Field(default=None, description="not a rating: the conversation it went to")


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


# ---------------------------------------------------------------- the delayed survey (延时调查)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = Field(min_length=1, max_length=32, pattern=r"^[a-z][a-z0-9_]*$")
    kind: Literal["result", "score", "yesno", "text"] = Field(
        description="result: 满意/基本满意/不满意; score: 1–5; yesno: true/false; text: up to 500 characters"
    )
    text: str = Field(min_length=1, max_length=200)
    required: bool = True
    about: Literal["handler"] | None = Field(default=None, description="handler: it rates the staff who went on site")


class QuestionnaireIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=100)
    questions: list[Question] = Field(min_length=3, max_length=6)


class QuestionnairePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    version: int
    name: str
    questions: list[Question]
    is_current: bool
    created_at: datetime


class QuestionnairesPublic(BaseModel):
    items: list[QuestionnairePublic]


class SurveyRuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    order_type: Literal[
        "inquiry", "service_request", "repair", "emergency", "complaint", "suggestion", "praise", "callback", "care"
    ]
    category: str | None = Field(default=None, max_length=32, description="a category code of the type: its own rule")
    share: float = Field(ge=0, le=1, description="the share of closed orders surveyed: 1 every one, 0 none")
    delay_days: int = Field(default=3, ge=0, le=60, description="days after the close the survey is sent")
    is_active: bool = True


class SurveyRulePublic(BaseModel):
    id: int
    order_type: str
    category_id: int | None
    category: str | None
    share: float
    delay_days: int
    is_active: bool


class SurveyRulesPublic(BaseModel):
    items: list[SurveyRulePublic]


class SurveyPagePublic(BaseModel):
    """What the mobile survey page shows (no sign-in)."""

    questionnaire: str
    version: int
    questions: list[Question]
    order_number: str | None
    category_name: str | None
    order_type: str
    closed_at: datetime | None
    state: Literal["scheduled", "sent", "answered", "expired"]
    answered: bool
    expires_at: datetime


class SurveyAnswersIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    answers: dict[str, str | Annotated[int, Field(ge=-1000, le=1000)] | bool | None] = Field(
        description="by question key", max_length=20
    )


class QuestionResultPublic(BaseModel):
    key: str
    kind: str
    text: str
    answered: int
    counts: dict[str, int]
    mean: float | None


class SurveyResultsPublic(BaseModel):
    questionnaire_id: int
    version: int
    name: str
    from_: date = Field(alias="from")
    to: date
    sent: int
    answered: int
    response_rate: float | None
    questions: list[QuestionResultPublic]


class HandlerRowPublic(BaseModel):
    handler_id: int
    name: str | None
    unit_id: int | None
    surveys: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rate: float | None = Field(description="满意率: satisfied (and basically satisfied when count_basic) ÷ surveys")
    attitude_mean: float | None = Field(description="the field staff's attitude, 1–5, on average")
    solved: int


class StaffRowPublic(BaseModel):
    """One field staff member (维修工, 抄表员 …: no login) as the delayed surveys of the orders they went on
    site for rate them (客户评优评级)."""

    staff_id: int
    name: str | None
    post: str | None
    unit_id: int | None
    unit_name: str | None
    surveys: int
    satisfied: int
    basically_satisfied: int
    unsatisfied: int
    rate: float | None = Field(description="满意率: satisfied (and basically satisfied when count_basic) ÷ surveys")
    attitude_mean: float | None = Field(description="the attitude of the staff who came, 1–5, on average")
    solved: int


class StaffFiguresPublic(BaseModel):
    items: list[StaffRowPublic]
    from_: date = Field(alias="from")
    to: date
    count_basic: bool


class HandlerFiguresPublic(BaseModel):
    items: list[HandlerRowPublic]
    from_: date = Field(alias="from")
    to: date
    count_basic: bool


class SurveyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    order_id: int
    order_number: str | None = None
    questionnaire_id: int
    state: str
    due_at: datetime
    sent_at: datetime | None
    reminded_at: datetime | None
    answered_at: datetime | None
    answers: dict[str, Any] | None
    handler_id: int | None


class SurveysPublic(BaseModel):
    items: list[SurveyPublic]
