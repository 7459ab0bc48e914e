from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from hypothesis import given
from hypothesis import strategies as st

from laodong.accounts import actions
from laodong.accounts.models import Role, User
from laodong.accounts.permissions import assignable_roles
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree


def test_leader_creates_an_enumerator_who_must_change_password(
    tree: Tree, users: dict[str, User]
) -> None:
    account, password = actions.create_account(
        acting_user=users[Role.COMMUNE_LEADER],
        username="0911000111",
        full_name=" nguyễn  văn a ",
        role=Role.ENUMERATOR,
        unit=tree.village,
        phone="0911000111",
    )
    assert account.must_change_password
    assert account.check_password(password)
    assert account.full_name == "nguyễn văn a"
    assert account.full_name_folded == "nguyen van a"
    event = AuditEvent.objects.get(action="accounts.create")
    assert event.target_id == str(account.pk)
    assert password not in str(event.details)


def test_leader_cannot_give_province_roles(tree: Tree, users: dict[str, User]) -> None:
    assert Role.PROVINCE_POLICE not in assignable_roles(users[Role.COMMUNE_LEADER])
    with pytest.raises(PermissionDenied):
        actions.create_account(
            acting_user=users[Role.COMMUNE_LEADER],
            username="x123",
            full_name="X",
            role=Role.PROVINCE_POLICE,
            unit=tree.province,
        )


@pytest.mark.parametrize(
    ("role", "unit_name", "message"),
    [
        (Role.VILLAGE_HEAD, "commune", "phải thuộc đơn vị cấp: thôn"),
        (Role.COMMUNE_FINANCE_OFFICER, "village", "phải thuộc đơn vị cấp: xã"),
        (Role.ENUMERATOR, "other_village", "ngoài phạm vi quản lý"),
    ],
)
def test_role_and_unit_must_fit(
    role: Role, unit_name: str, message: str, tree: Tree, users: dict[str, User]
) -> None:
    count = User.objects.count()
    with pytest.raises(actions.AccountError, match=message):
        actions.create_account(
            acting_user=users[Role.COMMUNE_LEADER],
            username="abc123",
            full_name="A",
            role=role,
            unit=getattr(tree, unit_name),
        )
    assert User.objects.count() == count


def test_weak_password_and_taken_username_are_refused(tree: Tree, users: dict[str, User]) -> None:
    leader = users[Role.COMMUNE_LEADER]
    with pytest.raises(actions.AccountError, match=r"quá ngắn|too short"):
        actions.create_account(
            acting_user=leader,
            username="abc123",
            full_name="A",
            role=Role.ENUMERATOR,
            unit=tree.village,
            password="12ab",
        )
    with pytest.raises(actions.AccountError, match="đã có người dùng"):
        actions.create_account(
            acting_user=leader,
            username="ENUMERATOR",
            full_name="A",
            role=Role.ENUMERATOR,
            unit=tree.village,
        )


def test_nobody_locks_themselves_out(users: dict[str, User]) -> None:
    leader = users[Role.COMMUNE_LEADER]
    with pytest.raises(actions.AccountError):
        actions.deactivate_account(acting_user=leader, account=leader)
    leader.refresh_from_db()
    assert leader.is_active


def test_deactivate_then_reactivate_is_audited(users: dict[str, User]) -> None:
    leader, target = users[Role.COMMUNE_LEADER], users[Role.ENUMERATOR]
    actions.deactivate_account(acting_user=leader, account=target)
    with pytest.raises(actions.AccountError, match="đã bị khóa"):
        actions.deactivate_account(acting_user=leader, account=target)
    actions.reactivate_account(acting_user=leader, account=target)
    assert list(AuditEvent.objects.order_by("pk").values_list("action", flat=True)) == [
        "accounts.deactivate",
        "accounts.reactivate",
    ]


def test_reset_password_forces_a_change(users: dict[str, User]) -> None:
    target = users[Role.ENUMERATOR]
    password = actions.reset_password(acting_user=users[Role.SYSTEM_ADMINISTRATOR], account=target)
    target.refresh_from_db()
    assert target.must_change_password and target.check_password(password)


def test_leader_cannot_touch_a_province_account(users: dict[str, User]) -> None:
    with pytest.raises(PermissionDenied):
        actions.reset_password(
            acting_user=users[Role.COMMUNE_LEADER],
            account=users[Role.COMMUNE_LEADER].__class__.objects.get(
                username=Role.SYSTEM_ADMINISTRATOR.value
            ),
        )


@given(st.from_regex(r"^(0|\+84|84)[35789][0-9]{8}$", fullmatch=True))
def test_phone_numbers_normalise_to_ten_digits(raw: str) -> None:
    phone = actions.normalize_phone(raw)
    assert len(phone) == 10 and phone.startswith("0") and phone[1:] == raw[-9:]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912 345 678", "0912345678"),
        ("912345678", "0912345678"),
        ("+84 912-345-678", "0912345678"),
        ("12345", ""),
        ("09123456789", ""),
        ("abc", ""),
    ],
)
def test_phone_examples(raw: str, expected: str) -> None:
    assert actions.normalize_phone(raw) == expected


@given(st.integers(min_value=8, max_value=20))
def test_generated_passwords_pass_the_validators(length: int) -> None:
    from django.contrib.auth.password_validation import validate_password

    validate_password(actions.generate_password(length))


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Điều tra viên", Role.ENUMERATOR),
        ("dieu tra vien", Role.ENUMERATOR),
        ("TRƯỞNG THÔN", Role.VILLAGE_HEAD),
        ("Công an xã", Role.COMMUNE_POLICE),
        ("Phó Chủ tịch UBND xã", Role.COMMUNE_LEADER),
        ("kế toán", Role.COMMUNE_FINANCE_OFFICER),
        ("Công chức Văn hóa - Xã hội", Role.COMMUNE_LABOR_OFFICER),
        ("enumerator", Role.ENUMERATOR),
        ("bác sĩ", None),
    ],
)
def test_roles_are_recognised_as_officials_write_them(text: str, role: Role | None) -> None:
    assert actions.parse_role(text) == role


@pytest.mark.parametrize("role", [Role.COMMUNE_POLICE, Role.COMMUNE_LABOR_OFFICER])
def test_accounts_that_export_full_ids_are_made_by_the_level_above(
    role: Role, tree: Tree, users: dict[str, User]
) -> None:
    """A commune leader cannot make (or reset) an account that exports full IDs and so give
    the register to themselves (issue 11, finding 5); the administrator does, logged."""
    leader = users[Role.COMMUNE_LEADER]
    with pytest.raises(PermissionDenied):
        actions.create_account(
            acting_user=leader, username="0911000222", full_name="A", role=role, unit=tree.commune
        )
    with pytest.raises(PermissionDenied):
        actions.reset_password(acting_user=leader, account=users[role])
    admin = users[Role.SYSTEM_ADMINISTRATOR]
    account, _password = actions.create_account(
        acting_user=admin, username="0911000222", full_name="A", role=role, unit=tree.commune
    )
    assert AuditEvent.objects.filter(action="accounts.create", target_id=str(account.pk)).exists()
