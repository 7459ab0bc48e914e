from __future__ import annotations

import pytest
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.reports import summary
from laodong.units.models import Level, Unit

EXPECTED = {
    Role.ENUMERATOR: ["Địa bàn của bạn", "Thôn 1, Xã Cẩm Tân", "Chưa có phiếu nào được giao"],
    Role.VILLAGE_HEAD: ["Địa bàn của bạn", "Thôn 1, Xã Cẩm Tân"],
    Role.COMMUNE_POLICE: ["Xã chưa mở đợt thu thập nào"],
    Role.COMMUNE_LABOR_OFFICER: ["2 thôn / tổ dân phố", "Thôn chưa có điều tra viên", "Thôn 2"],
    Role.COMMUNE_LEADER: ["Tài khoản của xã", "Đã có tài khoản cho mọi vai trò"],
    Role.COMMUNE_FINANCE_OFFICER: ["1 điều tra viên"],
    Role.PROVINCE_LABOR_DEPARTMENT: [
        "2 xã, phường, đặc khu",
        "2 / 2 đã khai báo danh sách thôn",
        "1 / 2 đã có tài khoản công chức Văn hóa – Xã hội",
        "Hồ sơ trùng giữa các xã",
    ],
    Role.PROVINCE_POLICE: ["2 xã, phường, đặc khu"],
    Role.PROVINCE_LEADER: ["2 xã, phường, đặc khu"],
    Role.MINISTRY: ["Xin chào"],
    Role.SYSTEM_ADMINISTRATOR: [
        "Danh mục đơn vị hành chính",
        "2 tỉnh, thành phố",
        "tài khoản đang hoạt động",
    ],
}


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_each_role_sees_where_it_stands(
    role: Role,
    tree: Tree,
    users: dict[str, User],
    django_assert_max_num_queries: DjangoAssertNumQueries,
) -> None:
    client = login(users[role])
    summary.catch_up(None)  # the register's figures built, as the nightly rebuild leaves them
    client.get(reverse("overview-home"))  # and read once: kept until the register changes
    # One query per card at most (the officer's: villages, campaigns, transfers, requests,
    # changes for the police, pairs the province sent, reports due; the register's figures:
    # their state, the writes not yet counted, the communes), whatever the numbers behind them.
    with django_assert_max_num_queries(13):
        response = client.get(reverse("overview-home"))
    page = response.content.decode()
    for text in EXPECTED[role]:
        assert text in page, text


def test_commune_without_villages_is_told_to_add_them(tree: Tree) -> None:
    Unit.objects.filter(parent=tree.commune, level=Level.VILLAGE).delete()
    officer = make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune)
    page = login(officer).get(reverse("overview-home")).content.decode()
    assert "Xã chưa có danh sách thôn" in page
    assert reverse("units-create-village", args=[tree.commune.pk]) in page


def test_leader_is_told_which_roles_have_no_account(tree: Tree) -> None:
    leader = make_user(Role.COMMUNE_LEADER, tree.commune)
    page = login(leader).get(reverse("overview-home")).content.decode()
    assert "Còn thiếu tài khoản cho các vai trò" in page
    assert "Công an xã" in page


def test_admin_without_units_is_told_to_load_them(tree: Tree) -> None:
    Unit.objects.exclude(level=Level.COUNTRY).update(valid_to="2020-01-01")
    admin = make_user(Role.SYSTEM_ADMINISTRATOR, tree.country)
    page = login(admin).get(reverse("overview-home")).content.decode()
    assert "laodong units load" in page


def test_home_page_fits_a_phone(tree: Tree, users: dict[str, User]) -> None:
    page = login(users[Role.ENUMERATOR]).get(reverse("overview-home")).content.decode()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "/static/django_htmx/htmx-2.min.js" in page  # served locally, no CDN
    assert "https://" not in page


def test_vietnamese_even_when_the_browser_asks_for_english(
    tree: Tree, users: dict[str, User]
) -> None:
    client = login(users[Role.ENUMERATOR])
    response = client.get(reverse("overview-home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert "Xin chào" in response.content.decode()
    assert response["Content-Language"] == "vi"
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Hello," in client.get(reverse("overview-home")).content.decode()


def test_register_card_counts_people_in_scope(tree: Tree, users: dict[str, User]) -> None:
    from laodong.register.tests.test_views import make_person

    make_person(tree, users[Role.COMMUNE_LABOR_OFFICER])
    officer_page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(reverse("overview-home"))
    assert "1 người từ 15 tuổi trở lên trong cơ sở dữ liệu" in officer_page.content.decode()
    assert reverse("register-create-person") in officer_page.content.decode()
    neighbour = make_user(Role.ENUMERATOR, tree.village2)
    page = login(neighbour).get(reverse("overview-home")).content.decode()
    assert "0 người từ 15 tuổi trở lên trong cơ sở dữ liệu" in page
    assert reverse("register-create-person") not in page
    finance = login(users[Role.COMMUNE_FINANCE_OFFICER]).get(reverse("overview-home"))
    assert "trong cơ sở dữ liệu" not in finance.content.decode()


def test_a_village_given_to_an_enumerator_of_another_village_has_one(
    tree: Tree, users: dict[str, User], campaign: object
) -> None:
    from laodong.collection.actions import assign_work

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    client = login(officer)
    page = client.get(reverse("overview-home")).content.decode()
    assert "Thôn chưa có điều tra viên" in page
    # The enumerator of Thôn 1 is given Thôn 2 as well.
    assign_work(
        acting_user=officer,
        campaign=campaign,  # type: ignore[arg-type]
        village=tree.village2,
        enumerator=users[Role.ENUMERATOR],
    )
    page = client.get(reverse("overview-home")).content.decode()
    assert "Thôn nào cũng đã có điều tra viên" in page
