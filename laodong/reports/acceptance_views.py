"""Acceptance of a commune's results in a campaign: the records, a new one, its A4 print."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import get_campaign_for_user
from laodong.forms.dates import parse_date
from laodong.reports import actions
from laodong.reports.acceptance import figures, record_pdf
from laodong.reports.models import ResultAcceptance
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

DEFAULT_CONCLUSION = (
    "Kết quả thu thập, cập nhật thông tin người lao động của xã đạt yêu cầu về số lượng và "
    "chất lượng theo kế hoạch; đồng ý nghiệm thu."
)


def _commune(user: Any, campaign: Any, unit_pk: int) -> Unit:
    unit = (
        Unit.objects.visible_to(user)
        .filter(pk=unit_pk, level=Level.COMMUNE, pk__in=campaign.communes.values("pk"))
        .first()
    )
    if unit is None:
        raise Http404
    return unit


def _may_accept(user: Any, unit: Unit) -> bool:
    return has_capability(user, Capability.ACCEPT_RESULTS) and user.unit_id in (
        unit.pk,
        unit.parent_id,
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_acceptances(request: HttpRequest, campaign_pk: int, unit_pk: int) -> HttpResponse:
    user: Any = request.user
    campaign = get_campaign_for_user(user, campaign_pk, Capability.VIEW_REPORTS)
    unit = _commune(user, campaign, unit_pk)
    may_accept = _may_accept(user, unit)
    today = timezone.localdate()
    # The province accepts from the commune's people's committee (its leader); the commune's
    # leader accepts from its working group, whose head is typed.
    leader = (
        User.objects.filter(unit=unit, role=Role.COMMUNE_LEADER, is_active=True)
        .order_by("pk")
        .first()
        if user.unit_id != unit.pk
        else None
    )
    values = {
        "as_of": f"{min(today, campaign.entry_end):%d/%m/%Y}",
        "representative": leader.full_name if leader else "",
        "representative_title": _("Chủ tịch UBND xã")
        if user.unit_id != unit.pk
        else _("Tổ trưởng Tổ công tác"),
        "conclusion": DEFAULT_CONCLUSION,
    }
    if request.method == "POST":
        require_capability(user, Capability.ACCEPT_RESULTS)
        if not may_accept:
            raise Http404
        values = {name: request.POST.get(name, "") for name in values}
        parsed = parse_date(values["as_of"])
        if parsed is None:
            messages.error(
                request,
                _("Ngày “%(value)s” không đúng; hãy nhập ngày/tháng/năm, ví dụ 30/11/2026.")
                % {"value": values["as_of"][:20]},
            )
        else:
            try:
                record = actions.accept_results(
                    acting_user=user,
                    campaign=campaign,
                    unit=unit,
                    as_of=parsed.value,
                    representative=values["representative"],
                    representative_title=values["representative_title"],
                    conclusion=values["conclusion"],
                )
            except actions.ReportError as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    _("Đã lập biên bản nghiệm thu lần %(n)s; hãy in ra để hai bên ký.")
                    % {"n": record.number},
                )
                return redirect("reports-list-acceptances", campaign.pk, unit.pk)
    records = list(
        ResultAcceptance.objects.filter(campaign=campaign, unit=unit)
        .select_related("accepted_by", "accepting_unit", "cancelled_by")
        .order_by("-number")
    )
    latest = next((r for r in records if r.cancelled_at is None), None)
    return render(
        request,
        "reports/acceptance_list.html",
        {
            "campaign": campaign,
            "unit": unit,
            "records": records,
            "latest": latest,
            "latest_figures": figures(latest) if latest else None,
            "may_accept": may_accept,
            "values": values,
        },
    )


def _record(user: Any, pk: int) -> ResultAcceptance:
    require_capability(user, Capability.VIEW_REPORTS)
    record = (
        ResultAcceptance.objects.filter(pk=pk)
        .filter(subtree_filter(user.unit.path, prefix="unit__"))
        .select_related("campaign", "unit", "accepting_unit", "accepted_by")
        .first()
    )
    if record is None:
        raise Http404
    return record


@login_required
def download_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    record = _record(user, pk)
    record_event(
        actor=user,
        action="reports.download",
        target=record,
        unit=record.unit,
        details={"report": "acceptance", "format": "pdf", "number": record.number},
    )
    response = HttpResponse(record_pdf(record), content_type="application/pdf")
    name = f"bien-ban-nghiem-thu-{record.unit.code or record.unit.pk}-lan{record.number}.pdf"
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


@login_required
@require_POST
def cancel_acceptance(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    record = _record(user, pk)
    require_capability(user, Capability.ACCEPT_RESULTS)
    try:
        actions.cancel_acceptance(
            acting_user=user, acceptance=record, reason=request.POST.get("reason", "")
        )
    except actions.ReportError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Đã hủy biên bản; biên bản vẫn được lưu với lý do hủy."))
    return redirect("reports-list-acceptances", record.campaign_id, record.unit_id)
