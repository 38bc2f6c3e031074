"""API shapes of units and areas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import RefId

Code = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_.\-]+$")
Name = Field(min_length=1, max_length=100)
UnitKind = Literal["company", "branch", "station"]
AreaType = Literal["urban", "rural", "remote"]


class UnitCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    name: str = Name
    kind: UnitKind = "station"
    parent_id: RefId | None = None
    phone: str | None = Field(default=None, max_length=20)


class UnitUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    kind: UnitKind | None = None
    parent_id: RefId | None = None
    phone: str | None = Field(default=None, max_length=20)
    is_active: bool | None = None


class UnitPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None
    path: str
    phone: str | None
    is_active: bool


class UnitsPublic(BaseModel):
    items: list[UnitPublic]
    total: int


class AreaCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Code
    name: str = Name
    area_type: AreaType = "urban"
    unit_id: RefId
    district: str = Field(default="", max_length=50)


class AreaUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    area_type: AreaType | None = None
    unit_id: RefId | None = None
    district: str | None = Field(default=None, max_length=50)
    is_active: bool | None = None


class AreaPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    code: str
    name: str
    area_type: str
    district: str
    unit_id: RefId
    is_active: bool


class AreasPublic(BaseModel):
    items: list[AreaPublic]
    total: int


Post = Literal["meter_reader", "inspector", "repairer", "handler", "head", "other"]


class StaffCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: RefId
    name: str = Field(min_length=1, max_length=50)
    post: Post = Field(description="抄表员, 安检员, 维修工, 处理员, 负责人 (the unit's head), 其他")
    phone: str | None = Field(default=None, max_length=20)
    user_id: RefId | None = Field(default=None, description="the user, when the person also signs in")


class StaffUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    unit_id: RefId | None = None
    name: str | None = Field(default=None, min_length=1, max_length=50)
    post: Post | None = None
    phone: str | None = Field(default=None, max_length=20)
    is_active: bool | None = None


class StaffPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    unit_id: int
    name: str
    post: str
    phone: str | None
    user_id: int | None
    is_active: bool


class StaffListPublic(BaseModel):
    items: list[StaffPublic]
    total: int
