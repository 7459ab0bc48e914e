"""What the enumerator's phone needs to check a form without the server: the form definition
with its code lists, the rules between items, the engine's messages (in the user's language),
the characters the printed form can show and the birth-registration province codes. The phone's
engine (static/forms/engine.js) reads exactly this; the server's engine reads the same sources."""

from __future__ import annotations

from functools import cache
from typing import Any

from laodong.forms.citizen_id import PROVINCE_CODES
from laodong.forms.definitions import get_form
from laodong.forms.fonts import printable_characters
from laodong.forms.rules import rules_as_data
from laodong.forms.validation import MESSAGES


@cache
def printable_ranges() -> list[list[int]]:
    """The font's characters as [first, last] code point runs (a few hundred, not thousands)."""
    ranges: list[list[int]] = []
    for point in sorted(printable_characters()):
        if ranges and ranges[-1][1] == point - 1:
            ranges[-1][1] = point
        else:
            ranges.append([point, point])
    return ranges


def engine_pack(form_code: str) -> dict[str, Any]:
    """The check's data for one form version, as JSON, messages in the active language."""
    return {
        "form": get_form(form_code).as_dict(),
        "rules": rules_as_data(),
        "messages": {key: str(message) for key, message in MESSAGES.items()},
        "printable": printable_ranges(),
        "provinces": sorted(PROVINCE_CODES),
    }
