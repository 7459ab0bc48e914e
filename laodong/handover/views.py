from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import get_campaign_for_user
from laodong.campaigns.models import Campaign
from laodong.collection.access import get_commune_for_user
from laodong.collection.actions import WorkflowError
from laodong.collection.models import Status, WorkItem
from laodong.forms.dates import parse_date
from laodong.handover import actions
from laodong.handover.models import Handover
from laodong.handover.pdf import render_handover_pdf
from laodong.units.models import Unit


def _may_see(user: Any) -> None:
    if not (
        has_capability(user, Capability.HAND_OVER_FORMS)
        or has_capability(user, Capability.RECEIVE_FORMS)
        or has_capability(user, Capability.VIEW_WORK_LIST)
    ):
        raise PermissionDenied


def _context(request: HttpRequest, campaign_pk: int, commune_pk: int) -> tuple[Campaign, Unit]:
    campaign = get_campaign_for_user(request.user, campaign_pk)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    # A handover lists people of every village: village accounts do not see it.
    if not request.user.unit.contains(commune):  # type: ignore[union-attr]
        raise Http404
    _may_see(request.user)
    return campaign, commune


@login_required
@require_http_methods(["GET", "POST"])
def list_handovers(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """Rolling handovers of a commune; the officer gathers accepted forms into the next one."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    if request.method == "POST":
        try:
            handover = actions.create_handover(
                acting_user=request.user, campaign=campaign, commune=commune
            )
        except WorkflowError as refused:
            messages.error(request, str(refused))
            return redirect("handover-list-handovers", campaign.pk, commune.pk)
        messages.success(
            request,
            _("Đã lập biên bản số %(number)s với %(count)s phiếu. In biên bản để hai bên ký.")
            % {"number": handover.number, "count": handover.sent_count},
        )
        return redirect("handover-view-handover", campaign.pk, commune.pk, handover.pk)
    handovers = (
        Handover.objects.filter(campaign=campaign, commune=commune)
        .select_related("created_by", "received_by")
        .order_by("-number")
    )
    ready = WorkItem.objects.filter(
        campaign=campaign, commune=commune, status=Status.ACCEPTED
    ).count()
    return render(
        request,
        "handover/handover_list.html",
        {"campaign": campaign, "commune": commune, "handovers": handovers, "ready": ready},
    )


def _handover(campaign: Campaign, commune: Unit, pk: int) -> Handover:
    handover = (
        Handover.objects.select_related("campaign", "commune", "created_by", "received_by")
        .filter(pk=pk, campaign=campaign, commune=commune)
        .first()
    )
    if handover is None:
        raise Http404
    return handover


def _ids(request: HttpRequest) -> list[int]:
    return [int(value) for value in request.POST.getlist("items") if value.isdigit()]


def _count(text: str) -> int | None:
    text = text.strip().replace(".", "")
    return int(text) if text.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def view_handover(request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int) -> HttpResponse:
    """One handover: confirm receipt, settle a mismatch, record entry, archive the paper."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    handover = _handover(campaign, commune, pk)
    user: Any = request.user
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step == "confirm":
                received = _count(request.POST.get("received_count", ""))
                if received is None:
                    raise WorkflowError(_("Hãy ghi số phiếu đã nhận (một số)."))
                actions.confirm_handover(
                    acting_user=user,
                    handover=handover,
                    received_count=received,
                    note=request.POST.get("note", ""),
                )
                messages.success(request, _("Đã ghi xác nhận của Công an xã."))
            elif step == "resolve":
                actions.resolve_handover(
                    acting_user=user,
                    handover=handover,
                    note=request.POST.get("note", ""),
                    withdrawn_ids=_ids(request),
                    received_count=_count(request.POST.get("received_count", "")),
                )
                messages.success(request, _("Đã xử lý chênh lệch."))
            elif step == "entered":
                day = parse_date(request.POST.get("entered_on", ""))
                if day is None:
                    raise WorkflowError(_("Ngày nhập không đúng; ghi theo dạng dd/mm/yyyy."))
                ids = _ids(request)
                if request.POST.get("all") == "1":
                    # The whole record at once, as the police usually enter a batch.
                    ids = list(
                        WorkItem.objects.filter(
                            handover=handover, status=Status.HANDED_OVER
                        ).values_list("pk", flat=True)
                    )
                if not ids:
                    raise WorkflowError(_("Hãy chọn các phiếu đã nhập."))
                count = actions.mark_entered(acting_user=user, item_ids=ids, entered_on=day.value)
                messages.success(request, _("Đã ghi %(count)s phiếu đã nhập.") % {"count": count})
            elif step == "not_enterable":
                item_id = request.POST.get("item", "")
                if not item_id.isdigit():
                    raise WorkflowError(_("Hãy chọn phiếu không nhập được."))
                actions.mark_not_enterable(
                    acting_user=user, item_id=int(item_id), reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Đã trả phiếu về cán bộ lao động để xử lý."))
            elif step == "archive":
                ids = _ids(request)
                if request.POST.get("all") == "1":
                    ids = list(
                        WorkItem.objects.filter(
                            handover=handover, status=Status.ENTERED
                        ).values_list("pk", flat=True)
                    )
                if not ids:
                    raise WorkflowError(_("Hãy chọn các phiếu giấy đưa vào lưu trữ."))
                count = actions.archive_forms(
                    acting_user=user, item_ids=ids, reference=request.POST.get("reference", "")
                )
                messages.success(request, _("Đã ghi lưu trữ %(count)s phiếu.") % {"count": count})
            else:
                raise Http404
        except WorkflowError as refused:
            messages.error(request, str(refused))
        return redirect("handover-view-handover", campaign.pk, commune.pk, handover.pk)
    # The record as made (its lines), and the forms still in it now, for the police's steps.
    lines = list(handover.lines.select_related("work_item"))
    items = list(
        WorkItem.objects.filter(handover=handover)
        .select_related("village")
        .order_by("village__name_folded", "full_name_folded", "pk")
    )
    by_village = sorted(Counter(line.village_label for line in lines).items())
    if request.method == "GET":
        record_event(actor=user, action="handover.view_handover", target=handover, unit=commune)
    return render(
        request,
        "handover/handover_view.html",
        {
            "campaign": campaign,
            "commune": commune,
            "handover": handover,
            "lines": lines,
            "by_village": by_village,
            "handed_over": [i for i in items if i.status == Status.HANDED_OVER],
            "entered": [i for i in items if i.status == Status.ENTERED],
            "full_id": has_capability(user, Capability.VIEW_FULL_ID),
            "is_police": has_capability(user, Capability.RECEIVE_FORMS),
            "is_officer": has_capability(user, Capability.HAND_OVER_FORMS),
            "today": timezone.localdate(),
        },
    )


@login_required
def download_handover_pdf(
    request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int
) -> HttpResponse:
    campaign, commune = _context(request, campaign_pk, commune_pk)
    handover = _handover(campaign, commune, pk)
    # The record lists what was handed over, including forms since withdrawn by a resolution.
    lines = list(handover.lines.all())
    officer = handover.created_by
    full_id = has_capability(request.user, Capability.VIEW_FULL_ID)
    pdf = render_handover_pdf(
        handover,
        lines,
        officer_name=officer.full_name if officer else "",
        full_id=full_id,
    )
    record_event(
        actor=request.user, action="handover.print_handover", target=handover, unit=commune
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="bien-ban-ban-giao-{commune.code}-{handover.number}.pdf"'
    )
    return response
