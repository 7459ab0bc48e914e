"""Scanned documents backing a request or a closure: PDF, JPEG or PNG, size-limited, checked
by their first bytes (not by the name a browser sends), kept under DATA_DIR/evidence with a
random name and served only to the people who may see the record."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.utils.translation import gettext as _

from laodong.register.models import ChangeRequest, Evidence, PersonVersion

# First bytes → (content type, file suffix).
SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)
MAX_FILES = 5


class EvidenceError(ValueError):
    """A file refused, with the reason in words."""


def evidence_dir() -> Path:
    return Path(settings.DATA_DIR) / "evidence"


def max_bytes() -> int:
    return int(settings.LAODONG_EVIDENCE_MAX_MB) * 1024 * 1024


def check_upload(upload: Any) -> tuple[str, str]:
    """(content type, suffix) of an acceptable file; EvidenceError saying what is wrong."""
    name = getattr(upload, "name", "") or ""
    size = getattr(upload, "size", None) or 0
    if size > max_bytes():
        raise EvidenceError(
            _("Tệp “%(name)s” lớn hơn %(limit)s MB. Hãy quét lại với độ phân giải thấp hơn.")
            % {"name": name, "limit": settings.LAODONG_EVIDENCE_MAX_MB}
        )
    if size == 0:
        raise EvidenceError(_("Tệp “%(name)s” rỗng.") % {"name": name})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    for signature, content_type, suffix in SIGNATURES:
        if head.startswith(signature):
            return content_type, suffix
    raise EvidenceError(
        _("Tệp “%(name)s” không phải PDF, JPEG hay PNG. Hãy gửi bản quét dạng PDF hoặc ảnh.")
        % {"name": name}
    )


def check_uploads(uploads: list[Any]) -> list[str]:
    """Every problem with a set of files, before anything is stored."""
    problems = []
    if len(uploads) > MAX_FILES:
        problems.append(_("Gửi tối đa %(count)s tệp một lần.") % {"count": MAX_FILES})
    for upload in uploads:
        try:
            check_upload(upload)
        except EvidenceError as refused:
            problems.append(str(refused))
    return problems


def store(
    upload: IO[bytes] | Any,
    *,
    acting_user: Any,
    request: ChangeRequest | None = None,
    version: PersonVersion | None = None,
) -> Evidence:
    """Keep one checked file; call inside the transaction that writes what it backs."""
    content_type, suffix = check_upload(upload)
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{suffix}"
    with path.open("wb") as target:
        for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
            target.write(chunk)
    return Evidence.objects.create(
        request=request,
        version=version,
        file_path=str(path),
        original_name=(getattr(upload, "name", "") or path.name)[:200],
        content_type=content_type,
        size=path.stat().st_size,
        uploaded_by=acting_user,
    )
