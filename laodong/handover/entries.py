"""Entries in bulk: the police paste or upload the IDs the population database accepted, and
every form and change of their commune with such an ID, in a record they confirmed, is marked
entered. IDs that match nothing are reported, never guessed."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from typing import IO, Any

from django.db import transaction
from django.utils.translation import gettext as _

from laodong.collection.models import Status, WorkItem
from laodong.core.tabular import READ_ERRORS, Column, TableError, damaged_file_error, open_table
from laodong.forms.citizen_id import IdProblem, normalize_id, parse_id, with_lost_zero
from laodong.handover import actions
from laodong.handover.models import RECEIVED, Handover
from laodong.register.models import PoliceUpdate, UpdateStatus
from laodong.units.models import Unit

# Numbers as people paste them: 12 or 9 digits, maybe with spaces, dots or dashes inside, or
# 11 and 8 when Excel dropped the leading zero.
_NUMBER = re.compile(r"\d[\d .\-]{6,16}\d")
ID_COLUMN = Column(
    "personal_id",
    "Số định danh cá nhân",
    ("Số ĐDCN", "Số định danh", "Số CCCD", "CCCD", "Số CMND/CCCD", "Số CCCD/CMND", "Mã định danh"),
)
MAX_IDS = 50_000


@dataclass
class EntryResult:
    forms: int = 0
    updates: int = 0
    # IDs of the list that match nothing of the commune, that were entered already, whose
    # record the police have not confirmed yet, and text that is not an ID.
    unknown: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    not_received: list[str] = field(default_factory=list)
    invalid: list[str] = field(default_factory=list)


def _as_id(text: str) -> str | None:
    digits = normalize_id(text).lstrip("'")
    if isinstance(parse_id(digits), IdProblem):
        return with_lost_zero(digits)
    return digits


def ids_from_text(text: str) -> tuple[list[str], list[str]]:
    """The IDs in pasted text (one per line, or anywhere in it), in order, once each; and the
    numbers that are not IDs."""
    found: dict[str, None] = {}
    invalid: dict[str, None] = {}
    for match in _NUMBER.finditer(text[:2_000_000]):
        value = _as_id(match.group())
        if value is None:
            invalid[match.group().strip()] = None
        else:
            found[value] = None
    return list(found), list(invalid)


def ids_from_file(stream: IO[bytes], filename: str) -> tuple[list[str], list[str]]:
    """The IDs of a file's ID column (XLSX/CSV, headers as the police list's)."""
    table = open_table(stream, filename, (ID_COLUMN,))
    found: dict[str, None] = {}
    invalid: dict[str, None] = {}
    try:
        for _number, cells in table.row_iter:
            text = cells.get("personal_id", "")
            if not text or ID_COLUMN.matches(text):
                continue
            value = _as_id(text)
            if value is None:
                invalid[text] = None
            else:
                found[value] = None
    except READ_ERRORS as error:
        raise damaged_file_error() from error
    return list(found), list(invalid)


@transaction.atomic
def mark_entered_by_ids(
    *,
    acting_user: Any,
    commune: Unit,
    ids: list[str],
    entered_on: datetime.date,
    campaign_id: int | None = None,
) -> EntryResult:
    """Mark entered every form (of the campaign, when given) and change of the commune whose
    ID is listed and whose handover record the police confirmed; report the rest."""
    if len(ids) > MAX_IDS:
        raise TableError(
            _("Danh sách có hơn %(limit)s số; hãy chia thành nhiều lần.") % {"limit": MAX_IDS}
        )
    wanted = set(ids)
    confirmed = set(
        Handover.objects.filter(commune=commune, status__in=RECEIVED).values_list("pk", flat=True)
    )
    items = WorkItem.objects.filter(commune=commune, personal_id__in=wanted)
    if campaign_id is not None:
        items = items.filter(campaign_id=campaign_id)
    to_enter: list[int] = []
    seen: set[str] = set()
    result = EntryResult()
    for pk, personal_id, status, handover_id in items.values_list(
        "pk", "personal_id", "status", "handover_id"
    ):
        seen.add(personal_id)
        if status == Status.HANDED_OVER and handover_id in confirmed:
            to_enter.append(pk)
        elif status in (Status.ENTERED, Status.ARCHIVED):
            result.already.append(personal_id)
        else:
            result.not_received.append(personal_id)
    updates = actions.with_current_handover(
        PoliceUpdate.objects.filter(commune=commune, person__personal_id__in=wanted)
    ).values_list("pk", "person__personal_id", "status", "current_handover")  # type: ignore[misc]
    update_ids: list[int] = []
    for pk, personal_id, status, handover_id in updates:
        seen.add(personal_id)
        if status == UpdateStatus.HANDED_OVER and handover_id in confirmed:
            update_ids.append(pk)
        elif status == UpdateStatus.ENTERED:
            result.already.append(personal_id)
        elif status != UpdateStatus.WITHDRAWN:
            result.not_received.append(personal_id)
    result.unknown = [value for value in ids if value not in seen]
    if to_enter or update_ids:
        actions.mark_entered(
            acting_user=acting_user,
            item_ids=to_enter,
            update_ids=update_ids,
            entered_on=entered_on,
        )
    result.forms, result.updates = len(to_enter), len(update_ids)
    entered = set(WorkItem.objects.filter(pk__in=to_enter).values_list("personal_id", flat=True))
    result.already = sorted(set(result.already) - entered)
    result.not_received = sorted(set(result.not_received) - entered - set(result.already))
    return result
