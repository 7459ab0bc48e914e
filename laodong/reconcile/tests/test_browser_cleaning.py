"""Cleaning the register in Chromium (issue 13): on a phone the officer merges a duplicate and
undoes it; on the desktop compares a population extract and opens its mismatches."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from laodong.accounts.models import Role
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.reconcile.tests.test_extract import extract_file
from laodong.register.actions import record_person
from laodong.register.models import Merge, Person
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_merge_undo_and_compare_an_extract(
    open_as: Any,  # noqa: F811
    live_server: Any,
    tmp_path: Path,
) -> None:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    with_id = record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=village, answers=ANSWERS
    )
    without = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "full_name": "Nguyen Van An", "personal_id": "", "phone": "0912345678"},
        confirmed_warnings=["id.missing", "duplicate.name_birth"],
    )
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    phone = open_as(base, "canbo", width=390)
    phone.goto(f"{base}/")
    phone.click("a:has-text('Hồ sơ trùng')")
    card = phone.locator(f"#pair-{with_id.pk}-{without.pk}")
    expect(card).to_contain_text("Nguyen Van An")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "duplicates-phone.png"), full_page=True)
    card.locator(f"input[name=survivor][value='{without.pk}']").check()
    phone.once("dialog", lambda dialog: dialog.accept())
    card.locator("button:has-text('Gộp vào hồ sơ giữ lại')").click()
    expect(phone.locator("ul.messages")).to_contain_text("Đã gộp")
    assert Person.objects.get(pk=without.pk).personal_id == "038090012345"
    phone.once("dialog", lambda dialog: dialog.accept())
    phone.click("button:has-text('Hoàn tác')")
    expect(phone.locator("ul.messages")).to_contain_text("Đã hoàn tác")
    assert Person.objects.get(pk=with_id.pk).personal_id == "038090012345"
    assert Merge.objects.get().undone_at is not None

    extract = tmp_path / "trich-xuat.xlsx"
    extract.write_bytes(extract_file())
    desk = open_as(base, "canbo")
    desk.goto(f"{base}/extracts/")
    desk.set_input_files("#id_file", str(extract))
    desk.click("button:has-text('So sánh')")
    expect(desk.locator("h1")).to_contain_text("Kết quả so sánh")
    expect(desk.locator("main")).to_contain_text("Trình độ chuyên môn kỹ thuật")
    expect(desk.locator("main")).to_contain_text("Người Lạ")
    desk.screenshot(path=str(ARTIFACTS / "extract-desktop.png"), full_page=True)
    desk.set_viewport_size({"width": 390, "height": 900})
    assert desk.evaluate("document.documentElement.scrollWidth") <= 390
    desk.screenshot(path=str(ARTIFACTS / "extract-phone.png"), full_page=True)
