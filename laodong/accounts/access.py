"""The one way views and the API fetch accounts for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from laodong.accounts.models import User
from laodong.accounts.permissions import Capability, require_capability
from laodong.units.querysets import subtree_filter


def accounts_in_scope(user: Any) -> QuerySet[User]:
    """Accounts attached to the user's unit or a unit below it."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return User.objects.none()
    return User.objects.filter(subtree_filter(user.unit.path, prefix="unit__"))


def get_account_for_user(user: Any, pk: int, *, write: bool = False) -> User:
    """Return the account if it is in the user's scope (else 404) and the user's role may
    see it, or change it with write=True (else 403)."""
    account = accounts_in_scope(user).select_related("unit").filter(pk=pk).first()
    if account is None:
        raise Http404
    require_capability(user, Capability.MANAGE_ACCOUNTS if write else Capability.VIEW_ACCOUNTS)
    return account
