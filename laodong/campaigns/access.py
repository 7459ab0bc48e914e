"""The one way views fetch campaigns for a user."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from laodong.accounts.permissions import Capability, require_capability
from laodong.campaigns.models import Campaign
from laodong.units.querysets import subtree_filter


def campaigns_in_scope(user: Any) -> QuerySet[Campaign]:
    """Campaigns covering a commune at, above or below the user's unit."""
    if not getattr(user, "is_authenticated", False) or user.unit_id is None:
        return Campaign.objects.none()
    unit = user.unit
    covering = Q(communes__pk__in=unit.ancestor_ids()) | subtree_filter(
        unit.path, prefix="communes__"
    )
    ids = Campaign.objects.filter(covering).values("pk")
    return Campaign.objects.filter(pk__in=ids)


def get_campaign_for_user(
    user: Any, pk: int, capability: Capability = Capability.VIEW_CAMPAIGNS
) -> Campaign:
    """The campaign if it covers the user's area (else 404) and the role has the capability
    (else 403)."""
    campaign = campaigns_in_scope(user).select_related("owner_unit").filter(pk=pk).first()
    if campaign is None:
        raise Http404
    require_capability(user, capability)
    return campaign
