"""A form's identity against the person's row of the police list (issue 13, item 1).

The police list comes from the population database: the ID it gives is the person's, so a
form with another ID is refused; a name, birth date or sex that differs from it is a warning
that shows both values and is confirmed only with a reason (kept on the form, shown to the
officer at acceptance and on the form's page). Names compare without case and diacritics
first, then as typed (tone placement aside): "LÊ THỊ LAN" is "Lê Thị Lan", "Lê Thi Lan" is
not.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy

from laodong.collection.models import WorkItem
from laodong.forms.dates import PartialDate
from laodong.forms.rules import Answers, fired
from laodong.forms.validation import Finding, Severity

ID_RULE = "identity.personal_id"
NAME_RULE = "identity.full_name"
BIRTH_RULE = "identity.birth_date"
SEX_RULE = "identity.sex"
# Warnings confirmed only with a reason.
REASONED = (NAME_RULE, BIRTH_RULE, SEX_RULE)


def _sex(expression: Any) -> dict[str, Any]:
    return {"if": [{"eq": [expression, "1"]}, {"say": "Nam"},
                   {"if": [{"eq": [expression, "2"]}, {"say": "Nữ"}, expression]}]}  # fmt: skip


_FROM_LIST = {"listed": "from_list"}
# The rules as data (forms.rules' language, reading the police row with {"listed": …}): the
# server checks them here and the enumerator's phone with the same list (offline pack).
RULES: list[dict[str, Any]] = [
    {
        "rule": ID_RULE,
        "severity": "error",
        "field": "personal_id",
        "when": {"all": [_FROM_LIST, {"ne": [{"code": "personal_id"}, {"listed": "personal_id"}]}]},
        "message": gettext_lazy(
            "Số CCCD/CMND trên phiếu khác số trong danh sách của Công an xã. Phiếu "
            "phải ghi đúng số Công an xã cung cấp; nếu số trong danh sách sai, hãy báo "
            "Công an xã để sửa danh sách."
        ),
    },
    {
        "rule": NAME_RULE,
        "severity": "warning",
        "field": "full_name",
        "when": {
            "all": [
                _FROM_LIST,
                {"not": {"empty": {"code": "full_name"}}},
                {
                    "any": [
                        {
                            "ne": [
                                {"folded": {"code": "full_name"}},
                                {"folded": {"listed": "full_name"}},
                            ]
                        },
                        {
                            "ne": [
                                {"typed_key": {"code": "full_name"}},
                                {"typed_key": {"listed": "full_name"}},
                            ]
                        },
                    ]
                },
            ]
        },
        "message": gettext_lazy(
            "Họ tên trên phiếu “%(form)s” khác danh sách Công an “%(police)s”."
        ),
        "params": {"form": {"code": "full_name"}, "police": {"listed": "full_name"}},
    },
    {
        # Compared as written (a year-only date is its year): two year-only dates of one year
        # are no difference.
        "rule": BIRTH_RULE,
        "severity": "warning",
        "field": "birth_date",
        "when": {
            "all": [
                _FROM_LIST,
                {"not": {"empty": {"date": "birth_date"}}},
                {"ne": [{"date_text": {"date": "birth_date"}}, {"listed": "birth"}]},
            ]
        },
        "message": gettext_lazy("Ngày sinh trên phiếu %(form)s khác danh sách Công an %(police)s."),
        "params": {"form": {"date_text": {"date": "birth_date"}}, "police": {"listed": "birth"}},
    },
    {
        "rule": SEX_RULE,
        "severity": "warning",
        "field": "sex",
        "when": {
            "all": [
                _FROM_LIST,
                {"not": {"empty": {"code": "sex"}}},
                {"not": {"empty": {"listed": "sex"}}},
                {"ne": [{"code": "sex"}, {"listed": "sex"}]},
            ]
        },
        "message": gettext_lazy(
            "Giới tính trên phiếu (%(form)s) khác danh sách Công an (%(police)s)."
        ),
        "params": {"form": _sex({"code": "sex"}), "police": _sex({"listed": "sex"})},
    },
]


def from_police_list(item: WorkItem) -> bool:
    """Whether the item's identity comes from a police list (not typed by an officer for
    someone the list missed)."""
    return bool(item.personal_id) and (item.in_latest_list or not item.outside_list)


def listed(item: WorkItem) -> dict[str, Any]:
    """The person's row of the police list, as the rules read it (and the phone receives)."""
    return {
        "from_list": from_police_list(item),
        "personal_id": item.personal_id,
        "full_name": item.full_name,
        "birth": str(PartialDate(item.birth_date, item.birth_year_only)),
        "sex": item.sex,
    }


def rules_as_data() -> list[dict[str, Any]]:
    """The rules with their messages in the active language."""
    return [{**rule, "message": str(rule["message"]), "untitled": True} for rule in RULES]


def findings_for(row: Mapping[str, Any], values: Mapping[str, Any]) -> list[Finding]:
    """What differs between a form's cleaned values and a police row."""
    answers = Answers(values, {}, row)
    found = []
    for rule in RULES:
        message = fired(rule["when"], rule.get("params", {}), str(rule["message"]), answers)
        if message is not None:
            found.append(Finding(rule["rule"], Severity(rule["severity"]), rule["field"], message))
    return found


def findings(item: WorkItem, values: Mapping[str, Any]) -> list[Finding]:
    """What differs between the form's cleaned values and the police list's row."""
    return findings_for(listed(item), values)


def unexplained(result_findings: list[Finding], reasons: Mapping[str, str]) -> list[Finding]:
    """The identity warnings without a reason."""
    return [
        finding
        for finding in result_findings
        if finding.rule in REASONED and not (reasons.get(finding.rule) or "").strip()
    ]
