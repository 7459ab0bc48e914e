"""The one way views and the API fetch a unit for a user."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from laodong.accounts.permissions import Capability, require_capability
from laodong.units.models import Unit


def get_unit_for_user(user: Any, pk: int, *, write: bool = False) -> Unit:
    """Return the unit if the user's scope holds it (else 404); with write=True also require
    the right to manage its villages (else 403)."""
    unit = Unit.objects.visible_to(user).select_related("parent").filter(pk=pk).first()
    if unit is None:
        raise Http404
    require_capability(user, Capability.MANAGE_VILLAGES if write else Capability.VIEW_UNITS)
    return unit
