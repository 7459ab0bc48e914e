"""Cells of files we write that spreadsheet programs open: text that looks like a formula is
kept as text ("formula injection": a name written "=HYPERLINK(…)" must not become a live
formula in the officer's Excel)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, LibreOffice and Google Sheets read as the start of a formula in a CSV cell.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """A CSV cell: text beginning like a formula gets a leading apostrophe, which spreadsheet
    programs show as text (numbers are left alone: -5 stays a number)."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_row(values: Iterable[Any]) -> list[Any]:
    return [csv_cell(value) for value in values]


def csv_stream(header: list[Any], body: Iterable[Iterable[Any]]) -> Iterator[bytes]:
    """A CSV file as a stream of bytes, a thousand rows at a time: UTF-8 with the mark Excel
    needs to read it as such, and no cell that a spreadsheet would take for a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(csv_row(header))
    for count, values in enumerate(body, start=1):
        writer.writerow(csv_row(values))
        if count % 1000 == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_text(value: Any) -> Any:
    """Text from an uploaded file as an XLSX cell may hold it: control characters that XML
    forbids (a CSV can carry them; openpyxl refuses them) become "�", so an error file
    quoting a broken row can still be written, and shows where the character was."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    return value


def as_text(cell: Any) -> Any:
    """An openpyxl cell whose text openpyxl took for a formula (it does so for anything
    beginning with "="), stored as the text it is. Text in an XLSX file is never evaluated;
    only cells written as formulas are."""
    if getattr(cell, "data_type", None) == "f":
        cell.data_type = "s"
    return cell


def no_formulas(workbook: Any) -> None:
    """Before saving a workbook we built: every cell is data, none a formula (we write none)."""
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    cell.data_type = "s"
