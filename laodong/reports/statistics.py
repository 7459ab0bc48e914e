"""Labor statistics for any unit and date.

They are read from the summary kept current (laodong/reports/summary.py). The raw count below
is what the summary must equal, and what is used when it cannot be brought up to date: the
query groups the people aged 15+ on the date by (lowest reporting unit, sex, economic-activity
status) and counts, in the same scan, how many of each group have each code of
the other items (FILTER aggregates). Every table, and every unit above the lowest one, is then a
sum of those few thousand cells, so a province is one scan of a narrow table whatever the number
of tables.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from laodong.core.heavy import heavy_work
from laodong.register.models import PersonPeriod
from laodong.reports import summary as kept
from laodong.reports.counters import (
    AGE_COUNTERS,
    AGE_GROUPS,
    CODE_COUNTERS,
    COUNTERS,
    PRIORITY_COUNTERS,
    Cells,
    PlaceCells,
    counter_q,
)
from laodong.reports.counters import codes_of as _codes
from laodong.reports.documents import Document, Section
from laodong.units.models import PATH_SEPARATOR, Level, Unit

SEXES = (1, 2)
ACTIVITIES = (0, 1, 2, 3)  # not stated, employed, unemployed, inactive
EMPLOYED, UNEMPLOYED, INACTIVE = 1, 2, 3

COUNTER_FILTERS = {name: counter_q(name) for name in CODE_COUNTERS}
_INDEX = {name: index for index, name in enumerate(COUNTERS)}


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The same calendar day `years` earlier (28 February for a 29 February without one)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the project's time zone (Asia/Ho_Chi_Minh)."""
    following = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time())
    return timezone.make_aware(following)


def in_force_on(day: datetime.date) -> Q:
    """The periods in force at the end of `day`."""
    moment = end_of_day(day)
    return Q(valid_from__lt=moment) & (Q(valid_to__isnull=True) | Q(valid_to__gte=moment))


def periods_on(day: datetime.date) -> Q:
    """The periods in force at the end of `day` for people aged 15 or more on that day who
    were in the register (not "ra khỏi diện quản lý")."""
    return in_force_on(day) & Q(birth_date__lte=years_before(day, 15), leave_reason="")


def age_filters(day: datetime.date) -> dict[str, Q]:
    """The age-group counters on `day` (age in full years, as the form computes it)."""
    filters = {}
    for name, (lower, upper) in zip(AGE_COUNTERS, AGE_GROUPS, strict=True):
        condition = Q(birth_date__lte=years_before(day, lower))
        if upper is not None:
            condition &= Q(birth_date__gt=years_before(day, upper + 1))
        filters[name] = condition
    return filters


def aggregates(day: datetime.date) -> dict[str, Count]:
    """Every counter of the statistics query, in COUNTERS order."""
    return {
        "people": Count("pk"),
        **{
            name: Count("pk", filter=condition)
            for name, condition in {**age_filters(day), **COUNTER_FILTERS}.items()
        },
    }


def base_level(unit: Unit) -> str:
    """The column the count is grouped by: villages inside a commune, communes above it."""
    return "village_id" if unit.level >= Level.COMMUNE else "commune_id"


def _scope(unit: Unit) -> tuple[str, int | list[int]] | None:
    """The column and id(s) the periods of people living in `unit` are found by (None: the
    whole country): its village, its commune, or the communes under it."""
    if unit.level == Level.VILLAGE:
        return "village_id", unit.pk
    if unit.level == Level.COMMUNE:
        return "commune_id", unit.pk
    if unit.level == Level.COUNTRY:
        return None
    communes = Unit.objects.within(unit).filter(level=Level.COMMUNE).values_list("pk", flat=True)
    return "commune_id", list(communes)


def scope_of(unit: Unit) -> Q:
    """The periods of people living in `unit`."""
    scope = _scope(unit)
    if scope is None:
        return Q()
    column, ids = scope
    return Q(**{f"{column}__in": ids}) if isinstance(ids, list) else Q(**{column: ids})


def scope_sql(unit: Unit, alias: str) -> str:
    """scope_of(unit) written in SQL on the periods `alias` (ids are our own integers)."""
    scope = _scope(unit)
    if scope is None:
        return f"{alias}.person_id IS NOT NULL"
    column, ids = scope
    if isinstance(ids, list):
        return f"{alias}.{column} IN ({', '.join(str(int(pk)) for pk in ids) or 'NULL'})"
    return f"{alias}.{column} = {int(ids)}"


def count_cells(unit: Unit, day: datetime.date) -> PlaceCells:
    """Cells per lowest unit (village or commune) under `unit`, from the summary kept current;
    from the periods themselves when the summary cannot be brought up to date now (SQLite busy
    with a long write, or many communes being rebuilt in the background) or for a day after
    today."""
    if day <= timezone.localdate():
        try:
            return kept.summary_cells(unit, day)
        except (OperationalError, kept.Behind):
            pass
    return count_cells_raw(unit, day)


def count_cells_raw(unit: Unit, day: datetime.date) -> PlaceCells:
    """Run the one query over the periods: cells per lowest unit (village or commune). A heavy
    statement: it waits for a slot (core.heavy)."""
    with heavy_work():
        return _count_cells_raw(unit, day)


@transaction.atomic
def _count_cells_raw(unit: Unit, day: datetime.date) -> PlaceCells:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One scan of a few hundred MB into a few thousand groups: compiling the
            # expressions (JIT) costs more than it saves.
            cursor.execute(
                "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true)"
            )
    cells: PlaceCells = {}
    for base, sex, activity, *counts in statistics_query(unit, day):
        cells.setdefault(base, {})[(sex, activity)] = counts
    return cells


def statistics_query(unit: Unit, day: datetime.date) -> QuerySet[PersonPeriod, Any]:
    """The one GROUP BY: (lowest unit, sex, activity status) with every counter."""
    return (
        PersonPeriod.objects.filter(scope_of(unit) & periods_on(day))
        .values_list(base_level(unit), "sex", "activity_status")
        .annotate(**aggregates(day))
        .order_by()
    )


def _add(total: Cells, cells: Cells) -> None:
    for key, counts in cells.items():
        if key in total:
            total[key] = [a + b for a, b in zip(total[key], counts, strict=True)]
        else:
            total[key] = list(counts)


@dataclass
class Figures:
    """The counts of one unit, from which every table line is read."""

    cells: Cells = field(default_factory=dict)

    def count(
        self,
        counter: str = "people",
        *,
        sex: int | None = None,
        activity: int | None = None,
    ) -> int:
        index = _INDEX[counter]
        return sum(
            counts[index]
            for (cell_sex, cell_activity), counts in self.cells.items()
            if (sex is None or cell_sex == sex) and (activity is None or cell_activity == activity)
        )


@dataclass
class Statistics:
    """The figures of a unit and of each unit directly below it, on one date."""

    unit: Unit
    day: datetime.date
    figures: Figures
    children: list[tuple[Unit, Figures]]

    def tables(self) -> list[Table]:
        return build_tables(self.figures)


def labor_statistics(unit: Unit, day: datetime.date) -> Statistics:
    """Count the register under `unit` as it stood at the end of `day`, rolled up the tree."""
    cells = count_cells(unit, day)
    children = list(
        Unit.objects.filter(parent=unit, valid_to__isnull=True).order_by("code", "name")
        if unit.level < Level.VILLAGE
        else []
    )
    # Each lowest unit adds to the requested unit and to the child it lies under.
    base_units = Unit.objects.filter(pk__in=list(cells)).values_list("pk", "path")
    by_child = {child.path: Figures() for child in children}
    total = Figures()
    for base, path in base_units:
        _add(total.cells, cells[base])
        below = child_path(unit.path, path)
        if below in by_child:
            _add(by_child[below].cells, cells[base])
    return Statistics(
        unit=unit,
        day=day,
        figures=total,
        children=[(child, by_child[child.path]) for child in children],
    )


def child_path(parent_path: str, path: str) -> str:
    """The path of the unit directly below `parent_path` on the way to `path`."""
    rest = path[len(parent_path) :].strip(PATH_SEPARATOR).split(PATH_SEPARATOR)
    return f"{parent_path}{rest[0]}{PATH_SEPARATOR}" if rest and rest[0] else path


# ----------------------------------------------------------------------------------------------
# Tables


@dataclass(frozen=True)
class Line:
    """One row of a table: the people of `activity` (None = everyone) having `counter`.

    `rest_of` names lines whose sum is taken off this one ("not stated")."""

    label: str | Promise
    counter: str = "people"
    activity: int | None = None
    depth: int = 1  # 0 = total, 1 = item, 2 = sub-item
    sum_of: tuple[Line, ...] = ()  # a sub-total: the sum of these lines
    rest_of: tuple[Line, ...] = ()


@dataclass(frozen=True)
class Row:
    label: str
    depth: int
    total: int
    male: int
    female: int
    share: float | None  # percent of the table's total line

    @property
    def values(self) -> tuple[int, int, int]:
        return (self.total, self.male, self.female)


@dataclass(frozen=True)
class Table:
    key: str
    title: str
    rows: list[Row]

    @property
    def total(self) -> Row:
        return self.rows[0]


def _value(figures: Figures, line: Line, sex: int | None) -> int:
    def one(counter: str) -> int:
        return figures.count(counter, sex=sex, activity=line.activity)

    if line.sum_of:
        value = sum(_value(figures, part, sex) for part in line.sum_of)
    else:
        value = one(line.counter)
    return value - sum(_value(figures, other, sex) for other in line.rest_of)


def _table(key: str, title: str | Promise, figures: Figures, lines: Iterable[Line]) -> Table:
    lines = list(lines)
    rows = []
    base = _value(figures, lines[0], None)
    for line in lines:
        total, male, female = (_value(figures, line, sex) for sex in (None, *SEXES))
        share = round(100 * total / base, 1) if base else None
        rows.append(Row(str(line.label), line.depth, total, male, female, share))
    return Table(key, str(title), rows)


def _coded(column: str, list_id: str, activity: int | None) -> tuple[Line, ...]:
    return tuple(Line(label, f"{column}={code}", activity) for code, label in _codes(list_id))


NOT_STATED = _("Chưa xác định")
# Sơ cấp (4) and above: trained "with a degree or certificate" in labor statistics.
TRAINED = frozenset(f"qualification={code}" for code in range(4, 9))


def _by_code(
    key: str,
    title: Any,
    figures: Figures,
    column: str,
    list_id: str,
    activity: int | None,
    total_label: Any,
) -> Table:
    items = _coded(column, list_id, activity)
    total = Line(total_label, activity=activity, depth=0)
    rest = Line(NOT_STATED, activity=activity, rest_of=items)
    return _table(key, title, figures, [total, *items, rest])


def _yes_by_type(
    figures: Figures, key: str, title: Any, has: str, kind: str, list_id: str, labels: Any
) -> Table:
    yes_label, no_label = labels
    types = tuple(
        Line(label, f"{kind}={code}", EMPLOYED, depth=2) for code, label in _codes(list_id)
    )
    yes = Line(yes_label, f"{has}=1", EMPLOYED)
    lines = [
        Line(_("Tổng số người có việc làm"), activity=EMPLOYED, depth=0),
        yes,
        *types,
        Line(_("Chưa rõ loại"), f"{has}=1", EMPLOYED, depth=2, rest_of=types),
        Line(no_label, f"{has}=2", EMPLOYED),
    ]
    lines.append(Line(NOT_STATED, activity=EMPLOYED, rest_of=(yes, lines[-1])))
    return _table(key, title, figures, lines)


def _qualification(figures: Figures, everyone: Any) -> Table:
    items = _coded("qualification", "qualification", None)
    trained = Line(
        _("Trong đó: đã qua đào tạo từ sơ cấp trở lên"),
        depth=2,
        sum_of=tuple(line for line in items if line.counter in TRAINED),
    )
    lines = [
        Line(everyone, depth=0),
        *items,
        Line(NOT_STATED, rest_of=items),
        trained,
    ]
    return _table("qualification", _("Theo trình độ chuyên môn kỹ thuật"), figures, lines)


def _activity(figures: Figures, everyone: Any) -> Table:
    employed = Line(_("Có việc làm"), activity=EMPLOYED, depth=2)
    unemployed = Line(_("Thất nghiệp"), activity=UNEMPLOYED, depth=2)
    lines = [
        Line(everyone, depth=0),
        Line(_("Lực lượng lao động"), sum_of=(employed, unemployed)),
        employed,
        unemployed,
        Line(_("Không tham gia hoạt động kinh tế"), activity=INACTIVE),
        Line(NOT_STATED, activity=0),
    ]
    return _table("activity", _("Theo tình trạng hoạt động kinh tế"), figures, lines)


def _priority(figures: Figures) -> Table:
    labels = dict(_codes("priority_group"))
    lines = [
        Line(_("Số người thuộc ít nhất một nhóm"), "any_priority", depth=0),
        *(Line(labels[int(code)], f"priority={code}") for _flag, code in PRIORITY_COUNTERS),
    ]
    return _table(
        "priority", _("Đối tượng ưu tiên (một người có thể thuộc nhiều nhóm)"), figures, lines
    )


def build_tables(figures: Figures) -> list[Table]:
    """Every table of the labor statistics, each with its total line first."""
    everyone = _("Tổng số người từ 15 tuổi trở lên")
    all_employed = _("Tổng số người có việc làm")
    all_unemployed = _("Tổng số người thất nghiệp")
    ages = [
        Line(f"{lower}–{upper}" if upper else f"{lower}+", counter)
        for counter, (lower, upper) in zip(AGE_COUNTERS, AGE_GROUPS, strict=True)
    ]
    return [
        _table("age", _("Theo nhóm tuổi và giới tính"), figures, [Line(everyone, depth=0), *ages]),
        _activity(figures, everyone),
        _by_code(
            "employment_status",
            _("Người có việc làm theo vị thế việc làm"),
            figures,
            "employment_status",
            "employment_status",
            EMPLOYED,
            all_employed,
        ),
        _by_code(
            "workplace_type",
            _("Người có việc làm theo loại hình nơi làm việc"),
            figures,
            "workplace_type",
            "workplace_type",
            EMPLOYED,
            all_employed,
        ),
        _yes_by_type(
            figures,
            "social_insurance",
            _("Người có việc làm theo tham gia bảo hiểm xã hội"),
            "has_social_insurance",
            "social_insurance_type",
            "social_insurance_type",
            (_("Có tham gia bảo hiểm xã hội"), _("Không tham gia")),
        ),
        _yes_by_type(
            figures,
            "labor_contract",
            _("Người có việc làm theo hợp đồng lao động"),
            "has_labor_contract",
            "contract_type",
            "contract_type",
            (_("Có hợp đồng lao động"), _("Không có hợp đồng lao động")),
        ),
        _by_code(
            "unemployment_duration",
            _("Người thất nghiệp theo thời gian thất nghiệp"),
            figures,
            "unemployment_duration",
            "unemployment_duration",
            UNEMPLOYED,
            all_unemployed,
        ),
        _by_code(
            "unemployed_before",
            _("Người thất nghiệp theo việc đã từng làm việc"),
            figures,
            "unemployed_before",
            "unemployed_before",
            UNEMPLOYED,
            all_unemployed,
        ),
        _by_code(
            "inactivity_reason",
            _("Người không tham gia hoạt động kinh tế theo lý do"),
            figures,
            "inactivity_reason",
            "inactivity_reason",
            INACTIVE,
            _("Tổng số người không tham gia hoạt động kinh tế"),
        ),
        _by_code(
            "general_education",
            _("Theo trình độ giáo dục phổ thông"),
            figures,
            "general_education",
            "general_education",
            None,
            everyone,
        ),
        _qualification(figures, everyone),
        _priority(figures),
    ]


# The figures shown for each unit below the one reported on, in the drill-down table.
SUMMARY_COLUMNS: tuple[tuple[Any, Line], ...] = (
    (_("Từ 15 tuổi trở lên"), Line("")),
    (_("Có việc làm"), Line("", activity=EMPLOYED)),
    (_("Thất nghiệp"), Line("", activity=UNEMPLOYED)),
    (_("Không tham gia HĐKT"), Line("", activity=INACTIVE)),
    (_("Tham gia BHXH"), Line("", "has_social_insurance=1", EMPLOYED)),
    (_("Có HĐLĐ"), Line("", "has_labor_contract=1", EMPLOYED)),
    (
        _("Qua đào tạo (sơ cấp trở lên)"),
        Line("", sum_of=tuple(Line("", c) for c in sorted(TRAINED))),
    ),
)


def summary(figures: Figures) -> list[int]:
    """The drill-down figures of one unit, in SUMMARY_COLUMNS order."""
    return [_value(figures, line, None) for _label, line in SUMMARY_COLUMNS]


def statistics_document(statistics: Statistics, *, made_by: str) -> Document:
    """The statistics as a report: every table, then the figures of each unit below."""
    document = Document(
        kind="statistics",
        title=str(_("Thống kê người lao động")),
        period=str(_("Số liệu đến hết ngày %(day)s") % {"day": f"{statistics.day:%d/%m/%Y}"}),
        unit=statistics.unit,
        made_by=made_by,
    )
    columns = [str(_("Chỉ tiêu")), str(_("Tổng số")), str(_("Nam")), str(_("Nữ")), "%"]
    for number, table in enumerate(statistics.tables(), start=1):
        section = Section(f"{number}. {table.title}", columns)
        for row in table.rows:
            section.add(row.label, row.total, row.male, row.female, row.share, depth=row.depth)
        document.sections.append(section)
    if statistics.children:
        section = Section(
            str(_("%(number)s. Theo đơn vị trực thuộc") % {"number": len(document.sections) + 1}),
            [str(_("Đơn vị")), *(str(label) for label, _line in SUMMARY_COLUMNS)],
        )
        for child, figures in statistics.children:
            section.add(child.label(), *summary(figures))
        section.add(str(_("Cộng")), *summary(statistics.figures), depth=0)
        document.sections.append(section)
    return document
