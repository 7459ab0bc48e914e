"""Import filled forms (the Excel template, or any file with the form's columns) into the
register: the same engine as the web form, all rows or none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.core.tabular import CellError, Table, TableError
from laodong.core.text import fold
from laodong.forms.batch import FileDuplicates
from laodong.forms.definitions import get_form
from laodong.forms.listfile import read_form_file
from laodong.forms.validation import Finding
from laodong.register import actions
from laodong.register.models import Source
from laodong.units.models import Level, Unit


@dataclass
class PeopleImport:
    form_code: str = ""
    created: int = 0
    rows_read: int = 0
    errors: list[CellError] = field(default_factory=list)
    warnings: list[CellError] = field(default_factory=list)
    file_error: str = ""
    unknown_headers: list[str] = field(default_factory=list)
    encoding_name: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


def _read(
    stream: IO[bytes], filename: str, form_code: str | None
) -> tuple[str, Table, list[tuple[int, dict[str, Any]]]]:
    """As `laodong validate` reads it: form version and commune from the title rows when the
    file gives them in no column."""
    read = read_form_file(stream, filename, form_code=form_code)
    return read.form_code, read.table, list(read.rows())


def import_people(
    *,
    acting_user: Any,
    stream: IO[bytes],
    filename: str,
    form_code: str | None = None,
    confirm_warnings: bool = False,
) -> PeopleImport:
    """Check every row; write them all (source: import) only when no row has an error and any
    warnings were confirmed."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    report = PeopleImport()
    try:
        report.form_code, table, rows = _read(stream, filename, form_code)
    except TableError as error:
        report.file_error = str(error)
        return report
    report.unknown_headers = table.unknown_headers
    report.encoding_name = table.encoding_name
    report.rows_read = len(rows)
    form = get_form(report.form_code)

    def located(row: int, finding: Finding) -> CellError:
        column = table.column_letter(finding.field) if finding.field in table.positions else None
        label = form.item(finding.field).label if form.has_item(finding.field) else None
        return CellError(row, finding.message, column, label, table.sheet)

    villages = _villages_by_name(acting_user)
    own_commune = acting_user.unit if acting_user.unit.level == Level.COMMUNE else None
    planned: list[tuple[int, Unit, dict[str, Any], list[str]]] = []
    duplicates = FileDuplicates()
    for row, answers in rows:
        commune_code = str(answers.get("commune") or "").strip()
        if commune_code.isdigit():
            commune_code = commune_code.zfill(5)
        elif own_commune is not None:
            commune_code = own_commune.code
        village = villages.get((commune_code, fold(answers.get("village", ""))))
        if village is None:
            report.errors.append(
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
                )
            )
            continue
        result = actions.check_person(report.form_code, answers, village=village)
        # The register check covers people stored before; this covers repeats within the file.
        result.findings += duplicates.check(row, result.values)
        report.errors += [located(row, f) for f in result.errors]
        report.warnings += [located(row, f) for f in result.warnings]
        planned.append((row, village, dict(answers), sorted({f.rule for f in result.warnings})))
    if report.errors or (report.warnings and not confirm_warnings):
        return report
    failed_row = 0
    try:
        with transaction.atomic():
            for row, village, answers, confirmed in planned:
                failed_row = row
                actions.record_person(
                    acting_user=acting_user,
                    form_code=report.form_code,
                    village=village,
                    answers=answers,
                    source=Source.IMPORT,
                    confirmed_warnings=confirmed,
                )
                report.created += 1
    except actions.RegisterError as refused:
        # Something changed since the check (e.g. the same person saved meanwhile).
        report.created = 0
        detail = refused.findings[0].message if refused.findings else str(refused)
        report.errors.append(CellError(failed_row, detail, None, None, table.sheet))
    return report


def _villages_by_name(user: Any) -> dict[tuple[str, str], Unit]:
    villages = (
        Unit.objects.current()
        .within(user.unit)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
    )
    return {(v.parent.code if v.parent else "", v.name_folded): v for v in villages}
