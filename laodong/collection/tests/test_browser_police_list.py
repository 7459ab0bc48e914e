"""The commune police upload their list exactly as the population database exports it, see what
it will do, get the unknown villages mapped, write it, and undo it — in Chromium."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

import pytest

from laodong.accounts.models import Role
from laodong.campaigns.actions import RoundPlan, create_campaign
from laodong.collection.models import JobStatus, OutOfScope, PoliceListImport, WorkItem
from laodong.collection.tests.data.messy_lists import messy_police_list
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.units.models import Level, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_messy_list_mapped_written_and_undone(
    open_as: Any,  # noqa: F811
    live_server: Any,
    tmp_path: Path,
) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    make_unit("Thôn 1", Level.VILLAGE, commune)
    thon_2 = make_unit("Thôn 2", Level.VILLAGE, commune)
    tan_phong = make_unit("Thôn Tân Phong", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    make_user(Role.COMMUNE_POLICE, commune, "congan", full_name="Hoàng Văn Nam")
    campaign = create_campaign(
        acting_user=officer,
        title="Thu thập năm 2026",
        legal_basis="Kế hoạch số 215/KH-UBND",
        form_code="tt09-2025-m01",
        area=[commune],
        reference_date=datetime.date(2026, 11, 1),
        collection_start=datetime.date(2026, 11, 5),
        collection_end=datetime.date(2026, 12, 17),
        entry_start=datetime.date(2026, 11, 10),
        entry_end=datetime.date(2026, 12, 28),
        rounds=[RoundPlan("collection", datetime.date(2026, 12, 17))],
    )
    path = messy_police_list(tmp_path / "danh-sach-cong-an-xa.xlsx")
    base = live_server.url

    # The police upload the file; the two-row header is found and each column read on a sample.
    police = open_as(base, "congan")
    police.get_by_role("link", name="Tải lên danh sách", exact=True).click()
    police.set_input_files("#id_file", str(path))
    police.click("button:has-text('Tải lên và xem trước')")
    police.wait_for_selector("text=Chọn cột")
    assert police.input_value("#column_village") != ""
    assert police.is_visible("text=Dòng tiêu đề: dòng 8")
    police.click("button:has-text('Kiểm tra danh sách')")
    police.wait_for_selector("text=Nếu nhập danh sách này")
    assert not WorkItem.objects.exists()
    summary = police.inner_text("section.card")
    assert "12 người đọc được" in summary and "0 dòng có lỗi" in summary
    assert "5 dòng không phải dữ liệu" in summary
    assert police.is_visible("text=2 chưa ghép")
    assert police.is_visible("text=Nguyễn Thị Lan")  # who can create villages
    assert police.is_disabled("button:has-text('Ghi vào danh sách')")
    # "Xóm 3" is Thôn 2 under its old name: the police map it themselves.
    police.select_option("tr:has-text('Xóm 3') select", label="Thôn 2")
    police.click("button:has-text('Lưu lựa chọn và tính lại')")
    police.wait_for_selector("text=1 chưa ghép")
    ARTIFACTS.mkdir(exist_ok=True)
    police.screenshot(path=str(ARTIFACTS / "police-list-check.png"), full_page=True)

    # The officer, on a phone, opens the same page and creates "TDP 5" on the spot.
    job = PoliceListImport.objects.get()
    office = open_as(base, "canbo", width=390)
    office.goto(f"{base}/campaigns/{campaign.pk}/imports/{job.pk}/")
    office.select_option("tr:has-text('TDP 5') select", label="+ Tạo thôn mới “Tổ dân phố 5”")
    office.click("button:has-text('Lưu lựa chọn và tính lại')")
    office.wait_for_selector("text=Nếu nhập danh sách này")
    assert not office.is_visible("button:has-text('Ghi vào danh sách')")
    assert office.evaluate("document.documentElement.scrollWidth") <= 390
    office.screenshot(path=str(ARTIFACTS / "police-list-check-phone.png"), full_page=True)
    tdp_5 = Unit.objects.get(parent=commune, name="Tổ dân phố 5")

    # The police write the list.
    police.reload()
    police.wait_for_selector("text=Nếu nhập danh sách này")
    assert not police.is_visible(".badge-off")
    police.click("button:has-text('Ghi vào danh sách')")
    police.wait_for_selector("text=Đã nhập xong")
    items = {item.full_name: item for item in WorkItem.objects.all()}
    assert len(items) == 12
    assert items["Nguyễn Văn An"].village_id == tan_phong.pk
    assert items["Nguyễn Văn An"].personal_id == "038090012345"
    assert items["Phạm Thị Em"].village_id == thon_2.pk
    assert items["Vũ Thị Hoa"].village_id == tdp_5.pk
    assert items["Trần Văn Dũng"].out_of_scope == OutOfScope.DECEASED

    # ... and undo it after seeing what the undo will do.
    police.click("text=Hoàn tác…")
    police.wait_for_selector("text=bỏ 12 người được thêm")
    police.click("button:has-text('Xác nhận hoàn tác')")
    police.wait_for_selector("text=Đã hoàn tác")
    assert not WorkItem.objects.exists()
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE
