"""What each role sees first: where it stands and what to do next, from real counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laodong.accounts.access import accounts_in_scope
from laodong.accounts.models import Role
from laodong.accounts.permissions import Capability, has_capability
from laodong.collection.models import Assignment
from laodong.units.models import Level, Unit

COMMUNE_ROLES = (
    Role.COMMUNE_LEADER,
    Role.COMMUNE_LABOR_OFFICER,
    Role.COMMUNE_POLICE,
    Role.COMMUNE_FINANCE_OFFICER,
    Role.ENUMERATOR,
)


@dataclass
class Card:
    title: str
    text: str = ""
    tone: str = "info"  # info, todo, done
    links: list[tuple[str, str]] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)  # shown in red: overdue


def _n(number: int) -> str:
    """A count in the active language's grouping (3.321 in Vietnamese)."""
    return number_format(number, force_grouping=True)


def _role_counts(user: Any) -> dict[str, int]:
    rows = accounts_in_scope(user).filter(is_active=True).values("role").annotate(n=Count("pk"))
    return {row["role"]: row["n"] for row in rows}


def _commune_cards(user: Any, commune: Unit) -> list[Card]:
    cards: list[Card] = []
    villages = list(
        Unit.objects.current()
        .filter(parent=commune, level=Level.VILLAGE)
        .annotate(
            enumerators=Count(
                "accounts", filter=Q(accounts__role=Role.ENUMERATOR, accounts__is_active=True)
            ),
            # An enumerator of another village (or of the commune) given the whole village in an
            # open campaign covers it too.
            assigned=Exists(
                Assignment.objects.filter(
                    village=OuterRef("pk"),
                    household_code="",
                    enumerator__is_active=True,
                    campaign__closed_at__isnull=True,
                )
            ),
        )
        .order_by("name_folded")
    )
    counts = _role_counts(user)
    manage_villages = has_capability(user, Capability.MANAGE_VILLAGES)
    manage_accounts = has_capability(user, Capability.MANAGE_ACCOUNTS)
    if not villages:
        card = Card(
            _("Xã chưa có danh sách thôn"),
            tone="todo",
            text=_(
                "Công việc thu thập được chia theo thôn / tổ dân phố. Hãy thêm từng thôn hoặc nhập "
                "cả danh sách từ Excel."
            )
            if manage_villages
            else _("Công chức Văn hóa – Xã hội hoặc lãnh đạo xã cần khai báo các thôn của xã."),
        )
        if manage_villages:
            card.links = [
                (_("Thêm thôn"), reverse("units-create-village", args=[commune.pk])),
                (_("Nhập từ Excel"), reverse("units-import-villages")),
            ]
        cards.append(card)
    else:
        without = [
            v.name
            for v in villages
            if v.enumerators == 0 and not v.assigned  # type: ignore[attr-defined]
        ]
        card = Card(
            _("%(count)s thôn / tổ dân phố") % {"count": len(villages)},
            tone="todo" if without else "done",
            text=_("Thôn chưa có điều tra viên:")
            if without
            else _("Thôn nào cũng đã có điều tra viên."),
            items=without,
            links=[(_("Xem các thôn"), reverse("units-view-unit", args=[commune.pk]))],
        )
        cards.append(card)
    missing = [role for role in COMMUNE_ROLES if not counts.get(role)]
    if manage_accounts:
        cards.append(
            Card(
                _("Tài khoản của xã"),
                tone="todo" if missing else "done",
                text=_("Còn thiếu tài khoản cho các vai trò:")
                if missing
                else _("Đã có tài khoản cho mọi vai trò."),
                items=[str(Role(role).label) for role in missing],
                links=[
                    (_("Tạo tài khoản"), reverse("accounts-create-account")),
                    (_("Nhập danh sách từ Excel"), reverse("accounts-import-accounts")),
                    (_("Danh sách tài khoản"), reverse("accounts-list-accounts")),
                ],
            )
        )
    elif has_capability(user, Capability.VIEW_ACCOUNTS):
        cards.append(
            Card(
                _("%(count)s điều tra viên") % {"count": counts.get(Role.ENUMERATOR, 0)},
                text=_("Lãnh đạo xã tạo và khóa tài khoản; bạn xem được danh sách."),
                links=[(_("Danh sách tài khoản"), reverse("accounts-list-accounts"))],
            )
        )
    return cards


def _field_cards(user: Any, unit: Unit) -> list[Card]:
    """Enumerators, village heads and police: their area and what is assigned to them."""
    commune = unit if unit.level == Level.COMMUNE else unit.parent
    area = unit.label() if unit.level == Level.COMMUNE else f"{unit.label()}, {commune}"
    cards = [
        Card(
            _("Địa bàn của bạn"),
            text=area,
            links=[(_("Xem địa bàn"), reverse("units-view-unit", args=[unit.pk]))],
        )
    ]
    campaign_cards = _campaign_cards(user)
    if campaign_cards:
        return cards + campaign_cards
    if user.role == Role.COMMUNE_POLICE:
        text = _("Xã chưa mở đợt thu thập nào, nên chưa có danh sách cần nhận hay nhập.")
    else:
        text = _(
            "Chưa có phiếu nào được giao cho bạn. Khi xã mở đợt thu thập và phân công, "
            "danh sách người cần thu thập sẽ hiện ở đây."
        )
    cards.append(Card(_("Việc cần làm"), text=text))
    return cards


def _campaign_cards(user: Any) -> list[Card]:
    """One card per open campaign: what this role has to do in it now, from real counts."""
    from laodong.campaigns.access import campaigns_in_scope
    from laodong.collection.access import items_in_scope
    from laodong.collection.models import Status
    from laodong.handover.models import RECEIVED, Handover, HandoverStatus

    if not has_capability(user, Capability.VIEW_CAMPAIGNS):
        return []
    cards = []
    for campaign in campaigns_in_scope(user).filter(closed_at__isnull=True)[:5]:
        items = items_in_scope(user, campaign)
        progress = reverse("campaigns-view-campaign", args=[campaign.pk])
        links = [(_("Tiến độ"), progress)]
        lines: list[str] = []
        # The counts behind the lines: anything waiting makes the card a to-do.
        waiting: list[int] = []
        if has_capability(user, Capability.COLLECT_FORMS):
            mine = items.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
            counts = mine.aggregate(
                todo=Count("pk", filter=Q(status=Status.LISTED, in_latest_list=True)),
                returned=Count("pk", filter=Q(status=Status.RETURNED)),
            )
            waiting = [counts["todo"], counts["returned"]]
            lines = [
                _("%(n)s người cần thu thập") % {"n": _n(counts["todo"])},
                _("%(n)s phiếu bị trả lại cần sửa") % {"n": _n(counts["returned"])},
            ]
            lines += _own_target(user, campaign)
            links.insert(
                0,
                (_("Danh sách cần thu thập"), reverse("collection-list-work", args=[campaign.pk])),
            )
            # The same list on the phone, to work without signal (issue 15).
            links.insert(1, (_("Làm ngoại tuyến"), reverse("offline-app")))
        elif has_capability(user, Capability.RECEIVE_FORMS):
            pending = Handover.objects.filter(
                campaign=campaign, status=HandoverStatus.PENDING, commune=user.unit
            ).count()
            to_enter = items.filter(
                status=Status.HANDED_OVER, handover__status__in=RECEIVED
            ).count()
            waiting = [pending, to_enter]
            lines = [
                _("%(n)s biên bản bàn giao chờ xác nhận") % {"n": _n(pending)},
                _("%(n)s phiếu chờ nhập vào CSDL dân cư") % {"n": _n(to_enter)},
            ]
            if user.unit.level == Level.COMMUNE:
                links.insert(
                    0,
                    (
                        _("Biên bản bàn giao"),
                        reverse("handover-list-handovers", args=[campaign.pk, user.unit.pk]),
                    ),
                )
                links.insert(
                    1,
                    (
                        _("Tải lên danh sách"),
                        reverse("collection-upload-list", args=[campaign.pk, user.unit.pk]),
                    ),
                )
        elif has_capability(user, Capability.ACCEPT_FORMS) and user.unit.level == Level.COMMUNE:
            counts = items.aggregate(
                submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
                not_enterable=Count("pk", filter=Q(status=Status.NOT_ENTERABLE)),
                accepted=Count("pk", filter=Q(status=Status.ACCEPTED)),
            )
            waiting = list(counts.values())
            lines = [
                _("%(n)s phiếu chờ nghiệm thu") % {"n": _n(counts["submitted"])},
                _("%(n)s phiếu Công an xã không nhập được") % {"n": _n(counts["not_enterable"])},
                _("%(n)s phiếu đã nghiệm thu chưa bàn giao") % {"n": _n(counts["accepted"])},
            ]
            links.insert(
                0,
                (
                    _("Nghiệm thu"),
                    reverse("collection-list-review", args=[campaign.pk, user.unit.pk]),
                ),
            )
            links.append((_("Điện thoại ngoại tuyến"), reverse("offline-list-devices")))
            links.append((_("Phiếu xung đột"), reverse("offline-list-conflicts")))
        if has_capability(user, Capability.VIEW_PAYMENTS) and user.unit.level == Level.COMMUNE:
            payment = (
                _("Bảng kê thanh toán"),
                reverse("collection-list-payments", args=[campaign.pk, user.unit.pk]),
            )
            # Settling payments is the finance officer's whole task here: its first button.
            if user.role == Role.COMMUNE_FINANCE_OFFICER:
                links.insert(0, payment)
            else:
                links.append(payment)
        cards.append(
            Card(campaign.title, tone="todo" if any(waiting) else "info", items=lines, links=links)
        )
    return cards


def _own_target(user: Any, campaign: Any) -> list[str]:
    """The enumerator's target and deadline in the campaign, and how far they are (2 queries)."""
    from django.db.models import Min, Sum

    from laodong.collection.models import ACCEPTED_OR_LATER, WorkItem

    goal = Assignment.objects.filter(campaign=campaign, enumerator=user).aggregate(
        target=Sum("target"), due=Min("due")
    )
    if not goal["target"]:
        return []
    done = WorkItem.objects.filter(campaign=campaign, collected_by=user).aggregate(
        collected=Count("pk"), accepted=Count("pk", filter=Q(status__in=ACCEPTED_OR_LATER))
    )
    line = _(
        "Chỉ tiêu %(target)s phiếu%(due)s: đã thu thập %(collected)s, đã nghiệm thu %(accepted)s"
    ) % {
        "target": _n(goal["target"]),
        "due": _(", hạn %(day)s") % {"day": f"{goal['due']:%d/%m/%Y}"} if goal["due"] else "",
        "collected": _n(done["collected"]),
        "accepted": _n(done["accepted"]),
    }
    if goal["due"] and done["accepted"] < goal["target"]:
        days = (goal["due"] - timezone.localdate()).days
        line += " · " + (
            ngettext("quá hạn %(days)s ngày", "quá hạn %(days)s ngày", -days) % {"days": -days}
            if days < 0
            else ngettext("còn %(days)s ngày", "còn %(days)s ngày", days) % {"days": days}
        )
    return [line]


def _province_cards(user: Any, province: Unit) -> list[Card]:
    return _province_unit_cards(user, province) + _campaign_cards(user)


def _province_unit_cards(user: Any, province: Unit) -> list[Card]:
    communes = Unit.objects.current().filter(parent=province, level=Level.COMMUNE)
    summary = communes.aggregate(
        total=Count("pk", distinct=True),
        with_villages=Count(
            "pk",
            distinct=True,
            filter=Q(children__level=Level.VILLAGE, children__valid_to__isnull=True),
        ),
    )
    with_officer = (
        communes.filter(accounts__role=Role.COMMUNE_LABOR_OFFICER, accounts__is_active=True)
        .distinct()
        .count()
    )
    total = summary["total"]
    return [
        Card(
            _("%(count)s xã, phường, đặc khu") % {"count": _n(total)},
            tone="done" if total and summary["with_villages"] == total else "todo",
            items=[
                _("%(n)s / %(total)s đã khai báo danh sách thôn")
                % {"n": summary["with_villages"], "total": total},
                _("%(n)s / %(total)s đã có tài khoản công chức Văn hóa – Xã hội")
                % {"n": with_officer, "total": total},
            ],
            links=[(_("Xem các xã"), reverse("units-view-unit", args=[province.pk]))],
        )
    ]


def _admin_cards(user: Any, unit: Unit) -> list[Card]:
    cards = []
    provinces = Unit.objects.current().within(unit).filter(level=Level.PROVINCE).count()
    if unit.level == Level.COUNTRY and provinces == 0:
        cards.append(
            Card(
                _("Chưa nạp danh mục đơn vị hành chính"),
                tone="todo",
                text=_("Chạy lệnh “laodong units load” trên máy chủ để nạp 34 tỉnh và 3.321 xã."),
            )
        )
    elif unit.level == Level.COUNTRY:
        communes = Unit.objects.current().filter(level=Level.COMMUNE).count()
        cards.append(
            Card(
                _("Danh mục đơn vị hành chính"),
                tone="done",
                text=_("%(p)s tỉnh, thành phố; %(c)s xã, phường, đặc khu.")
                % {"p": _n(provinces), "c": _n(communes)},
                links=[(_("Xem danh mục"), reverse("units-view-unit", args=[unit.pk]))],
            )
        )
    else:
        cards.extend(_province_unit_cards(user, unit))
    total = accounts_in_scope(user).filter(is_active=True).count()
    cards.append(
        Card(
            _("%(count)s tài khoản đang hoạt động") % {"count": _n(total)},
            links=[
                (_("Tạo tài khoản"), reverse("accounts-create-account")),
                (_("Danh sách tài khoản"), reverse("accounts-list-accounts")),
            ],
        )
    )
    return cards


def _register_card(user: Any) -> list[Card]:
    """The people aged 15+ in the register of the user's area today, as the statistics count
    them: from the summary kept current (a province's count of every record cost 87 ms on each
    load at 2 million people, and grew with them)."""
    from laodong.reports.statistics import count_cells

    if not has_capability(user, Capability.VIEW_REGISTER):
        return []
    cells = count_cells(user.unit, timezone.localdate())
    count = sum(counts[0] for place in cells.values() for counts in place.values())
    links = [(_("Danh sách người lao động"), reverse("register-list-people"))]
    if has_capability(user, Capability.EDIT_REGISTER):
        links.insert(0, (_("Nhập phiếu"), reverse("register-create-person")))
    return [
        Card(
            _("%(count)s người từ 15 tuổi trở lên trong cơ sở dữ liệu") % {"count": _n(count)},
            text=_("Thuộc địa bàn của bạn, hôm nay; không tính người đã ra khỏi diện quản lý.")
            if count
            else _("Địa bàn của bạn chưa có phiếu nào được lưu."),
            links=links,
        )
    ]


def _transfer_cards(user: Any) -> list[Card]:
    """Requests for a record this area holds, waiting for its answer."""
    from laodong.register.models import TransferRequest, TransferStatus

    if not has_capability(user, Capability.EDIT_REGISTER):
        return []
    waiting = TransferRequest.objects.filter(
        status=TransferStatus.PENDING, from_commune__in=Unit.objects.within(user.unit)
    ).count()
    if not waiting:
        return []
    return [
        Card(
            _("%(count)s đề nghị chuyển hồ sơ chờ xã trả lời") % {"count": _n(waiting)},
            tone="todo",
            text=_("Xã khác đề nghị nhận hồ sơ của người đã chuyển đến đó."),
            links=[(_("Xem và trả lời"), reverse("register-list-transfers"))],
        )
    ]


def _request_cards(user: Any) -> list[Card]:
    """Open requests for correction, oldest first, with their age in days."""
    from django.utils import timezone

    from laodong.register.models import OPEN_REQUESTS, ChangeRequest

    if not has_capability(user, Capability.EDIT_REGISTER):
        return []
    open_requests = ChangeRequest.objects.filter(
        status__in=OPEN_REQUESTS, commune__in=Unit.objects.within(user.unit)
    ).select_related("person")
    oldest = list(open_requests.order_by("received_on", "pk")[:5])
    if not oldest:
        return []
    count = len(oldest) if len(oldest) < 5 else open_requests.count()
    today = timezone.localdate()
    return [
        Card(
            _("%(count)s đề nghị điều chỉnh đang mở") % {"count": _n(count)},
            tone="todo",
            text=_("Đề nghị điều chỉnh đang mở, cũ nhất trước:"),
            items=[
                _("%(name)s — %(days)s ngày (%(status)s)")
                % {
                    "name": r.person.full_name,
                    "days": (today - r.received_on).days,
                    "status": r.get_status_display().lower(),
                }
                for r in oldest
            ],
            links=[(_("Xem và xử lý"), reverse("register-list-requests"))],
        )
    ]


def _police_update_cards(user: Any) -> list[Card]:
    """Changes made outside campaigns on their way to the population database: for the officer
    those to hand over, for the police those to enter."""
    from laodong.register.models import PoliceUpdate, UpdateStatus

    if user.unit is None or user.unit.level != Level.COMMUNE:
        return []
    officer = has_capability(user, Capability.HAND_OVER_FORMS)
    police = has_capability(user, Capability.RECEIVE_FORMS)
    if not (officer or police):
        return []
    counts = dict(
        PoliceUpdate.objects.filter(commune=user.unit)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    waiting = counts.get(UpdateStatus.WAITING, 0)
    handed = counts.get(UpdateStatus.HANDED_OVER, 0)
    refused = counts.get(UpdateStatus.NOT_ENTERABLE, 0)
    todo = (waiting + refused) if officer else handed
    if not (waiting or handed or refused):
        return []
    return [
        Card(
            _("Thay đổi cần cập nhật vào CSDL dân cư"),
            tone="todo" if todo else "info",
            text=_(
                "%(waiting)s chờ bàn giao · %(handed)s đã bàn giao, chờ Công an xã nhập · "
                "%(refused)s không nhập được"
            )
            % {"waiting": _n(waiting), "handed": _n(handed), "refused": _n(refused)},
            links=[(_("Xem các thay đổi"), reverse("handover-list-updates"))],
        )
    ]


def _missing_id_cards(user: Any) -> list[Card]:
    """For the commune police: people and forms still without a 12-digit ID."""
    from laodong.reconcile.id_views import forms_without_id, people_without_id

    if (
        user.unit is None
        or user.unit.level != Level.COMMUNE
        or not has_capability(user, Capability.COMPLETE_IDS)
    ):
        return []
    people = people_without_id(user.unit).count()
    forms = forms_without_id(user.unit).count()
    if not (people or forms):
        return []
    return [
        Card(
            _("Bổ sung số định danh"),
            tone="todo",
            text=_("%(people)s người trong cơ sở dữ liệu và %(forms)s phiếu chưa có số định danh.")
            % {"people": _n(people), "forms": _n(forms)},
            links=[(_("Bổ sung số"), reverse("reconcile-list-missing-ids"))],
        )
    ]


def _reconcile_cards(user: Any) -> list[Card]:
    """For the commune's labour officer: the register's duplicates and the population
    extract comparison (reconciliation of a campaign is on the campaign's page)."""
    if (
        user.unit is None
        or user.unit.level != Level.COMMUNE
        or not has_capability(user, Capability.RECONCILE)
    ):
        return []
    return [
        Card(
            _("Đối soát, làm sạch cơ sở dữ liệu"),
            text=_(
                "Tìm và gộp hồ sơ trùng; so sánh từng mục với tệp trích xuất CSDL dân cư. "
                "Đối soát với danh sách Công an nằm ở trang của từng kế hoạch thu thập."
            ),
            links=[
                (_("Hồ sơ trùng"), reverse("reconcile-list-duplicates")),
                (_("So sánh với trích xuất CSDL dân cư"), reverse("reconcile-list-extracts")),
            ],
        )
    ]


def _cross_duplicate_cards(user: Any) -> list[Card]:
    """One person recorded in two communes: the province's pairs to look at (and its extract
    comparisons), and the pairs it sent to a commune."""
    from django.db.models import Q

    from laodong.reconcile.models import CrossPair, CrossStatus

    unit = user.unit
    if unit is None:
        return []
    if unit.level == Level.PROVINCE and has_capability(user, Capability.RECONCILE_PROVINCE):
        waiting = CrossPair.objects.filter(run__province=unit, status=CrossStatus.FOUND).count()
        return [
            Card(
                _("Hồ sơ trùng giữa các xã"),
                tone="todo" if waiting else "info",
                text=_("%(n)s cặp hồ sơ chờ tỉnh xem.") % {"n": _n(waiting)}
                if waiting
                else _("Tìm người được thu thập ở hai xã, gửi từng cặp cho hai xã xử lý."),
                links=[
                    (_("Xem và tìm"), reverse("reconcile-cross-province")),
                    (_("So sánh với trích xuất CSDL dân cư"), reverse("reconcile-list-extracts")),
                ],
            )
        ]
    if unit.level == Level.COMMUNE and has_capability(user, Capability.RECONCILE):
        sent = (
            CrossPair.objects.filter(status=CrossStatus.SENT)
            .filter(Q(first__commune=unit) | Q(second__commune=unit))
            .count()
        )
        if sent:
            return [
                Card(
                    _("Hồ sơ trùng với xã khác"),
                    tone="todo",
                    text=_("Tỉnh gửi %(n)s cặp hồ sơ có thể là một người ở hai xã.")
                    % {"n": _n(sent)},
                    links=[(_("Xử lý"), reverse("reconcile-list-duplicates") + "#across")],
                )
            ]
    return []


def _report_cards(user: Any) -> list[Card]:
    """Reports due up the tree: the unit's own (days left, overdue in red, waiting for the
    leader's sign-off), and the units below that sent theirs."""
    from laodong.campaigns.access import campaigns_in_scope
    from laodong.campaigns.models import ReportDeadline
    from laodong.reports.models import SentReport, SentStatus
    from laodong.reports.sending import standing_of

    unit = user.unit
    prepares = has_capability(user, Capability.PREPARE_REPORTS)
    approves = has_capability(user, Capability.APPROVE_REPORTS)
    reviews = has_capability(user, Capability.REVIEW_REPORTS)
    if not (prepares or approves or reviews):
        return []
    open_campaigns = campaigns_in_scope(user).filter(closed_at__isnull=True).values("pk")
    child_level = Level.COMMUNE if unit.level == Level.PROVINCE else Level.PROVINCE
    levels = ([unit.level] if prepares or approves else []) + ([child_level] if reviews else [])
    deadlines = list(
        ReportDeadline.objects.filter(campaign__in=open_campaigns, from_level__in=levels)
        .select_related("campaign")
        .order_by("due", "pk")
    )
    if not deadlines:
        return []
    reports = list(
        SentReport.objects.filter(deadline__in=deadlines)
        .filter(Q(unit=unit) | Q(unit__parent=unit))
        .only("pk", "deadline_id", "unit_id", "version", "status", "approved_at")
        .order_by("-version")
    )
    today = timezone.localdate()
    alerts: list[str] = []
    items: list[str] = []
    for deadline in deadlines:
        days = (deadline.due - today).days
        due = f"{deadline.due:%d/%m/%Y}"
        if deadline.from_level == unit.level:
            mine = [r for r in reports if r.deadline_id == deadline.pk and r.unit_id == unit.pk]
            state = standing_of(deadline, mine)
            if state.tone == "done":
                continue
            line = _("%(title)s (hạn %(due)s): %(state)s") % {
                "title": deadline.title,
                "due": due,
                "state": state.label,
            }
            if approves and mine and mine[0].status == SentStatus.AWAITING_APPROVAL:
                line = _("%(title)s: lần %(version)s chờ bạn duyệt (hạn %(due)s)") % {
                    "title": deadline.title,
                    "version": mine[0].version,
                    "due": due,
                }
            (alerts if state.tone == "late" else items).append(line)
        else:
            theirs = [r for r in reports if r.deadline_id == deadline.pk and r.unit_id != unit.pk]
            sent = {r.unit_id for r in theirs if r.approved_at is not None}
            waiting = sum(1 for r in theirs if r.status == SentStatus.SENT)
            accepted = {r.unit_id for r in theirs if r.status == SentStatus.ACCEPTED}
            line = _(
                "%(title)s (hạn %(due)s): %(sent)s đơn vị đã gửi, %(waiting)s chờ xem xét, "
                "%(accepted)s đã chấp nhận"
            ) % {
                "title": deadline.title,
                "due": due,
                "sent": _n(len(sent)),
                "waiting": _n(waiting),
                "accepted": _n(len(accepted)),
            }
            if days >= 0:
                line += " · " + ngettext("còn %(days)s ngày", "còn %(days)s ngày", days) % {
                    "days": days
                }
            items.append(line)
    if not alerts and not items:
        return []
    return [
        Card(
            _("Báo cáo gửi cấp trên"),
            tone="late" if alerts else "todo",
            alerts=alerts,
            items=items,
            links=[(_("Xem báo cáo phải gửi"), reverse("reports-list-sent"))],
        )
    ]


def cards_for(user: Any) -> list[Card]:
    unit: Unit | None = user.unit
    if unit is None:
        return [
            Card(
                _("Tài khoản chưa gắn với đơn vị nào"),
                tone="todo",
                text=_("Hãy báo quản trị hệ thống để gắn tài khoản vào đơn vị."),
            )
        ]
    if user.role == Role.SYSTEM_ADMINISTRATOR:
        cards = _admin_cards(user, unit)
    elif user.role == Role.MINISTRY:
        cards = _campaign_cards(user)
    elif user.role in (Role.PROVINCE_LABOR_DEPARTMENT, Role.PROVINCE_POLICE, Role.PROVINCE_LEADER):
        cards = _province_cards(user, unit)
    elif user.role in (Role.ENUMERATOR, Role.VILLAGE_HEAD, Role.COMMUNE_POLICE):
        cards = _field_cards(user, unit)
    else:
        cards = _commune_cards(user, unit) + _campaign_cards(user)
    return (
        cards
        + _report_cards(user)
        + _transfer_cards(user)
        + _request_cards(user)
        + _police_update_cards(user)
        + _missing_id_cards(user)
        + _reconcile_cards(user)
        + _cross_duplicate_cards(user)
        + _register_card(user)
    )
