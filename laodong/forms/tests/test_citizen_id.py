from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from laodong.forms.citizen_id import (
    PROVINCE_CODES,
    IdKind,
    IdProblem,
    ParsedId,
    mask_id,
    parse_id,
)


@pytest.mark.parametrize(
    ("raw", "year", "male", "province"),
    [
        ("038095001234", 1995, True, "Thanh Hóa"),
        ("001185012345", 1985, False, "Hà Nội"),
        ("079203000001", 2003, True, "Hồ Chí Minh"),
        ("024307999999", 2007, False, "Bắc Giang"),
        ("038 095 001 234", 1995, True, "Thanh Hóa"),
    ],
)
def test_twelve_digit_ids_tell_year_sex_and_province(
    raw: str, year: int, male: bool, province: str
) -> None:
    parsed = parse_id(raw)
    assert isinstance(parsed, ParsedId)
    assert (parsed.kind, parsed.birth_year, parsed.is_male, parsed.province_name) == (
        IdKind.PERSONAL,
        year,
        male,
        province,
    )


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("", IdProblem.EMPTY),
        ("03809500123A", IdProblem.NOT_DIGITS),
        ("0380950012", IdProblem.LENGTH),
        ("003095001234", IdProblem.PROVINCE),
        ("０３８０９５００１２３４", IdProblem.NOT_DIGITS),  # full-width digits typed on phones
    ],
)
def test_structural_problems(raw: str, problem: IdProblem) -> None:
    assert parse_id(raw) == problem


def test_nine_digit_legacy_ids_say_nothing_about_the_person() -> None:
    assert parse_id("172345678") == ParsedId(number="172345678", kind=IdKind.LEGACY)


@given(
    province=st.sampled_from(sorted(PROVINCE_CODES)),
    year=st.integers(min_value=1900, max_value=2099),
    male=st.booleans(),
    tail=st.integers(min_value=0, max_value=999_999),
)
def test_any_valid_id_round_trips(province: str, year: int, male: bool, tail: int) -> None:
    century = (year - 1900) // 100
    digit = century * 2 + (0 if male else 1)
    number = f"{province}{digit}{year % 100:02d}{tail:06d}"
    parsed = parse_id(number)
    assert isinstance(parsed, ParsedId)
    assert (parsed.birth_year, parsed.is_male, parsed.province_code) == (year, male, province)


@given(st.text(max_size=20))
def test_parse_never_crashes(raw: str) -> None:
    assert isinstance(parse_id(raw), ParsedId | IdProblem)


@given(st.text(alphabet="0123456789", min_size=5, max_size=12))
def test_mask_keeps_only_the_last_four_digits(number: str) -> None:
    masked = mask_id(number)
    assert masked.endswith(number[-4:]) and masked[:-4] == "*" * (len(number) - 4)
