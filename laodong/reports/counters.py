"""What the labor statistics count for each (lowest unit, sex, activity status) cell: the
people, their age groups and, among them, how many have each code of the other items.

Each counter is written once here as terms on the columns of the register's periods, and read
by both the raw count (as Django Q objects) and the summary kept current (as SQL), so the two
can never count differently.
"""

from __future__ import annotations

import re
from typing import Any

from django.db.models import Q

from laodong.forms.definitions import code_lists

# Age groups of the labor statistics (issue 5): lower bound, upper bound (None = open).
AGE_GROUPS: tuple[tuple[int, int | None], ...] = (
    (15, 24),
    (25, 34),
    (35, 44),
    (45, 54),
    (55, 59),
    (60, None),
)
# The birthdays on which a person moves into each age group.
AGE_BOUNDARIES = tuple(lower for lower, _upper in AGE_GROUPS)

# Counters taken besides the group's size: (column, code list). Lines that need "not stated"
# get it as the parent's figure less its listed children, so no counter is spent.
CODE_COLUMNS = (
    ("employment_status", "employment_status"),
    ("workplace_type", "workplace_type"),
    ("has_social_insurance", "yes_no"),
    ("social_insurance_type", "social_insurance_type"),
    ("has_labor_contract", "yes_no"),
    ("contract_type", "contract_type"),
    ("unemployed_before", "unemployed_before"),
    ("unemployment_duration", "unemployment_duration"),
    ("inactivity_reason", "inactivity_reason"),
    ("general_education", "general_education"),
    ("qualification", "qualification"),
)
PRIORITY_COUNTERS = (
    ("is_disabled", "1"),
    ("is_poor_household", "2"),
    ("is_near_poor_household", "3"),
    ("is_land_recovered_household", "4"),
    ("is_merit_relative", "5"),
    ("is_ethnic_minority", "6"),
)


def codes_of(list_id: str) -> list[tuple[int, str]]:
    """The one-digit codes of a code list with their labels."""
    return [
        (int(code.code), code.label) for code in code_lists()[list_id].codes if code.code.isdigit()
    ]


# A counter: every term holds (any_of=False) or at least one does (any_of=True); a term is
# (column, value), the value an integer code or True for a flag.
Term = tuple[str, Any]
Counter = tuple[bool, tuple[Term, ...]]


def _code_counters() -> dict[str, Counter]:
    counters: dict[str, Counter] = {}
    for column, list_id in CODE_COLUMNS:
        for code, _label in codes_of(list_id):
            counters[f"{column}={code}"] = (False, ((column, code),))
    # Social insurance and contracts by type are counted among those who have them.
    for kind, has in (("social_insurance_type", "has_social_insurance"),
                      ("contract_type", "has_labor_contract")):  # fmt: skip
        for code, _label in codes_of(kind):
            counters[f"{kind}={code}"] = (False, ((kind, code), (has, 1)))
    # Counter names must not be field names: a filter on the field would read the annotation.
    for flag, group in PRIORITY_COUNTERS:
        counters[f"priority={group}"] = (False, ((flag, True),))
    counters["any_priority"] = (True, tuple((flag, True) for flag, _group in PRIORITY_COUNTERS))
    return counters


CODE_COUNTERS = _code_counters()
# Age groups are counters too rather than a grouping column: the planner cannot estimate how many
# groups an expression makes, and with it misjudged a few thousand groups as hundreds of
# thousands and sorted millions of rows on disk instead of hashing them.
AGE_COUNTERS = tuple(f"age={index}" for index in range(len(AGE_GROUPS)))
COUNTERS = ("people", *AGE_COUNTERS, *CODE_COUNTERS)


def counter_q(name: str) -> Q:
    """The counter as a filter on the periods (code counters only)."""
    any_of, terms = CODE_COUNTERS[name]
    condition = Q()
    for column, value in terms:
        condition = (
            (condition | Q(**{column: value})) if any_of else (condition & Q(**{column: value}))
        )
    return condition


def counter_sql(name: str, alias: str = "") -> str:
    """The counter as an SQL condition on the periods' columns (code counters only). Values are
    integer codes from the code lists, or flags, so nothing here comes from a user."""
    any_of, terms = CODE_COUNTERS[name]
    parts = [
        f"{alias}{column}" if value is True else f"{alias}{column} = {int(value)}"
        for column, value in terms
    ]
    return "(" + (" OR " if any_of else " AND ").join(parts) + ")"


def column_of(name: str) -> str:
    """The summary's column holding a counter: "employment_status=1" → n_employment_status_1."""
    return "n_" + re.sub(r"\W", "_", name)


COLUMNS = tuple(column_of(name) for name in COUNTERS)

# (sex, activity status) → counts in COUNTERS order; and those of each lowest unit by its id.
CellKey = tuple[int, int]
Cells = dict[CellKey, list[int]]
PlaceCells = dict[int, Cells]
