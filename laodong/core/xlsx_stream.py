"""Write an XLSX file as a stream of bytes, row by row, in constant memory.

An XLSX file is a zip of XML parts. Python's zipfile writes to a stream it cannot seek (with data
descriptors), so each row's XML is compressed and handed to the HTTP response as it is made: a
province-sized export starts downloading at once instead of timing out while a file is built.
Rows go into sheets of at most a million rows (Excel's limit is 1,048,576).
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from xml.sax.saxutils import escape

ROWS_PER_SHEET = 1_000_000
_END = object()
_CHUNK = 64 * 1024
# Characters XML 1.0 does not allow; a stray one in a name would make the file unreadable.
_FORBIDDEN = {c: None for c in range(32) if c not in (9, 10, 13)}
_FORBIDDEN_FOUND = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]").search


class _Pipe:
    """A write-only file whose written bytes are collected and taken out by the generator."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []
        self.size = 0
        self.position = 0

    def write(self, data: bytes) -> int:
        self.parts.append(bytes(data))
        self.size += len(data)
        self.position += len(data)
        return len(data)

    def tell(self) -> int:
        return self.position

    def flush(self) -> None:
        return None

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def cell(value: object) -> str:
    """One cell's XML: a number as a number, anything else as text."""
    if value is None or value == "":
        return "<c/>"
    if isinstance(value, bool):
        value = "x" if value else ""
    if isinstance(value, int | float):
        return f"<c><v>{value}</v></c>"
    text = str(value)
    if _FORBIDDEN_FOUND(text):
        text = text.translate(_FORBIDDEN)
    text = escape(text)
    return f'<c t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(values: Iterable[object], style: str = "") -> str:
    return f"<row{style}>{''.join(cell(v) for v in values)}</row>"


_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>'
)
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border/></borders>'
    '<cellStyleXfs count="1"><xf/></cellStyleXfs>'
    '<cellXfs count="2"><xf xfId="0"/><xf xfId="0" fontId="1" applyFont="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)


def stream_xlsx(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    sheet_name: str = "Danh sách",
    column_widths: Sequence[float] = (),
    title: str = "",
    creator: str = "",
    about: Callable[[int], Sequence[tuple[str, str]]] | None = None,
    prepared: bool = False,
) -> Iterator[bytes]:
    """Yield the bytes of an XLSX with `header` in bold, frozen, then `rows`.

    `about(row_count)` gives the lines of a last sheet that says what the file is (who made it,
    when, how many rows), written once the rows are known. With `prepared`, each row is a list
    of cells' XML already made (by `cell`, or looked up from cells made once per column)."""
    pipe = _Pipe()
    archive = zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=5)  # type: ignore[call-overload]
    widths = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(column_widths, start=1)
    )
    head = _SHEET_HEAD + (f"<cols>{widths}</cols>" if widths else "") + "<sheetData>"
    head += _row(header, ' s="1" customFormat="1"')
    sheets = 0
    total = 0
    iterator = iter(rows)
    pending = next(iterator, _END)
    while True:
        sheets += 1
        with archive.open(f"xl/worksheets/sheet{sheets}.xml", "w", force_zip64=True) as part:
            part.write(head.encode())
            written = 0
            buffer: list[str] = []
            while pending is not _END and written < ROWS_PER_SHEET:
                if prepared:
                    buffer.append(f"<row>{''.join(pending)}</row>")  # type: ignore[arg-type]
                else:
                    buffer.append(_row(pending))  # type: ignore[arg-type]
                written += 1
                pending = next(iterator, _END)
                if len(buffer) >= 500:
                    part.write("".join(buffer).encode())
                    buffer = []
                    if pipe.size >= _CHUNK:
                        yield pipe.take()
            part.write(("".join(buffer) + "</sheetData></worksheet>").encode())
            total += written
        if pipe.size:
            yield pipe.take()
        if pending is _END:
            break
    names = [sheet_name if n == 1 else f"{sheet_name} ({n})" for n in range(1, sheets + 1)]
    if about is not None:
        sheets += 1
        names.append("Thông tin")
        lines = "".join(_row(line) for line in about(total))
        archive.writestr(
            f"xl/worksheets/sheet{sheets}.xml",
            _SHEET_HEAD.replace('state="frozen"', 'state="split"')
            + '<cols><col min="1" max="2" width="40" customWidth="1"/></cols>'
            + f"<sheetData>{lines}</sheetData></worksheet>",
        )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for n in range(1, sheets + 1)
            )
            + '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            "</Relationships>"
        ),
        "docProps/core.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
            "</cp:coreProperties>"
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            "<sheets>"
            + "".join(
                f'<sheet name="{escape(name[:31])}" sheetId="{n}" r:id="rId{n}"/>'
                for n, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{n}" Type="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships/worksheet" '
                f'Target="worksheets/sheet{n}.xml"/>'
                for n in range(1, sheets + 1)
            )
            + f'<Relationship Id="rId{sheets + 1}" Type="http://schemas.openxmlformats.org/'
            'officeDocument/2006/relationships/styles" Target="styles.xml"/>'
            "</Relationships>"
        ),
        "xl/styles.xml": _STYLES,
    }
    for name, xml in parts.items():
        archive.writestr(name, xml)
    archive.close()
    yield pipe.take()
