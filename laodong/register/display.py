"""A person's answers as the paper form shows them: item titles and option labels."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from laodong.forms.citizen_id import mask_id
from laodong.forms.definitions import FormDefinition


def answer_text(definition: FormDefinition, key: str, value: Any, *, full_id: bool) -> str:
    if value in (None, "", []):
        return ""
    item = definition.item(key)
    if item.type == "personal_id":
        return str(value) if full_id else mask_id(str(value))
    if item.code_list:
        code_list = definition.code_lists[item.code_list]
        codes = value if isinstance(value, list) else [value]
        return "; ".join(
            f"{code} – {found.label}" if (found := code_list.get(str(code))) else str(code)
            for code in codes
        )
    return str(value)


def answer_sections(
    definition: FormDefinition,
    answers: dict[str, Any],
    *,
    full_id: bool,
    unit_names: dict[str, str] | None = None,
) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(section label, [(item title, text), …]), …] for the items that have an answer.

    `unit_names` shows header units by name ("Tỉnh Thanh Hóa") rather than by code.
    """
    answers = {
        **answers,
        **{key: name for key, name in (unit_names or {}).items() if answers.get(key)},
    }
    sections = []
    for key, label in definition.sections:
        rows = [
            (item.title, answer_text(definition, item.key, answers.get(item.key), full_id=full_id))
            for item in definition.items
            if item.section == key and answers.get(item.key) not in (None, "", [])
        ]
        if rows:
            sections.append((label, rows))
    return sections


def change_rows(
    definition: FormDefinition, changes: dict[str, list[Any]], *, full_id: bool
) -> list[tuple[str, str, str]]:
    """[(item title, before, after), …] for one version's changes."""
    rows = []
    for key, (before, after) in changes.items():
        if key == "register":
            rows.append((str(_("Tình trạng quản lý")), state_text(before), state_text(after)))
            continue
        if not definition.has_item(key):
            continue
        rows.append(
            (
                definition.item(key).title,
                answer_text(definition, key, before, full_id=full_id),
                answer_text(definition, key, after, full_id=full_id),
            )
        )
    return rows


def state_text(value: Any) -> str:
    """A person's place in the register as a version's changes store it."""
    from laodong.register.models import LeaveReason

    if not value:
        return str(_("Trong diện quản lý"))
    reason = value.get("reason", "")
    label = LeaveReason(reason).label if reason in LeaveReason.values else reason
    text = str(_("Ra khỏi diện quản lý: %(reason)s")) % {"reason": label}
    day = value.get("on") or ""
    if len(day) == 10:
        text += str(_(" từ ngày %(day)s")) % {"day": f"{day[8:10]}/{day[5:7]}/{day[0:4]}"}
    if value.get("destination"):
        text += f" ({value['destination']})"
    return text


# Short names of the warnings an officer may confirm, for the history.
WARNING_NAMES = {
    "required": _("mục để trống"),
    "age.uncertain": _("chỉ có năm sinh"),
    "age.over_100": _("tuổi trên 100"),
    "id.missing": _("chưa có số CCCD/CMND"),
    "id.legacy": _("số CMND 9 chữ số"),
    "id.birth_year_mismatch": _("năm sinh khác với số CCCD"),
    "id.sex_mismatch": _("giới tính khác với số CCCD"),
    "contract.not_employee": _("có HĐLĐ nhưng không làm công ăn lương"),
    "insurance.compulsory_without_contract": _("BHXH bắt buộc không có HĐLĐ"),
    "workplace.abroad_address": _("làm việc ở nước ngoài chưa ghi tên nước"),
    "scope.armed_forces_text": _("có thể là lực lượng vũ trang"),
    "qualification.university_young": _("tốt nghiệp đại học khi còn trẻ"),
    "qualification.postgraduate_young": _("trên đại học khi còn trẻ"),
    "inactivity.retired_young": _("nghỉ hưu trước 45 tuổi"),
    "inactivity.student_old": _("đi học sau 35 tuổi"),
    "duplicate.name_birth": _("có thể trùng người"),
}


def warning_names(rules: list[str]) -> str:
    return "; ".join(str(WARNING_NAMES.get(rule, rule)) for rule in rules)


def version_summary(version: Any, *, full_id: bool) -> str:
    """What a version did, old → new, and where it came from, in one paragraph: the line the
    police read to enter it into the population database."""
    from laodong.forms.definitions import get_form
    from laodong.register.models import Kind
    from laodong.register.sources import origin_of

    definition = get_form(version.form_code)
    parts: list[str] = []
    if version.kind == Kind.RECORD:
        parts.append(str(_("Ghi mới vào cơ sở dữ liệu người lao động")))
    elif version.kind == Kind.REOPEN:
        parts.append(str(_("Mở lại hồ sơ")))
    elif version.kind == Kind.TRANSFER_IN:
        parts.append(str(_("Chuyển đến từ xã khác")))
    for title, before, after in change_rows(definition, version.changes, full_id=full_id):
        if version.kind == Kind.CLOSE and title == str(_("Tình trạng quản lý")):
            parts.append(after)
        else:
            parts.append(f"{title}: {before or '—'} → {after or '—'}")
    origin = origin_of(version)
    source = str(_("Nguồn: %(source)s")) % {"source": version.get_source_display()}
    if origin.text():
        source += f" ({origin.text()})"
    parts.append(source)
    return "; ".join(parts)
