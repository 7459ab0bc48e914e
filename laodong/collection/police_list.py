"""Step 1: import the commune police's list of residents aged 15+ into a campaign's work list.

An import runs in three phases, none of which can lose work:

1. `check_list` streams the file (a province-wide list can hold a million rows), checks and
   classifies each row in Python and stages the good ones in a table of the job's own. Rows that
   are not data (title rows, the "(1) (2) (3)" column-number row, totals and signature lines)
   are skipped and counted; bad rows go, with the reason, to an XLSX file. Nothing of the work
   list is touched.
2. `prepare_list` applies the officer's decisions (which village each spelling means, what an
   unknown remark means) and computes the outcome — added, changed, no longer listed, out of
   scope by reason — still without writing. A list with no readable row is refused; a full list
   that would drop more than a tenth of the current list, or whose bad rows exceed a tenth of
   its rows, needs an explicit tick.
3. `apply_list` merges the staged rows into the work list in one transaction, keeping the
   earlier state of every row it changes, so that `undo_list` can return the work list exactly
   to where it was while no form has moved on those rows.
"""

from __future__ import annotations

import datetime
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from laodong.campaigns.models import Campaign
from laodong.collection import tally
from laodong.collection.models import (
    Category,
    JobStatus,
    OutOfScope,
    PoliceListImport,
    Status,
    Transition,
    VillageAlias,
    WorkItem,
    WorkItemBefore,
)
from laodong.core.cells import as_text, xlsx_text
from laodong.core.tabular import (
    READ_ERRORS,
    Column,
    TableError,
    damaged_file_error,
    is_footer_text,
    open_table,
)
from laodong.core.text import capitalize_name, fold, fold_compact, normalize_text
from laodong.forms.citizen_id import (
    PROVINCE_CODES,
    IdProblem,
    normalize_id,
    parse_id,
    with_lost_zero,
)
from laodong.forms.dates import PartialDate, add_years, parse_date
from laodong.register.models import Person, TransferStatus
from laodong.units.models import Level, Unit

POLICE_COLUMNS = (
    Column(
        "personal_id",
        "Số định danh cá nhân",
        (
            "Số ĐDCN",
            "Số định danh",
            "Số CCCD",
            "CCCD",
            "Số CMND/CCCD",
            "Số CCCD/CMND",
            "CMND/CCCD",
            "Số căn cước",
            "Số căn cước công dân",
            "Mã định danh",
            "Số định danh cá nhân/CMND",
            "Số ĐDCN/CMND",
        ),
    ),
    Column(
        "full_name",
        "Họ và tên",
        ("Họ tên", "Họ và tên công dân", "Tên công dân", "Họ, chữ đệm và tên", "Họ chữ đệm tên"),
    ),
    Column(
        "birth_date",
        "Ngày sinh",
        ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh", "Ngày/tháng/năm sinh"),
    ),
    Column("sex", "Giới tính", ("Giới", "Nam/Nữ"), required=False),
    # Not required: some lists only give the address, whose "Thôn …" part names the village.
    Column(
        "village",
        "Thôn",
        (
            "Thôn/Tổ dân phố",
            "Thôn, tổ dân phố",
            "Thôn/xóm",
            "Thôn/Bản",
            "Thôn, xóm",
            "Thôn/Tổ",
            "Tổ dân phố",
            "Xóm",
            "Bản",
            "Ấp",
            "Khu phố",
            "Địa bàn",
            "Thôn, bản, tổ dân phố",
        ),
        required=False,
    ),
    Column(
        "household_code",
        "Mã hộ",
        ("Mã hộ gia đình", "Số hộ khẩu", "Số sổ hộ khẩu", "Mã HGĐ", "Mã số hộ"),
        required=False,
    ),
    Column(
        "relation",
        "Quan hệ với chủ hộ",
        ("Quan hệ với chủ hộ", "Quan hệ chủ hộ", "Quan hệ", "QH với chủ hộ"),
        required=False,
    ),
    Column(
        "address",
        "Địa chỉ thường trú",
        (
            "Nơi thường trú",
            "Địa chỉ",
            "Nơi ở hiện tại",
            "Địa chỉ thường trú hiện nay",
            "Nơi cư trú",
            "Nơi đăng ký thường trú",
        ),
        required=False,
    ),
    Column(
        "police_note",
        "Ghi chú",
        ("Tình trạng", "Trạng thái", "Tình trạng cư trú", "Lý do"),
        required=False,
    ),
)
COLUMN_LABELS = {column.key: column.label for column in POLICE_COLUMNS}

# The remarks in the police list that put a person out of scope (domain README: the armed
# forces and the police are not collected; the dead and those who moved away are off the list).
# docs/campaigns.md prints this table; a remark is matched on whole words, without case or
# diacritics, and the first reason whose words appear wins (so "nghĩa vụ công an" is police,
# not armed forces). Remarks matching nothing are shown in the preview for a person to decide.
OUT_OF_SCOPE_WORDS: tuple[tuple[OutOfScope, tuple[str, ...]], ...] = (
    (
        OutOfScope.DECEASED,
        ("đã chết", "chết", "đã mất", "từ trần", "qua đời", "khai tử", "đã khai tử", "hy sinh"),
    ),
    (
        OutOfScope.MOVED_AWAY,
        (
            "chuyển đi",
            "đã chuyển",
            "chuyển khẩu",
            "chuyển hộ khẩu",
            "chuyển nơi khác",
            "xóa thường trú",
            "xóa đăng ký thường trú",
            "xóa ĐKTT",
            "xóa hộ khẩu",
            "cắt khẩu",
        ),
    ),
    (
        OutOfScope.POLICE,
        (
            "nghĩa vụ công an",
            "công an nhân dân",
            "CAND",
            "chiến sĩ công an",
            "sĩ quan công an",
            "ngành công an",
        ),
    ),
    (
        OutOfScope.ARMED_FORCES,
        (
            "nhập ngũ",
            "tại ngũ",
            "đi nghĩa vụ",
            "nghĩa vụ quân sự",
            "NVQS",
            "quân đội",
            "QĐND",
            "bộ đội",
            "đi bộ đội",
            "quân nhân",
            "sĩ quan quân đội",
        ),
    ),
)
_OUT_OF_SCOPE_PATTERNS = tuple(
    (reason, re.compile(r"\b(" + "|".join(re.escape(fold_compact(w)) for w in words) + r")\b"))
    for reason, words in OUT_OF_SCOPE_WORDS
)
_SEX = {"nam": "1", "1": "1", "m": "1", "nu": "2", "2": "2", "f": "2"}


def sex_code(text: str) -> str:
    """The form's sex code ("1" male, "2" female) as lists write it ("Nam", "NỮ", "1"), or ""."""
    return _SEX.get(text) or _SEX.get(fold(text), "")


# The words villages are written with, folded: "Thôn 1", "TDP 3", "Tổ dân phố 3", "Bản …".
_VILLAGE_TYPES = "thon|xom|ban|ap|to dan pho|tdp|khu pho|kp|to|khu|buon|lang|khom|plei|soc"
# Village names as written in lists: "Thôn 1", "thôn 01", "1", "Tổ dân phố 3", "TDP 3".
_VILLAGE_PREFIX = re.compile(rf"^({_VILLAGE_TYPES})\s+")
# The part of an address that names the village ("Số 5, Thôn Tân Phong, Xã Cẩm Tân, …"), or a
# row heading a group of rows ("Thôn Tân Phong").
_VILLAGE_WORD = re.compile(rf"^({_VILLAGE_TYPES})\b")
_COLUMN_NUMBER = re.compile(r"^\(?\d{1,3}\)?$")
# Excel writes long numbers it reads as numbers in scientific notation in CSV: digits are lost.
_SCIENTIFIC = re.compile(r"^\d(?:[.,]\d+)?e\+?\d+$", re.IGNORECASE)
BATCH_SIZE = 5000
# What a preview holds: the first errors and warnings, and the distinct values to decide on.
FIRST_PROBLEMS = 20
MAX_DISTINCT = 200
# Above these shares a full list needs an explicit tick before it is written.
RISK_SHARE = 0.1


def out_of_scope_reason(note: str) -> str:
    folded = fold_compact(note)
    if not folded:
        return ""
    for reason, pattern in _OUT_OF_SCOPE_PATTERNS:
        if pattern.search(folded):
            return str(reason)
    return ""


def village_key(name: str) -> str:
    """Fold a village as lists write it: "Thôn 01", "thon 1" and "1" give the same key."""
    folded = fold_compact(name)
    folded = _VILLAGE_PREFIX.sub("", folded)
    return " ".join(part.lstrip("0") or "0" if part.isdigit() else part for part in folded.split())


def village_from_address(address: str) -> str:
    """The part of an address that names a village ("Thôn Tân Phong"), or ""."""
    for part in address.split(","):
        if _VILLAGE_WORD.match(fold_compact(part)):
            return part.strip()
    return ""


_ABBREVIATIONS = {"tdp": "Tổ dân phố", "kp": "Khu phố"}


def new_village_name(text: str) -> str:
    """A village name as the catalogue writes it, from a list's spelling ("TDP 5" → "Tổ dân
    phố 5", "thôn tân phong" → "Thôn Tân Phong")."""
    text = normalize_text(text)
    if text.islower() or text.isupper():
        text = capitalize_name(text)
    words = text.split(" ")
    if words and fold(words[0]) in _ABBREVIATIONS:
        words[0] = _ABBREVIATIONS[fold(words[0])]
    return " ".join(words)


def village_lookup(commune: Unit) -> dict[str, int]:
    """Village keys of a commune's current villages and the spellings officers mapped before."""
    villages = Unit.objects.current().filter(parent=commune, level=Level.VILLAGE)
    keys = {village_key(v.name): v.pk for v in villages}
    current = set(keys.values())
    for alias in VillageAlias.objects.filter(commune=commune):
        if alias.village_id in current:
            keys[alias.key] = alias.village_id
    return keys


def not_data_kind(record: dict[str, str]) -> str:
    """Why a row under the header holds no person, or "": "blank", "numbers" (the column-number
    row "(1) (2) (3)"), "header" (the header repeated), "footer" (a total, a signature line, a
    place and date) or "heading" (a row naming a group of rows, such as a village)."""
    personal_id = record.get("personal_id", "")
    if len(personal_id) >= 8 and personal_id[0].isdigit() and record.get("birth_date"):
        return ""  # the usual row: a person with an ID number and a birth date
    values = [value for value in record.values() if value]
    if not values:
        return "blank"
    if all(_COLUMN_NUMBER.match(value) for value in values):
        return "numbers"
    if len(values) > 1 and len(set(values)) == 1:
        # One cell merged across the table: a total ("Tổng số: 2.450 người") or a heading.
        return "heading" if _VILLAGE_WORD.match(fold_compact(values[0])) else "footer"
    if POLICE_COLUMNS[0].matches(record.get("personal_id", "")):
        return "header"
    if record.get("personal_id") or record.get("birth_date"):
        return ""
    name = record.get("full_name", "")
    if _VILLAGE_WORD.match(fold_compact(name)):
        return "heading"
    if not name.strip() or is_footer_text(name) or any(ch.isdigit() for ch in name):
        return "footer"
    return ""


def is_not_data(record: dict[str, str]) -> bool:
    return bool(not_data_kind(record))


@dataclass(slots=True)
class ListRow:
    number: int
    personal_id: str
    full_name: str
    full_name_folded: str
    birth_date: datetime.date
    birth_year_only: bool
    sex: str
    village_key: str
    household_code: str
    relation: str
    address: str
    police_note: str
    out_of_scope: str
    newly_15: bool


@dataclass
class RowProblem:
    number: int
    column: str
    message: str
    record: dict[str, str]


@dataclass
class ColumnReading:
    """How the values of one column read: how many, how many well, and a few samples."""

    filled: int = 0
    good: int = 0
    samples: list[str] = field(default_factory=list)

    def add(self, value: str, good: bool) -> None:
        if value:
            self.filled += 1
            if good:
                self.good += 1
            if len(self.samples) < 3 and value not in self.samples:
                self.samples.append(value[:60])


class RowParser:
    """Check and classify one row of the police list."""

    def __init__(self, commune: Unit | None, reference_date: datetime.date) -> None:
        self.commune = commune
        self.reference_date = reference_date
        # Turned 15 in the year before the reference date (the yearly round's "newly 15").
        self.newly_15_after = add_years(reference_date, -16)
        # Born after this day: not yet 15 on the reference date.
        self.fifteen_before = add_years(reference_date, -15)
        self.seen: dict[str, int] = {}
        # Lists repeat the same dates, village names, remarks and name words many times over;
        # these caches make a million-row list cheap to check.
        self.names: dict[str, tuple[str, str]] = {}
        self.words: dict[str, tuple[str, str]] = {}
        self.dates: dict[str, PartialDate | None] = {}
        self.village_keys: dict[str, str] = {}
        self.reasons: dict[str, str] = {}
        self.sexes: dict[str, str] = {}
        self.columns = {column.key: ColumnReading() for column in POLICE_COLUMNS}
        # Bound once: parse runs a million times.
        self._readings = [
            self.columns[key]
            for key in ("personal_id", "full_name", "birth_date", "sex", "village")
        ]
        self._other_readings = [
            (key, self.columns[key])
            for key in ("household_code", "relation", "address", "police_note")
        ]
        self.warnings: list[RowProblem] = []
        self.warning_count = 0

    def _name(self, text: str) -> tuple[str, str]:
        known = self.names.get(text)
        if known is None:
            parts = []
            for word in normalize_text(text).split(" "):
                if word not in self.words:
                    written = capitalize_name(word)
                    self.words[word] = (written, fold(written))
                parts.append(self.words[word])
            known = (" ".join(p[0] for p in parts if p[0]), " ".join(p[1] for p in parts if p[1]))
            if len(self.names) < 200_000:
                self.names[text] = known
        return known

    def _date(self, text: str) -> PartialDate | None:
        if text not in self.dates:
            self.dates[text] = parse_date(text, allow_year_only=True)
        return self.dates[text]

    def _village_key(self, text: str) -> str:
        if text not in self.village_keys:
            self.village_keys[text] = village_key(text)[:200]
        return self.village_keys[text]

    def _reason(self, note: str) -> str:
        if note not in self.reasons:
            self.reasons[note] = out_of_scope_reason(note)
        return self.reasons[note]

    def _warn(self, number: int, column: str, message: str, record: dict[str, str]) -> None:
        self.warning_count += 1
        if len(self.warnings) < 10_000:
            self.warnings.append(RowProblem(number, column, message, record))

    def _personal_id(self, number: int, record: dict[str, str]) -> str | RowProblem:
        raw_id = record.get("personal_id", "")
        if (
            len(raw_id) == 12
            and raw_id.isascii()
            and raw_id.isdigit()
            and raw_id[:3] in PROVINCE_CODES
        ):
            return raw_id  # the usual ID, which parse_id would accept as it is
        personal_id = normalize_id(raw_id).lstrip("'")
        if not personal_id:
            return RowProblem(number, "personal_id", _("Thiếu số định danh cá nhân."), record)
        if _SCIENTIFIC.match(raw_id.strip()):
            return RowProblem(
                number,
                "personal_id",
                _(
                    "Số định danh “%(value)s” đã bị Excel đổi sang dạng số mũ và mất chữ số. "
                    "Trong tệp gốc hãy định dạng cột này là Văn bản (Text) rồi xuất lại."
                )
                % {"value": raw_id},
                record,
            )
        if isinstance(parse_id(personal_id), IdProblem):
            # Excel keeps IDs typed as numbers and drops the leading 0: 11 digits for a
            # 12-digit ID, 8 for a 9-digit CMND. Pad when the padded number is a valid ID.
            padded = with_lost_zero(personal_id)
            if padded is not None:
                self._warn(
                    number,
                    "personal_id",
                    _(
                        "Số định danh “%(value)s” thiếu số 0 ở đầu (Excel lưu thành số); "
                        "đã ghi thành %(padded)s."
                    )
                    % {"value": raw_id, "padded": padded},
                    record,
                )
                return padded
            return RowProblem(
                number,
                "personal_id",
                _("Số định danh “%(value)s” không hợp lệ: cần 12 chữ số (hoặc CMND 9 số).")
                % {"value": raw_id},
                record,
            )
        return personal_id

    def parse(self, number: int, record: dict[str, str]) -> ListRow | RowProblem:
        get = record.get
        id_reading, name_reading, birth_reading, sex_reading, village_reading = self._readings
        personal_id = self._personal_id(number, record)
        id_reading.add(get("personal_id", ""), personal_id.__class__ is str)
        name_text = get("full_name", "")
        name, folded_name = self._name(name_text)
        name_reading.add(name_text, bool(name))
        birth_text = get("birth_date", "")
        birth = self.dates[birth_text] if birth_text in self.dates else self._date(birth_text)
        birth_reading.add(birth_text, birth is not None)
        sex_text = get("sex", "")
        sex = self.sexes.get(sex_text)
        if sex is None:
            sex = self.sexes[sex_text] = sex_code(sex_text)
        sex_reading.add(sex_text, bool(sex))
        village_text = get("village", "")
        key = self._village_key(village_text or village_from_address(get("address", "")))
        village_reading.add(village_text, bool(key))
        for other, reading in self._other_readings:
            reading.add(get(other, ""), True)
        if isinstance(personal_id, RowProblem):
            return personal_id
        if personal_id in self.seen:
            return RowProblem(
                number,
                "personal_id",
                _("Trùng số định danh với dòng %(row)s. Mỗi người chỉ ghi một dòng.")
                % {"row": self.seen[personal_id]},
                record,
            )
        if not name:
            return RowProblem(number, "full_name", _("Thiếu họ và tên."), record)
        if birth is None:
            return RowProblem(
                number,
                "birth_date",
                _("Ngày sinh “%(value)s” không đúng; ghi theo dạng dd/mm/yyyy hoặc chỉ năm sinh.")
                % {"value": birth_text},
                record,
            )
        birth_date = birth.value
        if birth_date > self.reference_date:
            return RowProblem(
                number, "birth_date", _("Ngày sinh sau thời điểm tính tuổi của kế hoạch."), record
            )
        if not key:
            return RowProblem(
                number,
                "village",
                _("Thiếu tên thôn (hoặc địa chỉ có “Thôn …”) của người này."),
                record,
            )
        if sex_text and not sex:
            return RowProblem(
                number,
                "sex",
                _("Giới tính “%(value)s” không rõ; ghi Nam hoặc Nữ.") % {"value": sex_text},
                record,
            )
        self.seen[personal_id] = number
        note = get("police_note", "")[:300]
        reason = self.reasons[note] if note in self.reasons else self._reason(note)
        if not reason and birth_date > self.fifteen_before:
            reason = OutOfScope.UNDER_15
        # Positional: the fields in their order (a million rows).
        return ListRow(
            number,
            personal_id,
            name[:150],
            folded_name[:150],
            birth_date,
            birth.year_only,
            sex,
            key,
            get("household_code", "")[:30],
            get("relation", "")[:50],
            get("address", "")[:300],
            note,
            reason,
            birth_date > self.newly_15_after,
        )


def sample_readings(
    rows: Iterable[tuple[int, list[str]]], mapping: dict[str, int], reference_date: datetime.date
) -> dict[str, dict[str, Any]]:
    """How the values of each chosen column read in a few rows, for the column-mapping page:
    {key: {"filled", "good", "samples"}}. Rows that are not data are left out."""
    parser = RowParser(None, reference_date)
    for number, cells in rows:
        size = len(cells)
        record = {key: (cells[pos] if pos < size else "") for key, pos in mapping.items()}
        if not is_not_data(record):
            parser.parse(number, record)
    return {
        key: {"filled": reading.filled, "good": reading.good, "samples": reading.samples}
        for key, reading in parser.columns.items()
        if key in mapping
    }


# Data rows one sheet holds under its header: Excel's 1,048,576 rows less one.
ROWS_PER_SHEET = 1_048_575


class ErrorFile:
    """Bad rows, streamed into an XLSX with the police columns plus the reason (a new sheet
    whenever one is full); rows that were read with a correction (an ID padded with its lost
    0) on a sheet of their own."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.on_sheet = 0
        self.sheets = 1
        self.keys = [column.key for column in POLICE_COLUMNS]
        self.workbook: Workbook | None = None
        self.sheet: Any = None
        self.fill = PatternFill("solid", fgColor="FDE2E1")
        self.wrap = Alignment(wrap_text=True, vertical="top")

    def _new_sheet(self, title: str, reason: str) -> Any:
        assert self.workbook is not None
        sheet = self.workbook.create_sheet(title)
        # Frozen header, widths that show an ID, a name and a readable reason.
        sheet.freeze_panes = "A2"
        widths = {"personal_id": 16, "full_name": 24, "birth_date": 12, "address": 30}
        letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
        sheet.column_dimensions["A"].width = 10
        for index, key in enumerate(self.keys, start=1):
            sheet.column_dimensions[letters[index]].width = widths.get(key, 14)
        sheet.column_dimensions[letters[len(self.keys) + 1]].width = 60
        bold = Font(bold=True)
        header = [_("Dòng trong tệp gốc"), *(c.label for c in POLICE_COLUMNS), reason]
        cells = []
        for text in header:
            cell = WriteOnlyCell(sheet, value=text)
            cell.font = bold
            cell.alignment = self.wrap
            cells.append(cell)
        sheet.append(cells)
        return sheet

    def _open(self) -> Any:
        # Made on the first bad row: a write-only workbook must be saved once started.
        self.workbook = Workbook(write_only=True)
        self.sheet = self._new_sheet(_("Dòng lỗi"), _("Lỗi"))
        return self.sheet

    def _row(self, sheet: Any, problem: RowProblem) -> list[Any]:
        where = COLUMN_LABELS.get(problem.column, problem.column)
        message = WriteOnlyCell(sheet, value=xlsx_text(f"{where}: {problem.message}"))
        message.fill = self.fill
        message.alignment = self.wrap
        values = []
        for key in self.keys:
            text = problem.record.get(key, "")
            # An ID stays text in Excel (no lost 0), and nothing is read as a formula.
            cell = as_text(WriteOnlyCell(sheet, value=xlsx_text(text)))
            cell.number_format = "@"
            values.append(cell)
        return [problem.number, *values, message]

    def add(self, problem: RowProblem) -> None:
        sheet = self.sheet if self.workbook is not None else self._open()
        if self.on_sheet >= ROWS_PER_SHEET:
            # Excel opens at most 1,048,576 rows a sheet: the rest go on the next sheet.
            self.sheets += 1
            sheet = self.sheet = self._new_sheet(
                _("Dòng lỗi (%(part)s)") % {"part": self.sheets}, _("Lỗi")
            )
            self.on_sheet = 0
        self.count += 1
        self.on_sheet += 1
        sheet.append(self._row(sheet, problem))

    def add_warnings(self, warnings: list[RowProblem]) -> None:
        if not warnings:
            return
        if self.workbook is None:
            self._open()
        sheet = self._new_sheet(_("Dòng đã sửa"), _("Cảnh báo"))
        for problem in warnings:
            sheet.append(self._row(sheet, problem))

    def close(self) -> Path | None:
        if self.workbook is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.workbook.save(self.path)
        self.workbook = None
        return self.path

    def discard(self) -> None:
        """Drop the rows of an import that failed: the file would describe nothing."""
        if self.workbook is not None:
            self.close()
            self.path.unlink(missing_ok=True)


_STAGING_COLUMNS = (
    "row_number",
    "personal_id",
    "full_name",
    "full_name_folded",
    "birth_date",
    "birth_year_only",
    "sex",
    "village_key",
    "household_code",
    "relation",
    "address",
    "police_note",
    "base_out_of_scope",
    "newly_15",
)


def _staged_values(row: ListRow) -> tuple[Any, ...]:
    return (
        row.number,
        row.personal_id,
        row.full_name,
        row.full_name_folded,
        row.birth_date,
        row.birth_year_only,
        row.sex,
        row.village_key,
        row.household_code,
        row.relation,
        row.address,
        row.police_note,
        row.out_of_scope,
        row.newly_15,
    )


PERSON_TABLE = Person._meta.db_table


def staging_table(job_id: int) -> str:
    """The rows as the check read them."""
    return f"collection_staging_{int(job_id)}"


def prepared_table(job_id: int) -> str:
    """The staged rows with the officer's decisions applied and marked with what writing each
    would do (see prepare_rows); made anew by every preparation."""
    return f"collection_prepared_{int(job_id)}"


class Staging:
    """The checked rows of one import, kept in a table of the job's own between the check and
    the confirmation (they may be hours apart, in other requests)."""

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.table = staging_table(job_id)
        self.vendor = connection.vendor

    def create(self) -> None:
        # Unlogged on PostgreSQL: the rows can always be read again from the stored file.
        kind = "UNLOGGED TABLE" if self.vendor == "postgresql" else "TABLE"
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(
                f"CREATE {kind} {self.table} ("
                "row_number integer, personal_id varchar(12), "
                "full_name varchar(150), full_name_folded varchar(150), birth_date date, "
                "birth_year_only boolean, sex varchar(1), village_key varchar(200), "
                "household_code varchar(30), relation varchar(50), "
                "address varchar(300), "
                "police_note varchar(300), base_out_of_scope varchar(14), newly_15 boolean)"
            )

    def exists(self) -> bool:
        return self.table in connection.introspection.table_names()

    @contextmanager
    def writer(self) -> Iterator[StagingWriter]:
        """Stages rows batch by batch (see StagingWriter); on error nothing stays open."""
        writer = StagingWriter(self)
        try:
            yield writer
        finally:
            writer.pause()

    def _insert(self, rows: list[ListRow]) -> None:
        marks = ", ".join(["%s"] * len(_STAGING_COLUMNS))
        # One short transaction per batch: on SQLite a statement outside a transaction
        # commits on its own, row by row.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {self.table} ({', '.join(_STAGING_COLUMNS)}) VALUES ({marks})",
                [_staged_values(row) for row in rows],
            )

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
            cursor.execute(f"DROP TABLE IF EXISTS {prepared_table(self.job_id)}")


class StagingWriter:
    """Writes staged rows. On PostgreSQL the batches go into one COPY that stays open until
    `pause` (before anything else uses the connection, such as a progress update), so that
    the server stores rows while the next ones are being read and checked."""

    def __init__(self, staging: Staging) -> None:
        self.staging = staging
        self.stack: ExitStack | None = None
        self.copy: Any = None

    def write(self, rows: list[ListRow]) -> None:
        if self.staging.vendor != "postgresql":
            self.staging._insert(rows)
            return
        if self.copy is None:
            self.stack = ExitStack()
            cursor = self.stack.enter_context(connection.cursor())
            columns = ", ".join(_STAGING_COLUMNS)
            self.copy = self.stack.enter_context(
                cursor.cursor.copy(f"COPY {self.staging.table} ({columns}) FROM STDIN")
            )
        write_row = self.copy.write_row
        for row in rows:
            write_row(_staged_values(row))

    def pause(self) -> None:
        """Finish the open COPY, if any (an error inside it is raised here)."""
        stack, self.stack, self.copy = self.stack, None, None
        if stack is not None:
            stack.close()


@dataclass
class CheckResult:
    rows_read: int
    staged: int
    errors: int
    warnings: int
    skipped: int
    error_file: Path | None
    analysis: dict[str, Any]


def check_list(
    job: PoliceListImport,
    stream: IO[bytes],
    *,
    on_progress: Callable[[int, float], None] | None = None,
    error_path: Path | None = None,
) -> CheckResult:
    """Read the whole file, check every row and stage the good ones; write nothing else.
    Raises TableError when the file as a whole cannot be used."""
    positions = {key: int(value) for key, value in job.mapping.items()} if job.mapping else None
    table = open_table(
        stream, job.original_name, POLICE_COLUMNS, header_row=job.header_row, positions=positions
    )
    missing = [c.label for c in POLICE_COLUMNS if c.required and c.key not in table.positions]
    if missing:
        raise TableError(_("Chưa chọn cột cho: %(columns)s.") % {"columns": ", ".join(missing)})
    if "village" not in table.positions and "address" not in table.positions:
        raise TableError(_("Chưa chọn cột Thôn (hoặc cột Địa chỉ có ghi thôn)."))
    parser = RowParser(job.commune, job.campaign.reference_date)
    errors = ErrorFile(error_path or error_file_path(job.pk))
    staging = Staging(job.pk)
    staging.create()
    rows_read = staged = skipped = 0
    first_errors: list[dict[str, Any]] = []
    skipped_rows: list[dict[str, Any]] = []
    villages: Counter[str] = Counter()
    village_texts: dict[str, str] = {}
    notes: Counter[str] = Counter()
    last_progress = time.monotonic()
    try:
        with staging.writer() as stage:
            batch: list[ListRow] = []
            in_footer = False
            for number, record in _rows(table.row_iter):
                kind = not_data_kind(record)
                # Under a total or a signature line, rows without an ID or a birth date are
                # the signers' names and titles, not people to collect.
                in_footer = in_footer or kind == "footer"
                if (
                    in_footer
                    and not kind
                    and not (record.get("personal_id") or record.get("birth_date"))
                ):
                    kind = "footer"
                if kind:
                    skipped += 1
                    if len(skipped_rows) < 5:
                        text = " · ".join(dict.fromkeys(v for v in record.values() if v))[:120]
                        skipped_rows.append({"row": number, "text": text})
                    continue
                rows_read += 1
                parsed = parser.parse(number, record)
                if isinstance(parsed, RowProblem):
                    errors.add(parsed)
                    if len(first_errors) < FIRST_PROBLEMS:
                        first_errors.append(_problem_dict(parsed))
                    continue
                villages[parsed.village_key] += 1
                if parsed.village_key not in village_texts:
                    village_texts[parsed.village_key] = (
                        record.get("village") or village_from_address(record.get("address", ""))
                    )[:200]
                if parsed.police_note and not parsed.out_of_scope:
                    notes[parsed.police_note] += 1
                batch.append(parsed)
                if len(batch) >= BATCH_SIZE:
                    stage.write(batch)
                    staged += len(batch)
                    batch = []
                    if on_progress is not None and time.monotonic() - last_progress > 1:
                        stage.pause()
                        on_progress(rows_read, table.progress())
                        last_progress = time.monotonic()
            if batch:
                stage.write(batch)
                staged += len(batch)
        if on_progress is not None:
            on_progress(rows_read, 1.0)
        errors.add_warnings(parser.warnings)
        elsewhere = registered_elsewhere(job)
    except BaseException:
        errors.discard()
        staging.drop()
        raise
    known = village_lookup(job.commune)
    analysis = {
        "read": True,
        "encoding": table.encoding or "",
        "header_row": table.header_row,
        "columns": [
            {
                "key": column.key,
                "label": column.label,
                "mapped": column.key in table.positions,
                "filled": parser.columns[column.key].filled,
                "good": parser.columns[column.key].good,
                "samples": parser.columns[column.key].samples,
            }
            for column in POLICE_COLUMNS
        ],
        "first_errors": first_errors,
        "registered_elsewhere": elsewhere,
        "first_warnings": [_problem_dict(w) for w in parser.warnings[:FIRST_PROBLEMS]],
        "skipped_rows": skipped_rows,
        "villages": [
            {"key": key, "text": village_texts[key], "count": count, "known": known.get(key)}
            for key, count in villages.most_common(MAX_DISTINCT)
        ],
        "more_villages": max(0, len(villages) - MAX_DISTINCT),
        "notes": [{"text": text, "count": count} for text, count in notes.most_common(100)],
        "more_notes": max(0, len(notes) - 100),
    }
    return CheckResult(
        rows_read=rows_read,
        staged=staged,
        errors=errors.count,
        warnings=parser.warning_count,
        skipped=skipped,
        error_file=errors.close(),
        analysis=analysis,
    )


def _problem_dict(problem: RowProblem) -> dict[str, Any]:
    return {
        "row": problem.number,
        "column": COLUMN_LABELS.get(problem.column, problem.column),
        "message": problem.message,
    }


def registered_elsewhere(job: PoliceListImport) -> int:
    """How many staged people the register holds in another commune (they are not linked:
    nothing of that commune's record reaches this list or its forms)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT COUNT(*) FROM {staging_table(job.pk)} s
            JOIN {PERSON_TABLE} p ON p.personal_id = s.personal_id AND p.personal_id <> ''
            WHERE p.commune_id <> %(commune)s
            """,
            {"commune": job.commune_id},
        )
        return int(cursor.fetchone()[0])


def _rows(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    # The reader names the row of an unreadable cell or bytes not in UTF-8
    # (core.tabular._bounded); this catches what the layers above it may still raise.
    try:
        yield from rows
    except READ_ERRORS as error:
        raise damaged_file_error() from error


def error_file_path(job_id: int) -> Path:
    return Path(settings.DATA_DIR) / "imports" / f"loi-{int(job_id)}.xlsx"


# Preparing the outcome ----------------------------------------------------------------------


def village_mapping(job: PoliceListImport) -> dict[str, int | None]:
    """Each distinct village value of the list and the village it maps to (None: unmapped).
    The officer's choice wins over the remembered and the automatic match."""
    current = set(
        Unit.objects.current()
        .filter(parent=job.commune, level=Level.VILLAGE)
        .values_list("pk", flat=True)
    )
    known = village_lookup(job.commune)
    mapping: dict[str, int | None] = {}
    for entry in job.analysis.get("villages", []):
        key = entry["key"]
        chosen = job.village_choices.get(key)
        if chosen in current:
            mapping[key] = int(chosen)
        else:
            mapping[key] = known.get(key)
    return mapping


def unmapped_villages(job: PoliceListImport) -> list[dict[str, Any]]:
    mapping = village_mapping(job)
    unmapped = [v for v in job.analysis.get("villages", []) if mapping.get(v["key"]) is None]
    return unmapped


def _case(
    column: str, pairs: Iterable[tuple[Any, Any]], default: str, prefix: str
) -> tuple[str, dict[str, Any]]:
    """A CASE expression mapping values of a column, with its (named) parameters."""
    pairs = list(pairs)
    if not pairs:
        return default, {}
    whens = " ".join(f"WHEN %({prefix}{n}k)s THEN %({prefix}{n}v)s" for n in range(len(pairs)))
    params = {}
    for n, (key, value) in enumerate(pairs):
        params[f"{prefix}{n}k"], params[f"{prefix}{n}v"] = key, value
    return f"CASE {column} {whens} ELSE {default} END", params


def prepare_list(job: PoliceListImport) -> dict[str, Any]:
    """Apply the village and remark decisions to the staged rows and compute the outcome the
    list would have, without writing to the work list. Stores the outcome on the job."""
    with transaction.atomic(), connection.cursor() as cursor:
        prepare_rows(job, cursor)
        counts = outcome(job, cursor)
    counts["prepared_at"] = timezone.now().isoformat()
    job.counts = counts
    job.risk_acknowledged = False
    job.save(update_fields=["counts", "risk_acknowledged"])
    return counts


# A listed person whose police data differs from what the work list holds. Only these rows are
# rewritten on a re-import: rewriting a million unchanged rows (and their indexes) would cost
# more than the rest of the import. A form that has left "not collected" keeps its category:
# the list does not re-flag work already done.
_CHANGED = """
    {old}.village_id <> {new}.village_id OR {old}.full_name <> {new}.full_name
    OR {old}.birth_date <> {new}.birth_date OR {old}.birth_year_only <> {new}.birth_year_only
    OR {old}.sex <> {new}.sex OR {old}.household_code <> {new}.household_code
    OR {old}.relation <> {new}.relation
    OR {old}.address <> {new}.address OR {old}.police_note <> {new}.police_note
    OR ({old}.category <> {new}.category AND {old}.status IN ('listed', 'excluded'))
    OR {old}.in_latest_list = FALSE
"""
# A list only ever creates or changes work items of its own commune: a person another commune
# of the same campaign already lists stays theirs (counted apart, never moved or renamed).
_OWN = "{old}.commune_id = %(commune)s"


def prepare_rows(job: PoliceListImport, cursor: Any) -> None:
    """Make the prepared table in one statement: each staged row with its village, its
    out-of-scope reason (the officer's decisions), its category, the items that differ from
    the register, and what writing it would do, compared with the work list — state new,
    changed, same or other (another commune lists the person) and whether it excludes someone
    waiting — plus whether it matches a row of this commune's current list (so that "no
    longer listed" is counted without a second pass). Building a table is several times
    cheaper than updating a million staged rows in place, twice."""
    base, table = staging_table(job.pk), prepared_table(job.pk)
    mapping = village_mapping(job)
    village, village_params = _case(
        "s.village_key", ((k, v) for k, v in mapping.items() if v is not None), "NULL", "v"
    )
    note, note_params = _case(
        "s.police_note",
        ((note, reason) for note, reason in job.note_choices.items() if reason in OutOfScope),
        "s.base_out_of_scope",
        "n",
    )
    params: dict[str, Any] = {
        **village_params,
        **note_params,
        "campaign": job.campaign_id,
        "commune": job.commune_id,
        "true": True,
    }
    own = _OWN.format(old="w")
    kind = "UNLOGGED TABLE" if connection.vendor == "postgresql" else "TABLE"
    cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"""
        CREATE {kind} {table} AS
        SELECT d.*,
          CASE WHEN w.id IS NULL THEN 'new'
            WHEN NOT ({own}) THEN 'other'
            WHEN {_CHANGED.format(old="w", new="d")} THEN 'changed'
            ELSE 'same' END AS state,
          CASE WHEN w.status = 'listed' AND {own} AND d.out_of_scope <> ''
            THEN 1 ELSE 0 END AS excludes,
          CASE WHEN {own} AND w.in_latest_list = %(true)s THEN 1 ELSE 0 END AS listed_here,
          CASE WHEN {own} AND w.in_latest_list = %(true)s AND w.status <> 'listed'
            THEN 1 ELSE 0 END AS started_here
        FROM (
          SELECT c.*,
            CASE
              WHEN c.out_of_scope <> '' THEN 'out_of_scope'
              WHEN c.person_id IS NULL THEN
                CASE WHEN c.newly_15 THEN 'newly_15' ELSE 'to_collect' END
              WHEN c.name_changed OR c.birth_changed OR c.sex_changed OR c.incomplete
                OR c.person_village_id <> c.village_id THEN 'to_update'
              ELSE 'current' END AS category,
            CASE WHEN c.out_of_scope <> '' OR c.person_id IS NULL THEN '[]' ELSE
              '[' || rtrim(
                CASE WHEN c.name_changed THEN '"full_name",' ELSE '' END
                || CASE WHEN c.birth_changed THEN '"birth_date",' ELSE '' END
                || CASE WHEN c.sex_changed THEN '"sex",' ELSE '' END
                || CASE WHEN c.person_village_id <> c.village_id THEN '"village",' ELSE '' END
                || CASE WHEN c.incomplete THEN '"incomplete",' ELSE '' END, ',') || ']'
              END AS changed_items,
            CASE WHEN c.out_of_scope <> '' THEN 'excluded' ELSE 'listed' END AS status
          FROM (
            SELECT s.*, CAST({village} AS bigint) AS village_id, {note} AS out_of_scope,
              p.id AS person_id, p.village_id AS person_village_id,
              p.full_name_folded <> s.full_name_folded AS name_changed,
              p.birth_date <> s.birth_date AS birth_changed,
              s.sex <> '' AND p.sex <> s.sex AS sex_changed,
              -- The ethnic group is asked only of ethnic minorities (item 8.6), so a Kinh
              -- person collected without it, or with a form that has no such item, is
              -- complete.
              p.activity_status = '' OR p.general_education = ''
                OR (p.is_ethnic_minority AND p.ethnic_group = '') AS incomplete
            FROM {base} s
            -- A person the register holds in another commune is not linked: nothing of
            -- that commune's record reaches this list or its forms (moving them is a
            -- transfer, never a side effect).
            LEFT JOIN {PERSON_TABLE} p ON p.personal_id = s.personal_id
              AND p.personal_id <> '' AND p.commune_id = %(commune)s
          ) c
        ) d
        LEFT JOIN collection_workitem w
          ON w.campaign_id = %(campaign)s AND w.personal_id = d.personal_id
        """,
        params,
    )
    if connection.vendor == "postgresql":
        # Tables made at run time are analysed only later by autovacuum; the planner needs
        # statistics for the (hash) joins that read this one.
        cursor.execute(f"ANALYZE {table}")
    else:
        # SQLite joins by looking rows up, one by one.
        cursor.execute(f"CREATE UNIQUE INDEX {table}_id ON {table} (personal_id)")


def outcome(job: PoliceListImport, cursor: Any) -> dict[str, Any]:
    """What merging the staged rows would do, counted without writing."""
    table = prepared_table(job.pk)
    params: dict[str, Any] = {"campaign": job.campaign_id, "commune": job.commune_id}
    cursor.execute(
        f"""
        SELECT
          SUM(CASE WHEN village_id IS NOT NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN village_id IS NOT NULL AND state = 'new' THEN 1 ELSE 0 END),
          SUM(CASE WHEN village_id IS NOT NULL AND state = 'changed' THEN 1 ELSE 0 END),
          SUM(CASE WHEN village_id IS NOT NULL THEN excludes ELSE 0 END),
          SUM(CASE WHEN village_id IS NOT NULL AND state = 'other' THEN 1 ELSE 0 END),
          SUM(CASE WHEN village_id IS NULL THEN 1 ELSE 0 END),
          SUM(listed_here), SUM(started_here)
        FROM {table}
        """
    )
    (
        total,
        added,
        changed,
        newly_excluded,
        other_commune,
        unmapped,
        still_listed,
        still_started,
    ) = (v or 0 for v in cursor.fetchone())
    # Rows another commune holds are read but not written.
    total -= other_commune
    cursor.execute(
        "SELECT COUNT(*), SUM(CASE WHEN status <> 'listed' THEN 1 ELSE 0 END) "
        "FROM collection_workitem WHERE campaign_id = %(campaign)s "
        "AND commune_id = %(commune)s AND in_latest_list = %(true)s",
        {**params, "true": True},
    )
    current, current_started = (v or 0 for v in cursor.fetchone())
    removed = removed_started = 0
    if job.full_list and current:
        # Every current row of the commune the list does not hold (any row of it, mapped or
        # not: a person listed under an unmapped village is still listed).
        removed, removed_started = current - still_listed, current_started - still_started
    cursor.execute(f"SELECT category, COUNT(*) FROM {table} GROUP BY category")
    by_category = dict(cursor.fetchall())
    cursor.execute(
        f"SELECT out_of_scope, COUNT(*) FROM {table} WHERE out_of_scope <> '' GROUP BY out_of_scope"
    )
    by_reason = dict(cursor.fetchall())
    errors = job.error_count
    risks = []
    if job.full_list and current and removed > RISK_SHARE * current:
        risks.append("drops")
    if job.full_list and errors > RISK_SHARE * (total + errors + unmapped):
        risks.append("errors")
    return {
        "rows": total,
        "added": added,
        "changed": changed,
        "unchanged": total - added - changed,
        "removed": removed,
        "removed_started": removed_started,
        "newly_excluded": newly_excluded,
        "other_commune": other_commune,
        "unmapped": unmapped,
        "readable": total + unmapped,
        "current": current,
        "errors": errors,
        "risks": risks,
        **{f"category_{key}": by_category.get(key, 0) for key in Category.values},
        **{f"reason_{key}": by_reason.get(key, 0) for key in OutOfScope.values},
    }


def refusal(job: PoliceListImport) -> str:
    """Why the checked list cannot be written as it is, or ""."""
    counts = job.counts or {}
    if not counts.get("rows") and not counts.get("unmapped"):
        return _(
            "Không có dòng nào đọc được trong danh sách này, nên không nhập. Hãy xem các dòng "
            "lỗi, sửa tệp rồi tải lên lại."
        )
    if counts.get("unmapped") or unmapped_villages(job):
        return _("Còn thôn chưa ghép với thôn của xã. Hãy chọn thôn cho từng tên bên dưới.")
    return ""


# Writing and undoing ------------------------------------------------------------------------


class ListRefused(Exception):
    """The list cannot be written (or undone) now; the message says why and what to do."""


def apply_list(job: PoliceListImport, acting_user: Any) -> dict[str, Any]:
    """Merge the staged rows into the work list in one transaction, keeping the earlier state
    of every row it changes. Refuses a list that became risky since it was confirmed."""
    from laodong.collection.actions import apply_assignments

    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=job.campaign_id).first()
        reason = refusal(job)
        if reason:
            raise ListRefused(reason)
        prepared_at = job.counts.get("prepared_at")
        counts = dict(job.counts)
        if (
            prepared_at is None
            or WorkItem.objects.filter(
                campaign_id=job.campaign_id, updated_at__gt=prepared_at
            ).exists()
        ):
            # Something moved since the preview: compare again, inside this transaction.
            with connection.cursor() as cursor:
                prepare_rows(job, cursor)
                counts = outcome(job, cursor)
        if counts["risks"] and not set(counts["risks"]) <= set(job.counts.get("risks", [])):
            raise ListRefused(
                _(
                    "Danh sách của xã đã thay đổi từ lúc kiểm tra và việc nhập này nay sẽ bỏ "
                    "nhiều người hơn. Hãy xem lại kết quả rồi xác nhận lại."
                )
            )
        if counts["risks"] and not job.risk_acknowledged:
            raise ListRefused(_("Hãy đánh dấu đã đọc cảnh báo trước khi nhập."))
        now = timezone.now()
        _keep_before(job, counts)
        merged = merge(job=job, acting_user=acting_user, now=now, counts=counts)
        merged["transfers_completed"] = complete_transfers(job, acting_user)
        apply_assignments(job.campaign, job.commune, list_import=job)
        counts = {**counts, **merged}
        PoliceListImport.objects.filter(pk=job.pk).update(
            status=JobStatus.DONE,
            counts=counts,
            applied_at=now,
            undoable=True,
            finished_at=now,
            confirmed_by=acting_user if getattr(acting_user, "pk", None) else None,
            message="",
        )
    Staging(job.pk).drop()
    job.refresh_from_db()
    return counts


def complete_transfers(job: PoliceListImport, acting_user: Any) -> int:
    """People this commune asked another commune for, now on this commune's police list: the
    police have registered them here, so each transfer completes by itself (the record moves
    with its history) and the list's row is linked to it. Inside apply_list's transaction."""
    from laodong.register.transfers import complete_by_police_list

    waiting = list(
        Person.objects.filter(
            transfers__to_commune_id=job.commune_id,
            transfers__status=TransferStatus.PENDING,
        )
        .exclude(commune_id=job.commune_id)
        .filter(
            personal_id__in=WorkItem.objects.filter(
                campaign_id=job.campaign_id, commune_id=job.commune_id, in_latest_list=True
            ).values("personal_id")
        )
        .distinct()
    )
    name = f"“{job.original_name}”"
    done = 0
    for person in waiting:
        moved = complete_by_police_list(
            acting_user=acting_user, person=person, commune=job.commune, list_name=name
        )
        if moved is not None:
            WorkItem.objects.filter(
                campaign_id=job.campaign_id,
                commune_id=job.commune_id,
                personal_id=person.personal_id,
                person__isnull=True,
            ).update(person=person)
            done += 1
    return done


def _keep_before(job: PoliceListImport, counts: dict[str, Any]) -> None:
    """Copy every work item the merge will change, as it is now, for the undo. The counts
    (current: nothing moved since they were made) skip the joins that would find nothing."""
    table = prepared_table(job.pk)
    kept = _KEPT_COLUMNS.split(", ")
    target = "list_import_id, work_item_id, list_import_id_before, " + ", ".join(kept)
    select = ", ".join(f"w.{column}" for column in kept)
    params: dict[str, Any] = {
        "campaign": job.campaign_id,
        "commune": job.commune_id,
        "job": job.pk,
    }
    with connection.cursor() as cursor:
        if counts.get("changed") or counts.get("newly_excluded"):
            cursor.execute(
                f"""
                INSERT INTO collection_workitembefore ({target})
                SELECT %(job)s, w.id, w.list_import_id, {select}
                FROM collection_workitem w JOIN {table} s ON s.personal_id = w.personal_id
                WHERE w.campaign_id = %(campaign)s AND s.village_id IS NOT NULL
                  AND {_OWN.format(old="w")} AND (s.state = 'changed' OR s.excludes = 1)
                """,
                params,
            )
        if job.full_list and counts.get("removed"):
            cursor.execute(
                f"""
                INSERT INTO collection_workitembefore ({target})
                SELECT %(job)s, w.id, w.list_import_id, {select}
                FROM collection_workitem w
                WHERE w.campaign_id = %(campaign)s AND w.commune_id = %(commune)s
                  AND w.in_latest_list = %(true)s
                  AND NOT EXISTS (SELECT 1 FROM {table} s WHERE s.personal_id = w.personal_id)
                """,
                {**params, "true": True},
            )


# The columns of a work item an import may change, kept before it does so.
_KEPT_COLUMNS = (
    "commune_id, village_id, full_name, full_name_folded, birth_date, birth_year_only, sex, "
    "household_code, relation, address, police_note, in_latest_list, category, out_of_scope, "
    "changed_items, person_id, status, assigned_to_id"
)


def _json(text: str) -> str:
    return f"CAST('{text}' AS jsonb)" if connection.vendor == "postgresql" else f"'{text}'"


def _changed_items_expression() -> str:
    if connection.vendor == "postgresql":
        return "CAST(s.changed_items AS jsonb)"
    return "s.changed_items"


def merge(
    *,
    job: PoliceListImport,
    acting_user: Any,
    now: datetime.datetime,
    counts: dict[str, Any] | None = None,
) -> dict[str, int]:
    """Merge the staged rows into the work list; must run inside a transaction. The counts
    (current: nothing moved since they were made) skip statements that would touch nothing."""
    counts = counts or {}
    everything = not counts
    table = prepared_table(job.pk)
    params: dict[str, Any] = {
        "campaign": job.campaign_id,
        "commune": job.commune_id,
        "job": job.pk,
        # As the ORM would store it: raw SQLite parameters would keep "+00:00" and compare
        # wrongly with times the ORM wrote.
        "now": connection.ops.adapt_datetimefield_value(now),
    }
    with connection.cursor() as cursor:
        # People already listed whom the new list puts out of scope leave the work list, with
        # a transition saying why (only while nobody has started on their form).
        reasons = {
            f"reason_{code}": _("Danh sách Công an xã: %(reason)s") % {"reason": label}
            for code, label in OutOfScope.choices
        }
        cases = " ".join(f"WHEN '{code}' THEN %(reason_{code})s" for code in OutOfScope.values)
        excluding = everything or bool(counts.get("newly_excluded"))
        if excluding:
            cursor.execute(
                f"""
                INSERT INTO collection_transition
                  (work_item_id, from_status, to_status, actor_id, at, reason)
                SELECT w.id, w.status, %(excluded)s, %(actor)s, %(now)s,
                  CASE s.out_of_scope {cases} ELSE '' END
                FROM collection_workitem w JOIN {table} s ON s.personal_id = w.personal_id
                WHERE w.campaign_id = %(campaign)s AND w.status = %(listed)s
                  AND {_OWN.format(old="w")} AND s.excludes = 1 AND s.village_id IS NOT NULL
                """,
                {
                    **params,
                    **reasons,
                    "excluded": Status.EXCLUDED,
                    "listed": Status.LISTED,
                    "actor": getattr(acting_user, "pk", None),
                },
            )
            cursor.execute(
                f"""
                UPDATE collection_workitem SET status = %(excluded)s
                WHERE campaign_id = %(campaign)s AND status = %(listed)s
                  AND commune_id = %(commune)s AND personal_id IN (
                  SELECT personal_id FROM {table} WHERE excludes = 1 AND village_id IS NOT NULL)
                """,
                {**params, "excluded": Status.EXCLUDED, "listed": Status.LISTED},
            )
        cursor.execute(
            f"""
            INSERT INTO collection_workitem (
              campaign_id, commune_id, village_id, personal_id, full_name, full_name_folded,
              birth_date, birth_year_only, sex, household_code, relation, address, police_note,
              in_latest_list, list_import_id, category, out_of_scope, changed_items, person_id,
              status, mode, answers, has_draft, findings, confirmed_warnings, first_keying,
              keying_differences, return_reason, return_comments, not_enterable_reason,
              archive_reference, updated_at)
            SELECT %(campaign)s, %(commune)s, s.village_id, s.personal_id, s.full_name,
              s.full_name_folded, s.birth_date, s.birth_year_only, s.sex, s.household_code,
              s.relation, s.address, s.police_note, %(true)s, %(job)s, s.category, s.out_of_scope,
              {_changed_items_expression()}, s.person_id, s.status, '', {_json("{}")},
              %(false)s, {_json("[]")}, {_json("[]")}, {_json("{}")}, {_json("[]")}, '',
              {_json("{}")}, '', '', %(now)s
            FROM {table} s
            WHERE s.village_id IS NOT NULL AND s.state IN ('new', 'changed')
            ON CONFLICT (campaign_id, personal_id) WHERE NOT (personal_id = '') DO UPDATE SET
              commune_id = excluded.commune_id, village_id = excluded.village_id,
              full_name = excluded.full_name, full_name_folded = excluded.full_name_folded,
              birth_date = excluded.birth_date, birth_year_only = excluded.birth_year_only,
              sex = excluded.sex, household_code = excluded.household_code,
              relation = excluded.relation, address = excluded.address,
              police_note = excluded.police_note,
              in_latest_list = excluded.in_latest_list,
              list_import_id = excluded.list_import_id,
              category = CASE WHEN collection_workitem.status IN ('listed', 'excluded')
                THEN excluded.category ELSE collection_workitem.category END,
              out_of_scope = excluded.out_of_scope,
              changed_items = CASE WHEN collection_workitem.status IN ('listed', 'excluded')
                THEN excluded.changed_items ELSE collection_workitem.changed_items END,
              person_id = COALESCE(collection_workitem.person_id, excluded.person_id),
              updated_at = excluded.updated_at
            WHERE {_OWN.format(old="collection_workitem")}
              AND ({_CHANGED.format(old="collection_workitem", new="excluded")})
            """,
            {**params, "true": True, "false": False},
        )
        removed = 0
        if job.full_list and (everything or counts.get("removed")):
            cursor.execute(
                f"""
                UPDATE collection_workitem SET in_latest_list = %(false)s, updated_at = %(now)s
                WHERE campaign_id = %(campaign)s AND commune_id = %(commune)s
                  AND in_latest_list = %(true)s
                  AND NOT EXISTS (
                    SELECT 1 FROM {table} s
                    WHERE s.personal_id = collection_workitem.personal_id)
                """,
                {**params, "true": True, "false": False},
            )
            removed = cursor.rowcount
    tally.mark_commune(job.campaign_id, job.commune_id)
    return {"removed": removed}


def last_applied(campaign_id: int, commune_id: int) -> PoliceListImport | None:
    """The import of a commune that an undo would reverse: the newest one written."""

    return (
        PoliceListImport.objects.filter(
            campaign_id=campaign_id,
            commune_id=commune_id,
            status__in=(JobStatus.DONE, JobStatus.UNDO_QUEUED, JobStatus.UNDOING),
        )
        .order_by("-applied_at", "-pk")
        .first()
    )


def undo_blockers(job: PoliceListImport) -> int:
    """How many rows the import touched on which a form has moved since, or a draft was
    started on a row it added (then no undo: the work done would be lost)."""
    kept = WorkItemBefore.objects.filter(list_import=job).values("work_item_id")
    added = WorkItem.objects.filter(campaign_id=job.campaign_id, list_import=job).exclude(
        pk__in=kept
    )
    moved = Transition.objects.filter(at__gt=job.applied_at).filter(
        Q(work_item_id__in=kept) | Q(work_item__in=added)
    )
    return moved.values("work_item_id").distinct().count() + added.filter(has_draft=True).count()


def undo_list(job: PoliceListImport, acting_user: Any) -> dict[str, int]:
    """Return the work list exactly to its state before the import: rows it added go, rows it
    changed get their earlier values back, people it excluded are listed again."""
    from laodong.audit.models import record_event

    with transaction.atomic():
        Campaign.objects.select_for_update().filter(pk=job.campaign_id).first()
        latest = last_applied(job.campaign_id, job.commune_id)
        if latest is None or latest.pk != job.pk:
            raise ListRefused(
                _("Chỉ hoàn tác được lần nhập danh sách gần nhất của xã (đã có lần nhập sau).")
            )
        if not job.undoable:
            raise ListRefused(
                _("Lần nhập này được ghi trước khi có chức năng hoàn tác nên không hoàn tác được.")
            )
        blockers = undo_blockers(job)
        if blockers:
            raise ListRefused(
                _(
                    "Không hoàn tác được: đã có %(count)s phiếu được làm tiếp trên những người "
                    "của lần nhập này. Hãy nhập danh sách đúng để sửa."
                )
                % {"count": blockers}
            )
        now = timezone.now()
        params: dict[str, Any] = {
            "job": job.pk,
            "campaign": job.campaign_id,
            "now": connection.ops.adapt_datetimefield_value(now),
        }
        reason = _("Hoàn tác lần nhập danh sách “%(name)s”") % {"name": job.original_name}
        with connection.cursor() as cursor:
            cursor.execute(
                """
                INSERT INTO collection_transition
                  (work_item_id, from_status, to_status, actor_id, at, reason)
                SELECT w.id, w.status, b.status, %(actor)s, %(now)s, %(reason)s
                FROM collection_workitem w JOIN collection_workitembefore b
                  ON b.work_item_id = w.id AND b.list_import_id = %(job)s
                WHERE w.status <> b.status
                """,
                {**params, "actor": getattr(acting_user, "pk", None), "reason": reason[:300]},
            )
            # Assignments made since the import stay: giving work is not undone with the list.
            restored = [c for c in _KEPT_COLUMNS.split(", ") if c != "assigned_to_id"]
            assignments = ", ".join(f"{column} = b.{column}" for column in restored)
            cursor.execute(
                f"""
                UPDATE collection_workitem SET {assignments},
                  list_import_id = b.list_import_id_before, updated_at = %(now)s
                FROM collection_workitembefore b
                WHERE b.work_item_id = collection_workitem.id AND b.list_import_id = %(job)s
                """,
                params,
            )
            restored_count = cursor.rowcount
            added = """
                SELECT w.id FROM collection_workitem w
                WHERE w.campaign_id = %(campaign)s AND w.list_import_id = %(job)s
                  AND NOT EXISTS (SELECT 1 FROM collection_workitembefore b
                                  WHERE b.list_import_id = %(job)s AND b.work_item_id = w.id)
            """
            cursor.execute(
                f"DELETE FROM collection_transition WHERE work_item_id IN ({added})", params
            )
            cursor.execute(f"DELETE FROM collection_workitem WHERE id IN ({added})", params)
            removed_count = cursor.rowcount
        tally.mark_commune(job.campaign_id, job.commune_id)
        record_event(
            actor=acting_user,
            action="collection.undo_police_list",
            target=job,
            unit=job.commune,
            details={"restored": restored_count, "removed": removed_count},
        )
    return {"restored": restored_count, "removed": removed_count}


# One go, for the command line, the demo and tests -------------------------------------------


@dataclass
class Outcome:
    counts: dict[str, Any]
    errors: int
    error_file: Path | None
    rows_read: int
    job: PoliceListImport | None = None


def import_list(
    *,
    campaign: Campaign,
    commune: Unit,
    stream: IO[bytes],
    filename: str,
    acting_user: Any,
    full_list: bool = True,
    header_row: int | None = None,
    positions: dict[str, int] | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    error_path: Path | None = None,
    villages: dict[str, int] | None = None,
    notes: dict[str, str] | None = None,
    accept_risk: bool = False,
    dry_run: bool = False,
) -> Outcome:
    """Check, prepare and (unless `dry_run`) write a police list as one job. Raises TableError
    when the file as a whole cannot be used and ListRefused when the outcome needs a decision
    (unmapped villages, a risky list without `accept_risk`); then nothing is written."""

    job = PoliceListImport.objects.create(
        campaign=campaign,
        commune=commune,
        file_path="",
        original_name=filename[:200],
        full_list=full_list,
        header_row=header_row,
        mapping=positions or {},
        created_by=acting_user if getattr(acting_user, "pk", None) else None,
        status=JobStatus.RUNNING,
    )
    try:
        checked = check_list(job, stream, on_progress=on_progress, error_path=error_path)
    except TableError as problem:
        PoliceListImport.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, message=str(problem)[:500]
        )
        raise
    record_check(job, checked)
    job.village_choices = {key: pk for key, pk in (villages or {}).items()}
    job.note_choices = dict(notes or {})
    job.save(update_fields=["village_choices", "note_choices"])
    prepare_list(job)
    job.refresh_from_db()
    result = Outcome(
        counts=job.counts,
        errors=checked.errors,
        error_file=checked.error_file,
        rows_read=checked.rows_read,
        job=job,
    )
    if dry_run:
        return result
    reason = refusal(job)
    if reason:
        raise ListRefused(reason)
    job.risk_acknowledged = accept_risk
    job.save(update_fields=["risk_acknowledged"])
    result.counts = apply_list(job, acting_user)
    return result


def record_check(job: PoliceListImport, checked: CheckResult) -> None:
    """Store what the check found on the job."""

    job.analysis = checked.analysis
    job.rows_read = checked.rows_read
    job.error_count = checked.errors
    job.warning_count = checked.warnings
    job.skipped_rows = checked.skipped
    job.error_file = str(checked.error_file or "")
    job.status = JobStatus.CHECKED
    job.save(
        update_fields=[
            "analysis",
            "rows_read",
            "error_count",
            "warning_count",
            "skipped_rows",
            "error_file",
            "status",
        ]
    )
