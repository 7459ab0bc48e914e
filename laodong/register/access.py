"""The one way views and the API fetch people from the register for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from laodong.accounts.permissions import Capability, require_capability
from laodong.register.models import Person
from laodong.units.querysets import subtree_filter


def people_in_scope(user: Any) -> QuerySet[Person]:
    """People living in the user's unit or below it."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return Person.objects.none()
    return Person.objects.filter(subtree_filter(user.unit.path, prefix="village__"))


def get_person_for_user(user: Any, pk: int, *, write: bool = False) -> Person:
    """Return the person if in the user's scope (else 404) and the role may see it, or change
    it with write=True (else 403)."""
    person = people_in_scope(user).select_related("village", "commune").filter(pk=pk).first()
    if person is None:
        raise Http404
    require_capability(user, Capability.EDIT_REGISTER if write else Capability.VIEW_REGISTER)
    return person
