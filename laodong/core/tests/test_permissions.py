"""The permission matrix: every view, as anonymous, other unit, wrong role and right role."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import Workbook

from laodong.accounts.models import Role, User
from laodong.audit.models import AuditEvent
from laodong.conftest import Tree, login, make_user
from laodong.register.models import Person, PersonVersion
from laodong.units.models import Unit

ALL = set(Role)
VILLAGE_MANAGERS = {Role.COMMUNE_LABOR_OFFICER, Role.COMMUNE_LEADER, Role.SYSTEM_ADMINISTRATOR}
ACCOUNT_VIEWERS = {
    Role.COMMUNE_LABOR_OFFICER,
    Role.COMMUNE_LEADER,
    Role.COMMUNE_FINANCE_OFFICER,
    Role.PROVINCE_LABOR_DEPARTMENT,
    Role.SYSTEM_ADMINISTRATOR,
}
ACCOUNT_MANAGERS = {Role.COMMUNE_LEADER, Role.SYSTEM_ADMINISTRATOR}
# The province leader and the ministry see aggregate reports only, no register.
REGISTER_VIEWERS = ALL - {Role.COMMUNE_FINANCE_OFFICER, Role.PROVINCE_LEADER, Role.MINISTRY}
REGISTER_EDITORS = {Role.COMMUNE_LABOR_OFFICER, Role.SYSTEM_ADMINISTRATOR}


def _person_url(name: str) -> Callable[[Tree, dict[str, User]], str]:
    return lambda t, u: reverse(name, args=[Person.objects.get().pk])


def _person_edit(t: Tree) -> dict[str, Any]:
    from laodong.register.tests.test_views import post_data

    return post_data(Person.objects.get(), full_name="Nguyễn Văn Ánh")


# Accounts attached to a village cannot see their commune at all.
VILLAGE_ROLES = {Role.ENUMERATOR, Role.VILLAGE_HEAD}


def _xlsx(rows: list[list[str]]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "list.xlsx"
    return buffer


@dataclass
class Case:
    name: str
    method: str
    url: Callable[[Tree, dict[str, User]], str]
    allowed: set[Role]
    ok_status: int
    data: Callable[[Tree], dict[str, Any]] | None = None
    # Roles that may not even see the target: they get 404, the others 403.
    hidden_from: frozenset[Role] = frozenset()


def _target(users: dict[str, User]) -> User:
    return users["target"]


CASES = [
    Case("home", "get", lambda t, u: reverse("overview-home"), ALL, 200),
    Case("own unit", "get", lambda t, u: reverse("units-view-own-unit"), ALL, 200),
    Case(
        "village page",
        "get",
        lambda t, u: reverse("units-view-unit", args=[t.village.pk]),
        ALL,
        200,
    ),
    Case(
        "commune page",
        "get",
        lambda t, u: reverse("units-view-unit", args=[t.commune.pk]),
        ALL - VILLAGE_ROLES,
        200,
        hidden_from=frozenset(VILLAGE_ROLES),
    ),
    Case(
        "create village form",
        "get",
        lambda t, u: reverse("units-create-village", args=[t.commune.pk]),
        VILLAGE_MANAGERS,
        200,
        hidden_from=frozenset(VILLAGE_ROLES),
    ),
    Case(
        "create village",
        "post",
        lambda t, u: reverse("units-create-village", args=[t.commune.pk]),
        VILLAGE_MANAGERS,
        302,
        data=lambda t: {"name": "Thôn 9", "unit_type": "thon"},
        hidden_from=frozenset(VILLAGE_ROLES),
    ),
    Case(
        "edit village",
        "post",
        lambda t, u: reverse("units-edit-village", args=[t.village.pk]),
        VILLAGE_MANAGERS,
        302,
        data=lambda t: {"name": "Thôn Một", "unit_type": "thon", "code": ""},
    ),
    Case(
        "close village",
        "post",
        lambda t, u: reverse("units-close-village", args=[t.village.pk]),
        VILLAGE_MANAGERS,
        302,
        data=lambda t: {"valid_to": "31/12/2026"},
    ),
    Case(
        "import villages",
        "post",
        lambda t, u: reverse("units-import-villages"),
        VILLAGE_MANAGERS,
        200,
        data=lambda t: {"file": _xlsx([["Mã xã", "Tên thôn"], ["15178", "Thôn 10"]])},
    ),
    Case(
        "village template",
        "get",
        lambda t, u: reverse("units-download-village-template"),
        VILLAGE_MANAGERS,
        200,
    ),
    Case(
        "account list", "get", lambda t, u: reverse("accounts-list-accounts"), ACCOUNT_VIEWERS, 200
    ),
    Case(
        "account page",
        "get",
        lambda t, u: reverse("accounts-view-account", args=[_target(u).pk]),
        ACCOUNT_VIEWERS,
        200,
    ),
    Case(
        "create account",
        "post",
        lambda t, u: reverse("accounts-create-account"),
        ACCOUNT_MANAGERS,
        200,
        data=lambda t: {
            "full_name": "Ngô Văn Mới",
            "phone": "0911222333",
            "role": "enumerator",
            "unit": t.village.pk,
        },
    ),
    Case(
        "edit account",
        "post",
        lambda t, u: reverse("accounts-edit-account", args=[_target(u).pk]),
        ACCOUNT_MANAGERS,
        302,
        data=lambda t: {
            "full_name": "Tên Đã Sửa",
            "phone": "",
            "role": "enumerator",
            "unit": t.village2.pk,
        },
    ),
    Case(
        "deactivate account",
        "post",
        lambda t, u: reverse("accounts-deactivate-account", args=[_target(u).pk]),
        ACCOUNT_MANAGERS,
        302,
    ),
    Case(
        "reset password",
        "post",
        lambda t, u: reverse("accounts-reset-password", args=[_target(u).pk]),
        ACCOUNT_MANAGERS,
        200,
    ),
    Case(
        "import accounts",
        "post",
        lambda t, u: reverse("accounts-import-accounts"),
        ACCOUNT_MANAGERS,
        200,
        data=lambda t: {
            "file": _xlsx(
                [
                    ["Họ và tên", "Số điện thoại", "Vai trò", "Thôn"],
                    ["Lý Văn Ba", "0900000001", "Điều tra viên", "Thôn 1"],
                ]
            )
        },
    ),
    Case(
        "account template",
        "get",
        lambda t, u: reverse("accounts-download-account-template"),
        ACCOUNT_MANAGERS,
        200,
    ),
    Case("change password form", "get", lambda t, u: reverse("accounts-password-change"), ALL, 200),
    Case("form list", "get", lambda t, u: reverse("forms-list-forms"), ALL, 200),
    Case("people list", "get", lambda t, u: reverse("register-list-people"), REGISTER_VIEWERS, 200),
    Case(
        "people import page",
        "get",
        lambda t, u: reverse("register-import-people"),
        REGISTER_EDITORS,
        200,
    ),
    Case(
        "new person form",
        "get",
        lambda t, u: reverse("register-create-person"),
        REGISTER_EDITORS,
        200,
    ),
    Case("person page", "get", _person_url("register-view-person"), REGISTER_VIEWERS, 200),
    Case("person pdf", "get", _person_url("register-download-person-pdf"), REGISTER_VIEWERS, 200),
    Case(
        "blank pdf",
        "get",
        lambda t, u: reverse("forms-download-blank-pdf", args=["tt09-2025-m01"]),
        ALL,
        200,
    ),
    Case("person edit form", "get", _person_url("register-edit-person"), REGISTER_EDITORS, 200),
    Case(
        "person edit",
        "post",
        _person_url("register-edit-person"),
        REGISTER_EDITORS,
        302,
        data=_person_edit,
    ),
    Case(
        "form template",
        "get",
        lambda t, u: reverse("forms-download-template", args=["tt11-2022-m03"]),
        ALL,
        200,
    ),
    Case(
        "form schema",
        "get",
        lambda t, u: reverse("forms-view-schema", args=["tt09-2025-m01"]),
        ALL,
        200,
    ),
]


def _state() -> tuple[Any, ...]:
    """Everything a denied request must leave untouched."""
    return (
        AuditEvent.objects.count(),
        tuple(Unit.objects.order_by("pk").values_list("name", "code", "valid_to")),
        tuple(
            User.objects.order_by("pk").values_list(
                "full_name", "role", "unit_id", "is_active", "password"
            )
        ),
        tuple(PersonVersion.objects.order_by("pk").values_list("person_id", "number")),
    )


@pytest.fixture
def matrix_users(tree: Tree, users: dict[str, User]) -> dict[str, User]:
    users["target"] = make_user(Role.ENUMERATOR, tree.village, "target-enumerator")
    from laodong.register.tests.test_views import make_person

    make_person(tree, users[Role.COMMUNE_LABOR_OFFICER])
    return users


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_role_matrix(case: Case, role: Role, tree: Tree, matrix_users: dict[str, User]) -> None:
    client = login(matrix_users[role])
    url = case.url(tree, matrix_users)
    before = _state()
    data = case.data(tree) if case.data else {}
    response = getattr(client, case.method)(url, data)
    if role in case.allowed:
        assert response.status_code == case.ok_status, response.content[:500]
        if case.method == "post" and case.name not in ("import accounts", "import villages"):
            assert _state() != before
    else:
        expected = 404 if role in case.hidden_from else 403
        assert response.status_code == expected
        assert _state() == before


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_anonymous_is_sent_to_login(case: Case, tree: Tree, matrix_users: dict[str, User]) -> None:
    before = _state()
    response = getattr(__import__("django.test").test.Client(), case.method)(
        case.url(tree, matrix_users), case.data(tree) if case.data else {}
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts-login"))
    assert _state() == before


OTHER_UNIT_URLS = [
    ("units-view-unit", "other_village"),
    ("units-view-unit", "other_commune"),
    ("units-view-unit", "far_commune"),
    ("units-create-village", "other_commune"),
    ("units-edit-village", "other_village"),
    ("units-close-village", "other_village"),
]


@pytest.mark.parametrize(("url_name", "attribute"), OTHER_UNIT_URLS)
@pytest.mark.parametrize("role", [Role.COMMUNE_LEADER, Role.COMMUNE_LABOR_OFFICER])
def test_other_commune_is_not_found(
    url_name: str, attribute: str, role: Role, tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[role])
    before = _state()
    response = client.post(
        reverse(url_name, args=[getattr(tree, attribute).pk]),
        {"name": "X", "unit_type": "thon", "valid_to": "01/01/2027"},
    )
    assert response.status_code == 404
    assert _state() == before


@pytest.mark.parametrize("attribute", ["village2", "commune", "other_village", "province"])
def test_enumerator_cannot_open_another_village_by_guessing_ids(
    attribute: str, tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[Role.ENUMERATOR])
    assert (
        client.get(reverse("units-view-unit", args=[getattr(tree, attribute).pk])).status_code
        == 404
    )
    other = make_user(
        Role.ENUMERATOR, getattr(tree, attribute) if attribute != "province" else tree.village2
    )
    assert client.get(reverse("accounts-view-account", args=[other.pk])).status_code == 404


def test_accounts_of_other_communes_are_not_found(tree: Tree, users: dict[str, User]) -> None:
    stranger = make_user(Role.ENUMERATOR, tree.other_village)
    leader = login(users[Role.COMMUNE_LEADER])
    before = _state()
    for name in ("accounts-view-account", "accounts-edit-account"):
        assert leader.get(reverse(name, args=[stranger.pk])).status_code == 404
    for name in (
        "accounts-deactivate-account",
        "accounts-reset-password",
        "accounts-reactivate-account",
    ):
        assert leader.post(reverse(name, args=[stranger.pk])).status_code == 404
    assert _state() == before


def test_deactivated_account_cannot_sign_in(tree: Tree, users: dict[str, User]) -> None:
    from django.test import Client

    from laodong.conftest import PASSWORD

    target = make_user(Role.ENUMERATOR, tree.village, "locked-person")
    login(users[Role.COMMUNE_LEADER]).post(reverse("accounts-deactivate-account", args=[target.pk]))
    client = Client()
    response = client.post(
        reverse("accounts-login"), {"username": "locked-person", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()
