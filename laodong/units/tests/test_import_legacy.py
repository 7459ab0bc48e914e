from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from laodong.conftest import Tree
from laodong.units.actions import import_legacy_units, primary_successor
from laodong.units.models import Level, Unit, UnitSuccession, UnitType

HEADER = "ma_tinh_cu,ten_tinh_cu,ma_huyen_cu,ten_huyen_cu,ma_xa_cu,ten_xa_cu,ma_xa_moi,chinh\n"
# Illustrative rows shaped like the 2025 Cẩm Thủy mergers; codes are test data, not official.
GOOD = HEADER + (
    "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15100,Xã Cẩm Long,15178,\n"
    "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15103,Xã Cẩm Phú,15178,\n"
    "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15106,Thị trấn Phong Sơn,15178,1\n"
    "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15106,Thị trấn Phong Sơn,15142,0\n"
)


def run(text: str) -> object:
    return import_legacy_units(
        acting_user=None, stream=io.BytesIO(text.encode()), filename="map.csv", source="test"
    )


def test_old_units_are_recorded_with_end_dates_and_successors(tree: Tree) -> None:
    report = run(GOOD)
    assert report.ok, [str(e) for e in report.errors]  # type: ignore[attr-defined]
    old = Unit.objects.get(level=Level.COMMUNE, code="15100")
    assert old.valid_to == datetime.date(2025, 6, 30)
    assert old.parent is not None and old.parent.unit_type == UnitType.HUYEN
    assert old.parent.parent is not None and old.parent.parent.valid_to is not None
    assert Unit.objects.get(code="15106").unit_type == UnitType.THI_TRAN
    assert primary_successor(old) == tree.commune
    split = Unit.objects.get(code="15106")
    assert set(split.successions.values_list("successor__code", "is_primary")) == {
        ("15178", True),
        ("15142", False),
    }
    assert primary_successor(split) == tree.commune
    # Current units are untouched and the old province does not replace the new one.
    assert Unit.objects.current().get(level=Level.PROVINCE, code="38") == tree.province


def test_reimport_changes_nothing(tree: Tree) -> None:
    run(GOOD)
    units, links = Unit.objects.count(), UnitSuccession.objects.count()
    report = run(GOOD)
    assert report.created == 0  # type: ignore[attr-defined]
    assert (Unit.objects.count(), UnitSuccession.objects.count()) == (units, links)


def test_bad_rows_write_nothing(tree: Tree) -> None:
    bad = HEADER + (
        "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15100,Xã Cẩm Long,99999,\n"  # unknown successor
        "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15103,Xã Cẩm Phú,15178,\n"
        "38,Tỉnh Thanh Hóa,390,Huyện Khác,15109,Xã A,15178,\n"  # 390 renamed
        "38,Tỉnh Thanh Hóa,391,Huyện B,15112,Xã B,15178,\n"
        "38,Tỉnh Thanh Hóa,391,Huyện B,15112,Xã B,15142,\n"  # split, no primary
        "3x,Tỉnh Thanh Hóa,391,Huyện B,15115,Xã C,15142,\n"  # bad code
    )
    units = Unit.objects.count()
    report = run(bad)
    assert [str(e) for e in report.errors] == [  # type: ignore[attr-defined]
        "Dòng 2, cột G (ma_xa_moi): Không có xã hiện hành mã “99999”. Hãy nạp danh mục đơn vị "
        "hiện hành trước (laodong units load) và kiểm tra mã.",
        "Dòng 4, cột D (ten_huyen_cu): Mã 390 đã mang tên “Huyện Cẩm Thủy” ở dòng 2.",
        "Dòng 7, cột A (ma_tinh_cu): Mã phải gồm tối đa 2 chữ số.",
        "Dòng 5, cột H (chinh): Xã cũ mã 15112 được chia cho 2 xã mới: đánh dấu đúng một dòng "
        "chính (chinh = 1).",
    ]
    assert Unit.objects.count() == units


def test_command_reports_errors_and_fails(tree: Tree, tmp_path: object) -> None:
    import pathlib

    assert isinstance(tmp_path, pathlib.Path)
    path = tmp_path / "map.csv"
    path.write_text(HEADER + "38,Tỉnh Thanh Hóa,390,Huyện Cẩm Thủy,15100,Xã Cẩm Long,99999,\n")
    with pytest.raises(CommandError):
        call_command("units", "import-legacy", str(path))
    path.write_text(GOOD)
    out = io.StringIO()
    call_command("units", "import-legacy", str(path), stdout=out)
    assert "Tạo mới 9" in out.getvalue()
