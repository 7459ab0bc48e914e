"""Police-list imports as job rows, their phases run in the background.

Checking the file, writing the confirmed list and undoing it each run in a thread the web
process starts once the job row is committed; the row carries status, progress and outcome, so
a page reload (or another officer) sees the same progress bar. A job whose thread died (server
restart) stops sending heartbeats; it is then shown as interrupted and can be started again —
each phase is all-or-nothing, so a restart is safe.
`laodong campaign run-jobs` runs queued jobs from the command line (cron, or a worker).
"""

from __future__ import annotations

import datetime
import logging
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.campaigns.models import Campaign
from laodong.collection import police_list
from laodong.collection.models import CLAIMS, WORKING, JobStatus, PoliceListImport
from laodong.collection.police_list import POLICE_COLUMNS
from laodong.core.background import run_in_background
from laodong.core.tabular import Preview, TableError, preview_table
from laodong.units.models import Unit

logger = logging.getLogger(__name__)

# A running job writes its heartbeat at least this often; older means its thread is gone.
STALE_AFTER = datetime.timedelta(minutes=3)
# Rows the column-mapping page shows and checks value by value.
PREVIEW_ROWS = 20


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
            preview = preview_table(stream, original_name, POLICE_COLUMNS, sample=PREVIEW_ROWS)
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
        return preview_table(stream, job.original_name, POLICE_COLUMNS, sample=PREVIEW_ROWS)


# Lists up to this size are re-prepared within the request when a decision changes; larger
# ones go back to the background thread (the request must fit a proxy's 30 s timeout).
PREPARE_INLINE_ROWS = 50_000


@transaction.atomic
def queue_check(
    *, acting_user: Any, job: PoliceListImport, header_row: int, mapping: dict[str, int]
) -> PoliceListImport:
    """Confirm the column mapping and start checking the whole file (nothing is written)."""
    job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
    if job.status not in (JobStatus.PREVIEW, JobStatus.FAILED, JobStatus.CHECKED):
        raise TableError(_("Tệp này đang được xử lý hoặc đã nhập xong."))
    job.header_row, job.mapping = header_row, mapping
    job.status = JobStatus.QUEUED
    job.message = ""
    job.analysis = {}
    job.counts = {}
    job.save(update_fields=["header_row", "mapping", "status", "message", "analysis", "counts"])
    record_event(
        actor=acting_user,
        action="collection.check_police_list",
        target=job,
        unit=job.commune,
        details={"campaign": job.campaign_id, "full_list": job.full_list},
    )
    transaction.on_commit(lambda: start(job.pk))
    return job


def save_decisions(
    *,
    acting_user: Any,
    job: PoliceListImport,
    villages: dict[str, int],
    notes: dict[str, str],
    remember: bool = True,
) -> PoliceListImport:
    """Record which village each spelling means (remembered for the commune) and what the
    unknown remarks mean, then compute the outcome again."""
    from laodong.collection.models import VillageAlias

    with transaction.atomic():
        job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
        if job.status != JobStatus.CHECKED:
            raise TableError(_("Tệp này đang được xử lý hoặc đã nhập xong."))
        texts = {entry["key"]: entry["text"] for entry in job.analysis.get("villages", [])}
        choices = dict(job.village_choices)
        for key, village_pk in villages.items():
            if key not in texts:
                continue
            choices[key] = village_pk
            if remember:
                VillageAlias.objects.update_or_create(
                    commune=job.commune,
                    key=key,
                    defaults={
                        "text": texts[key][:200],
                        "village_id": village_pk,
                        "created_by": acting_user,
                    },
                )
        known_notes = {entry["text"] for entry in job.analysis.get("notes", [])}
        job.village_choices = choices
        job.note_choices = {
            **job.note_choices,
            **{note: reason for note, reason in notes.items() if note in known_notes},
        }
        job.message = ""
        job.save(update_fields=["village_choices", "note_choices", "message"])
        record_event(
            actor=acting_user,
            action="collection.map_police_list",
            target=job,
            unit=job.commune,
            details={"villages": len(villages), "notes": len(notes)},
        )
        if job.rows_read > PREPARE_INLINE_ROWS:
            job.status = JobStatus.QUEUED
            job.save(update_fields=["status"])
            transaction.on_commit(lambda: start(job.pk))
            return job
    police_list.prepare_list(job)
    job.refresh_from_db()
    return job


@transaction.atomic
def confirm_job(*, acting_user: Any, job: PoliceListImport, acknowledged: bool) -> None:
    """Write the checked list once its outcome has been seen; a risky list needs the tick."""
    job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.CHECKED:
        raise TableError(_("Tệp này đang được xử lý hoặc đã nhập xong."))
    reason = police_list.refusal(job)
    if reason:
        raise TableError(reason)
    if job.counts.get("risks") and not acknowledged:
        raise TableError(
            _("Hãy đánh dấu ô “Tôi đã đọc cảnh báo” để nhập danh sách này, hoặc hủy bỏ.")
        )
    job.risk_acknowledged = acknowledged
    job.confirmed_by = acting_user
    job.status = JobStatus.CONFIRMED
    job.message = ""
    job.save(update_fields=["risk_acknowledged", "confirmed_by", "status", "message"])
    record_event(
        actor=acting_user,
        action="collection.import_police_list",
        target=job,
        unit=job.commune,
        details={
            "campaign": job.campaign_id,
            "full_list": job.full_list,
            "risks": job.counts.get("risks", []),
        },
    )
    transaction.on_commit(lambda: start(job.pk))


@transaction.atomic
def request_undo(*, acting_user: Any, job: PoliceListImport) -> None:
    """Start undoing the last written import of a commune."""
    job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
    latest = police_list.last_applied(job.campaign_id, job.commune_id)
    if job.status != JobStatus.DONE or latest is None or latest.pk != job.pk:
        raise TableError(
            _("Chỉ hoàn tác được lần nhập danh sách gần nhất của xã (đã có lần nhập sau).")
        )
    if not job.undoable:
        raise TableError(
            _("Lần nhập này được ghi trước khi có chức năng hoàn tác nên không hoàn tác được.")
        )
    blockers = police_list.undo_blockers(job)
    if blockers:
        raise TableError(
            _(
                "Không hoàn tác được: đã có %(count)s phiếu được làm tiếp trên những người của "
                "lần nhập này. Hãy nhập danh sách đúng để sửa."
            )
            % {"count": blockers}
        )
    job.undone_by = acting_user
    job.status = JobStatus.UNDO_QUEUED
    job.message = ""
    job.save(update_fields=["undone_by", "status", "message"])
    transaction.on_commit(lambda: start(job.pk))


@transaction.atomic
def cancel_job(*, acting_user: Any, job: PoliceListImport) -> None:
    """Drop a list that was checked but not written: nothing of it reaches the work list."""
    job = PoliceListImport.objects.select_for_update().get(pk=job.pk)
    if job.status not in (JobStatus.PREVIEW, JobStatus.CHECKED, JobStatus.FAILED):
        raise TableError(_("Tệp này đang được xử lý hoặc đã nhập xong."))
    job.status = JobStatus.FAILED
    job.message = _("Đã hủy, không ghi gì vào danh sách.")
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at"])
    record_event(
        actor=acting_user, action="collection.cancel_police_list", target=job, unit=job.commune
    )
    transaction.on_commit(lambda: police_list.Staging(job.pk).drop())


def start(job_id: int) -> None:
    run_in_background(run_job, job_id)


def _claim(job_id: int) -> str | None:
    """Move the job from a queued status to its working one; None when someone else did."""
    now = timezone.now()
    for queued, working in CLAIMS.items():
        claimed = PoliceListImport.objects.filter(pk=job_id, status=queued).update(
            status=working, started_at=now, heartbeat_at=now
        )
        if claimed:
            return str(working)
    return None


def run_job(job_id: int, *, echo: Any = None) -> PoliceListImport:
    """Run the queued phase of an import (check, write or undo) and record its outcome."""
    claimed = _claim(job_id)
    job = PoliceListImport.objects.select_related("campaign", "commune", "created_by").get(
        pk=job_id
    )
    if claimed == JobStatus.RUNNING:
        _check(job, echo)
    elif claimed == JobStatus.APPLYING:
        _apply(job)
    elif claimed == JobStatus.UNDOING:
        _undo(job)
    return PoliceListImport.objects.get(pk=job_id)


def _check(job: PoliceListImport, echo: Any) -> None:
    def progress(rows: int, fraction: float) -> None:
        PoliceListImport.objects.filter(pk=job.pk).update(
            rows_read=rows,
            bytes_read=int(fraction * job.file_size),
            heartbeat_at=timezone.now(),
        )
        if echo is not None:
            echo(rows, fraction)

    try:
        if not (job.analysis.get("read") and police_list.Staging(job.pk).exists()):
            with Path(job.file_path).open("rb") as stream:
                checked = police_list.check_list(job, stream, on_progress=progress)
            police_list.record_check(job, checked)
        else:
            _set_status(job.pk, JobStatus.CHECKED)
        job.refresh_from_db()
        police_list.prepare_list(job)
    except TableError as problem:
        _finish(job.pk, JobStatus.FAILED, message=str(problem)[:500])
    except OSError:
        _finish(job.pk, JobStatus.FAILED, message=_("Không còn tệp tải lên; hãy tải lên lại."))
    except Exception:
        logger.exception("police list check %s failed", job.pk)
        _finish(
            job.pk,
            JobStatus.FAILED,
            message=_("Lỗi hệ thống khi kiểm tra tệp; chưa ghi gì. Hãy thử lại."),
        )


def _apply(job: PoliceListImport) -> None:
    try:
        if not police_list.Staging(job.pk).exists():
            raise police_list.ListRefused(
                _(
                    "Dữ liệu đã kiểm tra không còn; hãy bấm “Chọn lại cột” và “Kiểm tra danh "
                    "sách” rồi xác nhận."
                )
            )
        police_list.apply_list(job, job.confirmed_by)
    except police_list.ListRefused as problem:
        _set_status(job.pk, JobStatus.CHECKED, message=str(problem)[:500])
    except Exception:
        logger.exception("police list import %s failed", job.pk)
        _set_status(
            job.pk,
            JobStatus.CHECKED,
            message=_("Lỗi hệ thống khi ghi; không có dòng nào được ghi. Hãy thử lại."),
        )


def _undo(job: PoliceListImport) -> None:
    try:
        police_list.undo_list(job, job.undone_by)
    except police_list.ListRefused as problem:
        _set_status(job.pk, JobStatus.DONE, message=str(problem)[:500])
    except Exception:
        logger.exception("police list undo %s failed", job.pk)
        _set_status(
            job.pk,
            JobStatus.DONE,
            message=_("Lỗi hệ thống khi hoàn tác; danh sách không đổi. Hãy thử lại."),
        )
    else:
        _finish(job.pk, JobStatus.UNDONE, undone_at=timezone.now())


def _set_status(job_id: int, status: str, **fields: Any) -> None:
    PoliceListImport.objects.filter(pk=job_id).update(status=status, **fields)


def _finish(job_id: int, status: str, **fields: Any) -> None:
    PoliceListImport.objects.filter(pk=job_id).update(
        status=status, finished_at=timezone.now(), **fields
    )


def is_stale(job: PoliceListImport) -> bool:
    return bool(
        job.status in WORKING
        and job.heartbeat_at is not None
        and timezone.now() - job.heartbeat_at > STALE_AFTER
    )


# Where a phase that died with its process leaves the job: nothing of it was committed.
_INTERRUPTED = {
    JobStatus.RUNNING: JobStatus.FAILED,
    JobStatus.APPLYING: JobStatus.CHECKED,
    JobStatus.UNDOING: JobStatus.DONE,
}


# A checked list nobody confirmed or cancelled keeps its staged rows this long.
CHECKED_KEPT = datetime.timedelta(days=7)


def expire_checked(now: datetime.datetime | None = None) -> int:
    """Drop the staged rows of lists checked over a week ago and never confirmed; their jobs
    say so and can be checked again from the stored file. Returns how many."""
    limit = (now or timezone.now()) - CHECKED_KEPT
    stale = list(PoliceListImport.objects.filter(status=JobStatus.CHECKED, created_at__lt=limit))
    for job in stale:
        police_list.Staging(job.pk).drop()
        PoliceListImport.objects.filter(pk=job.pk, status=JobStatus.CHECKED).update(
            status=JobStatus.FAILED,
            message=_(
                "Danh sách đã kiểm tra quá 7 ngày mà chưa xác nhận nên đã bỏ; hãy chọn lại cột "
                "và kiểm tra lại nếu vẫn cần."
            ),
            finished_at=timezone.now(),
        )
    return len(stale)


# Jobs whose stored file is still needed: working, waiting for a thread, or checked and
# waiting for the officer (read again if its staged rows expire).
_FILE_NEEDED = (*WORKING, *CLAIMS, JobStatus.CHECKED)


@dataclass
class Cleanup:
    jobs: int = 0
    files: int = 0
    bytes: int = 0
    paths: list[Path] = field(default_factory=list)


def remove_old_files(
    *, days: int | None = None, now: datetime.datetime | None = None, dry_run: bool = False
) -> Cleanup:
    """Delete uploaded lists and error files older than the retention period (setting
    LAODONG_UPLOAD_RETENTION_DAYS): those of jobs no longer working, and files under the
    uploads folder that no job names. The jobs stay, with their counts, as the record of what
    was imported; they say the file was removed. Returns what was (or would be) removed."""
    days = days or settings.LAODONG_UPLOAD_RETENTION_DAYS
    limit = (now or timezone.now()) - datetime.timedelta(days=days)
    done = Cleanup()

    def remove(path: Path) -> None:
        if path.is_file():
            done.files += 1
            done.bytes += path.stat().st_size
            done.paths.append(path)
            if not dry_run:
                path.unlink(missing_ok=True)

    old = PoliceListImport.objects.filter(created_at__lt=limit).exclude(status__in=_FILE_NEEDED)
    for job in old.exclude(file_path="", error_file=""):
        done.jobs += 1
        for name in (job.file_path, job.error_file):
            if name:
                remove(Path(name))
        if not dry_run:
            note = _("Tệp tải lên và tệp dòng lỗi đã xóa sau %(days)s ngày theo quy định lưu giữ.")
            PoliceListImport.objects.filter(pk=job.pk).update(
                file_path="",
                error_file="",
                status=JobStatus.FAILED if job.status == JobStatus.PREVIEW else job.status,
                message=(note % {"days": days})[:500],
            )
    named = {
        Path(name).resolve()
        for pair in PoliceListImport.objects.values_list("file_path", "error_file")
        for name in pair
        if name
    }
    folder = upload_dir()
    stamp = limit.timestamp()
    if folder.is_dir():
        for path in folder.iterdir():
            if path.resolve() not in named and path.is_file() and path.stat().st_mtime < stamp:
                remove(path)
    return done


def mark_interrupted(job: PoliceListImport) -> None:
    """A working job without heartbeat died with its process; nothing of it was committed."""
    PoliceListImport.objects.filter(pk=job.pk, status=job.status).update(
        status=_INTERRUPTED.get(JobStatus(job.status), JobStatus.FAILED),
        message=_("Việc xử lý bị gián đoạn (máy chủ khởi động lại); chưa có gì được ghi."),
    )
