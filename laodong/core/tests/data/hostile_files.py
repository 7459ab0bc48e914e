"""Files made to hurt a reader: a "zip bomb" (an XLSX whose text part decompresses to far
more than the file's size), rows past the last column, cells too long, NUL bytes, a sheet
that claims 16,384 columns, a file broken part-way. Generated, never committed.

    python -m laodong.core.tests.data.hostile_files OUT_DIR [--bomb-mib 1024]
"""

from __future__ import annotations

import argparse
import io
import zipfile
import zlib
from pathlib import Path

from openpyxl import Workbook

HEADER = ["Họ và tên", "Ngày sinh", "Số định danh cá nhân", "Thôn"]
ROW = ["Nguyễn Văn An", "05/03/1990", "038090000001", "Thôn 1"]


def clean_xlsx(rows: list[list[object]] | None = None) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows or [HEADER, ROW]:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _rewrite(data: bytes, replace: dict[str, bytes]) -> bytes:
    """The same XLSX with some parts replaced (or added)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            if item.filename not in replace:
                target.writestr(item, source.read(item.filename))
        for name, content in replace.items():
            target.writestr(name, content)
    return out.getvalue()


_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_STRINGS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def zip_bomb(mebibytes: int, text_length: int = 1000) -> bytes:
    """An XLSX whose shared-strings part (referenced by the workbook, so a reader loads it)
    decompresses to about `mebibytes` MiB of strings `text_length` long: a 1 GiB part makes a
    file of about 3 MB. The part is compressed in chunks, never held whole. With short
    strings, a part just under the limit is the most memory a reader can be made to hold."""
    base = clean_xlsx()
    source = zipfile.ZipFile(io.BytesIO(base))
    types = source.read("[Content_Types].xml").decode()
    types = types.replace(
        "</Types>",
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_STRINGS_TYPE}"/></Types>',
    )
    rels = source.read("xl/_rels/workbook.xml.rels").decode()
    rels = rels.replace(
        "</Relationships>",
        f'<Relationship Id="rIdBomb" Type="{_STRINGS_REL}" Target="sharedStrings.xml"/>'
        "</Relationships>",
    )
    replaced = {"[Content_Types].xml": types.encode(), "xl/_rels/workbook.xml.rels": rels.encode()}
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            target.writestr(item, replaced.get(item.filename, source.read(item.filename)))
        with target.open("xl/sharedStrings.xml", "w", force_zip64=True) as part:
            part.write(b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">')
            item = b"<si><t>" + b"A" * text_length + b"</t></si>"
            block = item * (2**20 // len(item))
            for _ in range(mebibytes):
                part.write(block)
            part.write(b"</sst>")
    return out.getvalue()


def lying_bomb(declared: int) -> bytes:
    """An XLSX whose text part declares `declared` bytes decompressed (the reader must trust
    the declaration, which Python's ZIP reader enforces)."""
    data = bytearray(zip_bomb(1))
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    offset = next(
        i.header_offset for i in archive.infolist() if i.filename == "xl/sharedStrings.xml"
    )
    central = data.find(b"PK\x01\x02")
    while central != -1:
        name_length = int.from_bytes(data[central + 28 : central + 30], "little")
        name = bytes(data[central + 46 : central + 46 + name_length])
        if name == b"xl/sharedStrings.xml":
            data[central + 24 : central + 28] = declared.to_bytes(4, "little")
        central = data.find(b"PK\x01\x02", central + 4)
    data[offset + 22 : offset + 26] = declared.to_bytes(4, "little")
    return bytes(data)


def wide_sheet() -> bytes:
    """A sheet whose dimension claims A1:XFD5 and whose rows have an empty far cell."""
    data = clean_xlsx()
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    sheet = sheet.replace('<dimension ref="A1:D2" />', '<dimension ref="A1:XFD5" />')
    assert "XFD5" in sheet
    return _rewrite(data, {"xl/worksheets/sheet1.xml": sheet.encode()})


def data_beyond_columns(column: int) -> bytes:
    row = [*ROW] + [None] * (column - len(ROW) - 1) + ["x"]
    return clean_xlsx([HEADER, ROW, row])


def broken_part_way() -> bytes:
    """A sheet whose XML stops in the middle of its third row."""
    data = clean_xlsx([HEADER, ROW, ROW, ROW])
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml").decode()
    cut = sheet.index('<row r="3"') + 40
    return _rewrite(data, {"xl/worksheets/sheet1.xml": sheet[:cut].encode()})


CSV_HEADER = "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n"


def csv_with_nul() -> bytes:
    return (CSV_HEADER + "Nguyễn\x00An,1990,038090000001,Thôn 1\n").encode()


def csv_long_cell(length: int) -> bytes:
    return (
        "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n"
        + "A" * length
        + ",1990,038090000001,Thôn 1\n"
    ).encode()


def csv_not_utf8_late(rows: int = 3000) -> bytes:
    """UTF-8 for the first 64 KB (so the encoding sniff passes), then a Windows-1258 byte."""
    good = "Nguyễn Văn An,05/03/1990,038090000001,Thôn 1\n" * rows
    return (
        "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n" + good
    ).encode() + b"Nguy\xd2n,1990,038090000002,Th\xf4n 1\n"


def deflate_ratio(data: bytes) -> float:
    return len(zlib.compress(data)) / max(1, len(data))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--bomb-mib", type=int, default=1024)
    arguments = parser.parse_args()
    arguments.out.mkdir(parents=True, exist_ok=True)
    files = {
        "bomb.xlsx": zip_bomb(arguments.bomb_mib),
        # The most a file within the default limits can make a reader hold: 7 MiB of
        # one-letter strings (about half a million).
        "text-at-limit.xlsx": zip_bomb(7, text_length=1),
        "lying-bomb.xlsx": lying_bomb(2**31),
        "wide.xlsx": wide_sheet(),
        "beyond-columns.xlsx": data_beyond_columns(600),
        "broken.xlsx": broken_part_way(),
        "nul.csv": csv_with_nul(),
        "long-cell.csv": csv_long_cell(40_000),
        "not-utf8-late.csv": csv_not_utf8_late(),
    }
    for name, content in files.items():
        (arguments.out / name).write_bytes(content)
        print(f"{name}: {len(content):,} bytes")


if __name__ == "__main__":
    main()
