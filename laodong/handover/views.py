from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.access import get_campaign_for_user
from laodong.campaigns.models import Campaign
from laodong.collection.access import get_commune_for_user
from laodong.collection.actions import WorkflowError
from laodong.collection.models import Status, WorkItem
from laodong.core.paging import keyset_page
from laodong.core.tabular import TableError
from laodong.forms.dates import parse_date
from laodong.handover import actions, entries
from laodong.handover.models import RECEIVED, Handover, HandoverLine
from laodong.handover.pdf import render_handover_pdf
from laodong.register import actions as register_actions
from laodong.register.actions import RegisterError
from laodong.register.display import version_summary
from laodong.register.models import PoliceUpdate, UpdateStatus
from laodong.units.models import Level, Unit

PAGE_SIZE = 100


def _may_see(user: Any) -> None:
    if not (
        has_capability(user, Capability.HAND_OVER_FORMS)
        or has_capability(user, Capability.RECEIVE_FORMS)
        or has_capability(user, Capability.VIEW_WORK_LIST)
    ):
        raise PermissionDenied


def _context(request: HttpRequest, campaign_pk: int, commune_pk: int) -> tuple[Campaign, Unit]:
    campaign = get_campaign_for_user(request.user, campaign_pk)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    # A handover lists people of every village: village accounts do not see it.
    if not request.user.unit.contains(commune):  # type: ignore[union-attr]
        raise Http404
    _may_see(request.user)
    return campaign, commune


def _own_commune(request: HttpRequest) -> Unit:
    """The commune of a commune account (the register's changes are handed over there)."""
    unit = getattr(request.user, "unit", None)
    if unit is None or unit.level != Level.COMMUNE:
        raise Http404
    _may_see(request.user)
    return unit


def _waiting_updates(commune: Unit) -> int:
    return PoliceUpdate.objects.filter(commune=commune, status=UpdateStatus.WAITING).count()


@login_required
@require_http_methods(["GET", "POST"])
def list_handovers(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """Rolling handovers of a commune; the officer gathers accepted forms into the next one."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    if request.method == "POST":
        try:
            handover = actions.create_handover(
                acting_user=request.user, campaign=campaign, commune=commune
            )
        except WorkflowError as refused:
            messages.error(request, str(refused))
            return redirect("handover-list-handovers", campaign.pk, commune.pk)
        messages.success(request, _created_message(handover))
        return redirect(handover.get_absolute_url())
    handovers = (
        Handover.objects.filter(campaign=campaign, commune=commune)
        .select_related("created_by", "received_by")
        .order_by("-number")
    )
    ready = WorkItem.objects.filter(
        campaign=campaign, commune=commune, status=Status.ACCEPTED
    ).count()
    return render(
        request,
        "handover/handover_list.html",
        {
            "campaign": campaign,
            "commune": commune,
            "handovers": handovers,
            "ready": ready,
            "waiting_updates": _waiting_updates(commune),
            # The first changes waiting, listed beside the forms (the record takes them all).
            "waiting_rows": [
                (update, version_summary(update.version, full_id=False))
                for update in PoliceUpdate.objects.filter(
                    commune=commune, status=UpdateStatus.WAITING
                )
                .select_related("person__village", "version")
                .order_by("created_at", "pk")[:10]
            ],
        },
    )


def _created_message(handover: Handover) -> str:
    if not handover.update_count:
        return _(
            "Đã lập biên bản số %(number)s với %(count)s phiếu. In biên bản để hai bên ký."
        ) % {
            "number": handover.number,
            "count": handover.sent_count,
        }
    if not handover.form_count:
        return _(
            "Đã lập biên bản số %(number)s với %(count)s thay đổi. In biên bản để hai bên ký."
        ) % {"number": handover.number, "count": handover.update_count}
    return _(
        "Đã lập biên bản số %(number)s: %(forms)s phiếu và %(updates)s thay đổi. In biên bản "
        "để hai bên ký."
    ) % {"number": handover.number, "forms": handover.form_count, "updates": handover.update_count}


@login_required
@require_http_methods(["GET", "POST"])
def list_updates(request: HttpRequest) -> HttpResponse:
    """Changes made to the register outside campaigns, on their way to the population
    database ("cần cập nhật vào CSDL dân cư"): waiting, handed over, entered, not enterable;
    the officer gathers the waiting ones into a record; the records made without a campaign."""
    commune = _own_commune(request)
    user: Any = request.user
    if request.method == "POST":
        try:
            if request.POST.get("step") == "resend":
                update_id = request.POST.get("update", "")
                update = PoliceUpdate.objects.filter(
                    pk=int(update_id) if update_id.isdigit() else 0, commune=commune
                ).first()
                if update is None:
                    raise Http404
                register_actions.resend_update(acting_user=user, update=update)
                messages.success(request, _("Thay đổi sẽ được đưa vào biên bản bàn giao sau."))
                return redirect("handover-list-updates")
            chosen = [int(v) for v in request.POST.getlist("updates") if v.isdigit()]
            handover = actions.create_handover(
                acting_user=user,
                campaign=None,
                commune=commune,
                update_ids=chosen if request.POST.get("all") != "1" else None,
            )
        except (WorkflowError, RegisterError) as refused:
            messages.error(request, str(refused))
            return redirect("handover-list-updates")
        messages.success(request, _created_message(handover))
        return redirect(handover.get_absolute_url())
    status = request.GET.get("status", UpdateStatus.WAITING)
    if status not in UpdateStatus.values:
        status = UpdateStatus.WAITING
    counts = dict(
        PoliceUpdate.objects.filter(commune=commune)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    rows = (
        PoliceUpdate.objects.filter(commune=commune, status=status)
        .select_related("person__village", "version")
        .order_by("created_at", "pk")
    )
    page = keyset_page(rows, ("created_at", "pk"), request.GET.get("after"), PAGE_SIZE)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    lines = {
        line.update_id: line.handover
        for line in HandoverLine.objects.filter(
            update__in=page.items, withdrawn_at__isnull=True
        ).select_related("handover")
    }
    if request.method == "GET":
        record_event(actor=user, action="handover.view_updates", unit=commune)
    return render(
        request,
        "handover/update_list.html",
        {
            "commune": commune,
            "status": status,
            "statuses": [(s.value, s.label, counts.get(s.value, 0)) for s in UpdateStatus],
            "page": page,
            "rows": [
                (u, version_summary(u.version, full_id=full_id), lines.get(u.pk))
                for u in page.items
            ],
            "full_id": full_id,
            "is_officer": has_capability(user, Capability.HAND_OVER_FORMS),
            "handovers": Handover.objects.filter(campaign__isnull=True, commune=commune)
            .select_related("created_by")
            .order_by("-number")[:50],
        },
    )


def _handover(campaign: Campaign, commune: Unit, pk: int) -> Handover:
    handover = (
        Handover.objects.select_related("campaign", "commune", "created_by", "received_by")
        .filter(pk=pk, campaign=campaign, commune=commune)
        .first()
    )
    if handover is None:
        raise Http404
    return handover


def _update_handover(request: HttpRequest, pk: int) -> Handover:
    """A record made without a campaign, of the user's commune (404 otherwise)."""
    _may_see(request.user)
    unit = getattr(request.user, "unit", None)
    if unit is None:
        raise Http404
    handover = (
        Handover.objects.select_related("commune", "created_by", "received_by")
        .filter(pk=pk, campaign__isnull=True, commune__in=Unit.objects.within(unit))
        .first()
    )
    if handover is None:
        raise Http404
    return handover


@login_required
@require_http_methods(["GET", "POST"])
def view_handover(request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int) -> HttpResponse:
    """One handover: confirm receipt, settle a mismatch, record entry, archive the paper."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    return _handover_page(request, campaign, commune, _handover(campaign, commune, pk))


@login_required
@require_http_methods(["GET", "POST"])
def view_update_handover(request: HttpRequest, pk: int) -> HttpResponse:
    """A record of register changes made between campaigns."""
    handover = _update_handover(request, pk)
    return _handover_page(request, None, handover.commune, handover)


def _ids(request: HttpRequest, name: str = "items") -> list[int]:
    return [int(value) for value in request.POST.getlist(name) if value.isdigit()]


def _count(text: str) -> int | None:
    text = text.strip().replace(".", "")
    return int(text) if text.isdigit() else None


def _live_updates(handover: Handover) -> list[PoliceUpdate]:
    """The changes this record holds now (not withdrawn, not sent again in a later one)."""
    return list(
        actions.with_current_handover(
            PoliceUpdate.objects.filter(handover_lines__handover=handover)
        )
        .filter(**{"current_handover": handover.pk})
        .select_related("person__village", "version")
        .order_by("created_at", "pk")
    )


def _handle(request: HttpRequest, handover: Handover) -> None:
    """Run the step the form posted; refusals become messages."""
    user: Any = request.user
    step = request.POST.get("step", "")
    try:
        if step == "confirm":
            received = _count(request.POST.get("received_count", ""))
            if received is None:
                raise WorkflowError(_("Hãy ghi số phiếu đã nhận (một số)."))
            actions.confirm_handover(
                acting_user=user,
                handover=handover,
                received_count=received,
                note=request.POST.get("note", ""),
            )
            messages.success(request, _("Đã ghi xác nhận của Công an xã."))
        elif step == "resolve":
            actions.resolve_handover(
                acting_user=user,
                handover=handover,
                note=request.POST.get("note", ""),
                withdrawn_ids=_ids(request),
                withdrawn_update_ids=_ids(request, "updates"),
                received_count=_count(request.POST.get("received_count", "")),
            )
            messages.success(request, _("Đã xử lý chênh lệch."))
        elif step == "entered":
            day = parse_date(request.POST.get("entered_on", ""))
            if day is None:
                raise WorkflowError(_("Ngày nhập không đúng; ghi theo dạng dd/mm/yyyy."))
            ids, update_ids = _ids(request), _ids(request, "updates")
            if request.POST.get("all") == "1":
                # The whole record at once, as the police usually enter a batch.
                ids = list(
                    WorkItem.objects.filter(
                        handover=handover, status=Status.HANDED_OVER
                    ).values_list("pk", flat=True)
                )
                update_ids = [
                    u.pk for u in _live_updates(handover) if u.status == UpdateStatus.HANDED_OVER
                ]
            if not ids and not update_ids:
                raise WorkflowError(_("Hãy chọn các phiếu, thay đổi đã nhập."))
            count = actions.mark_entered(
                acting_user=user, item_ids=ids, update_ids=update_ids, entered_on=day.value
            )
            if update_ids and not ids:
                messages.success(
                    request, _("Đã ghi %(count)s thay đổi đã nhập.") % {"count": len(update_ids)}
                )
            elif update_ids:
                messages.success(
                    request,
                    _("Đã ghi %(forms)s phiếu và %(updates)s thay đổi đã nhập.")
                    % {"forms": count - len(update_ids), "updates": len(update_ids)},
                )
            else:
                messages.success(request, _("Đã ghi %(count)s phiếu đã nhập.") % {"count": count})
        elif step == "not_enterable":
            chosen = request.POST.get("item", "")
            kind, _sep, number = chosen.partition("-")
            if not number.isdigit() or kind not in ("item", "update"):
                raise WorkflowError(_("Hãy chọn phiếu hoặc thay đổi không nhập được."))
            actions.mark_not_enterable(
                acting_user=user,
                reason=request.POST.get("reason", ""),
                item_id=int(number) if kind == "item" else None,
                update_id=int(number) if kind == "update" else None,
            )
            messages.success(request, _("Đã trả về cán bộ lao động để xử lý."))
        elif step == "archive":
            ids = _ids(request)
            if request.POST.get("all") == "1":
                ids = list(
                    WorkItem.objects.filter(handover=handover, status=Status.ENTERED).values_list(
                        "pk", flat=True
                    )
                )
            if not ids:
                raise WorkflowError(_("Hãy chọn các phiếu giấy đưa vào lưu trữ."))
            count = actions.archive_forms(
                acting_user=user, item_ids=ids, reference=request.POST.get("reference", "")
            )
            messages.success(request, _("Đã ghi lưu trữ %(count)s phiếu.") % {"count": count})
        else:
            raise Http404
    except WorkflowError as refused:
        messages.error(request, str(refused))


def _handover_page(
    request: HttpRequest, campaign: Campaign | None, commune: Unit, handover: Handover
) -> HttpResponse:
    user: Any = request.user
    if request.method == "POST":
        _handle(request, handover)
        return redirect(handover.get_absolute_url())
    # The record as made (its lines), and the forms and changes still in it now.
    lines = list(handover.lines.select_related("work_item", "update"))
    items = list(
        WorkItem.objects.filter(handover=handover)
        .select_related("village")
        .order_by("village__name_folded", "full_name_folded", "pk")
    )
    updates = _live_updates(handover)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    by_village = sorted(
        Counter(line.village_label for line in lines if line.update_id is None).items()
    )
    record_event(actor=user, action="handover.view_handover", target=handover, unit=commune)
    return render(
        request,
        "handover/handover_view.html",
        {
            "campaign": campaign,
            "commune": commune,
            "handover": handover,
            "form_lines": [line for line in lines if line.update_id is None],
            "update_lines": [
                (line, version_summary(line.update.version, full_id=full_id))
                for line in lines
                if line.update_id is not None and line.update is not None
            ],
            "by_village": by_village,
            "handed_over": [i for i in items if i.status == Status.HANDED_OVER],
            "entered": [i for i in items if i.status == Status.ENTERED],
            "updates_handed_over": [u for u in updates if u.status == UpdateStatus.HANDED_OVER],
            "live_update_ids": {u.pk for u in updates},
            "to_enter": sum(1 for i in items if i.status == Status.HANDED_OVER)
            + sum(1 for u in updates if u.status == UpdateStatus.HANDED_OVER),
            "full_id": full_id,
            "is_police": has_capability(user, Capability.RECEIVE_FORMS),
            "is_officer": has_capability(user, Capability.HAND_OVER_FORMS),
            "today": timezone.localdate(),
        },
    )


def _pdf(request: HttpRequest, handover: Handover) -> HttpResponse:
    # The record lists what was handed over, including forms since withdrawn by a resolution.
    lines = list(handover.lines.select_related("update__version"))
    officer = handover.created_by
    full_id = has_capability(request.user, Capability.VIEW_FULL_ID)
    summaries = {
        line.pk: version_summary(line.update.version, full_id=full_id)
        for line in lines
        if line.update is not None
    }
    pdf = render_handover_pdf(
        handover,
        lines,
        officer_name=officer.full_name if officer else "",
        full_id=full_id,
        summaries=summaries,
    )
    record_event(
        actor=request.user, action="handover.print_handover", target=handover, unit=handover.commune
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    kind = "cap-nhat-" if handover.campaign_id is None else ""
    response["Content-Disposition"] = (
        f'inline; filename="bien-ban-ban-giao-{kind}{handover.commune.code}-{handover.number}.pdf"'
    )
    return response


@login_required
def download_handover_pdf(
    request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int
) -> HttpResponse:
    campaign, commune = _context(request, campaign_pk, commune_pk)
    return _pdf(request, _handover(campaign, commune, pk))


@login_required
def download_update_handover_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    return _pdf(request, _update_handover(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def enter_by_ids(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """ "Ghi đã nhập theo danh sách số": the police paste or upload the IDs the population
    database accepted; the forms and changes with those IDs are marked entered."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    require_capability(request.user, Capability.RECEIVE_FORMS)
    result = None
    error = ""
    if request.method == "POST":
        day = parse_date(request.POST.get("entered_on", ""))
        upload = request.FILES.get("file")
        try:
            if day is None or day.year_only:
                raise WorkflowError(_("Ngày nhập không đúng; ghi theo dạng dd/mm/yyyy."))
            if upload is not None:
                ids, invalid = entries.ids_from_file(upload, upload.name or "")
            else:
                ids, invalid = entries.ids_from_text(request.POST.get("ids", ""))
            if not ids:
                raise WorkflowError(
                    _("Không thấy số định danh nào: dán danh sách số (mỗi dòng một số) hoặc "
                      "tải tệp có cột “Số định danh cá nhân”.")
                )  # fmt: skip
            result = entries.mark_entered_by_ids(
                acting_user=request.user,
                commune=commune,
                ids=ids,
                entered_on=day.value,
                campaign_id=campaign.pk,
            )
            result.invalid = invalid
        except (WorkflowError, TableError) as refused:
            error = str(refused)
    return render(
        request,
        "handover/enter_by_ids.html",
        {
            "campaign": campaign,
            "commune": commune,
            "result": result,
            "error": error,
            "today": timezone.localdate(),
        },
        status=400 if error else 200,
    )


# Items the population database takes from the household's own registration, not from the
# labour form: the sheet leaves out the header (province … village), which the police system
# knows from the person's residence.
_SHEET_SKIPS = {"province", "district", "commune", "village"}


def _sheet_rows(handover: Handover, *, full_id: bool) -> tuple[Any, list[dict[str, Any]]]:
    """Each form of the record (in its order) with its items in the form's order."""
    from laodong.forms.definitions import get_form
    from laodong.register.display import answer_text

    assert handover.campaign is not None
    definition = get_form(handover.campaign.form_code)
    items = [item for item in definition.items if item.key not in _SHEET_SKIPS]
    lines = (
        handover.lines.filter(work_item__isnull=False, withdrawn_at__isnull=True)
        .select_related("work_item", "work_item__village", "work_item__person")
        .order_by("position")
    )
    sheets = []
    for line in lines:
        item = line.work_item
        assert item is not None
        # The record as the register keeps it (cleaned: codes, dates, the ID without spaces).
        answers = (item.person.answers if item.person is not None else item.answers) or {}
        sheets.append(
            {
                "position": line.position,
                "item": item,
                "rows": [
                    (entry.title, answer_text(definition, entry.key, answers.get(entry.key),
                                              full_id=full_id))
                    for entry in items
                ],
            }
        )  # fmt: skip
    return definition, sheets


@login_required
def entry_sheet(request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int) -> HttpResponse:
    """ "Phiếu nhập liệu": for a confirmed record, each person's answers in the order the
    police key them, on screen (printable, A4) or as XLSX. The full ID is for the police."""
    campaign, commune = _context(request, campaign_pk, commune_pk)
    handover = _handover(campaign, commune, pk)
    user: Any = request.user
    if handover.status not in RECEIVED:
        messages.error(request, _("Biên bản chưa được Công an xã xác nhận."))
        return redirect(handover.get_absolute_url())
    full_id = has_capability(user, Capability.RECEIVE_FORMS) and has_capability(
        user, Capability.VIEW_FULL_ID
    )
    definition, sheets = _sheet_rows(handover, full_id=full_id)
    as_xlsx = request.GET.get("format") == "xlsx"
    record_event(
        actor=user,
        action="handover.export_entry_sheet" if as_xlsx else "handover.print_entry_sheet",
        target=handover,
        unit=commune,
        details={"full_id": full_id, "forms": len(sheets)},
    )
    if as_xlsx:
        return _entry_xlsx(handover, definition, sheets, user)
    return render(
        request,
        "handover/entry_sheet.html",
        {"campaign": campaign, "commune": commune, "handover": handover, "sheets": sheets,
         "definition": definition},
    )  # fmt: skip


def _entry_xlsx(
    handover: Handover, definition: Any, sheets: list[dict[str, Any]], user: Any
) -> HttpResponse:
    import io

    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    from laodong.core.cells import as_text, xlsx_text

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Phiếu nhập liệu"))
    sheet.append(
        [
            _("Biên bản số %(number)s · %(commune)s · xuất bởi %(user)s lúc %(time)s")
            % {
                "number": handover.number,
                "commune": handover.commune.label(),
                "user": user.full_name or user.username,
                "time": timezone.localtime().strftime("%H:%M %d/%m/%Y"),
            }
        ]
    )
    titles = [_("STT")] + [title for title, _value in (sheets[0]["rows"] if sheets else [])]
    bold = Font(bold=True)
    header = []
    for text in titles:
        cell = WriteOnlyCell(sheet, value=xlsx_text(str(text)))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for entry in sheets:
        row: list[Any] = [entry["position"]]
        for _title, value in entry["rows"]:
            row.append(as_text(WriteOnlyCell(sheet, value=xlsx_text(value))) if value else "")
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"phieu-nhap-lieu-{handover.commune.code}-bb{handover.number}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
