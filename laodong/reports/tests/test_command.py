"""`laodong report ...` writes the same figures as the pages, and explains bad arguments."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from laodong.audit.models import AuditEvent
from laodong.campaigns.models import Campaign
from laodong.conftest import Tree
from laodong.reports.tests.factories import hand_counted


@pytest.fixture
def people(tree: Tree) -> Tree:
    hand_counted(tree)
    return tree


def run(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("report", *args, stdout=out)
    return out.getvalue()


def test_statistics_as_json_for_a_province(people: Tree, tmp_path: Path) -> None:
    target = tmp_path / "tk.json"
    printed = run(
        "statistics", "--unit", "38", "--to", "22/11/2026", "--format", "json", "--out", str(target)
    )
    assert "tk.json" in printed
    data = json.loads(target.read_text())
    assert data["unit"] == {"code": "38", "name": "Tỉnh Thanh Hóa"}
    assert data["sections"][0]["rows"][0]["cells"] == [
        "Tổng số người từ 15 tuổi trở lên",
        7,
        4,
        3,
        100.0,
    ]
    assert AuditEvent.objects.get(action="reports.download").details["by"] == "command"


def test_changes_as_csv_and_statistics_as_xlsx(people: Tree, tmp_path: Path) -> None:
    run(
        "changes",
        "--unit",
        "15178",
        "--from",
        "31/05/2026",
        "--to",
        "22/11/2026",
        "--format",
        "csv",
        "--out",
        str(tmp_path / "bd.csv"),
    )
    text = (tmp_path / "bd.csv").read_text(encoding="utf-8-sig")
    assert "Mới đủ 15 tuổi trong kỳ,1" in text
    run(
        "statistics",
        "--unit",
        "15178",
        "--to",
        "2026-11-22",
        "--format",
        "xlsx",
        "--out",
        str(tmp_path / "tk.xlsx"),
    )
    sheet = load_workbook(tmp_path / "tk.xlsx").active
    assert sheet["A1"].value == "UBND XÃ CẨM TÂN"


def test_progress_of_the_latest_campaign(people: Tree, campaign: Campaign, tmp_path: Path) -> None:
    run("progress", "--unit", "15178", "--format", "json", "--out", str(tmp_path / "td.json"))
    data = json.loads((tmp_path / "td.json").read_text())
    assert campaign.title in data["period"]
    assert [row["cells"][0] for row in data["sections"][0]["rows"]] == ["Thôn 1", "Thôn 2", "Cộng"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["statistics", "--unit", "99999"], "Không tìm thấy đơn vị có mã 99999"),
        (
            ["statistics", "--unit", "38", "--to", "32/13/2026"],
            "--to “32/13/2026” không phải là ngày",
        ),
        (["statistics", "--unit", "38", "--to", "01/01/2099"], "là ngày tương lai"),
        (
            ["changes", "--unit", "38", "--from", "22/11/2026", "--to", "01/06/2026"],
            "--from phải là ngày trước --to",
        ),
        (["progress", "--unit", "38"], "Không có kế hoạch thu thập"),
        (["statistics", "--unit", "38", "--out", "/no/such/dir/x.json"], "không tồn tại"),
    ],
)
def test_bad_arguments_are_explained(
    people: Tree, tmp_path: Path, args: list[str], message: str
) -> None:
    extra: list[Any] = ["--format", "json"]
    if "--out" not in args:
        extra += ["--out", str(tmp_path / "x.json")]
    with pytest.raises(CommandError) as failure:
        run(*args, *extra)
    assert message in str(failure.value)
    assert failure.value.returncode == 2
    assert not (tmp_path / "x.json").exists()
