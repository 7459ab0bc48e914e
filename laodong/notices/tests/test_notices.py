"""Reminders: created once per event, their counts following the data, cleared when done;
`laodong notify` idempotent, e-mail sent once; the header count and the word at sign-in."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.core import mail
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from laodong.accounts.models import Role, User
from laodong.campaigns.actions import set_targets
from laodong.campaigns.models import Campaign, ReportDeadline
from laodong.collection import actions as collection_actions
from laodong.collection.models import WorkItem
from laodong.collection.tests.test_workflow import ANSWERS, BINH, items  # noqa: F401 (fixture)
from laodong.conftest import PASSWORD, Tree, login
from laodong.handover import actions as handover_actions
from laodong.notices import actions
from laodong.notices.models import Notice, NoticeKind
from laodong.reports import actions as report_actions


def _open(user: Any) -> list[tuple[str, str]]:
    return list(
        Notice.objects.filter(user=user, cleared_at__isnull=True)
        .order_by("kind", "key")
        .values_list("kind", "text")
    )


def test_returned_forms_and_forms_to_accept_come_once_and_clear_when_done(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    collection_actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    collection_actions.submit_form(acting_user=enumerator, item=items["Bình"], answers=BINH)
    outcome = actions.sync()
    assert _open(officer) == [
        (NoticeKind.FORMS_TO_ACCEPT, f"2 phiếu chờ nghiệm thu — {campaign.title}")
    ]
    assert outcome.created == 1
    collection_actions.return_form(acting_user=officer, item=items["An"], reason="Thiếu nghề")
    outcome = actions.sync()
    assert (outcome.created, outcome.updated, outcome.cleared) == (1, 1, 0)
    assert _open(officer) == [
        (NoticeKind.FORMS_TO_ACCEPT, f"1 phiếu chờ nghiệm thu — {campaign.title}")
    ]
    assert _open(enumerator) == [
        (NoticeKind.RETURNED_FORMS, f"1 phiếu bị trả lại chờ bạn sửa — {campaign.title}")
    ]
    # Run again: nothing new, nothing sent twice.
    again = actions.sync()
    assert (again.created, again.updated, again.cleared) == (0, 0, 0)
    assert Notice.objects.count() == 2
    # Done: the enumerator corrects, the officer accepts both; both notices clear.
    collection_actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    for key in ("An", "Bình"):
        collection_actions.accept_form(acting_user=officer, item=items[key])
    outcome = actions.sync()
    assert outcome.cleared == 2 and _open(officer) == [] and _open(enumerator) == []
    # The cause coming back is a new event, a new notice.
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    actions.sync()
    police = users[Role.COMMUNE_POLICE]
    assert _open(police) == [
        (
            NoticeKind.HANDOVER_WAITING,
            f"1 biên bản bàn giao chờ Công an xã xác nhận — {campaign.title}",
        )
    ]
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=2)
    actions.sync()
    assert _open(police) == []


def test_reports_due_to_approve_to_review_and_returned(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    officer, leader = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_LEADER]
    province = users[Role.PROVINCE_LABOR_DEPARTMENT]
    today = timezone.localdate()
    far = ReportDeadline.objects.create(
        campaign=campaign,
        title="Báo cáo cuối đợt",
        from_level=3,
        due=today + datetime.timedelta(30),
    )
    near = ReportDeadline.objects.create(
        campaign=campaign, title="Báo cáo tuần", from_level=3, due=today + datetime.timedelta(3)
    )
    actions.sync()
    # Only the report due within a week is announced.
    assert _open(officer) == [
        (NoticeKind.REPORT_DUE, f"Báo cáo tuần chưa gửi, hạn {near.due:%d/%m/%Y} (còn 3 ngày)")
    ]
    assert far.pk
    report = report_actions.prepare_report(acting_user=officer, deadline=near)
    actions.sync()
    assert _open(leader) == [
        (
            NoticeKind.REPORT_TO_APPROVE,
            f"Báo cáo tuần lần 1 chờ bạn duyệt (hạn {near.due:%d/%m/%Y})",
        )
    ]
    report_actions.approve_report(acting_user=leader, report=report)
    actions.sync()
    assert _open(leader) == [] and _open(officer) == []
    assert _open(province) == [
        (NoticeKind.REPORT_TO_REVIEW, "1 báo cáo “Báo cáo tuần” của cấp dưới chờ bạn xem xét")
    ]
    report_actions.return_report(acting_user=province, report=report, comment="Sai số liệu")
    actions.sync()
    assert _open(province) == []
    # Sent on time, then returned: no longer "due", but returned for correction.
    kinds = [kind for kind, _text in _open(officer)]
    assert kinds == [NoticeKind.REPORT_RETURNED]


def test_rounds_behind_reach_the_officer_and_the_province(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    set_targets(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        targets={tree.village: (2, 2), tree.village2: (1, 1)},
    )
    campaign.rounds.filter(kind="collection").update(
        deadline=timezone.localdate() - datetime.timedelta(days=1)
    )
    actions.sync()
    officer_texts = [t for k, t in _open(users[Role.COMMUNE_LABOR_OFFICER]) if k == "round_behind"]
    assert officer_texts == [
        f"2 đơn vị chậm so với đợt đã hết hạn: Thôn 1, Thôn 2 — {campaign.title}"
    ]
    assert [k for k, _t in _open(users[Role.COMMUNE_LEADER])] == [NoticeKind.ROUND_BEHIND]


def test_notify_command_sends_email_once_and_the_header_counts(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    User.objects.filter(pk=officer.pk).update(email="lan@camtan.gov.vn")
    collection_actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    out = io.StringIO()
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        call_command("notify", stdout=out)
        assert "Thông báo mới: 1" in out.getvalue()
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == ["lan@camtan.gov.vn"]
        assert "1 phiếu chờ nghiệm thu" in mail.outbox[0].body
        call_command("notify", stdout=io.StringIO())
        assert len(mail.outbox) == 1
    # Signing in says so; the header shows the count until the list is opened.
    client = Client()
    page = client.post(
        reverse("accounts-login"),
        {"username": officer.username, "password": PASSWORD},
        follow=True,
    ).content.decode()
    assert "Bạn có 1 việc cần làm mới" in page
    assert 'class="notice-count"' in page
    listing = client.get(reverse("notices-list-notices")).content.decode()
    assert "1 phiếu chờ nghiệm thu" in listing
    officer.refresh_from_db()
    assert officer.unseen_notices == 0
    assert 'class="notice-count"' not in client.get(reverse("overview-home")).content.decode()
    # A sign-in without a page (force_login) is not refused for want of a message.
    User.objects.filter(pk=officer.pk).update(unseen_notices=2)
    officer.refresh_from_db()
    assert login(officer).get(reverse("notices-list-notices")).status_code == 200


def test_without_a_mail_server_nothing_is_sent(
    campaign: Campaign,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> None:
    User.objects.filter(pk=users[Role.COMMUNE_LABOR_OFFICER].pk).update(email="lan@x.vn")
    collection_actions.submit_form(
        acting_user=users[Role.ENUMERATOR], item=items["An"], answers=ANSWERS
    )
    out = io.StringIO()
    with override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST=""
    ):
        call_command("notify", stdout=out)
    assert "kênh gửi: không có" in out.getvalue()
    assert Notice.objects.get().sent == {}
    # Anyone signed in sees only their own list.
    page = login(users[Role.ENUMERATOR]).get(reverse("notices-list-notices")).content.decode()
    assert "phiếu chờ nghiệm thu" not in page
