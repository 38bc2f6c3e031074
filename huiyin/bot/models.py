"""The bot's own rows: its settings (busy-hours mode, thresholds: editable by a manager), the questions it
could not answer (the knowledge team writes them up), and the exchanges of ``POST /bot/ask`` sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.db import Base, UTCDateTime


class BotConfig(Base):
    """One row (id 1): what ``BotSettings`` holds, as a manager last saved it."""

    __tablename__ = "bot_config"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_by: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BotQuestion(Base):
    """A question the bot asked back about or handed off: for the knowledge team's list of what to write."""

    __tablename__ = "bot_questions"
    __table_args__ = (Index("ix_bot_questions_open", "resolved", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16))
    conversation_id: Mapped[int | None] = mapped_column(Integer)
    best_article_id: Mapped[int | None] = mapped_column(Integer)
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(16))  # suggested | missed | handoff
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)


class BotSession(Base):
    """A ``POST /bot/ask`` session (the API's own, outside a conversation): how many misses so far."""

    __tablename__ = "bot_sessions"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    misses: Mapped[int] = mapped_column(Integer, default=0)
    answers: Mapped[int] = mapped_column(Integer, default=0)
    handed_off: Mapped[bool] = mapped_column(Boolean, default=False)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime)
