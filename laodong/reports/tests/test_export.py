"""Exports of the register: scope, masking, sensitive columns, logging, streaming."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login
from laodong.core import xlsx_stream
from laodong.register.actions import record_person
from laodong.register.tests.test_actions import ANSWERS

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
