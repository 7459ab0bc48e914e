"""Every state change of offline collection: a phone's contact (download or sync), the forms of
its outbox, the decision on a conflict, the revocation of a device."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.collection import actions as collection_actions
from laodong.collection import identity
from laodong.collection.actions import WorkflowError, answers_token, prefill
from laodong.collection.models import Status, WorkItem
from laodong.forms.offline import engine_pack
from laodong.offline.models import Device, Outcome, SyncedForm
from laodong.register.actions import header_answers
from laodong.units.models import Level

# Statuses of the forms an enumerator works on: to collect, or returned to correct.
WORKABLE = (Status.LISTED, Status.RETURNED)
MAX_ENTRIES = 200  # forms per sync request: the phone sends a longer outbox in several


class DeviceRevoked(Exception):
    """The officer revoked this device: the phone clears its data."""


class OfflineError(Exception):
    """A request the phone made wrongly (the message says what)."""


def wipe_after_days() -> int:
    return int(settings.LAODONG_OFFLINE_DAYS)


def assigned_items(user: Any) -> QuerySet[WorkItem]:
    """The people an enumerator collects now, in open campaigns: assigned to them, or in their
    village when nobody is assigned (as on the online work list)."""
    mine = Q(assigned_to=user)
    if user.unit is not None and user.unit.level == Level.VILLAGE:
        mine |= Q(assigned_to__isnull=True, village=user.unit)
    return (
        WorkItem.objects.filter(mine, campaign__closed_at__isnull=True, status__in=WORKABLE)
        .filter(Q(in_latest_list=True) | Q(outside_list=True))
        .select_related("campaign", "village__parent__parent", "person")
        .order_by("village__name_folded", "household_code", "full_name_folded", "pk")
    )


@transaction.atomic
def contact(
    *, user: Any, device_id: str, label: str = "", session_key: str = "", counts: Mapping[str, Any]
) -> Device:
    """The device as it reports itself (made at its first contact); refused once revoked."""
    require_capability(user, Capability.COLLECT_FORMS)
    try:
        key = uuid.UUID(str(device_id))
    except ValueError:
        raise OfflineError(_("Mã thiết bị không hợp lệ.")) from None
    now = timezone.now()
    device, created = Device.objects.select_for_update().get_or_create(
        pk=key, defaults={"user": user, "created_at": now, "label": label[:200]}
    )
    if device.user_id != user.pk:
        # Another account's device id: this phone's storage belongs to someone else.
        raise OfflineError(
            _("Thiết bị này đang gắn với tài khoản khác. Hãy đăng xuất rồi tải lại.")
        )
    if device.revoked_at is not None:
        raise DeviceRevoked
    device.session_key = session_key[:40]
    if label:
        device.label = label[:200]
    for name in ("waiting", "drafts"):
        value = counts.get(name)
        if isinstance(value, int) and value >= 0:
            setattr(device, name, value)
    device.save()
    if created:
        record_event(actor=user, action="offline.device", target=device, unit=user.unit)
    return device


def _person(item: WorkItem) -> dict[str, Any]:
    """One person as the phone keeps them: what the form needs, nothing more."""
    birth = str(item.birth_date.year) if item.birth_year_only else f"{item.birth_date:%d/%m/%Y}"
    return {
        "id": item.pk,
        "campaign": item.campaign_id,
        "village": item.village.name,
        "full_name": item.full_name,
        "birth": birth,
        "sex": item.sex,
        "personal_id": item.personal_id,
        "household_code": item.household_code,
        "relation": item.relation,
        "category": item.category,
        "status": item.status,
        "token": answers_token(item),
        # The form's header (province, commune, village) comes from the list, not typed.
        "header": header_answers(item.village),
        "answers": prefill(item),
        "listed": identity.listed(item),
        "return_reason": item.return_reason if item.status == Status.RETURNED else "",
        "return_comments": item.return_comments if item.status == Status.RETURNED else {},
    }


def build_pack(user: Any, device: Device) -> dict[str, Any]:
    """What "Tải về để làm ngoại tuyến" downloads: the people, their campaigns' forms and code
    lists, and when the phone must clear it all."""
    items = list(assigned_items(user))
    campaigns = {item.campaign_id: item.campaign for item in items}
    now = timezone.now()
    device.downloaded_at = now
    device.people = len(items)
    device.items = sorted(set(device.items) | {item.pk for item in items})
    device.save(update_fields=["downloaded_at", "people", "items"])
    return {
        "user": {"id": user.pk, "name": user.full_name},
        "device": str(device.pk),
        "made_at": now.isoformat(),
        "wipe_after_days": wipe_after_days(),
        "campaigns": [
            {
                "id": c.pk,
                "title": c.title,
                "form": c.form_code,
                "reference_date": c.reference_date.isoformat() if c.reference_date else None,
            }
            for c in campaigns.values()
        ],
        "forms": {code: engine_pack(code) for code in {c.form_code for c in campaigns.values()}},
        # The checks against the police list's row, run on the phone too.
        "identity": identity.rules_as_data(),
        "people": [_person(item) for item in items],
    }


@dataclass
class Entry:
    """One form of the phone's outbox."""

    client_id: uuid.UUID
    item_id: int
    answers: dict[str, Any]
    base_status: str
    base_token: str
    confirmed_warnings: list[str] = field(default_factory=list)
    identity_reasons: dict[str, str] = field(default_factory=dict)
    filled_at: datetime.datetime | None = None


def parse_entries(raw: Any) -> list[Entry]:
    """The outbox as the phone sends it; a malformed one is refused whole, saying where."""
    if not isinstance(raw, list):
        raise OfflineError(_("Dữ liệu gửi lên không đúng dạng (thiếu danh sách phiếu)."))
    if len(raw) > MAX_ENTRIES:
        raise OfflineError(
            _("Mỗi lần gửi tối đa %(count)s phiếu.") % {"count": MAX_ENTRIES}
        )  # fmt: skip
    entries = []
    for number, data in enumerate(raw, start=1):
        try:
            if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
                raise ValueError
            filled = data.get("filled_at")
            entries.append(
                Entry(
                    client_id=uuid.UUID(str(data["client_id"])),
                    item_id=int(data["item"]),
                    answers=data["answers"],
                    base_status=str(data["base_status"]),
                    base_token=str(data.get("base_token") or ""),
                    confirmed_warnings=[str(r) for r in data.get("confirmed_warnings") or []],
                    identity_reasons={
                        str(k): str(v) for k, v in (data.get("identity_reasons") or {}).items()
                    },
                    filled_at=datetime.datetime.fromisoformat(filled) if filled else None,
                )
            )
        except (KeyError, TypeError, ValueError, AttributeError):
            raise OfflineError(
                _("Phiếu thứ %(number)s gửi lên không đúng dạng.") % {"number": number}
            ) from None
    return entries


def _result(synced: SyncedForm) -> dict[str, Any]:
    return {
        "client_id": str(synced.client_id),
        "item": synced.work_item_id,
        "outcome": synced.outcome,
        "reason": synced.reason,
        "message": synced.message,
        "findings": synced.findings,
    }


def _conflict(item: WorkItem, user: Any, entry: Entry) -> tuple[str, str]:
    """Why the phone's version cannot go in as it is ("" when it can)."""
    if item.status == Status.EXCLUDED:
        return "excluded", _("Người này đã được loại khỏi danh sách thu thập trên máy chủ.")
    if not collection_actions.may_collect_as_enumerator(user, item):
        return "reassigned", _("Người này đã được giao cho điều tra viên khác.")
    if item.status != entry.base_status or answers_token(item) != entry.base_token:
        return "changed", _("Phiếu đã thay đổi trên máy chủ từ lúc tải về (nay: “%(status)s”).") % {
            "status": Status(item.status).label
        }
    return "", ""


def _take(user: Any, device: Device, entry: Entry, item: WorkItem) -> SyncedForm:
    """Put one form through, in its own transaction."""
    synced = SyncedForm(
        client_id=entry.client_id,
        device=device,
        user=user,
        work_item=item,
        answers=entry.answers,
        confirmed_warnings=entry.confirmed_warnings,
        identity_reasons=entry.identity_reasons,
        base_status=entry.base_status[:14],
        base_token=entry.base_token[:64],
        filled_at=entry.filled_at,
        received_at=timezone.now(),
    )
    with transaction.atomic():
        locked = WorkItem.objects.select_for_update().select_related("campaign").get(pk=item.pk)
        reason, message = _conflict(locked, user, entry)
        if reason:
            synced.outcome, synced.reason, synced.message = Outcome.CONFLICT, reason, message
        else:
            try:
                with transaction.atomic():
                    collection_actions.submit_form(
                        acting_user=user,
                        item=locked,
                        answers=entry.answers,
                        confirmed_warnings=entry.confirmed_warnings,
                        identity_reasons=entry.identity_reasons,
                    )
                synced.outcome = Outcome.SUBMITTED
            except WorkflowError as refused:
                synced.outcome, synced.reason = Outcome.REFUSED, "findings"
                synced.message = str(refused)
                synced.findings = [f.as_dict() for f in refused.findings]
        synced.save()
    return synced


def sync(*, user: Any, device: Device, entries: Iterable[Entry]) -> list[dict[str, Any]]:
    """Send the outbox in its order: each form once (a form sent again answers its first
    outcome), validated again and moved by the same action as online; conflicts kept aside.
    An item the user was never given is refused as not found (the whole request)."""
    entries = list(entries)
    reachable = set(assigned_items(user).values_list("pk", flat=True)) | set(device.items)
    stored = {
        s.client_id: s
        for s in SyncedForm.objects.filter(client_id__in=[e.client_id for e in entries])
    }
    for entry in entries:
        earlier = stored.get(entry.client_id)
        if earlier is not None and earlier.user_id != user.pk:
            raise PermissionDenied
        if earlier is None and entry.item_id not in reachable:
            raise WorkItem.DoesNotExist
    items = WorkItem.objects.in_bulk([e.item_id for e in entries])
    results = []
    for entry in entries:
        synced = stored.get(entry.client_id)
        if synced is None:
            item = items.get(entry.item_id)
            if item is None:
                raise WorkItem.DoesNotExist
            try:
                synced = _take(user, device, entry, item)
            except IntegrityError:
                # The same form arriving twice at once: the first one's outcome stands.
                synced = SyncedForm.objects.get(client_id=entry.client_id)
            stored[entry.client_id] = synced
        results.append(_result(synced))
    now = timezone.now()
    device.synced_at = now
    device.save(update_fields=["synced_at"])
    return results


def conflicts_for(user: Any) -> QuerySet[SyncedForm]:
    """The conflicts waiting for this user: their own, or (officers) those of their unit."""
    waiting = SyncedForm.objects.filter(outcome=Outcome.CONFLICT, decided_at__isnull=True)
    if has_capability(user, Capability.ACCEPT_FORMS) and user.unit is not None:
        from laodong.units.querysets import subtree_filter

        return waiting.filter(subtree_filter(user.unit.path, prefix="work_item__village__"))
    return waiting.filter(user=user)


@transaction.atomic
def decide_conflict(*, acting_user: Any, synced: SyncedForm, keep: str) -> SyncedForm:
    """Keep the server's version (the phone's stays on record) or put the phone's through the
    usual submission, credited to the enumerator who collected it."""
    synced = SyncedForm.objects.select_for_update().select_related("work_item").get(pk=synced.pk)
    if synced.outcome != Outcome.CONFLICT or synced.decided_at is not None:
        raise WorkflowError(_("Xung đột này đã được giải quyết."))
    officer = has_capability(acting_user, Capability.ACCEPT_FORMS)
    if not officer and synced.user_id != acting_user.pk:
        raise PermissionDenied
    if keep not in ("phone", "server"):
        raise WorkflowError(_("Hãy chọn giữ bản trên máy chủ hay bản trên điện thoại."))
    if keep == "phone":
        item = WorkItem.objects.select_for_update().get(pk=synced.work_item_id)
        if item.status not in WORKABLE:
            raise WorkflowError(
                _(
                    "Phiếu trên máy chủ đang ở trạng thái “%(status)s”: muốn dùng bản trên điện "
                    "thoại thì cán bộ xã trả lại phiếu trước."
                )
                % {"status": Status(item.status).label}
            )
        collection_actions.submit_form(
            acting_user=acting_user,
            item=item,
            answers=synced.answers,
            confirmed_warnings=synced.confirmed_warnings,
            identity_reasons=synced.identity_reasons,
            collected_by=synced.user,
        )
    synced.decided_at, synced.decided_by, synced.decision = timezone.now(), acting_user, keep
    synced.save(update_fields=["decided_at", "decided_by", "decision"])
    record_event(
        actor=acting_user,
        action="offline.decide_conflict",
        target=synced,
        unit=acting_user.unit,
        details={"keep": keep, "reason": synced.reason},
    )
    return synced


@transaction.atomic
def revoke_device(*, acting_user: Any, device: Device) -> Device:
    """ "Thu hồi thiết bị": the phone clears its data at its next contact, and its session ends."""
    require_capability(acting_user, Capability.ASSIGN_WORK)
    device = (
        Device.objects.select_for_update(of=("self",))
        .select_related("user__unit")
        .get(pk=device.pk)
    )
    if device.user.unit is None or not acting_user.unit.contains(device.user.unit):
        raise PermissionDenied
    if device.revoked_at is not None:
        raise WorkflowError(_("Thiết bị này đã bị thu hồi từ trước."))
    device.revoked_at, device.revoked_by = timezone.now(), acting_user
    device.save(update_fields=["revoked_at", "revoked_by"])
    if device.session_key:
        Session.objects.filter(session_key=device.session_key).delete()
    record_event(actor=acting_user, action="offline.revoke", target=device, unit=device.user.unit)
    return device
