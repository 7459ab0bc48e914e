"""The Excel template: headers, dropdowns, code sheet, and a filled copy imports back."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.samples import SampleForms
from laodong.forms.template import CODES_SHEET, DATA_SHEET, GUIDE_SHEET, HEADER_ROW, build_template


@pytest.mark.parametrize("code", FORM_CODES)
def test_template_has_vietnamese_headers_dropdowns_and_codes(code: str) -> None:
    form = get_form(code)
    book = load_workbook(io.BytesIO(build_template(form)))
    assert book.sheetnames == [DATA_SHEET, CODES_SHEET, GUIDE_SHEET]
    sheet = book[DATA_SHEET]
    headers = [cell.value for cell in sheet[HEADER_ROW]]
    assert headers == [item.label for item in form.items]
    choice_columns = {item.key for item in form.items if item.type == "choice"}
    assert len(sheet.data_validations.dataValidation) == len(choice_columns)
    sex_column = [i.key for i in form.items].index("sex") + 1
    sex_rule = next(
        v
        for v in sheet.data_validations.dataValidation
        if f"{sheet.cell(row=HEADER_ROW + 1, column=sex_column).coordinate}" in str(v.sqref)
    )
    codes = book[CODES_SHEET]
    assert "'Danh mục mã'!$" in sex_rule.formula1
    column = sex_rule.formula1.split("!$")[1].split("$")[0]
    assert [codes[f"{column}{row}"].value for row in (1, 2, 3)] == [
        "Giới tính",
        "1 - Nam",
        "2 - Nữ",
    ]
    guide = [row for row in book[GUIDE_SHEET].iter_rows(values_only=True)]
    social = next(row for row in guide if row[1] == "Loại bảo hiểm xã hội")
    assert "Chỉ ghi khi mục 11 là “Người có việc làm” và mục 12.2a là “Có”" in social[2]


def test_a_filled_template_imports_back_through_the_same_engine(tmp_path: Path) -> None:
    form = get_form("tt09-2025-m01")
    book = load_workbook(io.BytesIO(build_template(form)))
    sheet = book[DATA_SHEET]
    people = list(SampleForms(seed=5, without_id_share=0, commune="15178").rows(50))
    for offset, person in enumerate(people, start=1):
        for column, item in enumerate(form.items, start=1):
            value = person.get(item.key, "")
            if item.type == "choice" and value:
                # As a user picks it from the dropdown.
                code_list = form.code_lists[item.code_list]
                found = code_list.get(value)
                assert found is not None
                value = code_list.option(found)
            sheet.cell(row=HEADER_ROW + offset, column=column, value=value or None)
    path = tmp_path / "mau-da-dien.xlsx"
    book.save(path)
    out = io.StringIO()
    call_command("validate", str(path), "--today", "22/11/2026", stdout=out)
    report = json.loads(out.getvalue())
    assert report["form"] == "tt09-2025-m01"
    assert report["header_row"] == HEADER_ROW
    assert report["rows"] == []
    assert report["summary"]["rows_read"] == 50
