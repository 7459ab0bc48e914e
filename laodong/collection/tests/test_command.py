"""`laodong campaign import-list` and `laodong campaign run-jobs`."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from laodong.audit.models import AuditEvent
from laodong.campaigns.models import Campaign
from laodong.collection import jobs
from laodong.collection.models import JobStatus, PoliceListImport, WorkItem
from laodong.conftest import Tree

from .test_workflow import POLICE_LIST


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("campaign", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_import_list_prints_a_summary(campaign: Campaign, tree: Tree, tmp_path: Path) -> None:
    path = tmp_path / "ds.csv"
    path.write_text(POLICE_LIST + "Vũ Văn X,31/02/1990,Nam,038090000099,Thôn 1,H\n")
    # One bad row in four: a full list that needs the explicit flag.
    with pytest.raises(CommandError, match="accept-risk") as refused:
        run("import-list", str(campaign.pk), str(path), "--commune", tree.commune.code)
    assert refused.value.returncode == 2
    assert not WorkItem.objects.exists()
    output = run(
        "import-list", str(campaign.pk), str(path), "--commune", tree.commune.code, "--accept-risk"
    )
    assert "imported 3: added 3, changed 0, unchanged 0, no longer listed 0" in output
    assert "rows with errors: 1 — see " in output
    assert WorkItem.objects.count() == 3
    # The command's write is in the audit log like the web's (issue 11, finding 7).
    event = AuditEvent.objects.get(action="collection.import_police_list")
    assert event.details["via"] == "command" and event.details["added"] == 3
    assert event.unit == tree.commune and event.address == ""
    again = run(
        "import-list", str(campaign.pk), str(path), "--commune", tree.commune.code, "--accept-risk"
    )
    assert "added 0, changed 0, unchanged 3" in again


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("999", "ds.csv", "--commune", "15178"), "no campaign 999"),
        (("{campaign}", "ds.csv", "--commune", "99999"), "does not exist"),
        (("{campaign}", "ds.csv", "--commune", "15142"), "is not in this campaign"),
        (("{campaign}", "missing.csv", "--commune", "15178"), "no such file"),
    ],
)
def test_bad_arguments_exit_2(
    campaign: Campaign, tree: Tree, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    (tmp_path / "ds.csv").write_text(POLICE_LIST)
    values = [a.format(campaign=campaign.pk) for a in args]
    values[1] = str(tmp_path / values[1])
    with pytest.raises(CommandError, match=message) as refused:
        run("import-list", *values)
    assert refused.value.returncode == 2
    assert not WorkItem.objects.exists()


def test_a_file_that_cannot_be_read_exits_2(campaign: Campaign, tree: Tree, tmp_path: Path) -> None:
    path = tmp_path / "ds.xlsx"
    path.write_bytes(b"not a workbook")
    with pytest.raises(CommandError, match="Không đọc được tệp Excel") as refused:
        run("import-list", str(campaign.pk), str(path), "--commune", tree.commune.code)
    assert refused.value.returncode == 2


def test_run_jobs_runs_queued_imports_and_marks_dead_ones(
    campaign: Campaign, tree: Tree, users: dict[str, Any], settings: Any
) -> None:
    settings.LAODONG_RUN_JOBS_INLINE = False
    job, _preview = jobs.create_job(
        acting_user=users["commune_police"],
        campaign=campaign,
        commune=tree.commune,
        upload=io.BytesIO(POLICE_LIST.encode()),
        original_name="ds.csv",
        full_list=True,
    )
    PoliceListImport.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)
    output = run("run-jobs")
    # Checked, not written: the officer sees the outcome first.
    assert f"job {job.pk}: checked" in output
    assert not WorkItem.objects.exists()
    job.refresh_from_db()
    jobs.confirm_job(acting_user=users["commune_police"], job=job, acknowledged=False)
    output = run("run-jobs")
    assert f"job {job.pk}: done" in output
    assert WorkItem.objects.count() == 3
    from django.utils import timezone

    stale = PoliceListImport.objects.create(
        campaign=campaign,
        commune=tree.commune,
        file_path=job.file_path,
        original_name="ds.csv",
        status=JobStatus.RUNNING,
        heartbeat_at=timezone.now() - jobs.STALE_AFTER * 2,
    )
    run("run-jobs")
    stale.refresh_from_db()
    assert stale.status == JobStatus.FAILED and "gián đoạn" in stale.message


@pytest.mark.django_db(transaction=True)
def test_a_queued_import_runs_in_a_background_thread(
    campaign: Campaign, tree: Tree, users: dict[str, Any], settings: Any, monkeypatch: Any
) -> None:
    import threading

    settings.LAODONG_RUN_JOBS_INLINE = False
    started: list[threading.Thread] = []
    real_thread = threading.Thread

    def capture(*args: Any, **kwargs: Any) -> threading.Thread:
        thread = real_thread(*args, **kwargs)
        started.append(thread)
        return thread

    from laodong.core import background

    monkeypatch.setattr(background.threading, "Thread", capture)
    job, _preview = jobs.create_job(
        acting_user=users["commune_police"],
        campaign=campaign,
        commune=tree.commune,
        upload=io.BytesIO(POLICE_LIST.encode()),
        original_name="ds.csv",
        full_list=True,
    )
    jobs.queue_check(
        acting_user=users["commune_police"],
        job=job,
        header_row=job.header_row or 1,
        mapping=job.mapping,
    )
    assert len(started) == 1
    started[0].join(60)
    job.refresh_from_db()
    assert (job.status, job.counts["added"]) == (JobStatus.CHECKED, 3)
    assert not WorkItem.objects.exists()
    jobs.confirm_job(acting_user=users["commune_police"], job=job, acknowledged=False)
    assert len(started) == 2
    started[1].join(60)
    job.refresh_from_db()
    assert (job.status, job.counts["added"]) == (JobStatus.DONE, 3)
    assert WorkItem.objects.count() == 3
    assert job.heartbeat_at is not None and job.finished_at is not None


def test_import_list_maps_villages_previews_and_undoes(
    campaign: Campaign, tree: Tree, tmp_path: Path
) -> None:
    from django.db import connection

    path = tmp_path / "ds.csv"
    path.write_text(POLICE_LIST.replace("Thôn 2", "Xóm Hai"))
    base = ["import-list", str(campaign.pk), str(path), "--commune", tree.commune.code]
    with pytest.raises(CommandError, match="“Xóm Hai” \\(1 rows\\)") as refused:
        run(*base)
    assert refused.value.returncode == 2
    tree.village2.code = "T2"
    tree.village2.save()
    preview = run(*base, "--village", "Xóm Hai=T2", "--dry-run")
    assert "the list would: add 3" in preview and "dry run: nothing was written" in preview
    assert not WorkItem.objects.exists()
    # The mapping is remembered for the commune: no --village needed now.
    output = run(*base)
    assert "imported 3: added 3" in output
    assert WorkItem.objects.get(personal_id="038088000003").village == tree.village2
    job = PoliceListImport.objects.filter(status=JobStatus.DONE).get()
    assert "undone: 3 added rows removed, 0 rows restored" in run("undo-import", str(job.pk))
    assert not WorkItem.objects.exists()
    staging = [t for t in connection.introspection.table_names() if "collection_staging" in t]
    assert staging == []


def test_run_jobs_drops_lists_checked_long_ago_and_never_confirmed(
    campaign: Campaign, tree: Tree
) -> None:
    import datetime

    from django.db import connection
    from django.utils import timezone

    from laodong.collection.police_list import import_list

    checked = import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO(POLICE_LIST.encode()),
        filename="ds.csv",
        acting_user=None,
        dry_run=True,
    ).job
    assert checked is not None and checked.status == JobStatus.CHECKED
    table = f"collection_staging_{checked.pk}"
    assert table in connection.introspection.table_names()
    assert "no queued imports" in run("run-jobs")  # a fresh check is kept
    PoliceListImport.objects.filter(pk=checked.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=8)
    )
    assert "1 checked lists never confirmed in 7 days: dropped" in run("run-jobs")
    checked.refresh_from_db()
    assert checked.status == JobStatus.FAILED and "quá 7 ngày" in checked.message
    assert table not in connection.introspection.table_names()
    assert not WorkItem.objects.exists()
