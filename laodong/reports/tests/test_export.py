"""Exports of the register: scope, masking, sensitive columns, logging, streaming."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login
from laodong.core import xlsx_stream
from laodong.core.cells import csv_stream
from laodong.register.actions import record_person
from laodong.register.models import Person
from laodong.register.tests.test_actions import ANSWERS
from laodong.reports import export

EXPORT = reverse("reports-export-people")
EXPORTERS = {
    Role.COMMUNE_LABOR_OFFICER,
    Role.COMMUNE_POLICE,
    Role.COMMUNE_LEADER,
    Role.PROVINCE_LABOR_DEPARTMENT,
    Role.PROVINCE_POLICE,
    Role.SYSTEM_ADMINISTRATOR,
}


@pytest.fixture
def recorded(tree: Tree, users: dict[str, Any]) -> Tree:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village2,
        answers={
            **ANSWERS,
            "full_name": "Lê Thị Bình",
            "sex": "Nữ",
            "personal_id": "038192000002",
            "birth_date": "05/05/1992",
        },
    )
    return tree


def sheet_rows(content: bytes, sheet: int = 0) -> list[list[Any]]:
    workbook = load_workbook(io.BytesIO(content))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]


def body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


@pytest.mark.parametrize("role", list(Role))
def test_who_may_export(role: Role, recorded: Tree, users: dict[str, Any]) -> None:
    client = login(users[role])
    response = client.post(EXPORT, {"format": "xlsx"})
    if role not in EXPORTERS:
        assert response.status_code == 403
        assert not AuditEvent.objects.filter(action="reports.export_register").exists()
        return
    assert response.status_code == 200
    rows = sheet_rows(body(response))
    assert rows[0][0] == "Họ và tên" and len(rows) == 3


def test_ids_are_masked_and_sensitive_columns_left_out_by_default(
    recorded: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    rows = sheet_rows(body(client.post(EXPORT, {"format": "xlsx"})))
    header, first = rows[0], rows[1]
    assert "Dân tộc" not in header and "Người khuyết tật" not in header
    assert first[:6] == [
        "Nguyễn Văn An",
        "12/03/1990",
        "Nam",
        "********2345",
        "Thôn 1",
        "Xã Cẩm Tân",
    ]
    assert "038090012345" not in str(rows)
    about = sheet_rows(body(client.post(EXPORT, {"format": "xlsx"})), sheet=1)
    assert ["Số người", "2"] in about and [
        "Người xuất",
        users[Role.COMMUNE_LABOR_OFFICER].get_full_name() or "commune_labor_officer",
    ] in about
    full = sheet_rows(
        body(client.post(EXPORT, {"format": "xlsx", "full_id": "on", "sensitive": "on"}))
    )
    assert full[1][3] == "038090012345" and "Dân tộc" in full[0] and "Mường" in full[1]
    events = AuditEvent.objects.filter(action="reports.export_register").order_by("pk")
    assert [(e.details["full_id"], e.details["sensitive"]) for e in events] == [
        (False, False),
        (False, False),
        (True, True),
    ]
    assert all("Nguyễn" not in str(e.details) for e in events)


def test_a_leader_cannot_ask_for_full_ids(recorded: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    form = client.get(EXPORT).content.decode()
    assert 'name="full_id"' not in form
    rows = sheet_rows(
        body(client.post(EXPORT, {"format": "xlsx", "full_id": "on", "sensitive": "on"}))
    )
    assert rows[1][3] == "********2345" and "Dân tộc" not in rows[0]


def test_scope_and_csv(recorded: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = client.post(EXPORT, {"format": "csv", "unit": recorded.village2.pk})
    text = body(response).decode("utf-8-sig")
    assert response["Content-Disposition"].endswith('.csv"')
    assert "Lê Thị Bình" in text and "Nguyễn Văn An" not in text
    assert client.post(EXPORT, {"unit": recorded.far_commune.pk}).status_code == 404
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT]).post(EXPORT, {"format": "csv"})
    assert body(province).decode("utf-8-sig").count("\n") == 3


def test_large_exports_split_into_sheets_of_excels_size(
    recorded: Tree, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx_stream, "ROWS_PER_SHEET", 1)
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    content = body(client.post(EXPORT, {"format": "xlsx"}))
    workbook = load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["Danh sách", "Danh sách (2)", "Thông tin"]
    assert workbook.worksheets[1]["A2"].value == "Lê Thị Bình"


def test_the_stream_writer_keeps_text_safe() -> None:
    content = b"".join(
        xlsx_stream.stream_xlsx(["Tên", "Số"], [['A <b> & \x01 "x"', 5], [None, 1.5]])
    )
    rows = sheet_rows(content)
    assert rows == [["Tên", "Số"], ['A <b> &  "x"', 5], [None, 1.5]]


def csv_rows(stream: Any) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(stream).decode("utf-8-sig"))))


@pytest.fixture
def awkward(recorded: Tree, users: dict[str, Any]) -> Tree:
    """People whose cells test every kind of column: a name a spreadsheet would take for a
    formula, quotes, commas and a line break, an ID stored with spaces, an unknown code, flags,
    a person in another commune, one who left the register."""
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    places = [recorded.village, recorded.village, recorded.village2]
    for n, (village, name) in enumerate(zip(places, ["Một", "Hai", "Ba"], strict=True)):
        record_person(
            acting_user=officer,
            form_code="tt09-2025-m01",
            village=village,
            answers={**ANSWERS, "personal_id": f"03809000100{n}", "full_name": f"Trần Văn {name}"},
        )
    people = list(Person.objects.order_by("pk"))
    Person.objects.filter(pk=people[0].pk).update(
        full_name='=HYPERLINK("http://x", "bấm")',
        household_code='-5, "a"',
        personal_id="0380 9001 23",
        qualification="99",
        is_disabled=True,
        consent_on=datetime.date(2026, 2, 28),
        consent_job_matching="1",
    )
    Person.objects.filter(pk=people[1].pk).update(
        full_name="Lê Thị\nBình", occupation_code="@7", social_insurance_number="+84"
    )
    Person.objects.filter(pk=people[2].pk).update(
        personal_id="",
        ethnic_group="",
        village=recorded.other_village,
        commune=recorded.other_commune,
    )
    Person.objects.filter(pk=people[3].pk).update(leave_reason="died")
    return recorded


@pytest.mark.parametrize("full_id", [False, True])
@pytest.mark.parametrize("unit", ["province", "commune", "village"])
def test_every_path_writes_the_same_cells(awkward: Tree, full_id: bool, unit: str) -> None:
    """PostgreSQL's COPY (labels, dates and masking in SQL), the Python CSV and the XLSX with
    its cells made once per column give the same file, person for person."""
    place = getattr(awkward, unit)
    chosen = export.columns(sensitive=full_id)
    text = export._person_rows(chosen, full_id=full_id, unit=place, make="text")
    expected = csv_rows(csv_stream([c.header for c in chosen], text))
    assert len(expected) == {"province": 5, "commune": 4, "village": 2}[unit]
    assert all(row[5] for row in expected[1:])  # every commune named, a village's too
    by_name = {row[0]: row for row in expected[1:]}
    if unit != "village":
        odd = by_name['\'=HYPERLINK("http://x", "bấm")']
        assert odd[3] == ("0380 9001 23" if full_id else "******0123")
        assert odd[6] == '\'-5, "a"' and odd[-4] == "28/02/2026"
        assert "99" in odd and "Có" in odd and ("x" in odd) == full_id
        assert "Trần Văn Hai" not in by_name  # left the register
    if unit == "province":
        assert expected[1][5] == "Xã Cẩm Thạch"  # communes by code
        assert "'@7" in by_name["Lê Thị\nBình"]
    if connection.vendor == "postgresql":
        copied = csv_rows(export._copy_csv(chosen, full_id=full_id, unit=place))
        assert copied == expected
    cells = export._person_rows(chosen, full_id=full_id, unit=place, make="xlsx")
    sheet = sheet_rows(
        b"".join(xlsx_stream.stream_xlsx([c.header for c in chosen], cells, prepared=True))
    )
    assert [["" if v is None else v for v in row] for row in sheet] == [
        [
            value.removeprefix("'") if value[:2] in {"'=", "'-", "'+", "'@"} else value
            for value in row
        ]
        for row in expected
    ]


@pytest.mark.django_db(transaction=True)
def test_an_export_that_waits_for_a_stalled_client_is_cut_after_the_idle_limit() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's snapshot and idle limit (SQLite reads without them)")
    with export._snapshot(), connection.cursor() as cursor:
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "10min"
        cursor.execute("SHOW transaction_isolation")
        assert cursor.fetchone()[0] == "repeatable read"
    with connection.cursor() as cursor:  # only for the export's transaction
        cursor.execute("SHOW idle_in_transaction_session_timeout")
        assert cursor.fetchone()[0] == "0"
