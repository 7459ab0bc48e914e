from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login
from laodong.forms.tests.test_validation import EMPLOYED


def post(client: Client, code: str, body: object) -> tuple[int, dict[str, object]]:
    response = client.post(
        reverse("api-validate-form", args=[code]),
        data=json.dumps(body),
        content_type="application/json",
    )
    return response.status_code, response.json()


def test_validate_uses_the_same_engine(tree: Tree, users: dict[str, User]) -> None:
    client = login(users[Role.ENUMERATOR])
    status, body = post(client, "tt11-2022-m03", {"answers": {**EMPLOYED, "sex": "", "extra": "x"}})
    assert status == 200
    assert body["valid"] is False
    assert [(f["rule"], f["field"]) for f in body["findings"]] == [  # type: ignore[union-attr,index]
        ("required", "sex")
    ]
    assert body["unknown_items"] == ["extra"]
    status, body = post(
        client, "tt11-2022-m03", {"answers": EMPLOYED, "reference_date": "15/11/2026"}
    )
    assert (status, body["valid"], body["findings"]) == (200, True, [])
    assert body["values"]["birth_date"] == "12/03/1990"  # type: ignore[index]


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("not json", "không phải JSON"),
        ('{"answers": 3}', "Thiếu “answers”"),
        ('{"answers": {}, "reference_date": "hôm nay"}', "dd/mm/yyyy"),
    ],
)
def test_bad_requests_get_a_clear_message(
    raw: str, message: str, tree: Tree, users: dict[str, User]
) -> None:
    response = login(users[Role.ENUMERATOR]).post(
        reverse("api-validate-form", args=["tt09-2025-m01"]),
        data=raw.encode(),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert message in response.json()["error"]


def test_schema_and_listing(tree: Tree, users: dict[str, User]) -> None:
    client = login(users[Role.COMMUNE_POLICE])
    listing = client.get(reverse("api-list-forms")).json()
    assert [f["code"] for f in listing["forms"]] == ["tt11-2022-m03", "tt09-2025-m01"]
    schema = client.get(reverse("api-view-form", args=["tt09-2025-m01"])).json()
    assert schema["form_number"] == "Mẫu số 01, Phụ lục I"
    assert client.get(reverse("api-view-form", args=["mau-99"])).status_code == 404


@pytest.mark.django_db
def test_anonymous_gets_401_as_json() -> None:
    client = Client()
    assert client.get(reverse("api-list-forms")).status_code == 401
    status, body = post(client, "tt09-2025-m01", {"answers": {}})
    assert status == 401 and "đăng nhập" in str(body["error"])


def test_methods_are_enforced(tree: Tree, users: dict[str, User]) -> None:
    client = login(users[Role.ENUMERATOR])
    assert client.get(reverse("api-validate-form", args=["tt09-2025-m01"])).status_code == 405
    assert client.post(reverse("api-list-forms")).status_code == 405
