"""Accounts and villages opened by two people: a save from an older page is refused and
shown item by item; the first save stays."""

from __future__ import annotations

import re

from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.core.concurrency import differences, edit_token


def _token(page: str) -> str:
    found = re.search(r'name="loaded_token" value="([0-9a-f]+)"', page)
    assert found, "the page carries no token"
    return found.group(1)


def test_an_account_changed_meanwhile_is_not_undone(tree: Tree, users: dict[str, User]) -> None:
    target = make_user(Role.ENUMERATOR, tree.village, "dtv-sua")
    admin = users[Role.SYSTEM_ADMINISTRATOR]
    a, b = login(admin), login(make_user(Role.SYSTEM_ADMINISTRATOR, tree.country, "quantri2"))
    url = reverse("accounts-edit-account", args=[target.pk])
    token = _token(a.get(url).content.decode())
    assert _token(b.get(url).content.decode()) == token
    base = {"full_name": target.full_name, "role": "enumerator", "unit": str(tree.village.pk)}
    assert a.post(url, {**base, "phone": "0912345678", "loaded_token": token}).status_code == 302
    stale = b.post(url, {**base, "full_name": "Tên Mới", "phone": "", "loaded_token": token})
    assert stale.status_code == 200
    target.refresh_from_db()
    assert (target.phone, target.full_name) == ("0912345678", "Người dtv-sua")
    labels = {row.label for row in stale.context["stale"].differences}
    assert labels == {"Họ và tên", "Số điện thoại"}
    page = stale.content.decode()
    again = b.post(
        url, {**base, "full_name": "Tên Mới", "phone": "0912345678", "loaded_token": _token(page)}
    )
    assert again.status_code == 302
    target.refresh_from_db()
    assert (target.phone, target.full_name) == ("0912345678", "Tên Mới")


def test_a_village_renamed_meanwhile_is_not_undone(tree: Tree, users: dict[str, User]) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    a, b = login(officer), login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune, "canbo2"))
    url = reverse("units-edit-village", args=[tree.village.pk])
    token = _token(a.get(url).content.decode())
    data = {
        "name": tree.village.name,
        "code": tree.village.code,
        "unit_type": tree.village.unit_type,
    }
    assert a.post(url, {**data, "name": "Thôn Một", "loaded_token": token}).status_code == 302
    stale = b.post(url, {**data, "code": "T01", "loaded_token": token})
    assert stale.status_code == 200
    tree.village.refresh_from_db()
    assert (tree.village.name, tree.village.code) == ("Thôn Một", data["code"])
    assert {row.key for row in stale.context["stale"].differences} == {"name", "code"}


def test_the_token_ignores_spacing_and_order() -> None:
    assert edit_token({"a": " x ", "b": ["2", "1"]}) == edit_token({"b": ["1", "2"], "a": "x"})
    found, merged = differences(
        {"a": "mine", "b": "same", "c": "base"},
        {"a": "theirs", "b": "same", "c": "changed"},
        base={"a": "base", "b": "same", "c": "base"},
    )
    assert [(d.key, d.conflict) for d in found] == [("a", True), ("c", False)]
    assert merged == {"a": "mine", "b": "same", "c": "changed"}
