"""Paying collectors in Chromium: the officer gives a village with a target, records the paper
forms an enumerator hands in and prints the receipt; the province accepts the commune's
results; the finance officer, on a phone, opens the payment list from the home page, sees the
total in words and downloads the PDF to sign."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from laodong.accounts.models import Role
from laodong.campaigns.actions import create_campaign, set_rates
from laodong.collection import actions
from laodong.collection.models import WorkItem
from laodong.collection.police_list import import_list
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.collection.tests.test_workflow import ANSWERS, POLICE_LIST
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_targets_receipts_acceptance_and_the_payment_list(
    open_as: Any,  # noqa: F811
    live_server: Any,
) -> None:
    import io

    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    make_unit("Thôn 2", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    enumerator = make_user(Role.ENUMERATOR, village, "dtv", full_name="Vũ Thị Hoa")
    make_user(Role.COMMUNE_FINANCE_OFFICER, commune, "ketoan", full_name="Đỗ Thị Mai")
    make_user(Role.PROVINCE_LABOR_DEPARTMENT, province, "sonoivu", full_name="Trần Thị Hạnh")
    make_user(Role.COMMUNE_LEADER, commune, "chutich", full_name="Phạm Văn Hùng")
    today = timezone.localdate()
    campaign = create_campaign(
        acting_user=officer,
        title="Thu thập 2026",
        legal_basis="",
        form_code="tt09-2025-m01",
        area=[commune],
        reference_date=today - datetime.timedelta(days=20),
        collection_start=today - datetime.timedelta(days=20),
        collection_end=today + datetime.timedelta(days=20),
        entry_start=today - datetime.timedelta(days=10),
        entry_end=today + datetime.timedelta(days=30),
    )
    set_rates(acting_user=officer, campaign=campaign, rates={"collect": 12_000, "accept": 2_000})
    import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=None,
    )
    an = WorkItem.objects.get(full_name__endswith="An")
    answers = {**ANSWERS, "collection_date": f"{today:%d/%m/%Y}"}
    actions.submit_form(acting_user=enumerator, item=an, answers=answers)
    actions.accept_form(acting_user=officer, item=an)
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The officer gives Thôn 1 with a target, then records 2 paper forms handed in.
    desk = open_as(base, "canbo")
    desk.goto(f"{base}/campaigns/{campaign.pk}/communes/{commune.pk}/assign/")
    desk.select_option("#id_village", label="Thôn 1")
    desk.select_option("#id_enumerator", value=str(enumerator.pk))
    desk.fill("#id_target", "2")
    desk.fill("#id_due", f"{today + datetime.timedelta(days=10):%d/%m/%Y}")
    desk.click("button:has-text('Giao việc')")
    expect(desk.locator("table").first).to_contain_text("Vũ Thị Hoa")
    expect(desk.locator("main")).to_contain_text("Tiến độ theo điều tra viên")
    desk.goto(f"{base}/campaigns/{campaign.pk}/?unit={commune.pk}")
    desk.click("text=Nhận phiếu giấy từ điều tra viên")
    desk.select_option("#id_enumerator", value=str(enumerator.pk))
    desk.fill("#id_count", "2")
    desk.click("button:has-text('Ghi nhận và in biên nhận')")
    expect(desk.locator("ul.messages")).to_contain_text("Đã ghi nhận 2 phiếu giấy của Vũ Thị Hoa")
    href = desk.locator("a:has-text('In biên nhận')").first.get_attribute("href")
    receipt = desk.context.request.get(f"{base}{href}")
    assert receipt.ok and receipt.body().startswith(b"%PDF")

    # 2. The enumerator sees the target on the home page.
    phone = open_as(base, "dtv", width=390)
    expect(phone.locator("main")).to_contain_text("Chỉ tiêu 2 phiếu")

    # 3. The province accepts the commune's results.
    province_page = open_as(base, "sonoivu")
    province_page.goto(f"{base}/reports/acceptance/{campaign.pk}/{commune.pk}/")
    expect(province_page.locator("#id_representative")).to_have_value("Phạm Văn Hùng")
    province_page.click("button:has-text('Lập biên bản nghiệm thu')")
    expect(province_page.locator("ul.messages")).to_contain_text("Đã lập biên bản nghiệm thu lần 1")
    expect(province_page.locator("main")).to_contain_text("Đã nghiệm thu (lần 1)")

    # 4. Finance, on a phone, opens the payment list from the home page.
    finance = open_as(base, "ketoan", width=390)
    finance.click("text=Bảng kê thanh toán")
    expect(finance.locator("main")).to_contain_text("Mười bốn nghìn đồng chẵn")
    finance.screenshot(path=str(ARTIFACTS / "payments-phone.png"), full_page=True)
    with finance.expect_download() as pdf:
        finance.click("text=Tải PDF để ký")
    assert pdf.value.path().read_bytes().startswith(b"%PDF")
