"""Step 1: import the commune police's list of residents aged 15+ into a campaign's work list.

The file is streamed (a province-wide list can hold a million rows); each row is checked and
classified in Python, staged in a temporary table (PostgreSQL COPY, or batched inserts on
SQLite), and merged into the work list by a few set-based statements inside one transaction:
either the whole list lands or nothing does. Rows that cannot be read are written, with the
reason, to an XLSX file the officer downloads, fixes and imports again; re-importing is
idempotent.
"""

from __future__ import annotations

import datetime
import json
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill

from laodong.campaigns.models import Campaign
from laodong.collection.models import Category, OutOfScope, Status
from laodong.core.tabular import (
    READ_ERRORS,
    Column,
    TableError,
    damaged_file_error,
    open_table,
)
from laodong.core.text import capitalize_name, fold, fold_compact, normalize_text
from laodong.forms.citizen_id import IdProblem, normalize_id, parse_id
from laodong.forms.dates import PartialDate, add_years, parse_date
from laodong.register.models import Person
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
        ),
    ),
    Column("full_name", "Họ và tên", ("Họ tên", "Họ và tên công dân", "Tên công dân")),
    Column(
        "birth_date",
        "Ngày sinh",
        ("Ngày tháng năm sinh", "Ngày, tháng, năm sinh", "Năm sinh", "Ngày/tháng/năm sinh"),
    ),
    Column("sex", "Giới tính", ("Giới", "Nam/Nữ"), required=False),
    Column(
        "village",
        "Thôn",
        (
            "Thôn/Tổ dân phố",
            "Thôn, tổ dân phố",
            "Thôn/xóm",
            "Thôn/Bản",
            "Tổ dân phố",
            "Xóm",
            "Bản",
            "Ấp",
            "Khu phố",
            "Địa bàn",
        ),
    ),
    Column(
        "household_code",
        "Mã hộ",
        ("Mã hộ gia đình", "Số hộ khẩu", "Số sổ hộ khẩu", "Mã HGĐ"),
        required=False,
    ),
    Column(
        "address",
        "Địa chỉ thường trú",
        ("Nơi thường trú", "Địa chỉ", "Nơi ở hiện tại", "Địa chỉ thường trú hiện nay"),
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

# Words in the police's remark column that put a person out of scope (domain README: armed
# forces and police are not collected; the dead and those who moved away are off the list).
_OUT_OF_SCOPE_WORDS = (
    (OutOfScope.DECEASED, ("da chet", "da mat", "tu tran", "chet", "qua doi", "khai tu")),
    (OutOfScope.MOVED_AWAY, ("chuyen di", "chuyen khau", "xoa thuong tru", "da chuyen")),
    (OutOfScope.ARMED_FORCES, ("quan doi", "bo doi", "quan nhan", "nghia vu quan su", "qdnd")),
    (OutOfScope.POLICE, ("cong an", "cand", "nghia vu cong an")),
)
_SEX = {"nam": "1", "1": "1", "m": "1", "nu": "2", "2": "2", "f": "2"}
# Village names as written in lists: "Thôn 1", "thôn 01", "1", "Tổ dân phố 3", "TDP 3".
_VILLAGE_PREFIX = re.compile(
    r"^(thon|xom|ban|ap|to dan pho|tdp|khu pho|kp|to|khu|buon|lang|khom|plei|soc)\s+"
)
BATCH_SIZE = 5000


def out_of_scope_reason(note: str) -> str:
    folded = fold_compact(note)
    if not folded:
        return ""
    for reason, words in _OUT_OF_SCOPE_WORDS:
        if any(re.search(rf"\b{word}\b", folded) for word in words):
            return str(reason)
    return ""


def _village_key(name: str) -> str:
    folded = fold_compact(name)
    folded = _VILLAGE_PREFIX.sub("", folded)
    return " ".join(part.lstrip("0") or "0" if part.isdigit() else part for part in folded.split())


def village_lookup(commune: Unit) -> dict[str, int]:
    """Village keys of a commune's current villages, matching the usual spellings."""
    villages = Unit.objects.current().filter(parent=commune, level=Level.VILLAGE)
    return {_village_key(v.name): v.pk for v in villages}


@dataclass
class ListRow:
    number: int
    personal_id: str
    full_name: str
    full_name_folded: str
    birth_date: datetime.date
    birth_year_only: bool
    sex: str
    village_id: int
    household_code: str
    address: str
    police_note: str
    out_of_scope: str
    newly_15: bool
    category: str = ""
    changed_items: list[str] = field(default_factory=list)
    person_id: int | None = None
    status: str = Status.LISTED


@dataclass
class RowProblem:
    number: int
    column: str
    message: str
    record: dict[str, str]


class RowParser:
    """Check and classify one row of the police list."""

    def __init__(self, commune: Unit, reference_date: datetime.date) -> None:
        self.commune = commune
        self.reference_date = reference_date
        self.villages = village_lookup(commune)
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
        self.village_ids: dict[str, int | None] = {}
        self.reasons: dict[str, str] = {}

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

    def _village(self, text: str) -> int | None:
        if text not in self.village_ids:
            self.village_ids[text] = self.villages.get(_village_key(text))
        return self.village_ids[text]

    def _reason(self, note: str) -> str:
        if note not in self.reasons:
            self.reasons[note] = out_of_scope_reason(note)
        return self.reasons[note]

    def parse(self, number: int, record: dict[str, str]) -> ListRow | RowProblem:
        def problem(column: str, message: str) -> RowProblem:
            return RowProblem(number, column, message, record)

        raw_id = record.get("personal_id", "")
        personal_id = normalize_id(raw_id)
        parsed = parse_id(personal_id)
        if not personal_id:
            return problem("personal_id", _("Thiếu số định danh cá nhân."))
        if isinstance(parsed, IdProblem):
            return problem(
                "personal_id",
                _("Số định danh “%(value)s” không hợp lệ: cần 12 chữ số (hoặc CMND 9 số).")
                % {"value": raw_id},
            )
        if personal_id in self.seen:
            return problem(
                "personal_id",
                _("Trùng số định danh với dòng %(row)s. Mỗi người chỉ ghi một dòng.")
                % {"row": self.seen[personal_id]},
            )
        name, folded_name = self._name(record.get("full_name", ""))
        if not name:
            return problem("full_name", _("Thiếu họ và tên."))
        birth_text = record.get("birth_date", "")
        birth = self._date(birth_text)
        if birth is None:
            return problem(
                "birth_date",
                _("Ngày sinh “%(value)s” không đúng; ghi theo dạng dd/mm/yyyy hoặc chỉ năm sinh.")
                % {"value": birth_text},
            )
        if birth.value > self.reference_date:
            return problem("birth_date", _("Ngày sinh sau thời điểm tính tuổi của kế hoạch."))
        village_text = record.get("village", "")
        village_id = self._village(village_text)
        if village_id is None:
            return problem(
                "village",
                _(
                    "Xã không có thôn “%(value)s”. Sửa tên thôn cho đúng danh mục, hoặc thêm "
                    "thôn ở mục Đơn vị hành chính rồi nhập lại."
                )
                % {"value": village_text},
            )
        sex_text = record.get("sex", "")
        sex = _SEX.get(sex_text) or _SEX.get(fold(sex_text), "")
        if sex_text and not sex:
            return problem(
                "sex", _("Giới tính “%(value)s” không rõ; ghi Nam hoặc Nữ.") % {"value": sex_text}
            )
        self.seen[personal_id] = number
        note = record.get("police_note", "")[:300]
        reason = self._reason(note)
        if not reason and birth.value > self.fifteen_before:
            reason = OutOfScope.UNDER_15
        return ListRow(
            number=number,
            personal_id=personal_id,
            full_name=name[:150],
            full_name_folded=folded_name[:150],
            birth_date=birth.value,
            birth_year_only=birth.year_only,
            sex=sex,
            village_id=village_id,
            household_code=record.get("household_code", "")[:30],
            address=record.get("address", "")[:300],
            police_note=note,
            out_of_scope=reason,
            newly_15=birth.value > self.newly_15_after,
        )


def classify(rows: list[ListRow]) -> None:
    """Set each row's category from the register (one indexed query per batch)."""
    ids = [row.personal_id for row in rows]
    people = Person.objects.all()
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of IN parameters Django would prepare.
        people = people.extra(where=["personal_id = ANY(%s)"], params=[ids])
    else:
        people = people.filter(personal_id__in=ids)
    known = {
        values[0]: values[1:]
        for values in people.values_list(
            "personal_id",
            "pk",
            "full_name_folded",
            "birth_date",
            "sex",
            "village_id",
            "activity_status",
            "ethnic_group",
            "general_education",
        )
    }
    for row in rows:
        match = known.get(row.personal_id)
        if match is not None:
            row.person_id = match[0]
        if row.out_of_scope:
            row.category, row.status = Category.OUT_OF_SCOPE, Status.EXCLUDED
            continue
        if match is None:
            row.category = Category.NEWLY_15 if row.newly_15 else Category.TO_COLLECT
            continue
        _pk, name, birth, sex, village_id, activity, ethnic, education = match
        changed = [
            key
            for key, differs in (
                ("full_name", name != row.full_name_folded),
                ("birth_date", birth != row.birth_date),
                ("sex", bool(row.sex) and sex != row.sex),
                ("village", village_id != row.village_id),
            )
            if differs
        ]
        if not (activity and ethnic and education):
            changed.append("incomplete")
        row.changed_items = changed
        row.category = Category.TO_UPDATE if changed else Category.CURRENT


class ErrorFile:
    """Bad rows, streamed into an XLSX with the police columns plus the reason."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self.keys = [column.key for column in POLICE_COLUMNS]
        self.workbook: Workbook | None = None
        self.sheet: Any = None
        self.fill = PatternFill("solid", fgColor="FDE2E1")

    def _open(self) -> Any:
        # Made on the first bad row: a write-only workbook must be saved once started.
        self.workbook = Workbook(write_only=True)
        self.sheet = self.workbook.create_sheet(_("Dòng lỗi"))
        bold = Font(bold=True)
        header = [_("Dòng trong tệp gốc"), *(c.label for c in POLICE_COLUMNS), _("Lỗi")]
        cells = []
        for text in header:
            cell = WriteOnlyCell(self.sheet, value=text)
            cell.font = bold
            cells.append(cell)
        self.sheet.append(cells)
        return self.sheet

    def add(self, problem: RowProblem) -> None:
        sheet = self.sheet if self.workbook is not None else self._open()
        self.count += 1
        where = COLUMN_LABELS.get(problem.column, problem.column)
        message = WriteOnlyCell(sheet, value=f"{where}: {problem.message}")
        message.fill = self.fill
        sheet.append([problem.number, *(problem.record.get(key, "") for key in self.keys), message])

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
    "village_id",
    "household_code",
    "address",
    "police_note",
    "category",
    "out_of_scope",
    "changed_items",
    "person_id",
    "status",
)


class Staging:
    """A temporary table holding the checked rows until they are merged in one transaction."""

    table = "police_list_staging"

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.cursor = connection.cursor()
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE {self.table} ("
            "row_number integer, personal_id varchar(12) PRIMARY KEY, full_name varchar(150), "
            "full_name_folded varchar(150), birth_date date, birth_year_only boolean, "
            "sex varchar(1), village_id bigint, household_code varchar(30), "
            "address varchar(300), police_note varchar(300), category varchar(14), "
            "out_of_scope varchar(14), changed_items text, person_id bigint, status varchar(14))"
        )

    def add(self, rows: list[ListRow]) -> None:
        values = [
            (
                row.number,
                row.personal_id,
                row.full_name,
                row.full_name_folded,
                row.birth_date,
                row.birth_year_only,
                row.sex,
                row.village_id,
                row.household_code,
                row.address,
                row.police_note,
                row.category,
                row.out_of_scope,
                json.dumps(row.changed_items),
                row.person_id,
                row.status,
            )
            for row in rows
        ]
        if self.vendor == "postgresql":
            raw = self.cursor.cursor
            with raw.copy(f"COPY {self.table} ({', '.join(_STAGING_COLUMNS)}) FROM STDIN") as copy:
                for value in values:
                    copy.write_row(value)
        else:
            marks = ", ".join(["%s"] * len(_STAGING_COLUMNS))
            self.cursor.executemany(
                f"INSERT INTO {self.table} ({', '.join(_STAGING_COLUMNS)}) VALUES ({marks})",
                values,
            )

    def drop(self) -> None:
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.table}")
        self.cursor.close()


def _json(text: str) -> str:
    return f"CAST('{text}' AS jsonb)" if connection.vendor == "postgresql" else f"'{text}'"


def _changed_items_expression() -> str:
    if connection.vendor == "postgresql":
        return "CAST(s.changed_items AS jsonb)"
    return "s.changed_items"


# A listed person whose police data differs from what the work list holds. Only these rows are
# rewritten on a re-import: rewriting a million unchanged rows (and their indexes) would cost
# more than the rest of the import.
_CHANGED = """
    {old}.village_id <> {new}.village_id OR {old}.full_name <> {new}.full_name
    OR {old}.birth_date <> {new}.birth_date OR {old}.birth_year_only <> {new}.birth_year_only
    OR {old}.sex <> {new}.sex OR {old}.household_code <> {new}.household_code
    OR {old}.address <> {new}.address OR {old}.police_note <> {new}.police_note
    OR {old}.category <> {new}.category OR {old}.in_latest_list = FALSE
"""


def merge(
    *,
    campaign: Campaign,
    commune: Unit,
    job_id: int | None,
    acting_user: Any,
    full_list: bool,
) -> dict[str, int]:
    """Merge the staged rows into the work list; must run inside a transaction."""
    now = timezone.now()
    cursor = connection.cursor()
    table = Staging.table
    if connection.vendor == "postgresql":
        # Temporary tables are never analysed automatically; without statistics the planner
        # guesses badly on the joins below.
        cursor.execute(f"ANALYZE {table}")
    params = {"campaign": campaign.pk, "commune": commune.pk, "job": job_id, "now": now}
    cursor.execute(
        f"""
        SELECT
          COUNT(*),
          SUM(CASE WHEN w.id IS NULL THEN 1 ELSE 0 END),
          SUM(CASE WHEN w.id IS NOT NULL AND w.commune_id <> %(commune)s THEN 1
                   WHEN w.id IS NOT NULL AND ({_CHANGED.format(old="w", new="s")}) THEN 1
                   ELSE 0 END)
        FROM {table} s
        LEFT JOIN collection_workitem w
          ON w.campaign_id = %(campaign)s AND w.personal_id = s.personal_id
        """,
        {**params, "false": False},
    )
    total, added, changed = (value or 0 for value in cursor.fetchone())
    # Whether this commune had anyone on the campaign's list before: on a first import nobody
    # can have dropped off the list, and the anti-join below is skipped.
    cursor.execute(
        "SELECT 1 FROM collection_workitem WHERE campaign_id = %(campaign)s "
        "AND commune_id = %(commune)s LIMIT 1",
        params,
    )
    listed_before = cursor.fetchone() is not None
    # People already listed whom the new list puts out of scope leave the work list, with a
    # transition saying why (only while nobody has started on their form).
    reasons = {
        f"reason_{code}": _("Danh sách Công an xã: %(reason)s") % {"reason": label}
        for code, label in OutOfScope.choices
    }
    cases = " ".join(f"WHEN '{code}' THEN %(reason_{code})s" for code in OutOfScope.values)
    cursor.execute(
        f"""
        INSERT INTO collection_transition
          (work_item_id, from_status, to_status, actor_id, at, reason)
        SELECT w.id, w.status, %(excluded)s, %(actor)s, %(now)s,
          CASE s.out_of_scope {cases} ELSE '' END
        FROM collection_workitem w JOIN {table} s ON s.personal_id = w.personal_id
        WHERE w.campaign_id = %(campaign)s AND w.status = %(listed)s AND s.out_of_scope <> ''
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
        WHERE campaign_id = %(campaign)s AND status = %(listed)s AND personal_id IN (
          SELECT personal_id FROM {table} WHERE out_of_scope <> '')
        """,
        {**params, "excluded": Status.EXCLUDED, "listed": Status.LISTED},
    )
    cursor.execute(
        f"""
        INSERT INTO collection_workitem (
          campaign_id, commune_id, village_id, personal_id, full_name, full_name_folded,
          birth_date, birth_year_only, sex, household_code, address, police_note,
          in_latest_list, list_import_id, category, out_of_scope, changed_items, person_id,
          status, mode, answers, has_draft, findings, confirmed_warnings, first_keying,
          keying_differences, return_reason, return_comments, not_enterable_reason,
          archive_reference, updated_at)
        SELECT %(campaign)s, %(commune)s, s.village_id, s.personal_id, s.full_name,
          s.full_name_folded, s.birth_date, s.birth_year_only, s.sex, s.household_code,
          s.address, s.police_note, %(true)s, %(job)s, s.category, s.out_of_scope,
          {_changed_items_expression()}, s.person_id, s.status, '', {_json("{}")}, %(false)s,
          {_json("[]")}, {_json("[]")}, {_json("{}")}, {_json("[]")}, '', {_json("{}")}, '', '',
          %(now)s
        FROM {table} s WHERE 1 = 1
        ON CONFLICT (campaign_id, personal_id) DO UPDATE SET
          commune_id = excluded.commune_id, village_id = excluded.village_id,
          full_name = excluded.full_name, full_name_folded = excluded.full_name_folded,
          birth_date = excluded.birth_date, birth_year_only = excluded.birth_year_only,
          sex = excluded.sex, household_code = excluded.household_code,
          address = excluded.address, police_note = excluded.police_note,
          in_latest_list = excluded.in_latest_list, list_import_id = excluded.list_import_id,
          category = excluded.category, out_of_scope = excluded.out_of_scope,
          changed_items = excluded.changed_items,
          person_id = COALESCE(collection_workitem.person_id, excluded.person_id),
          updated_at = excluded.updated_at
        WHERE {_CHANGED.format(old="collection_workitem", new="excluded")}
          OR collection_workitem.commune_id <> excluded.commune_id
        """,
        {**params, "true": True, "false": False},
    )
    removed = 0
    if full_list and listed_before:
        cursor.execute(
            f"""
            UPDATE collection_workitem SET in_latest_list = %(false)s, updated_at = %(now)s
            WHERE campaign_id = %(campaign)s AND commune_id = %(commune)s
              AND in_latest_list = %(true)s
              AND NOT EXISTS (
                SELECT 1 FROM {table} s WHERE s.personal_id = collection_workitem.personal_id)
            """,
            {**params, "true": True, "false": False},
        )
        removed = cursor.rowcount
    cursor.execute(
        f"SELECT category, COUNT(*) FROM {table} GROUP BY category",
    )
    by_category = {category: count for category, count in cursor.fetchall()}
    cursor.close()
    return {
        "rows": total,
        "added": added,
        "changed": changed,
        "unchanged": total - added - changed,
        "removed": removed,
        **{f"category_{key}": by_category.get(key, 0) for key in Category.values},
    }


@dataclass
class Outcome:
    counts: dict[str, int]
    errors: int
    error_file: Path | None
    rows_read: int


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
    job_id: int | None = None,
    on_progress: Callable[[int, float], None] | None = None,
    error_path: Path | None = None,
) -> Outcome:
    """Read, check, stage and merge a police list. Raises TableError when the file as a whole
    cannot be used; then nothing is written."""
    from laodong.collection.actions import apply_assignments

    table = open_table(stream, filename, POLICE_COLUMNS, header_row=header_row, positions=positions)
    missing = [c.label for c in POLICE_COLUMNS if c.required and c.key not in table.positions]
    if missing:
        raise TableError(_("Chưa chọn cột cho: %(columns)s.") % {"columns": ", ".join(missing)})
    parser = RowParser(commune, campaign.reference_date)
    errors = ErrorFile(error_path or _error_path())
    staging = Staging()
    rows_read = 0
    try:
        batch: list[ListRow] = []
        for number, record in _rows(table.row_iter):
            rows_read += 1
            parsed = parser.parse(number, record)
            if isinstance(parsed, RowProblem):
                errors.add(parsed)
                continue
            batch.append(parsed)
            if len(batch) >= BATCH_SIZE:
                _stage(staging, batch)
                batch = []
                if on_progress is not None:
                    on_progress(rows_read, table.progress())
        if batch:
            _stage(staging, batch)
        if on_progress is not None:
            on_progress(rows_read, 1.0)
        with transaction.atomic():
            counts = merge(
                campaign=campaign,
                commune=commune,
                job_id=job_id,
                acting_user=acting_user,
                full_list=full_list,
            )
            apply_assignments(campaign, commune)
    except BaseException:
        errors.discard()
        raise
    finally:
        staging.drop()
    counts["errors"] = errors.count
    return Outcome(
        counts=counts, errors=errors.count, error_file=errors.close(), rows_read=rows_read
    )


def _stage(staging: Staging, batch: list[ListRow]) -> None:
    # One short transaction per batch: on SQLite a statement outside a transaction commits on
    # its own, row by row.
    with transaction.atomic():
        classify(batch)
        staging.add(batch)


def _rows(rows: Iterator[tuple[int, dict[str, str]]]) -> Iterator[tuple[int, dict[str, str]]]:
    try:
        yield from rows
    except UnicodeDecodeError as error:
        raise TableError(
            _(
                "Tệp CSV có ký tự không ở mã UTF-8. Hãy lưu lại tệp dạng “CSV UTF-8” rồi tải "
                "lên lại."
            )
        ) from error
    except READ_ERRORS as error:
        raise damaged_file_error() from error


def _error_path() -> Path:
    return Path(settings.DATA_DIR) / "imports" / f"loi-{uuid.uuid4().hex}.xlsx"
