"""Key-based paging: a page costs the same at row 10 as at row 100,000.

The URL carries only the id of the last row shown, never its (possibly personal) sort values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet


@dataclass
class KeysetPage:
    items: list[Any]
    next_after: int | None
    is_first: bool


def keyset_page(
    queryset: QuerySet[Any], order: tuple[str, ...], after: str | None, size: int = 50
) -> KeysetPage:
    """Return `size` rows ordered by `order` (ascending, ending in "pk") after row `after`."""
    assert order[-1] == "pk", "the ordering must end in pk to be total"
    anchor = None
    if after and after.isdigit():
        anchor = queryset.filter(pk=int(after)).values(*order).first()
    page_query = queryset.order_by(*order)
    if anchor is not None:
        condition = Q()
        for index, name in enumerate(order):
            step = Q(**{f"{name}__gt": anchor[name]})
            for earlier in order[:index]:
                step &= Q(**{earlier: anchor[earlier]})
            condition |= step
        page_query = page_query.filter(condition)
    rows = list(page_query[: size + 1])
    next_after = None
    if len(rows) > size:
        rows = rows[:size]
        last: Model = rows[-1]
        next_after = int(last.pk)
    return KeysetPage(items=rows, next_after=next_after, is_first=anchor is None)
