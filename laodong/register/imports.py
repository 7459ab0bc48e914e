"""Import filled forms (the Excel template, or any file with the form's columns) into the
register: the same engine as the web form, all rows or none."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.core.tabular import CellError, TableError, import_rows, row_limit
from laodong.core.text import fold
from laodong.forms.batch import FileDuplicates
from laodong.forms.definitions import get_form
from laodong.forms.listfile import FormFile, read_form_file
from laodong.forms.validation import Finding
from laodong.register import actions
from laodong.register.models import Source
from laodong.units.models import Level, Unit

# Findings kept in memory and shown on the page; every one goes to the error file.
SHOWN = 200


@dataclass
class PeopleImport:
    form_code: str = ""
    created: int = 0
    rows_read: int = 0
    # The first SHOWN errors and warnings; the counts say how many there are in all.
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    file_error: str = ""
    unknown_headers: list[str] = field(default_factory=list)
    encoding_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.error_count

    def add(self, kind: str, finding: CellError, sink: Sink | None) -> None:
        if kind == "error":
            self.error_count += 1
            kept = self.errors
        else:
            self.warning_count += 1
            kept = self.warnings
        if len(kept) < SHOWN:
            kept.append(finding)
        if sink is not None:
            sink(kind, finding)


# Receives every finding ("error" or "warning"), e.g. to write the error file.
Sink = Callable[[str, CellError], None]
# Told (phase, rows done) now and then: "check" while reading, "write" while writing.
Progress = Callable[[str, int], None]


def import_limit() -> int:
    return import_rows("LAODONG_REGISTER_IMPORT_ROWS", 50_000)


def _read(stream: IO[bytes], filename: str, form_code: str | None) -> FormFile:
    """As `laodong validate` reads it: form version and commune from the title rows when the
    file gives them in no column. At most `import_limit()` rows are read."""
    with row_limit(import_limit()):
        return read_form_file(stream, filename, form_code=form_code)


def import_people(
    *,
    acting_user: Any,
    stream: IO[bytes],
    filename: str,
    form_code: str | None = None,
    confirm_warnings: bool = False,
    progress: Progress | None = None,
    sink: Sink | None = None,
) -> PeopleImport:
    """Check every row; write them all (source: import) only when no row has an error and any
    warnings were confirmed. The rows are written in one transaction: all or nothing, so a
    run stopped half-way (a server restart) leaves nothing and can simply be run again."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    report = PeopleImport()
    try:
        read = _read(stream, filename, form_code)
    except TableError as error:
        report.file_error = str(error)
        return report
    report.form_code, table = read.form_code, read.table
    report.unknown_headers = table.unknown_headers
    report.encoding_name = table.encoding_name
    form = get_form(report.form_code)

    def located(row: int, finding: Finding) -> CellError:
        column = table.column_letter(finding.field) if finding.field in table.positions else None
        label = form.item(finding.field).label if form.has_item(finding.field) else None
        return CellError(row, finding.message, column, label, table.sheet)

    villages = _villages_by_name(acting_user)
    own_commune = acting_user.unit if acting_user.unit.level == Level.COMMUNE else None

    def village_of(answers: dict[str, Any]) -> tuple[Unit | None, str]:
        commune_code = str(answers.get("commune") or "").strip()
        if commune_code.isdigit():
            commune_code = commune_code.zfill(5)
        elif own_commune is not None:
            commune_code = own_commune.code
        return villages.get((commune_code, fold(answers.get("village", "")))), commune_code

    # What the write needs besides the rows themselves: the warnings each row confirms.
    confirmed: dict[int, list[str]] = {}
    duplicates = FileDuplicates()
    for row, answers in read.rows():
        report.rows_read += 1
        if progress is not None and report.rows_read % 500 == 0:
            progress("check", report.rows_read)
        village, commune_code = village_of(answers)
        if village is None:
            report.add(
                "error",
                CellError(
                    row,
                    _(
                        "Không có thôn “%(village)s” thuộc xã mã “%(commune)s” trong phạm vi của "
                        "bạn. Hãy sửa tên thôn hoặc mã xã."
                    )
                    % {"village": answers.get("village", ""), "commune": commune_code},
                    table.column_letter("village") if "village" in table.positions else None,
                    form.item("village").label,
                    table.sheet,
                ),
                sink,
            )
            continue
        result = actions.check_person(report.form_code, answers, village=village)
        # The register check covers people stored before; this covers repeats within the file.
        result.findings += duplicates.check(row, result.values)
        for finding in result.errors:
            report.add("error", located(row, finding), sink)
        for finding in result.warnings:
            report.add("warning", located(row, finding), sink)
        if result.warnings:
            confirmed[row] = sorted({f.rule for f in result.warnings})
    if report.error_count or (report.warning_count and not confirm_warnings):
        return report
    failed_row = 0
    if progress is not None:
        progress("write", 0)
    try:
        with transaction.atomic():
            for row, answers in read.rows():
                failed_row = row
                village, _code = village_of(answers)
                assert village is not None  # checked above
                actions.record_person(
                    acting_user=acting_user,
                    form_code=report.form_code,
                    village=village,
                    answers=dict(answers),
                    source=Source.IMPORT,
                    confirmed_warnings=confirmed.get(row, []),
                )
                report.created += 1
                if progress is not None and report.created % 500 == 0:
                    progress("write", report.created)
    except actions.RegisterError as refused:
        # Something changed since the check (e.g. the same person saved meanwhile).
        report.created = 0
        detail = refused.findings[0].message if refused.findings else str(refused)
        report.add("error", CellError(failed_row, detail, None, None, table.sheet), sink)
    return report


def _villages_by_name(user: Any) -> dict[tuple[str, str], Unit]:
    villages = (
        Unit.objects.current()
        .within(user.unit)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
    )
    return {(v.parent.code if v.parent else "", v.name_folded): v for v in villages}
