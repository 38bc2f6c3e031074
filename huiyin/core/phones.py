"""Phone numbers: normalise to digits, validate, and mask for lists and logs."""

from __future__ import annotations

import re

_MOBILE = re.compile(r"^1[3-9]\d{9}$")
_LANDLINE = re.compile(r"^0\d{9,11}$")  # area code 2-3 digits after 0, number 7-8 digits
_SERVICE = re.compile(r"^(95\d{3,6}|96\d{3,6}|400\d{7}|800\d{7}|1\d{4})$")  # 95598, 400/800, 12345…


def normalize_phone(raw: str) -> str:
    """Digits only; drops spaces, dashes and a leading +86 / 0086."""
    digits = re.sub(r"[\s\-()（）]", "", raw.strip())
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("0086"):
        digits = digits[4:]
    return digits


def is_valid_phone(digits: str) -> bool:
    return bool(_MOBILE.match(digits) or _LANDLINE.match(digits) or _SERVICE.match(digits))


def check_phone(raw: str) -> str:
    """Normalised number, or ValueError with the reason (pydantic turns it into a 422)."""
    digits = normalize_phone(raw)
    if not digits.isdigit() or not is_valid_phone(digits):
        raise ValueError(f"{raw!r} is not a valid phone number (mobile 1xxxxxxxxxx or landline 0xx-xxxxxxxx)")
    return digits


def mask_phone(digits: str) -> str:
    """138****1234 for mobiles; keeps the area code and last four of a landline."""
    if len(digits) < 7:
        return digits
    if _MOBILE.match(digits):
        return f"{digits[:3]}****{digits[-4:]}"
    return f"{digits[:4]}****{digits[-4:]}"
