"""The rules between a form's items, as data: each rule is a condition written in a small
expression language, a severity, the item it concerns and its message. The server's engine
(`forms.validation`) evaluates them here; the enumerator's phone receives the same list as JSON
(`rules_as_data`) and evaluates it with the same language in JavaScript, so the two cannot drift
apart — one list of rules, two small interpreters, and a parity test between them.

Expressions (JSON-shaped):
- a string, number, boolean or null is itself;
- {"code": key}: the item's cleaned answer when it is text ("" otherwise);
  {"value": key}: the cleaned answer as it is (a list for multiple choices);
  {"date": key}: the item's date (null when missing or unreadable);
  {"var": name}: what the engine computes once per form (see `VARIABLES`);
- {"all": [...]}, {"any": [...]}, {"not": e}, {"if": [cond, then, else]};
- {"eq": [a, b]}, {"ne": [a, b]}, {"lt": [a, b]}, {"gt": [a, b]} (dates compare as days; a
  comparison with null is false);
- {"in": [a, [...]]}, {"has": [list, x]}, {"empty": a}, {"starts": [text, prefix]},
  {"words": [text, [...]]} (one of the phrases as whole words, without diacritics);
- {"year_only": date}, {"year": date}, {"add_years": [date, n]}, {"length": text},
  {"slice": [text, start, end]};
- {"date_text": date} (dd/mm/yyyy, or the year), {"say": text} (a word in the user's language);
- {"listed": key}: the person's row of the police list, for rules that compare the form with it
  (collection.identity); {"folded": text} (no case or diacritics), {"typed_key": text} (no case,
  tone marks apart: linkage.names.typed_key).

A rule with `instead_of_not_applicable` is checked, in place of "only answer when …", when that
item has an answer while its condition does not hold.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from laodong.core.text import fold
from laodong.forms.dates import PartialDate, add_years

# Computed by the engine from the answers (both engines compute them the same way).
VARIABLES = (
    "today",  # the day of the check
    "reference",  # the age reference day: the campaign's, else the collection date, else today
    "age_oldest",  # full years on the reference day (the oldest possible with a year only)
    "age_youngest",  # … the youngest possible; null without a birth date or with a future one
    "id_problem",  # "", "not_digits", "length" or "province": the ID's structure
    "id_kind",  # "personal" (12 digits), "legacy" (9-digit CMND) or ""
    "id_birth_year",  # the birth year a 12-digit ID gives, else null
    "id_is_male",  # the sex a 12-digit ID gives, else null
)

_ARMED_FORCES_WORDS = [
    "quan doi",
    "bo doi",
    "quan nhan",
    "si quan",
    "cong an",
    "canh sat",
    "bien phong",
    "quan su",
]
_TODAY_OR_REFERENCE_TEXT = {"date_text": {"var": "reference"}}
_AGE = {"var": "age_youngest"}
_PERSONAL_ID = {"eq": [{"var": "id_kind"}, "personal"]}


def _future(key: str) -> dict[str, Any]:
    return {
        "rule": "date.future",
        "severity": "error",
        "field": key,
        "when": {"gt": [{"date": key}, {"var": "today"}]},
        "message": _("Ngày %(date)s ở tương lai."),
        "params": {"date": {"date_text": {"date": key}}},
    }


def _rare(
    key: str, code: str, unusual: dict[str, Any], rule: str, message: Promise
) -> dict[str, Any]:
    return {
        "rule": rule,
        "severity": "warning",
        "field": key,
        "when": {"all": [{"eq": [{"code": key}, code]}, unusual]},
        "message": message,
    }


RULES: list[dict[str, Any]] = [
    {
        # Lists kept by communes fill "Dân tộc" for everyone: Kinh is consistent with item 8
        # left empty; another group without "Dân tộc thiểu số" ticked is likely a missed tick.
        "rule": "priority.ethnic_unticked",
        "severity": "warning",
        "field": "priority_groups",
        "instead_of_not_applicable": "ethnic_group",
        "when": {"not": {"in": [{"code": "ethnic_group"}, ["", "01"]]}},
        "message": _(
            "Ghi dân tộc thiểu số nhưng mục 8 chưa chọn “Dân tộc thiểu số”. Hãy kiểm tra và "
            "chọn mục này nếu đúng."
        ),
    },
    _future("birth_date"),
    _future("contract_start_date"),
    _future("collection_date"),
    {
        "rule": "age.under_15",
        "severity": "error",
        "field": "birth_date",
        "when": {"lt": [{"var": "age_oldest"}, 15]},
        "message": _(
            "Người này chưa đủ 15 tuổi vào ngày %(date)s nên không thuộc đối tượng thu thập."
        ),
        "params": {"date": _TODAY_OR_REFERENCE_TEXT},
    },
    {
        "rule": "age.uncertain",
        "severity": "warning",
        "field": "birth_date",
        "when": {
            "all": [
                {"not": {"lt": [{"var": "age_oldest"}, 15]}},
                {"lt": [{"var": "age_youngest"}, 15]},
            ]
        },
        "message": _(
            "Chỉ có năm sinh nên chưa chắc đã đủ 15 tuổi vào ngày %(date)s. Hãy hỏi thêm ngày sinh."
        ),
        "params": {"date": _TODAY_OR_REFERENCE_TEXT},
    },
    {
        "rule": "age.over_120",
        "severity": "error",
        "field": "birth_date",
        "when": {"gt": [_AGE, 120]},
        "message": _("Tuổi trên 120: kiểm tra lại năm sinh."),
    },
    {
        "rule": "age.over_100",
        "severity": "warning",
        "field": "birth_date",
        "when": {"all": [{"gt": [_AGE, 100]}, {"not": {"gt": [_AGE, 120]}}]},
        "message": _("Tuổi trên 100: hãy xác nhận năm sinh."),
    },
    {
        "rule": "id.missing",
        "severity": "warning",
        "field": "personal_id",
        "when": {"empty": {"code": "personal_id"}},
        "message": _(
            "Chưa có số CCCD/CMND. Người không có số vẫn được ghi nhận và sẽ được "
            "Công an xã giúp bổ sung."
        ),
    },
    {
        "rule": "id.not_digits",
        "severity": "error",
        "field": "personal_id",
        "when": {"eq": [{"var": "id_problem"}, "not_digits"]},
        "message": _("Chỉ gồm chữ số."),
    },
    {
        "rule": "id.length",
        "severity": "error",
        "field": "personal_id",
        "when": {"eq": [{"var": "id_problem"}, "length"]},
        "message": _("Số CCCD có 12 chữ số (CMND cũ có 9 chữ số); số đã ghi có %(count)s chữ số."),
        "params": {"count": {"length": {"code": "personal_id"}}},
    },
    {
        "rule": "id.province",
        "severity": "error",
        "field": "personal_id",
        "when": {"eq": [{"var": "id_problem"}, "province"]},
        "message": _(
            "Ba chữ số đầu “%(code)s” không phải mã tỉnh nơi đăng ký "
            "khai sinh. Hãy kiểm tra lại trên thẻ."
        ),
        "params": {"code": {"slice": [{"code": "personal_id"}, 0, 3]}},
    },
    {
        "rule": "id.legacy",
        "severity": "warning",
        "field": "personal_id",
        "when": {"eq": [{"var": "id_kind"}, "legacy"]},
        "message": _("Đây là số CMND 9 chữ số. Nếu người đó đã có CCCD thì hãy ghi số CCCD."),
    },
    {
        # The printed card is authoritative: a mismatch is confirmed by the officer.
        "rule": "id.birth_year_mismatch",
        "severity": "warning",
        "field": "personal_id",
        "when": {
            "all": [
                _PERSONAL_ID,
                {"not": {"empty": {"date": "birth_date"}}},
                {"ne": [{"var": "id_birth_year"}, {"year": {"date": "birth_date"}}]},
            ]
        },
        "message": _(
            "Số CCCD cho năm sinh %(id_year)s nhưng phiếu ghi năm sinh %(year)s. "
            "Hãy đối chiếu với thẻ."
        ),
        "params": {"id_year": {"var": "id_birth_year"}, "year": {"year": {"date": "birth_date"}}},
    },
    {
        "rule": "id.sex_mismatch",
        "severity": "warning",
        "field": "personal_id",
        "when": {
            "all": [
                _PERSONAL_ID,
                {"not": {"empty": {"code": "sex"}}},
                {"ne": [{"eq": [{"code": "sex"}, "1"]}, {"var": "id_is_male"}]},
            ]
        },
        "message": _(
            "Số CCCD là của người %(id_sex)s nhưng phiếu ghi giới tính %(sex)s. "
            "Hãy đối chiếu với thẻ."
        ),
        "params": {
            "id_sex": {"if": [{"var": "id_is_male"}, {"say": "nam"}, {"say": "nữ"}]},
            "sex": {"if": [{"eq": [{"code": "sex"}, "1"]}, {"say": "nam"}, {"say": "nữ"}]},
        },
    },
    {
        "rule": "contract.before_15",
        "severity": "error",
        "field": "contract_start_date",
        "when": {
            "all": [
                {"not": {"year_only": {"date": "birth_date"}}},
                {
                    "lt": [
                        {"date": "contract_start_date"},
                        {"add_years": [{"date": "birth_date"}, 15]},
                    ]
                },
            ]
        },
        "message": _("Ngày bắt đầu hợp đồng trước khi người lao động đủ 15 tuổi."),
    },
    {
        "rule": "contract.after_collection",
        "severity": "error",
        "field": "contract_start_date",
        "when": {"gt": [{"date": "contract_start_date"}, {"date": "collection_date"}]},
        "message": _("Ngày bắt đầu hợp đồng sau ngày thu thập phiếu (%(date)s)."),
        "params": {"date": {"date_text": {"date": "collection_date"}}},
    },
    {
        "rule": "contract.not_employee",
        "severity": "warning",
        "field": "has_labor_contract",
        "when": {
            "all": [
                {"eq": [{"code": "has_labor_contract"}, "1"]},
                {"not": {"in": [{"code": "employment_status"}, ["", "4"]]}},
            ]
        },
        "message": _(
            "Có hợp đồng lao động thường đi với vị thế “Làm công ăn lương”. Hãy xác nhận."
        ),
    },
    {
        "rule": "insurance.compulsory_without_contract",
        "severity": "warning",
        "field": "social_insurance_type",
        "when": {
            "all": [
                {"eq": [{"code": "social_insurance_type"}, "1"]},
                {"eq": [{"code": "has_labor_contract"}, "2"]},
            ]
        },
        "message": _("BHXH bắt buộc thường đi với hợp đồng lao động. Hãy xác nhận."),
    },
    {
        "rule": "workplace.abroad_address",
        "severity": "warning",
        "field": "workplace_address",
        "when": {
            "all": [
                {"eq": [{"code": "workplace_type"}, "8"]},
                {"empty": {"code": "workplace_address"}},
            ]
        },
        "message": _("Làm việc ở khu vực nước ngoài: hãy ghi tên nước nơi làm việc."),
    },
    {
        "rule": "priority.poor_and_near_poor",
        "severity": "error",
        "field": "priority_groups",
        "when": {
            "all": [
                {"has": [{"value": "priority_groups"}, "2"]},
                {"has": [{"value": "priority_groups"}, "3"]},
            ]
        },
        "message": _("Một người không thể vừa thuộc hộ nghèo vừa thuộc hộ cận nghèo."),
    },
    {
        "rule": "priority.ethnic_kinh",
        "severity": "error",
        "field": "ethnic_group",
        "when": {
            "all": [
                {"has": [{"value": "priority_groups"}, "6"]},
                {"eq": [{"code": "ethnic_group"}, "01"]},
            ]
        },
        "message": _(
            "Dân tộc Kinh không phải dân tộc thiểu số. Hãy sửa dân tộc hoặc bỏ chọn "
            "“Dân tộc thiểu số”."
        ),
    },
    {
        # Members of the army and the people's police are not collected (domain README).
        "rule": "scope.armed_forces",
        "severity": "error",
        "field": "occupation_code",
        "when": {"starts": [{"code": "occupation_code"}, "0"]},
        "message": _("Lực lượng vũ trang không thuộc đối tượng thu thập."),
    },
    {
        "rule": "scope.armed_forces_text",
        "severity": "warning",
        "field": "job_description",
        "when": {
            "all": [
                {"not": {"starts": [{"code": "occupation_code"}, "0"]}},
                {"words": [{"code": "job_description"}, _ARMED_FORCES_WORDS]},
            ]
        },
        "message": _(
            "Có vẻ là quân đội hoặc công an, là đối tượng không thu thập. "
            "Hãy xác nhận người này không phục vụ trong lực lượng vũ trang."
        ),
    },
    {
        "rule": "scope.armed_forces_text",
        "severity": "warning",
        "field": "workplace_name",
        "when": {
            "all": [
                {"not": {"starts": [{"code": "occupation_code"}, "0"]}},
                {"not": {"words": [{"code": "job_description"}, _ARMED_FORCES_WORDS]}},
                {"words": [{"code": "workplace_name"}, _ARMED_FORCES_WORDS]},
            ]
        },
        "message": _(
            "Có vẻ là quân đội hoặc công an, là đối tượng không thu thập. "
            "Hãy xác nhận người này không phục vụ trong lực lượng vũ trang."
        ),
    },
    _rare(
        "qualification",
        "7",
        {"lt": [_AGE, 20]},
        "qualification.university_young",
        _("Tốt nghiệp đại học trước 20 tuổi là hiếm. Hãy xác nhận."),
    ),
    _rare(
        "qualification",
        "8",
        {"lt": [_AGE, 22]},
        "qualification.postgraduate_young",
        _("Có trình độ trên đại học trước 22 tuổi là hiếm. Hãy xác nhận."),
    ),
    _rare(
        "inactivity_reason",
        "2",
        {"lt": [_AGE, 45]},
        "inactivity.retired_young",
        _("Nghỉ hưu trước 45 tuổi là hiếm. Hãy xác nhận."),
    ),
    _rare(
        "inactivity_reason",
        "1",
        {"gt": [_AGE, 35]},
        "inactivity.student_old",
        _("Đi học sau 35 tuổi là hiếm. Hãy xác nhận."),
    ),
]
# Words rules may say, in the user's language ({"say": …}).
WORDS = {"nam": _("nam"), "nữ": _("nữ"), "Nam": _("Nam"), "Nữ": _("Nữ")}


@dataclass(frozen=True)
class Rule:
    rule: str
    severity: str
    field: str
    when: Any
    message: str
    params: Mapping[str, Any]
    instead_of_not_applicable: str = ""


def rules() -> list[Rule]:
    """The rules, their messages in the active language."""
    return [
        Rule(
            rule=r["rule"],
            severity=r["severity"],
            field=r["field"],
            when=r["when"],
            message=str(r["message"]),
            params=r.get("params", {}),
            instead_of_not_applicable=r.get("instead_of_not_applicable", ""),
        )
        for r in RULES
    ]


def rules_as_data() -> dict[str, Any]:
    """What the phone receives: the rules and the words, in the active language."""
    return {
        "variables": list(VARIABLES),
        "rules": [
            {
                "rule": r.rule,
                "severity": r.severity,
                "field": r.field,
                "when": r.when,
                "message": r.message,
                "params": dict(r.params),
                **({"instead_of_not_applicable": r.instead_of_not_applicable}
                   if r.instead_of_not_applicable else {}),
            }
            for r in rules()
        ],
        "words": {key: str(word) for key, word in WORDS.items()},
    }  # fmt: skip


class Answers:
    """What expressions read: the cleaned answers, the engine's variables and (for rules
    against the police list) the person's listed row."""

    def __init__(
        self,
        values: Mapping[str, Any],
        variables: Mapping[str, Any],
        listed: Mapping[str, Any] | None = None,
    ) -> None:
        self.values = values
        self.variables = variables
        self.listed = listed or {}


def fired(when: Any, params: Mapping[str, Any], message: str, answers: Answers) -> str | None:
    """A rule's message with its values filled in when its condition holds, else None."""
    if not evaluate(when, answers):
        return None
    values = {name: evaluate(expression, answers) for name, expression in params.items()}
    return message % values if values else message


def _day(value: Any) -> Any:
    return value.value if isinstance(value, PartialDate) else value


def _compare(operator: str, left: Any, right: Any) -> bool:
    left, right = _day(left), _day(right)
    if left is None or right is None:
        return False
    if isinstance(left, bool) or isinstance(right, bool):
        return False
    return bool(left < right) if operator == "lt" else bool(left > right)


def evaluate(expression: Any, answers: Answers) -> Any:
    if not isinstance(expression, dict):
        return expression
    ((operator, argument),) = expression.items()
    values = answers.values

    def arg(n: int) -> Any:
        return evaluate(argument[n], answers)

    if operator == "code":
        value = values.get(argument)
        return value if isinstance(value, str) else ""
    if operator == "value":
        return values.get(argument)
    if operator == "date":
        value = values.get(argument)
        return value if isinstance(value, PartialDate) else None
    if operator == "var":
        return answers.variables.get(argument)
    if operator == "all":
        return all(evaluate(part, answers) for part in argument)
    if operator == "any":
        return any(evaluate(part, answers) for part in argument)
    if operator == "not":
        return not evaluate(argument, answers)
    if operator == "if":
        return arg(1) if evaluate(argument[0], answers) else arg(2)
    if operator == "eq":
        return _day(arg(0)) == _day(arg(1))
    if operator == "ne":
        left, right = _day(arg(0)), _day(arg(1))
        return left is not None and right is not None and left != right
    if operator in ("lt", "gt"):
        return _compare(operator, arg(0), arg(1))
    if operator == "in":
        return arg(0) in argument[1]
    if operator == "has":
        value = arg(0)
        return isinstance(value, list | tuple) and arg(1) in value
    if operator == "empty":
        value = evaluate(argument, answers)
        return value is None or value == "" or value == [] or value == ()
    if operator == "starts":
        value = arg(0)
        return isinstance(value, str) and value.startswith(arg(1))
    if operator == "words":
        text = f" {fold(arg(0) or '')} "
        return any(f" {word} " in text for word in argument[1])
    if operator == "year_only":
        value = evaluate(argument, answers)
        return isinstance(value, PartialDate) and value.year_only
    if operator == "year":
        value = evaluate(argument, answers)
        return value.value.year if isinstance(value, PartialDate) else None
    if operator == "add_years":
        value = arg(0)
        if not isinstance(value, PartialDate):
            return None
        return PartialDate(add_years(value.value, int(argument[1])))
    if operator == "length":
        return len(evaluate(argument, answers) or "")
    if operator == "slice":
        return (arg(0) or "")[argument[1] : argument[2]]
    if operator == "date_text":
        value = evaluate(argument, answers)
        if isinstance(value, datetime.date):
            return value.strftime("%d/%m/%Y")
        return str(value) if value is not None else ""
    if operator == "say":
        return str(WORDS[argument]) if argument in WORDS else gettext(argument)
    if operator == "listed":
        return answers.listed.get(argument)
    if operator == "folded":
        return fold(str(evaluate(argument, answers) or ""))
    if operator == "typed_key":
        from laodong.linkage.names import typed_key

        return typed_key(str(evaluate(argument, answers) or ""))
    raise ValueError(f"unknown operator {operator!r}")
