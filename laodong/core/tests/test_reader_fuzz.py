"""Fuzzing every file reader (hypothesis): random bytes, random tables with hostile text, and
real workbooks with bytes flipped, through the reader every upload shares and through each
import that sits on it (police list, register, villages, accounts, `validate`). Whatever the
file, the answer is a result or a clear refusal (TableError, or a report with a file error) —
never another exception, which a page would show as a 500 — within a bounded time per file
and a bounded growth of memory over the whole run (issue 11, finding 11)."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import resource
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from laodong.accounts.models import Role
from laodong.conftest import Tree
from laodong.core.tabular import Column, TableError, preview_table, read_table

COLUMNS = [
    Column("full_name", "Họ và tên", ("ho ten",)),
    Column("birth_date", "Ngày sinh"),
    Column("personal_id", "Số định danh cá nhân", ("so cccd",)),
    Column("village", "Thôn", required=False),
]
HEADERS = ["Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Thôn", "Ghi chú"]
# FUZZ_EXAMPLES=500 for a longer run (about 90 s); CI runs 60 a test.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")),
    deadline=5000,  # ms per file: a hang would show here
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as communes' files have it, and worse: Vietnamese, TCVN3/VNI bytes read as Latin-1,
# control characters, NUL, quotes and separators, formulas, numbers Excel made of IDs.
hostile_text = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "Nguyễn Văn An",
            "NguyÔn V¨n An",  # TCVN3 read as Latin-1
            "Nguye\u00e3n Va\u00efn An",  # VNI
            '=HYPERLINK("http://x")',
            "38090012345",
            "3.8090012345E+10",
            "12/03/1990",
            "31/02/1990",
            "\x00",
            "\ufeff",
            "a;b,c\td",
            '"',
            "\r\n",
            "Tổng cộng",
            "(1)",
        ]
    ),
)
table_rows = st.lists(st.lists(hostile_text, min_size=0, max_size=7), min_size=0, max_size=25)


def _csv_bytes(rows: list[list[str]], header: bool, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if header:
        writer.writerow(HEADERS)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(rows: list[list[str]], header: bool) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    if header:
        sheet.append(HEADERS)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _read(content: bytes, name: str) -> None:
    """The shared reader and its preview: a table or TableError, nothing else."""
    for reader in (
        lambda: read_table(io.BytesIO(content), name, COLUMNS),
        lambda: preview_table(io.BytesIO(content), name, COLUMNS, sample=5),
    ):
        try:
            reader()
        except TableError as refusal:
            assert str(refusal).strip()


@pytest.fixture(scope="module")
def memory_budget() -> Any:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    yield
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert grown_mb < 200, f"the fuzzed readers grew the process by {grown_mb:.0f} MB"


@FUZZ
@given(content=st.binary(max_size=4096), xlsx=st.booleans())
def test_random_bytes(content: bytes, xlsx: bool, memory_budget: Any) -> None:
    _read(content, "tep.xlsx" if xlsx else "tep.csv")


@FUZZ
@given(
    rows=table_rows,
    header=st.booleans(),
    encoding=st.sampled_from(["utf-8", "utf-8-sig", "cp1258", "latin-1", "utf-16"]),
)
def test_random_csv_tables(
    rows: list[list[str]], header: bool, encoding: str, memory_budget: Any
) -> None:
    _read(_csv_bytes(rows, header, encoding), "tep.csv")


@FUZZ
@given(rows=table_rows, header=st.booleans())
def test_random_xlsx_tables(rows: list[list[str]], header: bool, memory_budget: Any) -> None:
    _read(_xlsx_bytes(rows, header), "tep.xlsx")


_GOOD = _xlsx_bytes([["Nguyễn Văn An", "12/03/1990", "038090012345", "Thôn 1", ""]], True)


@FUZZ
@given(
    flips=st.lists(
        st.tuples(st.integers(0, len(_GOOD) - 1), st.integers(0, 255)), min_size=1, max_size=12
    ),
    cut=st.one_of(st.none(), st.integers(0, len(_GOOD))),
)
def test_damaged_workbooks(
    flips: list[tuple[int, int]], cut: int | None, memory_budget: Any
) -> None:
    content = bytearray(_GOOD)
    for position, value in flips:
        content[position] = value
    _read(bytes(content[:cut] if cut is not None else content), "tep.xlsx")


@FUZZ
@given(rows=table_rows, xlsx=st.booleans(), header=st.booleans())
def test_every_import_answers_with_a_report(
    rows: list[list[str]],
    xlsx: bool,
    header: bool,
    tree: Tree,
    users: dict[str, Any],
    memory_budget: Any,
) -> None:
    """The imports on top of the reader: a report (written, refused with rows, or a file
    error), never an exception."""
    from laodong.accounts.actions import import_accounts
    from laodong.forms.listfile import read_form_file
    from laodong.register.imports import import_people
    from laodong.units.actions import import_villages

    content = _xlsx_bytes(rows, header) if xlsx else _csv_bytes(rows, header, "utf-8")
    name = "tep.xlsx" if xlsx else "tep.csv"
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    import_people(acting_user=officer, stream=io.BytesIO(content), filename=name)
    import_villages(acting_user=officer, stream=io.BytesIO(content), filename=name)
    import_accounts(
        acting_user=users[Role.COMMUNE_LEADER], stream=io.BytesIO(content), filename=name
    )
    with contextlib.suppress(TableError):
        read_form_file(io.BytesIO(content), name)


@FUZZ
@given(rows=table_rows, xlsx=st.booleans())
def test_the_police_list_check(
    rows: list[list[str]],
    xlsx: bool,
    campaign: Any,
    tree: Tree,
    users: dict[str, Any],
    memory_budget: Any,
) -> None:
    """A police list of any content: imported, refused with rows, or refused as a file."""
    from laodong.collection.police_list import import_list

    content = _xlsx_bytes(rows, True) if xlsx else _csv_bytes(rows, True, "utf-8")
    try:
        outcome = import_list(
            campaign=campaign,
            commune=tree.commune,
            stream=io.BytesIO(content),
            filename="ds.xlsx" if xlsx else "ds.csv",
            acting_user=users[Role.COMMUNE_POLICE],
            dry_run=True,
        )
    except TableError as refusal:  # the file as a whole cannot be used: said clearly
        assert str(refusal).strip()
    else:
        assert outcome is not None
