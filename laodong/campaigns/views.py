from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.campaigns import actions
from laodong.campaigns.access import campaigns_in_scope, get_campaign_for_user
from laodong.campaigns.forms import CampaignForm
from laodong.campaigns.models import Campaign, PaymentTask, Target
from laodong.campaigns.progress import (
    at_deadlines,
    late_units,
    next_deadline,
    progress_by_unit,
    round_progress,
)
from laodong.core.concurrency import StaleEdit, edit_token, posted_token
from laodong.forms.dates import parse_date
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


@login_required
def list_campaigns(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.VIEW_CAMPAIGNS)
    user: Any = request.user
    campaigns = (
        campaigns_in_scope(user).select_related("owner_unit").order_by("-collection_start", "-pk")
    )
    return render(
        request,
        "campaigns/campaign_list.html",
        {
            "campaigns": campaigns,
            "can_create": has_capability(user, Capability.MANAGE_CAMPAIGNS)
            and user.unit.level in (Level.COUNTRY, Level.PROVINCE, Level.COMMUNE),
        },
    )


def _commune_choices(user: Any) -> Any:
    if user.unit.level >= Level.COMMUNE:
        return None
    return (
        Unit.objects.current().within(user.unit).filter(level=Level.COMMUNE).order_by("name_folded")
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_campaign(request: HttpRequest) -> HttpResponse:
    require_capability(request.user, Capability.MANAGE_CAMPAIGNS)
    user: Any = request.user
    if user.unit.level not in (Level.COUNTRY, Level.PROVINCE, Level.COMMUNE):
        raise Http404
    communes = _commune_choices(user)
    form = CampaignForm(request.POST or None, communes=communes)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if communes is None or data.get("whole_province"):
            area = [user.unit]
        else:
            area = list(data.get("communes") or [])
        try:
            campaign = actions.create_campaign(
                acting_user=user, form_code=data["form_code"], area=area, **form.plan()
            )
        except actions.CampaignError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Đã lập kế hoạch. Hãy đặt chỉ tiêu cho từng thôn."))
            return redirect("campaigns-edit-targets", pk=campaign.pk)
    return render(request, "campaigns/campaign_form.html", {"form": form, "campaign": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, Capability.MANAGE_CAMPAIGNS)
    if not actions.may_manage(request.user, campaign):
        raise PermissionDenied
    form = CampaignForm(
        request.POST or None,
        communes=None,
        editing=True,
        initial=CampaignForm.initial_for(campaign),
    )
    loaded_token = posted_token(request) or edit_token(actions.plan_values(campaign))
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_campaign(
                acting_user=request.user,
                campaign=campaign,
                loaded_token=posted_token(request),
                **form.plan(),
            )
        except StaleEdit as refused:
            stale, loaded_token = refused, refused.token
            messages.error(request, str(refused))
        except actions.CampaignError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(request, _("Đã lưu kế hoạch."))
            return redirect("campaigns-view-campaign", pk=campaign.pk)
    return render(
        request,
        "campaigns/campaign_form.html",
        {"form": form, "campaign": campaign, "loaded_token": loaded_token, "stale": stale},
    )


def _drill_unit(request: HttpRequest, campaign: Campaign) -> Unit:
    """The unit whose children the progress page lists: the user's own, or one below it
    chosen by drilling down (?unit=)."""
    user: Any = request.user
    unit: Unit = user.unit
    if unit.level == Level.COUNTRY:
        unit = campaign.owner_unit if campaign.owner_unit.level > Level.COUNTRY else unit
    wanted = request.GET.get("unit", "")
    if wanted.isdigit():
        chosen = Unit.objects.filter(pk=int(wanted)).first()
        if chosen is None or not user.unit.contains(chosen):
            raise Http404
        unit = chosen
    return unit


def _as_of(raw: str) -> tuple[datetime.date, str]:
    """The day whose figures the page shows (?to=dd/mm/yyyy), today by default."""
    today = timezone.localdate()
    if not raw.strip():
        return today, ""
    parsed = parse_date(raw)
    if parsed is None or parsed.year_only:
        return today, _(
            "Ngày “%(value)s” không đúng. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/11/2026."
        ) % {"value": raw.strip()[:20]}
    if parsed.value > today:
        return today, _("Chưa có số liệu của ngày tương lai; đang hiện số liệu đến hôm nay.")
    return parsed.value, ""


@login_required
def view_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    """Live progress: target, listed, collected, accepted, returned, handed over, entered."""
    campaign = get_campaign_for_user(request.user, pk)
    unit = _drill_unit(request, campaign)
    today, date_error = _as_of(request.GET.get("to", ""))
    rows, total = progress_by_unit(campaign, unit, today)
    deadlines = at_deadlines(campaign, unit, today)
    rounds = round_progress(campaign, total, today, deadlines=deadlines)
    user: Any = request.user
    commune = (
        unit
        if unit.level == Level.COMMUNE
        else (unit.parent if unit.level == Level.VILLAGE else None)
    )
    return render(
        request,
        "campaigns/campaign_view.html",
        {
            "campaign": campaign,
            "unit": unit,
            "trail": list(Unit.objects.ancestors_of(unit).filter(level__gte=user.unit.level))
            if unit != user.unit
            else [],
            "rows": rows,
            "late": late_units(campaign, rows, today, deadlines),
            "as_of": today,
            "past": today < timezone.localdate(),
            "date_error": date_error,
            "total": total,
            "rounds": rounds,
            "next_round": next_deadline(rounds),
            "report_deadlines": [
                (deadline, (deadline.due - timezone.localdate()).days)
                for deadline in campaign.report_deadlines.all()
            ],
            "commune": commune,
            "child_is_village": unit.level >= Level.COMMUNE,
            "may_manage": has_capability(user, Capability.MANAGE_CAMPAIGNS)
            and actions.may_manage(user, campaign),
            "may_set_targets": actions.may_set_targets(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_targets(request: HttpRequest, pk: int) -> HttpResponse:
    """Targets per commune and village (e.g. 2,450 for the commune, at least 350 per village)."""
    campaign = get_campaign_for_user(request.user, pk, Capability.MANAGE_CAMPAIGNS)
    user: Any = request.user
    if not actions.may_set_targets(user):
        raise PermissionDenied
    communes = list(
        campaign.communes.filter(subtree_filter(user.unit.path)).order_by("name_folded")
    )
    if user.unit.level == Level.VILLAGE:
        raise Http404
    units: list[Unit] = []
    for commune in communes:
        units.append(commune)
        if len(communes) <= 30:
            units.extend(
                Unit.objects.current()
                .filter(parent=commune, level=Level.VILLAGE)
                .order_by("name_folded")
            )
    existing = {t.unit_id: t for t in Target.objects.filter(campaign=campaign, unit__in=units)}
    errors: list[str] = []
    stale = None
    loaded_token = posted_token(request) or edit_token(actions.target_values(campaign, user.unit))
    if request.method == "POST":
        wanted: dict[Unit, tuple[int | None, int | None]] = {}
        for unit in units:
            values = []
            for name in ("total", "count"):
                text = request.POST.get(f"{name}_{unit.pk}", "").strip().replace(".", "")
                if text and not text.isdigit():
                    errors.append(
                        _("%(unit)s: “%(value)s” không phải là số.")
                        % {"unit": unit.label(), "value": text}
                    )
                values.append(int(text) if text.isdigit() else None)
            total, count = values
            if count is None and total is None and unit.pk not in existing:
                continue
            wanted[unit] = (total, count)
        if not errors:
            try:
                actions.set_targets(
                    acting_user=user,
                    campaign=campaign,
                    targets=wanted,
                    loaded_token=posted_token(request),
                )
            except StaleEdit as refused:
                stale, loaded_token = refused, refused.token
                messages.error(request, str(refused))
            except actions.CampaignError as refused:
                errors.append(str(refused))
            else:
                messages.success(request, _("Đã lưu chỉ tiêu."))
                return redirect("campaigns-view-campaign", pk=campaign.pk)
    return render(
        request,
        "campaigns/target_form.html",
        {
            "campaign": campaign,
            "rows": [_target_row(request, unit, existing.get(unit.pk)) for unit in units],
            "errors": errors,
            "loaded_token": loaded_token,
            "stale": stale,
        },
    )


def _target_row(request: HttpRequest, unit: Unit, target: Target | None) -> tuple[Unit, str, str]:
    """A unit with its two figures as the page shows them: as typed after a refusal."""
    if request.method == "POST":
        return (
            unit,
            request.POST.get(f"total_{unit.pk}", ""),
            request.POST.get(f"count_{unit.pk}", ""),
        )
    if target is None:
        return unit, "", ""
    return unit, "" if target.total is None else str(target.total), str(target.count)


@login_required
@require_POST
def close_campaign(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk, Capability.MANAGE_CAMPAIGNS)
    try:
        actions.close_campaign(acting_user=request.user, campaign=campaign)
    except actions.CampaignError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã kết thúc kế hoạch."))
    return redirect("campaigns-view-campaign", pk=campaign.pk)


@login_required
@require_http_methods(["GET", "POST"])
def edit_rates(request: HttpRequest, pk: int) -> HttpResponse:
    """The amount paid per form of each task; its maker (the province) sets it, those who
    settle payments see it."""
    user: Any = request.user
    campaign = get_campaign_for_user(user, pk, Capability.VIEW_PAYMENTS)
    may_edit = has_capability(user, Capability.MANAGE_CAMPAIGNS) and actions.may_manage(
        user, campaign
    )
    current = {rate.task: rate for rate in campaign.rates.select_related("set_by")}
    errors: dict[str, str] = {}
    typed: dict[str, str] = {}
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied
        rates: dict[str, int | None] = {}
        for task in PaymentTask:
            text = request.POST.get(f"rate_{task.value}", "").strip()
            typed[task.value] = text
            digits = text.replace(".", "").replace(",", "").replace(" ", "")
            if not digits:
                rates[task.value] = None
            elif digits.isdigit():
                rates[task.value] = int(digits)
            else:
                errors[task.value] = _("“%(value)s” không phải là số tiền (ví dụ 10.000).") % {
                    "value": text[:20]
                }
        if not errors:
            try:
                actions.set_rates(acting_user=user, campaign=campaign, rates=rates)
            except actions.CampaignError as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _("Đã lưu đơn giá."))
                return redirect("campaigns-edit-rates", campaign.pk)
    rows = [
        {
            "task": task,
            "rate": current.get(task.value),
            "typed": typed.get(task.value),
            "error": errors.get(task.value, ""),
        }
        for task in PaymentTask
    ]
    return render(
        request,
        "campaigns/rate_form.html",
        {"campaign": campaign, "rows": rows, "may_edit": may_edit},
    )
