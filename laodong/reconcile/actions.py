"""Every change the reconciliation makes: a run, a decision on a row, the "đã đối soát" record."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.handover.models import Handover
from laodong.linkage import engine
from laodong.reconcile.models import Kind, Record, Rejection, Row, RowStatus, Run
from laodong.reconcile.sources import list_records, register_records
from laodong.register import actions as register_actions
from laodong.register.models import Person
from laodong.units.models import Unit


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
