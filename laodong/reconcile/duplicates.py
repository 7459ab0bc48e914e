"""The register's own duplicates (the same person twice, one without an ID), found by the
linkage engine, shown to the officer side by side, merged or marked as two people."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.forms.citizen_id import mask_id
from laodong.linkage import engine
from laodong.reconcile import actions
from laodong.reconcile.cross_views import commune_pairs
from laodong.reconcile.models import CrossPair, CrossStatus, NotDuplicate
from laodong.reconcile.sources import register_records
from laodong.register import actions as register_actions
from laodong.register.models import Merge, Person
from laodong.units.models import Level, Unit

SHOWN = 200


@dataclass
class Pair:
    first: Person
    second: Person
    score: float
    reasons: str
    differences: str


def find_duplicates(commune: Unit) -> list[Pair]:
    """Probable duplicates among the commune's people in the register, best first, without
    the pairs an officer said are two people."""
    refused = set(
        NotDuplicate.objects.filter(first__commune=commune).values_list("first_id", "second_id")
    )
    # A pair the province sent is settled in its own section.
    refused |= set(
        CrossPair.objects.filter(status=CrossStatus.SENT, first__commune=commune).values_list(
            "first_id", "second_id"
        )
    )
    links = []
    for link in engine.duplicates(register_records(commune)):
        assert link.left is not None and link.right is not None
        first, second = sorted((int(link.left.key), int(link.right.key)))  # type: ignore[call-overload]
        if (first, second) not in refused:
            links.append((first, second, link))
    people = Person.objects.select_related("village").in_bulk(
        [pk for first, second, _link in links for pk in (first, second)]
    )
    return [
        Pair(
            people[first],
            people[second],
            link.score,
            engine.reason_text(link.reasons),
            engine.differences_text(link.differences),
        )
        for first, second, link in links
    ]


def _commune(request: HttpRequest) -> Unit:
    user: Any = request.user
    require_capability(user, Capability.EDIT_REGISTER)
    if user.unit is None or user.unit.level != Level.COMMUNE:
        raise PermissionDenied
    return user.unit


def _person(commune: Unit, pk: str) -> Person:
    person = Person.objects.filter(pk=int(pk) if pk.isdigit() else 0, commune=commune).first()
    if person is None:
        raise Http404
    return person


@login_required
@require_GET
def list_duplicates(request: HttpRequest) -> HttpResponse:
    commune = _commune(request)
    pairs = find_duplicates(commune)
    record_event(actor=request.user, action="reconcile.view_duplicates", unit=commune)
    return render(
        request,
        "reconcile/duplicates.html",
        {
            "commune": commune,
            "pairs": pairs[:SHOWN],
            "total": len(pairs),
            "full_id": has_capability(request.user, Capability.VIEW_FULL_ID),
            "merges": Merge.objects.filter(survivor__commune=commune).select_related(
                "survivor", "merged", "merged_by", "undone_by"
            )[:50],
            "mask": mask_id,
            "cross_pairs": commune_pairs(commune),
        },
    )


@login_required
@require_POST
def decide_pair(request: HttpRequest) -> HttpResponse:
    commune = _commune(request)
    first = _person(commune, request.POST.get("first", ""))
    second = _person(commune, request.POST.get("second", ""))
    decision = request.POST.get("decision", "")
    try:
        if decision == "merge":
            keep = request.POST.get("survivor", "")
            if keep not in (str(first.pk), str(second.pk)):
                raise register_actions.RegisterError(_("Hãy chọn hồ sơ giữ lại."))
            survivor, duplicate = (first, second) if keep == str(first.pk) else (second, first)
            register_actions.merge_people(
                acting_user=request.user,
                survivor=survivor,
                duplicate=duplicate,
                reason=request.POST.get("reason", ""),
            )
            messages.success(
                request,
                _("Đã gộp hồ sơ trùng vào hồ sơ của %(name)s; có thể hoàn tác.")
                % {"name": survivor.full_name},
            )
        elif decision == "distinct":
            with transaction.atomic():
                low, high = sorted((first, second), key=lambda p: p.pk)
                NotDuplicate.objects.get_or_create(
                    first=low,
                    second=high,
                    defaults={"decided_by": request.user, "decided_at": timezone.now()},
                )
            record_event(
                actor=request.user, action="reconcile.not_duplicate", target=first, unit=commune
            )
            messages.success(request, _("Đã ghi nhận: hai người khác nhau."))
        else:
            messages.error(request, _("Hãy chọn một thao tác."))
    except register_actions.RegisterError as refused:
        messages.error(request, str(refused))
    return redirect("reconcile-list-duplicates")


@login_required
@require_POST
def undo_merge(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune(request)
    merge = Merge.objects.filter(pk=pk, survivor__commune=commune).first()
    if merge is None:
        raise Http404
    try:
        actions.undo_merge(acting_user=request.user, merge=merge)
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã hoàn tác: hai hồ sơ lại tách riêng."))
    return redirect("reconcile-list-duplicates")
