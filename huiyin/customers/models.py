"""Customers, their phone numbers and tags.

Phone search: each number is kept twice, as typed (``phone``) and reversed (``phone_rev``), each with a
btree index that also holds the customer's id, so a prefix and a tail (手机尾号) are both a range on an
index, read from the index alone, on SQLite and PostgreSQL alike (see ``customers.service``). The reversed
index holds mobiles only (11 digits, a leading 1: ``MOBILE``), as only a mobile has a 尾号; a query names
that condition in the same words, as constants, so that both planners may use the partial index.

Address and name search: SQLite has an FTS5 ``trigram`` table ``customers_fts`` kept in step by triggers,
PostgreSQL has pg_trgm GIN indexes; both are made by the migration, not by these models.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, text
from sqlalchemy.engine.default import DefaultExecutionContext
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from huiyin.core.models import TimestampMixin
from huiyin.db import Base, UTCDateTime

MOBILE = "length(phone) = 11 AND substr(phone, 1, 1) = '1'"
"""A mobile number (the reversed index's condition; ``customers.service`` asks it in these words)."""

TAGS = ("key_customer", "sensitive", "repeat_complainant", "elderly", "vip")


class Customer(TimestampMixin, Base):
    """A utility account holder."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_no: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    address: Mapped[str] = mapped_column(String(300), default="")
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    meter_no: Mapped[str | None] = mapped_column(String(32), index=True)

    phone_rows: Mapped[list[CustomerPhone]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerPhone.id"
    )
    tag_rows: Mapped[list[CustomerTag]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="CustomerTag.tag"
    )

    @property
    def phones(self) -> list[str]:
        return [p.phone for p in self.phone_rows]

    @property
    def tags(self) -> list[str]:
        return [t.tag for t in self.tag_rows]


def _reversed_phone(context: DefaultExecutionContext) -> str:
    """The default of ``phone_rev`` for a Core or bulk insert that names only ``phone``."""
    row = context.current_parameters  # this row's parameters (one of an executemany's, too)
    assert row is not None
    return str(row["phone"])[::-1]


class CustomerPhone(Base):
    """One of a customer's numbers, stored as digits only, and reversed for the tail search (尾号). Every
    writer fills ``phone_rev``: the ORM here (constructor, assignment, Core inserts through the column's
    default); ``bench/generate.py``'s COPY names it itself."""

    __tablename__ = "customer_phones"
    __table_args__ = (
        Index("ix_customer_phones_phone", "phone", "customer_id"),
        Index(
            "ix_customer_phones_phone_rev",
            "phone_rev",
            "customer_id",
            sqlite_where=text(MOBILE),
            postgresql_where=text(MOBILE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20))
    phone_rev: Mapped[str] = mapped_column(String(20), default=_reversed_phone)

    @validates("phone")
    def _keep_reversed(self, _: str, phone: str) -> str:
        self.phone_rev = phone[::-1]
        return phone


class CustomerTag(Base):
    """A service tag on a customer (key customer, sensitive, repeat complainant, elderly, VIP)."""

    __tablename__ = "customer_tags"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class PhoneReveal(Base):
    """A full number shown to a user (号码查看记录): who saw which customer's number, through what record, and
    when. Every number the API returns is masked; the reveal actions are the only way to read one whole,
    and each writes a row here (``customers.service.do_reveal``), which admins and supervisors can read."""

    __tablename__ = "phone_reveals"
    __table_args__ = (
        Index("ix_phone_reveals_customer_id_at", "customer_id", "at"),
        Index("ix_phone_reveals_user_id_at", "user_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    subject: Mapped[str] = mapped_column(String(16))  # customer | order | call: the record it was read through
    subject_id: Mapped[int]
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id", ondelete="SET NULL"))
    numbers: Mapped[str] = mapped_column(String(200))  # as masked, comma-separated: the audit shows no number whole
