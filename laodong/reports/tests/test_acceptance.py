"""Acceptance of a commune's results: by its leader or the province, figures frozen, printed
on A4, cancelled with a reason but never deleted; who may do it where."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.collection.tests.test_workflow import accept_all, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login, make_user
from laodong.reports import actions
from laodong.reports.acceptance import figures
from laodong.reports.models import ResultAcceptance

TODAY = datetime.date.today()


def _accept(user: Any, campaign: Campaign, tree: Tree, **extra: Any) -> ResultAcceptance:
    values = {
        "as_of": TODAY,
        "representative": "Phạm Văn Hùng",
        "representative_title": "Chủ tịch UBND xã",
        "conclusion": "Đạt yêu cầu; đồng ý nghiệm thu.",
        **extra,
    }
    return actions.accept_results(acting_user=user, campaign=campaign, unit=tree.commune, **values)


def test_the_province_accepts_a_communes_results_with_frozen_figures(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    accept_all(items, users)
    record = _accept(users[Role.PROVINCE_LABOR_DEPARTMENT], campaign, tree)
    columns, rows = figures(record)
    assert columns[:4] == ["Đơn vị", "Chỉ tiêu", "Công an lập danh sách", "Đã thu thập"]
    # Thôn 1: An and Bình listed, collected and accepted; Thôn 2: Cường listed only.
    assert rows == [
        (["Thôn 1", None, 2, 2, 2, 0, 0, 0], False),
        (["Thôn 2", None, 1, 0, 0, 0, 0, 0], False),
        (["Cộng", None, 3, 2, 2, 0, 0, 0], True),
    ]
    assert (record.number, record.accepting_unit) == (1, tree.province)
    # Later changes do not touch it.
    WorkItem.objects.filter(pk=items["Cường"].pk).update(status="submitted")
    record.refresh_from_db()
    assert figures(record)[1][-1] == (["Cộng", None, 3, 2, 2, 0, 0, 0], True)
    page = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-list-acceptances", args=[campaign.pk, tree.commune.pk])
    )
    assert "Đã nghiệm thu (lần 1)" in page.content.decode()
    pdf = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-download-acceptance", args=[record.pk])
    )
    assert pdf.content.startswith(b"%PDF")


def test_mistakes_are_cancelled_with_a_reason_and_kept(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    leader = users[Role.COMMUNE_LEADER]
    first = _accept(leader, campaign, tree)
    second = _accept(leader, campaign, tree)
    assert second.number == 2
    url = reverse("reports-cancel-acceptance", args=[first.pk])
    # The province did not make it: it may not cancel it.
    response = login(users[Role.PROVINCE_LABOR_DEPARTMENT]).post(url, {"reason": "x"}, follow=True)
    assert "Chỉ bên đã nghiệm thu" in response.content.decode()
    response = login(leader).post(url, {"reason": ""}, follow=True)
    assert "lý do hủy" in response.content.decode()
    login(leader).post(url, {"reason": "Nhầm ngày số liệu"})
    first.refresh_from_db()
    assert first.cancelled_at is not None and first.cancel_reason == "Nhầm ngày số liệu"
    assert ResultAcceptance.objects.count() == 2
    with pytest.raises(actions.ReportError):
        actions.cancel_acceptance(acting_user=leader, acceptance=first, reason="lần nữa")


def test_bad_input_and_who_may_accept(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    url = reverse("reports-list-acceptances", args=[campaign.pk, tree.commune.pk])
    leader = login(users[Role.COMMUNE_LEADER])
    response = leader.post(url, {"as_of": "99/99/2026", "representative": "A"})
    assert "không đúng" in response.content.decode()
    response = leader.post(
        url,
        {"as_of": "20/11/2026", "representative": "", "conclusion": "x"},
    )
    assert "Hãy ghi họ tên và chức vụ" in response.content.decode()
    assert not ResultAcceptance.objects.exists()
    with pytest.raises(actions.ReportError, match="tương lai"):
        _accept(users[Role.COMMUNE_LEADER], campaign, tree, as_of=TODAY + datetime.timedelta(1))
    # The officer sees the page but may not accept; the enumerator has no reports.
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert officer.get(url).status_code == 200
    assert officer.post(url, {"as_of": "20/11/2026"}).status_code == 403
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    with pytest.raises(PermissionDenied):
        _accept(users[Role.COMMUNE_LABOR_OFFICER], campaign, tree)
    # Another commune's leader and another province do not see this commune at all.
    neighbour = make_user(Role.COMMUNE_LEADER, tree.other_commune, "lanhdao-thach")
    assert login(neighbour).get(url).status_code == 404
    with pytest.raises(actions.ReportError):
        _accept(neighbour, campaign, tree)
    far = make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.other_province, "so-hn")
    assert login(far).get(url).status_code == 404
