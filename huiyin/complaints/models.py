"""A complaint order's complaint (one row per order), its verdicts (append-only: a review keeps the old
one), and the editable list of root causes."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Index, Integer, String, event
from sqlalchemy.orm import Mapped, mapped_column

from huiyin.core.models import order_reference
from huiyin.db import Base, UTCDateTime

GRADES = ("general", "major", "serious")  # 一般 / 较大 / 重大
STAGES = (
    "meter_reading",  # 抄表
    "billing",  # 收费
    "safety_check",  # 安全检查
    "business",  # 业务办理
    "hotline",  # 电话联系/热线服务
    "repair",  # 维修抢修
    "construction",  # 工程施工
    "other",  # 其他
)
ROOT_CAUSES = (
    ("attitude", "服务态度"),
    ("timeliness", "处理不及时"),
    ("process", "流程缺陷"),
    ("communication", "沟通解释不到位"),
    ("billing_error", "计费差错"),
    ("equipment", "设备质量"),
    ("construction", "施工管理"),
    ("system", "系统故障"),
    ("policy", "政策理解差异"),
    ("customer", "客户原因"),
    ("other", "其他"),
)


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (
        Index("ix_complaints_customer_created", "customer_id", "created_at"),
        Index("ix_complaints_phone_created", "contact_phone", "created_at"),
        Index("ix_complaints_created", "created_at"),
        Index("ix_complaints_action_due", "action_due"),
    )

    order_id: Mapped[int] = mapped_column(order_reference(), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)  # ``created_at`` in the centre's time zone: the figures' day
    source: Mapped[str] = mapped_column(String(16))
    grade: Mapped[str] = mapped_column(String(16))
    grade_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)  # why it is graded as it is
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    contact_phone: Mapped[str] = mapped_column(String(32))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))  # the order's area at registration
    repeat_of: Mapped[int | None] = mapped_column(order_reference())
    stage: Mapped[str | None] = mapped_column(String(16))
    # the verdict in force (``ComplaintVerdict`` keeps every one)
    validity: Mapped[str | None] = mapped_column(String(8))  # valid | invalid
    reason: Mapped[str | None] = mapped_column(String(500))
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    responsible_staff_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    joint_head_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    root_cause: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(500))
    action_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    action_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_result: Mapped[str | None] = mapped_column(String(500))
    verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_verdict_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # for the time to a verdict
    verdict_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    verdict_version: Mapped[int] = mapped_column(Integer, default=0)


class ComplaintVerdict(Base):
    """Every verdict given on a complaint, in order; a review adds one with its reason."""

    __tablename__ = "complaint_verdicts"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(), index=True)
    version: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    validity: Mapped[str] = mapped_column(String(8))
    reason: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[str] = mapped_column(String(16))
    responsible_unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    responsible_staff_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    joint_head_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    root_cause: Mapped[str] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(500))
    action_due: Mapped[datetime | None] = mapped_column(UTCDateTime)
    action_owner_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    review_reason: Mapped[str | None] = mapped_column(String(500))  # why a reviewer changed the verdict


@event.listens_for(ComplaintVerdict, "before_update")
@event.listens_for(ComplaintVerdict, "before_delete")
def _verdicts_are_append_only(*_: Any) -> None:
    raise RuntimeError("complaint verdicts are append-only: a review adds a new one")


class ComplaintDaily(Base):
    """Complaints counted per day of registration and dimension (``all``, ``stage``, ``unit``, ``root_cause``,
    ``staff``, ``area``; key ``''`` while not known), with how many are valid, invalid, repeats, judged (and
    the minutes from registration to their first verdict, summed): kept in the transaction
    that opens a complaint or gives its verdict (a changed verdict moves its counts), so that a year's
    analysis reads a few thousand rows, not the complaints (docs/architecture.md)."""

    __tablename__ = "complaint_daily"

    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)
    complaints: Mapped[int] = mapped_column(Integer, default=0)
    valid: Mapped[int] = mapped_column(Integer, default=0)
    invalid: Mapped[int] = mapped_column(Integer, default=0)
    repeats: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    judged: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    verdict_minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class RootCause(Base):
    """The editable list of root causes (根本原因) a verdict picks from."""

    __tablename__ = "root_causes"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


LEDGER_KINDS = (
    "complaint",  # a valid complaint, against each responsible staff member
    "joint",  # the same, against the responsible unit's head (连带责任)
    "praise",  # a praise order that names them (表扬)
    "survey",  # a delayed survey's top score for the order's handler (客户评优)
)


class LedgerEntry(Base):
    """The accountability ledger (奖惩台账): points for or against one staff member, append-only. A changed
    verdict or praise does not alter an entry: it writes one that reverses it (``reverses``), and the new
    ones. ``month`` is the month the matter counts in (the complaint's or praise order's registration, in
    the centre's time zone), so that a reversal nets out in the month it corrects."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        Index("ix_ledger_person_month", "person_id", "month"),
        Index("ix_ledger_month", "month"),
        Index("ix_ledger_order", "order_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    person_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    unit_id: Mapped[int] = mapped_column(ForeignKey("units.id"))  # the person's unit when written
    kind: Mapped[str] = mapped_column(String(16))
    points: Mapped[int] = mapped_column(Integer)  # negative: a penalty
    order_id: Mapped[int | None] = mapped_column(order_reference())
    reverses: Mapped[int | None] = mapped_column(ForeignKey("ledger_entries.id"))
    by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(String(200), default="")


@event.listens_for(LedgerEntry, "before_update")
@event.listens_for(LedgerEntry, "before_delete")
def _ledger_is_append_only(*_: Any) -> None:
    raise RuntimeError("the ledger is append-only: a correction writes a reversing entry")


TITLE_RULE_KINDS = (
    "no_valid_complaint_ytd",  # no valid complaint from 1 January to the month's end (零投诉服务明星)
    "top_points_month",  # the ``top_n`` with most points in the month, above zero (月度服务能手)
    "min_points_month",  # at least ``min_points`` in the month and no penalty in it (优质服务员工)
)


class TitleRule(Base):
    """A monthly title and the rule that gives it (editable: name, kind, threshold, posts, on/off)."""

    __tablename__ = "title_rules"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(50))
    kind: Mapped[str] = mapped_column(String(32))
    top_n: Mapped[int] = mapped_column(Integer, default=0)
    min_points: Mapped[int] = mapped_column(Integer, default=0)
    posts: Mapped[list[str]] = mapped_column(JSON, default=list)  # the posts it is for; empty: every post
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
