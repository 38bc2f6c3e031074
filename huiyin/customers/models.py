"""Customers, their phone numbers and tags.

Address and name search: SQLite has an FTS5 ``trigram`` table ``customers_fts`` kept in step by
triggers, PostgreSQL has pg_trgm GIN indexes; both are made by the migration, not by these models.
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huiyin.core.models import TimestampMixin
from huiyin.db import Base

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


class CustomerPhone(Base):
    """One of a customer's numbers, stored as digits only."""

    __tablename__ = "customer_phones"

    id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(20), index=True)


class CustomerTag(Base):
    """A service tag on a customer (key customer, sensitive, repeat complainant, elderly, VIP)."""

    __tablename__ = "customer_tags"

    customer_id: Mapped[int] = mapped_column(ForeignKey("customers.id", ondelete="CASCADE"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)
