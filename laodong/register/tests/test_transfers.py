"""A person moves to another commune: the new commune asks, the holding commune answers, and
the record moves with its whole history (issue 11 finding 3; issue 12 item 3)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.register import transfers
from laodong.register.actions import RegisterError, record_person
from laodong.register.models import Person, PersonPeriod, Source, TransferRequest
from laodong.register.tests.test_actions import ANSWERS


@pytest.fixture
def moved(tree: Tree, users: dict[str, User]) -> dict[str, Any]:
    """A person held by Xã Cẩm Tân, who moved to Xã Cẩm Thạch."""
    holder = users[Role.COMMUNE_LABOR_OFFICER]
    person = record_person(
        acting_user=holder, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    asker = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")
    return {"person": person, "holder": holder, "asker": asker}


def test_the_new_commune_asks_and_the_holding_commune_moves_the_record(
    tree: Tree, moved: dict[str, Any]
) -> None:
    person, holder, asker = moved["person"], moved["holder"], moved["asker"]
    page = login(asker)
    url = reverse("register-list-transfers")
    looked = page.post(url, {"step": "lookup", "personal_id": person.personal_id})
    text = looked.content.decode()
    # Only which commune holds the record: not the name, not the answers.
    assert "Xã Cẩm Tân" in text and person.full_name not in text
    assert person.personal_id not in looked.request["PATH_INFO"]
    asked = page.post(
        url,
        {
            "step": "request",
            "personal_id": person.personal_id,
            "village": tree.other_village.pk,
            "reason": "Chuyển đến ở từ tháng 10/2026",
        },
    )
    assert asked.status_code == 302
    transfer = TransferRequest.objects.get()
    assert (transfer.from_commune, transfer.to_commune) == (tree.commune, tree.other_commune)
    # Nothing moved yet.
    person.refresh_from_db()
    assert person.commune == tree.commune and person.version == 1
    # The holding commune sees it, with the person, and must give a reason to refuse.
    holding = login(holder)
    listed = holding.get(url).content.decode()
    assert person.full_name in listed
    view = reverse("register-view-transfer", args=[transfer.pk])
    refused = holding.post(view, {"step": "refuse", "note": ""}, follow=True)
    assert "Hãy ghi lý do từ chối" in refused.content.decode()
    holding.post(view, {"step": "accept"})
    transfer.refresh_from_db()
    person.refresh_from_db()
    assert transfer.status == "accepted" and transfer.decided_by == holder
    assert (person.village, person.commune, person.version) == (
        tree.other_village,
        tree.other_commune,
        2,
    )
    assert person.answers["commune"] == tree.other_commune.code
    latest = person.versions.get(number=2)
    assert latest.source == Source.TRANSFER and latest.changes["commune"] == [
        tree.commune.code,
        tree.other_commune.code,
    ]
    # Reports: the old commune until the move, the new one after it.
    periods = list(PersonPeriod.objects.filter(person=person).order_by("number"))
    assert [p.commune_id for p in periods] == [tree.commune.pk, tree.other_commune.pk]
    assert periods[0].valid_to == periods[1].valid_from and periods[1].valid_to is None
    # The record is now the new commune's: it edits it; the old one no longer sees it.
    assert page.get(reverse("register-edit-person", args=[person.pk])).status_code == 200
    assert holding.get(reverse("register-view-person", args=[person.pk])).status_code == 404


def test_refused_and_withdrawn_requests_move_nothing(tree: Tree, moved: dict[str, Any]) -> None:
    person, holder, asker = moved["person"], moved["holder"], moved["asker"]
    first = transfers.request_transfer(
        acting_user=asker, personal_id=person.personal_id, village=tree.other_village, reason="x"
    )
    with pytest.raises(RegisterError, match="đang chờ trả lời"):
        transfers.request_transfer(
            acting_user=asker,
            personal_id=person.personal_id,
            village=tree.other_village,
            reason="lần hai",
        )
    transfers.decide_transfer(
        acting_user=holder, transfer=first, accept=False, note="Người này vẫn ở Thôn 1"
    )
    second = transfers.request_transfer(
        acting_user=asker, personal_id=person.personal_id, village=tree.other_village, reason="y"
    )
    transfers.cancel_transfer(acting_user=asker, transfer=second)
    with pytest.raises(RegisterError, match="đã được trả lời"):
        transfers.decide_transfer(acting_user=holder, transfer=second, accept=True)
    person.refresh_from_db()
    assert (person.commune, person.version) == (tree.commune, 1)
    assert list(TransferRequest.objects.values_list("status", flat=True).order_by("pk")) == [
        "refused",
        "cancelled",
    ]


def test_lookups_that_cannot_be_transfers_say_why(tree: Tree, moved: dict[str, Any]) -> None:
    person, holder, asker = moved["person"], moved["holder"], moved["asker"]
    with pytest.raises(RegisterError, match="đã thuộc địa bàn của bạn"):
        transfers.holder_of(acting_user=holder, personal_id=person.personal_id)
    with pytest.raises(RegisterError, match="chưa có hồ sơ ở xã nào"):
        transfers.holder_of(acting_user=asker, personal_id="038090099999")
    with pytest.raises(RegisterError, match="không đúng"):
        transfers.holder_of(acting_user=asker, personal_id="12345")
    with pytest.raises(RegisterError, match="ngoài phạm vi"):
        transfers.request_transfer(
            acting_user=asker, personal_id=person.personal_id, village=tree.village, reason="x"
        )


def test_who_may_see_and_answer(tree: Tree, users: dict[str, User], moved: dict[str, Any]) -> None:
    person, asker = moved["person"], moved["asker"]
    transfer = transfers.request_transfer(
        acting_user=asker, personal_id=person.personal_id, village=tree.other_village, reason="x"
    )
    view = reverse("register-view-transfer", args=[transfer.pk])
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.far_commune, "canbo-xa"))
    assert stranger.get(view).status_code == 404
    assert stranger.post(view, {"step": "accept"}).status_code == 404
    # The asking commune sees the status, never the person's name, and cannot answer.
    asking = login(asker)
    seen = asking.get(view).content.decode()
    assert person.full_name not in seen
    assert asking.post(view, {"step": "accept"}).status_code == 403
    for role in (Role.COMMUNE_POLICE, Role.COMMUNE_LEADER, Role.ENUMERATOR):
        assert login(users[role]).get(view).status_code == 403
        assert login(users[role]).get(reverse("register-list-transfers")).status_code == 403
    transfer.refresh_from_db()
    assert transfer.status == "pending"
    assert Person.objects.get().commune == tree.commune


def test_the_duplicate_message_points_to_the_transfer(tree: Tree, moved: dict[str, Any]) -> None:
    with pytest.raises(RegisterError) as refused:
        record_person(
            acting_user=moved["asker"],
            form_code="tt09-2025-m01",
            village=tree.other_village,
            answers=ANSWERS,
        )
    message = refused.value.findings[0].message
    assert "Chuyển địa bàn" in message and tree.commune.name not in message
