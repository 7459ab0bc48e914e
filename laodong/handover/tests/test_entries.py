"""The police mark entries in bulk from the IDs the population database accepted."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection.models import Status, WorkItem
from laodong.collection.tests import test_workflow
from laodong.collection.tests.test_workflow import accept_all
from laodong.conftest import Tree, login, make_user
from laodong.handover import actions as handover_actions
from laodong.handover.entries import ids_from_text

items = test_workflow.items  # the fixture: An, Bình and Cường listed by the police


def _received(items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign):
    accept_all(items, users)
    handover = handover_actions.create_handover(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
    )
    handover_actions.confirm_handover(
        acting_user=users[Role.COMMUNE_POLICE], handover=handover, received_count=2
    )
    return handover


def test_ids_pasted_the_ways_people_paste_them() -> None:
    ids, invalid = ids_from_text(
        "038090012345\n038 192 000 002;  38192000002\t12345678\nabc 123456789012345"
    )
    assert ids == ["038090012345", "038192000002", "012345678"]
    assert invalid == ["123456789012345"]


def test_pasted_ids_mark_entries_and_unknown_ones_are_reported(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    _received(items, users, tree, campaign)
    police = login(users[Role.COMMUNE_POLICE])
    url = reverse("handover-enter-by-ids", args=[campaign.pk, tree.commune.pk])
    assert police.get(url).status_code == 200
    response = police.post(
        url, {"entered_on": "01/12/2026", "ids": "038090012345\n038088000003\n001099000001"}
    )
    text = response.content.decode()
    assert response.status_code == 200
    assert "1 phiếu" in text
    assert "001099000001" in text  # nobody's
    assert "038088000003" in text  # Cường: listed, not handed over
    assert WorkItem.objects.get(pk=items["An"].pk).status == Status.ENTERED
    assert WorkItem.objects.get(pk=items["Bình"].pk).status == Status.HANDED_OVER
    again = police.post(url, {"entered_on": "01/12/2026", "ids": "038090012345"})
    assert "đã ghi đã nhập từ trước" in again.content.decode()


def test_an_uploaded_file_with_a_title_block(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    _received(items, users, tree, campaign)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["DANH SÁCH ĐÃ CẬP NHẬT VÀO CSDL QUỐC GIA VỀ DÂN CƯ"])
    sheet.append([])
    sheet.append(["STT", "Họ và tên", "Số định danh cá nhân"])
    sheet.append(["(1)", "(2)", "(3)"])
    sheet.append([1, "Nguyễn Văn An", 38090012345])  # Excel dropped the leading 0
    sheet.append([2, "Lê Thị Bình", "038192000002"])
    sheet.append(["Tổng cộng: 2"])
    buffer = io.BytesIO()
    book.save(buffer)
    police = login(users[Role.COMMUNE_POLICE])
    response = police.post(
        reverse("handover-enter-by-ids", args=[campaign.pk, tree.commune.pk]),
        {"entered_on": "01/12/2026", "file": SimpleUploadedFile("da-nhap.xlsx", buffer.getvalue())},
    )
    assert "2 phiếu" in response.content.decode()
    assert WorkItem.objects.filter(status=Status.ENTERED).count() == 2


def test_bad_input_is_explained(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    police = login(users[Role.COMMUNE_POLICE])
    url = reverse("handover-enter-by-ids", args=[campaign.pk, tree.commune.pk])
    assert (
        "Không thấy số định danh"
        in police.post(url, {"entered_on": "01/12/2026", "ids": "không có số"}).content.decode()
    )
    assert (
        "dd/mm/yyyy"
        in police.post(url, {"entered_on": "x", "ids": "038090012345"}).content.decode()
    )
    broken = police.post(
        url, {"entered_on": "01/12/2026", "file": SimpleUploadedFile("x.xlsx", b"not a zip")}
    )
    assert broken.status_code == 400 and "Không đọc được tệp Excel" in broken.content.decode()


def test_only_the_communes_police(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    _received(items, users, tree, campaign)
    url = reverse("handover-enter-by-ids", args=[campaign.pk, tree.commune.pk])
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert officer.post(url, {"entered_on": "01/12/2026", "ids": "038090012345"}).status_code == 403
    stranger = login(make_user(Role.COMMUNE_POLICE, tree.other_commune, "other_police"))
    assert stranger.get(url).status_code == 404
    assert WorkItem.objects.filter(status=Status.ENTERED).count() == 0


def test_entry_sheet_of_a_confirmed_record(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    from openpyxl import load_workbook

    handover = _received(items, users, tree, campaign)
    url = reverse("handover-entry-sheet", args=[campaign.pk, tree.commune.pk, handover.pk])
    police = login(users[Role.COMMUNE_POLICE])
    page = police.get(url).content.decode()
    assert "Nguyễn Văn An" in page and "038090012345" in page and "Công nhân may" in page
    assert page.index("Lê Thị Bình") < page.index("Nguyễn Văn An")  # the record's order
    # The officer sees the sheet with IDs masked (the full ID is the police's).
    officer_page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(url).content.decode()
    assert "Nguyễn Văn An" in officer_page and "038090012345" not in officer_page
    book = load_workbook(io.BytesIO(police.get(url + "?format=xlsx").content))
    rows = list(book.active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows[1][0] == "STT" and len(rows) == 4
    assert "038090012345" in rows[3] or "038090012345" in rows[2]


def test_no_entry_sheet_before_the_police_confirm(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    accept_all(items, users)
    handover = handover_actions.create_handover(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
    )
    url = reverse("handover-entry-sheet", args=[campaign.pk, tree.commune.pk, handover.pk])
    assert login(users[Role.COMMUNE_POLICE]).get(url).status_code == 302
