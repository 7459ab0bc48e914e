"""Backup and restore of everything laodong keeps: the database and the data directory's
`imports/` folder (uploaded lists and error files within their retention period) and
`evidence/` folder (scanned documents backing requests and closures).

A backup is one `.tar` file: `manifest.json` (when, which database, the last migration of
every app, and the row count of every table), the database (`database.dump` from pg_dump's
custom format, or `database.sqlite3` from SQLite's online backup), `imports/` and `evidence/`.
A restore refuses a backup whose migrations differ from this installation's, replaces the
database and the two folders, then counts every table again and says whether they match
the manifest.
"""

from __future__ import annotations

import datetime
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import connection, connections
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1


class BackupError(Exception):
    """The backup or the restore cannot be done; the message says why and what to do."""


def table_counts() -> dict[str, int]:
    """Rows of every table of the project's models (and Django's own)."""
    counts = {}
    for model in apps.get_models(include_auto_created=True):
        table = model._meta.db_table
        if table in counts or model._meta.proxy or not model._meta.managed:
            continue
        with connection.cursor() as cursor:
            # The table names come from the models, not from input.
            cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def last_migrations() -> dict[str, str]:
    applied: dict[str, str] = {}
    for app, name in MigrationRecorder(connection).applied_migrations():
        if name > applied.get(app, ""):
            applied[app] = name
    return applied


def _database_env() -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for pg_dump / pg_restore."""
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    try:
        # pg_dump / pg_restore with the settings' own connection arguments, no shell.
        done = subprocess.run(  # noqa: S603
            command, env=env, capture_output=True, text=True, check=False
        )
    except FileNotFoundError as missing:
        raise BackupError(
            f"Không tìm thấy chương trình {command[0]}: hãy cài gói postgresql-client "
            "cùng phiên bản với máy chủ PostgreSQL."
        ) from missing
    if done.returncode != 0:
        raise BackupError(f"{command[0]} báo lỗi: {done.stderr.strip()[:500]}")


# The folders of DATA_DIR a backup carries: uploaded lists and error files, and the scanned
# documents backing requests and closures.
FOLDERS = ("imports", "evidence")


@dataclass
class Outcome:
    path: Path
    counts: dict[str, int] = field(default_factory=dict)
    differences: dict[str, tuple[int, int]] = field(default_factory=dict)
    files: int = 0


def backup(target: Path) -> Outcome:
    """Write the backup file; the database stays in use (both dumps are consistent reads)."""
    target = target.resolve()
    counts = table_counts()
    manifest = {
        "format": FORMAT,
        "made_at": timezone.now().isoformat(),
        "vendor": connection.vendor,
        "migrations": last_migrations(),
        "counts": counts,
    }
    with tempfile.TemporaryDirectory(prefix="laodong-backup-") as folder:
        work = Path(folder)
        if connection.vendor == "postgresql":
            dump = work / "database.dump"
            args, env = _database_env()
            _run(["pg_dump", "--format=custom", "--no-owner", "--file", str(dump), *args], env)
        elif connection.vendor == "sqlite":
            dump = work / "database.sqlite3"
            connection.ensure_connection()
            source: Any = connection.connection
            with sqlite3.connect(dump) as copy:
                source.backup(copy)
        else:  # pragma: no cover - the project runs on these two
            raise BackupError(f"Chưa hỗ trợ sao lưu cơ sở dữ liệu {connection.vendor}.")
        target.parent.mkdir(parents=True, exist_ok=True)
        files = 0
        with tarfile.open(target, "w") as archive:
            data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
            archive.add(dump, arcname=dump.name)
            for name in FOLDERS:
                folder_path = Path(settings.DATA_DIR) / name
                if folder_path.is_dir():
                    for path in sorted(folder_path.iterdir()):
                        if path.is_file():
                            archive.add(path, arcname=f"{name}/{path.name}")
                            files += 1
    return Outcome(target, counts, files=files)


def read_manifest(source: Path) -> dict[str, Any]:
    try:
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile("manifest.json")
            if member is None:
                raise KeyError("manifest.json")
            manifest: dict[str, Any] = json.load(member)
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise BackupError(
            f"{source} không phải tệp sao lưu của laodong (không đọc được manifest.json)."
        ) from error
    if manifest.get("format") != FORMAT:
        raise BackupError("Tệp sao lưu thuộc định dạng khác, phiên bản này không khôi phục được.")
    return manifest


def restore(source: Path) -> Outcome:
    """Replace the database and the data folders with the backup's, then verify counts."""
    source = source.resolve()
    manifest = read_manifest(source)
    if manifest["vendor"] != connection.vendor:
        raise BackupError(
            f"Tệp sao lưu của {manifest['vendor']}, cơ sở dữ liệu đang dùng là "
            f"{connection.vendor}: hãy khôi phục vào cùng loại."
        )
    here = last_migrations()
    if manifest["migrations"] != here:
        raise BackupError(
            "Bản sao lưu được tạo với phiên bản phần mềm khác (migrations khác). Hãy cài đúng "
            "phiên bản đã tạo bản sao lưu, khôi phục, rồi mới nâng cấp."
        )
    with tempfile.TemporaryDirectory(prefix="laodong-restore-") as folder:
        work = Path(folder)
        with tarfile.open(source, "r") as archive:
            archive.extractall(work, filter="data")
        if connection.vendor == "postgresql":
            args, env = _database_env()
            connections.close_all()
            _run(
                [
                    "pg_restore",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--single-transaction",
                    *args,
                    str(work / "database.dump"),
                ],
                env,
            )
        else:
            connection.ensure_connection()
            target: Any = connection.connection
            with sqlite3.connect(work / "database.sqlite3") as copy:
                copy.backup(target)
        files = 0
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        for name in FOLDERS:
            here_folder = Path(settings.DATA_DIR) / name
            if here_folder.exists():
                here_folder.rename(here_folder.with_name(f"{name}-before-restore-{stamp}"))
            restored = work / name
            if restored.is_dir():
                shutil.copytree(restored, here_folder)
                files += sum(1 for path in here_folder.iterdir() if path.is_file())
            else:
                here_folder.mkdir(parents=True, exist_ok=True)
    counts = table_counts()
    expected: dict[str, int] = manifest["counts"]
    differences = {
        table: (expected.get(table, 0), counts.get(table, 0))
        for table in set(expected) | set(counts)
        if expected.get(table, 0) != counts.get(table, 0)
    }
    return Outcome(source, counts, differences, files)
