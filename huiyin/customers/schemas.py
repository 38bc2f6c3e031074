"""API shapes of customers."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from huiyin.core.schemas import Phone, PhoneOrMasked, RefId

Tag = Literal["key_customer", "sensitive", "repeat_complainant", "elderly", "vip"]


class CustomerCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    account_no: str = Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9\-]+$")
    name: str = Field(min_length=1, max_length=100)
    phones: list[Phone] = Field(min_length=1, max_length=10)
    address: str = Field(default="", max_length=300)
    area_id: RefId | None = None
    meter_no: str | None = Field(default=None, max_length=32)
    tags: list[Tag] = Field(default_factory=list, max_length=5)


class CustomerUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(default=None, min_length=1, max_length=100)
    phones: list[PhoneOrMasked] | None = Field(
        default=None,
        min_length=1,
        max_length=10,
        description="the numbers to keep: new ones in full, kept ones as shown (masked) or in full",
    )
    address: str | None = Field(default=None, max_length=300)
    area_id: RefId | None = None
    meter_no: str | None = Field(default=None, max_length=32)
    tags: list[Tag] | None = Field(default=None, max_length=5)


class CustomerPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    account_no: str
    name: str
    phones: list[str] = Field(description="masked (138****1234); revealed one by one, audited")
    address: str
    area_id: int | None
    meter_no: str | None
    tags: list[str]


class CustomersPublic(BaseModel):
    items: list[CustomerPublic]
    total: int


class RevealedPhones(BaseModel):
    phones: list[str] = Field(description="whole, in the order the record lists them (this reveal is audited)")


class PhoneRevealPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    at: datetime
    user_id: int = Field(description="who saw the numbers")
    subject: Literal["customer", "order", "call"] = Field(description="the record they were read through")
    subject_id: int
    customer_id: int | None
    numbers: str = Field(description="the numbers shown, as masked here")


class PhoneRevealsPublic(BaseModel):
    items: list[PhoneRevealPublic]
    total: int
