"""Pages of the requests log (đề nghị điều chỉnh, bổ sung)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.core.paging import keyset_page
from laodong.forms.citizen_id import normalize_id
from laodong.forms.definitions import get_form
from laodong.register import requests as actions
from laodong.register.access import get_person_for_user, people_in_scope
from laodong.register.actions import RegisterError
from laodong.register.display import answer_text
from laodong.register.forms import DecisionForm, ProposedValuesForm, RequestForm
from laodong.register.models import OPEN_REQUESTS, ChangeRequest, RequestStatus
from laodong.units.models import Unit

PAGE_SIZE = 50


def requests_in_scope(user: Any) -> QuerySet[ChangeRequest]:
    if getattr(user, "unit", None) is None:
        return ChangeRequest.objects.none()
    return ChangeRequest.objects.filter(commune__in=Unit.objects.within(user.unit))


@login_required
@require_http_methods(["GET", "POST"])
def list_requests(request: HttpRequest) -> HttpResponse:
    """Open requests first, oldest first (with their age); answered ones after. Looking a
    person up by ID (POST, so that the number stays out of the URL) starts a new request."""
    require_capability(request.user, Capability.EDIT_REGISTER)
    user: Any = request.user
    if request.method == "POST":
        number = normalize_id(request.POST.get("personal_id", ""))
        person = people_in_scope(user).filter(personal_id=number).first() if number else None
        if person is None:
            messages.error(
                request,
                _(
                    "Không tìm thấy người có số định danh này trong địa bàn của bạn. Kiểm tra "
                    "lại số, hoặc tìm theo họ tên ở trang Người lao động rồi bấm “Ghi đề nghị”."
                ),
            )
            return redirect("register-list-requests")
        return redirect("register-create-request", person_pk=person.pk)
    status = request.GET.get("status", "open")
    rows = requests_in_scope(user).select_related("person", "commune")
    if status == "open":
        rows = rows.filter(status__in=OPEN_REQUESTS)
    elif status in RequestStatus.values:
        rows = rows.filter(status=status)
    page = keyset_page(rows.order_by("received_on", "pk"), ("received_on", "pk"),
                       request.GET.get("after"), PAGE_SIZE)  # fmt: skip
    today = timezone.localdate()
    return render(
        request,
        "register/request_list.html",
        {
            "page": page,
            "rows": [(r, (today - r.received_on).days) for r in page.items],
            "status": status,
            "statuses": RequestStatus.choices,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_request(request: HttpRequest, person_pk: int) -> HttpResponse:
    person = get_person_for_user(request.user, person_pk, write=True)
    items = actions.proposable_items(person.form_code)
    posted = request.method == "POST"
    form = RequestForm(
        request.POST if posted else None,
        request.FILES if posted else None,
        initial={"received_on": f"{timezone.localdate():%d/%m/%Y}"},
    )
    values = ProposedValuesForm(request.POST if posted else None, items=items)
    if posted and form.is_valid() and values.is_valid():
        data = form.cleaned_data
        try:
            change_request = actions.log_request(
                acting_user=request.user,
                person=person,
                requester_kind=data["requester_kind"],
                requester_name=data["requester_name"],
                channel=data["channel"],
                received_on=data["received_on"],
                content=data["content"],
                proposed=values.proposed(),
                uploads=data["evidence"],
            )
        except RegisterError as refused:
            form.add_error(None, str(refused))
        else:
            messages.success(
                request,
                _("Đã ghi đề nghị số %(number)s (đã nhận).") % {"number": change_request.pk},
            )
            return redirect("register-view-request", pk=change_request.pk)
    return render(
        request,
        "register/request_form.html",
        {"person": person, "form": form, "values": values},
    )


def _request_for_user(request: HttpRequest, pk: int) -> ChangeRequest:
    require_capability(request.user, Capability.EDIT_REGISTER)
    found = (
        requests_in_scope(request.user)
        .select_related("person", "commune", "created_by", "decided_by")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


@login_required
@require_http_methods(["GET", "POST"])
def view_request(request: HttpRequest, pk: int) -> HttpResponse:
    """A request: what was asked (current → proposed), its documents, and the answer."""
    change_request = _request_for_user(request, pk)
    person = change_request.person
    definition = get_form(person.form_code)
    items = actions.proposable_items(person.form_code)
    posted = request.method == "POST"
    step = request.POST.get("step", "") if posted else ""
    decision = DecisionForm(
        request.POST if step in ("accept", "refuse") else None,
        initial={"replied_on": f"{timezone.localdate():%d/%m/%Y}"},
    )
    values = ProposedValuesForm(
        request.POST if step == "accept" else None,
        items=items,
        initial=ProposedValuesForm.initial_for(change_request.proposed),
    )
    findings: list[Any] = []
    if posted:
        try:
            if step == "start":
                actions.start_request(acting_user=request.user, change_request=change_request)
                messages.success(request, _("Đề nghị đang được xử lý."))
                return redirect("register-view-request", pk=change_request.pk)
            if step in ("accept", "refuse") and decision.is_valid():
                data = decision.cleaned_data
                if step == "accept" and values.is_valid():
                    actions.accept_request(
                        acting_user=request.user,
                        change_request=change_request,
                        replied_on=data["replied_on"],
                        decision=data["decision"],
                        values=values.proposed(),
                        confirmed_warnings=request.POST.getlist("confirmed_warnings"),
                    )
                    messages.success(
                        request,
                        _(
                            "Đã chấp nhận đề nghị và cập nhật hồ sơ; thay đổi đã vào danh sách "
                            "chuyển Công an xã."
                        ),
                    )
                    return redirect("register-view-request", pk=change_request.pk)
                if step == "refuse":
                    actions.refuse_request(
                        acting_user=request.user,
                        change_request=change_request,
                        replied_on=data["replied_on"],
                        decision=data["decision"],
                    )
                    messages.success(request, _("Đã ghi từ chối đề nghị."))
                    return redirect("register-view-request", pk=change_request.pk)
            elif step not in ("accept", "refuse"):
                raise Http404
        except RegisterError as refused:
            findings = refused.findings
            decision.add_error(None, str(refused))
    full_id = has_capability(request.user, Capability.VIEW_FULL_ID)
    titles = dict(items)
    proposed_rows = [
        (
            titles.get(key, key),
            answer_text(definition, key, person.answers.get(key), full_id=full_id),
            answer_text(definition, key, value, full_id=full_id),
        )
        for key, value in change_request.proposed.items()
        if definition.has_item(key)
    ]
    if request.method == "GET":
        record_event(
            actor=request.user,
            action="register.view_request",
            target=change_request,
            unit=change_request.commune,
        )
    return render(
        request,
        "register/request_view.html",
        {
            "change_request": change_request,
            "person": person,
            "proposed_rows": proposed_rows,
            "decision": decision,
            "values": values,
            "findings": findings,
            "warnings": [f for f in findings if f.severity == "warning"],
            "evidence": list(change_request.evidence.all()) if full_id else [],
            "age": (timezone.localdate() - change_request.received_on).days,
            "version": change_request.versions.first(),
        },
    )
