"""Main journeys in a real Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from laodong.accounts.models import Role, User
from laodong.conftest import PASSWORD, make_unit, make_user
from laodong.register.models import Person
from laodong.units.models import Level, Unit, UnitType

CHROMIUM = Path(os.environ.get("LAODONG_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts"

if not CHROMIUM.exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"Chromium is required in CI but {CHROMIUM} is missing.")
    pytest.skip(f"Chromium not installed at {CHROMIUM}", allow_module_level=True)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # between page actions are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1366, "height": 768}, locale="vi-VN")
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()


@pytest.fixture
def commune() -> Unit:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    make_unit("Thôn 1", Level.VILLAGE, commune)
    return commune


def sign_in(page: Any, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("main form.form button[type=submit]")


def test_enumerator_signs_in_and_sees_their_home_page(
    page: Any, live_server: Any, commune: Unit
) -> None:
    village = Unit.objects.get(name="Thôn 1")
    make_user(Role.ENUMERATOR, village, "0911000222", full_name="Vũ Thị Hoa")
    sign_in(page, live_server.url, "0911000222")
    page.wait_for_selector("text=Xin chào, Vũ Thị Hoa")
    assert page.is_visible("text=Thôn 1, Xã Cẩm Tân")
    assert page.is_visible("text=Chưa có phiếu nào được giao cho bạn")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "home-enumerator-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "home-enumerator-phone.png"), full_page=True)


def test_first_login_leads_to_password_change(page: Any, live_server: Any, commune: Unit) -> None:
    make_user(Role.COMMUNE_POLICE, commune, "0911000333", must_change_password=True)
    sign_in(page, live_server.url, "0911000333")
    page.wait_for_selector("text=Bạn đang dùng mật khẩu tạm")
    page.fill("#id_old_password", PASSWORD)
    page.fill("#id_new_password1", "Tra-da-via-he-5")
    page.fill("#id_new_password2", "Tra-da-via-he-5")
    page.click("main form.form button[type=submit]")
    page.wait_for_selector("text=Đã đổi mật khẩu.")
    assert page.is_visible("text=Xã chưa mở đợt thu thập nào")


def test_leader_adds_a_village_and_creates_its_enumerator(
    page: Any, live_server: Any, commune: Unit
) -> None:
    make_user(Role.COMMUNE_LEADER, commune, "lanhdao", full_name="Phạm Văn Hùng")
    sign_in(page, live_server.url, "lanhdao")
    page.click("text=Xem các thôn")
    page.click("text=Thêm thôn")
    page.fill("#id_name", "Tổ dân phố Đông Sơn")
    page.select_option("#id_unit_type", UnitType.TO_DAN_PHO.value)
    page.click("button:has-text('Lưu')")
    page.wait_for_selector("text=Đã thêm Tổ dân phố Đông Sơn.")
    page.goto(f"{live_server.url}/accounts/new/")
    page.fill("#id_full_name", "Lê Thị Bình")
    page.fill("#id_phone", "0987654321")
    page.select_option("#id_role", Role.ENUMERATOR.value)
    page.select_option("#id_unit", label="— Tổ dân phố Đông Sơn")
    page.click("button:has-text('Tạo tài khoản')")
    page.wait_for_selector("code.secret")
    password = page.inner_text("code.secret")
    account = User.objects.get(username="0987654321")
    assert account.check_password(password)
    assert account.unit is not None and account.unit.name == "Tổ dân phố Đông Sơn"


def test_unit_search_updates_as_you_type_without_diacritics(
    page: Any, live_server: Any, commune: Unit
) -> None:
    province = commune.parent
    assert province is not None
    make_unit("Xã Cẩm Thạch", Level.COMMUNE, province, "15142")
    make_unit("Phường Hạc Thành", Level.COMMUNE, province, "14797", UnitType.PHUONG)
    make_user(Role.PROVINCE_LABOR_DEPARTMENT, province, "sonoivu")
    sign_in(page, live_server.url, "sonoivu")
    page.goto(f"{live_server.url}/units/{province.pk}/")
    assert page.locator("#unit-results tbody tr").count() == 3
    page.fill("#q", "cam t")
    from playwright.sync_api import expect

    # A locator, not wait_for_function: the page's policy forbids evaluating strings.
    expect(page.locator("#unit-results tbody tr")).to_have_count(2)
    assert "q=cam%20t" in page.url  # the search is kept in the address for reload and back
    names = page.locator("#unit-results tbody td.title a").all_inner_texts()
    assert names == ["Xã Cẩm Tân", "Xã Cẩm Thạch"]


def test_account_search_keeps_names_out_of_the_address(
    page: Any, live_server: Any, commune: Unit
) -> None:
    make_user(Role.COMMUNE_LEADER, commune, "lanhdao", full_name="Phạm Văn Hùng")
    make_user(Role.COMMUNE_POLICE, commune, "conganxa", full_name="Hoàng Văn Nam")
    sign_in(page, live_server.url, "lanhdao")
    page.goto(f"{live_server.url}/accounts/")
    assert page.locator("#account-results tbody tr").count() == 2
    page.fill("#id_q", "hoang van")
    from playwright.sync_api import expect

    expect(page.locator("#account-results tbody tr")).to_have_count(1)
    assert page.locator("#account-results td.title").inner_text() == "Hoàng Văn Nam"
    assert page.url == f"{live_server.url}/accounts/"


def test_skip_logic_follows_the_answers_while_typing(
    page: Any, live_server: Any, commune: Unit
) -> None:
    make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo")
    sign_in(page, live_server.url, "canbo")
    page.goto(f"{live_server.url}/register/new/")
    assert page.is_hidden("#id_employment_status")
    assert page.is_hidden("#id_unemployment_duration")
    page.check("#id_activity_status_0")  # 1. Người có việc làm
    assert page.is_visible("#id_employment_status")
    assert page.is_hidden("#id_contract_type")
    page.check("#id_has_labor_contract_0")  # 1. Có
    assert page.is_visible("#id_contract_type")
    page.check("#id_activity_status_1")  # 2. Người thất nghiệp
    assert page.is_hidden("#id_employment_status")
    assert page.is_hidden("#id_contract_type")  # its controlling item is hidden too
    assert page.is_visible("#id_unemployment_duration")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "person-form-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "person-form-phone.png"), full_page=True)


def test_officer_enters_corrects_and_reads_the_history_of_a_form(
    page: Any, live_server: Any, commune: Unit
) -> None:
    make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    sign_in(page, live_server.url, "canbo")
    page.goto(f"{live_server.url}/register/new/")
    page.fill("#id_full_name", "lò văn pấng")
    page.fill("#id_birth_date", "05/06/1988")
    page.check("#id_sex_0")
    page.fill("#id_permanent_address", "Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa")
    page.check("#id_general_education_3")
    page.select_option("#id_qualification", "1")
    page.check("#id_activity_status_0")  # employed: item 12 appears
    page.check("#id_employment_status_1")  # Tự làm
    page.fill("#id_job_description", "Trồng keo")
    page.check("#id_has_social_insurance_1")  # Không
    page.check("#id_has_labor_contract_1")  # Không
    page.fill("#id_workplace_name", "Đồi keo của gia đình")
    page.select_option("#id_workplace_type", "1")  # nine options: a dropdown
    page.click("main form button:has-text('Lưu phiếu')")
    # The ID number is missing: a warning to confirm, nothing saved yet.
    page.wait_for_selector("text=Cần kiểm tra trước khi lưu")
    assert not Person.objects.exists()
    page.check("input[name=confirmed_warnings][value='id.missing']")
    page.click("main form button:has-text('Lưu phiếu')")
    page.wait_for_selector("text=Đã lưu phiếu của Lò Văn Pấng.")
    assert page.is_visible("text=Lịch sử thay đổi")
    page.click("text=Sửa / cập nhật")
    page.select_option("#id_qualification", "4")
    # Item 10.1 now applies; the missing ID was confirmed before and is not asked again.
    page.select_option("#id_field_of_training", "15")
    # Where the change came from: chosen from the server's list; the reason says more.
    assert page.input_value("#id_origin-source") == "correction"
    page.fill("#id_origin-reason", "Đã có chứng chỉ sơ cấp")
    page.click("main form button:has-text('Lưu phiếu')")
    page.wait_for_selector("text=Đã lưu thay đổi (phiên bản 2).")
    assert page.is_visible("text=Đã có chứng chỉ sơ cấp")
    assert page.is_visible("td:has-text('4 – Sơ cấp')")
    person = Person.objects.get()
    assert (person.full_name, person.qualification, person.version) == ("Lò Văn Pấng", "4", 2)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(ARTIFACTS / "person-history-phone.png"), full_page=True)
