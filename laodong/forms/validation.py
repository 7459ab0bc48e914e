"""One validation engine per form version: the web form, imports, the API and `laodong validate`
all call `validate_answers`, so each rule is written once.

Each finding carries a stable rule code, a severity (an error blocks acceptance; a warning must be
confirmed by the officer), the item it concerns and a message a commune officer understands.
The engine reads the answers (codes, dates, formats, required items and skip logic from the form
definition); the rules between items are data in `forms.rules`, evaluated here and, from the same
list, on the enumerator's phone. Rules that need the register (duplicates against stored
records) live with the register; the rules here need only the answers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy

from laodong.core.text import capitalize_name, normalize_text
from laodong.forms.citizen_id import IdProblem, normalize_id, parse_id
from laodong.forms.dates import PartialDate, age_on, parse_date
from laodong.forms.definitions import Condition, FormDefinition, Item
from laodong.forms.fonts import describe, unprintable
from laodong.forms.rules import Answers, Rule, fired, rules

_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_MULTI_SPLIT = re.compile(r"\s*[,;|+]\s*")


# The engine's own messages (both engines read this table; the rules between items carry theirs).
MESSAGES = {
    "required": gettext_lazy("Chưa ghi. Mục này bắt buộc."),
    "not_applicable": gettext_lazy(
        "Chỉ ghi khi %(condition)s. Hãy xóa mục này hoặc sửa mục trước."
    ),
    "condition.contains": gettext_lazy("mục %(number)s có chọn “%(label)s”"),
    "condition.in": gettext_lazy("mục %(number)s là “%(labels)s”"),
    "and": gettext_lazy(" và "),
    "list": "”, “",
    "choice.invalid": gettext_lazy(
        "“%(value)s” không có trong danh sách. Hãy chọn: %(choices)s%(more)s."
    ),
    "date.invalid": gettext_lazy("“%(value)s” không phải ngày hợp lệ. Hãy ghi %(hint)s."),
    "date.hint": gettext_lazy("ngày/tháng/năm (dd/mm/yyyy)"),
    "date.hint_year": gettext_lazy(", hoặc chỉ năm sinh nếu người đó không nhớ ngày"),
    "text.too_long": gettext_lazy("Dài quá %(limit)s ký tự."),
    "text.unprintable": gettext_lazy(
        "Có ký tự không in được lên phiếu (%(chars)s), như biểu tượng cảm xúc, "
        "chữ Hán hay ký tự ẩn. Hãy gõ lại bằng chữ tiếng Việt."
    ),
    "name.characters": gettext_lazy(
        "Họ tên chỉ gồm chữ cái và dấu cách, không có chữ số hay ký hiệu."
    ),
    "digits.format": gettext_lazy("Phải gồm đúng %(length)s chữ số."),
    "unit.code": gettext_lazy("Ghi mã đơn vị hành chính bằng chữ số."),
}


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: Severity
    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class ValidationResult:
    """Findings, and the answers cleaned to codes, dates and normalised text."""

    findings: list[Finding] = field(default_factory=list)
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.ERROR]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == Severity.WARNING]

    def rules(self) -> set[str]:
        return {f.rule for f in self.findings}


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == ()


class _Checker:
    def __init__(self, form: FormDefinition, today: datetime.date) -> None:
        self.form = form
        self.today = today
        self.result = ValidationResult()
        # Items whose answer could not be read: reported once, not again as missing.
        self.unreadable: set[str] = set()
        self.rules = rules()
        self.instead: dict[str, list[Rule]] = {}
        for rule in self.rules:
            if rule.instead_of_not_applicable:
                self.instead.setdefault(rule.instead_of_not_applicable, []).append(rule)
        self.answers = Answers({}, {})

    def add(self, rule: str, severity: Severity, key: str, message: str) -> None:
        if rule in ("choice.invalid", "date.invalid"):
            self.unreadable.add(key)
        title = self.form.item(key).title if self.form.has_item(key) else key
        self.result.findings.append(Finding(rule, severity, key, f"{title}: {message}"))

    # --- reading raw answers ---------------------------------------------------------------

    def clean(self, raw: Mapping[str, Any]) -> None:
        for item in self.form.items:
            value = raw.get(item.key)
            if isinstance(value, str):
                value = normalize_text(value)
            if _is_empty(value):
                self.result.values[item.key] = [] if item.type == "multi_choice" else ""
                continue
            self.result.values[item.key] = self.clean_value(item, value)

    def clean_value(self, item: Item, value: Any) -> Any:
        if item.type == "choice":
            return self.clean_choice(item, str(value))
        if item.type == "multi_choice":
            parts = value if isinstance(value, list | tuple) else _MULTI_SPLIT.split(str(value))
            return [
                code
                for part in parts
                if part and (code := self.clean_choice(item, str(part))) is not None
            ]
        if item.type == "date":
            if isinstance(value, datetime.date):
                return PartialDate(value)
            parsed = parse_date(str(value), allow_year_only=item.allow_year_only)
            if parsed is None:
                hint = str(MESSAGES["date.hint"])
                if item.allow_year_only:
                    hint += str(MESSAGES["date.hint_year"])
                self.add(
                    "date.invalid",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["date.invalid"]) % {"value": value, "hint": hint},
                )
            return parsed
        if item.type == "personal_id":
            return normalize_id(str(value))
        if item.type == "digits":
            return re.sub(r"\s", "", str(value))
        if item.type == "person_name":
            return capitalize_name(str(value))
        return str(value)

    def clean_choice(self, item: Item, text: str) -> str | None:
        code_list = self.form.code_lists[item.code_list]
        code = code_list.match(text)
        if code is None:
            choices = "; ".join(f"{c.code} = {c.label}" for c in code_list.codes[:12])
            more = "…" if len(code_list.codes) > 12 else ""
            self.add(
                "choice.invalid",
                Severity.ERROR,
                item.key,
                str(MESSAGES["choice.invalid"]) % {"value": text, "choices": choices, "more": more},
            )
            return None
        return code.code

    # --- skip logic ----------------------------------------------------------------------

    def describe(self, condition: Condition) -> str:
        if condition.parts:
            return str(MESSAGES["and"]).join(self.describe(part) for part in condition.parts)
        item = self.form.item(condition.field)
        code_list = self.form.code_lists[item.code_list]
        if condition.contains:
            code = code_list.get(condition.contains)
            return str(MESSAGES["condition.contains"]) % {
                "number": item.number,
                "label": code.label if code else condition.contains,
            }
        labels = [c.label for v in condition.values if (c := code_list.get(v))]
        return str(MESSAGES["condition.in"]) % {
            "number": item.number or item.label,
            "labels": str(MESSAGES["list"]).join(labels),
        }

    def undecided(self, item: Item) -> bool:
        assert item.when is not None
        values = self.result.values
        return any(
            _is_empty(values.get(key)) and self.form.item(key).required
            for key in item.when.fields()
        )

    def skip_logic(self) -> None:
        values = self.result.values
        for item in self.form.items:
            value = values.get(item.key)
            if item.applies(values):
                if item.required and _is_empty(value) and item.key not in self.unreadable:
                    self.add(
                        "required",
                        Severity(item.required_severity),
                        item.key,
                        str(MESSAGES["required"]),
                    )
            elif item.key in self.instead and not _is_empty(value):
                for rule in self.instead[item.key]:
                    self.check(rule)
            elif not _is_empty(value) and not self.undecided(item):
                # When a required controlling answer is missing, that is the finding; this
                # answer may well be right.
                assert item.when is not None
                self.add(
                    "not_applicable",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["not_applicable"]) % {"condition": self.describe(item.when)},
                )

    # --- rules on single items -----------------------------------------------------------

    def item_rules(self) -> None:
        values = self.result.values
        for item in self.form.items:
            value = values.get(item.key)
            if _is_empty(value) or not isinstance(value, str):
                continue
            if item.max_length and len(value) > item.max_length:
                self.add(
                    "text.too_long",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["text.too_long"]) % {"limit": item.max_length},
                )
            hidden = unprintable(value)
            if hidden:
                self.add(
                    "text.unprintable",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["text.unprintable"]) % {"chars": describe(hidden)},
                )
                continue
            if item.type == "person_name" and not _NAME.match(value):
                self.add(
                    "name.characters",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["name.characters"]),
                )
            if item.type == "digits" and (
                not (value.isascii() and value.isdigit())
                or (item.length and len(value) != item.length)
            ):
                self.add(
                    "digits.format",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["digits.format"]) % {"length": item.length},
                )
            if item.type == "unit" and not (value.isascii() and value.isdigit()):
                self.add(
                    "unit.code",
                    Severity.ERROR,
                    item.key,
                    str(MESSAGES["unit.code"]),
                )

    # --- rules across items --------------------------------------------------------------

    def date(self, key: str) -> PartialDate | None:
        value = self.result.values.get(key)
        return value if isinstance(value, PartialDate) else None

    def code(self, key: str) -> str:
        value = self.result.values.get(key)
        return value if isinstance(value, str) else ""

    def variables(self, reference_date: datetime.date | None) -> dict[str, Any]:
        """What the rules read besides the answers (`forms.rules.VARIABLES`)."""
        birth = self.date("birth_date")
        collected = self.date("collection_date")
        reference = reference_date or (collected.value if collected else self.today)
        oldest = youngest = None
        if birth is not None and birth.value <= self.today:
            if birth.year_only:
                oldest = reference.year - birth.value.year
                youngest = oldest - 1
            else:
                oldest = youngest = age_on(birth.value, reference)
        parsed = parse_id(self.code("personal_id"))
        problem = parsed.value if isinstance(parsed, IdProblem) else ""
        return {
            "today": self.today,
            "reference": reference,
            "age_oldest": oldest,
            "age_youngest": youngest,
            "id_problem": "" if problem == IdProblem.EMPTY else problem,
            "id_kind": "" if isinstance(parsed, IdProblem) else parsed.kind.value,
            "id_birth_year": None if isinstance(parsed, IdProblem) else parsed.birth_year,
            "id_is_male": None if isinstance(parsed, IdProblem) else parsed.is_male,
        }

    def check(self, rule: Rule) -> None:
        message = fired(rule.when, rule.params, rule.message, self.answers)
        if message is not None:
            self.add(rule.rule, Severity(rule.severity), rule.field, message)

    def cross_rules(self) -> None:
        for rule in self.rules:
            if not rule.instead_of_not_applicable:
                self.check(rule)


def validate_answers(
    form: FormDefinition,
    answers: Mapping[str, Any],
    *,
    reference_date: datetime.date | None = None,
    today: datetime.date | None = None,
) -> ValidationResult:
    """Check one person's answers against a form version.

    `reference_date` is the campaign's age reference date (default: the collection date, else
    today); `today` is injectable for tests.
    """
    checker = _Checker(form, today or timezone.localdate())
    checker.clean(answers)
    checker.answers = Answers(checker.result.values, checker.variables(reference_date))
    checker.skip_logic()
    checker.item_rules()
    checker.cross_rules()
    return checker.result


def unknown_keys(form: FormDefinition, keys: Iterable[str]) -> list[str]:
    return [key for key in keys if not form.has_item(key)]
