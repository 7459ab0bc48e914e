"""`laodong units load` and `laodong units import-legacy FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.imports import ImportReport
from laodong.units import actions


class Command(BaseCommand):
    help = "Load and import administrative units."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        sub.add_parser("load", help="Load the 34 provinces and 3,321 communes in force today.")
        legacy = sub.add_parser(
            "import-legacy",
            help="Import pre-2025 provinces, districts and communes with their successors (CSV).",
        )
        legacy.add_argument("file", type=Path)
        legacy.add_argument("--source", default="", help="Where the mapping comes from (kept).")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["subcommand"] == "load":
            report = actions.load_current_units()
            self._print(report)
            return
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        with path.open("rb") as stream:
            report = actions.import_legacy_units(
                acting_user=None, stream=stream, filename=path.name, source=options["source"]
            )
        self._print(report)
        if not report.ok:
            raise CommandError("Không ghi gì vì tệp có lỗi (xem trên).")

    def _print(self, report: ImportReport) -> None:
        if report.file_error:
            self.stderr.write(report.file_error)
        for error in report.errors:
            self.stderr.write(str(error))
        if report.unknown_headers:
            self.stdout.write("Bỏ qua các cột: " + ", ".join(report.unknown_headers))
        if report.ok:
            self.stdout.write(
                f"Tạo mới {report.created}, cập nhật {report.updated}, "
                f"giữ nguyên {report.unchanged}."
            )
