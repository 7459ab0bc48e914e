"""The register's and the police list's people as linkage records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from laodong.collection.models import WorkItem
from laodong.collection.police_list import village_key
from laodong.linkage.engine import Record
from laodong.register.models import Person
from laodong.units.models import Level, Unit

# The columns a record is made of, in the order of `Record`'s fields (key first).
FIELDS = (
    "pk",
    "full_name",
    "birth_date",
    "birth_year_only",
    "sex",
    "personal_id",
    "village_id",
    "household_code",
)


def village_keys(commune: Unit) -> dict[int, str]:
    """Each village of the commune (ended ones too) → its key as lists are folded."""
    return {
        pk: village_key(name)
        for pk, name in Unit.objects.filter(parent=commune, level=Level.VILLAGE).values_list(
            "pk", "name"
        )
    }


def register_records(commune: Unit, *, with_left: bool = False) -> Iterator[Record]:
    """The commune's people in the register (keyed by their record's primary key)."""
    villages = village_keys(commune)
    people = Person.objects.filter(commune=commune)
    if not with_left:
        people = people.filter(leave_reason="")
    yield from _records(people.values_list(*FIELDS).order_by("pk"), villages)


def list_records(campaign_id: int, commune: Unit) -> Iterator[Record]:
    """The rows of the commune's latest police list in a campaign (keyed by work item)."""
    villages = village_keys(commune)
    items = WorkItem.objects.filter(campaign_id=campaign_id, commune=commune, in_latest_list=True)
    yield from _records(items.values_list(*FIELDS).order_by("pk"), villages)


def _records(rows: Any, villages: dict[int, str]) -> Iterator[Record]:
    for pk, name, birth, year_only, sex, personal_id, village, household in rows.iterator(
        chunk_size=5000
    ):
        yield Record(pk, name, birth, year_only, sex, personal_id, villages.get(village, ""),
                     household)  # fmt: skip


def province_records(province: Unit, communes: dict[int, int]) -> Iterator[Record]:
    """The province's people in the register, for a search across its communes. A village or
    household is written with its commune, so that "Thôn 1" or "HK001" of two communes never
    counts as a shared place. `communes` is filled with each record's commune."""
    people = Person.objects.filter(commune__path__startswith=province.path, leave_reason="")
    rows = people.values_list(*FIELDS, "commune_id").order_by("pk")
    for pk, name, birth, year_only, sex, personal_id, village, household, commune in rows.iterator(
        chunk_size=5000
    ):
        communes[pk] = commune
        yield Record(pk, name, birth, year_only, sex, personal_id, f"{village}",
                     f"{commune}:{household}" if household else "")  # fmt: skip
