"""What a report sent up the tree holds, and where each unit stands against a deadline.

A commune's report is its campaign progress as of a day. A province's report is made only from
the commune reports it accepted (each commune's latest accepted one), and says how many of its
communes that covers. Either is frozen (`freeze`) when it is made: the stored figures are shown
and printed from then on (`thaw`), and `live_differences` says where today's data would differ.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from laodong.campaigns.models import ReportDeadline
from laodong.campaigns.progress import end_of_day
from laodong.reports.documents import Document, Section, SectionRow, Value
from laodong.reports.models import SentReport, SentStatus
from laodong.reports.progress import progress_document
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


def freeze(document: Document) -> dict[str, Any]:
    """The document as JSON that thaws back to the same document (dates kept as dates)."""

    def cell(value: Value) -> Any:
        if isinstance(value, datetime.date):
            return {"date": value.isoformat()}
        return value

    return {
        "kind": document.kind,
        "title": document.title,
        "period": document.period,
        "made_by": document.made_by,
        "made_at": document.made_at.isoformat(),
        "sections": [
            {
                "title": section.title,
                "columns": section.columns,
                "note": section.note,
                "rows": [
                    {"cells": [cell(v) for v in row.cells], "depth": row.depth, "late": row.late}
                    for row in section.rows
                ],
            }
            for section in document.sections
        ],
    }


def thaw(data: dict[str, Any], unit: Unit) -> Document:
    def cell(value: Any) -> Value:
        if isinstance(value, dict) and "date" in value:
            return datetime.date.fromisoformat(value["date"])
        return value

    return Document(
        kind=data["kind"],
        title=data["title"],
        period=data["period"],
        unit=unit,
        made_by=data["made_by"],
        made_at=datetime.datetime.fromisoformat(data["made_at"]),
        sections=[
            Section(
                section["title"],
                list(section["columns"]),
                [
                    SectionRow([cell(v) for v in row["cells"]], row["depth"], row["late"])
                    for row in section["rows"]
                ],
                section.get("note", ""),
            )
            for section in data["sections"]
        ],
    )


def commune_document(
    deadline: ReportDeadline, commune: Unit, as_of: datetime.date, *, made_by: str
) -> Document:
    document = progress_document(deadline.campaign, commune, made_by=made_by, today=as_of)
    document.kind = "sent-report"
    document.title = deadline.title
    return document


def accepted_reports(deadline: ReportDeadline, province: Unit) -> dict[int, SentReport]:
    """Each commune's latest accepted report against the campaign's commune deadlines."""
    found: dict[int, SentReport] = {}
    reports = (
        SentReport.objects.filter(
            deadline__campaign_id=deadline.campaign_id,
            deadline__from_level=Level.COMMUNE,
            status=SentStatus.ACCEPTED,
        )
        .filter(subtree_filter(province.path, prefix="unit__"))
        .select_related("unit")
        .order_by("unit_id", "-as_of", "-deadline__due", "-version")
    )
    for report in reports:
        found.setdefault(report.unit_id, report)
    return found


def campaign_communes(deadline: ReportDeadline, within: Unit) -> QuerySet[Unit]:
    return deadline.campaign.communes.filter(subtree_filter(within.path)).order_by("name", "pk")


def _total_row(rows: list[dict[str, Any]], columns: list[str]) -> list[Value]:
    """Sum the figures of the communes' total rows; percentages are recomputed from the sums
    (on the target, or on the police list where a commune has no target), never added up."""
    totals: list[Value] = [_("Cộng")]
    for column in columns[1:]:
        values = [row.get(column) for row in rows]
        numbers = [v for v in values if isinstance(v, int) and not isinstance(v, bool)]
        totals.append(sum(numbers) if numbers else None)
    named = dict(zip(columns, totals, strict=True))
    base = sum(
        (row.get(columns[1]) or row.get(columns[2]) or 0) for row in rows if len(columns) > 2
    )
    for index, column in enumerate(columns):
        if column.strip().startswith("%"):
            previous = named.get(columns[index - 1])
            totals[index] = (
                round(100 * previous / base, 1) if base and isinstance(previous, int) else None
            )
    return totals


def province_document(
    deadline: ReportDeadline, province: Unit, *, made_by: str
) -> tuple[Document, list[SentReport]]:
    """The province's report from the commune reports it accepted, and those reports."""
    accepted = accepted_reports(deadline, province)
    communes = list(campaign_communes(deadline, province))
    included = [accepted[c.pk] for c in communes if c.pk in accepted]
    today = timezone.localdate()
    document = Document(
        kind="sent-report",
        title=deadline.title,
        period=_(
            "%(campaign)s — tổng hợp báo cáo của các xã đã được tỉnh chấp nhận, đến ngày %(day)s"
        )
        % {"campaign": deadline.campaign.title, "day": f"{today:%d/%m/%Y}"},
        unit=province,
        made_by=made_by,
    )
    columns: list[str] = []
    rows: list[tuple[str, dict[str, Any], SentReport]] = []
    for report in included:
        first = report.data["sections"][0]
        columns = columns or list(first["columns"])
        total = next((r for r in first["rows"] if r["depth"] == 0), None)
        if total is None:
            continue
        figures = dict(zip(first["columns"], total["cells"], strict=False))
        rows.append((report.unit.label(), figures, report))
    if not columns:
        columns = [_("Đơn vị"), _("Chỉ tiêu"), _("Đã thu thập"), _("Đã nhập CSDL")]
    section = Section(
        _("1. Tổng hợp từ báo cáo của các xã"),
        [_("Đơn vị"), _("Số liệu đến ngày"), _("Lần gửi"), *columns[1:]],
        note=ngettext(
            "Gồm %(n)s trên %(total)s xã có báo cáo đã được tỉnh chấp nhận; chỉ số liệu của "
            "các báo cáo này được tổng hợp.",
            "Gồm %(n)s trên %(total)s xã có báo cáo đã được tỉnh chấp nhận; chỉ số liệu của "
            "các báo cáo này được tổng hợp.",
            len(rows),
        )
        % {"n": len(rows), "total": len(communes)},
    )
    for label, figures, report in rows:
        section.add(
            label,
            report.as_of,
            report.version,
            *[figures.get(column) for column in columns[1:]],
        )
    sums = _total_row([figures for _label, figures, _report in rows], columns)
    section.add(sums[0], None, None, *sums[1:], depth=0)
    document.sections.append(section)
    missing = [c for c in communes if c.pk not in accepted]
    if missing:
        states = standing(deadline_for_communes(deadline), missing)
        left_out = Section(
            _("2. Các xã chưa có báo cáo được chấp nhận (không tổng hợp)"),
            [_("Đơn vị"), _("Tình trạng")],
        )
        for commune in missing:
            left_out.add(commune.label(), states[commune.pk].label if commune.pk in states else "")
        document.sections.append(left_out)
    return document, included


def deadline_for_communes(deadline: ReportDeadline) -> ReportDeadline | None:
    """The commune deadline a province report stands on: the latest due on or before its own."""
    candidates = ReportDeadline.objects.filter(
        campaign_id=deadline.campaign_id, from_level=Level.COMMUNE
    ).order_by("-due", "-pk")
    return candidates.filter(due__lte=deadline.due).first() or candidates.last()


def build_document(
    deadline: ReportDeadline, unit: Unit, as_of: datetime.date, *, made_by: str
) -> tuple[Document, list[SentReport]]:
    if deadline.from_level == Level.PROVINCE:
        return province_document(deadline, unit, made_by=made_by)
    return commune_document(deadline, unit, as_of, made_by=made_by), []


@dataclass
class Standing:
    """Where one unit stands against one deadline."""

    label: str
    tone: str  # "done", "todo", "late", "info"
    latest: SentReport | None = None
    first_sent: datetime.datetime | None = None
    days_late: int = 0
    days_left: int | None = None


def standing_of(deadline: ReportDeadline, reports: list[SentReport]) -> Standing:
    """Reports of one unit, newest version first."""
    today = timezone.localdate()
    latest = reports[0] if reports else None
    sent = [r.approved_at for r in reports if r.approved_at is not None]
    first_sent = min(sent) if sent else None
    due_end = end_of_day(deadline.due)
    if first_sent is not None:
        day = timezone.localtime(first_sent).date()
        days_late = max((day - deadline.due).days, 0) if first_sent >= due_end else 0
    else:
        days_late = max((today - deadline.due).days, 0)
    days_left = (deadline.due - today).days
    standing = Standing("", "info", latest, first_sent, days_late, days_left)
    if first_sent is None:
        if today > deadline.due:
            standing.label = ngettext(
                "Chưa gửi, quá hạn %(days)s ngày", "Chưa gửi, quá hạn %(days)s ngày", days_late
            ) % {"days": days_late}
            standing.tone = "late"
        else:
            standing.label = ngettext(
                "Chưa gửi, còn %(days)s ngày", "Chưa gửi, còn %(days)s ngày", days_left
            ) % {"days": days_left}
            standing.tone = "todo"
        if latest is not None:
            standing.label += f" ({latest.get_status_display().lower()})"
        return standing
    timing = (
        ngettext("gửi muộn %(days)s ngày", "gửi muộn %(days)s ngày", days_late)
        % {"days": days_late}
        if days_late
        else _("gửi đúng hạn")
    )
    assert latest is not None
    standing.label = f"{latest.get_status_display()} — {timing}"
    standing.tone = {
        SentStatus.ACCEPTED: "done",
        SentStatus.RETURNED: "todo",
        SentStatus.NOT_APPROVED: "todo",
    }.get(SentStatus(latest.status), "info")
    if days_late and standing.tone != "done":
        standing.tone = "late"
    return standing


def standing(deadline: ReportDeadline | None, units: list[Unit]) -> dict[int, Standing]:
    """Each unit's standing against the deadline, from one query."""
    if deadline is None:
        return {}
    by_unit: dict[int, list[SentReport]] = {unit.pk: [] for unit in units}
    reports = SentReport.objects.filter(deadline=deadline, unit__in=units).order_by(
        "unit_id", "-version"
    )
    for report in reports.only(
        "pk", "unit_id", "version", "status", "approved_at", "as_of", "deadline_id"
    ):
        by_unit[report.unit_id].append(report)
    return {pk: standing_of(deadline, reports) for pk, reports in by_unit.items()}


def live_differences(report: SentReport, *, limit: int = 12) -> tuple[list[str], int]:
    """Where the report made again today, for the same day, would show other figures: the
    first `limit` differences as text, and how many there are."""
    document, _included = build_document(report.deadline, report.unit, report.as_of, made_by="")
    live = freeze(document)["sections"]
    stored = report.data["sections"]
    found: list[str] = []
    stored_by_title = {section["title"]: section for section in stored}
    live_titles = {section["title"] for section in live}
    for section in stored:
        if section["title"] not in live_titles:
            found.append(_("Mục “%(title)s” không còn.") % {"title": section["title"]})
    for section in live:
        old = stored_by_title.get(section["title"])
        if old is None:
            found.append(_("Có thêm mục “%(title)s”.") % {"title": section["title"]})
            continue
        old_rows = {str(row["cells"][0]): row["cells"] for row in old["rows"] if row["cells"]}
        new_rows = {str(row["cells"][0]): row["cells"] for row in section["rows"] if row["cells"]}
        for label, cells in new_rows.items():
            before = old_rows.get(label)
            if before is None:
                found.append(
                    _("%(section)s: có thêm dòng “%(row)s”.")
                    % {"section": section["title"], "row": label}
                )
                continue
            for index, (was, now) in enumerate(zip(before, cells, strict=False)):
                if index and was != now:
                    column = section["columns"][index] if index < len(section["columns"]) else ""
                    found.append(
                        _("%(section)s · %(row)s · %(column)s: đã gửi %(was)s, nay %(now)s")
                        % {
                            "section": section["title"],
                            "row": label,
                            "column": column,
                            "was": _shown(was),
                            "now": _shown(now),
                        }
                    )
        for label in old_rows.keys() - new_rows.keys():
            found.append(
                _("%(section)s: không còn dòng “%(row)s”.")
                % {"section": section["title"], "row": label}
            )
    return found[:limit], len(found)


def _shown(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, dict) and "date" in value:
        return datetime.date.fromisoformat(value["date"]).strftime("%d/%m/%Y")
    return str(value)
