"""Users, their roles, and the tokens that sign them in."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from huiyin.core.models import TimestampMixin
from huiyin.db import Base, UTCDateTime


class User(TimestampMixin, Base):
    """A person (or a system account) who signs in; may hold several roles."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)
    phone: Mapped[str | None] = mapped_column(String(20))
    email: Mapped[str | None] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    backup_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # AB角: who stands in while absent

    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin", order_by="UserRole.role"
    )

    @property
    def roles(self) -> list[str]:
        return sorted(r.role for r in self.role_rows)

    def has(self, *roles: str) -> bool:
        return any(r.role in roles for r in self.role_rows)


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class AuthToken(Base):
    """A credential: a browser session, a short-lived access token, or a long-lived API token.

    Only the SHA-256 of the secret is stored. Browser sessions also carry the CSRF token's hash.
    """

    __tablename__ = "auth_tokens"
    __table_args__ = (Index("ix_auth_tokens_user_kind", "user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))  # session | access | api
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInThrottle(Base):
    """Failed sign-ins counted per key (``account:<username>`` and ``address:<client>``), and how long the key
    is locked out: see ``auth.signin``. A row goes when its account signs in (or an admin unlocks it)."""

    __tablename__ = "sign_in_throttle"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    failures: Mapped[int] = mapped_column(default=0)
    last_failure_at: Mapped[datetime] = mapped_column(UTCDateTime)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class SignInAudit(Base):
    """Every sign-in attempt, for the admin to read: who (as typed, and the user when the name is known),
    from where, and how it ended (``success``, ``failure``, ``locked``, ``unlocked`` by an admin)."""

    __tablename__ = "sign_in_audit"
    __table_args__ = (Index("ix_sign_in_audit_username_at", "username", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    username: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    address: Mapped[str] = mapped_column(String(64), default="")
    outcome: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16), default="session")  # session (people) | access (systems)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # unlocked by


class Absence(Base):
    """A user away (leave, training …) from ``starts_at`` to ``ends_at``: while away, a unit handler's
    dispatches and notifications go to their backup (``User.backup_id``), who also sees the unit's orders.
    Ended early by setting ``ends_at`` (the row stays: who was away when is part of the record)."""

    __tablename__ = "absences"
    __table_args__ = (Index("ix_absences_user_ends", "user_id", "ends_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(16))  # leave | training | business | other
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
