"""The reports dashboard: charts drawn on the server, per role, nothing fetched elsewhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.conftest import Tree, login
from laodong.reports.tests.factories import hand_counted

INDEX = reverse("reports-index")


@pytest.fixture
def people(tree: Tree, campaign: Campaign) -> Tree:
    hand_counted(tree)
    return tree


def test_the_officer_sees_progress_and_labor_force_charts(
    people: Tree, users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    client.get(INDEX)  # the first reader writes the labor statistics' summary
    # Two of them look whether the summary has anything to catch up.
    with django_assert_max_num_queries(18):
        page = client.get(INDEX).content.decode()
    assert page.count("<svg") == 3
    assert "Tiến độ theo đơn vị" in page and "Đã thu thập" in page
    assert "Tình trạng hoạt động kinh tế" in page and "Nhóm tuổi và giới tính" in page
    assert "<script" not in page.split("<main", 1)[-1]  # no chart script, nothing downloaded
    assert not re.search(r'(src|href)="https?://', page)
    assert "Thu thập thông tin người lao động năm 2026" in page


def test_the_police_see_handover_and_entry(people: Tree, users: dict[str, Any]) -> None:
    page = login(users[Role.COMMUNE_POLICE]).get(INDEX).content.decode()
    assert "Đã nhập CSDL" in page and "Đã thu thập" not in page


def test_without_a_campaign_only_the_labor_force_is_drawn(
    tree: Tree, users: dict[str, Any]
) -> None:
    hand_counted(tree)
    page = login(users[Role.PROVINCE_LABOR_DEPARTMENT]).get(INDEX).content.decode()
    assert page.count("<svg") == 2 and "Chưa có kế hoạch thu thập" in page


@pytest.mark.parametrize("role", [Role.ENUMERATOR])
def test_roles_without_reports_are_refused(role: Role, people: Tree, users: dict[str, Any]) -> None:
    assert login(users[role]).get(INDEX).status_code == 403
