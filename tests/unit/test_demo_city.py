"""Tests for the deterministic Chongqing demo-data generator (huiyin.demo.city)."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest

from huiyin.demo import city

N = 20_000
PHONE_RE = re.compile(r"^1[3-9]\d{9}$|^0\d{9,11}$")
HAN_RE = re.compile(r"[\u4e00-\u9fff]")
DOCUMENTED_CODES = {
    "EM-GAS-LEAK", "EM-GAS-FIRE", "EM-GAS-POISON", "EM-ELEC-SHOCK", "EM-ELEC-WIRE",
    "RP-GAS-NOGAS", "RP-GAS-METER", "RP-GAS-APPLIANCE", "RP-GAS-PIPE",
    "RP-ELEC-OUTAGE", "RP-ELEC-VOLT", "RP-ELEC-METER",
    "SR-GAS-OPEN", "SR-GAS-TRANSFER", "SR-GAS-INSPECT", "SR-GAS-MOVE", "SR-READING",
    "SR-ELEC-RECONNECT", "SR-ELEC-NEW", "SR-ELEC-TRANSFER",
    "IQ-BILL", "IQ-OUTAGE", "IQ-POLICY", "IQ-PAYMENT",
    "CP-ATTITUDE", "CP-TIMELINESS", "CP-BILLING", "CP-QUALITY", "CP-CONSTRUCTION",
    "SG-SERVICE", "PR-STAFF", "CB-FOLLOWUP", "CA-ELDERLY", "CA-SAFETY",
}  # fmt: skip

_SAMPLE: list[city.CustomerSpec] = []


def sample() -> list[city.CustomerSpec]:
    """20,000 customers from a fixed seed, generated once for the whole module."""
    if not _SAMPLE:
        _SAMPLE.extend(city.customers(random.Random(2024), N, city.areas()))
    return _SAMPLE


def luhn_valid(number: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(number)):
        digit = int(char) * (2 if position % 2 else 1)
        total += digit - 9 if digit > 9 else digit
    return total % 10 == 0


def test_same_seed_gives_same_customers() -> None:
    first = list(city.customers(random.Random(7), 500, city.areas()))
    second = list(city.customers(random.Random(7), 500, city.areas()))
    assert first == second


def test_different_seeds_give_different_customers() -> None:
    first = list(city.customers(random.Random(1), 50, city.areas()))
    second = list(city.customers(random.Random(2), 50, city.areas()))
    assert [c.name for c in first] != [c.name for c in second]


def test_customers_equals_repeated_customer_calls() -> None:
    areas = city.areas()
    rng = random.Random(11)
    one_by_one = [city.customer(rng, seq, areas) for seq in range(1, 101)]
    assert list(city.customers(random.Random(11), 100, areas)) == one_by_one


def test_customers_start_option_continues_the_numbering() -> None:
    areas = city.areas()
    batch = list(city.customers(random.Random(3), 5, areas, start=1_000))
    assert [c.account_no for c in batch] == [
        city.customer(random.Random(0), seq, areas).account_no for seq in range(1_000, 1_005)
    ]


def test_account_and_meter_numbers_are_unique_over_20000_customers() -> None:
    people = sample()
    accounts = [c.account_no for c in people]
    meters = [c.meter_no for c in people]
    assert len(set(accounts)) == N
    assert len(set(meters)) == N
    assert all(len(a) == 10 and a.isdigit() for a in accounts)
    assert all(len(m) == 12 and m.isdigit() for m in meters)


def test_account_numbers_carry_a_valid_luhn_check_digit() -> None:
    assert all(luhn_valid(c.account_no) for c in sample()[:2_000])


def test_account_number_depends_only_on_seq() -> None:
    areas = city.areas()
    assert city.customer(random.Random(1), 42, areas).account_no == (
        city.customer(random.Random(99), 42, areas).account_no
    )


def test_phones_are_valid_mobiles_or_landlines() -> None:
    for person in sample():
        assert 1 <= len(person.phones) <= 3
        for phone in person.phones:
            assert PHONE_RE.match(phone), phone
        assert person.phones[0].startswith("1")


def test_most_customers_have_one_phone_and_about_a_fifth_have_more() -> None:
    multi = sum(len(c.phones) > 1 for c in sample()) / N
    assert 0.17 < multi < 0.23


def test_phones_are_all_distinct_across_customers() -> None:
    phones = [phone for c in sample() for phone in c.phones]
    assert len(set(phones)) == len(phones)


def test_public_phone_helpers_return_valid_numbers() -> None:
    rng = random.Random(5)
    mobiles = [city.mobile_phone(rng) for _ in range(1_000)]
    landlines = [city.landline(rng) for _ in range(1_000)]
    assert all(re.fullmatch(r"1(3\d|5[0-35-9]|66|7[35-8]|8\d|9[13589])\d{8}", m) for m in mobiles)
    assert all(re.fullmatch(r"0236\d{7}", number) for number in landlines)


def test_unit_tree_has_one_company_and_about_six_branches() -> None:
    kinds = Counter(u.kind for u in city.units())
    assert kinds["company"] == 1
    assert 5 <= kinds["branch"] <= 8
    assert set(kinds) == {"company", "branch", "station"}


def test_unit_parents_precede_children() -> None:
    seen: set[str] = set()
    for unit in city.units():
        if unit.kind == "company":
            assert unit.parent_code is None
        else:
            assert unit.parent_code in seen
        seen.add(unit.code)


def test_each_branch_has_two_to_four_stations() -> None:
    units = city.units()
    kind = {u.code: u.kind for u in units}
    stations = Counter(u.parent_code for u in units if u.kind == "station")
    assert all(kind[parent] == "branch" for parent in stations if parent)
    assert all(2 <= stations[u.code] <= 4 for u in units if u.kind == "branch")


def test_unit_and_area_codes_are_unique() -> None:
    unit_codes = [u.code for u in city.units()]
    area_codes = [a.code for a in city.areas()]
    assert len(set(unit_codes)) == len(unit_codes)
    assert len(set(area_codes)) == len(area_codes)


def test_every_area_unit_exists_and_is_a_station() -> None:
    units = {u.code: u for u in city.units()}
    for area in city.areas():
        assert units[area.unit_code].kind == "station"


def test_every_area_station_belongs_to_the_branch_covering_its_district() -> None:
    units = {u.code: u for u in city.units()}
    covered = city.branch_districts()
    assert set(covered) == {u.code for u in units.values() if u.kind == "branch"}
    for area in city.areas():
        branch = units[area.unit_code].parent_code
        assert branch is not None
        assert area.district in covered[branch], area


def test_areas_are_mostly_urban_with_some_rural_and_remote() -> None:
    areas = city.areas()
    types = Counter(a.area_type for a in areas)
    assert 35 <= len(areas) <= 50
    assert set(types) == {"urban", "rural", "remote"}
    assert types["urban"] > len(areas) / 2
    assert types["rural"] >= 3
    assert types["remote"] >= 2
    assert all(a.name.startswith(a.district) for a in areas)
    assert all(a.name.endswith(("网格", "台区")) for a in areas)


def test_every_customer_address_contains_its_area_district() -> None:
    areas = {a.code: a for a in city.areas()}
    for person in sample():
        area = areas[person.area_code]
        assert person.address.startswith("重庆市" + area.district), person


def test_every_area_gets_addresses_in_its_district_and_street() -> None:
    rng = random.Random(8)
    for area in city.areas():
        street = area.name.removeprefix(area.district)[:2]
        for _ in range(50):
            text = city.address(rng, area)
            assert text.startswith("重庆市" + area.district)
            assert street in text
            assert text.endswith(("号", "门面")) or text[-1].isdigit()


def test_rural_and_remote_addresses_use_villages_or_market_streets() -> None:
    rng = random.Random(9)
    for area in city.areas():
        if area.area_type == "urban":
            continue
        for _ in range(30):
            text = city.address(rng, area)
            assert re.search(r"村\d+[组社]\d+号$|[正新]街\d+号$", text), text


def test_address_works_for_an_area_not_in_the_builtin_list() -> None:
    area = city.AreaSpec("X1", "渝北区宝圣湖街道网格", "urban", "YZNY-YB-01", "渝北区")
    text = city.address(random.Random(1), area)
    assert text.startswith("重庆市渝北区宝圣湖街道")


def test_every_category_code_has_a_specific_description() -> None:
    rng = random.Random(12)
    generic = {city.order_description(rng, "XX-UNKNOWN") for _ in range(200)}
    assert set(city.CATEGORY_CODES) == DOCUMENTED_CODES
    for code in city.CATEGORY_CODES:
        texts = {city.order_description(rng, code) for _ in range(40)}
        assert not texts & generic, code
        assert len(texts) >= 3, code
        for text in texts:
            assert HAN_RE.search(text)
            assert "{" not in text and "}" not in text
            assert 1 <= len(re.findall(r"[。？！]", text)) <= 3, text


def test_unknown_category_gets_a_generic_description() -> None:
    text = city.order_description(random.Random(1), "ZZ-NOPE")
    assert HAN_RE.search(text)


def test_tags_come_from_the_vocabulary_in_a_fixed_order() -> None:
    order = {tag: i for i, tag in enumerate(city.TAGS)}
    assert set(city.TAGS) == {"key_customer", "sensitive", "repeat_complainant", "elderly", "vip"}
    for person in sample():
        assert [order[t] for t in person.tags] == sorted(order[t] for t in person.tags)


def test_tag_frequencies_match_the_specification() -> None:
    people = sample()
    counts = Counter(tag for c in people for tag in c.tags)
    share = {tag: counts[tag] / N for tag in city.TAGS}
    assert 0.065 < share["elderly"] < 0.095
    assert 0.006 < share["key_customer"] < 0.015
    assert 0.006 < share["sensitive"] < 0.015
    assert 0.006 < share["repeat_complainant"] < 0.015
    assert 0.0025 < share["vip"] < 0.008
    assert sum(not c.tags for c in people) / N > 0.85


def test_key_customers_are_mostly_companies() -> None:
    key = [c for c in sample() if "key_customer" in c.tags]
    companies = [c for c in key if len(c.name) > 4]
    assert len(companies) > 0.6 * len(key)


def test_person_names_are_mostly_short_chinese_names_with_some_companies() -> None:
    rng = random.Random(21)
    names = [city.person_name(rng) for _ in range(5_000)]
    people = [n for n in names if len(n) <= 4]
    companies = [n for n in names if len(n) > 4]
    assert all(HAN_RE.fullmatch(ch) for n in names for ch in n)
    assert 0.9 < len(people) / len(names) < 0.99
    assert all(n.endswith(("公司", "店", "馆", "楼", "饭庄", "农家乐")) for n in companies)
    assert Counter(n[0] for n in people).most_common(1)[0][0] in "王李张刘陈"
    assert len(set(names)) > 1_500


@pytest.mark.parametrize("seq", [-1, 10**8])
def test_out_of_range_seq_is_rejected(seq: int) -> None:
    with pytest.raises(ValueError, match="seq"):
        city.customer(random.Random(1), seq, city.areas())


def test_empty_area_list_is_rejected() -> None:
    with pytest.raises(ValueError, match="area"):
        city.customer(random.Random(1), 1, [])
