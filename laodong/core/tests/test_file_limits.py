"""No file can make a reader decompress, hold or loop over more than the limits allow; every
refusal says in Vietnamese what is wrong and where (issue 11, finding 1 and 2)."""

from __future__ import annotations

import io
import resource

import pytest
from django.test import override_settings

from laodong.core.tabular import Column, TableError, read_table
from laodong.core.tests.data import hostile_files as hostile

COLUMNS = [
    Column("full_name", "Họ và tên"),
    Column("birth_date", "Ngày sinh"),
    Column("personal_id", "Số định danh cá nhân"),
    Column("village", "Thôn", required=False),
]


def read(content: bytes, name: str) -> list[dict[str, str]]:
    return [record for _number, record in read_table(io.BytesIO(content), name, COLUMNS).rows]


def refusal(content: bytes, name: str) -> str:
    with pytest.raises(TableError) as caught:
        read(content, name)
    return str(caught.value)


def test_a_clean_file_reads() -> None:
    assert read(hostile.clean_xlsx(), "ds.xlsx")[0]["personal_id"] == "038090000001"


def test_a_zip_bomb_is_refused_before_anything_is_decompressed() -> None:
    bomb = hostile.zip_bomb(200)  # 200 MiB of text in a file of about 0.6 MB
    assert len(bomb) < 1_000_000
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    message = refusal(bomb, "ds.xlsx")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert "Phần chữ của tệp Excel này lớn 200 MB, quá giới hạn 8 MB" in message
    assert grown < 50_000  # kilobytes: nothing was decompressed


def test_a_file_that_lies_about_its_sizes_cannot_get_past() -> None:
    message = refusal(hostile.lying_bomb(2**31), "ds.xlsx")
    assert "khi giải nén lớn 2.048 MB, quá giới hạn 400 MB" in message
    with override_settings(LAODONG_FILE_LIMITS={"shared_strings": 2**32}):
        # Allowed by the limits, the reader still stops at the declared size: the file is
        # damaged, not a way to decompress more.
        message = refusal(hostile.lying_bomb(10_000), "ds.xlsx")
    assert "Không đọc được tệp Excel" in message or "hỏng" in message


@override_settings(LAODONG_FILE_LIMITS={"uncompressed": 1024 * 1024})
def test_the_whole_archive_is_bounded_too() -> None:
    assert "khi giải nén lớn 2 MB, quá giới hạn 1 MB" in refusal(hostile.zip_bomb(2), "ds.xlsx")


@override_settings(LAODONG_FILE_LIMITS={"rows": 3})
def test_too_many_rows() -> None:
    content = (hostile.CSV_HEADER + "An,1990,038090000001,Thôn 1\n" * 5).encode()
    assert "Tệp có hơn 3 dòng" in refusal(content, "ds.csv")


def test_data_beyond_the_last_column_allowed_is_named() -> None:
    message = refusal(hostile.data_beyond_columns(600), "ds.xlsx")
    assert "Dòng 3 có dữ liệu ở cột WB, quá giới hạn 500 cột" in message


def test_a_sheet_claiming_16384_columns_reads_at_its_own_width() -> None:
    rows = read(hostile.wide_sheet(), "ds.xlsx")
    assert rows == [
        {
            "full_name": "Nguyễn Văn An",
            "birth_date": "05/03/1990",
            "personal_id": "038090000001",
            "village": "Thôn 1",
        }
    ]


def test_a_cell_too_long_is_named() -> None:
    assert "Ô A2 dài hơn 32.767 ký tự" in refusal(hostile.csv_long_cell(40_000), "ds.csv")


def test_a_nul_character_is_named_never_a_system_error() -> None:
    assert "Ô A2 có ký tự lạ (NUL" in refusal(hostile.csv_with_nul(), "ds.csv")


def test_a_file_broken_part_way_names_the_row() -> None:
    assert "Tệp bị hỏng từ dòng 3" in refusal(hostile.broken_part_way(), "ds.xlsx")


def test_bytes_not_in_utf8_late_in_a_csv_name_the_row() -> None:
    message = refusal(hostile.csv_not_utf8_late(), "ds.csv")
    assert "Ô A3002 có ký tự không ở mã UTF-8" in message
