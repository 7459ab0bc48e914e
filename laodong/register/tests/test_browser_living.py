"""A year between campaigns in Chromium (issue 12): a worker's request arrives and the officer
logs it (phone), accepts it; the change goes into a handover with a death recorded from the
police's notice; the police confirm the record and mark it entered."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from laodong.accounts.models import Role
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.register.actions import record_person
from laodong.register.models import ChangeRequest, Person, PoliceUpdate, UpdateStatus
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SCAN = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"


def test_a_request_goes_from_the_counter_to_the_population_database(
    open_as: Any,  # noqa: F811
    live_server: Any,
    tmp_path: Path,
) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    make_user(Role.COMMUNE_POLICE, commune, "congan", full_name="Hoàng Văn Nam")
    cuong = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "personal_id": "038088000303", "full_name": "Trần Văn Cường",
                 "birth_date": "06/06/1988"},
    )  # fmt: skip
    dung = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "personal_id": "038084000305", "full_name": "Phạm Văn Dũng",
                 "birth_date": "04/04/1984"},
    )  # fmt: skip
    base = live_server.url
    scan = tmp_path / "bang-cao-dang.pdf"
    scan.write_bytes(SCAN)

    # 1. At the counter, on a phone: the worker asks to record his new diploma.
    phone = open_as(base, "canbo", width=390)
    phone.goto(f"{base}/register/requests/")
    phone.fill("#id_personal_id", "038 088 000 303")
    phone.click("button:has-text('Tìm và ghi đề nghị')")
    expect(phone.locator("h1")).to_contain_text("Trần Văn Cường")
    phone.check("input[name=requester_kind][value=worker]")
    phone.fill("#id_requester_name", "Trần Văn Cường")
    phone.check("input[name=channel][value=in_person]")
    phone.fill("#id_content", "Đã tốt nghiệp cao đẳng")
    phone.select_option("#id_item_1", "qualification")
    phone.fill("#id_value_1", "Cao đẳng")
    phone.set_input_files("#id_evidence", str(scan))
    phone.click("button:has-text('Ghi đề nghị (đã nhận)')")
    expect(phone.locator("ul.messages")).to_contain_text("đã nhận")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "request-phone.png"), full_page=True)
    change_request = ChangeRequest.objects.get()
    assert change_request.proposed == {"qualification": "6"}

    # 2. At the desk: the home page shows the open request with its age; it is accepted.
    desk = open_as(base, "canbo")
    desk.goto(f"{base}/")
    expect(desk.locator("main")).to_contain_text("đề nghị điều chỉnh đang mở")
    desk.goto(f"{base}/register/requests/{change_request.pk}/")
    expect(desk.locator("main")).to_contain_text("Cao đẳng")
    desk.click("button:has-text('Chấp nhận và cập nhật hồ sơ')")
    expect(desk.locator("main")).to_contain_text("Đã chấp nhận đề nghị")
    cuong.refresh_from_db()
    assert cuong.qualification == "6" and cuong.version == 2

    # 3. The police's notice of a death: the officer closes Dũng's record with it.
    desk.goto(f"{base}/register/{dung.pk}/")
    desk.click("a:has-text('Ra khỏi diện quản lý')")
    desk.fill("#id_left_on", "20/11/2026")
    desk.check("input[name=reason][value=deceased]")
    desk.select_option("#id_origin-source", "police")
    desk.fill("#id_origin-reference", "Thông báo 31/CAX")
    desk.click("button:has-text('Ghi ra khỏi diện quản lý')")
    expect(desk.locator("main")).to_contain_text("Đã ra khỏi diện quản lý")
    assert Person.objects.get(pk=dung.pk).leave_reason == "deceased"

    # 4. Everything made outside a campaign goes to the police in one numbered record.
    desk.goto(f"{base}/updates/")
    expect(desk.locator("main")).to_contain_text("Cao đẳng")
    desk.screenshot(path=str(ARTIFACTS / "police-queue-desktop.png"), full_page=True)
    desk.click("button:has-text('Lập biên bản bàn giao')")
    expect(desk.locator("main")).to_contain_text("Biên bản bàn giao số 1")
    record_url = desk.url
    waiting = PoliceUpdate.objects.filter(commune=commune)
    assert waiting.count() == 4 and not waiting.filter(status=UpdateStatus.WAITING).exists()
    pdf = desk.request.get(record_url + "record.pdf")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"

    # 5. The police confirm the count and mark the record entered.
    police = open_as(base, "congan")
    police.goto(f"{base}/")
    expect(police.locator("main")).to_contain_text("Thay đổi cần cập nhật vào CSDL dân cư")
    police.goto(record_url)
    police.fill("#id_received", "4")
    police.click("button:has-text('Xác nhận')")
    expect(police.locator("main")).to_contain_text("Đã ghi xác nhận")
    police.click("button:has-text('Đã nhập cả biên bản')")
    expect(police.locator("ul.messages")).to_contain_text("Đã ghi 4 thay đổi đã nhập.")
    assert waiting.filter(status=UpdateStatus.ENTERED).count() == 4
    police.set_viewport_size({"width": 390, "height": 844})
    assert police.evaluate("document.documentElement.scrollWidth") <= 390
    police.screenshot(path=str(ARTIFACTS / "handover-updates-phone.png"), full_page=True)
