"""The commune police's task list "Bổ sung số định danh": people the register holds without a
12-digit ID (none, or a 9-digit CMND) and forms collected without one; the police write the
ID (looked up in the population database), and only the ID changes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.collection import actions as collection_actions
from laodong.collection.models import WorkItem
from laodong.register import actions as register_actions
from laodong.register.models import IdKind, Person
from laodong.units.models import Level, Unit

PAGE = 100
ID_WARNINGS = ("id.birth_year_mismatch", "id.sex_mismatch")


def _commune(request: HttpRequest) -> Unit:
    user: Any = request.user
    require_capability(user, Capability.COMPLETE_IDS)
    if user.unit is None or user.unit.level != Level.COMMUNE:
        raise PermissionDenied
    return user.unit


def people_without_id(commune: Unit) -> QuerySet[Person]:
    return (
        Person.objects.filter(commune=commune, leave_reason="")
        .exclude(id_kind=IdKind.PERSONAL)
        .select_related("village")
        .order_by("village__name", "full_name_folded", "pk")
    )


def forms_without_id(commune: Unit) -> QuerySet[WorkItem]:
    return (
        WorkItem.objects.filter(
            commune=commune,
            personal_id="",
            status__in=collection_actions.FORMS_TO_COMPLETE,
        )
        .select_related("village", "campaign")
        .order_by("village__name", "full_name_folded", "pk")
    )


@login_required
@require_GET
def list_missing_ids(request: HttpRequest) -> HttpResponse:
    commune = _commune(request)
    page = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    people = people_without_id(commune)
    forms = forms_without_id(commune)
    total_people = people.count()
    shown = list(people[(page - 1) * PAGE : page * PAGE])
    record_event(actor=request.user, action="reconcile.view_missing_ids", unit=commune)
    return render(
        request,
        "reconcile/missing_ids.html",
        {
            "commune": commune,
            "people": shown,
            "total_people": total_people,
            "forms": list(forms[:PAGE]),
            "total_forms": forms.count(),
            "page": page,
            "more": total_people > page * PAGE,
            "full_id": has_capability(request.user, Capability.VIEW_FULL_ID),
        },
    )


@login_required
@require_POST
def complete_person_id(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune(request)
    person = get_object_or_404(people_without_id(commune), pk=pk)
    number = request.POST.get("personal_id", "")
    try:
        register_actions.complete_personal_id(
            acting_user=request.user,
            person=person,
            personal_id=number,
            # The card is the reference: a birth year or sex the ID's digits contradict is
            # kept only when the police tick that they checked it (citizen-id.md).
            confirmed_warnings=ID_WARNINGS if request.POST.get("confirm_id") else (),
        )
    except register_actions.RegisterError as refused:
        messages.error(request, f"{person.full_name}: {refused}")
        for finding in refused.findings:
            messages.error(request, f"{person.full_name}: {finding.message}")
    else:
        messages.success(
            request, _("Đã bổ sung số định danh cho %(name)s.") % {"name": person.full_name}
        )
    return redirect("reconcile-list-missing-ids")


@login_required
@require_POST
def complete_form_id(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune(request)
    item = get_object_or_404(forms_without_id(commune), pk=pk)
    try:
        collection_actions.complete_form_id(
            acting_user=request.user, item=item, personal_id=request.POST.get("personal_id", "")
        )
    except collection_actions.WorkflowError as refused:
        messages.error(request, f"{item.full_name}: {refused}")
    else:
        messages.success(
            request, _("Đã bổ sung số định danh vào phiếu của %(name)s.") % {"name": item.full_name}
        )
    return redirect("reconcile-list-missing-ids")
