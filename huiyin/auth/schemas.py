"""API shapes of sign-in, users and tokens."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.roles import Role
from huiyin.core.schemas import Instant, RefId

Username = Field(min_length=2, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")


class TokenRequest(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)


class TokenPublic(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_at: datetime | None = None


class UserPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    username: str
    full_name: str
    roles: list[Role]
    unit_id: int | None
    phone: str | None
    email: str | None = None
    is_active: bool
    backup_id: int | None = Field(default=None, description="AB角: who stands in while this one is away")
    locked_until: datetime | None = Field(
        default=None, description="locked out after failed sign-ins until then (the user list; admins may unlock)"
    )


class LoginPublic(BaseModel):
    user: UserPublic
    csrf_token: str


class UsersPublic(BaseModel):
    items: list[UserPublic]
    total: int


class UserCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Username
    password: str = Field(min_length=1, max_length=200, description="auth.passwords: at least 12 characters by default")
    roles: list[Role] = Field(min_length=1)
    full_name: str = Field(default="", max_length=100)
    unit_id: RefId | None = None
    phone: str | None = Field(default=None, max_length=20, description="for SMS and voice-call notifications")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")


class UserUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    full_name: str | None = Field(default=None, max_length=100)
    roles: list[Role] | None = Field(default=None, min_length=1)
    unit_id: RefId | None = None
    phone: str | None = Field(default=None, max_length=20, description="for SMS and voice-call notifications")
    email: str | None = Field(default=None, max_length=200, pattern=r"^[^@\s]+@[^@\s]+$")
    is_active: bool | None = None
    password: str | None = Field(default=None, min_length=1, max_length=200, description="as for a new user")
    backup_id: RefId | None = Field(default=None, description="AB角: another active unit handler; null: none")


class ApiTokenCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: RefId
    name: str = Field(min_length=1, max_length=100)


class ApiTokenPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: RefId
    name: str
    created_at: datetime
    revoked_at: datetime | None


class ApiTokenIssued(ApiTokenPublic):
    token: str


class SignInPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    username: str = Field(description="as typed")
    user_id: int | None = Field(description="the user, when the name is one")
    address: str = Field(description="the client's address")
    outcome: Literal["success", "failure", "locked", "unlocked"]
    kind: str = Field(description="session (a person), access (a system's token); empty for an unlock")
    actor_id: int | None = Field(description="the admin who unlocked the account")


class SignInsPublic(BaseModel):
    items: list[SignInPublic]
    total: int


class AbsenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    user_id: RefId
    starts_at: Instant
    ends_at: Instant
    reason: Literal["leave", "training", "business", "other"] = Field(description="休假 / 培训 / 公出 / 其他")
    note: str = Field(default="", max_length=200)


class AbsencePublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    username: str | None = None
    name: str | None = Field(default=None, description="the user's full name (else the username)")
    starts_at: datetime
    ends_at: datetime
    reason: str
    note: str
    backup_id: int | None = Field(default=None, description="who stands in (the user's backup now)")
    backup_username: str | None = None
    backup_name: str | None = None
    current: bool = Field(default=False, description="the absence holds now")


class AbsencesPublic(BaseModel):
    items: list[AbsencePublic]


class HandlerPublic(BaseModel):
    id: int
    username: str
    name: str
    unit_id: int | None
    backup_id: int | None
    away: bool = Field(description="marked absent now")


class HandlersPublic(BaseModel):
    items: list[HandlerPublic]
