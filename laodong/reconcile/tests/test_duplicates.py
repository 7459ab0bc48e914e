"""The register's duplicates: found by the engine, merged with both histories, un-merged."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.conftest import Tree, login, make_user
from laodong.reconcile.duplicates import find_duplicates
from laodong.reconcile.models import NotDuplicate
from laodong.register import actions as register_actions
from laodong.register.models import LeaveReason, Merge, Person, Source
from laodong.register.tests.test_actions import record

pytestmark = pytest.mark.django_db


@pytest.fixture
def twice(tree: Tree, users: dict[str, Any]) -> tuple[Person, Person]:
    """Nguyễn Văn An recorded with his ID, and again without it (typed without diacritics,
    with a phone number the first record lacks)."""
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    with_id = record(officer, tree)
    without = record(
        officer,
        tree,
        ("id.missing", "duplicate.name_birth"),
        full_name="Nguyen Van An",
        personal_id="",
        phone="0912345678",
    )
    return with_id, without


def test_found_merged_and_unmerged_with_histories(
    twice: tuple[Person, Person], tree: Tree, users: dict[str, Any]
) -> None:
    with_id, without = twice
    pairs = find_duplicates(tree.commune)
    assert [(p.first.pk, p.second.pk) for p in pairs] == [(with_id.pk, without.pk)]
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    page = officer.get(reverse("reconcile-list-duplicates")).content.decode()
    assert "Nguyen Van An" in page and "Nguyễn Văn An" in page
    # Keep the record without the ID: it takes the ID from the other.
    response = officer.post(
        reverse("reconcile-decide-pair"),
        {"first": with_id.pk, "second": without.pk, "decision": "merge", "survivor": without.pk,
         "reason": "Cùng người, nhập hai lần"},
    )  # fmt: skip
    assert response.status_code == 302
    survivor, merged = Person.objects.get(pk=without.pk), Person.objects.get(pk=with_id.pk)
    assert survivor.personal_id == "038090012345"
    assert merged.personal_id == "" and merged.merged_into_id == survivor.pk
    assert merged.leave_reason == LeaveReason.MERGED
    assert merged.versions.count() == 2 and survivor.versions.count() == 2
    assert survivor.versions.order_by("-number").first().source == Source.MERGE  # type: ignore[union-attr]
    assert find_duplicates(tree.commune) == []
    # Un-merge: both as they were, as new versions.
    merge = Merge.objects.get()
    officer.post(reverse("reconcile-undo-merge", args=[merge.pk]))
    survivor, merged = Person.objects.get(pk=without.pk), Person.objects.get(pk=with_id.pk)
    assert survivor.personal_id == "" and merged.personal_id == "038090012345"
    assert merged.leave_reason == "" and merged.merged_into_id is None
    assert merged.versions.count() == 3 and survivor.versions.count() == 3
    assert Merge.objects.get().undone_at is not None
    again = officer.post(reverse("reconcile-undo-merge", args=[merge.pk]), follow=True)
    assert "đã được hoàn tác" in again.content.decode()


def test_two_people_are_never_proposed_again(
    twice: tuple[Person, Person], tree: Tree, users: dict[str, Any]
) -> None:
    with_id, without = twice
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    officer.post(
        reverse("reconcile-decide-pair"),
        {"first": with_id.pk, "second": without.pk, "decision": "distinct"},
    )
    assert NotDuplicate.objects.count() == 1
    assert find_duplicates(tree.commune) == []


def test_two_ids_are_two_people(tree: Tree, users: dict[str, Any]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    first = record(officer, tree)
    second = record(officer, tree, personal_id="038090099999", household_code="H9")
    with pytest.raises(register_actions.RegisterError, match="hai người"):
        register_actions.merge_people(acting_user=officer, survivor=first, duplicate=second)


def test_roles_and_scope(twice: tuple[Person, Person], tree: Tree, users: dict[str, Any]) -> None:
    with_id, without = twice
    url = reverse("reconcile-list-duplicates")
    for role in (Role.COMMUNE_POLICE, Role.ENUMERATOR, Role.COMMUNE_LEADER):
        assert login(users[role]).get(url).status_code == 403
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "other_officer"))
    response = stranger.post(
        reverse("reconcile-decide-pair"),
        {"first": with_id.pk, "second": without.pk, "decision": "merge", "survivor": with_id.pk},
    )
    assert response.status_code == 404
    assert not Merge.objects.exists()
