"""Importing filled forms into the register: all rows or none, warnings confirmed."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login
from laodong.forms.definitions import get_form
from laodong.forms.samples import SampleForms
from laodong.forms.template import DATA_SHEET, HEADER_ROW, build_template
from laodong.register.imports import import_people
from laodong.register.models import PeopleImportJob, Person, Source

FORM = get_form("tt09-2025-m01")


def filled_template(people: list[dict[str, Any]]) -> io.BytesIO:
    book = load_workbook(io.BytesIO(build_template(FORM)))
    sheet = book[DATA_SHEET]
    for offset, person in enumerate(people, start=1):
        for column, item in enumerate(FORM.items, start=1):
            value = person.get(item.key, "")
            sheet.cell(row=HEADER_ROW + offset, column=column, value=value or None)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def people(count: int, **changes: Any) -> list[dict[str, Any]]:
    rows = list(
        SampleForms(
            seed=9,
            without_id_share=0,
            villages=["Thôn 1", "Thôn 2"],
            collection_date=__import__("datetime").date(2026, 11, 1),
        ).rows(count)
    )
    return [{**row, **changes} for row in rows]


def test_a_filled_template_imports_into_the_register(tree: Tree, users: dict[str, User]) -> None:
    report = import_people(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        stream=filled_template(people(30)),
        filename="phieu.xlsx",
    )
    assert report.ok and report.warnings == [], [str(e) for e in report.errors]
    assert report.created == Person.objects.count() == 30
    assert {p.village for p in Person.objects.all()} == {tree.village, tree.village2}
    assert set(Person.objects.values_list("versions__source", flat=True)) == {Source.IMPORT}


def test_one_bad_row_means_nothing_is_written(tree: Tree, users: dict[str, User]) -> None:
    rows = people(5)
    rows[2] = {**rows[2], "village": "Thôn 99"}
    rows[3] = {**rows[3], "activity_status": "", "sex": "9"}
    report = import_people(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        stream=filled_template(rows),
        filename="phieu.xlsx",
    )
    assert Person.objects.count() == 0 and report.created == 0
    messages = [str(e) for e in report.errors]
    assert any(
        m.startswith("Trang tính “Phiếu”, Dòng 6, cột C (Thôn/tổ dân phố)") and "Thôn 99" in m
        for m in messages
    )
    assert any(m.startswith("Trang tính “Phiếu”, Dòng 7, cột H (Giới tính)") for m in messages)
    assert any("Dòng 7" in m and "Tình trạng tham gia hoạt động kinh tế" in m for m in messages)


def test_warnings_must_be_confirmed_before_anything_is_written(
    tree: Tree, users: dict[str, User]
) -> None:
    rows = people(3)
    rows[1] = {**rows[1], "personal_id": ""}
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    first = import_people(acting_user=officer, stream=filled_template(rows), filename="phieu.xlsx")
    assert first.created == 0 and not first.errors
    assert [w.row for w in first.warnings] == [5]
    second = import_people(
        acting_user=officer,
        stream=filled_template(rows),
        filename="phieu.xlsx",
        confirm_warnings=True,
    )
    assert second.created == 3
    assert Person.objects.get(personal_id="").versions.get().confirmed_warnings == ["id.missing"]


def test_people_already_in_the_register_or_twice_in_the_file_are_refused(
    tree: Tree, users: dict[str, User]
) -> None:
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    rows = people(3)
    import_people(acting_user=officer, stream=filled_template(rows[:1]), filename="a.xlsx")
    report = import_people(
        acting_user=officer, stream=filled_template([rows[1], rows[0], rows[1]]), filename="b.xlsx"
    )
    rules = [e.message for e in report.errors]
    assert any("đã có trong cơ sở dữ liệu" in m for m in rules)
    assert any("Trùng số CCCD/CMND với dòng 4" in m for m in rules)
    assert Person.objects.count() == 1


def test_the_import_page(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    upload = filled_template(people(4))
    upload.name = "phieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register-import-people"), {"file": upload})
    job = PeopleImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("register-view-import", args=[job.pk])
    assert Person.objects.count() == 4
    page = client.get(response["Location"]).content.decode()
    assert "Đã nhập 4 phiếu vào cơ sở dữ liệu." in page
    assert not Path(job.file_path).exists()  # in the register now: the upload is gone
    bad = io.BytesIO(b"not a workbook")
    bad.name = "x.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register-import-people"), {"file": bad})
    assert "Không đọc được tệp Excel" in client.get(response["Location"]).content.decode()


def test_the_page_shows_the_first_errors_and_the_file_has_them_all(
    tree: Tree,
    users: dict[str, User],
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from laodong.register import imports

    monkeypatch.setattr(imports, "SHOWN", 2)
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    upload = filled_template(people(5, village="Thôn Không Có"))
    upload.name = "phieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register-import-people"), {"file": upload})
    job = PeopleImportJob.objects.get()
    assert (job.status, job.error_count, len(job.shown["errors"])) == ("refused", 5, 2)
    page = client.get(response["Location"]).content.decode()
    assert "Có 5 lỗi" in page and "Trang này chỉ hiện 2 lỗi đầu" in page
    errors = client.get(reverse("register-download-import-errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(b"".join(errors.streaming_content))).active
    assert sheet is not None
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 5 and all("Thôn Không Có" in str(row[-1]) for row in rows)
    assert Person.objects.count() == 0


def test_warnings_are_confirmed_on_the_page_without_uploading_again(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    upload = filled_template(people(3, personal_id=""))
    upload.name = "phieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("register-import-people"), {"file": upload})
    job = PeopleImportJob.objects.get()
    assert job.status == "warnings" and Person.objects.count() == 0
    assert "Đã kiểm tra, nhập tất cả" in client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response["Location"], {"step": "confirm"})
    job.refresh_from_db()
    assert (job.status, job.created) == ("done", 3) and Person.objects.count() == 3


def test_a_file_longer_than_the_limit_is_refused_while_reading(
    tree: Tree, users: dict[str, User], settings: Any
) -> None:
    settings.LAODONG_REGISTER_IMPORT_ROWS = 10
    report = import_people(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        stream=filled_template(people(40)),
        filename="phieu.xlsx",
    )
    assert "Tệp có hơn 10 dòng" in report.file_error
    assert Person.objects.count() == 0


def test_an_import_of_another_commune_is_not_found(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    from laodong.conftest import make_user

    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    upload = filled_template(people(1))
    upload.name = "phieu.xlsx"
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register-import-people"), {"file": upload})
    job = PeopleImportJob.objects.get()
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-khac"))
    for name in (
        "register-view-import",
        "register-view-import-progress",
        "register-download-import-errors",
    ):
        assert stranger.get(reverse(name, args=[job.pk])).status_code == 404
    police = login(users[Role.COMMUNE_POLICE])
    assert police.get(reverse("register-view-import", args=[job.pk])).status_code == 403


def test_a_job_whose_thread_died_can_run_again(
    tree: Tree, users: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from laodong.register import jobs

    officer = users[Role.COMMUNE_LABOR_OFFICER]
    upload = filled_template(people(2))
    job = jobs.create_job(acting_user=officer, upload=upload, original_name="p.xlsx")
    # As a server restart leaves it: running, no heartbeat for a long time, nothing written.
    PeopleImportJob.objects.filter(pk=job.pk).update(
        status="running",
        heartbeat_at=__import__("django.utils.timezone").utils.timezone.now()
        - datetime.timedelta(minutes=10),
    )
    client = login(officer)
    page = client.get(reverse("register-view-import", args=[job.pk])).content.decode()
    assert "Việc nhập đã dừng giữa chừng" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("register-view-import", args=[job.pk]), {"step": "restart"})
    job.refresh_from_db()
    assert job.status == "done" and Person.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_import_runs_in_a_thread_and_publishes_its_progress(
    tree: Tree, users: dict[str, User], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As on a server: the job runs in its own thread; while it writes (one transaction), a
    heartbeat thread with its own connection publishes progress the page can see."""
    import threading

    from laodong.core import background
    from laodong.register import jobs

    settings.LAODONG_RUN_JOBS_INLINE = False
    monkeypatch.setattr(jobs._Heartbeat, "EVERY", 0.05)
    started: list[threading.Thread] = []
    real_thread = threading.Thread

    def capture(*args: Any, **kwargs: Any) -> threading.Thread:
        thread = real_thread(*args, **kwargs)
        started.append(thread)
        return thread

    monkeypatch.setattr(background.threading, "Thread", capture)
    job = jobs.create_job(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        upload=filled_template(people(30)),
        original_name="phieu.xlsx",
    )
    # No transaction around this test: the commit hook has started the thread already. (The
    # job's own heartbeat thread may have started too by now, depending on the machine's load:
    # only the job's thread counts.)
    jobs_started = [t for t in started if "_in_thread" in t.name]
    assert len(jobs_started) == 1, started
    jobs_started[0].join(120)
    job.refresh_from_db()
    assert (job.status, job.created, job.rows_read) == ("done", 30, 30)
    assert Person.objects.count() == 30
