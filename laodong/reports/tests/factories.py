"""People written straight into the register's tables, with hand-picked periods, for reports."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from laodong.conftest import Tree
from laodong.core.text import fold
from laodong.register.models import Person, PersonPeriod, Source, mark_statistics
from laodong.units.models import Unit

DAY = datetime.date(2026, 11, 22)


def moment(day: datetime.date, hour: int = 8, second: int = 0) -> datetime.datetime:
    """A local (Asia/Ho_Chi_Minh) time on `day`."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0, second)))


def make_person(
    village: Unit,
    birth: datetime.date,
    *periods: dict[str, Any],
    name: str = "Người Thử",
) -> Person:
    """A person whose periods start at each dict's "from" (default 1 January 2026)."""
    assert village.parent is not None
    person = Person.objects.create(
        full_name=name,
        full_name_folded=fold(name),
        birth_date=birth,
        village=village,
        commune=village.parent,
        form_code="tt09-2025-m01",
        version=len(periods),
    )
    starts = [values.get("from", moment(datetime.date(2026, 1, 1))) for values in periods]
    for number, values in enumerate(periods, start=1):
        codes = {
            key: value for key, value in values.items() if key not in ("from", "village", "source")
        }
        place = values.get("village", village)
        PersonPeriod.objects.create(
            person=person,
            number=number,
            source=values.get("source", Source.COLLECTION if number == 1 else Source.UPDATE),
            valid_from=starts[number - 1],
            valid_to=starts[number] if number < len(periods) else None,
            village=place,
            commune=place.parent,
            birth_date=birth,
            **codes,
        )
        # As the register's writers do, so that the summary of the statistics follows.
        mark_statistics([(place.pk, place.parent_id)])
    return person


def employed(**codes: Any) -> dict[str, Any]:
    return {"activity_status": 1, **codes}


def hand_counted(tree: Tree) -> dict[str, Person]:
    """The people the statistics tests count by hand (ages on DAY, 22/11/2026)."""
    date = datetime.date
    return {
        # Thôn 1: a 26-year-old employee with insurance and a contract.
        "worker": make_person(
            tree.village,
            date(2000, 1, 1),
            employed(
                sex=1,
                employment_status=4,
                workplace_type=5,
                has_social_insurance=1,
                social_insurance_type=1,
                has_labor_contract=1,
                contract_type=2,
                general_education=4,
                qualification=7,
                is_ethnic_minority=True,
            ),
        ),
        # Turns 15 on DAY itself: counted on DAY, not the day before.
        "pupil": make_person(
            tree.village,
            date(2011, 11, 22),
            {
                "sex": 2,
                "activity_status": 3,
                "inactivity_reason": 1,
                "general_education": 3,
                "qualification": 1,
            },
        ),
        # Turns 15 the day after: never counted on DAY.
        "child": make_person(tree.village, date(2011, 11, 23), {"sex": 2, "activity_status": 3}),
        # Employed (a business owner) until June, retired since.
        "retiree": make_person(
            tree.village,
            date(1950, 5, 5),
            employed(sex=1, employment_status=1, general_education=2, qualification=1),
            {
                "from": moment(date(2026, 6, 1)),
                "sex": 1,
                "activity_status": 3,
                "inactivity_reason": 2,
                "general_education": 2,
                "qualification": 1,
            },
        ),
        # Recorded the day after DAY: not yet in the register on DAY.
        "newcomer": make_person(
            tree.village,
            date(1995, 1, 1),
            employed(sex=1, employment_status=2, **{"from": moment(date(2026, 11, 23), 0)}),
        ),
        # Thôn 2: exactly 60 on DAY, unemployed for over a year, poor and disabled.
        "jobseeker": make_person(
            tree.village2,
            date(1966, 11, 22),
            {
                "sex": 1,
                "activity_status": 2,
                "unemployed_before": 2,
                "unemployment_duration": 3,
                "general_education": 2,
                "qualification": 4,
                "is_poor_household": True,
                "is_disabled": True,
            },
        ),
        # 59 on DAY; self-employed, no insurance, no contract.
        "farmer": make_person(
            tree.village2,
            date(1966, 11, 23),
            employed(
                sex=2,
                employment_status=2,
                workplace_type=2,
                has_social_insurance=2,
                has_labor_contract=2,
                general_education=4,
                qualification=2,
            ),
        ),
        # Recorded at 23:59:59 on DAY: counted on DAY. Insurance and contract not stated.
        "helper": make_person(
            tree.village2,
            date(1985, 5, 5),
            employed(
                sex=2,
                employment_status=3,
                workplace_type=1,
                **{"from": moment(DAY, 23) + datetime.timedelta(minutes=59, seconds=59)},
            ),
        ),
        # The other commune of the province: a civil servant.
        "official": make_person(
            tree.other_village,
            date(1990, 2, 2),
            employed(
                sex=1,
                employment_status=4,
                workplace_type=6,
                has_social_insurance=1,
                social_insurance_type=2,
                has_labor_contract=1,
                contract_type=1,
                general_education=4,
                qualification=8,
            ),
        ),
    }
