"""Which unit a report is about, for a user: their own unit or one below it."""

from __future__ import annotations

import datetime
from typing import Any

from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.forms.dates import parse_date
from laodong.units.models import Unit


def get_report_unit(user: Any, raw_pk: str | None) -> Unit:
    """The unit asked for (default: the user's own); 404 outside the user's scope, 403 for a
    role without reports."""
    require_capability(user, Capability.VIEW_REPORTS)
    if not raw_pk:
        return user.unit
    if not raw_pk.isdigit():
        raise Http404
    unit = Unit.objects.visible_to(user).filter(pk=int(raw_pk)).first()
    if unit is None:
        raise Http404
    return unit


def trail(user: Any, unit: Unit) -> list[Unit]:
    """The units from the user's own down to `unit`, for the breadcrumbs."""
    return list(Unit.objects.ancestors_of(unit).filter(level__gte=user.unit.level))


def parse_day(
    raw: str | None, *, default: datetime.date | None = None
) -> tuple[datetime.date, str]:
    """A report date typed as dd/mm/yyyy (or yyyy-mm-dd), and an error message when it is not
    usable; the default (today) is used then."""
    today = timezone.localdate()
    fallback = default or today
    if not raw or not raw.strip():
        return fallback, ""
    parsed = parse_date(raw)
    if parsed is None:
        return fallback, _(
            "Ngày “%(value)s” không đúng. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 30/06/2026."
        ) % {"value": raw.strip()[:20]}
    if parsed.value > today:
        return today, _("Chưa có số liệu của ngày tương lai; đang hiện số liệu đến hôm nay.")
    return parsed.value, ""
