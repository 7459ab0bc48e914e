# ruff: noqa: E501
"""Police lists written the way commune police really export them, for tests.

    python -m laodong.collection.tests.data.messy_lists    # rewrites the files beside this one

A national heading and a title block above the table, a two-row merged header ("Nơi thường trú"
over "Thôn/Tổ dân phố" and "Địa chỉ"), the "(1) (2) (3)" column-number row, IDs that Excel
turned into numbers (the leading 0 lost), dates as dates, as text and as a year only, one
village written three ways and two villages the commune's catalogue does not know ("Xóm 3",
"TDP 5"), remarks in the police's words, a total and a signature block under the table.
"""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

HERE = Path(__file__).resolve().parent
day = datetime.date

# Name, birth (date, text or year), sex, ID (int when Excel took it for a number), village,
# household, relation to the head, remark.
PEOPLE: list[tuple[Any, ...]] = [
    ("Nguyễn Văn An", day(1990, 3, 5), "Nam", 38090012345, "Thôn Tân Phong", "HGD01", "Chủ hộ", ""),
    ("LÊ THỊ BÌNH", "07/08/1992", "Nữ", "038192000002", "thôn tân phong", "HGD01", "Vợ", ""),
    ("Nguyễn Văn Cường", "2009", "Nam", "038209000003", "Tân Phong", "HGD01", "Con", ""),
    ("Trần Văn Dũng", day(1970, 1, 1), "Nam", 38070000004, "Xóm 3", "HGD02", "Chủ hộ", "Đã khai tử"),
    ("Phạm Thị Em", "1975", "Nữ", "038175000005", "Xóm 3", "HGD02", "Vợ", ""),
    ("Hoàng Văn Giang", day(2000, 2, 2), "Nam", "038200000006", "Xóm 3", "HGD02", "Con", "Đang tại ngũ"),
    ("Vũ Thị Hoa", day(1995, 5, 5), "Nữ", "038195000007", "TDP 5", "HGD03", "Chủ hộ", ""),
    ("Đỗ Văn Hùng", "1998", "Nam", "038098000008", "TDP 5", "HGD03", "Chồng", "Đi làm ăn xa"),
    ("Bùi Thị Lan", day(2011, 10, 20), "Nữ", "038311000009", "Thôn 1", "HGD04", "Con", ""),
    ("Lò Văn Minh", day(1960, 6, 6), "Nam", 12345678, "Thôn 1", "HGD04", "Chủ hộ", ""),
    ("Hà Thị Nga", "1988", "Nữ", "038188000011", "Thôn 1", "HGD05", "Chủ hộ", "Xóa đăng ký thường trú"),
    ("Quách Văn Phúc", "15/09/1993", "Nam", "038093000012", "Thôn 1", "HGD05", "Con", ""),
]  # fmt: skip


def messy_police_list(path: Path, people: list[tuple[Any, ...]] = PEOPLE) -> Path:
    """Write the list as an XLSX file like the population database's software exports."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "DS 15 tuoi"
    bold, center = Font(bold=True), Alignment(horizontal="center", wrap_text=True)
    sheet["A1"], sheet["F1"] = "CÔNG AN TỈNH THANH HÓA", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    sheet["A2"], sheet["F2"] = "CÔNG AN XÃ CẨM TÂN", "Độc lập - Tự do - Hạnh phúc"
    for ref in ("A1:D1", "F1:J1", "A2:D2", "F2:J2", "A4:J4", "A5:J5"):
        sheet.merge_cells(ref)
    sheet["A4"] = "DANH SÁCH CÔNG DÂN TỪ ĐỦ 15 TUỔI TRỞ LÊN ĐANG CƯ TRÚ TRÊN ĐỊA BÀN"
    sheet["A5"] = "(Kèm theo Kế hoạch số 215/KH-UBND ngày 02/11/2026 của UBND xã Cẩm Tân)"
    headers = {
        "A": "STT",
        "B": "Họ và tên",
        "C": "Ngày, tháng, năm sinh",
        "D": "Giới tính",
        "E": "Số định danh cá nhân",
        "F": "Nơi thường trú",
        "H": "Mã hộ",
        "I": "Quan hệ với chủ hộ",
        "J": "Ghi chú",
    }
    for column, text in headers.items():
        sheet[f"{column}7"] = text
        sheet[f"{column}7"].font, sheet[f"{column}7"].alignment = bold, center
        if column != "F":
            sheet.merge_cells(f"{column}7:{column}8")
    sheet.merge_cells("F7:G7")
    sheet["F8"], sheet["G8"] = "Thôn/Tổ dân phố", "Địa chỉ"
    sheet.append([f"({n})" for n in range(1, 11)])  # row 9
    for number, (name, birth, sex, pid, village, household, relation, note) in enumerate(
        people, start=1
    ):
        address = f"{village}, xã Cẩm Tân, tỉnh Thanh Hóa"
        sheet.append([number, name, birth, sex, pid, village, address, household, relation, note])
        if isinstance(birth, datetime.date):
            sheet.cell(row=sheet.max_row, column=3).number_format = "dd/mm/yyyy"
    last = sheet.max_row
    sheet.append([f"Tổng số: {len(people)} người"])
    sheet.merge_cells(f"A{last + 1}:J{last + 1}")
    sheet.append([])
    sheet.append([None, "NGƯỜI LẬP BIỂU", None, None, None, None, "TRƯỞNG CÔNG AN XÃ"])
    sheet.append([None, "(Ký, ghi rõ họ tên)", None, None, None, None, "(Ký, ghi rõ họ tên)"])
    sheet.append([])
    sheet.append([None, "Nguyễn Văn Lập", None, None, None, None, "Lê Văn Trưởng"])
    for column, width in zip("ABCDEFGHIJ", (5, 24, 14, 8, 16, 18, 34, 9, 12, 22), strict=True):
        sheet.column_dimensions[column].width = width
    book.save(path)
    return path


if __name__ == "__main__":
    print(messy_police_list(HERE / "danh-sach-cong-an-xa.xlsx"))
