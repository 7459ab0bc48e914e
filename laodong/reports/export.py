"""The register of a unit as a spreadsheet (XLSX or CSV), streamed row by row.

Speed (issue 16): a province is read commune by commune (no sort of millions of rows before
the first byte); on PostgreSQL the CSV comes straight from COPY with the labels, dates and
masking written in SQL; the XLSX does its per-value work once per column (every code's cell
XML made once). On SQLite the CSV is written in Python from the same values.

Privacy (privacy.md): the personal ID is masked unless the role may see it and the user asks for
it; ethnicity and disability (sensitive data) are left out unless asked for by such a role;
every export is logged (who, which unit, which options, when).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.core import xlsx_stream
from laodong.core.cells import FORMULA_STARTS, csv_cell, csv_row, csv_stream
from laodong.forms.citizen_id import mask_id
from laodong.forms.definitions import code_lists
from laodong.register.models import Person
from laodong.units.models import Level, Unit

SENSITIVE = ("ethnic_group", "is_disabled")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    kind: str = "text"  # text, code, unit, id, date, stamp, flag
    code_list: str = ""
    width: float = 14


def columns(*, sensitive: bool) -> list[Column]:
    chosen = [
        Column(_("Họ và tên"), "full_name", width=26),
        Column(_("Ngày sinh"), "birth_date", "date", width=11),
        Column(_("Giới tính"), "sex", "code", "sex", width=8),
        Column(_("Số CCCD/định danh"), "personal_id", "id", width=15),
        Column(_("Thôn / tổ dân phố"), "village_id", "unit", width=18),
        Column(_("Xã / phường"), "commune_id", "unit", width=20),
        Column(_("Mã hộ"), "household_code", width=10),
        Column(_("Quan hệ với chủ hộ"), "relation_to_head", "code", "relation_to_head"),
        Column(_("Dân tộc"), "ethnic_group", "code", "ethnic_group_1979"),
        Column(_("Trình độ giáo dục phổ thông"), "general_education", "code", "general_education"),
        Column(_("Trình độ chuyên môn kỹ thuật"), "qualification", "code", "qualification"),
        Column(_("Tình trạng hoạt động kinh tế"), "activity_status", "code", "activity_status"),
        Column(_("Lý do không tham gia"), "inactivity_reason", "code", "inactivity_reason"),
        Column(_("Vị thế việc làm"), "employment_status", "code", "employment_status"),
        Column(_("Mã nghề"), "occupation_code", width=8),
        Column(_("Loại hình nơi làm việc"), "workplace_type", "code", "workplace_type"),
        Column(_("Tham gia BHXH"), "has_social_insurance", "code", "yes_no", width=8),
        Column(_("Loại BHXH"), "social_insurance_type", "code", "social_insurance_type"),
        Column(_("Có HĐLĐ"), "has_labor_contract", "code", "yes_no", width=8),
        Column(_("Loại HĐLĐ"), "contract_type", "code", "contract_type"),
        Column(_("Đã từng làm việc"), "unemployed_before", "code", "unemployed_before"),
        Column(
            _("Thời gian thất nghiệp"), "unemployment_duration", "code", "unemployment_duration"
        ),
        Column(_("Người khuyết tật"), "is_disabled", "flag", width=8),
        Column(_("Hộ nghèo"), "is_poor_household", "flag", width=8),
        Column(_("Hộ cận nghèo"), "is_near_poor_household", "flag", width=8),
        Column(_("Hộ bị thu hồi đất"), "is_land_recovered_household", "flag", width=8),
        Column(_("Thân nhân người có công"), "is_merit_relative", "flag", width=8),
        Column(_("Mã số BHXH"), "social_insurance_number", width=12),
        Column(
            _("Đồng ý dùng thông tin để giới thiệu việc làm"),
            "consent_job_matching",
            "code",
            "yes_no",
        ),
        Column(_("Ngày đồng ý / thay đổi"), "consent_on", "date", width=11),
        Column(_("Ngày thu thập"), "collection_date", "date", width=11),
        Column(_("Mẫu phiếu"), "form_code", width=14),
        Column(_("Cập nhật lần cuối"), "updated_at", "stamp", width=16),
    ]
    return [c for c in chosen if sensitive or c.field not in SENSITIVE]


@dataclass(frozen=True)
class Part:
    """The people of one commune (or of the one village exported), read in one query: a
    province is read commune by commune, so no query sorts the whole province before the
    first row is sent, and each sorts a few thousand rows by village."""

    field: str  # "commune_id" or "village_id"
    pk: int
    villages: dict[int, str]  # the labels of the villages these people may live in
    commune: str  # the commune's label


def parts(unit: Unit) -> list[Part]:
    """The parts of a unit's register, communes in the order of their codes."""
    places = list(
        Unit.objects.within(unit).only("pk", "code", "name", "unit_type", "parent_id", "level")
    )
    labels = {place.pk: place.label() for place in places}
    if unit.level == Level.VILLAGE:
        parent = unit.parent
        return [Part("village_id", unit.pk, labels, parent.label() if parent else "")]
    villages: dict[int, dict[int, str]] = {}
    for place in places:
        if place.level == Level.VILLAGE and place.parent_id is not None:
            villages.setdefault(place.parent_id, {})[place.pk] = labels[place.pk]
    communes = sorted(
        (place for place in places if place.level == Level.COMMUNE),
        key=lambda place: (place.code, place.pk),
    )
    return [
        Part("commune_id", commune.pk, villages.get(commune.pk, {}), labels[commune.pk])
        for commune in communes
    ]


def _code_labels(chosen: list[Column]) -> dict[str, dict[str, str]]:
    lists = code_lists()
    return {
        c.code_list: {code.code: code.label for code in lists[c.code_list].codes}
        for c in chosen
        if c.code_list
    }


def _displays(
    chosen: list[Column], *, full_id: bool, part: Part, labels: dict[str, dict[str, str]]
) -> list[Callable[[Any], Any]]:
    """For each column, once: the function that turns a stored value into the text shown."""

    def shown(column: Column) -> Callable[[Any], Any]:
        if column.kind == "code":
            names = labels[column.code_list]
            return lambda value: names.get(value, value) if value else ""
        if column.kind == "unit":
            if column.field == "commune_id":
                return lambda value: part.commune
            return lambda value: part.villages.get(value, "")
        if column.kind == "id":
            return (lambda value: value) if full_id else (lambda value: mask_id(value or ""))
        if column.kind == "date":
            return _date_text
        if column.kind == "stamp":
            return lambda value: timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
        if column.kind == "flag":
            return lambda value: "x" if value else ""
        return lambda value: value

    return [shown(column) for column in chosen]


class _CellsByValue(dict[Any, str]):
    """Cells' XML by stored value, made beforehand for the values a column may take; a value
    outside them (an unknown code) is written when met."""

    def __init__(self, display: Callable[[Any], Any], values: Iterable[Any]) -> None:
        super().__init__((value, xlsx_stream.cell(display(value))) for value in values)
        self.display = display

    def __missing__(self, value: Any) -> str:
        return xlsx_stream.cell(self.display(value))


def _date_text(value: Any) -> str:
    """dd/mm/yyyy (faster than strftime, which a province's export calls millions of times)."""
    return f"{value.day:02d}/{value.month:02d}/{value.year}" if value else ""


def _date_cell(value: Any) -> str:
    """A date's cell XML: its text has nothing to escape."""
    return f'<c t="inlineStr"><is><t>{_date_text(value)}</t></is></c>' if value else "<c/>"


def _xlsx_cells(
    chosen: list[Column], displays: list[Callable[[Any], Any]], part: Part
) -> list[Callable[[Any], str]]:
    """For each column, once: the function that writes a stored value as the cell's XML. Where
    a column takes few values (codes, places, yes/no) every value's XML is made here, so such
    a cell costs one look-up."""
    lists = code_lists()

    def always(xml: str) -> Callable[[Any], str]:
        return lambda value: xml

    def made(display: Callable[[Any], Any]) -> Callable[[Any], str]:
        return lambda value: xlsx_stream.cell(display(value))

    cells: list[Callable[[Any], str]] = []
    for column, display in zip(chosen, displays, strict=True):
        if column.field == "commune_id":
            cells.append(always(xlsx_stream.cell(part.commune)))
        elif column.kind in ("code", "unit", "flag"):
            if column.kind == "code":
                keys: list[Any] = [code.code for code in lists[column.code_list].codes]
            elif column.kind == "unit":
                keys = list(part.villages)
            else:
                keys = [True, False]
            cells.append(_CellsByValue(display, [*keys, None, ""]).__getitem__)
        elif column.kind == "text":
            cells.append(xlsx_stream.cell)
        elif column.kind == "date":
            cells.append(_date_cell)
        else:
            cells.append(made(display))
    return cells


# How long an export's transaction may wait for a client that stopped reading.
EXPORT_IDLE_LIMIT = "10min"


@contextmanager
def _snapshot() -> Iterator[None]:
    """One view of the register for the whole export, read part by part: on PostgreSQL a
    read-only REPEATABLE READ transaction (a person moved from one commune to another during
    the export appears once, where they were when it began). The transaction waits while the
    client downloads; a client that stops reading for EXPORT_IDLE_LIMIT has its download cut,
    so a stalled phone cannot hold back the cleaning of old rows (vacuum) for hours."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute(
                "SELECT set_config('idle_in_transaction_session_timeout', %s, true)",
                [EXPORT_IDLE_LIMIT],
            )
        yield


def _person_rows(
    chosen: list[Column], *, full_id: bool, unit: Unit, make: str
) -> Iterator[list[Any]]:
    """The stored values of the people of each part, turned per column by `make` ("text":
    the text shown; "xlsx": the cell's XML)."""
    labels = _code_labels(chosen)
    fields = [c.field for c in chosen]
    with _snapshot():
        for part in parts(unit):
            displays = _displays(chosen, full_id=full_id, part=part, labels=labels)
            makers = displays if make == "text" else _xlsx_cells(chosen, displays, part)
            people = Person.objects.filter(**{part.field: part.pk}, leave_reason="")
            for values in (
                people.values_list(*fields).order_by("village_id", "pk").iterator(chunk_size=2000)
            ):
                yield [maker(value) for maker, value in zip(makers, values, strict=True)]


def _literal(text: str) -> str:
    """A PostgreSQL string literal (standard_conforming_strings is on since 9.1)."""
    return "'" + text.replace("'", "''") + "'"


def _sql_text(expression: str) -> str:
    """Text as a CSV cell: nothing for empty, and a start a spreadsheet would take for a
    formula kept as text (what core.cells.csv_cell does, in SQL)."""
    starts = ", ".join(_literal(start) for start in FORMULA_STARTS)
    return (
        f"CASE WHEN left({expression}, 1) IN ({starts}) THEN '''' || {expression} "
        f"ELSE nullif({expression}, '') END"
    )


def _copy_select(
    chosen: list[Column], *, full_id: bool, part: Part, labels: dict[str, dict[str, str]]
) -> str:
    """The SELECT that gives, for one part, the very cells the Python path writes. Only our
    column names, integers and literals quoted by `_literal` go into it."""
    terms = []
    for column in chosen:
        name = f"p.{column.field}"
        if column.kind == "code":
            cases = " ".join(
                f"WHEN {_literal(code)} THEN {_literal(csv_cell(label))}"
                for code, label in labels[column.code_list].items()
            )
            terms.append(f"CASE {name} {cases} ELSE {_sql_text(name)} END")
        elif column.kind == "unit" and column.field == "commune_id":
            terms.append(_literal(csv_cell(part.commune)) if part.commune else "NULL")
        elif column.kind == "unit":
            cases = " ".join(
                f"WHEN {int(pk)} THEN {_literal(csv_cell(label))}"
                for pk, label in part.villages.items()
            )
            terms.append(f"CASE {name} {cases} END" if cases else "NULL")
        elif column.kind == "id" and full_id:
            terms.append(_sql_text(name))
        elif column.kind == "id":
            digits = f"regexp_replace({name}, '[[:space:].-]', '', 'g')"
            terms.append(
                f"nullif(CASE WHEN length({digits}) <= 4 THEN repeat('*', length({digits})) "
                f"ELSE repeat('*', length({digits}) - 4) || right({digits}, 4) END, '')"
            )
        elif column.kind == "date":
            terms.append(f"to_char({name}, 'DD/MM/YYYY')")
        elif column.kind == "stamp":
            zone = _literal(settings.TIME_ZONE)
            terms.append(f"to_char({name} AT TIME ZONE {zone}, 'DD/MM/YYYY HH24:MI')")
        elif column.kind == "flag":
            terms.append(f"CASE WHEN {name} THEN 'x' END")
        else:
            terms.append(_sql_text(name))
    return (
        f"SELECT {', '.join(terms)} FROM register_person AS p "  # noqa: S608
        f"WHERE p.{part.field} = {int(part.pk)} AND p.leave_reason = '' "
        "ORDER BY p.village_id, p.id"
    )


COPY_BLOCK = 256 * 1024


def _copy_csv(chosen: list[Column], *, full_id: bool, unit: Unit) -> Iterator[bytes]:
    """The CSV file from PostgreSQL's COPY, part by part, in blocks of about 256 kB: the
    labels, dates and masking are done by the database; Python only passes bytes on."""
    labels = _code_labels(chosen)
    head = io.StringIO()
    head.write("\ufeff")
    csv.writer(head, lineterminator="\n").writerow(csv_row(c.header for c in chosen))
    yield head.getvalue().encode()
    block = bytearray()
    with _snapshot(), connection.cursor() as cursor:
        for part in parts(unit):
            select = _copy_select(chosen, full_id=full_id, part=part, labels=labels)
            with cursor.cursor.copy(f"COPY ({select}) TO STDOUT (FORMAT csv)") as copy:
                for data in copy:
                    block += data
                    if len(block) >= COPY_BLOCK:
                        yield bytes(block)
                        block.clear()
    if block:
        yield bytes(block)


def export_register(
    *, acting_user: Any, unit: Unit, output_format: str, full_id: bool, sensitive: bool
) -> Iterator[bytes]:
    """Log the export, then return the file's bytes as a stream. The people who left the
    register ("ra khỏi diện quản lý") are not exported."""
    chosen = columns(sensitive=sensitive)
    record_event(
        actor=acting_user,
        action="reports.export_register",
        target_type="register",
        unit=unit,
        details={"format": output_format, "full_id": full_id, "sensitive": sensitive},
    )
    header = [c.header for c in chosen]
    if output_format == "csv":
        if connection.vendor == "postgresql":
            return _copy_csv(chosen, full_id=full_id, unit=unit)
        return csv_stream(header, _person_rows(chosen, full_id=full_id, unit=unit, make="text"))
    body = _person_rows(chosen, full_id=full_id, unit=unit, make="xlsx")
    who = acting_user.get_full_name() or acting_user.get_username()
    made = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    title = _("Danh sách người lao động — %(unit)s") % {"unit": unit.label()}

    def about(count: int) -> list[tuple[str, str]]:
        return [
            (_("Nội dung"), title),
            (_("Người xuất"), who),
            (_("Thời điểm xuất"), made),
            (_("Số người"), str(count)),
            (_("Số CCCD/định danh"), _("đầy đủ") if full_id else _("che bớt")),
            (
                _("Lưu ý"),
                _(
                    "Dữ liệu cá nhân: chỉ dùng cho công việc được giao, không chia sẻ, "
                    "xóa khi dùng xong."
                ),
            ),
        ]

    return xlsx_stream.stream_xlsx(
        header,
        body,
        prepared=True,
        column_widths=[c.width for c in chosen],
        title=title,
        creator=who,
        about=about,
    )
