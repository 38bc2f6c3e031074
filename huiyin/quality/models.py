"""The automatic analysis of a call's recording and transcript (one row per call): queued when a recording
is stored, analysed by the worker, kept with its measurements and flags (``audio``, ``phrases``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.db import Base, UTCDateTime

STATES = ("pending", "done", "unreadable")


class CallAnalysis(Base):
    __tablename__ = "call_analyses"
    __table_args__ = (
        Index("ix_call_analyses_queue", "state", "queued_at"),
        Index("ix_call_analyses_call_at", "call_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    recording_key: Mapped[str | None] = mapped_column(String(300))  # the recording analysed (a new one: again)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    reason: Mapped[str | None] = mapped_column(String(500))  # why unreadable
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # channels, dead air, talk-over, flags
    transcript: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # {"segments": as posted, "flags": phrases'}
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    analysed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cpu_ms: Mapped[int | None] = mapped_column(Integer)  # the analysis's CPU time
    leased_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # a worker analyses it until then
    # calls with each kind of flag, for the sampling plan and the monthly rates (kept with result/transcript)
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # the kinds of flag present (phrases: hits only)
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)  # a high-severity flag or a phrase hit
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the call's agent, when queued
    call_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the call was answered (or offered)


class QaForm(Base):
    """A version of a QA form (质检评分表): sections of items, each with its maximum points and the deduction
    steps an inspector may take, or a red-line item (红线) that fails the whole contact. A version is never
    edited: saving a form makes the next version of its ``code``, and evaluations keep the version they used."""

    __tablename__ = "qa_forms"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_qa_forms_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    contact_kind: Mapped[str] = mapped_column(String(16))  # inbound_call | outbound_call | chat
    sections: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"title", "items": [{key, title, ...}]}]
    current: Mapped[bool] = mapped_column(Boolean, default=True)  # the version new evaluations use
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QaSamplingPlan(Base):
    """The sampling plan (抽检计划), one row: how many contacts per agent and month, and the forced samples."""

    __tablename__ = "qa_sampling_plan"

    id: Mapped[int] = mapped_column(primary_key=True)
    plan: Mapped[dict[str, Any]] = mapped_column(JSON)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    drawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last draw (the worker's: hourly)
    # the conversations looked at so far (``chats.sweep``): {"next_id": the first not seen, "open": [ids seen open]}
    chats_seen: Mapped[dict[str, Any] | None] = mapped_column(JSON)


ONE_CONTACT = "(call_pk IS NULL) <> (conversation_id IS NULL)"
"""A sample or an evaluation is of a call or of a conversation, never both, never neither."""


class QaSample(Base):
    """A contact (a call or a conversation) drawn for inspection and the inspector it is assigned to; a contact
    is drawn once."""

    __tablename__ = "qa_samples"
    __table_args__ = (
        UniqueConstraint("call_pk", name="uq_qa_samples_call"),
        UniqueConstraint("conversation_id", name="uq_qa_samples_conversation"),
        CheckConstraint(ONE_CONTACT, name="one_contact"),
        Index("ix_qa_samples_month_inspector", "month", "inspector_id", "state"),
        Index("ix_qa_samples_month_agent", "month", "agent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # the contact's month, YYYY-MM in the centre's zone
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(
        String(16)
    )  # random | new_agent | complaint | unsatisfied | flagged | long | short | red_line (a conversation's)
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | done
    drawn_at: Mapped[datetime] = mapped_column(UTCDateTime)
    evaluation_id: Mapped[int | None] = mapped_column(Integer)


class QaCalibration(Base):
    """A calibration (校准): several inspectors score the same contact blind; the spread per item is compared."""

    __tablename__ = "qa_calibrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"))
    inspector_ids: Mapped[list[int]] = mapped_column(JSON)
    note: Mapped[str] = mapped_column(String(500), default="")
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QaEvaluation(Base):
    """An inspector's scoring of one contact on one form version. ``score`` is the score in force (an upheld
    appeal changes it; ``original_score`` and the appeal keep what it was)."""

    __tablename__ = "qa_evaluations"
    __table_args__ = (
        Index("ix_qa_evaluations_agent_month", "agent_id", "month"),
        Index("ix_qa_evaluations_month", "month"),
        Index("ix_qa_evaluations_call", "call_pk"),
        Index("ix_qa_evaluations_conversation", "conversation_id"),
        UniqueConstraint("calibration_id", "inspector_id", name="uq_qa_evaluations_calibration_inspector"),
        CheckConstraint(ONE_CONTACT, name="one_contact"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"))
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    conversation_id: Mapped[int | None] = mapped_column(ForeignKey("conversations.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("qa_samples.id"))
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("qa_calibrations.id"))
    month: Mapped[str] = mapped_column(String(7))  # when it was scored, YYYY-MM in the centre's zone
    state: Mapped[str] = mapped_column(String(16))  # scored | appealed | decided
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"key", "points", "violated", "note"}]
    # [{"at": seconds, "text"}]: from the start of the recording, or of a conversation's first message
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(String(1000), default="")
    score: Mapped[float] = mapped_column(Float)
    original_score: Mapped[float] = mapped_column(Float)
    red_line: Mapped[bool] = mapped_column(Boolean, default=False)  # a red-line item failed the contact
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    appeal_until: Mapped[datetime] = mapped_column(UTCDateTime)


class QaAppeal(Base):
    """An agent's appeal (申诉) of items of an evaluation, and the lead's decision with the scores before and after."""

    __tablename__ = "qa_appeals"
    __table_args__ = (Index("ix_qa_appeals_state", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    evaluation_id: Mapped[int] = mapped_column(ForeignKey("qa_evaluations.id"), index=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"key", "reason"}]
    state: Mapped[str] = mapped_column(String(8), default="open")  # open | decided
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(String(1000), default="")
    score_before: Mapped[float] = mapped_column(Float)
    score_after: Mapped[float | None] = mapped_column(Float)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"key", "before", "after"}]


class QaChatCheck(Base):
    """A closed conversation an agent answered, as the sampling plan sees it: the agent it counts for, its month
    (the month it closed), its rating, and the phrase flags of the agent's messages (``chats.sweep`` makes it
    once the conversation is closed; the rating is read again while it may still come)."""

    __tablename__ = "qa_chat_checks"
    __table_args__ = (
        Index("ix_qa_chat_checks_month_agent", "month", "agent_id"),
        Index("ix_qa_chat_checks_rating_until", "rating_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))  # the agent it counts for
    agent_ids: Mapped[list[int]] = mapped_column(JSON)  # every agent who answered it (never their inspector)
    channel: Mapped[str] = mapped_column(String(16))
    month: Mapped[str] = mapped_column(String(7))  # the month it closed, YYYY-MM in the centre's zone
    closed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    rating: Mapped[str | None] = mapped_column(String(16))  # satisfied | basic | unsatisfied
    rating_until: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the rating may still come until then
    kinds: Mapped[list[str]] = mapped_column(JSON, default=list)  # the kinds of phrase hit (hints not counted)
    red_line: Mapped[bool] = mapped_column(Boolean, default=False)  # a phrase hit of severity red_line
    flags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # as the workbench shows them
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class QaRule(Base):
    """A threshold of the automatic analysis, edited by QA (the defaults are ``limits.Rules``')."""

    __tablename__ = "qa_rules"

    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class QaPhrase(Base):
    """A phrase the text analysis looks for (禁用语, 推诿语, standard phrases), seeded from ``phrases``' lists."""

    __tablename__ = "qa_phrases"
    __table_args__ = (UniqueConstraint("kind", "text", name="uq_qa_phrases_kind_text"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(24))
    text: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(16))  # red_line | major | minor | info
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
