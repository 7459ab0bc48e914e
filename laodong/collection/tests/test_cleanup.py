"""Uploaded lists and error files are deleted after the retention period; the jobs stay as the
record of what was imported (issue 11, finding 8)."""

from __future__ import annotations

import datetime
import io
import os
from pathlib import Path
from typing import Any

from django.core.management import call_command
from django.utils import timezone

from laodong.accounts.models import Role
from laodong.collection import jobs
from laodong.collection.models import JobStatus, PoliceListImport
from laodong.conftest import Tree

from .test_workflow import POLICE_LIST


def stored_job(campaign: Any, tree: Tree, users: dict[str, Any], status: str, age: int) -> Any:
    job, _preview = jobs.create_job(
        acting_user=users[Role.COMMUNE_POLICE],
        campaign=campaign,
        commune=tree.commune,
        upload=io.BytesIO(POLICE_LIST.encode()),
        original_name="ds.csv",
        full_list=True,
    )
    error_file = Path(job.file_path).with_name(f"loi-{job.pk}.xlsx")
    error_file.write_bytes(b"x")
    PoliceListImport.objects.filter(pk=job.pk).update(
        status=status,
        error_file=str(error_file),
        created_at=timezone.now() - datetime.timedelta(days=age),
    )
    job.refresh_from_db()
    return job


def test_files_past_retention_go_and_the_jobs_say_so(
    campaign: Any, tree: Tree, users: dict[str, Any], settings: Any, tmp_path: Path
) -> None:
    settings.DATA_DIR = tmp_path
    old = stored_job(campaign, tree, users, JobStatus.DONE, 91)
    abandoned = stored_job(campaign, tree, users, JobStatus.PREVIEW, 120)
    recent = stored_job(campaign, tree, users, JobStatus.DONE, 10)
    waiting = stored_job(campaign, tree, users, JobStatus.CONFIRMED, 200)
    stray = jobs.upload_dir() / "mot-tep-la.csv"
    stray.write_text("x")
    ancient = timezone.now().timestamp() - 100 * 86400
    os.utime(stray, (ancient, ancient))
    fresh_stray = jobs.upload_dir() / "tep-moi.csv"
    fresh_stray.write_text("x")

    out = io.StringIO()
    call_command("cleanup", "--dry-run", stdout=out)
    assert "sẽ xóa 5 tệp" in out.getvalue()
    assert Path(old.file_path).is_file()

    call_command("cleanup", stdout=out)
    for job in (old, abandoned):
        assert not Path(job.file_path).exists() and not Path(job.error_file).exists()
        job.refresh_from_db()
        assert job.file_path == "" and job.error_file == ""
        assert "đã xóa sau 90 ngày" in job.message
    old.refresh_from_db()
    abandoned.refresh_from_db()
    assert old.status == JobStatus.DONE and abandoned.status == JobStatus.FAILED
    for job in (recent, waiting):
        assert Path(job.file_path).is_file() and Path(job.error_file).is_file()
    assert not stray.exists() and fresh_stray.exists()
