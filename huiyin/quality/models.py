"""The automatic analysis of a call's recording and transcript (one row per call): queued when a recording
is stored, analysed by the worker, kept with its measurements and flags (``audio``, ``phrases``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.db import Base, UTCDateTime

STATES = ("pending", "done", "unreadable")


class CallAnalysis(Base):
    __tablename__ = "call_analyses"
    __table_args__ = (Index("ix_call_analyses_queue", "state", "queued_at"),)

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
