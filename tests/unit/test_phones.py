"""Phone numbers are normalised, validated and masked."""

from __future__ import annotations

import pytest

from huiyin.calls.cti import normalize_number
from huiyin.core.phones import check_phone, mask_phone, normalize_phone

# raw → as dialled inside China. Every row but the last two (no number: libphonenumber refuses them) agrees with
# libphonenumber (``phonenumbers`` 9.0, parsed with region CN, formatted NATIONAL, digits kept), which the
# module's rules were written against.
NUMBERS = [
    # mobiles, however they are written
    ("13812345678", "13812345678"),
    ("138 1234 5678", "13812345678"),
    ("138-1234-5678", "13812345678"),
    ("+86 138-1234-5678", "13812345678"),
    ("+8613812345678", "13812345678"),
    ("0086 13812345678", "13812345678"),
    ("008613812345678", "13812345678"),
    ("8613812345678", "13812345678"),
    ("１３８１２３４５６７８", "13812345678"),  # full-width digits from an IME
    ("（138）1234　5678", "13812345678"),  # full-width brackets, an ideographic space
    # landlines with their area codes
    ("023-67891234", "02367891234"),
    ("(023) 6789 1234", "02367891234"),
    ("023.6789.1234", "02367891234"),
    ("+86 23 6789 1234", "02367891234"),
    ("+86 (0)23 67891234", "02367891234"),
    ("0086 23 67891234", "02367891234"),
    ("862367891234", "02367891234"),
    ("8602367891234", "02367891234"),
    ("0755-12345678", "075512345678"),
    ("+86 755 1234 5678", "075512345678"),
    ("86075512345678", "075512345678"),
    ("010-12345678", "01012345678"),
    ("+86 10 12345678", "01012345678"),  # Beijing: area code 10, not a mobile
    # service numbers
    ("95598", "95598"),
    ("+86 95598", "95598"),
    ("96106", "96106"),
    ("400 123 4567", "4001234567"),
    ("400-123-4567", "4001234567"),
    ("+86 400 123 4567", "4001234567"),
    ("800-123-4567", "8001234567"),
    ("12345", "12345"),
    ("10086", "10086"),
    ("+86 10086", "10086"),
    # other countries: as dialled from China
    ("+1 415 555 0123", "0014155550123"),
    ("+852 2123 4567", "0085221234567"),
    # parts and local numbers keep their digits: no country code is guessed off them
    ("86123456", "86123456"),
    ("67891234", "67891234"),
    ("8613", "8613"),
    ("1391", "1391"),
    ("139", "139"),
    ("+86 139", "139"),
    ("abc", "abc"),
    ("", ""),
]


@pytest.mark.parametrize(("raw", "digits"), NUMBERS)
def test_every_way_of_writing_a_number_comes_to_the_same_digits(raw: str, digits: str) -> None:
    assert normalize_phone(raw) == digits


@pytest.mark.parametrize(("raw", "digits"), NUMBERS)
def test_the_cti_names_the_same_normaliser(raw: str, digits: str) -> None:
    assert normalize_number(raw) == digits


@pytest.mark.parametrize(("raw", "number"), [(None, ""), ("anonymous", "anonymous"), (" Anonymous ", "anonymous")])
def test_the_cti_keeps_a_withheld_number_as_such(raw: str | None, number: str) -> None:
    assert normalize_number(raw) == number


@pytest.mark.parametrize(
    ("raw", "digits"),
    [
        ("13812345678", "13812345678"),
        ("+86 138-1234-5678", "13812345678"),
        ("023-67891234", "02367891234"),
        ("0086 15912345678", "15912345678"),
        ("8615912345678", "15912345678"),
        ("+86 23 6789 1234", "02367891234"),
        ("95598", "95598"),
        ("400 123 4567", "4001234567"),
    ],
)
def test_good_numbers_are_normalised_to_digits(raw: str, digits: str) -> None:
    assert check_phone(raw) == digits


@pytest.mark.parametrize(
    "raw", ["1234", "12812345678", "138123456789", "abc", "1381234567x", "23456789012", "+1 415 555 0123"]
)
def test_bad_numbers_are_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        check_phone(raw)


def test_lists_show_masked_numbers() -> None:
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("02367891234") == "0236****1234"
