"""Reports sent up the tree: frozen snapshots, the leader's sign-off, return, resend and
acceptance by the level above, the province's report from accepted commune reports only, and
who may do what where."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign, ReportDeadline
from laodong.collection import actions as collection_actions
from laodong.collection.models import WorkItem
from laodong.collection.tests.test_workflow import ANSWERS, BINH, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login, make_user
from laodong.reports import actions
from laodong.reports.models import SentReport, SentStatus
from laodong.reports.sending import live_differences, standing


class Clock:
    """Actions at chosen moments of Vietnam's time."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, day: int, hour: int, month: int = 12) -> None:
        self.moment = timezone.make_aware(datetime.datetime(2026, month, day, hour))


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    found = Clock(monkeypatch)
    found.at(5, 9)
    return found


@pytest.fixture
def deadlines(campaign: Campaign) -> dict[str, ReportDeadline]:
    return {
        "commune": ReportDeadline.objects.create(
            campaign=campaign,
            title="Báo cáo kết quả thu thập",
            from_level=3,
            due=datetime.date(2026, 12, 10),
        ),
        "province": ReportDeadline.objects.create(
            campaign=campaign,
            title="Báo cáo của tỉnh",
            from_level=1,
            due=datetime.date(2026, 12, 15),
        ),
    }


@pytest.fixture
def submitted(
    items: dict[str, WorkItem],  # noqa: F811
    users: dict[str, Any],
    clock: Clock,
) -> dict[str, WorkItem]:
    """An's form collected and accepted on 2/12."""
    clock.at(2, 9)
    collection_actions.submit_form(
        acting_user=users[Role.ENUMERATOR], item=items["An"], answers=ANSWERS
    )
    collection_actions.accept_form(acting_user=users[Role.COMMUNE_LABOR_OFFICER], item=items["An"])
    clock.at(5, 9)
    return items


def _figures(report: SentReport) -> list[Any]:
    """The commune's total row: unit, target, listed, collected, %, accepted…"""
    return report.data["sections"][0]["rows"][-1]["cells"]


def test_send_return_resend_accept(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    clock: Clock,
) -> None:
    officer, leader = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_LEADER]
    province = users[Role.PROVINCE_LABOR_DEPARTMENT]
    deadline = deadlines["commune"]
    first = actions.prepare_report(
        acting_user=officer, deadline=deadline, as_of=datetime.date(2026, 12, 4)
    )
    assert (first.version, first.status) == (1, SentStatus.AWAITING_APPROVAL)
    # Listed 3, collected 1, accepted 1 (hand-counted from the police list and the fixture).
    assert _figures(first)[:6] == ["Cộng", None, 3, 1, 33.3, 1]
    # Not yet sent: the province may not decide on it; a second version may not be made.
    with pytest.raises(actions.ReportError):
        actions.accept_report(acting_user=province, report=first)
    with pytest.raises(actions.ReportError):
        actions.prepare_report(acting_user=officer, deadline=deadline)
    clock.at(6, 10)
    actions.approve_report(acting_user=leader, report=first)
    first.refresh_from_db()
    assert first.status == SentStatus.SENT and first.approved_by == leader
    sheet = load_workbook(io.BytesIO(bytes(first.xlsx))).active
    lines = [row[0] for row in sheet.iter_rows(values_only=True) if row[0]]
    assert any(
        str(line).startswith(
            f"Đã duyệt: {leader.get_full_name()}, Lãnh đạo UBND xã, lúc 10:00 ngày 06/12/2026"
        )
        for line in lines
    ), lines
    assert bytes(first.pdf).startswith(b"%PDF")
    with pytest.raises(actions.ReportError):
        actions.approve_report(acting_user=leader, report=first)
    with pytest.raises(actions.ReportError, match="lý do"):
        actions.return_report(acting_user=province, report=first, comment="  ")
    actions.return_report(acting_user=province, report=first, comment="Thiếu số liệu Thôn 2")
    first.refresh_from_db()
    assert first.status == SentStatus.RETURNED and first.comment == "Thiếu số liệu Thôn 2"
    clock.at(11, 8)
    second = actions.prepare_report(acting_user=officer, deadline=deadline)
    assert second.version == 2 and second.as_of == datetime.date(2026, 12, 10)
    with pytest.raises(actions.ReportError, match="ghi điều cần sửa"):
        actions.decline_report(acting_user=leader, report=second, comment="")
    actions.approve_report(acting_user=leader, report=second)
    actions.accept_report(acting_user=province, report=second, comment="")
    second.refresh_from_db()
    first.refresh_from_db()
    assert second.status == SentStatus.ACCEPTED
    # The returned version is kept as it was.
    assert first.status == SentStatus.RETURNED and first.version == 1
    with pytest.raises(actions.ReportError, match="chấp nhận"):
        actions.prepare_report(acting_user=officer, deadline=deadline)
    # First sent on 6/12, before the deadline of 10/12: on time although accepted on 11/12.
    state = standing(deadline, [officer.unit])[officer.unit.pk]
    assert state.tone == "done" and state.days_late == 0 and "đúng hạn" in state.label


def test_a_snapshot_never_changes_and_the_page_says_where_live_data_differs(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    clock: Clock,
) -> None:
    officer, leader = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_LEADER]
    report = actions.prepare_report(acting_user=officer, deadline=deadlines["commune"])
    actions.approve_report(acting_user=leader, report=report)
    report.refresh_from_db()
    stored = (report.data, bytes(report.pdf), bytes(report.xlsx))
    assert live_differences(report) == ([], 0)
    # Later the same day Bình's form is collected: the report as of 5/12 would now count it.
    clock.at(5, 15)
    collection_actions.submit_form(
        acting_user=users[Role.ENUMERATOR],
        item=submitted["Bình"],
        answers=BINH,
    )
    report.refresh_from_db()
    assert (report.data, bytes(report.pdf), bytes(report.xlsx)) == stored
    lines, count = live_differences(report)
    assert count >= 1
    assert any("Cộng · Đã thu thập: đã gửi 1, nay 2" in line for line in lines), lines
    page = login(officer).get(reverse("reports-view-sent", args=[report.pk])).content.decode()
    assert "Dữ liệu hiện nay khác với báo cáo đã chốt" in page
    assert "đã gửi 1, nay 2" in page
    download = login(officer).get(reverse("reports-download-sent", args=[report.pk, "pdf"]))
    assert download.content == stored[1]


def test_late_and_not_sent(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    tree: Tree,
    clock: Clock,
) -> None:
    deadline = deadlines["commune"]
    clock.at(12, 9)
    state = standing(deadline, [tree.commune])[tree.commune.pk]
    assert (state.tone, state.days_late, state.label) == ("late", 2, "Chưa gửi, quá hạn 2 ngày")
    report = actions.prepare_report(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], deadline=deadline
    )
    assert report.as_of == datetime.date(2026, 12, 10)
    clock.at(13, 9)
    actions.approve_report(acting_user=users[Role.COMMUNE_LEADER], report=report)
    state = standing(deadline, [tree.commune])[tree.commune.pk]
    assert state.days_late == 3 and state.label == "Đã gửi, chờ cấp trên — gửi muộn 3 ngày"
    # Sent at 23:00 on the due day (Vietnam's time) is on time.
    clock.at(10, 23)
    SentReport.objects.filter(pk=report.pk).update(approved_at=timezone.now())
    assert standing(deadline, [tree.commune])[tree.commune.pk].days_late == 0


def test_the_province_report_holds_only_accepted_commune_reports(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
    clock: Clock,
) -> None:
    campaign.communes.add(tree.other_commune)
    province = users[Role.PROVINCE_LABOR_DEPARTMENT]
    draft = actions.prepare_report(acting_user=province, deadline=deadlines["province"])
    assert draft.data["sections"][0]["note"].startswith("Gồm 0 trên 2 xã")
    assert sorted(row["cells"][1] for row in draft.data["sections"][1]["rows"]) == [
        "Chưa gửi, còn 5 ngày",
        "Chưa gửi, còn 5 ngày",
    ]
    actions.decline_report(
        acting_user=users[Role.PROVINCE_LEADER], report=draft, comment="Chờ các xã"
    )
    commune_report = actions.prepare_report(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], deadline=deadlines["commune"]
    )
    actions.approve_report(acting_user=users[Role.COMMUNE_LEADER], report=commune_report)
    actions.accept_report(acting_user=province, report=commune_report)
    own = actions.prepare_report(acting_user=province, deadline=deadlines["province"])
    assert own.version == 2
    assert own.data["sections"][0]["note"].startswith("Gồm 1 trên 2 xã")
    rows = [row["cells"] for row in own.data["sections"][0]["rows"]]
    assert rows[0][:4] == ["Xã Cẩm Tân", {"date": "2026-12-05"}, 1, None]
    assert rows[-1][0] == "Cộng" and rows[-1][4:7] == [3, 1, 33.3]
    assert list(own.includes.all()) == [commune_report]
    actions.approve_report(acting_user=users[Role.PROVINCE_LEADER], report=own)
    # The ministry, the level above the province, accepts it; the province's leader may not.
    with pytest.raises(PermissionDenied):
        actions.accept_report(acting_user=users[Role.PROVINCE_LEADER], report=own)
    actions.accept_report(acting_user=users[Role.MINISTRY], report=own)
    own.refresh_from_db()
    assert own.status == SentStatus.ACCEPTED
    # The ministry follows the provinces' reports, not the communes'.
    page = login(users[Role.MINISTRY]).get(reverse("reports-list-sent")).content.decode()
    assert "Báo cáo của tỉnh" in page and "Báo cáo kết quả thu thập" not in page


def test_who_may_do_what(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    tree: Tree,
    clock: Clock,
) -> None:
    officer, leader = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_LEADER]
    deadline = deadlines["commune"]
    prepare = reverse("reports-prepare-sent", args=[deadline.pk])
    # Neither the leader nor the province prepares the commune's report; the enumerator has
    # no reports at all.
    assert login(leader).post(prepare).status_code == 403
    assert login(users[Role.ENUMERATOR]).post(prepare).status_code == 403
    response = login(officer).post(prepare, {"as_of": "31/02/2026"})
    assert response.status_code == 302 and not SentReport.objects.exists()
    response = login(officer).post(prepare, {"as_of": "04/12/2026"}, follow=True)
    report = SentReport.objects.get()
    assert "lần 1" in response.content.decode()
    decide = reverse("reports-decide-sent", args=[report.pk])
    view = reverse("reports-view-sent", args=[report.pk])
    # The officer may not approve it; the province may not approve it either.
    assert login(officer).post(decide, {"decision": "approve"}).status_code == 403
    assert (
        login(users[Role.PROVINCE_LABOR_DEPARTMENT])
        .post(decide, {"decision": "approve"})
        .status_code
        == 403
    )
    # Another commune's leader and officer do not see it at all.
    neighbour_leader = make_user(Role.COMMUNE_LEADER, tree.other_commune, "lanhdao-van")
    neighbour = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-van")
    assert login(neighbour_leader).post(decide, {"decision": "approve"}).status_code == 404
    assert login(neighbour).get(view).status_code == 404
    far = make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.other_province, "so-hanoi")
    assert login(far).get(view).status_code == 404
    assert login(far).post(decide, {"decision": "accept"}).status_code == 404
    assert login(users[Role.VILLAGE_HEAD]).get(view).status_code == 404
    login(leader).post(decide, {"decision": "approve"})
    report.refresh_from_db()
    assert report.status == SentStatus.SENT
    # The commune's leader may not accept its own report; the province may.
    assert login(leader).post(decide, {"decision": "accept"}).status_code == 403
    assert login(users[Role.MINISTRY]).post(decide, {"decision": "accept"}).status_code == 302
    report.refresh_from_db()
    assert report.status == SentStatus.SENT  # the ministry is not the commune's level above
    response = login(users[Role.PROVINCE_LABOR_DEPARTMENT]).post(
        decide, {"decision": "return", "comment": ""}, follow=True
    )
    assert "lý do trả lại" in response.content.decode()
    login(users[Role.PROVINCE_LABOR_DEPARTMENT]).post(
        decide, {"decision": "return", "comment": "Sai số liệu"}
    )
    report.refresh_from_db()
    assert report.status == SentStatus.RETURNED
    assert login(officer).get(view).status_code == 200
    assert login(users[Role.COMMUNE_FINANCE_OFFICER]).get(view).status_code == 200


def test_pages_for_the_province_and_the_commune(
    deadlines: dict[str, ReportDeadline],
    submitted: dict[str, WorkItem],
    users: dict[str, Any],
    tree: Tree,
    campaign: Campaign,
    clock: Clock,
    django_assert_max_num_queries: Any,
) -> None:
    campaign.communes.add(tree.other_commune)
    report = actions.prepare_report(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], deadline=deadlines["commune"]
    )
    actions.approve_report(acting_user=users[Role.COMMUNE_LEADER], report=report)
    clock.at(11, 9)
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    with django_assert_max_num_queries(14):
        page = province.get(reverse("reports-list-sent")).content.decode()
    assert "Báo cáo kết quả thu thập" in page
    with django_assert_max_num_queries(14):
        page = province.get(
            reverse("reports-view-deadline", args=[deadlines["commune"].pk])
        ).content.decode()
    assert "gửi đúng hạn" in page and "Chưa gửi, quá hạn 1 ngày" in page
    home = province.get(reverse("overview-home")).content.decode()
    assert "1 đơn vị đã gửi, 1 chờ xem xét, 0 đã chấp nhận" in home
    officer_home = login(users[Role.COMMUNE_LABOR_OFFICER]).get(reverse("overview-home"))
    assert "Đã gửi, chờ cấp trên" in officer_home.content.decode()


def test_the_home_page_counts_days_left_and_shows_overdue_in_red(
    deadlines: dict[str, ReportDeadline],
    users: dict[str, Any],
    clock: Clock,
) -> None:
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    page = officer.get(reverse("overview-home")).content.decode()
    assert "Báo cáo kết quả thu thập (hạn 10/12/2026): Chưa gửi, còn 5 ngày" in page
    clock.at(14, 9)
    # A new sign-in: the first session has expired in the meantime.
    page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(reverse("overview-home")).content.decode()
    assert 'class="card card-late"' in page
    assert "Chưa gửi, quá hạn 4 ngày" in page


def test_report_deadlines_are_set_in_the_plan(
    campaign: Campaign, users: dict[str, Any], clock: Clock
) -> None:
    from laodong.campaigns.actions import plan_values

    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    url = reverse("campaigns-edit-campaign", args=[campaign.pk])
    form = officer.get(url).context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data = {
        k: (v.strftime("%d/%m/%Y") if isinstance(v, datetime.date) else v)
        for k, v in data.items()
        if not isinstance(v, bool) or v
    }
    data["loaded_token"] = officer.get(url).context["loaded_token"]
    data.update(
        report_1_title="Báo cáo kết quả thu thập",
        report_1_level="3",
        report_1_due="10/12/2026",
        report_2_title="Báo cáo thiếu hạn",
    )
    response = officer.post(url, data)
    assert response.status_code == 200
    assert "Hãy ghi hạn gửi của báo cáo này." in response.content.decode()
    del data["report_2_title"]
    response = officer.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    deadline = ReportDeadline.objects.get()
    assert (deadline.title, deadline.from_level, deadline.due) == (
        "Báo cáo kết quả thu thập",
        3,
        datetime.date(2026, 12, 10),
    )
    assert "Báo cáo kết quả thu thập (Xã gửi tỉnh, 10/12/2026)" in plan_values(campaign)["reports"]
    page = officer.get(reverse("campaigns-view-campaign", args=[campaign.pk])).content.decode()
    assert "Hạn gửi báo cáo" in page and "còn 5 ngày" in page
    # Once a report was made against it, the deadline cannot be dropped from the plan.
    actions.prepare_report(acting_user=users[Role.COMMUNE_LABOR_OFFICER], deadline=deadline)
    data["loaded_token"] = officer.get(url).context["loaded_token"]
    data["report_1_title"] = ""
    data["report_1_due"] = ""
    response = officer.post(url, data)
    assert "đã có đơn vị gửi báo cáo theo hạn này" in response.content.decode()
    assert ReportDeadline.objects.count() == 1
