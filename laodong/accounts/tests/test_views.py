from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from laodong.accounts.models import Role, User
from laodong.conftest import PASSWORD, Tree, login, make_user


def test_first_login_must_change_the_temporary_password(tree: Tree) -> None:
    make_user(Role.ENUMERATOR, tree.village, "0911222333", must_change_password=True)
    client = Client()
    response = client.post(
        reverse("accounts-login"), {"username": "0911222333", "password": PASSWORD}
    )
    assert response.status_code == 302
    home = client.get(reverse("overview-home"))
    assert home.status_code == 302 and home["Location"] == reverse("accounts-password-change")
    assert client.get(reverse("units-view-own-unit"))["Location"] == reverse(
        "accounts-password-change"
    )
    page = client.get(reverse("accounts-password-change")).content.decode()
    assert "Bạn đang dùng mật khẩu tạm" in page

    weak = client.post(
        reverse("accounts-password-change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert weak.status_code == 200
    assert "hoàn toàn là số" in weak.content.decode()  # Django's Vietnamese validator message

    done = client.post(
        reverse("accounts-password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": "Ca-phe-sua-da-7",
            "new_password2": "Ca-phe-sua-da-7",
        },
    )
    assert done.status_code == 302
    account = User.objects.get(username="0911222333")
    assert not account.must_change_password and account.check_password("Ca-phe-sua-da-7")
    assert client.get(reverse("overview-home")).status_code == 200


def test_wrong_password_gets_a_vietnamese_message(tree: Tree) -> None:
    make_user(Role.ENUMERATOR, tree.village, "someone")
    response = Client().post(
        reverse("accounts-login"), {"username": "someone", "password": "wrong"}
    )
    assert "Sai tên đăng nhập hoặc mật khẩu" in response.content.decode()


def test_account_list_is_scoped_and_costs_the_same_for_many_rows(
    tree: Tree, users: dict[str, User], django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    make_user(Role.ENUMERATOR, tree.other_village, "stranger")
    client = login(users[Role.COMMUNE_LEADER])
    # session, user, accounts page
    with django_assert_num_queries(3):
        page = client.get(reverse("accounts-list-accounts")).content.decode()
    assert "stranger" not in page
    assert "Người enumerator" in page
    for number in range(60):
        make_user(Role.ENUMERATOR, tree.village, f"e{number:03d}")
    with django_assert_num_queries(3):
        client.get(reverse("accounts-list-accounts"))
    # the next page adds one query, to read the anchor row
    first = client.get(reverse("accounts-list-accounts"))
    after = first.context["page"].next_after
    assert after is not None
    with django_assert_num_queries(4):
        second = client.post(reverse("accounts-list-accounts"), {"after": after})
    names = [a.username for a in first.context["page"].items + second.context["page"].items]
    assert len(names) == len(set(names)) == 60 + 6  # all accounts of the commune, once each


def test_account_list_filters(tree: Tree, users: dict[str, User]) -> None:
    make_user(Role.ENUMERATOR, tree.village, "lan", full_name="Nguyễn Thị Lan")
    client = login(users[Role.COMMUNE_LEADER])
    response = client.post(reverse("accounts-list-accounts"), {"q": "nguyen thi lan"})
    assert [a.username for a in response.context["page"].items] == ["lan"]
    response = client.post(reverse("accounts-list-accounts"), {"role": "commune_police"})
    assert [a.username for a in response.context["page"].items] == ["commune_police"]


def test_create_account_shows_the_temporary_password_once(
    tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[Role.COMMUNE_LEADER])
    response = client.post(
        reverse("accounts-create-account"),
        {
            "full_name": "Ngô Thị Hằng",
            "phone": "0911 222 444",
            "role": "village_head",
            "unit": tree.village2.pk,
        },
    )
    assert response.status_code == 200
    password = response.context["password"]
    assert password in response.content.decode()
    account = User.objects.get(username="0911222444")
    assert account.check_password(password) and account.unit == tree.village2


def test_create_account_with_a_mismatched_unit_shows_the_error_by_the_field(
    tree: Tree, users: dict[str, User]
) -> None:
    response = login(users[Role.COMMUNE_LEADER]).post(
        reverse("accounts-create-account"),
        {
            "full_name": "Ngô Thị Hằng",
            "phone": "0911222444",
            "role": "village_head",
            "unit": tree.commune.pk,
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == [
        "Vai trò “Trưởng thôn” phải thuộc đơn vị cấp: thôn."
    ]
    assert not User.objects.filter(username="0911222444").exists()


@pytest.mark.parametrize("role", list(Role))
def test_english_translation_is_available(role: Role, tree: Tree, users: dict[str, User]) -> None:
    client = login(users[role])
    client.cookies["django_language"] = "en"
    page = client.get(reverse("overview-home")).content.decode()
    assert "Hello," in page and "Sign out" in page


def test_admin_with_a_large_scope_edits_by_unit_code(
    tree: Tree, users: dict[str, User], monkeypatch: pytest.MonkeyPatch
) -> None:
    from laodong.accounts import forms as account_forms

    # As for a country-level administrator, whose scope holds thousands of units.
    monkeypatch.setattr(account_forms, "MAX_UNIT_CHOICES", 2)
    target = make_user(Role.ENUMERATOR, tree.village, "dtv-ma")
    client = login(users[Role.SYSTEM_ADMINISTRATOR])
    url = reverse("accounts-edit-account", args=[target.pk])
    form = client.get(url).context["form"]
    assert form["unit"].value() == "15178/Thôn 1"
    response = client.post(
        url,
        {"full_name": target.full_name, "phone": "", "role": "enumerator", "unit": "15178/thon 2"},
    )
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.unit == tree.village2
    response = client.post(
        url, {"full_name": target.full_name, "phone": "", "role": "commune_police", "unit": "15178"}
    )
    target.refresh_from_db()
    assert target.unit == tree.commune and target.role == Role.COMMUNE_POLICE
    bad = client.post(
        url, {"full_name": "X", "phone": "", "role": "enumerator", "unit": "15178/Thôn 99"}
    )
    assert "Không có đơn vị" in bad.context["form"].errors["unit"][0]


def test_an_account_keeps_an_email_address_for_reminders(
    tree: Tree, users: dict[str, User]
) -> None:
    """The notices' e-mail channel writes to User.email: the account pages set and show it."""
    client = login(users[Role.COMMUNE_LEADER])
    client.post(
        reverse("accounts-create-account"),
        {
            "full_name": "Ngô Thị Hằng",
            "phone": "0911222444",
            "email": " Hang.Ngo@Example.VN ",
            "role": "village_head",
            "unit": tree.village2.pk,
        },
    )
    account = User.objects.get(username="0911222444")
    assert account.email == "hang.ngo@example.vn"
    page = client.get(reverse("accounts-view-account", args=[account.pk])).content.decode()
    assert "hang.ngo@example.vn" in page
    url = reverse("accounts-edit-account", args=[account.pk])
    form = client.get(url).context["form"]
    assert form["email"].value() == "hang.ngo@example.vn"
    values = {"full_name": "Ngô Thị Hằng", "phone": "0911222444", "role": "village_head",
              "unit": tree.village2.pk}  # fmt: skip
    bad = client.post(url, {**values, "email": "hang.ngo@"})
    assert bad.status_code == 200 and "email" in bad.context["form"].errors
    account.refresh_from_db()
    assert account.email == "hang.ngo@example.vn"
    assert client.post(url, {**values, "email": ""}).status_code == 302
    account.refresh_from_db()
    assert account.email == ""
