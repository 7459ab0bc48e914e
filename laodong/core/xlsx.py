"""Small XLSX helpers: blank import templates with Vietnamese headers."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.http import HttpResponse
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter


def template_response(
    filename: str, headers: Sequence[str], examples: Sequence[Sequence[str]], notes: Sequence[str]
) -> HttpResponse:
    """An XLSX with one header row, example rows and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Danh sách"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
    for row in examples:
        sheet.append(list(row))
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(header) + 6)
        # Text format keeps leading zeros of codes and phone numbers.
        for row_number in range(2, 502):
            sheet.cell(row=row_number, column=index).number_format = "@"
    guide = workbook.create_sheet("Hướng dẫn")
    for line in notes:
        guide.append([line])
    guide.column_dimensions["A"].width = 110
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
