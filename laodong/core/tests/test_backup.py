"""Backup and restore, on the database the suite runs on (SQLite, then PostgreSQL in CI):
what is restored is exactly what was backed up, the imports folder included; nothing that
was there before is lost (it is backed up first and set aside)."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from laodong.accounts.models import Role, User
from laodong.conftest import Tree
from laodong.core.backup import BackupError, restore, table_counts
from laodong.register.actions import record_person, update_person
from laodong.register.models import Person, PersonVersion
from laodong.register.tests.test_actions import ANSWERS


def _people() -> list[tuple[Any, ...]]:
    return list(
        PersonVersion.objects.order_by("person_id", "number").values_list(
            "person_id", "number", "answers", "changed_at"
        )
    )


@pytest.mark.django_db(transaction=True)
def test_a_restore_gives_back_exactly_what_was_backed_up(
    tree: Tree, users: dict[str, User], settings: Any, tmp_path: Path, capsys: Any
) -> None:
    settings.DATA_DIR = tmp_path / "data"
    imports = tmp_path / "data" / "imports"
    imports.mkdir(parents=True)
    (imports / "danh-sach.csv").write_text("Họ và tên\nNguyễn Văn An\n", encoding="utf-8")
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    person = record_person(
        acting_user=officer, form_code="tt09-2025-m01", village=tree.village, answers=ANSWERS
    )
    people, counts = _people(), table_counts()
    target = tmp_path / "sao-luu.tar"
    call_command("backup", str(target))
    assert "Đã sao lưu" in capsys.readouterr().out
    # Life goes on: an edit, a new person, a file removed.
    update_person(acting_user=officer, person=person, answers={**ANSWERS, "qualification": "6"})
    record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=tree.village,
        answers={**ANSWERS, "personal_id": "038090000777", "full_name": "Lê Văn Bảy"},
    )
    (imports / "danh-sach.csv").unlink()
    call_command("restore", str(target), "--yes")
    out = capsys.readouterr().out
    assert "Sẽ thay toàn bộ dữ liệu" in out and "đúng như bản sao lưu" in out
    assert _people() == people and table_counts() == counts
    assert Person.objects.get().answers["qualification"] == "5"
    assert (imports / "danh-sach.csv").read_text(encoding="utf-8").endswith("Nguyễn Văn An\n")
    # What was there just before the restore is kept, to go back to.
    safety = list((tmp_path / "data" / "backups").glob("truoc-khoi-phuc-*.tar"))
    assert len(safety) == 1
    call_command("restore", str(safety[0]), "--yes")
    assert Person.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_backup_of_another_version_is_refused(tree: Tree, settings: Any, tmp_path: Path) -> None:
    settings.DATA_DIR = tmp_path / "data"
    target = tmp_path / "sao-luu.tar"
    call_command("backup", str(target))
    # Rewrite the manifest as a backup made by another version of the software would be.
    work = tmp_path / "x"
    with tarfile.open(target) as archive:
        archive.extractall(work, filter="data")
    manifest = json.loads((work / "manifest.json").read_text())
    manifest["migrations"]["register"] = "9999_future"
    (work / "manifest.json").write_text(json.dumps(manifest))
    other = tmp_path / "khac.tar"
    with tarfile.open(other, "w") as archive:
        for path in work.iterdir():
            archive.add(path, arcname=path.name)
    with pytest.raises(BackupError, match="phiên bản phần mềm khác"):
        restore(other)
    with pytest.raises(CommandError, match="không phải tệp sao lưu"):
        call_command("restore", str(tmp_path / "khong-co.tar"), "--yes")
