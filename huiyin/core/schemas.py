"""Field types shared by the API schemas of several domains."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query
from pydantic import AfterValidator, Field, StringConstraints

from huiyin.core.phones import check_phone

Phone = Annotated[str, StringConstraints(min_length=3, max_length=20), AfterValidator(check_phone)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

MAX_ID = 2_147_483_647
"""Ids are 32-bit on PostgreSQL; a larger number is a 422, never a database overflow."""
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
PathId = Annotated[int, Path(ge=1, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=1, le=MAX_ID)]
