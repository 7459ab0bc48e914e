"""Recording and correcting people in the register, with history."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from laodong.accounts.models import Role, User
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, make_unit, make_user
from laodong.register.access import get_person_for_user, people_in_scope
from laodong.register.actions import (
    RegisterError,
    person_as_of,
    record_person,
    update_person,
)
from laodong.register.models import IdKind, Person, Source
from laodong.units.models import Level

ANSWERS: dict[str, Any] = {
    "household_code": "HGD001",
    "relation_to_head": "1",
    "full_name": "nguyễn văn an",
    "birth_date": "12/03/1990",
    "sex": "Nam",
    "personal_id": "038 090 012345",
    "permanent_address": "Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa",
    "priority_groups": "6",
    "ethnic_group": "Mường",
    "general_education": "4",
    "qualification": "5",
    "field_of_training": "11",
    "activity_status": "1",
    "employment_status": "4",
    "job_description": "Công nhân may",
    "occupation_code": "75",
    "has_social_insurance": "1",
    "social_insurance_type": "1",
    "has_labor_contract": "1",
    "contract_type": "2",
    "contract_start_date": "01/06/2015",
    "workplace_name": "Công ty May Cẩm Thủy",
    "workplace_type": "5",
    "enterprise_type": "5.2",
    "workplace_address": "Cẩm Thủy, Thanh Hóa",
    "collection_date": "15/11/2026",
}


def record(user: User, tree: Tree, confirm: tuple[str, ...] = (), **changes: Any) -> Person:
    return record_person(
        acting_user=user,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, **changes},
        confirmed_warnings=confirm,
    )


def test_a_clean_form_is_stored_with_typed_columns_and_a_first_version(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record(officer, tree)
    assert person.full_name == "Nguyễn Văn An"
    assert (person.personal_id, person.id_kind) == ("038090012345", IdKind.PERSONAL)
    assert person.birth_date == datetime.date(1990, 3, 12)
    assert (person.village, person.commune) == (tree.village, tree.commune)
    assert (person.sex, person.activity_status, person.enterprise_type) == ("1", "1", "5.2")
    assert person.is_ethnic_minority and person.ethnic_group == "06"
    assert not person.is_poor_household
    assert person.answers["province"] == "38" and person.answers["commune"] == "15178"
    assert person.answers["birth_date"] == "12/03/1990"
    version = person.versions.get()
    assert (version.number, version.source, version.changed_by) == (1, Source.COLLECTION, officer)
    event = AuditEvent.objects.get(action="register.record_person")
    assert "Nguyễn" not in str(event.details) and "038090012345" not in str(event.details)


def test_a_form_with_errors_is_refused_and_nothing_is_written(
    tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(RegisterError) as refused:
        record(
            users[Role.COMMUNE_LABOR_OFFICER],
            tree,
            birth_date="01/01/2015",
            personal_id="038215012345",
        )
    assert [f.rule for f in refused.value.findings] == ["age.under_15", "contract.before_15"]
    assert Person.objects.count() == 0 and AuditEvent.objects.count() == 0


def test_warnings_must_be_confirmed(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    with pytest.raises(RegisterError) as refused:
        record(officer, tree, personal_id="")
    assert [f.rule for f in refused.value.findings] == ["id.missing"]
    person = record(officer, tree, personal_id="", confirm=("id.missing",))
    assert person.id_kind == IdKind.NONE
    assert person.versions.get().confirmed_warnings == ["id.missing"]


def test_the_same_id_cannot_be_recorded_twice(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    record(officer, tree)
    with pytest.raises(RegisterError) as refused:
        record(officer, tree, full_name="Nguyễn Văn Ân")
    assert [f.rule for f in refused.value.findings] == ["duplicate.personal_id"]
    assert "đã có trong cơ sở dữ liệu của xã" in refused.value.findings[0].message


def test_an_id_held_elsewhere_is_refused_without_naming_the_commune(
    tree: Tree, users: dict[str, User]
) -> None:
    record(users[Role.COMMUNE_LABOR_OFFICER], tree)
    elsewhere = make_user(Role.COMMUNE_LABOR_OFFICER, tree.far_commune, "canbo-xa-xa")
    village = make_unit("Thôn Xa", Level.VILLAGE, tree.far_commune)
    with pytest.raises(RegisterError) as refused:
        record_person(
            acting_user=elsewhere, form_code="tt09-2025-m01", village=village, answers=ANSWERS
        )
    message = refused.value.findings[0].message
    assert "ở một xã khác" in message and tree.commune.name not in message


def test_a_likely_twin_without_id_must_be_confirmed(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    record(officer, tree, personal_id="", confirm=("id.missing",))
    with pytest.raises(RegisterError) as refused:
        record(officer, tree, personal_id="", confirm=("id.missing",))
    assert [f.rule for f in refused.value.findings] == ["duplicate.name_birth"]


def test_a_correction_is_a_new_version_with_what_changed(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record(officer, tree)
    first_saved = timezone.now()
    unemployed = {
        k: v
        for k, v in ANSWERS.items()
        if k
        not in (
            "employment_status",
            "job_description",
            "occupation_code",
            "has_social_insurance",
            "social_insurance_type",
            "has_labor_contract",
            "contract_type",
            "contract_start_date",
            "workplace_name",
            "workplace_type",
            "enterprise_type",
            "workplace_address",
        )
    }
    updated = update_person(
        acting_user=officer,
        person=person,
        source=Source.UPDATE,
        reason="Mất việc tháng 10",
        answers={
            **unemployed,
            "activity_status": "2",
            "unemployed_before": "2",
            "unemployment_duration": "1",
        },
    )
    assert (updated.version, updated.activity_status, updated.workplace_type) == (2, "2", "")
    assert updated.contract_start_date is None
    latest = updated.versions.get(number=2)
    assert latest.changes["activity_status"] == ["1", "2"]
    assert latest.changes["workplace_type"] == ["5", None]
    assert latest.reason == "Mất việc tháng 10"
    assert person_as_of(updated, first_saved).number == 1  # type: ignore[union-attr]
    assert person_as_of(updated, first_saved).answers["activity_status"] == "1"  # type: ignore[union-attr]
    assert person_as_of(updated, first_saved - datetime.timedelta(days=1)) is None
    # Reports count periods: the first one closes when the second begins.
    first, second = updated.periods.order_by("number")
    assert (first.activity_status, first.employment_status, first.workplace_type) == (1, 4, 5)
    assert (first.has_social_insurance, first.social_insurance_type, first.qualification) == (
        1,
        1,
        5,
    )
    assert first.is_ethnic_minority and first.source == Source.COLLECTION
    assert first.valid_to == second.valid_from == latest.changed_at
    assert (second.activity_status, second.unemployment_duration, second.workplace_type) == (
        2,
        1,
        0,
    )
    assert (second.valid_to, second.source, second.village) == (None, Source.UPDATE, tree.village)


def test_saving_unchanged_answers_writes_no_version(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record(officer, tree)
    update_person(acting_user=officer, person=person, answers=ANSWERS)
    assert person.versions.count() == 1 and person.periods.count() == 1
    assert AuditEvent.objects.filter(action="register.update_person").count() == 0


@pytest.mark.parametrize(
    "role",
    [Role.ENUMERATOR, Role.COMMUNE_LEADER, Role.COMMUNE_POLICE, Role.PROVINCE_LABOR_DEPARTMENT],
)
def test_roles_without_the_right_cannot_write(
    role: Role, tree: Tree, users: dict[str, User]
) -> None:
    with pytest.raises(PermissionDenied):
        record(users[role], tree)
    assert Person.objects.count() == 0


def test_villages_outside_scope_are_refused(tree: Tree) -> None:
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune)
    with pytest.raises(RegisterError, match="ngoài phạm vi"):
        record(officer, tree)


def test_scope_and_accessor(tree: Tree, users: dict[str, User]) -> None:
    person = record(users[Role.COMMUNE_LABOR_OFFICER], tree)
    stranger = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune)
    neighbour = make_user(Role.ENUMERATOR, tree.village2)
    assert list(people_in_scope(users[Role.PROVINCE_POLICE])) == [person]
    assert list(people_in_scope(neighbour)) == []
    for outsider in (stranger, neighbour):
        with pytest.raises(Http404):
            get_person_for_user(outsider, person.pk)
    assert get_person_for_user(users[Role.ENUMERATOR], person.pk) == person
    with pytest.raises(PermissionDenied):
        get_person_for_user(users[Role.ENUMERATOR], person.pk, write=True)
    with pytest.raises(PermissionDenied):
        get_person_for_user(users[Role.COMMUNE_FINANCE_OFFICER], person.pk)


def test_a_warning_confirmed_before_is_not_asked_again(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record(officer, tree, personal_id="", confirm=("id.missing",))
    updated = update_person(
        acting_user=officer,
        person=person,
        answers={**ANSWERS, "personal_id": "", "qualification": "6"},
    )
    assert updated.version == 2
    assert updated.versions.get(number=2).confirmed_warnings == ["id.missing"]
    with pytest.raises(RegisterError) as refused:
        update_person(
            acting_user=officer,
            person=updated,
            answers={**ANSWERS, "personal_id": "", "employment_status": "2"},
        )
    assert [f.rule for f in refused.value.findings] == ["contract.not_employee"]
