"""Changes between two dates, against people counted by hand."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.conftest import Tree, login
from laodong.register.models import Source
from laodong.reports.changes import NOT_YET, changes_document, labor_changes
from laodong.reports.tests.factories import DAY, employed, hand_counted, make_person, moment

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
