"""The report pages and files: who may see which unit, what they show, what they log."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login, make_user
from laodong.reports.tests.factories import employed, hand_counted, make_person

STATISTICS = reverse("reports-view-statistics")
NO_REPORTS = {Role.ENUMERATOR}


def trimmed(cells: list[Any]) -> list[Any]:
    while cells and cells[-1] is None:
        cells.pop()
    return cells


@pytest.fixture
def people(tree: Tree) -> Tree:
    hand_counted(tree)
    return tree


@pytest.mark.parametrize("role", list(Role))
def test_every_role_but_enumerators_sees_statistics_of_its_own_unit(
    role: Role, people: Tree, users: dict[str, Any]
) -> None:
    response = login(users[role]).get(STATISTICS, {"day": "22/11/2026"})
    if role in NO_REPORTS:
        assert response.status_code == 403
        return
    assert response.status_code == 200
    assert response.context["unit"] == users[role].unit


def test_anonymous_users_are_sent_to_sign_in(people: Tree, client: Any) -> None:
    response = client.get(STATISTICS)
    assert response.status_code == 302 and "/login" in response["Location"]


@pytest.mark.parametrize(
    "role", [Role.COMMUNE_LABOR_OFFICER, Role.VILLAGE_HEAD, Role.PROVINCE_LABOR_DEPARTMENT]
)
def test_units_outside_the_scope_do_not_exist(
    role: Role, people: Tree, users: dict[str, Any]
) -> None:
    client = login(users[role])
    for unit in (people.far_commune, people.other_province):
        assert client.get(STATISTICS, {"unit": unit.pk}).status_code == 404
        url = reverse("reports-download-statistics", args=["xlsx"])
        assert client.get(url, {"unit": unit.pk}).status_code == 404
    assert client.get(STATISTICS, {"unit": "x1"}).status_code == 404
    if role != Role.PROVINCE_LABOR_DEPARTMENT:
        assert client.get(STATISTICS, {"unit": people.province.pk}).status_code == 404


def test_the_province_page_drills_down_to_communes_and_villages(
    people: Tree, users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    client.get(STATISTICS)  # the first reader writes the labor statistics' summary
    with django_assert_max_num_queries(15):
        page = client.get(STATISTICS, {"day": "22/11/2026"}).content.decode()
    assert "Xã Cẩm Tân" in page and f"?unit={people.commune.pk}&amp;day=22/11/2026" in page
    assert "<title>Thống kê người lao động · Tỉnh Thanh Hóa" in page
    assert 'href="#units">Xem số liệu của 2 đơn vị trực thuộc' in page
    commune = client.get(STATISTICS, {"unit": people.commune.pk, "day": "22/11/2026"})
    assert [child.name for child, _values in commune.context["children"]] == ["Thôn 1", "Thôn 2"]
    assert commune.context["total"][0] == 6
    village = client.get(STATISTICS, {"unit": people.village.pk, "day": "22/11/2026"})
    assert village.context["children"] == [] and village.context["total"][0] == 3
    assert "Thanh Hóa" in village.content.decode()  # the breadcrumbs lead back up


def test_the_drawn_tables_are_drawn_again_after_a_write(
    people: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    query = {"unit": people.commune.pk, "day": "22/11/2026"}
    first = client.get(STATISTICS, query)  # catches the summary up: not kept yet
    assert first.context["total"][0] == 6
    assert client.get(STATISTICS, query).context["total"][0] == 6  # drawn and kept
    again = client.get(STATISTICS, query)
    assert "total" not in again.context  # the tables came from the cache, not drawn again
    make_person(people.village, datetime.date(1990, 1, 1), employed(sex=2))
    after = client.get(STATISTICS, query)
    assert after.context["total"][0] == 7


def test_the_query_count_does_not_grow_with_units(
    people: Tree, users: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    client.get(STATISTICS)
    # Of them, twice the communes of the province and two looks at what the summary has to
    # catch up (for the drawn tables kept in the cache, then for the figures); three more on
    # PostgreSQL: the summary query's settings, in a transaction (a savepoint inside the
    # test's).
    expected = 12 + 3 * (connection.vendor == "postgresql")
    with django_assert_num_queries(expected) as few:
        client.get(STATISTICS, {"day": "22/11/2026"})
    # The same page again: its tables are drawn from the cache while the summary is unchanged.
    with django_assert_num_queries(6):
        client.get(STATISTICS, {"day": "22/11/2026"})
    from laodong.conftest import make_unit
    from laodong.units.models import Level

    commune = {"unit": people.commune.pk, "day": "22/11/2026"}
    with django_assert_num_queries(expected - 1) as few:  # a commune's communes: itself
        client.get(STATISTICS, commune)
    for number in range(5):
        make_unit(f"Thôn mới {number}", Level.VILLAGE, people.commune)
    from django.core.cache import cache

    cache.clear()  # the same figures again would come from the cache, with fewer queries
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(STATISTICS, commune)


def test_a_bad_or_future_date_is_explained_and_today_shown(
    people: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    page = client.get(STATISTICS, {"day": "31/02/2026"}).content.decode()
    assert "Ngày “31/02/2026” không đúng" in page
    page = client.get(STATISTICS, {"day": "01/01/2099"}).content.decode()
    assert "Chưa có số liệu của ngày tương lai" in page


def test_the_excel_file_holds_the_same_figures_and_is_logged(
    people: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    url = reverse("reports-download-statistics", args=["xlsx"])
    response = client.get(url, {"unit": people.province.pk, "day": "22/11/2026"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="statistics-38-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [trimmed([cell.value for cell in row]) for row in sheet.iter_rows()]
    assert values[0][0] == "UBND TỈNH THANH HÓA"
    # Percentages are real percentages in Excel (1 = 100 %), formatted as such.
    assert ["Tổng số người từ 15 tuổi trở lên", 7, 4, 3, 1] in values
    assert ["Xã Cẩm Tân", 6, 3, 1, 2, 1, 1, 2] in values
    assert ["Cộng", 7, 4, 1, 2, 2, 2, 3] in values
    assert ["Số liệu đến hết ngày 22/11/2026"] in values
    # A five-column table does not box the empty cells beside it (the unit table is wider).
    row = next(r for r in sheet.iter_rows() if r[0].value == "Tổng số người từ 15 tuổi trở lên")
    assert row[4].border.left.style == "thin" and row[5].border.left.style is None
    assert row[4].number_format == "0.0%"
    unit_row = next(r for r in sheet.iter_rows() if r[0].value == "Xã Cẩm Tân")
    assert unit_row[0].alignment.horizontal == "left"
    event = AuditEvent.objects.get(action="reports.download")
    assert event.actor == users[Role.PROVINCE_LABOR_DEPARTMENT]
    assert event.details["format"] == "xlsx" and event.unit == people.province


def test_the_pdf_is_an_a4_report_with_heading_tables_and_signatures(
    people: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    url = reverse("reports-download-statistics", args=["pdf"])
    response = client.get(url, {"day": "22/11/2026"})
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for expected in (
        "UBND XÃ CẨM TÂN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "THỐNG KÊ NGƯỜI LAO ĐỘNG",
        "Theo nhóm tuổi và giới tính",
        "Thôn 2",
        # A commune's report is signed as the commune signs.
        "TM. ỦY BAN NHÂN DÂN\nCHỦ TỊCH",
    ):
        assert expected in text
    # The signatures never stand alone on the last page: table rows come with them.
    last = reader.pages[-1].extract_text()
    assert "NGƯỜI LẬP BIỂU" in last and "Cộng" in last
    assert round(float(reader.pages[0].mediabox.width)) == 595  # A4 portrait


def test_other_formats_are_not_served(people: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    url = reverse("reports-download-statistics", args=["exe"])
    assert client.get(url).status_code == 404
    assert AuditEvent.objects.filter(action="reports.download").count() == 0


def test_a_locked_account_sees_nothing(people: Tree) -> None:
    user = make_user(Role.COMMUNE_LABOR_OFFICER, people.commune, "locked", is_active=False)
    assert login(user).get(STATISTICS).status_code in (302, 403)
