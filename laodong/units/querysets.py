"""Tree queries on units: one indexed range scan on the materialised path, no recursion."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models

if TYPE_CHECKING:
    from laodong.units.models import Unit

# Greater than every character a path holds (digits and "/"), so [path, path + "~") is exactly
# the set of paths that start with `path`; a B-tree range scan answers it on both databases.
PATH_UPPER_BOUND = "~"


def subtree_filter(path: str, prefix: str = "") -> models.Q:
    """Match rows whose `<prefix>path` lies at or below the unit with this path."""
    return models.Q(**{f"{prefix}path__gte": path, f"{prefix}path__lt": path + PATH_UPPER_BOUND})


class UnitQuerySet(models.QuerySet["Unit"]):
    def within(self, unit: Unit) -> UnitQuerySet:
        """The unit itself and everything below it."""
        return self.filter(subtree_filter(unit.path))

    def below(self, unit: Unit) -> UnitQuerySet:
        return self.within(unit).exclude(pk=unit.pk)

    def current(self) -> UnitQuerySet:
        return self.filter(valid_to__isnull=True)

    def visible_to(self, user: Any) -> UnitQuerySet:
        """Units the user's account may see: its own unit and everything below it."""
        if not getattr(user, "is_authenticated", False) or user.unit_id is None:
            return self.none()
        return self.within(user.unit)

    def ancestors_of(self, unit: Unit) -> UnitQuerySet:
        return self.filter(pk__in=unit.ancestor_ids()).order_by("level")
