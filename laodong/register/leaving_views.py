"""Pages that take a person out of the register, bring them back, and show the documents
that back a change."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.register import actions, evidence
from laodong.register.access import get_person_for_user, people_in_scope
from laodong.register.forms import CloseForm
from laodong.register.models import Evidence, LeaveReason, Source
from laodong.register.sources import OriginForm
from laodong.units.models import Level


def _loaded(request: HttpRequest) -> int | None:
    text = request.POST.get("loaded_version", "")
    return int(text) if text.isdigit() else None


@login_required
@require_http_methods(["GET", "POST"])
def close_person(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Ra khỏi diện quản lý": from which day, why, on what source and document."""
    person = get_person_for_user(request.user, pk, write=True)
    if person.has_left:
        messages.info(request, _("Hồ sơ này đã ra khỏi diện quản lý."))
        return redirect("register-view-person", pk=person.pk)
    posted = request.method == "POST"
    form = CloseForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"left_on": f"{timezone.localdate():%d/%m/%Y}"},
    )
    origin_form = OriginForm(request.POST if posted else None)
    if posted and form.is_valid() and origin_form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                version = actions.close_person(
                    acting_user=request.user,
                    person=person,
                    left_on=data["left_on"],
                    reason=data["reason"],
                    destination=data["destination"],
                    origin=origin_form.origin(),
                    loaded_version=_loaded(request),
                )
                for upload in data["evidence"]:
                    evidence.store(upload, acting_user=request.user, version=version)
        except (actions.RegisterError, evidence.EvidenceError) as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _(
                    "Đã ghi %(name)s ra khỏi diện quản lý từ ngày %(day)s. Số liệu từ ngày đó "
                    "không tính người này; thay đổi đã vào danh sách chuyển Công an xã."
                )
                % {"name": person.full_name, "day": f"{data['left_on']:%d/%m/%Y}"},
            )
            return redirect("register-view-person", pk=person.pk)
    return render(
        request,
        "register/close_form.html",
        {"person": person, "form": form, "origin_form": origin_form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def reopen_person(request: HttpRequest, pk: int) -> HttpResponse:
    """Undo a mistaken closure (or take back someone who returned) as a new version."""
    person = get_person_for_user(request.user, pk, write=True)
    if not person.has_left:
        messages.info(request, _("Hồ sơ này đang trong diện quản lý."))
        return redirect("register-view-person", pk=person.pk)
    posted = request.method == "POST"
    origin_form = OriginForm(
        request.POST if posted else None, initial={"source": Source.CORRECTION}
    )
    if posted and origin_form.is_valid():
        try:
            actions.reopen_person(
                acting_user=request.user,
                person=person,
                origin=origin_form.origin(),
                loaded_version=_loaded(request),
            )
        except actions.RegisterError as refused:
            origin_form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Đã mở lại hồ sơ của %(name)s; lần đóng vẫn giữ trong lịch sử.")
                % {"name": person.full_name},
            )
            return redirect("register-view-person", pk=person.pk)
    return render(
        request,
        "register/reopen_form.html",
        {
            "person": person,
            "origin_form": origin_form,
            "reason_label": LeaveReason(person.leave_reason).label,
        },
    )


@login_required
def download_evidence(request: HttpRequest, pk: int) -> FileResponse:
    """A scanned document, for the people who may see the record it backs (404 otherwise)."""
    require_capability(request.user, Capability.VIEW_FULL_ID)
    user: Any = request.user
    # Documents (death certificates, decisions) stay with the commune and above.
    if user.unit is None or user.unit.level == Level.VILLAGE:
        raise Http404
    item = (
        Evidence.objects.select_related("version__person", "request__person").filter(pk=pk).first()
    )
    if item is None:
        raise Http404
    owner = item.version.person if item.version_id else item.request.person  # type: ignore[union-attr]
    if not people_in_scope(user).filter(pk=owner.pk).exists():
        raise Http404
    path = Path(item.file_path)
    if not path.is_file():
        raise Http404
    record_event(actor=user, action="register.view_evidence", target=owner, unit=owner.commune)
    suffix = path.suffix
    response = FileResponse(path.open("rb"), content_type=item.content_type)
    # Never the citizen's name in the file name: the record and document numbers only.
    response["Content-Disposition"] = f'inline; filename="giay-to-{owner.pk}-{item.pk}{suffix}"'
    return response
