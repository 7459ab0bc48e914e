"""A living register (issue 12): where each change came from, people who leave and come back,
requests, and every change made outside a campaign queued for the commune police."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.handover import actions as handover_actions
from laodong.register import requests, transfers
from laodong.register.actions import (
    RegisterError,
    close_person,
    record_person,
    reopen_person,
    update_person,
)
from laodong.register.models import (
    ChangeRequest,
    Kind,
    Person,
    PersonPeriod,
    PersonVersion,
    PoliceUpdate,
    Source,
    UpdateStatus,
)
from laodong.register.sources import CHOSEN, Origin
from laodong.register.tests.test_actions import ANSWERS
from laodong.register.tests.test_views import post_data
from laodong.reports.changes import labor_changes
from laodong.reports.police_updates import police_update_section
from laodong.reports.statistics import periods_on, scope_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
SINCE = datetime.datetime(2026, 1, 1, 8, 0, tzinfo=datetime.UTC)


def _person(tree: Tree, officer: User, number: str, name: str, **extra: Any) -> Person:
    person = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, "personal_id": number, "full_name": name, **extra},
    )
    # Recorded at the start of the year, so that dates in between have a history.
    PersonPeriod.objects.filter(person=person).update(valid_from=SINCE)
    PersonVersion.objects.filter(person=person).update(changed_at=SINCE)
    return person


@pytest.fixture
def three(tree: Tree, users: dict[str, User]) -> dict[str, Person]:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    return {
        "an": _person(tree, officer, "038090000101", "Nguyễn Văn An"),
        "binh": _person(tree, officer, "038190000102", "Lê Thị Bình", sex="Nữ"),
        "cuong": _person(tree, officer, "038090000103", "Trần Văn Cường"),
    }


def _count(tree: Tree, day: datetime.date) -> int:
    return PersonPeriod.objects.filter(scope_of(tree.commune) & periods_on(day)).count()


DEATH = Origin(
    Source.PROCEDURE,
    reference_title="Đăng ký khai tử",
    reference="125/TP-HT",
    reference_date=datetime.date(2026, 6, 12),
)


def test_a_closure_counts_until_the_day_before_and_a_reopening_keeps_the_history(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    an = three["an"]
    today = timezone.localdate()
    # Hand count: three people all year.
    assert _count(tree, datetime.date(2026, 6, 9)) == 3
    version = close_person(
        acting_user=officer,
        person=an,
        left_on=datetime.date(2026, 6, 10),
        reason="deceased",
        origin=DEATH,
    )
    assert version.kind == Kind.CLOSE and version.source == Source.PROCEDURE
    assert version.reference == "125/TP-HT" and version.leave_reason == "deceased"
    # Still counted at the end of 9 June, not from 10 June on; nothing deleted.
    assert _count(tree, datetime.date(2026, 6, 9)) == 3
    assert _count(tree, datetime.date(2026, 6, 10)) == 2
    assert _count(tree, today) == 2
    assert Person.objects.count() == 3
    june = labor_changes(tree.commune, datetime.date(2026, 5, 31), datetime.date(2026, 6, 30))
    assert june.left == {"deceased": 1} and june.people_at_end == 2
    assert june.by_source.get(Source.PROCEDURE) == 1
    # Closed twice, or in the future, or "other" without a reason: refused.
    with pytest.raises(RegisterError, match="đã ra khỏi"):
        close_person(acting_user=officer, person=an, left_on=today, reason="deceased", origin=DEATH)
    with pytest.raises(RegisterError, match="sau hôm nay"):
        close_person(
            acting_user=officer,
            person=three["binh"],
            left_on=today + datetime.timedelta(days=1),
            reason="abroad",
            origin=DEATH,
        )
    with pytest.raises(RegisterError, match="Khác"):
        close_person(
            acting_user=officer,
            person=three["binh"],
            left_on=today,
            reason="other",
            origin=Origin(Source.CORRECTION),
        )
    # A mistaken closure is reopened as a new version; June stays as it was.
    with pytest.raises(RegisterError, match="lý do"):
        reopen_person(acting_user=officer, person=an, origin=Origin(Source.CORRECTION))
    reopened = reopen_person(
        acting_user=officer,
        person=an,
        origin=Origin(Source.CORRECTION, reason="Nhầm người cùng tên"),
    )
    an.refresh_from_db()
    assert reopened.kind == Kind.REOPEN and an.leave_reason == "" and an.version == 3
    assert _count(tree, datetime.date(2026, 6, 10)) == 2
    assert _count(tree, today) == 3
    recent = labor_changes(tree.commune, today - datetime.timedelta(days=1), today)
    assert recent.reopened == 1 and recent.left == {}
    # Each of the five versions (three new records, the closure, the reopening) waits for
    # the police once.
    kinds = sorted(PoliceUpdate.objects.values_list("version__kind", flat=True))
    assert kinds == ["close", "record", "record", "record", "reopen"]


def test_the_pages_hide_who_left_and_show_it_on_their_record(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    page = login(officer)
    an = three["an"]
    url = reverse("register-close-person", args=[an.pk])
    assert "Ra khỏi diện quản lý" in page.get(url).content.decode()
    # A file that is not a scan is refused, and nothing is written.
    refused = page.post(
        url,
        {
            "left_on": "10/06/2026",
            "reason": "moved_away",
            "destination": "Phường Hạc Thành, Thanh Hóa",
            "origin-source": Source.POLICE,
            "origin-reference": "Thông báo 15/CAX",
            "evidence": SimpleUploadedFile("ghi-chu.txt", b"hello", "text/plain"),
            "loaded_version": "1",
        },
    )
    assert refused.status_code == 200 and "không phải PDF" in refused.content.decode()
    assert Person.objects.get(pk=an.pk).version == 1
    # The police source needs its document.
    missing = page.post(
        url,
        {"left_on": "10/06/2026", "reason": "moved_away", "origin-source": Source.POLICE},
    )
    assert "hãy ghi số văn bản" in missing.content.decode()
    done = page.post(
        url,
        {
            "left_on": "10/06/2026",
            "reason": "moved_away",
            "destination": "Phường Hạc Thành, Thanh Hóa",
            "origin-source": Source.POLICE,
            "origin-reference": "Thông báo 15/CAX",
            "evidence": SimpleUploadedFile("thong-bao.pdf", PDF, "application/pdf"),
            "loaded_version": "1",
        },
    )
    assert done.status_code == 302
    an.refresh_from_db()
    assert (an.leave_reason, an.leave_destination) == ("moved_away", "Phường Hạc Thành, Thanh Hóa")
    record = page.get(reverse("register-view-person", args=[an.pk])).content.decode()
    assert "Đã ra khỏi diện quản lý" in record and "Thông báo 15/CAX" in record
    assert "Mở lại hồ sơ" in record
    evidence = an.versions.get(number=2).evidence.get()
    assert evidence.content_type == "application/pdf"
    scan = page.get(reverse("register-download-evidence", args=[evidence.pk]))
    assert scan.status_code == 200 and b"".join(scan.streaming_content) == PDF
    # The list and the export leave the person out; the "left" filter finds them.
    listed = page.post(reverse("register-list-people"), {"q": ""}).content.decode()
    assert "Nguyễn Văn An" not in listed and "Lê Thị Bình" in listed
    left = page.post(reverse("register-list-people"), {"q": "", "state": "left"}).content
    assert "Nguyễn Văn An" in left.decode() and "Lê Thị Bình" not in left.decode()
    export = page.post(reverse("reports-export-people"), {"format": "csv"})
    body = b"".join(export.streaming_content).decode("utf-8-sig")
    assert "Lê Thị Bình" in body and "Nguyễn Văn An" not in body
    # Reopened with a reason: back in the list.
    reopen = reverse("register-reopen-person", args=[an.pk])
    assert page.post(reopen, {"origin-source": Source.CORRECTION}).status_code == 200
    page.post(reopen, {"origin-source": Source.CORRECTION, "origin-reason": "Đã trở về"})
    assert Person.objects.get(pk=an.pk).leave_reason == ""


def test_the_source_is_chosen_from_the_servers_list(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    page = login(officer)
    binh = three["binh"]
    url = reverse("register-edit-person", args=[binh.pk])
    for made_up in ("bogus", Source.IMPORT, Source.TRANSFER, Source.REQUEST, ""):
        data = {**post_data(binh, job_description="Thợ may"), "origin-source": made_up}
        response = page.post(url, data)
        assert response.status_code == 200, made_up
        assert Person.objects.get(pk=binh.pk).version == 1, made_up
    with pytest.raises(RegisterError, match="Nguồn thay đổi không hợp lệ"):
        update_person(
            acting_user=officer,
            person=binh,
            answers={**binh.answers, "job_description": "Thợ may"},
            origin=Origin("bogus"),
        )
    # A procedure needs its name, file number and date.
    data = {
        **post_data(binh, job_description="Thợ may"),
        "origin-source": Source.PROCEDURE,
        "origin-reference_title": "Cấp giấy phép lao động",
    }
    text = page.post(url, data).content.decode()
    assert "hãy ghi số hồ sơ" in text and "hãy ghi ngày" in text
    # Every source an officer may choose, with what it needs, is stored as chosen.
    references = {
        Source.PROCEDURE: {
            "origin-reference_title": "Đăng ký thất nghiệp",
            "origin-reference": "HS-0042",
            "origin-reference_date": "02/11/2026",
        },
        Source.SOCIAL_INSURANCE: {"origin-reference": "Danh sách BHXH tháng 10/2026"},
        Source.UNEMPLOYMENT: {"origin-reference": "QĐ 881/QĐ-SNV"},
        Source.JOB_CENTRE: {"origin-reference": "Phiếu 17/TTDVVL"},
        Source.POLICE: {"origin-reference": "Văn bản 9/CAX"},
        Source.CORRECTION: {},
        Source.OTHER: {"origin-reason": "Người lao động báo miệng"},
    }
    assert set(references) == set(CHOSEN)
    for number, (source, extra) in enumerate(references.items(), start=2):
        person = Person.objects.get(pk=binh.pk)
        data = {
            **post_data(person, job_description=f"Việc số {number}"),
            "origin-source": source,
            **extra,
            "loaded_version": str(person.version),
        }
        response = page.post(url, data)
        assert response.status_code == 302, (source, response.content.decode()[:2000])
        version = PersonVersion.objects.get(person=binh, number=number)
        assert version.source == source
    history = page.get(reverse("register-view-person", args=[binh.pk])).content.decode()
    assert "HS-0042" in history and "02/11/2026" in history and "QĐ 881/QĐ-SNV" in history
    today = timezone.localdate()
    changes = labor_changes(tree.commune, today - datetime.timedelta(days=1), today)
    assert all(changes.by_source.get(source) == 1 for source in CHOSEN), changes.by_source


def test_a_request_is_logged_then_accepted_as_a_linked_version_or_refused(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    page = login(officer)
    cuong = three["cuong"]
    # Found by ID (posted, never in the URL), then logged with a scan.
    found = page.post(reverse("register-list-requests"), {"personal_id": "0380 9000 0103"})
    assert found["Location"] == reverse("register-create-request", args=[cuong.pk])
    logged = page.post(
        found["Location"],
        {
            "requester_kind": "worker",
            "requester_name": "Trần Văn Cường",
            "channel": "in_person",
            "received_on": "20/11/2026",
            "content": "Đã có bằng cao đẳng",
            "item_1": "qualification",
            "value_1": "Cao đẳng",
            "evidence": SimpleUploadedFile("bang.pdf", PDF, "application/pdf"),
        },
    )
    assert logged.status_code == 302, logged.content.decode()[:2000]
    change_request = ChangeRequest.objects.get()
    assert change_request.proposed == {"qualification": "6"}  # the label read as its code
    assert change_request.evidence.count() == 1
    listed = page.get(reverse("register-list-requests")).content.decode()
    assert "Trần Văn Cường" in listed
    home = page.get(reverse("overview-home")).content.decode()
    assert "Đề nghị điều chỉnh đang mở" in home
    view = reverse("register-view-request", args=[change_request.pk])
    page.post(view, {"step": "start"})
    change_request.refresh_from_db()
    assert change_request.status == "in_progress"
    # Refusing needs a reason; accepting applies the value as a version of this request.
    refused = page.post(view, {"step": "refuse", "replied_on": "25/11/2026", "decision": ""})
    assert "Hãy ghi lý do từ chối" in refused.content.decode()
    accepted = page.post(
        view,
        {
            "step": "accept",
            "replied_on": "25/11/2026",
            "decision": "Đúng theo bằng",
            "item_1": "qualification",
            "value_1": "6",
        },
    )
    assert accepted.status_code == 302, accepted.content.decode()[:3000]
    change_request.refresh_from_db()
    cuong.refresh_from_db()
    assert change_request.status == "accepted" and cuong.qualification == "6"
    version = cuong.versions.get(number=2)
    assert version.source == Source.REQUEST and version.request == change_request
    assert PoliceUpdate.objects.filter(version=version).exists()
    # Answered: no second answer.
    with pytest.raises(RegisterError, match="đã được trả lời"):
        requests.refuse_request(
            acting_user=officer,
            change_request=change_request,
            replied_on=timezone.localdate(),
            decision="x",
        )
    second = requests.log_request(
        acting_user=officer,
        person=cuong,
        requester_kind="agency",
        requester_name="Trung tâm DVVL tỉnh",
        channel="letter",
        received_on=datetime.date(2026, 11, 21),
        content="",
        proposed={"occupation_code": "9999"},
    )
    requests.refuse_request(
        acting_user=officer,
        change_request=second,
        replied_on=datetime.date(2026, 11, 22),
        decision="Mã nghề không có trong danh mục",
    )
    second.refresh_from_db()
    assert second.status == "refused" and cuong.versions.count() == 2


def test_every_kind_of_change_reaches_the_police_once_and_is_marked_entered(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    police = users[Role.COMMUNE_POLICE]
    an, binh = three["an"], three["binh"]
    update_person(
        acting_user=officer,
        person=an,
        answers={**an.answers, "job_description": "Thợ hàn"},
        origin=Origin(Source.CORRECTION),
    )
    close_person(
        acting_user=officer,
        person=binh,
        left_on=datetime.date(2026, 11, 1),
        reason="abroad",
        origin=Origin(Source.OTHER, reason="Đi xuất khẩu lao động"),
    )
    # A person moves in from another commune.
    other = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-khac")
    newcomer = record_person(
        acting_user=other,
        form_code="tt09-2025-m01",
        village=tree.other_village,
        answers={**ANSWERS, "personal_id": "038090000199", "full_name": "Đỗ Văn Đến"},
    )
    transfer = transfers.request_transfer(
        acting_user=officer,
        personal_id=newcomer.personal_id,
        village=tree.village,
        reason="Chuyển đến",
    )
    transfers.decide_transfer(acting_user=other, transfer=transfer, accept=True)
    waiting = PoliceUpdate.objects.filter(commune=tree.commune, status=UpdateStatus.WAITING)
    kinds = sorted(waiting.values_list("version__kind", flat=True))
    assert kinds == ["change", "close", "record", "record", "record", "transfer_in"]
    # The queue page, then a record of changes only (between campaigns).
    page = login(officer)
    queue = page.get(reverse("handover-list-updates")).content.decode()
    assert "Thợ hàn" in queue and "Đi nước ngoài dài hạn" in queue
    made = page.post(reverse("handover-list-updates"), {"all": "1"})
    handover = handover_actions.Handover.objects.get(campaign__isnull=True)
    assert made["Location"] == handover.get_absolute_url()
    assert (handover.sent_count, handover.update_count, handover.number) == (6, 6, 1)
    assert not waiting.exists()
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(page.get(handover.pdf_url()).content)).pages
    )
    assert "Thay đổi cần cập nhật" in text or "thay đổi cần cập nhật" in text
    assert "Thợ hàn" in text and "Đi nước ngoài dài hạn" in text and "Chuyển đến" in text
    # The police confirm, mark all entered; the person's history says so.
    station = login(police)
    station.post(handover.get_absolute_url(), {"step": "confirm", "received_count": "6"})
    station.post(
        handover.get_absolute_url(),
        {"step": "entered", "all": "1", "entered_on": timezone.localdate().strftime("%d/%m/%Y")},
    )
    assert PoliceUpdate.objects.filter(status=UpdateStatus.ENTERED).count() == 6
    # The reports count them: six made, none waiting, six entered (hand count).
    today = timezone.localdate()
    section = police_update_section(
        tree.commune, "IV", start=today - datetime.timedelta(days=1), end=today
    )
    assert section.rows[-1].cells == [tree.commune.label(), 6, 0, 0, 6, 0]
    province = police_update_section(tree.province, "IV")
    assert sorted(row.cells[0] for row in province.rows[:-1]) == sorted(
        [tree.commune.label(), tree.other_commune.label()]
    )
    assert province.rows[-1].cells[0] == "Cộng"
    assert province.rows[-1].cells[1:] == [7, 1, 0, 6, 0]
    history = page.get(reverse("register-view-person", args=[an.pk])).content.decode()
    assert "Đã nhập CSDL dân cư" in history


def test_the_police_send_back_a_change_they_cannot_enter_and_the_officer_resends_it(
    tree: Tree, users: dict[str, User], three: dict[str, Person]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    police = users[Role.COMMUNE_POLICE]
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=None, commune=tree.commune
    )
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=3)
    update = PoliceUpdate.objects.filter(person=three["an"]).get()
    station = login(police)
    station.post(
        handover.get_absolute_url(),
        {"step": "not_enterable", "item": f"update-{update.pk}", "reason": "Sai số định danh"},
    )
    update.refresh_from_db()
    assert update.status == UpdateStatus.NOT_ENTERABLE and update.note == "Sai số định danh"
    page = login(officer)
    listed = page.get(reverse("handover-list-updates") + "?status=not_enterable").content
    assert "Sai số định danh" in listed.decode()
    page.post(reverse("handover-list-updates"), {"step": "resend", "update": str(update.pk)})
    update.refresh_from_db()
    assert update.status == UpdateStatus.WAITING
    # The police may not resend; nobody marks a change of an unconfirmed record entered.
    second = handover_actions.create_handover(
        acting_user=officer, campaign=None, commune=tree.commune
    )
    assert second.number == 2 and second.update_count == 1
    with pytest.raises(handover_actions.WorkflowError, match="chưa được xác nhận"):
        handover_actions.mark_entered(
            acting_user=police,
            item_ids=[],
            update_ids=[update.pk],
            entered_on=timezone.localdate(),
        )


def test_the_campaign_handover_page_lists_the_waiting_changes_beside_its_forms(
    tree: Tree, users: dict[str, User], three: dict[str, Person], campaign: Any
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    update_person(
        acting_user=officer,
        person=three["an"],
        answers={**three["an"].answers, "job_description": "Thợ hàn"},
        origin=Origin(Source.CORRECTION),
    )
    page = login(officer).get(
        reverse("handover-list-handovers", args=[campaign.pk, tree.commune.pk])
    )
    text = page.content.decode()
    assert "4 thay đổi ngoài kế hoạch đang chờ" in text and "Thợ hàn" in text
    made = login(officer).post(
        reverse("handover-list-handovers", args=[campaign.pk, tree.commune.pk])
    )
    assert made.status_code == 302
    handover = handover_actions.Handover.objects.get(campaign=campaign)
    assert (handover.sent_count, handover.update_count) == (4, 4)
