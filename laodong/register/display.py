"""A person's answers as the paper form shows them: item titles and option labels."""

from __future__ import annotations

from typing import Any

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
