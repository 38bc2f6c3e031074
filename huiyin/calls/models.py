"""The phone channel: CTI integrations, call records and their events, agent states, IVR rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.core.models import TimestampMixin, order_reference
from huiyin.db import Base, UTCDateTime


class CtiIntegration(TimestampMixin, Base):
    """A PBX or CTI platform allowed to post call events. Its token is the credential in the endpoint's
    path (``/api/v1/cti/{token}``); only its SHA-256 is stored, with the first characters as a hint."""

    __tablename__ = "cti_integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    token_hint: Mapped[str] = mapped_column(String(8))
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # [{"number": "13800000000", "note": "..."}]: an inbound newCall from one of these is rejected (busy)
    blocked_numbers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # [{"prefix": "023", "caller_id": "02363000000", "note": "..."}]: the outbound caller ID by destination
    caller_id_rules: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    default_caller_id: Mapped[str | None] = mapped_column(String(32))
    # click-to-call: the PBX's HTTP endpoint that places an outbound call, and a header value it expects
    dial_url: Mapped[str | None] = mapped_column(String(500))
    dial_secret: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Call(Base):
    """One call leg as the PBX reported it (通话记录): who, when, how long, how it ended."""

    __tablename__ = "calls"
    __table_args__ = (
        Index("ix_calls_offered_at", "offered_at"),
        Index("ix_calls_customer", "customer_id", "offered_at"),
        Index("ix_calls_agent", "agent_id", "offered_at"),
        Index("ix_calls_from", "from_number"),
        Index("ix_calls_to", "to_number"),
        Index("ix_calls_updated_at", "updated_at"),  # what the KPI rollups' refresh looks at
        Index(
            "ix_calls_live",
            "state",
            postgresql_where=text("state <> 'ended'"),
            sqlite_where=text("state <> 'ended'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[str] = mapped_column(String(250), unique=True)  # the PBX's callId
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("cti_integrations.id"))
    direction: Mapped[str] = mapped_column(String(3))  # in | out
    from_number: Mapped[str] = mapped_column(String(64), default="")
    to_number: Mapped[str] = mapped_column(String(64), default="")
    queue: Mapped[str] = mapped_column(String(100), default="")
    state: Mapped[str] = mapped_column(String(16), default="ringing")  # ringing | talking | ended
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    offered_to: Mapped[list[int]] = mapped_column(JSON, default=list)  # user ids the call rang for
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    offered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acw_ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int] = mapped_column(Integer, default=0)
    acw_seconds: Mapped[int | None] = mapped_column(Integer)
    cause: Mapped[str | None] = mapped_column(String(32))
    abandoned: Mapped[bool] = mapped_column(Boolean, default=False)
    short_abandon: Mapped[bool] = mapped_column(Boolean, default=False)
    blocked: Mapped[bool] = mapped_column(Boolean, default=False)
    ivr_path: Mapped[str] = mapped_column(String(300), default="")
    pbx_wait_seconds: Mapped[int | None] = mapped_column(Integer)  # waitSeconds as the PBX counted it
    recording_url: Mapped[str | None] = mapped_column(String(1000))
    recording_key: Mapped[str | None] = mapped_column(String(300))  # an uploaded recording in storage
    recording_type: Mapped[str | None] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, onupdate=now)


class CallEvent(Base):
    """Each CTI event as received; (call, event) is unique, so a repeated event is not applied twice."""

    __tablename__ = "call_events"
    __table_args__ = (UniqueConstraint("call_pk", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(16))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it happened (the PBX's ``at`` or received_at)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class CallOrder(Base):
    """A work order registered from, or linked to, a call."""

    __tablename__ = "call_orders"

    call_pk: Mapped[int] = mapped_column(ForeignKey("calls.id", ondelete="CASCADE"), primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(ondelete="CASCADE"), primary_key=True, index=True)
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)


class AgentState(Base):
    """An interval in one agent state (坐席状态); the open one (``ended_at`` NULL) is the current state.
    Kept whole so that occupancy and adherence can be computed later."""

    __tablename__ = "agent_states"
    __table_args__ = (
        Index("ix_agent_states_user", "user_id", "started_at"),
        Index("ix_agent_states_written_at", "written_at"),  # what the KPI rollups' refresh looks at
        # the intervals overlapping a period (ended after its start, or still open): the live part of a report
        Index("ix_agent_states_ended_at", "ended_at"),
        Index(
            "uq_agent_states_open",
            "user_id",
            unique=True,
            postgresql_where=text("ended_at IS NULL"),
            sqlite_where=text("ended_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"))
    source: Mapped[str] = mapped_column(String(16), default="workbench")  # workbench | cti
    resume_state: Mapped[str | None] = mapped_column(String(16))  # where on_call / acw go back to
    written_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now)  # last written (KPI rollups)


class IvrRule(TimestampMixin, Base):
    """What the IVR should do with a caller (IVR 路由提示), editable by supervisors.

    ``kind``: ``tag`` (the caller's customer has one of ``tags``), ``emergency`` (an open emergency order
    for the caller), ``area`` (the caller's customer lies in one of ``area_ids``: an outage
    announcement). The first enabled match by ``priority`` gives the queue; every matching announcement
    rule adds its text while it is active."""

    __tablename__ = "ivr_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    kind: Mapped[str] = mapped_column(String(16))
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    area_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    queue: Mapped[str | None] = mapped_column(String(100))
    connect_agent: Mapped[bool] = mapped_column(Boolean, default=False)
    announcement: Mapped[str | None] = mapped_column(Text)
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    seed_key: Mapped[str | None] = mapped_column(String(32), unique=True)
    updated_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
