"""Pages of "cập nhật từ tệp": upload with a source, follow the check, look at the preview
(old → new per person, rows matching nobody), untick rows, apply, download the error file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.core.paging import keyset_page
from laodong.forms.definitions import get_form
from laodong.register import bulk
from laodong.register.display import answer_text
from laodong.register.models import BulkRow, BulkStatus, BulkUpdate, Source
from laodong.register.sources import OriginForm
from laodong.units.models import Unit

PAGE_SIZE = 100


class BulkUploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Tệp Excel (.xlsx) hoặc CSV"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload


@login_required
@require_http_methods(["GET", "POST"])
def upload_bulk(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    posted = request.method == "POST"
    form = BulkUploadForm(request.POST if posted else None, request.FILES if posted else None)
    origin_form = OriginForm(
        request.POST if posted else None, initial={"source": Source.SOCIAL_INSURANCE}
    )
    if posted and form.is_valid() and origin_form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = bulk.create_bulk(
                acting_user=user,
                upload=upload,
                original_name=upload.name,
                origin=origin_form.origin(),
            )
        except bulk.BulkError as refused:
            form.add_error(None, str(refused))
        else:
            return redirect("register-view-bulk", pk=job.pk)
    recent = BulkUpdate.objects.filter(commune__in=Unit.objects.within(user.unit)).select_related(
        "created_by"
    )[:10]
    return render(
        request,
        "register/bulk_upload.html",
        {"form": form, "origin_form": origin_form, "recent": recent},
    )


def _bulk(request: HttpRequest, pk: int) -> BulkUpdate:
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    job = (
        BulkUpdate.objects.select_related("commune", "created_by")
        .filter(pk=pk, commune__in=Unit.objects.within(user.unit))
        .first()
    )
    if job is None:
        raise Http404
    return job


def _rows(job: BulkUpdate, request: HttpRequest, *, full_id: bool) -> dict[str, Any]:
    """A page of the preview: per person the items that change, old → new, in words."""
    rows = BulkRow.objects.filter(bulk=job, person__isnull=False, error="").select_related("person")
    page = keyset_page(rows, ("row", "pk"), request.GET.get("after"), PAGE_SIZE)
    shown = []
    for row in page.items:
        definition = get_form(row.person.form_code)
        changes = [
            (
                definition.item(key).title,
                answer_text(definition, key, old, full_id=full_id),
                answer_text(definition, key, new, full_id=full_id),
            )
            for key, (old, new) in row.changes.items()
            if definition.has_item(key)
        ]
        shown.append((row, changes))
    problems = list(BulkRow.objects.filter(bulk=job).exclude(error="").order_by("row")[:PAGE_SIZE])
    return {"page": page, "shown": shown, "problems": problems}


@login_required
@require_http_methods(["GET", "POST"])
def view_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    job = _bulk(request, pk)
    user: Any = request.user
    if request.method == "POST":
        step = request.POST.get("step", "")
        ids = [int(v) for v in request.POST.getlist("rows") if v.isdigit()]
        if step == "choose":
            # The page's rows: ticked ones are kept, the others left out.
            shown = [int(v) for v in request.POST.getlist("shown") if v.isdigit()]
            bulk.choose_rows(bulk=job, row_ids=shown, chosen=False)
            bulk.choose_rows(bulk=job, row_ids=ids, chosen=True)
            messages.success(request, _("Đã lưu lựa chọn của trang này."))
        elif step in ("choose_all", "choose_none"):
            every = BulkRow.objects.filter(bulk=job).values_list("pk", flat=True)
            bulk.choose_rows(bulk=job, row_ids=list(every), chosen=step == "choose_all")
        elif step == "apply":
            bulk.confirm_bulk(acting_user=user, bulk=job)
            messages.success(request, _("Đang cập nhật; trang sẽ cho biết khi xong."))
        elif step == "cancel":
            bulk.cancel_bulk(acting_user=user, bulk=job)
            messages.success(request, _("Đã hủy; không có gì được ghi."))
        elif step == "restart":
            bulk.restart(job)
        elif step == "undo":
            try:
                undone, left = bulk.undo_bulk(acting_user=user, bulk=job)
            except bulk.BulkError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request,
                    _(
                        "Đã hoàn tác %(undone)s người (mỗi người một phiên bản mới, lịch sử giữ "
                        "cả hai); %(left)s người đã được sửa sau đó nên giữ nguyên."
                    )
                    % {"undone": undone, "left": left},
                )
        else:
            raise Http404
        target = request.POST.get("after", "")
        suffix = f"?after={target}" if target.isdigit() and step == "choose" else ""
        return redirect(f"{job_url(job)}{suffix}")
    working = job.status in (BulkStatus.QUEUED, BulkStatus.CHECKING, BulkStatus.APPLYING)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    context: dict[str, Any] = {
        "job": job,
        "working": working,
        "stale": bulk.is_stale(job),
        "chosen": BulkRow.objects.filter(
            bulk=job, chosen=True, applied=False, person__isnull=False, error=""
        ).count(),
        "has_error_file": bool(job.error_file) and Path(job.error_file).is_file(),
    }
    if job.status in (BulkStatus.PREVIEW, BulkStatus.DONE):
        context.update(_rows(job, request, full_id=full_id))
    if request.headers.get("HX-Request") and not working:
        response = HttpResponse()
        response["HX-Refresh"] = "true"
        return response
    template = (
        "register/_bulk_progress.html"
        if request.headers.get("HX-Request")
        else ("register/bulk_view.html")
    )
    return render(request, template, context)


def job_url(job: BulkUpdate) -> str:
    from django.urls import reverse

    return reverse("register-view-bulk", args=[job.pk])


@login_required
def download_bulk_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = _bulk(request, pk)
    if not job.error_file or not Path(job.error_file).is_file():
        raise Http404
    record_event(
        actor=request.user,
        action="register.bulk_update_errors",
        target_type="register.bulkupdate",
        unit=job.commune,
        details={"bulk": job.pk},
    )
    return FileResponse(
        Path(job.error_file).open("rb"), as_attachment=True, filename=f"loi-cap-nhat-{job.pk}.xlsx"
    )


@login_required
def download_bulk_template(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.EDIT_REGISTER)
    response = HttpResponse(
        bulk.bhxh_template(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = 'attachment; filename="mau-danh-sach-bhxh.xlsx"'
    return response
