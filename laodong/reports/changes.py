"""Changes (biến động) of a unit's labor force between two dates, from the register's periods."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.register.models import LeaveReason, PersonPeriod, Source
from laodong.reports.documents import Document, Section
from laodong.reports.statistics import (
    ACTIVITIES,
    end_of_day,
    in_force_on,
    periods_on,
    scope_of,
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
    """What changed in `unit` after the end of `start` up to the end of `end`."""
    result = Changes(unit=unit, start=start, end=end)
    scope = scope_of(unit)
    before, after = end_of_day(start), end_of_day(end)
    at_end = PersonPeriod.objects.filter(scope & periods_on(end))
    at_start = PersonPeriod.objects.filter(scope & periods_on(start))
    result.people_at_end = at_end.count()
    result.people_at_start = at_start.count()
    result.newly_15 = at_end.filter(
        birth_date__gt=years_before(start, 15), birth_date__lte=years_before(end, 15)
    ).count()
    result.newly_collected = PersonPeriod.objects.filter(
        scope, number=1, valid_from__gte=before, valid_from__lt=after
    ).count()
    edits = PersonPeriod.objects.filter(scope, valid_from__gte=before, valid_from__lt=after)
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

    same_person_then = PersonPeriod.objects.filter(person=OuterRef("person")).filter(
        in_force_on(start)
    )
    same_person_now = PersonPeriod.objects.filter(person=OuterRef("person")).filter(
        in_force_on(end)
    )
    result.moved_in = at_end.filter(
        Exists(same_person_then), ~Exists(same_person_then.filter(scope))
    ).count()
    result.moved_out = at_start.filter(
        Exists(same_person_now), ~Exists(same_person_now.filter(scope))
    ).count()
    # The activity of each person here at the end, beside their activity here at the start
    # (if they were here, 15 or older, then).
    then_here = same_person_then.filter(
        scope, birth_date__lte=years_before(start, 15), leave_reason=""
    )
    rows = (
        at_end.annotate(then=Subquery(then_here.values("activity_status")[:1]))
        .values_list("then", "activity_status")
        .annotate(people=Count("pk"))
        .order_by()
    )
    for then, now, people in rows:
        key = (NOT_YET if then is None else then, now if now in ACTIVITIES else 0)
        result.matrix[key] = result.matrix.get(key, 0) + people
    return result


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
