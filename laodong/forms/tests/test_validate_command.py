"""`laodong validate` finds every planted mistake and nothing in clean files."""

from __future__ import annotations

import csv
import datetime
import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from laodong.core.text import fold
from laodong.forms.definitions import get_form
from laodong.forms.samples import SampleForms
from laodong.forms.tests.test_validation import EMPLOYED, INACTIVE

FORM = get_form("tt11-2022-m03")
KEYS = [item.key for item in FORM.items]


def run(path: Path, *args: str) -> dict[str, Any]:
    out = io.StringIO()
    call_command("validate", str(path), "--today", "22/11/2026", *args, stdout=out)
    return json.loads(out.getvalue())


def write_xlsx(path: Path, rows: list[dict[str, Any]], headers: list[str]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH PHIẾU THÔNG TIN NGƯỜI LAO ĐỘNG"])
    sheet.append(["Xã Cẩm Tân, tháng 12/2023"])
    sheet.append([*headers, "Ghi chú"])
    for row in rows:
        sheet.append([row.get(key, "") for key in KEYS] + [""])
    book.save(path)


def write_csv(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([item.label for item in FORM.items])
        for row in rows:
            writer.writerow([row.get(key, "") for key in KEYS])


def ids() -> Any:
    generator = SampleForms(seed=7)
    while True:
        yield generator.personal_id(1990, "1")


PLANTED: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("required", EMPLOYED, {"sex": ""}),
    ("not_applicable", EMPLOYED, {"unemployment_duration": "1"}),
    ("choice.invalid", EMPLOYED, {"qualification": "Tiến sĩ khoa học"}),
    ("date.invalid", EMPLOYED, {"birth_date": "30/02/1990"}),
    ("text.too_long", EMPLOYED, {"village": "Thôn " + "Một" * 60}),
    ("name.characters", EMPLOYED, {"full_name": "Nguyễn Văn 2"}),
    ("text.unprintable", EMPLOYED, {"full_name": "Nguyễn Văn 王"}),
    ("digits.format", EMPLOYED, {"social_insurance_number": "38123"}),
    ("unit.code", EMPLOYED, {"commune": "Cẩm Tân"}),
    ("date.future", EMPLOYED, {"collection_date": "01/01/2027"}),
    ("age.under_15", INACTIVE, {"birth_date": "01/12/2012", "personal_id": "038212345678"}),
    ("age.uncertain", INACTIVE, {"birth_date": "2011", "personal_id": "038211345678"}),
    (
        "age.over_120",
        INACTIVE,
        {"birth_date": "01/01/1900", "personal_id": "038000345678", "inactivity_reason": "2"},
    ),
    (
        "age.over_100",
        INACTIVE,
        {"birth_date": "01/01/1925", "personal_id": "038025345678", "inactivity_reason": "2"},
    ),
    ("id.missing", EMPLOYED, {"personal_id": ""}),
    ("id.legacy", EMPLOYED, {"personal_id": "172345678"}),
    ("id.not_digits", EMPLOYED, {"personal_id": "03809O123456"}),
    ("id.length", EMPLOYED, {"personal_id": "0380901234"}),
    ("id.province", EMPLOYED, {"personal_id": "003090123456"}),
    ("id.birth_year_mismatch", EMPLOYED, {"personal_id": "038092123456"}),
    ("id.sex_mismatch", EMPLOYED, {"personal_id": "038190123456"}),
    ("contract.before_15", EMPLOYED, {"contract_start_date": "01/01/2004"}),
    ("contract.after_collection", EMPLOYED, {"contract_start_date": "20/11/2026"}),
    ("contract.not_employee", EMPLOYED, {"employment_status": "2"}),
    (
        "insurance.compulsory_without_contract",
        EMPLOYED,
        {"has_labor_contract": "2", "contract_type": "", "contract_start_date": ""},
    ),
    (
        "workplace.abroad_address",
        EMPLOYED,
        {"workplace_type": "8", "enterprise_type": "", "workplace_address": ""},
    ),
    ("priority.poor_and_near_poor", EMPLOYED, {"priority_groups": "2;3"}),
    ("priority.ethnic_kinh", EMPLOYED, {"priority_groups": "6", "ethnic_group": "Kinh"}),
    ("scope.armed_forces_text", EMPLOYED, {"job_description": "Quân nhân chuyên nghiệp"}),
    (
        "qualification.university_young",
        EMPLOYED,
        {
            "qualification": "7",
            "birth_date": "01/01/2008",
            "personal_id": "038208345678",
            "contract_start_date": "01/01/2025",
        },
    ),
    (
        "qualification.postgraduate_young",
        EMPLOYED,
        {
            "qualification": "8",
            "birth_date": "01/01/2006",
            "personal_id": "038206345678",
            "contract_start_date": "01/01/2025",
        },
    ),
    ("inactivity.retired_young", INACTIVE, {"inactivity_reason": "2"}),
    ("inactivity.student_old", INACTIVE, {"inactivity_reason": "1"}),
    ("duplicate.personal_id", EMPLOYED, {"personal_id": "REPEAT"}),
    ("duplicate.name_birth", EMPLOYED, {"personal_id": "", "full_name": "Lò Văn Pấng"}),
]


def test_every_planted_mistake_is_found(tmp_path: Path) -> None:
    fresh = ids()
    rows = [{**EMPLOYED, "personal_id": next(fresh)}]  # row 4: clean
    first_id = rows[0]["personal_id"]
    rows.append({**EMPLOYED, "personal_id": "", "full_name": "Lò Văn Pấng"})  # row 5
    for _rule, base, changes in PLANTED:
        row = {**base, "personal_id": next(fresh), **changes}
        if row["personal_id"] == "REPEAT":
            row["personal_id"] = first_id
        rows.append(row)
    # Headers as officials type them: some without diacritics, one numbered.
    headers = [
        fold(item.label) if index % 3 == 0 else item.label for index, item in enumerate(FORM.items)
    ]
    headers[KEYS.index("sex")] = "3. Giới tính"
    path = tmp_path / "phieu.xlsx"
    write_xlsx(path, rows, headers)

    report = run(path)

    assert report["form"] == "tt11-2022-m03"  # it has a district column
    assert report["header_row"] == 3
    assert report["ignored_columns"] == ["Ghi chú"]
    assert report["missing_columns"] == []
    found = {entry["row"]: {f["rule"] for f in entry["findings"]} for entry in report["rows"]}
    assert 4 not in found
    assert found[5] == {"id.missing"}
    for offset, (rule, _base, changes) in enumerate(PLANTED):
        rules = found.get(6 + offset, set())
        expected = {rule} | ({"id.missing"} if changes.get("personal_id") == "" else set())
        assert rules == expected, (rule, rules)
    assert report["summary"]["rows_read"] == len(rows)
    assert report["summary"]["rows_clean"] == 1


def test_a_clean_file_of_ten_thousand_rows_reports_nothing(tmp_path: Path) -> None:
    rows = list(SampleForms(seed=11, without_id_share=0).rows(10_000))
    path = tmp_path / "sach.csv"
    write_csv(path, rows)
    report = run(path)
    assert report["rows"] == []
    assert report["summary"] == {
        "rows_read": 10_000,
        "rows_not_people": 0,
        "rows_with_errors": 0,
        "rows_with_warnings": 0,
        "rows_clean": 10_000,
        "findings_by_rule": {},
    }


def test_the_form_can_be_named_and_the_reference_date_set(tmp_path: Path) -> None:
    path = tmp_path / "mot.csv"
    write_csv(path, [{**INACTIVE, "birth_date": "10/11/2011", "personal_id": "038211345678"}])
    assert run(path, "--form", "tt11-2022-m03")["rows"] == []
    late = run(path, "--form", "tt11-2022-m03", "--reference-date", "01/11/2026")
    assert late["rows"][0]["findings"][0]["rule"] == "age.under_15"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x00garbage", "Không đọc được tệp Excel"),
        (b"a,b\n1,2\n", "Không tìm thấy dòng tiêu đề"),
    ],
)
def test_unreadable_files_exit_non_zero(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / ("x.xlsx" if content.startswith(b"\x00") else "x.csv")
    path.write_bytes(content)
    with pytest.raises(CommandError, match=message) as raised:
        run(path)
    assert raised.value.returncode == 2


def test_reference_date_must_be_a_date(tmp_path: Path) -> None:
    path = tmp_path / "mot.csv"
    write_csv(path, [EMPLOYED])
    with pytest.raises(CommandError, match="dd/mm/yyyy"):
        run(path, "--reference-date", "hôm nay")


def test_today_is_the_real_date_by_default(tmp_path: Path) -> None:
    path = tmp_path / "mot.csv"
    future = (datetime.date.today() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    write_csv(path, [{**EMPLOYED, "personal_id": "038090555555", "collection_date": future}])
    out = io.StringIO()
    call_command("validate", str(path), stdout=out)
    assert json.loads(out.getvalue())["summary"]["findings_by_rule"] == {"date.future": 1}


def test_a_clean_list_as_a_commune_keeps_it_validates_with_no_findings(
    tree: Any, tmp_path: Path
) -> None:
    from laodong.forms.tests.data.real_lists import mau_03_list

    path = mau_03_list(tmp_path / "ds.xlsx")
    report = run(path)
    assert report["form"] == "tt11-2022-m03"
    assert "Thông tư số 11/2022/TT-BLĐTBXH" in report["form_reason"]
    assert report["commune"] == {"code": "15178", "name": "Xã Cẩm Tân"}
    assert "cẩm tân" in report["commune_reason"].lower()
    assert report["columns"]["enterprise_type"]  # "Loại hình doanh nghiệp"
    assert report["columns"]["ethnic_group"]
    assert report["rows"] == []
    assert report["summary"]["rows_clean"] == 60
    assert "Xã/phường/thị trấn" not in report["missing_columns"]


def test_the_commune_and_form_can_be_given_when_the_title_says_nothing(
    tree: Any, tmp_path: Path
) -> None:
    rows = list(SampleForms(seed=5).rows(5))
    for row in rows:
        row.pop("commune")
        row.pop("province")
    headers = [item.label for item in FORM.items]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH"])
    sheet.append(headers)
    for row in rows:
        sheet.append([row.get(key, "") for key in KEYS])
    path = tmp_path / "ds.xlsx"
    book.save(path)
    unknown = run(path)
    assert "--commune" in unknown["commune_reason"]
    assert {f["rule"] for r in unknown["rows"] for f in r["findings"]} == {"required"}
    given = run(path, "--commune", "15178", "--form", "tt11-2022-m03")
    assert given["form_reason"] == "chọn khi chạy (--form)"
    assert given["commune_reason"] == "chọn khi chạy (--commune)"
    assert given["rows"] == []
    with pytest.raises(CommandError, match="Không có xã mã “99999”"):
        run(path, "--commune", "99999")


def test_the_register_import_reads_the_list_the_same_way(
    tree: Any, users: Any, tmp_path: Path
) -> None:
    from laodong.accounts.models import Role
    from laodong.forms.tests.data.real_lists import mau_03_list
    from laodong.register.imports import import_people
    from laodong.register.models import Person
    from laodong.units.models import Level, Unit

    for number in range(1, 9):
        Unit.objects.get_or_create(
            parent=tree.commune,
            level=Level.VILLAGE,
            name=f"Thôn {number}",
            defaults={"code": "", "unit_type": "thon", "valid_from": datetime.date(2020, 1, 1)},
        )
    path = mau_03_list(tmp_path / "ds.xlsx", count=12)
    with path.open("rb") as stream:
        report = import_people(
            acting_user=users[Role.COMMUNE_LABOR_OFFICER], stream=stream, filename="ds.xlsx"
        )
    assert report.errors == [] and report.form_code == "tt11-2022-m03"
    assert report.created == 12 == Person.objects.filter(commune=tree.commune).count()
