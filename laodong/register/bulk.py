"""Updating many people from a file ("cập nhật từ tệp"), e.g. the social-insurance office's
list: a row per person keyed by personal ID (or BHXH number), holding any subset of the form's
items.

Two steps, each a background job the page follows:
- `check_bulk` reads the file and compares it with the register without writing to it: per
  person the items that would change (old → new, checked by the form's engine with the rest of
  their answers), and the rows that match nobody or cannot be applied, with the reason.
- `apply_bulk` writes the rows the officer kept ticked, as versions with the chosen source and
  reference (each reaching the police queue). Rows are independent: one that fails (the record
  changed since the preview) goes to the error file and the others land. Rows are written in
  chunks of a few hundred, one transaction each, so that a large file is fast and a failure
  costs one chunk, which is then written row by row.

Name and birth date in the file are read to check the match (a wrong ID is refused), never to
change the record; the ID itself is changed by a correction, not from a list.
"""

from __future__ import annotations

import datetime
import logging
import re
import shutil
import traceback
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.core.background import run_in_background
from laodong.core.tabular import Column, TableError, is_footer_text, open_table, row_limit
from laodong.core.text import fold
from laodong.forms.citizen_id import normalize_id, with_lost_zero
from laodong.forms.columns import form_columns
from laodong.forms.dates import PartialDate, parse_date
from laodong.forms.definitions import FormDefinition, get_form
from laodong.forms.validation import validate_answers
from laodong.register.actions import apply_stored, version_values
from laodong.register.forms import DERIVED_ITEMS
from laodong.register.models import (
    PRIORITY_FLAGS,
    TYPED_CODES,
    BulkRow,
    BulkStatus,
    BulkUpdate,
    Kind,
    Person,
    PersonPeriod,
    PersonVersion,
    PoliceUpdate,
    Source,
    mark_statistics,
)
from laodong.register.sources import CHOSEN, Origin
from laodong.units.models import Level

logger = logging.getLogger(__name__)

FILE_FORM = "tt09-2025-m01"  # its items are the columns a file may have (all versions' items)
KEYS = ("personal_id", "social_insurance_number")
# Read to check that the row is the person the key finds; never changed from a list.
IDENTITY = ("full_name", "birth_date", "personal_id", "sex")
BATCH = 1000
CHUNK = 500
STALE_AFTER = datetime.timedelta(minutes=3)


class BulkError(Exception):
    """The file as a whole cannot be used; the message says why and what to do."""


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def file_columns() -> list[Column]:
    """The columns a bulk-update file may have: every item of the form, none required."""
    columns = form_columns(get_form(FILE_FORM))
    return [
        Column(c.key, c.label, c.aliases, required=False)
        for c in columns
        if c.key not in DERIVED_ITEMS
    ]


def _open(stream: IO[bytes], filename: str) -> tuple[Any, str]:
    """The table and its key column: the personal ID, else the BHXH number."""
    columns = file_columns()
    last: TableError | None = None
    for key in KEYS:
        stream.seek(0)
        keyed = [Column(c.key, c.label, c.aliases, required=c.key == key) for c in columns]
        try:
            return open_table(stream, filename, keyed), key
        except TableError as error:
            last = error
    raise BulkError(
        _(
            "Không tìm thấy cột “Số định danh cá nhân” hay “Mã số BHXH” trong 20 dòng đầu. "
            "Tệp cập nhật cần một trong hai cột đó để tìm người."
        )
    ) from last


@dataclass
class Outcome:
    rows_read: int = 0
    matched: int = 0
    unchanged: int = 0
    unmatched: int = 0
    invalid: int = 0
    columns: list[str] = field(default_factory=list)
    key_column: str = ""


def _key(key_column: str, text: str) -> str:
    """The key as the register stores it. Excel keeps numbers typed into a cell as numbers and
    drops the leading 0: an 11-digit ID (8 for a CMND) or a 9-digit BHXH number gets it back."""
    digits = normalize_id(text).lstrip("'")
    if not digits.isdigit():
        return digits
    if key_column == "personal_id":
        return with_lost_zero(digits) or digits
    return digits.zfill(10) if len(digits) == 9 else digits


_COLUMN_NUMBER = re.compile(r"^\(?\d{1,3}\)?$")


def is_not_data(cells: dict[str, str], key_column: str) -> bool:
    """A row under the header that holds no person: the "(1) (2) (3)" column numbers, a total
    or a signature line."""
    if cells.get(key_column, "").strip() and not _COLUMN_NUMBER.match(cells[key_column].strip()):
        return False
    filled = [text.strip() for text in cells.values() if text and text.strip()]
    if not filled:
        return True
    if all(_COLUMN_NUMBER.match(text) for text in filled):
        return True
    return any(is_footer_text(text) for text in filled)


def _problem(bulk: BulkUpdate, row: int, cells: dict[str, str], message: str) -> BulkRow:
    return BulkRow(bulk=bulk, row=row, error=message[:500], cells=cells, chosen=False)


def _stored(value: Any) -> Any:
    return str(value) if isinstance(value, PartialDate) else value


def compare_row(
    definition: FormDefinition,
    person: dict[str, Any],
    cells: dict[str, str],
    confirmed: Iterable[str],
    header: dict[str, str],
) -> tuple[dict[str, list[Any]], list[str], list[str]]:
    """(changes {key: [old, new]}, new warnings, errors) of one row against one person.

    The proposed values are checked by the form's engine together with the person's other
    answers (so "no social insurance" with a type of insurance is refused)."""
    errors: list[str] = []
    folded = fold(cells.get("full_name", ""))
    if folded and folded != person["full_name_folded"]:
        errors.append(
            _("Họ tên trong tệp (%(name)s) khác với họ tên trong cơ sở dữ liệu.")
            % {"name": cells["full_name"]}
        )
    born = parse_date(cells.get("birth_date", ""), allow_year_only=True)
    if cells.get("birth_date") and (born is None or born.value.year != person["birth_date"].year):
        errors.append(
            _("Năm sinh trong tệp (%(value)s) khác với cơ sở dữ liệu.")
            % {"value": cells["birth_date"]}
        )
    if errors:
        return {}, [], errors
    proposed = {
        key: text
        for key, text in cells.items()
        if text and key not in IDENTITY and definition.has_item(key)
    }
    if not proposed:
        return {}, [], []
    number = proposed.get("social_insurance_number", "")
    if number.isdigit() and len(number) == 9:
        proposed["social_insurance_number"] = number.zfill(10)  # Excel dropped its leading 0
    before: dict[str, Any] = person["answers"]
    result = validate_answers(definition, {**before, **proposed, **header})
    if result.errors:
        return {}, [], [f"{f.message}" for f in result.errors]
    changes = {}
    for key in proposed:
        new = _stored(result.values.get(key))
        if new in (None, "", []):
            continue
        old = before.get(key)
        if new != old:
            changes[key] = [old, new]
    warnings = sorted({w.rule for w in result.warnings} - set(confirmed)) if changes else []
    return changes, warnings, []


def check_bulk(
    bulk: BulkUpdate, stream: IO[bytes], progress: Callable[[int], None] | None = None
) -> Outcome:
    """Compare the file with the register and keep what each row would do (nothing of the
    register is written). Raises BulkError / TableError for a file that cannot be read."""
    outcome = Outcome()
    BulkRow.objects.filter(bulk=bulk).delete()
    table, key_column = _open(stream, bulk.original_name)
    outcome.key_column = key_column
    outcome.columns = sorted(table.positions)
    commune = bulk.commune
    assert commune.parent is not None
    seen: dict[str, int] = {}
    limit = int(getattr(settings, "LAODONG_BULK_UPDATE_ROWS", 200_000))
    data = ((row, cells) for row, cells in table.row_iter if not is_not_data(cells, key_column))
    with row_limit(limit):
        for batch in _batches(data, BATCH):
            outcome.rows_read += len(batch)
            keys = {_key(key_column, cells.get(key_column, "")) for _row, cells in batch}
            people = _people(commune, key_column, keys)
            villages = _village_names({p["village_id"] for p in people.values()})
            found: list[BulkRow] = []
            for row, cells in batch:
                key = _key(key_column, cells.get(key_column, ""))
                person = people.get(key) if key else None
                if person is None:
                    outcome.unmatched += 1
                    message = (
                        _("Ô số định danh / mã BHXH để trống.")
                        if not key
                        else _("Không có người nào trong cơ sở dữ liệu của xã có số này.")
                    )
                    found.append(_problem(bulk, row, cells, message))
                    continue
                if key in seen:
                    outcome.invalid += 1
                    found.append(
                        _problem(
                            bulk,
                            row,
                            cells,
                            _("Cùng người với dòng %(row)s: mỗi người chỉ một dòng.")
                            % {"row": seen[key]},
                        )
                    )
                    continue
                seen[key] = row
                definition = get_form(person["form_code"])
                header = {
                    "province": commune.parent.code,
                    "commune": commune.code,
                    "village": villages.get(person["village_id"], ""),
                }
                changes, warnings, errors = compare_row(
                    definition, person, cells, person["confirmed"], header
                )
                if errors:
                    outcome.invalid += 1
                    found.append(_problem(bulk, row, cells, " ".join(errors)))
                elif not changes:
                    outcome.unchanged += 1
                else:
                    outcome.matched += 1
                    found.append(
                        BulkRow(
                            bulk=bulk,
                            row=row,
                            person_id=person["pk"],
                            version=person["version"],
                            changes=changes,
                            warnings=warnings,
                        )
                    )
            BulkRow.objects.bulk_create(found, batch_size=BATCH)
            if progress is not None:
                progress(outcome.rows_read)
    return outcome


def _batches(
    rows: Iterator[tuple[int, dict[str, str]]], size: int
) -> Iterator[list[tuple[int, dict[str, str]]]]:
    batch: list[tuple[int, dict[str, str]]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _people(commune: Any, key_column: str, keys: set[str]) -> dict[str, dict[str, Any]]:
    """The commune's people with these keys, with what the comparison needs."""
    keys.discard("")
    if not keys:
        return {}
    rows = Person.objects.filter(commune=commune, **{f"{key_column}__in": keys}).values(
        "pk",
        key_column,
        "version",
        "form_code",
        "answers",
        "full_name_folded",
        "birth_date",
        "village_id",
    )
    people = {row[key_column]: dict(row) for row in rows}
    confirmed = dict(
        PersonVersion.objects.filter(
            person_id__in=[p["pk"] for p in people.values()], number=F("person__version")
        ).values_list("person_id", "confirmed_warnings")
    )
    for person in people.values():
        person["confirmed"] = confirmed.get(person["pk"], [])
    return people


def _village_names(ids: set[int]) -> dict[int, str]:
    from laodong.units.models import Unit

    return dict(Unit.objects.filter(pk__in=ids).values_list("pk", "name"))


def origin_of_bulk(bulk: BulkUpdate) -> Origin:
    return Origin(
        source=bulk.source,
        reference_title=bulk.reference_title,
        reference=bulk.reference,
        reference_date=bulk.reference_date,
        reason=bulk.reason,
    )


def apply_bulk(
    bulk: BulkUpdate, acting_user: Any, progress: Callable[[int, int], None] | None = None
) -> tuple[int, int]:
    """Write the ticked rows as versions, chunk by chunk; (applied, failed)."""
    origin = origin_of_bulk(bulk)
    applied = failed = 0
    pending = BulkRow.objects.filter(
        bulk=bulk, chosen=True, applied=False, person__isnull=False, error=""
    ).order_by("row")
    last = 0
    while True:
        chunk = list(pending.filter(row__gt=last)[:CHUNK])
        if not chunk:
            break
        last = chunk[-1].row
        try:
            with transaction.atomic():
                done, refused = _apply_chunk(chunk, origin, acting_user)
        except DatabaseError:
            # One row broke the chunk (the others are fine): write them one by one.
            done = refused = 0
            for row in chunk:
                try:
                    with transaction.atomic():
                        one, bad = _apply_chunk([row], origin, acting_user)
                except DatabaseError as error:
                    logger.error(
                        "bulk update %s row %s failed: %s", bulk.pk, row.row, type(error).__name__
                    )
                    BulkRow.objects.filter(pk=row.pk).update(
                        error=_("Không ghi được do lỗi của hệ thống; hãy thử lại dòng này.")
                    )
                    one, bad = 0, 1
                done, refused = done + one, refused + bad
        applied, failed = applied + done, failed + refused
        if progress is not None:
            progress(applied, failed)
    return applied, failed


def _apply_chunk(
    rows: list[BulkRow], origin: Origin, acting_user: Any, *, undo: bool = False
) -> tuple[int, int]:
    """Write (or, with `undo`, take back) the chunk's rows. A person whose record changed
    since — since the preview, or since the update when undoing — is left alone and the row
    says why."""
    people = {
        p.pk: p
        for p in Person.objects.select_for_update().filter(pk__in=[r.person_id for r in rows])
    }
    now = timezone.now()
    changed_by = acting_user if getattr(acting_user, "pk", None) else None
    written: list[tuple[Person, dict[str, list[Any]], list[str]]] = []
    done: list[BulkRow] = []
    stale: list[BulkRow] = []
    for row in rows:
        person = people.get(row.person_id or 0)
        if person is None or person.version != row.version + (1 if undo else 0):
            row.error = (
                _("Hồ sơ đã được sửa sau lần cập nhật này; không hoàn tác người này.")
                if undo
                else _(
                    "Hồ sơ đã được sửa sau khi xem trước (phiên bản khác). Hãy tải lại tệp để so "
                    "sánh với hồ sơ mới."
                )
            )
            stale.append(row)
            continue
        changes = (
            {key: [new, old] for key, (old, new) in row.changes.items()} if undo else row.changes
        )
        after = dict(person.answers)
        for key, (_before, value) in changes.items():
            if value is None:
                after.pop(key, None)
            else:
                after[key] = value
        person.answers = after
        apply_stored(person, after)
        person.version += 1
        person.updated_at = now
        written.append((person, changes, [] if undo else row.warnings))
        done.append(row)
    if written:
        _update_people([p for p, _c, _w in written], {key for _p, c, _w in written for key in c})
        _write_history(written, origin, changed_by, now)
        BulkRow.objects.filter(pk__in=[row.pk for row in done]).update(applied=not undo)
    if stale:
        BulkRow.objects.bulk_update(stale, ["error"])
    return len(written), len(stale)


def undo_bulk(*, acting_user: Any, bulk: BulkUpdate) -> tuple[int, int]:
    """Take a file update back: every person it changed whose record has not changed since
    gets a new version with the earlier values (source "sửa sai", the file named in the
    reason; the history keeps both). Returns (undone, left alone)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    if not BulkUpdate.objects.filter(pk=bulk.pk, status=BulkStatus.DONE).update(
        status=BulkStatus.APPLYING
    ):
        raise BulkError(_("Chỉ hoàn tác được lần cập nhật đã xong."))
    origin = Origin(
        Source.CORRECTION,
        reason=_("Hoàn tác cập nhật từ tệp “%(name)s” (lần %(number)s)")
        % {"name": bulk.original_name, "number": bulk.pk},
    )
    undone = left = 0
    # Each pass takes rows still applied and without a refusal: a row undone is no longer
    # applied, a row left alone gets its reason.
    pending = BulkRow.objects.filter(bulk=bulk, applied=True, error="").order_by("row")
    while chunk := list(pending[:CHUNK]):
        with transaction.atomic():
            one, bad = _apply_chunk(chunk, origin, acting_user, undo=True)
        undone, left = undone + one, left + bad
    BulkUpdate.objects.filter(pk=bulk.pk).update(
        status=BulkStatus.UNDONE,
        message=(
            _("Đã hoàn tác %(undone)s người; %(left)s người đã được sửa sau đó nên giữ nguyên.")
            % {"undone": undone, "left": left}
        )[:500],
        finished_at=timezone.now(),
    )
    record_event(
        actor=acting_user,
        action="register.undo_bulk_update",
        target_type="register.person",
        unit=bulk.commune,
        details={"bulk": bulk.pk, "undone": undone, "left": left},
    )
    return undone, left


def _write_history(
    written: list[tuple[Person, dict[str, list[Any]], list[str]]],
    origin: Origin,
    changed_by: Any,
    now: Any,
) -> None:
    """For each person written: the version, the reporting period it opens (closing the one
    before) and the item for the police, with the register's own column builders. On
    PostgreSQL through COPY, with the versions' ids taken from their sequence first (the
    police items name them); elsewhere bulk_create."""
    from django.db import connection

    ids = [person.pk for person, _changes, _warnings in written]
    places = {(person.village_id, person.commune_id) for person, _c, _w in written}
    ending = PersonPeriod.objects.filter(person_id__in=ids, valid_to__isnull=True)
    places.update(ending.values_list("village_id", "commune_id").distinct().order_by())
    ending.update(valid_to=now)
    mark_statistics(places)
    versions = [
        version_values(
            person,
            origin,
            changes=changes,
            kind=Kind.CHANGE,
            changed_by=changed_by,
            changed_at=now,
            confirmed_warnings=warnings,
        )
        for person, changes, warnings in written
    ]
    periods = [
        PersonPeriod.values_of(person, source=origin.source, valid_from=now)
        for person, _changes, _warnings in written
    ]
    if connection.vendor != "postgresql":
        created = PersonVersion.objects.bulk_create(
            [PersonVersion(**values) for values in versions], batch_size=CHUNK
        )
        PersonPeriod.objects.bulk_create(
            [PersonPeriod(**values) for values in periods], batch_size=CHUNK
        )
        version_ids = [version.pk for version in created]
    else:
        version_ids = _copy_history(versions, periods)
    PoliceUpdate.objects.bulk_create(
        [
            PoliceUpdate(
                commune_id=person.commune_id,
                person_id=person.pk,
                version_id=version_id,
                created_at=now,
                status_at=now,
            )
            for (person, _c, _w), version_id in zip(written, version_ids, strict=True)
        ],
        batch_size=CHUNK,
    )


def _copy_history(versions: list[dict[str, Any]], periods: list[dict[str, Any]]) -> list[int]:
    """COPY the versions (ids drawn from their sequence) and periods; the versions' ids."""
    from django.db import connection
    from psycopg.types.json import Jsonb

    json_columns = {"answers", "changes", "confirmed_warnings"}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [PersonVersion._meta.db_table, len(versions)],
        )
        version_ids = [row[0] for row in cursor.fetchall()]
        raw = cursor.connection.cursor()
        for table, rows, ids in (
            (PersonVersion._meta.db_table, versions, version_ids),
            (PersonPeriod._meta.db_table, periods, None),
        ):
            columns = list(rows[0])
            names = ", ".join((["id"] if ids else []) + columns)
            with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for index, values in enumerate(rows):
                    cells = [Jsonb(values[c]) if c in json_columns else values[c] for c in columns]
                    copy.write_row([ids[index], *cells] if ids else cells)
    return version_ids


# The person's columns an item's answer is copied to (besides the answers themselves).
TYPED_COLUMNS: dict[str, tuple[str, ...]] = {
    **{key: (key,) for key in TYPED_CODES},
    "priority_groups": tuple(PRIORITY_FLAGS.values()),
    "household_code": ("household_code",),
    "social_insurance_number": ("social_insurance_number",),
    "collection_date": ("collection_date",),
    "contract_start_date": ("contract_start_date",),
    "consent_job_matching": ("consent_job_matching", "consent_on"),
}


def _update_people(people: list[Person], keys: set[str]) -> None:
    """Write the chunk's people: the answers, the version and the columns the changed items
    are copied to. On PostgreSQL one UPDATE ... FROM (VALUES …) for the chunk; elsewhere one
    UPDATE per person in a batch. (Django's bulk_update writes CASE WHEN id = … for every
    column, which grows with the square of the chunk.)"""
    from django.db import connection

    names = ["answers", "version", "updated_at"]
    names += sorted({column for key in keys for column in TYPED_COLUMNS.get(key, ())})
    fields: list[Any] = [Person._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    table = quote(Person._meta.db_table)
    rows = [
        [person.pk, *(f.get_db_prep_save(getattr(person, f.attname), connection) for f in fields)]
        for person in people
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            columns = ", ".join(quote(f.column) for f in fields)
            sets = ", ".join(
                f"{quote(f.column)} = v.{quote(f.column)}::{f.db_type(connection)}" for f in fields
            )
            placeholders = ", ".join(
                ["(" + ", ".join(["%s"] * (len(fields) + 1)) + ")"] * len(rows)
            )
            # Column names come from the model, values are parameters.
            cursor.execute(
                f"UPDATE {table} AS p SET {sets} FROM (VALUES {placeholders}) "  # noqa: S608
                f"AS v(id, {columns}) WHERE p.id = v.id::bigint",
                [value for row in rows for value in row],
            )
        else:
            assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
            cursor.executemany(
                f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
                [[*r[1:], r[0]] for r in rows],
            )


def error_rows(bulk: BulkUpdate) -> Iterator[BulkRow]:
    return (
        BulkRow.objects.filter(bulk=bulk)
        .exclude(error="")
        .select_related("person")
        .order_by("row")
        .iterator(2000)
    )


def _row_cells(bulk: BulkUpdate, row: BulkRow) -> dict[str, Any]:
    """A row as read: kept for the rows refused at the check; rebuilt from the person's key
    and the values it would have written for those refused when written."""
    if row.cells or row.person is None:
        return dict(row.cells or {})
    cells: dict[str, Any] = {
        key: ", ".join(new) if isinstance(new, list) else new
        for key, (_old, new) in row.changes.items()
    }
    cells[bulk.key_column] = getattr(row.person, bulk.key_column, "")
    cells["full_name"] = row.person.full_name
    return cells


def write_error_file(bulk: BulkUpdate, path: Path) -> int:
    """The rows that did not land, as read, with a column saying why: fix and upload again."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from laodong.core.cells import as_text, xlsx_text

    columns = [c for c in file_columns() if c.key in (bulk.columns or [])]
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Dòng chưa cập nhật"))
    bold = Font(bold=True)
    header = [_("Dòng trong tệp"), *(c.label for c in columns), _("Lý do")]
    from openpyxl.cell import WriteOnlyCell

    cells = []
    for text in header:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        cells.append(cell)
    sheet.append(cells)
    count = 0
    for row in error_rows(bulk):
        values = _row_cells(bulk, row)
        texts = [row.row, *(values.get(c.key, "") for c in columns), row.error]
        sheet.append([as_text(WriteOnlyCell(sheet, value=xlsx_text(text))) for text in texts])
        count += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return count


def run_check(bulk_id: int) -> BulkUpdate:
    """The check as a job: claim, read, compare, record the outcome (or why it failed)."""
    claimed = BulkUpdate.objects.filter(pk=bulk_id, status=BulkStatus.QUEUED).update(
        status=BulkStatus.CHECKING, heartbeat_at=timezone.now()
    )
    bulk = BulkUpdate.objects.select_related("commune", "created_by").get(pk=bulk_id)
    if not claimed:
        return bulk

    def progress(read: int) -> None:
        BulkUpdate.objects.filter(pk=bulk_id).update(rows_read=read, heartbeat_at=timezone.now())

    try:
        with Path(bulk.file_path).open("rb") as stream:
            outcome = check_bulk(bulk, stream, progress)
    except (BulkError, TableError) as problem:
        return _failed(bulk_id, str(problem))
    except FileNotFoundError:
        return _failed(bulk_id, _("Tệp đã tải lên không còn. Hãy tải lên lại."))
    except Exception as error:
        logger.error(
            "bulk update %s check failed: %s\n%s",
            bulk_id,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        return _failed(bulk_id, _("Không đọc được tệp do lỗi của hệ thống. Hãy thử lại sau."))
    BulkUpdate.objects.filter(pk=bulk_id).update(
        status=BulkStatus.PREVIEW,
        rows_read=outcome.rows_read,
        matched=outcome.matched,
        unchanged=outcome.unchanged,
        unmatched=outcome.unmatched,
        invalid=outcome.invalid,
        key_column=outcome.key_column,
        columns=outcome.columns,
        heartbeat_at=timezone.now(),
    )
    return BulkUpdate.objects.get(pk=bulk_id)


def run_apply(bulk_id: int) -> BulkUpdate:
    """The write as a job: claim (from "applying" set by the confirmation), write, report."""
    bulk = BulkUpdate.objects.select_related("commune", "created_by").get(pk=bulk_id)
    if bulk.status != BulkStatus.APPLYING:
        return bulk

    def progress(applied: int, failed: int) -> None:
        BulkUpdate.objects.filter(pk=bulk_id).update(
            applied=applied, failed=failed, heartbeat_at=timezone.now()
        )

    try:
        applied, failed = apply_bulk(bulk, bulk.created_by, progress)
    except Exception as error:
        logger.error(
            "bulk update %s apply failed: %s\n%s",
            bulk_id,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        return _failed(
            bulk_id,
            _(
                "Dừng giữa chừng do lỗi của hệ thống. Các dòng đã ghi vẫn giữ; bấm áp dụng lại để "
                "ghi tiếp các dòng còn lại."
            ),
            status=BulkStatus.PREVIEW,
        )
    path = upload_dir() / f"loi-cap-nhat-{bulk.pk}.xlsx"
    errors = write_error_file(bulk, path)
    now = timezone.now()
    BulkUpdate.objects.filter(pk=bulk_id).update(
        status=BulkStatus.DONE,
        applied=applied,
        failed=failed,
        error_file=str(path) if errors else "",
        finished_at=now,
        heartbeat_at=now,
    )
    record_event(
        actor=bulk.created_by,
        action="register.bulk_update",
        target_type="register.person",
        unit=bulk.commune,
        details={"bulk": bulk.pk, "applied": applied, "failed": failed, "source": bulk.source},
    )
    if errors == 0:
        Path(bulk.file_path).unlink(missing_ok=True)
    return BulkUpdate.objects.get(pk=bulk_id)


def _failed(bulk_id: int, message: str, status: str = BulkStatus.FAILED) -> BulkUpdate:
    BulkUpdate.objects.filter(pk=bulk_id).update(
        status=status, message=message[:500], finished_at=timezone.now()
    )
    return BulkUpdate.objects.get(pk=bulk_id)


def create_bulk(
    *, acting_user: Any, upload: IO[bytes], original_name: str, origin: Origin
) -> BulkUpdate:
    """Keep the file under a random name and queue its check (the officer's own commune)."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    unit = acting_user.unit
    if unit is None or unit.level != Level.COMMUNE:
        raise BulkError(_("Cập nhật từ tệp làm theo từng xã: hãy dùng tài khoản của xã."))
    problems = origin.problems(CHOSEN)
    if problems:
        raise BulkError(" ".join(problems))
    suffix = ".xlsx" if original_name.lower().endswith(".xlsx") else ".csv"
    path = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        shutil.copyfileobj(upload, target, 1 << 20)
    bulk = BulkUpdate.objects.create(
        created_by=acting_user,
        commune=unit,
        file_path=str(path),
        original_name=original_name[:200],
        source=origin.source,
        reference_title=origin.reference_title[:200],
        reference=origin.reference[:200],
        reference_date=origin.reference_date,
        reason=origin.reason[:300],
    )
    transaction.on_commit(lambda: run_in_background(run_check, bulk.pk))
    return bulk


def choose_rows(*, bulk: BulkUpdate, row_ids: Iterable[int], chosen: bool) -> int:
    """Tick or untick rows of the preview (only while it waits for confirmation)."""
    if bulk.status != BulkStatus.PREVIEW:
        return 0
    return (
        BulkRow.objects.filter(bulk=bulk, pk__in=list(row_ids), person__isnull=False, error="")
        .exclude(applied=True)
        .update(chosen=chosen)
    )


def confirm_bulk(*, acting_user: Any, bulk: BulkUpdate) -> BulkUpdate:
    """The officer has looked at the preview: write the ticked rows in the background."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    moved = BulkUpdate.objects.filter(pk=bulk.pk, status=BulkStatus.PREVIEW).update(
        status=BulkStatus.APPLYING, message="", heartbeat_at=timezone.now()
    )
    if moved:
        transaction.on_commit(lambda: run_in_background(run_apply, bulk.pk))
    bulk.refresh_from_db()
    return bulk


def cancel_bulk(*, acting_user: Any, bulk: BulkUpdate) -> BulkUpdate:
    """Give up a preview: nothing was written; the file is deleted."""
    require_capability(acting_user, Capability.EDIT_REGISTER)
    if BulkUpdate.objects.filter(pk=bulk.pk, status=BulkStatus.PREVIEW).update(
        status=BulkStatus.CANCELLED, finished_at=timezone.now()
    ):
        Path(bulk.file_path).unlink(missing_ok=True)
    bulk.refresh_from_db()
    return bulk


def is_stale(bulk: BulkUpdate) -> bool:
    """A job whose thread died with its process (no news for three minutes)."""
    beat = bulk.heartbeat_at or bulk.created_at
    working = bulk.status in (BulkStatus.CHECKING, BulkStatus.APPLYING)
    return working and timezone.now() - beat > STALE_AFTER


def restart(bulk: BulkUpdate) -> None:
    """Run again a job whose thread died: the check from the start, the write from the rows
    not yet written."""
    if not is_stale(bulk):
        return
    if bulk.status == BulkStatus.CHECKING:
        BulkUpdate.objects.filter(pk=bulk.pk).update(status=BulkStatus.QUEUED)
        transaction.on_commit(lambda: run_in_background(run_check, bulk.pk))
    else:
        BulkUpdate.objects.filter(pk=bulk.pk).update(heartbeat_at=timezone.now())
        transaction.on_commit(lambda: run_in_background(run_apply, bulk.pk))


# The social-insurance office's list as the template offers it: the key, the name to check
# the match, and what the office knows (participation, type, employer, contract).
BHXH_TEMPLATE_ITEMS = (
    "full_name",
    "birth_date",
    "personal_id",
    "social_insurance_number",
    "has_social_insurance",
    "social_insurance_type",
    "has_labor_contract",
    "contract_type",
    "workplace_name",
)


def bhxh_template() -> bytes:
    """An XLSX for the social-insurance list: title block, the columns with dropdowns of the
    codes, text-formatted cells (IDs keep their leading zero) and a guide line."""
    import io

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    form = get_form(FILE_FORM)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Danh sach BHXH"
    codes = book.create_sheet("Danh muc ma")
    sheet["A1"] = "DANH SÁCH NGƯỜI LAO ĐỘNG THAM GIA BẢO HIỂM XÃ HỘI"
    sheet["A1"].font = Font(bold=True, size=13)
    sheet["A2"] = (
        "Mỗi dòng một người. Cần cột Số định danh cá nhân hoặc Mã số BHXH để tìm người; họ tên "
        "và ngày sinh dùng để đối chiếu, không bị sửa. Ô để trống là giữ nguyên."
    )
    header_row = 4
    sources: dict[str, str] = {}
    for index, key in enumerate(BHXH_TEMPLATE_ITEMS, start=1):
        item = form.item(key)
        letter = get_column_letter(index)
        cell = sheet.cell(row=header_row, column=index, value=item.label)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE7F3")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.column_dimensions[letter].width = max(14, min(32, len(item.label) + 2))
        if item.code_list and item.code_list not in sources:
            column = len(sources) + 1
            code_list = form.code_lists[item.code_list]
            codes.cell(row=1, column=column, value=code_list.name).font = Font(bold=True)
            for row, code in enumerate(code_list.codes, start=2):
                codes.cell(row=row, column=column, value=code_list.option(code))
            code_letter = get_column_letter(column)
            sources[item.code_list] = (
                f"'Danh muc ma'!${code_letter}$2:${code_letter}${len(code_list.codes) + 1}"
            )
        if item.code_list:
            validation = DataValidation(
                type="list", formula1=sources[item.code_list], allow_blank=True
            )
            validation.add(f"{letter}{header_row + 1}:{letter}{header_row + 2000}")
            sheet.add_data_validation(validation)
        for row in range(header_row + 1, header_row + 501):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = f"A{header_row + 1}"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
