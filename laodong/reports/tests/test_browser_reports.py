"""In Chromium: a province officer opens the statistics, drills down to a village, and downloads
the same figures as Excel; the dashboard and the tables fit a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.conftest import Tree, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401
from laodong.reports.tests.factories import hand_counted

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def first_total(page: Any) -> str:
    return page.locator("table.stats tbody tr.depth-0 td.num").first.inner_text()


def test_province_officer_drills_down_and_downloads_the_same_figures(
    browser: Any,  # noqa: F811
    live_server: Any,
    tmp_path: Path,
    tree: Tree,
) -> None:
    hand_counted(tree)
    make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.province, "sonoivu", full_name="Trần Thị Hạnh")
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        sign_in(page, live_server.url, "sonoivu")
        page.click("nav.mainnav >> text=Báo cáo")
        assert page.locator("figure.chart svg").count() == 2  # no campaign: labor force only
        page.click("text=Xem thống kê")
        page.wait_for_selector("h1:has-text('Tỉnh Thanh Hóa')")
        province_total = first_total(page)
        page.click("#units ~ .table-wrap >> text=Xã Cẩm Tân")
        page.wait_for_selector("h1:has-text('Xã Cẩm Tân')")
        page.click("#units ~ .table-wrap >> text=Thôn 1")
        page.wait_for_selector("h1:has-text('Thôn 1')")
        village_total = first_total(page)
        assert int(province_total) > int(village_total) > 0
        with page.expect_download() as download_info:
            page.click("text=Tải Excel")
        target = tmp_path / download_info.value.suggested_filename
        download_info.value.save_as(target)
        sheet = load_workbook(target).active
        rows = [row for row in sheet.iter_rows(values_only=True) if row[0]]
        total_row = next(r for r in rows if r[0] == "Tổng số người từ 15 tuổi trở lên")
        assert str(total_row[1]) == village_total
        assert rows[0][0] == "UBND XÃ CẨM TÂN"  # a village reports under its commune
        page.set_viewport_size({"width": 390, "height": 800})
        page.reload()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.goto(f"{live_server.url}/reports/")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "reports-journey.png"), full_page=True)
        raise
    finally:
        context.close()
