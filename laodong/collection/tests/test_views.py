"""The Cẩm Tân plan through the web pages, role by role, and what the progress page shows."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign, Target
from laodong.campaigns.progress import progress_by_unit
from laodong.collection.models import JobStatus, PoliceListImport, Status, WorkItem
from laodong.conftest import Tree, login
from laodong.handover.models import Handover, HandoverStatus
from laodong.register.tests.test_actions import ANSWERS

from .test_workflow import BINH, POLICE_LIST


def form_data(answers: dict[str, Any], village: Any, **extra: Any) -> dict[str, Any]:
    data = {key: value for key, value in answers.items()}
    data["sex"] = "1" if answers["sex"] in ("Nam", "1") else "2"
    data["ethnic_group"] = "01" if answers.get("ethnic_group") == "Kinh" else "16"
    data["village"] = village.pk
    data.update(extra)
    return data


def test_create_campaign_as_commune_officer(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = client.post(
        reverse("campaigns-create-campaign"),
        {
            "title": "Thu thập năm 2026",
            "legal_basis": "Kế hoạch số 12/KH-UBND ngày 04/11/2026",
            "form_code": "tt09-2025-m01",
            "reference_date": "01/11/2026",
            "collection_start": "05/11/2026",
            "collection_end": "17/12/2026",
            "entry_start": "10/11/2026",
            "entry_end": "28/12/2026",
            "collection_1_deadline": "17/12/2026",
            "entry_1_deadline": "28/12/2026",
        },
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("campaigns-edit-targets", args=[campaign.pk])
    assert list(campaign.communes.all()) == [tree.commune]
    assert campaign.rounds.count() == 2
    response = client.post(
        reverse("campaigns-edit-targets", args=[campaign.pk]),
        {
            f"count_{tree.commune.pk}": "2.450",
            f"total_{tree.commune.pk}": "4083",
            f"count_{tree.village.pk}": "350",
        },
    )
    assert response.status_code == 302
    commune_target = Target.objects.get(unit=tree.commune)
    assert (commune_target.total, commune_target.count) == (4083, 2450)
    assert Target.objects.get(unit=tree.village).count == 350


def test_bad_dates_are_refused_with_a_message(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = client.post(
        reverse("campaigns-create-campaign"),
        {
            "title": "X",
            "form_code": "tt09-2025-m01",
            "reference_date": "01/11/2026",
            "collection_start": "17/12/2026",
            "collection_end": "05/11/2026",
            "entry_start": "17/12/2026",
            "entry_end": "28/12/2026",
        },
    )
    assert response.status_code == 200
    assert "Ngày kết thúc thu thập phải sau ngày bắt đầu" in response.content.decode()
    assert not Campaign.objects.exists()


def upload(client: Any, campaign: Campaign, tree: Tree, content: str) -> PoliceListImport:
    response = client.post(
        reverse("collection-upload-list", args=[campaign.pk, tree.commune.pk]),
        {"file": SimpleUploadedFile("danh-sach.csv", content.encode())},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return PoliceListImport.objects.latest("pk")


def test_the_whole_journey_through_the_pages(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    police = login(users[Role.COMMUNE_POLICE])
    enumerator = login(users[Role.ENUMERATOR])
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])

    # Step 1: the police upload, check the column mapping, import.
    job = upload(police, campaign, tree, POLICE_LIST)
    page = police.get(reverse("collection-view-import", args=[campaign.pk, job.pk]))
    text = page.content.decode()
    assert "Chọn cột" in text and "Nguyễn Văn An" in text
    mapping = {f"column_{key}": str(position) for key, position in job.mapping.items()}
    import_url = reverse("collection-view-import", args=[campaign.pk, job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = police.post(import_url, {"step": "columns", **mapping})
    assert response.status_code == 302
    job.refresh_from_db()
    # Checked, shown, and nothing written until the police confirm.
    assert job.status == JobStatus.CHECKED, job.message
    assert not WorkItem.objects.exists()
    assert "Thêm mới 3" in police.get(import_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = police.post(import_url, {"step": "confirm"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.message
    assert job.counts["added"] == 3
    assert "Thêm mới 3" in police.get(response["Location"]).content.decode()
    # The result links to the people the import added or changed.
    officer_list = officer.get(
        reverse("collection-list-work", args=[campaign.pk]), {"import": job.pk, "status": "all"}
    ).content.decode()
    assert "Nguyễn Văn An" in officer_list and "Trần Văn Cường" in officer_list

    # Step 2: the enumerator sees the village's list on the phone and submits a form.
    work = enumerator.get(reverse("collection-list-work", args=[campaign.pk]))
    assert "Nguyễn Văn An" in work.content.decode()
    assert "Trần Văn Cường" not in work.content.decode()  # Thôn 2 is not theirs
    an = WorkItem.objects.get(personal_id="038090012345")
    form_url = reverse("collection-collect-item", args=[campaign.pk, an.pk])
    opened = enumerator.get(form_url).content.decode()
    assert 'value="038090012345"' in opened  # pre-filled from the police list
    response = enumerator.post(form_url, form_data(ANSWERS, tree.village))
    assert response.status_code == 302, response.content.decode()[:3000]
    an.refresh_from_db()
    assert an.status == Status.SUBMITTED

    # Step 3: the officer returns it with a comment; the enumerator fixes and resubmits.
    response = officer.post(
        reverse("collection-return-item", args=[campaign.pk, an.pk]),
        {
            "reason": "Ghi rõ tên công ty",
            "comment_item_1": "workplace_name",
            "comment_text_1": "Tên đầy đủ",
        },
    )
    an.refresh_from_db()
    assert an.status == Status.RETURNED
    assert an.return_comments == {"workplace_name": "Tên đầy đủ"}
    assert (
        "bị trả lại"
        in enumerator.get(reverse("collection-list-work", args=[campaign.pk])).content.decode()
    )
    response = enumerator.post(
        form_url,
        form_data({**ANSWERS, "workplace_name": "Công ty TNHH May Cẩm Thủy"}, tree.village),
    )
    assert response.status_code == 302
    review = officer.get(reverse("collection-list-review", args=[campaign.pk, tree.commune.pk]))
    assert "Nguyễn Văn An" in review.content.decode()
    officer.post(
        reverse("collection-list-review", args=[campaign.pk, tree.commune.pk]),
        {"items": [str(an.pk)]},
    )
    an.refresh_from_db()
    assert an.status == Status.ACCEPTED and an.person is not None

    # Handover, confirmation by the police, entry.
    officer.post(reverse("handover-list-handovers", args=[campaign.pk, tree.commune.pk]))
    handover = Handover.objects.get()
    pdf = officer.get(
        reverse("handover-download-handover-pdf", args=[campaign.pk, tree.commune.pk, handover.pk])
    )
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    view_url = reverse("handover-view-handover", args=[campaign.pk, tree.commune.pk, handover.pk])
    police.post(view_url, {"step": "confirm", "received_count": "1"})
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CONFIRMED
    police.post(view_url, {"step": "entered", "items": [str(an.pk)], "entered_on": "20/11/2026"})
    officer.post(view_url, {"step": "archive", "items": [str(an.pk)], "reference": "Hộp 1"})
    an.refresh_from_db()
    assert (an.status, an.entered_on, an.archive_reference) == (
        Status.ARCHIVED,
        datetime.date(2026, 11, 20),
        "Hộp 1",
    )
    # The person's page in the register shows where the form went.
    history = officer.get(reverse("collection-view-item", args=[campaign.pk, an.pk]))
    assert "Đã lưu trữ" in history.content.decode()
    person_page = officer.get(reverse("register-view-person", args=[an.person_id])).content
    assert "Thu thập theo kế hoạch" in person_page.decode()
    assert "Hộp 1" in person_page.decode()  # the archive transition's reason

    # Progress agrees with the forms' states.
    _rows, total = progress_by_unit(campaign, tree.commune)
    assert (total.counts["listed"], total.counts["collected"], total.counts["entered"]) == (3, 1, 1)
    page = officer.get(reverse("campaigns-view-campaign", args=[campaign.pk]))
    assert page.status_code == 200

    # Payment counts per collector, exported to Excel: the collector first, under task I.
    export = officer.get(
        reverse("collection-list-payments", args=[campaign.pk, tree.commune.pk]),
        {"format": "xlsx", "from": "01/11/2026", "to": "31/12/2030"},
    )
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet is not None
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == 1]
    assert values[0][1] == users[Role.ENUMERATOR].full_name and values[0][3] == 1


def test_a_mismatched_count_is_shown_until_resolved(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    from laodong.collection import actions
    from laodong.collection.police_list import import_list
    from laodong.handover import actions as handover_actions

    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="x.csv",
        acting_user=None,
    )
    for name, answers in (("An", ANSWERS), ("Bình", BINH)):
        item = WorkItem.objects.get(full_name__endswith=name)
        actions.submit_form(acting_user=users[Role.ENUMERATOR], item=item, answers=answers)
        actions.accept_form(acting_user=users[Role.COMMUNE_LABOR_OFFICER], item=item)
    handover = handover_actions.create_handover(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
    )
    police = login(users[Role.COMMUNE_POLICE])
    url = reverse("handover-view-handover", args=[campaign.pk, tree.commune.pk, handover.pk])
    response = police.post(url, {"step": "confirm", "received_count": "1"}, follow=True)
    assert "khác số phiếu bàn giao" in response.content.decode()
    police.post(url, {"step": "confirm", "received_count": "1", "note": "Thiếu 1 phiếu"})
    page = police.get(url).content.decode()
    assert "Số lượng không khớp" in page and "Xử lý chênh lệch" in page


@pytest.mark.parametrize("role", [Role.ENUMERATOR, Role.COMMUNE_LABOR_OFFICER, Role.VILLAGE_HEAD])
def test_only_the_police_upload_the_list(
    campaign: Campaign, tree: Tree, users: dict[str, Any], role: str
) -> None:
    client = login(users[role])
    url = reverse("collection-upload-list", args=[campaign.pk, tree.commune.pk])
    assert client.get(url).status_code == 403
    response = client.post(url, {"file": SimpleUploadedFile("a.csv", POLICE_LIST.encode())})
    assert response.status_code == 403
    assert not PoliceListImport.objects.exists()


def test_progress_page_query_count_does_not_grow_with_villages(
    campaign: Campaign, tree: Tree, users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    url = reverse("campaigns-view-campaign", args=[campaign.pk])
    client.get(url)
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    rows, _total = progress_by_unit(campaign, tree.commune)
    assert [row.unit for row in rows] == [tree.village, tree.village2]


def test_a_province_plans_for_all_its_communes(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    response = client.post(
        reverse("campaigns-create-campaign"),
        {
            "title": "Kế hoạch của tỉnh",
            "form_code": "tt09-2025-m01",
            "whole_province": "on",
            "reference_date": "01/11/2026",
            "collection_start": "05/11/2026",
            "collection_end": "17/12/2026",
            "entry_start": "10/11/2026",
            "entry_end": "28/12/2026",
        },
    )
    assert response.status_code == 302
    campaign = Campaign.objects.get()
    assert set(campaign.communes.all()) == {tree.commune, tree.other_commune}
    # A commune of that province sees the plan but cannot change it.
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert officer.get(reverse("campaigns-view-campaign", args=[campaign.pk])).status_code == 200
    assert officer.get(reverse("campaigns-edit-campaign", args=[campaign.pk])).status_code == 403


@pytest.mark.parametrize("people", [3, 30])
def test_work_and_review_lists_do_not_grow_one_query_per_row(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    people: int,
    django_assert_num_queries: Any,
) -> None:
    from laodong.collection.police_list import import_list

    rows = "".join(
        f"Người Số {n},01/01/1990,Nam,03809000{n:04d},Thôn 1,H{n}\n" for n in range(people)
    )
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(("Họ và tên,Ngày sinh,Giới tính,Số CCCD,Thôn,Mã hộ\n" + rows).encode()),
        filename="x.csv",
        acting_user=None,
    )
    WorkItem.objects.update(status=Status.SUBMITTED)
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    work = reverse("collection-list-work", args=[campaign.pk])
    review = reverse("collection-list-review", args=[campaign.pk, tree.commune.pk])
    # +1 each: the audit row of the read (issue 11, finding 7).
    with django_assert_num_queries(7):
        assert client.get(work, {"status": "all"}).status_code == 200
    with django_assert_num_queries(7):
        assert client.get(review).status_code == 200
