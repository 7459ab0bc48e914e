"""Per-enumerator targets and deadlines, progress on the officer's and the enumerator's pages,
and receipts for paper forms handed in."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.enumerators import enumerator_progress
from laodong.collection.models import Assignment, PaperReceipt, WorkItem
from laodong.collection.tests.test_workflow import ANSWERS, BINH, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login, make_user


def test_targets_and_progress_per_enumerator(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    officer, enumerator = users[Role.COMMUNE_LABOR_OFFICER], users[Role.ENUMERATOR]
    url = reverse("collection-assign-work", args=[campaign.pk, tree.commune.pk])
    client = login(officer)
    response = client.post(
        url,
        {"village": tree.village.pk, "enumerator": enumerator.pk, "target": "x"},
        follow=True,
    )
    assert "không phải là số phiếu" in response.content.decode()
    response = client.post(
        url,
        {"village": tree.village.pk, "enumerator": enumerator.pk, "due": "31/02/2026"},
        follow=True,
    )
    assert "không đúng" in response.content.decode()
    response = client.post(
        url,
        {"village": tree.village.pk, "enumerator": enumerator.pk, "due": "01/01/2030"},
        follow=True,
    )
    assert "trong thời gian của kế hoạch" in response.content.decode()
    client.post(
        url,
        {
            "village": tree.village.pk,
            "enumerator": enumerator.pk,
            "target": "2",
            "due": "10/12/2026",
        },
    )
    assignment = Assignment.objects.get()
    assert (assignment.target, assignment.due) == (2, datetime.date(2026, 12, 10))
    # An is accepted, Bình returned: hand-counted progress.
    actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    actions.accept_form(acting_user=officer, item=items["An"])
    actions.submit_form(acting_user=enumerator, item=items["Bình"], answers=BINH)
    actions.return_form(acting_user=officer, item=items["Bình"], reason="Thiếu nơi làm việc")
    (row,) = enumerator_progress(campaign, tree.commune)
    assert (row.user, row.target, row.assigned, row.collected, row.returned, row.accepted) == (
        enumerator,
        2,
        2,
        2,
        1,
        1,
    )
    assert row.percent == 50.0
    page = client.get(url).content.decode()
    assert "Tiến độ theo điều tra viên" in page and "50,0" in page
    home = login(enumerator).get(reverse("overview-home")).content.decode()
    assert "Chỉ tiêu 2 phiếu, hạn 10/12/2026: đã thu thập 2, đã nghiệm thu 1" in home
    # Changing the assignee keeps a target typed again on the row.
    other = make_user(Role.ENUMERATOR, tree.village, "dtv-2")
    client.post(
        url,
        {
            "step": "change",
            "assignment": assignment.pk,
            "enumerator": other.pk,
            "target": "5",
            "due": "",
        },
    )
    assignment.refresh_from_db()
    assert (assignment.enumerator, assignment.target, assignment.due) == (other, 5, None)


def test_paper_form_receipts(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    officer, enumerator = users[Role.COMMUNE_LABOR_OFFICER], users[Role.ENUMERATOR]
    url = reverse("collection-list-receipts", args=[campaign.pk, tree.commune.pk])
    client = login(officer)
    response = client.post(url, {"enumerator": enumerator.pk, "count": "", "received_on": "x"})
    assert not PaperReceipt.objects.exists()
    response = client.post(
        url, {"enumerator": enumerator.pk, "count": "45", "received_on": "20/11/2026"}, follow=True
    )
    assert "Đã ghi nhận 45 phiếu giấy" in response.content.decode()
    receipt = PaperReceipt.objects.get()
    assert (receipt.count, receipt.received_on, receipt.received_by) == (
        45,
        datetime.date(2026, 11, 20),
        officer,
    )
    pdf = client.get(
        reverse("collection-download-receipt", args=[campaign.pk, tree.commune.pk, receipt.pk])
    )
    assert pdf.content.startswith(b"%PDF")
    (row,) = [r for r in enumerator_progress(campaign, tree.commune) if r.received]
    assert (row.received, row.keyed, row.waiting_keying) == (45, 0, 45)
    # A wrong receipt is cancelled with a reason and kept; it no longer counts.
    client.post(url, {"step": "cancel", "receipt": receipt.pk, "reason": ""})
    receipt.refresh_from_db()
    assert receipt.cancelled_at is None
    client.post(url, {"step": "cancel", "receipt": receipt.pk, "reason": "Ghi nhầm số"})
    receipt.refresh_from_db()
    assert receipt.cancel_reason == "Ghi nhầm số"
    assert not [r for r in enumerator_progress(campaign, tree.commune) if r.received]
    # Only those who key paper forms record receipts; other communes see nothing.
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    assert login(users[Role.COMMUNE_FINANCE_OFFICER]).get(url).status_code == 403
    neighbour = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-thach")
    assert login(neighbour).get(url).status_code == 404
    with pytest.raises(actions.WorkflowError):
        actions.record_paper_receipt(
            acting_user=officer,
            campaign=campaign,
            commune=tree.commune,
            enumerator=make_user(Role.ENUMERATOR, tree.other_village, "dtv-thach"),
            count=3,
            received_on=datetime.date(2026, 11, 20),
        )
