"""Pages of the population-extract comparison: upload, the results, re-run, XLSX."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.core.cells import as_text, xlsx_text
from laodong.core.tabular import TableError
from laodong.forms.definitions import get_form
from laodong.reconcile import extract
from laodong.reconcile.models import ExtractComparison
from laodong.register.bulk import FILE_FORM
from laodong.units.models import Level, Unit

SHOWN = 300


def _unit(request: HttpRequest) -> Unit:
    """The commune of a commune's labour officer, or the province of the province labour
    department."""
    user: Any = request.user
    unit = user.unit
    if unit is not None and unit.level == Level.COMMUNE:
        require_capability(user, Capability.RECONCILE)
    elif unit is not None and unit.level == Level.PROVINCE:
        require_capability(user, Capability.RECONCILE_PROVINCE)
    else:
        raise PermissionDenied
    return unit


def _comparison(request: HttpRequest, pk: int) -> ExtractComparison:
    unit = _unit(request)
    comparison = (
        ExtractComparison.objects.filter(pk=pk, unit=unit)
        .select_related("created_by", "unit")
        .first()
    )
    if comparison is None:
        raise Http404
    return comparison


def item_titles() -> dict[str, str]:
    definition = get_form(FILE_FORM)
    titles = {item.key: item.title for item in definition.items}
    titles.update(
        {"full_name": _("Họ và tên"), "birth_date": _("Ngày sinh"), "sex": _("Giới tính")}
    )
    return titles


@login_required
@require_http_methods(["GET", "POST"])
def list_extracts(request: HttpRequest) -> HttpResponse:
    unit = _unit(request)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            error = _("Hãy chọn tệp trích xuất CSDL dân cư (.xlsx hoặc .csv).")
        else:
            try:
                comparison = extract.compare_extract(
                    acting_user=request.user,
                    unit=unit,
                    stream=upload,
                    filename=upload.name or "trich-xuat.xlsx",
                )
            except (TableError, extract.ExtractError) as refused:
                error = f"{upload.name}: {refused}"
            else:
                return redirect("reconcile-view-extract", comparison.pk)
    return render(
        request,
        "reconcile/extract_list.html",
        {
            "unit": unit,
            "province": unit.level == Level.PROVINCE,
            "comparisons": ExtractComparison.objects.filter(unit=unit).select_related("created_by")[
                :50
            ],
            "error": error,
        },
        status=400 if error else 200,
    )


@login_required
@require_GET
def view_extract(request: HttpRequest, pk: int) -> HttpResponse:
    comparison = _comparison(request, pk)
    if request.GET.get("status"):
        # Polled while a province's comparison runs; the page reloads when it ends.
        response = render(request, "reconcile/_extract_status.html", {"comparison": comparison})
        if not comparison.is_working:
            response["HX-Refresh"] = "true"
        return response
    titles = item_titles()
    item = request.GET.get("item", "")
    mismatches = comparison.mismatches.select_related(
        "person", "person__village", "person__commune"
    )
    if item:
        mismatches = mismatches.filter(item=item if item != "missing" else "")
    record_event(
        actor=request.user, action="reconcile.view_extract", target=comparison,
        unit=comparison.unit,
    )  # fmt: skip
    return render(
        request,
        "reconcile/extract_view.html",
        {
            "comparison": comparison,
            "counts": sorted(
                ((key, titles.get(key, key), n) for key, n in comparison.counts.items()),
                key=lambda entry: -entry[2],
            ),
            "columns": [titles.get(key, key) for key in comparison.columns],
            "villages": [
                {
                    **entry,
                    "items": ", ".join(
                        f"{titles.get(key, key)}: {n}" for key, n in sorted(entry["counts"].items())
                    ),
                }
                for entry in comparison.by_village
            ],
            "communes": [
                {
                    **entry,
                    "items": ", ".join(
                        f"{titles.get(key, key)}: {n}" for key, n in sorted(entry["counts"].items())
                    ),
                }
                for entry in comparison.by_commune
            ],
            "rows": [(m, titles.get(m.item, m.item)) for m in mismatches[:SHOWN]],
            "more": mismatches.count() > SHOWN,
            "item": item,
            "province": comparison.unit.level == Level.PROVINCE,
        },
    )


@login_required
@require_POST
def rerun_extract(request: HttpRequest, pk: int) -> HttpResponse:
    comparison = _comparison(request, pk)
    try:
        again = extract.rerun(acting_user=request.user, comparison=comparison)
    except (TableError, extract.ExtractError) as refused:
        messages.error(request, str(refused))
        return redirect("reconcile-view-extract", comparison.pk)
    messages.success(request, _("Đã so sánh lại với cơ sở dữ liệu hiện nay."))
    return redirect("reconcile-view-extract", again.pk)


@login_required
@require_GET
def export_extract(request: HttpRequest, pk: int) -> HttpResponse:
    comparison = _comparison(request, pk)
    titles = item_titles()
    user: Any = request.user
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Khác nhau"))
    sheet.append(
        [
            xlsx_text(
                _(
                    "So sánh %(file)s với cơ sở dữ liệu · %(commune)s · "
                    "xuất bởi %(user)s lúc %(time)s"
                )
                % {
                    "file": comparison.original_name,
                    "commune": comparison.unit.label(),
                    "user": user.full_name or user.username,
                    "time": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
                }
            )
        ]
    )
    bold = Font(bold=True)
    header = []
    for heading in (_("Dòng trong tệp"), _("Họ và tên"), _("Thôn"), _("Xã"), _("Mục"),
                    _("Cơ sở dữ liệu người lao động"), _("CSDL dân cư (tệp)")):  # fmt: skip
        cell = WriteOnlyCell(sheet, value=str(heading))
        cell.font = bold
        header.append(cell)
    sheet.append(header)

    def text(value: str) -> Any:
        return as_text(WriteOnlyCell(sheet, value=xlsx_text(value))) if value else ""

    for mismatch in comparison.mismatches.select_related(
        "person", "person__village", "person__commune"
    ).iterator(chunk_size=2000):
        person = mismatch.person
        sheet.append(
            [
                mismatch.row,
                text(person.full_name if person else mismatch.extract_value),
                text(person.village.label() if person else ""),
                text(person.commune.label() if person and person.commune else ""),
                text(str(titles.get(mismatch.item, mismatch.item)) if mismatch.item
                     else _("Không có trong cơ sở dữ liệu")),
                text(mismatch.register_value),
                text(mismatch.extract_value if mismatch.item else ""),
            ]
        )  # fmt: skip
    buffer = io.BytesIO()
    book.save(buffer)
    record_event(
        actor=user, action="reconcile.export_extract", target=comparison, unit=comparison.unit
    )
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="so-sanh-csdl-{comparison.pk}.xlsx"'
    return response
