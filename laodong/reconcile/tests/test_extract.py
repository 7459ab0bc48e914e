"""A population-database extract compared item by item with the register."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from laodong.accounts.models import Role
from laodong.conftest import Tree, login, make_user
from laodong.reconcile.models import ExtractComparison
from laodong.register.actions import update_person
from laodong.register.models import Person
from laodong.register.tests.test_actions import record

pytestmark = pytest.mark.django_db


def extract_file() -> bytes:
    """As the police export it: a title block, a two-row header, the column-number row, an ID
    Excel made a number, labels for coded items, a total under the table."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "CÔNG AN XÃ CẨM TÂN"
    sheet["A3"] = "TRÍCH XUẤT THÔNG TIN NGƯỜI LAO ĐỘNG TỪ CSDL QUỐC GIA VỀ DÂN CƯ"
    sheet.append([])
    sheet.append(["STT", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính",
                  "Trình độ chuyên môn kỹ thuật", None])  # fmt: skip
    sheet.append([None, None, None, None, None, None, None])
    sheet.append(["(1)", "(2)", "(3)", "(4)", "(5)", "(6)"])
    sheet.append([1, 38090012345, "Nguyễn Văn Ân", "12/03/1990", "Nam", "Cao đẳng"])
    sheet.append([2, "038192000002", "LÊ THỊ BÌNH", "05/05/1992", "Nữ", "Đại học"])
    sheet.append([3, "001099000777", "Người Lạ", "01/01/1999", "Nam", ""])
    sheet.append(["Tổng cộng: 3 người"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def people(tree: Tree, users: dict[str, Any]) -> dict[str, Person]:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    return {
        "an": record(officer, tree),  # qualification 5
        "binh": record(
            officer,
            tree,
            full_name="Lê Thị Bình",
            birth_date="05/05/1992",
            sex="Nữ",
            personal_id="038192000002",
            household_code="HGD002",
            qualification="7",
        ),
    }


def upload(client: Any) -> Any:
    return client.post(
        reverse("reconcile-list-extracts"),
        {"file": SimpleUploadedFile("trich-xuat.xlsx", extract_file())},
    )


def test_item_by_item_counted_per_item_and_village(
    people: dict[str, Person], users: dict[str, Any], tree: Tree
) -> None:
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = upload(officer)
    assert response.status_code == 302
    comparison = ExtractComparison.objects.get()
    assert (comparison.rows_read, comparison.matched, comparison.unmatched) == (3, 2, 1)
    # An: "Ân" is another name; qualification "Cao đẳng" (6) against 5. Bình: case only, and
    # qualification "Đại học" is 7 as in the register: nothing.
    assert comparison.counts == {"full_name": 1, "qualification": 1}
    assert comparison.people_differing == 1
    assert comparison.by_village[0]["village"] == tree.village.label()
    page = officer.get(reverse("reconcile-view-extract", args=[comparison.pk])).content.decode()
    assert "Nguyễn Văn Ân" in page and "Người Lạ" in page
    assert "trich-xuat.xlsx" in officer.get(reverse("reconcile-list-extracts")).content.decode()
    book = load_workbook(
        io.BytesIO(officer.get(reverse("reconcile-export-extract", args=[comparison.pk])).content)
    )
    assert len(list(book.active.iter_rows())) == 2 + 3  # type: ignore[union-attr]


def test_rerun_after_the_register_is_corrected(
    people: dict[str, Person], users: dict[str, Any]
) -> None:
    officer_user = users[Role.COMMUNE_LABOR_OFFICER]
    officer = login(officer_user)
    upload(officer)
    first = ExtractComparison.objects.get()
    an = people["an"]
    update_person(
        acting_user=officer_user,
        person=an,
        answers={**an.answers, "full_name": "Nguyễn Văn Ân", "qualification": "6"},
    )
    response = officer.post(reverse("reconcile-rerun-extract", args=[first.pk]))
    assert response.status_code == 302
    second = ExtractComparison.objects.exclude(pk=first.pk).get()
    assert second.counts == {} and second.people_differing == 0
    assert ExtractComparison.objects.get(pk=first.pk).counts  # the first result is kept


def test_a_broken_file_is_explained_and_leaves_nothing(
    people: dict[str, Person], users: dict[str, Any]
) -> None:
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = officer.post(
        reverse("reconcile-list-extracts"),
        {"file": SimpleUploadedFile("x.csv", b"Ho ten,Ngay sinh\nA,1990\n")},
    )
    assert response.status_code == 400
    assert "Số định danh cá nhân" in response.content.decode()
    assert not ExtractComparison.objects.exists()


def test_roles_and_scope(people: dict[str, Person], users: dict[str, Any], tree: Tree) -> None:
    upload(login(users[Role.COMMUNE_LABOR_OFFICER]))
    comparison = ExtractComparison.objects.get()
    for role in (Role.COMMUNE_POLICE, Role.ENUMERATOR, Role.COMMUNE_LEADER):
        client = login(users[role])
        assert client.get(reverse("reconcile-list-extracts")).status_code == 403
        assert (
            client.get(reverse("reconcile-view-extract", args=[comparison.pk])).status_code == 403
        )
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "other_officer"))
    assert stranger.get(reverse("reconcile-view-extract", args=[comparison.pk])).status_code == 404
    assert (
        stranger.post(reverse("reconcile-rerun-extract", args=[comparison.pk])).status_code == 404
    )


def _province_extract() -> bytes:
    """The province police's extract: people of two communes, a commune column."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "CÔNG AN TỈNH THANH HÓA"
    sheet.append([])
    sheet.append(["STT", "Số định danh cá nhân", "Họ và tên", "Ngày sinh", "Giới tính", "Xã",
                  "Trình độ chuyên môn kỹ thuật"])  # fmt: skip
    sheet.append([1, 38090012345, "Nguyễn Văn Ân", "12/03/1990", "Nam", "Cẩm Tân", "Cao đẳng"])
    sheet.append([2, "038192000002", "Lê Thị Bình", "05/05/1992", "Nữ", "Cẩm Tân", "Đại học"])
    sheet.append([3, "038085000123", "Hà Văn Sơn", "01/02/1985", "Nữ", "Cẩm Thạch", "Đại học"])
    sheet.append([4, "001099000777", "Người Lạ", "01/01/1999", "Nam", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_a_province_extract_is_compared_in_the_background_and_counted_per_commune(
    people: dict[str, Person], users: dict[str, Any], tree: Tree
) -> None:
    from django.test import TestCase

    from laodong.register.actions import record_person
    from laodong.register.tests.test_actions import ANSWERS

    other = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")
    record_person(
        acting_user=other,
        form_code="tt09-2025-m01",
        village=tree.other_village,
        answers={**ANSWERS, "full_name": "Hà Văn Sơn", "birth_date": "01/02/1985",
                 "personal_id": "038085000123", "household_code": "HGD009"},
    )  # fmt: skip
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        response = province.post(
            reverse("reconcile-list-extracts"),
            {"file": SimpleUploadedFile("trich-xuat-tinh.xlsx", _province_extract())},
        )
    assert response.status_code == 302
    comparison = ExtractComparison.objects.get()
    assert comparison.unit == tree.province and comparison.status == "queued"
    # While it waits, the page says so and polls.
    page = province.get(reverse("reconcile-view-extract", args=[comparison.pk])).content.decode()
    assert "Chờ so sánh" in page and "hx-get" in page
    for callback in queued:
        callback()
    comparison.refresh_from_db()
    assert comparison.status == "done"
    assert (comparison.rows_read, comparison.matched, comparison.unmatched) == (4, 3, 1)
    # An (name, qualification) in Cẩm Tân; Sơn (sex, qualification 5 against 7) in Cẩm Thạch.
    assert comparison.counts == {"full_name": 1, "qualification": 2, "sex": 1}
    assert {c["commune"]: c["people"] for c in comparison.by_commune} == {
        tree.commune.label(): 1,
        tree.other_commune.label(): 1,
    }
    assert f"{tree.other_village.label()} · {tree.other_commune.label()}" in [
        v["village"] for v in comparison.by_village
    ]
    polled = province.get(reverse("reconcile-view-extract", args=[comparison.pk]), {"status": 1})
    assert polled["HX-Refresh"] == "true"
    page = province.get(reverse("reconcile-view-extract", args=[comparison.pk])).content.decode()
    assert "Theo xã" in page and "Hà Văn Sơn" in page and "Xã Cẩm Thạch" in page
    # A commune sees neither the province's comparison nor its list; the province police and
    # another province's department are refused.
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert officer.get(reverse("reconcile-view-extract", args=[comparison.pk])).status_code == 404
    assert "trich-xuat-tinh" not in officer.get(reverse("reconcile-list-extracts")).content.decode()
    police = login(users[Role.PROVINCE_POLICE])
    assert police.get(reverse("reconcile-list-extracts")).status_code == 403
    hanoi = login(make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.other_province, "sold-hn"))
    assert hanoi.get(reverse("reconcile-view-extract", args=[comparison.pk])).status_code == 404


def test_a_province_extract_unreadable_past_its_header_fails_with_the_reason(
    people: dict[str, Person], users: dict[str, Any], tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.test import TestCase

    from laodong.core.tabular import TableError
    from laodong.reconcile import extract

    def broken(*args: Any) -> None:
        raise TableError("dòng 7: tệp bị hỏng")

    monkeypatch.setattr(extract, "_compare_batch", broken)
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    with TestCase.captureOnCommitCallbacks(execute=True):
        province.post(
            reverse("reconcile-list-extracts"),
            {"file": SimpleUploadedFile("trich-xuat-tinh.xlsx", _province_extract())},
        )
    comparison = ExtractComparison.objects.get()
    assert comparison.status == "failed" and "dòng 7: tệp bị hỏng" in comparison.message
    assert not comparison.mismatches.exists()
    page = province.get(reverse("reconcile-view-extract", args=[comparison.pk])).content.decode()
    assert "dòng 7: tệp bị hỏng" in page and "trich-xuat-tinh.xlsx" in page
