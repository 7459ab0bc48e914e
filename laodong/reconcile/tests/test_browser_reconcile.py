"""Reconciliation in Chromium (issue 13): the officer reconciles the register with the police
list and links a person collected without an ID; the working group's leader records that the
batch was reconciled; the police complete an ID on the phone, open the entry sheet of the
confirmed record and mark the forms entered by pasting the IDs the population database took."""

from __future__ import annotations

import io
from typing import Any

import pytest
from playwright.sync_api import expect

from laodong.accounts.models import Role, User
from laodong.campaigns.actions import RoundPlan, create_campaign
from laodong.collection import actions as collection_actions
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.collection.tests.test_browser_journey import open_as  # noqa: F401
from laodong.conftest import make_unit, make_user
from laodong.core.tests.test_browser import ARTIFACTS, browser  # noqa: F401
from laodong.register.actions import record_person
from laodong.register.models import Person, Source
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

POLICE_LIST = (
    "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ\n"
    "Nguyễn Văn An,12/03/1990,Nam,038090012345,Thôn 1,HGD001\n"
    "Lê Thị Bình,05/05/1992,Nữ,038192000002,Thôn 1,HGD002\n"
)


def _commune_with_list() -> tuple[Any, Any, Any]:
    """A commune with its officer, police and an enumerator, an open campaign and the
    police list above imported: (campaign, commune, village)."""
    import datetime

    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    village = make_unit("Thôn 1", Level.VILLAGE, commune)
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, commune, "canbo", full_name="Nguyễn Thị Lan")
    police = make_user(Role.COMMUNE_POLICE, commune, "congan", full_name="Hoàng Văn Nam")
    make_user(Role.ENUMERATOR, village, "dtv", full_name="Trần Thị Mai")
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
    import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=police,
    )
    return campaign, commune, village


def test_officer_reconciles_police_complete_and_enter_in_bulk(
    open_as: Any,  # noqa: F811
    live_server: Any,
) -> None:
    campaign, commune, village = _commune_with_list()
    officer = User.objects.get(username="canbo")
    enumerator = User.objects.get(username="dtv")
    make_user(Role.COMMUNE_LEADER, commune, "totruong", full_name="Lê Văn Tổ")
    # An's form is collected and accepted; Bình is in the register from an old import, without
    # an ID and without diacritics; Cường was keyed without an ID and is no one on the list.
    an = WorkItem.objects.get(personal_id="038090012345")
    collection_actions.submit_form(acting_user=enumerator, item=an, answers=ANSWERS)
    collection_actions.accept_form(acting_user=officer, item=WorkItem.objects.get(pk=an.pk))
    record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "full_name": "Le Thi Binh", "birth_date": "05/05/1992", "sex": "Nữ",
                 "personal_id": "", "household_code": "HGD002"},
        confirmed_warnings=["id.missing"],
    )  # fmt: skip
    cuong = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, "full_name": "Trần Văn Cường", "birth_date": "06/06/1988",
                 "personal_id": "", "household_code": "HGD003"},
        confirmed_warnings=["id.missing"],
    )  # fmt: skip
    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)

    # 1. The officer reconciles from the campaign's page and links Bình.
    desk = open_as(base, "canbo")
    desk.goto(f"{base}/campaigns/{campaign.pk}/?commune={commune.pk}")
    desk.click("text=Đối soát với danh sách Công an")
    desk.click("button:has-text('Đối soát ngay')")
    expect(desk.locator("ul.messages")).to_contain_text("Đã đối soát")
    links = desk.locator("#list-link")
    expect(links).to_contain_text("Le Thi Binh")
    expect(links).to_contain_text("Lê Thị Bình")
    expect(desk.locator("#list-register_only")).to_contain_text("Trần Văn Cường")
    desk.screenshot(path=str(ARTIFACTS / "reconcile-desktop.png"), full_page=True)
    links.locator("button:has-text('Là một người')").click()
    expect(desk.locator("ul.messages")).to_contain_text("Đã ghi số định danh")
    binh = Person.objects.get(full_name="Le Thi Binh")
    assert binh.personal_id == "038192000002"
    assert binh.versions.order_by("-number").first().source == Source.RECONCILIATION  # type: ignore[union-attr]

    # 2. The officer hands An's form over (with the register's own changes); the police
    # confirm the record.
    desk.goto(f"{base}/campaigns/{campaign.pk}/handovers/{commune.pk}/")
    desk.click("button:has-text('Lập biên bản bàn giao')")
    expect(desk.locator("h1")).to_contain_text("Biên bản bàn giao số 1")
    record_url = desk.url
    phone = open_as(base, "congan", width=390)
    phone.goto(record_url)
    # An's form and the two records keyed outside the campaign (changes for the police).
    phone.fill("#id_received", "3")
    phone.click("button:has-text('Xác nhận')")
    expect(phone.locator("ul.messages")).to_contain_text("Đã ghi xác nhận")

    # 3. The leader records that the batch was reconciled; the record prints it.
    leader = open_as(base, "totruong")
    leader.goto(f"{base}/campaigns/{campaign.pk}/reconcile/{commune.pk}/")
    leader.select_option("#id_handover", label="Biên bản số 1 (" + leader.locator(
        "#id_handover option:nth-child(2)").inner_text().split("(")[1])  # fmt: skip
    leader.fill("#id_note", "Đã khớp danh sách Công an")
    leader.click("button:has-text('Ghi nhận đã đối soát')")
    expect(leader.locator("#records")).to_contain_text("Đã khớp danh sách Công an")
    leader.goto(record_url)
    expect(leader.locator("dl.facts")).to_contain_text("Đã khớp danh sách Công an")

    # 4. On the phone, the police complete Cường's ID from their home page.
    phone.goto(f"{base}/")
    phone.click("a:has-text('Bổ sung số')")
    row = phone.locator(f"#person-{cuong.pk}")
    row.locator("input[name=personal_id]").fill("038088000003")
    row.locator("button:has-text('Bổ sung')").click()
    expect(phone.locator("ul.messages")).to_contain_text("Đã bổ sung số định danh")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "missing-ids-phone.png"), full_page=True)
    cuong.refresh_from_db()
    assert cuong.personal_id == "038088000003"
    assert cuong.versions.order_by("-number").first().source == Source.POLICE_COMPLETION  # type: ignore[union-attr]

    # 5. The entry sheet of the record, then entries marked by pasting the accepted IDs.
    phone.goto(record_url)
    phone.click("text=Phiếu nhập liệu")
    expect(phone.locator("main")).to_contain_text("Công nhân may")
    expect(phone.locator("main")).to_contain_text("038090012345")
    phone.screenshot(path=str(ARTIFACTS / "entry-sheet-phone.png"), full_page=True)
    phone.goto(f"{base}/campaigns/{campaign.pk}/handovers/{commune.pk}/")
    phone.click("text=Ghi đã nhập theo danh sách số định danh")
    phone.fill("#id_ids", "038090012345\n001099000777")
    phone.click("button:has-text('Ghi đã nhập')")
    result = phone.locator("#result")
    expect(result).to_contain_text("1 phiếu")
    expect(result).to_contain_text("001099000777")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.screenshot(path=str(ARTIFACTS / "enter-by-ids-phone.png"), full_page=True)
    assert WorkItem.objects.get(pk=an.pk).status == Status.ENTERED


def test_enumerator_must_explain_a_name_that_differs_from_the_police_list(
    open_as: Any,  # noqa: F811
    live_server: Any,
) -> None:
    from laodong.collection.tests.test_browser_journey import fill_form

    campaign, _commune, _village = _commune_with_list()
    binh = WorkItem.objects.get(personal_id="038192000002")
    base = live_server.url
    phone = open_as(base, "dtv", width=390)
    phone.goto(f"{base}/campaigns/{campaign.pk}/work/{binh.pk}/form/")
    fill_form(phone)
    phone.fill("#id_full_name", "Lê Thi Bình")
    phone.click("button:has-text('Nộp phiếu')")
    notice = phone.locator("div.notice[role=alert]")
    expect(notice).to_contain_text("“Lê Thi Bình” khác danh sách Công an “Lê Thị Bình”")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    ARTIFACTS.mkdir(exist_ok=True)
    phone.screenshot(path=str(ARTIFACTS / "identity-warning-phone.png"), full_page=True)
    assert WorkItem.objects.get(pk=binh.pk).status == Status.LISTED
    phone.fill("#reason-identity\\.full_name", "Căn cước ghi Lê Thi Bình")
    phone.click("button:has-text('Nộp phiếu')")
    expect(phone.locator("ul.messages")).to_contain_text("Đã nộp phiếu")
    item = WorkItem.objects.get(pk=binh.pk)
    assert item.status == Status.SUBMITTED
    assert item.identity_reasons == {"identity.full_name": "Căn cước ghi Lê Thi Bình"}
    desk = open_as(base, "canbo")
    desk.goto(f"{base}/campaigns/{campaign.pk}/work/{binh.pk}/")
    expect(desk.locator("main")).to_contain_text("Căn cước ghi Lê Thi Bình")
