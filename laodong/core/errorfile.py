"""An error file for an import: every finding with its sheet, row, column and item, as an
XLSX workbook written as it goes (flat memory), continuing on a new sheet at Excel's limit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from laodong.core.cells import as_text, xlsx_text
from laodong.core.tabular import CellError

# Excel's last row, less the heading.
ROWS_PER_SHEET = 1_048_575


class FindingsFile:
    """Collects findings into `path`; `close()` returns the path, or None when empty."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.book: Any = None
        self.sheet: Any = None
        self.rows = 0
        self.count = 0

    def _new_sheet(self) -> None:
        number = len(self.book.worksheets) + 1
        self.sheet = self.book.create_sheet(_("Lỗi") if number == 1 else f"{_('Lỗi')} {number}")
        self.sheet.append(
            [_("Loại"), _("Trang tính"), _("Dòng"), _("Cột"), _("Mục"), _("Lỗi và cách sửa")]
        )
        self.rows = 0

    def add(self, kind: str, finding: CellError) -> None:
        if self.book is None:
            self.book = Workbook(write_only=True)
            self._new_sheet()
        elif self.rows >= ROWS_PER_SHEET:
            self._new_sheet()
        values: list[str | int] = [
            _("Lỗi") if kind == "error" else _("Cảnh báo"),
            finding.sheet or "",
            finding.row,
            finding.column or "",
            finding.label or "",
            finding.message,
        ]
        # Text that begins like a formula stays text (a message quotes what was typed).
        self.sheet.append([as_text(WriteOnlyCell(self.sheet, value=xlsx_text(v))) for v in values])
        self.rows += 1
        self.count += 1

    def close(self) -> Path | None:
        if self.book is None:
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.book.save(self.path)
        self.book = None
        return self.path
