"""The outcome of an import that writes everything or nothing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from laodong.core.tabular import CellError


@dataclass
class ImportReport:
    """What an import did, or, when `errors` is not empty, why it wrote nothing."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[CellError] = field(default_factory=list)
    unknown_headers: list[str] = field(default_factory=list)
    file_error: str = ""
    # Set when the file was typed in TCVN3 or VNI and converted to Unicode on reading.
    encoding_name: str = ""
    created_items: list[Any] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_error
