"""Sending a report up the tree: make (freeze), sign off, and return or accept.

made ──(leader approves)──▶ sent ──(level above accepts)──▶ accepted
  │                          │
  └─(leader refuses)─▶ not approved        └─(level above returns)─▶ returned
A refused or returned version stays as it was; the unit makes the next version.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import ReportDeadline
from laodong.reports.documents import to_pdf, to_xlsx
from laodong.reports.models import OPEN_STATES, ResultAcceptance, SentReport, SentStatus
from laodong.reports.sending import build_document, freeze, thaw
from laodong.units.models import Level
from laodong.units.querysets import subtree_filter


class ReportError(Exception):
    """The report was not changed; the message says why and what to do."""


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _render(report: SentReport) -> None:
    """Write the PDF and the XLSX from the stored figures (never from live data)."""
    document = thaw(report.data, report.unit)
    maker = _name(report.made_by)
    if report.approved_by is not None and report.approved_at is not None:
        moment = timezone.localtime(report.approved_at)
        document.approval = _(
            "Đã duyệt: %(name)s, %(role)s, lúc %(time)s ngày %(day)s — bản gửi lần %(version)s"
        ) % {
            "name": _name(report.approved_by),
            "role": report.approved_by.get_role_display(),
            "time": f"{moment:%H:%M}",
            "day": f"{moment:%d/%m/%Y}",
            "version": report.version,
        }
        document.signed_by = (maker, _name(report.approved_by))
    else:
        document.approval = _("DỰ THẢO — chờ lãnh đạo duyệt (lần %(version)s)") % {
            "version": report.version
        }
        document.signed_by = (maker, "")
    report.pdf = to_pdf(document)
    report.xlsx = to_xlsx(document)


def _check_day(campaign: Any, as_of: datetime.date) -> None:
    """The day figures are frozen at: not in the future, not before the campaign began."""
    if as_of > timezone.localdate():
        raise ReportError(_("Chưa có số liệu của ngày tương lai; hãy chọn hôm nay hoặc trước."))
    if as_of < campaign.collection_start:
        raise ReportError(_("Ngày lấy số liệu phải từ ngày bắt đầu thu thập trở đi."))


def _locked(report: SentReport) -> SentReport:
    return (
        SentReport.objects.select_for_update().select_related("unit", "deadline").get(pk=report.pk)
    )


@transaction.atomic
def prepare_report(
    *, acting_user: Any, deadline: ReportDeadline, as_of: datetime.date | None = None
) -> SentReport:
    """Freeze the user's unit's report for the deadline as the next version, for sign-off."""
    require_capability(acting_user, Capability.PREPARE_REPORTS)
    unit = acting_user.unit
    if unit is None or unit.level != deadline.from_level:
        raise ReportError(_("Báo cáo này do cấp khác gửi."))
    deadline = (
        ReportDeadline.objects.select_for_update().select_related("campaign").get(pk=deadline.pk)
    )
    if not deadline.campaign.communes.filter(subtree_filter(unit.path)).exists():
        raise ReportError(_("Kế hoạch này không có địa bàn của đơn vị bạn."))
    today = timezone.localdate()
    as_of = as_of or min(today, deadline.due)
    _check_day(deadline.campaign, as_of)
    versions = SentReport.objects.filter(deadline=deadline, unit=unit)
    latest = versions.order_by("-version").first()
    if latest is not None and latest.status in OPEN_STATES:
        raise ReportError(
            _("Lần %(version)s đang ở trạng thái “%(status)s”; chưa thể lập lần mới.")
            % {"version": latest.version, "status": latest.get_status_display()}
        )
    if latest is not None and latest.status == SentStatus.ACCEPTED:
        raise ReportError(_("Báo cáo đã được cấp trên chấp nhận; không cần gửi lại."))
    document, included = build_document(deadline, unit, as_of, made_by=_name(acting_user))
    # The dataclass's default clock is bound at import; the report is made now.
    document.made_at = timezone.now()
    report = SentReport(
        deadline=deadline,
        unit=unit,
        version=(latest.version + 1) if latest else 1,
        as_of=today if deadline.from_level == Level.PROVINCE else as_of,
        status=SentStatus.AWAITING_APPROVAL,
        data=freeze(document),
        made_by=acting_user,
        made_at=document.made_at,
    )
    _render(report)
    report.save()
    report.includes.set(included)
    record_event(
        actor=acting_user,
        action="reports.prepare_report",
        target=report,
        unit=unit,
        details={"version": report.version, "as_of": f"{report.as_of:%d/%m/%Y}"},
    )
    return report


@transaction.atomic
def approve_report(*, acting_user: Any, report: SentReport) -> SentReport:
    """The unit's leader signs the report off; it goes to the level above."""
    require_capability(acting_user, Capability.APPROVE_REPORTS)
    report = _locked(report)
    if acting_user.unit_id != report.unit_id:
        raise ReportError(_("Chỉ lãnh đạo của đơn vị gửi mới duyệt được báo cáo này."))
    if report.status != SentStatus.AWAITING_APPROVAL:
        raise ReportError(
            _("Báo cáo đang ở trạng thái “%(status)s”; không còn chờ duyệt.")
            % {"status": report.get_status_display()}
        )
    report.status = SentStatus.SENT
    report.approved_by, report.approved_at = acting_user, timezone.now()
    _render(report)
    report.save()
    record_event(
        actor=acting_user,
        action="reports.approve_report",
        target=report,
        unit=report.unit,
        details={"version": report.version},
    )
    return report


def _decide(
    acting_user: Any, report: SentReport, *, status: SentStatus, comment: str, action: str
) -> SentReport:
    report.status = status
    report.decided_by, report.decided_at = acting_user, timezone.now()
    report.comment = comment.strip()[:2000]
    report.save()
    record_event(
        actor=acting_user,
        action=action,
        target=report,
        unit=report.unit,
        details={"version": report.version},
    )
    return report


@transaction.atomic
def decline_report(*, acting_user: Any, report: SentReport, comment: str) -> SentReport:
    """The leader does not sign it off: back to the officer with what to change."""
    require_capability(acting_user, Capability.APPROVE_REPORTS)
    report = _locked(report)
    if acting_user.unit_id != report.unit_id:
        raise ReportError(_("Chỉ lãnh đạo của đơn vị gửi mới duyệt được báo cáo này."))
    if report.status != SentStatus.AWAITING_APPROVAL:
        raise ReportError(_("Báo cáo không còn chờ duyệt."))
    if not comment.strip():
        raise ReportError(_("Hãy ghi điều cần sửa để người lập biết."))
    return _decide(
        acting_user,
        report,
        status=SentStatus.NOT_APPROVED,
        comment=comment,
        action="reports.decline_report",
    )


def _check_reviewer(acting_user: Any, report: SentReport) -> None:
    require_capability(acting_user, Capability.REVIEW_REPORTS)
    if report.unit.parent_id != acting_user.unit_id:
        raise ReportError(_("Chỉ cấp trên trực tiếp của đơn vị gửi mới xem xét báo cáo này."))
    if report.status != SentStatus.SENT:
        raise ReportError(
            _("Báo cáo đang ở trạng thái “%(status)s”; không còn chờ cấp trên xem xét.")
            % {"status": report.get_status_display()}
        )


@transaction.atomic
def return_report(*, acting_user: Any, report: SentReport, comment: str) -> SentReport:
    """The level above sends it back with what to correct; the unit sends a new version."""
    report = _locked(report)
    _check_reviewer(acting_user, report)
    if not comment.strip():
        raise ReportError(_("Hãy ghi lý do trả lại để đơn vị biết cần sửa gì."))
    return _decide(
        acting_user,
        report,
        status=SentStatus.RETURNED,
        comment=comment,
        action="reports.return_report",
    )


@transaction.atomic
def accept_report(*, acting_user: Any, report: SentReport, comment: str = "") -> SentReport:
    report = _locked(report)
    _check_reviewer(acting_user, report)
    return _decide(
        acting_user,
        report,
        status=SentStatus.ACCEPTED,
        comment=comment,
        action="reports.accept_report",
    )


@transaction.atomic
def accept_results(
    *,
    acting_user: Any,
    campaign: Any,
    unit: Any,
    as_of: datetime.date,
    representative: str,
    representative_title: str,
    conclusion: str,
) -> ResultAcceptance:
    """Record that a commune's results in a campaign, as they stood at the end of `as_of`, were
    accepted — by the commune's leader or by the province above it."""
    from laodong.campaigns.models import Campaign
    from laodong.reports.progress import progress_document

    require_capability(acting_user, Capability.ACCEPT_RESULTS)
    acceptor = acting_user.unit
    if unit.level != Level.COMMUNE or acceptor.pk not in (unit.pk, unit.parent_id):
        raise ReportError(_("Kết quả của xã do lãnh đạo xã hoặc Sở Nội vụ của tỉnh nghiệm thu."))
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.communes.filter(pk=unit.pk).exists():
        raise ReportError(_("Kế hoạch này không có địa bàn của xã."))
    _check_day(campaign, as_of)
    representative, title = representative.strip()[:150], representative_title.strip()[:150]
    if not representative or not title:
        raise ReportError(_("Hãy ghi họ tên và chức vụ người đại diện bên được nghiệm thu."))
    if not conclusion.strip():
        raise ReportError(_("Hãy ghi kết luận nghiệm thu."))
    document = progress_document(campaign, unit, made_by=_name(acting_user), today=as_of)
    document.made_at = timezone.now()
    last = ResultAcceptance.objects.filter(campaign=campaign, unit=unit).order_by("-number").first()
    record = ResultAcceptance.objects.create(
        campaign=campaign,
        unit=unit,
        accepting_unit=acceptor,
        number=(last.number + 1) if last else 1,
        as_of=as_of,
        data=freeze(document),
        representative=representative,
        representative_title=title,
        conclusion=conclusion.strip()[:3000],
        accepted_by=acting_user,
        accepted_at=document.made_at,
    )
    record_event(
        actor=acting_user,
        action="reports.accept_results",
        target=record,
        unit=unit,
        details={"number": record.number, "as_of": f"{as_of:%d/%m/%Y}"},
    )
    return record


@transaction.atomic
def cancel_acceptance(
    *, acting_user: Any, acceptance: ResultAcceptance, reason: str
) -> ResultAcceptance:
    """A record made by mistake is marked cancelled with the reason; it stays on file."""
    require_capability(acting_user, Capability.ACCEPT_RESULTS)
    record = ResultAcceptance.objects.select_for_update().get(pk=acceptance.pk)
    if acting_user.unit_id != record.accepting_unit_id:
        raise ReportError(_("Chỉ bên đã nghiệm thu mới hủy được biên bản này."))
    if record.cancelled_at is not None:
        raise ReportError(_("Biên bản đã được hủy trước đó."))
    if not reason.strip():
        raise ReportError(_("Hãy ghi lý do hủy biên bản."))
    record.cancelled_by, record.cancelled_at = acting_user, timezone.now()
    record.cancel_reason = reason.strip()[:300]
    record.save()
    record_event(
        actor=acting_user,
        action="reports.cancel_acceptance",
        target=record,
        unit=record.unit,
        details={"number": record.number},
    )
    return record
