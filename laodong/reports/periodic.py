"""The commune's half-year and annual report (Sơn Màu's plan: before 5 June and 5 December).

It puts together, for one period, the changes of the labor force, the statistics at the end of
the period and the progress of the campaigns that ran in it. The half-year report covers 1
January to 31 May, the annual report 1 January to 30 November, so that each can be sent by its
deadline; a period not yet over is counted up to today.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.campaigns.access import campaigns_in_scope
from laodong.reports.changes import changes_document, labor_changes
from laodong.reports.documents import Document, Section
from laodong.reports.police_updates import police_update_section
from laodong.reports.progress import progress_document
from laodong.reports.statistics import labor_statistics, statistics_document
from laodong.units.models import Level, Unit

HALF_YEAR, YEAR = "half", "year"
DEADLINES = {HALF_YEAR: (6, 5), YEAR: (12, 5)}


def period_of(year: int, kind: str) -> tuple[datetime.date, datetime.date]:
    """The first and last day the report covers."""
    last = datetime.date(year, 5, 31) if kind == HALF_YEAR else datetime.date(year, 11, 30)
    return datetime.date(year, 1, 1), last


def _numbered(prefix: str, sections: list[Section]) -> list[Section]:
    return [replace(section, title=f"{prefix}.{section.title}") for section in sections]


def periodic_document(
    unit: Unit, year: int, kind: str, *, acting_user: object, made_by: str
) -> Document:
    first, last = period_of(year, kind)
    end = min(last, timezone.localdate())
    start = first - datetime.timedelta(days=1)
    month, day = DEADLINES[kind]
    title = (
        _("Báo cáo 6 tháng đầu năm %(year)s") if kind == HALF_YEAR else _("Báo cáo năm %(year)s")
    ) % {"year": year}
    document = Document(
        kind=f"periodic-{kind}",
        title=f"{title}: {_('cơ sở dữ liệu về người lao động')}",
        period=_("Từ ngày %(start)s đến hết ngày %(end)s (hạn gửi: %(deadline)s)")
        % {
            "start": f"{first:%d/%m/%Y}",
            "end": f"{end:%d/%m/%Y}",
            "deadline": f"{datetime.date(year, month, day):%d/%m/%Y}",
        },
        unit=unit,
        made_by=made_by,
    )
    if start < end:
        changes = changes_document(labor_changes(unit, start, end), made_by=made_by)
        document.sections += _numbered("I", changes.sections)
    statistics = statistics_document(labor_statistics(unit, end), made_by=made_by)
    document.sections += _numbered("II", statistics.sections)
    campaigns = (
        campaigns_in_scope(acting_user)
        .filter(Q(collection_start__lte=end) & (Q(entry_end__gte=first)))
        .order_by("collection_start", "pk")
    )
    for number, campaign in enumerate(campaigns, start=1):
        progress = progress_document(campaign, unit, made_by=made_by, today=end)
        first_section = progress.sections[0]
        document.sections.append(
            replace(
                first_section,
                title=f"III.{number}. {_('Tiến độ')}: {campaign.title}",
            )
        )
    if unit.level <= Level.COMMUNE:
        document.sections.append(
            police_update_section(
                unit,
                f"IV. {_('Thay đổi ngoài kế hoạch chuyển Công an xã nhập CSDL dân cư')}",
                start=start,
                end=end,
            )
        )
    return document
