"""Moving a person's record between communes (chuyển địa bàn).

The commune the person moved to looks the ID up (it learns only which commune holds the
record), asks for the transfer with a reason, and the holding commune accepts or refuses.
Accepted, the record moves as a new version (source "chuyển địa bàn") with its whole history:
reports for dates before the move count the person in the old commune, after it in the new
one. Nothing ever moves without the holding commune (issue 11, finding 3)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.forms.citizen_id import ParsedId, normalize_id, parse_id
from laodong.register.actions import (
    RegisterError,
    _check_village,
    _leaving,
    _write_version,
    check_person,
)
from laodong.register.models import (
    Kind,
    Person,
    Source,
    TransferRequest,
    TransferStatus,
)
from laodong.register.sources import Origin
from laodong.units.models import Unit


def _person_elsewhere(acting_user: Any, personal_id: str) -> Person:
    number = normalize_id(personal_id)
    if not isinstance(parse_id(number), ParsedId):
        raise RegisterError(_("Số định danh không đúng (12 chữ số, hoặc CMND 9 chữ số)."))
    person = Person.objects.select_related("commune").filter(personal_id=number).first()
    if person is None:
        raise RegisterError(
            _("Số định danh này chưa có hồ sơ ở xã nào: hãy nhập phiếu mới cho người này.")
        )
    if acting_user.unit.contains(person.commune):
        raise RegisterError(
            _("Người này đã thuộc địa bàn của bạn: nếu đổi thôn, hãy sửa phiếu (cập nhật).")
        )
    return person


def holder_of(*, acting_user: Any, personal_id: str) -> Unit:
    """Which commune holds the record of this ID (nothing else about the person)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    person = _person_elsewhere(acting_user, personal_id)
    record_event(
        actor=acting_user,
        action="register.look_up_holder",
        target=person,
        unit=acting_user.unit,
    )
    assert person.commune is not None
    return person.commune


@transaction.atomic
def request_transfer(
    *, acting_user: Any, personal_id: str, village: Unit, reason: str
) -> TransferRequest:
    require_capability(acting_user, Capability.EDIT_REGISTER)
    _check_village(acting_user, village)
    reason = reason.strip()
    if not reason:
        raise RegisterError(_("Hãy ghi lý do (ví dụ: đã chuyển đến ở thôn này từ tháng 10)."))
    return _ask(acting_user, _person_elsewhere(acting_user, personal_id), village, reason)


@transaction.atomic
def request_record(
    *, acting_user: Any, person: Person, village: Unit, reason: str
) -> TransferRequest:
    """Ask for a record the caller already knows (a pair the province found to be one person
    recorded in two communes), without its ID: the record may have none."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    _check_village(acting_user, village)
    person = Person.objects.select_related("commune").get(pk=person.pk)
    if person.commune is None or acting_user.unit.contains(person.commune):
        raise RegisterError(_("Hồ sơ này đã ở xã của bạn."))
    if person.leave_reason:
        raise RegisterError(_("Hồ sơ này đã ra khỏi diện quản lý."))
    return _ask(acting_user, person, village, reason.strip())


def _ask(acting_user: Any, person: Person, village: Unit, reason: str) -> TransferRequest:
    assert village.parent is not None and person.commune is not None  # a village's commune
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                person=person,
                from_commune=person.commune,
                to_commune=village.parent,
                to_village=village,
                reason=reason[:300],
                requested_by=acting_user,
                requested_at=timezone.now(),
            )
    except IntegrityError as taken:
        raise RegisterError(
            _("Đã có một đề nghị chuyển hồ sơ này đang chờ trả lời; không gửi thêm.")
        ) from taken
    record_event(
        actor=acting_user,
        action="register.request_transfer",
        target=transfer,
        unit=village.parent,
        details={"from": transfer.from_commune_id, "to": transfer.to_commune_id},
    )
    return transfer


def _lock(transfer: TransferRequest) -> TransferRequest:
    return (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("person", "to_village", "to_commune", "from_commune")
        .get(pk=transfer.pk)
    )


@transaction.atomic
def decide_transfer(
    *, acting_user: Any, transfer: TransferRequest, accept: bool, note: str = ""
) -> TransferRequest:
    """The holding commune's answer. Accepting moves the record as a new version."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    transfer = _lock(transfer)
    if not acting_user.unit.contains(transfer.from_commune):
        raise PermissionDenied
    if transfer.status != TransferStatus.PENDING:
        raise RegisterError(_("Đề nghị này đã được trả lời."))
    note = note.strip()
    if not accept and not note:
        raise RegisterError(_("Hãy ghi lý do từ chối, để xã đề nghị biết cần làm gì."))
    now = timezone.now()
    if accept:
        person = Person.objects.select_for_update().get(pk=transfer.person_id)
        if person.commune_id != transfer.from_commune_id:
            raise RegisterError(_("Hồ sơ này không còn ở xã của bạn."))
        _move(acting_user, person, transfer, note)
    transfer.status = TransferStatus.ACCEPTED if accept else TransferStatus.REFUSED
    transfer.decided_by, transfer.decided_at, transfer.note = acting_user, now, note[:300]
    transfer.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record_event(
        actor=acting_user,
        action="register.accept_transfer" if accept else "register.refuse_transfer",
        target=transfer,
        unit=transfer.from_commune,
        details={"from": transfer.from_commune_id, "to": transfer.to_commune_id},
    )
    return transfer


@transaction.atomic
def cancel_transfer(*, acting_user: Any, transfer: TransferRequest) -> TransferRequest:
    """The asking commune withdraws its request while it waits."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    transfer = _lock(transfer)
    if not acting_user.unit.contains(transfer.to_commune):
        raise PermissionDenied
    if transfer.status != TransferStatus.PENDING:
        raise RegisterError(_("Đề nghị này đã được trả lời."))
    transfer.status = TransferStatus.CANCELLED
    transfer.decided_by, transfer.decided_at = acting_user, timezone.now()
    transfer.save(update_fields=["status", "decided_by", "decided_at"])
    record_event(
        actor=acting_user,
        action="register.cancel_transfer",
        target=transfer,
        unit=transfer.to_commune,
    )
    return transfer


def complete_by_police_list(
    *, acting_user: Any, person: Person, commune: Unit, list_name: str
) -> TransferRequest | None:
    """The new commune's police list holds a person it asked for: the transfer completes by
    itself (the police register the person there), as if the holding commune had accepted.
    Called by the police-list import inside its transaction; None when nothing waits."""
    transfer = (
        TransferRequest.objects.select_for_update(of=("self",))
        .select_related("person", "to_village", "to_commune", "from_commune")
        .filter(person=person, to_commune=commune, status=TransferStatus.PENDING)
        .first()
    )
    if transfer is None:
        return None
    locked = Person.objects.select_for_update().get(pk=person.pk)
    if locked.commune_id != transfer.from_commune_id:
        return None
    note = _("Hoàn tất tự động: danh sách Công an xã %(list)s có người này.") % {"list": list_name}
    _move(acting_user, locked, transfer, note)
    transfer.status = TransferStatus.ACCEPTED
    transfer.decided_by, transfer.decided_at, transfer.note = (
        acting_user,
        timezone.now(),
        note[:300],
    )
    transfer.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record_event(
        actor=acting_user,
        action="register.complete_transfer",
        target=transfer,
        unit=transfer.to_commune,
        details={"from": transfer.from_commune_id, "to": transfer.to_commune_id},
    )
    return transfer


def _move(acting_user: Any, person: Person, transfer: TransferRequest, note: str) -> None:
    """The record in its new place, as a new version; the answers otherwise unchanged."""
    village = transfer.to_village
    commune = transfer.to_commune
    before = dict(person.answers)
    answers = {
        **before,
        "province": commune.parent.code if commune.parent else before.get("province", ""),
        "commune": commune.code,
        "village": village.name,
    }
    # For the warnings this version carries (a move changes no answer but the place).
    result = check_person(person.form_code, answers, village=village, exclude_pk=person.pk)
    previous = (
        person.versions.order_by("-number").values_list("confirmed_warnings", flat=True).first()
        or []
    )
    person.village, person.commune = village, commune
    person.answers = answers
    person.version += 1
    changes = {
        key: [before.get(key), answers.get(key)]
        for key in ("province", "commune", "village")
        if before.get(key) != answers.get(key)
    }
    if person.leave_reason:
        # Closed by the old commune as moved away: the new commune manages the person again.
        changes["register"] = [_leaving(person), None]
        person.left_on, person.leave_reason, person.leave_destination = None, "", ""
    person.save()
    reason = _("Chuyển đến %(commune)s theo đề nghị: %(reason)s") % {
        "commune": commune.label(),
        "reason": transfer.reason,
    }
    _write_version(
        person,
        acting_user,
        Origin(Source.TRANSFER, reason=reason),
        result,
        previous,
        changes=changes,
        kind=Kind.TRANSFER_IN,
    )
