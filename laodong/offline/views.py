"""Offline collection: the phone's two JSON calls (download, sync), the conflicts to decide,
and the officer's view of the devices out in the field."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET, require_POST

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
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
    pack = actions.build_pack(request.user, device)
    record_event(
        actor=request.user,
        action="offline.download",
        target=device,
        unit=device.user.unit,
        details={"people": len(pack["people"])},
    )
    return JsonResponse(pack, json_dumps_params=JSON_OPTIONS)


@_phone_call
def sync(request: HttpRequest, data: dict[str, Any]) -> JsonResponse:
    """The outbox, in order; then the refreshed list."""
    device = _contact(request, data)
    entries = actions.parse_entries(data.get("outbox", []))
    results = actions.sync(user=request.user, device=device, entries=entries)
    pack = actions.build_pack(request.user, device)
    outcomes: dict[str, int] = {}
    for result in results:
        outcomes[result["outcome"]] = outcomes.get(result["outcome"], 0) + 1
    record_event(
        actor=request.user,
        action="offline.sync",
        target=device,
        unit=device.user.unit,
        details={"forms": outcomes, "people": len(pack["people"])},
    )
    return JsonResponse({"results": results, "pack": pack}, json_dumps_params=JSON_OPTIONS)


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


# --- the installable app: its page, manifest and service worker --------------------------

# What the phone's app says, in the user's language (the page carries them as JSON).
TEXTS = {
    "title": gettext_lazy("Thu thập ngoại tuyến"),
    "download": gettext_lazy("Tải về để làm ngoại tuyến"),
    "sync": gettext_lazy("Đồng bộ"),
    "syncing": gettext_lazy("Đang đồng bộ…"),
    "online": gettext_lazy("Có mạng"),
    "offline": gettext_lazy("Không có mạng — vẫn làm được, phiếu nằm chờ trên máy"),
    "last_sync": gettext_lazy("Đồng bộ lần cuối"),
    "never": gettext_lazy("chưa lần nào"),
    "waiting": gettext_lazy("phiếu chờ gửi"),
    "drafts": gettext_lazy("phiếu nháp"),
    "people": gettext_lazy("người"),
    "search": gettext_lazy("Tìm theo tên (không cần dấu), số định danh hoặc mã hộ"),
    "nothing": gettext_lazy("Máy chưa có danh sách. Khi có mạng, bấm “Tải về để làm ngoại tuyến”."),
    "no_match": gettext_lazy("Không có người nào khớp."),
    "more": gettext_lazy("Xem thêm (còn %(count)s người)"),
    "state_todo": gettext_lazy("Chưa làm"),
    "state_draft": gettext_lazy("Nháp"),
    "state_outbox": gettext_lazy("Chờ gửi"),
    "state_returned": gettext_lazy("Bị trả lại"),
    "state_error": gettext_lazy("Có lỗi khi đồng bộ"),
    "state_conflict": gettext_lazy("Xung đột — chờ quyết định"),
    "back": gettext_lazy("← Danh sách"),
    "save_draft": gettext_lazy("Lưu nháp"),
    "submit": gettext_lazy("Kiểm tra và nộp"),
    "saved_draft": gettext_lazy("Đã lưu nháp trên máy."),
    "queued": gettext_lazy("Phiếu đã kiểm tra xong, nằm chờ gửi; sẽ tự gửi khi có mạng."),
    "has_errors": gettext_lazy("Phiếu còn lỗi: hãy sửa các mục tô đỏ rồi nộp lại."),
    "confirm_warnings": gettext_lazy("Có cảnh báo: hãy kiểm tra từng mục và đánh dấu đã kiểm tra."),
    "checked": gettext_lazy("Đã kiểm tra, thông tin đúng"),
    "reason": gettext_lazy("Lý do khác danh sách (ví dụ: theo giấy tờ nào)"),
    "returned_because": gettext_lazy("Cán bộ xã trả lại phiếu"),
    "birth": gettext_lazy("Sinh"),
    "household": gettext_lazy("Hộ"),
    "id": gettext_lazy("Số định danh"),
    "sign_in_again": gettext_lazy(
        "Phiên đăng nhập đã hết: bấm vào đây để đăng nhập lại, rồi đồng bộ. Phiếu trên máy vẫn còn."
    ),
    "revoked": gettext_lazy("Thiết bị đã bị thu hồi: dữ liệu trên máy đã được xóa."),
    "expired": gettext_lazy(
        "Đã quá %(days)s ngày không đồng bộ: dữ liệu trên máy đã được xóa để bảo vệ "
        "thông tin cá nhân. Hãy tải về lại."
    ),
    "expires_soon": gettext_lazy(
        "Còn %(days)s ngày: nếu không đồng bộ, dữ liệu trên máy sẽ bị xóa."
    ),
    "sync_failed": gettext_lazy("Chưa gửi được"),
    "synced": gettext_lazy(
        "Đã gửi: %(submitted)s phiếu vào quy trình · %(refused)s phiếu có lỗi (đã trả về nháp "
        "để sửa) · %(conflict)s phiếu xung đột."
    ),
    "result_conflict": gettext_lazy(
        "xung đột: bản trên điện thoại được giữ trên máy chủ chờ quyết định"
    ),
    "see_conflicts": gettext_lazy("Xem các phiếu xung đột"),
    "sign_out": gettext_lazy("Xóa dữ liệu và đăng xuất"),
    "sign_out_confirm": gettext_lazy("Xóa mọi dữ liệu thu thập trên máy này và đăng xuất?"),
    "sign_out_unsent": gettext_lazy(
        "Còn %(count)s phiếu chưa gửi sẽ bị mất. Vẫn xóa và đăng xuất?"
    ),
    "choose": gettext_lazy("— Chọn —"),
    "home": gettext_lazy("Về trang chính"),
}


def _asset_urls() -> list[str]:
    return [
        static("core/site.css"),
        static("forms/engine.js"),
        static("offline/app.js"),
        static("offline/icon.svg"),
    ]


@login_required
@require_GET
@ensure_csrf_cookie
def app(request: HttpRequest) -> HttpResponse:
    """The app's page: no personal data in it (the service worker keeps it for offline use);
    the people and forms live in the phone's storage, under the signed-in account."""
    require_capability(request.user, Capability.COLLECT_FORMS)
    config = {
        "user": request.user.pk,
        "urls": {
            "download": reverse("offline-download"),
            "sync": reverse("offline-sync"),
            "worker": reverse("offline-service-worker"),
            "scope": reverse("offline-app"),
            "login": f"{reverse('accounts-login')}?next={reverse('offline-app')}",
            "logout": reverse("accounts-logout"),
            "conflicts": reverse("offline-list-conflicts"),
            "home": reverse("overview-home"),
        },
    }
    return render(
        request,
        "offline/app.html",
        {"texts": {key: str(text) for key, text in TEXTS.items()}, "config": config},
    )


@require_GET
def manifest(request: HttpRequest) -> JsonResponse:
    data = {
        "name": str(TEXTS["title"]) + " · laodong",
        "short_name": str(TEXTS["title"]),
        "start_url": reverse("offline-app"),
        "scope": reverse("offline-app"),
        "display": "standalone",
        "background_color": "#f5f7fa",
        "theme_color": "#0b5394",
        "lang": "vi",
        "icons": [
            {"src": static("offline/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
            {"src": static("offline/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("offline/icon-512.png"), "sizes": "512x512", "type": "image/png"},
        ],
    }
    response = JsonResponse(data, json_dumps_params=JSON_OPTIONS)
    response["Content-Type"] = "application/manifest+json"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """Keeps the app's page and files for offline use. Its version follows the files' contents,
    so a new release replaces the old copies."""
    assets = [reverse("offline-app"), reverse("offline-manifest"), *_asset_urls()]
    body = render_to_string(
        "offline/sw.js", {"assets": json.dumps(assets), "version": _assets_version()}
    )
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = reverse("offline-app")
    response["Cache-Control"] = "no-cache"
    return response


def _assets_version() -> str:
    digest = hashlib.sha256()
    for name in ("core/site.css", "forms/engine.js", "offline/app.js", "offline/sw.js"):
        path = finders.find(name) or str(Path(__file__).parent / "templates" / name)
        if path and Path(path).exists():
            digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:12]
