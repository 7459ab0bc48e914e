"""The API as described (OpenAPI, served and kept equal to the URL conf), JSON on every
failure, and no 500 whatever JSON is sent (issue 11, finding 9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import URLPattern, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laodong.accounts.models import Role
from laodong.api import urls as api_urls
from laodong.api.openapi import SCHEMA
from laodong.conftest import Tree, login
from laodong.forms.tests.test_validation import EMPLOYED

PREFIX = "/api/v1"


def conforms(value: Any, schema: dict[str, Any]) -> list[str]:
    """A small checker for the parts of JSON Schema the document uses."""
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return conforms(value, SCHEMA["components"]["schemas"][name])
    if "anyOf" in schema:
        return [] if any(not conforms(value, s) for s in schema["anyOf"]) else ["anyOf"]
    kinds = {
        "object": dict,
        "array": list,
        "string": str,
        "boolean": bool,
        "number": (int, float),
        "null": type(None),
    }
    kind = schema.get("type")
    if kind and not isinstance(value, kinds[kind]):
        return [f"not {kind}: {value!r}"[:80]]
    problems = []
    if kind == "object":
        problems += [f"missing {key}" for key in schema.get("required", []) if key not in value]
        for key, sub in schema.get("properties", {}).items():
            if key in value:
                problems += conforms(value[key], sub)
    if kind == "array" and "items" in schema:
        for part in value:
            problems += conforms(part, schema["items"])
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{value!r} not in enum")
    return problems


def test_the_schema_is_served_and_lists_every_address() -> None:
    response = Client().get(reverse("api-openapi-schema"))
    assert response.status_code == 200 and response.json() == json.loads(json.dumps(SCHEMA))
    routes = {
        "/" + str(p.pattern).replace("<slug:code>", "{code}")
        for p in api_urls.urlpatterns
        if isinstance(p, URLPattern) and p.name != "api-openapi-schema"
    }
    assert routes == set(SCHEMA["paths"])


def test_real_answers_conform_to_the_schema(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.ENUMERATOR])
    paths = SCHEMA["paths"]
    listed = client.get(f"{PREFIX}/forms/").json()
    assert (
        conforms(
            listed,
            paths["/forms/"]["get"]["responses"]["200"]["content"]["application/json"]["schema"],
        )
        == []
    )
    for form in listed["forms"]:
        definition = client.get(f"{PREFIX}/forms/{form['code']}/").json()
        schema = paths["/forms/{code}/"]["get"]["responses"]["200"]["content"]["application/json"]
        assert conforms(definition, schema["schema"]) == []
    checked = client.post(
        f"{PREFIX}/forms/tt11-2022-m03/validate/",
        json.dumps({"answers": {**EMPLOYED, "sex": ""}}),
        content_type="application/json",
    ).json()
    schema = paths["/forms/{code}/validate/"]["post"]["responses"]["200"]["content"]
    assert conforms(checked, schema["application/json"]["schema"]) == []
    assert checked["findings"]


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "message"),
    [
        ("get", "/forms/", None, 401, "Cần đăng nhập"),
        ("post", "/forms/", "{}", 405, "không nhận phương thức POST"),
        ("get", "/khong-co/", None, 404, "Không có địa chỉ này"),
        ("get", "/forms/khong-co/", None, 404, "Không có mẫu phiếu"),
    ],
)
def test_every_failure_is_json(
    method: str, path: str, body: str | None, status: int, message: str, tree: Tree, users: Any
) -> None:
    client = Client() if status == 401 else login(users[Role.ENUMERATOR])
    response = getattr(client, method)(PREFIX + path, body, content_type="application/json")
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert message in response.json()["error"]


def test_deep_and_huge_json_are_refused_cleanly(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.ENUMERATOR])
    url = f"{PREFIX}/forms/tt11-2022-m03/validate/"
    deep = '{"answers": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = client.post(url, deep, content_type="application/json")
    assert response.status_code == 400 and "error" in response.json()
    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        huge = json.dumps({"answers": {"full_name": "A" * 5000}})
        response = client.post(url, huge, content_type="application/json")
    assert response.status_code == 413 and "quá lớn" in response.json()["error"]


def test_a_server_error_in_the_api_is_json(
    tree: Tree, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from laodong.api import views

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(views, "validate_answers", broken)
    client = login(users[Role.ENUMERATOR])
    client.raise_request_exception = False
    response = client.post(
        f"{PREFIX}/forms/tt11-2022-m03/validate/",
        json.dumps({"answers": {}}),
        content_type="application/json",
    )
    assert response.status_code == 500 and "Lỗi hệ thống" in response.json()["error"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=20,
)
KEYS = st.sampled_from([*EMPLOYED.keys(), "x", ""])


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    body=st.one_of(
        JSON,
        st.fixed_dictionaries({"answers": st.dictionaries(KEYS, JSON, max_size=8)}),
        st.fixed_dictionaries(
            {"answers": st.dictionaries(KEYS, JSON, max_size=8), "reference_date": JSON}
        ),
    )
)
def test_no_json_makes_the_validator_fail(body: Any, tree: Tree, users: dict[str, Any]) -> None:
    cache.clear()
    client = login(users[Role.ENUMERATOR])
    client.raise_request_exception = False
    response = client.post(
        f"{PREFIX}/forms/tt09-2025-m01/validate/", json.dumps(body), content_type="application/json"
    )
    assert response.status_code in (200, 400), response.content[:300]
    assert "error" in response.json() or "findings" in response.json()
