"""The reconciliation page: the four lists, each decision, the record, scope and roles."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login, make_user
from laodong.reconcile import actions
from laodong.reconcile.actions import ReconcileError
from laodong.reconcile.models import Kind, Rejection, RowStatus
from laodong.register.models import Person, Source
from laodong.register.tests.test_actions import record

pytestmark = pytest.mark.django_db

POLICE_LIST = (
    "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ\n"
    "Nguyễn Văn An,12/03/1990,Nam,038090012345,Thôn 1,HGD001\n"
    "Lê Thị Bình,05/05/1992,Nữ,038192000002,Thôn 1,HGD002\n"
    "Trần Văn Cường,06/06/1988,Nam,038088000003,Thôn 1,HGD003\n"
    "Phạm Thị Dung,07/07/1980,Nữ,038180000004,Thôn 1,HGD004\n"
)


@pytest.fixture
def setup(tree: Tree, users: dict[str, Any], campaign: Campaign) -> dict[str, Any]:
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
    )
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    people = {
        # Same ID, same identity: nothing to do.
        "an": record(officer, tree),
        # No ID, written without diacritics: proposed as a link to Lê Thị Bình.
        "binh": record(
            officer,
            tree,
            ("id.missing",),
            full_name="Le Thi Binh",
            birth_date="05/05/1992",
            sex="Nữ",
            personal_id="",
            household_code="HGD002",
        ),
        # Same ID, another birth date: the population value is proposed.
        "cuong": record(
            officer,
            tree,
            full_name="Trần Văn Cường",
            birth_date="1988",
            personal_id="038088000003",
            household_code="HGD003",
        ),
        # In the register, not on the list.
        "em": record(
            officer,
            tree,
            full_name="Đỗ Văn Em",
            birth_date="01/01/1970",
            personal_id="038070000099",
            household_code="HGD009",
        ),
    }
    return {"people": people, "officer": officer}


def kinds(run: Any) -> dict[str, list[tuple[Any, Any]]]:
    found: dict[str, list[tuple[Any, Any]]] = {kind: [] for kind in Kind.values}
    for row in run.rows.select_related("person", "work_item"):
        found[row.kind].append(
            (row.person.full_name if row.person else None,
             row.work_item.full_name if row.work_item else None)
        )  # fmt: skip
    return found


def test_the_four_lists(setup: dict[str, Any], campaign: Campaign, tree: Tree) -> None:
    run = actions.run_reconciliation(
        acting_user=setup["officer"], campaign=campaign, commune=tree.commune
    )
    found = kinds(run)
    assert found[Kind.POLICE_ONLY] == [(None, "Phạm Thị Dung")]
    assert found[Kind.REGISTER_ONLY] == [("Đỗ Văn Em", None)]
    assert found[Kind.LINK] == [("Le Thi Binh", "Lê Thị Bình")]
    assert found[Kind.DIFFERS] == [("Trần Văn Cường", "Trần Văn Cường")]
    assert run.counts["same"] == 1 and run.counts["register"] == 4 and run.counts["list"] == 4
    link = run.rows.get(kind=Kind.LINK)
    assert "name_diacritics" in link.reasons and link.score > 0.9
    assert run.rows.get(kind=Kind.DIFFERS).differences == ["birth_date"]


def test_confirming_a_link_writes_the_id_as_a_reconciliation_version(
    setup: dict[str, Any], campaign: Campaign, tree: Tree
) -> None:
    run = actions.run_reconciliation(
        acting_user=setup["officer"], campaign=campaign, commune=tree.commune
    )
    row = run.rows.get(kind=Kind.LINK)
    person = actions.confirm_link(acting_user=setup["officer"], row=row)
    person.refresh_from_db()
    assert person.personal_id == "038192000002"
    version = person.versions.order_by("-number").first()
    assert version is not None and version.source == Source.RECONCILIATION
    assert set(version.changes) == {"personal_id"}
    assert WorkItem.objects.get(personal_id="038192000002").person_id == person.pk
    row.refresh_from_db()
    assert row.status == RowStatus.CONFIRMED
    with pytest.raises(ReconcileError):
        actions.confirm_link(acting_user=setup["officer"], row=row)
    # A new run finds them one person now.
    again = actions.run_reconciliation(
        acting_user=setup["officer"], campaign=campaign, commune=tree.commune
    )
    assert not again.rows.filter(kind=Kind.LINK).exists()


def test_a_rejected_link_is_not_proposed_again(
    setup: dict[str, Any], campaign: Campaign, tree: Tree
) -> None:
    officer = setup["officer"]
    run = actions.run_reconciliation(acting_user=officer, campaign=campaign, commune=tree.commune)
    actions.reject_link(acting_user=officer, row=run.rows.get(kind=Kind.LINK))
    assert Rejection.objects.count() == 1
    assert Person.objects.get(pk=setup["people"]["binh"].pk).personal_id == ""
    again = kinds(
        actions.run_reconciliation(acting_user=officer, campaign=campaign, commune=tree.commune)
    )
    assert again[Kind.LINK] == []
    assert ("Le Thi Binh", None) in again[Kind.REGISTER_ONLY]
    assert (None, "Lê Thị Bình") in again[Kind.POLICE_ONLY]


def test_taking_the_population_value(setup: dict[str, Any], campaign: Campaign, tree: Tree) -> None:
    officer = setup["officer"]
    run = actions.run_reconciliation(acting_user=officer, campaign=campaign, commune=tree.commune)
    person = actions.apply_population_values(
        acting_user=officer, row=run.rows.get(kind=Kind.DIFFERS)
    )
    person.refresh_from_db()
    assert person.birth_date.isoformat() == "1988-06-06" and not person.birth_year_only
    assert person.versions.order_by("-number").first().source == Source.RECONCILIATION  # type: ignore[union-attr]


@pytest.mark.parametrize("role", [Role.ENUMERATOR, Role.COMMUNE_POLICE, Role.COMMUNE_LEADER])
def test_only_the_labor_officer_decides(
    setup: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any], role: str
) -> None:
    from django.core.exceptions import PermissionDenied

    run = actions.run_reconciliation(
        acting_user=setup["officer"], campaign=campaign, commune=tree.commune
    )
    with pytest.raises(PermissionDenied):
        actions.confirm_link(acting_user=users[role], row=run.rows.get(kind=Kind.LINK))
    with pytest.raises(PermissionDenied):
        actions.run_reconciliation(acting_user=users[role], campaign=campaign, commune=tree.commune)


def test_page_roles_and_scope(
    setup: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    url = reverse("reconcile-view", args=[campaign.pk, tree.commune.pk])
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    assert login(users[Role.COMMUNE_FINANCE_OFFICER]).get(url).status_code == 403
    for role in (Role.COMMUNE_LABOR_OFFICER, Role.COMMUNE_POLICE, Role.COMMUNE_LEADER):
        assert login(users[role]).get(url).status_code == 200
    stranger = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "other_officer")
    assert login(stranger).get(url).status_code == 404
    run_url = reverse("reconcile-run", args=[campaign.pk, tree.commune.pk])
    assert login(users[Role.COMMUNE_LEADER]).post(run_url).status_code == 403
    assert login(stranger).post(run_url).status_code == 404


def test_page_journey_and_query_count(
    setup: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    client = login(setup["officer"])
    url = reverse("reconcile-view", args=[campaign.pk, tree.commune.pk])
    assert "Chưa đối soát" in client.get(url).content.decode()
    response = client.post(reverse("reconcile-run", args=[campaign.pk, tree.commune.pk]))
    assert response.status_code == 302
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    text = page.content.decode()
    assert "Le Thi Binh" in text and "Phạm Thị Dung" in text and "Đỗ Văn Em" in text
    assert len(queries) <= 25
    run = actions.latest_run(campaign, tree.commune)
    assert run is not None
    row = run.rows.get(kind=Kind.LINK)
    decided = client.post(
        reverse("reconcile-decide-row", args=[campaign.pk, tree.commune.pk, row.pk]),
        {"decision": "confirm"},
    )
    assert decided.status_code == 302
    assert Person.objects.get(pk=setup["people"]["binh"].pk).personal_id == "038192000002"
    export = client.get(reverse("reconcile-export", args=[campaign.pk, tree.commune.pk]))
    book = load_workbook(io.BytesIO(export.content))
    assert len(book.sheetnames) == 4
    values = [c for r in book.worksheets[0].iter_rows(values_only=True) for c in r if c]
    assert "Phạm Thị Dung" in values and "038180000004" in values


def test_leader_sees_ids_masked_and_records_the_reconciliation(
    setup: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    actions.run_reconciliation(
        acting_user=setup["officer"], campaign=campaign, commune=tree.commune
    )
    leader = login(users[Role.COMMUNE_LEADER])
    url = reverse("reconcile-view", args=[campaign.pk, tree.commune.pk])
    text = leader.get(url).content.decode()
    assert "Phạm Thị Dung" in text and "038180000004" not in text
    response = leader.post(
        reverse("reconcile-record", args=[campaign.pk, tree.commune.pk]),
        {"reconciled_on": "01/12/2026", "note": "Đợt 1"},
    )
    assert response.status_code == 302
    assert "Đã đối soát ngày 01/12/2026" in leader.get(url).content.decode()
    officer = login(setup["officer"])
    refused = officer.post(
        reverse("reconcile-record", args=[campaign.pk, tree.commune.pk]),
        {"reconciled_on": "01/12/2026"},
    )
    assert refused.status_code == 403
