"""One validation engine per form version: the web form, imports, the API and `laodong validate`
all call `validate_answers`, so each rule is written once.

Each finding carries a stable rule code, a severity (an error blocks acceptance; a warning must be
confirmed by the officer), the item it concerns and a message a commune officer understands.
Rules that need the register (duplicates against stored records) live with the register; the
rules here need only the answers.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.core.text import capitalize_name, fold, normalize_text
from laodong.forms.citizen_id import IdKind, IdProblem, ParsedId, normalize_id, parse_id
from laodong.forms.dates import PartialDate, add_years, age_on, parse_date
from laodong.forms.definitions import Condition, FormDefinition, Item
from laodong.forms.fonts import describe, unprintable

MINIMUM_AGE = 15
_NAME = re.compile(r"^[^\W\d_]+(?:[ '\-][^\W\d_]+)*$")
_ARMED_FORCES_WORDS = (
    "quan doi",
    "bo doi",
    "quan nhan",
    "si quan",
    "cong an",
    "canh sat",
    "bien phong",
    "quan su",
)
_MULTI_SPLIT = re.compile(r"\s*[,;|+]\s*")


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
                hint = _("ngày/tháng/năm (dd/mm/yyyy)")
                if item.allow_year_only:
                    hint += _(", hoặc chỉ năm sinh nếu người đó không nhớ ngày")
                self.add(
                    "date.invalid",
                    Severity.ERROR,
                    item.key,
                    _("“%(value)s” không phải ngày hợp lệ. Hãy ghi %(hint)s.")
                    % {"value": value, "hint": hint},
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
                _("“%(value)s” không có trong danh sách. Hãy chọn: %(choices)s%(more)s.")
                % {"value": text, "choices": choices, "more": more},
            )
            return None
        return code.code

    # --- skip logic ----------------------------------------------------------------------

    def describe(self, condition: Condition) -> str:
        if condition.parts:
            return _(" và ").join(self.describe(part) for part in condition.parts)
        item = self.form.item(condition.field)
        code_list = self.form.code_lists[item.code_list]
        if condition.contains:
            code = code_list.get(condition.contains)
            return _("mục %(number)s có chọn “%(label)s”") % {
                "number": item.number,
                "label": code.label if code else condition.contains,
            }
        labels = [c.label for v in condition.values if (c := code_list.get(v))]
        return _("mục %(number)s là “%(labels)s”") % {
            "number": item.number or item.label,
            "labels": "”, “".join(labels),
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
                        _("Chưa ghi. Mục này bắt buộc."),
                    )
            elif item.key == "ethnic_group" and not _is_empty(value):
                self.ethnic_group_without_priority()
            elif not _is_empty(value) and not self.undecided(item):
                # When a required controlling answer is missing, that is the finding; this
                # answer may well be right.
                assert item.when is not None
                self.add(
                    "not_applicable",
                    Severity.ERROR,
                    item.key,
                    _("Chỉ ghi khi %(condition)s. Hãy xóa mục này hoặc sửa mục trước.")
                    % {"condition": self.describe(item.when)},
                )

    def ethnic_group_without_priority(self) -> None:
        """Lists kept by communes have a "Dân tộc" column filled for everyone. Kinh there is
        consistent with item 8 left empty; another group without "Dân tộc thiểu số" ticked is
        likely a missed tick, so it is a warning, not an error."""
        if self.code("ethnic_group") in ("", "01"):
            return
        self.add(
            "priority.ethnic_unticked",
            Severity.WARNING,
            "priority_groups",
            _(
                "Ghi dân tộc thiểu số nhưng mục 8 chưa chọn “Dân tộc thiểu số”. Hãy kiểm tra và "
                "chọn mục này nếu đúng."
            ),
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
                    _("Dài quá %(limit)s ký tự.") % {"limit": item.max_length},
                )
            hidden = unprintable(value)
            if hidden:
                self.add(
                    "text.unprintable",
                    Severity.ERROR,
                    item.key,
                    _(
                        "Có ký tự không in được lên phiếu (%(chars)s), như biểu tượng cảm xúc, "
                        "chữ Hán hay ký tự ẩn. Hãy gõ lại bằng chữ tiếng Việt."
                    )
                    % {"chars": describe(hidden)},
                )
                continue
            if item.type == "person_name" and not _NAME.match(value):
                self.add(
                    "name.characters",
                    Severity.ERROR,
                    item.key,
                    _("Họ tên chỉ gồm chữ cái và dấu cách, không có chữ số hay ký hiệu."),
                )
            if item.type == "digits" and (
                not value.isdigit() or (item.length and len(value) != item.length)
            ):
                self.add(
                    "digits.format",
                    Severity.ERROR,
                    item.key,
                    _("Phải gồm đúng %(length)s chữ số.") % {"length": item.length},
                )
            if item.type == "unit" and not value.isdigit():
                self.add(
                    "unit.code",
                    Severity.ERROR,
                    item.key,
                    _("Ghi mã đơn vị hành chính bằng chữ số."),
                )

    # --- rules across items --------------------------------------------------------------

    def date(self, key: str) -> PartialDate | None:
        value = self.result.values.get(key)
        return value if isinstance(value, PartialDate) else None

    def code(self, key: str) -> str:
        value = self.result.values.get(key)
        return value if isinstance(value, str) else ""

    def cross_rules(self, reference_date: datetime.date | None) -> None:
        birth = self.date("birth_date")
        collected = self.date("collection_date")
        reference = reference_date or (collected.value if collected else self.today)
        for key in ("birth_date", "contract_start_date", "collection_date"):
            day = self.date(key)
            if day is not None and day.value > self.today:
                self.add(
                    "date.future",
                    Severity.ERROR,
                    key,
                    _("Ngày %(date)s ở tương lai.") % {"date": day},
                )
        age = self.age_rules(birth, reference)
        self.id_rules(birth)
        self.contract_rules(birth, collected)
        self.consistency_rules(age)

    def age_rules(self, birth: PartialDate | None, reference: datetime.date) -> int | None:
        if birth is None or birth.value > self.today:
            return None
        if birth.year_only:
            oldest = reference.year - birth.value.year
            youngest = oldest - 1
        else:
            oldest = youngest = age_on(birth.value, reference)
        if oldest < MINIMUM_AGE:
            self.add(
                "age.under_15",
                Severity.ERROR,
                "birth_date",
                _("Người này chưa đủ 15 tuổi vào ngày %(date)s nên không thuộc đối tượng thu thập.")
                % {"date": reference.strftime("%d/%m/%Y")},
            )
        elif youngest < MINIMUM_AGE:
            self.add(
                "age.uncertain",
                Severity.WARNING,
                "birth_date",
                _(
                    "Chỉ có năm sinh nên chưa chắc đã đủ 15 tuổi vào ngày %(date)s. "
                    "Hãy hỏi thêm ngày sinh."
                )
                % {"date": reference.strftime("%d/%m/%Y")},
            )
        if youngest > 120:
            self.add(
                "age.over_120",
                Severity.ERROR,
                "birth_date",
                _("Tuổi trên 120: kiểm tra lại năm sinh."),
            )
        elif youngest > 100:
            self.add(
                "age.over_100",
                Severity.WARNING,
                "birth_date",
                _("Tuổi trên 100: hãy xác nhận năm sinh."),
            )
        return youngest

    def id_rules(self, birth: PartialDate | None) -> None:
        raw = self.code("personal_id")
        if not raw:
            self.add(
                "id.missing",
                Severity.WARNING,
                "personal_id",
                _(
                    "Chưa có số CCCD/CMND. Người không có số vẫn được ghi nhận và sẽ được "
                    "Công an xã giúp bổ sung."
                ),
            )
            return
        parsed = parse_id(raw)
        if isinstance(parsed, IdProblem):
            messages = {
                IdProblem.NOT_DIGITS: _("Chỉ gồm chữ số."),
                IdProblem.LENGTH: _(
                    "Số CCCD có 12 chữ số (CMND cũ có 9 chữ số); số đã ghi có %(count)s chữ số."
                )
                % {"count": len(raw)},
                IdProblem.PROVINCE: _(
                    "Ba chữ số đầu “%(code)s” không phải mã tỉnh nơi đăng ký "
                    "khai sinh. Hãy kiểm tra lại trên thẻ."
                )
                % {"code": raw[:3]},
            }
            self.add(f"id.{parsed.value}", Severity.ERROR, "personal_id", messages[parsed])
            return
        if parsed.kind == IdKind.LEGACY:
            self.add(
                "id.legacy",
                Severity.WARNING,
                "personal_id",
                _("Đây là số CMND 9 chữ số. Nếu người đó đã có CCCD thì hãy ghi số CCCD."),
            )
            return
        self.id_agreement(parsed, birth)

    def id_agreement(self, parsed: ParsedId, birth: PartialDate | None) -> None:
        # The printed card is authoritative: a mismatch is confirmed by the officer, not blocked.
        if birth is not None and parsed.birth_year != birth.value.year:
            self.add(
                "id.birth_year_mismatch",
                Severity.WARNING,
                "personal_id",
                _(
                    "Số CCCD cho năm sinh %(id_year)s nhưng phiếu ghi năm sinh %(year)s. "
                    "Hãy đối chiếu với thẻ."
                )
                % {"id_year": parsed.birth_year, "year": birth.value.year},
            )
        sex = self.code("sex")
        if sex and parsed.is_male is not None and (sex == "1") != parsed.is_male:
            self.add(
                "id.sex_mismatch",
                Severity.WARNING,
                "personal_id",
                _(
                    "Số CCCD là của người %(id_sex)s nhưng phiếu ghi giới tính %(sex)s. "
                    "Hãy đối chiếu với thẻ."
                )
                % {
                    "id_sex": _("nam") if parsed.is_male else _("nữ"),
                    "sex": _("nam") if sex == "1" else _("nữ"),
                },
            )

    def contract_rules(self, birth: PartialDate | None, collected: PartialDate | None) -> None:
        start = self.date("contract_start_date")
        if start is None:
            return
        if birth is not None and not birth.year_only and start.value < add_years(birth.value, 15):
            self.add(
                "contract.before_15",
                Severity.ERROR,
                "contract_start_date",
                _("Ngày bắt đầu hợp đồng trước khi người lao động đủ 15 tuổi."),
            )
        if collected is not None and start.value > collected.value:
            self.add(
                "contract.after_collection",
                Severity.ERROR,
                "contract_start_date",
                _("Ngày bắt đầu hợp đồng sau ngày thu thập phiếu (%(date)s).")
                % {"date": collected},
            )

    def consistency_rules(self, age: int | None) -> None:
        values = self.result.values
        if self.code("has_labor_contract") == "1" and self.code("employment_status") not in (
            "",
            "4",
        ):
            self.add(
                "contract.not_employee",
                Severity.WARNING,
                "has_labor_contract",
                _("Có hợp đồng lao động thường đi với vị thế “Làm công ăn lương”. Hãy xác nhận."),
            )
        if self.code("social_insurance_type") == "1" and self.code("has_labor_contract") == "2":
            self.add(
                "insurance.compulsory_without_contract",
                Severity.WARNING,
                "social_insurance_type",
                _("BHXH bắt buộc thường đi với hợp đồng lao động. Hãy xác nhận."),
            )
        if self.code("workplace_type") == "8" and not self.code("workplace_address"):
            self.add(
                "workplace.abroad_address",
                Severity.WARNING,
                "workplace_address",
                _("Làm việc ở khu vực nước ngoài: hãy ghi tên nước nơi làm việc."),
            )
        groups = values.get("priority_groups") or []
        if "2" in groups and "3" in groups:
            self.add(
                "priority.poor_and_near_poor",
                Severity.ERROR,
                "priority_groups",
                _("Một người không thể vừa thuộc hộ nghèo vừa thuộc hộ cận nghèo."),
            )
        if "6" in groups and self.code("ethnic_group") == "01":
            self.add(
                "priority.ethnic_kinh",
                Severity.ERROR,
                "ethnic_group",
                _(
                    "Dân tộc Kinh không phải dân tộc thiểu số. Hãy sửa dân tộc hoặc bỏ chọn "
                    "“Dân tộc thiểu số”."
                ),
            )
        self.armed_forces_rules()
        if age is None:
            return
        plausibility = (
            (
                "qualification",
                "7",
                age < 20,
                "qualification.university_young",
                _("Tốt nghiệp đại học trước 20 tuổi là hiếm. Hãy xác nhận."),
            ),
            (
                "qualification",
                "8",
                age < 22,
                "qualification.postgraduate_young",
                _("Có trình độ trên đại học trước 22 tuổi là hiếm. Hãy xác nhận."),
            ),
            (
                "inactivity_reason",
                "2",
                age < 45,
                "inactivity.retired_young",
                _("Nghỉ hưu trước 45 tuổi là hiếm. Hãy xác nhận."),
            ),
            (
                "inactivity_reason",
                "1",
                age > 35,
                "inactivity.student_old",
                _("Đi học sau 35 tuổi là hiếm. Hãy xác nhận."),
            ),
        )
        for key, code, unusual, rule, message in plausibility:
            if self.code(key) == code and unusual:
                self.add(rule, Severity.WARNING, key, message)

    def armed_forces_rules(self) -> None:
        # Members of the army and the people's police are not collected (domain README).
        if self.code("occupation_code").startswith("0"):
            self.add(
                "scope.armed_forces",
                Severity.ERROR,
                "occupation_code",
                _("Lực lượng vũ trang không thuộc đối tượng thu thập."),
            )
            return
        for key in ("job_description", "workplace_name"):
            text = f" {fold(self.code(key))} "
            if any(f" {word} " in text for word in _ARMED_FORCES_WORDS):
                self.add(
                    "scope.armed_forces_text",
                    Severity.WARNING,
                    key,
                    _(
                        "Có vẻ là quân đội hoặc công an, là đối tượng không thu thập. "
                        "Hãy xác nhận người này không phục vụ trong lực lượng vũ trang."
                    ),
                )
                return


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
    checker.skip_logic()
    checker.item_rules()
    checker.cross_rules(reference_date)
    return checker.result


def unknown_keys(form: FormDefinition, keys: Iterable[str]) -> list[str]:
    return [key for key in keys if not form.has_item(key)]
