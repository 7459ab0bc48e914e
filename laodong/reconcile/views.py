"""The reconciliation page of a commune and campaign: four lists, decisions, the record."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from laodong.accounts.permissions import Capability, has_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import get_campaign_for_user
from laodong.campaigns.models import Campaign
from laodong.collection.access import get_commune_for_user
from laodong.core.cells import as_text, xlsx_text
from laodong.forms.citizen_id import mask_id
from laodong.forms.dates import parse_date
from laodong.handover.models import RECEIVED, Handover
from laodong.linkage import engine
from laodong.reconcile import actions
from laodong.reconcile.models import Kind, Record, Row, RowStatus, Run
from laodong.units.models import Unit

SHOWN = 100
PAGE = 200
VIEWERS = (Capability.RECONCILE, Capability.RECORD_RECONCILED, Capability.COMPLETE_IDS)


def _scope(request: HttpRequest, campaign_pk: int, commune_pk: int) -> tuple[Campaign, Unit]:
    user: Any = request.user
    if not any(has_capability(user, capability) for capability in VIEWERS):
        raise PermissionDenied
    campaign = get_campaign_for_user(user, campaign_pk)
    commune = get_commune_for_user(user, campaign, commune_pk)
    if not user.unit.contains(commune):
        raise PermissionDenied
    return campaign, commune


def _rows(run: Run, kind: str) -> QuerySet[Row]:
    return (
        run.rows.filter(kind=kind)
        .select_related("person", "person__village", "work_item", "work_item__village")
        .order_by("status", "-score", "pk")
    )


def _birth(date: Any, year_only: bool) -> str:
    if date is None:
        return ""
    return str(date.year) if year_only else date.strftime("%d/%m/%Y")


def _side(row: Row, full_id: bool) -> dict[str, dict[str, str]]:
    """The register's and the police list's values of the row, as shown."""
    sides: dict[str, dict[str, str]] = {}
    sexes = {"1": _("Nam"), "2": _("Nữ")}
    if row.person is not None:
        person = row.person
        sides["register"] = {
            "name": person.full_name,
            "birth": _birth(person.birth_date, person.birth_year_only),
            "sex": sexes.get(person.sex, ""),
            "id": person.personal_id if full_id else mask_id(person.personal_id),
            "village": person.village.label(),
            "household": person.household_code,
        }
    if row.work_item is not None:
        item = row.work_item
        sides["police"] = {
            "name": item.full_name,
            "birth": _birth(item.birth_date, item.birth_year_only),
            "sex": sexes.get(item.sex, ""),
            "id": item.personal_id if full_id else mask_id(item.personal_id),
            "village": item.village.label(),
            "household": item.household_code,
        }
    return sides


def _present(row: Row, full_id: bool) -> dict[str, Any]:
    return {
        "row": row,
        "sides": _side(row, full_id),
        "reasons": engine.reason_text(row.reasons),
        "differences": engine.differences_text(row.differences),
        "differs": set(row.differences),
    }


@login_required
@require_GET
def view_reconciliation(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    campaign, commune = _scope(request, campaign_pk, commune_pk)
    return _page(request, campaign, commune)


def _page(
    request: HttpRequest,
    campaign: Campaign,
    commune: Unit,
    pending: dict[int, list[Any]] | None = None,
    status: int = 200,
) -> HttpResponse:
    user: Any = request.user
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    run = actions.latest_run(campaign, commune)
    only = request.GET.get("list", "")
    page = max(1, int(request.GET["page"])) if request.GET.get("page", "").isdigit() else 1
    sections = []
    if run is not None:
        for kind, label in Kind.choices:
            if only and kind != only:
                continue
            rows = _rows(run, kind)
            start, end = ((page - 1) * PAGE, page * PAGE) if only else (0, SHOWN)
            shown = list(rows[start:end])
            sections.append(
                {
                    "kind": kind,
                    "number": Kind.values.index(kind) + 1,
                    "label": label,
                    "count": run.counts.get(kind, 0),
                    "open": run.rows.filter(kind=kind, status=RowStatus.OPEN).count(),
                    "rows": [_present(row, full_id) for row in shown],
                    "more": (not only and run.counts.get(kind, 0) > SHOWN)
                    or (only and run.counts.get(kind, 0) > page * PAGE),
                }
            )
    handovers = Handover.objects.filter(
        campaign=campaign, commune=commune, status__in=RECEIVED
    ).order_by("-number")
    record_event(
        actor=user, action="reconcile.view", target=run, unit=commune, details={"list": only}
    )
    return render(
        request,
        "reconcile/reconciliation.html",
        {
            "campaign": campaign,
            "commune": commune,
            "run": run,
            "sections": sections,
            "only": only,
            "page": page,
            "pending": pending or {},
            "records": Record.objects.filter(campaign=campaign, commune=commune).select_related(
                "recorded_by", "handover"
            ),
            "handovers": handovers,
            "may_reconcile": has_capability(user, Capability.RECONCILE),
            "may_record": has_capability(user, Capability.RECORD_RECONCILED),
            "today": timezone.localdate(),
        },
        status=status,
    )


@login_required
@require_POST
def run_reconciliation(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    campaign, commune = _scope(request, campaign_pk, commune_pk)
    run = actions.run_reconciliation(acting_user=request.user, campaign=campaign, commune=commune)
    messages.success(
        request,
        _(
            "Đã đối soát %(register)s người trong cơ sở dữ liệu với %(list)s người trong danh "
            "sách Công an."
        )
        % {"register": run.counts["register"], "list": run.counts["list"]},
    )
    return redirect("reconcile-view", campaign.pk, commune.pk)


@login_required
@require_POST
def decide_row(request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int) -> HttpResponse:
    campaign, commune = _scope(request, campaign_pk, commune_pk)
    row = get_object_or_404(Row, pk=pk, run__campaign=campaign, run__commune=commune)
    decision = request.POST.get("decision", "")
    confirmed = request.POST.getlist("confirmed_warnings")
    try:
        if decision == "confirm":
            person = actions.confirm_link(
                acting_user=request.user, row=row, confirmed_warnings=confirmed
            )
            messages.success(
                request,
                _("Đã ghi số định danh cho %(name)s (nguồn: đối soát).") % {"name": person},
            )
        elif decision == "reject":
            actions.reject_link(acting_user=request.user, row=row)
            messages.success(request, _("Đã ghi nhận: không phải một người."))
        elif decision == "apply":
            person = actions.apply_population_values(
                acting_user=request.user, row=row, confirmed_warnings=confirmed
            )
            messages.success(
                request,
                _("Đã cập nhật %(name)s theo CSDL dân cư (nguồn: đối soát).") % {"name": person},
            )
        else:
            messages.error(request, _("Hãy chọn một thao tác."))
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
        warnings = [f for f in refused.findings if f.severity == "warning"]
        if warnings and len(warnings) == len(refused.findings):
            return _page(request, campaign, commune, pending={row.pk: warnings}, status=200)
        for finding in refused.findings:
            messages.error(request, finding.message)
    target = request.POST.get("next", "")
    query = f"?list={target}" if target in Kind.values else ""
    return redirect(f"{_url(campaign, commune)}{query}#row-{row.pk}")


def _cell(sheet: Any, value: Any) -> Any:
    """A cell of text as text (a name typed "=…" is no formula)."""
    if isinstance(value, str):
        return as_text(WriteOnlyCell(sheet, value=xlsx_text(value)))
    return value


def _url(campaign: Campaign, commune: Unit) -> str:
    from django.urls import reverse

    return reverse("reconcile-view", args=[campaign.pk, commune.pk])


@login_required
@require_POST
def record_reconciled(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    campaign, commune = _scope(request, campaign_pk, commune_pk)
    day = parse_date(request.POST.get("reconciled_on", ""))
    handover = None
    if request.POST.get("handover", "").isdigit():
        handover = Handover.objects.filter(
            pk=int(request.POST["handover"]), campaign=campaign, commune=commune
        ).first()
    if day is None or day.year_only:
        messages.error(request, _("Ngày đối soát phải ghi dạng dd/mm/yyyy."))
        return redirect("reconcile-view", campaign.pk, commune.pk)
    try:
        actions.record_reconciled(
            acting_user=request.user,
            campaign=campaign,
            commune=commune,
            reconciled_on=day.value,
            note=request.POST.get("note", ""),
            handover=handover,
        )
    except actions.ReconcileError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã ghi nhận “đã đối soát”."))
    return redirect("reconcile-view", campaign.pk, commune.pk)


@login_required
@require_GET
def export_reconciliation(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """The four lists as one XLSX workbook, a sheet each (IDs masked unless the role sees
    them in full); who exported and when is written on each sheet and in the log."""
    campaign, commune = _scope(request, campaign_pk, commune_pk)
    user: Any = request.user
    run = actions.latest_run(campaign, commune)
    if run is None:
        messages.error(request, _("Chưa đối soát lần nào."))
        return redirect("reconcile-view", campaign.pk, commune.pk)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    book = Workbook(write_only=True)
    stamp = _("Xuất bởi %(user)s lúc %(time)s") % {
        "user": user.full_name or user.username,
        "time": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
    }
    headers = [
        _("STT"),
        _("Họ tên (CSDL)"),
        _("Ngày sinh (CSDL)"),
        _("Giới tính (CSDL)"),
        _("Số định danh (CSDL)"),
        _("Thôn (CSDL)"),
        _("Họ tên (Công an)"),
        _("Ngày sinh (Công an)"),
        _("Giới tính (Công an)"),
        _("Số định danh (Công an)"),
        _("Thôn (Công an)"),
        _("Điểm"),
        _("Lý do ghép / khác nhau"),
        _("Trạng thái"),
    ]
    titles: dict[str, str] = {
        Kind.POLICE_ONLY: _("Chỉ có ở danh sách CA"),
        Kind.REGISTER_ONLY: _("Chỉ có ở CSDL"),
        Kind.LINK: _("Ghép theo họ tên"),
        Kind.DIFFERS: _("Cùng số, khác thông tin"),
    }
    bold = Font(bold=True)
    for kind, label in Kind.choices:
        sheet = book.create_sheet(str(titles[kind]))
        sheet.append([xlsx_text(f"{label} · {commune.label()} · {campaign.title}")])
        sheet.append([stamp])
        sheet.append([])
        header_cells = []
        for text in headers:
            cell = WriteOnlyCell(sheet, value=str(text))
            cell.font = bold
            header_cells.append(cell)
        sheet.append(header_cells)
        for number, row in enumerate(_rows(run, kind).iterator(chunk_size=1000), start=1):
            sides = _side(row, full_id)
            register = sides.get("register", {})
            police = sides.get("police", {})
            explanation = engine.reason_text(row.reasons)
            if row.differences:
                explanation = (f"{explanation}; " if explanation else "") + _("khác: %(items)s") % {
                    "items": engine.differences_text(row.differences)
                }
            sheet.append(
                [_cell(sheet, value) for value in (
                    number,
                    register.get("name", ""),
                    register.get("birth", ""),
                    register.get("sex", ""),
                    register.get("id", ""),
                    register.get("village", ""),
                    police.get("name", ""),
                    police.get("birth", ""),
                    police.get("sex", ""),
                    police.get("id", ""),
                    police.get("village", ""),
                    round(row.score, 3) if row.score else "",
                    explanation,
                    row.get_status_display(),
                )]
            )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    record_event(
        actor=user,
        action="reconcile.export",
        target=run,
        unit=commune,
        details={"campaign": campaign.pk, "full_id": full_id},
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    day = timezone.localdate().strftime("%Y%m%d")
    response["Content-Disposition"] = f'attachment; filename="doi-soat-{commune.code}-{day}.xlsx"'
    return response
