"""Plans and targets opened by two people: the later save from an older page is refused and
shown item by item; what the first saved stays."""

from __future__ import annotations

import re
from typing import Any

from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign, Target
from laodong.conftest import Tree, login, make_user


def _token(page: str) -> str:
    found = re.search(r'name="loaded_token" value="([0-9a-f]+)"', page)
    assert found, "the page carries no token"
    return found.group(1)


PLAN = {
    "title": "Thu thập năm 2026",
    "legal_basis": "Kế hoạch số 12/KH-UBND ngày 04/11/2026",
    "reference_date": "01/11/2026",
    "collection_start": "05/11/2026",
    "collection_end": "17/12/2026",
    "entry_start": "10/11/2026",
    "entry_end": "28/12/2026",
    "collection_1_deadline": "17/12/2026",
    "entry_1_deadline": "28/12/2026",
}


def _plan(client: Any, tree: Tree) -> Campaign:
    client.post(reverse("campaigns-create-campaign"), {**PLAN, "form_code": "tt09-2025-m01"})
    return Campaign.objects.get()


def test_a_plan_saved_meanwhile_is_not_undone(tree: Tree, users: dict[str, Any]) -> None:
    a = login(users[Role.COMMUNE_LABOR_OFFICER])
    b = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune, "canbo2"))
    campaign = _plan(a, tree)
    url = reverse("campaigns-edit-campaign", args=[campaign.pk])
    token = _token(a.get(url).content.decode())
    assert _token(b.get(url).content.decode()) == token
    saved = a.post(url, {**PLAN, "collection_end": "20/12/2026", "loaded_token": token})
    assert saved.status_code == 302
    stale = b.post(url, {**PLAN, "title": "Thu thập 2026 (sửa)", "loaded_token": token})
    assert stale.status_code == 200
    campaign.refresh_from_db()
    assert campaign.title == PLAN["title"]
    assert campaign.collection_end.strftime("%d/%m/%Y") == "20/12/2026"
    rows = {row.key: row for row in stale.context["stale"].differences}
    assert (rows["collection_end"].mine, rows["collection_end"].theirs) == (
        "17/12/2026",
        "20/12/2026",
    )
    assert rows["title"].mine == "Thu thập 2026 (sửa)"
    page = stale.content.decode()
    assert "Người khác đã lưu trong lúc bạn sửa" in page
    # Saving again with the page's new token is the merge, made knowingly.
    again = b.post(
        url,
        {
            **PLAN,
            "title": "Thu thập 2026 (sửa)",
            "collection_end": "20/12/2026",
            "loaded_token": _token(page),
        },
    )
    assert again.status_code == 302
    campaign.refresh_from_db()
    assert (campaign.title, campaign.collection_end.day) == ("Thu thập 2026 (sửa)", 20)


def test_targets_saved_meanwhile_are_not_undone(tree: Tree, users: dict[str, Any]) -> None:
    a = login(users[Role.COMMUNE_LABOR_OFFICER])
    b = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune, "canbo2"))
    campaign = _plan(a, tree)
    url = reverse("campaigns-edit-targets", args=[campaign.pk])
    token = _token(a.get(url).content.decode())
    assert _token(b.get(url).content.decode()) == token
    commune, village = tree.commune.pk, tree.village.pk
    assert a.post(url, {f"count_{commune}": "2450", "loaded_token": token}).status_code == 302
    stale = b.post(
        url, {f"count_{commune}": "2000", f"count_{village}": "350", "loaded_token": token}
    )
    assert stale.status_code == 200
    assert list(Target.objects.values_list("unit_id", "count")) == [(commune, 2450)]
    rows = stale.context["stale"].differences
    assert [row.label for row in rows if row.conflict] == [
        tree.commune.label(),
        tree.village.label(),
    ]
    page = stale.content.decode()
    # What B typed is still in the form.
    assert (
        f'name="count_{village}" aria-label="Chỉ tiêu đợt này {tree.village.label()}" value="350"'
        in page
    )
    assert (
        b.post(
            url,
            {f"count_{commune}": "2450", f"count_{village}": "350", "loaded_token": _token(page)},
        ).status_code
        == 302
    )
    assert Target.objects.get(unit=tree.village).count == 350
