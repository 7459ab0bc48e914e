"""A form's ID, name, birth date and sex against the person's police-list row (issue 13.1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.collection import actions
from laodong.collection.actions import WorkflowError
from laodong.collection.models import Status, WorkItem
from laodong.collection.tests.test_views import form_data
from laodong.collection.tests.test_workflow import BINH
from laodong.collection.tests.test_workflow import items as items  # the fixture
from laodong.register.models import Person

pytestmark = pytest.mark.django_db


def rules(error: pytest.ExceptionInfo[WorkflowError]) -> list[str]:
    return [finding.rule for finding in error.value.findings]


def test_another_id_than_the_police_list_is_an_error(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    with pytest.raises(WorkflowError) as refused:
        actions.submit_form(
            acting_user=users[Role.ENUMERATOR],
            item=items["Bình"],
            answers={**BINH, "personal_id": "038192000099"},
        )
    assert "identity.personal_id" in rules(refused)
    assert WorkItem.objects.get(pk=items["Bình"].pk).status == Status.LISTED


@pytest.mark.parametrize("name", ["LÊ THỊ BÌNH", "lê thị bình", "Lê  Thị   Bình"])
def test_case_and_spacing_are_no_difference(
    items: dict[str, WorkItem], users: dict[str, Any], name: str
) -> None:
    item = actions.submit_form(
        acting_user=users[Role.ENUMERATOR], item=items["Bình"], answers={**BINH, "full_name": name}
    )
    assert not [f for f in item.findings if f["rule"].startswith("identity.")]


@pytest.mark.parametrize(
    ("changes", "rule", "shown"),
    [
        ({"full_name": "Lê Thi Bình"}, "identity.full_name", ("Lê Thi Bình", "Lê Thị Bình")),
        ({"full_name": "Lê Thị Bính"}, "identity.full_name", ("Lê Thị Bính", "Lê Thị Bình")),
        ({"birth_date": "06/05/1992"}, "identity.birth_date", ("06/05/1992", "05/05/1992")),
        ({"sex": "Nam"}, "identity.sex", ("Nam", "Nữ")),
    ],
)
def test_other_differences_need_a_reason_and_show_both_values(
    items: dict[str, WorkItem],
    users: dict[str, Any],
    changes: dict[str, str],
    rule: str,
    shown: tuple[str, str],
) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    item = items["Bình"]
    answers = {**BINH, **changes}
    with pytest.raises(WorkflowError) as refused:
        actions.submit_form(
            acting_user=enumerator, item=item, answers=answers, confirmed_warnings=[rule]
        )
    finding = next(f for f in refused.value.findings if f.rule == rule)
    assert all(value in finding.message for value in shown)
    assert WorkItem.objects.get(pk=item.pk).status == Status.LISTED
    item = actions.submit_form(
        acting_user=enumerator,
        item=item,
        answers=answers,
        identity_reasons={rule: "Theo thẻ căn cước"},
    )
    assert item.status == Status.SUBMITTED
    assert item.identity_reasons == {rule: "Theo thẻ căn cước"}
    # Accepted with the reason given at submission (other warnings, such as the ID's sex
    # digit, are confirmed as before); the reason stays on the form.
    others = [f["rule"] for f in item.findings if f["severity"] == "warning" and f["rule"] != rule]
    actions.accept_form(acting_user=officer, item=item, confirmed_warnings=others)
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED
    assert item.identity_reasons == {rule: "Theo thẻ căn cước"}


def test_the_police_list_changing_after_submission_is_checked_at_acceptance(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    item = actions.submit_form(acting_user=users[Role.ENUMERATOR], item=items["Bình"], answers=BINH)
    # A corrected police list writes another birth date for her.
    WorkItem.objects.filter(pk=item.pk).update(birth_date="1992-05-06")
    item.refresh_from_db()
    with pytest.raises(WorkflowError) as refused:
        actions.accept_form(acting_user=officer, item=item)
    assert rules(refused) == ["identity.birth_date"]
    assert not Person.objects.exists()
    actions.accept_form(
        acting_user=officer, item=item, identity_reasons={"identity.birth_date": "Giấy khai sinh"}
    )
    item.refresh_from_db()
    assert item.status == Status.ACCEPTED


def test_someone_the_list_missed_has_no_police_row_to_compare(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    item = items["Bình"]
    WorkItem.objects.filter(pk=item.pk).update(outside_list=True, in_latest_list=False)
    item.refresh_from_db()
    item = actions.submit_form(
        acting_user=users[Role.ENUMERATOR],
        item=item,
        answers={**BINH, "full_name": "Lê Thi Bình", "personal_id": "038192000099"},
    )
    assert not [f for f in item.findings if f["rule"].startswith("identity.")]


def test_form_page_asks_for_the_reason_and_keeps_it(
    client: Client, items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    item = items["Bình"]
    client.force_login(users[Role.ENUMERATOR])
    url = reverse("collection-collect-item", args=[item.campaign_id, item.pk])
    page = client.get(url)
    assert page.status_code == 200
    data = form_data({**BINH, "full_name": "Lê Thi Bình"}, item.village)
    posted = client.post(url, data)
    assert posted.status_code == 200
    text = posted.content.decode()
    assert "khác danh sách Công an" in text and 'name="reason-identity.full_name"' in text
    data["reason-identity.full_name"] = "Căn cước ghi Thi"
    posted = client.post(url, data)
    assert posted.status_code == 302
    item.refresh_from_db()
    assert item.status == Status.SUBMITTED
    assert item.identity_reasons == {"identity.full_name": "Căn cước ghi Thi"}
    client.force_login(users[Role.COMMUNE_LABOR_OFFICER])
    view = client.get(reverse("collection-view-item", args=[item.campaign_id, item.pk]))
    assert "Căn cước ghi Thi" in view.content.decode()
