"""Police-list imports as job rows, run in the background.

The web process starts a thread once the job row is committed; the row carries status, progress
and outcome, so a page reload (or another officer) sees the same progress bar. A job whose
thread died (server restart) stops sending heartbeats; it is then shown as interrupted and can
be started again — the import is all-or-nothing, so a restart is safe.
`laodong campaign run-jobs` runs queued jobs from the command line (cron, or a worker).
"""

from __future__ import annotations

import datetime
import logging
import shutil
import threading
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection.models import JobStatus, PoliceListImport
from laodong.collection.police_list import POLICE_COLUMNS, import_list
from laodong.core.tabular import Preview, TableError, preview_table
from laodong.units.models import Unit

logger = logging.getLogger(__name__)

# A running job writes its heartbeat at least this often; older means its thread is gone.
STALE_AFTER = datetime.timedelta(minutes=3)


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def store_upload(upload: IO[bytes], original_name: str) -> Path:
    """Keep the uploaded file on disk under a random name (never the citizen data's name)."""
    suffix = ".xlsx" if original_name.lower().endswith(".xlsx") else ".csv"
    path = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        shutil.copyfileobj(upload, target, 1 << 20)
    return path


def create_job(
    *,
    acting_user: Any,
    campaign: Campaign,
    commune: Unit,
    upload: IO[bytes],
    original_name: str,
    full_list: bool,
) -> tuple[PoliceListImport, Preview]:
    """Store the file and read its first rows for the column-mapping preview."""
    path = store_upload(upload, original_name)
    try:
        with path.open("rb") as stream:
            preview = preview_table(stream, original_name, POLICE_COLUMNS)
    except TableError:
        path.unlink(missing_ok=True)
        raise
    job = PoliceListImport.objects.create(
        campaign=campaign,
        commune=commune,
        file_path=str(path),
        original_name=original_name[:200],
        full_list=full_list,
        header_row=preview.header_row,
        sheet=preview.sheet or "",
        mapping=preview.positions,
        file_size=path.stat().st_size,
        created_by=acting_user,
    )
    return job, preview


def read_preview(job: PoliceListImport) -> Preview:
    with Path(job.file_path).open("rb") as stream:
        return preview_table(stream, job.original_name, POLICE_COLUMNS)


@transaction.atomic
def queue_job(
    *, acting_user: Any, job: PoliceListImport, header_row: int, mapping: dict[str, int]
) -> PoliceListImport:
    """Confirm the mapping and start the import once the transaction commits."""
    job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
    if job.status not in (JobStatus.PREVIEW, JobStatus.FAILED):
        raise TableError(_("Tệp này đang được nhập hoặc đã nhập xong."))
    job.header_row, job.mapping = header_row, mapping
    job.status = JobStatus.QUEUED
    job.message = ""
    job.save(update_fields=["header_row", "mapping", "status", "message"])
    record_event(
        actor=acting_user,
        action="collection.import_police_list",
        target=job,
        unit=job.commune,
        details={"campaign": job.campaign_id, "full_list": job.full_list},
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def start(job_id: int) -> None:
    if getattr(settings, "LAODONG_RUN_JOBS_INLINE", False):
        run_job(job_id)
        return
    threading.Thread(target=_run_in_thread, args=(job_id,), daemon=True).start()


def _run_in_thread(job_id: int) -> None:
    close_old_connections()
    try:
        run_job(job_id)
    finally:
        connection.close()


def _claim(job_id: int) -> bool:
    """Move the job from queued to running; False when someone else already did."""
    now = timezone.now()
    return bool(
        PoliceListImport.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, started_at=now, heartbeat_at=now
        )
    )


def run_job(job_id: int, *, echo: Any = None) -> PoliceListImport:
    """Run a queued import to its end and record the outcome on the job row."""
    job = PoliceListImport.objects.select_related("campaign", "commune", "created_by").get(
        pk=job_id
    )
    if not _claim(job_id):
        return job

    def progress(rows: int, fraction: float) -> None:
        PoliceListImport.objects.filter(pk=job_id).update(
            rows_read=rows,
            bytes_read=int(fraction * job.file_size),
            heartbeat_at=timezone.now(),
        )
        if echo is not None:
            echo(rows, fraction)

    try:
        with Path(job.file_path).open("rb") as stream:
            outcome = import_list(
                campaign=job.campaign,
                commune=job.commune,
                stream=stream,
                filename=job.original_name,
                acting_user=job.created_by,
                full_list=job.full_list,
                header_row=job.header_row,
                positions={key: int(value) for key, value in job.mapping.items()},
                job_id=job.pk,
                on_progress=progress,
            )
    except TableError as problem:
        _finish(job_id, JobStatus.FAILED, message=str(problem))
    except Exception:
        logger.exception("police list import %s failed", job_id)
        _finish(
            job_id,
            JobStatus.FAILED,
            message=_("Lỗi hệ thống khi nhập; không có dòng nào được ghi. Hãy thử lại."),
        )
    else:
        _finish(
            job_id,
            JobStatus.DONE,
            counts=outcome.counts,
            rows_read=outcome.rows_read,
            error_count=outcome.errors,
            error_file=str(outcome.error_file or ""),
        )
    return PoliceListImport.objects.get(pk=job_id)


def _finish(job_id: int, status: str, **fields: Any) -> None:
    PoliceListImport.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), **fields
    )


def is_stale(job: PoliceListImport) -> bool:
    return bool(
        job.status == JobStatus.RUNNING
        and job.heartbeat_at is not None
        and timezone.now() - job.heartbeat_at > STALE_AFTER
    )


def mark_interrupted(job: PoliceListImport) -> None:
    """A running job without heartbeat died with its process; nothing of it was committed."""
    PoliceListImport.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(
        status=JobStatus.FAILED,
        message=_("Việc nhập bị gián đoạn (máy chủ khởi động lại); chưa có dòng nào được ghi."),
        finished_at=timezone.now(),
    )
