"""Two officers editing the same person: a stale save is refused, never silently undoes the
other's change, and the page shows both versions item by item to merge."""

from __future__ import annotations

from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.register.models import Person
from laodong.register.tests.test_views import make_person, post_data


def test_a_stale_save_is_refused_and_merged_knowingly(tree: Tree, users: dict[str, User]) -> None:
    first = users[Role.COMMUNE_LABOR_OFFICER]
    second = make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune, "canbo2")
    person = make_person(tree, first)
    url = reverse("register-edit-person", args=[person.pk])
    a, b = login(first), login(second)
    # Both open version 1.
    assert 'name="loaded_version" value="1"' in a.get(url).content.decode()
    assert 'name="loaded_version" value="1"' in b.get(url).content.decode()
    opened = Person.objects.get(pk=person.pk)
    saved = a.post(
        url,
        {
            **post_data(opened, qualification="6", job_description="Thợ may"),
            "loaded_version": "1",
        },
    )
    assert saved.status_code == 302
    # B, from the page opened earlier, changes the household code and the job description.
    stale = b.post(
        url,
        {
            **post_data(opened, household_code="HGD009", job_description="Công nhân dệt"),
            "loaded_version": "1",
        },
    )
    assert stale.status_code == 200
    person.refresh_from_db()
    assert person.version == 2
    assert (person.answers["qualification"], person.answers["job_description"]) == (
        "6",
        "Thợ may",
    )
    assert person.household_code == "HGD001"  # nothing of B's was written
    page = stale.content.decode()
    assert "Người khác đã lưu trong lúc bạn sửa" in page
    rows = {row.key: row for row in stale.context["stale"].differences}
    # Only A changed the qualification: A's value is taken, listed for information.
    assert not rows["qualification"].conflict
    # Both changed the job description: a conflict, B's typing kept in the form.
    assert rows["job_description"].conflict
    assert (rows["job_description"].mine, rows["job_description"].theirs) == (
        "Công nhân dệt",
        "Thợ may",
    )
    assert "household_code" not in rows  # only B changed it: nothing to decide
    form = stale.context["form"]
    assert form.initial["household_code"] == "HGD009"
    assert form.initial["qualification"] == "6"
    assert 'name="loaded_version" value="2"' in page
    # B saves the merge knowingly, on version 2.
    merged = b.post(
        url,
        {
            **post_data(
                person, household_code="HGD009", job_description="Công nhân dệt", qualification="6"
            ),
            "loaded_version": "2",
        },
    )
    assert merged.status_code == 302
    person.refresh_from_db()
    assert person.version == 3
    assert (person.household_code, person.answers["qualification"]) == ("HGD009", "6")


def test_a_save_on_the_version_in_force_goes_through(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    response = login(officer).post(
        reverse("register-edit-person", args=[person.pk]),
        {**post_data(person, qualification="6"), "loaded_version": "1"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.version == 2
