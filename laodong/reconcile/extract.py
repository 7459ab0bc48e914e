"""Compare an extract of the population database with a commune's register, item by item.

The extract is read like the other files (title blocks, merged headers, IDs Excel made
numbers, TCVN3/VNI), keyed by the personal ID, with any of the form's items as columns
(headers as the form's titles or their usual spellings; codes or their labels). For each
person the register holds, every item the extract gives is compared with the record: the
name as typed (case and tone placement aside), the birth date as written, the sex, and the
other items as the form's engine reads them. Nothing of the register is written."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter, defaultdict
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.collection.police_list import sex_code
from laodong.core.tabular import READ_ERRORS, Column, TableError, damaged_file_error, open_table
from laodong.forms.dates import PartialDate, parse_date
from laodong.forms.definitions import get_form
from laodong.forms.validation import validate_answers
from laodong.linkage.names import typed_key
from laodong.reconcile.models import ExtractComparison, ExtractMismatch
from laodong.register import bulk
from laodong.register.display import answer_text
from laodong.register.models import Person
from laodong.units.models import Level, Unit

IDENTITY = ("full_name", "birth_date", "sex")
BATCH = 1000


class ExtractError(Exception):
    """The extract cannot be used; the message says why."""


def _columns() -> list[Column]:
    return [
        Column(c.key, c.label, c.aliases, required=c.key == "personal_id")
        for c in bulk.file_columns()
    ]


def stored_path(name: str) -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    suffix = ".xlsx" if name.lower().endswith(".xlsx") else ".csv"
    return folder / f"extract-{uuid.uuid4().hex}{suffix}"


def _birth_text(person: dict[str, Any]) -> str:
    birth = person["birth_date"]
    return str(birth.year) if person["birth_year_only"] else birth.strftime("%d/%m/%Y")


def _differences(
    person: dict[str, Any], cells: dict[str, str], header: dict[str, str]
) -> list[tuple[str, str, str]]:
    """[(item, register's text, extract's text)] of one person."""
    found: list[tuple[str, str, str]] = []
    name = cells.get("full_name", "")
    if name and typed_key(name) != typed_key(person["full_name"]):
        found.append(("full_name", person["full_name"], name))
    birth_text = cells.get("birth_date", "")
    if birth_text:
        born = parse_date(birth_text, allow_year_only=True)
        if born is None or str(born) != _birth_text(person):
            found.append(("birth_date", _birth_text(person), birth_text))
    sex_text = cells.get("sex", "")
    if sex_text:
        sex = sex_code(sex_text) or sex_text
        if sex != person["sex"]:
            labels = {"1": _("Nam"), "2": _("Nữ")}
            found.append(("sex", str(labels.get(person["sex"], person["sex"])), sex_text))
    definition = get_form(person["form_code"])
    proposed = {
        key: text
        for key, text in cells.items()
        if text and key not in (*IDENTITY, "personal_id") and definition.has_item(key)
    }
    if not proposed:
        return found
    before: dict[str, Any] = person["answers"]
    values = validate_answers(definition, {**before, **proposed, **header}).values
    for key, text in proposed.items():
        new = values.get(key)
        new = str(new) if isinstance(new, PartialDate) else new
        old = before.get(key)
        if new in (None, "", []):
            # Not readable as the form's answer: it differs from whatever the record holds.
            found.append((key, answer_text(definition, key, old, full_id=False), text))
        elif new != old:
            found.append(
                (
                    key,
                    answer_text(definition, key, old, full_id=False),
                    answer_text(definition, key, new, full_id=False),
                )
            )
    return found


def _people(commune: Unit, keys: set[str]) -> dict[str, dict[str, Any]]:
    keys.discard("")
    rows = Person.objects.filter(commune=commune, personal_id__in=keys).values(
        "pk",
        "personal_id",
        "form_code",
        "answers",
        "full_name",
        "birth_date",
        "birth_year_only",
        "sex",
        "village_id",
    )
    return {row["personal_id"]: dict(row) for row in rows}


def run_comparison(comparison: ExtractComparison) -> ExtractComparison:
    """Read the stored extract and record its mismatches (a new comparison each run)."""
    commune = comparison.commune
    assert commune.parent is not None
    villages = dict(
        Unit.objects.filter(parent=commune, level=Level.VILLAGE).values_list("pk", "name")
    )
    labels = {
        pk: label
        for pk, label in ((unit.pk, unit.label()) for unit in Unit.objects.filter(parent=commune))
    }
    counts: Counter[str] = Counter()
    per_village: dict[int, Counter[str]] = defaultdict(Counter)
    people_per_village: Counter[int] = Counter()
    seen: set[str] = set()
    with Path(comparison.file_path).open("rb") as stream:
        try:
            table = open_table(stream, comparison.original_name, _columns())
        except READ_ERRORS as error:
            raise damaged_file_error() from error
        comparison.columns = sorted(key for key in table.positions if key != "personal_id")
        rows = (
            (row, cells)
            for row, cells in table.row_iter
            if not bulk.is_not_data(cells, "personal_id")
        )
        try:
            batch: list[tuple[int, dict[str, str]]] = []
            for entry in rows:
                batch.append(entry)
                if len(batch) >= BATCH:
                    _compare_batch(comparison, batch, commune, villages, counts,
                                   per_village, people_per_village, seen)  # fmt: skip
                    batch = []
            if batch:
                _compare_batch(comparison, batch, commune, villages, counts,
                               per_village, people_per_village, seen)  # fmt: skip
        except READ_ERRORS as error:
            raise damaged_file_error() from error
    comparison.counts = dict(counts)
    comparison.people_differing = sum(people_per_village.values())
    comparison.by_village = [
        {
            "village": labels.get(pk, "—"),
            "people": people_per_village[pk],
            "counts": dict(per_village[pk]),
        }
        for pk in sorted(people_per_village, key=lambda pk: labels.get(pk, ""))
    ]
    comparison.save()
    return comparison


def _compare_batch(
    comparison: ExtractComparison,
    batch: list[tuple[int, dict[str, str]]],
    commune: Unit,
    villages: dict[int, str],
    counts: Counter[str],
    per_village: dict[int, Counter[str]],
    people_per_village: Counter[int],
    seen: set[str],
) -> None:
    assert commune.parent is not None
    keys = {bulk._key("personal_id", cells.get("personal_id", "")) for _row, cells in batch}
    people = _people(commune, keys)
    found: list[ExtractMismatch] = []
    for row, cells in batch:
        comparison.rows_read += 1
        key = bulk._key("personal_id", cells.get("personal_id", ""))
        person = people.get(key)
        if person is None or key in seen:
            comparison.unmatched += 1
            if len(found) < 10_000:
                found.append(
                    ExtractMismatch(
                        comparison=comparison,
                        row=row,
                        extract_value=(cells.get("full_name", "") or key)[:300],
                    )
                )
            continue
        seen.add(key)
        comparison.matched += 1
        header = {
            "province": commune.parent.code,
            "commune": commune.code,
            "village": villages.get(person["village_id"], ""),
        }
        differences = _differences(person, cells, header)
        if differences:
            people_per_village[person["village_id"]] += 1
        for item, register_value, extract_value in differences:
            counts[item] += 1
            per_village[person["village_id"]][item] += 1
            found.append(
                ExtractMismatch(
                    comparison=comparison,
                    row=row,
                    person_id=person["pk"],
                    item=item,
                    register_value=str(register_value)[:300],
                    extract_value=str(extract_value)[:300],
                )
            )
    ExtractMismatch.objects.bulk_create(found, batch_size=BATCH)


@transaction.atomic
def compare_extract(
    *, acting_user: Any, commune: Unit, stream: IO[bytes], filename: str
) -> ExtractComparison:
    """Keep the uploaded extract and compare it (a file that cannot be read leaves nothing)."""
    require_capability(acting_user, Capability.RECONCILE)
    if not acting_user.unit.contains(commune):
        raise ExtractError(_("Xã này nằm ngoài phạm vi của bạn."))
    target = stored_path(filename)
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out)
    try:
        return _run(acting_user, commune, target, filename)
    except TableError:
        target.unlink(missing_ok=True)
        raise


def _run(acting_user: Any, commune: Unit, path: Path, filename: str) -> ExtractComparison:
    comparison = ExtractComparison.objects.create(
        commune=commune,
        created_by=acting_user,
        created_at=timezone.now(),
        file_path=str(path),
        original_name=filename[:200],
    )
    run_comparison(comparison)  # a TableError rolls the comparison back
    record_event(
        actor=acting_user,
        action="reconcile.compare_extract",
        target=comparison,
        unit=commune,
        details={"rows": comparison.rows_read, "differing": comparison.people_differing},
    )
    return comparison


@transaction.atomic
def rerun(*, acting_user: Any, comparison: ExtractComparison) -> ExtractComparison:
    """The same extract compared again with the register as it is now."""
    require_capability(acting_user, Capability.RECONCILE)
    if not acting_user.unit.contains(comparison.commune):
        raise ExtractError(_("Xã này nằm ngoài phạm vi của bạn."))
    path = Path(comparison.file_path)
    if not path.exists():
        raise ExtractError(
            _("Tệp trích xuất không còn lưu (đã quá thời hạn lưu); hãy tải lên lại.")
        )
    return _run(acting_user, comparison.commune, path, comparison.original_name)
