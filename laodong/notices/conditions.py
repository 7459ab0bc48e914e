"""What each user should act on now, read from the data: returned forms, forms to accept,
handovers waiting for the police, reports due, to approve, to review or returned, and rounds a
unit is behind. Each source answers for every user at once in a few grouped queries (for the
scheduled `laodong notify`), or for one user (when that user opens the list)."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import CAPABILITIES, Capability
from laodong.campaigns.models import Campaign, ReportDeadline
from laodong.collection.models import Status, WorkItem
from laodong.handover.models import Handover, HandoverStatus
from laodong.notices.models import NoticeKind
from laodong.units.models import Level, Unit

# Reports are announced this many days before they are due (and every day once overdue).
REPORT_WARNING_DAYS = 7


@dataclass(frozen=True)
class Condition:
    user_id: int
    kind: str
    key: str
    text: str
    url: str


def _roles(capability: Capability) -> list[str]:
    """The roles that act on it; administrators are not reminded of others' work."""
    return [
        role
        for role, granted in CAPABILITIES.items()
        if capability in granted and role != Role.SYSTEM_ADMINISTRATOR
    ]


def _people(capability: Capability, unit_ids: set[int], only: User | None) -> dict[int, list[int]]:
    """Active accounts with the capability in each unit: {unit: [user ids]}."""
    if not unit_ids:
        return {}
    accounts = User.objects.filter(
        is_active=True, role__in=_roles(capability), unit_id__in=unit_ids
    )
    if only is not None:
        accounts = accounts.filter(pk=only.pk)
    found: dict[int, list[int]] = {}
    for pk, unit_id in accounts.values_list("pk", "unit_id"):
        found.setdefault(unit_id, []).append(pk)
    return found


def _open_campaigns() -> dict[int, Campaign]:
    return {c.pk: c for c in Campaign.objects.filter(closed_at__isnull=True).only("pk", "title")}


def returned_forms(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    items = WorkItem.objects.filter(
        status=Status.RETURNED, campaign_id__in=campaigns, collected_by__isnull=False
    )
    if only is not None:
        items = items.filter(collected_by=only)
    rows = items.values("collected_by", "campaign_id").annotate(n=Count("pk")).order_by()
    ids = {row["collected_by"] for row in rows}
    active = set(User.objects.filter(pk__in=ids, is_active=True).values_list("pk", flat=True))
    for row in rows:
        if row["collected_by"] not in active:
            continue
        campaign = campaigns[row["campaign_id"]]
        yield Condition(
            row["collected_by"],
            NoticeKind.RETURNED_FORMS,
            f"returned:{campaign.pk}",
            ngettext(
                "%(n)s phiếu bị trả lại chờ bạn sửa — %(campaign)s",
                "%(n)s phiếu bị trả lại chờ bạn sửa — %(campaign)s",
                row["n"],
            )
            % {"n": row["n"], "campaign": campaign.title},
            reverse("collection-list-work", args=[campaign.pk]) + "?status=returned",
        )


def _per_commune(
    rows: Any,
    campaigns: dict[int, Campaign],
    only: User | None,
    capability: Capability,
    kind: str,
    url_name: str,
    text: Callable[[int, Campaign], str],
) -> Iterator[Condition]:
    """Counts per (commune, campaign) told to the commune's accounts with the capability."""
    if only is not None:
        rows = rows.filter(commune_id=only.unit_id)
    found = list(rows.values("commune_id", "campaign_id").annotate(n=Count("pk")).order_by())
    people = _people(capability, {r["commune_id"] for r in found}, only)
    for row in found:
        campaign, commune_id = campaigns[row["campaign_id"]], row["commune_id"]
        for user_id in people.get(commune_id, []):
            yield Condition(
                user_id,
                kind,
                f"{kind}:{campaign.pk}:{commune_id}",
                text(row["n"], campaign),
                reverse(url_name, args=[campaign.pk, commune_id]),
            )


def forms_to_accept(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    return _per_commune(
        WorkItem.objects.filter(status=Status.SUBMITTED, campaign_id__in=campaigns),
        campaigns,
        only,
        Capability.ACCEPT_FORMS,
        NoticeKind.FORMS_TO_ACCEPT,
        "collection-list-review",
        lambda n, campaign: (
            ngettext(
                "%(n)s phiếu chờ nghiệm thu — %(campaign)s",
                "%(n)s phiếu chờ nghiệm thu — %(campaign)s",
                n,
            )
            % {"n": n, "campaign": campaign.title}
        ),
    )


def handovers_waiting(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    return _per_commune(
        Handover.objects.filter(status=HandoverStatus.PENDING, campaign_id__in=campaigns),
        campaigns,
        only,
        Capability.RECEIVE_FORMS,
        NoticeKind.HANDOVER_WAITING,
        "handover-list-handovers",
        lambda n, campaign: (
            ngettext(
                "%(n)s biên bản bàn giao chờ Công an xã xác nhận — %(campaign)s",
                "%(n)s biên bản bàn giao chờ Công an xã xác nhận — %(campaign)s",
                n,
            )
            % {"n": n, "campaign": campaign.title}
        ),
    )


def _days_text(due: datetime.date, today: datetime.date) -> str:
    days = (due - today).days
    if days < 0:
        return ngettext("quá hạn %(days)s ngày", "quá hạn %(days)s ngày", -days) % {"days": -days}
    return ngettext("còn %(days)s ngày", "còn %(days)s ngày", days) % {"days": days}


def reports(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    from laodong.reports.models import SentReport, SentStatus

    today = timezone.localdate()
    deadlines = list(ReportDeadline.objects.filter(campaign_id__in=campaigns))
    if not deadlines:
        return
    # The senders of each deadline: the campaign's communes, or their provinces.
    communes: dict[int, set[int]] = {}
    parent_of: dict[int, int] = {}
    for campaign_id, unit_id, parent_id in Campaign.communes.through.objects.filter(
        campaign_id__in={d.campaign_id for d in deadlines}
    ).values_list("campaign_id", "unit_id", "unit__parent_id"):
        communes.setdefault(campaign_id, set()).add(unit_id)
        if parent_id is not None:
            parent_of[unit_id] = parent_id
    for province in Unit.objects.filter(pk__in=set(parent_of.values())).only("pk", "parent_id"):
        if province.parent_id is not None:
            parent_of[province.pk] = province.parent_id

    def senders(deadline: ReportDeadline) -> set[int]:
        units = communes.get(deadline.campaign_id, set())
        if deadline.from_level == Level.PROVINCE:
            return {parent_of[u] for u in units if u in parent_of}
        return units

    latest: dict[tuple[int, int], Any] = {}
    sent: set[tuple[int, int]] = set()
    for version in SentReport.objects.filter(deadline__in=deadlines).only(
        "pk", "deadline_id", "unit_id", "version", "status", "approved_at"
    ):
        key = (version.deadline_id, version.unit_id)
        if key not in latest or latest[key].version < version.version:
            latest[key] = version
        if version.approved_at is not None:
            sent.add(key)
    units = {u for d in deadlines for u in senders(d)}
    preparers = _people(Capability.PREPARE_REPORTS, units, only)
    approvers = _people(Capability.APPROVE_REPORTS, units, only)
    reviewers = _people(
        Capability.REVIEW_REPORTS, {parent_of[u] for u in units if u in parent_of}, only
    )
    waiting_review: dict[tuple[int, int], int] = {}
    for deadline in deadlines:
        page = reverse("reports-view-deadline", args=[deadline.pk])
        due = f"{deadline.due:%d/%m/%Y}"
        for unit_id in senders(deadline):
            report = latest.get((deadline.pk, unit_id))
            status = report.status if report else None
            if status == SentStatus.ACCEPTED:
                continue
            if (deadline.pk, unit_id) not in sent and (deadline.due - today).days <= (
                REPORT_WARNING_DAYS
            ):
                for user_id in preparers.get(unit_id, []):
                    yield Condition(
                        user_id,
                        NoticeKind.REPORT_DUE,
                        f"report_due:{deadline.pk}",
                        _("%(title)s chưa gửi, hạn %(due)s (%(days)s)")
                        % {
                            "title": deadline.title,
                            "due": due,
                            "days": _days_text(deadline.due, today),
                        },
                        page,
                    )
            if report is not None and status in (SentStatus.RETURNED, SentStatus.NOT_APPROVED):
                for user_id in preparers.get(unit_id, []):
                    yield Condition(
                        user_id,
                        NoticeKind.REPORT_RETURNED,
                        f"report_returned:{report.pk}",
                        _("%(title)s lần %(version)s: %(status)s — hãy sửa và gửi lại")
                        % {
                            "title": deadline.title,
                            "version": report.version,
                            "status": report.get_status_display().lower(),
                        },
                        reverse("reports-view-sent", args=[report.pk]),
                    )
            if report is not None and status == SentStatus.AWAITING_APPROVAL:
                for user_id in approvers.get(unit_id, []):
                    yield Condition(
                        user_id,
                        NoticeKind.REPORT_TO_APPROVE,
                        f"report_approve:{report.pk}",
                        _("%(title)s lần %(version)s chờ bạn duyệt (hạn %(due)s)")
                        % {"title": deadline.title, "version": report.version, "due": due},
                        reverse("reports-view-sent", args=[report.pk]),
                    )
            if status == SentStatus.SENT and unit_id in parent_of:
                key = (deadline.pk, parent_of[unit_id])
                waiting_review[key] = waiting_review.get(key, 0) + 1
    titles = {d.pk: d for d in deadlines}
    for (deadline_id, parent_id), n in waiting_review.items():
        deadline = titles[deadline_id]
        for user_id in reviewers.get(parent_id, []):
            yield Condition(
                user_id,
                NoticeKind.REPORT_TO_REVIEW,
                f"report_review:{deadline_id}",
                ngettext(
                    "%(n)s báo cáo “%(title)s” của cấp dưới chờ bạn xem xét",
                    "%(n)s báo cáo “%(title)s” của cấp dưới chờ bạn xem xét",
                    n,
                )
                % {"n": n, "title": deadline.title},
                reverse("reports-view-deadline", args=[deadline_id]),
            )


def rounds_behind(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    """Units behind a round whose deadline has passed: the commune is told its late villages,
    the province its late communes."""
    from laodong.campaigns.progress import late_units, progress_by_unit

    today = timezone.localdate()
    passed = (
        Campaign.objects.filter(pk__in=campaigns, rounds__deadline__lt=today)
        .distinct()
        .prefetch_related("rounds")
    )
    for campaign in passed:
        places = Unit.objects.filter(pk__in=campaign.communes.values("pk"))
        if only is not None:
            places = places.filter(Q(pk=only.unit_id) | Q(parent_id=only.unit_id))
        communes = list(places)
        provinces = list(Unit.objects.filter(pk__in={c.parent_id for c in communes}))
        if only is not None:
            if only.unit_id in {p.pk for p in provinces}:
                communes = []
            else:
                provinces = []
        for unit in [*communes, *provinces]:
            rows, _total = progress_by_unit(campaign, unit)
            late = late_units(campaign, rows, today)
            if not late:
                continue
            names = [
                row.unit.label() for row in rows if row.unit is not None and row.unit.pk in late
            ]
            capability = (
                Capability.MANAGE_CAMPAIGNS
                if unit.level == Level.PROVINCE
                else (Capability.ACCEPT_FORMS)
            )
            people = _people(capability, {unit.pk}, only)
            if unit.level == Level.COMMUNE:
                people = {
                    unit.pk: people.get(unit.pk, [])
                    + _people(Capability.APPROVE_REPORTS, {unit.pk}, only).get(unit.pk, [])
                }
            shown = ", ".join(names[:5]) + ("…" if len(names) > 5 else "")
            for user_id in people.get(unit.pk, []):
                yield Condition(
                    user_id,
                    NoticeKind.ROUND_BEHIND,
                    f"round_behind:{campaign.pk}:{unit.pk}",
                    ngettext(
                        "%(n)s đơn vị chậm so với đợt đã hết hạn: %(names)s — %(campaign)s",
                        "%(n)s đơn vị chậm so với đợt đã hết hạn: %(names)s — %(campaign)s",
                        len(names),
                    )
                    % {"n": len(names), "names": shown, "campaign": campaign.title},
                    reverse("campaigns-view-campaign", args=[campaign.pk]) + f"?unit={unit.pk}",
                )


def sync_conflicts(campaigns: dict[int, Campaign], only: User | None) -> Iterator[Condition]:
    """Forms a phone sent that met a conflict, waiting for a decision: told to the enumerator
    who sent them and to the commune's officers."""
    from laodong.offline.models import Outcome, SyncedForm

    waiting = SyncedForm.objects.filter(
        outcome=Outcome.CONFLICT, decided_at__isnull=True, work_item__campaign_id__in=campaigns
    )
    url = reverse("offline-list-conflicts")

    def text(n: int) -> str:
        return ngettext(
            "%(n)s phiếu xung đột khi đồng bộ chờ quyết định",
            "%(n)s phiếu xung đột khi đồng bộ chờ quyết định",
            n,
        ) % {"n": n}

    mine = waiting if only is None else waiting.filter(user=only)
    for row in mine.values("user_id").annotate(n=Count("pk")).order_by():
        yield Condition(
            row["user_id"], NoticeKind.SYNC_CONFLICTS, "conflicts:own", text(row["n"]), url
        )
    rows = waiting
    if only is not None:
        rows = rows.filter(work_item__commune_id=only.unit_id)
    found = list(rows.values("work_item__commune_id").annotate(n=Count("pk")).order_by())
    people = _people(Capability.ACCEPT_FORMS, {r["work_item__commune_id"] for r in found}, only)
    for row in found:
        commune_id = row["work_item__commune_id"]
        for user_id in people.get(commune_id, []):
            yield Condition(
                user_id, NoticeKind.SYNC_CONFLICTS, f"conflicts:{commune_id}", text(row["n"]), url
            )


QUICK_SOURCES = (returned_forms, forms_to_accept, handovers_waiting, reports, sync_conflicts)
SOURCES = (*QUICK_SOURCES, rounds_behind)


def current(only: User | None = None, sources: tuple[Any, ...] = SOURCES) -> list[Condition]:
    """Everything every user (or `only`) should act on now."""
    campaigns = _open_campaigns()
    if not campaigns:
        return []
    found: dict[tuple[int, str], Condition] = {}
    for source in sources:
        for condition in source(campaigns, only):
            found.setdefault((condition.user_id, condition.key), condition)
    return list(found.values())
