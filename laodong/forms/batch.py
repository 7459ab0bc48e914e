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


def validate_rows(
    form: FormDefinition,
    rows: Iterable[tuple[int, Mapping[str, Any]]],
    *,
    reference_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> Iterable[RowResult]:
    """Yield each row's findings; a row repeating an earlier person gets a duplicate finding."""
    by_id: dict[str, int] = {}
    by_person: dict[tuple[str, str, str], int] = {}
    for number, answers in rows:
        result = validate_answers(form, answers, reference_date=reference_date, today=today)
        values = result.values
        personal_id = values.get("personal_id") or ""
        if personal_id:
            first = by_id.setdefault(personal_id, number)
            if first != number:
                result.findings.append(
                    Finding(
                        "duplicate.personal_id",
                        Severity.ERROR,
                        "personal_id",
                        _("Trùng số CCCD/CMND với dòng %(row)s: mỗi người chỉ có một phiếu.")
                        % {"row": first},
                    )
                )
        elif values.get("full_name") and values.get("birth_date"):
            # Without an ID, the same folded name, date of birth and commune is probably
            # the same person entered twice.
            key = (
                fold(values["full_name"]),
                str(values["birth_date"]),
                str(values.get("commune", "")),
            )
            first = by_person.setdefault(key, number)
            if first != number:
                result.findings.append(
                    Finding(
                        "duplicate.name_birth",
                        Severity.WARNING,
                        "full_name",
                        _(
                            "Cùng họ tên, ngày sinh và xã với dòng %(row)s: có thể là một người "
                            "được ghi hai lần. Hãy kiểm tra."
                        )
                        % {"row": first},
                    )
                )
        yield RowResult(number, result.findings, values)
