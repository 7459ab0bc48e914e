"""Updating many people from a file (issue 12 item 5): the social-insurance office's list as it
arrives, a preview per person (old → new) and of the rows matching nobody, unticked rows left
alone, good rows landing while bad ones come back in an error file, the same from the command
line."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login
from laodong.register.actions import record_person, update_person
from laodong.register.models import (
    BulkRow,
    BulkUpdate,
    Person,
    PersonVersion,
    PoliceUpdate,
    Source,
)
from laodong.register.sources import Origin
from laodong.register.tests.data.bhxh_lists import bhxh_csv, bhxh_xlsx
from laodong.register.tests.test_actions import ANSWERS


@pytest.fixture(autouse=True)
def run_jobs(django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Jobs start once their row is committed; tests never commit, so run them at once."""
    from django.db import transaction

    def at_once(function: Any, using: Any = None, robust: bool = False) -> None:
        function()

    monkeypatch.setattr(transaction, "on_commit", at_once)


@pytest.fixture
def people(tree: Tree, users: dict[str, User]) -> dict[str, Person]:
    officer = users[Role.COMMUNE_LABOR_OFFICER]

    def add(number: str, name: str, **extra: Any) -> Person:
        return record_person(
            acting_user=officer,
            form_code="tt09-2025-m01",
            village=tree.village,
            answers={**ANSWERS, "personal_id": number, "full_name": name, **extra},
        )

    return {
        "an": add("038090000301", "Nguyễn Văn An"),
        "binh": add("038192000302", "Lê Thị Bình", sex="Nữ", birth_date="05/05/1992"),
        "cuong": add(
            "038088000303",
            "Trần Văn Cường",
            birth_date="06/06/1988",
            social_insurance_number="3812345680",
        ),
        "em": add("038084000304", "Hoàng Văn Em", birth_date="04/04/1984"),
        "dung": add("038084000305", "Phạm Văn Dũng", birth_date="04/04/1984"),
    }


def _upload(page: Any, path: Path, **origin: str) -> BulkUpdate:
    data = {
        "file": SimpleUploadedFile(path.name, path.read_bytes()),
        "origin-source": Source.SOCIAL_INSURANCE,
        "origin-reference": "Danh sách BHXH tháng 10/2026",
        **origin,
    }
    response = page.post(reverse("register-upload-bulk"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return BulkUpdate.objects.latest("pk")


def test_the_preview_shows_each_change_and_each_row_that_cannot_be_applied(
    tree: Tree, users: dict[str, User], people: dict[str, Person], tmp_path: Path
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER])
    job = _upload(page, bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx"))
    assert job.status == "preview", job.message
    # The column numbers, the total and the signature lines are not rows; the seven people are.
    assert (job.rows_read, job.matched, job.unchanged, job.unmatched, job.invalid) == (
        7,
        2,
        0,
        1,
        4,
    )
    changes = {row.person_id: row.changes for row in BulkRow.objects.filter(bulk=job, error="")}
    an, binh = people["an"], people["binh"]
    # The ID Excel stored as a number and the 9-digit BHXH number found their people.
    assert changes[an.pk] == {"social_insurance_number": [None, "3812345678"]}
    assert changes[binh.pk] == {
        "social_insurance_number": [None, "0381234567"],
        "social_insurance_type": ["1", "2"],
    }
    text = page.get(reverse("register-view-bulk", args=[job.pk])).content.decode()
    assert "Tự nguyện" in text and "Không có người nào trong cơ sở dữ liệu" in text
    assert "Họ tên trong tệp (Tên Khác Hẳn) khác" in text
    assert "Cùng người với dòng 9" in text
    # Nothing written yet.
    assert not PersonVersion.objects.filter(number__gt=1).exists()


def test_good_rows_land_unticked_and_bad_rows_do_not_and_come_back_with_a_reason(
    tree: Tree, users: dict[str, User], people: dict[str, Person], tmp_path: Path
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER])
    job = _upload(page, bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx"))
    url = reverse("register-view-bulk", args=[job.pk])
    an, binh = people["an"], people["binh"]
    an_row = BulkRow.objects.get(bulk=job, person=an)
    binh_row = BulkRow.objects.get(bulk=job, person=binh)
    # The officer leaves Bình out.
    page.post(url, {"step": "choose", "shown": [an_row.pk, binh_row.pk], "rows": [an_row.pk]})
    before = {p.pk: p.version for p in Person.objects.all()}
    page.post(url, {"step": "apply"})
    job.refresh_from_db()
    assert (job.status, job.applied, job.failed) == ("done", 1, 0)
    an.refresh_from_db()
    assert an.social_insurance_number == "3812345678" and an.version == 2
    version = an.versions.get(number=2)
    assert version.source == Source.SOCIAL_INSURANCE
    assert version.reference == "Danh sách BHXH tháng 10/2026"
    assert PoliceUpdate.objects.filter(version=version).exists()
    # Nobody else changed.
    after = {p.pk: p.version for p in Person.objects.all()}
    assert after == {**before, an.pk: 2}
    # The error file: the five rows that did not land, as read, with the reason.
    download = page.get(reverse("register-download-bulk-errors", args=[job.pk]))
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng trong tệp" and rows[0][-1] == "Lý do"
    reasons = {row[0]: row[-1] for row in rows[1:]}
    assert sorted(reasons) == [11, 12, 13, 14, 15]
    assert "Không có người nào" in reasons[12]
    # The page says what happened.
    text = page.get(url).content.decode()
    assert "Đã cập nhật 1 người" in text


def test_a_row_whose_record_changed_after_the_preview_fails_alone(
    tree: Tree, users: dict[str, User], people: dict[str, Person], tmp_path: Path
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    page = login(officer)
    job = _upload(page, bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx"))
    an = people["an"]
    update_person(
        acting_user=officer,
        person=an,
        answers={**an.answers, "job_description": "Tổ trưởng chuyền may"},
        origin=Origin(Source.CORRECTION),
    )
    page.post(reverse("register-view-bulk", args=[job.pk]), {"step": "apply"})
    job.refresh_from_db()
    assert (job.applied, job.failed) == (1, 1)
    an.refresh_from_db()
    assert an.version == 2 and an.social_insurance_number == ""
    assert "sửa sau khi xem trước" in BulkRow.objects.get(bulk=job, person=an).error
    assert Person.objects.get(pk=people["binh"].pk).social_insurance_type == "2"


def test_a_tcvn3_csv_keyed_by_bhxh_number(
    tree: Tree, users: dict[str, User], people: dict[str, Person], tmp_path: Path
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER])
    job = _upload(page, bhxh_csv(tmp_path / "bhxh.csv"))
    assert job.key_column == "social_insurance_number"
    assert (job.matched, job.unmatched) == (1, 1)
    row = BulkRow.objects.get(bulk=job, error="")
    assert row.changes == {"workplace_name": ["Công ty May Cẩm Thủy", "Hợp tác xã Cẩm Tân"]}


def test_a_file_without_a_key_column_or_a_made_up_source_is_refused(
    tree: Tree, users: dict[str, User], people: dict[str, Person]
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER])
    page.post(
        reverse("register-upload-bulk"),
        {
            "file": SimpleUploadedFile("x.csv", "Họ và tên,Nơi làm việc\nA,B\n".encode()),
            "origin-source": Source.SOCIAL_INSURANCE,
            "origin-reference": "DS",
        },
    )
    job = BulkUpdate.objects.get()
    assert job.status == "failed" and "Số định danh cá nhân" in job.message
    refused = page.post(
        reverse("register-upload-bulk"),
        {
            "file": SimpleUploadedFile("x.csv", b"a"),
            "origin-source": Source.TRANSFER,
        },
    )
    assert refused.status_code == 200 and BulkUpdate.objects.count() == 1


def test_the_command_counts_writes_and_leaves_an_error_file(
    tree: Tree, people: dict[str, Person], tmp_path: Path
) -> None:
    path = bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx")
    out = io.StringIO()
    call_command(
        "register",
        "update-from",
        str(path),
        "--commune",
        tree.commune.code,
        "--source",
        "bhxh",
        "--reference",
        "DS tháng 10",
        "--dry-run",
        stdout=out,
    )
    assert "2 người có thay đổi" in out.getvalue() and "Chạy thử" in out.getvalue()
    assert not PersonVersion.objects.filter(number__gt=1).exists()
    out = io.StringIO()
    call_command(
        "register",
        "update-from",
        str(path),
        "--commune",
        tree.commune.code,
        "--source",
        "bhxh",
        "--reference",
        "DS tháng 10",
        stdout=out,
    )
    assert "Đã cập nhật 2 người" in out.getvalue()
    errors = tmp_path / "danh-sach-bhxh-loi.xlsx"
    assert errors.is_file() and str(errors) in out.getvalue()
    assert Person.objects.get(pk=people["an"].pk).versions.latest("number").changed_by is None
    with pytest.raises(CommandError, match="hãy ghi số văn bản"):
        call_command(
            "register",
            "update-from",
            str(path),
            "--commune",
            tree.commune.code,
            "--source",
            "bhxh",
        )


def test_a_file_update_is_undone_as_new_versions_except_for_records_changed_since(
    tree: Tree, users: dict[str, User], people: dict[str, Person], tmp_path: Path
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    page = login(officer)
    job = _upload(page, bhxh_xlsx(tmp_path / "danh-sach-bhxh.xlsx"))
    url = reverse("register-view-bulk", args=[job.pk])
    page.post(url, {"step": "apply"})
    an, binh = (Person.objects.get(pk=people[k].pk) for k in ("an", "binh"))
    assert (an.version, binh.version, binh.social_insurance_type) == (2, 2, "2")
    # Bình is corrected by hand afterwards: the undo leaves her alone.
    update_person(
        acting_user=officer,
        person=binh,
        answers={**binh.answers, "job_description": "Thợ may"},
        origin=Origin(Source.CORRECTION),
    )
    assert "Hoàn tác lần cập nhật này" in page.get(url).content.decode()
    done = page.post(url, {"step": "undo"}, follow=True).content.decode()
    assert "Đã hoàn tác 1 người" in done
    an.refresh_from_db()
    binh.refresh_from_db()
    assert (an.version, an.social_insurance_number) == (3, "")
    assert "social_insurance_number" not in an.answers
    assert an.versions.get(number=3).source == Source.CORRECTION
    assert an.versions.get(number=2).changes == {"social_insurance_number": [None, "3812345678"]}
    assert (binh.version, binh.social_insurance_type) == (3, "2")
    job.refresh_from_db()
    assert job.status == "undone"
    # Once is enough.
    page.post(url, {"step": "undo"})
    assert Person.objects.get(pk=an.pk).version == 3
