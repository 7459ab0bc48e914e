"""The campaign's whole journey in Chromium, each role in its own browser:
police upload → enumerator submits (phone) → officer returns → enumerator fixes → officer
accepts → handover → police confirm → entered."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from laodong.accounts.models import Role
from laodong.campaigns.actions import RoundPlan, create_campaign
from laodong.collection.models import Status, WorkItem
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401
from laodong.handover.models import HandoverStatus
from laodong.units.models import Level, Unit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICE_LIST = (
    "CÔNG AN XÃ CẨM TÂN\n"
    "DANH SÁCH CÔNG DÂN TỪ ĐỦ 15 TUỔI TRỞ LÊN\n"
    "\n"
    "STT,Ho va ten,Ngay sinh,Gioi tinh,So dinh danh ca nhan,Thon/To dan pho,Ma ho\n"
    "1,LÒ VĂN PẤNG,05/06/1988,Nam,038088012345,Thôn 1,HGD001\n"
    "2,Lò Thị Xuân,07/08/1990,Nữ,038190012346,Thôn 1,HGD001\n"
)


@pytest.fixture
def open_as(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:  # noqa: F811
    contexts: list[tuple[str, Any]] = []

    def open_page(base: str, username: str, width: int = 1280) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, base, username)
        page.wait_for_selector("text=Xin chào")
        contexts.append((username, page))
        return page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for username, page in contexts:
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"journey-{username}.png"), full_page=True)
        page.context.close()


def fill_form(page: Any) -> None:
    """The items an enumerator types; name, birth date, sex and ID come from the police list."""
    page.fill("#id_permanent_address", "Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa")
    page.check("#id_general_education_3")
    page.select_option("#id_qualification", "1")
    page.check("#id_activity_status_0")
    page.check("#id_employment_status_1")
    page.fill("#id_job_description", "Trồng keo")
    page.check("#id_has_social_insurance_1")
    page.check("#id_has_labor_contract_1")
    page.fill("#id_workplace_name", "Đồi keo")
    page.select_option("#id_workplace_type", "1")


def test_the_whole_campaign_journey(open_as: Any, live_server: Any, tmp_path: Path) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    make_user(Role.COMMUNE_POLICE, commune, "congan", full_name="Hoàng Văn Nam")
    make_user(Role.ENUMERATOR, village, "dtv", full_name="Vũ Thị Hoa")
    today = datetime.date.today()
    campaign = create_campaign(
        acting_user=officer,
        title="Thu thập năm nay",
        legal_basis="Kế hoạch số 1/KH-UBND",
        form_code="tt09-2025-m01",
        area=[commune],
        reference_date=today,
        collection_start=today,
        collection_end=today + datetime.timedelta(days=30),
        entry_start=today,
        entry_end=today + datetime.timedelta(days=40),
        rounds=[RoundPlan("collection", today + datetime.timedelta(days=30))],
    )
    base = live_server.url

    # Step 1: the police upload their list and confirm the column mapping.
    police = open_as(base, "congan")
    police.get_by_role("link", name="Tải lên danh sách", exact=True).click()
    list_file = tmp_path / "danh-sach.csv"
    list_file.write_text(POLICE_LIST, encoding="utf-8")
    police.set_input_files("#id_file", str(list_file))
    police.click("button:has-text('Tải lên và xem trước')")
    police.wait_for_selector("text=Chọn cột")
    assert police.is_visible("td:has-text('LÒ VĂN PẤNG')")
    police.click("button:has-text('Kiểm tra danh sách')")
    police.wait_for_selector("text=Nếu nhập danh sách này")
    assert WorkItem.objects.filter(campaign=campaign).count() == 0
    police.click("button:has-text('Ghi vào danh sách')")
    police.wait_for_selector("text=Đã nhập xong")
    assert WorkItem.objects.filter(campaign=campaign).count() == 2

    # Step 2: the enumerator, on a phone, opens the pre-filled form and submits it.
    enumerator = open_as(base, "dtv", width=390)
    enumerator.get_by_role("link", name="Danh sách cần thu thập", exact=True).click()
    enumerator.click("text=Lò Văn Pấng")
    enumerator.click("text=Điền phiếu")
    assert enumerator.input_value("#id_personal_id") == "038088012345"
    fill_form(enumerator)
    assert enumerator.evaluate("document.documentElement.scrollWidth") <= 390
    enumerator.click("main form button:has-text('Nộp phiếu')")
    enumerator.wait_for_selector("text=Đã nộp phiếu của Lò Văn Pấng.")
    item = WorkItem.objects.get(personal_id="038088012345")
    assert item.status == Status.SUBMITTED

    # Step 3: the officer returns it with a comment on one item.
    office = open_as(base, "canbo")
    office.get_by_role("link", name="Nghiệm thu", exact=True).click()
    office.click("text=Lò Văn Pấng")
    office.click("summary:has-text('Trả lại phiếu')")
    office.fill("#id_reason", "Ghi rõ nơi làm việc")
    office.select_option("select[name=comment_item_1]", "workplace_name")
    office.fill("input[name=comment_text_1]", "Ghi tên đồi và chủ đồi")
    office.click("button:has-text('Trả lại cho người thu thập')")
    office.wait_for_selector("text=Đã trả lại phiếu")

    # The enumerator sees it back on the list, fixes the item and resubmits.
    enumerator.goto(f"{base}/campaigns/{campaign.pk}/work/")
    enumerator.wait_for_selector("text=Có 1 phiếu bị trả lại cần sửa.")
    enumerator.click("text=Lò Văn Pấng")
    assert enumerator.is_visible("text=Ghi tên đồi và chủ đồi")
    enumerator.click("text=Sửa và nộp lại")
    enumerator.fill("#id_workplace_name", "Đồi keo ông Lò Văn Pấng")
    enumerator.click("main form button:has-text('Nộp phiếu')")
    enumerator.wait_for_selector("text=Đã nộp phiếu")
    enumerator.screenshot(path=str(ARTIFACTS / "journey-enumerator-phone.png"), full_page=True)

    # The officer accepts the clean form in bulk and hands it over.
    office.goto(f"{base}/campaigns/{campaign.pk}/communes/{commune.pk}/review/")
    office.check(f"input[name=items][value='{item.pk}']")
    office.click("button:has-text('Nghiệm thu các phiếu đã chọn')")
    office.wait_for_selector("text=Đã nghiệm thu 1 phiếu")
    office.goto(f"{base}/campaigns/{campaign.pk}/handovers/{commune.pk}/")
    office.click("button:has-text('Lập biên bản bàn giao')")
    office.wait_for_selector("text=Đã lập biên bản số 1 với 1 phiếu")
    assert office.is_visible("text=In biên bản (PDF)")

    # Step 4: the police confirm the count and record the entry.
    police.goto(f"{base}/")
    police.get_by_role("link", name="Biên bản bàn giao", exact=True).click()
    police.click("text=Số 1")
    police.fill("#id_received", "1")
    police.click("button:has-text('Xác nhận')")
    police.wait_for_selector("text=Đã ghi xác nhận của Công an xã.")
    police.check(f"#entered-form input[name=items][value='{item.pk}']")
    police.click("button:has-text('Đã nhập các phiếu đã chọn')")
    police.wait_for_selector("text=Đã ghi 1 phiếu đã nhập.")
    item.refresh_from_db()
    assert item.status == Status.ENTERED and item.handover is not None
    assert item.handover.status == HandoverStatus.CONFIRMED

    # The progress page agrees with the forms' states.
    office.goto(f"{base}/campaigns/{campaign.pk}/")
    row = office.locator("table.progress tbody tr", has_text="Thôn 1")
    cells = [text.strip() for text in row.locator("td").all_inner_texts()]
    # Listed 2, collected 1, accepted 1, returned 0, handed over 1, entered 1.
    assert cells[2:4] == ["2", "1"] and cells[5:9] == ["1", "0", "1", "1"]
    office.screenshot(path=str(ARTIFACTS / "journey-progress.png"), full_page=True)
    assert Unit.objects.filter(pk=village.pk).exists()
