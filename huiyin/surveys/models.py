"""Ratings (满意度评价) and the daily satisfaction counts kept with them.

A rating is one customer's verdict on one contact (a call, an order with no call, or a written conversation)
through one channel: ``UNIQUE (contact, channel)`` makes a repeated post the same rating. It carries who and
what it judges as they were when it came (the call's or the conversation's agent, the order's unit, category
and type), so the figures never join back to calls, orders or conversations.

``satisfaction_daily`` holds, per local day, kind (instant / delayed) and dimension (``all``, ``agent``,
``unit``, ``category``, ``channel``), the count of each result: incremented in the rating's own
transaction (``service.do_rate``), rebuilt from the ratings by ``service.rebuild_daily``. A figure for a
month or a year reads a few hundred or thousand of these rows, not the ratings (docs/architecture.md →
"Figures from counts kept on write").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huiyin.core.models import order_reference
from huiyin.db import Base, UTCDateTime

RESULTS = ("satisfied", "basically_satisfied", "unsatisfied")
CHANNELS = ("ivr", "sms", "web", "wechat", "email")
"""How a rating came; a delayed survey's answers come through ``web`` (the link in its SMS); a written
conversation's rating comes through the conversation's own channel (``email`` only that way)."""
CONTACT_KINDS = ("call", "order", "conversation")
"""What a rating judges (``Rating.contact`` is ``<kind>:<id>``): a conversation is the written channels' (their
domain rates it through ``service.do_record_contact_rating``; surveys knows nothing else of it)."""
KINDS = ("instant", "delayed")
DIMENSIONS = ("all", "agent", "unit", "category", "channel")


class Rating(Base):
    __tablename__ = "ratings"
    __table_args__ = (
        UniqueConstraint("contact", "channel", name="uq_ratings_contact_channel"),
        Index("ix_ratings_day", "day"),
        Index("ix_ratings_order_id", "order_id"),
        Index("ix_ratings_call_pk", "call_pk"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact: Mapped[str] = mapped_column(String(40))  # call:<pk> | order:<id> | conversation:<id>: what is rated
    kind: Mapped[str] = mapped_column(String(16), default="instant")  # instant | delayed
    channel: Mapped[str] = mapped_column(String(16))  # ivr | sms | web | wechat | email
    result: Mapped[str] = mapped_column(String(24))  # satisfied | basically_satisfied | unsatisfied
    score: Mapped[int | None] = mapped_column(Integer)  # 1–5, optional
    comment: Mapped[str | None] = mapped_column(String(500))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    day: Mapped[date] = mapped_column(Date)  # ``at`` as a date in the centre's time zone
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    order_id: Mapped[int | None] = mapped_column(order_reference())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    order_type: Mapped[str | None] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    integration_id: Mapped[int | None] = mapped_column(ForeignKey("cti_integrations.id"))  # posted by
    recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # posted by (a person)


class SatisfactionDaily(Base):
    __tablename__ = "satisfaction_daily"

    # the key's order serves every figure: one kind, one dimension, a range of days
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    dim: Mapped[str] = mapped_column(String(16), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(32), primary_key=True)  # '' for ``all``
    satisfied: Mapped[int] = mapped_column(Integer, default=0)
    basically_satisfied: Mapped[int] = mapped_column(Integer, default=0)
    unsatisfied: Mapped[int] = mapped_column(Integer, default=0)


class RatingInvitation(Base):
    """An SMS asking a customer to rate a contact (回复1满意 2基本满意 3不满意): a reply from that number within
    the window rates the latest unrated invitation sent to it (``service.do_receive_reply``)."""

    __tablename__ = "rating_invitations"
    __table_args__ = (Index("ix_rating_invitations_phone_sent_at", "phone", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact: Mapped[str] = mapped_column(String(40))  # as ``Rating.contact``
    order_id: Mapped[int | None] = mapped_column(order_reference(), index=True)
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    phone: Mapped[str] = mapped_column(String(32))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)  # queued in the outbox
    rated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))


class SmsReply(Base):
    """Every SMS a customer sent back, kept whatever became of it (``outcome``: rated, unmatched — no
    invitation to that number within the window —, unreadable — not a 1, 2 or 3 —, or already_rated),
    once per gateway message id (a retried webhook is the same reply)."""

    __tablename__ = "sms_replies"
    __table_args__ = (Index("ix_sms_replies_phone_received_at", "phone", "received_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    gateway_id: Mapped[str] = mapped_column(String(100), unique=True)
    phone: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(String(500))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(String(16))
    invitation_id: Mapped[int | None] = mapped_column(ForeignKey("rating_invitations.id"))
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))


class CareTask(Base):
    """关怀: an unsatisfied rating's follow-up for the callback team, due ``care_hours`` after it came,
    closed with what was done (``outcome``) and a note."""

    __tablename__ = "care_tasks"
    __table_args__ = (Index("ix_care_tasks_state_due_at", "state", "due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    rating_id: Mapped[int] = mapped_column(ForeignKey("ratings.id"), unique=True)
    order_id: Mapped[int | None] = mapped_column(order_reference(), index=True)
    call_pk: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # the agent of the rated contact
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(16), default="open")  # open | done
    outcome: Mapped[str | None] = mapped_column(String(16))  # reassured | unreachable | escalated
    note: Mapped[str | None] = mapped_column(String(500))
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class Questionnaire(Base):
    """A version of a delayed survey's questions (延时调查问卷). A change makes a new version and the old one
    stays as it was: each survey keeps the version it was sent with, and results are counted per version,
    so a changed survey never mixes with the old one's answers."""

    __tablename__ = "questionnaires"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_questionnaires_code_version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32))
    version: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(100))
    questions: Mapped[list[dict[str, Any]]] = mapped_column(JSON)  # [{key, kind, text, required, about}]
    is_current: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class SurveyRule(Base):
    """Which closed orders get a delayed survey and when: per order type, or per category (which wins), the
    share sampled (1.0 every one, 0 none) and the days after the close it is sent."""

    __tablename__ = "survey_rules"
    __table_args__ = (UniqueConstraint("order_type", "category_id", name="uq_survey_rules_type_category"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_type: Mapped[str] = mapped_column(String(32))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    share: Mapped[float] = mapped_column(Float)
    delay_days: Mapped[int] = mapped_column(Integer, default=3)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)


class Survey(Base):
    """One closed order's delayed survey: scheduled at the close (when sampled), sent by SMS with a link to
    the mobile page on ``due_at``, reminded once, answered once (or expired). ``handler_id`` is the unit
    handler who worked the order, and ``SurveyStaff`` names the field staff who went on site: the answers
    rate them all (客户评优评级)."""

    __tablename__ = "surveys"
    __table_args__ = (
        Index("ix_surveys_state_due_at", "state", "due_at"),
        Index("ix_surveys_customer_due_at", "customer_id", "due_at"),
        Index("ix_surveys_phone_due_at", "phone", "due_at"),
        Index("ix_surveys_handler_answered", "handler_id", "answered_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(order_reference(), unique=True)
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("questionnaires.id"))
    phone: Mapped[str] = mapped_column(String(32))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    order_type: Mapped[str] = mapped_column(String(32))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    state: Mapped[str] = mapped_column(String(16))  # scheduled | sent | answered | expired
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when it is (to be) sent
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answers: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    rating_id: Mapped[int | None] = mapped_column(ForeignKey("ratings.id"))
    staff: Mapped[list[SurveyStaff]] = relationship(cascade="all, delete-orphan", lazy="raise")


class SurveyStaff(Base):
    """A field staff member who went on site for a surveyed order (as its resolve named them): the survey's
    answers rate them (客户评优评级 of the field staff, who have no login)."""

    __tablename__ = "survey_staff"
    __table_args__ = (Index("ix_survey_staff_staff", "staff_id", "survey_id"),)

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"), primary_key=True)
