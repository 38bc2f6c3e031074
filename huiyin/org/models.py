"""Handling units (处理单位) and the service areas (网格/台区) they own."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.core.models import TimestampMixin
from huiyin.db import Base


class Unit(TimestampMixin, Base):
    """A node of the unit tree: company → branch → station / grid team.

    ``path`` is the materialised chain of ids ("/1/4/9/") so a subtree is one indexed prefix match.
    """

    __tablename__ = "units"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(16), default="station")  # company | branch | station
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    path: Mapped[str] = mapped_column(String(255), default="/", index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Area(TimestampMixin, Base):
    """A service area (grid / 台区) owned by exactly one unit; its type later sets time limits."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    area_type: Mapped[str] = mapped_column(String(16), default="urban")  # urban | rural | remote
    district: Mapped[str] = mapped_column(String(50), default="")
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


POST_NAMES = {
    "meter_reader": "抄表员",
    "inspector": "安检员",
    "repairer": "维修工",
    "handler": "处理员",
    "head": "负责人",
    "other": "其他",
}
"""A staff member's post as sheets and reports name it."""


class Staff(TimestampMixin, Base):
    """A person of a unit (员工): a meter reader, a safety inspector, a repair worker, the unit's head. Most
    have no login; a complaint's verdict names the ones responsible, and the accountability ledger counts
    against them. ``user_id`` links one who also signs in."""

    __tablename__ = "staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(50))
    post: Mapped[str] = mapped_column(String(16))  # meter_reader | inspector | repairer | handler | head | other
    phone: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
