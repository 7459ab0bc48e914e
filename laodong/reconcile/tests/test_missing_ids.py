"""The police complete missing IDs: only the ID changes, as a version "Công an bổ sung"."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions as collection_actions
from laodong.collection.models import Status, WorkItem
from laodong.conftest import Tree, login, make_user
from laodong.forms.dates import parse_date
from laodong.register.models import IdKind, Person, Source
from laodong.register.tests.test_actions import record
from laodong.reports.progress import progress_document

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_id(tree: Tree, users: dict[str, Any]) -> Person:
    return record(users[Role.COMMUNE_LABOR_OFFICER], tree, ("id.missing",), personal_id="")


def test_police_complete_an_id_and_nothing_else(
    without_id: Person, users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    police = login(users[Role.COMMUNE_POLICE])
    page = police.get(reverse("reconcile-list-missing-ids"))
    assert page.status_code == 200 and "Nguyễn Văn An" in page.content.decode()
    url = reverse("reconcile-complete-person-id", args=[without_id.pk])
    answered = police.post(url, {"personal_id": "038 090 012345", "full_name": "Khác"})
    assert answered.status_code == 302
    person = Person.objects.get(pk=without_id.pk)
    assert (person.personal_id, person.id_kind) == ("038090012345", IdKind.PERSONAL)
    assert person.full_name == "Nguyễn Văn An"
    version = person.versions.order_by("-number").first()
    assert version is not None and version.source == Source.POLICE_COMPLETION
    assert set(version.changes) == {"personal_id"}
    assert version.changed_by == users[Role.COMMUNE_POLICE]
    # Gone from the list; counted in the progress report.
    listed = police.get(reverse("reconcile-list-missing-ids")).content.decode()
    assert f'id="person-{person.pk}"' not in listed
    document = progress_document(campaign, tree.commune, made_by="test")
    section = next(s for s in document.sections if "Số định danh" in s.title)
    assert section.rows[0].cells[1:] == [0, 1, 0]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("12345", "12 chữ số"),
        ("121234567", "12 chữ số"),  # a CMND is not what the police complete
        ("999090012345", "12 chữ số"),  # no such province
    ],
)
def test_a_wrong_number_is_refused(
    without_id: Person, users: dict[str, Any], value: str, message: str
) -> None:
    police = login(users[Role.COMMUNE_POLICE])
    response = police.post(
        reverse("reconcile-complete-person-id", args=[without_id.pk]),
        {"personal_id": value},
        follow=True,
    )
    assert message in response.content.decode()
    assert Person.objects.get(pk=without_id.pk).personal_id == ""


def test_an_id_that_contradicts_birth_year_needs_the_card_checked(
    without_id: Person, users: dict[str, Any]
) -> None:
    police = login(users[Role.COMMUNE_POLICE])
    url = reverse("reconcile-complete-person-id", args=[without_id.pk])
    # Born 1990 (digits "090"); this ID says 1991.
    response = police.post(url, {"personal_id": "038091012345"}, follow=True)
    assert Person.objects.get(pk=without_id.pk).personal_id == ""
    assert "năm sinh" in response.content.decode()
    police.post(url, {"personal_id": "038091012345", "confirm_id": "1"})
    assert Person.objects.get(pk=without_id.pk).personal_id == "038091012345"


def test_an_id_another_person_holds_is_refused(
    without_id: Person, users: dict[str, Any], tree: Tree
) -> None:
    record(users[Role.COMMUNE_LABOR_OFFICER], tree, full_name="Người Khác", household_code="H2")
    police = login(users[Role.COMMUNE_POLICE])
    police.post(
        reverse("reconcile-complete-person-id", args=[without_id.pk]),
        {"personal_id": "038090012345"},
    )
    assert Person.objects.get(pk=without_id.pk).personal_id == ""


@pytest.mark.parametrize("role", [Role.COMMUNE_LABOR_OFFICER, Role.ENUMERATOR, Role.COMMUNE_LEADER])
def test_only_the_commune_police(without_id: Person, users: dict[str, Any], role: str) -> None:
    client = login(users[role])
    assert client.get(reverse("reconcile-list-missing-ids")).status_code == 403
    response = client.post(
        reverse("reconcile-complete-person-id", args=[without_id.pk]),
        {"personal_id": "038090012345"},
    )
    assert response.status_code == 403
    assert Person.objects.get(pk=without_id.pk).personal_id == ""


def test_another_communes_police_cannot(without_id: Person, tree: Tree) -> None:
    stranger = login(make_user(Role.COMMUNE_POLICE, tree.other_commune, "other_police"))
    response = stranger.post(
        reverse("reconcile-complete-person-id", args=[without_id.pk]),
        {"personal_id": "038090012345"},
    )
    assert response.status_code == 404


def test_a_form_collected_without_id_gets_it_on_the_form(
    tree: Tree, users: dict[str, Any], campaign: Campaign
) -> None:
    from laodong.collection.tests.test_workflow import BINH

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    item = collection_actions.add_outside_list(
        acting_user=officer,
        campaign=campaign,
        village=tree.village,
        full_name="Lê Thị Bình",
        birth_date=parse_date(BINH["birth_date"]),
        sex="2",
        household_code="HGD002",
    )
    collection_actions.submit_form(
        acting_user=users[Role.ENUMERATOR],
        item=item,
        answers={**BINH, "personal_id": ""},
        confirmed_warnings=["id.missing"],
    )
    police = login(users[Role.COMMUNE_POLICE])
    assert "Lê Thị Bình" in police.get(reverse("reconcile-list-missing-ids")).content.decode()
    police.post(
        reverse("reconcile-complete-form-id", args=[item.pk]), {"personal_id": "038192000002"}
    )
    item = WorkItem.objects.get(pk=item.pk)
    assert item.personal_id == "038192000002" and item.answers["personal_id"] == "038192000002"
    assert item.status == Status.SUBMITTED
    collection_actions.accept_form(acting_user=officer, item=item)
    assert Person.objects.get(personal_id="038192000002").full_name == "Lê Thị Bình"


def test_police_home_shows_the_task(without_id: Person, users: dict[str, Any]) -> None:
    home = login(users[Role.COMMUNE_POLICE]).get("/").content.decode()
    assert "Bổ sung số định danh" in home
