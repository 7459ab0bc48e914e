"""`laodong cleanup [--days N] [--dry-run]`: delete uploaded lists and error files past the
retention period (LAODONG_UPLOAD_RETENTION_DAYS, default 90). For cron, daily."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from laodong.collection import jobs


class Command(BaseCommand):
    help = "Xóa tệp danh sách tải lên và tệp dòng lỗi đã quá thời hạn lưu giữ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="thời hạn lưu (ngày)")
        parser.add_argument("--dry-run", action="store_true", help="chỉ liệt kê, không xóa")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 1:
            self.stderr.write("--days phải là số ngày từ 1 trở lên.")
            raise SystemExit(2)
        done = jobs.remove_old_files(days=days, dry_run=options["dry_run"])
        verb = "sẽ xóa" if options["dry_run"] else "đã xóa"
        self.stdout.write(
            f"{verb} {done.files} tệp ({done.bytes / 1e6:.1f} MB) của {done.jobs} lần nhập "
            "danh sách, và tệp không thuộc lần nhập nào."
        )
