"""Live progress of a campaign: counted from the forms' states in one GROUP BY per level."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Q

from laodong.campaigns.models import Campaign, Round, RoundKind, Target
from laodong.collection.models import (
    ACCEPTED_OR_LATER,
    COLLECTED,
    ENTERED_OR_LATER,
    HANDED_OVER_OR_LATER,
    Status,
    WorkItem,
)
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

COUNTS = {
    # On the latest police list, or added outside it (once approved).
    "listed": (Q(in_latest_list=True) | Q(outside_list=True))
    & ~Q(status__in=(Status.EXCLUDED, Status.PROPOSED)),
    "to_do": Q(status__in=(Status.LISTED, Status.KEYED_ONCE))
    & (Q(in_latest_list=True) | Q(outside_list=True)),
    "outside_list": Q(outside_list=True) & ~Q(status__in=(Status.EXCLUDED, Status.PROPOSED)),
    "proposed": Q(status=Status.PROPOSED),
    "collected": Q(status__in=COLLECTED),
    "submitted": Q(status=Status.SUBMITTED),
    "accepted": Q(status__in=ACCEPTED_OR_LATER),
    "returned": Q(status=Status.RETURNED),
    "handed_over": Q(status__in=HANDED_OVER_OR_LATER),
    "entered": Q(status__in=ENTERED_OR_LATER),
    "not_enterable": Q(status=Status.NOT_ENTERABLE),
    "archived": Q(status=Status.ARCHIVED),
    "excluded": Q(status=Status.EXCLUDED),
}


@dataclass
class ProgressRow:
    unit: Unit | None
    target: int | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def percent(self, key: str) -> int | None:
        base = self.target or self.counts.get("listed") or 0
        if not base:
            return None
        return round(100 * self.counts.get(key, 0) / base)

    @property
    def collected_percent(self) -> int | None:
        return self.percent("collected")

    @property
    def behind(self) -> bool:
        return self.target is not None and self.counts.get("collected", 0) < self.target


@dataclass
class RoundProgress:
    round: Round
    due: int | None
    done: int
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0 and self.due is not None and self.done < self.due

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def _child_level(unit: Unit) -> tuple[str, int]:
    if unit.level >= Level.COMMUNE:
        return "village", Level.VILLAGE
    return "commune", Level.COMMUNE


def progress_by_unit(campaign: Campaign, parent: Unit) -> tuple[list[ProgressRow], ProgressRow]:
    """Rows for each commune (of a province) or village (of a commune), and their total."""
    key, level = _child_level(parent)
    items = WorkItem.objects.filter(campaign=campaign)
    if parent.level == Level.VILLAGE:
        items = items.filter(village=parent)
    elif parent.level == Level.COMMUNE:
        items = items.filter(commune=parent)
    else:
        items = items.filter(commune__in=campaign.communes.filter(subtree_filter(parent.path)))
    aggregates = {name: Count("pk", filter=condition) for name, condition in COUNTS.items()}
    grouped = {row.pop(key): row for row in items.values(key).annotate(**aggregates).order_by()}
    if parent.level == Level.VILLAGE:
        units = [parent]
    elif level == Level.VILLAGE:
        units = list(
            Unit.objects.current()
            .filter(parent=parent, level=Level.VILLAGE)
            .order_by("name_folded")
        )
    else:
        units = list(campaign.communes.filter(subtree_filter(parent.path)).order_by("name_folded"))
    targets = _targets(campaign, units, level)
    rows = [
        ProgressRow(unit=u, target=targets.get(u.pk), counts=grouped.get(u.pk, _zero()))
        for u in units
    ]
    total = ProgressRow(unit=None, counts=_zero())
    for row in rows:
        for name in COUNTS:
            total.counts[name] += row.counts.get(name, 0)
    own = Target.objects.filter(campaign=campaign, unit=parent).first()
    known = [row.target for row in rows if row.target is not None]
    total.target = own.count if own else (sum(known) if known else None)
    return rows, total


def _zero() -> dict[str, int]:
    return dict.fromkeys(COUNTS, 0)


def _targets(campaign: Campaign, units: list[Unit], level: int) -> dict[int, int]:
    targets = {t.unit_id: t.count for t in Target.objects.filter(campaign=campaign, unit__in=units)}
    if level == Level.COMMUNE:
        # A commune without its own target counts the sum of its villages' targets.
        sums: dict[int, int] = {}
        for target in Target.objects.filter(
            campaign=campaign, unit__parent__in=units
        ).select_related("unit"):
            assert target.unit.parent_id is not None
            sums[target.unit.parent_id] = sums.get(target.unit.parent_id, 0) + target.count
        for unit_id, value in sums.items():
            targets.setdefault(unit_id, value)
    return targets


def round_progress(
    campaign: Campaign,
    total: ProgressRow,
    today: datetime.date,
    rounds: Iterable[Round] | None = None,
) -> list[RoundProgress]:
    """Each round's due count (its share of the target) against what is done now."""
    result = []
    for round_ in campaign.rounds.all() if rounds is None else rounds:
        done_key = "collected" if round_.kind == RoundKind.COLLECTION else "entered"
        base = total.target if round_.kind == RoundKind.COLLECTION else total.counts["accepted"]
        due = round(base * round_.target_percent / 100) if base else None
        result.append(
            RoundProgress(
                round=round_,
                due=due,
                done=total.counts[done_key],
                days_left=(round_.deadline - today).days,
            )
        )
    return result


def next_deadline(rounds: list[RoundProgress]) -> RoundProgress | None:
    upcoming = [r for r in rounds if r.days_left >= 0]
    return min(upcoming, key=lambda r: r.days_left) if upcoming else None


def late_units(
    campaign: Campaign, rows: list[ProgressRow], today: datetime.date
) -> dict[int, list[RoundProgress]]:
    """The units behind a round whose deadline has passed, with those rounds."""
    rounds = list(campaign.rounds.all())
    late: dict[int, list[RoundProgress]] = {}
    for row in rows:
        assert row.unit is not None
        overdue = [r for r in round_progress(campaign, row, today, rounds) if r.overdue]
        if overdue:
            late[row.unit.pk] = overdue
    return late
