"""The form's journey: every transition, legal and illegal, by the roles that may make it."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.actions import TRANSITIONS, WorkflowError
from laodong.collection.models import Status, Transition, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, make_user
from laodong.handover import actions as handover_actions
from laodong.handover.models import HandoverStatus
from laodong.register.models import Person, PersonVersion, Source
from laodong.register.tests.test_actions import ANSWERS

POLICE_LIST = (
    "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ\n"
    "Nguyễn Văn An,12/03/1990,Nam,038090012345,Thôn 1,HGD001\n"
    "Lê Thị Bình,05/05/1992,Nữ,038192000002,Thôn 1,HGD002\n"
    "Trần Văn Cường,06/06/1988,Nam,038088000003,Thôn 2,HGD003\n"
)
BINH = {
    **ANSWERS,
    "full_name": "Lê Thị Bình",
    "birth_date": "05/05/1992",
    "sex": "Nữ",
    "personal_id": "038192000002",
    "household_code": "HGD002",
}


@pytest.fixture
def items(campaign: Campaign, tree: Tree, users: dict[str, Any]) -> dict[str, WorkItem]:
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
    )
    found = {item.full_name.split()[-1]: item for item in WorkItem.objects.all()}
    return found


def statuses(item: WorkItem) -> list[tuple[str, str]]:
    return list(
        Transition.objects.filter(work_item=item)
        .order_by("at", "pk")
        .values_list("from_status", "to_status")
    )


@pytest.mark.parametrize("before", list(Status))
@pytest.mark.parametrize("after", list(Status))
def test_only_the_listed_moves_are_legal(
    items: dict[str, WorkItem], users: dict[str, Any], before: str, after: str
) -> None:
    item = items["An"]
    WorkItem.objects.filter(pk=item.pk).update(status=before)
    item.refresh_from_db()
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    now = timezone.now()
    if after in TRANSITIONS[before]:
        actions.move_item(item, after, acting_user=officer, now=now).save()
        item.refresh_from_db()
        assert item.status == after
    else:
        with pytest.raises(WorkflowError, match="Không thể chuyển phiếu"):
            actions.move_item(item, after, acting_user=officer, now=now)
        item.refresh_from_db()
        assert item.status == before


def test_enumerator_submits_officer_returns_enumerator_fixes_officer_accepts(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    item = items["An"]
    # The form opens pre-filled from the police list.
    assert actions.prefill(item)["personal_id"] == "038090012345"
    actions.save_form_draft(acting_user=enumerator, item=item, answers={"full_name": "An"})
    item.refresh_from_db()
    assert (item.status, item.has_draft) == (Status.LISTED, True)
    actions.submit_form(acting_user=enumerator, item=item, answers=ANSWERS)
    item.refresh_from_db()
    assert (item.status, item.collected_by, item.mode) == (Status.SUBMITTED, enumerator, "phone")
    actions.return_form(
        acting_user=officer,
        item=item,
        reason="Sai nơi làm việc",
        comments={"workplace_name": "Ghi tên đầy đủ của công ty"},
    )
    item.refresh_from_db()
    assert item.status == Status.RETURNED
    assert item.return_comments == {"workplace_name": "Ghi tên đầy đủ của công ty"}
    actions.submit_form(
        acting_user=enumerator,
        item=item,
        answers={**ANSWERS, "workplace_name": "Công ty TNHH May Cẩm Thủy"},
    )
    actions.accept_form(acting_user=officer, item=item)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED and item.person is not None
    person = Person.objects.get(personal_id="038090012345")
    assert person.answers["workplace_name"] == "Công ty TNHH May Cẩm Thủy"
    assert PersonVersion.objects.get(person=person).source == Source.COLLECTION
    assert statuses(item) == [
        (Status.LISTED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.RETURNED),
        (Status.RETURNED, Status.SUBMITTED),
        (Status.SUBMITTED, Status.ACCEPTED),
    ]
    returned = Transition.objects.get(work_item=item, to_status=Status.RETURNED)
    assert (returned.actor, returned.reason) == (officer, "Sai nơi làm việc")


def test_a_form_with_errors_cannot_be_submitted(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    item = items["An"]
    with pytest.raises(WorkflowError, match="lỗi") as refused:
        actions.submit_form(
            acting_user=users[Role.ENUMERATOR],
            item=item,
            answers={**ANSWERS, "birth_date": "31/02/1990"},
        )
    assert refused.value.findings
    item.refresh_from_db()
    assert item.status == Status.LISTED and not Transition.objects.filter(work_item=item).exists()


def test_warnings_must_be_confirmed_before_acceptance(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    item = items["An"]
    # No ID number on the form is a warning (the police can help complete it), not an error,
    # for someone the police list missed (on the list, the list's ID must be kept).
    WorkItem.objects.filter(pk=item.pk).update(outside_list=True, in_latest_list=False)
    item.refresh_from_db()
    odd = {**ANSWERS, "personal_id": ""}
    actions.submit_form(acting_user=users[Role.ENUMERATOR], item=item, answers=odd)
    item.refresh_from_db()
    warnings = [f["rule"] for f in item.findings if f["severity"] == "warning"]
    assert warnings
    with pytest.raises(WorkflowError, match="cảnh báo"):
        actions.accept_form(acting_user=officer, item=item)
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED and not Person.objects.exists()
    accepted, left = actions.accept_clean_forms(acting_user=officer, items=[item])
    assert (accepted, left) == (0, 1)
    actions.accept_form(acting_user=officer, item=item, confirmed_warnings=warnings)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_bulk_acceptance_takes_only_clean_forms(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    WorkItem.objects.filter(pk=items["Bình"].pk).update(outside_list=True, in_latest_list=False)
    items["Bình"].refresh_from_db()
    actions.submit_form(
        acting_user=enumerator,
        item=items["Bình"],
        answers={**BINH, "personal_id": ""},
    )
    accepted, left = actions.accept_clean_forms(
        acting_user=officer, items=list(WorkItem.objects.filter(status=Status.SUBMITTED))
    )
    assert (accepted, left) == (1, 1)
    assert WorkItem.objects.get(pk=items["An"].pk).status == Status.ACCEPTED
    assert WorkItem.objects.get(pk=items["Bình"].pk).status == Status.SUBMITTED


@pytest.mark.parametrize(
    "role", [Role.ENUMERATOR, Role.COMMUNE_POLICE, Role.COMMUNE_LEADER, Role.VILLAGE_HEAD]
)
def test_only_the_labor_officer_accepts_or_returns(
    items: dict[str, WorkItem], users: dict[str, Any], role: str
) -> None:
    item = items["An"]
    actions.submit_form(acting_user=users[Role.ENUMERATOR], item=item, answers=ANSWERS)
    with pytest.raises(PermissionDenied):
        actions.accept_form(acting_user=users[role], item=item)
    with pytest.raises(PermissionDenied):
        actions.return_form(acting_user=users[role], item=item, reason="x")
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_an_officer_of_another_commune_cannot_touch_the_form(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree
) -> None:
    item = items["An"]
    actions.submit_form(acting_user=users[Role.ENUMERATOR], item=item, answers=ANSWERS)
    stranger = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune)
    with pytest.raises(WorkflowError, match="ngoài phạm vi"):
        actions.accept_form(acting_user=stranger, item=item)
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED


def test_assigned_work_belongs_to_its_enumerator(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    first = users[Role.ENUMERATOR]
    second = make_user(Role.ENUMERATOR, tree.village)
    count = actions.assign_work(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        village=tree.village,
        enumerator=second,
    )
    assert count == 2
    with pytest.raises(WorkflowError, match="điều tra viên khác"):
        actions.submit_form(acting_user=first, item=items["An"], answers=ANSWERS)
    actions.submit_form(acting_user=second, item=items["An"], answers=ANSWERS)
    assert WorkItem.objects.get(pk=items["An"].pk).status == Status.SUBMITTED
    with pytest.raises(PermissionDenied):
        actions.assign_work(
            acting_user=first, campaign=campaign, village=tree.village, enumerator=first
        )


def test_double_entry_differences_must_be_resolved(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(double_entry=True)
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    second_keyer = make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune)
    enumerator = users[Role.ENUMERATOR]
    item = items["An"]
    day = datetime.date(2026, 11, 15)
    actions.key_paper_form(
        acting_user=officer, item=item, answers=ANSWERS, collected_by=enumerator, collected_on=day
    )
    item.refresh_from_db()
    assert item.status == Status.KEYED_ONCE
    with pytest.raises(WorkflowError, match="người khác"):
        actions.key_paper_form(
            acting_user=officer,
            item=item,
            answers=ANSWERS,
            collected_by=enumerator,
            collected_on=day,
        )
    actions.key_paper_form(
        acting_user=second_keyer,
        item=item,
        answers={**ANSWERS, "job_description": "Thợ may"},
        collected_by=enumerator,
        collected_on=day,
    )
    item.refresh_from_db()
    assert (item.status, item.keying_differences) == (Status.KEYED_ONCE, ["job_description"])
    actions.resolve_keying(acting_user=officer, item=item, answers=ANSWERS)
    item.refresh_from_db()
    assert (item.status, item.collected_by, item.keyed_by) == (
        Status.SUBMITTED,
        enumerator,
        officer,
    )


def test_paper_forms_matching_on_second_keying_are_submitted(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    Campaign.objects.filter(pk=campaign.pk).update(double_entry=True)
    keyers = [
        users[Role.COMMUNE_LABOR_OFFICER],
        make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune),
    ]
    item = items["An"]
    for keyer in keyers:
        actions.key_paper_form(
            acting_user=keyer,
            item=item,
            answers=ANSWERS,
            collected_by=users[Role.ENUMERATOR],
            collected_on=datetime.date(2026, 11, 15),
        )
    item.refresh_from_db()
    assert (item.status, item.keyed_by) == (Status.SUBMITTED, keyers[1])


def accept_all(items: dict[str, WorkItem], users: dict[str, Any]) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    for key, answers in (("An", ANSWERS), ("Bình", BINH)):
        actions.submit_form(acting_user=enumerator, item=items[key], answers=answers)
        actions.accept_form(acting_user=officer, item=items[key])


def test_handover_confirmed_then_entered_and_archived(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    accept_all(items, users)
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    assert (handover.number, handover.sent_count) == (1, 2)
    ids = [items["An"].pk, items["Bình"].pk]
    with pytest.raises(WorkflowError, match="chưa được xác nhận"):
        handover_actions.mark_entered(
            acting_user=police, item_ids=ids, entered_on=datetime.date(2026, 11, 20)
        )
    with pytest.raises(PermissionDenied):
        handover_actions.confirm_handover(acting_user=officer, handover=handover, received_count=2)
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=2)
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CONFIRMED
    handover_actions.mark_not_enterable(
        acting_user=police, item_id=items["Bình"].pk, reason="Không tìm thấy số định danh"
    )
    assert (
        handover_actions.mark_entered(
            acting_user=police, item_ids=[items["An"].pk], entered_on=datetime.date(2026, 11, 20)
        )
        == 1
    )
    # The officer fixes the form the police could not enter and accepts it again.
    binh = WorkItem.objects.get(pk=items["Bình"].pk)
    assert binh.status == Status.NOT_ENTERABLE
    actions.accept_form(acting_user=officer, item=binh)
    assert WorkItem.objects.get(pk=binh.pk).status == Status.ACCEPTED
    with pytest.raises(PermissionDenied):
        handover_actions.archive_forms(acting_user=police, item_ids=[items["An"].pk], reference="x")
    assert (
        handover_actions.archive_forms(
            acting_user=officer, item_ids=[items["An"].pk], reference="Hộp 3, kệ A"
        )
        == 1
    )
    an = WorkItem.objects.get(pk=items["An"].pk)
    assert (an.status, an.archive_reference) == (Status.ARCHIVED, "Hộp 3, kệ A")
    assert statuses(an)[-3:] == [
        (Status.ACCEPTED, Status.HANDED_OVER),
        (Status.HANDED_OVER, Status.ENTERED),
        (Status.ENTERED, Status.ARCHIVED),
    ]


def test_handover_count_mismatch_must_be_resolved(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    accept_all(items, users)
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    with pytest.raises(WorkflowError, match="ghi rõ"):
        handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=1)
    handover_actions.confirm_handover(
        acting_user=police, handover=handover, received_count=1, note="Thiếu phiếu của Bình"
    )
    handover.refresh_from_db()
    assert (handover.status, handover.received_count) == (HandoverStatus.MISMATCH, 1)
    with pytest.raises(WorkflowError, match="chưa được xác nhận"):
        handover_actions.mark_entered(
            acting_user=police, item_ids=[items["An"].pk], entered_on=datetime.date(2026, 11, 20)
        )
    with pytest.raises(WorkflowError, match="vẫn chưa khớp"):
        handover_actions.resolve_handover(acting_user=officer, handover=handover, note="Đã kiểm")
    handover_actions.resolve_handover(
        acting_user=officer,
        handover=handover,
        note="Phiếu của Bình còn ở thôn, rút khỏi biên bản",
        withdrawn_ids=[items["Bình"].pk],
    )
    handover.refresh_from_db()
    assert (handover.status, handover.sent_count) == (HandoverStatus.RESOLVED, 1)
    binh = WorkItem.objects.get(pk=items["Bình"].pk)
    assert (binh.status, binh.handover) == (Status.ACCEPTED, None)
    assert (
        handover_actions.mark_entered(
            acting_user=police, item_ids=[items["An"].pk], entered_on=datetime.date(2026, 11, 20)
        )
        == 1
    )
    second = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    assert (second.number, second.sent_count) == (2, 1)


def test_nothing_to_hand_over_is_refused(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    with pytest.raises(WorkflowError, match="Không có phiếu"):
        handover_actions.create_handover(
            acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
        )


def test_exclusion_and_restoration(items: dict[str, WorkItem], users: dict[str, Any]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    item = items["Cường"]
    with pytest.raises(WorkflowError, match="lý do"):
        actions.exclude_person(acting_user=officer, item=item, reason=" ")
    actions.exclude_person(acting_user=officer, item=item, reason="Đang tại ngũ")
    actions.restore_person(acting_user=officer, item=item)
    assert statuses(item) == [
        (Status.LISTED, Status.EXCLUDED),
        (Status.EXCLUDED, Status.LISTED),
    ]


def test_a_form_for_someone_registered_elsewhere_waits_for_the_transfer(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    """Collected here, held by another commune: accepting is refused (never a silent move)
    until the holding commune agrees to the transfer; then it is accepted as an update."""
    from laodong.register import transfers
    from laodong.register.actions import record_person

    elsewhere = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")
    person = record_person(
        acting_user=elsewhere,
        form_code="tt09-2025-m01",
        village=tree.other_village,
        answers=ANSWERS,
    )
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
    )
    an = WorkItem.objects.get(personal_id=person.personal_id)
    assert an.person is None  # the police list links nobody of another commune
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    collected = {**ANSWERS, "job_description": "Thợ may công nghiệp"}
    actions.submit_form(acting_user=users[Role.ENUMERATOR], item=an, answers=collected)
    with pytest.raises(WorkflowError) as refused:
        actions.accept_form(acting_user=officer, item=an)
    assert "Chuyển địa bàn" in str(refused.value.findings[0].message)
    person.refresh_from_db()
    assert person.commune == tree.other_commune
    # On the form's page, the officer asks the holding commune for the record in one step.
    from django.urls import reverse

    from laodong.conftest import login
    from laodong.register.models import TransferRequest

    page = login(officer)
    view = reverse("collection-view-item", args=[campaign.pk, an.pk])
    assert "Người này đang có hồ sơ ở xã khác" in page.get(view).content.decode()
    asked = page.post(
        reverse("collection-request-transfer", args=[campaign.pk, an.pk]),
        {"reason": "Công an xã ghi thường trú tại Thôn 1"},
    )
    assert asked.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.to_village, transfer.from_commune) == (tree.village, tree.other_commune)
    assert "đang chờ trả lời" in page.get(view).content.decode()
    transfers.decide_transfer(acting_user=elsewhere, transfer=transfer, accept=True)
    actions.accept_form(acting_user=officer, item=WorkItem.objects.get(pk=an.pk))
    person.refresh_from_db()
    assert (person.commune, person.version) == (tree.commune, 3)
    assert person.answers["job_description"] == "Thợ may công nghiệp"
    assert [v.source for v in person.versions.order_by("number")] == [
        Source.COLLECTION,
        Source.TRANSFER,
        Source.COLLECTION,
    ]
