"""Read the first table of an XLSX or CSV file whose header row may sit below title rows.

Every import (villages, accounts, later police lists and forms) uses this, so that header
matching, encodings and error locations behave the same everywhere.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from laodong.core.text import (
    LEGACY_ENCODING_NAMES,
    convert_legacy,
    detect_legacy_encoding,
    fold_compact,
    normalize_text,
)

MAX_TITLE_ROWS = 20
# Rows read to decide whether the file was typed in a legacy encoding.
ENCODING_SAMPLE_ROWS = 200


@dataclass(frozen=True)
class Column:
    """A column an import understands: its key, the label users see and header spellings."""

    key: str
    label: str
    aliases: tuple[str, ...] = ()
    required: bool = True

    def matches(self, header: str) -> bool:
        folded = fold_compact(header)
        return folded != "" and folded in {fold_compact(a) for a in (self.label, *self.aliases)}


@dataclass(frozen=True)
class CellError:
    """A problem in one row (and column, when known) of an imported file."""

    row: int
    message: str
    column: str | None = None
    label: str | None = None
    sheet: str | None = None

    def __str__(self) -> str:
        where = _("Dòng %(row)s") % {"row": self.row}
        if self.column:
            where += ", " + _("cột %(column)s") % {"column": self.column}
        if self.label:
            where += f" ({self.label})"
        if self.sheet:
            where = _("Trang tính “%(sheet)s”") % {"sheet": self.sheet} + ", " + where
        return f"{where}: {self.message}"


class TableError(Exception):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Table:
    """The located table: where its header is, what each column is, and its data rows."""

    sheet: str | None
    header_row: int
    positions: dict[str, int]
    unknown_headers: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    # "tcvn3" or "vni" when the file was typed in a legacy encoding and has been converted.
    encoding: str | None = None

    @property
    def encoding_name(self) -> str:
        return LEGACY_ENCODING_NAMES.get(self.encoding or "", "")

    def column_letter(self, key: str) -> str:
        return get_column_letter(self.positions[key] + 1)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(str(value))


def _xlsx_rows(stream: IO[bytes]) -> tuple[str, Iterator[Sequence[Any]]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
    ) as error:
        raise TableError(
            _("Không đọc được tệp Excel. Hãy lưu lại tệp ở định dạng .xlsx rồi tải lên lại.")
        ) from error
    sheet = workbook.worksheets[0]
    return sheet.title, sheet.iter_rows(values_only=True)


def _csv_rows(stream: IO[bytes]) -> Iterator[Sequence[Any]]:
    raw = stream.read()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Not UTF-8: an old Windows file. Legacy TCVN3/VNI text arrives as these bytes;
        # anything else that is not UTF-8 cannot be read reliably.
        text = raw.decode("cp1252", errors="replace")
        if detect_legacy_encoding(text[:20000]) is None:
            raise TableError(
                _(
                    "Tệp CSV không ở mã UTF-8. Trong Excel hãy chọn “Lưu thành” → "
                    "“CSV UTF-8 (phân tách bằng dấu phẩy)” rồi tải lên lại."
                )
            ) from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect)


def read_table(stream: IO[bytes], filename: str, columns: Sequence[Column]) -> Table:
    """Locate the header row among the first rows and return the data rows keyed by column."""
    name = filename.lower()
    if name.endswith(".xlsx"):
        sheet, raw_rows = _xlsx_rows(stream)
    elif name.endswith(".csv"):
        sheet, raw_rows = None, _csv_rows(stream)
    else:
        raise TableError(_("Chỉ nhận tệp .xlsx hoặc .csv."))

    try:
        encoding, text_rows = _decode_legacy(raw_rows)
        table = _collect(sheet, text_rows, columns)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as error:
        # A damaged workbook can fail part-way through its rows.
        raise TableError(
            _(
                "Tệp bị hỏng ở giữa chừng, không đọc hết được. Hãy mở bằng Excel, lưu lại rồi "
                "tải lên lại."
            )
        ) from error
    if table is None:
        wanted = ", ".join(f"“{c.label}”" for c in columns if c.required)
        raise TableError(
            _(
                "Không tìm thấy dòng tiêu đề trong %(limit)s dòng đầu. "
                "Tệp cần có các cột: %(columns)s."
            )
            % {"limit": MAX_TITLE_ROWS, "columns": wanted}
        )
    table.encoding = encoding
    return table


def _decode_legacy(
    raw_rows: Iterator[Sequence[Any]],
) -> tuple[str | None, Iterator[list[str]]]:
    """Read the cells as text; convert them when the file was typed in TCVN3 or VNI."""
    cell_rows = ([_cell_text(v) for v in values] for values in raw_rows)
    sample = list(itertools.islice(cell_rows, ENCODING_SAMPLE_ROWS))
    encoding = detect_legacy_encoding("\n".join(" ".join(row) for row in sample))
    rows = itertools.chain(sample, cell_rows)
    if encoding is None:
        return None, rows
    return encoding, (
        [normalize_text(convert_legacy(cell, encoding)) for cell in row] for row in rows
    )


def _collect(
    sheet: str | None, cell_rows: Iterator[list[str]], columns: Sequence[Column]
) -> Table | None:
    table: Table | None = None
    for number, cells in enumerate(cell_rows, start=1):
        if table is None:
            if number > MAX_TITLE_ROWS:
                break
            table = _match_header(sheet, number, cells, columns)
            continue
        if not any(cells):
            continue
        record = {
            key: (cells[pos] if pos < len(cells) else "") for key, pos in table.positions.items()
        }
        table.rows.append((number, record))
    return table


def _match_header(
    sheet: str | None, number: int, cells: list[str], columns: Sequence[Column]
) -> Table | None:
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for index, header in enumerate(cells):
        if not header:
            continue
        column = next((c for c in columns if c.key not in positions and c.matches(header)), None)
        if column is None:
            unknown.append(header)
        else:
            positions[column.key] = index
    if all(c.key in positions for c in columns if c.required):
        return Table(sheet=sheet, header_row=number, positions=positions, unknown_headers=unknown)
    return None
