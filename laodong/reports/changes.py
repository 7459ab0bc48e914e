"""Changes (biến động) of a unit's labor force between two dates, from the register's periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db import OperationalError, connection, transaction
from django.utils import timezone
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
    periods_on,
    scope_of,
    scope_sql,
    years_before,
)
from laodong.units.models import Unit

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

    Who was here at the start and what became of them is counted from the periods only for
    the people whose period then ended in the window (an index range on the periods' end);
    the others here at the start kept their period, and everyone else here at the end came
    new: both from the summary on the two dates (counts kept current) by subtraction. The
    versions saved in the window are counted in the summary too. So the cost follows the
    people who changed among those already in the register, not the people collected in the
    window: a collection year costs about what a month does."""
    result = Changes(unit=unit, start=start, end=end)
    scope = scope_of(unit)
    before, after = end_of_day(start), end_of_day(end)
    edits = PersonPeriod.objects.filter(scope, valid_from__gte=before, valid_from__lt=after)
    for source, leave_reason, first, closed_before, versions in _versions(unit, start, end):
        result.by_source[source] = result.by_source.get(source, 0) + versions
        if source == Source.CORRECTION:
            result.corrections += versions
        if first:
            result.newly_collected += versions
        elif source != Source.CORRECTION:
            result.updates += versions
        if leave_reason and not closed_before:
            result.left[leave_reason] = result.left.get(leave_reason, 0) + versions
        if not leave_reason and closed_before:
            result.reopened += versions
    result.by_source = dict(sorted(result.by_source.items()))
    result.left = dict(sorted(result.left.items()))
    if result.corrections:
        result.corrected_people = (
            edits.filter(source=Source.CORRECTION).values("person").distinct().count()
        )

    # The people who had a period at the start and changed in the window (few, even in the
    # year of the collection, when almost everyone is new), by activity here on each date.
    changed: dict[tuple[int | None, int | None], int] = {}
    for then, now, people, moved_in, moved_out in _changed_people(unit, start, end):
        result.moved_in += moved_in
        result.moved_out += moved_out
        key = (
            None if then is None else (then if then in ACTIVITIES else 0),
            None if now is None else (now if now in ACTIVITIES else 0),
        )
        changed[key] = changed.get(key, 0) + people
    # Everyone here at the end or at the start, from the summary. Of those here at the start,
    # the ones who did not change kept their period, so their activity; everyone else here at
    # the end was not here (or not yet 15, or not in the register) at the start.
    everyone_at_end = _people_by_activity(unit, end)
    everyone_at_start = _people_by_activity(unit, start)
    result.people_at_end = sum(everyone_at_end.values())
    result.people_at_start = sum(everyone_at_start.values())
    for activity in ACTIVITIES:
        was_here = sum(n for (then, _now), n in changed.items() if then == activity)
        stayed = everyone_at_start.get(activity, 0) - was_here
        came_from_here = sum(
            n for (then, now), n in changed.items() if then is not None and now == activity
        )
        new = everyone_at_end.get(activity, 0) - stayed - came_from_here
        for key, people in (((activity, activity), stayed), ((NOT_YET, activity), new)):
            if people:
                result.matrix[key] = result.matrix.get(key, 0) + people
    for (then, now), people in changed.items():
        if then is not None and now is not None:
            result.matrix[(then, now)] = result.matrix.get((then, now), 0) + people
    result.newly_15 = PersonPeriod.objects.filter(
        scope & periods_on(end), birth_date__gt=years_before(start, 15)
    ).count()
    return result


def _versions(unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The versions saved in the window, by source, leave reason, whether it was the person's
    first, and whether the version before had closed the record: from the summary (a few
    thousand rows whatever the window); from the periods when the summary cannot be caught up
    now (SQLite busy with a long write, or many communes being rebuilt in the background) or
    for a day after today."""
    if end <= timezone.localdate():
        try:
            kept.bring_up_to_date(kept.communes_in(unit))
            return kept.read_versions(unit, start, end)
        except (OperationalError, kept.Behind):
            pass
    return _edits(unit, start, end)


EDITS = """
SELECT p.source, p.leave_reason, p.number = 1, q.person_id IS NOT NULL, count(*)
FROM register_personperiod AS p
LEFT JOIN register_personperiod AS q ON q.person_id = p.person_id AND q.number = p.number - 1
    AND q.leave_reason <> '' AND p.number > 1
WHERE {scope} AND p.valid_from >= %(before)s AND p.valid_from < %(after)s
GROUP BY 1, 2, 3, 4
"""


def _edits(unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple]:
    """What `_versions` gives, from the periods begun in the window (an index range): one pass
    over every version saved in it."""
    rows = _run(EDITS.format(scope=scope_sql(unit, "p")), _window(start, end))
    return [
        (source, reason, bool(first), bool(closed), n) for source, reason, first, closed, n in rows
    ]


def _window(start: datetime.date, end: datetime.date) -> dict[str, Any]:
    """The window's bounds and the birth dates of turning 15 on either date, as parameters."""
    ops = connection.ops
    return {
        "before": ops.adapt_datetimefield_value(end_of_day(start)),
        "after": ops.adapt_datetimefield_value(end_of_day(end)),
        "born_by_start": ops.adapt_datefield_value(years_before(start, 15)),
        "born_by_end": ops.adapt_datefield_value(years_before(end, 15)),
    }


def _run(statement: str, params: dict[str, Any]) -> list[tuple]:
    """One of the changes' statements: light in a month, heavier the year after a collection,
    so run as heavy work."""
    with heavy_work(), transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Look the periods up by person (the planner's default cost of a random read,
            # made for spinning disks, would scan every period instead).
            cursor.execute("SELECT set_config('random_page_cost', '1.1', true)")
        cursor.execute(statement, params)
        return cursor.fetchall()


CHANGED_PEOPLE = """
SELECT
    CASE WHEN s_here THEN s_activity END,
    CASE WHEN e_here THEN e_activity END,
    count(*),
    sum(CASE WHEN e_here AND NOT s_in_scope THEN 1 ELSE 0 END),
    sum(CASE WHEN s_here AND e_exists AND NOT e_in_scope THEN 1 ELSE 0 END)
FROM (
    SELECT
        {s_scope} AS s_in_scope,
        {s_scope} AND s.birth_date <= %(born_by_start)s AND s.leave_reason = '' AS s_here,
        s.activity_status AS s_activity,
        e.person_id IS NOT NULL AS e_exists,
        coalesce({e_scope}, false) AS e_in_scope,
        coalesce({e_scope} AND e.birth_date <= %(born_by_end)s AND e.leave_reason = '', false)
            AS e_here,
        e.activity_status AS e_activity
    FROM register_personperiod AS s
    LEFT JOIN register_personperiod AS e ON e.person_id = s.person_id
        AND e.valid_from < %(after)s AND (e.valid_to IS NULL OR e.valid_to >= %(after)s)
    WHERE s.valid_to >= %(before)s AND s.valid_to < %(after)s AND s.valid_from < %(before)s
) AS pairs
WHERE s_here OR e_here
GROUP BY 1, 2
"""


def _changed_people(unit: Unit, start: datetime.date, end: datetime.date) -> list[tuple]:
    """The people whose period in force at the end of `start` ended before the end of `end`
    (an index range on the periods' end), each with the period in force at the end (the
    (person, number) index): grouped by their activity here on each date (None: not here, 15
    or older, in the register), with how many of them moved in or out."""
    statement = CHANGED_PEOPLE.format(s_scope=scope_sql(unit, "s"), e_scope=scope_sql(unit, "e"))
    return _run(statement, _window(start, end))


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
