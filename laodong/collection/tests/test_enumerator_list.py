"""The enumerator's list and form as used in the field: search as people type it, households
together, the next person of the household after submitting, the police list's relation to the
head pre-filled, the officer's comments at their items."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.actions import relation_code
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login
from laodong.register.tests.test_actions import ANSWERS

from .test_views import form_data

LIST = (
    "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ,Quan hệ với chủ hộ,Địa chỉ\n"
    "Nguyễn Văn An,12/03/1990,Nam,038090012345,Thôn 1,HGD001,Chủ hộ,Xóm Đồi\n"
    "Lê Thị Bình,05/05/1992,Nữ,038192000002,Thôn 1,HGD001,Vợ,Xóm Đồi\n"
    "Trần Văn Cường,06/06/1988,Nam,038088000003,Thôn 1,HGD002,Chủ hộ,Xóm Bãi\n"
    "Đỗ Thị Dung,07/07/1991,Nữ,038191000004,Thôn 1,HGD000,Chủ hộ,Xóm Giữa\n"
)


@pytest.fixture
def listed(campaign: Campaign, tree: Tree, users: dict[str, Any]) -> dict[str, WorkItem]:
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(LIST.encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
    )
    return {item.full_name.split()[-1]: item for item in WorkItem.objects.all()}


def names(page: str) -> list[str]:
    """The people a page lists, in the page's order."""
    everyone = ("Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường", "Đỗ Thị Dung")
    return sorted((n for n in everyone if n in page), key=page.index)


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("le thi binh", ["Lê Thị Bình"]),
        ("LÊ THỊ", ["Lê Thị Bình"]),
        ("hgd001", ["Nguyễn Văn An", "Lê Thị Bình"]),
        ("2345", ["Nguyễn Văn An"]),
        ("038 088 000003", ["Trần Văn Cường"]),
    ],
)
def test_the_list_is_searched_by_name_household_or_id(
    campaign: Campaign, users: dict[str, Any], listed: Any, query: str, found: list[str]
) -> None:
    client = login(users[Role.ENUMERATOR])
    page = client.post(reverse("collection-list-work", args=[campaign.pk]), {"q": query})
    assert names(page.content.decode()) == found


def test_the_list_groups_people_by_household_with_the_address(
    campaign: Campaign, users: dict[str, Any], listed: Any
) -> None:
    page = login(users[Role.ENUMERATOR]).get(reverse("collection-list-work", args=[campaign.pk]))
    text = page.content.decode()
    # HGD000 (Dung) before HGD001 (An, Bình) before HGD002 (Cường); one heading per household.
    assert names(text) == ["Đỗ Thị Dung", "Nguyễn Văn An", "Lê Thị Bình", "Trần Văn Cường"]
    assert text.count("Hộ HGD001") == 1 and "Xóm Đồi" in text
    assert "Chủ hộ" in text and "Vợ" in text


def test_after_submitting_the_next_person_of_the_household_opens(
    campaign: Campaign, tree: Tree, users: dict[str, Any], listed: Any
) -> None:
    client = login(users[Role.ENUMERATOR])
    an = listed["An"]
    url = reverse("collection-collect-item", args=[campaign.pk, an.pk])
    response = client.post(url, form_data(ANSWERS, tree.village))
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "collection-view-item", args=[campaign.pk, listed["Bình"].pk]
    )
    page = client.get(response["Location"]).content.decode()
    assert "Tiếp theo trong hộ: Lê Thị Bình." in page
    # The last of a household goes back to the list.
    cuong = listed["Cường"]
    answers = {**ANSWERS, "full_name": "Trần Văn Cường", "birth_date": "06/06/1988"}
    answers.update(personal_id=cuong.personal_id, household_code="HGD002")
    response = client.post(
        reverse("collection-collect-item", args=[campaign.pk, cuong.pk]),
        form_data(answers, tree.village),
    )
    assert response["Location"] == reverse("collection-list-work", args=[campaign.pk])


def test_the_relation_to_the_head_comes_from_the_police_list(
    campaign: Campaign, users: dict[str, Any], listed: Any
) -> None:
    client = login(users[Role.ENUMERATOR])
    page = client.get(reverse("collection-collect-item", args=[campaign.pk, listed["Bình"].pk]))
    assert '<option value="2" selected>2. Vợ/Chồng</option>' in page.content.decode()


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Chủ hộ", "1"),
        ("CHỦ HỘ", "1"),
        ("Vợ", "2"),
        ("Chồng", "2"),
        ("Con đẻ", "3"),
        ("Con dâu", "3"),
        ("Mẹ", "4"),
        ("Bà nội", "5"),
        ("Em trai", "6"),
        ("Cháu ruột", "7"),
        ("Người ở nhờ", "8"),
        ("", ""),
    ],
)
def test_relations_as_police_lists_write_them(text: str, code: str) -> None:
    assert relation_code(text) == code


def test_a_returned_form_shows_each_comment_at_its_item(
    campaign: Campaign, tree: Tree, users: dict[str, Any], listed: Any
) -> None:
    enumerator = login(users[Role.ENUMERATOR])
    an = listed["An"]
    url = reverse("collection-collect-item", args=[campaign.pk, an.pk])
    enumerator.post(url, form_data(ANSWERS, tree.village))
    an.refresh_from_db()
    actions.return_form(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        item=an,
        reason="Ghi rõ tên công ty",
        comments={"workplace_name": "Tên đầy đủ, có TNHH"},
    )
    page = enumerator.get(url).content.decode()
    field = page.split('id="field-workplace_name"')[1].split("</div>")[0]
    assert "Cán bộ ghi:" in field and "Tên đầy đủ, có TNHH" in field
    assert 'href="#field-workplace_name"' in page
    # Required items are marked before anything is submitted.
    assert 'id="field-activity_status"' in page
    activity = page.split('id="field-activity_status"')[1].split("</label>")[0]
    assert 'class="req"' in activity
    # An error summary links to the first item in error.
    broken = form_data({**ANSWERS, "activity_status": ""}, tree.village)
    response = enumerator.post(url, broken).content.decode()
    assert "Đến mục lỗi đầu tiên" in response and 'href="#field-activity_status"' in response
    an.refresh_from_db()
    assert an.status == Status.RETURNED


def test_the_reasons_to_update_read_as_words(
    campaign: Campaign, tree: Tree, users: dict[str, Any], listed: Any
) -> None:
    an = listed["An"]
    WorkItem.objects.filter(pk=an.pk).update(changed_items=["birth_date", "incomplete"])
    page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(
        reverse("collection-view-item", args=[campaign.pk, an.pk])
    )
    text = page.content.decode()
    assert "ngày sinh khác" in text and "phiếu trong cơ sở dữ liệu còn thiếu thông tin" in text
    assert "birth_date" not in text.split("<dl")[1].split("</dl>")[0]


def test_a_paper_form_keyed_under_nhap_phieu_is_the_persons_campaign_form(
    campaign: Campaign, tree: Tree, users: dict[str, Any], listed: Any
) -> None:
    import datetime

    from laodong.register.tests.test_views import post_data

    today = datetime.date.today()
    Campaign.objects.filter(pk=campaign.pk).update(
        collection_start=today - datetime.timedelta(days=5),
        entry_end=today + datetime.timedelta(days=30),
    )
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    data = post_data(None, tree.village)
    response = officer.post(reverse("register-create-person"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    an = WorkItem.objects.get(pk=listed["An"].pk)
    assert an.status == Status.ACCEPTED and an.person is not None
    assert an.person.personal_id == an.personal_id
    assert [t.to_status for t in an.transitions.order_by("pk")] == [
        Status.SUBMITTED,
        Status.ACCEPTED,
    ]
    page = officer.get(response["Location"]).content.decode()
    assert "phiếu vừa nhập là phiếu của kế hoạch" in page
    # The enumerator no longer has An to collect, so never meets a duplicate ID.
    todo = login(users[Role.ENUMERATOR]).get(reverse("collection-list-work", args=[campaign.pk]))
    assert "Nguyễn Văn An" not in todo.content.decode()
