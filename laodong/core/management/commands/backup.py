"""laodong backup FILE.tar — the database and the uploads folder, in one file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và thư mục imports/ vào một tệp .tar (docs/operations.md)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp sao lưu sẽ tạo, ví dụ laodong-2026-12-02.tar")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = backup(Path(options["file"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        rows = sum(done.counts.values())
        self.stdout.write(
            f"Đã sao lưu vào {done.path}: {len(done.counts)} bảng, {rows:,} dòng, "
            f"{done.files} tệp trong imports/.".replace(",", ".")
        )
