"""Bulk where people work in bulk: a whole handover entered at once, archive all, assignments
changed or taken back, household codes checked, counts of what is left to collect."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.actions import WorkflowError
from laodong.collection.models import Assignment, Status, WorkItem
from laodong.conftest import Tree, login, make_user
from laodong.handover import actions as handover_actions

from .test_workflow import accept_all, items  # noqa: F401


@pytest.fixture
def handover_url(
    items: dict[str, WorkItem],  # noqa: F811
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
) -> str:
    """A handover of An and Bình, confirmed by the police."""
    accept_all(items, users)
    handover = handover_actions.create_handover(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
    )
    handover_actions.confirm_handover(
        acting_user=users[Role.COMMUNE_POLICE], handover=handover, received_count=2
    )
    return reverse("handover-view-handover", args=[campaign.pk, tree.commune.pk, handover.pk])


def test_the_police_mark_a_whole_handover_entered_and_the_officer_archives_all(
    handover_url: str, users: dict[str, Any]
) -> None:
    url = handover_url
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    client = login(police)
    page = client.get(url).content.decode()
    assert "Đã nhập cả biên bản (2 phiếu)" in page and 'data-select-all="items"' in page
    client.post(url, {"step": "entered", "all": "1", "entered_on": "20/11/2026"})
    handed = WorkItem.objects.filter(handover__isnull=False)
    assert set(handed.values_list("status", flat=True)) == {Status.ENTERED}
    login(officer).post(url, {"step": "archive", "all": "1", "reference": "Hộp 3"})
    assert set(handed.values_list("archive_reference", flat=True)) == {"Hộp 3"}


def test_the_officer_cannot_mark_entries_even_in_bulk(
    handover_url: str, users: dict[str, Any]
) -> None:
    login(users[Role.COMMUNE_LABOR_OFFICER]).post(
        handover_url, {"step": "entered", "all": "1", "entered_on": "20/11/2026"}
    )
    assert not WorkItem.objects.filter(status=Status.ENTERED).exists()


def test_an_unknown_household_code_is_refused(
    items: dict[str, WorkItem],  # noqa: F811
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
) -> None:
    with pytest.raises(WorkflowError, match="không có hộ mã “HGD999”"):
        actions.assign_work(
            acting_user=users[Role.COMMUNE_LABOR_OFFICER],
            campaign=campaign,
            village=tree.village,
            enumerator=users[Role.ENUMERATOR],
            household_code="HGD999",
        )
    assert not Assignment.objects.exists()
    # Typed in lower case, the code is kept as the list writes it.
    actions.assign_work(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        village=tree.village,
        enumerator=users[Role.ENUMERATOR],
        household_code="hgd001",
    )
    assert Assignment.objects.get().household_code == "HGD001"


def test_an_assignment_is_changed_then_taken_back(
    items: dict[str, WorkItem],  # noqa: F811
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
) -> None:
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    url = reverse("collection-assign-work", args=[campaign.pk, tree.commune.pk])
    first = users[Role.ENUMERATOR]
    second = make_user(Role.ENUMERATOR, tree.village, "dtv2", full_name="Vũ Thị Hai")
    officer.post(url, {"village": tree.village.pk, "enumerator": first.pk})
    assignment = Assignment.objects.get()
    page = officer.get(url).content.decode()
    # Thôn 1 holds An and Bình to collect.
    assert "2 người cần thu thập" in page
    officer.post(url, {"step": "change", "assignment": assignment.pk, "enumerator": second.pk})
    assert Assignment.objects.get().enumerator == second
    assert set(
        WorkItem.objects.filter(village=tree.village).values_list("assigned_to", flat=True)
    ) == {second.pk}
    officer.post(url, {"step": "remove", "assignment": assignment.pk})
    assert not Assignment.objects.exists()
    assert not WorkItem.objects.filter(assigned_to__isnull=False).exists()
    # Others cannot.
    assert (
        login(users[Role.COMMUNE_POLICE]).post(url, {"step": "remove", "assignment": 1}).status_code
        == 403
    )


def test_work_already_collected_keeps_its_collector_when_the_assignment_goes(
    items: dict[str, WorkItem],  # noqa: F811
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    enumerator = users[Role.ENUMERATOR]
    actions.assign_work(
        acting_user=officer, campaign=campaign, village=tree.village, enumerator=enumerator
    )
    accept_all(items, users)
    actions.remove_assignment(acting_user=officer, assignment=Assignment.objects.get())
    an = WorkItem.objects.get(pk=items["An"].pk)
    assert an.assigned_to == enumerator and an.status == Status.ACCEPTED
