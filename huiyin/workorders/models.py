"""Work orders, their append-only events, categories, dispatch rules and callback tasks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, event, text
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.clock import now
from huiyin.core.models import TimestampMixin, order_reference
from huiyin.db import Base, UTCDateTime


class Category(Base):
    """A node of the category tree under one order type (e.g. 报修 › 燃气报修 › 无气/气压低)."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str] = mapped_column(String(100), default="")
    type: Mapped[str] = mapped_column(String(32), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    default_grade: Mapped[str] = mapped_column(String(16), default="normal")
    safety_script: Mapped[str | None] = mapped_column(Text)
    sort: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class DispatchRule(TimestampMixin, Base):
    """Category + area → unit. A null category or area matches any; a null unit means the area's owner.

    The most specific matching rule wins (both set, then category only, then area only), then priority.
    """

    __tablename__ = "dispatch_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    priority: Mapped[int] = mapped_column(Integer, default=100)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    note: Mapped[str] = mapped_column(String(200), default="")


class WorkOrder(TimestampMixin, Base):
    """An electronic work order (工单) on its way round the closed loop."""

    __tablename__ = "work_orders"
    __table_args__ = (
        Index("ix_work_orders_unit_state_created", "unit_id", "state", "created_at"),
        Index("ix_work_orders_state_created", "state", "created_at"),
        Index("ix_work_orders_owner_state", "owner_agent_id", "state"),
        Index("ix_work_orders_customer_created", "customer_id", "created_at"),
        # the IVR asks whether a caller has an open (emergency) order, by the number they call from
        Index(
            "ix_work_orders_open_contact_phone",
            "contact_phone",
            postgresql_where=text("state <> 'closed'"),
            sqlite_where=text("state <> 'closed'"),
        ),
        # the open emergencies (the wallboard counts them every few seconds): a few hundred rows of millions
        Index(
            "ix_work_orders_open_emergency",
            "created_at",
            postgresql_where=text("state <> 'closed' AND type = 'emergency'"),
            sqlite_where=text("state <> 'closed' AND type = 'emergency'"),
        ),
        # A unit's open orders newest first, read straight off the index (3% of the rows are open).
        Index(
            "ix_work_orders_open_unit_created",
            "unit_id",
            "created_at",
            "id",
            postgresql_where=text("state <> 'closed'"),
            sqlite_where=text("state <> 'closed'"),
        ),
        # a tenth of each page free: the worker's level/mark updates stay HOT (see the migration)
        {"postgresql_with": {"fillfactor": 90}},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    type: Mapped[str] = mapped_column(String(32), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"), index=True)
    grade: Mapped[str] = mapped_column(String(16), default="normal")
    state: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_name: Mapped[str] = mapped_column(String(100), default="")
    contact_phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(String(300), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    description: Mapped[str] = mapped_column(Text)
    owner_agent_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    last_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    result: Mapped[str | None] = mapped_column(Text)
    suspend_reason: Mapped[str | None] = mapped_column(String(500))
    callback_result: Mapped[str | None] = mapped_column(String(32))
    unreachable_count: Mapped[int] = mapped_column(Integer, default=0)
    reopen_count: Mapped[int] = mapped_column(Integer, default=0)
    closed_on_spot: Mapped[bool] = mapped_column(Boolean, default=False)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Time limits (huiyin/sla): the policy version picked at registration, the earliest unmet and unpaused
    # stage deadline (kept up to date by sla.service), the escalation level the ladder has reached (0 none …
    # 4 director), and the supervision mark: urge (催办, by the center) or supervise (督办, by management).
    sla_policy_version_id: Mapped[int | None] = mapped_column(ForeignKey("sla_policy_versions.id"))
    next_deadline_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    escalation_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    supervision_mark: Mapped[str | None] = mapped_column(String(16))
    urge_count: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # 并单: the master order this report was merged into (an outage's), while it is merged
    merged_into: Mapped[int | None] = mapped_column(order_reference(), index=True)


class WorkOrderEvent(Base):
    """One step in an order's life. Append-only: the timeline, the metrics and the audit trail."""

    __tablename__ = "work_order_events"
    __table_args__ = (Index("ix_work_order_events_order_at", "order_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference())
    action: Mapped[str] = mapped_column(String(32))
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now, index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


@event.listens_for(WorkOrderEvent, "before_update")
@event.listens_for(WorkOrderEvent, "before_delete")
def _events_are_append_only(*_: Any) -> None:
    raise RuntimeError("work order events are append-only")


class CallbackTask(TimestampMixin, Base):
    """A callback (回访) owed to the customer once the unit has resolved the order."""

    __tablename__ = "callback_tasks"
    __table_args__ = (Index("ix_callback_tasks_agent_state", "agent_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done | cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    result: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OrderNumberSeq(Base):
    """Per-day counter behind readable numbers like GD20261122000123."""

    __tablename__ = "order_number_seq"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(Base):
    """A photo or file on a work order. The bytes live in storage under ``storage_key``; this row is
    written after them, so a row never points at nothing (see huiyin/workorders/attachments.py)."""

    __tablename__ = "attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("work_order_events.id"))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300), unique=True)
    uploaded_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now)
