"""`laodong validate FILE [--form FORM_CODE]`: check a CSV/XLSX of forms, print a JSON report.

Exit status 0 when the file could be read (whatever it contains), 2 when it could not.
"""

from __future__ import annotations

import argparse
import datetime
import json
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.tabular import Table, TableError, read_table
from laodong.forms.batch import validate_rows
from laodong.forms.columns import form_columns
from laodong.forms.dates import parse_date
from laodong.forms.definitions import FORM_CODES, UnknownForm, get_form

OLD_FORM, CURRENT_FORM = "tt11-2022-m03", "tt09-2025-m01"


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
        parser.add_argument("--reference-date", help="age reference date, dd/mm/yyyy")
        parser.add_argument("--today", help=argparse.SUPPRESS)  # fixes "today" in tests

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.", returncode=2)
        reference = _date_option(options["reference_date"], "--reference-date")
        today = _date_option(options["today"], "--today")
        form_code = options["form"] or OLD_FORM
        try:
            with path.open("rb") as stream:
                table = read_table(stream, path.name, form_columns(get_form(form_code)))
            if not options["form"] and "district" not in table.positions:
                form_code = CURRENT_FORM
                with path.open("rb") as stream:
                    table = read_table(stream, path.name, form_columns(get_form(form_code)))
        except (TableError, UnknownForm, OSError) as error:
            raise CommandError(f"{path.name}: {error}", returncode=2) from error
        self.stdout.write(
            json.dumps(
                self.report(path, form_code, table, reference, today), ensure_ascii=False, indent=1
            )
        )

    def report(
        self,
        path: Path,
        form_code: str,
        table: Table,
        reference: datetime.date | None,
        today: datetime.date | None,
    ) -> dict[str, Any]:
        form = get_form(form_code)
        rows = []
        by_rule: Counter[str] = Counter()
        with_errors = with_warnings = 0
        for result in validate_rows(form, table.rows, reference_date=reference, today=today):
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
            "sheet": table.sheet,
            "header_row": table.header_row,
            "encoding": table.encoding or "unicode",
            "columns": {key: table.column_letter(key) for key in table.positions},
            "ignored_columns": table.unknown_headers,
            "missing_columns": [i.label for i in form.items if i.key not in table.positions],
            "rows": rows,
            "summary": {
                "rows_read": len(table.rows),
                "rows_with_errors": with_errors,
                "rows_with_warnings": with_warnings,
                "rows_clean": len(table.rows) - len(rows),
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
