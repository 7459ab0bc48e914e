"""A day without signal in Chromium: the enumerator downloads the list, goes offline, fills
three forms (one with an error to fix, one left as a draft), reloads the page offline (all
still there), comes back online and syncs; the officer sees the two submitted forms. And a
conflict: the officer returns a form while the phone holds a newer version."""

from __future__ import annotations

import datetime
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.campaigns.actions import create_campaign
from laodong.campaigns.models import Campaign
from laodong.collection import actions as collection_actions
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import PASSWORD, make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser, sign_in  # noqa: F401
from laodong.offline.models import Outcome, SyncedForm
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICE_LIST = (
    "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ\n"
    "Lò Văn Pấng,05/06/1988,Nam,038088012345,Thôn 1,HGD001\n"
    "Lò Thị Xuân,07/08/1990,Nữ,038190012346,Thôn 1,HGD001\n"
    "Hà Văn Tám,01/02/1975,Nam,038075012347,Thôn 1,HGD002\n"
)


@pytest.fixture
def place() -> Campaign:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    police = make_user(Role.COMMUNE_POLICE, commune, "congan")
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
    )
    import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=police,
    )
    return campaign


@pytest.fixture
def phone(browser: Any, request: pytest.FixtureRequest) -> Iterator[Callable[..., Any]]:  # noqa: F811
    contexts: list[Any] = []

    def open_phone(base: str, username: str, width: int = 390) -> Any:
        context = browser.new_context(viewport={"width": width, "height": 844}, locale="vi-VN")
        page = context.new_page()
        page.set_default_timeout(15000)
        sign_in(page, base, username)
        page.wait_for_selector("text=Xin chào")
        contexts.append(page)
        return page

    yield open_phone
    report = getattr(request.node, "rep_call", None)
    for number, page in enumerate(contexts):
        if report is not None and report.failed:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / f"offline-{number}.png"), full_page=True)
        page.context.close()


def open_person(page: Any, name: str) -> None:
    page.fill("#search", name)
    page.click(f"#people a:has-text('{name}')")
    page.wait_for_selector("#submit")


def fill_inactive(page: Any, *, birth: str = "") -> None:
    """The items an enumerator types for someone not working; the rest comes from the list."""
    page.fill("#f-permanent_address", "Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa")
    page.check("input[name=general_education][value='3']")
    page.select_option("#f-qualification", "1")
    page.check("input[name=activity_status][value='3']")
    page.check("input[name=inactivity_reason][value='3']")
    if birth:
        page.fill("#f-birth_date", birth)


def state_of(page: Any, name: str) -> str:
    page.fill("#search", name)
    return str(page.inner_text(f"#people li:has-text('{name}') .badge"))


def test_a_day_without_signal(phone: Any, live_server: Any, place: Campaign) -> None:
    base = live_server.url
    page = phone(base, "dtv")
    page.get_by_role("link", name="Làm ngoại tuyến", exact=True).click()
    page.click("#download")
    page.wait_for_selector("#people li")
    assert page.locator("#people li").count() == 3
    # The page is kept by the service worker for the day without signal.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.context.set_offline(True)

    # Lò Văn Pấng: complete and right.
    open_person(page, "Lò Văn Pấng")
    fill_inactive(page)
    page.click("#submit")
    page.wait_for_selector("text=nằm chờ gửi")
    # Lò Thị Xuân: an impossible birth date is caught on the phone, then fixed.
    open_person(page, "Lò Thị Xuân")
    fill_inactive(page, birth="31/02/1990")
    page.click("#submit")
    page.wait_for_selector(".finding.error:has-text('không phải ngày hợp lệ')")
    assert page.is_visible("text=Phiếu còn lỗi")
    page.fill("#f-birth_date", "07/08/1990")
    page.click("#submit")
    page.wait_for_selector("text=nằm chờ gửi")
    # Hà Văn Tám: half done, kept as a draft.
    open_person(page, "Hà Văn Tám")
    page.fill("#f-permanent_address", "Thôn 1, xã Cẩm Tân")
    page.click("#save-draft")
    page.wait_for_selector("text=Đã lưu nháp trên máy.")
    page.click("text=← Danh sách")

    # Reloaded without signal: the page, the list, the outbox and the draft are all there.
    page.reload()
    page.wait_for_selector("#people li")
    assert page.inner_text("#waiting-count") == "2"
    assert state_of(page, "Lò Văn Pấng") == "Chờ gửi"
    assert state_of(page, "Hà Văn Tám") == "Nháp"
    assert WorkItem.objects.filter(status=Status.SUBMITTED).count() == 0

    # Signal again: the outbox goes by itself (or with the button).
    page.context.set_offline(False)
    page.fill("#search", "")
    page.wait_for_selector("#waiting-count:has-text('0')")
    assert page.is_visible("text=Đã gửi: 2 phiếu vào quy trình · 0 phiếu có lỗi")
    submitted = WorkItem.objects.filter(status=Status.SUBMITTED).order_by("full_name")
    assert [i.full_name for i in submitted] == ["Lò Thị Xuân", "Lò Văn Pấng"]
    assert submitted[0].answers["birth_date"] == "07/08/1990"
    assert SyncedForm.objects.filter(outcome=Outcome.SUBMITTED).count() == 2
    assert state_of(page, "Hà Văn Tám") == "Nháp"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The officer sees the two forms waiting for acceptance, and the phone's last sync.
    office = phone(base, "canbo", width=1280)
    office.goto(base + reverse("collection-list-review", args=[place.pk, place.communes.get().pk]))
    assert office.is_visible("text=Lò Văn Pấng") and office.is_visible("text=Lò Thị Xuân")
    office.goto(f"{base}/offline/devices/")
    assert office.is_visible("text=Vũ Thị Hoa")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "offline-list-phone.png"), full_page=True)


def test_a_form_returned_while_the_phone_holds_a_newer_version(
    phone: Any, live_server: Any, place: Campaign
) -> None:
    base = live_server.url
    enumerator = WorkItem.objects.get(full_name="Lò Văn Pấng")
    officer, dtv = User.objects.get(username="canbo"), User.objects.get(username="dtv")
    answers = {**ANSWERS, "full_name": "Lò Văn Pấng", "birth_date": "05/06/1988",
               "personal_id": "038088012345", "household_code": "HGD001"}  # fmt: skip
    page = phone(base, "dtv")
    page.goto(f"{base}/offline/")
    page.click("#download")
    page.wait_for_selector("#people li")
    page.context.set_offline(True)
    open_person(page, "Lò Văn Pấng")
    fill_inactive(page)
    page.fill("#f-permanent_address", "Bản Pấng, Thôn 1")
    page.click("#submit")
    page.wait_for_selector("text=nằm chờ gửi")
    # Meanwhile, on paper: the officer keys the form, then returns it to be checked.
    collection_actions.submit_form(acting_user=dtv, item=enumerator, answers=answers)
    collection_actions.return_form(
        acting_user=officer, item=WorkItem.objects.get(pk=enumerator.pk), reason="Kiểm tra lại"
    )
    page.context.set_offline(False)
    page.wait_for_selector("#waiting-count:has-text('0')")
    assert state_of(page, "Lò Văn Pấng") == "Xung đột — chờ quyết định"
    kept = SyncedForm.objects.get()
    assert kept.outcome == Outcome.CONFLICT
    assert kept.answers["permanent_address"] == "Bản Pấng, Thôn 1"
    assert WorkItem.objects.get(pk=enumerator.pk).status == Status.RETURNED
    # The officer compares both versions and takes the phone's.
    office = phone(base, "canbo", width=1280)
    office.goto(f"{base}/offline/conflicts/")
    office.click("text=Lò Văn Pấng")
    assert office.is_visible("td:has-text('Bản Pấng, Thôn 1')")
    office.click("button:has-text('Dùng bản trên điện thoại')")
    office.wait_for_selector("text=Đã dùng bản trên điện thoại")
    item = WorkItem.objects.get(pk=enumerator.pk)
    assert item.status == Status.SUBMITTED
    assert item.answers["permanent_address"] == "Bản Pấng, Thôn 1"


def test_signing_out_of_the_site_clears_the_phone_after_asking(
    phone: Any, live_server: Any, place: Campaign
) -> None:
    base = live_server.url
    page = phone(base, "dtv")
    user = User.objects.get(username="dtv")
    page.goto(f"{base}/offline/")
    page.click("#download")
    page.wait_for_selector("#people li")
    # A form waiting in the outbox (as if filled without signal).
    page.evaluate(
        """(name) => new Promise((resolve) => {
             const open = indexedDB.open(name);
             open.onsuccess = () => {
               const tx = open.result.transaction('outbox', 'readwrite');
               tx.objectStore('outbox').put({queued_at: '2026-12-03', sent: {}}, 1);
               tx.oncomplete = () => { open.result.close(); resolve(); };
             };
           })""",
        f"laodong-offline-{user.pk}",
    )
    page.goto(f"{base}/")
    names = "indexedDB.databases().then((found) => found.map((db) => db.name))"
    asked: list[str] = []
    # Cancelled: still signed in, nothing cleared.
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("summary:has-text('Vũ Thị Hoa')")
    page.click("form[data-signout] button")
    page.wait_for_timeout(500)
    assert "1 phiếu làm ngoại tuyến chưa gửi" in asked[0]
    assert f"laodong-offline-{user.pk}" in page.evaluate(names)
    # Confirmed: the phone's data is gone with the session.
    page.once("dialog", lambda dialog: dialog.accept())
    page.evaluate("document.querySelector('details.usermenu').open = true")
    page.click("form[data-signout] button")
    page.wait_for_url("**/accounts/login/**")
    assert f"laodong-offline-{user.pk}" not in page.evaluate(names)


def test_a_session_ended_during_the_day_asks_to_sign_in_and_loses_nothing(
    phone: Any, live_server: Any, place: Campaign
) -> None:
    """The session ends after 30 minutes idle or when the browser closes: in the evening the
    enumerator signs in again and the outbox goes."""
    base = live_server.url
    page = phone(base, "dtv")
    page.goto(f"{base}/offline/")
    page.click("#download")
    page.wait_for_selector("#people li")
    page.context.set_offline(True)
    open_person(page, "Lò Văn Pấng")
    fill_inactive(page)
    page.click("#submit")
    page.wait_for_selector("text=nằm chờ gửi")
    page.context.clear_cookies()
    page.context.set_offline(False)
    page.click("#sync")
    page.click("text=Phiên đăng nhập đã hết")
    page.fill("#id_username", "dtv")
    page.fill("#id_password", PASSWORD)
    page.click("main form.form button[type=submit]")
    page.wait_for_url("**/offline/")
    page.wait_for_selector("#waiting-count:has-text('0')")
    assert WorkItem.objects.get(full_name="Lò Văn Pấng").status == Status.SUBMITTED
