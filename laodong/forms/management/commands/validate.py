"""`laodong validate FILE [--form FORM_CODE] [--commune CODE]`: check a CSV/XLSX of forms,
print a JSON report.

The form version and the commune come from the options, else from the title rows ("Mẫu số 03 …
Thông tư 11/2022/TT-BLĐTBXH", "Địa bàn: Xã …, Huyện …, Tỉnh …"), else from the columns; the
report says which was used and why. Exit status 0 when the file could be read (whatever it
contains), 2 when it could not.
"""

from __future__ import annotations

import argparse
import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.tabular import TableError
from laodong.forms.batch import validate_rows
from laodong.forms.dates import parse_date
from laodong.forms.definitions import FORM_CODES, UnknownForm, get_form
from laodong.forms.listfile import FormFile, read_form_file


class Command(BaseCommand):
    help = "Check a CSV or XLSX file of forms and print a JSON report of findings."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--form",
            choices=FORM_CODES,
            help="form version (default: Mẫu 03 if the file has a district "
            "column, else Mẫu 01/2025)",
        )
        parser.add_argument(
            "--commune",
            help="commune code for every row, when the file names it in no column (by default "
            "read from the title rows)",
        )
        parser.add_argument("--reference-date", help="age reference date, dd/mm/yyyy")
        parser.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" in tests

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.", returncode=2)
        reference = _date_option(options["reference_date"], "--reference-date")
        today = _date_option(options["today"], "--today")
        try:
            with path.open("rb") as stream:
                read = read_form_file(
                    stream, path.name, form_code=options["form"], commune_code=options["commune"]
                )
        except (TableError, UnknownForm, OSError) as error:
            raise CommandError(f"{path.name}: {error}", returncode=2) from error
        self.stdout.write(
            json.dumps(self.report(path, read, reference, today), ensure_ascii=False, indent=1)
        )

    def report(
        self,
        path: Path,
        read: FormFile,
        reference: datetime.date | None,
        today: datetime.date | None,
    ) -> dict[str, Any]:
        table, form_code = read.table, read.form_code
        form = get_form(form_code)
        rows = []
        by_rule: Counter[str] = Counter()
        with_errors = with_warnings = 0
        for result in validate_rows(form, read.rows(), reference_date=reference, today=today):
            if not result.findings:
                continue
            findings = [f.as_dict() for f in result.findings]
            for finding in result.findings:
                by_rule[finding.rule] += 1
            with_errors += any(f["severity"] == "error" for f in findings)
            with_warnings += any(f["severity"] == "warning" for f in findings)
            rows.append({"row": result.row, "findings": findings})
        return {
            "file": path.name,
            "form": form_code,
            "form_reason": read.form_reason,
            "commune": (
                {"code": read.commune.code, "name": read.commune.label()}
                if read.commune is not None
                else None
            ),
            "commune_reason": read.commune_reason,
            "sheet": table.sheet,
            "header_row": table.header_row,
            "encoding": table.encoding or "unicode",
            "columns": {key: table.column_letter(key) for key in table.positions},
            "ignored_columns": table.unknown_headers,
            "missing_columns": [
                i.label
                for i in form.items
                if i.key not in table.positions
                and not (read.commune is not None and i.key in ("province", "district", "commune"))
            ],
            "rows": rows,
            "summary": {
                "rows_read": len(table.rows) - read.skipped,
                "rows_not_people": read.skipped,
                "rows_with_errors": with_errors,
                "rows_with_warnings": with_warnings,
                "rows_clean": len(table.rows) - read.skipped - len(rows),
                "findings_by_rule": dict(sorted(by_rule.items())),
            },
        }


def _date_option(text: str | None, name: str) -> datetime.date | None:
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None:
        raise CommandError(f"{name}: ngày phải ghi dạng dd/mm/yyyy.", returncode=2)
    return parsed.value
