"""laodong restore FILE.tar — put a backup back, after showing what it replaces."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.backup import BackupError, backup, read_manifest, restore, table_counts


def _number(value: int) -> str:
    return f"{value:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Khôi phục cơ sở dữ liệu và thư mục imports/ từ một tệp sao lưu. Trước khi khôi phục, "
        "hiện trạng được tự động sao lưu để có thể quay lại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp sao lưu do `laodong backup` tạo")
        parser.add_argument(
            "--yes", action="store_true", help="không hỏi lại (dùng trong kịch bản tự động)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = Path(options["file"])
        try:
            manifest = read_manifest(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        now = table_counts()
        then: dict[str, int] = manifest["counts"]
        self.stdout.write(f"Bản sao lưu lập lúc {manifest['made_at']} ({manifest['vendor']}).")
        self.stdout.write(
            f"Sẽ thay toàn bộ dữ liệu hiện có ({_number(sum(now.values()))} dòng) bằng dữ liệu "
            f"của bản sao lưu ({_number(sum(then.values()))} dòng). Các bảng khác nhau:"
        )
        for table in sorted(set(now) | set(then)):
            if now.get(table, 0) != then.get(table, 0):
                self.stdout.write(
                    f"  {table}: hiện có {_number(now.get(table, 0))}, "
                    f"sau khôi phục {_number(then.get(table, 0))}"
                )
        if not options["yes"]:
            answer = input("Gõ “khoi phuc” để tiếp tục: ").strip().lower()
            if answer not in ("khoi phuc", "khôi phục"):
                raise CommandError("Đã hủy; không thay đổi gì.")
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
        safety = Path(settings.DATA_DIR) / "backups" / f"truoc-khoi-phuc-{stamp}.tar"
        if safety.exists():  # never write over a backup, least of all the one being restored
            raise CommandError(f"{safety} đã có; hãy chạy lại sau một giây.")
        try:
            backup(safety)
            self.stdout.write(f"Đã sao lưu hiện trạng vào {safety} (để quay lại nếu cần).")
            done = restore(source)
        except BackupError as error:
            raise CommandError(str(error)) from error
        if done.differences:
            for table, (expected, found) in sorted(done.differences.items()):
                self.stderr.write(f"  {table}: bản sao lưu {expected}, sau khôi phục {found}")
            raise CommandError(
                f"Khôi phục xong nhưng số dòng không khớp bản sao lưu. Dữ liệu trước đó vẫn "
                f"còn trong {safety}."
            )
        self.stdout.write(
            f"Đã khôi phục: {len(done.counts)} bảng, {_number(sum(done.counts.values()))} dòng, "
            f"đúng như bản sao lưu; {done.files} tệp trong imports/."
        )
