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

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.collection.models import WorkItem
from laodong.forms.dates import PartialDate
from laodong.forms.validation import Finding, Severity
from laodong.linkage.names import folded, typed_key

ID_RULE = "identity.personal_id"
NAME_RULE = "identity.full_name"
BIRTH_RULE = "identity.birth_date"
SEX_RULE = "identity.sex"
# Warnings confirmed only with a reason.
REASONED = (NAME_RULE, BIRTH_RULE, SEX_RULE)
_SEXES = {"1": gettext_lazy("Nam"), "2": gettext_lazy("Nữ")}


def from_police_list(item: WorkItem) -> bool:
    """Whether the item's identity comes from a police list (not typed by an officer for
    someone the list missed)."""
    return bool(item.personal_id) and (item.in_latest_list or not item.outside_list)


def findings(item: WorkItem, values: Mapping[str, Any]) -> list[Finding]:
    """What differs between the form's cleaned values and the police list's row."""
    if not from_police_list(item):
        return []
    found = []
    if (values.get("personal_id") or "") != item.personal_id:
        found.append(
            Finding(
                ID_RULE,
                Severity.ERROR,
                "personal_id",
                _(
                    "Số CCCD/CMND trên phiếu khác số trong danh sách của Công an xã. Phiếu "
                    "phải ghi đúng số Công an xã cung cấp; nếu số trong danh sách sai, hãy báo "
                    "Công an xã để sửa danh sách."
                ),
            )
        )
    name = str(values.get("full_name") or "")
    if name and (
        folded(name) != item.full_name_folded or typed_key(name) != typed_key(item.full_name)
    ):
        found.append(
            Finding(
                NAME_RULE,
                Severity.WARNING,
                "full_name",
                _("Họ tên trên phiếu “%(form)s” khác danh sách Công an “%(police)s”.")
                % {"form": name, "police": item.full_name},
            )
        )
    birth = values.get("birth_date")
    listed = PartialDate(item.birth_date, item.birth_year_only)
    # Compared as written (a year-only date is its year), so two year-only dates of one year
    # are no difference.
    if isinstance(birth, PartialDate) and str(birth) != str(listed):
        found.append(
            Finding(
                BIRTH_RULE,
                Severity.WARNING,
                "birth_date",
                _("Ngày sinh trên phiếu %(form)s khác danh sách Công an %(police)s.")
                % {"form": str(birth), "police": str(listed)},
            )
        )
    sex = str(values.get("sex") or "")
    if sex and item.sex and sex != item.sex:
        found.append(
            Finding(
                SEX_RULE,
                Severity.WARNING,
                "sex",
                _("Giới tính trên phiếu (%(form)s) khác danh sách Công an (%(police)s).")
                % {"form": _SEXES.get(sex, sex), "police": _SEXES.get(item.sex, item.sex)},
            )
        )
    return found


def unexplained(result_findings: list[Finding], reasons: Mapping[str, str]) -> list[Finding]:
    """The identity warnings without a reason."""
    return [
        finding
        for finding in result_findings
        if finding.rule in REASONED and not (reasons.get(finding.rule) or "").strip()
    ]
