"""Labor statistics against people counted by hand (tests/factories.py)."""

from __future__ import annotations

import datetime

import pytest

from laodong.accounts.models import Role, User
from laodong.conftest import Tree
from laodong.register.actions import record_person, update_person
from laodong.register.tests.test_actions import ANSWERS
from laodong.reports.statistics import (
    SUMMARY_COLUMNS,
    Figures,
    Statistics,
    Table,
    build_tables,
    labor_statistics,
    summary,
    years_before,
)
from laodong.reports.tests.factories import DAY, hand_counted


def rows(statistics: Statistics, key: str) -> list[tuple[str, int, int, int]]:
    table = next(t for t in statistics.tables() if t.key == key)
    return [(row.label, row.total, row.male, row.female) for row in table.rows]


@pytest.fixture
def commune_figures(tree: Tree) -> Statistics:
    hand_counted(tree)
    return labor_statistics(tree.commune, DAY)


def test_age_groups_and_sex_count_people_15_and_over_on_the_day(
    commune_figures: Statistics,
) -> None:
    assert rows(commune_figures, "age") == [
        ("Tổng số người từ 15 tuổi trở lên", 6, 3, 3),
        ("15–24", 1, 0, 1),
        ("25–34", 1, 1, 0),
        ("35–44", 1, 0, 1),
        ("45–54", 0, 0, 0),
        ("55–59", 1, 0, 1),
        ("60+", 2, 2, 0),
    ]


def test_activity_status_with_the_labor_force_subtotal(commune_figures: Statistics) -> None:
    assert rows(commune_figures, "activity") == [
        ("Tổng số người từ 15 tuổi trở lên", 6, 3, 3),
        ("Lực lượng lao động", 4, 2, 2),
        ("Có việc làm", 3, 1, 2),
        ("Thất nghiệp", 1, 1, 0),
        ("Không tham gia hoạt động kinh tế", 2, 1, 1),
        ("Chưa xác định", 0, 0, 0),
    ]
    table = next(t for t in commune_figures.tables() if t.key == "activity")
    assert [row.share for row in table.rows] == [100.0, 66.7, 50.0, 16.7, 33.3, 0.0]


def test_the_employed_by_status_workplace_insurance_and_contract(
    commune_figures: Statistics,
) -> None:
    status = rows(commune_figures, "employment_status")
    assert status[0] == ("Tổng số người có việc làm", 3, 1, 2)
    assert [r[1] for r in status[1:]] == [0, 1, 1, 1, 0, 0]  # owner, self, family, wage, coop, ?
    workplace = rows(commune_figures, "workplace_type")
    assert [r[1] for r in workplace] == [3, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0]
    assert rows(commune_figures, "social_insurance") == [
        ("Tổng số người có việc làm", 3, 1, 2),
        ("Có tham gia bảo hiểm xã hội", 1, 1, 0),
        ("Bắt buộc", 1, 1, 0),
        ("Tự nguyện", 0, 0, 0),
        ("Chưa rõ loại", 0, 0, 0),
        ("Không tham gia", 1, 0, 1),
        ("Chưa xác định", 1, 0, 1),
    ]
    assert rows(commune_figures, "labor_contract") == [
        ("Tổng số người có việc làm", 3, 1, 2),
        ("Có hợp đồng lao động", 1, 1, 0),
        ("HĐLĐ xác định thời hạn", 0, 0, 0),
        ("HĐLĐ không xác định thời hạn", 1, 1, 0),
        ("Chưa rõ loại", 0, 0, 0),
        ("Không có hợp đồng lao động", 1, 0, 1),
        ("Chưa xác định", 1, 0, 1),
    ]


def test_the_unemployed_and_the_inactive(commune_figures: Statistics) -> None:
    assert rows(commune_figures, "unemployment_duration") == [
        ("Tổng số người thất nghiệp", 1, 1, 0),
        ("Dưới 3 tháng", 0, 0, 0),
        ("Từ 3 tháng đến 1 năm", 0, 0, 0),
        ("Trên 1 năm", 1, 1, 0),
        ("Chưa xác định", 0, 0, 0),
    ]
    assert [r[1] for r in rows(commune_figures, "unemployed_before")] == [1, 0, 1, 0]
    assert rows(commune_figures, "inactivity_reason") == [
        ("Tổng số người không tham gia hoạt động kinh tế", 2, 1, 1),
        ("Đi học", 1, 0, 1),
        ("Hưu trí", 1, 1, 0),
        ("Nội trợ", 0, 0, 0),
        ("Khuyết tật", 0, 0, 0),
        ("Khác", 0, 0, 0),
        ("Chưa xác định", 0, 0, 0),
    ]


def test_education_qualification_and_priority_groups(commune_figures: Statistics) -> None:
    assert [r[1] for r in rows(commune_figures, "general_education")] == [6, 0, 2, 1, 2, 1]
    qualification = rows(commune_figures, "qualification")
    assert [r[1] for r in qualification] == [6, 2, 1, 0, 1, 0, 0, 1, 0, 1, 2]
    assert qualification[-1] == ("Trong đó: đã qua đào tạo từ sơ cấp trở lên", 2, 2, 0)
    assert rows(commune_figures, "priority") == [
        ("Số người thuộc ít nhất một nhóm", 2, 2, 0),
        ("Người khuyết tật", 1, 1, 0),
        ("Thuộc hộ nghèo", 1, 1, 0),
        ("Thuộc hộ cận nghèo", 0, 0, 0),
        ("Thuộc hộ bị thu hồi đất", 0, 0, 0),
        ("Thân nhân của người có công với cách mạng", 0, 0, 0),
        ("Dân tộc thiểu số", 1, 1, 0),
    ]


def test_a_past_date_counts_the_answers_then_in_force(tree: Tree) -> None:
    hand_counted(tree)
    spring = labor_statistics(tree.commune, datetime.date(2026, 5, 6))
    # The pupil was 14; the retiree still ran a business; the jobseeker was 59.
    assert rows(spring, "activity")[:5] == [
        ("Tổng số người từ 15 tuổi trở lên", 4, 3, 1),
        ("Lực lượng lao động", 4, 3, 1),
        ("Có việc làm", 3, 2, 1),
        ("Thất nghiệp", 1, 1, 0),
        ("Không tham gia hoạt động kinh tế", 0, 0, 0),
    ]
    assert rows(spring, "employment_status")[1][1] == 1  # the business owner
    assert rows(spring, "age")[5] == ("55–59", 2, 1, 1)
    # The day after, the newcomer is in and the child has turned 15.
    after = labor_statistics(tree.commune, DAY + datetime.timedelta(days=1))
    assert rows(after, "age")[0][1] == 8
    # Before the pupil's birthday.
    eve = labor_statistics(tree.commune, DAY - datetime.timedelta(days=1))
    assert rows(eve, "age")[0][1] == 4  # no pupil, and the helper recorded late on DAY


def test_the_province_rolls_up_its_communes_and_each_village_its_people(tree: Tree) -> None:
    hand_counted(tree)
    province = labor_statistics(tree.province, DAY)
    assert [child.name for child, _figures in province.children] == ["Xã Cẩm Thạch", "Xã Cẩm Tân"]
    assert [summary(figures)[0] for _child, figures in province.children] == [1, 6]
    assert rows(province, "age")[0] == ("Tổng số người từ 15 tuổi trở lên", 7, 4, 3)
    # Every figure of every table of the province is the sum of its communes'.
    for table_index, table in enumerate(province.tables()):
        parts = [build_tables(figures)[table_index] for _child, figures in province.children]
        for row_index, row in enumerate(table.rows):
            for column in range(3):
                assert row.values[column] == sum(p.rows[row_index].values[column] for p in parts)
    commune = labor_statistics(tree.commune, DAY)
    assert [(c.name, summary(f)) for c, f in commune.children] == [
        ("Thôn 1", [3, 1, 0, 2, 1, 1, 1]),
        ("Thôn 2", [3, 2, 1, 0, 0, 0, 1]),
    ]
    assert len(SUMMARY_COLUMNS) == 7
    village = labor_statistics(tree.village, DAY)
    assert rows(village, "age")[0][1:] == (3, 2, 1) and village.children == []
    country = labor_statistics(tree.country, DAY)
    assert [(c.name, summary(f)[0]) for c, f in country.children] == [
        ("Hà Nội", 0),
        ("Thanh Hóa", 7),
    ]


def test_an_empty_unit_has_zero_tables_without_shares(tree: Tree) -> None:
    tables: list[Table] = build_tables(Figures())
    assert len(tables) == 12
    assert all(row.total == 0 and row.share is None for t in tables for row in t.rows)


def test_the_register_actions_keep_the_statistics_current(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    today = datetime.date.today()
    assert rows(labor_statistics(tree.commune, today), "activity")[2][1] == 1
    update_person(
        acting_user=officer,
        person=person,
        answers={**ANSWERS, "qualification": "8"},
    )
    now = labor_statistics(tree.commune, today)
    assert rows(now, "age")[0][1] == 1  # one person, not two periods
    assert rows(now, "qualification")[8][1] == 1  # Trên đại học


def test_years_before_handles_29_february() -> None:
    assert years_before(datetime.date(2028, 2, 29), 15) == datetime.date(2013, 2, 28)
    assert years_before(datetime.date(2026, 11, 22), 60) == datetime.date(1966, 11, 22)
