"""Pages of the counts by criteria: choose, follow the progress, read and download."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.forms.dates import parse_date
from laodong.reports import custom
from laodong.reports.access import get_report_unit, trail
from laodong.reports.models import CountStatus, CustomCount
from laodong.reports.views import download, made_by
from laodong.units.models import Unit

# A user's counts not yet finished: more wait for these first.
MAX_WAITING = 3


class CustomCountForm(forms.Form):
    day = forms.CharField(label=gettext_lazy("Số liệu hết ngày"), max_length=20, required=False)
    age_from = forms.IntegerField(
        label=gettext_lazy("Từ tuổi"), min_value=15, max_value=custom.OLDEST_AGE, required=False
    )
    age_to = forms.IntegerField(
        label=gettext_lazy("Đến tuổi"), min_value=15, max_value=custom.OLDEST_AGE, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for item in custom.ITEMS:
            self.fields[item.key] = forms.TypedMultipleChoiceField(
                label=str(item.label),
                choices=custom.choices_of(item),
                coerce=int,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )

    def item_fields(self) -> list[forms.BoundField]:
        return [self[item.key] for item in custom.ITEMS]

    def clean_day(self) -> Any:
        raw = (self.cleaned_data.get("day") or "").strip()
        today = timezone.localdate()
        if not raw:
            return today
        parsed = parse_date(raw)
        if parsed is None:
            raise forms.ValidationError(
                _(
                    "Ngày “%(value)s” không đúng. "
                    "Hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/06/2026."
                )
                % {"value": raw[:20]}
            )
        if parsed.value > today:
            raise forms.ValidationError(
                _("Chưa có số liệu của ngày tương lai; hãy chọn đến hôm nay.")
            )
        return parsed.value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        low, high = data.get("age_from"), data.get("age_to")
        if low is not None and high is not None and high < low:
            self.add_error("age_to", _("“Đến tuổi” phải lớn hơn hoặc bằng “Từ tuổi”."))
        return data

    def criteria(self) -> custom.Criteria:
        data = self.cleaned_data
        return custom.Criteria(
            age_from=data.get("age_from"),
            age_to=data.get("age_to"),
            codes={
                item.key: tuple(sorted(data[item.key])) for item in custom.ITEMS if data[item.key]
            },
        )


def _waiting(user: Any) -> int:
    return CustomCount.objects.filter(
        created_by=user, status__in=(CountStatus.QUEUED, CountStatus.RUNNING)
    ).count()


@login_required
@require_http_methods(["GET", "POST"])
def custom_counts(request: HttpRequest) -> HttpResponse:
    """Choose the criteria (GET), queue the count (POST); the user's latest counts below."""
    user: Any = request.user
    unit = get_report_unit(user, request.GET.get("unit") or request.POST.get("unit"))
    form = CustomCountForm(request.POST if request.method == "POST" else None)
    refused = ""
    if request.method == "POST" and form.is_valid():
        if _waiting(user) >= MAX_WAITING:
            refused = _(
                "Bạn đang có %(count)s lượt đếm chưa xong. Hãy chờ chúng xong rồi đếm tiếp."
            ) % {"count": MAX_WAITING}
        else:
            count = custom.start_count(
                acting_user=user, unit=unit, day=form.cleaned_data["day"], criteria=form.criteria()
            )
            record_event(
                actor=user,
                action="reports.custom_count",
                target_type="report",
                unit=unit,
                details={"count": count.pk, "criteria": count.criteria},
            )
            return redirect("reports-view-custom-count", pk=count.pk)
    mine = list(
        CustomCount.objects.filter(created_by=user)
        .select_related("unit")
        .order_by("-created_at")[:10]
    )
    for count in mine:
        count.lines = custom.Criteria.from_data(count.criteria).lines()  # type: ignore[attr-defined]
    return render(
        request,
        "reports/custom_form.html",
        {
            "unit": unit,
            "trail": trail(user, unit),
            "form": form,
            "today": timezone.localdate(),
            "refused": refused,
            "mine": mine,
        },
    )


def _count(request: HttpRequest, pk: int) -> CustomCount:
    """A count about a unit in the user's area (404 outside it)."""
    user: Any = request.user
    require_capability(user, Capability.VIEW_REPORTS)
    count = (
        CustomCount.objects.select_related("unit", "created_by")
        .filter(pk=pk, unit__in=Unit.objects.visible_to(user))
        .first()
    )
    if count is None:
        raise Http404
    return count


def _context(count: CustomCount) -> dict[str, Any]:
    working = count.status in (CountStatus.QUEUED, CountStatus.RUNNING)
    percent = int(100 * count.parts_done / count.parts_total) if count.parts_total else 0
    return {
        "count": count,
        "working": working,
        "stale": custom.is_stale(count),
        "percent": percent,
        "lines": custom.Criteria.from_data(count.criteria).lines(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def view_custom_count(request: HttpRequest, pk: int) -> HttpResponse:
    """A count: its progress while it runs, then its table and files."""
    count = _count(request, pk)
    if request.method == "POST":
        if request.POST.get("step") == "restart":
            custom.restart(count)
        return redirect("reports-view-custom-count", pk=count.pk)
    context = _context(count)
    if count.status == CountStatus.DONE:
        document = custom.custom_document(count, made_by=made_by(count.created_by))
        # On screen, the units with nobody matching are left out unless asked for (a
        # province's 166 communes, most of them empty for a narrow count); the files keep all.
        table = document.sections[-1]
        empty = [row for row in table.rows if row.depth and not row.cells[1]]
        if empty and request.GET.get("all") != "1":
            table.rows = [row for row in table.rows if not row.depth or row.cells[1]]
            context["hidden"] = len(empty)
        context["document"] = document
    user: Any = request.user
    context["trail"] = trail(user, count.unit)
    return render(request, "reports/custom_view.html", context)


@login_required
def custom_count_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the count's page polls (htmx)."""
    count = _count(request, pk)
    context = _context(count)
    response = render(request, "reports/_custom_progress.html", context)
    if not context["working"]:
        response["HX-Refresh"] = "true"  # the table, with its files
    return response


@login_required
def download_custom_count(request: HttpRequest, pk: int, output_format: str) -> HttpResponse:
    count = _count(request, pk)
    if count.status != CountStatus.DONE:
        raise Http404
    user: Any = request.user
    return download(request, custom.custom_document(count, made_by=made_by(user)), output_format)
