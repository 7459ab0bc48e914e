"""Dates as officials type them: property-based tests of the parser."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from laodong.forms.dates import add_years, age_on, parse_date

DAYS = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2100, 12, 31))


@given(DAYS, st.sampled_from(["/", "-", "."]), st.booleans())
def test_any_real_date_round_trips_in_every_written_form(
    day: datetime.date, separator: str, padded: bool
) -> None:
    text = (
        f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}"
        if padded
        else f"{day.day}{separator}{day.month}{separator}{day.year}"
    )
    parsed = parse_date(text)
    assert parsed is not None and parsed.value == day and not parsed.year_only
    assert parse_date(parsed.value.isoformat()) == parsed
    assert parse_date(str(parsed)) == parsed


@given(
    st.integers(min_value=1, max_value=31),
    st.integers(min_value=1, max_value=12),
    st.integers(min_value=1900, max_value=2100),
)
def test_impossible_dates_are_refused_not_guessed(day: int, month: int, year: int) -> None:
    try:
        real = datetime.date(year, month, day)
    except ValueError:
        real = None
    parsed = parse_date(f"{day:02d}/{month:02d}/{year}")
    assert (parsed.value if parsed else None) == real


@given(st.text(max_size=20))
def test_parser_never_crashes(text: str) -> None:
    result = parse_date(text, allow_year_only=True)
    assert result is None or isinstance(result.value, datetime.date)


@given(st.integers(min_value=1900, max_value=2100))
def test_a_bare_year_only_where_allowed(year: int) -> None:
    assert parse_date(str(year)) is None
    parsed = parse_date(str(year), allow_year_only=True)
    assert parsed is not None and parsed.year_only and parsed.value == datetime.date(year, 1, 1)
    assert str(parsed) == str(year)


@given(DAYS, st.integers(min_value=0, max_value=120))
def test_age_after_adding_years_is_exact(birth: datetime.date, years: int) -> None:
    later = add_years(birth, years)
    if later.year <= 9999:
        assert age_on(birth, later) == years or (birth.month, birth.day) == (2, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("29/02/2024", datetime.date(2024, 2, 29)),
        ("29/02/2023", None),
        ("1/1/2000", datetime.date(2000, 1, 1)),
        ("2000-1-1", datetime.date(2000, 1, 1)),
        ("01/13/2000", None),
        ("12/03/90", None),
        ("", None),
    ],
)
def test_examples(text: str, expected: datetime.date | None) -> None:
    parsed = parse_date(text)
    assert (parsed.value if parsed else None) == expected


@pytest.mark.parametrize("text", ["31/12/1899", "1899-12-31", "1899", "01/01/0001", "0001"])
def test_dates_before_1900_are_refused(text: str) -> None:
    """Nobody in the register was born before 1900 and Excel cannot hold such a date: it is a
    typing mistake (issue 11, finding 8)."""
    assert parse_date(text, allow_year_only=True) is None
    assert parse_date("01/01/1900") is not None and parse_date("1900", allow_year_only=True)
