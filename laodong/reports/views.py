from __future__ import annotations

import datetime
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from laodong.accounts.models import Role
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import campaigns_in_scope, get_campaign_for_user
from laodong.campaigns.progress import progress_by_unit
from laodong.reports import charts as charts_module
from laodong.reports import summary as kept_summary
from laodong.reports.access import get_report_unit, parse_day, trail
from laodong.reports.changes import changes_document, labor_changes
from laodong.reports.documents import CONTENT_TYPES, Document
from laodong.reports.export import export_register
from laodong.reports.periodic import HALF_YEAR, YEAR, periodic_document
from laodong.reports.progress import progress_document
from laodong.reports.statistics import (
    SUMMARY_COLUMNS,
    labor_statistics,
    statistics_document,
    summary,
)


def made_by(user: Any) -> str:
    return user.get_full_name() or user.get_username()


def download(request: HttpRequest, document: Document, output_format: str) -> HttpResponse:
    """Send a report file and log who took which figures (no personal data in the log)."""
    if output_format not in CONTENT_TYPES:
        raise Http404
    content = document.render(output_format)
    record_event(
        actor=request.user,
        action="reports.download",
        target_type="report",
        unit=document.unit,
        details={"report": document.kind, "format": output_format, "period": document.period},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES[output_format])
    response["Content-Disposition"] = f'attachment; filename="{document.filename(output_format)}"'
    return response


@login_required
def view_statistics(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit"))
    day, day_error = parse_day(request.GET.get("day"))

    def draw() -> str:
        statistics = labor_statistics(unit, day)
        return render_to_string(
            "reports/_statistics_tables.html",
            {
                "day_text": f"{day:%d/%m/%Y}",
                "tables": statistics.tables(),
                "summary_columns": [label for label, _line in SUMMARY_COLUMNS],
                "children": [(child, summary(figures)) for child, figures in statistics.children],
                "total": summary(statistics.figures),
            },
        )

    # The twelve tables and the units' table (2,000 numbers for a province) are drawn once
    # per unit, day and language while the figures stay the same.
    tables_html = kept_summary.kept(unit, day, f"statistics-page:{get_language()}", draw)
    return render(
        request,
        "reports/statistics_view.html",
        {
            "unit": unit,
            "day": day,
            "day_error": day_error,
            "query": urlencode({"unit": unit.pk, "day": f"{day:%d/%m/%Y}"}),
            "trail": trail(user, unit),
            "tables_html": mark_safe(tables_html),  # our own template's output, escaped there
        },
    )


@login_required
def download_statistics(request: HttpRequest, output_format: str) -> HttpResponse:
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit"))
    day, _error = parse_day(request.GET.get("day"))
    document = statistics_document(labor_statistics(unit, day), made_by=made_by(user))
    return download(request, document, output_format)


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """Every report the user may make for their unit."""
    user: Any = request.user
    unit = get_report_unit(user, None)
    campaigns = list(
        campaigns_in_scope(user).select_related("owner_unit").order_by("-collection_start", "-pk")
    )
    figures = labor_statistics(unit, timezone.localdate()).figures
    charts = [charts_module.activity_chart(figures), charts_module.age_sex_chart(figures)]
    current = next((c for c in campaigns if c.closed_at is None), None)
    progress = None
    if current is not None:
        rows, _total = progress_by_unit(current, unit)
        police = user.role in (Role.COMMUNE_POLICE, Role.PROVINCE_POLICE)
        progress = charts_module.progress_chart(rows, police=police)
    return render(
        request,
        "reports/index.html",
        {
            "unit": unit,
            "campaigns": campaigns,
            "current": current,
            "progress_chart": progress,
            "charts": charts,
            "people": figures.count(),
        },
    )


@login_required
def download_progress(request: HttpRequest, campaign_pk: int, output_format: str) -> HttpResponse:
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit"))
    campaign = get_campaign_for_user(user, campaign_pk, Capability.VIEW_REPORTS)
    day, _error = parse_day(request.GET.get("to"))
    document = progress_document(campaign, unit, made_by=made_by(user), today=day)
    return download(request, document, output_format)


def _changes_request(request: HttpRequest) -> tuple[Any, Any, Any, list[str]]:
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit"))
    today = timezone.localdate()
    end, end_error = parse_day(request.GET.get("end"))
    start, start_error = parse_day(
        request.GET.get("start"), default=today.replace(month=1, day=1) - datetime.timedelta(1)
    )
    errors = [e for e in (start_error, end_error) if e]
    if start >= end:
        errors.append(_("Ngày đầu kỳ phải trước ngày cuối kỳ; đang hiện từ đầu năm đến hôm nay."))
        start, end = today.replace(month=1, day=1) - datetime.timedelta(1), today
    return unit, start, end, errors


@login_required
def view_changes(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unit, start, end, errors = _changes_request(request)
    changes = labor_changes(unit, start, end)
    document = changes_document(changes, made_by=made_by(user))
    return render(
        request,
        "reports/changes_view.html",
        {
            "unit": unit,
            "start": start,
            "end": end,
            "errors": errors,
            "query": urlencode(
                {"unit": unit.pk, "start": f"{start:%d/%m/%Y}", "end": f"{end:%d/%m/%Y}"}
            ),
            "trail": trail(user, unit),
            "changes": changes,
            "document": document,
        },
    )


@login_required
def download_changes(request: HttpRequest, output_format: str) -> HttpResponse:
    user: Any = request.user
    unit, start, end, _errors = _changes_request(request)
    document = changes_document(labor_changes(unit, start, end), made_by=made_by(user))
    return download(request, document, output_format)


@login_required
def export_people(request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
    """Choose the options (GET), then stream the register of the unit (POST)."""
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit") or request.POST.get("unit"))
    require_capability(user, Capability.EXPORT_REGISTER)
    may_see_all = has_capability(user, Capability.VIEW_FULL_ID)
    if request.method != "POST":
        return render(
            request,
            "reports/export_form.html",
            {"unit": unit, "trail": trail(user, unit), "may_see_all": may_see_all},
        )
    output_format = request.POST.get("format", "xlsx")
    if output_format not in ("xlsx", "csv"):
        output_format = "xlsx"
    stream = export_register(
        acting_user=user,
        unit=unit,
        output_format=output_format,
        full_id=may_see_all and request.POST.get("full_id") == "on",
        sensitive=may_see_all and request.POST.get("sensitive") == "on",
    )
    response = StreamingHttpResponse(stream, content_type=CONTENT_TYPES[output_format])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    name = f"nguoi-lao-dong-{unit.code or unit.pk}-{stamp}.{output_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _periodic_request(request: HttpRequest) -> tuple[Any, int, str]:
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit"))
    today = timezone.localdate()
    raw_year = request.GET.get("year", "")
    year = (
        int(raw_year) if raw_year.isdigit() and 2020 <= int(raw_year) <= today.year else today.year
    )
    kind = request.GET.get("kind")
    if kind not in (HALF_YEAR, YEAR):
        kind = HALF_YEAR if today.month <= 6 else YEAR
    return unit, year, kind


@login_required
def view_periodic(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    unit, year, kind = _periodic_request(request)
    document = periodic_document(unit, year, kind, acting_user=user, made_by=made_by(user))
    return render(
        request,
        "reports/periodic_view.html",
        {
            "unit": unit,
            "year": year,
            "kind": kind,
            "years": list(range(timezone.localdate().year, 2022, -1)),
            "query": urlencode({"unit": unit.pk, "year": year, "kind": kind}),
            "trail": trail(user, unit),
            "document": document,
        },
    )


@login_required
def download_periodic(request: HttpRequest, output_format: str) -> HttpResponse:
    user: Any = request.user
    unit, year, kind = _periodic_request(request)
    document = periodic_document(unit, year, kind, acting_user=user, made_by=made_by(user))
    return download(request, document, output_format)
