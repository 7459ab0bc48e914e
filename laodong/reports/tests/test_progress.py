"""The progress report of a campaign: per unit and round, with late units, in every format."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.actions import set_targets
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.collection.tests.test_workflow import accept_all, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login
from laodong.reports.documents import Document
from laodong.reports.progress import progress_document

AFTER_COLLECTION = datetime.date(2026, 12, 20)  # collection round due 17/12, entry 28/12


@pytest.fixture
def halfway(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> Campaign:
    """Thôn 1 has both its forms accepted; Thôn 2 none of its target of 2."""
    set_targets(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        targets={tree.village: (2, 2), tree.village2: (2, 2)},
    )
    accept_all(items, users)
    return campaign


def section(document: Document, number: int) -> list[list[Any]]:
    return [row.cells for row in document.sections[number].rows]


def test_by_unit_round_and_late_units(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(
        halfway, tree.commune, made_by="Nguyễn Thị Lan", today=AFTER_COLLECTION
    )
    assert document.period.endswith("số liệu đến ngày 20/12/2026")
    assert section(document, 0) == [
        ["Thôn 1", 2, 2, 2, 100.0, 2, 0, 0, 0, 0.0, 0],
        ["Thôn 2", 2, 1, 0, 0.0, 0, 0, 0, 0, 0.0, 0],
        ["Cộng", 4, 3, 2, 50.0, 2, 0, 0, 0, 0.0, 0],
    ]
    assert [row.late for row in document.sections[0].rows] == [False, True, False]
    assert section(document, 1) == [
        ["Thu thập 1", datetime.date(2026, 12, 17), 4, 2, 50.0, 1, "Quá hạn 3 ngày"],
        ["Nhập dữ liệu 1", datetime.date(2026, 12, 28), 2, 0, 0.0, 0, "Còn 8 ngày"],
    ]
    assert section(document, 2) == [["Thôn 2", "Thu thập 1", datetime.date(2026, 12, 17), 2, 0, 3]]


def test_before_any_deadline_nobody_is_late(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(
        halfway, tree.commune, made_by="x", today=datetime.date(2026, 12, 1)
    )
    assert not any(row.late for s in document.sections for row in s.rows)
    # No list of late units: progress by unit and by round, then the changes for the police.
    assert [s.title[:2] for s in document.sections] == ["1.", "2.", "3.", "4."]
    assert "chuyển Công an xã" in document.sections[2].title


def test_the_province_sees_its_communes(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(halfway, tree.province, made_by="x", today=AFTER_COLLECTION)
    assert section(document, 0)[0][:4] == ["Xã Cẩm Tân", 4, 3, 2]


def test_downloads_per_role_and_scope(halfway: Campaign, tree: Tree, users: dict[str, Any]) -> None:
    url = reverse("reports-download-progress", args=[halfway.pk, "xlsx"])
    for role in (Role.COMMUNE_LEADER, Role.COMMUNE_POLICE, Role.PROVINCE_LABOR_DEPARTMENT):
        response = login(users[role]).get(url)
        assert response.status_code == 200, role
    sheet = load_workbook(io.BytesIO(login(users[Role.COMMUNE_LEADER]).get(url).content)).active
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Thôn 2" in labels and "1. Tiến độ theo đơn vị" in labels
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    assert login(users[Role.VILLAGE_HEAD]).get(url, {"unit": tree.commune.pk}).status_code == 404
    pdf = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-download-progress", args=[halfway.pk, "pdf"])
    )
    assert pdf.content.startswith(b"%PDF")
    other = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-download-progress", args=[halfway.pk + 1, "xlsx"])
    )
    assert other.status_code == 404


def test_the_campaign_page_marks_late_units_and_offers_the_report(
    halfway: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(
        reverse("campaigns-view-campaign", args=[halfway.pk])
    )
    assert reverse("reports-download-progress", args=[halfway.pk, "xlsx"]) in page.content.decode()


def test_json_and_csv_carry_the_same_rows(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(halfway, tree.commune, made_by="x", today=AFTER_COLLECTION)
    data = json.loads(document.render("json"))
    assert data["sections"][0]["rows"][1]["cells"][:4] == ["Thôn 2", 2, 1, 0]
    assert data["sections"][0]["rows"][1]["late"] is True
    text = document.render("csv").decode("utf-8-sig")
    assert ",Thôn 2,2,1,0,0.0,0,0,0,0,0.0,0" in text
