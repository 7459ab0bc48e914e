"""Changes made to the register outside campaigns on their way into the population database
(register.PoliceUpdate): how many are waiting for a handover, handed over and waiting for
entry, entered, or sent back, per commune — for the progress and periodic reports."""

from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from laodong.register.models import PoliceUpdate, UpdateStatus
from laodong.reports.documents import Section
from laodong.reports.statistics import end_of_day
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


def police_update_section(
    unit: Unit,
    title: str,
    *,
    start: datetime.date | None = None,
    end: datetime.date | None = None,
) -> Section:
    """Per commune of `unit`: changes made (in the period, when given), and where all of them
    stand now. "Đã nhập" counts those entered up to the end of the period."""
    made = Q()
    if start is not None:
        made &= Q(created_at__gte=end_of_day(start))
    if end is not None:
        made &= Q(created_at__lt=end_of_day(end))
    entered = Q(status=UpdateStatus.ENTERED)
    if end is not None:
        entered &= Q(entered_on__lte=end)
    rows = (
        PoliceUpdate.objects.filter(subtree_filter(unit.path, prefix="commune__"))
        .values("commune_id")
        .annotate(
            made=Count("pk", filter=made),
            waiting=Count("pk", filter=Q(status=UpdateStatus.WAITING)),
            handed=Count("pk", filter=Q(status=UpdateStatus.HANDED_OVER)),
            entered=Count("pk", filter=entered),
            refused=Count("pk", filter=Q(status=UpdateStatus.NOT_ENTERABLE)),
        )
        .order_by()
    )
    counts = {row["commune_id"]: row for row in rows}
    section = Section(
        title,
        [
            _("Đơn vị"),
            _("Thay đổi phát sinh") if start is None else _("Phát sinh trong kỳ"),
            _("Chờ bàn giao"),
            _("Đã bàn giao, chờ nhập"),
            _("Đã nhập CSDL dân cư"),
            _("Không nhập được"),
        ],
        note=_(
            "Ghi mới, sửa, cập nhật, ra khỏi diện quản lý, mở lại, chuyển đến làm ngoài kế "
            "hoạch thu thập: mỗi lần là một thay đổi Công an xã cần nhập vào CSDL dân cư."
        ),
    )
    keys = ("made", "waiting", "handed", "entered", "refused")
    if unit.level >= Level.COMMUNE:
        row = counts.get(unit.pk, {})
        section.add(unit.label(), *(row.get(key, 0) for key in keys), depth=0)
        return section
    totals = dict.fromkeys(keys, 0)
    for commune in Unit.objects.filter(pk__in=list(counts)).order_by("code", "name"):
        row = counts[commune.pk]
        section.add(commune.label(), *(row[key] for key in keys))
        for key in keys:
            totals[key] += row[key]
    section.add(_("Cộng"), *totals.values(), depth=0)
    return section


def id_completion_section(unit: Unit, title: str) -> Section:
    """Per commune of `unit`: people in the register without a 12-digit ID today, and the IDs
    written so far by the police ("Công an bổ sung") and by reconciliation ("Đối soát")."""
    from laodong.register.models import IdKind, Person, PersonVersion, Source

    without = dict(
        Person.objects.filter(subtree_filter(unit.path, prefix="commune__"), leave_reason="")
        .exclude(id_kind=IdKind.PERSONAL)
        .values_list("commune_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    written = {
        (commune, source): n
        for commune, source, n in PersonVersion.objects.filter(
            subtree_filter(unit.path, prefix="person__commune__"),
            source__in=(Source.POLICE_COMPLETION, Source.RECONCILIATION),
            changes__has_key="personal_id",
        )
        .values_list("person__commune_id", "source")
        .annotate(n=Count("pk"))
        .order_by()
    }
    section = Section(
        title,
        [_("Đơn vị"), _("Chưa có số định danh"), _("Công an bổ sung"), _("Ghi qua đối soát")],
        note=_(
            "Số định danh 12 số còn thiếu trong cơ sở dữ liệu (chưa có, hoặc chỉ có CMND 9 số), "
            "và số đã được Công an xã bổ sung hoặc ghi khi đối soát với danh sách Công an."
        ),
    )
    communes = set(without) | {commune for commune, _source in written}

    def cells(commune: int) -> list[int]:
        return [
            without.get(commune, 0),
            written.get((commune, Source.POLICE_COMPLETION), 0),
            written.get((commune, Source.RECONCILIATION), 0),
        ]

    if unit.level >= Level.COMMUNE:
        section.add(unit.label(), *cells(unit.pk), depth=0)
        return section
    totals = [0, 0, 0]
    for commune in Unit.objects.filter(pk__in=list(communes)).order_by("code", "name"):
        values = cells(commune.pk)
        section.add(commune.label(), *values)
        totals = [a + b for a, b in zip(totals, values, strict=True)]
    section.add(_("Cộng"), *totals, depth=0)
    return section
