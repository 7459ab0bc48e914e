"""Form versions and code lists, read from the JSON data in data/.

A form version is data: adding one (e.g. when the official text of Mẫu số 01/2025 is published)
means adding a JSON file, not migrating stored answers. A derived version names the version it
extends and lists what it removes, changes and adds.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from laodong.core.text import fold_compact

DATA = Path(__file__).resolve().parent / "data"
_CODE_PREFIX = re.compile(r"^([0-9A-Za-z.]{1,5})\s+[-–:]\s+\S")
FORM_CODES = ("tt11-2022-m03", "tt09-2025-m01")


class UnknownForm(LookupError):
    """No form version with that code."""


@dataclass(frozen=True)
class Code:
    code: str
    label: str
    aliases: tuple[str, ...] = ()
    verified: bool = True


@dataclass(frozen=True)
class CodeList:
    """A code list with its identity: stored answers carry (list id, version, code)."""

    id: str
    name: str
    source: str
    version: str
    codes: tuple[Code, ...]
    note: str = ""

    @cached_property
    def _by_code(self) -> dict[str, Code]:
        return {c.code: c for c in self.codes}

    @cached_property
    def _by_text(self) -> dict[str, Code]:
        index: dict[str, Code] = {}
        # Labels and aliases first, so that a code always wins over a label spelled like one.
        for code in self.codes:
            for name in (code.label, *code.aliases):
                index.setdefault(fold_compact(name), code)
        for code in self.codes:
            index[fold_compact(code.code)] = code
        return index

    def get(self, code: str) -> Code | None:
        return self._by_code.get(code)

    def match(self, text: str) -> Code | None:
        """Find a code from what people write: the code itself, its label, a known alias, or
        "code - label" as the Excel template's dropdowns write it."""
        text = text.strip()
        code = self._by_code.get(text)
        if code is None and (prefixed := _CODE_PREFIX.match(text)):
            code = self._by_code.get(prefixed.group(1))
        return code if code is not None else self._by_text.get(fold_compact(text))

    def option(self, code: Code) -> str:
        """How a code appears in the template's dropdowns."""
        return f"{code.code} - {code.label}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "version": self.version,
            "note": self.note,
            "codes": [
                {
                    "code": c.code,
                    "label": c.label,
                    "aliases": list(c.aliases),
                    "verified": c.verified,
                }
                for c in self.codes
            ],
        }


@dataclass(frozen=True)
class Condition:
    """When an item applies: `field` in `values`, `field` contains `value`, or all of `parts`."""

    field: str = ""
    values: tuple[str, ...] = ()
    contains: str = ""
    parts: tuple[Condition, ...] = ()

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Condition:
        if "all" in data:
            return cls(parts=tuple(cls.from_data(part) for part in data["all"]))
        return cls(
            field=data["field"], values=tuple(data.get("in", ())), contains=data.get("contains", "")
        )

    def holds(self, answers: dict[str, Any]) -> bool:
        if self.parts:
            return all(part.holds(answers) for part in self.parts)
        value = answers.get(self.field)
        if self.contains:
            return isinstance(value, list | tuple | set) and self.contains in value
        return value in self.values

    def fields(self) -> set[str]:
        if self.parts:
            return set().union(*(part.fields() for part in self.parts))
        return {self.field}

    def as_dict(self) -> dict[str, Any]:
        if self.parts:
            return {"all": [part.as_dict() for part in self.parts]}
        if self.contains:
            return {"field": self.field, "contains": self.contains}
        return {"field": self.field, "in": list(self.values)}


@dataclass(frozen=True)
class Item:
    key: str
    number: str
    label: str
    type: str
    section: str
    required: bool = False
    required_severity: str = "error"
    code_list: str = ""
    when: Condition | None = None
    help: str = ""
    max_length: int = 0
    length: int = 0
    allow_year_only: bool = False
    unit_level: str = ""

    def applies(self, answers: dict[str, Any]) -> bool:
        return self.when is None or self.when.holds(answers)

    @property
    def title(self) -> str:
        """ "12.1. Vị thế việc làm" — how officers refer to an item."""
        return f"{self.number}. {self.label}" if self.number else self.label

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "key": self.key,
            "number": self.number,
            "label": self.label,
            "type": self.type,
            "section": self.section,
            "required": self.required,
        }
        if self.required and self.required_severity != "error":
            data["required_severity"] = self.required_severity
        for name in ("code_list", "help", "max_length", "length", "allow_year_only", "unit_level"):
            if getattr(self, name):
                data[name] = getattr(self, name)
        if self.when is not None:
            data["when"] = self.when.as_dict()
        return data


@dataclass(frozen=True)
class FormDefinition:
    code: str
    title: str
    form_number: str
    legal_basis: str
    items: tuple[Item, ...]
    sections: tuple[tuple[str, str], ...]
    subtitle: str = ""
    extends: str = ""
    note: str = ""
    valid_from: str | None = None
    valid_to: str | None = None
    issued: str | None = None
    code_lists: dict[str, CodeList] = field(default_factory=dict, compare=False)

    def item(self, key: str) -> Item:
        return next(item for item in self.items if item.key == key)

    def has_item(self, key: str) -> bool:
        return any(item.key == key for item in self.items)

    def as_dict(self) -> dict[str, Any]:
        """The definition as JSON: what `laodong forms schema` prints and the API serves."""
        return {
            "code": self.code,
            "title": self.title,
            "subtitle": self.subtitle,
            "form_number": self.form_number,
            "legal_basis": self.legal_basis,
            "extends": self.extends or None,
            "note": self.note,
            "issued": self.issued,
            "valid_from": self.valid_from,
            "valid_to": self.valid_to,
            "sections": [{"key": key, "label": label} for key, label in self.sections],
            "items": [item.as_dict() for item in self.items],
            "code_lists": {
                key: self.code_lists[key].as_dict()
                for key in sorted({i.code_list for i in self.items if i.code_list})
            },
        }


@cache
def code_lists() -> dict[str, CodeList]:
    raw = json.loads((DATA / "codelists.json").read_text(encoding="utf-8"))
    return {
        entry["id"]: CodeList(
            id=entry["id"],
            name=entry["name"],
            source=entry["source"],
            version=entry["version"],
            note=entry.get("note", ""),
            codes=tuple(
                Code(
                    code=c["code"],
                    label=c["label"],
                    aliases=tuple(c.get("aliases", ())),
                    verified=c.get("verified", True),
                )
                for c in entry["codes"]
            ),
        )
        for entry in raw["lists"]
    }


def _raw_form(code: str) -> dict[str, Any]:
    if code not in FORM_CODES:
        raise UnknownForm(code)
    data: dict[str, Any] = json.loads((DATA / f"{code}.json").read_text(encoding="utf-8"))
    if "extends" not in data:
        return data
    base = copy.deepcopy(_raw_form(data["extends"]))
    items = [i for i in base["items"] if i["key"] not in set(data.get("remove_items", ()))]
    for item in items:
        item.update(data.get("change_items", {}).get(item["key"], {}))
    for addition in data.get("add_items", ()):
        position = next(n for n, i in enumerate(items) if i["key"] == addition["after"]) + 1
        items.insert(position, addition["item"])
    merged = {
        **base,
        **{k: v for k, v in data.items() if k not in ("remove_items", "change_items", "add_items")},
    }
    merged["items"] = items
    return merged


@cache
def get_form(code: str) -> FormDefinition:
    """Return a form version by code (raises UnknownForm)."""
    data = _raw_form(code)
    lists = code_lists()
    items = []
    for raw in data["items"]:
        values = {k: v for k, v in raw.items() if k != "when"}
        items.append(
            Item(**values, when=Condition.from_data(raw["when"]) if "when" in raw else None)
        )
    for item in items:
        if item.code_list and item.code_list not in lists:
            raise ValueError(f"{code}: item {item.key} names unknown code list {item.code_list}")
    return FormDefinition(
        code=data["code"],
        title=data["title"],
        subtitle=data.get("subtitle", ""),
        form_number=data["form_number"],
        legal_basis=data["legal_basis"],
        extends=data.get("extends", ""),
        note=data.get("note", ""),
        valid_from=data.get("valid_from"),
        valid_to=data.get("valid_to"),
        issued=data.get("issued"),
        sections=tuple((s["key"], s["label"]) for s in data["sections"]),
        items=tuple(items),
        code_lists=lists,
    )
