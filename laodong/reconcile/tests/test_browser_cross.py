"""One person recorded in two communes, in Chromium: the province labour department finds the
pair and sends it; Cẩm Tân asks for the other record; Cẩm Thạch agrees on its phone; Cẩm Tân
merges the two records, and the province sees the pair settled."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from laodong.accounts.models import Role
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.register.actions import record_person
from laodong.register.models import LeaveReason, Person
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_province_finds_a_pair_and_the_communes_merge_it(
    open_as: Any,  # noqa: F811
    live_server: Any,
) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    home = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    away = make_unit("Xã Cẩm Thạch", Level.COMMUNE, province, "15142")
    home_village = make_unit("Thôn 1", Level.VILLAGE, home)
    away_village = make_unit("Thôn Đông", Level.VILLAGE, away)
    make_user(Role.PROVINCE_LABOR_DEPARTMENT, province, "sold", full_name="Trần Thị Hạnh")
    home_officer = make_user(Role.COMMUNE_LABOR_OFFICER, home, "canbo", full_name="Nguyễn Thị Lan")
    away_officer = make_user(Role.COMMUNE_LABOR_OFFICER, away, "canbo2", full_name="Hà Văn Sơn")
    an = record_person(
        acting_user=home_officer, form_code="tt09-2025-m01", village=home_village, answers=ANSWERS
    )
    record_person(
        acting_user=away_officer,
        form_code="tt09-2025-m01",
        village=away_village,
        answers={**ANSWERS, "full_name": "Nguyen Van An", "personal_id": "",
                 "current_address": "Thôn Đông, xã Cẩm Thạch"},
        confirmed_warnings=["id.missing"],
    )  # fmt: skip
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The province searches from its home page and sends the pair with a note.
    desk = open_as(base, "sold")
    desk.click("text=Xem và tìm")
    desk.click("button:has-text('Tìm hồ sơ trùng giữa các xã')")
    expect(desk.locator("ul.messages")).to_contain_text("Đã bắt đầu tìm")
    pair = desk.locator("section.card").first
    expect(pair).to_contain_text("Nguyen Van An")
    expect(pair).to_contain_text("Xã Cẩm Thạch")
    expect(pair).to_contain_text("chưa có số")
    desk.screenshot(path=str(ARTIFACTS / "cross-province-desktop.png"), full_page=True)
    pair.locator("input[name=note]").fill("Người này làm mùa vụ ở Cẩm Thạch?")
    pair.locator("button:has-text('Gửi hai xã đối chiếu')").click()
    expect(desk.locator("ul.messages")).to_contain_text("Đã gửi cặp hồ sơ")

    # 2. Cẩm Tân sees it on its home page and asks for the other record.
    officer = open_as(base, "canbo")
    officer.click("text=Xử lý")
    card = officer.locator("#across section.card, section[id^=across-]").first
    expect(card).to_contain_text("làm mùa vụ ở Cẩm Thạch")
    card.locator("button:has-text('Đề nghị chuyển hồ sơ kia về xã')").click()
    expect(officer.locator("ul.messages")).to_contain_text("Đã gửi đề nghị chuyển hồ sơ")

    # 3. Cẩm Thạch, on a phone, agrees on the transfers page its home page points to.
    phone = open_as(base, "canbo2", width=390)
    phone.goto(f"{base}/duplicates/")
    phone.click("text=Xem đề nghị")
    phone.screenshot(path=str(ARTIFACTS / "cross-transfer-phone.png"), full_page=True)
    phone.click("button:has-text('Đồng ý chuyển')")
    expect(phone.locator("ul.messages")).to_contain_text("Đã chuyển hồ sơ")

    # 4. Cẩm Tân merges, keeping the record with the ID.
    officer.goto(f"{base}/duplicates/")
    card = officer.locator("section[id^=across-]").first
    card.locator(f"input[name=survivor][value='{an.pk}']").check()
    officer.once("dialog", lambda dialog: dialog.accept())
    card.locator("button:has-text('Gộp vào hồ sơ giữ lại')").click()
    expect(officer.locator("ul.messages")).to_contain_text("Đã gộp hồ sơ trùng")
    merged = Person.objects.get(full_name="Nguyen Van An")
    assert merged.leave_reason == LeaveReason.MERGED and merged.merged_into_id == an.pk
    assert Person.objects.get(pk=an.pk).answers["current_address"] == "Thôn Đông, xã Cẩm Thạch"

    # 5. The province sees the pair settled.
    desk.goto(f"{base}/duplicates/province/?tab=done")
    expect(desk.locator("section.card").first).to_contain_text("Đã gộp")
