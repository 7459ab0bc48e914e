"""A commune's own list of workers, as a working group keeps it, for reconciliation tests:
a TCVN3 CSV with a title block, the column-number row, most people without an ID and written
the usual ways (no diacritics, "Thị" left out, a typo, day and month swapped, a year only),
a total and a signature under the table. Its people are those of the police list in
collection/tests/data/messy_lists.py.

    python -m laodong.reconcile.tests.data.commune_lists DIR
"""

from __future__ import annotations

import sys
from pathlib import Path

from laodong.register.tests.data.bhxh_lists import tcvn3

# Name, birth, sex, ID, village, household — and the police list's row each is (0: nobody).
PEOPLE = [
    ("Nguyen Van An", "03/05/1990", "Nam", "", "Thôn Tân Phong", "HGD01", 1),
    ("Lê Bình", "07/08/1992", "Nữ", "", "Tân Phong", "HGD01", 2),
    ("Nguyễn Văn Cường", "01/01/2009", "Nam", "", "thôn Tân Phong", "HGD01", 3),
    ("Vũ Thị Hao", "05/05/1995", "Nữ", "", "TDP 5", "HGD03", 7),
    ("Bùi Thị Lan", "20/10/2011", "Nữ", "038311000009", "Thôn 1", "HGD04", 9),
    ("Lò Văn Minh", "1960", "Nam", "", "Thôn 1", "HGD04", 10),
    ("Quách Văn Phúc", "15/09/1993", "Nam", "", "Thôn 1", "HGD05", 12),
    # Same name and village as the police list's row 12, another birth date: someone else.
    ("Quách Văn Phúc", "15/09/1963", "Nam", "", "Thôn 1", "HGD09", 0),
    ("Đinh Thị Xuân", "02/02/1980", "Nữ", "", "Thôn 1", "HGD07", 0),
]
# The data rows of the police list (1 = first row under its two-row header, which is the
# column-number row): person n of messy_lists.PEOPLE is data row n + 1.
POLICE_ROW_OFFSET = 1


def commune_csv(path: Path) -> Path:
    lines = [
        "UBND xã Cẩm Tân,,,,,,",
        "Danh sách người lao động thu thập đợt 1,,,,,,",
        ",,,,,,",
        "STT,Họ và tên,Ngày sinh,Giới tính,Số CCCD,Thôn,Mã hộ",
        "(1),(2),(3),(4),(5),(6),(7)",
    ]
    for number, (name, birth, sex, pid, village, household, _row) in enumerate(PEOPLE, 1):
        lines.append(f"{number},{name},{birth},{sex},{pid},{village},{household}")
    lines += [f"Tổng cộng: {len(PEOPLE)} người,,,,,,", ",Người lập biểu,,,,Tổ trưởng,"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(tcvn3("\r\n".join(lines) + "\r\n"))
    return path


if __name__ == "__main__":
    print(commune_csv(Path(sys.argv[1] if len(sys.argv) > 1 else ".") / "danh-sach-xa.csv"))
