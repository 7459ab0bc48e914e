"""Counts of the people matching criteria the officer chooses ("thống kê theo tiêu chí"): the
unemployed aged 18 to 35 without training, the women in a poor household with no social
insurance… by the units below theirs, on a day.

No summary can hold every combination, so the periods are read. The count runs in the
background, commune by commune (an index range each), every commune holding one slot of heavy
work (laodong.core.heavy) and releasing it before the next: ten province officers counting at
once share the slots with the pages instead of taking the machine. The job row carries the
progress and, once every commune is counted, the result, written in one update: a count that
stops half-way (the server restarted) leaves no figures behind and is run again.
"""

from __future__ import annotations

import datetime
import logging
import time
import traceback
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.core.background import run_in_background
from laodong.core.heavy import Busy, heavy_work
from laodong.register.models import PersonPeriod
from laodong.reports.counters import AGE_GROUPS, PRIORITY_COUNTERS, codes_of
from laodong.reports.documents import Document, Section
from laodong.reports.models import CountStatus, CustomCount
from laodong.reports.statistics import (
    age_filters,
    base_level,
    child_path,
    periods_on,
    years_before,
)
from laodong.units.models import Level, Unit

logger = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=2)
# How long a count holds its slot of heavy work before letting others have it (and writing
# its progress).
SLOT_SECONDS = 0.25
OLDEST_AGE = 120


@dataclass(frozen=True)
class Item:
    """A question of the form the officer may choose answers of: the periods' column and
    its code list."""

    key: str
    list_id: str
    label: str | Promise


ITEMS: tuple[Item, ...] = (
    Item("sex", "sex", gettext_lazy("Giới tính")),
    Item("activity_status", "activity_status", gettext_lazy("Tình trạng hoạt động kinh tế")),
    Item("employment_status", "employment_status", gettext_lazy("Vị thế việc làm")),
    Item("workplace_type", "workplace_type", gettext_lazy("Nơi làm việc")),
    Item("has_labor_contract", "yes_no", gettext_lazy("Có hợp đồng lao động")),
    Item("contract_type", "contract_type", gettext_lazy("Loại hợp đồng lao động")),
    Item("has_social_insurance", "yes_no", gettext_lazy("Tham gia bảo hiểm xã hội")),
    Item("social_insurance_type", "social_insurance_type", gettext_lazy("Loại bảo hiểm xã hội")),
    Item(
        "unemployed_before",
        "unemployed_before",
        gettext_lazy("Người thất nghiệp: đã từng làm việc chưa"),
    ),
    Item("unemployment_duration", "unemployment_duration", gettext_lazy("Thời gian thất nghiệp")),
    Item(
        "inactivity_reason",
        "inactivity_reason",
        gettext_lazy("Lý do không tham gia hoạt động kinh tế"),
    ),
    Item("general_education", "general_education", gettext_lazy("Trình độ giáo dục phổ thông")),
    Item("qualification", "qualification", gettext_lazy("Trình độ chuyên môn kỹ thuật")),
    # Any of the chosen groups (one person can be in several).
    Item("priority", "priority_group", gettext_lazy("Thuộc đối tượng ưu tiên (một trong)")),
)
ITEMS_BY_KEY = {item.key: item for item in ITEMS}
PRIORITY_FLAGS = {int(group): flag for flag, group in PRIORITY_COUNTERS}


def choices_of(item: Item) -> list[tuple[int, str]]:
    return codes_of(item.list_id)


@dataclass(frozen=True)
class Criteria:
    """Who is counted: aged from `age_from` to `age_to` (full years on the day, both
    included; None: no bound) and, for each item chosen, one of its chosen codes."""

    age_from: int | None = None
    age_to: int | None = None
    codes: dict[str, tuple[int, ...]] = field(default_factory=dict)

    def as_data(self) -> dict[str, Any]:
        return {
            "age_from": self.age_from,
            "age_to": self.age_to,
            "codes": {key: list(values) for key, values in self.codes.items() if values},
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Criteria:
        return cls(
            age_from=data.get("age_from"),
            age_to=data.get("age_to"),
            codes={
                key: tuple(values)
                for key, values in (data.get("codes") or {}).items()
                if key in ITEMS_BY_KEY and values
            },
        )

    def q(self, day: datetime.date) -> Q:
        """The criteria as a filter on the periods in force on `day`."""
        return self.ages_q(day) & self.codes_q()

    def ages_q(self, day: datetime.date) -> Q:
        condition = Q()
        if self.age_from is not None:
            condition &= Q(birth_date__lte=years_before(day, self.age_from))
        if self.age_to is not None:
            condition &= Q(birth_date__gt=years_before(day, self.age_to + 1))
        return condition

    def codes_q(self) -> Q:
        condition = Q()
        for key, values in self.codes.items():
            if key == "priority":
                groups = Q()
                for group in values:
                    groups |= Q(**{PRIORITY_FLAGS[group]: True})
                condition &= groups
            else:
                condition &= Q(**{f"{key}__in": list(values)})
        return condition

    def lines(self) -> list[tuple[str, str]]:
        """The criteria in words, for the page and the files: (item, the answers chosen)."""
        lines = []
        if self.age_from is not None or self.age_to is not None:
            if self.age_to is None:
                ages = _("Từ %(low)s tuổi trở lên") % {"low": self.age_from}
            else:
                ages = _("Từ %(low)s đến %(high)s tuổi") % {
                    "low": self.age_from if self.age_from is not None else 15,
                    "high": self.age_to,
                }
            lines.append((_("Độ tuổi"), ages))
        for item in ITEMS:
            chosen = self.codes.get(item.key)
            if chosen:
                labels = dict(choices_of(item))
                answers = "; ".join(labels.get(code, str(code)) for code in chosen)
                lines.append((str(item.label), answers))
        return lines


def parts_of(unit: Unit) -> list[int]:
    """The communes the count reads one after the other, by code."""
    if unit.level >= Level.COMMUNE:
        commune = unit.pk if unit.level == Level.COMMUNE else unit.parent_id
        return [commune] if commune else []
    return list(
        Unit.objects.within(unit)
        .filter(level=Level.COMMUNE)
        .order_by("code", "pk")
        .values_list("pk", flat=True)
    )


def count_part(
    unit: Unit, commune: int, criteria: Criteria, day: datetime.date
) -> dict[int, list[int]]:
    """The matching people of one commune on `day`, by lowest unit (a village in a commune,
    the commune above it): (people, women, each age group). The commune's periods are found
    by the commune's index; the ages chosen are counted as the age groups are, in the sums
    (as a filter, the planner joined the birth dates' index, a third of the province, to
    every commune's few thousand rows: 22 ms a commune instead of 3)."""
    periods = PersonPeriod.objects.filter(periods_on(day), criteria.codes_q(), commune_id=commune)
    if unit.level == Level.VILLAGE:
        periods = periods.filter(village_id=unit.pk)
    chosen = criteria.ages_q(day)
    ages = {name: Count("pk", filter=chosen & q) for name, q in age_filters(day).items()}
    rows = (
        periods.values_list(base_level(unit))
        .annotate(
            people=Count("pk", filter=chosen),
            women=Count("pk", filter=chosen & Q(sex=2)),
            **ages,
        )
        .order_by()
    )
    return {place: list(values) for place, *values in rows if values[0]}


def columns() -> list[str]:
    ages = [f"{lower}–{upper}" if upper else f"{lower}+" for lower, upper in AGE_GROUPS]
    return [_("Số người"), _("Trong đó: nữ"), *ages]


def start_count(
    *, acting_user: Any, unit: Unit, day: datetime.date, criteria: Criteria
) -> CustomCount:
    """Queue a count; it starts once the row is committed."""
    count = CustomCount.objects.create(
        created_by=acting_user, unit=unit, as_of=day, criteria=criteria.as_data()
    )
    transaction.on_commit(lambda: run_in_background(run_count, count.pk))
    return count


def is_stale(count: CustomCount) -> bool:
    """Its thread died with its process: no progress for a while, or never started (a count
    is taken up as soon as it is queued)."""
    beat = count.heartbeat_at or count.created_at
    working = count.status in (CountStatus.QUEUED, CountStatus.RUNNING)
    return working and timezone.now() - beat > STALE_AFTER


def restart(count: CustomCount) -> None:
    """Run again a count whose thread died with its process (no figures were kept)."""
    if is_stale(count):
        updated = CustomCount.objects.filter(
            pk=count.pk, status=count.status, heartbeat_at=count.heartbeat_at
        ).update(status=CountStatus.QUEUED, parts_done=0, heartbeat_at=timezone.now())
        if updated:
            transaction.on_commit(lambda: run_in_background(run_count, count.pk))


def run_count(count_id: int) -> CustomCount:
    """Count commune by commune, publishing progress; the result is written once, at the end."""
    claimed = CustomCount.objects.filter(pk=count_id, status=CountStatus.QUEUED).update(
        status=CountStatus.RUNNING, heartbeat_at=timezone.now(), parts_done=0
    )
    count = CustomCount.objects.select_related("unit").get(pk=count_id)
    if not claimed:
        return count
    try:
        rows = _count(count)
    except Exception as error:
        # The log says where, never the message (a database error can quote a citizen's data).
        logger.error(
            "custom count %s failed: %s\n%s",
            count_id,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        CustomCount.objects.filter(pk=count_id).update(
            status=CountStatus.FAILED,
            message=_("Không đếm được do lỗi của hệ thống. Hãy thử lại sau."),
            finished_at=timezone.now(),
        )
    else:
        CustomCount.objects.filter(pk=count_id).update(
            status=CountStatus.DONE,
            result={"rows": rows},
            parts_done=count.parts_total,
            finished_at=timezone.now(),
        )
    return CustomCount.objects.get(pk=count_id)


def _count(count: CustomCount) -> list[list[Any]]:
    unit, day = count.unit, count.as_of
    criteria = Criteria.from_data(count.criteria)
    parts = parts_of(unit)
    count.parts_total = len(parts)
    CustomCount.objects.filter(pk=count.pk).update(parts_total=len(parts))
    totals: dict[int, list[int]] = {}
    width = len(columns())
    done = 0

    def some_communes() -> None:
        """Count communes while the slot is held, for about SLOT_SECONDS: fewer round trips
        for the slot, and the others waiting get it back soon."""
        nonlocal done
        began = time.monotonic()
        while done < len(parts) and time.monotonic() - began < SLOT_SECONDS:
            totals.update(count_part(unit, parts[done], criteria, day))
            done += 1

    while done < len(parts):
        _with_slot(count.pk, some_communes)
        CustomCount.objects.filter(pk=count.pk).update(parts_done=done, heartbeat_at=timezone.now())
    return _rows(unit, totals, width)


def _rows(unit: Unit, totals: dict[int, list[int]], width: int) -> list[list[Any]]:
    """One row per unit directly below `unit` (a village: itself), the lowest units' figures
    added up the tree as the labor statistics add them; a unit no longer current shows only
    while people are still counted in it."""
    if unit.level == Level.VILLAGE:
        return [[unit.pk, unit.label(), *totals.get(unit.pk, [0] * width)]]
    children = list(Unit.objects.filter(parent=unit).order_by("code", "name_folded"))
    sums = {child.path: [0] * width for child in children}
    for pk, path in Unit.objects.filter(pk__in=list(totals)).values_list("pk", "path"):
        row = child_path(unit.path, path)
        if row in sums:
            sums[row] = [a + b for a, b in zip(sums[row], totals[pk], strict=True)]
    return [
        [child.pk, child.label(), *sums[child.path]]
        for child in children
        if child.valid_to is None or any(sums[child.path])
    ]


def _with_slot(count_id: int, work: Any) -> Any:
    """Run one commune's statement in a slot of heavy work, waiting as long as it takes
    (a background count has no one waiting on the other end of a request)."""
    while True:
        try:
            with heavy_work():
                return work()
        except Busy:
            CustomCount.objects.filter(pk=count_id).update(heartbeat_at=timezone.now())


def custom_document(count: CustomCount, *, made_by: str) -> Document:
    criteria = Criteria.from_data(count.criteria)
    document = Document(
        kind="tieu-chi",
        title=_("Thống kê người lao động theo tiêu chí"),
        period=_("Số liệu đến hết ngày %(day)s") % {"day": f"{count.as_of:%d/%m/%Y}"},
        unit=count.unit,
        made_by=made_by,
    )
    chosen = Section(_("1. Tiêu chí"), [_("Tiêu chí"), _("Giá trị đã chọn")], words=True)
    chosen.add(_("Người từ 15 tuổi trở lên trong cơ sở dữ liệu"), _("Có"))
    for label, answers in criteria.lines():
        chosen.add(label, answers)
    document.sections.append(chosen)
    table = Section(
        _("2. Số người theo đơn vị"),
        [_("Đơn vị"), *columns()],
        note=_("Tuổi tròn năm tính đến ngày lấy số liệu."),
    )
    rows = count.result.get("rows", [])
    width = len(columns())
    total = [0] * width
    for _pk, label, *values in rows:
        table.add(label, *values)
        total = [a + b for a, b in zip(total, values, strict=True)]
    table.add(_("Cộng"), *total, depth=0)
    document.sections.append(table)
    return document
