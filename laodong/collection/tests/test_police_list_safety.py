"""A police list never wipes the work list: it is checked before it is written, a risky list
needs a tick, the last import can be undone, and real files (title blocks, merged headers,
numeric IDs, totals and signatures, villages written many ways) read right."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent
from laodong.collection import actions, jobs
from laodong.collection.models import (
    Category,
    JobStatus,
    OutOfScope,
    PoliceListImport,
    Status,
    Transition,
    VillageAlias,
    WorkItem,
)
from laodong.collection.police_list import (
    OUT_OF_SCOPE_WORDS,
    ListRefused,
    import_list,
    last_applied,
    out_of_scope_reason,
    undo_list,
)
from laodong.collection.tests.data.messy_lists import messy_police_list
from laodong.conftest import make_unit
from laodong.register.actions import record_person
from laodong.register.tests.test_actions import ANSWERS
from laodong.units.models import Level

from .test_police_list import ROWS, csv_file, run

DOCS = Path(__file__).resolve().parents[3] / "docs" / "campaigns.md"
WORK_FIELDS = (
    "commune_id",
    "village_id",
    "full_name",
    "birth_date",
    "sex",
    "household_code",
    "police_note",
    "in_latest_list",
    "list_import_id",
    "category",
    "out_of_scope",
    "changed_items",
    "person_id",
    "status",
)


def snapshot() -> dict[str, tuple[Any, ...]]:
    return {
        values[0]: values[1:]
        for values in WorkItem.objects.values_list("personal_id", *WORK_FIELDS)
    }


def test_a_full_list_whose_rows_all_fail_is_refused_and_changes_nothing(
    campaign: Any, tree: Any, users: Any
) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    before = snapshot()
    broken = [row.replace(",038", ",9") for row in ROWS]  # every ID unreadable
    with pytest.raises(ListRefused, match="Không có dòng nào đọc được"):
        run(campaign, tree, police, csv_file(*broken), accept_risk=True)
    assert snapshot() == before
    assert WorkItem.objects.filter(in_latest_list=True).count() == 5


def test_the_outcome_is_counted_without_writing(campaign: Any, tree: Any, users: Any) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    before = snapshot()
    newer = (ROWS[0].replace("nguyễn văn an", "Nguyễn Văn Ân"), *ROWS[1:4])
    outcome = run(campaign, tree, police, csv_file(*newer), dry_run=True)
    counts = outcome.counts
    assert (counts["added"], counts["changed"], counts["unchanged"]) == (0, 1, 3)
    # One in five would drop off the full list: over a tenth, so a risk.
    assert (counts["removed"], counts["current"], counts["risks"]) == (1, 5, ["drops"])
    assert counts["reason_deceased"] == 1
    assert snapshot() == before
    assert outcome.job is not None and outcome.job.status == JobStatus.CHECKED


def test_many_bad_rows_need_the_tick_even_on_a_first_list(
    campaign: Any, tree: Any, users: Any
) -> None:
    bad = "9,Vũ Văn Hà,01/01/1990,Nam,12345,Thôn 1,,,x"
    with pytest.raises(ListRefused, match="đánh dấu"):
        run(campaign, tree, users["commune_police"], csv_file(*ROWS, bad))
    assert not WorkItem.objects.exists()
    # A partial list drops nobody: its bad rows are no risk to the list.
    outcome = run(campaign, tree, users["commune_police"], csv_file(*ROWS, bad), full_list=False)
    assert outcome.counts["added"] == 5 and outcome.counts["risks"] == []


def test_undo_returns_the_work_list_exactly_to_its_state_before(
    campaign: Any, tree: Any, users: Any
) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    before = snapshot()
    newer = (
        ROWS[0].replace("nguyễn văn an", "Nguyễn Văn Ân"),
        ROWS[1].replace(",,x", ",Đã chuyển đi,x"),
        "6,Đỗ Thị Gấm,03/04/1995,Nữ,038195000006,Thôn 2,H9,,x",
    )
    outcome = run(campaign, tree, police, csv_file(*newer), accept_risk=True)
    job = outcome.job
    assert job is not None and job.status == JobStatus.DONE
    assert WorkItem.objects.filter(in_latest_list=False).count() == 3
    result = undo_list(job, police)
    assert result == {"restored": 5, "removed": 1}
    assert snapshot() == before
    # The exclusion the import made is reversed by a new transition, not erased.
    binh = WorkItem.objects.get(personal_id="038185000002")
    assert [(t.from_status, t.to_status) for t in binh.transitions.order_by("pk")] == [
        (Status.LISTED, Status.EXCLUDED),
        (Status.EXCLUDED, Status.LISTED),
    ]
    assert AuditEvent.objects.filter(action="collection.undo_police_list").count() == 1


def test_undo_of_a_first_import_empties_the_list(campaign: Any, tree: Any, users: Any) -> None:
    outcome = run(campaign, tree, users["commune_police"], csv_file(*ROWS))
    assert outcome.job is not None
    undo_list(outcome.job, users["commune_police"])
    assert not WorkItem.objects.exists()
    assert not Transition.objects.exists()


def test_no_undo_once_a_form_moved_or_for_an_older_import(
    campaign: Any, tree: Any, users: Any
) -> None:
    police = users["commune_police"]
    first = run(campaign, tree, police, csv_file(*ROWS)).job
    second = run(
        campaign, tree, police, csv_file(*ROWS, "6,Đỗ Thị Gấm,1995,Nữ,038195000006,Thôn 2,H9,,x")
    ).job
    assert first is not None and second is not None
    assert last_applied(campaign.pk, tree.commune.pk) == second
    with pytest.raises(ListRefused, match="gần nhất"):
        undo_list(first, police)
    gam = WorkItem.objects.get(personal_id="038195000006")
    actions.exclude_person(
        acting_user=users["commune_labor_officer"], item=gam, reason="Đi nước ngoài"
    )
    before = snapshot()
    with pytest.raises(ListRefused, match="đã có 1 phiếu"):
        undo_list(second, police)
    assert snapshot() == before


def test_the_web_undo_asks_first_then_reverses(
    campaign: Any, tree: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.urls import reverse

    from laodong.conftest import login

    police = users["commune_police"]
    job = run(campaign, tree, police, csv_file(*ROWS)).job
    assert job is not None
    client = login(police)
    url = reverse("collection-view-import", args=[campaign.pk, job.pk])
    assert "Hoàn tác…" in client.get(url).content.decode()
    asked = client.get(url, {"undo": "1"}).content.decode()
    assert "bỏ 5 người được thêm" in asked and "Xác nhận hoàn tác" in asked
    assert WorkItem.objects.count() == 5
    # Others may look, not undo.
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert officer.post(url, {"step": "undo"}).status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"step": "undo"}).status_code == 302
    job.refresh_from_db()
    assert job.status == JobStatus.UNDONE and job.undone_by == police, job.message
    assert not WorkItem.objects.exists()
    assert "Đã hoàn tác" in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("note", "reason"),
    [
        ("Đã nhập ngũ tháng 2/2026", OutOfScope.ARMED_FORCES),
        ("Đang tại ngũ", OutOfScope.ARMED_FORCES),
        ("đi nghĩa vụ", OutOfScope.ARMED_FORCES),
        ("NVQS 2025", OutOfScope.ARMED_FORCES),
        ("Đi nghĩa vụ công an", OutOfScope.POLICE),
        ("Chiến sĩ CAND", OutOfScope.POLICE),
        ("Đã khai tử", OutOfScope.DECEASED),
        ("chết năm 2024", OutOfScope.DECEASED),
        ("Xóa đăng ký thường trú", OutOfScope.MOVED_AWAY),
        ("Đã chuyển khẩu đi Hà Nội", OutOfScope.MOVED_AWAY),
        ("Đi làm ăn xa", ""),
        ("Công an xã đã xác minh", ""),
        ("Mất CCCD", ""),
    ],
)
def test_out_of_scope_remarks_as_the_police_write_them(note: str, reason: str) -> None:
    assert out_of_scope_reason(note) == reason


def test_the_documentation_lists_every_out_of_scope_word() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for _reason, words in OUT_OF_SCOPE_WORDS:
        for word in words:
            assert f"“{word}”" in text, word


def test_unknown_remarks_are_listed_and_a_person_decides(
    campaign: Any, tree: Any, users: Any
) -> None:
    rows = (*ROWS[:3], "6,Đỗ Thị Gấm,1995,Nữ,038195000006,Thôn 2,H9,Đi xuất khẩu lao động,x")
    outcome = run(campaign, tree, users["commune_police"], csv_file(*rows), dry_run=True)
    job = outcome.job
    assert job is not None
    assert job.analysis["notes"] == [{"text": "Đi xuất khẩu lao động", "count": 1}]
    assert job.counts["reason_moved_away"] == 0
    decided = run(
        campaign,
        tree,
        users["commune_police"],
        csv_file(*rows),
        notes={"Đi xuất khẩu lao động": OutOfScope.MOVED_AWAY},
    )
    assert decided.counts["reason_moved_away"] == 1
    gam = WorkItem.objects.get(personal_id="038195000006")
    assert (gam.status, gam.out_of_scope) == (Status.EXCLUDED, OutOfScope.MOVED_AWAY)


def test_ids_excel_stored_as_numbers_are_padded_with_a_warning(
    campaign: Any, tree: Any, users: Any, tmp_path: Path
) -> None:
    rows = (
        "1,Nguyễn Văn An,05/03/1990,Nam,38090000001,Thôn 1,H1,,x",
        "2,Lê Văn Bảy,1960,Nam,12345678,Thôn 1,H1,,x",
        "3,Lê Văn Tám,1961,Nam,3.8061E+10,Thôn 1,H1,,x",
    )
    error_path = tmp_path / "loi.xlsx"
    outcome = run(
        campaign,
        tree,
        users["commune_police"],
        csv_file(*rows),
        error_path=error_path,
        full_list=False,
    )
    assert set(WorkItem.objects.values_list("personal_id", flat=True)) == {
        "038090000001",
        "012345678",
    }
    job = outcome.job
    assert job is not None and job.warning_count == 2 and job.error_count == 1
    assert "thiếu số 0 ở đầu" in job.analysis["first_warnings"][0]["message"]
    assert "số mũ" in job.analysis["first_errors"][0]["message"]
    book = load_workbook(error_path)
    assert book.sheetnames == ["Dòng lỗi", "Dòng đã sửa"]
    errors = book["Dòng lỗi"]
    assert errors.freeze_panes == "A2"
    assert (errors.column_dimensions["K"].width or 0) >= 50
    corrected = [row for row in book["Dòng đã sửa"].iter_rows(values_only=True)][1:]
    assert [row[0] for row in corrected] == [4, 5]


def test_a_list_as_the_police_export_it(
    campaign: Any, tree: Any, users: Any, tmp_path: Path
) -> None:
    tan_phong = make_unit("Thôn Tân Phong", Level.VILLAGE, tree.commune)
    path = messy_police_list(tmp_path / "ds.xlsx")
    police = users["commune_police"]
    with path.open("rb") as stream:
        checked = import_list(
            campaign=campaign,
            commune=tree.commune,
            stream=stream,
            filename="ds.xlsx",
            acting_user=police,
            dry_run=True,
        )
    job = checked.job
    assert job is not None
    # Title block, the column-number row, the total and the signature block are not errors.
    assert (job.rows_read, job.error_count, job.warning_count) == (12, 0, 3)
    assert job.skipped_rows == 5
    villages = {v["text"]: (v["count"], v["known"]) for v in job.analysis["villages"]}
    assert villages["Thôn Tân Phong"] == (3, tan_phong.pk)  # three spellings, one village
    assert villages["Xóm 3"] == (3, None) and villages["TDP 5"] == (2, None)
    assert job.analysis["notes"] == [{"text": "Đi làm ăn xa", "count": 1}]
    with pytest.raises(ListRefused, match="thôn chưa ghép"), path.open("rb") as stream:
        import_list(
            campaign=campaign,
            commune=tree.commune,
            stream=stream,
            filename="ds.xlsx",
            acting_user=police,
        )
    assert not WorkItem.objects.exists()
    # The officer maps the spellings once; the commune remembers them.
    jobs.save_decisions(
        acting_user=users["commune_labor_officer"],
        job=job,
        villages={"3": tree.village2.pk, "5": tree.village.pk},
        notes={},
    )
    assert VillageAlias.objects.filter(commune=tree.commune).count() == 2
    with path.open("rb") as stream:
        outcome = import_list(
            campaign=campaign,
            commune=tree.commune,
            stream=stream,
            filename="ds.xlsx",
            acting_user=police,
        )
    items = {item.full_name: item for item in WorkItem.objects.all()}
    assert len(items) == 12 and outcome.counts["added"] == 12
    an = items["Nguyễn Văn An"]
    assert (an.personal_id, an.village, an.relation) == ("038090012345", tan_phong, "Chủ hộ")
    assert items["Lê Thị Bình"].birth_date == datetime.date(1992, 8, 7)
    assert items["Phạm Thị Em"].village == tree.village2
    assert items["Vũ Thị Hoa"].village == tree.village
    assert items["Trần Văn Dũng"].out_of_scope == OutOfScope.DECEASED
    assert items["Hoàng Văn Giang"].out_of_scope == OutOfScope.ARMED_FORCES
    assert items["Hà Thị Nga"].out_of_scope == OutOfScope.MOVED_AWAY
    assert items["Bùi Thị Lan"].category == Category.NEWLY_15
    assert items["Lò Văn Minh"].personal_id == "012345678"
    assert "Lập" not in " ".join(items)  # the signers are nobody's list


def test_village_read_from_the_address_when_the_list_has_no_village_column(
    campaign: Any, tree: Any, users: Any
) -> None:
    header = "STT,Họ và tên,Ngày sinh,Số định danh cá nhân,Địa chỉ thường trú\n"
    rows = (
        '1,Nguyễn Văn An,1990,038090000001,"Số 5, Thôn 2, xã Cẩm Tân, tỉnh Thanh Hóa"',
        '2,Lê Thị Hai,1991,038191000002,"Thôn 1, xã Cẩm Tân"',
    )
    run(campaign, tree, users["commune_police"], csv_file(*rows, header=header))
    villages = dict(WorkItem.objects.values_list("personal_id", "village__name"))
    assert villages == {"038090000001": "Thôn 2", "038191000002": "Thôn 1"}


def test_a_complete_kinh_person_is_not_flagged_to_update(
    campaign: Any, tree: Any, users: Any
) -> None:
    officer = users["commune_labor_officer"]
    kinh = {**ANSWERS, "priority_groups": "", "ethnic_group": ""}
    person = record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=tree.village, answers=kinh
    )
    row = f"1,Nguyễn Văn An,12/03/1990,Nam,{person.personal_id},Thôn 1,HGD001,,x"
    run(campaign, tree, users["commune_police"], csv_file(row))
    item = WorkItem.objects.get()
    assert (item.category, item.changed_items) == (Category.CURRENT, [])


def test_reimport_keeps_the_category_of_forms_already_collected(
    campaign: Any, tree: Any, users: Any
) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    an = WorkItem.objects.get(personal_id="038090000001")
    WorkItem.objects.filter(pk=an.pk).update(status=Status.ACCEPTED)
    officer = users["commune_labor_officer"]
    record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={
            **ANSWERS,
            "personal_id": "038090000001",
            "full_name": "Nguyễn Văn An",
            "birth_date": "05/03/1990",
        },
    )
    outcome = run(campaign, tree, police, csv_file(*ROWS))
    an.refresh_from_db()
    assert an.category == Category.TO_COLLECT
    assert outcome.counts["changed"] == 0


def test_a_cancelled_check_leaves_no_staging_table(
    campaign: Any, tree: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import connection

    job, _preview = jobs.create_job(
        acting_user=users["commune_police"],
        campaign=campaign,
        commune=tree.commune,
        upload=io.BytesIO(
            (
                "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n" + "A,1990,038090000001,Thôn 1\n"
            ).encode()
        ),
        original_name="ds.csv",
        full_list=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        jobs.queue_check(
            acting_user=users["commune_police"], job=job, header_row=1, mapping=job.mapping
        )
    job.refresh_from_db()
    assert job.status == JobStatus.CHECKED
    table = f"collection_staging_{job.pk}"
    assert table in connection.introspection.table_names()
    with django_capture_on_commit_callbacks(execute=True):
        jobs.cancel_job(acting_user=users["commune_police"], job=job)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Đã hủy" in job.message
    assert table not in connection.introspection.table_names()
    assert not PoliceListImport.objects.filter(status=JobStatus.DONE).exists()


def test_villages_are_mapped_in_the_preview_by_those_who_may(
    campaign: Any, tree: Any, users: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    from laodong.conftest import login, make_user
    from laodong.units.models import Unit

    police = login(users[Role.COMMUNE_POLICE])
    content = csv_file(*ROWS[:2], "3,Vũ Văn Ba,1990,Nam,038090000003,Xóm 3,H3,,x").getvalue()
    police.post(
        reverse("collection-upload-list", args=[campaign.pk, tree.commune.pk]),
        {"file": SimpleUploadedFile("ds.csv", content)},
    )
    job = PoliceListImport.objects.get()
    url = reverse("collection-view-import", args=[campaign.pk, job.pk])
    columns = {f"column_{key}": str(value) for key, value in job.mapping.items()}
    with django_capture_on_commit_callbacks(execute=True):
        police.post(url, {"step": "columns", **columns})
    page = police.get(url).content.decode()
    officer_user = users[Role.COMMUNE_LABOR_OFFICER]
    assert "1 chưa ghép" in page and officer_user.full_name in page
    assert "Tạo thôn mới" not in page  # the police cannot create villages
    assert " disabled>Ghi vào danh sách</button>" in page
    assert police.post(url, {"step": "villages", "village_0": "new"}).status_code == 403
    # Not a person to see the list at all.
    for role in (Role.ENUMERATOR, Role.VILLAGE_HEAD, Role.COMMUNE_FINANCE_OFFICER):
        assert login(users[role]).get(url).status_code == 403
    elsewhere = make_user(Role.COMMUNE_POLICE, tree.other_commune, "conganthach")
    assert login(elsewhere).get(url).status_code == 404
    # The labor officer creates the village on the spot; the police then write the list.
    officer = login(officer_user)
    job.refresh_from_db()
    index = next(i for i, v in enumerate(job.analysis["villages"]) if v["text"] == "Xóm 3")
    assert "Tạo thôn mới “Xóm 3”" in officer.get(url).content.decode()
    assert officer.post(url, {"step": "villages", f"village_{index}": "new"}).status_code == 302
    xom = Unit.objects.get(parent=tree.commune, name="Xóm 3")
    assert officer.post(url, {"step": "confirm"}).status_code == 403
    job.refresh_from_db()
    assert job.counts["unmapped"] == 0 and job.status == JobStatus.CHECKED
    with django_capture_on_commit_callbacks(execute=True):
        assert police.post(url, {"step": "confirm"}).status_code == 302
    assert WorkItem.objects.get(personal_id="038090000003").village == xom
    assert VillageAlias.objects.get(commune=tree.commune, key="3").village == xom


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("TDP 5", "Tổ dân phố 5"),
        ("kp 2", "Khu phố 2"),
        ("thôn tân phong", "Thôn Tân Phong"),
        ("XÓM 3", "Xóm 3"),
        ("Bản Phiêng Ban", "Bản Phiêng Ban"),
    ],
)
def test_a_village_created_from_a_list_is_named_as_the_catalogue_writes_it(
    spelling: str, name: str
) -> None:
    from laodong.collection.police_list import new_village_name

    assert new_village_name(spelling) == name


def test_a_list_never_reaches_another_communes_people(
    tree: Any, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Commune B's police list an ID commune A holds: A's work item and register record stay
    A's, and nothing of A's answers reaches B."""
    import datetime as dt

    from laodong.campaigns.actions import create_campaign
    from laodong.conftest import make_user

    officer_a = users[Role.COMMUNE_LABOR_OFFICER]
    province_officer = users[Role.PROVINCE_LABOR_DEPARTMENT]
    campaign = create_campaign(
        acting_user=province_officer,
        title="Kế hoạch của tỉnh",
        legal_basis="",
        form_code="tt09-2025-m01",
        area=[tree.commune, tree.other_commune],
        reference_date=dt.date(2026, 11, 1),
        collection_start=dt.date(2026, 11, 5),
        collection_end=dt.date(2026, 12, 17),
        entry_start=dt.date(2026, 11, 10),
        entry_end=dt.date(2026, 12, 28),
    )
    person = record_person(
        acting_user=officer_a, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    run(campaign, tree, users["commune_police"], csv_file(*ROWS))
    a_row = f"9,Nguyễn Văn An,12/03/1990,Nam,{person.personal_id},Thôn 1,H1,,x"
    run(campaign, tree, users["commune_police"], csv_file(a_row), full_list=False)
    held = WorkItem.objects.get(personal_id=person.personal_id)
    assert (held.commune, held.person) == (tree.commune, person)
    before = snapshot()
    police_b = make_user(Role.COMMUNE_POLICE, tree.other_commune, "conganthach")
    b_row = a_row.replace("Nguyễn Văn An", "Nguyễn Văn Ân").replace("Thôn 1", "Thôn Đông")
    outcome = import_list(
        campaign=campaign,
        commune=tree.other_commune,
        stream=csv_file(b_row, "10,Lê Văn Mới,1990,Nam,038090000777,Thôn Đông,H2,,x"),
        filename="ds.csv",
        acting_user=police_b,
        full_list=False,
    )
    assert outcome.counts["other_commune"] == 1 and outcome.counts["added"] == 1
    # A's item is untouched: same commune, name, village and person.
    assert {k: v for k, v in snapshot().items() if k in before} == before
    new = WorkItem.objects.get(personal_id="038090000777")
    assert new.commune == tree.other_commune
    # A person the register holds in A, listed first by B, is not linked to A's record.
    other = record_person(
        acting_user=officer_a,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, "personal_id": "038090000888", "full_name": "Trần Văn Tám"},
    )
    third = import_list(
        campaign=campaign,
        commune=tree.other_commune,
        stream=csv_file(f"11,Trần Văn Tám,12/03/1990,Nam,{other.personal_id},Thôn Đông,H3,,x"),
        filename="ds.csv",
        acting_user=police_b,
        full_list=False,
    )
    item = WorkItem.objects.get(personal_id=other.personal_id)
    assert item.person is None and item.category == Category.TO_COLLECT
    assert third.job is not None and third.job.analysis["registered_elsewhere"] == 1


def test_an_import_written_before_undo_existed_is_never_undone(
    campaign: Any, tree: Any, users: Any
) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    newer = (ROWS[0].replace("nguyễn văn an", "Nguyễn Văn Ân"), *ROWS[1:])
    job = run(campaign, tree, police, csv_file(*newer)).job
    assert job is not None
    # As the migration leaves imports of the previous version: written, nothing kept.
    PoliceListImport.objects.filter(pk=job.pk).update(undoable=False)
    job.refresh_from_db()
    before = snapshot()
    with pytest.raises(ListRefused, match="trước khi có chức năng hoàn tác"):
        undo_list(job, police)
    assert snapshot() == before


def test_the_write_counts_again_when_the_list_moved_since_the_preview(
    campaign: Any, tree: Any, users: Any
) -> None:
    from laodong.collection.police_list import apply_list

    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    binh = WorkItem.objects.get(personal_id="038185000002")
    newer = (*ROWS[:1], ROWS[1].replace(",,x", ",Đã chết,x"), *ROWS[2:])
    job = run(campaign, tree, police, csv_file(*newer), dry_run=True).job
    assert job is not None and job.counts["newly_excluded"] == 1
    # Before the police confirm, the officer excludes Bình by hand.
    actions.exclude_person(
        acting_user=users["commune_labor_officer"], item=binh, reason="Đã mất tháng 10"
    )
    counts = apply_list(job, police)
    assert counts["newly_excluded"] == 0
    assert [t.reason for t in Transition.objects.filter(work_item=binh)] == ["Đã mất tháng 10"]


def test_progress_updates_in_the_middle_of_a_check_lose_no_row(
    campaign: Any, tree: Any, users: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the rows stream into one open COPY; a progress update (which uses the
    same connection) pauses it and the next batch opens another."""
    from laodong.collection import police_list

    clock = iter(range(0, 10_000, 5))
    monkeypatch.setattr(police_list, "BATCH_SIZE", 2)
    monkeypatch.setattr(police_list.time, "monotonic", lambda: next(clock))
    job = PoliceListImport.objects.create(
        campaign=campaign, commune=tree.commune, file_path="", original_name="ds.csv"
    )
    seen: list[int] = []

    def progress(rows: int, fraction: float) -> None:
        PoliceListImport.objects.filter(pk=job.pk).update(rows_read=rows)
        seen.append(rows)

    checked = police_list.check_list(job, csv_file(*ROWS), on_progress=progress)
    assert checked.staged == len(ROWS) and checked.errors == 0
    assert seen[:2] == [2, 4] and seen[-1] == len(ROWS)
    job.refresh_from_db()
    assert job.rows_read == len(ROWS)
    police_list.record_check(job, checked)
    counts = police_list.prepare_list(job)
    assert counts["added"] + counts["unmapped"] == len(ROWS)
    police_list.Staging(job.pk).drop()


def test_an_error_file_continues_on_a_new_sheet_when_one_is_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Excel opens at most 1,048,576 rows a sheet (issue 11, finding 2)."""
    from laodong.collection import police_list

    monkeypatch.setattr(police_list, "ROWS_PER_SHEET", 2)
    errors = police_list.ErrorFile(tmp_path / "loi.xlsx")
    for number in range(1, 6):
        errors.add(police_list.RowProblem(number, "full_name", "Thiếu họ và tên.", {}))
    path = errors.close()
    assert path is not None
    book = load_workbook(path)
    assert book.sheetnames == ["Dòng lỗi", "Dòng lỗi (2)", "Dòng lỗi (3)"]
    rows = [
        [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)]
        for sheet in book.worksheets
    ]
    assert rows == [[1, 2], [3, 4], [5]]
    assert all(sheet["A1"].value == "Dòng trong tệp gốc" for sheet in book.worksheets)
