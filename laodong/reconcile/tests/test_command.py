"""`laodong reconcile`: two files as communes have them, and a file against the register."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laodong.collection.tests.data.messy_lists import messy_police_list
from laodong.reconcile.tests.data.commune_lists import PEOPLE, POLICE_ROW_OFFSET, commune_csv


def run(*args: str) -> tuple[list[dict[str, str]], str]:
    out = StringIO()
    call_command("reconcile", *args, stdout=out)
    target = Path(args[args.index("--out") + 1])
    with target.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle)), out.getvalue()


def test_commune_list_against_the_police_list(tmp_path: Path) -> None:
    left = commune_csv(tmp_path / "xa.csv")
    right = messy_police_list(tmp_path / "cong-an.xlsx")
    rows, printed = run(str(left), str(right), "--out", str(tmp_path / "out.csv"))
    assert list(rows[0]) == ["left_row", "right_row", "outcome", "score", "reasons"]
    pairs = {
        int(r["left_row"]): int(r["right_row"])
        for r in rows
        if r["outcome"] in ("match", "conflict")
    }
    # The commune's list starts under its header with the column-number row: person n is
    # data row n + 1, as in the police list.
    expected = {
        n + 1: police + POLICE_ROW_OFFSET
        for n, (*_rest, police) in enumerate(PEOPLE, start=1)
        if police
    }
    assert pairs == expected
    by_left = {int(r["left_row"]): r for r in rows if r["left_row"]}
    assert by_left[2]["outcome"] == "conflict"  # "Nguyen Van An": no diacritics
    assert "không dấu" in by_left[2]["reasons"]
    assert "đảo ngày và tháng" in by_left[2]["reasons"]
    assert by_left[2]["reasons"].endswith("khác: họ tên, ngày sinh")
    assert "thiếu chữ" in by_left[3]["reasons"]  # "Lê Bình" / "LÊ THỊ BÌNH"
    assert "sai một ký tự" in by_left[5]["reasons"]  # "Hao" / "Hoa"
    assert by_left[6]["reasons"] == "trùng số định danh"  # by ID, nothing differs
    assert by_left[6]["outcome"] == "match"
    assert by_left[8]["outcome"] == "match"
    assert float(by_left[8]["score"]) == 1.0
    assert by_left[9]["outcome"] == "left_only"  # the look-alike born in 1963
    assert by_left[10]["outcome"] == "left_only"
    right_only = {int(r["right_row"]) for r in rows if r["outcome"] == "right_only"}
    assert right_only == {5, 6, 7, 9, 12}
    assert "khớp" in printed and "left_only" in printed


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"\x00\x01garbage", "x.xlsx", "Không đọc được tệp Excel"),
        (b"a,b,c\n1,2,3\n", "x.csv", "Không tìm thấy dòng tiêu đề"),
        (b"Ho ten,Ngay sinh\n", "x.pdf", "Chỉ nhận tệp"),
    ],
)
def test_unreadable_input_exits_2_with_a_message(
    tmp_path: Path, content: bytes, name: str, message: str
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    good = commune_csv(tmp_path / "xa.csv")
    with pytest.raises(CommandError) as raised:
        call_command("reconcile", str(good), str(bad), "--out", str(tmp_path / "o.csv"))
    assert raised.value.returncode == 2
    assert message in str(raised.value)


def test_missing_file_exits_2(tmp_path: Path) -> None:
    with pytest.raises(CommandError) as raised:
        call_command("reconcile", str(tmp_path / "none.csv"), str(tmp_path / "x.csv"),
                     "--out", str(tmp_path / "o.csv"))  # fmt: skip
    assert raised.value.returncode == 2


@pytest.mark.django_db
def test_a_file_against_a_communes_register(tmp_path: Path, tree: Any, users: Any) -> None:
    from laodong.accounts.models import Role
    from laodong.register.tests.test_actions import record

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    an = record(officer, tree)
    lan = record(
        officer, tree, ("id.missing",), full_name="Lò Thị Lan", birth_date="01/02/1985",
        sex="Nữ", personal_id="", household_code="H5",
    )  # fmt: skip
    source = tmp_path / "ds.csv"
    source.write_text(
        "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn\n"
        "Nguyễn Văn An,12/03/1990,Nam,038090012345,Thôn 1\n"
        "Lo Thi Lan,01/02/1985,Nữ,038185000001,Thôn 1\n"
        "Người Khác,01/01/2000,Nam,038200000001,Thôn 1\n",
        encoding="utf-8",
    )
    rows, printed = run(
        str(source), "--commune", tree.commune.code, "--out", str(tmp_path / "o.csv")
    )
    by_left = {int(r["left_row"]): r for r in rows if r["left_row"]}
    assert by_left[1]["right_row"] == str(an.pk) and by_left[1]["outcome"] == "match"
    assert by_left[2]["right_row"] == str(lan.pk) and by_left[2]["outcome"] == "conflict"
    assert by_left[3]["outcome"] == "left_only"
    assert "cơ sở dữ liệu xã" in printed


@pytest.mark.django_db
def test_an_unknown_commune_is_refused(tmp_path: Path) -> None:
    good = commune_csv(tmp_path / "xa.csv")
    with pytest.raises(CommandError, match="Không có xã"):
        call_command("reconcile", str(good), "--commune", "99999", "--out", str(tmp_path / "o.csv"))
