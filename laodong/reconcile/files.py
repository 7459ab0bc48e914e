"""Files of people to reconcile: a police list, a population-database extract, a register
export or any commune's own list, read with the police list's tolerant reader (title blocks,
two-row headers, the column-number row, totals and signatures, IDs Excel made numbers, TCVN3
and VNI text). Unlike a police list, a row may lack the ID."""

from __future__ import annotations

import dataclasses
import datetime
import multiprocessing
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from laodong.collection.police_list import (
    POLICE_COLUMNS,
    not_data_kind,
    sex_code,
    village_from_address,
    village_key,
)
from laodong.core.tabular import READ_ERRORS, Column, damaged_file_error, open_table
from laodong.forms.citizen_id import IdProblem, normalize_id, parse_id, with_lost_zero
from laodong.forms.dates import PartialDate, parse_date
from laodong.linkage.engine import Record

PEOPLE_COLUMNS: tuple[Column, ...] = (
    dataclasses.replace(POLICE_COLUMNS[0], required=False),
    *POLICE_COLUMNS[1:],
)


@dataclass
class PeopleFile:
    """What reading a file found, besides its people."""

    name: str
    header_row: int = 0
    # Data rows (numbered from the first row under the header) that hold no person: the
    # column-number row, totals, signatures.
    skipped: int = 0
    # Rows whose ID is not a valid number (read as without an ID), with the row number.
    bad_ids: list[int] = field(default_factory=list)
    rows: int = 0


class PeopleReader:
    """Turns a file's rows into linkage records keyed by data-row number (1 = the first row
    under the header)."""

    def __init__(self, stream: IO[bytes], filename: str) -> None:
        try:
            self.table = open_table(stream, filename, PEOPLE_COLUMNS)
        except READ_ERRORS as error:
            raise damaged_file_error() from error
        self.info = PeopleFile(name=filename, header_row=self.table.header_row)
        self._dates: dict[str, PartialDate | None] = {}
        self._villages: dict[str, str] = {}

    def _personal_id(self, raw: str, row: int) -> str:
        if not raw:
            return ""
        if len(raw) == 12 and raw.isdigit():
            return raw
        value = normalize_id(raw).lstrip("'")
        if not value:
            return ""
        if isinstance(parse_id(value), IdProblem):
            padded = with_lost_zero(value)
            if padded is None:
                self.info.bad_ids.append(row)
                return ""
            return padded
        return value

    def _village(self, village: str, address: str) -> str:
        text = village or village_from_address(address)
        known = self._villages.get(text)
        if known is None:
            known = self._villages[text] = village_key(text)
        return known

    def records(self) -> Iterator[Record]:
        return (Record(*values) for values in self.values())

    def values(self) -> Iterator[tuple[Any, ...]]:
        """Each person as the fields of a `Record`, in order (cheap to send between
        processes)."""
        header = self.table.header_row
        info = self.info
        dates = self._dates
        in_footer = False
        sexes: dict[str, str] = {}
        try:
            for number, cells in self.table.row_iter:
                get = cells.get
                kind = not_data_kind(cells)
                in_footer = in_footer or kind == "footer"
                if in_footer and not kind and not (get("personal_id") or get("birth_date")):
                    kind = "footer"
                if kind:
                    info.skipped += 1
                    continue
                row = number - header
                info.rows += 1
                birth_text = get("birth_date", "")
                if birth_text in dates:
                    birth = dates[birth_text]
                else:
                    birth = dates[birth_text] = parse_date(birth_text, allow_year_only=True)
                sex_text = get("sex", "")
                raw_id = get("personal_id", "")
                yield (
                    row,
                    # Cells come normalised (NFC, single spaces) from the reader.
                    get("full_name", ""),
                    birth.value if birth is not None else None,
                    birth.year_only if birth is not None else False,
                    sexes.get(sex_text) or sexes.setdefault(sex_text, sex_code(sex_text)),
                    raw_id
                    if len(raw_id) == 12 and raw_id.isdigit()
                    else self._personal_id(raw_id, row),
                    self._village(get("village", ""), get("address", "")),
                    get("household_code", ""),
                )
        except READ_ERRORS as error:
            raise damaged_file_error() from error


def _read_values(path: str) -> tuple[PeopleFile, list[tuple[Any, ...]]]:
    with Path(path).open("rb") as stream:
        reader = PeopleReader(stream, Path(path).name)
        values = list(reader.values())
    return reader.info, values


class BackgroundRead:
    """Read a file of people in a second process, while this one does something else (a
    province's two files are read in the time of one on a two-core machine)."""

    def __init__(self, path: Path) -> None:
        self._pool = None
        self._result: Any = None
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # no fork (Windows): read here, when asked
            self._path = path
            return
        self._pool = context.Pool(1)
        self._result = self._pool.apply_async(_read_values, (str(path),))

    def get(self) -> tuple[PeopleFile, list[tuple[Any, ...]]]:
        if self._pool is None:
            info, values = _read_values(str(self._path))
        else:
            try:
                info, values = self._result.get()
            finally:
                self._pool.close()
                self._pool.join()
        return info, values

    def cancel(self) -> None:
        if self._pool is not None:
            self._pool.terminate()
            self._pool.join()


def birth_of(value: datetime.date | None, year_only: bool) -> str:
    if value is None:
        return ""
    return str(value.year) if year_only else f"{value:%d/%m/%Y}"
