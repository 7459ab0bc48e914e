"""Validate many rows of one file: the engine per row, plus duplicates within the file."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from laodong.core.text import fold
from laodong.forms.definitions import FormDefinition
from laodong.forms.validation import Finding, Severity, validate_answers


@dataclass
class RowResult:
    row: int
    findings: list[Finding]
    values: dict[str, Any] = field(repr=False, default_factory=dict)


class FileDuplicates:
    """Remembers the people seen so far in one file and flags a row that repeats one."""

    def __init__(self) -> None:
        self.by_id: dict[str, int] = {}
        self.by_person: dict[tuple[str, str, str], int] = {}

    def check(self, number: int, values: Mapping[str, Any]) -> list[Finding]:
        personal_id = values.get("personal_id") or ""
        if personal_id:
            first = self.by_id.setdefault(personal_id, number)
            if first == number:
                return []
            return [
                Finding(
                    "duplicate.personal_id",
                    Severity.ERROR,
                    "personal_id",
                    _("Trùng số CCCD/CMND với dòng %(row)s: mỗi người chỉ có một phiếu.")
                    % {"row": first},
                )
            ]
        if not (values.get("full_name") and values.get("birth_date")):
            return []
        # Without an ID, the same folded name, date of birth and commune is probably the same
        # person entered twice.
        key = (fold(values["full_name"]), str(values["birth_date"]), str(values.get("commune", "")))
        first = self.by_person.setdefault(key, number)
        if first == number:
            return []
        return [
            Finding(
                "duplicate.name_birth",
                Severity.WARNING,
                "full_name",
                _(
                    "Cùng họ tên, ngày sinh và xã với dòng %(row)s: có thể là một người được "
                    "ghi hai lần. Hãy kiểm tra."
                )
                % {"row": first},
            )
        ]


def validate_rows(
    form: FormDefinition,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    reference_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Iterable[RowResult]:
    """Yield each row's findings; a row repeating an earlier person gets a duplicate finding."""
    duplicates = FileDuplicates()
    for number, answers in rows:
        result = validate_answers(form, answers, reference_date=reference_date, today=today)
        result.findings += duplicates.check(number, result.values)
        yield RowResult(number, result.findings, result.values)
