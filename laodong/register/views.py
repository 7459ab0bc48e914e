from __future__ import annotations

import datetime
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.collection.models import Transition, WorkItem
from laodong.core.concurrency import StaleEdit
from laodong.core.paging import keyset_page
from laodong.core.text import fold
from laodong.forms.citizen_id import normalize_id
from laodong.forms.dates import parse_date
from laodong.forms.definitions import FORM_CODES, FormDefinition, UnknownForm, get_form
from laodong.forms.pdf import render_form_pdf
from laodong.register import actions, jobs, transfers
from laodong.register.access import get_person_for_user, people_in_scope
from laodong.register.display import answer_sections, change_rows
from laodong.register.forms import PeopleUploadForm, PersonForm, PersonSearchForm
from laodong.register.models import (
    Draft,
    ImportStatus,
    PeopleImportJob,
    Person,
    Source,
    TransferRequest,
)
from laodong.register.sources import CHOSEN_FOR_NEW, OriginForm
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

CURRENT_FORM = "tt09-2025-m01"
PAGE_SIZE = 50


def _villages(request: HttpRequest) -> QuerySet[Unit]:
    own_unit = getattr(request.user, "unit", None)
    if own_unit is None:
        raise Http404
    return (
        Unit.objects.current()
        .within(own_unit)
        .filter(level=Level.VILLAGE)
        .select_related("parent")
        .order_by("parent__name_folded", "name_folded")
    )


def _definition(code: str) -> FormDefinition:
    try:
        return get_form(code)
    except UnknownForm as error:
        raise Http404 from error


@login_required
@require_http_methods(["GET", "POST"])
def list_people(request: HttpRequest) -> HttpResponse:
    """People in scope. The search travels by POST: names and ID numbers stay out of URLs."""
    require_capability(request.user, Capability.VIEW_REGISTER)
    own_unit = getattr(request.user, "unit", None)
    if own_unit is None:
        raise Http404
    # The place filter offers the villages of a commune, and the units directly below above
    # it (a province's communes): a province's 1,600 villages in one list cost 0.3 s to draw.
    places = (
        _villages(request)
        if own_unit.level >= Level.COMMUNE
        else Unit.objects.current().filter(parent=own_unit).order_by("name_folded")
    )
    data = request.POST if request.method == "POST" else None
    search = PersonSearchForm(data, villages=places, by_village=own_unit.level >= Level.COMMUNE)
    wide = own_unit.level < Level.COMMUNE  # people of many communes: say which
    rows = people_in_scope(request.user).select_related("village", *(["commune"] if wide else []))
    state = search.cleaned_data.get("state", "") if search.is_valid() else ""
    if state == "left":
        rows = rows.exclude(leave_reason="")
    elif state != "all":
        rows = rows.filter(leave_reason="")
    if search.is_valid():
        query = search.cleaned_data["q"].strip()
        digits = normalize_id(query)
        if digits.isdigit() and has_capability(request.user, Capability.VIEW_FULL_ID):
            rows = rows.filter(personal_id__startswith=digits)
        elif query:
            rows = rows.filter(full_name_folded__contains=fold(query))
        place = search.cleaned_data["village"]
        if place is not None and place.level == Level.VILLAGE:
            rows = rows.filter(village=place)
        elif place is not None and place.level == Level.COMMUNE:
            rows = rows.filter(commune=place)
        elif place is not None:
            rows = rows.filter(subtree_filter(place.path, prefix="village__"))
    after = data.get("after") if data else None
    page = keyset_page(rows, ("full_name_folded", "pk"), after, PAGE_SIZE)
    drafts = (
        Draft.objects.filter(owner_id=request.user.pk)
        .select_related("person")
        .order_by("-updated_at")[:20]
    )
    # A read of personal data: who, when, from where, which filter — never what was searched.
    record_event(
        actor=request.user,
        action="register.view_list",
        unit=getattr(request.user, "unit", None),
        details={
            "search": bool(search.is_valid() and search.cleaned_data["q"].strip()),
            "village": search.cleaned_data["village"].pk
            if search.is_valid() and search.cleaned_data["village"]
            else None,
            "after": bool(after),
        },
    )
    return render(
        request,
        "register/person_list.html",
        {
            "page": page,
            "search": search,
            "wide": wide,
            "full_id": has_capability(request.user, Capability.VIEW_FULL_ID),
            "can_edit": has_capability(request.user, Capability.EDIT_REGISTER),
            "drafts": drafts,
        },
    )


def _own_draft(request: HttpRequest) -> Draft | None:
    """The draft named in the request; drafts are private to their author (404 otherwise)."""
    draft_id = request.POST.get("draft") or request.GET.get("draft")
    if not draft_id:
        return None
    if not str(draft_id).isdigit():
        raise Http404
    draft = Draft.objects.filter(pk=int(draft_id), owner_id=request.user.pk).first()
    if draft is None:
        raise Http404
    return draft


def _keep_draft(
    request: HttpRequest, form: PersonForm, person: Person | None, draft: Draft | None
) -> HttpResponse:
    form.is_valid()  # read what can be read; a draft is not checked
    data = getattr(form, "cleaned_data", {})
    try:
        draft = actions.save_draft(
            acting_user=request.user,
            form_code=form.definition.code,
            answers={key: data.get(key) for key in form.answers_keys()},
            village=data.get("village"),
            person=person,
            draft=draft,
        )
    except actions.RegisterError as refused:
        messages.error(request, str(refused))
        return redirect("register-list-people")
    messages.success(request, _("Đã lưu nháp. Có thể mở lại từ danh sách người lao động."))
    target = (
        reverse("register-edit-person", args=[person.pk])
        if person
        else reverse("register-create-person")
    )
    return redirect(f"{target}?draft={draft.pk}")


def _loaded_version(request: HttpRequest) -> int | None:
    text = request.POST.get("loaded_version", "")
    return int(text) if text.isdigit() else None


def _origin_form(request: HttpRequest, person: Person | None) -> OriginForm:
    """Where the change comes from: a new record may be a paper form collected; a change of
    an existing one has to name its source."""
    if person is None:
        return OriginForm(
            request.POST if request.method == "POST" else None,
            chosen=CHOSEN_FOR_NEW,
            initial={"source": Source.COLLECTION},
        )
    return OriginForm(
        request.POST if request.method == "POST" else None,
        initial={"source": Source.CORRECTION},
    )


def _save(
    request: HttpRequest,
    form: PersonForm,
    person: Person | None,
    draft: Draft | None,
    origin_form: OriginForm,
) -> Person | None:
    """Run the action; on refusal put the findings on the form and return None."""
    data = form.cleaned_data
    if not origin_form.is_valid():
        messages.error(request, _("Hãy ghi nguồn thay đổi và số văn bản (xem mục Nguồn thay đổi)."))
        return None
    origin = origin_form.origin()
    try:
        if person is None:
            return actions.record_person(
                acting_user=request.user,
                form_code=form.definition.code,
                village=data["village"],
                answers=form.answers(),
                origin=origin,
                confirmed_warnings=data["confirmed_warnings"],
                draft=draft,
            )
        return actions.update_person(
            acting_user=request.user,
            person=person,
            village=data["village"],
            answers=form.answers(),
            origin=origin,
            confirmed_warnings=data["confirmed_warnings"],
            draft=draft,
            loaded_version=_loaded_version(request),
        )
    except actions.RegisterError as refused:
        form.add_findings(refused.findings)
        if not refused.findings:
            form.add_error(None, str(refused))
        messages.error(request, str(refused))
        return None


@login_required
@require_http_methods(["GET", "POST"])
def create_person(
    request: HttpRequest, after_create: Callable[[Any, Person], str] | None = None
) -> HttpResponse:
    """Key a person's form into the register. `after_create`, given by the project's URLs,
    lets a higher layer (campaigns) claim the new record and say so."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    draft = _own_draft(request)
    code = draft.form_code if draft else request.GET.get("form", CURRENT_FORM)
    definition = _definition(code)
    villages = _villages(request)
    initial: dict[str, Any] = {"collection_date": timezone.localdate().strftime("%d/%m/%Y")}
    if villages.count() == 1:
        initial["village"] = villages.first()
    if draft:
        initial.update(draft.answers)
        initial["village"] = draft.village
    form = PersonForm(
        request.POST or None, definition=definition, villages=villages, initial=initial
    )
    if request.method == "POST" and "save_draft" in request.POST:
        return _keep_draft(request, form, None, draft)
    origin_form = _origin_form(request, None)
    if request.method == "POST" and form.is_valid():
        person = _save(request, form, None, draft, origin_form)
        if person is not None:
            messages.success(request, _("Đã lưu phiếu của %(name)s.") % {"name": person})
            note = after_create(request.user, person) if after_create else ""
            if note:
                messages.info(request, note)
            return redirect("register-view-person", pk=person.pk)
    return render(
        request,
        "register/person_form.html",
        {
            "form": form,
            "definition": definition,
            "person": None,
            "form_codes": FORM_CODES,
            "draft": draft,
            "origin_form": origin_form,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk, write=True)
    draft = _own_draft(request)
    if draft is not None and draft.person_id != person.pk:
        raise Http404
    definition = _definition(person.form_code)
    initial: dict[str, Any] = {**person.answers, "village": person.village}
    if draft:
        initial = {**draft.answers, "village": draft.village or person.village}
    form = PersonForm(
        request.POST or None,
        definition=definition,
        villages=_villages(request),
        initial=initial,
    )
    if request.method == "POST" and "save_draft" in request.POST:
        return _keep_draft(request, form, person, draft)
    loaded_version = _loaded_version(request) or person.version
    stale = None
    origin_form = _origin_form(request, person)
    if request.method == "POST" and form.is_valid():
        try:
            saved = _save(request, form, person, draft, origin_form)
        except StaleEdit as refused:
            # Nothing was saved: the form shows this user's typing merged with what was
            # saved meanwhile, the differences item by item, and the version now in force.
            stale, saved = refused, None
            messages.error(request, str(refused))
            merged = dict(refused.merged)
            village = Unit.objects.filter(pk=merged.pop("village", None)).first()
            form = PersonForm(
                None,
                definition=definition,
                villages=_villages(request),
                initial={**merged, "village": village or person.village},
            )
            loaded_version = int(refused.token)
        if saved is not None:
            messages.success(
                request, _("Đã lưu thay đổi (phiên bản %(version)s).") % {"version": saved.version}
            )
            return redirect("register-view-person", pk=person.pk)
    if request.method == "GET":
        record_event(
            actor=request.user,
            action="register.open_person_form",
            target=person,
            unit=person.commune,
        )
    return render(
        request,
        "register/person_form.html",
        {
            "form": form,
            "definition": definition,
            "person": person,
            "origin_form": origin_form,
            "draft": draft,
            "loaded_version": loaded_version,
            "stale": stale,
        },
    )


def _unit_names(person: Person) -> dict[str, str]:
    province = person.commune.parent
    return {
        "province": province.label() if province else "",
        "commune": person.commune.label(),
        "village": person.village.label(),
    }


@login_required
def view_person(request: HttpRequest, pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, pk)
    definition = _definition(person.form_code)
    full_id = has_capability(request.user, Capability.VIEW_FULL_ID)
    versions = list(
        person.versions.select_related("changed_by", "request", "police_update")
        .prefetch_related("evidence")
        .order_by("-number")
    )
    answers, as_of, shown = person.answers, None, versions[0] if versions else None
    as_of_text = request.GET.get("as_of", "").strip()
    if as_of_text and (parsed := parse_date(as_of_text)) is not None:
        as_of = parsed.value
        end_of_day = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time.max))
        shown = next((v for v in versions if v.changed_at <= end_of_day), None)
        answers = shown.answers if shown else {}
    # Viewing a person's record is processing of personal data and is logged (privacy.md).
    record_event(
        actor=request.user, action="register.view_person", target=person, unit=person.commune
    )
    return render(
        request,
        "register/person_view.html",
        {
            "person": person,
            "definition": definition,
            "as_of": as_of,
            "as_of_text": as_of_text,
            "shown_version": shown,
            "sections": answer_sections(
                definition, answers, full_id=full_id, unit_names=_unit_names(person)
            ),
            "history": [(v, change_rows(definition, v.changes, full_id=full_id)) for v in versions],
            "can_edit": has_capability(request.user, Capability.EDIT_REGISTER),
            "full_id": full_id,
            "invalid_as_of": bool(as_of_text) and as_of is None,
            # Every move of the person's forms in collection campaigns (issue 4, step 6).
            "work_items": WorkItem.objects.filter(person=person)
            .select_related("campaign")
            .prefetch_related(
                Prefetch(
                    "transitions",
                    queryset=Transition.objects.select_related("actor").order_by("at", "pk"),
                )
            )
            .order_by("-campaign__collection_start"),
        },
    )


@login_required
def download_person_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The person's form printed on A4, as on paper (an export of personal data: logged)."""
    person = get_person_for_user(request.user, pk)
    definition = _definition(person.form_code)
    names = _unit_names(person)
    record_event(
        actor=request.user, action="register.print_person", target=person, unit=person.commune
    )
    pdf = render_form_pdf(
        definition,
        person.answers,
        header_names=names,
        full_id=has_capability(request.user, Capability.VIEW_FULL_ID),
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    # The file name carries the record number, never the person's name.
    response["Content-Disposition"] = f'inline; filename="phieu-{person.pk}.pdf"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def import_people(request: HttpRequest) -> HttpResponse:
    """Upload a file of filled forms; it is checked and written in the background."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    form = PeopleUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        job = jobs.create_job(
            acting_user=request.user,
            upload=upload,
            original_name=upload.name,
            form_code=form.cleaned_data["form_code"] or "",
            confirm_warnings=form.cleaned_data["confirm_warnings"],
        )
        return redirect("register-view-import", pk=job.pk)
    user: Any = request.user
    recent = PeopleImportJob.objects.filter(created_by=user)[:5]
    return render(request, "register/people_import.html", {"form": form, "recent": recent})


def _import_job(request: HttpRequest, pk: int) -> PeopleImportJob:
    """A register import of the user's area (404 outside it); editors only."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    job = (
        PeopleImportJob.objects.select_related("unit", "created_by")
        .filter(pk=pk, unit__in=Unit.objects.within(user.unit))
        .first()
    )
    if job is None:
        raise Http404
    return job


@login_required
@require_http_methods(["GET", "POST"])
def view_import(request: HttpRequest, pk: int) -> HttpResponse:
    """A register import: progress while it runs, then its outcome (the first errors and
    warnings, the error file with all of them, or the count written)."""
    job = _import_job(request, pk)
    if request.method == "POST":
        if request.POST.get("step") == "confirm":
            jobs.confirm_warnings(acting_user=request.user, job=job)
        elif request.POST.get("step") == "restart":
            jobs.restart(job)
        return redirect("register-view-import", pk=job.pk)
    return render(request, "register/people_import_job.html", _import_context(job))


def _import_context(job: PeopleImportJob) -> dict[str, Any]:
    return {
        "job": job,
        "working": job.status in (ImportStatus.QUEUED, ImportStatus.RUNNING),
        "stale": jobs.is_stale(job),
        "errors": job.shown.get("errors", []),
        "warnings": job.shown.get("warnings", []),
        "writing": job.shown.get("phase") == "write",
        "has_error_file": bool(job.error_file) and Path(job.error_file).is_file(),
    }


@login_required
def view_import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress fragment the import page polls (htmx)."""
    job = _import_job(request, pk)
    context = _import_context(job)
    response = render(request, "register/_import_progress.html", context)
    if not context["working"]:
        response["HX-Refresh"] = "true"  # the outcome, with its links
    return response


@login_required
def download_import_errors(request: HttpRequest, pk: int) -> FileResponse:
    job = _import_job(request, pk)
    if not job.error_file or not Path(job.error_file).is_file():
        raise Http404
    record_event(
        actor=request.user,
        action="register.download_import_errors",
        target_type="register.peopleimportjob",
        unit=job.unit,
        details={"job": job.pk},
    )
    return FileResponse(
        Path(job.error_file).open("rb"),
        as_attachment=True,
        filename=f"loi-nhap-phieu-{job.pk}.xlsx",
    )


# Moving a record between communes ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def list_transfers(request: HttpRequest) -> HttpResponse:
    """Requests to and from the user's area; look an ID up (posted, never in a URL) and ask
    the commune that holds it for the record."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    villages = _villages(request)
    holder = None
    number = ""
    if request.method == "POST":
        number = normalize_id(request.POST.get("personal_id", ""))
        try:
            if request.POST.get("step") == "request":
                village = villages.filter(pk=_int(request.POST.get("village"))).first()
                if village is None:
                    raise actions.RegisterError(_("Hãy chọn thôn người này đang ở."))
                transfers.request_transfer(
                    acting_user=user,
                    personal_id=number,
                    village=village,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request,
                    _("Đã gửi đề nghị; xã đang quản lý hồ sơ sẽ trả lời trên trang này."),
                )
                return redirect("register-list-transfers")
            holder = transfers.holder_of(acting_user=user, personal_id=number)
        except actions.RegisterError as refused:
            messages.error(request, str(refused))
    within = Unit.objects.within(user.unit)
    base = TransferRequest.objects.select_related(
        "from_commune", "to_commune", "to_village", "requested_by", "person"
    )
    incoming = list(base.filter(from_commune__in=within).order_by("status", "-requested_at")[:200])
    outgoing = list(base.filter(to_commune__in=within).order_by("status", "-requested_at")[:200])
    return render(
        request,
        "register/transfer_list.html",
        {
            "incoming": incoming,
            "outgoing": outgoing,
            "holder": holder,
            "number": number if holder else "",
            "villages": villages,
            "full_id": has_capability(user, Capability.VIEW_FULL_ID),
        },
    )


def _int(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


@login_required
@require_http_methods(["GET", "POST"])
def view_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: the holding commune sees the person and answers; the asking commune sees
    its status (and may withdraw it while it waits)."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    transfer = (
        TransferRequest.objects.select_related(
            "person", "from_commune", "to_commune", "to_village", "requested_by", "decided_by"
        )
        .filter(pk=pk)
        .first()
    )
    if transfer is None:
        raise Http404
    holding = user.unit.contains(transfer.from_commune)
    asking = user.unit.contains(transfer.to_commune)
    if not (holding or asking):
        raise Http404
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            if step in ("accept", "refuse") and holding:
                transfers.decide_transfer(
                    acting_user=user,
                    transfer=transfer,
                    accept=step == "accept",
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request,
                    _("Đã chuyển hồ sơ.") if step == "accept" else _("Đã từ chối đề nghị."),
                )
            elif step == "cancel" and asking:
                transfers.cancel_transfer(acting_user=user, transfer=transfer)
                messages.success(request, _("Đã rút đề nghị."))
            else:
                raise PermissionDenied
        except actions.RegisterError as refused:
            messages.error(request, str(refused))
        return redirect("register-view-transfer", pk=transfer.pk)
    if holding:
        record_event(
            actor=user, action="register.view_person", target=transfer.person, unit=user.unit
        )
    return render(
        request,
        "register/transfer_view.html",
        {
            "transfer": transfer,
            "holding": holding,
            "asking": asking,
            "full_id": has_capability(user, Capability.VIEW_FULL_ID),
        },
    )
