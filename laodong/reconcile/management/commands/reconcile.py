"""`laodong reconcile LEFT RIGHT --out RESULT.csv`: link the people of two files (XLSX/CSV,
the police list's headers, rows with or without an ID) and write one row per outcome;
`laodong reconcile FILE --commune CODE --out RESULT.csv` links a file with the commune's
register. docs/reconciliation.md explains the columns and the reasons."""

from __future__ import annotations

import csv
import gc
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from laodong.core.tabular import TableError
from laodong.linkage import engine
from laodong.linkage.engine import Link, Outcome, Record
from laodong.reconcile.files import BackgroundRead, PeopleReader
from laodong.reconcile.sources import register_records
from laodong.units.models import Level, Unit

UNREADABLE = 2


def outcome_reasons(link: Link, texts: engine.Texts) -> str:
    """The reasons column: how the pair was linked, then what differs ("khác: …")."""
    text = texts.reasons(link.reasons)
    if link.differences:
        different = "khác: " + texts.differences(link.differences)
        text = f"{text}; {different}" if text else different
    return text


def _consumed(values: list[tuple[Any, ...]]) -> Iterator[Record]:
    """The people in order, each made a record only when handed out and let go from the
    list then (a province's list is large)."""
    values.reverse()
    while values:
        yield Record(*values.pop())


class Command(BaseCommand):
    help = "Link the people of two files, or of a file and a commune's register."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("left", type=Path, help="XLSX or CSV of people.")
        parser.add_argument("right", type=Path, nargs="?", help="XLSX or CSV of people.")
        parser.add_argument(
            "--commune", help="Link LEFT with this commune's register (5-digit code) instead."
        )
        parser.add_argument("--out", type=Path, required=True, help="Where to write the CSV.")

    def _reader(self, path: Path) -> PeopleReader:
        if not path.is_file():
            raise CommandError(f"Không tìm thấy tệp {path}.", returncode=UNREADABLE)
        try:
            return PeopleReader(path.open("rb"), path.name)
        except TableError as problem:
            raise CommandError(f"{path.name}: {problem}", returncode=UNREADABLE) from problem

    def handle(self, *args: Any, **options: Any) -> None:
        # A province is millions of small objects that live until the end: the cyclic
        # garbage collector would walk them again and again (a third of the run) and find
        # nothing to free.
        gc.disable()
        started = time.monotonic()
        left = self._reader(options["left"])
        right_name: str
        right_records: Iterable[Record]
        right_reader = None
        left_records: Iterable[Record] = left.records()
        if options["commune"]:
            if options["right"] is not None:
                raise CommandError("Chỉ ghi một tệp khi đối soát với cơ sở dữ liệu của xã.")
            commune = Unit.objects.filter(
                code=options["commune"], level=Level.COMMUNE, valid_to__isnull=True
            ).first()
            if commune is None:
                raise CommandError(f"Không có xã đang hiệu lực mã {options['commune']}.")
            right_records = register_records(commune)
            right_name = f"cơ sở dữ liệu xã {commune.name}"
        else:
            if options["right"] is None:
                raise CommandError("Cần hai tệp (LEFT RIGHT), hoặc một tệp và --commune.")
            # Checked here (header found, columns known) so that a bad file stops at once.
            right_reader = self._reader(options["right"])
            background = BackgroundRead(options["right"])
            try:
                left_records = list(left.records())
                right_info, right_list = background.get()
            except TableError as problem:
                background.cancel()
                raise CommandError(str(problem), returncode=UNREADABLE) from problem
            right_reader.info = right_info
            right_records = _consumed(right_list)
            right_name = options["right"].name
        counts: Counter[str] = Counter()
        texts = engine.Texts()
        out: Path = options["out"]
        try:
            with out.open("w", newline="", encoding="utf-8") as handle:
                writer = csv.writer(handle)
                writer.writerow(["left_row", "right_row", "outcome", "score", "reasons"])
                for link in engine.link(left_records, right_records):
                    counts[link.outcome] += 1
                    writer.writerow(
                        [
                            link.left.key if link.left is not None else "",
                            link.right.key if link.right is not None else "",
                            link.outcome.value,
                            f"{link.score:.3f}" if link.left and link.right else "",
                            outcome_reasons(link, texts),
                        ]
                    )
        except TableError as problem:
            out.unlink(missing_ok=True)
            raise CommandError(str(problem), returncode=UNREADABLE) from problem
        seconds = time.monotonic() - started
        self.stdout.write(
            f"Trái: {left.info.name} ({left.info.rows} người). Phải: {right_name}"
            + (f" ({right_reader.info.rows} người)." if right_reader else ".")
        )
        for outcome, label in (
            (Outcome.MATCH, "khớp"),
            (Outcome.CONFLICT, "cùng người, khác thông tin"),
            (Outcome.LEFT_ONLY, "chỉ có ở bên trái"),
            (Outcome.RIGHT_ONLY, "chỉ có ở bên phải"),
        ):
            self.stdout.write(f"  {outcome.value:<10} {counts[outcome]:>9}  {label}")
        bad = len(left.info.bad_ids) + (len(right_reader.info.bad_ids) if right_reader else 0)
        if bad:
            self.stdout.write(
                f"  {bad} dòng có số định danh không hợp lệ, đã đối soát như không có số."
            )
        self.stdout.write(f"Đã ghi {out} ({seconds:.1f} giây).")
