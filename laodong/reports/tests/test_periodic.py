"""The half-year and annual report of a commune."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.conftest import Tree, login
from laodong.reports.periodic import HALF_YEAR, YEAR, periodic_document
from laodong.reports.tests.factories import hand_counted


@pytest.fixture
def people(tree: Tree, campaign: Campaign) -> Tree:
    hand_counted(tree)
    return tree


def test_the_half_year_report_has_changes_and_statistics_to_31_may(
    people: Tree, users: dict[str, Any]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    document = periodic_document(people.commune, 2026, HALF_YEAR, acting_user=officer, made_by="x")
    assert document.title.startswith("Báo cáo 6 tháng đầu năm 2026")
    assert document.period == "Từ ngày 01/01/2026 đến hết ngày 31/05/2026 (hạn gửi: 05/06/2026)"
    titles = [section.title for section in document.sections]
    assert titles[0] == "I.1. Tổng hợp biến động"
    assert titles[2] == "I.3. Lượt thay đổi theo nguồn"
    assert titles[3] == "II.1. Theo nhóm tuổi và giới tính"
    assert not any(title.startswith("III") for title in titles)  # the campaign began in November
    assert document.sections[3].rows[0].cells[1] == 4  # people 15+ on 31/05/2026


def test_the_annual_report_adds_the_campaigns_of_the_year(
    people: Tree, users: dict[str, Any], campaign: Campaign
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    document = periodic_document(people.commune, 2026, YEAR, acting_user=officer, made_by="x")
    end = min(datetime.date(2026, 11, 30), timezone.localdate())
    assert f"đến hết ngày {end:%d/%m/%Y} (hạn gửi: 05/12/2026)" in document.period
    assert document.sections[-2].title == f"III.1. Tiến độ: {campaign.title}"
    assert [row.cells[0] for row in document.sections[-2].rows] == ["Thôn 1", "Thôn 2", "Cộng"]
    # The register's changes for the police: made in the year, and where they stand.
    police = document.sections[-1]
    assert police.title.startswith("IV. Thay đổi ngoài kế hoạch")
    assert police.rows[-1].cells[0] == people.commune.label()


def test_the_page_and_files(people: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    page = client.get(reverse("reports-view-periodic"), {"year": "2026", "kind": "half"})
    assert page.status_code == 200 and "Báo cáo 6 tháng đầu năm 2026" in page.content.decode()
    odd = client.get(reverse("reports-view-periodic"), {"year": "1999", "kind": "x"})
    assert odd.status_code == 200 and odd.context["year"] == timezone.localdate().year
    pdf = client.get(reverse("reports-download-periodic", args=["pdf"]), {"year": "2026"})
    assert pdf.content.startswith(b"%PDF")
    assert login(users[Role.ENUMERATOR]).get(reverse("reports-view-periodic")).status_code == 403
