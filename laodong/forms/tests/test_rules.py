"""The rules between items are data: what the phone receives is plain JSON, every operator it
uses is one the interpreters know, and the messages follow the user's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation

from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.rules import VARIABLES, Answers, evaluate, rules_as_data

OPERATORS = {
    "code", "value", "date", "var", "all", "any", "not", "if", "eq", "ne", "lt", "gt", "in",
    "has", "empty", "starts", "words", "year_only", "year", "add_years", "length", "slice",
    "date_text", "say",
}  # fmt: skip


def operators(expression: Any) -> set[str]:
    if isinstance(expression, dict):
        ((name, argument),) = expression.items()
        return {name} | operators(argument)
    if isinstance(expression, list):
        return set().union(*(operators(part) for part in expression)) if expression else set()
    return set()


def test_the_rules_travel_as_json_with_known_operators_and_items() -> None:
    data = json.loads(json.dumps(rules_as_data(), ensure_ascii=False))
    keys = {item.key for code in FORM_CODES for item in get_form(code).items}
    assert data["variables"] == list(VARIABLES)
    for rule in data["rules"]:
        used = operators(rule["when"]) | operators(list(rule.get("params", {}).values()))
        assert used <= OPERATORS, rule["rule"]
        assert rule["field"] in keys, rule["rule"]
        assert rule["severity"] in ("error", "warning")
        for name in ("code", "value", "date"):
            for key in _arguments(rule["when"], name):
                assert key in keys, (rule["rule"], key)
        for variable in _arguments(rule["when"], "var"):
            assert variable in VARIABLES


def _arguments(expression: Any, operator: str) -> list[Any]:
    if isinstance(expression, dict):
        ((name, argument),) = expression.items()
        return [argument] if name == operator else _arguments(argument, operator)
    if isinstance(expression, list):
        return [found for part in expression for found in _arguments(part, operator)]
    return []


def test_messages_follow_the_language() -> None:
    with translation.override("en"):
        data = rules_as_data()
    kinh = next(r for r in data["rules"] if r["rule"] == "priority.poor_and_near_poor")
    assert kinh["message"] == "A person cannot be in both a poor and a near-poor household."
    assert data["words"] == {"nam": "male", "nữ": "female", "Nam": "Male", "Nữ": "Female"}


def test_an_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown operator"):
        evaluate({"shout": "x"}, Answers({}, {}))
