from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import RefId


class NotificationPublic(BaseModel):
    id: int
    kind: Literal["dispatch", "warning", "escalation", "urge", "supervise", "kpi_alert"] = Field(
        description="kpi_alert: an early warning (特征值预警) to the duty managers"
    )
    order_id: int | None
    level: int = Field(description="escalation level (1–4) for kind escalation, else 0")
    title: str
    body: str
    data: dict[str, Any] = Field(description="order_number, stage, level, mark, due_at … for the client's own wording")
    requires_ack: bool = Field(description="pops up and stays until acknowledged")
    created_at: datetime
    read_at: datetime | None
    acked_at: datetime | None


class NotificationsPublic(BaseModel):
    items: list[NotificationPublic]
    unread: int = Field(description="the user's unread notifications, all of them")
    unacked: int = Field(description="the user's notifications still waiting for an acknowledgement")


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ids: list[RefId] | None = Field(default=None, max_length=500, description="none: all of mine")


class ReadOut(BaseModel):
    changed: int


class ChannelsPublic(BaseModel):
    """Whether each way out is on here (in-app messages always are)."""

    sms: bool
    voice: bool
    email: bool
