"""Progress of a campaign per commune or village — as it is now, or as it stood at the end of a
past day (Vietnam's time), each form's state then being the one its last transition before
that moment set. Read from the progress kept by day (collection.tally); `counted_raw` counts
the same from the forms and transitions themselves, what the tally is checked against."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError
from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from laodong.campaigns.models import Campaign, Round, RoundKind, Target
from laodong.collection import tally
from laodong.collection.models import (
    ACCEPTED_OR_LATER,
    COLLECTED,
    ENTERED_OR_LATER,
    HANDED_OVER_OR_LATER,
    ProgressTally,
    Status,
    Transition,
    WorkItem,
)
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

# The counted groups of the forms as they are now; `_names` reads the same for a past day.
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


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the project's time zone (Asia/Ho_Chi_Minh)."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1),
                                                         datetime.time()))  # fmt: skip


def _counted_as_of(
    items: QuerySet[WorkItem], key: str, day: datetime.date
) -> dict[int, dict[str, int]]:
    """Per unit (`key`), the counts at the end of `day`: each form's state then is the one its
    last transition before that moment set (listed, as the police list put it, when it had
    none); a form is entered by `day` when the police recorded it entered on or before that
    day (entry is final, and may be marked in the app a day or two later). One GROUP BY on
    (unit, state then, list flags), tallied here: the state's sub-query is written once, not
    once per count."""
    last = (
        Transition.objects.filter(work_item=OuterRef("pk"), at__lt=end_of_day(day))
        .order_by("-at", "-pk")
        .values("to_status")[:1]
    )
    rows = (
        items.annotate(
            state_then=Coalesce(Subquery(last), Value(Status.LISTED)),
            entered_then=Case(
                When(status__in=ENTERED_OR_LATER, entered_on__lte=day, then=Value(True)),
                default=Value(False),
            ),
        )
        .values(key, "state_then", "entered_then", "in_latest_list", "outside_list")
        .annotate(n=Count("pk"))
        .order_by()
    )
    grouped: dict[int, dict[str, int]] = {}
    for row in rows:
        counts = grouped.setdefault(row[key], _zero())
        for name in _names(row["state_then"], row["in_latest_list"], row["outside_list"]):
            counts[name] += row["n"]
        if row["entered_then"]:
            counts["entered"] += row["n"]
    return grouped


def _names(state: str, in_latest_list: bool, outside_list: bool) -> list[str]:
    """The counts (of `COUNTS`, entries aside) a form in `state` belongs to, in Python."""
    on_list = in_latest_list or outside_list
    names = []
    if on_list and state not in (Status.EXCLUDED, Status.PROPOSED):
        names.append("listed")
    if on_list and state in (Status.LISTED, Status.KEYED_ONCE):
        names.append("to_do")
    if outside_list and state not in (Status.EXCLUDED, Status.PROPOSED):
        names.append("outside_list")
    for name, states in (
        ("proposed", (Status.PROPOSED,)),
        ("collected", COLLECTED),
        ("submitted", (Status.SUBMITTED,)),
        ("accepted", ACCEPTED_OR_LATER),
        ("returned", (Status.RETURNED,)),
        ("handed_over", HANDED_OVER_OR_LATER),
        ("not_enterable", (Status.NOT_ENTERABLE,)),
        ("archived", (Status.ARCHIVED,)),
        ("excluded", (Status.EXCLUDED,)),
    ):
        if state in states:
            names.append(name)
    return names


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
    """A round's due count against what is done: judged, once its deadline has passed, by the
    figures at the deadline (a unit that was late stays late for that round)."""

    round: Round
    due: int | None
    done: int
    days_left: int
    # The figures at the end of the deadline's day, once it has passed.
    done_at_deadline: int | None = None
    # For a unit late at the deadline that has caught up since: the day it reached the due count.
    reached_on: datetime.date | None = None

    @property
    def overdue(self) -> bool:
        judged = self.done if self.done_at_deadline is None else self.done_at_deadline
        return self.days_left < 0 and self.due is not None and judged < self.due

    @property
    def caught_up(self) -> bool:
        """Late at the deadline, reached since."""
        return self.overdue and self.due is not None and self.done >= self.due

    @property
    def days_overdue(self) -> int:
        """Days late: until the due count was reached, or until today while it is not."""
        if self.reached_on is not None:
            return max(0, (self.reached_on - self.round.deadline).days)
        return max(0, -self.days_left)


# Per round whose deadline has passed: the rows by unit and the total at its deadline.
AtDeadlines = dict[int, tuple[dict[int, "ProgressRow"], "ProgressRow"]]


def at_deadlines(
    campaign: Campaign, parent: Unit, today: datetime.date, rounds: Iterable[Round] | None = None
) -> AtDeadlines:
    """The figures of `parent` and the units below it at each passed round's deadline."""
    found: AtDeadlines = {}
    for round_ in campaign.rounds.all() if rounds is None else rounds:
        if round_.deadline < today:
            rows, total = progress_by_unit(campaign, parent, round_.deadline)
            found[round_.pk] = ({row.unit.pk: row for row in rows if row.unit is not None}, total)
    return found


def _child_level(unit: Unit) -> tuple[str, int]:
    if unit.level >= Level.COMMUNE:
        return "village", Level.VILLAGE
    return "commune", Level.COMMUNE


def _scoped(campaign: Campaign, parent: Unit | None, rows: QuerySet[Any]) -> QuerySet[Any]:
    """Work items (or tally rows) of the campaign under `parent` (all without one)."""
    rows = rows.filter(campaign=campaign)
    if parent is None:
        return rows
    if parent.level == Level.VILLAGE:
        return rows.filter(village=parent)
    if parent.level == Level.COMMUNE:
        return rows.filter(commune=parent)
    return rows.filter(commune__in=campaign.communes.filter(subtree_filter(parent.path)))


def _grouping(parent: Unit | None, by: str) -> str:
    if by:
        return by
    return "village" if parent is None else _child_level(parent)[0]


def counted_raw(
    campaign: Campaign, parent: Unit | None, as_of: datetime.date | None = None, by: str = ""
) -> dict[int, dict[str, int]]:
    """The counts per commune or village (`by`, else the level below `parent`) counted from
    every form (and, for a past day, its transitions): what the tally must always equal
    (`laodong progress check`, tests)."""
    key = _grouping(parent, by)
    items = _scoped(campaign, parent, WorkItem.objects.all())
    if as_of is not None and as_of < timezone.localdate():
        return _counted_as_of(items, key, as_of)
    aggregates = {name: Count("pk", filter=condition) for name, condition in COUNTS.items()}
    return {row.pop(key): row for row in items.values(key).annotate(**aggregates).order_by()}


def counted(
    campaign: Campaign, parent: Unit | None, as_of: datetime.date | None = None, by: str = ""
) -> dict[int, dict[str, int]]:
    """The same counts read from the progress kept by day (collection.tally), after rebuilding
    the places writes have marked stale; from the forms themselves when that rebuild cannot
    run now (SQLite busy with another writer)."""
    key = _grouping(parent, by)
    communes: Any = None
    if parent is not None and parent.level >= Level.COMMUNE:
        communes = [parent.parent_id if parent.level == Level.VILLAGE else parent.pk]
    elif parent is not None:
        communes = campaign.communes.filter(subtree_filter(parent.path)).values("pk")
    try:
        tally.catch_up(
            campaign.pk,
            communes,
            village_id=parent.pk if parent is not None and parent.level == Level.VILLAGE else None,
        )
    except OperationalError:
        return counted_raw(campaign, parent, as_of, by)
    rows = _scoped(campaign, parent, ProgressTally.objects.all())
    past = as_of is not None and as_of < timezone.localdate()
    if past:
        rows = rows.filter(day__lte=as_of)
    grouped: dict[int, dict[str, int]] = {}
    for row in (
        rows.values(key, "status", "in_latest_list", "outside_list")
        .annotate(n=Sum("count"))
        .order_by()
    ):
        counts = grouped.setdefault(row[key], _zero())
        state, n = row["status"], row["n"]
        if state == tally.ENTERED_MARK:
            if past:
                counts["entered"] += n
            continue
        for name in _names(state, row["in_latest_list"], row["outside_list"]):
            counts[name] += n
        if not past and state in ENTERED_OR_LATER:
            counts["entered"] += n
    return grouped


def progress_by_unit(
    campaign: Campaign, parent: Unit, as_of: datetime.date | None = None
) -> tuple[list[ProgressRow], ProgressRow]:
    """Rows for each commune (of a province) or village (of a commune), and their total: now,
    or at the end of the day `as_of`."""
    _key, level = _child_level(parent)
    grouped = counted(campaign, parent, as_of)
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


def _round(round_: Round, row: ProgressRow, today: datetime.date,
           then: ProgressRow | None) -> RoundProgress:  # fmt: skip
    done_key = "collected" if round_.kind == RoundKind.COLLECTION else "entered"
    judged = then or row
    base = row.target if round_.kind == RoundKind.COLLECTION else judged.counts["accepted"]
    due = round(base * round_.target_percent / 100) if base else None
    return RoundProgress(
        round=round_,
        due=due,
        done=row.counts[done_key],
        days_left=(round_.deadline - today).days,
        done_at_deadline=None if then is None else then.counts[done_key],
    )


def round_progress(
    campaign: Campaign,
    total: ProgressRow,
    today: datetime.date,
    rounds: Iterable[Round] | None = None,
    deadlines: AtDeadlines | None = None,
) -> list[RoundProgress]:
    """Each round's due count (its share of the target) against what is done; a passed round
    judged by the figures at its deadline when `deadlines` holds them."""
    deadlines = deadlines or {}
    return [
        _round(round_, total, today, deadlines.get(round_.pk, ({}, None))[1])
        for round_ in (campaign.rounds.all() if rounds is None else rounds)
    ]


def next_deadline(rounds: list[RoundProgress]) -> RoundProgress | None:
    upcoming = [r for r in rounds if r.days_left >= 0]
    return min(upcoming, key=lambda r: r.days_left) if upcoming else None


def late_units(
    campaign: Campaign,
    rows: list[ProgressRow],
    today: datetime.date,
    deadlines: AtDeadlines | None = None,
) -> dict[int, list[RoundProgress]]:
    """The units that were behind a round at its deadline (or, without `deadlines`, are behind
    a passed round now), with those rounds."""
    rounds = list(campaign.rounds.all())
    deadlines = deadlines or {}
    late: dict[int, list[RoundProgress]] = {}
    for row in rows:
        assert row.unit is not None
        unit_pk = row.unit.pk
        overdue = []
        for round_ in rounds:
            then = deadlines[round_.pk][0].get(unit_pk) if round_.pk in deadlines else None
            progress = _round(round_, row, today, then)
            if progress.caught_up:
                assert progress.due is not None
                progress.reached_on = reached_on(campaign, row.unit, progress.round, progress.due)
            if progress.overdue:
                overdue.append(progress)
        if overdue:
            late[unit_pk] = overdue
    return late


def reached_on(campaign: Campaign, unit: Unit, round_: Round, due: int) -> datetime.date | None:
    """The day `unit` reached `due` forms of the round's kind: the due-th entry date among its
    entered forms, or the due-th last submission among its collected forms (a form returned
    and submitted again counts from its last submission)."""
    if due <= 0:
        return None
    items = WorkItem.objects.filter(campaign=campaign)
    items = items.filter(village=unit) if unit.level == Level.VILLAGE else items.filter(
        commune__in=campaign.communes.filter(subtree_filter(unit.path))
    )  # fmt: skip
    if round_.kind == RoundKind.ENTRY:
        days = (
            items.filter(status__in=ENTERED_OR_LATER, entered_on__isnull=False)
            .order_by("entered_on")
            .values_list("entered_on", flat=True)[due - 1 : due]
        )
        return next(iter(days), None)
    moments = (
        items.filter(status__in=COLLECTED, submitted_at__isnull=False)
        .order_by("submitted_at")
        .values_list("submitted_at", flat=True)[due - 1 : due]
    )
    moment = next(iter(moments), None)
    return timezone.localdate(moment) if moment is not None else None
