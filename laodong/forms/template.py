"""The Excel template of a form version: fill one row per person, import it back.

Headers are the items' labels (what the importer and `laodong validate` look for), coded items
have dropdowns of "code - label", and two sheets explain the codes and the skip rules.
"""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from laodong.forms.definitions import Condition, FormDefinition

DATA_SHEET, CODES_SHEET, GUIDE_SHEET = "Phiếu", "Danh mục mã", "Hướng dẫn"
HEADER_ROW = 3
TEMPLATE_ROWS = 2000
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")


def _describe(form: FormDefinition, condition: Condition) -> str:
    if condition.parts:
        return " và ".join(_describe(form, part) for part in condition.parts)
    item = form.item(condition.field)
    code_list = form.code_lists[item.code_list]
    if condition.contains:
        return f"mục {item.number} có chọn mã {condition.contains}"
    labels = ", ".join(c.label for v in condition.values if (c := code_list.get(v)))
    return f"mục {item.number} là “{labels}”"


def build_template(form: FormDefinition) -> bytes:
    """Return the XLSX template of a form version."""
    book = Workbook()
    data = book.active
    assert data is not None
    data.title = DATA_SHEET
    codes = book.create_sheet(CODES_SHEET)
    guide = book.create_sheet(GUIDE_SHEET)

    data.append([f"{form.title} — {form.form_number}, {form.legal_basis}"])
    data.append(["Mỗi dòng là phiếu của một người. Xem trang “Hướng dẫn” trước khi nhập."])
    data["A1"].font = Font(bold=True, size=13)
    list_columns: dict[str, str] = {}
    for index, code_list_id in enumerate(
        dict.fromkeys(i.code_list for i in form.items if i.code_list), start=1
    ):
        code_list = form.code_lists[code_list_id]
        letter = get_column_letter(index)
        codes.cell(row=1, column=index, value=code_list.name).font = Font(bold=True)
        for row, code in enumerate(code_list.codes, start=2):
            codes.cell(row=row, column=index, value=code_list.option(code))
        codes.column_dimensions[letter].width = 42
        last = len(code_list.codes) + 1
        list_columns[code_list_id] = f"{quote_sheetname(CODES_SHEET)}!${letter}$2:${letter}${last}"

    for column, item in enumerate(form.items, start=1):
        letter = get_column_letter(column)
        cell = data.cell(row=HEADER_ROW, column=column, value=item.label)
        cell.font = Font(bold=True)
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        note = f"Mục {item.number}. " if item.number else ""
        note += "Bắt buộc. " if item.required and item.when is None else ""
        if item.when is not None:
            note += f"Chỉ ghi khi {_describe(form, item.when)}. "
        note += item.help
        if item.type == "date":
            note += " Ghi ngày dạng dd/mm/yyyy" + (
                " (hoặc chỉ năm)." if item.allow_year_only else "."
            )
        if item.type == "multi_choice":
            note += " Ghi các mã cách nhau bằng dấu phẩy, ví dụ: 2,6."
        if note.strip():
            cell.comment = Comment(note.strip(), "laodong")
        data.column_dimensions[letter].width = max(14, min(36, len(item.label) + 2))
        cells = f"{letter}{HEADER_ROW + 1}:{letter}{HEADER_ROW + TEMPLATE_ROWS}"
        if item.type == "choice":
            validation = DataValidation(
                type="list",
                formula1=list_columns[item.code_list],
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="Mã không có trong danh sách",
                error="Hãy chọn trong danh sách (xem trang “Danh mục mã”).",
            )
            validation.add(cells)
            data.add_data_validation(validation)
        # Text format keeps leading zeros of codes, IDs and dates typed as text.
        for row in range(HEADER_ROW + 1, HEADER_ROW + 201):
            data.cell(row=row, column=column).number_format = "@"
    data.row_dimensions[HEADER_ROW].height = 48
    data.freeze_panes = f"{get_column_letter(_frozen_column(form))}{HEADER_ROW + 1}"

    guide.column_dimensions["A"].width = 10
    guide.column_dimensions["B"].width = 60
    guide.column_dimensions["C"].width = 70
    guide.append(["Mục", "Nội dung", "Cách ghi"])
    for cell in guide[1]:
        cell.font = Font(bold=True)
    for item in form.items:
        how = []
        if item.required and item.when is None:
            how.append("Bắt buộc.")
        if item.when is not None:
            how.append(f"Chỉ ghi khi {_describe(form, item.when)}; nếu không thì để trống.")
        if item.code_list:
            how.append(f"Chọn mã trong danh sách “{form.code_lists[item.code_list].name}”.")
        if item.help:
            how.append(item.help)
        guide.append([item.number, item.label, " ".join(how)])
    if form.note:
        guide.append([])
        guide.append(["", "Ghi chú", form.note])

    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _frozen_column(form: FormDefinition) -> int:
    """Freeze the columns up to the person's name so it stays visible while scrolling."""
    return next(n for n, item in enumerate(form.items, start=2) if item.key == "full_name")
