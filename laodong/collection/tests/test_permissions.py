"""The permission matrix of the campaign pages: every role, other communes, anonymous."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.models import Status, Transition, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login, make_user
from laodong.handover import actions as handover_actions
from laodong.register.tests.test_actions import ANSWERS

from .test_views import form_data
from .test_workflow import BINH, POLICE_LIST

ALL = set(Role)
MANAGERS = {
    Role.COMMUNE_LABOR_OFFICER,
    Role.COMMUNE_LEADER,
    Role.PROVINCE_LABOR_DEPARTMENT,
    Role.SYSTEM_ADMINISTRATOR,
}
COLLECTORS = {
    Role.ENUMERATOR,
    Role.VILLAGE_HEAD,
    Role.COMMUNE_LABOR_OFFICER,
    Role.SYSTEM_ADMINISTRATOR,
}
OFFICER = {Role.COMMUNE_LABOR_OFFICER, Role.SYSTEM_ADMINISTRATOR}
VILLAGE_ROLES = frozenset({Role.ENUMERATOR, Role.VILLAGE_HEAD})
# Roles that see counts and reports only, never the people on a list or their forms.
AGGREGATE_ONLY = frozenset({Role.COMMUNE_FINANCE_OFFICER, Role.PROVINCE_LEADER, Role.MINISTRY})


@dataclass
class World:
    campaign: Campaign
    tree: Tree
    submitted: WorkItem
    handover_id: int


@pytest.fixture
def world(campaign: Campaign, tree: Tree, users: dict[str, Any]) -> World:
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="x.csv",
        acting_user=None,
    )
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    binh = WorkItem.objects.get(personal_id="038192000002")
    actions.submit_form(acting_user=enumerator, item=binh, answers=BINH)
    actions.accept_form(acting_user=officer, item=binh)
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    an = WorkItem.objects.get(personal_id="038090012345")
    actions.submit_form(acting_user=enumerator, item=an, answers=ANSWERS)
    return World(campaign, tree, WorkItem.objects.get(pk=an.pk), handover.pk)


@dataclass
class Case:
    name: str
    url: Callable[[World], str]
    allowed: set[Role]
    hidden_from: frozenset[Role] = frozenset()
    method: str = "get"


def _c(name: str, *args: Callable[[World], Any]) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[f(w) for f in args])


def campaign_pk(w: World) -> int:
    return w.campaign.pk


def commune_pk(w: World) -> int:
    return w.tree.commune.pk


def item_pk(w: World) -> int:
    return w.submitted.pk


CASES = [
    Case("campaign list", _c("campaigns-list-campaigns"), ALL),
    Case("campaign progress", _c("campaigns-view-campaign", campaign_pk), ALL),
    Case("create campaign", _c("campaigns-create-campaign"), MANAGERS),
    # The commune made this plan: its province sees it but does not change it.
    Case(
        "edit campaign",
        _c("campaigns-edit-campaign", campaign_pk),
        MANAGERS - {Role.PROVINCE_LABOR_DEPARTMENT},
    ),
    # Communes set their own targets; the province plans but does not set them.
    Case(
        "targets",
        _c("campaigns-edit-targets", campaign_pk),
        MANAGERS - {Role.PROVINCE_LABOR_DEPARTMENT},
    ),
    Case(
        "upload police list",
        _c("collection-upload-list", campaign_pk, commune_pk),
        {Role.COMMUNE_POLICE, Role.SYSTEM_ADMINISTRATOR},
    ),
    # Finance sees counts and the collectors' names, never the people (issue 11, finding 5).
    Case("work list", _c("collection-list-work", campaign_pk), ALL - AGGREGATE_ONLY),
    Case(
        "work item",
        _c("collection-view-item", campaign_pk, item_pk),
        ALL - AGGREGATE_ONLY,
    ),
    Case("review queue", _c("collection-list-review", campaign_pk, commune_pk), OFFICER),
    Case(
        "assign work",
        _c("collection-assign-work", campaign_pk, commune_pk),
        {Role.COMMUNE_LABOR_OFFICER, Role.COMMUNE_LEADER, Role.SYSTEM_ADMINISTRATOR},
    ),
    Case(
        "payments",
        _c("collection-list-payments", campaign_pk, commune_pk),
        {
            Role.COMMUNE_LABOR_OFFICER,
            Role.COMMUNE_LEADER,
            Role.COMMUNE_FINANCE_OFFICER,
            Role.SYSTEM_ADMINISTRATOR,
        },
    ),
    Case(
        "handovers",
        _c("handover-list-handovers", campaign_pk, commune_pk),
        ALL - VILLAGE_ROLES - AGGREGATE_ONLY,
        hidden_from=VILLAGE_ROLES,
    ),
    Case(
        "handover",
        lambda w: reverse(
            "handover-view-handover", args=[w.campaign.pk, w.tree.commune.pk, w.handover_id]
        ),
        ALL - VILLAGE_ROLES - AGGREGATE_ONLY,
        hidden_from=VILLAGE_ROLES,
    ),
    Case(
        "handover record PDF",
        lambda w: reverse(
            "handover-download-handover-pdf",
            args=[w.campaign.pk, w.tree.commune.pk, w.handover_id],
        ),
        ALL - VILLAGE_ROLES - AGGREGATE_ONLY,
        hidden_from=VILLAGE_ROLES,
    ),
    Case("accept", _c("collection-accept-item", campaign_pk, item_pk), OFFICER, method="post"),
]


def _state() -> tuple[Any, ...]:
    return (
        tuple(WorkItem.objects.order_by("pk").values_list("status", flat=True)),
        Transition.objects.count(),
        Campaign.objects.count(),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(case: Case, role: Role, world: World, users: dict[str, Any]) -> None:
    client = login(users[role])
    before = _state()
    response = getattr(client, case.method)(case.url(world))
    if role in case.allowed:
        assert response.status_code in (200, 302), response.content[:300]
        if case.method == "post":
            assert WorkItem.objects.get(pk=world.submitted.pk).status == Status.ACCEPTED
    else:
        assert response.status_code == (404 if role in case.hidden_from else 403)
        assert _state() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_is_sent_to_login(case: Case, world: World) -> None:
    response = getattr(Client(), case.method)(case.url(world))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-login"))


@pytest.mark.parametrize(
    "case",
    [c for c in CASES if c.name not in ("create campaign", "campaign list")],
    ids=lambda c: c.name,
)
@pytest.mark.parametrize("role", [Role.COMMUNE_LABOR_OFFICER, Role.COMMUNE_POLICE, Role.ENUMERATOR])
def test_other_commune_is_not_found(case: Case, role: Role, world: World) -> None:
    unit = world.tree.other_village if role == Role.ENUMERATOR else world.tree.other_commune
    stranger = login(make_user(role, unit))
    before = _state()
    response = getattr(stranger, case.method)(case.url(world))
    assert response.status_code == 404
    assert _state() == before


def test_an_enumerator_of_another_village_cannot_open_the_form(world: World, tree: Tree) -> None:
    other = login(make_user(Role.ENUMERATOR, tree.village2))
    url = reverse("collection-view-item", args=[world.campaign.pk, world.submitted.pk])
    assert other.get(url).status_code == 404
    form = reverse("collection-collect-item", args=[world.campaign.pk, world.submitted.pk])
    assert other.get(form).status_code == 404


def test_other_communes_do_not_list_the_campaign(world: World) -> None:
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, world.tree.other_commune))
    page = stranger.get(reverse("campaigns-list-campaigns")).content.decode()
    assert world.campaign.title not in page
    province = login(make_user(Role.PROVINCE_LABOR_DEPARTMENT, world.tree.province))
    assert (
        world.campaign.title in province.get(reverse("campaigns-list-campaigns")).content.decode()
    )


def test_finance_sees_counts_and_collectors_but_no_link_to_the_people(
    world: World, users: dict[str, Any]
) -> None:
    finance = login(users[Role.COMMUNE_FINANCE_OFFICER])
    page = finance.get(reverse("campaigns-view-campaign", args=[world.campaign.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert reverse("collection-list-work", args=[world.campaign.pk]) not in text
    assert world.submitted.full_name not in text
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    work_list = reverse("collection-list-work", args=[world.campaign.pk])
    assert (
        work_list
        in officer.get(
            reverse("campaigns-view-campaign", args=[world.campaign.pk])
        ).content.decode()
    )


def test_a_village_head_collects_without_ever_seeing_the_full_id(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="x.csv",
        acting_user=None,
    )
    an = WorkItem.objects.get(personal_id="038090012345")
    head = login(users[Role.VILLAGE_HEAD])
    url = reverse("collection-collect-item", args=[campaign.pk, an.pk])
    page = head.get(url).content.decode()
    assert "038090012345" not in page and "********2345" in page
    # An error on the page shows it masked again; the masked value posted means "unchanged".
    answers = form_data(ANSWERS, tree.village, personal_id="********2345")
    again = head.post(url, {**answers, "full_name": ""}).content.decode()
    assert "038090012345" not in again and "********2345" in again
    response = head.post(url, answers)
    assert response.status_code == 302, response.content.decode()[:2000]
    an.refresh_from_db()
    assert an.status == Status.SUBMITTED and an.answers["personal_id"] == "038090012345"
