"""`laodong register update-from FILE --commune CODE --source SOURCE --reference TEXT [--dry-run]`:
update people of a commune from a file keyed by personal ID or BHXH number (the social-insurance
office's list, …), as the page "Cập nhật từ tệp" does; prints the counts and writes the rows that
did not land to an error file beside the input."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from laodong.core.tabular import TableError
from laodong.forms.dates import parse_date
from laodong.register import bulk
from laodong.register.models import BulkStatus, BulkUpdate, Source
from laodong.register.sources import CHOSEN, Origin
from laodong.units.models import Level, Unit


class Command(BaseCommand):
    help = "Keep the register current from files."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="subcommand", required=True)
        update = sub.add_parser(
            "update-from",
            help="Update a commune's people from an XLSX/CSV keyed by personal ID or BHXH number.",
        )
        update.add_argument("file", type=Path)
        update.add_argument("--commune", required=True, help="The commune's code (5 digits).")
        update.add_argument(
            "--source",
            required=True,
            choices=[str(s) for s in CHOSEN],
            help="Where the data comes from: "
            + ", ".join(f"{s}={Source(s).label}" for s in CHOSEN),
        )
        update.add_argument("--reference", default="", help="Document or list number.")
        update.add_argument("--reference-title", default="", help="Procedure or document name.")
        update.add_argument("--reference-date", default="", help="The document's date, dd/mm/yyyy.")
        update.add_argument("--reason", default="", help="Why (required for source 'other').")
        update.add_argument(
            "--dry-run", action="store_true", help="Compare and count only; write nothing."
        )
        update.add_argument(
            "--errors", type=Path, default=None, help="Where to write the error file (XLSX)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.")
        commune = Unit.objects.filter(
            code=options["commune"], level=Level.COMMUNE, valid_to__isnull=True
        ).first()
        if commune is None:
            raise CommandError(f"Không có xã đang hiệu lực mã {options['commune']}.")
        day = None
        if options["reference_date"]:
            parsed = parse_date(options["reference_date"])
            if parsed is None or parsed.year_only:
                raise CommandError("--reference-date phải ghi dạng dd/mm/yyyy.")
            day = parsed.value
        origin = Origin(
            source=options["source"],
            reference_title=options["reference_title"],
            reference=options["reference"],
            reference_date=day,
            reason=options["reason"],
        )
        problems = origin.problems(CHOSEN)
        if problems:
            raise CommandError(" ".join(problems))
        job = BulkUpdate.objects.create(
            commune=commune,
            file_path=str(path.resolve()),
            original_name=path.name,
            source=origin.source,
            reference_title=origin.reference_title,
            reference=origin.reference,
            reference_date=origin.reference_date,
            reason=origin.reason,
            status=BulkStatus.CHECKING,
        )
        started = time.perf_counter()
        try:
            with path.open("rb") as stream:
                outcome = bulk.check_bulk(job, stream)
        except (bulk.BulkError, TableError) as problem:
            job.delete()
            raise CommandError(str(problem)) from problem
        checked = time.perf_counter() - started
        BulkUpdate.objects.filter(pk=job.pk).update(
            key_column=outcome.key_column,
            columns=outcome.columns,
            rows_read=outcome.rows_read,
            matched=outcome.matched,
            unchanged=outcome.unchanged,
            unmatched=outcome.unmatched,
            invalid=outcome.invalid,
        )
        job.refresh_from_db()
        self.stdout.write(
            f"Đọc {outcome.rows_read} dòng (tìm theo {outcome.key_column}): "
            f"{outcome.matched} người có thay đổi, {outcome.unchanged} không đổi, "
            f"{outcome.unmatched} không khớp ai, {outcome.invalid} dòng có lỗi."
        )
        errors_path: Path = options["errors"] or path.with_name(f"{path.stem}-loi.xlsx")
        if options["dry_run"]:
            written = bulk.write_error_file(job, errors_path) if job.rows.exclude(error="") else 0
            job.delete()
            self.stdout.write("Chạy thử: không ghi gì vào cơ sở dữ liệu.")
            if written:
                self.stdout.write(f"Tệp lỗi ({written} dòng): {errors_path}")
            return
        BulkUpdate.objects.filter(pk=job.pk).update(status=BulkStatus.APPLYING)
        job.refresh_from_db()
        started = time.perf_counter()
        applied, failed = bulk.apply_bulk(job, None)
        written_in = time.perf_counter() - started
        written = bulk.write_error_file(job, errors_path) if job.rows.exclude(error="") else 0
        with transaction.atomic():
            BulkUpdate.objects.filter(pk=job.pk).update(
                status=BulkStatus.DONE,
                applied=applied,
                failed=failed,
                error_file=str(errors_path) if written else "",
            )
        self.stdout.write(f"Đã cập nhật {applied} người; {failed} dòng không ghi được.")
        if options["verbosity"] >= 2:
            # For benchmarks/bulk_update.py.
            self.stdout.write(f"time:check={checked:.3f}")
            self.stdout.write(f"time:write={written_in:.3f}")
        if written:
            self.stdout.write(f"Tệp lỗi ({written} dòng): {errors_path}")
