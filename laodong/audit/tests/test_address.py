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


def test_pages_with_personal_data_log_each_read(
    tree: Any, users: dict[str, Any], campaign: Any
) -> None:
    """Who looked, when, from where and which filter — never what was searched or shown."""
    import io

    from laodong.collection.models import WorkItem
    from laodong.collection.police_list import import_list
    from laodong.collection.tests.test_workflow import POLICE_LIST

    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="x.csv",
        acting_user=None,
    )
    item = WorkItem.objects.get(personal_id="038090012345")
    officer = Client()
    officer.force_login(users[Role.COMMUNE_LABOR_OFFICER])
    pages = {
        "register.view_list": reverse("register-list-people"),
        "collection.view_work_list": reverse("collection-list-work", args=[campaign.pk]),
        "collection.open_form": reverse("collection-collect-item", args=[campaign.pk, item.pk]),
        "collection.view_review_list": reverse(
            "collection-list-review", args=[campaign.pk, tree.commune.pk]
        ),
    }
    for action, url in pages.items():
        assert officer.get(url, REMOTE_ADDR="10.7.7.7").status_code == 200, url
        event = AuditEvent.objects.filter(action=action).latest("pk")
        assert event.actor == users[Role.COMMUNE_LABOR_OFFICER] and event.address == "10.7.7.7"
    officer.post(reverse("register-list-people"), {"q": "Nguyễn Văn An"})
    searched = AuditEvent.objects.filter(action="register.view_list").latest("pk")
    assert searched.details["search"] is True
    assert "Nguyễn" not in str(searched.details) and "An" not in str(searched.details)
