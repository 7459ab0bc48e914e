"""Handover of accepted forms to the commune police, their entry, and the archive of paper."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Max, OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection import tally
from laodong.collection.actions import WorkflowError, move_item
from laodong.collection.models import Status, Transition, WorkItem
from laodong.handover.models import RECEIVED, Handover, HandoverLine, HandoverStatus
from laodong.register.actions import RegisterError, move_update
from laodong.register.display import version_summary
from laodong.register.models import PoliceUpdate, UpdateStatus
from laodong.units.models import Unit


def _lock_handover(handover: Handover) -> Handover:
    return (
        Handover.objects.select_for_update(of=("self",))
        .select_related("campaign", "commune")
        .get(pk=handover.pk)
    )


def _check_commune(acting_user: Any, commune: Unit) -> None:
    if not acting_user.unit.contains(commune):
        raise WorkflowError(_("Xã này nằm ngoài phạm vi của bạn."))


def _move_many(
    items: Iterable[WorkItem],
    to: str,
    *,
    acting_user: Any,
    now: datetime.datetime,
    reason: str = "",
    fields: tuple[str, ...] = (),
) -> int:
    transitions = [
        move_item(
            item, to, acting_user=acting_user, now=now, reason=reason, fields=fields, mark=False
        )
        for item in items
    ]
    Transition.objects.bulk_create(transitions, batch_size=500)
    moved = [transition.work_item for transition in transitions]
    places = {(item.campaign_id, item.commune_id, item.village_id) for item in moved}
    for campaign_id, commune_id, village_id in sorted(places):
        tally.mark_village(campaign_id, commune_id, village_id)
    return len(transitions)


def with_current_handover(updates: QuerySet[PoliceUpdate]) -> QuerySet[PoliceUpdate]:
    """Annotate each change with the record that holds it now: its latest line not withdrawn
    (a change the police could not enter goes into a later record when sent again)."""
    latest = (
        HandoverLine.objects.filter(update=OuterRef("pk"), withdrawn_at__isnull=True)
        .order_by("-pk")
        .values("handover_id")[:1]
    )
    return updates.annotate(current_handover=Subquery(latest))


def _update_lines(updates: list[PoliceUpdate], start: int) -> list[HandoverLine]:
    return [
        HandoverLine(
            position=position,
            update=update,
            full_name=update.person.full_name,
            birth_year=update.person.birth_date.year,
            personal_id=update.person.personal_id,
            village_label=update.person.village.label(),
            summary=version_summary(update.version, full_id=False),
        )
        for position, update in enumerate(updates, start=start)
    ]


@transaction.atomic
def create_handover(
    *,
    acting_user: Any,
    campaign: Campaign | None,
    commune: Unit,
    item_ids: Iterable[int] | None = None,
    update_ids: Iterable[int] | None = None,
) -> Handover:
    """Gather accepted forms of the campaign and the register's changes waiting for the
    police (all of them, or those chosen) into the next numbered record. Without a campaign
    the record carries changes only."""
    require_capability(acting_user, Capability.HAND_OVER_FORMS)
    _check_commune(acting_user, commune)
    chosen: list[WorkItem] = []
    if campaign is not None:
        items = WorkItem.objects.select_for_update(of=("self",)).filter(
            campaign=campaign, commune=commune, status=Status.ACCEPTED
        )
        if item_ids is not None:
            items = items.filter(pk__in=list(item_ids))
        chosen = list(
            items.select_related("village").order_by(
                "village__name_folded", "full_name_folded", "pk"
            )
        )
    waiting = PoliceUpdate.objects.select_for_update(of=("self",)).filter(
        commune=commune, status=UpdateStatus.WAITING
    )
    if update_ids is not None:
        waiting = waiting.filter(pk__in=list(update_ids))
    updates = list(
        waiting.select_related("person__village", "version").order_by("created_at", "pk")
    )
    if not chosen and not updates:
        raise WorkflowError(
            _("Không có phiếu đã nghiệm thu hay thay đổi nào đang chờ để bàn giao.")
        )
    # Numbers run per campaign and commune (per commune without a campaign); the locks on
    # the rows above serialise two officers.
    last = (
        Handover.objects.filter(campaign=campaign, commune=commune).aggregate(Max("number"))[
            "number__max"
        ]
        or 0
    )
    now = timezone.now()
    handover = Handover.objects.create(
        campaign=campaign,
        commune=commune,
        number=last + 1,
        sent_count=len(chosen) + len(updates),
        update_count=len(updates),
        created_by=acting_user,
        created_at=now,
    )
    for item in chosen:
        item.handover = handover
    lines = [
        HandoverLine(
            position=position,
            work_item=item,
            full_name=item.full_name,
            birth_year=item.birth_date.year,
            personal_id=item.personal_id,
            village_label=item.village.label(),
        )
        for position, item in enumerate(chosen, start=1)
    ] + _update_lines(updates, len(chosen) + 1)
    for line in lines:
        line.handover = handover
    HandoverLine.objects.bulk_create(lines, batch_size=500)
    reason = _("Biên bản bàn giao số %(number)s") % {"number": handover.number}
    _move_many(
        chosen,
        Status.HANDED_OVER,
        acting_user=acting_user,
        now=now,
        reason=reason,
        fields=("handover",),
    )
    for update in updates:
        move_update(update, UpdateStatus.HANDED_OVER, now=now, acting_user=acting_user)
    record_event(
        actor=acting_user,
        action="handover.create_handover",
        target=handover,
        unit=commune,
        details={"count": len(chosen), "updates": len(updates), "number": handover.number},
    )
    return handover


@transaction.atomic
def confirm_handover(
    *, acting_user: Any, handover: Handover, received_count: int, note: str = ""
) -> Handover:
    """The police confirm receipt with the count they received; a different count is recorded
    as a mismatch that must be resolved before the forms can be entered."""
    require_capability(acting_user, Capability.RECEIVE_FORMS)
    handover = _lock_handover(handover)
    _check_commune(acting_user, handover.commune)
    if handover.status != HandoverStatus.PENDING:
        raise WorkflowError(_("Biên bản này đã được xác nhận."))
    if received_count < 0:
        raise WorkflowError(_("Số phiếu nhận không hợp lệ."))
    handover.received_count = received_count
    handover.received_by, handover.received_at = acting_user, timezone.now()
    if received_count == handover.sent_count:
        handover.status = HandoverStatus.CONFIRMED
    else:
        if not note.strip():
            raise WorkflowError(
                _(
                    "Số phiếu nhận (%(received)s) khác số phiếu bàn giao (%(sent)s). Hãy ghi rõ "
                    "chênh lệch ở đâu."
                )
                % {"received": received_count, "sent": handover.sent_count}
            )
        handover.status = HandoverStatus.MISMATCH
        handover.mismatch_note = note.strip()[:500]
    handover.save(
        update_fields=["received_count", "received_by", "received_at", "status", "mismatch_note"]
    )
    record_event(
        actor=acting_user,
        action="handover.confirm_handover",
        target=handover,
        unit=handover.commune,
        details={"sent": handover.sent_count, "received": received_count},
    )
    return handover


@transaction.atomic
def resolve_handover(
    *,
    acting_user: Any,
    handover: Handover,
    note: str,
    withdrawn_ids: Iterable[int] = (),
    withdrawn_update_ids: Iterable[int] = (),
    received_count: int | None = None,
) -> Handover:
    """Settle a count mismatch: withdraw the forms the police did not get (they go back to
    accepted) and/or record a recount; the two counts must then agree."""
    if not (
        has_capability(acting_user, Capability.HAND_OVER_FORMS)
        or has_capability(acting_user, Capability.RECEIVE_FORMS)
    ):
        require_capability(acting_user, Capability.HAND_OVER_FORMS)
    handover = _lock_handover(handover)
    _check_commune(acting_user, handover.commune)
    if handover.status != HandoverStatus.MISMATCH:
        raise WorkflowError(_("Biên bản này không có chênh lệch cần xử lý."))
    if not note.strip():
        raise WorkflowError(_("Hãy ghi cách đã xử lý chênh lệch."))
    withdrawn = list(
        WorkItem.objects.select_for_update().filter(
            handover=handover, pk__in=list(withdrawn_ids), status=Status.HANDED_OVER
        )
    )
    withdrawn_updates = list(
        PoliceUpdate.objects.select_for_update().filter(
            pk__in=list(withdrawn_update_ids),
            status=UpdateStatus.HANDED_OVER,
            handover_lines__handover=handover,
            handover_lines__withdrawn_at__isnull=True,
        )
    )
    counted = handover.received_count if received_count is None else received_count
    remaining = handover.sent_count - len(withdrawn) - len(withdrawn_updates)
    if counted != remaining:
        raise WorkflowError(
            _(
                "Sau khi xử lý vẫn chưa khớp: bàn giao %(sent)s phiếu, Công an xã nhận "
                "%(received)s phiếu."
            )
            % {"sent": remaining, "received": counted}
        )
    now = timezone.now()
    HandoverLine.objects.filter(handover=handover, work_item__in=withdrawn).update(withdrawn_at=now)
    HandoverLine.objects.filter(handover=handover, update__in=withdrawn_updates).update(
        withdrawn_at=now
    )
    back = _("Rút khỏi biên bản số %(number)s") % {"number": handover.number}
    for update in withdrawn_updates:
        move_update(update, UpdateStatus.WAITING, now=now, acting_user=acting_user, note=back)
    for item in withdrawn:
        item.handover = None
    _move_many(
        withdrawn,
        Status.ACCEPTED,
        acting_user=acting_user,
        now=now,
        reason=_("Rút khỏi biên bản số %(number)s") % {"number": handover.number},
        fields=("handover",),
    )
    handover.sent_count = remaining
    handover.update_count -= len(withdrawn_updates)
    handover.received_count = counted
    handover.status = HandoverStatus.RESOLVED
    handover.resolution_note = note.strip()[:500]
    handover.resolved_by, handover.resolved_at = acting_user, now
    handover.save(
        update_fields=[
            "sent_count",
            "update_count",
            "received_count",
            "status",
            "resolution_note",
            "resolved_by",
            "resolved_at",
        ]
    )
    record_event(
        actor=acting_user,
        action="handover.resolve_handover",
        target=handover,
        unit=handover.commune,
        details={
            "withdrawn": len(withdrawn),
            "withdrawn_updates": len(withdrawn_updates),
            "count": remaining,
        },
    )
    return handover


def _received_items(acting_user: Any, item_ids: Iterable[int]) -> list[WorkItem]:
    items = list(
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("handover", "village")
        .filter(pk__in=list(item_ids))
        .order_by("pk")
    )
    for item in items:
        if not acting_user.unit.contains(item.village):
            raise WorkflowError(_("Người này nằm ngoài phạm vi của bạn."))
        if item.handover is None or item.handover.status not in RECEIVED:
            raise WorkflowError(
                _("Biên bản bàn giao chưa được xác nhận; chưa thể ghi kết quả nhập liệu.")
            )
    return items


def _received_updates(acting_user: Any, update_ids: Iterable[int]) -> list[PoliceUpdate]:
    """Changes handed over in records the police have confirmed (locked)."""
    ids = list(update_ids)
    if not ids:
        return []
    updates = list(
        PoliceUpdate.objects.select_for_update(of=("self",))
        .select_related("commune")
        .filter(pk__in=ids)
        .order_by("pk")
    )
    confirmed = set(
        with_current_handover(PoliceUpdate.objects.filter(pk__in=ids))
        # (keyword as a dict: the annotation is not a model field the type checker knows)
        .filter(
            **{"current_handover__in": Handover.objects.filter(status__in=RECEIVED).values("pk")}
        )
        .values_list("pk", flat=True)
    )
    for update in updates:
        if not acting_user.unit.contains(update.commune):
            raise WorkflowError(_("Thay đổi này nằm ngoài phạm vi của bạn."))
        if update.pk not in confirmed:
            raise WorkflowError(
                _("Biên bản bàn giao chưa được xác nhận; chưa thể ghi kết quả nhập liệu.")
            )
    return updates


@transaction.atomic
def mark_entered(
    *,
    acting_user: Any,
    item_ids: Iterable[int],
    entered_on: datetime.date,
    update_ids: Iterable[int] = (),
) -> int:
    """The police record that forms and changes are now in the population database."""
    require_capability(acting_user, Capability.RECEIVE_FORMS)
    if entered_on > timezone.localdate():
        raise WorkflowError(_("Ngày nhập không được sau hôm nay."))
    items = _received_items(acting_user, item_ids)
    updates = _received_updates(acting_user, update_ids)
    for item in items:
        item.entered_on, item.entered_by = entered_on, acting_user
    now = timezone.now()
    count = _move_many(
        items,
        Status.ENTERED,
        acting_user=acting_user,
        now=now,
        fields=("entered_on", "entered_by"),
    )
    try:
        for update in updates:
            move_update(
                update,
                UpdateStatus.ENTERED,
                now=now,
                acting_user=acting_user,
                entered_on=entered_on,
            )
    except RegisterError as refused:
        raise WorkflowError(str(refused)) from refused
    record_event(
        actor=acting_user,
        action="handover.mark_entered",
        target_type="collection.workitem",
        unit=acting_user.unit,
        details={"count": count, "updates": len(updates)},
    )
    return count + len(updates)


@transaction.atomic
def mark_not_enterable(
    *, acting_user: Any, reason: str, item_id: int | None = None, update_id: int | None = None
) -> WorkItem | PoliceUpdate:
    """The police could not enter a form or a change (e.g. ID not found): it goes back to
    the officer."""
    require_capability(acting_user, Capability.RECEIVE_FORMS)
    if not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do không nhập được."))
    if update_id is not None:
        updates = _received_updates(acting_user, [update_id])
        if not updates:
            raise WorkflowError(_("Không tìm thấy thay đổi."))
        try:
            move_update(
                updates[0],
                UpdateStatus.NOT_ENTERABLE,
                now=timezone.now(),
                acting_user=acting_user,
                note=reason,
            )
        except RegisterError as refused:
            raise WorkflowError(str(refused)) from refused
        record_event(
            actor=acting_user,
            action="handover.update_not_enterable",
            target=updates[0].person,
            unit=updates[0].commune,
        )
        return updates[0]
    items = _received_items(acting_user, [item_id] if item_id is not None else [])
    if not items:
        raise WorkflowError(_("Không tìm thấy phiếu."))
    item = items[0]
    item.not_enterable_reason = reason.strip()[:300]
    _move_many(
        [item],
        Status.NOT_ENTERABLE,
        acting_user=acting_user,
        now=timezone.now(),
        reason=reason,
        fields=("not_enterable_reason",),
    )
    return item


@transaction.atomic
def archive_forms(*, acting_user: Any, item_ids: Iterable[int], reference: str) -> int:
    """Record where the paper forms returned by the police are kept (box / shelf)."""
    require_capability(acting_user, Capability.HAND_OVER_FORMS)
    reference = reference.strip()
    if not reference:
        raise WorkflowError(_("Hãy ghi nơi lưu trữ (hộp, kệ)."))
    items = list(
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("village")
        .filter(pk__in=list(item_ids))
        .order_by("pk")
    )
    for item in items:
        if not acting_user.unit.contains(item.village):
            raise WorkflowError(_("Người này nằm ngoài phạm vi của bạn."))
        item.archive_reference = reference[:100]
        item.archived_at = timezone.now()
    count = _move_many(
        items,
        Status.ARCHIVED,
        acting_user=acting_user,
        now=timezone.now(),
        reason=reference,
        fields=("archive_reference", "archived_at"),
    )
    record_event(
        actor=acting_user,
        action="handover.archive_forms",
        target_type="collection.workitem",
        unit=acting_user.unit,
        details={"count": count},
    )
    return count
