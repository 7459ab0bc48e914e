"""Schemathesis over the whole OpenAPI document, in the test run (and so in CI, on SQLite and
PostgreSQL): every operation, with generated valid and invalid requests, signed in and not;
every answer must conform to the document, be JSON, and never be a 500 (issue 11, finding 9)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from laodong.accounts.models import Role
from laodong.api.openapi import SCHEMA
from laodong.conftest import Tree, login

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(SCHEMA)))
schema.app = get_wsgi_application()
# The session of the test being run (each test has its own database state).
SESSION: dict[str, str] = {}


@schema.auth(refresh_interval=None)
class SignedIn:
    """The API's one security scheme: a signed-in session cookie. Schemathesis also sends
    requests without it, or with a made-up one, and expects 401."""

    def get(self, case: Any, context: Any) -> str:
        return SESSION.get("sessionid", "")

    def set(self, case: Any, data: str, context: Any) -> None:
        case.cookies = {**(case.cookies or {}), "sessionid": data}


@pytest.fixture(autouse=True)
def one_connection() -> Any:
    """The app is called as a plain WSGI application, not through Django's test client, so
    each request's end would close the database connection the test's transaction lives on
    (on PostgreSQL). Keep it open, as the test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def session_cookie(tree: Tree, users: dict[str, Any]) -> dict[str, str]:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    SESSION["sessionid"] = client.cookies["sessionid"].value
    return SESSION


@schema.parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_description(case: Any, session_cookie: dict[str, str]) -> None:
    case.call_and_validate()
