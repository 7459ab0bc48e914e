"""Importing the police list: classification, idempotent re-import, bad rows, whole-file errors."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook

from laodong.collection.models import Category, OutOfScope, Status, Transition, WorkItem
from laodong.collection.police_list import ListRefused, import_list
from laodong.core.tabular import TableError

HEADER = "STT,Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ,Ghi chú,Cột lạ\n"


def csv_file(*rows: str, header: str = HEADER, title: bool = True) -> io.BytesIO:
    lines = ["DANH SÁCH CÔNG DÂN TỪ 15 TUỔI TRỞ LÊN,,,,,,,,\n", ",,,,,,,,\n"] if title else []
    return io.BytesIO(("".join(lines) + header + "".join(r + "\n" for r in rows)).encode())


ROWS = (
    "1,nguyễn văn an,05/03/1990,Nam,038090000001,Thôn 1,H1,,x",
    "2,Lê Thị Bình,1985,Nữ,038185000002,thon 2,H2,,x",
    "3,Trần Văn Cường,20/10/2011,Nam,038211000003,Thôn 1,H1,,x",
    "4,Phạm Văn Dũng,01/01/1970,Nam,038070000004,Thôn 1,H3,Đã chết,x",
    "5,Hoàng Văn Em,02/02/2000,Nam,038200000005,Thôn 1,H3,Bộ đội tại ngũ,x",
)


def run(campaign: Any, tree: Any, user: Any, stream: io.BytesIO, **kwargs: Any) -> Any:
    return import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=stream,
        filename=kwargs.pop("filename", "ds.csv"),
        acting_user=user,
        error_path=kwargs.pop("error_path", None),
        **kwargs,
    )


def test_import_builds_the_work_list_by_category(
    campaign: Any, tree: Any, users: Any, tmp_path: Path
) -> None:
    outcome = run(campaign, tree, users["commune_police"], csv_file(*ROWS))
    assert outcome.errors == 0
    assert outcome.counts["added"] == 5
    items = {i.personal_id: i for i in WorkItem.objects.all()}
    assert items["038090000001"].full_name == "Nguyễn Văn An"
    assert items["038090000001"].category == Category.TO_COLLECT
    assert items["038090000001"].village == tree.village
    assert items["038185000002"].village == tree.village2
    assert items["038185000002"].birth_year_only
    # Born 20/10/2011: 15 on 20/10/2026, before the reference date 01/11/2026.
    assert items["038211000003"].category == Category.NEWLY_15
    assert items["038070000004"].out_of_scope == OutOfScope.DECEASED
    assert items["038070000004"].status == Status.EXCLUDED
    assert items["038200000005"].out_of_scope == OutOfScope.ARMED_FORCES
    assert items["038090000001"].status == Status.LISTED


def test_reimport_is_idempotent_and_reports_changes(campaign: Any, tree: Any, users: Any) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    again = run(campaign, tree, police, csv_file(*ROWS))
    assert (again.counts["added"], again.counts["changed"], again.counts["unchanged"]) == (0, 0, 5)
    assert WorkItem.objects.count() == 5
    newer = (
        ROWS[0].replace("nguyễn văn an", "Nguyễn Văn Ân"),
        ROWS[1].replace(",,x", ",Đã chuyển đi,x"),
        "6,Đỗ Thị Gấm,03/04/1995,Nữ,038195000006,Thôn 2,H9,,x",
    )
    # Three of five people drop off: a full list like this needs an explicit tick.
    with pytest.raises(ListRefused, match="đánh dấu"):
        run(campaign, tree, police, csv_file(*newer))
    assert WorkItem.objects.filter(in_latest_list=True).count() == 5
    outcome = run(campaign, tree, police, csv_file(*newer), accept_risk=True)
    counts = outcome.counts
    assert (counts["added"], counts["changed"], counts["unchanged"]) == (1, 2, 0)
    assert counts["removed"] == 3
    moved = WorkItem.objects.get(personal_id="038185000002")
    assert (moved.status, moved.out_of_scope) == (Status.EXCLUDED, OutOfScope.MOVED_AWAY)
    transition = Transition.objects.get(work_item=moved)
    assert (transition.from_status, transition.to_status) == (Status.LISTED, Status.EXCLUDED)
    assert transition.actor == police
    assert WorkItem.objects.filter(in_latest_list=False).count() == 3


def test_partial_list_does_not_unlist_the_others(campaign: Any, tree: Any, users: Any) -> None:
    police = users["commune_police"]
    run(campaign, tree, police, csv_file(*ROWS))
    outcome = run(campaign, tree, police, csv_file(ROWS[0]), full_list=False)
    assert outcome.counts["removed"] == 0
    assert WorkItem.objects.filter(in_latest_list=True).count() == 5


def test_bad_rows_come_back_in_an_xlsx_and_good_rows_land(
    campaign: Any, tree: Any, users: Any, tmp_path: Path
) -> None:
    bad = (
        "7,,01/01/1990,Nam,038090000007,Thôn 1,,,x",
        "8,Vũ Văn Hải,31/02/1990,Nam,038090000008,Thôn 1,,,x",
        "9,Vũ Văn Hà,01/01/1990,Nam,12345,Thôn 1,,,x",
        "10,Vũ Văn Hoà,01/01/1990,Nam,038090000010,Thôn 9,,,x",
        "11,Trùng An,05/03/1990,Nam,038090000001,Thôn 1,,,x",
    )
    error_path = tmp_path / "loi.xlsx"
    # "Thôn 9" is no village of the commune: nothing is written until someone maps it.
    with pytest.raises(ListRefused, match="thôn chưa ghép"):
        run(campaign, tree, users["commune_police"], csv_file(*ROWS, *bad))
    assert WorkItem.objects.count() == 0
    outcome = run(
        campaign,
        tree,
        users["commune_police"],
        csv_file(*ROWS, *bad),
        error_path=error_path,
        villages={"9": tree.village2.pk},
        accept_risk=True,
    )
    assert outcome.errors == 4
    assert WorkItem.objects.count() == 6
    assert WorkItem.objects.get(personal_id="038090000010").village == tree.village2
    sheet = load_workbook(error_path).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Dòng trong tệp gốc"
    assert rows[0][-1] == "Lỗi"
    messages = {row[0]: row[-1] for row in rows[1:]}
    assert messages[9] == "Họ và tên: Thiếu họ và tên."
    assert "31/02/1990" in messages[10]
    assert "12345" in messages[11]
    assert "dòng 4" in messages[13]


def test_a_file_without_the_needed_columns_writes_nothing(
    campaign: Any, tree: Any, users: Any
) -> None:
    with pytest.raises(TableError, match="Không tìm thấy dòng tiêu đề"):
        run(campaign, tree, users["commune_police"], csv_file(header="A,B,C\n"))
    assert WorkItem.objects.count() == 0


def test_xlsx_with_title_rows_and_merged_household_cells(
    campaign: Any, tree: Any, users: Any
) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["CÔNG AN XÃ CẨM TÂN"])
    sheet.merge_cells("A1:F1")
    sheet.append([])
    sheet.append(["STT", "Ho va ten", "Ngay sinh", "So CCCD", "Thon/To dan pho", "Ma ho"])
    sheet.append([1, "Nguyễn Văn An", datetime.date(1990, 3, 5), "038090000001", "Thôn 1", "H1"])
    sheet.append([2, "Nguyễn Thị Ba", datetime.date(1992, 4, 6), "038192000002", None, None])
    sheet.merge_cells("E4:E5")
    sheet.merge_cells("F4:F5")
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    outcome = run(campaign, tree, users["commune_police"], buffer, filename="ds.xlsx")
    assert outcome.errors == 0
    second = WorkItem.objects.get(personal_id="038192000002")
    assert (second.village, second.household_code) == (tree.village, "H1")
    assert second.birth_date == datetime.date(1992, 4, 6)
