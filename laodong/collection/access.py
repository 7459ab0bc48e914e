"""The one way views fetch work items and communes of a campaign for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from laodong.accounts.permissions import Capability, require_capability
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


def items_in_scope(user: Any, campaign: Campaign) -> QuerySet[WorkItem]:
    """People of the campaign living in the user's unit, plus those assigned to the user."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return WorkItem.objects.none()
    return WorkItem.objects.filter(campaign=campaign).filter(
        subtree_filter(user.unit.path, prefix="village__") | Q(assigned_to=user)
    )


def get_item_for_user(
    user: Any, campaign: Campaign, pk: int, capability: Capability = Capability.VIEW_WORK_LIST
) -> WorkItem:
    """The work item if the user may see it (else 404) and holds the capability (else 403)."""
    item = (
        items_in_scope(user, campaign)
        .select_related("campaign", "village", "commune", "person", "handover")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    require_capability(user, capability)
    return item


def get_commune_for_user(user: Any, campaign: Campaign, pk: int) -> Unit:
    """A commune of the campaign at or below the user's unit, or holding it (a village user)."""
    commune = campaign.communes.filter(pk=pk, level=Level.COMMUNE).first()
    if commune is None or not (user.unit.contains(commune) or commune.contains(user.unit)):
        raise Http404
    return commune
