"""Every change the reconciliation makes: a run, a decision on a row, the "đã đối soát" record."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.core.background import run_in_background
from laodong.handover.models import Handover
from laodong.linkage import engine
from laodong.reconcile.models import (
    CrossPair,
    CrossRun,
    CrossRunStatus,
    CrossStatus,
    Kind,
    NotDuplicate,
    Record,
    Rejection,
    Row,
    RowStatus,
    Run,
)
from laodong.reconcile.sources import list_records, province_records, register_records
from laodong.register import actions as register_actions
from laodong.register import transfers
from laodong.register.models import Merge, Person, TransferRequest
from laodong.units.models import Level, Unit

logger = logging.getLogger(__name__)
# A search still "running" after this long died with its process (a restart).
CROSS_STALE_AFTER = datetime.timedelta(hours=2)


class ReconcileError(Exception):
    """A decision was refused; the message says why (and `findings` what the register's
    checks found)."""

    def __init__(self, message: str, findings: Iterable[Any] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


def _check_commune(acting_user: Any, commune: Unit) -> None:
    if not acting_user.unit.contains(commune):
        raise ReconcileError(_("Xã này nằm ngoài phạm vi của bạn."))


def _key(record: engine.Record | None) -> int | None:
    """The primary key a record of the register or the police list carries."""
    return int(record.key) if record is not None else None  # type: ignore[call-overload]


def _outcome_kind(link: engine.Link) -> str | None:
    if link.outcome == engine.Outcome.LEFT_ONLY:
        return Kind.REGISTER_ONLY
    if link.outcome == engine.Outcome.RIGHT_ONLY:
        return Kind.POLICE_ONLY
    if link.reasons[:1] == ("id",):
        return Kind.DIFFERS if link.differences else None
    return Kind.LINK


@transaction.atomic
def run_reconciliation(*, acting_user: Any, campaign: Campaign, commune: Unit) -> Run:
    """Link the commune's register (people in it today) with the latest police list of the
    campaign and keep the four lists. People out of scope on the list (dead, moved away,
    armed forces) are left to the closure proposals."""
    require_capability(acting_user, Capability.RECONCILE)
    _check_commune(acting_user, commune)
    rejected = set(
        Rejection.objects.filter(person__commune=commune).values_list("person_id", "personal_id")
    )
    out_of_scope = set(
        WorkItem.objects.filter(campaign=campaign, commune=commune, in_latest_list=True)
        .exclude(out_of_scope="")
        .values_list("pk", flat=True)
    )
    run = Run.objects.create(
        campaign=campaign, commune=commune, created_by=acting_user, created_at=timezone.now()
    )
    rows: list[Row] = []
    sizes = {"register": 0, "list": 0, "same": 0}
    police = [r for r in list_records(campaign.pk, commune) if r.key not in out_of_scope]
    sizes["list"] = len(police)

    def counted() -> Iterable[engine.Record]:
        for record in register_records(commune):
            sizes["register"] += 1
            yield record

    for link in engine.link(counted(), police):
        if (
            link.left is not None
            and link.right is not None
            and (link.left.key, link.right.personal_id) in rejected
        ):
            rows.append(Row(run=run, kind=Kind.REGISTER_ONLY, person_id=_key(link.left)))
            rows.append(Row(run=run, kind=Kind.POLICE_ONLY, work_item_id=_key(link.right)))
            continue
        kind = _outcome_kind(link)
        if kind is None:
            sizes["same"] += 1
            continue
        rows.append(
            Row(
                run=run,
                kind=kind,
                person_id=_key(link.left),
                work_item_id=_key(link.right),
                score=link.score,
                reasons=list(link.reasons),
                differences=list(link.differences),
            )
        )
    Row.objects.bulk_create(rows, batch_size=1000)
    counts = {kind: 0 for kind in Kind.values}
    for row in rows:
        counts[row.kind] += 1
    run.counts = {**counts, **sizes}
    run.save(update_fields=["counts"])
    record_event(
        actor=acting_user,
        action="reconcile.run",
        target=run,
        unit=commune,
        details={"campaign": campaign.pk, **run.counts},
    )
    return run


def latest_run(campaign: Campaign, commune: Unit) -> Run | None:
    return Run.objects.filter(campaign=campaign, commune=commune).first()


def _locked_row(row: Row, kinds: tuple[str, ...]) -> Row:
    locked = (
        Row.objects.select_for_update(of=("self",))
        .select_related("run", "run__commune", "person", "work_item")
        .get(pk=row.pk)
    )
    if locked.kind not in kinds or locked.status != RowStatus.OPEN:
        raise ReconcileError(_("Dòng này đã được xử lý."))
    return locked


def _decided(row: Row, status: str, acting_user: Any) -> None:
    row.status, row.decided_by, row.decided_at = status, acting_user, timezone.now()
    row.save(update_fields=["status", "decided_by", "decided_at"])


def _reference(row: Row) -> str:
    return _("Đối soát với danh sách Công an ngày %(day)s") % {
        "day": timezone.localtime(row.run.created_at).strftime("%d/%m/%Y")
    }


def _register_change(call: Any) -> Person:
    try:
        return call()
    except register_actions.RegisterError as refused:
        raise ReconcileError(str(refused), refused.findings) from refused


@transaction.atomic
def confirm_link(*, acting_user: Any, row: Row, confirmed_warnings: Iterable[str] = ()) -> Person:
    """The register's person without an ID is the police list's person: their ID is written
    into the record (a version, source "Đối soát"), and the list's row points at the record."""
    require_capability(acting_user, Capability.RECONCILE)
    row = _locked_row(row, (Kind.LINK,))
    _check_commune(acting_user, row.run.commune)
    assert row.person is not None and row.work_item is not None
    item = row.work_item
    person = _register_change(
        lambda: register_actions.reconcile_person(
            acting_user=acting_user,
            person=row.person,
            values={"personal_id": item.personal_id},
            reference=_reference(row),
            confirmed_warnings=confirmed_warnings,
        )
    )
    if item.person_id is None:
        WorkItem.objects.filter(pk=item.pk).update(person=person)
    _decided(row, RowStatus.CONFIRMED, acting_user)
    record_event(
        actor=acting_user, action="reconcile.confirm_link", target=person, unit=person.commune
    )
    return person


@transaction.atomic
def reject_link(*, acting_user: Any, row: Row) -> None:
    """Not one person: the pair is never proposed again."""
    require_capability(acting_user, Capability.RECONCILE)
    row = _locked_row(row, (Kind.LINK,))
    _check_commune(acting_user, row.run.commune)
    assert row.person is not None and row.work_item is not None
    Rejection.objects.get_or_create(
        person=row.person,
        personal_id=row.work_item.personal_id,
        defaults={"rejected_by": acting_user, "rejected_at": timezone.now()},
    )
    _decided(row, RowStatus.REJECTED, acting_user)
    record_event(
        actor=acting_user,
        action="reconcile.reject_link",
        target=row.person,
        unit=row.run.commune,
    )


def population_values(row: Row) -> dict[str, Any]:
    """The police list's values of the items that differ, as the form writes them."""
    item = row.work_item
    assert item is not None
    values: dict[str, Any] = {}
    for key in row.differences:
        if key == "full_name":
            values["full_name"] = item.full_name
        elif key == "birth_date":
            values["birth_date"] = (
                str(item.birth_date.year)
                if item.birth_year_only
                else item.birth_date.strftime("%d/%m/%Y")
            )
        elif key == "sex" and item.sex:
            values["sex"] = item.sex
    return values


@transaction.atomic
def apply_population_values(
    *, acting_user: Any, row: Row, confirmed_warnings: Iterable[str] = ()
) -> Person:
    """Take the police list's name, birth date or sex where they differ from the record of the
    same ID (the population database is the reference for identity)."""
    require_capability(acting_user, Capability.RECONCILE)
    row = _locked_row(row, (Kind.DIFFERS,))
    _check_commune(acting_user, row.run.commune)
    assert row.person is not None
    values = population_values(row)
    person = _register_change(
        lambda: register_actions.reconcile_person(
            acting_user=acting_user,
            person=row.person,
            values=values,
            reference=_reference(row),
            confirmed_warnings=confirmed_warnings,
        )
    )
    _decided(row, RowStatus.APPLIED, acting_user)
    record_event(
        actor=acting_user,
        action="reconcile.apply_population_values",
        target=person,
        unit=person.commune,
        details={"items": sorted(values)},
    )
    return person


@transaction.atomic
def record_reconciled(
    *,
    acting_user: Any,
    campaign: Campaign,
    commune: Unit,
    reconciled_on: datetime.date,
    note: str,
    handover: Handover | None = None,
) -> Record:
    """The working group's leader records that the batch was reconciled ("đã đối soát")."""
    require_capability(acting_user, Capability.RECORD_RECONCILED)
    _check_commune(acting_user, commune)
    if reconciled_on > timezone.localdate():
        raise ReconcileError(_("Ngày đối soát không được sau hôm nay."))
    if handover is not None and (
        handover.campaign_id != campaign.pk or handover.commune_id != commune.pk
    ):
        raise ReconcileError(_("Biên bản bàn giao không thuộc kế hoạch và xã này."))
    run = latest_run(campaign, commune)
    record = Record.objects.create(
        campaign=campaign,
        commune=commune,
        handover=handover,
        run=run,
        reconciled_on=reconciled_on,
        recorded_by=acting_user,
        note=note.strip()[:500],
        counts=dict(run.counts) if run is not None else {},
    )
    record_event(
        actor=acting_user,
        action="reconcile.record",
        target=record,
        unit=commune,
        details={"campaign": campaign.pk, "handover": handover.pk if handover else None},
    )
    return record


# --- One person recorded in two communes (the province's search) -----------------------------


def cross_run_busy(province: Unit) -> CrossRun | None:
    """The province's search still queued or running (not one that died with its process)."""
    run = (
        CrossRun.objects.filter(
            province=province, status__in=(CrossRunStatus.QUEUED, CrossRunStatus.RUNNING)
        )
        .order_by("-started_at")
        .first()
    )
    if run is not None and timezone.now() - run.started_at > CROSS_STALE_AFTER:
        return None
    return run


@transaction.atomic
def start_cross_run(*, acting_user: Any, province: Unit) -> CrossRun:
    """Queue a search of the province's register for people recorded in two communes."""
    require_capability(acting_user, Capability.RECONCILE_PROVINCE)
    if province.level != Level.PROVINCE:
        raise ReconcileError(_("Chỉ tìm trùng giữa các xã cho một tỉnh."))
    _check_commune(acting_user, province)
    Unit.objects.select_for_update().get(pk=province.pk)  # one search at a time per province
    if cross_run_busy(province) is not None:
        raise ReconcileError(_("Đang có một lần tìm chưa xong; hãy chờ nó xong."))
    CrossRun.objects.filter(
        province=province, status__in=(CrossRunStatus.QUEUED, CrossRunStatus.RUNNING)
    ).update(
        status=CrossRunStatus.FAILED,
        finished_at=timezone.now(),
        message=_("Bị gián đoạn (máy chủ khởi động lại); đã chạy lần mới."),
    )
    run = CrossRun.objects.create(
        province=province, started_by=acting_user, started_at=timezone.now()
    )
    record_event(actor=acting_user, action="reconcile.cross_run", target=run, unit=province)
    transaction.on_commit(lambda: run_in_background(run_cross, run.pk))
    return run


def _pair_key(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def run_cross(run_id: int) -> None:
    """The search itself (in the background): the engine over the province's register, only
    pairs of two communes, each new pair kept as a proposal. Proposals of earlier searches that
    nobody decided are replaced; decided pairs are never proposed again."""
    if not CrossRun.objects.filter(pk=run_id, status=CrossRunStatus.QUEUED).update(
        status=CrossRunStatus.RUNNING
    ):
        return
    run = CrossRun.objects.select_related("province").get(pk=run_id)
    try:
        communes: dict[int, int] = {}
        links = engine.duplicates_across(
            province_records(run.province, communes),
            lambda record: communes[record.key],  # type: ignore[index]
        )
        texts = engine.Texts()
        with transaction.atomic():
            earlier = CrossPair.objects.filter(run__province=run.province)
            earlier.filter(status=CrossStatus.FOUND).delete()
            decided = set(earlier.values_list("first_id", "second_id"))
            decided |= set(
                NotDuplicate.objects.filter(
                    first__commune__path__startswith=run.province.path
                ).values_list("first_id", "second_id")
            )
            pairs = []
            for link in links:
                assert link.left is not None and link.right is not None
                first, second = _pair_key(int(link.left.key), int(link.right.key))  # type: ignore[call-overload]
                if (first, second) in decided:
                    continue
                decided.add((first, second))
                pairs.append(
                    CrossPair(
                        run=run,
                        first_id=first,
                        second_id=second,
                        score=min(1.0, link.score),
                        reasons=texts.reasons(link.reasons)[:300],
                        differences=texts.differences(link.differences)[:100],
                    )
                )
            CrossPair.objects.bulk_create(pairs, batch_size=1000)
            CrossRun.objects.filter(pk=run_id).update(
                status=CrossRunStatus.DONE,
                finished_at=timezone.now(),
                people=len(communes),
                found=len(pairs),
            )
    except Exception:
        logger.exception("cross-commune duplicate search %s failed", run_id)
        CrossRun.objects.filter(pk=run_id).update(
            status=CrossRunStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Lỗi khi tìm; hãy chạy lại. Nếu vẫn lỗi, báo cho quản trị hệ thống."),
        )


def _locked_pair(acting_user: Any, pair: CrossPair, statuses: tuple[str, ...]) -> CrossPair:
    pair = (
        CrossPair.objects.select_for_update(of=("self",))
        .select_related("run__province", "first__commune", "second__commune")
        .get(pk=pair.pk)
    )
    if pair.status not in statuses:
        raise ReconcileError(_("Cặp hồ sơ này đã được xử lý."))
    return pair


@transaction.atomic
def send_cross_pair(*, acting_user: Any, pair: CrossPair, note: str = "") -> CrossPair:
    """The province sends a pair to both communes to settle."""
    require_capability(acting_user, Capability.RECONCILE_PROVINCE)
    pair = _locked_pair(acting_user, pair, (CrossStatus.FOUND,))
    _check_commune(acting_user, pair.run.province)
    pair.status, pair.sent_by, pair.sent_at = CrossStatus.SENT, acting_user, timezone.now()
    pair.note = note.strip()[:300]
    pair.save(update_fields=["status", "sent_by", "sent_at", "note"])
    record_event(
        actor=acting_user, action="reconcile.cross_send", target=pair, unit=pair.run.province
    )
    return pair


def _side(acting_user: Any, pair: CrossPair) -> tuple[Person, Person]:
    """(the caller's commune's record, the other) for a commune officer; scope checked."""
    if acting_user.unit.contains(pair.first.commune):
        return pair.first, pair.second
    if acting_user.unit.contains(pair.second.commune):
        return pair.second, pair.first
    raise ReconcileError(_("Cặp hồ sơ này không thuộc xã của bạn."))


@transaction.atomic
def cross_distinct(*, acting_user: Any, pair: CrossPair, note: str = "") -> CrossPair:
    """Two people after all: said by the province before sending, or by either commune."""
    pair = _locked_pair(acting_user, pair, (CrossStatus.FOUND, CrossStatus.SENT))
    if pair.status == CrossStatus.FOUND:
        require_capability(acting_user, Capability.RECONCILE_PROVINCE)
        _check_commune(acting_user, pair.run.province)
    else:
        if not has_capability(acting_user, Capability.EDIT_REGISTER):
            raise ReconcileError(_("Cặp hồ sơ này đã gửi hai xã; hai xã sẽ xử lý."))
        _side(acting_user, pair)
        if not note.strip():
            raise ReconcileError(_("Hãy ghi vì sao là hai người, để tỉnh và xã kia biết."))
    now = timezone.now()
    NotDuplicate.objects.get_or_create(
        first_id=pair.first_id,
        second_id=pair.second_id,
        defaults={"decided_by": acting_user, "decided_at": now},
    )
    pair.status, pair.decided_by, pair.decided_at = CrossStatus.DISTINCT, acting_user, now
    if note.strip():
        pair.note = note.strip()[:300]
    pair.save(update_fields=["status", "decided_by", "decided_at", "note"])
    record_event(
        actor=acting_user, action="reconcile.cross_distinct", target=pair, unit=acting_user.unit
    )
    return pair


@transaction.atomic
def ask_for_cross_record(*, acting_user: Any, pair: CrossPair) -> TransferRequest:
    """A commune asks for the other commune's record of the pair, to its own record's
    village, through the ordinary transfer request (the holding commune agrees or refuses)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    pair = _locked_pair(acting_user, pair, (CrossStatus.SENT,))
    own, other = _side(acting_user, pair)
    if own.leave_reason:
        raise ReconcileError(_("Hồ sơ của xã bạn đã ra khỏi diện quản lý."))
    reason = _(
        "Trùng với hồ sơ số %(number)s của %(commune)s (tỉnh phát hiện): xin chuyển về để gộp."
    ) % {"number": own.pk, "commune": own.commune.label() if own.commune else ""}
    try:
        return transfers.request_record(
            acting_user=acting_user, person=other, village=own.village, reason=reason
        )
    except register_actions.RegisterError as refused:
        raise ReconcileError(str(refused)) from refused


@transaction.atomic
def merge_cross_pair(
    *, acting_user: Any, pair: CrossPair, survivor: Person, reason: str = ""
) -> Merge:
    """Once both records are in one commune (after the transfer), merge them there."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    pair = _locked_pair(acting_user, pair, (CrossStatus.SENT,))
    own, other = _side(acting_user, pair)
    if own.commune_id != other.commune_id:
        raise ReconcileError(
            _("Hai hồ sơ còn ở hai xã: hãy đề nghị chuyển hồ sơ về xã trước khi gộp.")
        )
    if survivor.pk not in (pair.first_id, pair.second_id):
        raise ReconcileError(_("Hãy chọn hồ sơ giữ lại."))
    duplicate = pair.second if survivor.pk == pair.first_id else pair.first
    try:
        merge = register_actions.merge_people(
            acting_user=acting_user,
            survivor=survivor,
            duplicate=duplicate,
            reason=reason or _("Trùng giữa hai xã (tỉnh phát hiện)"),
        )
    except register_actions.RegisterError as refused:
        raise ReconcileError(str(refused)) from refused
    pair.status, pair.decided_by, pair.decided_at = (
        CrossStatus.MERGED,
        acting_user,
        timezone.now(),
    )
    pair.save(update_fields=["status", "decided_by", "decided_at"])
    return merge


@transaction.atomic
def undo_merge(*, acting_user: Any, merge: Merge) -> None:
    """Un-merge two records; a pair the province had found goes back to the communes."""
    try:
        register_actions.unmerge_people(acting_user=acting_user, merge=merge)
    except register_actions.RegisterError as refused:
        raise ReconcileError(str(refused)) from refused
    first, second = _pair_key(merge.survivor_id, merge.merged_id)
    CrossPair.objects.filter(first_id=first, second_id=second, status=CrossStatus.MERGED).update(
        status=CrossStatus.SENT, decided_by=None, decided_at=None
    )
