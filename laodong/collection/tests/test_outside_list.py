"""Someone the police list missed (issue 12 item 7): the officer adds them, with or without an
ID, or an enumerator proposes them and the officer approves; they then go through all four
steps, marked "bổ sung ngoài danh sách", and a later full list does not drop them."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.campaigns.progress import progress_by_unit
from laodong.collection import actions
from laodong.collection.actions import WorkflowError
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.collection.tests.test_workflow import POLICE_LIST
from laodong.conftest import Tree, login
from laodong.forms.dates import PartialDate
from laodong.handover import actions as handover_actions
from laodong.register.models import Person
from laodong.register.tests.test_actions import ANSWERS

WITHOUT_ID = {
    **ANSWERS,
    "full_name": "Giàng A Pao",
    "birth_date": "1990",
    "personal_id": "",
    "household_code": "HGD009",
}


def _listed(campaign: Campaign, tree: Tree) -> int:
    _rows, total = progress_by_unit(campaign, tree.commune)
    return total.counts["listed"]


def test_the_officer_adds_someone_without_an_id_who_goes_all_the_way(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    enumerator = users[Role.ENUMERATOR]
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=police,
    )
    assert _listed(campaign, tree) == 3
    page = login(officer)
    response = page.post(
        reverse("collection-add-outside-list", args=[campaign.pk]),
        {
            "village": tree.village.pk,
            "full_name": "Giàng A Pao",
            "birth_date": "1990",
            "sex": "1",
            "household_code": "HGD009",
            "note": "Mới về ở, chưa đăng ký thường trú",
        },
    )
    assert response.status_code == 302
    item = WorkItem.objects.get(full_name="Giàng A Pao")
    assert (item.status, item.outside_list, item.personal_id) == (Status.LISTED, True, "")
    assert _listed(campaign, tree) == 4
    listed = page.post(reverse("collection-list-work", args=[campaign.pk]), {"q": "giang"})
    assert "bổ sung ngoài danh sách" in listed.content.decode()
    # A second person without an ID is allowed too (the ID is unique only when there is one).
    actions.add_outside_list(
        acting_user=officer,
        campaign=campaign,
        village=tree.village,
        full_name="Sùng Thị Mỷ",
        birth_date=PartialDate(datetime.date(1995, 1, 1), year_only=True),
        sex="2",
    )
    # The four steps: collected, accepted (a new record, never someone else's), handed over,
    # entered.
    actions.submit_form(
        acting_user=enumerator,
        item=item,
        answers=WITHOUT_ID,
        confirmed_warnings=["id.missing", "age.uncertain"],
    )
    actions.accept_form(
        acting_user=officer, item=item, confirmed_warnings=["id.missing", "age.uncertain"]
    )
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED and item.person is not None
    assert Person.objects.get(pk=item.person_id).full_name == "Giàng A Pao"
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    handover_actions.confirm_handover(
        acting_user=police, handover=handover, received_count=handover.sent_count
    )
    handover_actions.mark_entered(
        acting_user=police, item_ids=[item.pk], entered_on=datetime.date(2026, 11, 25)
    )
    item.refresh_from_db()
    assert item.status == Status.ENTERED
    # A later full list without them does not drop them.
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds-lan-2.csv",
        acting_user=police,
    )
    item.refresh_from_db()
    assert item.status == Status.ENTERED and item.outside_list


def test_an_enumerator_proposes_and_the_officer_approves_or_refuses(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    officer, enumerator = users[Role.COMMUNE_LABOR_OFFICER], users[Role.ENUMERATOR]
    page = login(enumerator)
    url = reverse("collection-add-outside-list", args=[campaign.pk])
    form = page.get(url).content.decode()
    assert "Gửi đề xuất" in form
    # Under 15 on the campaign's reference date: refused with the reason.
    young = page.post(
        url,
        {"village": tree.village.pk, "full_name": "Lò Văn Nhỏ", "birth_date": "01/01/2015",
         "sex": "1"},
    )  # fmt: skip
    assert "chưa đủ 15 tuổi" in young.content.decode()
    page.post(
        url,
        {"village": tree.village.pk, "full_name": "Lò Văn Mới", "birth_date": "02/02/1999",
         "sex": "1", "personal_id": "038099000777"},
    )  # fmt: skip
    item = WorkItem.objects.get(personal_id="038099000777")
    assert (item.status, item.assigned_to_id, item.proposed_by_id) == (
        Status.PROPOSED,
        enumerator.pk,
        enumerator.pk,
    )
    assert _listed(campaign, tree) == 0  # not counted until approved
    # The same ID again is refused.
    with pytest.raises(WorkflowError, match="đã có trong danh sách"):
        actions.add_outside_list(
            acting_user=officer,
            campaign=campaign,
            village=tree.village,
            full_name="Lò Văn Mới",
            birth_date=PartialDate(datetime.date(1999, 2, 2)),
            sex="1",
            personal_id="038099000777",
        )
    # The enumerator may not approve; the officer does.
    assert page.post(
        reverse("collection-approve-item", args=[campaign.pk, item.pk])
    ).status_code in (
        403,
        404,
    )
    desk = login(officer)
    view = desk.get(reverse("collection-view-item", args=[campaign.pk, item.pk])).content.decode()
    assert "Đồng ý bổ sung" in view
    desk.post(reverse("collection-approve-item", args=[campaign.pk, item.pk]))
    item.refresh_from_db()
    assert item.status == Status.LISTED and _listed(campaign, tree) == 1
    # Another proposal refused with a reason.
    other = actions.add_outside_list(
        acting_user=enumerator,
        campaign=campaign,
        village=tree.village,
        full_name="Lò Văn Khác",
        birth_date=PartialDate(datetime.date(1998, 3, 3)),
        sex="1",
    )
    actions.exclude_person(acting_user=officer, item=other, reason="Không ở trên địa bàn")
    other.refresh_from_db()
    assert other.status == Status.EXCLUDED
