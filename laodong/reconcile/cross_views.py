"""One person recorded in two communes: the province's search and its pairs, and the
communes' side (ask for the other record, merge once both are in one commune, or two
people)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.reconcile import actions
from laodong.reconcile.models import CrossPair, CrossRun, CrossStatus
from laodong.register.models import Person, TransferRequest, TransferStatus
from laodong.units.models import Level, Unit

SHOWN = 200
# The province page's tabs: which statuses each shows.
TABS = {
    "found": (CrossStatus.FOUND,),
    "sent": (CrossStatus.SENT,),
    "done": (CrossStatus.DISTINCT, CrossStatus.MERGED),
}
PAIR_RELATED = (
    "first__commune",
    "first__village",
    "second__commune",
    "second__village",
    "sent_by",
    "decided_by",
)


def _province(request: HttpRequest) -> Unit:
    user: Any = request.user
    require_capability(user, Capability.RECONCILE_PROVINCE)
    if user.unit is None or user.unit.level != Level.PROVINCE:
        raise PermissionDenied
    return user.unit


def _status_context(province: Unit) -> dict[str, Any]:
    return {
        "province": province,
        "run": CrossRun.objects.filter(province=province).select_related("started_by").first(),
        "busy": actions.cross_run_busy(province),
    }


@login_required
@require_GET
def province_pairs(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    tab = request.GET.get("tab", "found")
    if tab not in TABS:
        tab = "found"
    pairs = CrossPair.objects.filter(run__province=province)
    counts = pairs.aggregate(
        **{name: Count("pk", filter=Q(status__in=statuses)) for name, statuses in TABS.items()}
    )
    shown = list(pairs.filter(status__in=TABS[tab]).select_related(*PAIR_RELATED)[:SHOWN])
    record_event(actor=request.user, action="reconcile.view_cross", unit=province)
    return render(
        request,
        "reconcile/cross_province.html",
        {
            **_status_context(province),
            "tab": tab,
            "counts": counts,
            "pairs": shown,
            "total": counts[tab],
            "full_id": has_capability(request.user, Capability.VIEW_FULL_ID),
        },
    )


@login_required
@require_GET
def province_status(request: HttpRequest) -> HttpResponse:
    """The search's status, polled while it runs; the page reloads when it ends."""
    context = _status_context(_province(request))
    response = render(request, "reconcile/_cross_status.html", context)
    if context["busy"] is None and request.GET.get("was") == "busy":
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def start_run(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    try:
        actions.start_cross_run(acting_user=request.user, province=province)
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Đã bắt đầu tìm. Có thể đóng trang này; kết quả hiện ở đây khi xong."),
        )
    return redirect("reconcile-cross-province")


@login_required
@require_POST
def province_decide(request: HttpRequest, pk: int) -> HttpResponse:
    province = _province(request)
    pair = CrossPair.objects.filter(pk=pk, run__province=province).first()
    if pair is None:
        raise Http404
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")
    try:
        if decision == "send":
            actions.send_cross_pair(acting_user=request.user, pair=pair, note=note)
            messages.success(request, _("Đã gửi cặp hồ sơ cho hai xã đối chiếu."))
        elif decision == "distinct":
            actions.cross_distinct(acting_user=request.user, pair=pair, note=note)
            messages.success(request, _("Đã ghi nhận: hai người khác nhau."))
        else:
            messages.error(request, _("Hãy chọn một thao tác."))
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
    return redirect(f"{reverse('reconcile-cross-province')}?tab=found")


# --- The communes' side ---------------------------------------------------------------------


def commune_pairs(commune: Unit) -> list[CrossPair]:
    """Pairs the province sent that hold a record of this commune, with each pair's own and
    other record, and the transfer request waiting for either, if any."""
    pairs = list(
        CrossPair.objects.filter(status=CrossStatus.SENT)
        .filter(Q(first__commune=commune) | Q(second__commune=commune))
        .select_related(*PAIR_RELATED, "run__province")
    )
    people = [p for pair in pairs for p in (pair.first_id, pair.second_id)]
    waiting = {
        t.person_id: t
        for t in TransferRequest.objects.filter(
            person_id__in=people, status=TransferStatus.PENDING
        ).select_related("to_commune")
    }
    for pair in pairs:
        own_first = pair.first.commune_id == commune.pk
        pair.own = pair.first if own_first else pair.second  # type: ignore[attr-defined]
        pair.other = pair.second if own_first else pair.first  # type: ignore[attr-defined]
        pair.together = pair.first.commune_id == pair.second.commune_id  # type: ignore[attr-defined]
        pair.waiting = waiting.get(pair.other.pk) or waiting.get(pair.own.pk)  # type: ignore[attr-defined]
    return pairs


@login_required
@require_POST
def commune_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    require_capability(user, Capability.EDIT_REGISTER)
    if user.unit is None or user.unit.level != Level.COMMUNE:
        raise PermissionDenied
    pair = (
        CrossPair.objects.filter(pk=pk, status=CrossStatus.SENT)
        .filter(Q(first__commune=user.unit) | Q(second__commune=user.unit))
        .first()
    )
    if pair is None:
        raise Http404
    decision = request.POST.get("decision", "")
    try:
        if decision == "ask":
            actions.ask_for_cross_record(acting_user=user, pair=pair)
            messages.success(
                request,
                _("Đã gửi đề nghị chuyển hồ sơ về xã; khi xã kia đồng ý, hãy gộp hai hồ sơ ở đây."),
            )
        elif decision == "merge":
            keep = request.POST.get("survivor", "")
            survivor = Person.objects.filter(
                pk=int(keep) if keep.isdigit() else 0, commune=user.unit
            ).first()
            if survivor is None:
                raise actions.ReconcileError(_("Hãy chọn hồ sơ giữ lại."))
            actions.merge_cross_pair(
                acting_user=user, pair=pair, survivor=survivor, reason=request.POST.get("note", "")
            )
            messages.success(
                request,
                _("Đã gộp hồ sơ trùng vào hồ sơ của %(name)s; có thể hoàn tác.")
                % {"name": survivor.full_name},
            )
        elif decision == "distinct":
            actions.cross_distinct(acting_user=user, pair=pair, note=request.POST.get("note", ""))
            messages.success(request, _("Đã ghi nhận: hai người khác nhau."))
        else:
            messages.error(request, _("Hãy chọn một thao tác."))
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
    return redirect("reconcile-list-duplicates")
