"""Register imports as background jobs: the upload is kept on disk, checked and written in a
thread the web process starts once the job row is committed (as police-list imports are), so
no request does work that grows with the file. The job row carries progress and outcome; a
page reload, or a colleague, sees the same. A job whose thread died (server restart) stops
sending heartbeats and is shown as interrupted: the write is one transaction, so nothing is
half-written, and it can be started again."""

from __future__ import annotations

import datetime
import logging
import shutil
import threading
import traceback
import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.core.background import run_in_background
from laodong.core.errorfile import FindingsFile
from laodong.core.tabular import CellError
from laodong.register.imports import import_people
from laodong.register.models import ImportStatus, PeopleImportJob

logger = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=3)


def upload_dir() -> Path:
    return Path(settings.DATA_DIR) / "imports"


def create_job(
    *,
    acting_user: Any,
    upload: IO[bytes],
    original_name: str,
    form_code: str = "",
    confirm_warnings: bool = False,
) -> PeopleImportJob:
    """Keep the file under a random name (never a citizen's) and queue its check."""
    suffix = ".xlsx" if original_name.lower().endswith(".xlsx") else ".csv"
    path = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as target:
        shutil.copyfileobj(upload, target, 1 << 20)
    job = PeopleImportJob.objects.create(
        created_by=acting_user,
        unit=acting_user.unit,
        file_path=str(path),
        original_name=original_name[:200],
        form_code=form_code or "",
        confirm_warnings=confirm_warnings,
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def confirm_warnings(*, acting_user: Any, job: PeopleImportJob) -> PeopleImportJob:
    """The officer has read the warnings: run again, writing the rows that carry them."""
    updated = PeopleImportJob.objects.filter(pk=job.pk, status=ImportStatus.WARNINGS).update(
        status=ImportStatus.QUEUED, confirm_warnings=True, message=""
    )
    if updated:
        transaction.on_commit(lambda: start(job.pk))
    job.refresh_from_db()
    return job


def restart(job: PeopleImportJob) -> None:
    """Run again a job whose thread died (nothing of it was written)."""
    if is_stale(job):
        PeopleImportJob.objects.filter(pk=job.pk, status=ImportStatus.RUNNING).update(
            status=ImportStatus.QUEUED
        )
        transaction.on_commit(lambda: start(job.pk))


def start(job_id: int) -> None:
    run_in_background(run_job, job_id)


def is_stale(job: PeopleImportJob) -> bool:
    beat = job.heartbeat_at or job.created_at
    return job.status == ImportStatus.RUNNING and timezone.now() - beat > STALE_AFTER


def run_job(job_id: int) -> PeopleImportJob:
    """Check (and, when clean, write) the job's file; record the outcome on the row."""
    now = timezone.now()
    claimed = PeopleImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.RUNNING, heartbeat_at=now, rows_read=0, rows_written=0
    )
    job = PeopleImportJob.objects.select_related("created_by", "unit").get(pk=job_id)
    if not claimed:
        return job
    errors_path = upload_dir() / f"loi-dang-ky-{job.pk}.xlsx"
    findings = FindingsFile(errors_path)
    state = {"rows_read": 0, "rows_written": 0, "phase": "check"}

    def progress(phase: str, done: int) -> None:
        # Only noted here: the heartbeat thread publishes it. The write runs in one long
        # transaction, whose own updates no other connection would see until the end.
        state["phase"] = phase
        state["rows_read" if phase == "check" else "rows_written"] = done

    def sink(kind: str, finding: CellError) -> None:
        findings.add(kind, finding)

    beating = _Heartbeat(job_id, state)
    beating.start()
    try:
        with Path(job.file_path).open("rb") as stream:
            report = import_people(
                acting_user=job.created_by,
                stream=stream,
                filename=job.original_name,
                form_code=job.form_code or None,
                confirm_warnings=job.confirm_warnings,
                progress=progress,
                sink=sink,
            )
    except FileNotFoundError:
        return _failed(job_id, _("Tệp đã tải lên không còn (đã quá hạn lưu giữ). Hãy tải lên lại."))
    except Exception as error:
        # Never a half-written register (the write is one transaction); the officer is told
        # and the job can be run again. The server log gets where it failed, not the message
        # (a database error can quote a citizen's data).
        logger.error(
            "register import job %s failed: %s\n%s",
            job_id,
            type(error).__name__,
            "".join(traceback.format_tb(error.__traceback__)),
        )
        findings.close()
        return _failed(
            job_id,
            _("Không nhập được do lỗi của hệ thống; chưa ghi dòng nào. Hãy thử lại sau."),
        )
    finally:
        beating.stop()
    saved = findings.close()
    if report.file_error:
        status = ImportStatus.FAILED
    elif report.error_count:
        status = ImportStatus.REFUSED
    elif report.warning_count and not job.confirm_warnings:
        status = ImportStatus.WARNINGS
    else:
        status = ImportStatus.DONE
    shown = {
        "errors": [_finding(e) for e in report.errors],
        "warnings": [_finding(w) for w in report.warnings],
        "unknown_headers": report.unknown_headers,
        "encoding_name": report.encoding_name,
        "form_code": report.form_code,
    }
    PeopleImportJob.objects.filter(pk=job_id).update(
        status=status,
        rows_read=report.rows_read,
        rows_written=report.created,
        created=report.created,
        error_count=report.error_count,
        warning_count=report.warning_count,
        shown=shown,
        error_file=str(saved) if saved else "",
        message=report.file_error[:500],
        finished_at=timezone.now(),
    )
    if report.created:
        record_event(
            actor=job.created_by,
            action="register.import_people",
            target_type="register.person",
            unit=job.unit,
            details={"count": report.created, "job": job.pk},
        )
    if status == ImportStatus.DONE:
        # The people are in the register now; the upload is no longer needed.
        Path(job.file_path).unlink(missing_ok=True)
    return PeopleImportJob.objects.get(pk=job_id)


def _failed(job_id: int, message: str) -> PeopleImportJob:
    PeopleImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.FAILED, message=message[:500], finished_at=timezone.now()
    )
    return PeopleImportJob.objects.get(pk=job_id)


class _Heartbeat:
    """Publishes a running job's progress every few seconds from a thread of its own (its
    own database connection, outside the import's transaction), which also tells the page
    the job is alive. Not started when jobs run inline (tests, commands)."""

    EVERY = 2.0

    def __init__(self, job_id: int, state: dict[str, Any]) -> None:
        self.job_id, self.state = job_id, state
        self.done = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        if getattr(settings, "LAODONG_RUN_JOBS_INLINE", False):
            return
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def _run(self) -> None:
        try:
            while not self.done.wait(self.EVERY):
                try:
                    PeopleImportJob.objects.filter(
                        pk=self.job_id, status=ImportStatus.RUNNING
                    ).update(
                        rows_read=self.state["rows_read"],
                        rows_written=self.state["rows_written"],
                        shown={"phase": self.state["phase"]},
                        heartbeat_at=timezone.now(),
                    )
                except DatabaseError:
                    # SQLite lets one writer at a time: the import's transaction has it.
                    continue
        finally:
            connection.close()

    def stop(self) -> None:
        self.done.set()
        if self.thread is not None:
            self.thread.join(timeout=10)


def _finding(error: CellError) -> dict[str, Any]:
    return {
        "row": error.row,
        "column": error.column or "",
        "label": str(error.label or ""),
        "message": error.message,
        "sheet": error.sheet or "",
    }
