"""Compare an extract of the population database with a commune's or a province's register,
item by item (a province's in the background: an extract of two million rows outlives a
request).

The extract is read like the other files (title blocks, merged headers, IDs Excel made
numbers, TCVN3/VNI), keyed by the personal ID, with any of the form's items as columns
(headers as the form's titles or their usual spellings; codes or their labels). For each
person the register holds, every item the extract gives is compared with the record: the
name as typed (case and tone placement aside), the birth date as written, the sex, and the
other items as the form's engine reads them. Nothing of the register is written."""

from __future__ import annotations

import logging
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
from laodong.core.background import run_in_background
from laodong.core.tabular import READ_ERRORS, Column, TableError, damaged_file_error, open_table
from laodong.forms.dates import PartialDate, parse_date
from laodong.forms.definitions import get_form
from laodong.forms.validation import validate_answers
from laodong.linkage.names import typed_key
from laodong.reconcile.models import ExtractComparison, ExtractMismatch, ExtractStatus
from laodong.register import bulk
from laodong.register.display import answer_text
from laodong.register.models import Person
from laodong.units.models import Level, Unit

logger = logging.getLogger(__name__)
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


def _people(unit: Unit, keys: set[str]) -> dict[str, dict[str, Any]]:
    keys.discard("")
    people = Person.objects.filter(personal_id__in=keys)
    if unit.level == Level.COMMUNE:
        people = people.filter(commune=unit)
    else:
        people = people.filter(commune__path__startswith=unit.path)
    rows = people.values(
        "pk",
        "personal_id",
        "form_code",
        "answers",
        "full_name",
        "birth_date",
        "birth_year_only",
        "sex",
        "village_id",
        "commune_id",
    )
    return {row["personal_id"]: dict(row) for row in rows}


class _Places:
    """The unit's communes and villages: codes for the form's header items, labels for the
    counts."""

    def __init__(self, unit: Unit) -> None:
        units = Unit.objects.filter(path__startswith=unit.path).select_related("parent")
        communes = [u for u in units if u.level == Level.COMMUNE]
        self.headers = {
            u.pk: {"province": u.parent.code if u.parent else "", "commune": u.code}
            for u in communes
        }
        self.commune_labels = {u.pk: u.label() for u in communes}
        self.village_names = {u.pk: u.name for u in units if u.level == Level.VILLAGE}
        many = unit.level != Level.COMMUNE
        self.village_labels = {
            u.pk: f"{u.label()} · {self.commune_labels.get(u.parent_id or 0, '')}" if many
            else u.label()
            for u in units
            if u.level == Level.VILLAGE
        }  # fmt: skip


class _Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.per_village: dict[int, Counter[str]] = defaultdict(Counter)
        self.people_per_village: Counter[int] = Counter()
        self.per_commune: dict[int, Counter[str]] = defaultdict(Counter)
        self.people_per_commune: Counter[int] = Counter()
        self.seen: set[str] = set()


def run_comparison(comparison: ExtractComparison) -> ExtractComparison:
    """Read the stored extract and record its mismatches (a new comparison each run)."""
    places = _Places(comparison.unit)
    tally = _Tally()
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
                    _compare_batch(comparison, batch, places, tally)
                    batch = []
            if batch:
                _compare_batch(comparison, batch, places, tally)
        except READ_ERRORS as error:
            raise damaged_file_error() from error
    comparison.counts = dict(tally.counts)
    comparison.people_differing = sum(tally.people_per_village.values())
    village_labels = places.village_labels
    comparison.by_village = [
        {
            "village": village_labels.get(pk, "—"),
            "people": tally.people_per_village[pk],
            "counts": dict(tally.per_village[pk]),
        }
        for pk in sorted(tally.people_per_village, key=lambda pk: village_labels.get(pk, ""))
    ]
    commune_labels = places.commune_labels
    comparison.by_commune = (
        [
            {
                "commune": commune_labels.get(pk, "—"),
                "people": tally.people_per_commune[pk],
                "counts": dict(tally.per_commune[pk]),
            }
            for pk in sorted(tally.people_per_commune, key=lambda pk: commune_labels.get(pk, ""))
        ]
        if comparison.unit.level != Level.COMMUNE
        else []
    )
    comparison.status = ExtractStatus.DONE
    comparison.save()
    return comparison


def _compare_batch(
    comparison: ExtractComparison,
    batch: list[tuple[int, dict[str, str]]],
    places: _Places,
    tally: _Tally,
) -> None:
    keys = {bulk._key("personal_id", cells.get("personal_id", "")) for _row, cells in batch}
    people = _people(comparison.unit, keys)
    found: list[ExtractMismatch] = []
    for row, cells in batch:
        comparison.rows_read += 1
        key = bulk._key("personal_id", cells.get("personal_id", ""))
        person = people.get(key)
        if person is None or key in tally.seen:
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
        tally.seen.add(key)
        comparison.matched += 1
        header = {
            **places.headers.get(person["commune_id"], {}),
            "village": places.village_names.get(person["village_id"], ""),
        }
        differences = _differences(person, cells, header)
        if differences:
            tally.people_per_village[person["village_id"]] += 1
            tally.people_per_commune[person["commune_id"]] += 1
        for item, register_value, extract_value in differences:
            tally.counts[item] += 1
            tally.per_village[person["village_id"]][item] += 1
            tally.per_commune[person["commune_id"]][item] += 1
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


def _check_unit(acting_user: Any, unit: Unit) -> None:
    """A commune's labour officer compares for the commune, the province labour department
    for the province."""
    if unit.level == Level.COMMUNE:
        require_capability(acting_user, Capability.RECONCILE)
    elif unit.level == Level.PROVINCE:
        require_capability(acting_user, Capability.RECONCILE_PROVINCE)
    else:
        raise ExtractError(_("Chỉ so sánh cho một xã hoặc một tỉnh."))
    if not acting_user.unit.contains(unit):
        raise ExtractError(_("Đơn vị này nằm ngoài phạm vi của bạn."))


def _check_header(path: Path, filename: str) -> None:
    """Refuse at once a file whose header cannot be read (before queueing a province's run)."""
    with path.open("rb") as stream:
        try:
            open_table(stream, filename, _columns())
        except READ_ERRORS as error:
            raise damaged_file_error() from error


@transaction.atomic
def compare_extract(
    *, acting_user: Any, unit: Unit, stream: IO[bytes], filename: str
) -> ExtractComparison:
    """Keep the uploaded extract and compare it (a file that cannot be read leaves nothing):
    a commune's at once, a province's in the background."""
    _check_unit(acting_user, unit)
    target = stored_path(filename)
    with target.open("wb") as out:
        shutil.copyfileobj(stream, out)
    try:
        _check_header(target, filename)
        return _run(acting_user, unit, target, filename)
    except TableError:
        target.unlink(missing_ok=True)
        raise


def _run(acting_user: Any, unit: Unit, path: Path, filename: str) -> ExtractComparison:
    comparison = ExtractComparison.objects.create(
        unit=unit,
        created_by=acting_user,
        created_at=timezone.now(),
        file_path=str(path),
        original_name=filename[:200],
        status=ExtractStatus.QUEUED,
    )
    record_event(
        actor=acting_user, action="reconcile.compare_extract", target=comparison, unit=unit
    )
    if unit.level == Level.COMMUNE:
        run_comparison(comparison)  # a TableError rolls the comparison back
    else:
        transaction.on_commit(lambda: run_in_background(run_queued, comparison.pk))
    return comparison


def run_queued(comparison_id: int) -> None:
    """A province's comparison, in the background. A file that turns out unreadable past its
    header leaves the comparison failed with the reason, and nothing else."""
    if not ExtractComparison.objects.filter(pk=comparison_id, status=ExtractStatus.QUEUED).update(
        status=ExtractStatus.RUNNING
    ):
        return
    comparison = ExtractComparison.objects.select_related("unit").get(pk=comparison_id)
    try:
        with transaction.atomic():
            run_comparison(comparison)
    except TableError as error:
        ExtractComparison.objects.filter(pk=comparison_id).update(
            status=ExtractStatus.FAILED, message=f"{comparison.original_name}: {error}"[:500]
        )
    except Exception:
        logger.exception("extract comparison %s failed", comparison_id)
        ExtractComparison.objects.filter(pk=comparison_id).update(
            status=ExtractStatus.FAILED,
            message=_("Lỗi khi so sánh; hãy chạy lại. Nếu vẫn lỗi, báo cho quản trị hệ thống."),
        )


@transaction.atomic
def rerun(*, acting_user: Any, comparison: ExtractComparison) -> ExtractComparison:
    """The same extract compared again with the register as it is now."""
    _check_unit(acting_user, comparison.unit)
    path = Path(comparison.file_path)
    if not path.exists():
        raise ExtractError(
            _("Tệp trích xuất không còn lưu (đã quá thời hạn lưu); hãy tải lên lại.")
        )
    return _run(acting_user, comparison.unit, path, comparison.original_name)
