"""A form's answers opened on two screens: the save from the older page is refused with both
versions item by item; nothing typed on either is silently lost."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.models import Status, WorkItem
from laodong.collection.tests import test_workflow
from laodong.collection.tests.test_views import form_data
from laodong.conftest import Tree, login
from laodong.core.concurrency import StaleEdit
from laodong.register.tests.test_actions import ANSWERS

items = test_workflow.items  # the fixture: An, Bình and Cường listed by the police


def _token(page: str) -> str:
    found = re.search(r'name="loaded_token" value="([0-9a-f]+)"', page)
    assert found, "the form carries no token"
    return found.group(1)


def test_a_draft_saved_on_another_screen_is_not_overwritten_silently(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    enumerator = users[Role.ENUMERATOR]
    an = items["An"]
    url = reverse("collection-collect-item", args=[campaign.pk, an.pk])
    phone, tablet = login(enumerator), login(enumerator)
    old_token = _token(phone.get(url).content.decode())
    assert _token(tablet.get(url).content.decode()) == old_token
    tablet.post(
        url,
        {
            **form_data({**ANSWERS, "job_description": "Thợ hàn"}, tree.village),
            "loaded_token": old_token,
            "save_draft": "1",
        },
    )
    an.refresh_from_db()
    assert an.answers["job_description"] == "Thợ hàn" and an.has_draft
    # The phone, on the page opened before, submits other answers.
    response = phone.post(
        url,
        {
            **form_data({**ANSWERS, "job_description": "Thợ may"}, tree.village),
            "loaded_token": old_token,
        },
    )
    assert response.status_code == 200
    an.refresh_from_db()
    assert (an.status, an.answers["job_description"]) == (Status.LISTED, "Thợ hàn")
    page = response.content.decode()
    assert "Người khác đã lưu trong lúc bạn sửa" in page and "Thợ hàn" in page
    rows = {row.key: row for row in response.context["stale"].differences}
    assert (rows["job_description"].mine, rows["job_description"].theirs) == ("Thợ may", "Thợ hàn")
    assert response.context["form"].initial["job_description"] == "Thợ may"
    # Submitting again from the refreshed page is the merge, made knowingly.
    response = phone.post(
        url,
        {
            **form_data({**ANSWERS, "job_description": "Thợ may"}, tree.village),
            "loaded_token": _token(page),
        },
    )
    assert response.status_code == 302
    an.refresh_from_db()
    assert (an.status, an.answers["job_description"]) == (Status.SUBMITTED, "Thợ may")


def test_the_action_refuses_a_stale_token(
    items: dict[str, WorkItem], users: dict[str, Any]
) -> None:
    enumerator = users[Role.ENUMERATOR]
    an = items["An"]
    token = actions.answers_token(an)
    actions.save_form_draft(acting_user=enumerator, item=an, answers=ANSWERS, loaded_token=token)
    with pytest.raises(StaleEdit):
        actions.submit_form(acting_user=enumerator, item=an, answers=ANSWERS, loaded_token=token)
    # Without a token (the API, which sends whole forms) the workflow rules alone apply.
    actions.submit_form(acting_user=enumerator, item=an, answers=ANSWERS)
