"""Field types shared by the API schemas of several domains."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, StringConstraints

from huiyin.core.phones import check_phone

Phone = Annotated[str, StringConstraints(min_length=3, max_length=20), AfterValidator(check_phone)]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]
