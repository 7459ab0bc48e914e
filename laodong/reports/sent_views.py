"""Reports sent up the tree: the deadlines a unit reports against, each unit's versions, the
sign-off by the unit's leader, and the review by the level above."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import campaigns_in_scope
from laodong.campaigns.models import ReportDeadline
from laodong.forms.dates import parse_date
from laodong.reports import actions
from laodong.reports.documents import CONTENT_TYPES
from laodong.reports.models import SentReport, SentStatus
from laodong.reports.sending import (
    campaign_communes,
    live_differences,
    standing,
    thaw,
)
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


def _deadlines(user: Any) -> Any:
    campaigns = campaigns_in_scope(user).values("pk")
    return ReportDeadline.objects.filter(campaign__in=campaigns).select_related("campaign")


def _get_deadline(user: Any, pk: int) -> ReportDeadline:
    require_capability(user, Capability.VIEW_REPORTS)
    deadline = _deadlines(user).filter(pk=pk).first()
    if deadline is None:
        raise Http404
    return deadline


def _get_report(user: Any, pk: int) -> SentReport:
    """A report of the user's unit or of a unit below it (else 404)."""
    require_capability(user, Capability.VIEW_REPORTS)
    report = (
        SentReport.objects.filter(pk=pk)
        .filter(subtree_filter(user.unit.path, prefix="unit__"))
        .select_related("unit", "deadline__campaign", "made_by", "approved_by", "decided_by")
        .first()
    )
    if report is None:
        raise Http404
    return report


def senders(deadline: ReportDeadline, within: Unit) -> list[Unit]:
    """The units of `within` that report against the deadline."""
    if deadline.from_level == Level.COMMUNE:
        return list(campaign_communes(deadline, within))
    parents = deadline.campaign.communes.values("parent_id")
    return list(
        Unit.objects.filter(level=Level.PROVINCE, pk__in=parents)
        .filter(subtree_filter(within.path))
        .order_by("name", "pk")
    )


def _days(deadline: ReportDeadline) -> int:
    return (deadline.due - timezone.localdate()).days


@login_required
def list_sent(request: HttpRequest) -> HttpResponse:
    """The reports the user's unit must send, and those of the units below it."""
    user: Any = request.user
    require_capability(user, Capability.VIEW_REPORTS)
    unit = user.unit
    deadlines = list(_deadlines(user).order_by("due", "pk"))
    own = [d for d in deadlines if d.from_level == unit.level]
    own_states = {
        d.pk: standing(d, [unit])[unit.pk]
        for d in own
        if d.campaign.communes.filter(subtree_filter(unit.path)).exists()
    }
    # The level directly below: the province follows its communes, the ministry its provinces.
    child_level = Level.PROVINCE if unit.level == Level.COUNTRY else Level.COMMUNE
    below = []
    for deadline in deadlines:
        if unit.level >= Level.COMMUNE or deadline.from_level != child_level:
            continue
        units = senders(deadline, unit)
        states = standing(deadline, units).values()
        below.append(
            {
                "deadline": deadline,
                "days": _days(deadline),
                "overdue": -_days(deadline),
                "total": len(units),
                "accepted": sum(1 for s in states if s.tone == "done"),
                "waiting": sum(
                    1 for s in states if s.latest is not None and s.latest.status == SentStatus.SENT
                ),
                "late": sum(1 for s in states if s.days_late),
                "returned": sum(
                    1
                    for s in states
                    if s.latest is not None and s.latest.status == SentStatus.RETURNED
                ),
                "not_sent": sum(1 for s in states if s.first_sent is None),
            }
        )
    return render(
        request,
        "reports/sent_list.html",
        {
            "unit": unit,
            "own": [(d, own_states[d.pk], _days(d)) for d in own if d.pk in own_states],
            "below": below,
        },
    )


@login_required
def view_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    deadline = _get_deadline(user, pk)
    unit = user.unit
    context: dict[str, Any] = {"deadline": deadline, "unit": unit, "days": _days(deadline)}
    if deadline.from_level == unit.level:
        versions = list(
            SentReport.objects.filter(deadline=deadline, unit=unit)
            .select_related("made_by", "approved_by", "decided_by")
            .order_by("-version")
        )
        context["versions"] = versions
        context["mine"] = standing(deadline, [unit])[unit.pk]
        latest = versions[0] if versions else None
        context["may_prepare"] = has_capability(user, Capability.PREPARE_REPORTS) and (
            latest is None or latest.status in (SentStatus.RETURNED, SentStatus.NOT_APPROVED)
        )
        today = timezone.localdate()
        context["default_day"] = min(today, deadline.due)
        context["province_report"] = deadline.from_level == Level.PROVINCE
    elif deadline.from_level > unit.level:
        units = senders(deadline, unit)
        states = standing(deadline, units)
        context["rows"] = [(u, states[u.pk]) for u in units]
    return render(request, "reports/sent_deadline.html", context)


@login_required
@require_POST
def prepare(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    deadline = _get_deadline(user, pk)
    require_capability(user, Capability.PREPARE_REPORTS)
    raw = request.POST.get("as_of", "").strip()
    as_of: datetime.date | None = None
    if raw:
        parsed = parse_date(raw)
        if parsed is None:
            messages.error(
                request,
                _(
                    "Ngày “%(value)s” không đúng. Hãy nhập theo dạng ngày/tháng/năm, "
                    "ví dụ 30/01/2026."
                )
                % {"value": raw[:20]},
            )
            return redirect("reports-view-deadline", deadline.pk)
        as_of = parsed.value
    try:
        report = actions.prepare_report(acting_user=user, deadline=deadline, as_of=as_of)
    except actions.ReportError as error:
        messages.error(request, str(error))
        return redirect("reports-view-deadline", deadline.pk)
    messages.success(
        request,
        _(
            "Đã lập báo cáo lần %(version)s; số liệu đã được chốt. Lãnh đạo duyệt thì báo cáo "
            "mới được gửi."
        )
        % {"version": report.version},
    )
    return redirect("reports-view-sent", report.pk)


@login_required
def view_report(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    report = _get_report(user, pk)
    document = thaw(report.data, report.unit)
    differences, difference_count = live_differences(report)
    may_approve = (
        has_capability(user, Capability.APPROVE_REPORTS)
        and user.unit_id == report.unit_id
        and report.status == SentStatus.AWAITING_APPROVAL
    )
    may_review = (
        has_capability(user, Capability.REVIEW_REPORTS)
        and report.unit.parent_id == user.unit_id
        and report.status == SentStatus.SENT
    )
    versions = list(
        SentReport.objects.filter(deadline=report.deadline, unit=report.unit)
        .select_related("made_by", "approved_by", "decided_by")
        .order_by("-version")
    )
    return render(
        request,
        "reports/sent_view.html",
        {
            "report": report,
            "document": document,
            "differences": differences,
            "difference_count": difference_count,
            "may_approve": may_approve,
            "may_review": may_review,
            "versions": versions,
            "included": list(report.includes.select_related("unit").order_by("unit__name")),
            "own_unit": user.unit_id == report.unit_id,
        },
    )


@login_required
def download_sent(request: HttpRequest, pk: int, output_format: str) -> HttpResponse:
    user: Any = request.user
    report = _get_report(user, pk)
    if output_format not in ("pdf", "xlsx"):
        raise Http404
    content = bytes(report.pdf if output_format == "pdf" else report.xlsx)
    record_event(
        actor=user,
        action="reports.download",
        target=report,
        unit=report.unit,
        details={"report": "sent-report", "format": output_format, "version": report.version},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[output_format])
    name = f"bao-cao-{report.unit.code or report.unit.pk}-{report.deadline_id}-lan{report.version}"
    response["Content-Disposition"] = f'attachment; filename="{name}.{output_format}"'
    return response


APPROVED = gettext_lazy("Đã duyệt; báo cáo đã được gửi lên cấp trên.")
DECISIONS = {
    "approve": (Capability.APPROVE_REPORTS, APPROVED),
    "decline": (Capability.APPROVE_REPORTS, gettext_lazy("Đã chuyển lại cho người lập để sửa.")),
    "return": (Capability.REVIEW_REPORTS, gettext_lazy("Đã trả lại báo cáo cho đơn vị.")),
    "accept": (Capability.REVIEW_REPORTS, gettext_lazy("Đã chấp nhận báo cáo.")),
}


@login_required
@require_POST
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    report = _get_report(user, pk)
    decision = request.POST.get("decision", "")
    if decision not in DECISIONS:
        raise Http404
    capability, done = DECISIONS[decision]
    if not has_capability(user, capability):
        raise PermissionDenied
    comment = request.POST.get("comment", "")
    try:
        if decision == "approve":
            actions.approve_report(acting_user=user, report=report)
        elif decision == "decline":
            actions.decline_report(acting_user=user, report=report, comment=comment)
        elif decision == "return":
            actions.return_report(acting_user=user, report=report, comment=comment)
        else:
            actions.accept_report(acting_user=user, report=report, comment=comment)
    except actions.ReportError as error:
        messages.error(request, str(error))
        return redirect("reports-view-sent", report.pk)
    messages.success(request, str(done))
    return redirect("reports-view-sent", report.pk)
