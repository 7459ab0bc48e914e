"""The progress report of a campaign (in the style of the annex Bắc Giang's plan 72 asks for):
per unit and round, target, listed, collected, accepted, handed over, entered, and late units."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laodong.campaigns.models import Campaign
from laodong.campaigns.progress import (
    ProgressRow,
    at_deadlines,
    late_units,
    progress_by_unit,
    round_progress,
)
from laodong.reports.documents import Document, Section
from laodong.reports.police_updates import id_completion_section, police_update_section
from laodong.units.models import Level, Unit


def _percent(part: int, whole: int | None) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _cells(label: str, row: ProgressRow) -> list[str | int | float | None]:
    counts = row.counts
    base = row.target or counts.get("listed") or None
    return [
        label,
        row.target,
        counts["listed"],
        counts["collected"],
        _percent(counts["collected"], base),
        counts["accepted"],
        counts["returned"],
        counts["handed_over"],
        counts["entered"],
        _percent(counts["entered"], base),
        counts["not_enterable"],
    ]


def progress_document(
    campaign: Campaign, unit: Unit, *, made_by: str, today: datetime.date | None = None
) -> Document:
    """Progress of `campaign` in `unit`, by the units directly below it and by round, as the
    forms stood at the end of `today` (a past day gives that day's figures); a round whose
    deadline has passed is judged by the figures at its deadline."""
    today = today or timezone.localdate()
    rows, total = progress_by_unit(campaign, unit, today)
    rounds = list(campaign.rounds.all())
    deadlines = at_deadlines(campaign, unit, today, rounds)
    late = late_units(campaign, rows, today, deadlines)
    document = Document(
        kind="progress",
        title=_("Báo cáo tiến độ thu thập, cập nhật thông tin người lao động"),
        period=_("%(campaign)s — số liệu đến ngày %(day)s")
        % {"campaign": campaign.title, "day": f"{today:%d/%m/%Y}"},
        unit=unit,
        made_by=made_by,
    )
    by_unit = Section(
        _("1. Tiến độ theo đơn vị"),
        [
            _("Đơn vị"),
            _("Chỉ tiêu"),
            _("Công an lập danh sách"),
            _("Đã thu thập"),
            _("% thu thập"),
            _("Đã nghiệm thu"),
            _("Bị trả lại"),
            _("Đã bàn giao"),
            _("Đã nhập CSDL"),
            _("% nhập"),
            _("Không nhập được"),
        ],
        note=_(
            "Dòng màu đỏ: đơn vị chậm so với đợt đã hết hạn. Tỷ lệ tính trên chỉ tiêu, "
            "hoặc trên số Công an lập danh sách khi chưa có chỉ tiêu."
        ),
    )
    for row in rows:
        assert row.unit is not None
        by_unit.add(*_cells(row.unit.label(), row), late=row.unit.pk in late)
    by_unit.add(*_cells(_("Cộng"), total), depth=0)
    document.sections.append(by_unit)

    by_round = Section(
        _("2. Tiến độ theo đợt"),
        [_("Đợt"), _("Hạn"), _("Phải đạt"), _("Đã đạt"), "%", _("Số đơn vị chậm"), _("Tình hình")],
    )
    for progress in round_progress(campaign, total, today, rounds, deadlines):
        behind = sum(
            1 for overdue in late.values() if any(r.round.pk == progress.round.pk for r in overdue)
        )
        if progress.caught_up:
            state = _("Chậm tại hạn (đạt %(then)s), nay đã đạt") % {
                "then": progress.done_at_deadline
            }
        elif progress.overdue:
            state = ngettext(
                "Quá hạn %(days)s ngày", "Quá hạn %(days)s ngày", progress.days_overdue
            ) % {"days": progress.days_overdue}
        elif progress.days_left < 0:
            state = _("Đã qua hạn, đạt")
        else:
            state = ngettext("Còn %(days)s ngày", "Còn %(days)s ngày", progress.days_left) % {
                "days": progress.days_left
            }
        by_round.add(
            str(progress.round),
            progress.round.deadline,
            progress.due,
            progress.done,
            _percent(progress.done, progress.due),
            behind,
            state,
            late=progress.overdue,
        )
    if rounds:
        document.sections.append(by_round)

    if late:
        names = {row.unit.pk: row.unit.label() for row in rows if row.unit is not None}
        lagging = Section(
            _("3. Đơn vị chậm tiến độ"),
            [
                _("Đơn vị"),
                _("Đợt"),
                _("Hạn"),
                _("Phải đạt"),
                _("Đạt tại hạn"),
                _("Đã đạt"),
                _("Số ngày quá hạn"),
            ],
            note=_(
                "Đơn vị chưa đạt chỉ tiêu của đợt tại ngày hết hạn vẫn được ghi là chậm của đợt "
                "đó, kể cả khi sau đó đã đạt; số ngày quá hạn tính đến ngày đạt đủ, hoặc đến "
                "hôm nay nếu chưa đạt."
            ),
        )
        for unit_pk, overdue in late.items():
            for progress in overdue:
                lagging.add(
                    names[unit_pk],
                    str(progress.round),
                    progress.round.deadline,
                    progress.due,
                    progress.done_at_deadline,
                    progress.done,
                    progress.days_overdue,
                    late=True,
                )
        document.sections.append(lagging)
    if unit.level <= Level.COMMUNE:
        document.sections.append(
            police_update_section(
                unit,
                _("%(number)s. Thay đổi ngoài kế hoạch chuyển Công an xã")
                % {"number": len(document.sections) + 1},
            )
        )
        document.sections.append(
            id_completion_section(
                unit,
                _("%(number)s. Số định danh còn thiếu và đã bổ sung")
                % {"number": len(document.sections) + 1},
            )
        )
    return document
