"""Every move of a collected form goes through these functions.

Each locks the work item's row, checks that the move is legal from its current status, writes
one Transition row (actor, time, from, to, reason) and refuses anything else with a clear message.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, has_capability, require_capability
from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection import identity, tally
from laodong.collection.models import (
    Assignment,
    Category,
    Mode,
    OutOfScope,
    PaperReceipt,
    Status,
    Transition,
    WorkItem,
)
from laodong.core.concurrency import StaleEdit, differences, edit_token
from laodong.core.text import fold, fold_compact
from laodong.forms.citizen_id import ParsedId, parse_id
from laodong.forms.dates import PartialDate, add_years
from laodong.forms.definitions import get_form
from laodong.forms.validation import Finding, Severity
from laodong.register import actions as register_actions
from laodong.register.models import LeaveReason, Person, Source
from laodong.register.sources import Origin
from laodong.units.models import Level, Unit

# The legal moves. Anything else is refused by `_move`.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Status.LISTED, Status.EXCLUDED}),
    Status.LISTED: frozenset({Status.SUBMITTED, Status.KEYED_ONCE, Status.EXCLUDED}),
    Status.KEYED_ONCE: frozenset({Status.SUBMITTED}),
    Status.RETURNED: frozenset({Status.SUBMITTED, Status.KEYED_ONCE, Status.EXCLUDED}),
    Status.SUBMITTED: frozenset({Status.ACCEPTED, Status.RETURNED}),
    Status.ACCEPTED: frozenset({Status.HANDED_OVER, Status.RETURNED}),
    Status.HANDED_OVER: frozenset({Status.ENTERED, Status.NOT_ENTERABLE, Status.ACCEPTED}),
    Status.NOT_ENTERABLE: frozenset({Status.ACCEPTED, Status.RETURNED}),
    Status.ENTERED: frozenset({Status.ARCHIVED}),
    Status.ARCHIVED: frozenset(),
    Status.EXCLUDED: frozenset({Status.LISTED}),
}


class WorkflowError(Exception):
    """A move was refused; the message says why, `findings` what is wrong with the form."""

    def __init__(self, message: str, findings: Iterable[Finding] = ()) -> None:
        super().__init__(message)
        self.findings = list(findings)


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _lock(item: WorkItem) -> WorkItem:
    return (
        WorkItem.objects.select_for_update(of=("self",))
        .select_related("campaign", "village", "commune")
        .get(pk=item.pk)
    )


def _check_scope(acting_user: Any, item: WorkItem) -> None:
    if not acting_user.unit.contains(item.village):
        raise WorkflowError(_("Người này nằm ngoài phạm vi của bạn."))


def move_item(
    item: WorkItem,
    to: str,
    *,
    acting_user: Any,
    now: datetime.datetime,
    reason: str = "",
    fields: Sequence[str] = (),
    mark: bool = True,
) -> Transition:
    """Set the new status on a locked item and return its (unsaved) transition; the village's
    progress tally is marked stale unless the caller marks it (`mark=False`, many items)."""
    if to not in TRANSITIONS[item.status]:
        raise WorkflowError(
            _("Không thể chuyển phiếu từ “%(current)s” sang “%(target)s”.")
            % {"current": _status_label(item.status), "target": _status_label(to)}
        )
    before = item.status
    item.status = to
    item.save(update_fields=["status", "updated_at", *fields])
    if mark:
        tally.mark_village(item.campaign_id, item.commune_id, item.village_id)
    return Transition(
        work_item=item,
        from_status=before,
        to_status=to,
        actor=acting_user,
        at=now,
        reason=reason.strip()[:300],
    )


def _transition(item: WorkItem, to: str, **kwargs: Any) -> None:
    move_item(item, to, **kwargs).save()


def prefill(item: WorkItem) -> dict[str, Any]:
    """The form as the enumerator opens it: the register's answers, then the police list's."""
    answers: dict[str, Any] = {}
    if item.person_id is not None and item.person is not None:
        answers.update(item.person.answers)
    birth = str(item.birth_date.year) if item.birth_year_only else f"{item.birth_date:%d/%m/%Y}"
    answers.update(
        {
            "full_name": item.full_name,
            "birth_date": birth,
            "personal_id": item.personal_id,
        }
    )
    if item.sex:
        answers["sex"] = item.sex
    if item.household_code:
        answers["household_code"] = item.household_code
    relation = relation_code(item.relation)
    if relation and not answers.get("relation_to_head"):
        answers["relation_to_head"] = relation
    if item.address and not answers.get("permanent_address"):
        answers["permanent_address"] = item.address
    answers.update(item.answers)
    return answers


# "Quan hệ với chủ hộ" as police lists write it → the code list relation_to_head.
_RELATIONS = {
    "chu ho": "1",
    "vo": "2",
    "chong": "2",
    "con": "3",
    "con de": "3",
    "con nuoi": "3",
    "con dau": "3",
    "con re": "3",
    "cha": "4",
    "me": "4",
    "bo": "4",
    "ong": "5",
    "ba": "5",
    "anh": "6",
    "chi": "6",
    "em": "6",
    "chau": "7",
}


def relation_code(text: str) -> str:
    """The form's code for a relation to the head as the police list writes it, or ""."""
    folded = fold_compact(text)
    if not folded:
        return ""
    if folded in _RELATIONS:
        return _RELATIONS[folded]
    first = folded.split(" ")[0]
    return _RELATIONS.get(first, "8")


def _validate(item: WorkItem, answers: Mapping[str, Any]) -> Any:
    result = register_actions.check_person(
        item.campaign.form_code,
        answers,
        village=item.village,
        exclude_pk=item.person_id,
        reference_date=item.campaign.reference_date,
    )
    result.findings.extend(identity.findings(item, result.values))
    return result


def _explained(item: WorkItem, result: Any, reasons: Mapping[str, str]) -> dict[str, str]:
    """The reasons for the identity warnings this form raises (given now, or kept from an
    earlier submission); refuse the form while one has none."""
    kept = {**item.identity_reasons, **{k: v.strip()[:300] for k, v in reasons.items() if v}}
    missing = identity.unexplained(result.warnings, kept)
    if missing:
        raise WorkflowError(
            _(
                "Họ tên, ngày sinh hoặc giới tính trên phiếu khác danh sách Công an xã: hãy "
                "kiểm tra lại, và nếu đúng là khác thì ghi lý do (ví dụ: theo giấy tờ nào)."
            ),
            missing,
        )
    raised = {finding.rule for finding in result.warnings}
    return {rule: text for rule, text in kept.items() if rule in raised}


def _findings(result: Any) -> list[dict[str, str]]:
    return [finding.as_dict() for finding in result.findings]


def may_collect_as_enumerator(user: Any, item: WorkItem) -> bool:
    """Enumerators collect what they were assigned, or anything in their village when nobody
    was."""
    if not has_capability(user, Capability.COLLECT_FORMS):
        return False
    if item.assigned_to_id is not None:
        return bool(item.assigned_to_id == user.pk)
    return bool(user.unit.level == Level.VILLAGE and user.unit.contains(item.village))


def may_collect(user: Any, item: WorkItem) -> bool:
    """Whether the user may fill in this person's form: as its enumerator, or as an officer
    keying paper forms for the commune."""
    if has_capability(user, Capability.KEY_PAPER_FORMS) and user.unit.contains(item.village):
        return True
    return may_collect_as_enumerator(user, item)


def _check_collector(acting_user: Any, item: WorkItem) -> None:
    _check_scope(acting_user, item)
    if not may_collect(acting_user, item):
        raise WorkflowError(_("Phiếu này đã giao cho điều tra viên khác."))
    if not item.campaign.is_open:
        raise WorkflowError(_("Kế hoạch đã kết thúc, không nhận thêm phiếu."))


@transaction.atomic
def save_form_draft(
    *, acting_user: Any, item: WorkItem, answers: Mapping[str, Any], loaded_token: str | None = None
) -> WorkItem:
    """Keep the form as typed, to finish later; it stays on the collector's list."""
    item = _lock(item)
    _check_fresh(item, answers, loaded_token)
    _check_collector(acting_user, item)
    if item.status not in (Status.LISTED, Status.RETURNED):
        raise WorkflowError(
            _("Phiếu đang ở trạng thái “%(status)s”, không sửa được.")
            % {"status": _status_label(item.status)}
        )
    item.answers = register_actions.filled(answers)
    item.has_draft = True
    item.save(update_fields=["answers", "has_draft", "updated_at"])
    return item


def _store_submission(
    item: WorkItem,
    answers: Mapping[str, Any],
    result: Any,
    confirmed: Iterable[str],
    *,
    collected_by: Any,
    keyed_by: Any,
    collected_on: datetime.date | None,
    mode: str,
    now: datetime.datetime,
    reasons: Mapping[str, str] | None = None,
) -> list[str]:
    explained = _explained(item, result, reasons or {})
    item.answers = register_actions.filled(answers)
    item.has_draft = False
    item.findings = _findings(result)
    item.identity_reasons = explained
    item.confirmed_warnings = sorted(
        ({w.rule for w in result.warnings} & set(confirmed)) | set(explained)
    )
    item.collected_by, item.keyed_by, item.mode = collected_by, keyed_by, mode
    item.collected_on = collected_on or timezone.localdate()
    item.submitted_at = now
    item.return_reason, item.return_comments = "", {}
    item.keying_differences = []
    return [
        "identity_reasons",
        "keying_differences",
        "answers",
        "has_draft",
        "findings",
        "confirmed_warnings",
        "collected_by",
        "keyed_by",
        "mode",
        "collected_on",
        "submitted_at",
        "return_reason",
        "return_comments",
    ]


def _refuse_errors(result: Any) -> None:
    # A person another commune holds is collected all the same: the form goes to the officer,
    # who asks for the transfer; acceptance waits for it (never a silent move).
    errors = [e for e in result.errors if e.rule != register_actions.ELSEWHERE]
    if errors:
        raise WorkflowError(
            _("Phiếu còn %(count)s lỗi, hãy sửa trước khi nộp.") % {"count": len(errors)},
            errors,
        )


@transaction.atomic
def submit_form(
    *,
    acting_user: Any,
    item: WorkItem,
    answers: Mapping[str, Any],
    confirmed_warnings: Iterable[str] = (),
    loaded_token: str | None = None,
    identity_reasons: Mapping[str, str] | None = None,
    collected_by: Any = None,
) -> WorkItem:
    """An enumerator hands in a form collected on the phone; warnings go to the officer.
    `collected_by`: who collected it when someone else puts it through (a conflict decided for
    the phone's version)."""
    item = _lock(item)
    _check_fresh(item, answers, loaded_token)
    _check_collector(acting_user, item)
    result = _validate(item, answers)
    _refuse_errors(result)
    now = timezone.now()
    fields = _store_submission(
        item,
        answers,
        result,
        confirmed_warnings,
        collected_by=collected_by or acting_user,
        keyed_by=collected_by or acting_user,
        collected_on=None,
        mode=Mode.PHONE,
        now=now,
        reasons=identity_reasons or {},
    )
    resubmitted = item.status == Status.RETURNED
    _transition(
        item,
        Status.SUBMITTED,
        acting_user=acting_user,
        now=now,
        reason=_("Nộp lại sau khi sửa") if resubmitted else "",
        fields=fields,
    )
    return item


def answers_token(item: WorkItem) -> str:
    """The token of a work item's answers, carried by the form page that edits them."""
    return edit_token(item.answers)


def _check_fresh(item: WorkItem, answers: Mapping[str, Any], loaded_token: str | None) -> None:
    """Refuse a save made on answers someone else has saved over since the page was opened
    (the item is locked): the refusal lists each item that differs, to merge."""
    if loaded_token is None or loaded_token == answers_token(item):
        return
    from laodong.register.display import answer_text

    definition = get_form(item.campaign.form_code)
    typed = register_actions.filled(answers)

    def label(key: str) -> str:
        return definition.item(key).title if definition.has_item(key) else key

    def show(key: str, value: Any) -> str:
        if not definition.has_item(key):
            return "" if value is None else str(value)
        return answer_text(definition, key, value, full_id=False)

    keys = [i.key for i in definition.items if i.key in typed or i.key in item.answers]
    found, merged = differences(typed, item.answers, keys=keys, label=label, show=show)
    raise StaleEdit(
        token=answers_token(item), differences=found, saved_at=item.updated_at, merged=merged
    )


def _differences(first: Mapping[str, Any], second: Mapping[str, Any]) -> list[str]:
    def norm(value: Any) -> Any:
        if isinstance(value, list):
            return sorted(str(v) for v in value)
        return "" if value is None else str(value).strip()

    keys = set(first) | set(second)
    return sorted(key for key in keys if norm(first.get(key)) != norm(second.get(key)))


@transaction.atomic
def key_paper_form(
    *,
    acting_user: Any,
    item: WorkItem,
    answers: Mapping[str, Any],
    collected_by: Any,
    collected_on: datetime.date,
    confirmed_warnings: Iterable[str] = (),
    loaded_token: str | None = None,
    identity_reasons: Mapping[str, str] | None = None,
) -> WorkItem:
    """An officer keys a paper form; with double entry the second keying must agree — when it
    does not, the item stays keyed once with `keying_differences` set, to be resolved."""
    require_capability(acting_user, Capability.KEY_PAPER_FORMS)
    item = _lock(item)
    _check_fresh(item, answers, loaded_token)
    _check_collector(acting_user, item)
    cleaned = register_actions.filled(answers)
    now = timezone.now()
    if item.campaign.double_entry and item.status != Status.KEYED_ONCE:
        item.first_keying = cleaned
        item.first_keyed_by = acting_user
        item.keying_differences = []
        item.collected_by, item.collected_on, item.mode = collected_by, collected_on, Mode.PAPER
        _transition(
            item,
            Status.KEYED_ONCE,
            acting_user=acting_user,
            now=now,
            fields=[
                "first_keying",
                "first_keyed_by",
                "keying_differences",
                "collected_by",
                "collected_on",
                "mode",
            ],
        )
        return item
    if item.status == Status.KEYED_ONCE:
        if item.first_keyed_by_id == acting_user.pk:
            raise WorkflowError(_("Lần nhập thứ hai phải do người khác thực hiện."))
        differences = _differences(item.first_keying, cleaned)
        if differences:
            # Kept (not refused): the officer then settles them item by item on the paper form.
            item.keying_differences = differences
            item.save(update_fields=["keying_differences", "updated_at"])
            return item
    result = _validate(item, cleaned)
    _refuse_errors(result)
    fields = _store_submission(
        item,
        cleaned,
        result,
        confirmed_warnings,
        collected_by=collected_by,
        keyed_by=acting_user,
        collected_on=collected_on,
        mode=Mode.PAPER,
        now=now,
        reasons=identity_reasons or {},
    )
    _transition(item, Status.SUBMITTED, acting_user=acting_user, now=now, fields=fields)
    return item


@transaction.atomic
def resolve_keying(
    *,
    acting_user: Any,
    item: WorkItem,
    answers: Mapping[str, Any],
    confirmed_warnings: Iterable[str] = (),
    loaded_token: str | None = None,
    identity_reasons: Mapping[str, str] | None = None,
) -> WorkItem:
    """Settle the items two keyings disagreed on, after checking the paper form."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_fresh(item, answers, loaded_token)
    _check_scope(acting_user, item)
    if item.status != Status.KEYED_ONCE or not item.keying_differences:
        raise WorkflowError(_("Phiếu này không có chênh lệch giữa hai lần nhập."))
    cleaned = register_actions.filled(answers)
    result = _validate(item, cleaned)
    _refuse_errors(result)
    now = timezone.now()
    differences = item.keying_differences
    fields = _store_submission(
        item,
        cleaned,
        result,
        confirmed_warnings,
        collected_by=item.collected_by,
        keyed_by=item.first_keyed_by,
        collected_on=item.collected_on,
        mode=Mode.PAPER,
        now=now,
        reasons=identity_reasons or {},
    )
    _transition(
        item,
        Status.SUBMITTED,
        acting_user=acting_user,
        now=now,
        reason=_("Thống nhất %(count)s mục nhập khác nhau") % {"count": len(differences)},
        fields=fields,
    )
    return item


def _write_register(acting_user: Any, item: WorkItem, confirmed: list[str]) -> Person:
    campaign: Campaign = item.campaign
    person = item.person
    if person is None and item.personal_id:
        person = Person.objects.filter(personal_id=item.personal_id).first()
    if person is None:
        return register_actions.record_person(
            acting_user=acting_user,
            form_code=campaign.form_code,
            village=item.village,
            answers=item.answers,
            origin=Origin(Source.COLLECTION, reference=campaign.title[:200]),
            confirmed_warnings=confirmed,
            reference_date=campaign.reference_date,
            police=False,
        )
    return register_actions.update_person(
        acting_user=acting_user,
        person=person,
        village=item.village,
        answers=item.answers,
        origin=Origin(Source.COLLECTION, reference=campaign.title[:200]),
        confirmed_warnings=confirmed,
        reference_date=campaign.reference_date,
        police=False,
    )


def _accept_locked(
    acting_user: Any,
    item: WorkItem,
    confirmed: Iterable[str],
    now: datetime.datetime,
    reasons: Mapping[str, str] | None = None,
) -> None:
    if item.status not in (Status.SUBMITTED, Status.NOT_ENTERABLE):
        raise WorkflowError(
            _("Không thể nghiệm thu phiếu đang ở trạng thái “%(status)s”.")
            % {"status": _status_label(item.status)}
        )
    if item.person_id is None and item.personal_id:
        # The register may hold the person by now (moved in by a transfer, or keyed): this
        # form updates that record rather than making a second one.
        item.person = Person.objects.filter(
            personal_id=item.personal_id, commune_id=item.commune_id
        ).first()
    # The register may have changed since submission (a duplicate elsewhere), so check again.
    result = _validate(item, item.answers)
    if result.errors:
        raise WorkflowError(
            _("Phiếu còn %(count)s lỗi, không nghiệm thu được.") % {"count": len(result.errors)},
            result.errors,
        )
    explained = _explained(item, result, reasons or {})
    all_confirmed = {*confirmed, *item.confirmed_warnings, *explained}
    unconfirmed = [w for w in result.warnings if w.rule not in all_confirmed]
    if unconfirmed:
        raise WorkflowError(
            _("Hãy xác nhận %(count)s cảnh báo trước khi nghiệm thu.")
            % {"count": len(unconfirmed)},
            unconfirmed,
        )
    try:
        person = _write_register(acting_user, item, sorted(all_confirmed))
    except register_actions.RegisterError as refused:
        raise WorkflowError(str(refused), refused.findings) from refused
    item.person = person
    item.findings = _findings(result)
    item.identity_reasons = explained
    item.confirmed_warnings = sorted({w.rule for w in result.warnings})
    item.accepted_at, item.accepted_by = now, acting_user
    item.not_enterable_reason = ""
    item.handover = None
    _transition(
        item,
        Status.ACCEPTED,
        acting_user=acting_user,
        now=now,
        fields=[
            "person",
            "findings",
            "identity_reasons",
            "confirmed_warnings",
            "accepted_at",
            "accepted_by",
            "not_enterable_reason",
            "handover",
        ],
    )


@transaction.atomic
def accept_form(
    *,
    acting_user: Any,
    item: WorkItem,
    confirmed_warnings: Iterable[str] = (),
    identity_reasons: Mapping[str, str] | None = None,
) -> WorkItem:
    """The officer accepts a clean form: it enters the register as a new version."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_scope(acting_user, item)
    _accept_locked(acting_user, item, confirmed_warnings, timezone.now(), identity_reasons)
    record_event(
        actor=acting_user,
        action="collection.accept_form",
        target=item,
        unit=item.commune,
        details={"campaign": item.campaign_id},
    )
    return item


@transaction.atomic
def adopt_register_form(*, acting_user: Any, person: Person) -> list[WorkItem]:
    """A form an officer keyed under "Nhập phiếu" for someone on an open campaign's list is that
    person's campaign form: it enters the campaign already accepted (the officer who keyed it
    into the register is the one who accepts), so it goes to the police with the others and no
    enumerator collects the person again. With double entry it waits for the second keying."""
    if not person.personal_id or not has_capability(acting_user, Capability.ACCEPT_FORMS):
        return []
    today = timezone.localdate()
    candidates = WorkItem.objects.filter(
        personal_id=person.personal_id,
        commune_id=person.commune_id,
        status__in=(Status.LISTED, Status.RETURNED),
        campaign__collection_start__lte=today,
        campaign__entry_end__gte=today,
    )
    adopted = []
    now = timezone.now()
    reason = _("Phiếu giấy nhập ở mục “Nhập phiếu”")
    for candidate in candidates:
        item = _lock(candidate)
        if item.status not in (Status.LISTED, Status.RETURNED):
            continue
        item.person = person
        item.collected_by = item.keyed_by = acting_user
        item.collected_on = person.collection_date or today
        item.mode = Mode.PAPER
        answers = dict(person.answers)
        if item.campaign.double_entry:
            item.first_keying, item.first_keyed_by = answers, acting_user
            _transition(
                item,
                Status.KEYED_ONCE,
                acting_user=acting_user,
                now=now,
                reason=reason,
                fields=["person", "collected_by", "keyed_by", "collected_on", "mode",
                        "first_keying", "first_keyed_by"],
            )  # fmt: skip
        else:
            item.answers, item.has_draft, item.submitted_at = answers, False, now
            item.findings, item.return_reason, item.return_comments = [], "", {}
            _transition(
                item,
                Status.SUBMITTED,
                acting_user=acting_user,
                now=now,
                reason=reason,
                fields=["person", "collected_by", "keyed_by", "collected_on", "mode", "answers",
                        "has_draft", "submitted_at", "findings", "return_reason",
                        "return_comments"],
            )  # fmt: skip
            item.accepted_at, item.accepted_by = now, acting_user
            _transition(
                item,
                Status.ACCEPTED,
                acting_user=acting_user,
                now=now,
                reason=reason,
                fields=["accepted_at", "accepted_by"],
            )
        record_event(
            actor=acting_user,
            action="collection.adopt_register_form",
            target=item,
            unit=item.commune,
            details={"campaign": item.campaign_id},
        )
        adopted.append(item)
    if adopted:
        # The campaign hands this form to the police; the register's own item is not needed.
        register_actions.withdraw_police_updates(
            person=person,
            note=_("Phiếu đi theo kế hoạch thu thập %(campaign)s")
            % {"campaign": adopted[0].campaign.title},
        )
    return adopted


def accept_clean_forms(*, acting_user: Any, items: Iterable[WorkItem]) -> tuple[int, int]:
    """Accept every form that has neither errors nor unconfirmed warnings; return (accepted,
    left) — the others stay submitted for the officer to look at one by one."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    accepted = left = 0
    for item in items:
        try:
            # One transaction per form: a form that fails leaves the others accepted.
            with transaction.atomic():
                locked = _lock(item)
                _check_scope(acting_user, locked)
                _accept_locked(acting_user, locked, (), timezone.now())
        except WorkflowError:
            left += 1
        else:
            accepted += 1
    if accepted:
        record_event(
            actor=acting_user,
            action="collection.accept_clean_forms",
            unit=acting_user.unit,
            target_type="collection.workitem",
            details={"accepted": accepted, "left": left},
        )
    return accepted, left


@transaction.atomic
def return_form(
    *,
    acting_user: Any,
    item: WorkItem,
    reason: str,
    comments: Mapping[str, str] | None = None,
) -> WorkItem:
    """Send a form back to its collector with a reason and comments on the items to fix."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_scope(acting_user, item)
    if not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do trả lại phiếu."))
    item.return_reason = reason.strip()[:300]
    item.return_comments = {k: v.strip()[:300] for k, v in (comments or {}).items() if v.strip()}
    item.handover = None
    _transition(
        item,
        Status.RETURNED,
        acting_user=acting_user,
        now=timezone.now(),
        reason=reason,
        fields=["return_reason", "return_comments", "handover"],
    )
    return item


@transaction.atomic
def exclude_person(*, acting_user: Any, item: WorkItem, reason: str) -> WorkItem:
    """Take a listed person off the work list (armed forces, deceased, moved away…)."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_scope(acting_user, item)
    if not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do không thu thập."))
    _transition(item, Status.EXCLUDED, acting_user=acting_user, now=timezone.now(), reason=reason)
    return item


def exclude_left_person(*, person: Person, acting_user: Any, version: Any, **_kwargs: Any) -> int:
    """A person who left the register is not collected in open campaigns any more: their
    forms not yet collected leave the work list (and progress), with the closure as the
    reason. Runs inside the closing transaction (register.signals.person_left)."""
    items = list(
        WorkItem.objects.select_for_update(of=("self",))
        .filter(
            person=person,
            campaign__closed_at__isnull=True,
            status__in=(Status.LISTED, Status.RETURNED),
        )
        .order_by("pk")
    )
    reason = _("Ra khỏi diện quản lý: %(reason)s") % {"reason": person.get_leave_reason_display()}
    now = timezone.now()
    for item in items:
        _transition(item, Status.EXCLUDED, acting_user=acting_user, now=now, reason=reason)
    return len(items)


@transaction.atomic
def restore_person(*, acting_user: Any, item: WorkItem) -> WorkItem:
    """Put an excluded person back on the work list."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_scope(acting_user, item)
    _transition(item, Status.LISTED, acting_user=acting_user, now=timezone.now())
    return item


@transaction.atomic
def assign_work(
    *,
    acting_user: Any,
    campaign: Campaign,
    village: Unit,
    enumerator: Any,
    household_code: str = "",
    target: int | None = None,
    due: datetime.date | None = None,
) -> int:
    """Give a village (or one household in it) to an enumerator, with the enumerator's target
    and deadline for it; return how many people on the list it covers. Items already collected
    keep their collector."""
    require_capability(acting_user, Capability.ASSIGN_WORK)
    if not acting_user.unit.contains(village) or village.level != Level.VILLAGE:
        raise WorkflowError(_("Thôn này nằm ngoài phạm vi của bạn."))
    if not has_capability(enumerator, Capability.COLLECT_FORMS) or not (
        acting_user.unit.contains(enumerator.unit)
    ):
        raise WorkflowError(_("Chỉ giao việc cho điều tra viên hoặc trưởng thôn của xã."))
    household_code = household_code.strip()
    if (
        household_code
        and not WorkItem.objects.filter(
            campaign=campaign, village=village, household_code__iexact=household_code
        ).exists()
    ):
        raise WorkflowError(
            _(
                "Danh sách của thôn %(village)s không có hộ mã “%(code)s”. Kiểm tra lại mã hộ "
                "trên danh sách của Công an xã."
            )
            % {"village": village.label(), "code": household_code}
        )
    if household_code:
        # As the list writes it ("hgd01" typed for "HGD01").
        household_code = (
            WorkItem.objects.filter(
                campaign=campaign, village=village, household_code__iexact=household_code
            )
            .values_list("household_code", flat=True)
            .first()
            or household_code
        )
    if target is not None and not 0 < target <= 100_000:
        raise WorkflowError(_("Chỉ tiêu phải là số phiếu từ 1 trở lên."))
    if due is not None and not campaign.collection_start <= due <= campaign.entry_end:
        raise WorkflowError(
            _("Hạn hoàn thành phải trong thời gian của kế hoạch (%(start)s – %(end)s).")
            % {
                "start": f"{campaign.collection_start:%d/%m/%Y}",
                "end": f"{campaign.entry_end:%d/%m/%Y}",
            }
        )
    Assignment.objects.update_or_create(
        campaign=campaign,
        village=village,
        household_code=household_code,
        defaults={
            "enumerator": enumerator,
            "assigned_by": acting_user,
            "target": target,
            "due": due,
        },
    )
    items = WorkItem.objects.filter(
        campaign=campaign, village=village, status__in=(Status.LISTED, Status.EXCLUDED)
    )
    if household_code:
        items = items.filter(household_code=household_code)
    else:
        # A household given to someone else stays theirs.
        other_households = Assignment.objects.filter(campaign=campaign, village=village).exclude(
            household_code=""
        )
        items = items.exclude(household_code__in=other_households.values("household_code"))
    items.update(assigned_to=enumerator, updated_at=timezone.now())
    # What the enumerator has to do: people to collect, not those out of scope or complete.
    count = (
        items.filter(Q(in_latest_list=True) | Q(outside_list=True), status=Status.LISTED)
        .exclude(category=Category.CURRENT)
        .count()
    )
    record_event(
        actor=acting_user,
        action="collection.assign_work",
        target=campaign,
        unit=village,
        details={"enumerator": enumerator.pk, "household": bool(household_code), "items": count},
    )
    return count


@transaction.atomic
def remove_assignment(*, acting_user: Any, assignment: Assignment) -> int:
    """Take a village (or household) back from an enumerator: its people not yet collected go
    back to whoever holds the whole village, or to nobody (then any enumerator of the village
    may collect them). Forms already collected keep their collector."""
    require_capability(acting_user, Capability.ASSIGN_WORK)
    if not acting_user.unit.contains(assignment.village):
        raise WorkflowError(_("Thôn này nằm ngoài phạm vi của bạn."))
    items = WorkItem.objects.filter(
        campaign=assignment.campaign,
        village=assignment.village,
        assigned_to=assignment.enumerator,
        status__in=(Status.LISTED, Status.EXCLUDED),
    )
    fallback = None
    if assignment.household_code:
        items = items.filter(household_code=assignment.household_code)
        whole = Assignment.objects.filter(
            campaign=assignment.campaign, village=assignment.village, household_code=""
        ).first()
        fallback = whole.enumerator_id if whole else None
    else:
        taken = Assignment.objects.filter(
            campaign=assignment.campaign, village=assignment.village
        ).exclude(household_code="")
        items = items.exclude(household_code__in=taken.values("household_code"))
    count = items.update(assigned_to_id=fallback, updated_at=timezone.now())
    record_event(
        actor=acting_user,
        action="collection.remove_assignment",
        target=assignment.campaign,
        unit=assignment.village,
        details={
            "enumerator": assignment.enumerator_id,
            "household": bool(assignment.household_code),
            "items": count,
        },
    )
    assignment.delete()
    return count


def apply_assignments(campaign: Campaign, commune: Unit, list_import: Any = None) -> None:
    """Give newly listed people (of one import, when given) to whoever holds their village or
    household."""
    open_items = WorkItem.objects.filter(
        campaign=campaign, commune=commune, status=Status.LISTED, assigned_to__isnull=True
    )
    if list_import is not None:
        open_items = open_items.filter(list_import=list_import)
    assignments = Assignment.objects.filter(campaign=campaign, village__parent=commune)
    # Whole villages first, then households, so that a household assignment wins.
    for assignment in sorted(assignments, key=lambda a: a.household_code != ""):
        items = open_items.filter(village_id=assignment.village_id)
        if assignment.household_code:
            items = WorkItem.objects.filter(
                campaign=campaign,
                village_id=assignment.village_id,
                household_code=assignment.household_code,
                status=Status.LISTED,
            )
            if list_import is not None:
                items = items.filter(list_import=list_import)
        items.update(assigned_to_id=assignment.enumerator_id)


def finding_from_dict(data: Mapping[str, str]) -> Finding:
    """A finding as stored on the work item, back as an object for display."""
    return Finding(
        data.get("rule", ""),
        Severity(data.get("severity", Severity.ERROR)),
        data.get("field", ""),
        data.get("message", ""),
    )


# What the police list's remark means for the register (the reasons a record is closed for).
CLOSING_REMARKS: dict[str, str] = {
    OutOfScope.DECEASED: LeaveReason.DECEASED,
    OutOfScope.MOVED_AWAY: LeaveReason.MOVED_AWAY,
    OutOfScope.ARMED_FORCES: LeaveReason.ARMED_FORCES,
    OutOfScope.POLICE: LeaveReason.POLICE,
}


@dataclass
class ClosureProposal:
    item: WorkItem
    person: Person
    reason: str  # a LeaveReason


def closure_proposals(campaign: Campaign, commune: Unit) -> list[ClosureProposal]:
    """People still in the register whom the commune's latest police list of the campaign
    marks dead, moved away, armed forces or police: each is proposed for closing."""
    items = list(
        WorkItem.objects.filter(
            campaign=campaign,
            commune=commune,
            in_latest_list=True,
            out_of_scope__in=list(CLOSING_REMARKS),
        )
        .exclude(personal_id="")
        .select_related("list_import", "village")
        .order_by("village_id", "full_name_folded", "pk")
    )
    people = {
        person.personal_id: person
        for person in Person.objects.filter(
            commune=commune,
            leave_reason="",
            personal_id__in=[item.personal_id for item in items],
        ).select_related("village")
    }
    return [
        ClosureProposal(item, people[item.personal_id], CLOSING_REMARKS[item.out_of_scope])
        for item in items
        if item.personal_id in people
    ]


def close_by_police_list(
    *,
    acting_user: Any,
    campaign: Campaign,
    commune: Unit,
    item_ids: Iterable[int],
    left_on: datetime.date,
) -> tuple[int, list[str]]:
    """Close the records of the chosen proposals, the police list as the source; each person
    in their own transaction (one that fails — e.g. a date before their birth — leaves the
    others closed). Returns (closed, the refusals in words)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    wanted = set(item_ids)
    closed, refused = 0, []
    for proposal in closure_proposals(campaign, commune):
        if proposal.item.pk not in wanted:
            continue
        listing = proposal.item.list_import
        origin = Origin(
            Source.POLICE,
            reference_title=_("Danh sách Công an xã"),
            reference=(listing.original_name if listing else campaign.title)[:200],
            reference_date=(
                timezone.localdate(listing.applied_at) if listing and listing.applied_at else None
            ),
            reason=proposal.item.police_note[:300],
        )
        try:
            register_actions.close_person(
                acting_user=acting_user,
                person=proposal.person,
                left_on=left_on,
                reason=proposal.reason,
                origin=origin,
            )
        except register_actions.RegisterError as problem:
            refused.append(f"{proposal.person.full_name}: {problem}")
        else:
            closed += 1
    return closed, refused


@transaction.atomic
def add_outside_list(
    *,
    acting_user: Any,
    campaign: Campaign,
    village: Unit,
    full_name: str,
    birth_date: PartialDate,
    sex: str,
    personal_id: str = "",
    household_code: str = "",
    relation: str = "",
    note: str = "",
) -> WorkItem:
    """Someone the police list missed ("bổ sung ngoài danh sách"), with or without an ID:
    the officer adds them to the work list; an enumerator proposes them, assigned to
    themselves, for the officer to approve. Then the usual four steps."""
    officer = has_capability(acting_user, Capability.ACCEPT_FORMS)
    if not officer:
        require_capability(acting_user, Capability.COLLECT_FORMS)
    if not campaign.is_open:
        raise WorkflowError(_("Kế hoạch đã kết thúc."))
    if (
        village.level != Level.VILLAGE
        or village.parent_id not in set(campaign.communes.values_list("pk", flat=True))
        or not (acting_user.unit.contains(village) or village.contains(acting_user.unit))
    ):
        raise WorkflowError(_("Thôn này nằm ngoài phạm vi của bạn hoặc của kế hoạch."))
    name = " ".join(full_name.split())
    if not name:
        raise WorkflowError(_("Hãy ghi họ và tên."))
    if birth_date.value > add_years(campaign.reference_date, -15):
        raise WorkflowError(
            _("Người này chưa đủ 15 tuổi vào ngày %(day)s (mốc của kế hoạch).")
            % {"day": f"{campaign.reference_date:%d/%m/%Y}"}
        )
    number = ""
    if personal_id.strip():
        parsed = parse_id(personal_id)
        if not isinstance(parsed, ParsedId):
            raise WorkflowError(_("Số định danh không đúng (12 chữ số, hoặc CMND 9 chữ số)."))
        number = parsed.number
        if WorkItem.objects.filter(campaign=campaign, personal_id=number).exists():
            raise WorkflowError(
                _("Người có số định danh này đã có trong danh sách của kế hoạch: hãy tìm trong "
                  "danh sách thu thập.")
            )  # fmt: skip
    assert village.parent is not None
    person = (
        Person.objects.filter(personal_id=number, commune=village.parent).first()
        if number
        else None
    )
    now = timezone.now()
    item = WorkItem.objects.create(
        campaign=campaign,
        commune=village.parent,
        village=village,
        personal_id=number,
        full_name=name,
        full_name_folded=fold(name),
        birth_date=birth_date.value,
        birth_year_only=birth_date.year_only,
        sex=sex if sex in ("1", "2") else "",
        household_code=household_code.strip()[:30],
        relation=relation.strip()[:50],
        police_note=note.strip()[:300],
        in_latest_list=False,
        outside_list=True,
        category=Category.TO_UPDATE if person else Category.TO_COLLECT,
        person=person,
        status=Status.LISTED if officer else Status.PROPOSED,
        assigned_to=None if officer else acting_user,
        proposed_by=acting_user,
    )
    Transition.objects.create(
        work_item=item,
        from_status="",
        to_status=item.status,
        actor=acting_user,
        at=now,
        reason=_("Bổ sung ngoài danh sách của Công an"),
    )
    tally.mark_village(campaign.pk, village.parent_id, village.pk)
    record_event(
        actor=acting_user,
        action="collection.add_outside_list",
        target=item,
        unit=item.commune,
        details={"campaign": campaign.pk, "proposed": not officer},
    )
    return item


@transaction.atomic
def approve_proposal(*, acting_user: Any, item: WorkItem) -> WorkItem:
    """The officer agrees that an enumerator's proposed person belongs on the work list."""
    require_capability(acting_user, Capability.ACCEPT_FORMS)
    item = _lock(item)
    _check_scope(acting_user, item)
    _transition(
        item,
        Status.LISTED,
        acting_user=acting_user,
        now=timezone.now(),
        reason=_("Đồng ý bổ sung ngoài danh sách"),
    )
    record_event(
        actor=acting_user,
        action="collection.approve_proposal",
        target=item,
        unit=item.commune,
    )
    return item


# Forms that may still get their ID from the police: collected, not yet in the register.
FORMS_TO_COMPLETE = (Status.SUBMITTED, Status.RETURNED, Status.KEYED_ONCE)


@transaction.atomic
def complete_form_id(*, acting_user: Any, item: WorkItem, personal_id: str) -> WorkItem:
    """The commune police write the ID of a person collected without one (someone the list
    missed) on the form: only the ID changes; the officer accepts the form as usual."""
    require_capability(acting_user, Capability.COMPLETE_IDS)
    item = _lock(item)
    _check_scope(acting_user, item)
    if item.status not in FORMS_TO_COMPLETE:
        raise WorkflowError(
            _("Phiếu đang ở trạng thái “%(status)s”: bổ sung số định danh cho hồ sơ trong cơ sở "
              "dữ liệu.") % {"status": _status_label(item.status)}
        )  # fmt: skip
    if item.personal_id:
        raise WorkflowError(_("Phiếu này đã có số định danh."))
    parsed = parse_id(personal_id)
    if not isinstance(parsed, ParsedId) or len(parsed.number) != 12:
        raise WorkflowError(_("Số định danh cá nhân phải có đúng 12 chữ số, mã tỉnh hợp lệ."))
    if WorkItem.objects.filter(campaign=item.campaign, personal_id=parsed.number).exists():
        raise WorkflowError(
            _("Số định danh này đã có trong danh sách của kế hoạch (một người khác).")
        )
    item.personal_id = parsed.number
    item.answers = {**item.answers, "personal_id": parsed.number}
    item.save(update_fields=["personal_id", "answers", "updated_at"])
    record_event(
        actor=acting_user,
        action="collection.complete_form_id",
        target=item,
        unit=item.commune,
        details={"campaign": item.campaign_id},
    )
    return item


@transaction.atomic
def record_paper_receipt(
    *,
    acting_user: Any,
    campaign: Campaign,
    commune: Unit,
    enumerator: Any,
    count: int,
    received_on: datetime.date,
    note: str = "",
) -> PaperReceipt:
    """The officer receives a bundle of paper forms from an enumerator."""
    require_capability(acting_user, Capability.KEY_PAPER_FORMS)
    if not acting_user.unit.contains(commune) or commune.level != Level.COMMUNE:
        raise WorkflowError(_("Xã này nằm ngoài phạm vi của bạn."))
    if not has_capability(enumerator, Capability.COLLECT_FORMS) or not commune.contains(
        enumerator.unit
    ):
        raise WorkflowError(_("Người giao phải là điều tra viên hoặc trưởng thôn của xã."))
    if not 0 < count <= 10_000:
        raise WorkflowError(_("Số phiếu phải từ 1 đến 10.000."))
    if received_on > timezone.localdate():
        raise WorkflowError(_("Ngày nhận không thể sau hôm nay."))
    receipt = PaperReceipt.objects.create(
        campaign=campaign,
        commune=commune,
        enumerator=enumerator,
        count=count,
        received_on=received_on,
        received_by=acting_user,
        note=note.strip()[:300],
        created_at=timezone.now(),
    )
    record_event(
        actor=acting_user,
        action="collection.record_paper_receipt",
        target=receipt,
        unit=commune,
        details={"enumerator": enumerator.pk, "count": count},
    )
    return receipt


@transaction.atomic
def cancel_paper_receipt(*, acting_user: Any, receipt: PaperReceipt, reason: str) -> PaperReceipt:
    require_capability(acting_user, Capability.KEY_PAPER_FORMS)
    receipt = PaperReceipt.objects.select_for_update().get(pk=receipt.pk)
    if not acting_user.unit.contains(receipt.commune):
        raise WorkflowError(_("Xã này nằm ngoài phạm vi của bạn."))
    if receipt.cancelled_at is not None:
        raise WorkflowError(_("Biên nhận đã được hủy trước đó."))
    if not reason.strip():
        raise WorkflowError(_("Hãy ghi lý do hủy biên nhận."))
    receipt.cancelled_at, receipt.cancel_reason = timezone.now(), reason.strip()[:300]
    receipt.save()
    record_event(
        actor=acting_user,
        action="collection.cancel_paper_receipt",
        target=receipt,
        unit=receipt.commune,
        details={"count": receipt.count},
    )
    return receipt
