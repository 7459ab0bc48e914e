"""The audit log page: who may read it, what it answers ("who looked at this person, and
when?"), its export, the monthly record of who saw whom, and sign-ins."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.audit.labels import ACTIONS
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login, make_user
from laodong.register.tests.test_views import make_person

OVERSEERS = {
    Role.COMMUNE_LEADER,
    Role.PROVINCE_LABOR_DEPARTMENT,
    Role.PROVINCE_POLICE,
    Role.SYSTEM_ADMINISTRATOR,
}


@pytest.mark.parametrize("role", list(Role))
def test_only_the_overseeing_roles_read_the_log(
    role: Role, tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[role])
    for name in ("audit-list-events", "audit-export-events", "audit-monthly-report"):
        status = client.get(reverse(name)).status_code
        assert status == (200 if role in OVERSEERS else 403), (role, name)


def test_the_auditor_finds_who_looked_at_a_person(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    login(officer).get(reverse("register-view-person", args=[person.pk]))
    login(users[Role.COMMUNE_POLICE]).get(reverse("register-download-person-pdf", args=[person.pk]))
    leader = login(users[Role.COMMUNE_LEADER])
    # The ID is posted, never put in a URL; the answer names the person by record number.
    found = leader.post(reverse("audit-list-events"), {"personal_id": person.personal_id})
    assert found.status_code == 302
    assert found["Location"] == f"{reverse('audit-list-events')}?person={person.pk}"
    assert person.personal_id not in found["Location"]
    page = leader.get(found["Location"])
    text = page.content.decode()
    labels = [row.label for row in page.context["rows"]]
    assert "Xem hồ sơ người lao động" in labels and "In phiếu của một người" in labels
    assert "Nhập phiếu mới" in labels
    assert officer.username in text and users[Role.COMMUNE_POLICE].username in text
    # The leader has no right to the full ID: masked here too.
    assert person.personal_id not in text
    # Reading the log is itself logged, with the filter (a record number), not the person.
    read = AuditEvent.objects.filter(action="audit.view_log").latest("pk")
    assert read.details == {"person": str(person.pk)}
    # Filters: by user and by kind of action.
    only_police = leader.get(
        reverse("audit-list-events"),
        {"person": person.pk, "actor": users[Role.COMMUNE_POLICE].pk},
    )
    assert [row.label for row in only_police.context["rows"]] == ["In phiếu của một người"]
    reads = leader.get(reverse("audit-list-events"), {"action": "kind:read"})
    assert {row.kind for row in reads.context["rows"]} == {"read"}
    bad = leader.get(reverse("audit-list-events"), {"start": "31/02/2026"})
    assert "không đúng" in bad.content.decode()


def test_another_commune_sees_nothing_of_it(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    login(officer).get(reverse("register-view-person", args=[person.pk]))
    stranger = login(make_user(Role.COMMUNE_LEADER, tree.other_commune, "lanhdao-khac"))
    page = stranger.get(reverse("audit-list-events"))
    assert all(row.event.unit_id != tree.commune.pk for row in page.context["rows"])
    refused = stranger.get(reverse("audit-list-events"), {"person": person.pk})
    assert "Không có người này trong phạm vi của bạn." in refused.content.decode()
    lookup = stranger.post(reverse("audit-list-events"), {"personal_id": person.personal_id})
    assert lookup["Location"] == reverse("audit-list-events")
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    assert province.get(reverse("audit-list-events"), {"person": person.pk}).context["rows"]


def test_the_log_exports_as_csv_and_the_export_is_logged(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    login(officer).get(reverse("register-view-person", args=[person.pk]))
    response = login(users[Role.PROVINCE_POLICE]).get(
        reverse("audit-export-events"), {"person": person.pk}
    )
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    lines = body.strip().splitlines()
    assert lines[0].startswith("Thời gian,Tài khoản")
    assert any("Xem hồ sơ người lao động" in line and officer.username in line for line in lines)
    # The province police may see the full ID.
    assert person.personal_id in body
    assert AuditEvent.objects.filter(action="audit.export_log").exists()


def test_the_monthly_record_of_who_saw_whom(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    first, second = (
        make_person(tree, officer),
        make_person(tree, officer, personal_id="038090000555", full_name="Lê Văn Năm"),
    )
    client = login(officer)
    for person in (first, second, first):
        client.get(reverse("register-view-person", args=[person.pk]))
    leader = login(users[Role.COMMUNE_LEADER])
    page = leader.get(reverse("audit-monthly-report"))
    summary = page.context["summary"]
    assert [(e["actor"], e["people"], e["reads"]) for e in summary] == [(officer, 2, 3)]
    csv_text = b"".join(
        leader.get(reverse("audit-monthly-report"), {"format": "csv"}).streaming_content
    ).decode("utf-8-sig")
    assert "Lê Văn Năm" in csv_text and "038090000555" not in csv_text  # masked for the leader
    bad = leader.get(reverse("audit-monthly-report"), {"month": "13/2026"})
    assert bad.status_code == 200


def test_sign_ins_are_logged_failed_ones_too(tree: Tree, users: dict[str, User]) -> None:
    from django.test import Client

    account = users[Role.COMMUNE_LABOR_OFFICER]
    account.set_password("mot-mat-khau-dai-2026")
    account.save()
    client = Client()
    client.post(reverse("accounts-login"), {"username": account.username, "password": "sai"})
    client.post(reverse("accounts-login"), {"username": "mat-khau-go-nham", "password": "x"})
    client.post(
        reverse("accounts-login"),
        {"username": account.username, "password": "mot-mat-khau-dai-2026"},
    )
    failed = list(AuditEvent.objects.filter(action="accounts.sign_in_failed").order_by("pk"))
    assert [e.target_id for e in failed] == [str(account.pk), ""]
    # What was typed for an unknown account is not kept anywhere in the row.
    assert "mat-khau-go-nham" not in str([(e.details, e.target_id) for e in failed])
    signed_in = AuditEvent.objects.get(action="accounts.sign_in", target_id=str(account.pk))
    assert signed_in.address == "127.0.0.1"


def test_every_recorded_action_has_a_name_for_the_auditor() -> None:
    root = Path(__file__).resolve().parents[2]
    recorded = set()
    for path in root.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text()
        recorded |= set(re.findall(r'action="([a-z_]+\.[a-z_]+)"', text))
        # action="a.b" if … else "a.c"
        for pair in re.findall(r'action="[a-z_.]+"\s+if [^"\n]+ else "([a-z_]+\.[a-z_]+)"', text):
            recorded.add(pair)
    assert recorded, "no action found"
    assert sorted(recorded - set(ACTIONS)) == []


@pytest.mark.parametrize("count", [3, 30])
def test_the_log_page_costs_the_same_whatever_its_length(
    count: int, tree: Tree, users: dict[str, User], django_assert_num_queries: Any
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = make_person(tree, officer)
    client = login(officer)
    for _ in range(count):
        client.get(reverse("register-view-person", args=[person.pk]))
    leader = login(users[Role.COMMUNE_LEADER])
    leader.get(reverse("audit-list-events"))
    with django_assert_num_queries(7):
        leader.get(reverse("audit-list-events"))
