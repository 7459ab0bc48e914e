"""Read the first table of an XLSX or CSV file whose header row may sit below title rows.

Every import (villages, accounts, later police lists and forms) uses this, so that header
matching, encodings and error locations behave the same everywhere.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import dataclasses
import datetime
import functools
import io
import itertools
import re
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any
from xml.etree import ElementTree

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter, range_boundaries
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

    @functools.cached_property
    def spellings(self) -> frozenset[str]:
        """The label and aliases folded, computed once per column."""
        return frozenset(fold_compact(a) for a in (self.label, *self.aliases))

    def matches(self, header: str) -> bool:
        folded = fold_compact(header)
        return folded != "" and folded in self.spellings


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


# The first words of a line under a table that is no data row: a total, a signature block,
# its titles, a place and date ("Tổng số: 2.450 người", "Người lập biểu", "TM. UBND").
_FOOTER = re.compile(
    r"^(tong|cong|nguoi lap|lap bieu|truong|pho truong|xac nhan|ky|ghi chu|tm|kt|chu tich|"
    r"can bo|thu truong|danh sach|ngay)\b"
)


def is_footer_text(text: str) -> bool:
    """Whether a cell's text opens a total or signature line rather than a person's row."""
    return bool(_FOOTER.match(fold_compact(text)))


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
    # The text of the rows above the header (title block: issuer, title, "Địa bàn: Xã …").
    title_rows: list[str] = field(default_factory=list)
    # For streamed reading (`open_table`): the data rows not yet read, and how far into the file
    # the reader is (0.0–1.0).
    row_iter: Iterator[tuple[int, dict[str, str]]] = field(default_factory=lambda: iter(()))
    progress: Callable[[], float] = field(default=lambda: 0.0)

    @property
    def encoding_name(self) -> str:
        return LEGACY_ENCODING_NAMES.get(self.encoding or "", "")

    def column_letter(self, key: str) -> str:
        return get_column_letter(self.positions[key] + 1)


@dataclass
class Preview:
    """The first rows of a file and the header row that best matches the columns, for the
    officer to check (and correct) the column mapping before a large import."""

    sheet: str | None
    header_row: int
    headers: list[str]
    positions: dict[str, int]
    rows: list[tuple[int, list[str]]]
    encoding: str | None = None


def _cell_text(value: Any) -> str:
    if value.__class__ is str:  # the usual cell, first: a million-row file has ten million
        return normalize_text(value)
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return normalize_text(str(value))


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from a stream, so that a long import can show how far it is."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self.raw.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.count += size
        return size


def _stream_size(stream: IO[bytes]) -> int:
    try:
        position = stream.tell()
        size = stream.seek(0, io.SEEK_END)
        stream.seek(position)
        return size
    except (OSError, AttributeError, ValueError):
        return 0


def _merged_ranges(workbook: Any, sheet: Any) -> list[tuple[int, int, int, int]]:
    """The merged ranges of a read-only sheet, as (min_row, max_row, min_col, max_col), 0-based
    columns. Read-only openpyxl does not expose them, so read <mergeCell> from the sheet XML."""
    archive = getattr(workbook, "_archive", None)
    path = getattr(sheet, "_worksheet_path", None)
    if archive is None or path is None:
        return []
    ranges = []
    with archive.open(path) as xml:
        try:
            # The same XML openpyxl parses; expat (≥ 2.4) refuses entity-expansion bombs.
            for _event, element in ElementTree.iterparse(xml):  # noqa: S314
                tag = element.tag.rsplit("}", 1)[-1]
                if tag == "mergeCell":
                    min_col, min_row, max_col, max_row = range_boundaries(element.get("ref", ""))
                    if min_row is not None and max_row is not None:
                        ranges.append((min_row, max_row, (min_col or 1) - 1, (max_col or 1) - 1))
                elif tag == "c":
                    element.clear()
        except ElementTree.ParseError:
            # A sheet broken part-way: reading its rows stops at the same place, and says which
            # row (merged ranges are written after the rows, so none were lost).
            pass
    return ranges


def _fill_merged(
    rows: Iterator[Sequence[Any]], ranges: list[tuple[int, int, int, int]]
) -> Iterator[Sequence[Any]]:
    """Give every cell of a merged range the value of its top-left cell (a household's code or
    address merged over its members' rows, a title merged across columns)."""
    starting: dict[int, list[tuple[int, int, int, int]]] = {}
    for merged in ranges:
        starting.setdefault(merged[0], []).append(merged)
    active: list[tuple[tuple[int, int, int, int], Any]] = []
    for number, values in enumerate(rows, start=1):
        cells = list(values)
        active = [(merged, value) for merged, value in active if merged[1] >= number]
        for merged in starting.get(number, ()):
            top_left = cells[merged[2]] if merged[2] < len(cells) else None
            active.append((merged, top_left))
        for (_top, _bottom, first, last), value in active:
            if len(cells) <= last:
                cells.extend([None] * (last + 1 - len(cells)))
            for column in range(first, last + 1):
                if cells[column] is None:
                    cells[column] = value
        yield cells


def _xlsx_rows(stream: IO[bytes]) -> tuple[str, Iterator[Sequence[Any]], Callable[[], float]]:
    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        ranges = _merged_ranges(workbook, sheet)
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        zlib.error,
        EOFError,
        ElementTree.ParseError,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        IndexError,
        AttributeError,
    ) as error:
        raise TableError(
            _("Không đọc được tệp Excel. Hãy lưu lại tệp ở định dạng .xlsx rồi tải lên lại.")
        ) from error
    total = sheet.max_row or 0
    # Each row as long as its own cells, not as wide as the sheet claims to be (a file can
    # claim 16,384 columns and make every row that long).
    sheet.reset_dimensions()
    counter = {"row": 0}

    def counted() -> Iterator[Sequence[Any]]:
        for values in sheet.iter_rows(values_only=True):
            counter["row"] += 1
            yield values

    rows: Iterator[Sequence[Any]] = counted()
    if ranges:
        rows = _fill_merged(rows, ranges)
    return sheet.title, rows, lambda: counter["row"] / total if total else 0.0


# Bytes read to decide a CSV file's encoding.
ENCODING_SAMPLE_BYTES = 1 << 16


def _csv_rows(stream: IO[bytes]) -> tuple[Iterator[Sequence[Any]], Callable[[], float]]:
    head = stream.read(ENCODING_SAMPLE_BYTES)
    encoding = "utf-8-sig"
    try:
        head.decode("utf-8-sig")
    except UnicodeDecodeError as problem:
        # A multi-byte character cut by the sample's end is not a problem.
        if problem.start < len(head) - 3:
            # Not UTF-8: an old Windows file. Legacy TCVN3/VNI text arrives as these bytes;
            # anything else that is not UTF-8 cannot be read reliably.
            encoding = "cp1252"
            if detect_legacy_encoding(head.decode("cp1252", errors="replace")[:20000]) is None:
                raise TableError(
                    _(
                        "Tệp CSV không ở mã UTF-8. Trong Excel hãy chọn “Lưu thành” → "
                        "“CSV UTF-8 (phân tách bằng dấu phẩy)” rồi tải lên lại."
                    )
                ) from None
    sample = head.decode(encoding, errors="replace")[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    size = _stream_size(stream)
    try:
        stream.seek(0)
        counter = _CountingReader(stream)
        text = io.TextIOWrapper(
            io.BufferedReader(counter, buffer_size=1 << 16),
            encoding=encoding,
            # Bytes that are not UTF-8 part-way through become lone surrogates, which the row
            # check reports with their cell (a decoding error would name no row).
            errors="replace" if encoding == "cp1252" else "surrogateescape",
            newline="",
        )
    except (OSError, AttributeError):
        # A stream that cannot rewind is read whole.
        rest = head + stream.read()
        counter = _CountingReader(io.BytesIO(rest))
        size = len(rest)
        text = io.TextIOWrapper(
            io.BufferedReader(counter), encoding=encoding, errors="replace", newline=""
        )
    return csv.reader(text, dialect), lambda: counter.count / size if size else 0.0


def _raw_rows(
    stream: IO[bytes], filename: str
) -> tuple[str | None, Iterator[Sequence[Any]], Callable[[], float]]:
    name = filename.lower()
    limits = ReadLimits.from_settings()
    if (fewer := _row_limit.get()) is not None and fewer + MAX_TITLE_ROWS + 1 < limits.rows:
        # The text such a file needs is bounded too (2 KB a row is generous): the reader
        # parses the whole text part before the first row, so this bounds its time.
        text = min(limits.shared_strings, 1024 * 1024 + 2048 * fewer)
        limits = dataclasses.replace(
            limits, rows=fewer + MAX_TITLE_ROWS + 1, rows_shown=fewer, shared_strings=text
        )
    if name.endswith(".xlsx"):
        check_archive(stream, limits)
        sheet, rows, progress = _xlsx_rows(stream)
        return sheet, _bounded(rows, limits), progress
    if name.endswith(".csv"):
        rows, progress = _csv_rows(stream)
        return None, _bounded(rows, limits), progress
    raise TableError(_("Chỉ nhận tệp .xlsx hoặc .csv."))


@dataclass(frozen=True)
class ReadLimits:
    """What a file reader reads at most (settings LAODONG_FILE_MAX_*, docs/operations.md):
    no upload, however it is made, can make the server decompress, hold or loop over more."""

    # Bytes of an XLSX file once decompressed, all its parts together, and of its shared
    # strings (the one part a reader holds in memory whole).
    uncompressed: int = 400 * 1024 * 1024
    shared_strings: int = 8 * 1024 * 1024
    members: int = 10_000
    rows: int = 2_000_000
    columns: int = 500
    # Characters in one cell (Excel's own limit).
    cell: int = 32_767
    # The limit as the refusal states it (data rows, for an import with a lower limit).
    rows_shown: int | None = None

    @classmethod
    def from_settings(cls) -> ReadLimits:
        given = getattr(settings, "LAODONG_FILE_LIMITS", {}) or {}
        return cls(**{key: int(value) for key, value in given.items() if value})


_row_limit: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "laodong_row_limit", default=None
)


def import_rows(setting: str, default: int) -> int:
    """The data rows an import may read (a setting)."""
    return int(getattr(settings, setting, default))


@contextlib.contextmanager
def row_limit(rows: int) -> Iterator[None]:
    """Read at most `rows` data rows (fewer than the file limit) in this block, with room for
    a title block and the header: an import that holds what it reads, or works row by row
    inside a request, stays bounded, and the refusal says how many rows a file may have."""
    token = _row_limit.set(rows)
    try:
        yield
    finally:
        _row_limit.reset(token)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f}".replace(",", ".")


def check_archive(stream: IO[bytes], limits: ReadLimits) -> None:
    """Refuse an XLSX file whose parts would decompress to more than the limits, before any
    part is decompressed. The sizes a ZIP file declares are binding: Python's reader stops at
    the declared size (and then fails the checksum), so a file cannot lie its way past."""
    try:
        position = stream.tell()
        with zipfile.ZipFile(stream) as archive:
            members = archive.infolist()
        stream.seek(position)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as error:
        raise TableError(
            _("Không đọc được tệp Excel. Hãy lưu lại tệp ở định dạng .xlsx rồi tải lên lại.")
        ) from error
    total = sum(member.file_size for member in members)
    strings = sum(
        member.file_size
        for member in members
        if member.filename.lower().endswith("sharedstrings.xml")
    )
    if len(members) > limits.members or total > limits.uncompressed:
        raise TableError(
            _(
                "Tệp Excel này khi giải nén lớn %(size)s MB, quá giới hạn %(limit)s MB nên không "
                "đọc. Hãy chia thành nhiều tệp nhỏ hơn, hoặc lưu thành CSV UTF-8 rồi tải lên."
            )
            % {"size": _megabytes(total), "limit": _megabytes(limits.uncompressed)}
        )
    if strings > limits.shared_strings:
        raise TableError(
            _(
                "Phần chữ của tệp Excel này lớn %(size)s MB, quá giới hạn %(limit)s MB nên không "
                "đọc. Hãy chia thành nhiều tệp nhỏ hơn, hoặc lưu thành CSV UTF-8 rồi tải lên."
            )
            % {"size": _megabytes(strings), "limit": _megabytes(limits.shared_strings)}
        )


def _bounded(rows: Iterator[Sequence[Any]], limits: ReadLimits) -> Iterator[Sequence[Any]]:
    """The rows of a file, refusing (with the row and column) a file with too many rows, a row
    with data beyond the last column allowed, a cell longer than allowed, a NUL character, or
    a row the reader cannot read."""
    number = 0
    iterator = iter(rows)
    while True:
        try:
            values = next(iterator)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            raise TableError(
                _(
                    "Dòng %(row)s của tệp CSV có ký tự không ở mã UTF-8. Hãy lưu lại tệp dạng "
                    "“CSV UTF-8” rồi tải lên lại."
                )
                % {"row": number + 1}
            ) from error
        except READ_ERRORS as error:
            raise TableError(
                _(
                    "Tệp bị hỏng từ dòng %(row)s, không đọc tiếp được. Hãy mở bằng Excel, lưu "
                    "lại rồi tải lên lại."
                )
                % {"row": number + 1}
            ) from error
        number += 1
        if number > limits.rows:
            raise TableError(
                _(
                    "Tệp có hơn %(limit)s dòng, quá giới hạn một lần nhập. Hãy chia thành nhiều "
                    "tệp nhỏ hơn."
                )
                % {"limit": f"{limits.rows_shown or limits.rows:,}".replace(",", ".")}
            )
        if len(values) > limits.columns:
            beyond = values[limits.columns :]
            if beyond.count(None) + beyond.count("") < len(beyond):
                extra = limits.columns + next(
                    i for i, value in enumerate(beyond) if value not in (None, "")
                )
                raise TableError(
                    _(
                        "Dòng %(row)s có dữ liệu ở cột %(column)s, quá giới hạn %(limit)s cột. "
                        "Hãy xóa các cột thừa rồi tải lên lại."
                    )
                    % {
                        "row": number,
                        "column": get_column_letter(min(extra + 1, 16384)),
                        "limit": limits.columns,
                    }
                )
            values = values[: limits.columns]
        # One check of the row's text as a whole first (no cell is longer than the whole,
        # and a NUL or a lone surrogate in a cell is in the whole); cell by cell only when
        # that finds something, to say where.
        try:
            text = "".join(values)
        except TypeError:
            text = "".join(v for v in values if isinstance(v, str))
        if len(text) > limits.cell or "\x00" in text or not _encodable(text):
            _check_cells(number, values, limits)
        yield values


def _encodable(text: str) -> bool:
    """False when the text holds a lone surrogate: bytes of a CSV file that were not UTF-8."""
    if text.isascii():
        return True
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


def _check_cells(number: int, values: Sequence[Any], limits: ReadLimits) -> None:
    for index, value in enumerate(values):
        if not isinstance(value, str):
            continue
        where = {"row": number, "column": get_column_letter(index + 1)}
        if len(value) > limits.cell:
            raise TableError(
                _(
                    "Ô %(column)s%(row)s dài hơn %(limit)s ký tự, quá giới hạn một ô. Hãy sửa ô "
                    "này rồi tải lên lại."
                )
                % {**where, "limit": f"{limits.cell:,}".replace(",", ".")}
            )
        if not _encodable(value):
            raise TableError(
                _(
                    "Ô %(column)s%(row)s có ký tự không ở mã UTF-8. Hãy lưu lại tệp dạng “CSV "
                    "UTF-8” rồi tải lên lại."
                )
                % where
            )
        if "\x00" in value:
            raise TableError(
                _(
                    "Ô %(column)s%(row)s có ký tự lạ (NUL, mã số 0), thường do tệp bị hỏng hoặc "
                    "xuất sai. Hãy mở bằng Excel, sửa ô này, lưu lại rồi tải lên lại."
                )
                % where
            )


def damaged_file_error() -> TableError:
    return TableError(
        _(
            "Tệp bị hỏng ở giữa chừng, không đọc hết được. Hãy mở bằng Excel, lưu lại rồi "
            "tải lên lại."
        )
    )


# Errors a damaged or mis-encoded file raises part-way through its rows.
READ_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    ElementTree.ParseError,
    KeyError,
    OSError,
    ValueError,
    TypeError,
    csv.Error,
)


def read_table(stream: IO[bytes], filename: str, columns: Sequence[Column]) -> Table:
    """Locate the header row among the first rows and return the data rows keyed by column."""
    table = open_table(stream, filename, columns)
    try:
        table.rows = list(table.row_iter)
    except READ_ERRORS as error:
        raise damaged_file_error() from error
    return table


def open_table(
    stream: IO[bytes],
    filename: str,
    columns: Sequence[Column],
    *,
    header_row: int | None = None,
    positions: dict[str, int] | None = None,
) -> Table:
    """Locate the header row and return the table with its rows still to be read (`row_iter`),
    for files too large to hold in memory. `header_row` and `positions` override detection
    with the mapping an officer confirmed in the preview."""
    sheet, raw_rows, progress = _raw_rows(stream, filename)
    try:
        encoding, text_rows = _decode_legacy(raw_rows)
        table, numbered = _locate(
            sheet, enumerate(text_rows, start=1), columns, header_row, positions
        )
    except READ_ERRORS as error:
        raise damaged_file_error() from error
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
    table.progress = progress
    table.row_iter = _data_rows(numbered, table.positions)
    return table


def preview_table(
    stream: IO[bytes], filename: str, columns: Sequence[Column], sample: int = 8
) -> Preview:
    """The header row that matches most columns (even if not all), and the rows below it."""
    sheet, raw_rows, _progress = _raw_rows(stream, filename)
    try:
        encoding, text_rows = _decode_legacy(raw_rows)
        first = list(itertools.islice(text_rows, MAX_TITLE_ROWS + 1 + sample))
    except READ_ERRORS as error:
        raise damaged_file_error() from error
    best: tuple[int, int, dict[str, int], list[str]] | None = None
    previous: list[str] = []
    for number, cells in enumerate(first[: MAX_TITLE_ROWS + 1], start=1):
        candidates = [cells]
        if previous:
            candidates.append(header_pair(previous, cells))
        for headers in candidates:
            found = _header_positions(headers, columns)[0]
            if found and (best is None or len(found) > best[0]):
                best = (len(found), number, found, headers)
        previous = cells
    if best is None:
        number = next((n for n, cells in enumerate(first, 1) if sum(map(bool, cells)) >= 2), 0)
        if not number:
            raise TableError(_("Tệp không có dữ liệu."))
        best = (0, number, {}, first[number - 1])
    _count, number, found, headers = best
    rows = [
        (row_number, cells)
        for row_number, cells in enumerate(first[number:], start=number + 1)
        if any(cells)
    ][:sample]
    return Preview(
        sheet=sheet,
        header_row=number,
        headers=headers,
        positions=found,
        rows=rows,
        encoding=encoding,
    )


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


def _locate(
    sheet: str | None,
    numbered: Iterator[tuple[int, list[str]]],
    columns: Sequence[Column],
    header_row: int | None,
    positions: dict[str, int] | None,
) -> tuple[Table | None, Iterator[tuple[int, list[str]]]]:
    """The header and the rows under it."""
    previous: list[str] = []
    titles: list[str] = []
    for number, cells in numbered:
        if header_row is not None:
            if number == header_row:
                chosen = positions or {}
                unknown = [h for i, h in enumerate(cells) if h and i not in chosen.values()]
                given = Table(
                    sheet=sheet, header_row=number, positions=chosen, unknown_headers=unknown
                )
                return given, numbered
            continue
        if number > MAX_TITLE_ROWS + 1:
            return None, numbered
        table = _match_header(sheet, number, cells, columns)
        if table is None and previous:
            # A two-row header: a group title merged over sub-columns ("Nơi thường trú" over
            # "Thôn" and "Địa chỉ"), beside titles merged down over both rows.
            table = _match_header(sheet, number, header_pair(previous, cells), columns)
        if table is not None:
            table.title_rows = titles
            # The row below may finish a two-row header that already matched on its first row.
            following = next(numbered, None)
            if following is not None:
                pair = _match_header(sheet, following[0], header_pair(cells, following[1]), columns)
                if pair is not None and len(pair.positions) > len(table.positions):
                    pair.title_rows = titles
                    return pair, numbered
                return table, itertools.chain([following], numbered)
            return table, numbered
        previous = cells
        text = " ".join(dict.fromkeys(cell for cell in cells if cell))
        if text:
            titles.append(text)
    return None, numbered


def header_pair(upper: list[str], lower: list[str]) -> list[str]:
    """One header from two rows: the lower cell where it says more, else the upper one."""
    size = max(len(upper), len(lower))
    upper = upper + [""] * (size - len(upper))
    lower = lower + [""] * (size - len(lower))
    return [low or up for up, low in zip(upper, lower, strict=True)]


def _data_rows(
    numbered: Iterator[tuple[int, list[str]]], positions: dict[str, int]
) -> Iterator[tuple[int, dict[str, str]]]:
    items = list(positions.items())
    for number, cells in numbered:
        if not any(cells):
            continue
        size = len(cells)
        yield number, {key: (cells[pos] if pos < size else "") for key, pos in items}


def _header_positions(
    cells: list[str], columns: Sequence[Column]
) -> tuple[dict[str, int], list[str]]:
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
    return positions, unknown


def _match_header(
    sheet: str | None, number: int, cells: list[str], columns: Sequence[Column]
) -> Table | None:
    positions, unknown = _header_positions(cells, columns)
    if all(c.key in positions for c in columns if c.required):
        return Table(sheet=sheet, header_row=number, positions=positions, unknown_headers=unknown)
    return None
