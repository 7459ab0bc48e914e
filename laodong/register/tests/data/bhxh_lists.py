# ruff: noqa: E501
"""The social-insurance office's lists as communes receive them, for the bulk-update tests.

    python -m laodong.register.tests.data.bhxh_lists DIR    # writes the files into DIR

A heading and title block above the table, a two-row merged header ("Bảo hiểm xã hội" over
"Tham gia" and "Loại"), the "(1) (2) (3)" column-number row, IDs and BHXH numbers that Excel
turned into numbers (the leading 0 lost), codes written as words, a row for someone the commune
does not hold, a row whose name does not match the ID, a value the form refuses, the same
person twice, and a total and signature lines under the table. A second file is a CSV keyed
by BHXH number, in the TCVN3 encoding of old office software.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

# (name, birth, ID (int when Excel took it for a number), BHXH number, participates,
# type, employer)
ROWS: list[tuple[Any, ...]] = [
    ("Nguyễn Văn An", "12/03/1990", 38090000301, "3812345678", "Có", "Bắt buộc", "Công ty May Cẩm Thủy"),
    ("Lê Thị Bình", "1992", "038192000302", 381234567, "Có", "Tự nguyện", ""),
    ("Trần Văn Cường", "06/06/1988", "038088000303", "3812345680", "Không", "", ""),
    ("Người Không Có", "01/01/1991", "038091000399", "3812345699", "Có", "Bắt buộc", "Công ty X"),
    ("Tên Khác Hẳn", "04/04/1984", "038084000304", "3812345681", "Có", "Bắt buộc", "Công ty Y"),
    ("Phạm Văn Dũng", "04/04/1984", "038084000305", "3812345682", "Có", "Loại 9", ""),
    ("Nguyễn Văn An", "12/03/1990", "038090000301", "3812345678", "Có", "Bắt buộc", "Công ty May Cẩm Thủy"),
]  # fmt: skip


def bhxh_xlsx(path: Path, rows: list[tuple[Any, ...]] = ROWS) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "DS T10"
    bold, center = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
    sheet["A1"], sheet["E1"] = (
        "BẢO HIỂM XÃ HỘI TỈNH THANH HÓA",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    )
    sheet["A2"], sheet["E2"] = "BẢO HIỂM XÃ HỘI HUYỆN CẨM THỦY", "Độc lập - Tự do - Hạnh phúc"
    sheet["A4"] = "DANH SÁCH NGƯỜI THAM GIA BẢO HIỂM XÃ HỘI CƯ TRÚ TẠI XÃ CẨM TÂN - THÁNG 10/2026"
    for ref in ("A1:D1", "E1:H1", "A2:D2", "E2:H2", "A4:H4"):
        sheet.merge_cells(ref)
    headers = {
        "A": "STT",
        "B": "Họ và tên",
        "C": "Ngày sinh",
        "D": "Số định danh cá nhân",
        "E": "Mã số BHXH",
        "F": "Bảo hiểm xã hội",
        "H": "Nơi làm việc",
    }
    for column, text in headers.items():
        sheet[f"{column}6"] = text
        sheet[f"{column}6"].font, sheet[f"{column}6"].alignment = bold, center
        if column != "F":
            sheet.merge_cells(f"{column}6:{column}7")
    sheet.merge_cells("F6:G6")
    sheet["F7"], sheet["G7"] = "Tham gia BHXH", "Loại BHXH"
    sheet.append([f"({n})" for n in range(1, 9)])  # row 8
    for number, (name, birth, pid, bhxh, joins, kind, employer) in enumerate(rows, start=1):
        sheet.append([number, name, birth, pid, bhxh, joins, kind, employer])
    sheet.append([])
    sheet.append(["", f"Tổng cộng: {len(rows)} người"])
    sheet.append(["", "Người lập biểu", "", "", "", "GIÁM ĐỐC"])
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def tcvn3(text: str) -> bytes:
    """The text as TCVN3 (ABC) office software wrote it (viparse's table reversed)."""
    from viparse.normalize.encodings import CHARMAPS

    reverse = {unicode: legacy for legacy, unicode in CHARMAPS["tcvn3"].pairs}
    return "".join(reverse.get(ch, ch) for ch in text).encode("cp1252")


def bhxh_csv(path: Path) -> Path:
    """Keyed by BHXH number (no ID column), written in TCVN3."""
    lines = [
        "Mã số BHXH,Họ và tên,Loại BHXH,Nơi làm việc",
        "3812345680,Trần Văn Cường,Bắt buộc,Hợp tác xã Cẩm Tân",
        "3812345698,Ai Đó,Bắt buộc,Công ty Z",
    ]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tcvn3("\r\n".join(lines) + "\r\n"))
    return path


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    print(bhxh_xlsx(target / "danh-sach-bhxh-thang-10.xlsx"))
    print(bhxh_csv(target / "danh-sach-bhxh-tcvn3.csv"))
