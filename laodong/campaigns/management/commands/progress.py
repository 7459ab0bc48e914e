"""`laodong progress rebuild|check [--campaign ID]`

The campaigns' progress kept by day (collection.tally) is derived data: every write that moves a
form marks its village, and the next reader rebuilds it. `rebuild` writes it again from the
forms and their transitions (after a restore, or if a write outside the app changed the work
lists); `check` compares it, per village, with the count from the forms — now, at every passed
round and report deadline, and at the end of each month of the campaign — and exits with 1 and
the differences when they differ.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.campaigns.models import Campaign
from laodong.campaigns.progress import counted, counted_raw
from laodong.collection.tally import rebuild_campaign
from laodong.units.models import Unit


def check_days(campaign: Campaign, today: datetime.date) -> list[datetime.date]:
    """The past days a check compares: deadlines, and each month's end from the start."""
    days = {r.deadline for r in campaign.rounds.all()}
    days |= {d.due for d in campaign.report_deadlines.all()}
    month = campaign.collection_start.replace(day=1)
    while month <= today:
        following = (month + datetime.timedelta(days=32)).replace(day=1)
        days.add(following - datetime.timedelta(days=1))
        month = following
    return sorted(day for day in days if day < today)


class Command(BaseCommand):
    help = "Rebuild or check the campaigns' progress kept by day."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=("rebuild", "check"))
        parser.add_argument("--campaign", type=int, help="campaign id (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        campaigns = Campaign.objects.order_by("pk")
        if options["campaign"] is not None:
            campaigns = campaigns.filter(pk=options["campaign"])
            if not campaigns.exists():
                self.stderr.write(_("Không có kế hoạch số %(id)s.") % {"id": options["campaign"]})
                raise SystemExit(2)
        if options["action"] == "rebuild":
            for campaign in campaigns:
                rebuild_campaign(campaign.pk)
            self.stdout.write(
                _("Đã tính lại tiến độ theo ngày của %(count)s kế hoạch.")
                % {"count": campaigns.count()}
            )
            return
        today = timezone.localdate()
        differences, compared = 0, 0
        for campaign in campaigns:
            for day in [None, *check_days(campaign, today)]:
                compared += 1
                kept, raw = counted(campaign, None, day), counted_raw(campaign, None, day)
                for village_id in sorted(set(kept) | set(raw)):
                    mine, theirs = kept.get(village_id, {}), raw.get(village_id, {})
                    wrong = {
                        name: (mine.get(name, 0), theirs.get(name, 0))
                        for name in sorted(set(mine) | set(theirs))
                        if mine.get(name, 0) != theirs.get(name, 0)
                    }
                    if wrong:
                        differences += 1
                        village = Unit.objects.select_related("parent").get(pk=village_id)
                        self.stdout.write(
                            _("Kế hoạch %(campaign)s, %(place)s, %(day)s: %(wrong)s")
                            % {
                                "campaign": campaign.pk,
                                "place": ", ".join(
                                    u.name for u in (village, village.parent) if u is not None
                                ),
                                "day": _("hiện tại") if day is None else f"{day:%d/%m/%Y}",
                                "wrong": ", ".join(
                                    f"{name} {a} ≠ {b}" for name, (a, b) in wrong.items()
                                ),
                            }
                        )
        if differences:
            self.stdout.write(
                _("Có %(count)s chỗ lệch: hãy chạy “laodong progress rebuild”.")
                % {"count": differences}
            )
            raise SystemExit(1)
        self.stdout.write(
            _("Tiến độ lưu sẵn khớp với số đếm từ phiếu (%(campaigns)s kế hoạch, %(days)s mốc).")
            % {"campaigns": campaigns.count(), "days": compared}
        )
