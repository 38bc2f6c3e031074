"""The automatic analysis of a call's recording and transcript (one row per call): queued when a recording
is stored, analysed by the worker, kept with its measurements and flags (``audio``, ``phrases``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, UniqueConstraint
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


class QaSample(Base):
    """A contact drawn for inspection and the inspector it is assigned to; a contact is drawn once a month."""

    __tablename__ = "qa_samples"
    __table_args__ = (
        UniqueConstraint("call_pk", name="uq_qa_samples_call"),
        Index("ix_qa_samples_month_inspector", "month", "inspector_id", "state"),
        Index("ix_qa_samples_month_agent", "month", "agent_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[str] = mapped_column(String(7))  # the call's month, YYYY-MM in the centre's zone
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(
        String(16)
    )  # random | new_agent | complaint | unsatisfied | flagged | long | short
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
        UniqueConstraint("calibration_id", "inspector_id", name="uq_qa_evaluations_calibration_inspector"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    form_id: Mapped[int] = mapped_column(ForeignKey("qa_forms.id"))
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id"))
    agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    inspector_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    sample_id: Mapped[int | None] = mapped_column(ForeignKey("qa_samples.id"))
    calibration_id: Mapped[int | None] = mapped_column(ForeignKey("qa_calibrations.id"))
    month: Mapped[str] = mapped_column(String(7))  # when it was scored, YYYY-MM in the centre's zone
    state: Mapped[str] = mapped_column(String(16))  # scored | appealed | decided
    items: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{"key", "points", "violated", "note"}]
    comments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # [{"at": seconds, "text"}]
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
