"""Each audit row written while serving a request keeps where it came from (issue 11,
finding 7)."""

from __future__ import annotations

from typing import Any

from django.test import Client, override_settings
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent


def reset(users: dict[str, Any], **headers: Any) -> AuditEvent:
    client = Client()
    client.force_login(users[Role.COMMUNE_LEADER])
    client.post(reverse("accounts-reset-password", args=[users[Role.ENUMERATOR].pk]), **headers)
    return AuditEvent.objects.filter(action="accounts.reset_password").latest("pk")


def test_an_audit_row_keeps_the_address_of_the_request(users: dict[str, Any]) -> None:
    assert reset(users, REMOTE_ADDR="10.2.3.4").address == "10.2.3.4"


@override_settings(LAODONG_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_kept(users: dict[str, Any]) -> None:
    event = reset(users, REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    assert event.address == "203.0.113.5"


def test_outside_a_request_the_address_is_empty(users: dict[str, Any]) -> None:
    from laodong.accounts import actions

    actions.reset_password(acting_user=users[Role.COMMUNE_LEADER], account=users[Role.ENUMERATOR])
    assert AuditEvent.objects.latest("pk").address == ""
