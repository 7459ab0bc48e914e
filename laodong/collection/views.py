from __future__ import annotations

import datetime
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from laodong.accounts.models import Role, User
from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns import actions as campaign_actions
from laodong.campaigns.access import get_campaign_for_user
from laodong.campaigns.models import Campaign
from laodong.collection import actions, identity, jobs, payments, police_list
from laodong.collection.access import get_commune_for_user, get_item_for_user, items_in_scope
from laodong.collection.enumerators import enumerator_progress
from laodong.collection.models import (
    Assignment,
    Category,
    JobStatus,
    OutOfScope,
    PaperReceipt,
    PoliceListImport,
    Status,
    WorkItem,
)
from laodong.collection.police_list import POLICE_COLUMNS
from laodong.collection.receipts import receipt_pdf
from laodong.core.concurrency import StaleEdit, posted_token
from laodong.core.money import in_words
from laodong.core.paging import keyset_page
from laodong.core.tabular import TableError
from laodong.core.text import fold
from laodong.forms.citizen_id import mask_id
from laodong.forms.dates import parse_date
from laodong.forms.definitions import get_form
from laodong.register import actions as register_actions
from laodong.register import transfers
from laodong.register.display import answer_sections
from laodong.register.forms import PersonForm
from laodong.register.models import TransferRequest
from laodong.units.actions import UnitError, create_village
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter

PAGE_SIZE = 50


def _campaign(request: HttpRequest, campaign_pk: int, capability: Capability) -> Campaign:
    return get_campaign_for_user(request.user, campaign_pk, capability)


# Step 1 ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def upload_list(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """The commune police upload the 15+ list; the next page previews the column mapping."""
    campaign = _campaign(request, campaign_pk, Capability.IMPORT_POLICE_LIST)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None or not upload.name or not upload.name.lower().endswith((".xlsx", ".csv")):
            error = _("Hãy chọn tệp .xlsx hoặc .csv.")
        else:
            try:
                job, _preview = jobs.create_job(
                    acting_user=request.user,
                    campaign=campaign,
                    commune=commune,
                    upload=upload,
                    original_name=upload.name,
                    full_list=request.POST.get("partial") != "1",
                )
            except TableError as problem:
                error = str(problem)
            else:
                return redirect("collection-view-import", campaign.pk, job.pk)
    recent = PoliceListImport.objects.filter(campaign=campaign, commune=commune).select_related(
        "created_by"
    )[:10]
    return render(
        request,
        "collection/list_upload.html",
        {"campaign": campaign, "commune": commune, "error": error, "recent": recent},
    )


def _job(request: HttpRequest, campaign: Campaign, pk: int) -> PoliceListImport:
    job = (
        PoliceListImport.objects.select_related("commune", "created_by", "campaign")
        .filter(pk=pk, campaign=campaign)
        .first()
    )
    if job is None or not request.user.unit.contains(job.commune):  # type: ignore[union-attr]
        raise Http404
    return job


def _import_campaign(request: HttpRequest, campaign_pk: int) -> Campaign:
    """The police import the list; those who manage villages may open it to map villages."""
    campaign = _campaign(request, campaign_pk, Capability.VIEW_WORK_LIST)
    if not (
        has_capability(request.user, Capability.IMPORT_POLICE_LIST)
        or has_capability(request.user, Capability.MANAGE_VILLAGES)
    ):
        raise PermissionDenied
    return campaign


@login_required
@require_http_methods(["GET", "POST"])
def view_import(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    """One police list from upload to result: the columns, the check, the villages and remarks
    to decide on, the outcome to confirm, the result and its undo."""
    campaign = _import_campaign(request, campaign_pk)
    job = _job(request, campaign, pk)
    user: Any = request.user
    if jobs.is_stale(job):
        jobs.mark_interrupted(job)
        job.refresh_from_db()
    may_import = has_capability(user, Capability.IMPORT_POLICE_LIST)
    may_create_villages = has_capability(user, Capability.MANAGE_VILLAGES)
    error = ""
    step = request.POST.get("step", "")
    if request.method == "POST":
        if step != "villages" and not may_import:
            raise PermissionDenied
        try:
            if step == "columns":
                error = _post_columns(request, job)
            elif step == "villages":
                error = _post_decisions(request, job, may_create_villages)
            elif step == "confirm":
                jobs.confirm_job(
                    acting_user=user, job=job, acknowledged=request.POST.get("risk") == "1"
                )
            elif step == "cancel":
                jobs.cancel_job(acting_user=user, job=job)
            elif step == "undo":
                jobs.request_undo(acting_user=user, job=job)
        except (TableError, UnitError) as problem:
            error = str(problem)
        if not error:
            return redirect("collection-view-import", campaign.pk, job.pk)
        job.refresh_from_db()
    preview = None
    if job.status in (JobStatus.PREVIEW, JobStatus.FAILED) or (
        job.status == JobStatus.CHECKED and request.GET.get("columns") == "1"
    ):
        try:
            preview = jobs.read_preview(job)
        except (TableError, OSError) as problem:
            error = str(problem) if isinstance(problem, TableError) else _("Không còn tệp tải lên.")
    context: dict[str, Any] = {
        "campaign": campaign,
        "job": job,
        "preview": preview,
        "error": error,
        "may_import": may_import,
        "may_create_villages": may_create_villages,
        "full_id": has_capability(user, Capability.VIEW_FULL_ID),
    }
    if preview is not None:
        mapping = job.mapping or preview.positions
        # Per chosen column, a few values and how many of the preview's rows read well.
        checks = police_list.sample_readings(
            preview.rows, {k: int(v) for k, v in mapping.items()}, campaign.reference_date
        )
        context["columns"] = [
            (column, mapping.get(column.key), checks.get(column.key)) for column in POLICE_COLUMNS
        ]
        context["headers"] = list(enumerate(preview.headers))
    if job.status == JobStatus.CHECKED:
        context.update(_checked_context(job, user))
    if job.status == JobStatus.DONE:
        latest = police_list.last_applied(job.campaign_id, job.commune_id)
        context["may_undo"] = (
            may_import and job.undoable and latest is not None and latest.pk == job.pk
        )
        context["undo_blockers"] = police_list.undo_blockers(job) if context["may_undo"] else 0
        context["confirm_undo"] = request.GET.get("undo") == "1"
        if has_capability(user, Capability.EDIT_REGISTER):
            context["closures"] = len(actions.closure_proposals(campaign, job.commune))
    return render(request, "collection/import_view.html", context)


def _post_columns(request: HttpRequest, job: PoliceListImport) -> str:
    preview = jobs.read_preview(job)
    mapping: dict[str, int] = {}
    for column in POLICE_COLUMNS:
        chosen = request.POST.get(f"column_{column.key}", "")
        if chosen.isdigit() and int(chosen) < len(preview.headers):
            mapping[column.key] = int(chosen)
    missing = [c.label for c in POLICE_COLUMNS if c.required and c.key not in mapping]
    if missing:
        return _("Hãy chọn cột cho: %(columns)s.") % {"columns": ", ".join(missing)}
    if "village" not in mapping and "address" not in mapping:
        return _("Hãy chọn cột Thôn (hoặc cột Địa chỉ có ghi thôn).")
    if len(set(mapping.values())) != len(mapping):
        return _("Mỗi cột của tệp chỉ dùng cho một mục.")
    jobs.queue_check(
        acting_user=request.user, job=job, header_row=preview.header_row, mapping=mapping
    )
    return ""


def _post_decisions(request: HttpRequest, job: PoliceListImport, may_create: bool) -> str:
    """Villages chosen (or created) for each spelling, and what each unknown remark means."""
    user: Any = request.user
    current = {
        str(v.pk): v for v in Unit.objects.current().filter(parent=job.commune, level=Level.VILLAGE)
    }
    villages: dict[str, int] = {}
    mapped = police_list.village_mapping(job)
    for index, entry in enumerate(job.analysis.get("villages", [])):
        chosen = request.POST.get(f"village_{index}", "")
        if chosen and chosen == str(mapped.get(entry["key"])):
            continue  # unchanged: found by name or remembered
        if chosen == "new":
            if not may_create:
                raise PermissionDenied
            name = police_list.new_village_name(
                request.POST.get(f"new_name_{index}", "").strip() or entry["text"]
            )
            created = create_village(acting_user=user, commune=job.commune, name=name)
            villages[entry["key"]] = created.pk
        elif chosen in current:
            villages[entry["key"]] = current[chosen].pk
    notes: dict[str, str] = {}
    for index, entry in enumerate(job.analysis.get("notes", [])):
        meaning = request.POST.get(f"note_{index}")
        if meaning is not None and (meaning == "" or meaning in OutOfScope.values):
            notes[entry["text"]] = meaning
    jobs.save_decisions(acting_user=user, job=job, villages=villages, notes=notes)
    return ""


def _checked_context(job: PoliceListImport, user: Any) -> dict[str, Any]:
    mapping = police_list.village_mapping(job)
    villages = list(
        Unit.objects.current()
        .filter(parent=job.commune, level=Level.VILLAGE)
        .order_by("name_folded")
    )
    names = {v.pk: v.label() for v in villages}
    rows = []
    for index, entry in enumerate(job.analysis.get("villages", [])):
        target = mapping.get(entry["key"])
        if job.village_choices.get(entry["key"]) == target and target is not None:
            how = "chosen"
        elif target is not None and entry.get("known") == target:
            how = "auto"
        elif target is not None:
            how = "remembered"
        else:
            how = "unmapped"
        rows.append(
            {
                **entry,
                "index": index,
                "target": target,
                "name": names.get(target or 0),
                "how": how,
                "new_name": police_list.new_village_name(entry["text"]),
            }
        )
    notes = [
        {**entry, "index": index, "choice": job.note_choices.get(entry["text"], "")}
        for index, entry in enumerate(job.analysis.get("notes", []))
    ]
    creators: list[Any] = []
    if any(row["how"] == "unmapped" for row in rows) and not has_capability(
        user, Capability.MANAGE_VILLAGES
    ):
        creators = [
            account
            for account in User.objects.filter(unit=job.commune, is_active=True).order_by(
                "full_name"
            )
            if has_capability(account, Capability.MANAGE_VILLAGES)
        ]
    counts = job.counts or {}
    return {
        "village_rows": rows,
        "villages": villages,
        "unmapped": sum(row["how"] == "unmapped" for row in rows),
        "notes": notes,
        "reasons": OutOfScope.choices,
        "creators": creators,
        "refusal": police_list.refusal(job),
        "risks": counts.get("risks", []),
        "reason_counts": [
            (label, counts.get(f"reason_{code}", 0))
            for code, label in OutOfScope.choices
            if counts.get(f"reason_{code}")
        ],
        "column_rows": job.analysis.get("columns", []),
    }


@login_required
def view_import_progress(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    """The progress fragment the import page polls (htmx)."""
    campaign = _import_campaign(request, campaign_pk)
    job = _job(request, campaign, pk)
    if jobs.is_stale(job):
        jobs.mark_interrupted(job)
        job.refresh_from_db()
    response = render(
        request, "collection/_import_progress.html", {"campaign": campaign, "job": job}
    )
    if not job.is_working:
        # Reload the whole page once, to show the outcome with its links.
        response["HX-Refresh"] = "true"
    return response


@login_required
def download_import_errors(request: HttpRequest, campaign_pk: int, pk: int) -> FileResponse:
    campaign = _campaign(request, campaign_pk, Capability.IMPORT_POLICE_LIST)
    job = _job(request, campaign, pk)
    if not job.error_file or not Path(job.error_file).is_file():
        raise Http404
    record_event(
        actor=request.user,
        action="collection.download_import_errors",
        target=job,
        unit=job.commune,
    )
    return FileResponse(
        Path(job.error_file).open("rb"),
        as_attachment=True,
        filename=f"dong-loi-danh-sach-{job.pk}.xlsx",
    )


# Step 2 ----------------------------------------------------------------------------------------

OPEN_STATUSES = (Status.LISTED, Status.RETURNED, Status.KEYED_ONCE)
# On the latest police list, or added to the work list outside it.
ON_WORK_LIST = Q(in_latest_list=True) | Q(outside_list=True)


@login_required
@require_http_methods(["GET", "POST"])
def list_work(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """The work list: on a phone, an enumerator's people to collect, returned forms first."""
    campaign = _campaign(request, campaign_pk, Capability.VIEW_WORK_LIST)
    user: Any = request.user
    rows = items_in_scope(user, campaign).select_related("village")
    data = request.POST if request.method == "POST" else request.GET
    villages = list(
        Unit.objects.current()
        .within(user.unit)
        .filter(level=Level.VILLAGE, parent__in=campaign.communes.all())
        .order_by("name_folded")[:300]
    )
    village_id = data.get("village", "")
    if village_id.isdigit():
        rows = rows.filter(village_id=int(village_id))
    commune_id = data.get("commune", "")
    if commune_id.isdigit():
        rows = rows.filter(commune_id=int(commune_id))
    status = data.get("status", "todo")
    if status == "todo":
        rows = (
            rows.filter(status__in=OPEN_STATUSES)
            .filter(ON_WORK_LIST)
            .exclude(category=Category.CURRENT)
        )
    elif status in Status.values:
        rows = rows.filter(status=status)
    if data.get("mine") == "1" or (
        user.role == Role.ENUMERATOR and data.get("mine") != "0" and not village_id
    ):
        rows = rows.filter(Q(assigned_to=user) | Q(assigned_to__isnull=True))
    # From an import's result page: the people it added or changed, or those it no longer lists.
    import_id = data.get("import", "")
    if import_id.isdigit():
        rows = rows.filter(list_import_id=int(import_id))
    if data.get("unlisted") == "1":
        rows = rows.filter(in_latest_list=False, outside_list=False)
    if data.get("outside") == "1":
        rows = rows.filter(outside_list=True)
    query = data.get("q", "").strip()
    if query:
        rows = rows.filter(_search(query))
    # By household within the village, in the police list's order (the head first), so that a
    # family is collected in one visit.
    page = keyset_page(rows, ("village_id", "household_code", "pk"), data.get("after"), PAGE_SIZE)
    returned = (
        items_in_scope(user, campaign)
        .filter(status=Status.RETURNED)
        .filter(Q(assigned_to=user) | Q(collected_by=user))
        .count()
    )
    record_event(
        actor=user,
        action="collection.view_work_list",
        target=campaign,
        unit=user.unit,
        details={
            "village": int(village_id) if village_id.isdigit() else None,
            "status": status[:14],
            "search": bool(query),
            "after": bool(data.get("after")),
        },
    )
    return render(
        request,
        "collection/work_list.html",
        {
            "campaign": campaign,
            "page": page,
            "villages": villages,
            "village_id": village_id,
            "status": status,
            "statuses": Status.choices,
            "query": query,
            "import_id": import_id if import_id.isdigit() else "",
            "unlisted": data.get("unlisted") == "1",
            "returned": returned,
            "full_id": has_capability(user, Capability.VIEW_FULL_ID),
        },
    )


def claim_register_form(user: Any, person: Any) -> str:
    """After "Nhập phiếu": when the person is on an open campaign's list, the form just keyed
    is their campaign form; say so."""
    adopted = actions.adopt_register_form(acting_user=user, person=person)
    if not adopted:
        return ""
    item = adopted[0]
    if item.status == Status.KEYED_ONCE:
        return _(
            "Người này có trong danh sách của kế hoạch “%(campaign)s”: phiếu vừa nhập là phiếu "
            "của kế hoạch (nhập lần 1), cần một người khác nhập lần 2."
        ) % {"campaign": item.campaign.title}
    return _(
        "Người này có trong danh sách của kế hoạch “%(campaign)s”: phiếu vừa nhập là phiếu của "
        "kế hoạch, đã nghiệm thu và chờ bàn giao cho Công an xã."
    ) % {"campaign": item.campaign.title}


def _search(query: str) -> Q:
    """A name without diacritics, a household code, or an ID (whole or its last digits)."""
    found = Q(household_code__iexact=query)
    digits = query.replace(" ", "").replace(".", "")
    if digits.isdigit() and len(digits) >= 4:
        return found | Q(personal_id__endswith=digits)
    return found | Q(full_name_folded__contains=fold(query))


def _definition(campaign: Campaign) -> Any:
    return get_form(campaign.form_code)


@login_required
def view_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    """A person on the list: police data, the form, findings, comments and every transition."""
    campaign = _campaign(request, campaign_pk, Capability.VIEW_WORK_LIST)
    item = get_item_for_user(request.user, campaign, pk)
    user: Any = request.user
    definition = _definition(campaign)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    record_event(actor=user, action="collection.view_item", target=item, unit=item.commune)
    findings = [actions.finding_from_dict(f) for f in item.findings]
    province = item.commune.parent
    sections = (
        answer_sections(
            definition,
            item.answers,
            full_id=full_id,
            unit_names={
                "province": province.label() if province else "",
                "commune": item.commune.label(),
                "village": item.village.label(),
            },
        )
        if item.answers
        else []
    )
    labels = {i.key: i.title for i in definition.items}
    held_elsewhere = any(f.rule == register_actions.ELSEWHERE for f in findings)
    return render(
        request,
        "collection/item_view.html",
        {
            "campaign": campaign,
            "item": item,
            "held_elsewhere": held_elsewhere,
            "transfer": _transfer_of(item) if held_elsewhere else None,
            "sections": sections,
            "errors": [f for f in findings if f.severity == "error"],
            "warnings": [f for f in findings if f.severity == "warning"],
            "warning_rows": _warning_rows(
                [f for f in findings if f.severity == "warning"], item.identity_reasons
            ),
            "transitions": item.transitions.select_related("actor").order_by("at", "pk"),
            "comments": [(labels.get(k, k), v) for k, v in item.return_comments.items()],
            "differences": [labels.get(k, k) for k in item.keying_differences],
            "full_id": full_id,
            "may_collect": actions.may_collect(user, item)
            and item.status in (Status.LISTED, Status.RETURNED, Status.KEYED_ONCE),
            "may_review": has_capability(user, Capability.ACCEPT_FORMS),
            "items": [(i.key, i.title) for i in definition.items],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def collect_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    """Fill in the form: an enumerator on the phone, or an officer keying a paper form."""
    campaign = _campaign(request, campaign_pk, Capability.VIEW_WORK_LIST)
    item = get_item_for_user(request.user, campaign, pk)
    user: Any = request.user
    if not actions.may_collect(user, item):
        require_capability(user, Capability.KEY_PAPER_FORMS)
    # An officer keying a paper form (not an enumerator collecting their own people).
    paper = has_capability(
        user, Capability.KEY_PAPER_FORMS
    ) and not actions.may_collect_as_enumerator(user, item)
    resolving = item.status == Status.KEYED_ONCE and bool(item.keying_differences)
    definition = _definition(campaign)
    villages = Unit.objects.filter(pk=item.village_id).select_related("parent")
    initial: dict[str, Any] = {**actions.prefill(item), "village": item.village}
    if item.status == Status.KEYED_ONCE and not resolving:
        # The second keying starts blank, as the paper form is typed again from scratch.
        initial = {"village": item.village}
    if "collection_date" not in initial:
        initial["collection_date"] = timezone.localdate().strftime("%d/%m/%Y")
    # A village head collects without the right to the full ID: the police list's ID is shown
    # masked and kept as it is (the masked value posted back means "unchanged").
    hidden_id = ""
    if item.personal_id and not has_capability(user, Capability.VIEW_FULL_ID):
        hidden_id = mask_id(item.personal_id)
        initial["personal_id"] = hidden_id
    data = request.POST.copy() if request.method == "POST" else None
    if data is not None and hidden_id and data.get("personal_id", "") in ("", hidden_id):
        data["personal_id"] = item.personal_id
    form = PersonForm(data, definition=definition, villages=villages, initial=initial)
    if hidden_id and "personal_id" in form.fields:
        form.fields["personal_id"].widget.attrs["readonly"] = True
        form.fields["personal_id"].help_text = _(
            "Theo danh sách Công an xã; che bớt vì tài khoản này không được xem đủ số."
        )
    for key, text in item.return_comments.items():
        if key in form.fields:
            # Shown at the item itself, marked, as the officer wrote it when returning.
            form.fields[key].officer_comment = text  # type: ignore[attr-defined]
    enumerators = _collectors(item.commune, with_officers=True)
    paper_error = ""
    valid = request.method == "POST" and form.is_valid()
    if hidden_id and data is not None:
        # Shown again (after an error) masked, never in full; `data` is the form's own copy.
        data["personal_id"] = hidden_id
    loaded_token = posted_token(request) or actions.answers_token(item)
    stale = None
    if valid:
        answers = form.answers()
        token = posted_token(request)
        try:
            if "save_draft" in request.POST:
                actions.save_form_draft(
                    acting_user=user, item=item, answers=answers, loaded_token=token
                )
                messages.success(request, _("Đã lưu nháp; phiếu vẫn nằm trong danh sách của bạn."))
                return redirect("collection-view-item", campaign.pk, item.pk)
            confirmed = form.cleaned_data["confirmed_warnings"]
            reasons = _posted_reasons(request)
            if resolving:
                actions.resolve_keying(
                    acting_user=user,
                    item=item,
                    answers=answers,
                    confirmed_warnings=confirmed,
                    loaded_token=token,
                    identity_reasons=reasons,
                )
            elif paper:
                collector = enumerators.filter(pk=request.POST.get("collected_by") or 0).first()
                collected_on = parse_date(request.POST.get("collected_on", ""))
                if collector is None or collected_on is None:
                    paper_error = _("Hãy ghi người thu thập và ngày thu thập của phiếu giấy.")
                    raise actions.WorkflowError(paper_error)
                actions.key_paper_form(
                    acting_user=user,
                    item=item,
                    answers=answers,
                    collected_by=collector,
                    collected_on=collected_on.value,
                    confirmed_warnings=confirmed,
                    loaded_token=token,
                    identity_reasons=reasons,
                )
            else:
                actions.submit_form(
                    acting_user=user,
                    item=item,
                    answers=answers,
                    confirmed_warnings=confirmed,
                    loaded_token=token,
                    identity_reasons=reasons,
                )
        except StaleEdit as refused:
            # Nothing saved: the typing stays in the form, the saved answers beside it.
            stale = refused
            messages.error(request, str(refused))
            item.refresh_from_db()
            merged = {**refused.merged, "village": item.village}
            if hidden_id:
                merged["personal_id"] = hidden_id
            form = PersonForm(None, definition=definition, villages=villages, initial=merged)
            if hidden_id and "personal_id" in form.fields:
                form.fields["personal_id"].widget.attrs["readonly"] = True
            loaded_token = refused.token
        except actions.WorkflowError as refused:
            form.add_findings(refused.findings)
            if not refused.findings:
                form.add_error(None, str(refused))
            messages.error(request, str(refused))
        else:
            item.refresh_from_db()
            if item.status == Status.KEYED_ONCE and item.keying_differences:
                messages.error(
                    request,
                    _(
                        "Hai lần nhập khác nhau ở %(count)s mục. Hãy đối chiếu với phiếu giấy và "
                        "thống nhất từng mục."
                    )
                    % {"count": len(item.keying_differences)},
                )
            elif item.status == Status.KEYED_ONCE:
                messages.success(request, _("Đã nhập lần 1. Cần một người khác nhập lần 2."))
            else:
                messages.success(
                    request, _("Đã nộp phiếu của %(name)s.") % {"name": item.full_name}
                )
                following = _next_in_household(user, campaign, item)
                if following is not None:
                    messages.info(
                        request,
                        _("Tiếp theo trong hộ: %(name)s.") % {"name": following.full_name},
                    )
                    return redirect("collection-view-item", campaign.pk, following.pk)
            return redirect("collection-list-work", campaign.pk)
    if request.method == "GET":
        record_event(actor=user, action="collection.open_form", target=item, unit=item.commune)
    labels = {i.key: i.title for i in definition.items}
    return render(
        request,
        "collection/item_form.html",
        {
            "campaign": campaign,
            "item": item,
            "form": form,
            "definition": definition,
            "paper": paper,
            "resolving": resolving,
            "differences": [
                (labels.get(k, k), item.first_keying.get(k, ""), item.answers.get(k, ""))
                for k in item.keying_differences
            ],
            "enumerators": enumerators,
            "paper_error": paper_error,
            "loaded_token": loaded_token,
            "stale": stale,
            "comments": [(k, labels.get(k, k), v) for k, v in item.return_comments.items()],
            "warning_rows": _warning_rows(
                form.warnings, {**item.identity_reasons, **_posted_reasons(request)}
            ),
        },
    )


def _posted_reasons(request: HttpRequest) -> dict[str, str]:
    """The reasons typed for identity warnings ("reason-identity.full_name" …)."""
    return {
        rule: request.POST.get(f"reason-{rule}", "").strip()[:300]
        for rule in identity.REASONED
        if request.POST.get(f"reason-{rule}", "").strip()
    }


def _warning_rows(warnings: Iterable[Any], reasons: dict[str, str]) -> list[dict[str, Any]]:
    """Each warning with whether it needs a reason (identity against the police list) and
    the reason written so far."""
    return [
        {
            "finding": warning,
            "needs_reason": warning.rule in identity.REASONED,
            "reason": reasons.get(warning.rule, ""),
        }
        for warning in warnings
    ]


def _next_in_household(user: Any, campaign: Campaign, item: WorkItem) -> WorkItem | None:
    """Someone else of the same household still to collect, for "next in this household"."""
    if not item.household_code:
        return None
    return (
        items_in_scope(user, campaign)
        .filter(
            village_id=item.village_id,
            household_code=item.household_code,
            status__in=OPEN_STATUSES,
        )
        .filter(ON_WORK_LIST)
        .exclude(pk=item.pk)
        .exclude(category=Category.CURRENT)
        .order_by("pk")
        .first()
    )


def _collectors(commune: Unit, *, with_officers: bool = False) -> QuerySet[User]:
    """Active accounts of the commune who collect forms (and, for paper forms, its officers)."""
    roles = [Role.ENUMERATOR, Role.VILLAGE_HEAD]
    if with_officers:
        roles.append(Role.COMMUNE_LABOR_OFFICER)
    return User.objects.filter(
        subtree_filter(commune.path, prefix="unit__"), is_active=True, role__in=roles
    ).order_by("full_name")


# Step 3 ----------------------------------------------------------------------------------------


@login_required
@require_POST
def accept_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    item = get_item_for_user(request.user, campaign, pk, Capability.ACCEPT_FORMS)
    try:
        actions.accept_form(
            acting_user=request.user,
            item=item,
            confirmed_warnings=request.POST.getlist("confirmed_warnings"),
            identity_reasons=_posted_reasons(request),
        )
    except actions.WorkflowError as refused:
        messages.error(request, str(refused))
        for finding in refused.findings:
            messages.error(request, finding.message)
        return redirect("collection-view-item", campaign.pk, item.pk)
    messages.success(request, _("Đã nghiệm thu phiếu của %(name)s.") % {"name": item.full_name})
    return redirect("collection-list-review", campaign.pk, item.commune_id)


def _transfer_of(item: WorkItem) -> TransferRequest | None:
    """The latest request for the record of this form's person, asked by this commune."""
    return (
        TransferRequest.objects.filter(
            person__personal_id=item.personal_id, to_commune_id=item.commune_id
        )
        .select_related("from_commune")
        .order_by("-requested_at")
        .first()
    )


@login_required
@require_POST
def request_transfer(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    """The form's person is held by another commune: ask it for the record, in one step."""
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    item = get_item_for_user(request.user, campaign, pk, Capability.ACCEPT_FORMS)
    require_capability(request.user, Capability.EDIT_REGISTER)
    try:
        transfers.request_transfer(
            acting_user=request.user,
            personal_id=item.personal_id,
            village=item.village,
            reason=request.POST.get("reason", "")
            or _("Thu thập trong %(campaign)s") % {"campaign": campaign.title},
        )
    except register_actions.RegisterError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _(
                "Đã gửi đề nghị chuyển hồ sơ; khi xã đang quản lý đồng ý, phiếu này nghiệm thu "
                "được như một cập nhật."
            ),
        )
    return redirect("collection-view-item", campaign.pk, item.pk)


@login_required
@require_POST
def return_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    item = get_item_for_user(request.user, campaign, pk, Capability.ACCEPT_FORMS)
    known = {i.key for i in _definition(campaign).items}
    comments = {
        request.POST.get(f"comment_item_{n}", ""): request.POST.get(f"comment_text_{n}", "")
        for n in range(1, 4)
        if request.POST.get(f"comment_item_{n}", "") in known
    }
    try:
        actions.return_form(
            acting_user=request.user,
            item=item,
            reason=request.POST.get("reason", ""),
            comments=comments,
        )
    except actions.WorkflowError as refused:
        messages.error(request, str(refused))
        return redirect("collection-view-item", campaign.pk, item.pk)
    messages.success(request, _("Đã trả lại phiếu cho người thu thập."))
    return redirect("collection-list-review", campaign.pk, item.commune_id)


class OutsideListForm(forms.Form):
    """Someone the police list missed: who, where, and the ID if they have one."""

    village = forms.ModelChoiceField(
        label=gettext_lazy("Thôn / tổ dân phố"), queryset=Unit.objects.none()
    )
    full_name = forms.CharField(label=gettext_lazy("Họ và tên"), max_length=150)
    birth_date = forms.CharField(
        label=gettext_lazy("Ngày sinh"),
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
        help_text=gettext_lazy("Ghi ngày dạng dd/mm/yyyy, hoặc chỉ năm sinh."),
    )
    sex = forms.ChoiceField(
        label=gettext_lazy("Giới tính"),
        choices=[("1", gettext_lazy("Nam")), ("2", gettext_lazy("Nữ"))],
        widget=forms.RadioSelect,
    )
    personal_id = forms.CharField(
        label=gettext_lazy("Số định danh cá nhân (nếu có)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    household_code = forms.CharField(label=gettext_lazy("Mã hộ"), required=False, max_length=30)
    relation = forms.CharField(
        label=gettext_lazy("Quan hệ với chủ hộ"), required=False, max_length=50
    )
    note = forms.CharField(
        label=gettext_lazy("Ghi chú (vì sao chưa có trong danh sách)"),
        required=False,
        max_length=300,
    )

    def __init__(self, *args: Any, villages: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages
        field.empty_label = _("— chọn thôn —")
        if not self.is_bound and villages.count() == 1:
            self.initial["village"] = villages.first()

    def clean_birth_date(self) -> Any:
        parsed = parse_date(self.cleaned_data.get("birth_date", ""), allow_year_only=True)
        if parsed is None:
            raise forms.ValidationError(_("Ngày sinh phải ghi dạng dd/mm/yyyy hoặc chỉ năm."))
        return parsed


@login_required
@require_http_methods(["GET", "POST"])
def add_outside_list(request: HttpRequest, campaign_pk: int) -> HttpResponse:
    """Add (officer) or propose (enumerator) someone the police list missed."""
    user: Any = request.user
    if not (
        has_capability(user, Capability.ACCEPT_FORMS)
        or has_capability(user, Capability.COLLECT_FORMS)
    ):
        raise PermissionDenied
    campaign = get_campaign_for_user(user, campaign_pk)
    villages = (
        Unit.objects.current()
        .filter(level=Level.VILLAGE, parent__in=campaign.communes.all())
        .filter(Q(pk=user.unit.pk) | Q(path__startswith=user.unit.path))
        .select_related("parent")
        .order_by("parent__name_folded", "name_folded")
    )
    if not villages.exists():
        raise Http404
    form = OutsideListForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = actions.add_outside_list(
                acting_user=user,
                campaign=campaign,
                village=data["village"],
                full_name=data["full_name"],
                birth_date=data["birth_date"],
                sex=data["sex"],
                personal_id=data["personal_id"],
                household_code=data["household_code"],
                relation=data["relation"],
                note=data["note"],
            )
        except actions.WorkflowError as refused:
            form.add_error(None, str(refused))
        else:
            if item.status == Status.PROPOSED:
                messages.success(
                    request,
                    _(
                        "Đã gửi đề xuất bổ sung %(name)s. Khi cán bộ lao động đồng ý, người này "
                        "vào danh sách thu thập của bạn."
                    )
                    % {"name": item.full_name},
                )
            else:
                messages.success(
                    request,
                    _("Đã bổ sung %(name)s vào danh sách thu thập.") % {"name": item.full_name},
                )
            return redirect("collection-view-item", campaign.pk, item.pk)
    return render(
        request,
        "collection/outside_form.html",
        {
            "campaign": campaign,
            "form": form,
            "is_officer": has_capability(user, Capability.ACCEPT_FORMS),
        },
    )


@login_required
@require_POST
def approve_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    item = get_item_for_user(request.user, campaign, pk, Capability.ACCEPT_FORMS)
    try:
        actions.approve_proposal(acting_user=request.user, item=item)
    except actions.WorkflowError as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, _("Đã đồng ý bổ sung; người này vào danh sách thu thập."))
    return redirect("collection-view-item", campaign.pk, item.pk)


@login_required
@require_POST
def exclude_item(request: HttpRequest, campaign_pk: int, pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    item = get_item_for_user(request.user, campaign, pk, Capability.ACCEPT_FORMS)
    try:
        if request.POST.get("restore"):
            actions.restore_person(acting_user=request.user, item=item)
        else:
            actions.exclude_person(
                acting_user=request.user, item=item, reason=request.POST.get("reason", "")
            )
    except actions.WorkflowError as refused:
        messages.error(request, str(refused))
    return redirect("collection-view-item", campaign.pk, item.pk)


@login_required
@require_http_methods(["GET", "POST"])
def list_closures(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """People in the register whom the commune's police list marks dead, moved away, armed
    forces or police: the proposal "đóng hồ sơ", one click each or all at once, with the
    police list as the source."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    campaign = get_campaign_for_user(request.user, campaign_pk)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    user: Any = request.user
    if not user.unit.contains(commune):
        raise Http404
    proposals = actions.closure_proposals(campaign, commune)
    if request.method == "POST":
        day = parse_date(request.POST.get("left_on", ""))
        chosen = request.POST.getlist("items")
        if request.POST.get("all") == "1":
            chosen = [str(p.item.pk) for p in proposals]
        if day is None or day.year_only:
            messages.error(request, _("Ngày ghi nhận phải ghi dạng dd/mm/yyyy."))
        elif not chosen:
            messages.error(request, _("Hãy chọn người cần đóng hồ sơ."))
        else:
            closed, refused = actions.close_by_police_list(
                acting_user=user,
                campaign=campaign,
                commune=commune,
                item_ids=[int(v) for v in chosen if v.isdigit()],
                left_on=day.value,
            )
            if closed:
                messages.success(
                    request,
                    _(
                        "Đã đóng hồ sơ của %(count)s người (nguồn: danh sách Công an). Các thay "
                        "đổi đã vào danh sách chuyển Công an xã."
                    )
                    % {"count": closed},
                )
            for problem in refused:
                messages.error(request, problem)
        return redirect("collection-list-closures", campaign.pk, commune.pk)
    full_id = has_capability(user, Capability.VIEW_FULL_ID)
    return render(
        request,
        "collection/closure_list.html",
        {
            "campaign": campaign,
            "commune": commune,
            "proposals": proposals,
            "full_id": full_id,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def list_review(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """Forms waiting for the officer: submitted, not enterable, double keyings that disagree."""
    campaign = _campaign(request, campaign_pk, Capability.ACCEPT_FORMS)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    waiting = WorkItem.objects.filter(campaign=campaign, commune=commune).filter(
        Q(status__in=(Status.SUBMITTED, Status.NOT_ENTERABLE))
        | Q(status=Status.KEYED_ONCE) & ~Q(keying_differences=[])
    )
    if request.method == "POST":
        chosen = [int(pk) for pk in request.POST.getlist("items") if pk.isdigit()]
        accepted, left = actions.accept_clean_forms(
            acting_user=request.user,
            items=list(waiting.filter(pk__in=chosen, status=Status.SUBMITTED)),
        )
        messages.success(
            request,
            _("Đã nghiệm thu %(accepted)s phiếu; %(left)s phiếu cần xem từng phiếu.")
            % {"accepted": accepted, "left": left},
        )
        return redirect("collection-list-review", campaign.pk, commune.pk)
    rows = list(
        waiting.select_related("village", "collected_by").order_by(
            "village__name_folded", "full_name_folded", "pk"
        )[:500]
    )
    for row in rows:
        row.error_count = sum(1 for f in row.findings if f.get("severity") == "error")  # type: ignore[attr-defined]
        row.warning_count = sum(  # type: ignore[attr-defined]
            1
            for f in row.findings
            if f.get("severity") == "warning" and f.get("rule") not in row.confirmed_warnings
        )
    record_event(
        actor=request.user, action="collection.view_review_list", target=campaign, unit=commune
    )
    return render(
        request,
        "collection/review_list.html",
        {"campaign": campaign, "commune": commune, "rows": rows, "total": waiting.count()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def assign_work(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    campaign = _campaign(request, campaign_pk, Capability.ASSIGN_WORK)
    commune = get_commune_for_user(request.user, campaign, commune_pk)
    villages = list(
        Unit.objects.current().filter(parent=commune, level=Level.VILLAGE).order_by("name_folded")
    )
    collectors = list(_collectors(commune))
    assignments = (
        Assignment.objects.filter(campaign=campaign, village__parent=commune)
        .select_related("village", "enumerator")
        .order_by("village__name_folded", "household_code")
    )
    if request.method == "POST" and request.POST.get("step") in ("change", "remove"):
        assignment = assignments.filter(pk=_int(request.POST.get("assignment"))).first()
        if assignment is None:
            raise Http404
        try:
            if request.POST["step"] == "remove":
                count = actions.remove_assignment(acting_user=request.user, assignment=assignment)
                messages.success(
                    request,
                    _("Đã thôi giao %(village)s cho %(name)s (%(count)s người chưa thu thập).")
                    % {
                        "village": assignment.household_code or assignment.village.label(),
                        "name": assignment.enumerator.full_name,
                        "count": count,
                    },
                )
            else:
                enumerator = next(
                    (u for u in collectors if str(u.pk) == request.POST.get("enumerator")), None
                )
                if enumerator is None:
                    raise actions.WorkflowError(_("Hãy chọn người thu thập."))
                target, due = _goal(request)
                count = actions.assign_work(
                    acting_user=request.user,
                    campaign=campaign,
                    village=assignment.village,
                    enumerator=enumerator,
                    household_code=assignment.household_code,
                    target=target,
                    due=due,
                )
                messages.success(
                    request,
                    _("Đã giao %(count)s người cho %(name)s.")
                    % {"count": count, "name": enumerator.full_name},
                )
        except actions.WorkflowError as refused:
            messages.error(request, str(refused))
        return redirect("collection-assign-work", campaign.pk, commune.pk)
    if request.method == "POST":
        village = next((v for v in villages if str(v.pk) == request.POST.get("village")), None)
        enumerator = next(
            (u for u in collectors if str(u.pk) == request.POST.get("enumerator")), None
        )
        if village is None or enumerator is None:
            messages.error(request, _("Hãy chọn thôn và người thu thập."))
        else:
            try:
                target, due = _goal(request)
                count = actions.assign_work(
                    acting_user=request.user,
                    campaign=campaign,
                    village=village,
                    enumerator=enumerator,
                    household_code=request.POST.get("household_code", ""),
                    target=target,
                    due=due,
                )
            except actions.WorkflowError as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request,
                    _("Đã giao %(count)s người cho %(name)s.")
                    % {"count": count, "name": enumerator.full_name},
                )
        return redirect("collection-assign-work", campaign.pk, commune.pk)
    # What each collector still has to do: people to collect, not those out of scope, complete,
    # dropped from the newest list or already collected.
    load = dict(
        WorkItem.objects.filter(
            campaign=campaign,
            commune=commune,
            assigned_to__isnull=False,
            status__in=OPEN_STATUSES,
        )
        .filter(ON_WORK_LIST)
        .exclude(category=Category.CURRENT)
        .values_list("assigned_to")
        .annotate(n=Count("pk"))
        .values_list("assigned_to", "n")
    )
    return render(
        request,
        "collection/assign_form.html",
        {
            "campaign": campaign,
            "commune": commune,
            "villages": villages,
            "collectors": [(u, load.get(u.pk, 0)) for u in collectors],
            "assignments": list(assignments),
            "progress": enumerator_progress(campaign, commune),
        },
    )


def _goal(request: HttpRequest) -> tuple[int | None, datetime.date | None]:
    """The target and deadline typed with an assignment (both optional)."""
    raw_target = request.POST.get("target", "").strip().replace(".", "")
    raw_due = request.POST.get("due", "").strip()
    if raw_target and not raw_target.isdigit():
        raise actions.WorkflowError(
            _("Chỉ tiêu “%(value)s” không phải là số phiếu.") % {"value": raw_target[:20]}
        )
    due = parse_date(raw_due) if raw_due else None
    if raw_due and due is None:
        raise actions.WorkflowError(
            _("Hạn “%(value)s” không đúng; hãy nhập ngày/tháng/năm, ví dụ 17/12/2026.")
            % {"value": raw_due[:20]}
        )
    return (int(raw_target) if raw_target else None), (due.value if due else None)


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


@login_required
@require_http_methods(["GET", "POST"])
def list_receipts(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """Paper forms handed in by each enumerator: record a bundle, print its receipt."""
    user: Any = request.user
    campaign = _campaign(request, campaign_pk, Capability.KEY_PAPER_FORMS)
    commune = get_commune_for_user(user, campaign, commune_pk)
    collectors = list(_collectors(commune))
    receipts = (
        PaperReceipt.objects.filter(campaign=campaign, commune=commune)
        .select_related("enumerator", "received_by")
        .order_by("-received_on", "-pk")
    )
    if request.method == "POST":
        try:
            if request.POST.get("step") == "cancel":
                receipt = receipts.filter(pk=_int(request.POST.get("receipt"))).first()
                if receipt is None:
                    raise Http404
                actions.cancel_paper_receipt(
                    acting_user=user, receipt=receipt, reason=request.POST.get("reason", "")
                )
                messages.success(request, _("Đã hủy biên nhận; biên nhận vẫn được lưu."))
            else:
                enumerator = next(
                    (u for u in collectors if str(u.pk) == request.POST.get("enumerator")), None
                )
                raw_count = request.POST.get("count", "").strip().replace(".", "")
                day = parse_date(request.POST.get("received_on", "").strip())
                if enumerator is None:
                    raise actions.WorkflowError(_("Hãy chọn người giao phiếu."))
                if not raw_count.isdigit():
                    raise actions.WorkflowError(_("Hãy ghi số phiếu nhận (một số)."))
                if day is None:
                    raise actions.WorkflowError(
                        _("Ngày nhận không đúng; hãy nhập ngày/tháng/năm, ví dụ 20/11/2026.")
                    )
                receipt = actions.record_paper_receipt(
                    acting_user=user,
                    campaign=campaign,
                    commune=commune,
                    enumerator=enumerator,
                    count=int(raw_count),
                    received_on=day.value,
                    note=request.POST.get("note", ""),
                )
                messages.success(
                    request,
                    _("Đã ghi nhận %(count)s phiếu giấy của %(name)s.")
                    % {"count": receipt.count, "name": enumerator.full_name},
                )
        except actions.WorkflowError as refused:
            messages.error(request, str(refused))
        return redirect("collection-list-receipts", campaign.pk, commune.pk)
    return render(
        request,
        "collection/receipt_list.html",
        {
            "campaign": campaign,
            "commune": commune,
            "collectors": collectors,
            "receipts": list(receipts),
            "progress": [
                row for row in enumerator_progress(campaign, commune) if row.received or row.keyed
            ],
            "today": timezone.localdate(),
        },
    )


@login_required
def download_receipt(
    request: HttpRequest, campaign_pk: int, commune_pk: int, pk: int
) -> HttpResponse:
    user: Any = request.user
    campaign = _campaign(request, campaign_pk, Capability.KEY_PAPER_FORMS)
    commune = get_commune_for_user(user, campaign, commune_pk)
    receipt = (
        PaperReceipt.objects.filter(campaign=campaign, commune=commune, pk=pk)
        .select_related("enumerator", "received_by", "commune", "campaign")
        .first()
    )
    if receipt is None:
        raise Http404
    response = HttpResponse(receipt_pdf(receipt), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="bien-nhan-phieu-giay-{receipt.pk}.pdf"'
    return response


# Payment ---------------------------------------------------------------------------------------


@login_required
def list_payments(request: HttpRequest, campaign_pk: int, commune_pk: int) -> HttpResponse:
    """The payment list ("bảng kê thanh toán") of a commune for a period or a round: accepted
    forms per person and task, the campaign's rates, amounts, and the total in words; XLSX and
    A4 PDF to sign."""
    user: Any = request.user
    campaign = _campaign(request, campaign_pk, Capability.VIEW_PAYMENTS)
    commune = get_commune_for_user(user, campaign, commune_pk)
    errors = []
    raw_start, raw_end = request.GET.get("from", ""), request.GET.get("to", "")
    start = parse_date(raw_start) if raw_start.strip() else None
    end = parse_date(raw_end) if raw_end.strip() else None
    for raw, parsed in ((raw_start, start), (raw_end, end)):
        if raw.strip() and parsed is None:
            errors.append(
                _("Ngày “%(value)s” không đúng; hãy nhập ngày/tháng/năm, ví dụ 30/11/2026.")
                % {"value": raw.strip()[:20]}
            )
    start_day = start.value if start else campaign.collection_start
    end_day = end.value if end else min(timezone.localdate(), campaign.entry_end)
    if end_day < start_day:
        errors.append(_("Ngày cuối phải từ ngày đầu trở đi; đang hiện cả đợt."))
        start_day, end_day = campaign.collection_start, campaign.entry_end
    found = payments.statement(
        campaign, commune, start_day, end_day, made_by=user.full_name or user.username
    )
    output = request.GET.get("format", "")
    if output in ("xlsx", "pdf"):
        content = payments.to_xlsx(found) if output == "xlsx" else payments.to_pdf(found)
        record_event(
            actor=user,
            action="collection.export_payments",
            target=campaign,
            unit=commune,
            details={
                "format": output,
                "from": f"{start_day:%d/%m/%Y}",
                "to": f"{end_day:%d/%m/%Y}",
            },
        )
        response = HttpResponse(
            content,
            content_type="application/pdf"
            if output == "pdf"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="{payments.filename(found, output)}"'
        )
        return response
    return render(
        request,
        "collection/payment_list.html",
        {
            "campaign": campaign,
            "commune": commune,
            "start": start_day,
            "end": end_day,
            "errors": errors,
            "statement": found,
            "words": in_words(found.total),
            "periods": payments.round_periods(campaign),
            "query": urlencode({"from": f"{start_day:%d/%m/%Y}", "to": f"{end_day:%d/%m/%Y}"}),
            "may_set_rates": has_capability(user, Capability.MANAGE_CAMPAIGNS)
            and campaign_actions.may_manage(user, campaign),
        },
    )
