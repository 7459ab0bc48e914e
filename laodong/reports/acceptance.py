"""The acceptance record of a commune's results ("biên bản nghiệm thu kết quả") on A4: who
accepted what, when, the frozen figures by village, the conclusion, both sides' signatures."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace

from laodong.core.money import vnd
from laodong.forms.pdf import (
    FONT,
    NumberedPage,
    keep_together,
    national_heading,
    signature_blocks,
)
from laodong.reports.models import ResultAcceptance
from laodong.units.models import Level, Unit

# The progress report's columns the record shows (reports.progress._cells): unit, target,
# listed, collected, accepted, handed over, entered, not enterable — the percentages and the
# returned forms left out.
SHOWN = (0, 1, 2, 3, 5, 7, 8, 10)


def body(unit: Unit) -> str:
    """The accepting body in running text: "Sở Nội vụ tỉnh Thanh Hóa", "UBND xã Cẩm Tân"."""
    if unit.level == Level.PROVINCE:
        return _("Sở Nội vụ %(unit)s") % {"unit": unit.label_in_text()}
    return _("UBND %(unit)s") % {"unit": unit.label_in_text()}


def issuer(unit: Unit) -> str:
    if unit.level == Level.PROVINCE:
        return f"SỞ NỘI VỤ {unit.label().upper()}"
    return f"UBND {unit.label().upper()}"


def figures(record: ResultAcceptance) -> tuple[list[str], list[tuple[list[Any], bool]]]:
    """The columns shown and the rows (cells, is the total) of the frozen figures."""
    section = record.data["sections"][0]
    columns = section["columns"]
    indexes = [index for index in SHOWN if index < len(columns)]
    rows = [([row["cells"][i] for i in indexes], row["depth"] == 0) for row in section["rows"]]
    return [columns[i] for i in indexes], rows


def _text(value: Any) -> str:
    if value is None:
        return "—"
    return vnd(value) if isinstance(value, int) else str(value)


def record_pdf(record: ResultAcceptance) -> bytes:
    pdf = NumberedPage(margins=(20, 15, 15), bottom=15)
    title = _("BIÊN BẢN NGHIỆM THU KẾT QUẢ THU THẬP, CẬP NHẬT THÔNG TIN NGƯỜI LAO ĐỘNG")
    pdf.set_title(title)
    pdf.set_creator("laodong")
    pdf.add_page()
    national_heading(pdf, [("B", issuer(record.accepting_unit))])
    pdf.ln(6)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 10.5)
    pdf.cell(
        0, 6, _("(Lần %(n)s)") % {"n": record.number}, align="C", new_x="LMARGIN", new_y="NEXT"
    )
    if record.cancelled_at is not None:
        pdf.set_font(FONT, "B", 12)
        pdf.set_text_color(176, 0, 32)
        cancelled = timezone.localtime(record.cancelled_at)
        pdf.multi_cell(
            0,
            6,
            _("ĐÃ HỦY ngày %(day)s: %(reason)s")
            % {"day": f"{cancelled:%d/%m/%Y}", "reason": record.cancel_reason},
            align="C",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
    pdf.ln(3)
    moment = timezone.localtime(record.accepted_at)
    acceptor = record.accepted_by
    paragraphs = []
    if record.campaign.legal_basis:
        paragraphs.append(
            _("Căn cứ %(basis)s về %(campaign)s;")
            % {"basis": record.campaign.legal_basis, "campaign": record.campaign.title}
        )
    paragraphs += [
        _(
            "Hôm nay, hồi %(hour)s giờ %(minute)s ngày %(day)s tháng %(month)s năm %(year)s, "
            "tại %(place)s, chúng tôi gồm:"
        )
        % {
            "hour": f"{moment:%H}",
            "minute": f"{moment:%M}",
            "day": f"{moment:%d}",
            "month": f"{moment:%m}",
            "year": f"{moment:%Y}",
            "place": body(record.accepting_unit),
        },
        _("1. Bên nghiệm thu: %(unit)s — Ông/Bà %(name)s, %(title)s.")
        % {
            "unit": body(record.accepting_unit),
            "name": acceptor.get_full_name() or acceptor.get_username(),
            "title": acceptor.get_role_display(),
        },
        _("2. Bên được nghiệm thu: %(unit)s — Ông/Bà %(name)s, %(title)s.")
        % {
            # A commune's leader accepts its working group's work; the province, the commune's.
            "unit": _("Tổ công tác %(unit)s") % {"unit": record.unit.label_in_text()}
            if record.accepting_unit_id == record.unit_id
            else body(record.unit),
            "name": record.representative,
            "title": record.representative_title,
        },
        _(
            "Đã cùng nghiệm thu kết quả thu thập, cập nhật thông tin người lao động trên địa bàn "
            "%(unit)s theo %(campaign)s, số liệu đến hết ngày %(day)s, như sau:"
        )
        % {
            "unit": record.unit.label_in_text(),
            "campaign": record.campaign.title,
            "day": f"{record.as_of:%d/%m/%Y}",
        },
    ]
    pdf.set_font(FONT, "", 11)
    for text in paragraphs:
        pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    columns, rows = figures(record)
    width = pdf.w - pdf.l_margin - pdf.r_margin
    first = 40
    other = (width - first) / max(len(columns) - 1, 1)
    pdf.set_font(FONT, "", 9.5)
    with pdf.table(
        col_widths=(first, *[other] * (len(columns) - 1)),
        width=width,
        text_align=("LEFT", *["RIGHT"] * (len(columns) - 1)),
        headings_style=FontFace(emphasis="BOLD", fill_color=(221, 235, 247)),
        line_height=5,
    ) as table:
        table.row(columns)
        for cells, total in rows:
            table.row(
                [_text(cell) for cell in cells],
                style=FontFace(emphasis="BOLD") if total else None,
            )

    def close(target: FPDF, _new_page: bool) -> None:
        target.ln(3)
        target.set_font(FONT, "B", 11)
        target.cell(0, 6, _("Kết luận:"), new_x="LMARGIN", new_y="NEXT")
        target.set_font(FONT, "", 11)
        target.multi_cell(0, 6, record.conclusion, new_x="LMARGIN", new_y="NEXT")
        target.multi_cell(
            0,
            6,
            _(
                "Biên bản lập thành 02 bản có giá trị như nhau, mỗi bên giữ 01 bản, và được "
                "các bên thống nhất ký tên dưới đây."
            ),
            new_x="LMARGIN",
            new_y="NEXT",
        )
        target.ln(5)
        hint = _("(Ký, ghi rõ họ tên)")
        signature_blocks(
            target,
            [
                ([_("ĐẠI DIỆN BÊN ĐƯỢC NGHIỆM THU")], hint, record.representative),
                (
                    [_("ĐẠI DIỆN BÊN NGHIỆM THU")],
                    hint,
                    acceptor.get_full_name() or acceptor.get_username(),
                ),
            ],
            room=24,
        )

    keep_together(pdf, close)
    pdf.alias_nb_pages()
    return bytes(pdf.output())
