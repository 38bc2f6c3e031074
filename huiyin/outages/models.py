"""Outages (停气/停电/停水) and what hangs on them: the areas they cover, their timeline, the repair reports
merged into their master order, the dispatcher's suggestions (a near match, a suspected outage), the
proactive-notice call list, and the background rounds that notify customers and resolve merged reports.

``outages`` and ``outage_areas`` are reference data (``outages.refs`` keeps the live ones per process): they
change a few times a day, and every registration and IVR route asks them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.core.models import order_reference
from huiyin.db import Base, UTCDateTime


class Outage(Base):
    """One outage: planned or not, for one utility, over one or more areas, with its master work order."""

    __tablename__ = "outages"
    __table_args__ = (Index("ix_outages_state_starts", "state", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # planned | unplanned
    utility: Mapped[str] = mapped_column(String(16))  # gas | electricity | water
    state: Mapped[str] = mapped_column(String(16))  # announced → active → restored → closed; cancelled
    cause: Mapped[str] = mapped_column(Text)
    scope: Mapped[str] = mapped_column(String(500), default="")  # streets, buildings, meters: free text
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    eta: Mapped[datetime | None] = mapped_column(UTCDateTime)  # expected restoration
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # actual restoration
    result: Mapped[str | None] = mapped_column(Text)  # what was done: the merged reports' result
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    master_order_id: Mapped[int | None] = mapped_column(order_reference(), unique=True)
    lead_hours: Mapped[float | None] = mapped_column()  # a planned outage: how long ahead it was announced
    lead_missed: Mapped[bool] = mapped_column(Boolean, default=False)  # announced later than the lead time
    eta_changes: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutageArea(Base):
    __tablename__ = "outage_areas"

    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), primary_key=True, index=True)


class OutageEvent(Base):
    """The outage's timeline: every change of state, ETA, cause or areas, who made it and when."""

    __tablename__ = "outage_events"
    __table_args__ = (Index("ix_outage_events_outage", "outage_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class OutageReport(Base):
    """A repair report merged into the outage's master order (one row while it is merged or was resolved
    with the outage; removed when it is unmerged)."""

    __tablename__ = "outage_reports"
    __table_args__ = (Index("ix_outage_reports_outage", "outage_id", "order_id"),)

    order_id: Mapped[int] = mapped_column(order_reference(ondelete="CASCADE"), primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_phone: Mapped[str] = mapped_column(String(20))
    auto: Mapped[bool] = mapped_column(Boolean, default=True)  # by the router at registration, or by hand
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutageSignal(Base):
    """A "no gas / no power" report registered where no outage was known: what fault detection counts."""

    __tablename__ = "outage_signals"
    __table_args__ = (Index("ix_outage_signals_area_at", "area_id", "utility", "at"),)

    order_id: Mapped[int] = mapped_column(order_reference(ondelete="CASCADE"), primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("areas.id"))
    utility: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class OutageSuggestion(Base):
    """A suggestion to the dispatcher: ``fault`` (疑似停气: N reports from one area in M minutes, no known
    outage; accepting creates the outage and merges them) or ``near`` (a report that nearly matches a live
    outage; accepting merges it). open → accepted | dismissed."""

    __tablename__ = "outage_suggestions"
    __table_args__ = (Index("ix_outage_suggestions_state", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # fault | near
    state: Mapped[str] = mapped_column(String(16), default="open")
    utility: Mapped[str] = mapped_column(String(16))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    outage_id: Mapped[int | None] = mapped_column(ForeignKey("outages.id"))  # near: the outage it nearly matches
    order_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    text: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeCall(Base):
    """主动服务: a call an agent makes to a key, sensitive, repeat-complainant, elderly or VIP customer of the
    outage's areas before they call us. pending → reached | no_answer | wrong_number (no_answer may be tried
    again)."""

    __tablename__ = "outage_notice_calls"
    __table_args__ = (
        Index("ix_outage_notice_calls_outage", "outage_id", "round", "customer_id", unique=True),
        Index("ix_outage_notice_calls_agent_state", "agent_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"))
    round: Mapped[int] = mapped_column(Integer)  # 0: announced; n: the n-th ETA change
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id"))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutageRound(Base):
    """Work the worker does for an outage in batches, so that no request writes a hundred thousand rows: a
    ``notice`` round (every customer of the areas: an SMS each, and the call list) when it is announced and at
    each ETA change; a ``restore`` round (every merged report resolved, one SMS per reporting customer)."""

    __tablename__ = "outage_rounds"
    __table_args__ = (Index("ix_outage_rounds_pending", "state", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outage_id: Mapped[int] = mapped_column(ForeignKey("outages.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(16))  # notice | restore
    round: Mapped[int] = mapped_column(Integer, default=0)
    state: Mapped[str] = mapped_column(String(16), default="pending")  # pending | done
    cursor: Mapped[int] = mapped_column(Integer, default=0)  # the last customer / order id done
    done_count: Mapped[int] = mapped_column(Integer, default=0)
    sms_count: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text, default="")  # the SMS every customer of the round gets
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Announcement(Base):
    """一对多公告: one notice to a group of customers (an area, a tag, an outage's customers) by SMS, with its
    audience counted before sending and its deliveries counted after (the outbox's rows, ``ann:{id}:…``)."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    audience: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"area_ids": [...]} | {"tag": ...} | {"outage_id": n}
    text: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(String(16), default="sms")
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | sent
    audience_count: Mapped[int] = mapped_column(Integer, default=0)
    queued_count: Mapped[int] = mapped_column(Integer, default=0)
    cursor: Mapped[int] = mapped_column(Integer, default=0)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
