"""Requests to correct or complete a record (đề nghị điều chỉnh, bổ sung).

A worker, an agency or an organisation asks, in person, by phone, by letter or online; the
officer logs who asked, how, the items and the values proposed, and the documents. The request
is "đã nhận", then "đang xử lý"; accepting it applies the values as a version whose source is
the request (and so reaches the police like any other change); refusing it needs a reason.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.forms.definitions import get_form
from laodong.register import evidence
from laodong.register.actions import RegisterError, update_person
from laodong.register.forms import DERIVED_ITEMS
from laodong.register.models import (
    OPEN_REQUESTS,
    ChangeRequest,
    Channel,
    Person,
    RequesterKind,
    RequestStatus,
    Source,
)
from laodong.register.sources import Origin


def proposable_items(form_code: str) -> list[tuple[str, str]]:
    """(key, title) of the items a request may propose a value for."""
    definition = get_form(form_code)
    return [
        (item.key, item.title)
        for item in definition.items
        if item.key not in DERIVED_ITEMS and item.key not in ("district",)
    ]


def clean_proposed(form_code: str, proposed: Mapping[str, Any]) -> dict[str, Any]:
    """The proposed values as the register reads them: codes for coded items (a label typed
    in full is matched to its code), lists for multiple choices. Unknown items are refused."""
    definition = get_form(form_code)
    allowed = {key for key, _title in proposable_items(form_code)}
    cleaned: dict[str, Any] = {}
    for key, raw in proposed.items():
        if key not in allowed:
            raise RegisterError(_("Mục “%(item)s” không có trong mẫu phiếu.") % {"item": key})
        value = raw if isinstance(raw, list) else str(raw or "").strip()
        item = definition.item(key)
        if item.type == "multi_choice" and isinstance(value, str):
            value = [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
        if item.code_list and isinstance(value, str) and value:
            found = definition.code_lists[item.code_list].match(value)
            value = found.code if found else value
        if item.code_list and isinstance(value, list):
            code_list = definition.code_lists[item.code_list]
            value = [(found.code if (found := code_list.match(v)) else v) for v in value]
        cleaned[key] = value
    return cleaned


def _check_open(change_request: ChangeRequest) -> None:
    if change_request.status not in OPEN_REQUESTS:
        raise RegisterError(_("Đề nghị này đã được trả lời."))


def _lock(change_request: ChangeRequest) -> ChangeRequest:
    return (
        ChangeRequest.objects.select_for_update(of=("self",))
        .select_related("person", "commune")
        .get(pk=change_request.pk)
    )


def _check_scope(acting_user: Any, commune: Any) -> None:
    if not acting_user.unit.contains(commune):
        raise RegisterError(_("Người này nằm ngoài phạm vi của bạn."))


@transaction.atomic
def log_request(
    *,
    acting_user: Any,
    person: Person,
    requester_kind: str,
    requester_name: str,
    channel: str,
    received_on: datetime.date,
    content: str,
    proposed: Mapping[str, Any],
    uploads: Iterable[Any] = (),
) -> ChangeRequest:
    """Record a request as received, with its documents."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    _check_scope(acting_user, person.commune)
    if requester_kind not in RequesterKind.values:
        raise RegisterError(_("Hãy chọn người đề nghị là người lao động, cơ quan hay tổ chức."))
    if channel not in Channel.values:
        raise RegisterError(_("Hãy chọn hình thức nhận đề nghị."))
    if not requester_name.strip():
        raise RegisterError(_("Hãy ghi tên người hoặc cơ quan đề nghị."))
    if received_on > timezone.localdate():
        raise RegisterError(_("Ngày nhận không được sau hôm nay."))
    values = clean_proposed(person.form_code, proposed)
    if not values and not content.strip():
        raise RegisterError(_("Hãy ghi nội dung đề nghị hoặc ít nhất một mục cần sửa."))
    change_request = ChangeRequest.objects.create(
        commune=person.commune,
        person=person,
        requester_kind=requester_kind,
        requester_name=requester_name.strip()[:200],
        channel=channel,
        received_on=received_on,
        content=content.strip()[:1000],
        proposed=values,
        created_by=acting_user,
    )
    for upload in uploads:
        evidence.store(upload, acting_user=acting_user, request=change_request)
    record_event(
        actor=acting_user,
        action="register.log_request",
        target=change_request,
        unit=person.commune,
        details={"items": sorted(values), "channel": channel},
    )
    return change_request


@transaction.atomic
def start_request(*, acting_user: Any, change_request: ChangeRequest) -> ChangeRequest:
    """ "Đang xử lý": the officer is checking the request (with the worker, the documents)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    change_request = _lock(change_request)
    _check_scope(acting_user, change_request.commune)
    if change_request.status != RequestStatus.RECEIVED:
        raise RegisterError(_("Chỉ đề nghị vừa nhận mới chuyển sang đang xử lý."))
    change_request.status = RequestStatus.IN_PROGRESS
    change_request.save(update_fields=["status", "updated_at"])
    record_event(
        actor=acting_user,
        action="register.start_request",
        target=change_request,
        unit=change_request.commune,
    )
    return change_request


@transaction.atomic
def accept_request(
    *,
    acting_user: Any,
    change_request: ChangeRequest,
    replied_on: datetime.date,
    decision: str = "",
    values: Mapping[str, Any] | None = None,
    confirmed_warnings: Iterable[str] = (),
) -> ChangeRequest:
    """Apply the proposed values (as the officer checked them: `values` replaces them) as a
    version linked to the request. Errors in the values refuse it, nothing is written."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    change_request = _lock(change_request)
    _check_scope(acting_user, change_request.commune)
    _check_open(change_request)
    if replied_on > timezone.localdate():
        raise RegisterError(_("Ngày trả lời không được sau hôm nay."))
    if replied_on < change_request.received_on:
        raise RegisterError(_("Ngày trả lời không được trước ngày nhận đề nghị."))
    person = change_request.person
    if values is not None:
        change_request.proposed = clean_proposed(person.form_code, values)
    if not change_request.proposed:
        raise RegisterError(
            _("Đề nghị chưa có mục nào để sửa. Hãy ghi mục và giá trị mới trước khi chấp nhận.")
        )
    answers = {**person.answers, **change_request.proposed}
    update_person(
        acting_user=acting_user,
        person=person,
        answers=answers,
        origin=Origin(
            Source.REQUEST,
            reference=_("Đề nghị số %(number)s") % {"number": change_request.pk},
            reference_date=change_request.received_on,
            reason=decision,
            request=change_request,
        ),
        confirmed_warnings=confirmed_warnings,
    )
    change_request.status = RequestStatus.ACCEPTED
    change_request.decision = decision.strip()[:500]
    change_request.replied_on = replied_on
    change_request.decided_by, change_request.decided_at = acting_user, timezone.now()
    change_request.save()
    record_event(
        actor=acting_user,
        action="register.accept_request",
        target=change_request,
        unit=change_request.commune,
        details={"items": sorted(change_request.proposed)},
    )
    return change_request


@transaction.atomic
def refuse_request(
    *,
    acting_user: Any,
    change_request: ChangeRequest,
    replied_on: datetime.date,
    decision: str,
) -> ChangeRequest:
    """Refuse, saying why (the reply to the person who asked)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    change_request = _lock(change_request)
    _check_scope(acting_user, change_request.commune)
    _check_open(change_request)
    if not decision.strip():
        raise RegisterError(_("Hãy ghi lý do từ chối để trả lời người đề nghị."))
    if replied_on > timezone.localdate():
        raise RegisterError(_("Ngày trả lời không được sau hôm nay."))
    if replied_on < change_request.received_on:
        raise RegisterError(_("Ngày trả lời không được trước ngày nhận đề nghị."))
    change_request.status = RequestStatus.REFUSED
    change_request.decision = decision.strip()[:500]
    change_request.replied_on = replied_on
    change_request.decided_by, change_request.decided_at = acting_user, timezone.now()
    change_request.save()
    record_event(
        actor=acting_user,
        action="register.refuse_request",
        target=change_request,
        unit=change_request.commune,
    )
    return change_request
