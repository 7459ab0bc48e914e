"""The labor statistics' summary equals the raw count of the periods: on people counted by hand,
on random histories (hypothesis) and after the register's own writes — closures, transfers,
corrections and a file update (issue 16 item 1)."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, make_user
from laodong.register import transfers
from laodong.register.actions import close_person, record_person, reopen_person, update_person
from laodong.register.models import LeaveReason, Person, PersonPeriod, StatisticsStale
from laodong.register.sources import Origin, Source
from laodong.register.tests.data.bhxh_lists import bhxh_xlsx
from laodong.register.tests.test_actions import ANSWERS
from laodong.register.tests.test_bulk_update import people  # noqa: F401 — a fixture
from laodong.reports import summary
from laodong.reports.changes import labor_changes
from laodong.reports.models import Grain, StatisticsSummary, SummaryState
from laodong.reports.statistics import count_cells, count_cells_raw, labor_statistics
from laodong.reports.tests.factories import employed, hand_counted, make_person, moment
from laodong.units.models import Unit

date = datetime.date


def units(tree: Tree) -> list[Unit]:
    """A unit of each level (the country's is the province's sum, as the province's is its
    communes'), and both communes."""
    return [tree.province, tree.commune, tree.other_commune, tree.village2]


def assert_equal_to_raw(tree: Tree, days: list[datetime.date]) -> None:
    """Every unit of the tree, on every day: the summary's cells are the raw count's."""
    summary.catch_up(None)
    assert not StatisticsStale.objects.exists()
    for day in days:
        for unit in units(tree):
            assert summary.read_cells(unit, day) == count_cells_raw(unit, day), (unit, day)


def people_by_age(tree: Tree, day: datetime.date) -> list[int]:
    table = next(t for t in labor_statistics(tree.commune, day).tables() if t.key == "age")
    return [row.total for row in table.rows]


def test_hand_counted_people_give_the_same_figures_as_the_raw_count(tree: Tree) -> None:
    hand_counted(tree)
    assert_equal_to_raw(tree, [date(2026, 1, 1), date(2026, 6, 30), date(2026, 11, 22)])


def test_birthdays_move_people_between_age_groups_on_the_day(tree: Tree) -> None:
    today = timezone.localdate()
    since = {"from": moment(date(2024, 1, 1))}
    # Turns 15 on 1 March 2026; 25 on 10 June 2026; 60 on 28 February 2026; born on 29 February
    # 2000: 25 on 1 March 2025, a year without 29 February.
    make_person(tree.village, date(2011, 3, 1), employed(sex=1, **since))
    make_person(tree.village, date(2001, 6, 10), employed(sex=2, **since))
    make_person(tree.village, date(1966, 2, 28), employed(sex=2, **since))
    make_person(tree.village, date(2000, 2, 29), employed(sex=1, **since))
    ages = people_by_age  # total, 15–24, 25–34, 35–44, 45–54, 55–59, 60+
    assert ages(tree, date(2025, 2, 28)) == [3, 2, 0, 0, 0, 1, 0]
    assert ages(tree, date(2025, 3, 1)) == [3, 1, 1, 0, 0, 1, 0]
    assert ages(tree, date(2026, 2, 27)) == [3, 1, 1, 0, 0, 1, 0]
    assert ages(tree, date(2026, 2, 28)) == [3, 1, 1, 0, 0, 0, 1]
    assert ages(tree, date(2026, 3, 1)) == [4, 2, 1, 0, 0, 0, 1]
    assert ages(tree, date(2026, 6, 9)) == [4, 2, 1, 0, 0, 0, 1]
    assert ages(tree, date(2026, 6, 10)) == [4, 1, 2, 0, 0, 0, 1]
    assert ages(tree, today) == [4, 1, 2, 0, 0, 0, 1]
    # Read from the summary, which the first reader wrote, and written no more since.
    assert StatisticsSummary.objects.filter(grain=Grain.DAY, day=date(2026, 6, 10)).exists()
    built = SummaryState.objects.get(commune=tree.commune)
    assert built.horizon == today + datetime.timedelta(days=summary.HORIZON_DAYS)
    assert summary.catch_up([tree.commune.pk]) == 0


def test_a_later_write_marks_its_village_and_the_next_reader_sees_it(tree: Tree) -> None:
    make_person(tree.village, date(1990, 1, 1), employed(sex=1))
    today = timezone.localdate()
    assert people_by_age(tree, today)[0] == 1
    make_person(tree.village2, date(1990, 1, 1), employed(sex=2, **{"from": moment(today)}))
    assert StatisticsStale.objects.filter(village=tree.village2).exists()
    assert people_by_age(tree, today)[0] == 2
    assert people_by_age(tree, today - datetime.timedelta(days=1))[0] == 1
    assert not StatisticsStale.objects.exists()


def test_figures_are_kept_until_a_write_changes_their_generation(
    tree: Tree, django_assert_num_queries: Any
) -> None:
    make_person(tree.village, date(1990, 1, 1), employed(sex=1))
    today = timezone.localdate()
    assert summary.summary_cells(tree.province, today)  # built, then read
    figures = summary.summary_cells(tree.province, today)  # read once more, kept
    # The communes of the province, the summary's states and its marks: no read of the rows.
    with django_assert_num_queries(3):
        assert summary.summary_cells(tree.province, today) == figures
    make_person(tree.village2, date(1990, 1, 1), employed(sex=2, **{"from": moment(today)}))
    changed = summary.summary_cells(tree.province, today)
    assert changed != figures
    assert summary.summary_cells(tree.province, today) == changed
    assert changed == count_cells_raw(tree.province, today)


def test_a_passed_horizon_rebuilds_the_commune(tree: Tree) -> None:
    make_person(tree.village, date(1990, 1, 1), employed(sex=1))
    summary.catch_up(None)
    SummaryState.objects.filter(commune=tree.commune).update(horizon=date(2026, 1, 1))
    assert summary.due([tree.commune.pk], timezone.localdate()) == {tree.commune.pk}
    assert summary.catch_up([tree.commune.pk]) == 1
    assert_equal_to_raw(tree, [timezone.localdate()])


@override_settings(LAODONG_SUMMARY_INLINE_COMMUNES=1)
def test_many_communes_due_are_rebuilt_in_the_background_while_the_periods_are_counted(
    tree: Tree,
) -> None:
    """A province whose communes were never built (or all marked by a migration) is not
    rebuilt inside a request: the reader counts from the periods and the rebuild runs in the
    background (inline in tests), after which readers use the summary."""
    hand_counted(tree)
    day = date(2026, 11, 22)
    expected = count_cells_raw(tree.province, day)
    with pytest.raises(summary.Behind):
        summary.summary_cells(tree.province, day)
    assert summary.due(summary.communes_in(tree.province), timezone.localdate()) == set()
    assert summary.summary_cells(tree.province, day) == expected
    # The pages read the periods meanwhile: the same figures, and the changes' versions too.
    SummaryState.objects.update(horizon=date(2020, 1, 1))
    assert count_cells(tree.province, day) == expected
    SummaryState.objects.update(horizon=date(2020, 1, 1))
    assert labor_changes(tree.province, date(2025, 12, 31), day).newly_collected == 8
    # One commune due is this reader's own work.
    SummaryState.objects.filter(commune=tree.commune).update(horizon=date(2020, 1, 1))
    assert summary.summary_cells(tree.commune, day) == count_cells_raw(tree.commune, day)


@override_settings(LAODONG_SUMMARY_INLINE_COMMUNES=0)
def test_a_background_rebuild_under_way_is_not_started_again(tree: Tree) -> None:
    make_person(tree.village, date(1990, 1, 1), employed(sex=1))
    key = (connection.alias, hash(tuple(sorted(summary.communes_in(tree.province)))))
    summary._in_background.add(key)
    try:
        with pytest.raises(summary.Behind):
            summary.bring_up_to_date(summary.communes_in(tree.province))
        assert not SummaryState.objects.exists()  # nothing rebuilt by this reader
    finally:
        summary._in_background.discard(key)


# ----------------------------------------------------------------------------------------------
# Random histories

CODES = {
    "sex": st.sampled_from([1, 2]),
    "activity_status": st.integers(0, 3),
    "employment_status": st.integers(0, 5),
    "workplace_type": st.integers(0, 9),
    "has_social_insurance": st.integers(0, 2),
    "social_insurance_type": st.integers(0, 2),
    "has_labor_contract": st.integers(0, 2),
    "contract_type": st.integers(0, 2),
    "unemployment_duration": st.integers(0, 3),
    "inactivity_reason": st.integers(0, 5),
    "general_education": st.integers(0, 4),
    "qualification": st.integers(0, 8),
    "is_disabled": st.booleans(),
    "is_ethnic_minority": st.booleans(),
}
START = datetime.datetime(2024, 6, 1, 0, 0)
LEAP_BIRTHS = [date(1964, 2, 29), date(1968, 2, 29), date(2008, 2, 29), date(2012, 2, 29)]

period = st.fixed_dictionaries(
    {
        "after": st.timedeltas(
            min_value=datetime.timedelta(0), max_value=datetime.timedelta(days=300)
        ),
        "village": st.integers(0, 2),
        "leave": st.sampled_from(["", "", "", LeaveReason.DECEASED, LeaveReason.MOVED_AWAY]),
        "source": st.sampled_from([Source.UPDATE, Source.COLLECTION, Source.CORRECTION]),
        **CODES,
    }
)
history = st.fixed_dictionaries(
    {
        "birth": st.one_of(
            st.dates(date(1955, 1, 1), date(2013, 12, 31)), st.sampled_from(LEAP_BIRTHS)
        ),
        "periods": st.lists(period, min_size=1, max_size=4),
    }
)


def write_history(tree: Tree, person: dict[str, Any]) -> Person:
    """A person with these periods, from START on (never after now), as the writers leave them."""
    places = [tree.village, tree.village2, tree.other_village]
    now = timezone.now()
    moment_ = timezone.make_aware(START)
    starts = []
    for values in person["periods"]:
        moment_ = min(moment_ + values["after"], now)
        starts.append(moment_)
    first = places[person["periods"][0]["village"]]
    made = make_person(first, person["birth"], {"from": starts[0]})
    made.periods.all().delete()
    for number, values in enumerate(person["periods"], start=1):
        place = places[values["village"]]
        PersonPeriod.objects.create(
            person=made,
            number=number,
            source=values["source"],
            leave_reason=values["leave"],
            valid_from=starts[number - 1],
            valid_to=starts[number] if number < len(starts) else None,
            village=place,
            commune=place.parent,
            birth_date=person["birth"],
            **{key: values[key] for key in CODES},
        )
        StatisticsStale.objects.create(village=place, commune=place.parent)
    return made


def days_to_check(
    histories: list[dict[str, Any]], extra: list[datetime.date]
) -> list[datetime.date]:
    """The chosen days, and for each person the days around their 15th and 60th birthdays and
    around each period's start (where an off-by-one would show), up to the horizon."""
    last = timezone.localdate() + datetime.timedelta(days=summary.HORIZON_DAYS)
    days = set(extra)
    for person in histories:
        for years in (15, 25, 60):
            birth = person["birth"]
            try:
                birthday = birth.replace(year=birth.year + years)
            except ValueError:
                birthday = date(birth.year + years, 3, 1)
            days.update(birthday + datetime.timedelta(days=d) for d in (-1, 0))
        moment_ = START
        for values in person["periods"]:
            moment_ += values["after"]
            days.update(moment_.date() + datetime.timedelta(days=d) for d in (-1, 0, 1))
    return sorted(day for day in days if date(2024, 1, 1) <= day <= last)[:8]


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    before=st.lists(history, min_size=1, max_size=5),
    after=st.lists(history, max_size=3),
    changes=st.lists(st.tuples(st.integers(0, 4), period), max_size=3),
    extra=st.lists(st.dates(date(2024, 1, 1), date(2027, 6, 30)), max_size=3),
)
def test_random_histories_give_the_raw_count_on_every_day(
    tree: Tree,
    before: list[dict[str, Any]],
    after: list[dict[str, Any]],
    changes: list[tuple[int, dict[str, Any]]],
    extra: list[datetime.date],
) -> None:
    with transaction.atomic():
        made = [write_history(tree, person) for person in before]
        days = days_to_check(before + after, extra)
        assert_equal_to_raw(tree, days)
        # Then more is written: new people, and new periods for some of the first ones (a
        # transfer, a closure, a correction), each marked as the register's writers do.
        for person in after:
            write_history(tree, person)
        places = [tree.village, tree.village2, tree.other_village]
        for index, values in changes:
            person = made[index % len(made)]
            current = person.periods.order_by("-number").first()
            assert current is not None
            start = min(timezone.now(), current.valid_from + values["after"])
            PersonPeriod.objects.filter(pk=current.pk).update(valid_to=start)
            place = places[values["village"]]
            PersonPeriod.objects.create(
                person=person,
                number=current.number + 1,
                source=Source.CORRECTION,
                leave_reason=values["leave"],
                valid_from=start,
                village=place,
                commune=place.parent,
                birth_date=current.birth_date,
                **{key: values[key] for key in CODES},
            )
            for village in (current.village, place):
                StatisticsStale.objects.create(village=village, commune=village.parent)
        assert_equal_to_raw(tree, days)
        transaction.set_rollback(True)


# ----------------------------------------------------------------------------------------------
# The register's own writers


def test_closures_reopenings_corrections_and_transfers_keep_it_exact(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    today = timezone.localdate()
    first = record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    second = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village2,
        answers={**ANSWERS, "personal_id": "038190012346", "full_name": "Lê Thị Bình",
                 "sex": "Nữ"},
    )  # fmt: skip
    assert_equal_to_raw(tree, [today])
    assert labor_statistics(tree.commune, today).figures.count() == 2
    # A correction of the qualification.
    update_person(
        acting_user=officer,
        person=Person.objects.get(pk=second.pk),
        answers={**Person.objects.get(pk=second.pk).answers, "qualification": "8"},
        origin=Origin(Source.CORRECTION),
    )
    assert labor_statistics(tree.commune, today).figures.count("qualification=8") == 1
    # A closure, then its reopening.
    close_person(
        acting_user=officer,
        person=Person.objects.get(pk=first.pk),
        left_on=today,
        reason=LeaveReason.DECEASED,
        origin=Origin(Source.UPDATE, reason="Giấy báo tử"),
    )
    assert labor_statistics(tree.commune, today).figures.count() == 1
    assert_equal_to_raw(tree, [today])
    reopen_person(
        acting_user=officer,
        person=Person.objects.get(pk=first.pk),
        origin=Origin(Source.CORRECTION, reason="Đóng nhầm"),
    )
    assert labor_statistics(tree.commune, today).figures.count() == 2
    # A transfer to the other commune.
    asker = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")
    request = transfers.request_transfer(
        acting_user=asker,
        personal_id=Person.objects.get(pk=first.pk).personal_id,
        village=tree.other_village,
        reason="Chuyển đến",
    )
    transfers.decide_transfer(acting_user=officer, transfer=request, accept=True)
    assert labor_statistics(tree.commune, today).figures.count() == 1
    assert labor_statistics(tree.other_commune, today).figures.count() == 1
    assert labor_statistics(tree.province, today).figures.count() == 2
    assert_equal_to_raw(tree, [today, today - datetime.timedelta(days=1)])


def test_a_file_update_marks_the_villages_it_wrote(
    tree: Tree,
    people: dict[str, Person],  # noqa: F811 — the fixture imported above
    tmp_path: Path,
) -> None:
    summary.catch_up(None)
    call_command(
        "register",
        "update-from",
        str(bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx")),
        "--commune",
        tree.commune.code,
        "--source",
        "bhxh",
        "--reference",
        "DS tháng 10",
        stdout=io.StringIO(),
    )
    assert StatisticsStale.objects.filter(village=tree.village).exists()
    assert_equal_to_raw(tree, [timezone.localdate()])


def test_the_command_rebuilds_a_unit_or_everything(tree: Tree, capsys: Any) -> None:
    hand_counted(tree)
    call_command("report", "rebuild-summary", "--unit", tree.province.code)
    assert "2 xã" in capsys.readouterr().out
    StatisticsSummary.objects.all().delete()
    call_command("report", "rebuild-summary")
    assert_equal_to_raw(tree, [date(2026, 11, 22)])
    with pytest.raises(Exception, match="Không tìm thấy đơn vị"):
        call_command("report", "rebuild-summary", "--unit", "99999")
