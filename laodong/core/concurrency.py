"""Lost-update protection for edit pages.

A page that edits a record carries, in a hidden field, a token of the record as it was loaded
(`edit_token`). The action compares it with the record as it is now, under a row lock; when
someone else saved in between, it refuses with `StaleEdit`, which holds each item that differs
between what this user typed and what is saved now. The page is then shown again with the
user's typing kept, the saved values beside it item by item, and a fresh token: saving again
is the merge, made knowingly. Nothing is ever silently undone.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _


def _plain(value: Any) -> Any:
    if isinstance(value, (list, tuple, set)):
        return sorted(str(v) for v in value)
    if value is None:
        return ""
    return str(value).strip()


def edit_token(values: Mapping[str, Any]) -> str:
    """A short fingerprint of the editable values of a record."""
    text = json.dumps({key: _plain(values[key]) for key in sorted(values)}, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


@dataclass(frozen=True)
class Difference:
    key: str
    label: str
    mine: str  # what this user typed, as shown
    theirs: str  # what is saved now, as shown
    base: str = ""  # what both started from, when known
    # Both changed the item, each differently (needs a decision); otherwise only the other
    # person changed it and their value is kept.
    conflict: bool = True


@dataclass
class StaleEdit(Exception):
    """Someone else saved the record since this user opened it."""

    token: str  # the record's token now: sending it back saves knowingly
    differences: list[Difference] = field(default_factory=list)
    saved_by: str = ""
    saved_at: Any = None
    merged: dict[str, Any] = field(default_factory=dict)  # what the page shows next

    def __str__(self) -> str:
        return _(
            "Trong lúc bạn sửa, người khác đã lưu thay đổi cho bản ghi này. Chưa lưu gì của "
            "bạn: hãy xem từng mục khác nhau bên dưới, chọn giá trị đúng rồi bấm lưu lại."
        )


def differences(
    mine: Mapping[str, Any],
    theirs: Mapping[str, Any],
    *,
    keys: Iterable[str] | None = None,
    label: Callable[[str], str] = str,
    show: Callable[[str, Any], str] = lambda key, value: str(_plain(value)),
    base: Mapping[str, Any] | None = None,
) -> tuple[list[Difference], dict[str, Any]]:
    """Items whose typed value differs from the saved one, and the values to show next.

    With `base` (the record as it was loaded), an item only the other person changed takes
    their value (kept, listed for information) and an item only this user changed keeps the
    typing; an item both changed differently is a conflict, shown with the typing. Without
    `base` every difference is a conflict."""
    merged: dict[str, Any] = dict(mine)
    found = []
    for key in keys if keys is not None else sorted(set(mine) | set(theirs)):
        mine_value, their_value = mine.get(key), theirs.get(key)
        if _plain(mine_value) == _plain(their_value):
            continue
        conflict = True
        if base is not None:
            base_value = base.get(key)
            if _plain(mine_value) == _plain(base_value):
                # Only the other person changed it: their value stands.
                merged[key] = their_value
                conflict = False
            elif _plain(their_value) == _plain(base_value):
                continue  # only this user changed it: nothing to decide
        found.append(
            Difference(
                key=key,
                label=label(key),
                mine=show(key, mine_value),
                theirs=show(key, their_value),
                base=show(key, base.get(key)) if base is not None else "",
                conflict=conflict,
            )
        )
    return found, merged


def check_token(
    loaded_token: str | None,
    *,
    current: Mapping[str, Any],
    mine: Mapping[str, Any],
    labels: Mapping[str, str],
    show: Callable[[str, Any], str] = lambda key, value: str(_plain(value)),
) -> None:
    """Refuse (StaleEdit) when the record, as it is now under the caller's row lock, is not
    the one the page was opened on. `current` and `mine` hold the same keys, in the same
    plain form; every key of `labels` is compared."""
    if loaded_token is None or loaded_token == edit_token(current):
        return
    found, merged = differences(
        mine, current, keys=list(labels), label=lambda key: labels[key], show=show
    )
    raise StaleEdit(token=edit_token(current), differences=found, merged=merged)


def posted_token(request: HttpRequest) -> str | None:
    """The token an edit page was opened with (its hidden field), or None when it sent none."""
    return request.POST.get("loaded_token") or None
