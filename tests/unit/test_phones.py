"""Phone numbers are normalised, validated and masked."""

from __future__ import annotations

import pytest

from huiyin.core.phones import check_phone, mask_phone


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("023-67891234", "02367891234"),
        ("0086 15912345678", "15912345678"),
        ("95598", "95598"),
        ("400 123 4567", "4001234567"),
    ],
)
def test_good_numbers_are_normalised_to_digits(raw: str, digits: str) -> None:
    assert check_phone(raw) == digits


@pytest.mark.parametrize("raw", ["1234", "12812345678", "138123456789", "abc", "1381234567x", "23456789012"])
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        check_phone(raw)


def test_lists_show_masked_numbers() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("02367891234") == "0236****1234"
