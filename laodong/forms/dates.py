"""Dates as officials write them: dd/mm/yyyy (also - or .), yyyy-mm-dd, or a bare year."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$", re.ASCII)
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$", re.ASCII)
_YEAR = re.compile(r"^(\d{4})$", re.ASCII)
# No date the register keeps is earlier (nobody alive was born before it), and Excel cannot
# hold one: an earlier year is a typing mistake.
MIN_YEAR = 1900


@dataclass(frozen=True)
class PartialDate:
    """A date, or only a year when that is all the person knows (then `value` is 1 January)."""

    value: datetime.date
    year_only: bool = False

    def __str__(self) -> str:
        return str(self.value.year) if self.year_only else self.value.strftime("%d/%m/%Y")


def parse_date(text: str, *, allow_year_only: bool = False) -> PartialDate | None:
    """Return the date, or None when the text is not a real date in an accepted form."""
    text = text.strip()
    if match := _DMY.match(text):
        day, month, year = (int(part) for part in match.groups())
    elif match := _ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif allow_year_only and (match := _YEAR.match(text)):
        year = int(match.group(1))
        return PartialDate(datetime.date(year, 1, 1), year_only=True) if year >= MIN_YEAR else None
    else:
        return None
    if year < MIN_YEAR:
        return None
    try:
        return PartialDate(datetime.date(year, month, day))
    except ValueError:
        return None


def add_years(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` later (29 February → 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def age_on(birth: datetime.date, on: datetime.date) -> int:
    """Full years of age on a date."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
