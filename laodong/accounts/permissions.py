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
    # Collection campaigns (issue 4): the four steps of the process, one capability each.
    VIEW_CAMPAIGNS = "view_campaigns"
    # The people of a campaign: its work list, forms and handover records (personal data).
    # Seeing a campaign's progress and counts needs only VIEW_CAMPAIGNS.
    VIEW_WORK_LIST = "view_work_list"
    MANAGE_CAMPAIGNS = "manage_campaigns"
    IMPORT_POLICE_LIST = "import_police_list"
    ASSIGN_WORK = "assign_work"
    COLLECT_FORMS = "collect_forms"
    KEY_PAPER_FORMS = "key_paper_forms"
    ACCEPT_FORMS = "accept_forms"
    HAND_OVER_FORMS = "hand_over_forms"
    RECEIVE_FORMS = "receive_forms"
    VIEW_PAYMENTS = "view_payments"
    # Reports (issue 5): aggregate figures only, no personal data.
    VIEW_REPORTS = "view_reports"
    # The register as a spreadsheet (personal data: logged, ID masked unless VIEW_FULL_ID).
    EXPORT_REGISTER = "export_register"
    # The audit log of who read, printed, exported or changed personal data (privacy.md):
    # for the roles that oversee a commune or a province.
    VIEW_AUDIT_LOG = "view_audit_log"
    # Reconciliation with the police list (issue 13): run it and decide on its lists; record
    # that a batch was reconciled (the working group's leader); complete missing IDs (police).
    RECONCILE = "reconcile"
    RECORD_RECONCILED = "record_reconciled"
    COMPLETE_IDS = "complete_ids"
    # The province labour department reconciles across its communes: one person recorded in two
    # communes, and population extracts of the whole province.
    RECONCILE_PROVINCE = "reconcile_province"
    # Reports sent up the tree (issue 14): the officer freezes the unit's report, its leader
    # signs it off and it goes to the level above, which returns or accepts it.
    PREPARE_REPORTS = "prepare_reports"
    APPROVE_REPORTS = "approve_reports"
    REVIEW_REPORTS = "review_reports"
    # Accepting a commune's results in a campaign ("nghiệm thu kết quả"): its leader, or the
    # province labour department above it.
    ACCEPT_RESULTS = "accept_results"


_ALL = frozenset(Capability)
CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.ENUMERATOR: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_REGISTER,
            Capability.VIEW_FULL_ID,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.COLLECT_FORMS,
        }
    ),
    # Village heads help collect in their village (domain README, roles).
    Role.VILLAGE_HEAD: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_REGISTER,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.COLLECT_FORMS,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.COMMUNE_LABOR_OFFICER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.MANAGE_VILLAGES,
            Capability.VIEW_ACCOUNTS,
            Capability.VIEW_REGISTER,
            Capability.EDIT_REGISTER,
            Capability.VIEW_FULL_ID,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.MANAGE_CAMPAIGNS,
            Capability.ASSIGN_WORK,
            Capability.KEY_PAPER_FORMS,
            Capability.ACCEPT_FORMS,
            Capability.HAND_OVER_FORMS,
            Capability.VIEW_PAYMENTS,
            Capability.VIEW_REPORTS,
            Capability.EXPORT_REGISTER,
            Capability.RECONCILE,
            Capability.PREPARE_REPORTS,
        }
    ),
    # The police give the 15+ list, receive handovers and enter the forms.
    Role.COMMUNE_POLICE: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_REGISTER,
            Capability.VIEW_FULL_ID,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.IMPORT_POLICE_LIST,
            Capability.RECEIVE_FORMS,
            Capability.VIEW_REPORTS,
            Capability.EXPORT_REGISTER,
            Capability.COMPLETE_IDS,
        }
    ),
    # Leaders approve and report; they see the register with IDs masked and do not key forms.
    Role.COMMUNE_LEADER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.MANAGE_VILLAGES,
            Capability.VIEW_ACCOUNTS,
            Capability.MANAGE_ACCOUNTS,
            Capability.VIEW_REGISTER,
            # Leaders set targets and assign people (domain README, roles).
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.MANAGE_CAMPAIGNS,
            Capability.ASSIGN_WORK,
            Capability.VIEW_PAYMENTS,
            Capability.VIEW_REPORTS,
            Capability.EXPORT_REGISTER,
            Capability.VIEW_AUDIT_LOG,
            # The working group's leader confirms that a batch was reconciled.
            Capability.RECORD_RECONCILED,
            Capability.APPROVE_REPORTS,
            Capability.ACCEPT_RESULTS,
        }
    ),
    # Finance settles payment per enumerator, so it needs to see who the enumerators are, and
    # counts; never the people on the list or their forms (privacy.md).
    Role.COMMUNE_FINANCE_OFFICER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_ACCOUNTS,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_PAYMENTS,
            Capability.VIEW_REPORTS,
        }
    ),
    Role.PROVINCE_LABOR_DEPARTMENT: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_ACCOUNTS,
            Capability.VIEW_REGISTER,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.MANAGE_CAMPAIGNS,
            Capability.VIEW_REPORTS,
            Capability.EXPORT_REGISTER,
            Capability.VIEW_AUDIT_LOG,
            Capability.RECONCILE_PROVINCE,
            Capability.PREPARE_REPORTS,
            Capability.REVIEW_REPORTS,
            Capability.ACCEPT_RESULTS,
        }
    ),
    Role.PROVINCE_POLICE: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_REGISTER,
            Capability.VIEW_FULL_ID,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_WORK_LIST,
            Capability.VIEW_REPORTS,
            Capability.EXPORT_REGISTER,
            Capability.VIEW_AUDIT_LOG,
        }
    ),
    # Aggregate figures only: no register, no personal data.
    Role.PROVINCE_LEADER: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_REPORTS,
            Capability.APPROVE_REPORTS,
        }
    ),
    Role.MINISTRY: frozenset(
        {
            Capability.VIEW_UNITS,
            Capability.VIEW_CAMPAIGNS,
            Capability.VIEW_REPORTS,
            Capability.REVIEW_REPORTS,
        }
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
        return [role for role in Role if set(ROLE_LEVELS[role]) <= allowed_levels]
    # A commune leader may not make (or reset) an account that can export full IDs: that would
    # let one person give themselves the whole register with its IDs (issue 11, finding 5).
    # The administrator, the level above, makes those.
    return [
        role
        for role in Role
        if set(ROLE_LEVELS[role]) <= _COMMUNE_SCOPE_LEVELS and not exports_full_ids(role)
    ]


def exports_full_ids(role: str) -> bool:
    """Whether the role can take the register out with full personal IDs."""
    granted = CAPABILITIES.get(role, frozenset())
    return Capability.EXPORT_REGISTER in granted and Capability.VIEW_FULL_ID in granted
