"""Changes between two dates, against people counted by hand."""

from __future__ import annotations

import datetime
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laodong.accounts.models import Role
from laodong.conftest import Tree, login
from laodong.register.models import LeaveReason, PersonPeriod, Source
from laodong.reports.changes import NOT_YET, _edits, changes_document, labor_changes
from laodong.reports.statistics import (
    end_of_day,
    in_force_on,
    periods_on,
    scope_of,
    years_before,
)
from laodong.reports.summary import read_versions
from laodong.reports.tests.factories import DAY, employed, hand_counted, make_person, moment
from laodong.reports.tests.test_summary import LEAP_BIRTHS, period, write_history

START = datetime.date(2026, 5, 31)  # the changes from 01/06/2026 to 22/11/2026


@pytest.fixture
def movers(tree: Tree) -> Tree:
    hand_counted(tree)
    september = moment(datetime.date(2026, 9, 1))
    make_person(
        tree.other_village,
        datetime.date(1993, 3, 3),
        employed(sex=1),
        employed(sex=1, village=tree.village, **{"from": september}),
        name="Người Chuyển Đến",
    )
    make_person(
        tree.village2,
        datetime.date(1994, 4, 4),
        {"sex": 2, "activity_status": 3},
        {"sex": 2, "activity_status": 3, "village": tree.other_village, "from": september},
        name="Người Chuyển Đi",
    )
    make_person(
        tree.village,
        datetime.date(1980, 8, 8),
        employed(sex=2, qualification=1),
        employed(
            sex=2,
            qualification=5,
            source=Source.CORRECTION,
            **{"from": moment(datetime.date(2026, 7, 1))},
        ),
        employed(
            sex=2,
            qualification=6,
            source=Source.CORRECTION,
            **{"from": moment(datetime.date(2026, 8, 1))},
        ),
        name="Người Được Sửa",
    )
    return tree


def test_changes_between_two_dates(movers: Tree) -> None:
    changes = labor_changes(movers.commune, START, DAY)
    assert (changes.people_at_start, changes.people_at_end) == (6, 8)
    assert (changes.newly_15, changes.newly_collected) == (1, 1)
    assert (changes.moved_in, changes.moved_out) == (1, 1)
    assert (changes.corrections, changes.corrected_people, changes.updates) == (2, 1, 2)
    assert changes.matrix == {(1, 1): 3, (1, 3): 1, (2, 2): 1, (NOT_YET, 3): 1, (NOT_YET, 1): 2}


def test_turning_15_on_the_first_date_is_not_turning_15_in_the_window(tree: Tree) -> None:
    since = {"from": moment(datetime.date(2026, 1, 1))}
    make_person(tree.village, datetime.date(2011, 5, 31), employed(**since))  # 15 on START
    make_person(tree.village, datetime.date(2011, 6, 1), employed(**since))  # the day after
    make_person(tree.village, datetime.date(2011, 11, 22), employed(**since))  # 15 on DAY
    make_person(tree.village, datetime.date(2011, 11, 23), employed(**since))  # not yet 15
    changes = labor_changes(tree.commune, START, DAY)
    assert (changes.people_at_start, changes.people_at_end, changes.newly_15) == (1, 3, 2)
    assert changes.matrix == {(1, 1): 1, (NOT_YET, 1): 2}


def test_closures_and_reopenings_in_the_window(tree: Tree) -> None:
    def on(month: int, day: int = 1) -> dict[str, Any]:
        return {"from": moment(datetime.date(2026, month, day))}

    died = {"leave_reason": LeaveReason.DECEASED}
    make_person(tree.village, datetime.date(1980, 1, 1), employed(), employed(**died, **on(7)))
    make_person(  # left before the window, back in it
        tree.village,
        datetime.date(1981, 1, 1),
        employed(),
        employed(leave_reason=LeaveReason.MOVED_AWAY, **on(3)),
        employed(**on(8)),
    )
    make_person(  # closed in the window, then corrected while still closed: one closure
        tree.village,
        datetime.date(1982, 1, 1),
        employed(),
        employed(**died, **on(7)),
        employed(**died, source=Source.CORRECTION, **on(8)),
    )
    changes = labor_changes(tree.commune, START, DAY)
    assert changes.left == {LeaveReason.DECEASED: 2} and changes.reopened == 1
    assert (changes.updates, changes.corrections, changes.corrected_people) == (3, 1, 1)
    assert changes.by_source == {Source.CORRECTION: 1, Source.UPDATE: 3}
    assert (changes.people_at_start, changes.people_at_end) == (2, 1)
    assert changes.matrix == {(NOT_YET, 1): 1}  # back: not in the register at the start


def test_the_other_commune_sees_the_mirror_image(movers: Tree) -> None:
    changes = labor_changes(movers.other_commune, START, DAY)
    assert (changes.moved_in, changes.moved_out) == (1, 1)
    assert (changes.people_at_start, changes.people_at_end) == (2, 2)
    province = labor_changes(movers.province, START, DAY)
    assert (province.moved_in, province.moved_out) == (0, 0)  # moves inside the province


def test_the_document_has_the_summary_and_a_balanced_matrix(movers: Tree) -> None:
    document = changes_document(labor_changes(movers.commune, START, DAY), made_by="x")
    assert document.period == "Từ ngày 01/06/2026 đến hết ngày 22/11/2026"
    summary = [row.cells for row in document.sections[0].rows]
    assert summary[0] == ["Người từ 15 tuổi trở lên đầu kỳ (hết ngày 31/05/2026)", 6]
    assert summary[-1] == ["Người từ 15 tuổi trở lên cuối kỳ (hết ngày 22/11/2026)", 8]
    matrix = [row.cells for row in document.sections[1].rows]
    assert matrix[0] == ["Có việc làm", 3, 0, 1, 0, 4]
    assert matrix[4] == ["Chưa có / chưa đủ 15 tuổi", 2, 0, 1, 0, 3]
    assert matrix[-1] == ["Cộng", 5, 1, 2, 0, 8]


def test_the_changes_page_and_its_files(movers: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    url = reverse("reports-view-changes")
    page = client.get(url, {"start": "31/05/2026", "end": "22/11/2026"})
    assert page.status_code == 200
    assert page.context["changes"].moved_in == 1
    assert "Chuyển đến" in page.content.decode()
    reversed_dates = client.get(url, {"start": "22/11/2026", "end": "31/05/2026"})
    assert "Ngày đầu kỳ phải trước ngày cuối kỳ" in reversed_dates.content.decode()
    download = reverse("reports-download-changes", args=["xlsx"])
    assert client.get(download, {"start": "31/05/2026", "end": "22/11/2026"}).status_code == 200
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    assert client.get(url, {"unit": movers.far_commune.pk}).status_code == 404


def counted_from_the_periods(unit: Any, start: datetime.date, end: datetime.date) -> dict:
    """The changes' figures counted from everyone's periods, person by person in Python: the
    reference for labor_changes, which counts only the changed people from the periods."""
    scope = scope_of(unit)
    at_end = {p.person_id: p for p in PersonPeriod.objects.filter(scope & periods_on(end))}
    at_start = {p.person_id: p for p in PersonPeriod.objects.filter(scope & periods_on(start))}
    then = {p.person_id: p for p in PersonPeriod.objects.filter(in_force_on(start))}
    now = {p.person_id: p for p in PersonPeriod.objects.filter(in_force_on(end))}
    in_scope = set(PersonPeriod.objects.filter(scope).values_list("pk", flat=True))
    matrix: dict[tuple[int, int], int] = {}
    for person, last in at_end.items():
        first = at_start.get(person)
        key = (first.activity_status if first else NOT_YET, last.activity_status)
        matrix[key] = matrix.get(key, 0) + 1
    born = (years_before(start, 15), years_before(end, 15))
    versions = PersonPeriod.objects.filter(
        scope, valid_from__gte=end_of_day(start), valid_from__lt=end_of_day(end)
    )
    closed = {(p.person_id, p.number) for p in PersonPeriod.objects.exclude(leave_reason="")}
    by_source: dict[str, int] = {}
    left: dict[str, int] = {}
    for version in versions:
        by_source[version.source] = by_source.get(version.source, 0) + 1
        closed_before = (version.person_id, version.number - 1) in closed
        if version.leave_reason and not closed_before:
            left[version.leave_reason] = left.get(version.leave_reason, 0) + 1
    corrections = [v for v in versions if v.source == Source.CORRECTION]
    return {
        "by_source": dict(sorted(by_source.items())),
        "left": dict(sorted(left.items())),
        "reopened": sum(
            not v.leave_reason and (v.person_id, v.number - 1) in closed for v in versions
        ),
        "newly_collected": sum(v.number == 1 for v in versions),
        "updates": sum(v.number > 1 and v.source != Source.CORRECTION for v in versions),
        "corrections": len(corrections),
        "corrected_people": len({v.person_id for v in corrections}),
        "people_at_start": len(at_start),
        "people_at_end": len(at_end),
        "newly_15": sum(born[0] < p.birth_date <= born[1] for p in at_end.values()),
        "moved_in": sum(person in then and then[person].pk not in in_scope for person in at_end),
        "moved_out": sum(person in now and now[person].pk not in in_scope for person in at_start),
        "matrix": matrix,
    }


# Births chosen so that many people turn 15 during the windows below.
history = st.fixed_dictionaries(
    {
        "birth": st.one_of(
            st.dates(date(2008, 6, 1), date(2012, 6, 30)),
            st.sampled_from(LEAP_BIRTHS),
            st.dates(date(1955, 1, 1), date(2008, 5, 31)),
        ),
        "periods": st.lists(period, min_size=1, max_size=3),
    }
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    people=st.lists(history, min_size=1, max_size=8),
    windows=st.lists(
        st.tuples(
            st.dates(date(2024, 6, 1), date(2026, 6, 30)),
            st.one_of(st.integers(0, 90), st.integers(0, 700)),
        ),
        min_size=1,
        max_size=3,
    ),
)
def test_random_histories_give_the_changes_counted_from_every_period(
    tree: Tree, people: list[dict[str, Any]], windows: list[tuple[date, int]]
) -> None:
    """Changes of people who kept one period through the window come from the summary; those
    of the others from their periods: together they equal a count over everyone's periods,
    for the province, a commune and a village, with births on 29 February and 15th birthdays
    inside the window."""
    with transaction.atomic():
        for person in people:
            write_history(tree, person)
        for first, length in windows:
            last = min(first + datetime.timedelta(days=length), timezone.localdate())
            for unit in (tree.province, tree.commune, tree.village):
                changes = labor_changes(unit, first, last)
                # The versions kept in the summary are those the periods hold.
                assert sorted(read_versions(unit, first, last)) == sorted(
                    row for row in _edits(unit, first, last) if row[-1]
                ), (unit, first, last)
                assert {
                    key: getattr(changes, key)
                    for key in counted_from_the_periods(unit, first, last)
                } == counted_from_the_periods(unit, first, last), (unit, first, last)
        transaction.set_rollback(True)
