"""The register pages: enter, correct and view a person, with history and masking."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from laodong.accounts.models import Role, User
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login, make_user
from laodong.forms.definitions import get_form
from laodong.register.actions import record_person
from laodong.register.models import Person, Source
from laodong.register.tests.test_actions import ANSWERS


def make_person(tree: Tree, officer: User, **changes: Any) -> Person:
    return record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, **changes},
    )


def post_data(person: Person | None, village: Any = None, **changes: Any) -> dict[str, Any]:
    """What the browser posts: the person's answers as form fields, with changes."""
    answers = dict(person.answers) if person else dict(ANSWERS)
    data: dict[str, Any] = {
        "village": (village or person.village).pk if (village or person) else ""
    }
    form = get_form(person.form_code if person else "tt09-2025-m01")
    for key, value in {**answers, **changes}.items():
        if not form.has_item(key) or key in ("province", "commune", "village"):
            continue
        item = form.item(key)
        if item.type == "choice" and value:
            found = form.code_lists[item.code_list].match(str(value))
            value = found.code if found else value
        if item.type == "multi_choice":
            value = [v for v in str(value).split(",") if v] if isinstance(value, str) else value
        data[key] = value
    if person is None:
        data["origin-source"] = Source.COLLECTION
    else:
        data["origin-source"], data["origin-reason"] = Source.CORRECTION, "Sửa theo thẻ"
    return data


def test_officer_enters_a_clean_form(tree: Tree, users: dict[str, User]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = client.post(reverse("register-create-person"), post_data(None, village=tree.village))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("register-view-person", args=[person.pk])
    assert person.full_name == "Nguyễn Văn An" and person.village == tree.village


def test_errors_appear_next_to_their_items_and_nothing_is_saved(
    tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    data = post_data(None, village=tree.village, employment_status="", unemployed_before="1")
    response = client.post(reverse("register-create-person"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["employment_status"] == [
        "12.1. Vị thế việc làm: Chưa ghi. Mục này bắt buộc."
    ]
    assert "Chỉ ghi khi mục 11 là “Người thất nghiệp”" in form.errors["unemployed_before"][0]
    assert Person.objects.count() == 0


def test_warnings_are_shown_then_confirmed(tree: Tree, users: dict[str, User]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    data = post_data(None, village=tree.village, personal_id="")
    first = client.post(reverse("register-create-person"), data)
    assert first.status_code == 200
    assert "Chưa có số CCCD/CMND" in first.content.decode()
    assert Person.objects.count() == 0
    second = client.post(
        reverse("register-create-person"),
        {**data, "shown_warnings": ["id.missing"], "confirmed_warnings": ["id.missing"]},
    )
    assert second.status_code == 302
    assert Person.objects.get().versions.get().confirmed_warnings == ["id.missing"]


def test_a_correction_shows_in_the_history_and_as_of_a_date(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    client = login(officer)
    response = client.post(
        reverse("register-edit-person", args=[person.pk]), post_data(person, qualification="6")
    )
    assert response.status_code == 302
    page = client.get(reverse("register-view-person", args=[person.pk])).content.decode()
    assert "Phiên bản 2" in page and "Sửa theo thẻ" in page
    assert "id.missing" not in page
    assert "5 – Trung cấp" in page and "6 – Cao đẳng" in page
    old = client.get(reverse("register-view-person", args=[person.pk]), {"as_of": "01/01/2020"})
    assert "chưa có trong cơ sở dữ liệu" in old.content.decode()


def test_id_is_masked_for_roles_without_the_right_and_views_are_logged(
    tree: Tree, users: dict[str, User]
) -> None:
    person = make_person(tree, users[Role.COMMUNE_LABOR_OFFICER])
    url = reverse("register-view-person", args=[person.pk])
    leader_page = login(users[Role.COMMUNE_LEADER]).get(url).content.decode()
    assert "038090012345" not in leader_page and "********2345" in leader_page
    police_page = login(users[Role.COMMUNE_POLICE]).get(url).content.decode()
    assert "038090012345" in police_page
    assert AuditEvent.objects.filter(action="register.view_person").count() == 2


def test_people_list_is_scoped_searchable_and_costs_the_same_for_many_rows(
    tree: Tree, users: dict[str, User], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    make_person(tree, officer)
    client = login(officer)
    # session, user with unit, page of people, own drafts, villages for the filter, and the
    # audit row of the read
    with django_assert_num_queries(6):
        client.get(reverse("register-list-people"))
    for number in range(60):
        make_person(
            tree,
            officer,
            personal_id=f"038090{number:06d}",
            full_name=f"Trần Văn {'ABCDEFGHIK'[number % 10]}{'aeiou'[number % 5]}",
        )
    with django_assert_num_queries(6):
        page = client.get(reverse("register-list-people"))
    assert len(page.context["page"].items) == 50
    found = client.post(reverse("register-list-people"), {"q": "nguyen van an"})
    assert [p.full_name for p in found.context["page"].items] == ["Nguyễn Văn An"]
    by_id = client.post(reverse("register-list-people"), {"q": "038090000007"})
    assert len(by_id.context["page"].items) == 1
    stranger = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune)
    assert login(stranger).get(reverse("register-list-people")).context["page"].items == []


def test_a_province_list_filters_by_commune_not_by_every_village(
    tree: Tree, users: dict[str, User], django_assert_num_queries: Any
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    make_person(tree, officer)
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    page = province.get(reverse("register-list-people"))
    choices = [str(label) for _value, label in page.context["search"].fields["village"].choices]
    assert "Xã Cẩm Tân" in choices and "Thôn 1" not in choices
    assert "Đơn vị" in page.content.decode()
    assert "Thôn 1, Xã Cẩm Tân" in page.content.decode()
    url = reverse("register-list-people")
    assert len(province.post(url, {"village": tree.commune.pk}).context["page"].items) == 1
    assert province.post(url, {"village": tree.other_commune.pk}).context["page"].items == []
    # A commune the province does not hold is not a choice.
    refused = province.post(url, {"village": tree.far_commune.pk})
    assert "village" in refused.context["search"].errors
    # The commune's officer still filters by village.
    commune = login(officer).get(url).context["search"].fields["village"]
    assert [str(label) for _value, label in commune.choices][1:] == ["Thôn 1", "Thôn 2"]


def test_a_draft_is_kept_unchecked_resumed_and_discarded_on_save(
    tree: Tree, users: dict[str, User]
) -> None:
    from laodong.register.models import Draft

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    client = login(officer)
    half = {
        "village": tree.village.pk,
        "full_name": "Lê Thị Hoa",
        "sex": "2",
        "birth_date": "sai ngày",
        "save_draft": "1",
    }
    response = client.post(reverse("register-create-person"), half)
    draft = Draft.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('register-create-person')}?draft={draft.pk}"
    assert draft.answers == {"full_name": "Lê Thị Hoa", "sex": "2", "birth_date": "sai ngày"}
    assert Person.objects.count() == 0
    listing = client.get(reverse("register-list-people")).content.decode()
    assert "Lê Thị Hoa" in listing and f"?draft={draft.pk}" in listing
    resumed = client.get(reverse("register-create-person"), {"draft": draft.pk})
    assert resumed.context["form"].initial["full_name"] == "Lê Thị Hoa"
    # Someone else cannot open it, even in the same commune.
    other = make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune)
    assert (
        login(other).get(reverse("register-create-person"), {"draft": draft.pk}).status_code == 404
    )
    done = client.post(
        reverse("register-create-person"),
        {**post_data(None, village=tree.village), "draft": draft.pk},
    )
    assert done.status_code == 302
    assert Draft.objects.count() == 0 and Person.objects.count() == 1


def test_a_correction_can_be_drafted(tree: Tree, users: dict[str, User]) -> None:
    from laodong.register.models import Draft

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    client = login(officer)
    client.post(
        reverse("register-edit-person", args=[person.pk]),
        {**post_data(person, qualification="6"), "save_draft": "1"},
    )
    draft = Draft.objects.get()
    assert draft.person == person and draft.answers["qualification"] == "6"
    person.refresh_from_db()
    assert person.version == 1  # nothing stored in the register yet
    client.post(
        reverse("register-edit-person", args=[person.pk]),
        {**post_data(person, qualification="6"), "draft": draft.pk},
    )
    person.refresh_from_db()
    assert person.version == 2 and not Draft.objects.exists()
