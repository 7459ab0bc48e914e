"""What each role may do. The only place that maps roles to capabilities."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.core.exceptions import PermissionDenied

from laodong.accounts.models import ROLE_LEVELS, Role
from laodong.units.models import Level


class Capability(StrEnum):
    VIEW_UNITS = "view_units"
    MANAGE_VILLAGES = "manage_villages"
    VIEW_ACCOUNTS = "view_accounts"
    MANAGE_ACCOUNTS = "manage_accounts"
    VIEW_REGISTER = "view_register"
    EDIT_REGISTER = "edit_register"
    # The full personal ID number; everyone else sees it masked (privacy.md).
    VIEW_FULL_ID = "view_full_id"


_ALL = frozenset(Capability)
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ENUMERATOR: frozenset(
        {Capability.VIEW_UNITS, Capability.VIEW_REGISTER, Capability.VIEW_FULL_ID}
    ),
    Role.VILLAGE_HEAD: frozenset({Capability.VIEW_UNITS, Capability.VIEW_REGISTER}),
    Role.COMMUNE_LABOR_OFFICER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.MANAGE_VILLAGES,
            Capability.VIEW_ACCOUNTS,
            Capability.VIEW_REGISTER,
            Capability.EDIT_REGISTER,
            Capability.VIEW_FULL_ID,
        }
    ),
    Role.COMMUNE_POLICE: frozenset(
        {Capability.VIEW_UNITS, Capability.VIEW_REGISTER, Capability.VIEW_FULL_ID}
    ),
    # Leaders approve and report; they see the register with IDs masked and do not key forms.
    Role.COMMUNE_LEADER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.MANAGE_VILLAGES,
            Capability.VIEW_ACCOUNTS,
            Capability.MANAGE_ACCOUNTS,
            Capability.VIEW_REGISTER,
        }
    ),
    # Finance settles payment per enumerator, so it needs to see who the enumerators are.
    Role.COMMUNE_FINANCE_OFFICER: frozenset({Capability.VIEW_UNITS, Capability.VIEW_ACCOUNTS}),
    Role.PROVINCE_LABOR_DEPARTMENT: frozenset(
        {Capability.VIEW_UNITS, Capability.VIEW_ACCOUNTS, Capability.VIEW_REGISTER}
    ),
    Role.PROVINCE_POLICE: frozenset(
        {Capability.VIEW_UNITS, Capability.VIEW_REGISTER, Capability.VIEW_FULL_ID}
    ),
    Role.SYSTEM_ADMINISTRATOR: _ALL,
}

# Commune leaders create the accounts of their commune and its villages only.
_COMMUNE_SCOPE_LEVELS = {Level.COMMUNE, Level.VILLAGE}


def has_capability(user: Any, capability: Capability) -> bool:
    """Return whether an active, signed-in user's role grants the capability."""
    if not (getattr(user, "is_authenticated", False) and user.is_active and user.unit_id):
        return False
    return capability in CAPABILITIES.get(user.role, frozenset())


def require_capability(user: Any, capability: Capability) -> None:
    """Refuse (403) when the user's role lacks the capability."""
    if not has_capability(user, capability):
        raise PermissionDenied


def assignable_roles(user: Any) -> list[Role]:
    """Roles this user may give to accounts they create or edit."""
    if not has_capability(user, Capability.MANAGE_ACCOUNTS):
        return []
    if user.role == Role.SYSTEM_ADMINISTRATOR:
        allowed_levels = {level for level in Level if level >= user.unit.level}
    else:
        allowed_levels = _COMMUNE_SCOPE_LEVELS
    return [role for role in Role if set(ROLE_LEVELS[role]) <= allowed_levels]
