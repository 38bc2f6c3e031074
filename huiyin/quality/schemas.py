from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from huiyin.core.schemas import RefId


class ChannelFigures(BaseModel):
    speech_seconds: float
    speech_rate_cpm: float | None = Field(description="characters (syllables) per minute of speaking time")
    rms_dbfs: float | None = Field(description="AES17: a full-scale sine reads 0 dBFS")
    lufs: float | None = Field(description="integrated loudness, ITU-R BS.1770-4")
    active_rms_dbfs: float | None = None
    syllables: int = 0
    pitch_median_hz: float | None = None
    pitch_spread_st: float | None = None


class Span(BaseModel):
    start: float
    end: float


class AnalysisFlag(BaseModel):
    kind: str = Field(description="fast_speech | slow_speech | dead_air | talk_over | loud | monotone | forbidden …")
    start: float = Field(description="seconds from the start of the recording")
    end: float
    value: float | str | None = Field(description="the measure, or the phrase found")
    severity: str
    verdict: str | None = Field(default=None, description="a phrase's: hit, or hint (inside a polite sentence)")


class Segment(BaseModel):
    channel: Literal["agent", "customer", "mixed"] = Field(description="mixed: a mono recording, both voices")
    start: float = Field(ge=0, le=86400)
    end: float = Field(ge=0, le=86400)
    text: str = Field(max_length=5000)


class TranscriptIn(BaseModel):
    segments: list[Segment] = Field(max_length=20000)


class CallAnalysisPublic(BaseModel):
    state: Literal["pending", "done", "unreadable"]
    reason: str | None = Field(description="why the recording could not be analysed")
    analysed_at: datetime | None
    channels: dict[str, ChannelFigures] | None = Field(description="agent and customer; a mono file: mixed")
    dead_air: list[Span] | None
    talk_over: list[Span] | None
    talk_ratio: float | None
    flags: list[AnalysisFlag]
    transcript: list[Segment] | None


# ------------------------------------------------------------------------------------------------ manual QA

FlagKind = Literal[
    "fast_speech", "slow_speech", "loudness_jump", "monotone", "dead_air", "talk_over", "forbidden", "shirking",
    "missing_opening", "missing_closing", "slow_response",
]  # fmt: skip
ContactKind = Literal["inbound_call", "outbound_call", "chat"]
Month = Annotated[str, StringConstraints(pattern=r"^\d{4}-(0[1-9]|1[0-2])$")]
Key = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class FormItem(BaseModel):
    key: Key
    title: Title
    max_points: int = Field(ge=0, le=100, description="0 for a red-line item")
    steps: list[Annotated[int, Field(ge=1, le=100)]] = Field(max_length=10, description="the deductions allowed")
    red_line: bool = Field(default=False, description="violated: the whole contact scores 0")
    flags: list[FlagKind] = Field(default=[], max_length=10, description="automatic flags that bear on the item")


class FormSection(BaseModel):
    title: Title
    items: list[FormItem] = Field(min_length=1, max_length=40)


class QaFormIn(BaseModel):
    code: Key
    name: Title
    contact_kind: ContactKind
    sections: list[FormSection] = Field(min_length=1, max_length=20)


class QaFormPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    version: int
    name: str
    contact_kind: str
    sections: list[FormSection]
    current: bool
    created_at: datetime


class ItemScore(BaseModel):
    key: Key
    deduction: int = Field(default=0, ge=0, le=100, description="one of the item's steps, or 0")
    violated: bool = Field(default=False, description="a red-line item only")
    note: str = Field(default="", max_length=500)


class TimedComment(BaseModel):
    at: float = Field(
        ge=0, le=2_678_400, description="seconds from the start of the recording (a conversation: its first message)"
    )
    text: str = Field(min_length=1, max_length=1000)


class EvaluationIn(BaseModel):
    call_id: RefId | None = Field(default=None, description="the call scored (or conversation_id: one of the two)")
    conversation_id: RefId | None = Field(default=None, description="a closed written conversation scored")
    agent_id: RefId | None = Field(
        default=None, description="a conversation answered by several agents: which one is scored (default: the main)"
    )
    form_id: RefId | None = Field(
        default=None, description="default: the current form for the call's direction, or the chat form"
    )
    items: list[ItemScore] = Field(max_length=200)
    comments: list[TimedComment] = Field(default=[], max_length=200)
    summary: str = Field(default="", max_length=1000)
    sample_id: RefId | None = None
    calibration_id: RefId | None = None


class ScoredItem(BaseModel):
    key: str
    deduction: int
    points: int
    violated: bool
    note: str


class ItemChange(BaseModel):
    key: str
    before: dict[str, int | bool]
    after: dict[str, int | bool]


class AppealPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    evaluation_id: int
    agent_id: int
    items: list[dict[str, str]] = Field(description="[{key, reason}]")
    state: Literal["open", "decided"]
    created_at: datetime
    decided_by: int | None
    decided_by_name: str | None = None
    decided_at: datetime | None
    note: str
    score_before: float
    score_after: float | None
    changes: list[ItemChange]


ContactType = Literal["call", "conversation"]


class EvaluationPublic(BaseModel):
    id: int
    form_id: int
    contact: ContactType
    call_id: int | None
    conversation_id: int | None
    agent_id: int
    agent_name: str
    inspector_id: int
    inspector_name: str
    sample_id: int | None
    calibration_id: int | None
    month: str
    state: Literal["scored", "appealed", "decided"]
    items: list[ScoredItem]
    comments: list[TimedComment]
    summary: str
    score: float = Field(description="the score in force (after a decided appeal, the decided one)")
    original_score: float = Field(description="as the inspector gave it")
    red_line: bool
    created_at: datetime
    appeal_until: datetime
    appeals: list[AppealPublic]


class AppealItem(BaseModel):
    key: Key
    reason: str = Field(min_length=1, max_length=500)


class AppealIn(BaseModel):
    items: list[AppealItem] = Field(min_length=1, max_length=50)


class DecisionItem(BaseModel):
    key: Key
    deduction: int = Field(default=0, ge=0, le=100, description="the deduction decided (0: none)")
    violated: bool = False


class DecisionIn(BaseModel):
    items: list[DecisionItem] = Field(default=[], max_length=50, description="appealed items whose score changes")
    note: str = Field(min_length=1, max_length=1000)


class SamplingPlan(BaseModel):
    per_agent: int = Field(ge=0, le=200, description="random calls per agent and month")
    per_new_agent: int = Field(ge=0, le=200, description="for an agent in their first months")
    new_agent_months: int = Field(ge=0, le=24)
    complaint: bool = Field(description="every call a complaint was registered from")
    unsatisfied: bool = Field(description="every call rated unsatisfied")
    flagged: bool = Field(description="every call the automatic analysis flagged")
    long_seconds: int | None = Field(ge=60, le=7200, description="calls this long or longer (None: off)")
    short_seconds: int | None = Field(ge=1, le=120, description="calls shorter than this (None: off)")
    long_short_cap: int = Field(ge=0, le=100, description="at most this many long and short calls per agent")
    flagged_cap: int = Field(default=10, ge=0, le=1000, description="at most this many flagged calls per agent")
    inspector_ids: list[RefId] = Field(max_length=200, description="none: every active QA inspector")
    chats_per_agent: int = Field(default=3, ge=0, le=200, description="random closed conversations per agent")
    chats_red_line: bool = Field(default=True, description="every conversation with a red-line phrase of an agent")
    chats_unsatisfied: bool = Field(default=True, description="every conversation rated unsatisfied")


class DrawIn(BaseModel):
    month: Month


class DrawResult(BaseModel):
    drawn: dict[str, int] = Field(description="new samples of calls by reason")
    drawn_chats: dict[str, int] = Field(default={}, description="new samples of conversations by reason")


class SamplePublic(BaseModel):
    id: int
    month: str
    contact: ContactType
    call_id: int | None
    conversation_id: int | None
    agent_id: int
    agent_name: str
    inspector_id: int
    inspector_name: str
    reason: str
    state: Literal["open", "done"]
    drawn_at: datetime
    evaluation_id: int | None
    answered_at: datetime | None
    talk_seconds: int | None
    direction: str | None
    channel: str | None = Field(default=None, description="a conversation's: wechat | web | sms | email")
    closed_at: datetime | None = Field(default=None, description="when the conversation closed")
    flag_kinds: list[str]


class CalibrationIn(BaseModel):
    call_id: RefId
    inspector_ids: list[RefId] = Field(min_length=2, max_length=20)
    note: str = Field(default="", max_length=500)


class SpreadItem(BaseModel):
    key: str
    title: str
    red_line: bool
    max_points: int
    values: list[float]
    low: float | None
    high: float | None
    mean: float | None
    range: float | None


class SpreadTotal(BaseModel):
    values: list[float]
    low: float | None
    high: float | None
    mean: float | None
    stdev: float | None
    range: float | None


class Spread(BaseModel):
    items: list[SpreadItem]
    total: SpreadTotal


class CalibrationPublic(BaseModel):
    id: int
    call_id: int
    form_id: int
    inspector_ids: list[int]
    inspector_names: list[str]
    scored_by: list[int] = Field(description="who has scored it so far")
    note: str
    created_by: int
    created_at: datetime
    mine: int | None = Field(description="your evaluation of it, once scored")
    blind: bool = Field(description="true until you have scored it: the others' scores are hidden")
    evaluations: list[EvaluationPublic]
    spread: Spread | None


class Threshold(BaseModel):
    key: str
    name: str
    unit: str
    low: float
    high: float
    default: float
    value: float
    updated_at: datetime | None


class PhrasePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    text: str
    severity: str
    active: bool
    updated_at: datetime


class RulesPublic(BaseModel):
    thresholds: list[Threshold]
    phrases: list[PhrasePublic]


class ThresholdsIn(BaseModel):
    values: dict[Key, Annotated[float, Field(ge=0, le=10000)]] = Field(max_length=20)


PhraseKind = Literal["forbidden", "shirking", "standard_opening", "standard_closing", "standard_hold"]
Severity = Literal["red_line", "major", "minor", "info"]


class PhraseIn(BaseModel):
    kind: PhraseKind
    text: str = Field(min_length=1, max_length=100)
    severity: Severity


class PhrasePatch(BaseModel):
    active: bool | None = None
    severity: Severity | None = None


class TextIn(BaseModel):
    text: str = Field(max_length=5000)


class TextHit(BaseModel):
    kind: str
    phrase: str
    start: int = Field(description="index in the text")
    end: int
    verdict: Literal["hit", "hint"]
    why: str
    severity: str


class TextCheck(BaseModel):
    hits: list[TextHit]


class MonthScore(BaseModel):
    month: str
    qa_score: float | None


class AgentResult(BaseModel):
    agent_id: int
    agent_name: str
    month: str
    qa_score: float | None = Field(description="the mean final score of the month's evaluations")
    evaluations: int = Field(description="calls' and conversations', weighted the same")
    chat_evaluations: int = Field(description="of which of conversations")
    red_lines: int
    appeals: int
    analysed_calls: int
    per_100: dict[str, float | None] = Field(description="analysed calls with each flag, per 100")
    trend: list[MonthScore]


class InspectorPublic(BaseModel):
    id: int
    name: str
    qa_inspector: bool = Field(description="a 质检员 (the sampling plan assigns to them); else a 业务主管 who scores")


class Suggestion(BaseModel):
    key: str = Field(description="the form item")
    deduction: int
    violated: bool
    because: list[str] = Field(description="the kinds of flag on the call that suggest it")


class ContactPublic(BaseModel):
    """What the inspector's workbench shows of a call."""

    call_id: int
    direction: str
    agent_id: int | None
    agent_name: str | None
    answered_at: datetime | None
    ended_at: datetime | None
    talk_seconds: int | None
    hold_seconds: int
    has_recording: bool
    analysis: CallAnalysisPublic | None
    orders: list[dict[str, int | str]] = Field(description="[{id, number}]")
    rating: dict[str, str | int | None] | None = Field(description="the call's instant rating")
    form: QaFormPublic = Field(description="the current form for the call's direction")
    evaluations: list[EvaluationPublic] = Field(description="this call's evaluations (not calibrations')")
    sample: SamplePublic | None = Field(description="your open sample of this call, if any")
    suggestions: list[Suggestion] = Field(description="what the automatic flags suggest for the form's items")


class QaChatLine(BaseModel):
    """A message of the conversation as the workbench shows it."""

    id: int
    at: datetime
    offset: float = Field(description="seconds from the conversation's first message (a comment's ``at``)")
    sender: Literal["customer", "bot", "agent", "system"]
    agent_id: int | None
    kind: str = Field(description="text | image | location | file | event")
    text: str


class QaChatFlag(BaseModel):
    kind: str = Field(description="forbidden | shirking (an agent message's phrase) | slow_response")
    message_id: int | None = Field(default=None, description="the agent message the phrase is in")
    at: datetime | None = None
    start: int | None = Field(default=None, description="the phrase's place in the message's text")
    end: int | None = None
    value: str | int | None = Field(description="the phrase, or the seconds waited")
    severity: str
    verdict: str | None = Field(default=None, description="a phrase's: hit, or hint (inside a polite sentence)")
    why: str = ""


class QaConversationContact(BaseModel):
    """What the inspector's workbench shows of a written conversation."""

    conversation_id: int
    channel: str
    state: str
    contact: str = Field(description="who wrote: a masked number, an address, a nickname")
    subject: str | None
    agent_id: int | None = Field(description="the agent it is scored for (who wrote most of the agent messages)")
    agent_name: str | None
    agent_ids: list[int] = Field(description="every agent who answered it")
    agent_names: list[str]
    created_at: datetime
    queued_at: datetime | None = Field(description="handed to the agents")
    closed_at: datetime | None
    close_reason: str | None
    first_response_seconds: float | None = Field(description="from the hand-off to the first agent message")
    longest_wait_seconds: float | None = Field(description="the longest a customer waited for an agent's reply")
    messages: list[QaChatLine]
    flags: list[QaChatFlag] = Field(description="phrase hits and hints of the agents' messages; slow replies")
    order: dict[str, int | str] | None = Field(description="{id, number}: the order registered from it")
    rating: str | None = Field(description="satisfied | basic | unsatisfied")
    form: QaFormPublic = Field(description="the current chat form")
    evaluations: list[EvaluationPublic] = Field(description="this conversation's evaluations")
    sample: SamplePublic | None = Field(description="your open sample of this conversation, if any")
    suggestions: list[Suggestion] = Field(description="what the flags suggest for the form's items")
