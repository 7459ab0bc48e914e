"""Files typed with .VnTime (TCVN3/ABC) or VNI-Times fonts are read as Unicode."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook

from laodong.accounts.models import Role, User
from laodong.conftest import Tree
from laodong.core.tabular import Column, read_table
from laodong.core.text import convert_legacy, detect_legacy_encoding
from laodong.forms.samples import SampleForms
from laodong.units.actions import import_villages
from laodong.units.models import Level, Unit

# The national heading as it appears in real documents typed in each encoding, as bytes.
TCVN3_HEADING = b"C\xe9ng ho\xb5 x\xb7 h\xe9i ch\xf1 ngh\xdca Vi\xd6t Nam"
VNI_HEADING = b"Co\xe4ng ho\xf8a xa\xf5 ho\xe4i chu\xfb ngh\xf3a Vie\xe4t Nam"


def encode_legacy(text: str, encoding: str) -> str:
    """Unicode → the legacy surface text, by reversing viparse's table (test helper)."""
    from viparse.normalize.encodings import CHARMAPS

    reverse = {unicode: legacy for legacy, unicode in CHARMAPS[encoding].pairs}
    return "".join(reverse.get(ch, ch) for ch in text)


@pytest.mark.parametrize(
    ("raw", "encoding", "expected"),
    [
        (TCVN3_HEADING, "tcvn3", "Cộng hoà xã hội chủ nghĩa Việt Nam"),
        (VNI_HEADING, "vni", "Cộng hòa xã hội chủ nghĩa Việt Nam"),
    ],
)
def test_real_byte_sequences_are_recognised_and_converted(
    raw: bytes, encoding: str, expected: str
) -> None:
    text = raw.decode("cp1252")
    assert detect_legacy_encoding(text) == encoding
    assert convert_legacy(text, encoding) == expected


def test_unicode_text_is_never_converted() -> None:
    people = SampleForms(seed=3).rows(300)
    sample = "\n".join(
        f"{p['full_name']} {p['village']} {p.get('job_description', '')}" for p in people
    )
    assert detect_legacy_encoding(sample) is None
    assert detect_legacy_encoding("Cộng hòa xã hội chủ nghĩa Việt Nam") is None


VILLAGES = [
    "Thôn Đông Sơn",
    "Thôn Bắc Thượng",
    "Xóm Mường Khói",
    "Bản Lũng Tiến",
    "Tổ dân phố Hạnh Phúc",
]


def _rows(encoding: str) -> list[list[str]]:
    title = ["Cộng hòa xã hội chủ nghĩa Việt Nam", ""]
    motto = ["Độc lập - Tự do - Hạnh phúc", ""]
    rows = [title, motto, ["Mã xã", "Tên thôn"]] + [["15178", name] for name in VILLAGES]
    return [[encode_legacy(cell, encoding) for cell in row] for row in rows]


def test_tcvn3_csv_bytes_import_as_unicode(tree: Tree, users: dict[str, User]) -> None:
    lines = [";".join(row) for row in _rows("tcvn3")]
    content = "\r\n".join(lines).encode("cp1252")
    assert content.startswith(TCVN3_HEADING[:4])  # the same bytes as in real documents
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=io.BytesIO(content), filename="thon.csv"
    )
    assert report.ok, [str(e) for e in report.errors]
    assert report.encoding_name == "TCVN3 (ABC)"
    names = set(
        Unit.objects.filter(parent=tree.commune, level=Level.VILLAGE).values_list("name", flat=True)
    )
    assert set(VILLAGES) <= names


def test_vni_text_in_an_xlsx_imports_as_unicode(tree: Tree, users: dict[str, User]) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in _rows("vni"):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    report = import_villages(
        acting_user=users[Role.COMMUNE_LEADER], stream=buffer, filename="thon.xlsx"
    )
    assert report.ok, [str(e) for e in report.errors]
    assert report.encoding_name == "VNI"
    assert Unit.objects.filter(parent=tree.commune, name="Bản Lũng Tiến").exists()


def test_plain_unicode_files_report_no_encoding() -> None:
    content = "Mã xã,Tên thôn\n15178,Thôn Đông Sơn\n".encode()
    table = read_table(
        io.BytesIO(content), "x.csv", [Column("code", "Mã xã"), Column("name", "Tên thôn")]
    )
    assert table.encoding is None
    assert table.rows == [(2, {"code": "15178", "name": "Thôn Đông Sơn"})]
