"""Every change to the register goes through these functions.

They run the form's validation engine plus the checks that need the register (duplicates), refuse
to store a form with errors or with warnings nobody confirmed, and keep every state as a version.
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
from laodong.core.concurrency import StaleEdit, differences
from laodong.core.text import fold
from laodong.forms.citizen_id import IdKind as ParsedIdKind
from laodong.forms.citizen_id import ParsedId, parse_id
from laodong.forms.dates import PartialDate, parse_date
from laodong.forms.definitions import get_form
from laodong.forms.validation import Finding, Severity, ValidationResult, validate_answers
from laodong.register.models import (
    PRIORITY_FLAGS,
    TYPED_CODES,
    Draft,
    IdKind,
    Kind,
    Merge,
    Person,
    PersonPeriod,
    PersonVersion,
    PoliceUpdate,
    UpdateStatus,
    mark_statistics,
)
from laodong.register.models import Source as Source
from laodong.register.sources import Origin
from laodong.units.models import Level, Unit


class RegisterError(Exception):
    """A form was not stored; `findings` say why (errors, or warnings to confirm)."""

    def __init__(self, message: str, findings: Iterable[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


def header_answers(village: Unit) -> dict[str, str]:
    """The form's header items, taken from the chosen village rather than typed."""
    commune = village.parent
    assert commune is not None and commune.parent is not None
    return {"province": commune.parent.code, "commune": commune.code, "village": village.name}


# The ID is held by another commune: the record can only come by transfer (transfers.py).
ELSEWHERE = "duplicate.elsewhere"


def check_person(
    form_code: str,
    answers: Mapping[str, Any],
    *,
    village: Unit,
    exclude_pk: int | None = None,
    reference_date: datetime.date | None = None,
) -> ValidationResult:
    """Validate a person's answers as the register would store them."""
    form = get_form(form_code)
    full = {**answers, **header_answers(village)}
    result = validate_answers(form, full, reference_date=reference_date)
    values = result.values
    others = Person.objects.exclude(pk=exclude_pk) if exclude_pk else Person.objects.all()
    personal_id = values.get("personal_id") or ""
    if personal_id and isinstance(parse_id(personal_id), ParsedId):
        holder = others.filter(personal_id=personal_id).values_list("commune_id", flat=True)
        home = holder.first()
        if home is not None and home == village.parent_id:
            message = _(
                "Số CCCD/CMND này đã có trong cơ sở dữ liệu của xã. Mỗi người chỉ có một "
                "phiếu: hãy cập nhật phiếu đã có."
            )
        elif home is not None:
            # Which commune holds a person is not this commune's to know (issue 11, finding 5).
            message = _(
                "Số CCCD/CMND này đã có hồ sơ ở một xã khác, nên không ghi thêm hồ sơ thứ hai. "
                "Nếu người này đã chuyển đến xã mình, hãy gửi đề nghị chuyển hồ sơ (Người lao "
                "động → Chuyển địa bàn); khi xã đang quản lý đồng ý, hồ sơ về xã mình."
            )
        if home is not None:
            rule = "duplicate.personal_id" if home == village.parent_id else ELSEWHERE
            result.findings.append(Finding(rule, Severity.ERROR, "personal_id", message))
    elif (
        not personal_id
        and values.get("full_name")
        and isinstance(values.get("birth_date"), PartialDate)
    ):
        twin = others.filter(
            commune=village.parent,
            full_name_folded=fold(values["full_name"]),
            birth_date=values["birth_date"].value,
        ).exists()
        if twin:
            result.findings.append(
                Finding(
                    "duplicate.name_birth",
                    Severity.WARNING,
                    "full_name",
                    _(
                        "Xã đã có người cùng họ tên và ngày sinh. Hãy kiểm tra đây có phải là một "
                        "người không."
                    ),
                )
            )
    return result


def _stored(value: Any) -> Any:
    if isinstance(value, PartialDate):
        return str(value)
    return value


def _refuse_unless_clean(result: ValidationResult, confirmed: Iterable[str]) -> None:
    if result.errors:
        raise RegisterError(
            _("Phiếu còn %(count)s lỗi, chưa lưu được.") % {"count": len(result.errors)},
            result.errors,
        )
    unconfirmed = [w for w in result.warnings if w.rule not in set(confirmed)]
    if unconfirmed:
        raise RegisterError(
            _("Hãy xác nhận %(count)s cảnh báo trước khi lưu.") % {"count": len(unconfirmed)},
            unconfirmed,
        )


def _apply(person: Person, form_code: str, village: Unit, values: Mapping[str, Any]) -> None:
    assert village.parent is not None
    person.form_code = form_code
    person.village, person.commune = village, village.parent
    person.full_name = values["full_name"]
    person.full_name_folded = fold(values["full_name"])
    birth: PartialDate = values["birth_date"]
    person.birth_date, person.birth_year_only = birth.value, birth.year_only
    parsed = parse_id(values.get("personal_id") or "")
    person.personal_id = parsed.number if isinstance(parsed, ParsedId) else ""
    person.id_kind = (
        IdKind.NONE
        if not isinstance(parsed, ParsedId)
        else IdKind.PERSONAL
        if parsed.kind == ParsedIdKind.PERSONAL
        else IdKind.LEGACY
    )
    person.answers = {
        key: _stored(value) for key, value in values.items() if value not in ("", [], None)
    }
    apply_stored(person, person.answers)


def apply_stored(person: Person, answers: Mapping[str, Any]) -> None:
    """Set the person's typed columns (codes, flags, dates, BHXH number, consent) from answers
    as the register stores them; the identity (name, birth, ID, place) is set by the caller."""
    person.household_code = str(answers.get("household_code") or "")[:30]
    person.social_insurance_number = str(answers.get("social_insurance_number") or "")[:10]
    for key in ("collection_date", "contract_start_date"):
        day = parse_date(str(answers.get(key) or ""), allow_year_only=True)
        setattr(person, key, day.value if day is not None else None)
    consent = str(answers.get("consent_job_matching") or "")[:1]
    if consent != person.consent_job_matching:
        # A new record's consent dates from its collection; a later change from the day the
        # change is saved.
        person.consent_on = (
            (person.collection_date if person.pk is None else None) or timezone.localdate()
            if consent
            else None
        )
        person.consent_job_matching = consent
    for key in TYPED_CODES:
        setattr(person, key, str(answers.get(key) or ""))
    groups = answers.get("priority_groups") or []
    groups = set(groups if isinstance(groups, list) else str(groups).split(","))
    for code, flag in PRIORITY_FLAGS.items():
        setattr(person, flag, code in groups)


def _check_village(acting_user: Any, village: Unit) -> None:
    if village.level != Level.VILLAGE or village.valid_to is not None:
        raise RegisterError(_("Hãy chọn một thôn / tổ dân phố đang có hiệu lực."))
    if not acting_user.unit.contains(village):
        raise RegisterError(_("Thôn này nằm ngoài phạm vi của bạn."))


def _write_version(
    person: Person,
    acting_user: Any,
    origin: Origin,
    result: ValidationResult | None,
    confirmed: Iterable[str],
    *,
    changes: dict[str, list[Any]] | None = None,
    kind: str = Kind.CHANGE,
    police: bool = True,
    valid_from: datetime.datetime | None = None,
) -> PersonVersion:
    """Store the person's current answers as their version number `person.version`, and start
    the reporting period it opens (closing the previous one). Unless the change came through a
    campaign (`police=False`), the commune police get an item to enter it.

    `valid_from` dates the period earlier than the save (a death recorded weeks later)."""
    now = timezone.now()
    # Only the warnings this version actually has are recorded as confirmed; a version that
    # changes no answer (closure, reopening) keeps those of the one before.
    warnings = {w.rule for w in result.warnings} if result is not None else set(confirmed)
    version = PersonVersion.objects.create(
        **version_values(
            person,
            origin,
            changes=changes or {},
            kind=kind,
            changed_by=acting_user,
            changed_at=now,
            confirmed_warnings=sorted(warnings & set(confirmed)),
        )
    )
    start = now
    places = {(person.village_id, person.commune_id)}
    if person.version > 1:
        current = PersonPeriod.objects.filter(person=person, valid_to__isnull=True)
        ended = current.values_list("valid_from", "village_id", "commune_id").first()
        if ended is not None:
            places.add((ended[1], ended[2]))
        if valid_from is not None:
            # Never before the period in force began: the earlier history stays as it was.
            start = max(valid_from, ended[0]) if ended else valid_from
            start = min(start, now)
        current.update(valid_to=start)
    PersonPeriod.of(person, source=origin.source, valid_from=start).save()
    mark_statistics(places)
    if police:
        PoliceUpdate.objects.create(
            commune_id=person.commune_id,
            person=person,
            version=version,
            created_at=now,
            status_at=now,
        )
    return version


def version_values(
    person: Person,
    origin: Origin,
    *,
    changes: dict[str, list[Any]],
    kind: str,
    changed_by: Any,
    changed_at: datetime.datetime,
    confirmed_warnings: list[str],
) -> dict[str, Any]:
    """The columns of the version that stores the person's current state (for the ORM, and
    for bulk writers that copy rows)."""
    return {
        "person_id": person.pk,
        "number": person.version,
        "form_code": person.form_code,
        "answers": person.answers,
        "changes": changes,
        "kind": kind,
        "source": origin.source,
        "reference_title": origin.reference_title[:200],
        "reference": origin.reference[:200],
        "reference_date": origin.reference_date,
        "request_id": origin.request.pk if origin.request is not None else None,
        "reason": origin.reason.strip()[:300],
        "left_on": person.left_on,
        "leave_reason": person.leave_reason,
        "leave_destination": person.leave_destination,
        "changed_by_id": changed_by.pk if getattr(changed_by, "pk", None) else None,
        "changed_at": changed_at,
        "confirmed_warnings": confirmed_warnings,
    }


def _checked(origin: Origin) -> Origin:
    problems = origin.problems()
    if problems:
        raise RegisterError(" ".join(problems))
    return origin


@transaction.atomic
def record_person(
    *,
    acting_user: Any,
    form_code: str,
    village: Unit,
    answers: Mapping[str, Any],
    source: str = Source.COLLECTION,
    origin: Origin | None = None,
    confirmed_warnings: Iterable[str] = (),
    reference_date: datetime.date | None = None,
    draft: Draft | None = None,
    police: bool = True,
) -> Person:
    """Add a person to the register (version 1); the draft it came from is discarded.

    `origin` (else `source` alone) says where the form came from; `police=False` when a
    campaign hands the form to the police itself."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    origin = _checked(origin or Origin(source))
    _check_village(acting_user, village)
    result = check_person(form_code, answers, village=village, reference_date=reference_date)
    confirmed = list(confirmed_warnings)
    _refuse_unless_clean(result, confirmed)
    person = Person()
    _apply(person, form_code, village, result.values)
    person.save()
    _discard(acting_user, draft)
    _write_version(person, acting_user, origin, result, confirmed, kind=Kind.RECORD, police=police)
    record_event(
        actor=acting_user,
        action="register.record_person",
        target=person,
        unit=person.commune,
        details={"source": origin.source, "form": form_code},
    )
    return person


@transaction.atomic
def update_person(
    *,
    acting_user: Any,
    person: Person,
    answers: Mapping[str, Any],
    source: str = Source.CORRECTION,
    reason: str = "",
    origin: Origin | None = None,
    village: Unit | None = None,
    confirmed_warnings: Iterable[str] = (),
    reference_date: datetime.date | None = None,
    draft: Draft | None = None,
    loaded_version: int | None = None,
    police: bool = True,
) -> Person:
    """Store a new version of a person's answers; nothing is written when nothing changed.

    The draft it came from is discarded. `loaded_version`, given by an edit page, is the
    version the user opened: if someone saved since, nothing is written and `StaleEdit`
    lists the items to merge."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    return _update(
        acting_user=acting_user,
        person=person,
        answers=answers,
        origin=_checked(origin or Origin(source, reason=reason)),
        village=village,
        confirmed_warnings=confirmed_warnings,
        reference_date=reference_date,
        draft=draft,
        loaded_version=loaded_version,
        police=police,
    )


def _update(
    *,
    acting_user: Any,
    person: Person,
    answers: Mapping[str, Any],
    origin: Origin,
    village: Unit | None = None,
    confirmed_warnings: Iterable[str] = (),
    reference_date: datetime.date | None = None,
    draft: Draft | None = None,
    loaded_version: int | None = None,
    police: bool = True,
) -> Person:
    """`update_person` once the caller's right to make this change was checked."""
    person = Person.objects.select_for_update().select_related("village").get(pk=person.pk)
    village = village or person.village
    _check_village(acting_user, village)
    result = check_person(
        person.form_code,
        answers,
        village=village,
        exclude_pk=person.pk,
        reference_date=reference_date,
    )
    if loaded_version is not None and loaded_version != person.version:
        raise _stale(person, loaded_version, answers, result, village)
    # A warning the officer confirmed for the previous version (e.g. no ID number yet) stays
    # confirmed; only new warnings need a new confirmation.
    previous = (
        person.versions.order_by("-number").values_list("confirmed_warnings", flat=True).first()
        or []
    )
    confirmed = [*confirmed_warnings, *previous]
    _refuse_unless_clean(result, confirmed)
    before = dict(person.answers)
    _apply(person, person.form_code, village, result.values)
    after = person.answers
    changes = {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
    }
    _discard(acting_user, draft)
    if not changes:
        return person
    person.version += 1
    person.save()
    _write_version(person, acting_user, origin, result, confirmed, changes=changes, police=police)
    record_event(
        actor=acting_user,
        action="register.update_person",
        target=person,
        unit=person.commune,
        details={"version": person.version, "source": origin.source, "items": sorted(changes)},
    )
    return person


def _stale(
    person: Person,
    loaded_version: int,
    answers: Mapping[str, Any],
    result: ValidationResult,
    village: Unit,
) -> StaleEdit:
    """The refusal of a save made on an older version: every item this user typed that
    differs from what is saved now, against the version they opened (a three-way merge)."""
    from laodong.register.display import answer_text

    definition = get_form(person.form_code)
    typed = {key: value for key, value in answers.items() if value not in (None, "", [])}
    # Compared as the register stores them (normalised by the check), not as typed.
    typed.update({key: _stored(v) for key, v in result.values.items() if v not in (None, "", [])})
    mine = {key: typed.get(key) for key in answers}
    mine["village"] = village.pk
    theirs = {**person.answers, "village": person.village_id}
    loaded = person.versions.filter(number=loaded_version).first()
    base: dict[str, Any] | None = None
    if loaded is not None:
        period = person.periods.filter(number=loaded_version).values_list("village", flat=True)
        base = {**loaded.answers, "village": period.first()}
    names = dict(
        Unit.objects.filter(pk__in=[village.pk, person.village_id]).values_list("pk", "name")
    )

    def label(key: str) -> str:
        if key == "village":
            return str(_("Thôn / tổ dân phố"))
        return definition.item(key).title if definition.has_item(key) else key

    def show(key: str, value: Any) -> str:
        if key == "village":
            return names.get(value, "")
        if not definition.has_item(key):
            return "" if value is None else str(value)
        return answer_text(definition, key, value, full_id=True)

    keys = [key for key in (*answers, "village") if key == "village" or definition.has_item(key)]
    found, merged = differences(mine, theirs, keys=keys, label=label, show=show, base=base)
    latest = person.versions.select_related("changed_by").order_by("-number").first()
    return StaleEdit(
        token=str(person.version),
        differences=found,
        saved_by=latest.changed_by.full_name if latest and latest.changed_by else "",
        saved_at=latest.changed_at if latest else None,
        merged=merged,
    )


def person_as_of(person: Person, moment: datetime.datetime) -> PersonVersion | None:
    """The version in force at a moment (None if the person was not yet recorded)."""
    return person.versions.filter(changed_at__lte=moment).order_by("-number").first()


def _discard(acting_user: Any, draft: Draft | None) -> None:
    if draft is not None and draft.owner_id == acting_user.pk:
        draft.delete()


def filled(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers actually given (items left empty are not stored)."""
    return {key: value for key, value in answers.items() if value not in (None, "", [])}


def save_draft(
    *,
    acting_user: Any,
    form_code: str,
    answers: Mapping[str, Any],
    village: Unit | None = None,
    person: Person | None = None,
    draft: Draft | None = None,
) -> Draft:
    """Keep a form as typed, without validation, to finish later."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    if village is not None:
        _check_village(acting_user, village)
    draft = draft or Draft(owner=acting_user)
    if draft.owner_id != acting_user.pk:
        raise RegisterError(_("Phiếu nháp này không phải của bạn."))
    draft.form_code, draft.village, draft.person = form_code, village, person
    draft.answers = filled(answers)
    draft.save()
    return draft


def _leaving(person: Person) -> dict[str, str] | None:
    """The person's leaving as stored in a version's changes (None while in the register)."""
    if not person.leave_reason:
        return None
    return {
        "reason": person.leave_reason,
        "on": person.left_on.isoformat() if person.left_on else "",
        "destination": person.leave_destination,
    }


def _previous_confirmed(person: Person) -> list[str]:
    return list(
        person.versions.order_by("-number").values_list("confirmed_warnings", flat=True).first()
        or []
    )


def _locked_current(person: Person, loaded_version: int | None) -> Person:
    locked = Person.objects.select_for_update().select_related("commune").get(pk=person.pk)
    if loaded_version is not None and loaded_version != locked.version:
        raise RegisterError(
            _(
                "Hồ sơ vừa được người khác cập nhật (phiên bản %(version)s). Hãy mở lại hồ sơ "
                "để xem thay đổi rồi làm lại."
            )
            % {"version": locked.version}
        )
    return locked


@transaction.atomic
def close_person(
    *,
    acting_user: Any,
    person: Person,
    left_on: datetime.date,
    reason: str,
    origin: Origin,
    destination: str = "",
    loaded_version: int | None = None,
    police: bool = True,
) -> PersonVersion:
    """Take a person out of the register ("ra khỏi diện quản lý") from `left_on`, as a new
    version: figures for earlier dates still count them, later ones do not. Nothing is
    deleted; `reopen_person` undoes a mistaken closure."""
    from laodong.register.models import LeaveReason
    from laodong.register.signals import person_left

    require_capability(acting_user, Capability.EDIT_REGISTER)
    origin = _checked(origin)
    if reason not in LeaveReason.values:
        raise RegisterError(_("Hãy chọn lý do ra khỏi diện quản lý."))
    if reason == LeaveReason.OTHER and not origin.reason.strip():
        raise RegisterError(_("Lý do “Khác”: hãy ghi rõ ở ô Lý do."))
    person = _locked_current(person, loaded_version)
    if not acting_user.unit.contains(person.commune):
        raise RegisterError(_("Người này nằm ngoài phạm vi của bạn."))
    if person.leave_reason:
        raise RegisterError(_("Hồ sơ này đã ra khỏi diện quản lý."))
    if left_on > timezone.localdate():
        raise RegisterError(_("Ngày ra khỏi diện quản lý không được sau hôm nay."))
    if left_on < person.birth_date:
        raise RegisterError(_("Ngày ra khỏi diện quản lý không được trước ngày sinh."))
    person.left_on, person.leave_reason = left_on, reason
    person.leave_destination = destination.strip()[:200] if reason == LeaveReason.MOVED_AWAY else ""
    confirmed = _previous_confirmed(person)
    person.version += 1
    person.save()
    start = timezone.make_aware(datetime.datetime.combine(left_on, datetime.time.min))
    version = _write_version(
        person,
        acting_user,
        origin,
        None,
        confirmed,
        changes={"register": [None, _leaving(person)]},
        kind=Kind.CLOSE,
        police=police,
        valid_from=start,
    )
    person_left.send(sender=Person, person=person, acting_user=acting_user, version=version)
    record_event(
        actor=acting_user,
        action="register.close_person",
        target=person,
        unit=person.commune,
        details={"version": person.version, "source": origin.source, "reason": reason},
    )
    return version


@transaction.atomic
def reopen_person(
    *,
    acting_user: Any,
    person: Person,
    origin: Origin,
    loaded_version: int | None = None,
) -> PersonVersion:
    """Bring back a person closed by mistake (or who came back), as a new version; the
    closure stays in the history."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    origin = _checked(origin)
    if not origin.reason.strip():
        raise RegisterError(_("Hãy ghi lý do mở lại hồ sơ."))
    person = _locked_current(person, loaded_version)
    if not acting_user.unit.contains(person.commune):
        raise RegisterError(_("Người này nằm ngoài phạm vi của bạn."))
    if not person.leave_reason:
        raise RegisterError(_("Hồ sơ này đang trong diện quản lý."))
    before = _leaving(person)
    person.left_on, person.leave_reason, person.leave_destination = None, "", ""
    confirmed = _previous_confirmed(person)
    person.version += 1
    person.save()
    version = _write_version(
        person,
        acting_user,
        origin,
        None,
        confirmed,
        changes={"register": [before, None]},
        kind=Kind.REOPEN,
    )
    record_event(
        actor=acting_user,
        action="register.reopen_person",
        target=person,
        unit=person.commune,
        details={"version": person.version, "source": origin.source},
    )
    return version


def withdraw_police_updates(*, person: Person, note: str) -> int:
    """The police need not enter the waiting changes of this person separately (a campaign
    carries the form to them); the items stay, marked."""
    now = timezone.now()
    return PoliceUpdate.objects.filter(person=person, status=UpdateStatus.WAITING).update(
        status=UpdateStatus.WITHDRAWN, status_at=now, note=note[:300]
    )


# Where a change for the police may go from each status.
UPDATE_MOVES = {
    UpdateStatus.WAITING: frozenset({UpdateStatus.HANDED_OVER, UpdateStatus.WITHDRAWN}),
    UpdateStatus.HANDED_OVER: frozenset(
        {UpdateStatus.ENTERED, UpdateStatus.NOT_ENTERABLE, UpdateStatus.WAITING}
    ),
    UpdateStatus.NOT_ENTERABLE: frozenset({UpdateStatus.WAITING}),
    UpdateStatus.ENTERED: frozenset(),
    UpdateStatus.WITHDRAWN: frozenset(),
}


def move_update(
    update: PoliceUpdate,
    to: str,
    *,
    now: datetime.datetime,
    acting_user: Any = None,
    entered_on: datetime.date | None = None,
    note: str = "",
) -> PoliceUpdate:
    """One step of a change on its way into the population database (the caller holds the
    row lock: handover.actions, or `resend_update`)."""
    if to not in UPDATE_MOVES[UpdateStatus(update.status)]:
        raise RegisterError(
            _("Không thể chuyển thay đổi từ “%(from)s” sang “%(to)s”.")
            % {"from": UpdateStatus(update.status).label, "to": UpdateStatus(to).label}
        )
    update.status, update.status_at = to, now
    fields = ["status", "status_at"]
    if to == UpdateStatus.ENTERED:
        update.entered_on, update.entered_by = entered_on, acting_user
        fields += ["entered_on", "entered_by"]
    if note or to in (UpdateStatus.WAITING, UpdateStatus.NOT_ENTERABLE):
        update.note = note.strip()[:300]
        fields.append("note")
    update.save(update_fields=fields)
    return update


@transaction.atomic
def resend_update(*, acting_user: Any, update: PoliceUpdate) -> PoliceUpdate:
    """The police could not enter a change; the officer has checked it (and corrected the
    record if needed): it waits for the next handover again."""
    require_capability(acting_user, Capability.HAND_OVER_FORMS)
    update = PoliceUpdate.objects.select_for_update().select_related("commune").get(pk=update.pk)
    if not acting_user.unit.contains(update.commune):
        raise RegisterError(_("Thay đổi này nằm ngoài phạm vi của bạn."))
    move_update(update, UpdateStatus.WAITING, now=timezone.now(), acting_user=acting_user)
    record_event(
        actor=acting_user,
        action="register.resend_update",
        target=update.person,
        unit=update.commune,
    )
    return update


def _check_new_id(person: Person, personal_id: str) -> str:
    parsed = parse_id(personal_id)
    if not isinstance(parsed, ParsedId) or parsed.kind != ParsedIdKind.PERSONAL:
        raise RegisterError(
            _("Số định danh cá nhân phải có đúng 12 chữ số, mã tỉnh đầu số hợp lệ.")
        )
    return parsed.number


@transaction.atomic
def complete_personal_id(
    *,
    acting_user: Any,
    person: Person,
    personal_id: str,
    confirmed_warnings: Iterable[str] = (),
) -> Person:
    """The commune police complete the ID of someone the register holds without one (or with
    a 9-digit CMND): a version that changes only the ID, source "Công an bổ sung". Nothing
    else of the record can be changed this way."""
    require_capability(acting_user, Capability.COMPLETE_IDS)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if current.id_kind == IdKind.PERSONAL:
        raise RegisterError(_("Người này đã có số định danh cá nhân 12 số."))
    number = _check_new_id(current, personal_id)
    return _update(
        acting_user=acting_user,
        person=current,
        answers={**current.answers, "personal_id": number},
        origin=Origin(Source.POLICE_COMPLETION),
        confirmed_warnings=confirmed_warnings,
        police=False,
    )


@transaction.atomic
def reconcile_person(
    *,
    acting_user: Any,
    person: Person,
    values: Mapping[str, Any],
    reference: str,
    confirmed_warnings: Iterable[str] = (),
) -> Person:
    """Take items from the population database (through the police list) into a record, as
    a version with source "Đối soát": a linked person's ID, or the list's name, birth date or
    sex where they differ. The labour officer decides each one on the reconciliation page."""
    require_capability(acting_user, Capability.RECONCILE)
    current = Person.objects.select_for_update().get(pk=person.pk)
    if "personal_id" in values:
        if current.id_kind == IdKind.PERSONAL and current.personal_id != values["personal_id"]:
            raise RegisterError(_("Người này đã có số định danh cá nhân khác."))
        _check_new_id(current, str(values["personal_id"]))
    return _update(
        acting_user=acting_user,
        person=current,
        answers={**current.answers, **values},
        origin=Origin(Source.RECONCILIATION, reference=reference[:200]),
        confirmed_warnings=confirmed_warnings,
        police=False,
    )


# Items a merge never copies: the place comes from the survivor's village.
_NOT_MERGED = {"province", "district", "commune", "village", "full_name", "birth_date", "sex"}


def _empty(value: Any) -> bool:
    return value in (None, "", [])


def _lock_pair(acting_user: Any, first: int, second: int) -> tuple[Person, Person]:
    """Two records locked in primary-key order (no deadlock with a merge the other way),
    both in the user's scope."""
    locked = {
        p.pk: p for p in Person.objects.select_for_update().filter(pk__in=sorted((first, second)))
    }
    pair = (locked[first], locked[second])
    for person in pair:
        if not acting_user.unit.contains(person.commune):
            raise RegisterError(_("Người này nằm ngoài phạm vi của bạn."))
    return pair


def _survivor_takes(
    acting_user: Any, survivor: Person, values: dict[str, Any], origin: Origin
) -> None:
    """A version of the survivor with these items set (taken in a merge, or given back)."""
    answers = {**survivor.answers, **values}
    result = check_person(
        survivor.form_code, answers, village=survivor.village, exclude_pk=survivor.pk
    )
    _update(
        acting_user=acting_user,
        person=survivor,
        answers=answers,
        origin=origin,
        confirmed_warnings=[w.rule for w in result.warnings],
        police=False,
    )


@transaction.atomic
def merge_people(
    *, acting_user: Any, survivor: Person, duplicate: Person, reason: str = ""
) -> Merge:
    """The same person twice: `duplicate` leaves the register ("trùng, đã gộp") pointing at
    `survivor`, which takes the answers only the duplicate had (its ID among them). Both keep
    their histories; `unmerge_people` reverses it. The officer compared both records side by
    side, so warnings the survivor's new answers raise are taken as checked."""
    from laodong.register.models import LeaveReason, Merge

    require_capability(acting_user, Capability.EDIT_REGISTER)
    if survivor.pk == duplicate.pk:
        raise RegisterError(_("Hãy chọn hai hồ sơ khác nhau."))
    survivor, duplicate = _lock_pair(acting_user, survivor.pk, duplicate.pk)
    for person in (survivor, duplicate):
        if person.leave_reason:
            raise RegisterError(
                _("Hồ sơ của %(name)s đã ra khỏi diện quản lý.") % {"name": person.full_name}
            )
    if (
        survivor.id_kind == IdKind.PERSONAL
        and duplicate.id_kind == IdKind.PERSONAL
        and survivor.personal_id != duplicate.personal_id
    ):
        raise RegisterError(_("Hai hồ sơ có hai số định danh khác nhau: đó là hai người."))
    filled = {
        key: value
        for key, value in duplicate.answers.items()
        if key not in _NOT_MERGED and not _empty(value) and _empty(survivor.answers.get(key))
    }
    if survivor.id_kind == IdKind.LEGACY and duplicate.id_kind == IdKind.PERSONAL:
        filled["personal_id"] = duplicate.personal_id
    origin = Origin(Source.MERGE, reason=reason.strip()[:300])
    # The duplicate first: it gives up its ID (one person per ID), keeping it in its history.
    before = _leaving(duplicate)
    moved_id = "personal_id" in filled
    changes: dict[str, list[Any]] = {"register": [before, None]}
    if moved_id:
        changes["personal_id"] = [duplicate.personal_id, ""]
        duplicate.answers = {**duplicate.answers, "personal_id": ""}
        duplicate.personal_id, duplicate.id_kind = "", IdKind.NONE
    duplicate.left_on, duplicate.leave_reason = timezone.localdate(), LeaveReason.MERGED
    duplicate.merged_into = survivor
    changes["register"] = [before, _leaving(duplicate)]
    confirmed = _previous_confirmed(duplicate)
    duplicate.version += 1
    duplicate.save()
    _write_version(
        duplicate, acting_user, origin, None, confirmed, changes=changes, kind=Kind.CLOSE,
        police=False,
    )  # fmt: skip
    if filled:
        _survivor_takes(acting_user, survivor, filled, origin)
    merge = Merge.objects.create(
        survivor=survivor,
        merged=duplicate,
        filled=filled,
        reason=reason.strip()[:300],
        merged_by=acting_user,
        merged_at=timezone.now(),
    )
    record_event(
        actor=acting_user,
        action="register.merge_people",
        target=survivor,
        unit=survivor.commune,
        details={"merged": duplicate.pk, "items": sorted(filled)},
    )
    return merge


@transaction.atomic
def unmerge_people(*, acting_user: Any, merge: Merge) -> Merge:
    """Undo a merge: the survivor gives back the answers it took (those not changed since), and
    the merged record comes back into the register with its ID — each as a new version."""
    from laodong.register.models import Merge as MergeModel

    require_capability(acting_user, Capability.EDIT_REGISTER)
    merge = MergeModel.objects.select_for_update().get(pk=merge.pk)
    if merge.undone_at is not None:
        raise RegisterError(_("Lần gộp này đã được hoàn tác."))
    survivor, merged = _lock_pair(acting_user, merge.survivor_id, merge.merged_id)
    if merged.merged_into_id != survivor.pk:
        raise RegisterError(_("Hồ sơ đã gộp đã thay đổi sau khi gộp; không hoàn tác được."))
    origin = Origin(Source.MERGE, reason=_("Hoàn tác gộp hồ sơ"))
    given_back = {
        key: None for key, value in merge.filled.items() if survivor.answers.get(key) == value
    }
    if given_back:
        _survivor_takes(acting_user, survivor, given_back, origin)
    merged_version = merged.versions.order_by("-number").values_list("changes", flat=True).first()
    old_id = (merged_version or {}).get("personal_id", [""])[0] if merged_version else ""
    before = _leaving(merged)
    changes: dict[str, list[Any]] = {"register": [before, None]}
    if old_id and "personal_id" in given_back:
        parsed = parse_id(old_id)
        merged.personal_id = old_id
        merged.id_kind = (
            IdKind.PERSONAL
            if isinstance(parsed, ParsedId) and parsed.kind == ParsedIdKind.PERSONAL
            else IdKind.LEGACY
        )
        merged.answers = {**merged.answers, "personal_id": old_id}
        changes["personal_id"] = ["", old_id]
    merged.left_on, merged.leave_reason, merged.leave_destination = None, "", ""
    merged.merged_into = None
    confirmed = _previous_confirmed(merged)
    merged.version += 1
    merged.save()
    _write_version(
        merged, acting_user, origin, None, confirmed, changes=changes, kind=Kind.REOPEN,
        police=False,
    )  # fmt: skip
    merge.undone_by, merge.undone_at = acting_user, timezone.now()
    merge.save(update_fields=["undone_by", "undone_at"])
    record_event(
        actor=acting_user,
        action="register.unmerge_people",
        target=survivor,
        unit=survivor.commune,
        details={"merged": merged.pk},
    )
    return merge
