"""The audit log as its overseers read it: who read, printed, exported or changed which
person's data, when and from where (Law 91/2025, Decree 356/2025's processing record).

It draws on the register, the campaigns and the handover records to answer "who looked at
this person?", so it lives above those apps, not in `audit`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.labels import ACTIONS, KINDS, READ, action_kind, action_label, actions_of_kind
from laodong.audit.models import AuditEvent, record_event
from laodong.collection.models import WorkItem
from laodong.core.cells import csv_stream
from laodong.forms.citizen_id import mask_id, normalize_id
from laodong.forms.dates import parse_date
from laodong.handover.models import HandoverLine
from laodong.register.access import people_in_scope
from laodong.register.models import Person
from laodong.units.models import Unit
from laodong.units.querysets import subtree_filter

PAGE_SIZE = 100
PERSON_TYPES = ("register.person", "collection.workitem")


def _scope(user: Any) -> QuerySet[AuditEvent]:
    """Events of the user's unit and below; the administrator also sees events of no unit
    (failed sign-ins to unknown accounts, commands)."""
    events = AuditEvent.objects.all()
    if user.role == Role.SYSTEM_ADMINISTRATOR:
        return events
    return events.filter(subtree_filter(user.unit.path, prefix="unit__"))


@dataclass
class Filters:
    person: Person | None = None
    actor: User | None = None
    action: str = ""  # an action, or "kind:<kind>"
    start: datetime.date | None = None
    end: datetime.date | None = None
    problems: tuple[str, ...] = ()

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (a person by record number, never by ID or name)."""
        found = {
            "person": str(self.person.pk) if self.person else "",
            "actor": str(self.actor.pk) if self.actor else "",
            "action": self.action,
            "start": self.start.strftime("%d/%m/%Y") if self.start else "",
            "end": self.end.strftime("%d/%m/%Y") if self.end else "",
        }
        return {key: value for key, value in found.items() if value}


def _filters(request: HttpRequest, user: Any) -> Filters:
    problems = []
    person = actor = None
    raw = request.GET.get("person", "")
    if raw:
        person = people_in_scope(user).filter(pk=int(raw)).first() if raw.isdigit() else None
        if person is None:
            problems.append(_("Không có người này trong phạm vi của bạn."))
    raw = request.GET.get("actor", "")
    if raw:
        accounts = User.objects.all()
        if user.role != Role.SYSTEM_ADMINISTRATOR:
            accounts = accounts.filter(subtree_filter(user.unit.path, prefix="unit__"))
        actor = accounts.filter(pk=int(raw)).first() if raw.isdigit() else None
        if actor is None:
            problems.append(_("Không có tài khoản này trong phạm vi của bạn."))
    action = request.GET.get("action", "")
    if action and action not in ACTIONS and action.removeprefix("kind:") not in KINDS:
        problems.append(_("Không có loại thao tác này."))
        action = ""
    days = []
    for name, label in (("start", _("Từ ngày")), ("end", _("Đến ngày"))):
        text = request.GET.get(name, "").strip()
        day = parse_date(text) if text else None
        if text and day is None:
            problems.append(
                _("%(field)s “%(value)s” không đúng; ghi theo dạng dd/mm/yyyy.")
                % {"field": label, "value": text[:20]}
            )
        days.append(day.value if day else None)
    return Filters(person, actor, action, days[0], days[1], tuple(problems))


def _person_events(person: Person) -> Q:
    """Events about one person: their record, their campaign forms (by record or, before it
    was linked, by ID) and the handover records that list them."""
    items = WorkItem.objects.filter(
        Q(person=person) | Q(personal_id=person.personal_id)
        if person.personal_id
        else Q(person=person)
    ).values_list("pk", flat=True)
    item_ids = [str(pk) for pk in items]
    handovers = {
        str(pk)
        for pk in HandoverLine.objects.filter(
            work_item_id__in=[int(i) for i in item_ids]
        ).values_list("handover_id", flat=True)
    }
    return (
        Q(target_type="register.person", target_id=str(person.pk))
        | Q(target_type="collection.workitem", target_id__in=item_ids)
        | Q(target_type="handover.handover", target_id__in=handovers)
    )


def _events(user: Any, filters: Filters) -> QuerySet[AuditEvent]:
    events = _scope(user)
    if filters.person is not None:
        events = events.filter(_person_events(filters.person))
    if filters.actor is not None:
        events = events.filter(actor=filters.actor)
    if filters.action.startswith("kind:"):
        events = events.filter(action__in=actions_of_kind(filters.action.removeprefix("kind:")))
    elif filters.action:
        events = events.filter(action=filters.action)
    zone = timezone.get_current_timezone()
    if filters.start:
        start = datetime.datetime.combine(filters.start, datetime.time.min, tzinfo=zone)
        events = events.filter(created_at__gte=start)
    if filters.end:
        end = datetime.datetime.combine(
            filters.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone
        )
        events = events.filter(created_at__lt=end)
    return events


@dataclass
class Row:
    event: AuditEvent
    label: str
    kind: str
    what: str  # the object, described for a person who may see it
    link: str


def _describe(events: list[AuditEvent], full_id: bool) -> list[Row]:
    """Each event with its object named: a person by name and (masked) ID, a form by the
    name on it; looked up in three queries for the whole page."""
    ids: dict[str, set[int]] = {}
    for event in events:
        if event.target_id.isdigit():
            ids.setdefault(event.target_type, set()).add(int(event.target_id))
    people = {
        p.pk: p
        for p in Person.objects.filter(pk__in=ids.get("register.person", ())).only(
            "pk", "full_name", "personal_id"
        )
    }
    items = {
        i.pk: i
        for i in WorkItem.objects.filter(pk__in=ids.get("collection.workitem", ())).only(
            "pk", "full_name", "personal_id", "campaign_id"
        )
    }
    accounts = {
        a.pk: a
        for a in User.objects.filter(pk__in=ids.get("accounts.user", ())).only("pk", "username")
    }

    def shown_id(number: str) -> str:
        return number if full_id else mask_id(number)

    rows = []
    for event in events:
        pk = int(event.target_id) if event.target_id.isdigit() else None
        what, link = "", ""
        if event.target_type == "register.person" and pk in people:
            person = people[pk]
            what = f"{person.full_name} · {shown_id(person.personal_id)}".rstrip(" ·")
            link = reverse("register-view-person", args=[pk])
        elif event.target_type == "collection.workitem" and pk in items:
            item = items[pk]
            what = f"{item.full_name} · {shown_id(item.personal_id)}".rstrip(" ·")
            link = reverse("collection-view-item", args=[item.campaign_id, pk])
        elif event.target_type == "handover.handover":
            what = _("Biên bản bàn giao (mã %(pk)s)") % {"pk": event.target_id}
        elif event.target_type == "accounts.user" and pk in accounts:
            what = _("Tài khoản %(name)s") % {"name": accounts[pk].username}
        elif event.action in ("register.view_list", "collection.view_work_list"):
            what = _filter_text(event.details)
        rows.append(Row(event, action_label(event.action), action_kind(event.action), what, link))
    return rows


def _filter_text(details: dict[str, Any]) -> str:
    """The filter of a list read, as recorded (never the people it showed)."""
    parts = [
        f"{key}: {value}"
        for key, value in sorted(details.items())
        if value not in ("", None, [], {}) and key != "count"
    ]
    return _("Bộ lọc: %(filters)s") % {"filters": "; ".join(parts)} if parts else ""


def _choices() -> list[tuple[str, str]]:
    kinds = [
        (f"kind:{kind}", _("Mọi thao tác: %(kind)s") % {"kind": label})
        for kind, label in KINDS.items()
    ]
    return kinds + sorted(
        ((key, str(label)) for key, (_k, label) in ACTIONS.items()), key=lambda c: c[1]
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_events(request: HttpRequest) -> HttpResponse:
    """Search the log by person, user, action and date; page back in time."""
    user: Any = request.user
    require_capability(user, Capability.VIEW_AUDIT_LOG)
    if request.method == "POST":
        # Looking a person up by ID: the number goes in the request body, never in a URL.
        number = normalize_id(request.POST.get("personal_id", ""))
        person = people_in_scope(user).filter(personal_id=number).first() if number else None
        if person is None:
            messages.error(
                request,
                _("Không tìm thấy người có số định danh này trong phạm vi của bạn."),
            )
            return redirect("audit-list-events")
        return redirect(f"{reverse('audit-list-events')}?person={person.pk}")
    filters = _filters(request, user)
    events = _events(user, filters).select_related("actor", "unit").order_by("-pk")
    before = request.GET.get("before", "")
    if before.isdigit():
        events = events.filter(pk__lt=int(before))
    page = list(events[: PAGE_SIZE + 1])
    older = page[PAGE_SIZE].pk + 1 if len(page) > PAGE_SIZE else None
    page = page[:PAGE_SIZE]
    record_event(
        actor=user,
        action="audit.view_log",
        target_type="audit.auditevent",
        unit=user.unit,
        details=filters.query(),
    )
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    actors = User.objects.order_by("username")
    if user.role != Role.SYSTEM_ADMINISTRATOR:
        actors = actors.filter(subtree_filter(user.unit.path, prefix="unit__"))
    return render(
        request,
        "overview/audit_list.html",
        {
            "rows": _describe(page, full_id),
            "filters": filters,
            "query": filters.query(),
            "older": older,
            "is_first": not before,
            "actions": _choices(),
            "actors": actors.only("pk", "username", "full_name")[:2000],
            "kinds": KINDS,
            "read": READ,
        },
    )


@login_required
def export_events(request: HttpRequest) -> StreamingHttpResponse:
    """The filtered log as CSV, oldest first, streamed (a province's year is millions of
    rows). The export is itself logged."""
    user: Any = request.user
    require_capability(user, Capability.VIEW_AUDIT_LOG)
    filters = _filters(request, user)
    events = _events(user, filters).select_related("actor", "unit").order_by("pk")
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    record_event(
        actor=user,
        action="audit.export_log",
        target_type="audit.auditevent",
        unit=user.unit,
        details=filters.query(),
    )

    header = [
        _("Thời gian"),
        _("Tài khoản"),
        _("Họ tên người dùng"),
        _("Đơn vị"),
        _("Thao tác"),
        _("Loại"),
        _("Đối tượng"),
        _("Địa chỉ IP"),
    ]

    def rows() -> Iterator[list[Any]]:
        batch: list[AuditEvent] = []
        for event in events.iterator(chunk_size=2000):
            batch.append(event)
            if len(batch) == 2000:
                yield from _csv_rows(batch, full_id)
                batch = []
        yield from _csv_rows(batch, full_id)

    response = StreamingHttpResponse(
        csv_stream(header, rows()), content_type="text/csv; charset=utf-8"
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="nhat-ky-{stamp}.csv"'
    return response


def _csv_rows(batch: list[AuditEvent], full_id: bool) -> Iterator[list[Any]]:
    for row in _describe(batch, full_id):
        event = row.event
        yield [
            timezone.localtime(event.created_at).strftime("%d/%m/%Y %H:%M:%S"),
            event.actor.username if event.actor else "",
            event.actor.full_name if event.actor else "",
            event.unit.label() if event.unit else "",
            row.label,
            str(KINDS.get(row.kind, "")),
            row.what,
            event.address,
        ]


# The monthly processing record: who saw whom --------------------------------------------


def _month(text: str) -> tuple[int, int] | None:
    parts = text.strip().split("/")
    if len(parts) == 2 and all(p.isdigit() for p in parts):
        month, year = int(parts[0]), int(parts[1])
        if 1 <= month <= 12 and 2000 <= year <= 2100:
            return year, month
    return None


def _seen(user: Any, unit: Unit, year: int, month: int) -> list[dict[str, Any]]:
    """One row per account and person whose data it read, printed or exported that month:
    how many times, first and last."""
    zone = timezone.get_current_timezone()
    start = datetime.datetime(year, month, 1, tzinfo=zone)
    end = datetime.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    kinds = {action for action, (kind, _l) in ACTIONS.items() if kind != "change"}
    events = (
        AuditEvent.objects.filter(subtree_filter(unit.path, prefix="unit__"))
        .filter(created_at__gte=start, created_at__lt=end, target_type__in=PERSON_TYPES)
        .filter(action__in=kinds)
        .values_list("actor_id", "target_type", "target_id", "created_at")
        .order_by("pk")
    )
    item_people: dict[int, tuple[str, Any]] = {}
    grouped: dict[tuple[Any, str], dict[str, Any]] = {}
    rows = list(events.iterator(chunk_size=5000))
    item_ids = {int(t) for _a, kind, t, _c in rows if kind == "collection.workitem" and t.isdigit()}
    for pk, person_id, name, number in WorkItem.objects.filter(pk__in=item_ids).values_list(
        "pk", "person_id", "full_name", "personal_id"
    ):
        item_people[pk] = (f"p{person_id}" if person_id else f"i{pk}", (name, number))
    person_ids = {int(t) for _a, kind, t, _c in rows if kind == "register.person" and t.isdigit()}
    names = {
        f"p{pk}": (name, number)
        for pk, name, number in Person.objects.filter(pk__in=person_ids).values_list(
            "pk", "full_name", "personal_id"
        )
    }
    for _a, (key, shown) in item_people.items():
        names.setdefault(key, shown)
    for actor_id, kind, target, at in rows:
        if not target.isdigit():
            continue
        key = (
            f"p{target}"
            if kind == "register.person"
            else item_people.get(int(target), ("", None))[0]
        )
        if not key:
            continue
        entry = grouped.setdefault(
            (actor_id, key), {"actor_id": actor_id, "key": key, "count": 0, "first": at, "last": at}
        )
        entry["count"] += 1
        entry["last"] = at
    actors = {
        a.pk: a for a in User.objects.filter(pk__in={k[0] for k in grouped}).select_related("unit")
    }
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    result = []
    for entry in grouped.values():
        name, number = names.get(entry["key"], ("", ""))
        actor = actors.get(entry["actor_id"])
        result.append(
            {
                **entry,
                "actor": actor,
                "person": name,
                "personal_id": number if full_id else mask_id(number or ""),
            }
        )
    result.sort(key=lambda r: ((r["actor"].username if r["actor"] else ""), r["person"]))
    return result


@login_required
def monthly_report(request: HttpRequest) -> HttpResponse:
    """Decree 356's record of processing, per unit and month: which account saw which
    person's data, how often. On the page per account; in full as CSV."""
    user: Any = request.user
    require_capability(user, Capability.VIEW_AUDIT_LOG)
    today = timezone.localdate()
    raw = request.GET.get("month", "")
    chosen = _month(raw) if raw else (today.year, today.month)
    if chosen is None:
        messages.error(
            request, _("Tháng “%(value)s” không đúng; ghi theo dạng mm/yyyy.") % {"value": raw[:10]}
        )
        chosen = (today.year, today.month)
    year, month = chosen
    unit = user.unit
    rows = _seen(user, unit, year, month)
    record_event(
        actor=user,
        action="audit.view_monthly",
        target_type="audit.auditevent",
        unit=unit,
        details={"month": f"{month:02d}/{year}", "csv": request.GET.get("format") == "csv"},
    )
    if request.GET.get("format") == "csv":
        header = [
            _("Tài khoản"),
            _("Họ tên người dùng"),
            _("Vai trò"),
            _("Người lao động"),
            _("Số định danh"),
            _("Số lần"),
            _("Lần đầu"),
            _("Lần cuối"),
        ]
        body = (
            [
                r["actor"].username if r["actor"] else "",
                r["actor"].full_name if r["actor"] else "",
                r["actor"].get_role_display() if r["actor"] else "",
                r["person"],
                r["personal_id"],
                r["count"],
                timezone.localtime(r["first"]).strftime("%d/%m/%Y %H:%M"),
                timezone.localtime(r["last"]).strftime("%d/%m/%Y %H:%M"),
            ]
            for r in rows
        )
        response = StreamingHttpResponse(
            csv_stream(header, body), content_type="text/csv; charset=utf-8"
        )
        name = f"ai-xem-ho-so-{unit.code or unit.pk}-{year}-{month:02d}.csv"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response  # type: ignore[return-value]
    summary: dict[Any, dict[str, Any]] = {}
    for r in rows:
        entry = summary.setdefault(r["actor_id"], {"actor": r["actor"], "people": 0, "reads": 0})
        entry["people"] += 1
        entry["reads"] += r["count"]
    return render(
        request,
        "overview/audit_monthly.html",
        {
            "unit": unit,
            "month": f"{month:02d}/{year}",
            "summary": sorted(summary.values(), key=lambda e: -e["people"]),
            "rows": rows[:500],
            "total": len(rows),
        },
    )
