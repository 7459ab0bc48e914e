"""Offline collection: the phone's two JSON calls (download, sync), the conflicts to decide,
and the officer's view of the devices out in the field."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.collection.actions import WorkflowError
from laodong.collection.models import WorkItem
from laodong.forms.definitions import get_form
from laodong.offline import actions
from laodong.offline.models import Device, SyncedForm
from laodong.register.display import answer_text
from laodong.units.querysets import subtree_filter

JSON_OPTIONS = {"ensure_ascii": False}


def _error(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"error": message, **extra}, status=status, json_dumps_params=JSON_OPTIONS)


def _body(request: HttpRequest) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (ValueError, RequestDataTooBig):
        raise actions.OfflineError(_("Dữ liệu gửi lên không đọc được (không phải JSON).")) from None
    if not isinstance(data, dict):
        raise actions.OfflineError(_("Dữ liệu gửi lên không đúng dạng."))
    return data


def _contact(request: HttpRequest, data: dict[str, Any]) -> Device:
    counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
    return actions.contact(
        user=request.user,
        device_id=str(data.get("device") or ""),
        label=str(data.get("label") or request.headers.get("User-Agent", ""))[:200],
        session_key=request.session.session_key or "",
        counts=counts or {},
    )


def _phone_call(view: Any) -> Any:
    """JSON in, JSON out; 401/403/404/410 as JSON the phone understands."""

    def wrapper(request: HttpRequest) -> JsonResponse:
        if not request.user.is_authenticated:
            return _error(401, _("Phiên đăng nhập đã hết. Hãy đăng nhập lại khi có mạng."))
        if not has_capability(request.user, Capability.COLLECT_FORMS):
            return _error(403, _("Tài khoản không có quyền thu thập phiếu."))
        try:
            return view(request, _body(request))
        except actions.DeviceRevoked:
            return _error(
                410,
                _("Thiết bị này đã bị cán bộ xã thu hồi: dữ liệu trên máy đã được xóa."),
                revoked=True,
            )
        except actions.OfflineError as refused:
            return _error(400, str(refused))
        except (WorkItem.DoesNotExist, Http404):
            return _error(404, _("Có phiếu của người không được giao cho bạn."))
        except PermissionDenied:
            return _error(403, _("Tài khoản không có quyền với phiếu này."))

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return require_POST(wrapper)


@_phone_call
def download(request: HttpRequest, data: dict[str, Any]) -> JsonResponse:
    """The enumerator's people, forms and code lists ("Tải về để làm ngoại tuyến")."""
    device = _contact(request, data)
    return JsonResponse(actions.build_pack(request.user, device), json_dumps_params=JSON_OPTIONS)


@_phone_call
def sync(request: HttpRequest, data: dict[str, Any]) -> JsonResponse:
    """The outbox, in order; then the refreshed list."""
    device = _contact(request, data)
    entries = actions.parse_entries(data.get("outbox", []))
    results = actions.sync(user=request.user, device=device, entries=entries)
    return JsonResponse(
        {"results": results, "pack": actions.build_pack(request.user, device)},
        json_dumps_params=JSON_OPTIONS,
    )


def _require_conflict_role(user: Any) -> None:
    """Conflicts are decided by the enumerator who collected or by the commune's officers."""
    if not (
        has_capability(user, Capability.COLLECT_FORMS)
        or has_capability(user, Capability.ACCEPT_FORMS)
    ):
        raise PermissionDenied


def _synced_for_user(user: Any, pk: int) -> SyncedForm:
    found = actions.conflicts_for(user).select_related("work_item__campaign", "user").filter(pk=pk)
    synced = found.first() or SyncedForm.objects.filter(pk=pk, user=user).first()
    if synced is None:
        raise Http404
    return synced


@login_required
@require_GET
def list_conflicts(request: HttpRequest) -> HttpResponse:
    _require_conflict_role(request.user)
    conflicts = (
        actions.conflicts_for(request.user)
        .select_related("work_item__village", "user")
        .order_by("received_at", "pk")[:500]
    )
    return render(request, "offline/conflict_list.html", {"conflicts": conflicts})


def _versions(synced: SyncedForm, full_id: bool) -> list[tuple[str, str, str, bool]]:
    """Each item of the form: (title, on the server, on the phone, differs)."""
    item = synced.work_item
    definition = get_form(item.campaign.form_code)
    rows = []
    for entry in definition.items:
        server = answer_text(definition, entry.key, item.answers.get(entry.key), full_id=full_id)
        phone = answer_text(definition, entry.key, synced.answers.get(entry.key), full_id=full_id)
        if server or phone:
            rows.append((entry.title, server, phone, server != phone))
    return rows


@login_required
@require_GET
def view_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    _require_conflict_role(request.user)
    synced = _synced_for_user(request.user, pk)
    full_id = has_capability(request.user, Capability.VIEW_FULL_ID)
    return render(
        request,
        "offline/conflict_view.html",
        {"synced": synced, "rows": _versions(synced, full_id), "item": synced.work_item},
    )


@login_required
@require_POST
def decide_conflict(request: HttpRequest, pk: int) -> HttpResponse:
    _require_conflict_role(request.user)
    synced = _synced_for_user(request.user, pk)
    try:
        actions.decide_conflict(
            acting_user=request.user, synced=synced, keep=request.POST.get("keep", "")
        )
    except WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect("offline-view-conflict", pk=synced.pk)
    if request.POST.get("keep") == "phone":
        messages.success(request, _("Đã dùng bản trên điện thoại: phiếu đã nộp cho cán bộ xã."))
    else:
        messages.success(request, _("Đã giữ bản trên máy chủ; bản trên điện thoại vẫn được lưu."))
    return redirect("offline-list-conflicts")


@login_required
@require_GET
def list_devices(request: HttpRequest) -> HttpResponse:
    """Per enumerator of the officer's unit: each phone's last download and sync, and how many
    forms waited on it then — what is still out in the field."""
    user: Any = request.user
    require_capability(user, Capability.ASSIGN_WORK)
    enumerators = list(
        User.objects.filter(role=Role.ENUMERATOR, is_active=True)
        .filter(subtree_filter(user.unit.path, prefix="unit__"))
        .select_related("unit")
        .order_by("unit__name_folded", "full_name")
    )
    devices: dict[int, list[Device]] = {}
    for device in Device.objects.filter(user__in=enumerators).order_by("-synced_at", "-created_at"):
        devices.setdefault(device.user_id, []).append(device)
    rows = [(enumerator, devices.get(enumerator.pk, [])) for enumerator in enumerators]
    return render(request, "offline/device_list.html", {"rows": rows})


@login_required
@require_POST
def revoke_device(request: HttpRequest, pk: str) -> HttpResponse:
    user: Any = request.user
    require_capability(user, Capability.ASSIGN_WORK)
    device = get_object_or_404(
        Device.objects.filter(subtree_filter(user.unit.path, prefix="user__unit__")),
        pk=pk,
    )
    try:
        actions.revoke_device(acting_user=request.user, device=device)
    except WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _("Đã thu hồi thiết bị: dữ liệu trên máy sẽ bị xóa khi máy kết nối lần tới."),
        )
    return redirect("offline-list-devices")
