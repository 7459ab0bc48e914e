from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.core.concurrency import StaleEdit, edit_token, posted_token
from laodong.core.paging import keyset_page
from laodong.core.text import fold
from laodong.core.xlsx import template_response
from laodong.units import actions
from laodong.units.access import get_unit_for_user
from laodong.units.forms import CloseVillageForm, UploadForm, VillageForm
from laodong.units.models import Level, Unit

PAGE_SIZE = 50


def _own_unit(request: HttpRequest) -> Unit:
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise Http404
    return unit


@login_required
def view_unit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Browse the tree from the user's own unit down; search by name below the unit."""
    own_unit = _own_unit(request)
    unit = get_unit_for_user(request.user, own_unit.pk if pk is None else pk)
    breadcrumbs = [u for u in Unit.objects.ancestors_of(unit) if own_unit.contains(u)]
    query = request.GET.get("q", "").strip()
    show_historic = request.GET.get("historic") == "1"
    if query:
        rows = Unit.objects.below(unit).filter(name_folded__contains=fold(query))
    else:
        rows = Unit.objects.filter(parent=unit)
    if not show_historic:
        rows = rows.filter(valid_to__isnull=True)
    rows = rows.select_related("parent").annotate(
        child_count=Count("children", filter=Q(children__valid_to__isnull=True))
    )
    page = keyset_page(rows, ("level", "name_folded", "pk"), request.GET.get("after"), PAGE_SIZE)
    can_manage = has_capability(request.user, Capability.MANAGE_VILLAGES) and (
        unit.level in (Level.COMMUNE, Level.VILLAGE) and unit.valid_to is None
    )
    context = {
        "unit": unit,
        "breadcrumbs": breadcrumbs,
        "page": page,
        "query": query,
        "show_historic": show_historic,
        "can_manage": can_manage,
        "successions": unit.successions.select_related("successor"),
        "predecessions": unit.predecessions.select_related("predecessor"),
    }
    return render(request, "units/unit_view.html", context)


def _commune_for_villages(request: HttpRequest, pk: int) -> Unit:
    commune = get_unit_for_user(request.user, pk, write=True)
    if commune.level != Level.COMMUNE:
        raise Http404
    return commune


@login_required
@require_http_methods(["GET", "POST"])
def create_village(request: HttpRequest, pk: int) -> HttpResponse:
    commune = _commune_for_villages(request, pk)
    form = VillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            village = actions.create_village(
                acting_user=request.user, commune=commune, **form.cleaned_data
            )
        except actions.UnitError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Đã thêm %(name)s.") % {"name": village.label()})
            if "another" in request.POST:
                return redirect("units-create-village", pk=commune.pk)
            return redirect("units-view-unit", pk=commune.pk)
    return render(request, "units/village_create.html", {"commune": commune, "form": form})


def _village(request: HttpRequest, pk: int) -> Unit:
    village = get_unit_for_user(request.user, pk, write=True)
    if village.level != Level.VILLAGE:
        raise Http404
    return village


@login_required
@require_http_methods(["GET", "POST"])
def edit_village(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    initial = {"name": village.name, "code": village.code, "unit_type": village.unit_type}
    form = VillageForm(request.POST or None, initial=initial)
    loaded_token = posted_token(request) or edit_token(
        actions.village_values(village.name, village.code, village.unit_type)
    )
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_village(
                acting_user=request.user,
                village=village,
                loaded_token=posted_token(request),
                **form.cleaned_data,
            )
        except StaleEdit as refused:
            stale, loaded_token = refused, refused.token
            messages.error(request, str(refused))
        except actions.UnitError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("units-view-unit", pk=village.pk)
    return render(
        request,
        "units/village_edit.html",
        {"village": village, "form": form, "loaded_token": loaded_token, "stale": stale},
    )


@login_required
@require_http_methods(["GET", "POST"])
def close_village(request: HttpRequest, pk: int) -> HttpResponse:
    village = _village(request, pk)
    form = CloseVillageForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.close_village(
                acting_user=request.user, village=village, valid_to=form.cleaned_data["valid_to"]
            )
        except actions.UnitError as error:
            form.add_error("valid_to", str(error))
        else:
            messages.success(request, _("%(name)s đã hết hiệu lực.") % {"name": village.label()})
            assert village.parent_id is not None
            return redirect("units-view-unit", pk=village.parent_id)
    return render(request, "units/village_close.html", {"village": village, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_villages(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_VILLAGES)
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        report = actions.import_villages(
            acting_user=request.user, stream=upload, filename=upload.name
        )
        if report.ok:
            messages.success(
                request,
                _("Đã thêm %(created)s thôn; %(unchanged)s thôn đã có từ trước.")
                % {"created": report.created, "unchanged": report.unchanged},
            )
    own_unit = _own_unit(request)
    return render(
        request,
        "units/villages_import.html",
        {"form": form, "report": report, "own_unit": own_unit},
    )


@login_required
def download_village_template(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_VILLAGES)
    own_unit = _own_unit(request)
    code = own_unit.code if own_unit.level == Level.COMMUNE else "15178"
    return template_response(
        "mau-danh-sach-thon.xlsx",
        ["Mã xã", "Tên thôn", "Mã thôn", "Loại"],
        [[code, "Thôn 1", "", "thôn"], [code, "Tổ dân phố Đông Sơn", "TDP02", "tổ dân phố"]],
        [
            "Mỗi dòng là một thôn / tổ dân phố / bản / ấp.",
            "Mã xã: 5 chữ số theo danh mục đơn vị hành chính từ 01/07/2025 (bắt buộc).",
            "Tên thôn: bắt buộc, không trùng trong cùng một xã.",
            "Mã thôn: không bắt buộc; nếu có thì không trùng trong cùng một xã.",
            "Loại: thôn, xóm, bản, ấp, làng, buôn, plei, khóm, tổ dân phố, khu phố, khu dân cư. "
            "Để trống thì lấy theo chữ đầu của tên (mặc định: thôn).",
            "Có thể có dòng tiêu đề phía trên dòng tên cột; các cột khác bị bỏ qua.",
            "Nếu có dòng sai, hệ thống không ghi dòng nào và báo rõ dòng, cột cần sửa.",
        ],
    )
