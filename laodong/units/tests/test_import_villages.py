from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from laodong.accounts.models import Role, User
from laodong.conftest import Tree
from laodong.units.actions import import_villages
from laodong.units.models import Level, Unit, UnitType


def xlsx(rows: list[list[object]], merge: str = "") -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Thôn"
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def villages(commune: Unit) -> list[str]:
    return sorted(
        Unit.objects.filter(parent=commune, level=Level.VILLAGE).values_list("name", flat=True)
    )


def test_header_below_title_rows_without_diacritics_and_extra_columns(
    tree: Tree, users: dict[str, User]
) -> None:
    file = xlsx(
        [
            ["DANH SÁCH THÔN, TỔ DÂN PHỐ", None, None, None],
            ["(kèm theo Kế hoạch số 12/KH-UBND)", None, None, None],
            ["STT", "MA XA", "ten thon", "Ghi chú"],
            [1, 15178, "Thôn 3", "mới"],
            [2, "15178", "Tổ dân phố Đông", ""],
            [None, None, None, None],
            [3, "15142", "  Bản   Mường ", ""],
        ],
        merge="A1:D1",
    )
    report = import_villages(
        acting_user=users[Role.SYSTEM_ADMINISTRATOR], stream=file, filename="thon.xlsx"
    )
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 3
    assert report.unknown_headers == ["STT", "Ghi chú"]
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2", "Thôn 3", "Tổ dân phố Đông"]
    assert Unit.objects.get(name="Tổ dân phố Đông").unit_type == UnitType.TO_DAN_PHO
    assert Unit.objects.get(name="Bản Mường").unit_type == UnitType.BAN


def test_reimporting_the_same_file_changes_nothing(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    rows = [["Mã xã", "Tên thôn", "Mã thôn"], ["15178", "Thôn 3", "T03"], ["15178", "thôn 1", ""]]
    first = import_villages(acting_user=officer, stream=xlsx(rows), filename="a.xlsx")
    assert (first.created, first.unchanged) == (1, 1)
    second = import_villages(acting_user=officer, stream=xlsx(rows), filename="a.xlsx")
    assert (second.created, second.unchanged) == (0, 2)
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2", "Thôn 3"]


def test_bad_rows_are_reported_with_row_and_column_and_nothing_is_written(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    file = xlsx(
        [
            ["Mã xã", "Tên thôn", "Mã thôn", "Loại"],
            ["15178", "Thôn 5", "", ""],  # fine, but must not be written
            ["", "Thôn 6", "", ""],  # no commune code
            ["99999", "Thôn 7", "", ""],  # unknown commune
            ["15142", "Thôn 8", "", ""],  # another commune: outside the officer's scope
            ["15178", "Thôn 5", "", ""],  # duplicate of row 2
            ["15178", "Thôn 9", "", "lâu đài"],  # unknown type
            ["15178", "", "", ""],  # no name
        ]
    )
    report = import_villages(acting_user=officer, stream=file, filename="thon.xlsx")
    assert [str(e) for e in report.errors] == [
        "Trang tính “Thôn”, Dòng 3, cột A (Mã xã): Để trống. Hãy ghi mã xã gồm 5 chữ số.",
        "Trang tính “Thôn”, Dòng 4, cột A (Mã xã): Không có xã mã “99999” trong phạm vi của "
        "bạn. Hãy kiểm tra mã xã (5 chữ số, theo danh mục từ 01/07/2025).",
        "Trang tính “Thôn”, Dòng 5, cột A (Mã xã): Không có xã mã “15142” trong phạm vi của "
        "bạn. Hãy kiểm tra mã xã (5 chữ số, theo danh mục từ 01/07/2025).",
        "Trang tính “Thôn”, Dòng 6, cột B (Tên thôn): Trùng với dòng 2.",
        "Trang tính “Thôn”, Dòng 7, cột D (Loại): Không hiểu loại “lâu đài”. Hãy ghi một trong: "
        "thôn, xóm, bản, ấp, tổ dân phố, khu phố…",
        "Trang tính “Thôn”, Dòng 8, cột B (Tên thôn): Tên thôn không được để trống.",
    ]
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2"]


def test_a_code_already_used_in_the_commune_is_refused(tree: Tree, users: dict[str, User]) -> None:
    tree.village.code = "T01"
    tree.village.save()
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER],
        stream=xlsx([["Mã xã", "Tên thôn", "Mã thôn"], ["15178", "Thôn 4", "T01"]]),
        filename="x.xlsx",
    )
    assert [e.message for e in report.errors] == ["Mã thôn “T01” đã được dùng trong xã."]


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01garbage", "thon.xlsx", "Không đọc được tệp Excel"),
        ("Mã xã;Tên thôn\n15178;Thôn 3\n".encode("latin-1"), "thon.csv", "không ở mã UTF-8"),
        (b"a,b\n1,2\n", "thon.csv", "Không tìm thấy dòng tiêu đề"),
        (b"anything", "thon.pdf", "Chỉ nhận tệp .xlsx hoặc .csv"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    content: bytes, name: str, message: str, tree: Tree, users: dict[str, User]
) -> None:
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=io.BytesIO(content), filename=name
    )
    assert message in report.file_error
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2"]


def test_csv_with_semicolons_and_bom(tree: Tree, users: dict[str, User]) -> None:
    content = "\ufeffMã xã;Tên thôn\n15178;Xóm Chùa\n".encode()
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=io.BytesIO(content), filename="thon.csv"
    )
    assert report.ok
    assert Unit.objects.get(name="Xóm Chùa").unit_type == UnitType.XOM


def test_roles_without_the_capability_cannot_import(tree: Tree, users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        import_villages(
            acting_user=users[Role.ENUMERATOR],
            stream=xlsx([["Mã xã", "Tên thôn"], ["15178", "Thôn 3"]]),
            filename="x.xlsx",
        )
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2"]


def test_a_village_added_meanwhile_rolls_the_whole_import_back(
    tree: Tree, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from laodong.units import actions

    real = actions._validate_village
    calls = {"n": 0}

    def another_officer_adds_thon_4(*args: object, **kwargs: object) -> str:
        # Calls 1-2 are the row checks; call 3 is the first write, when someone else has
        # just added "Thôn 4", which the second write then finds.
        calls["n"] += 1
        if calls["n"] == 3:
            Unit.objects.create(
                name="Thôn 4", level=Level.VILLAGE, parent=tree.commune, unit_type=UnitType.THON
            )
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(actions, "_validate_village", another_officer_adds_thon_4)
    rows = [["Mã xã", "Tên thôn"], ["15178", "Thôn 3"], ["15178", "Thôn 4"]]
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=xlsx(rows), filename="x.xlsx"
    )
    assert [str(e) for e in report.errors] == [
        "Trang tính “Thôn”, Dòng 3, cột B (Tên thôn): Xã đã có thôn “Thôn 4”."
    ]
    assert report.created == 0
    assert "Thôn 3" not in villages(tree.commune)


def test_two_rows_with_one_code_are_refused(tree: Tree, users: dict[str, User]) -> None:
    rows = [["Mã xã", "Tên thôn", "Mã thôn"], ["15178", "Thôn 3", "T9"], ["15178", "Thôn 4", "T9"]]
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=xlsx(rows), filename="x.xlsx"
    )
    assert [str(e) for e in report.errors] == [
        "Trang tính “Thôn”, Dòng 3, cột C (Mã thôn): Trùng mã thôn với dòng 2."
    ]
    assert villages(tree.commune) == ["Thôn 1", "Thôn 2"]


def test_a_village_file_longer_than_the_limit_is_refused_before_anything_is_written(
    tree: Any, users: Any, settings: Any
) -> None:
    """Villages are written within the request: a file is bounded to fit a proxy's 30 s."""
    import io

    from openpyxl import Workbook

    from laodong.accounts.models import Role
    from laodong.units.actions import import_villages

    settings.LAODONG_VILLAGE_IMPORT_ROWS = 30
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã xã", "Tên thôn"])
    for number in range(60):
        sheet.append(["15178", f"Thôn số {number}"])
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    before = Unit.objects.count()
    report = import_villages(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], stream=buffer, filename="thon.xlsx"
    )
    assert "Tệp có hơn 30 dòng" in report.file_error and "chia" in report.file_error
    assert Unit.objects.count() == before
