"""A report as data (heading, sections of rows, signatures), written out as XLSX, PDF, CSV or JSON.

Every report (progress, statistics, changes, the periodic report) builds one Document, so the
screen, the Excel file, the printed A4 page and the command line show the same figures.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from laodong.core.cells import csv_row, no_formulas
from laodong.forms.pdf import (
    FONT,
    NumberedPage,
    keep_together,
    national_heading,
    signature_blocks,
    signature_title,
)
from laodong.units.models import Level, Unit

Value = str | int | float | datetime.date | None
FORMATS = ("xlsx", "pdf", "csv", "json")
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


@dataclass
class SectionRow:
    cells: list[Value]
    depth: int = 1  # 0 = a total (bold), 1 = an item, 2 = a sub-item (indented)
    late: bool = False  # shown in red: a unit behind its deadline


@dataclass
class Section:
    title: str
    columns: list[str]  # the first column holds the row labels
    rows: list[SectionRow] = field(default_factory=list)
    note: str = ""
    # The columns after the first hold words, not figures (headings aligned left on screen).
    words: bool = False

    def add(self, *cells: Value, depth: int = 1, late: bool = False) -> None:
        self.rows.append(SectionRow(list(cells), depth, late))


@dataclass
class Document:
    kind: str  # "progress", "statistics", "changes", "periodic"
    title: str
    period: str  # e.g. "Số liệu đến hết ngày 22/11/2026"
    unit: Unit
    made_by: str
    made_at: datetime.datetime = field(default_factory=lambda: timezone.now())
    sections: list[Section] = field(default_factory=list)
    # A report sent up the tree carries its sign-off ("Đã duyệt: … lúc …", or that it is a draft)
    # and the names printed under the two signature blocks (the maker, the leader who approved).
    approval: str = ""
    signed_by: tuple[str, str] = ("", "")

    @property
    def issuer(self) -> str:
        """The body that makes the report, as in an official heading ("UBND XÃ CẨM TÂN")."""
        if self.unit.level == Level.COUNTRY:
            return "BỘ NỘI VỤ"
        # A village has no people's committee: its figures are the commune's to issue.
        issuing = self.unit.parent if self.unit.level == Level.VILLAGE else self.unit
        assert issuing is not None
        return f"UBND {issuing.label().upper()}"

    def filename(self, extension: str) -> str:
        return f"{self.kind}-{self.unit.code or self.unit.pk}-{self.made_at:%Y%m%d}.{extension}"

    def render(self, output_format: str) -> bytes:
        renderer = {"xlsx": to_xlsx, "pdf": to_pdf, "csv": to_csv, "json": to_json}
        return renderer[output_format](self)


def _made_text(document: Document) -> str:
    made = timezone.localtime(document.made_at)
    return _("Lập lúc %(time)s ngày %(day)s, người lập: %(user)s") % {
        "time": made.strftime("%H:%M"),
        "day": made.strftime("%d/%m/%Y"),
        "user": document.made_by,
    }


def _number_format(value: object) -> str:
    if isinstance(value, float):
        return "0.0"
    return "#,##0"


def is_percent_column(title: str) -> bool:
    """A column of percentages ("%", "% thu thập", "Tỷ lệ")."""
    return title.strip().startswith("%") or title.strip().lower().startswith("tỷ lệ")


def _text_columns(section: Section) -> set[int]:
    """Columns holding words (unit names, round names, states), aligned left as text is."""
    found = {0}
    for row in section.rows:
        for index, value in enumerate(row.cells):
            if isinstance(value, str) and value.strip():
                found.add(index)
    return found


def signers(document: Document) -> list[tuple[list[str], str]]:
    """The two signature blocks: the maker, and the head as the issuing body signs."""
    national = document.unit.level == Level.COUNTRY
    return [
        ([_("NGƯỜI LẬP BIỂU")], _("(Ký, ghi rõ họ tên)")),
        (signature_title(national=national), _("(Ký tên, đóng dấu)")),
    ]


def to_xlsx(document: Document) -> bytes:
    """One sheet laid out like the printed report: heading, sections, signatures."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Báo cáo")[:31]
    width = max(len(section.columns) for section in document.sections) if document.sections else 2
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    centered = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(text: str, *, font: Font | None = None, align: str = "center") -> None:
        sheet.append([text])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1)
        cell.alignment = Alignment(horizontal=align, wrap_text=True)
        if font is not None:
            cell.font = font

    line(document.issuer, font=bold, align="left")
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold)
    line("Độc lập - Tự do - Hạnh phúc", font=Font(bold=True, italic=True))
    sheet.append([])
    line(document.title.upper(), font=Font(bold=True, size=13))
    line(document.unit.label(), font=bold)
    line(document.period, font=Font(italic=True))
    line(_made_text(document), font=Font(italic=True, color="666666"))
    if document.approval:
        line(document.approval, font=bold)
    for section in document.sections:
        sheet.append([])
        line(section.title, font=bold, align="left")
        sheet.append(section.columns)
        # Only the section's own columns: a wider section elsewhere must not box empty cells.
        for cell in sheet[sheet.max_row][: len(section.columns)]:
            cell.font, cell.fill, cell.alignment, cell.border = bold, header_fill, centered, box
        percent = {i for i, title in enumerate(section.columns) if is_percent_column(title)}
        for row in section.rows:
            label, *values = row.cells
            indent = "    " * max(row.depth - 1, 0)
            written: list[Any] = [f"{indent}{label}"]
            for index, value in enumerate(values, start=1):
                if index in percent and isinstance(value, int | float):
                    # A real percentage: Excel computes and formats it as one.
                    value = value / 100
                written.append(value)
            sheet.append(written)
            for column, cell in enumerate(sheet[sheet.max_row][: len(row.cells)], start=1):
                cell.border = box
                content = cell.value
                if isinstance(content, datetime.date):
                    cell.number_format = "dd/mm/yyyy"
                    cell.alignment = Alignment(horizontal="center")
                elif isinstance(content, str):
                    cell.alignment = Alignment(horizontal="left", wrap_text=column > 1)
                elif column - 1 in percent:
                    cell.number_format = "0.0%"
                elif column > 1:
                    cell.number_format = _number_format(content)
                if row.depth == 0:
                    cell.font = bold
                if row.late:
                    cell.font = Font(bold=row.depth == 0, color="B00020")
        if section.note:
            line(section.note, font=Font(italic=True), align="left")
    sheet.append([])
    (left, left_hint), (right, right_hint) = signers(document)
    for index in range(max(len(left), len(right))):
        sheet.append(
            [
                left[index] if index < len(left) else None,
                *[None] * (width - 2),
                right[index] if index < len(right) else None,
            ]
        )
        for cell in sheet[sheet.max_row]:
            cell.font, cell.alignment = bold, Alignment(horizontal="center")
    sheet.append([left_hint, *[None] * (width - 2), right_hint])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment = Font(italic=True), Alignment(horizontal="center")
    if any(document.signed_by):
        sheet.append([])
        sheet.append([document.signed_by[0], *[None] * (width - 2), document.signed_by[1]])
        for cell in sheet[sheet.max_row]:
            cell.font, cell.alignment = bold, Alignment(horizontal="center")
    sheet.column_dimensions["A"].width = 52
    for column in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 14
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if width > 8 else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    workbook.properties.creator = document.made_by
    workbook.properties.title = document.title
    buffer = io.BytesIO()
    no_formulas(workbook)
    workbook.save(buffer)
    return buffer.getvalue()


def _text(value: Value) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return value


def to_pdf(document: Document) -> bytes:
    """A4 pages with the official heading, each section as a table, and the signature block."""
    width = max((len(s.columns) for s in document.sections), default=2)
    pdf = NumberedPage(landscape=width > 8)
    pdf.set_font(FONT, "", 10)
    pdf.set_title(document.title)
    pdf.set_creator("laodong")
    pdf.add_page()
    national_heading(pdf, [("B", document.issuer)])
    pdf.ln(6)
    pdf.set_font(FONT, "B", 14)
    pdf.multi_cell(0, 7, document.title.upper(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, 6, document.unit.label(), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 10)
    pdf.cell(0, 5, document.period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, _made_text(document), align="C", new_x="LMARGIN", new_y="NEXT")
    if document.approval:
        pdf.set_font(FONT, "B", 10)
        pdf.multi_cell(0, 5, document.approval, align="C", new_x="LMARGIN", new_y="NEXT")
    heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
    # The last rows of the last table stay with the signatures (never alone on a page).
    kept = 3
    for number, section in enumerate(document.sections, start=1):
        last = number == len(document.sections)
        pdf.ln(3)
        if pdf.get_y() > pdf.h - 40:
            pdf.add_page()
        pdf.set_font(FONT, "B", 11)
        pdf.multi_cell(0, 6, section.title, new_x="LMARGIN", new_y="NEXT")
        rows = section.rows[:-kept] if last else section.rows
        if rows or not last:
            _pdf_table(pdf, section, rows, heading, with_heading=True)
        if not last:
            _pdf_note(pdf, section)
    closing = document.sections[-1] if document.sections else None

    def close(target: FPDF, new_page: bool) -> None:
        if closing is not None:
            tail = closing.rows[-kept:]
            if tail:
                top = new_page or len(closing.rows) <= kept
                _pdf_table(target, closing, tail, heading, with_heading=top)
            _pdf_note(target, closing)
        target.ln(6)
        _pdf_signatures(target, document)

    keep_together(pdf, close)
    pdf.alias_nb_pages()
    return bytes(pdf.output())


def _pdf_table(
    pdf: FPDF, section: Section, rows: list[SectionRow], heading: FontFace, *, with_heading: bool
) -> None:
    pdf.set_font(FONT, "", 9.5)
    count = len(section.columns)
    label_width = 85 if count <= 5 else 55
    other = (pdf.w - pdf.l_margin - pdf.r_margin - label_width) / max(count - 1, 1)
    texts = _text_columns(section)
    with pdf.table(
        col_widths=(label_width, *[other] * (count - 1)),
        width=pdf.w - pdf.l_margin - pdf.r_margin,
        text_align=tuple("LEFT" if i in texts else "RIGHT" for i in range(count)),
        headings_style=heading,
        first_row_as_headings=with_heading,
        line_height=5,
    ) as table:
        if with_heading:
            table.row(section.columns)
        for row in rows:
            label, *values = row.cells
            style = FontFace(
                emphasis="BOLD" if row.depth == 0 else None,
                color=(176, 0, 32) if row.late else None,
            )
            indent = "   " * max(row.depth - 1, 0)
            table.row([f"{indent}{label}", *(_text(v) for v in values)], style=style)


def _pdf_note(pdf: FPDF, section: Section) -> None:
    if section.note:
        pdf.set_font(FONT, "I", 9)
        pdf.multi_cell(0, 5, section.note, new_x="LMARGIN", new_y="NEXT")


def _pdf_signatures(pdf: FPDF, document: Document) -> None:
    blocks = signers(document)
    names = [*document.signed_by, *[""] * len(blocks)]
    signature_blocks(pdf, [(titles, hint, names[i]) for i, (titles, hint) in enumerate(blocks)])


def to_csv(document: Document) -> bytes:
    """Long format for other tools: one line per figure row, the section title first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        csv_row([document.title, document.unit.label(), document.period, _made_text(document)])
    )
    for section in document.sections:
        writer.writerow([])
        writer.writerow(csv_row([section.title, *section.columns]))
        for row in section.rows:
            writer.writerow(csv_row(["", *(_csv_cell(cell) for cell in row.cells)]))
    # A byte-order mark so that Excel opens Vietnamese text as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode()


def _csv_cell(value: Value) -> Value:
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def as_data(document: Document) -> dict[str, Any]:
    return {
        "report": document.kind,
        "title": document.title,
        "unit": {"code": document.unit.code, "name": document.unit.label()},
        "period": document.period,
        "made_at": timezone.localtime(document.made_at).isoformat(),
        "made_by": document.made_by,
        **({"approval": document.approval} if document.approval else {}),
        "sections": [
            {
                "title": section.title,
                "columns": section.columns,
                "rows": [
                    {"cells": row.cells, "depth": row.depth, "late": row.late}
                    for row in section.rows
                ],
            }
            for section in document.sections
        ],
    }


def to_json(document: Document) -> bytes:
    return json.dumps(as_data(document), ensure_ascii=False, indent=1, default=str).encode()
