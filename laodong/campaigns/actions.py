"""Creating and changing campaigns, their rounds and targets."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.models import Role
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import (
    Campaign,
    PaymentRate,
    PaymentTask,
    ReportDeadline,
    Round,
    RoundKind,
    Target,
)
from laodong.core.concurrency import check_token
from laodong.forms.definitions import FORM_CODES
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


class CampaignError(Exception):
    """The campaign was not saved; the message says what to fix."""


@dataclass(frozen=True)
class RoundPlan:
    kind: str
    deadline: datetime.date
    target_percent: int = 100


@dataclass(frozen=True)
class ReportPlan:
    """A report the plan asks for: its name, the level that sends it, and its due date."""

    title: str
    from_level: int
    due: datetime.date


def _check(
    *,
    form_code: str,
    reference_date: datetime.date,
    collection_start: datetime.date,
    collection_end: datetime.date,
    entry_start: datetime.date,
    entry_end: datetime.date,
    rounds: Sequence[RoundPlan],
    reports: Sequence[ReportPlan] = (),
) -> None:
    if form_code not in FORM_CODES:
        raise CampaignError(_("Mẫu phiếu không có trong hệ thống."))
    if collection_end < collection_start:
        raise CampaignError(_("Ngày kết thúc thu thập phải sau ngày bắt đầu."))
    if entry_end < entry_start:
        raise CampaignError(_("Ngày kết thúc nhập dữ liệu phải sau ngày bắt đầu."))
    if entry_start < collection_start:
        raise CampaignError(_("Nhập dữ liệu không thể bắt đầu trước khi thu thập."))
    if reference_date.year < 2000:
        raise CampaignError(_("Thời điểm tính tuổi không hợp lệ."))
    for kind in RoundKind:
        deadlines = [r.deadline for r in rounds if r.kind == kind]
        if deadlines != sorted(deadlines) or len(set(deadlines)) != len(deadlines):
            raise CampaignError(_("Hạn của các đợt phải tăng dần, không trùng nhau."))
        percents = [r.target_percent for r in rounds if r.kind == kind]
        if percents != sorted(percents) or any(not 0 < p <= 100 for p in percents):
            raise CampaignError(_("Tỷ lệ chỉ tiêu của các đợt phải tăng dần, tối đa 100%."))
    levels = {level for level, _label in ReportDeadline.FROM_LEVELS}
    for report in reports:
        if not report.title.strip():
            raise CampaignError(_("Hãy ghi tên của báo cáo có hạn %(day)s.") % _day(report.due))
        if report.from_level not in levels:
            raise CampaignError(_("Báo cáo “%(title)s”: cấp gửi không hợp lệ.") % _named(report))
        if report.due < collection_start:
            raise CampaignError(
                _("Báo cáo “%(title)s”: hạn gửi phải sau ngày bắt đầu thu thập.") % _named(report)
            )


def _day(day: datetime.date) -> dict[str, str]:
    return {"day": f"{day:%d/%m/%Y}"}


def _named(report: ReportPlan) -> dict[str, str]:
    return {"title": report.title.strip()[:60]}


def _communes_for(acting_user: Any, area: Iterable[Unit]) -> list[Unit]:
    """The communes a campaign covers: communes chosen, or every current commune of a province."""
    communes: dict[int, Unit] = {}
    for unit in area:
        if not acting_user.unit.contains(unit):
            raise CampaignError(_("Địa bàn nằm ngoài phạm vi của bạn."))
        if unit.level == Level.COMMUNE:
            if unit.valid_to is not None:
                raise CampaignError(
                    _("Xã %(name)s đã không còn hiệu lực.") % {"name": unit.label()}
                )
            communes[unit.pk] = unit
        elif unit.level == Level.PROVINCE:
            for commune in Unit.objects.current().below(unit).filter(level=Level.COMMUNE):
                communes[commune.pk] = commune
        else:
            raise CampaignError(_("Địa bàn là một hoặc nhiều xã, hoặc cả tỉnh."))
    if not communes:
        raise CampaignError(_("Hãy chọn địa bàn của kế hoạch."))
    return list(communes.values())


def _set_plan(
    campaign: Campaign,
    *,
    title: str,
    legal_basis: str,
    reference_date: datetime.date,
    collection_start: datetime.date,
    collection_end: datetime.date,
    entry_start: datetime.date,
    entry_end: datetime.date,
    double_entry: bool,
) -> None:
    campaign.title = title.strip()[:200]
    campaign.legal_basis = legal_basis.strip()[:300]
    campaign.reference_date = reference_date
    campaign.collection_start, campaign.collection_end = collection_start, collection_end
    campaign.entry_start, campaign.entry_end = entry_start, entry_end
    campaign.double_entry = double_entry


def _write_rounds(campaign: Campaign, rounds: Sequence[RoundPlan]) -> None:
    campaign.rounds.all().delete()
    numbers: dict[str, int] = {}
    for plan in sorted(rounds, key=lambda r: (r.kind, r.deadline)):
        numbers[plan.kind] = numbers.get(plan.kind, 0) + 1
        Round.objects.create(
            campaign=campaign,
            kind=plan.kind,
            number=numbers[plan.kind],
            deadline=plan.deadline,
            target_percent=plan.target_percent,
        )


def _write_report_deadlines(campaign: Campaign, reports: Sequence[ReportPlan]) -> None:
    """Change the plan's report deadlines in place, row by row as the form shows them, so the
    reports already sent against one stay attached to it; a deadline some unit has already
    reported against cannot be removed."""
    existing = list(campaign.report_deadlines.order_by("pk"))
    for index, plan in enumerate(reports):
        deadline = existing[index] if index < len(existing) else ReportDeadline(campaign=campaign)
        deadline.title = plan.title.strip()[:200]
        deadline.from_level = plan.from_level
        deadline.due = plan.due
        deadline.save()
    for deadline in existing[len(reports) :]:
        try:
            deadline.delete()
        except ProtectedError:
            raise CampaignError(
                _("Không thể bỏ hạn báo cáo “%(title)s”: đã có đơn vị gửi báo cáo theo hạn này.")
                % {"title": deadline.title}
            ) from None


@transaction.atomic
def create_campaign(
    *,
    acting_user: Any,
    title: str,
    legal_basis: str,
    form_code: str,
    area: Iterable[Unit],
    reference_date: datetime.date,
    collection_start: datetime.date,
    collection_end: datetime.date,
    entry_start: datetime.date,
    entry_end: datetime.date,
    rounds: Sequence[RoundPlan] = (),
    double_entry: bool = False,
    reports: Sequence[ReportPlan] = (),
) -> Campaign:
    """A province plans for its communes; a commune plans for itself."""
    require_capability(acting_user, Capability.MANAGE_CAMPAIGNS)
    if acting_user.unit.level not in (Level.COUNTRY, Level.PROVINCE, Level.COMMUNE):
        raise CampaignError(_("Chỉ tỉnh hoặc xã lập kế hoạch thu thập."))
    if not title.strip():
        raise CampaignError(_("Hãy ghi tên kế hoạch."))
    _check(
        form_code=form_code,
        reference_date=reference_date,
        collection_start=collection_start,
        collection_end=collection_end,
        entry_start=entry_start,
        entry_end=entry_end,
        rounds=rounds,
        reports=reports,
    )
    communes = _communes_for(acting_user, area)
    campaign = Campaign(form_code=form_code, owner_unit=acting_user.unit, created_by=acting_user)
    _set_plan(
        campaign,
        title=title,
        legal_basis=legal_basis,
        reference_date=reference_date,
        collection_start=collection_start,
        collection_end=collection_end,
        entry_start=entry_start,
        entry_end=entry_end,
        double_entry=double_entry,
    )
    campaign.save()
    campaign.communes.set(communes)
    _write_rounds(campaign, rounds)
    _write_report_deadlines(campaign, reports)
    record_event(
        actor=acting_user,
        action="campaigns.create_campaign",
        target=campaign,
        unit=acting_user.unit,
        details={"communes": len(communes)},
    )
    return campaign


def may_set_targets(user: Any) -> bool:
    """Communes set their own targets (and their villages'); a province plans, it does not set a
    commune's targets. Administrators may, within their scope."""
    if not has_capability(user, Capability.MANAGE_CAMPAIGNS):
        return False
    return user.role == Role.SYSTEM_ADMINISTRATOR or user.unit.level == Level.COMMUNE


def may_manage(user: Any, campaign: Campaign) -> bool:
    """Only the unit that made a plan changes it: a commune does not change its province's plan,
    nor a province a commune's own (administrators may, within their scope)."""
    if user.role == Role.SYSTEM_ADMINISTRATOR:
        return bool(user.unit.contains(campaign.owner_unit))
    return bool(user.unit_id == campaign.owner_unit_id)


def _plan_text(
    *,
    rounds: Iterable[tuple[str, datetime.date, int]],
    reports: Iterable[tuple[str, int, datetime.date]] = (),
    **values: Any,
) -> dict[str, str]:
    """A plan's editable values as text, as a person would compare them."""
    text = {
        key: value.strftime("%d/%m/%Y")
        if isinstance(value, datetime.date)
        else (_("có") if value else _("không"))
        if isinstance(value, bool)
        else str(value or "").strip()
        for key, value in values.items()
    }
    for kind in RoundKind:
        text[f"rounds_{kind.value}"] = "; ".join(
            f"{deadline:%d/%m/%Y} ({percent}%)"
            for round_kind, deadline, percent in rounds
            if round_kind == kind.value
        )
    levels = dict(ReportDeadline.FROM_LEVELS)
    text["reports"] = "; ".join(
        f"{title.strip()} ({levels.get(level, level)}, {due:%d/%m/%Y})"
        for title, level, due in reports
    )
    return text


def plan_values(campaign: Campaign) -> dict[str, str]:
    """The plan as its edit page shows it; its token guards the page against lost updates."""
    return _plan_text(
        title=campaign.title,
        legal_basis=campaign.legal_basis,
        reference_date=campaign.reference_date,
        collection_start=campaign.collection_start,
        collection_end=campaign.collection_end,
        entry_start=campaign.entry_start,
        entry_end=campaign.entry_end,
        double_entry=campaign.double_entry,
        rounds=[
            (r.kind, r.deadline, r.target_percent)
            for r in campaign.rounds.order_by("kind", "number")
        ],
        reports=[(r.title, r.from_level, r.due) for r in campaign.report_deadlines.order_by("pk")],
    )


def plan_labels() -> dict[str, str]:
    return {
        "title": _("Tên kế hoạch"),
        "legal_basis": _("Căn cứ"),
        "reference_date": _("Thời điểm thu thập"),
        "collection_start": _("Bắt đầu thu thập"),
        "collection_end": _("Kết thúc thu thập"),
        "entry_start": _("Bắt đầu nhập liệu"),
        "entry_end": _("Kết thúc nhập liệu"),
        "double_entry": _("Nhập hai lần"),
        **{f"rounds_{kind.value}": str(kind.label) for kind in RoundKind},
        "reports": _("Hạn gửi báo cáo"),
    }


@transaction.atomic
def update_campaign(
    *,
    acting_user: Any,
    campaign: Campaign,
    title: str,
    legal_basis: str,
    reference_date: datetime.date,
    collection_start: datetime.date,
    collection_end: datetime.date,
    entry_start: datetime.date,
    entry_end: datetime.date,
    rounds: Sequence[RoundPlan],
    double_entry: bool,
    reports: Sequence[ReportPlan] = (),
    loaded_token: str | None = None,
) -> Campaign:
    require_capability(acting_user, Capability.MANAGE_CAMPAIGNS)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(acting_user, campaign):
        raise CampaignError(_("Kế hoạch này do cấp trên lập; bạn chỉ đặt chỉ tiêu của xã."))
    check_token(
        loaded_token,
        current=plan_values(campaign),
        mine=_plan_text(
            title=title.strip() or campaign.title,
            legal_basis=legal_basis,
            reference_date=reference_date,
            collection_start=collection_start,
            collection_end=collection_end,
            entry_start=entry_start,
            entry_end=entry_end,
            double_entry=double_entry,
            rounds=[(r.kind, r.deadline, r.target_percent) for r in rounds],
            reports=[(r.title, r.from_level, r.due) for r in reports],
        ),
        labels=plan_labels(),
    )
    _check(
        form_code=campaign.form_code,
        reference_date=reference_date,
        collection_start=collection_start,
        collection_end=collection_end,
        entry_start=entry_start,
        entry_end=entry_end,
        rounds=rounds,
        reports=reports,
    )
    _set_plan(
        campaign,
        title=title.strip() or campaign.title,
        legal_basis=legal_basis,
        reference_date=reference_date,
        collection_start=collection_start,
        collection_end=collection_end,
        entry_start=entry_start,
        entry_end=entry_end,
        double_entry=double_entry,
    )
    campaign.save()
    _write_rounds(campaign, rounds)
    _write_report_deadlines(campaign, reports)
    record_event(
        actor=acting_user,
        action="campaigns.update_campaign",
        target=campaign,
        unit=acting_user.unit,
    )
    return campaign


def _target_text(total: int | None, count: int | None) -> str:
    if count is None:
        return ""
    return _("tổng %(total)s, đợt này %(count)s") % {
        "total": "—" if total is None else total,
        "count": count,
    }


def target_values(campaign: Campaign, within: Unit) -> dict[str, str]:
    """The targets of a campaign in a user's area, as text by unit: what the targets page
    shows, and what its token guards."""
    return {
        str(unit_id): _target_text(total, count)
        for unit_id, total, count in Target.objects.filter(
            subtree_filter(within.path, "unit__"), campaign=campaign
        ).values_list("unit_id", "total", "count")
    }


@transaction.atomic
def set_targets(
    *,
    acting_user: Any,
    campaign: Campaign,
    targets: Mapping[Unit, tuple[int | None, int | None]],
    loaded_token: str | None = None,
) -> int:
    """Set (total, due this campaign) per commune or village; (None, None) removes a target.
    `loaded_token` (targets_token when the page was opened) refuses a save over targets
    someone else changed meanwhile."""
    require_capability(acting_user, Capability.MANAGE_CAMPAIGNS)
    if not may_set_targets(acting_user):
        raise CampaignError(_("Chỉ tiêu của xã do xã đặt (docs/access.md)."))
    # The campaign's row lock serialises two people saving targets of the same campaign.
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    current = target_values(campaign, acting_user.unit)
    mine = {**current}
    for unit, (total, count) in targets.items():
        mine[str(unit.pk)] = _target_text(total, count)
    names = {
        str(u.pk): u.label()
        for u in Unit.objects.filter(pk__in=[int(k) for k in set(mine) | set(current)])
    }
    check_token(loaded_token, current=current, mine=mine, labels=names)
    commune_ids = set(campaign.communes.values_list("pk", flat=True))
    changed = 0
    for unit, (total, count) in targets.items():
        if not acting_user.unit.contains(unit):
            raise CampaignError(_("Địa bàn nằm ngoài phạm vi của bạn."))
        commune_id = unit.pk if unit.level == Level.COMMUNE else unit.parent_id
        if commune_id not in commune_ids or unit.level not in (Level.COMMUNE, Level.VILLAGE):
            raise CampaignError(
                _("%(name)s không thuộc địa bàn của kế hoạch.") % {"name": unit.label()}
            )
        if count is None:
            changed += Target.objects.filter(campaign=campaign, unit=unit).delete()[0]
            continue
        if count < 0 or (total is not None and total < 0):
            raise CampaignError(_("Chỉ tiêu phải là số không âm."))
        Target.objects.update_or_create(
            campaign=campaign, unit=unit, defaults={"count": count, "total": total}
        )
        changed += 1
    record_event(
        actor=acting_user,
        action="campaigns.set_targets",
        target=campaign,
        unit=acting_user.unit,
        details={"changed": changed},
    )
    return changed


@transaction.atomic
def close_campaign(*, acting_user: Any, campaign: Campaign) -> Campaign:
    require_capability(acting_user, Capability.MANAGE_CAMPAIGNS)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(acting_user, campaign):
        raise CampaignError(_("Kế hoạch này do cấp trên lập."))
    if campaign.closed_at is not None:
        raise CampaignError(_("Kế hoạch đã kết thúc."))
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["closed_at"])
    record_event(
        actor=acting_user, action="campaigns.close_campaign", target=campaign, unit=acting_user.unit
    )
    return campaign


MAX_RATE = 10_000_000  # đồng per form: far above any rate of TT 55/2023; a typo guard


@transaction.atomic
def set_rates(*, acting_user: Any, campaign: Campaign, rates: Mapping[str, int | None]) -> None:
    """Set the amount paid per form of each task (None clears it); only the plan's maker."""
    require_capability(acting_user, Capability.MANAGE_CAMPAIGNS)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not may_manage(acting_user, campaign):
        raise CampaignError(_("Đơn giá do đơn vị lập kế hoạch đặt."))
    labels = dict(PaymentTask.choices)
    changes: dict[str, list[int | None]] = {}
    current = {rate.task: rate for rate in campaign.rates.all()}
    for task, amount in rates.items():
        if task not in labels:
            raise CampaignError(_("Không có nhiệm vụ “%(task)s”.") % {"task": task})
        if amount is not None and not 0 <= amount <= MAX_RATE:
            raise CampaignError(
                _("Đơn giá “%(task)s” phải từ 0 đến %(max)s đồng.")
                % {"task": labels[task], "max": f"{MAX_RATE:,}".replace(",", ".")}
            )
        rate = current.get(task)
        before = rate.amount if rate else None
        if before == amount:
            continue
        changes[task] = [before, amount]
        if amount is None:
            assert rate is not None
            rate.delete()
        elif rate is None:
            PaymentRate.objects.create(
                campaign=campaign,
                task=task,
                amount=amount,
                set_by=acting_user,
                set_at=timezone.now(),
            )
        else:
            rate.amount, rate.set_by, rate.set_at = amount, acting_user, timezone.now()
            rate.save()
    if changes:
        record_event(
            actor=acting_user,
            action="campaigns.set_rates",
            target=campaign,
            unit=acting_user.unit,
            details={"changes": changes},
        )
