"""How a report's cell shows on screen: numbers grouped and right-aligned, dates dd/mm/yyyy,
words left-aligned — as in the printed and Excel reports."""

from __future__ import annotations

import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def report_cell(value: object) -> SafeString:
    if value is None:
        return mark_safe('<td class="num">—</td>')
    if isinstance(value, datetime.date):
        return format_html('<td class="num">{}</td>', value.strftime("%d/%m/%Y"))
    if isinstance(value, str):
        return format_html("<td>{}</td>", value)
    return format_html('<td class="num">{}</td>', intcomma(value))  # type: ignore[arg-type]
