"""Charts for the dashboards, drawn on the server as SVG with pygal.

SVG drawn on the server needs no JavaScript and no download of a charting library: a cheap
phone on a slow connection gets a few kilobytes that scale to its screen, and the page prints.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import pygal
from django.utils.translation import gettext as _
from pygal.style import Style

from laodong.campaigns.progress import ProgressRow
from laodong.reports.statistics import (
    AGE_COUNTERS,
    AGE_GROUPS,
    EMPLOYED,
    INACTIVE,
    UNEMPLOYED,
    Figures,
)

STYLE = Style(
    font_family="system-ui, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
    background="transparent",
    plot_background="transparent",
    foreground="#1f2937",
    foreground_strong="#111827",
    foreground_subtle="#6b7280",
    colors=("#0b5394", "#e69138", "#6aa84f", "#cc0000", "#8e7cc3", "#999999"),
    # Drawn 480 units wide: on a 360-pixel phone screen these sizes still read as 11-12 px.
    label_font_size=16,
    major_label_font_size=16,
    legend_font_size=14,
    value_font_size=15,
    title_font_size=18,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)


def _render(chart: Any) -> str:
    # pygal adds a script for its optional tooltips; nothing here loads it, so leave it out.
    return _SCRIPT.sub("", chart.render(is_unicode=True))


def _options(height: int) -> dict[str, object]:
    return {
        "js": [],
        "disable_xml_declaration": True,
        "style": STYLE,
        "height": height,
        "width": 480,
        "legend_at_bottom": True,
        "legend_at_bottom_columns": 3,
        "truncate_legend": -1,
        "print_values": True,
        "print_zeroes": False,
        "show_y_guides": False,
        "margin": 8,
        # pygal leaves too little room for a bottom legend under large axis labels.
        "margin_bottom": 28,
        "margin_right": 24,
        "truncate_label": 28,
    }


def _ticks(largest: int) -> list[int]:
    """About five round values from 0 past `largest`, so axis labels never run together."""
    if largest <= 0:
        return [0, 1]
    raw = largest / 4
    magnitude = 10 ** (len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    return list(range(0, largest + step, step))


def progress_chart(rows: Sequence[ProgressRow], *, police: bool = False) -> str:
    """One bar group per unit: the target (or the police list) against what is done."""
    # Horizontal bars are drawn from the bottom up; reversed, the first unit is on top.
    rows = list(reversed(rows))
    height = 120 + 44 * len(rows)
    chart = pygal.HorizontalBar(title=_("Tiến độ theo đơn vị"), **_options(height))
    chart.x_labels = [row.unit.label() if row.unit else "" for row in rows]
    if police:
        chart.add(_("Đã bàn giao"), [row.counts.get("handed_over", 0) for row in rows])
        chart.add(_("Đã nhập CSDL"), [row.counts.get("entered", 0) for row in rows])
    else:
        chart.add(_("Chỉ tiêu"), [row.target or row.counts.get("listed", 0) for row in rows])
        chart.add(_("Đã thu thập"), [row.counts.get("collected", 0) for row in rows])
        chart.add(_("Đã nghiệm thu"), [row.counts.get("accepted", 0) for row in rows])
    largest = max(
        [row.target or 0 for row in rows]
        + [max(row.counts.values(), default=0) for row in rows]
        + [0]
    )
    chart.y_labels = _ticks(largest)
    return _render(chart)


def activity_chart(figures: Figures) -> str:
    """The labor force: employed, unemployed, outside it."""
    chart = pygal.Pie(title=_("Tình trạng hoạt động kinh tế"), inner_radius=0.45, **_options(360))
    parts = [
        (label, figures.count(activity=activity))
        for label, activity in (
            (_("Có việc làm"), EMPLOYED),
            (_("Thất nghiệp"), UNEMPLOYED),
            (_("Không tham gia"), INACTIVE),
            (_("Chưa xác định"), 0),
        )
    ]
    # pygal clips a second row of legend under the chart: one row, one column per slice.
    chart.config.legend_at_bottom_columns = max(1, sum(1 for _label, value in parts if value))
    for label, value in parts:
        if value:
            chart.add(label, value)
    return _render(chart)


def age_sex_chart(figures: Figures) -> str:
    """Men and women of each age group."""
    chart = pygal.Bar(title=_("Nhóm tuổi và giới tính"), **_options(340))
    chart.x_labels = [f"{low}–{high}" if high else f"{low}+" for low, high in AGE_GROUPS]
    series = [
        (label, [figures.count(counter, sex=sex) for counter in AGE_COUNTERS])
        for label, sex in ((_("Nam"), 1), (_("Nữ"), 2))
    ]
    for label, values in series:
        chart.add(label, values)
    chart.y_labels = _ticks(max(max(values) for _label, values in series))
    return _render(chart)
