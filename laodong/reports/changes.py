"""Changes (biến động) of a unit's labor force between two dates, from the register's periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.core.heavy import heavy_work
from laodong.register.models import LeaveReason, PersonPeriod, Source
from laodong.reports import summary as kept
from laodong.reports.documents import Document, Section
from laodong.reports.statistics import (
    ACTIVITIES,
    count_cells,
    end_of_day,
    scope_of,
    years_before,
)
from laodong.units.models import Level, Unit

ACTIVITY_LABELS = {
    1: gettext_lazy("Có việc làm"),
    2: gettext_lazy("Thất nghiệp"),
    3: gettext_lazy("Không tham gia HĐKT"),
    0: gettext_lazy("Chưa xác định"),
}
# The matrix's rows: where each person stood on the first date.
NOT_YET = -1  # not in the register, or not yet 15, on the first date


@dataclass
class Changes:
    unit: Unit
    start: datetime.date
    end: datetime.date
    people_at_start: int = 0
    people_at_end: int = 0
    newly_15: int = 0
    newly_collected: int = 0
    moved_in: int = 0
    moved_out: int = 0
    corrections: int = 0
    corrected_people: int = 0
    updates: int = 0
    # Closures ("ra khỏi diện quản lý") by reason, and closures undone.
    left: dict[str, int] = field(default_factory=dict)
    reopened: int = 0
    # Versions saved in the period by their source (new records included).
    by_source: dict[str, int] = field(default_factory=dict)
    # (activity on the start date or NOT_YET, activity on the end date) → people
    matrix: dict[tuple[int, int], int] = field(default_factory=dict)


def labor_changes(unit: Unit, start: datetime.date, end: datetime.date) -> Changes:
    """What changed in `unit` after the end of `start` up to the end of `end`; kept in the
    cache under the summary's generation (every write that moves, collects or changes a person
    of the unit marks a village of it, on either side of a move), so a year in which everyone
    is new is counted once until the register changes."""
    return kept.kept(
        unit, end, f"changes:{start.isoformat()}", lambda: _labor_changes(unit, start, end)
    )


def _labor_changes(unit: Unit, start: datetime.date, end: datetime.date) -> Changes:
    """What changed in `unit` after the end of `start` up to the end of `end`.

    Only people with a period that began in the window can have moved, been collected, left,
    or changed their activity: they are counted from their periods (an index range on the
    periods' start). Everyone else kept one period through the window, so they are the
    counts kept current by the summary on both dates less the changed people; among them,
    only turning 15 makes a difference between the two dates."""
    result = Changes(unit=unit, start=start, end=end)
    scope = scope_of(unit)
    before, after = end_of_day(start), end_of_day(end)
    edits = PersonPeriod.objects.filter(scope, valid_from__gte=before, valid_from__lt=after)
    result.newly_collected = edits.filter(number=1).count()
    counted = edits.aggregate(
        corrections=Count("pk", filter=Q(source=Source.CORRECTION)),
        corrected=Count("person", filter=Q(source=Source.CORRECTION), distinct=True),
        updates=Count("pk", filter=Q(number__gt=1) & ~Q(source=Source.CORRECTION)),
    )
    result.corrections = counted["corrections"]
    result.corrected_people = counted["corrected"]
    result.updates = counted["updates"]
    result.by_source = dict(
        edits.values_list("source").annotate(count=Count("pk")).order_by("source")
    )
    previous = PersonPeriod.objects.filter(person=OuterRef("person"), number=OuterRef("number") - 1)
    closures = edits.exclude(leave_reason="").filter(~Exists(previous.exclude(leave_reason="")))
    result.left = dict(
        closures.values_list("leave_reason").annotate(count=Count("pk")).order_by("leave_reason")
    )
    result.reopened = (
        edits.filter(leave_reason="", number__gt=1)
        .filter(Exists(previous.exclude(leave_reason="")))
        .count()
    )

    changed_at_end: dict[int, int] = {}
    changed_at_start: dict[int, int] = {}
    newly_15_changed = 0
    for then, now, people, moved_in, moved_out, newly_15 in _changed_people(unit, start, end):
        result.moved_in += moved_in
        result.moved_out += moved_out
        newly_15_changed += newly_15
        if then is not None:
            then = then if then in ACTIVITIES else 0
            changed_at_start[then] = changed_at_start.get(then, 0) + people
        if now is not None:
            key = (NOT_YET if then is None else then, now if now in ACTIVITIES else 0)
            result.matrix[key] = result.matrix.get(key, 0) + people
            changed_at_end[key[1]] = changed_at_end.get(key[1], 0) + people
    # The unchanged people: the same period on both dates, so the same activity.
    everyone_at_end = _people_by_activity(unit, end)
    everyone_at_start = _people_by_activity(unit, start)
    result.people_at_end = sum(everyone_at_end.values())
    result.people_at_start = sum(everyone_at_start.values())
    result.newly_15 = newly_15_changed
    for activity in ACTIVITIES:
        kept_at_end = everyone_at_end.get(activity, 0) - changed_at_end.get(activity, 0)
        kept_at_start = everyone_at_start.get(activity, 0) - changed_at_start.get(activity, 0)
        for key, people in (
            ((activity, activity), kept_at_start),
            ((NOT_YET, activity), kept_at_end - kept_at_start),
        ):
            if people:
                result.matrix[key] = result.matrix.get(key, 0) + people
        result.newly_15 += kept_at_end - kept_at_start
    return result


CHANGED_PEOPLE = """
WITH changed AS (
    SELECT DISTINCT person_id FROM register_personperiod
    WHERE valid_from >= %(before)s AND valid_from < %(after)s
), pairs AS (
    SELECT
        s.person_id IS NOT NULL AS s_exists,
        coalesce({s_scope}, false) AS s_in_scope,
        coalesce({s_scope} AND s.birth_date <= %(born_by_start)s AND s.leave_reason = '', false)
            AS s_here,
        s.activity_status AS s_activity,
        e.person_id IS NOT NULL AS e_exists,
        coalesce({e_scope}, false) AS e_in_scope,
        coalesce({e_scope} AND e.birth_date <= %(born_by_end)s AND e.leave_reason = '', false)
            AS e_here,
        e.activity_status AS e_activity,
        e.birth_date AS e_birth
    FROM changed AS c
    LEFT JOIN register_personperiod AS s ON s.person_id = c.person_id
        AND s.valid_from < %(before)s AND (s.valid_to IS NULL OR s.valid_to >= %(before)s)
    LEFT JOIN register_personperiod AS e ON e.person_id = c.person_id
        AND e.valid_from < %(after)s AND (e.valid_to IS NULL OR e.valid_to >= %(after)s)
)
SELECT
    CASE WHEN s_here THEN s_activity END,
    CASE WHEN e_here THEN e_activity END,
    count(*),
    sum(CASE WHEN e_here AND s_exists AND NOT s_in_scope THEN 1 ELSE 0 END),
    sum(CASE WHEN s_here AND e_exists AND NOT e_in_scope THEN 1 ELSE 0 END),
    sum(CASE WHEN e_here AND e_birth > %(born_by_start)s THEN 1 ELSE 0 END)
FROM pairs
WHERE s_here OR e_here
GROUP BY 1, 2
"""


def _changed_people(unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The people with a period that began after the end of `start` up to the end of `end`
    (an index range), each with the period in force on either date (the (person, number)
    index): grouped by their activity here on each date (None: not here, 15 or older, in the
    register), with how many of them moved in or out and how many turned 15."""
    ops = connection.ops
    params = {
        "before": ops.adapt_datetimefield_value(end_of_day(start)),
        "after": ops.adapt_datetimefield_value(end_of_day(end)),
        "born_by_start": ops.adapt_datefield_value(years_before(start, 15)),
        "born_by_end": ops.adapt_datefield_value(years_before(end, 15)),
    }
    statement = CHANGED_PEOPLE.format(s_scope=_scope_sql(unit, "s"), e_scope=_scope_sql(unit, "e"))
    # A month's changes are light; a collection year's read every period: a heavy statement.
    with heavy_work(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The changed people are few in a month: look their periods up by person (the
            # planner's default cost of a random read, made for spinning disks, would scan
            # every period instead); in a collection year it still hashes them all.
            cursor.execute("SELECT set_config('random_page_cost', '1.1', true)")
        cursor.execute(statement, params)
        return cursor.fetchall()


def _scope_sql(unit: Unit, alias: str) -> str:
    """scope_of(unit) in SQL on the periods `alias` (ids are integers from our own tables)."""
    if unit.level == Level.VILLAGE:
        return f"{alias}.village_id = {int(unit.pk)}"
    if unit.level == Level.COMMUNE:
        return f"{alias}.commune_id = {int(unit.pk)}"
    if unit.level == Level.COUNTRY:
        return f"{alias}.person_id IS NOT NULL"
    communes = Unit.objects.within(unit).filter(level=Level.COMMUNE).values_list("pk", flat=True)
    return f"{alias}.commune_id IN ({', '.join(str(int(pk)) for pk in communes) or 'NULL'})"


def _people_by_activity(unit: Unit, day: datetime.date) -> dict[int, int]:
    """The people aged 15+ in the register of `unit` at the end of `day`, by activity status
    (the summary kept current, as the labor statistics read it)."""
    people: dict[int, int] = {}
    for cells in count_cells(unit, day).values():
        for (_sex, activity), counts in cells.items():
            key = activity if activity in ACTIVITIES else 0
            people[key] = people.get(key, 0) + counts[0]
    return people


def changes_document(changes: Changes, *, made_by: str) -> Document:
    document = Document(
        kind="changes",
        title=_("Biến động người lao động"),
        period=_("Từ ngày %(start)s đến hết ngày %(end)s")
        % {
            "start": f"{changes.start + datetime.timedelta(days=1):%d/%m/%Y}",
            "end": f"{changes.end:%d/%m/%Y}",
        },
        unit=changes.unit,
        made_by=made_by,
    )
    summary = Section(_("1. Tổng hợp biến động"), [_("Chỉ tiêu"), _("Số người")])
    summary.add(
        _("Người từ 15 tuổi trở lên đầu kỳ (hết ngày %(day)s)")
        % {"day": f"{changes.start:%d/%m/%Y}"},
        changes.people_at_start,
        depth=0,
    )
    summary.add(_("Mới đủ 15 tuổi trong kỳ"), changes.newly_15)
    summary.add(_("Thu thập mới trong kỳ"), changes.newly_collected)
    summary.add(_("Chuyển đến"), changes.moved_in)
    summary.add(_("Chuyển đi"), changes.moved_out)
    summary.add(_("Lượt sửa sai thông tin"), changes.corrections)
    summary.add(_("Số người được sửa sai"), changes.corrected_people, depth=2)
    summary.add(_("Lượt cập nhật biến động"), changes.updates)
    summary.add(_("Ra khỏi diện quản lý"), sum(changes.left.values()))
    for reason in LeaveReason:
        summary.add(str(reason.label), changes.left.get(reason.value, 0), depth=2)
    summary.add(_("Mở lại hồ sơ (đóng nhầm, trở về)"), changes.reopened)
    summary.add(
        _("Người từ 15 tuổi trở lên cuối kỳ (hết ngày %(day)s)")
        % {"day": f"{changes.end:%d/%m/%Y}"},
        changes.people_at_end,
        depth=0,
    )
    document.sections.append(summary)
    order = (1, 2, 3, 0)
    matrix = Section(
        _("2. Chuyển đổi tình trạng hoạt động kinh tế (hàng: đầu kỳ; cột: cuối kỳ)"),
        [_("Đầu kỳ \\ Cuối kỳ"), *(str(ACTIVITY_LABELS[a]) for a in order), _("Cộng")],
        note=_(
            "Hàng “Chưa có / chưa đủ 15 tuổi”: người chưa có trong cơ sở dữ liệu của đơn vị, "
            "hoặc chưa đủ 15 tuổi, vào đầu kỳ."
        ),
    )
    for then, label in [
        *((a, ACTIVITY_LABELS[a]) for a in order),
        (NOT_YET, _("Chưa có / chưa đủ 15 tuổi")),
    ]:
        values = [changes.matrix.get((then, now), 0) for now in order]
        matrix.add(str(label), *values, sum(values))
    totals = [
        sum(changes.matrix.get((then, now), 0) for then in (*order, NOT_YET)) for now in order
    ]
    matrix.add(_("Cộng"), *totals, sum(totals), depth=0)
    document.sections.append(matrix)
    sources = Section(
        _("3. Lượt thay đổi theo nguồn"),
        [_("Nguồn"), _("Số lượt")],
        note=_("Mỗi lần ghi mới hoặc thay đổi hồ sơ trong kỳ là một lượt."),
    )
    for source in Source:
        count = changes.by_source.get(source.value, 0)
        if count or source.value not in (Source.UPDATE, Source.IMPORT):
            sources.add(str(source.label), count)
    sources.add(_("Cộng"), sum(changes.by_source.values()), depth=0)
    document.sections.append(sources)
    return document
