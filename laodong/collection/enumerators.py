"""Each enumerator's target, deadline and progress in a campaign and commune, and the paper
forms each has handed in: for the officer's assignment page and the enumerator's home page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils import timezone

from laodong.accounts.models import User
from laodong.campaigns.models import Campaign
from laodong.collection.models import (
    ACCEPTED_OR_LATER,
    Assignment,
    Mode,
    PaperReceipt,
    Status,
    WorkItem,
)
from laodong.units.models import Unit


@dataclass
class EnumeratorProgress:
    user: Any
    target: int | None
    due: datetime.date | None
    assigned: int = 0  # people on the list given to them
    collected: int = 0  # forms they submitted (or handed in on paper), whatever came after
    returned: int = 0  # waiting for them to correct
    accepted: int = 0
    received: int = 0  # paper forms they handed to the officer (receipts)
    keyed: int = 0  # of their paper forms, those already keyed

    @property
    def waiting_keying(self) -> int:
        """Paper forms handed in and not keyed yet."""
        return max(self.received - self.keyed, 0)

    @property
    def percent(self) -> float | None:
        return round(100 * self.accepted / self.target, 1) if self.target else None

    @property
    def days_overdue(self) -> int:
        """Days past the deadline while the target is not reached (0 otherwise)."""
        if self.due is None or self.target is None or self.accepted >= self.target:
            return 0
        return max((timezone.localdate() - self.due).days, 0)

    @property
    def days_left(self) -> int | None:
        return (self.due - timezone.localdate()).days if self.due else None


def enumerator_progress(
    campaign: Campaign, commune: Unit, *, only: Any = None
) -> list[EnumeratorProgress]:
    """One row per enumerator with an assignment or a form in the commune (five queries)."""
    items = WorkItem.objects.filter(campaign=campaign, commune=commune)
    assignments = Assignment.objects.filter(campaign=campaign, village__parent=commune)
    receipts = PaperReceipt.objects.filter(
        campaign=campaign, commune=commune, cancelled_at__isnull=True
    )
    if only is not None:
        items = items.filter(Q(assigned_to=only) | Q(collected_by=only))
        assignments = assignments.filter(enumerator=only)
        receipts = receipts.filter(enumerator=only)
    goals = {
        row["enumerator"]: row
        for row in assignments.values("enumerator")
        .annotate(target=Sum("target"), due=Min("due"))
        .order_by()
    }
    assigned = dict(
        items.filter(assigned_to__isnull=False)
        .exclude(status=Status.EXCLUDED)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .values_list("assigned_to", "n")
    )
    done = {
        row["collected_by"]: row
        for row in items.filter(collected_by__isnull=False)
        .values("collected_by")
        .annotate(
            collected=Count("pk"),
            returned=Count("pk", filter=Q(status=Status.RETURNED)),
            accepted=Count("pk", filter=Q(status__in=ACCEPTED_OR_LATER)),
            keyed=Count("pk", filter=Q(mode=Mode.PAPER)),
        )
        .order_by()
    }
    received = dict(
        receipts.values_list("enumerator").annotate(n=Sum("count")).values_list("enumerator", "n")
    )
    ids = set(goals) | set(assigned) | set(done) | set(received)
    users = User.objects.filter(pk__in=ids).order_by("full_name", "pk")
    rows = []
    for user in users:
        goal = goals.get(user.pk, {})
        counts = done.get(user.pk, {})
        rows.append(
            EnumeratorProgress(
                user,
                goal.get("target"),
                goal.get("due"),
                assigned=assigned.get(user.pk, 0),
                collected=counts.get("collected", 0),
                returned=counts.get("returned", 0),
                accepted=counts.get("accepted", 0),
                received=received.get(user.pk, 0),
                keyed=counts.get("keyed", 0),
            )
        )
    return rows
