"""`laodong report progress|statistics|changes --unit CODE [--from DATE --to DATE]
--format xlsx|csv|json|pdf --out FILE`

Writes the same report the web pages offer, for a province, commune or the country. Exit status
0 on success, 2 when the arguments cannot be used (the message says which and how to fix it).

`laodong report rebuild-summary [--unit CODE]` writes the labor statistics' summary again from
the register's periods, for the unit's communes or every commune (after a restore, or at night
so that no reader rebuilds a commune whose birthdays horizon has passed).
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.forms.dates import parse_date
from laodong.reports import summary
from laodong.reports.changes import changes_document, labor_changes
from laodong.reports.documents import FORMATS, Document
from laodong.reports.progress import progress_document
from laodong.reports.statistics import labor_statistics, statistics_document
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

MADE_BY = "laodong report"


def _fail(message: str) -> CommandError:
    return CommandError(message, returncode=2)


class Command(BaseCommand):
    help = "Write a report (progress, statistics, changes) to a file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=("progress", "statistics", "changes", "rebuild-summary")
        )
        parser.add_argument("--unit", help="unit code, e.g. 38 or 15178")
        parser.add_argument("--from", dest="start", help="dd/mm/yyyy: changes after this day")
        parser.add_argument("--to", dest="end", help="dd/mm/yyyy: figures up to this day")
        parser.add_argument("--campaign", type=int, help="campaign id (progress; default: latest)")
        parser.add_argument("--format", dest="output_format", choices=FORMATS)
        parser.add_argument("--out", type=Path, help="file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["kind"] == "rebuild-summary":
            self._rebuild(options["unit"])
            return
        for option, name in (("unit", "--unit"), ("output_format", "--format"), ("out", "--out")):
            if not options[option]:
                raise _fail(_("Thiếu %(option)s.") % {"option": name})
        unit = self._unit(options["unit"])
        today = timezone.localdate()
        end = self._day(options["end"], "--to") or today
        if end > today:
            raise _fail(_("--to %(day)s là ngày tương lai.") % {"day": options["end"]})
        kind = options["kind"]
        if kind == "statistics":
            document = statistics_document(labor_statistics(unit, end), made_by=MADE_BY)
        elif kind == "changes":
            start = self._day(options["start"], "--from")
            if start is None:
                start = end.replace(month=1, day=1) - datetime.timedelta(days=1)
            if start >= end:
                raise _fail(_("--from phải là ngày trước --to."))
            document = changes_document(labor_changes(unit, start, end), made_by=MADE_BY)
        else:
            document = progress_document(
                self._campaign(options["campaign"], unit), unit, made_by=MADE_BY, today=end
            )
        self._write(document, options["output_format"], options["out"])

    def _unit(self, code: str) -> Unit:
        units = list(Unit.objects.current().filter(code=code, level__lt=Level.VILLAGE))
        if len(units) != 1:
            raise _fail(
                _(
                    "Không tìm thấy đơn vị có mã %(code)s. Dùng mã tỉnh (ví dụ 38) hoặc mã xã "
                    "(ví dụ 15178) đang có hiệu lực; xem: laodong units list."
                )
                % {"code": code}
            )
        return units[0]

    def _rebuild(self, code: str | None) -> None:
        unit = self._unit(code) if code else None
        communes = summary.communes_in(unit) if unit is not None else None
        started = time.monotonic()
        touched = summary.catch_up(communes, force=True)
        self.stdout.write(
            _("Đã ghi lại số liệu tổng hợp của %(count)s xã (%(unit)s) trong %(seconds).1f giây.")
            % {
                "count": touched,
                "unit": unit.label() if unit is not None else _("cả nước"),
                "seconds": time.monotonic() - started,
            }
        )

    def _day(self, raw: str | None, option: str) -> datetime.date | None:
        if raw is None:
            return None
        parsed = parse_date(raw)
        if parsed is None:
            raise _fail(
                _(
                    "%(option)s “%(value)s” không phải là ngày; hãy viết dd/mm/yyyy, "
                    "ví dụ 30/06/2026."
                )
                % {"option": option, "value": raw}
            )
        return parsed.value

    def _campaign(self, campaign_id: int | None, unit: Unit) -> Campaign:
        campaigns = Campaign.objects.filter(
            pk__in=Campaign.objects.filter(subtree_filter(unit.path, prefix="communes__")).values(
                "pk"
            )
        )
        if campaign_id is not None:
            campaign = campaigns.filter(pk=campaign_id).first()
        else:
            campaign = campaigns.order_by("-collection_start", "-pk").first()
        if campaign is None:
            raise _fail(
                _("Không có kế hoạch thu thập %(which)s trên địa bàn %(unit)s.")
                % {"which": campaign_id or "", "unit": unit.label()}
            )
        return campaign

    def _write(self, document: Document, output_format: str, out: Path) -> None:
        if not out.parent.is_dir():
            raise _fail(_("Thư mục %(folder)s không tồn tại.") % {"folder": out.parent})
        content = document.render(output_format)
        # Written beside the target and renamed, so a reader never sees half a file.
        handle, temporary = tempfile.mkstemp(dir=out.parent, suffix=".part")
        with os.fdopen(handle, "wb") as stream:
            stream.write(content)
        os.replace(temporary, out)
        record_event(
            actor=None,
            action="reports.download",
            target_type="report",
            unit=document.unit,
            details={"report": document.kind, "format": output_format, "by": "command"},
        )
        self.stdout.write(
            _("Đã ghi %(report)s của %(unit)s vào %(file)s (%(size)s byte).")
            % {
                "report": document.title,
                "unit": document.unit.label(),
                "file": out,
                "size": len(content),
            }
        )
