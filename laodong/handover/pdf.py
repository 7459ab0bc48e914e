"""The handover record (biên bản bàn giao) on A4, in the style of an official record."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from fpdf import FPDF
from fpdf.fonts import FontFace

from laodong.forms.citizen_id import mask_id
from laodong.forms.pdf import FONT, add_static_fonts, keep_together, national_heading
from laodong.handover.models import Handover


class _Record(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(20, 15, 15)
        self.set_auto_page_break(True, margin=15)
        add_static_fonts(self)
        self.set_font(FONT, "", 12)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, "I", 9)
        self.cell(0, 5, f"Trang {self.page_no()}/{{nb}}", align="C")


def _people_table(
    pdf: FPDF, rows: list[list[str]], heading: FontFace, *, with_heading: bool
) -> None:
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(10, 52, 22, 34, 47),
        text_align=("CENTER", "LEFT", "CENTER", "CENTER", "LEFT"),
        headings_style=heading,
        first_row_as_headings=with_heading,
        line_height=5,
    ) as table:
        if with_heading:
            table.row(["STT", "Họ và tên", "Năm sinh", "Số định danh", "Thôn"])
        for row in rows:
            table.row(row)


def _day_text(day: datetime.date) -> str:
    return f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"


def _updates_table(pdf: FPDF, rows: list[list[str]], heading: FontFace) -> None:
    pdf.set_font(FONT, "", 10)
    with pdf.table(
        col_widths=(10, 40, 14, 28, 73),
        text_align=("CENTER", "LEFT", "CENTER", "CENTER", "LEFT"),
        headings_style=heading,
        line_height=5,
    ) as table:
        table.row(["STT", "Họ và tên", "Năm sinh", "Số định danh", "Nội dung thay đổi, nguồn"])
        for row in rows:
            table.row(row)


def render_handover_pdf(
    handover: Handover,
    lines: list[Any],
    *,
    officer_name: str,
    full_id: bool,
    summaries: dict[int, str] | None = None,
) -> bytes:
    """The record both sides sign: heading, parties, counts by village, list of persons, then
    the register's changes in their own section. It prints the record's own lines
    (HandoverLine), as they were when it was made; `summaries` gives each change line's text
    (from its version, which never changes), else the text stored on the line."""
    summaries = summaries or {}
    form_lines = [line for line in lines if getattr(line, "update_id", None) is None]
    update_lines = [line for line in lines if getattr(line, "update_id", None) is not None]
    commune = handover.commune
    created = handover.created_at.date()
    pdf = _Record()
    pdf.set_title(f"Biên bản bàn giao phiếu số {handover.number}")
    pdf.set_creator("laodong")
    pdf.add_page()
    national_heading(pdf, [("", f"UBND {commune.label().upper()}"), ("B", "TỔ CÔNG TÁC ĐỀ ÁN 06")])
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.ln(4)
    pdf.set_font(FONT, "I", 11)
    place = commune.name.removeprefix("Xã ").removeprefix("Phường ")
    pdf.cell(0, 6, f"{place}, {_day_text(created)}", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 7, "BIÊN BẢN BÀN GIAO", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "B", 12)
    pdf.multi_cell(
        0,
        6,
        (
            f"Phiếu thu thập thông tin người lao động (đợt bàn giao số {handover.number})"
            if form_lines
            else f"Thay đổi thông tin người lao động (đợt bàn giao số {handover.number})"
        ),
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font(FONT, "", 12)
    campaign = handover.campaign
    basis = f"Căn cứ {campaign.legal_basis};" if campaign and campaign.legal_basis else ""
    if basis:
        pdf.multi_cell(0, 6, basis, new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        6,
        f"Hôm nay, {_day_text(created)}, tại UBND {commune.label_in_text()}, chúng tôi gồm:",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "B", 12)
    pdf.cell(
        0,
        6,
        "Bên giao: Tổ công tác Đề án 06 " + commune.label_in_text(),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "", 12)
    pdf.cell(
        0,
        6,
        f"Ông/bà: {officer_name} - công chức phụ trách lao động",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font(FONT, "B", 12)
    pdf.cell(0, 6, "Bên nhận: Công an " + commune.label_in_text(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "", 12)
    pdf.cell(
        0,
        6,
        "Ông/bà: ............................................................",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    what = []
    if form_lines:
        what.append(
            f"{len(form_lines)} phiếu thu thập thông tin người lao động"
            + (f" ({campaign.title})" if campaign else "")
            + " đã được nghiệm thu"
        )
    if update_lines:
        what.append(
            f"{len(update_lines)} thay đổi thông tin người lao động ngoài đợt thu thập "
            "(ghi mới, điều chỉnh, ra khỏi diện quản lý, chuyển đến)"
        )
    pdf.multi_cell(
        0,
        6,
        f"Bên giao bàn giao cho Bên nhận {' và '.join(what)}, để nhập vào Cơ sở dữ liệu quốc gia "
        "về dân cư, cụ thể như sau:",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    # The working group's "đã đối soát" for this batch (reconcile.Record), as recorded.
    records = handover.reconciliations  # (reconcile.Record)
    for record in records.select_related("recorded_by").order_by("pk"):
        text = (
            f"Tổ công tác đã đối soát với danh sách Công an xã (CSDL quốc gia về dân cư) ngày "
            f"{record.reconciled_on:%d/%m/%Y}, người xác nhận: "
            f"{record.recorded_by.full_name or record.recorded_by.username}"
        )
        if record.note:
            text += f"; ghi chú: {record.note}"
        pdf.multi_cell(0, 6, text + ".", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    heading = FontFace(emphasis="BOLD", fill_color=(235, 235, 235))
    rows = [
        [
            str(line.position),
            line.full_name + (" (đã rút)" if line.withdrawn_at else ""),
            str(line.birth_year or ""),
            line.personal_id if full_id else mask_id(line.personal_id),
            line.village_label,
        ]
        for line in form_lines
    ]
    change_rows = [
        [
            str(line.position),
            line.full_name + (" (đã rút)" if line.withdrawn_at else ""),
            str(line.birth_year or ""),
            line.personal_id if full_id else mask_id(line.personal_id),
            f"{line.village_label}. {summaries.get(line.pk, line.summary)}",
        ]
        for line in update_lines
    ]
    if form_lines:
        by_village = Counter(line.village_label for line in form_lines)
        with pdf.table(
            col_widths=(12, 110, 40),
            text_align=("CENTER", "LEFT", "RIGHT"),
            headings_style=heading,
        ) as table:
            table.row(["STT", "Thôn / tổ dân phố", "Số phiếu"])
            for number, (village, count) in enumerate(sorted(by_village.items()), start=1):
                table.row([str(number), village, str(count)])
            table.row(["", "Cộng", str(sum(by_village.values()))])
        pdf.ln(4)
        pdf.set_font(FONT, "B", 12)
        title = (
            "I. Danh sách người lao động có phiếu bàn giao"
            if update_lines
            else ("Danh sách người lao động có phiếu bàn giao")
        )
        pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
    withdrawn = sum(1 for line in lines if line.withdrawn_at)
    # The last persons of the list stay on the page of the signatures (never alone).
    kept = 3
    if change_rows:
        if rows:
            _people_table(pdf, rows, heading, with_heading=True)
            pdf.ln(4)
        pdf.set_font(FONT, "B", 12)
        title = (
            "II. Thay đổi cần cập nhật vào CSDL dân cư"
            if rows
            else ("Danh sách thay đổi cần cập nhật vào CSDL dân cư")
        )
        pdf.cell(0, 6, title, new_x="LMARGIN", new_y="NEXT")
        if len(change_rows) > kept:
            _updates_table(pdf, change_rows[:-kept], heading)
    elif len(rows) > kept:
        _people_table(pdf, rows[:-kept], heading, with_heading=True)

    def close(target: FPDF, new_page: bool) -> None:
        if change_rows:
            _updates_table(target, change_rows[-kept:], heading)
        else:
            _people_table(target, rows[-kept:], heading, with_heading=new_page or len(rows) <= kept)
        target.ln(4)
        target.set_font(FONT, "", 12)
        target.multi_cell(
            0,
            6,
            "Bên nhận đã kiểm đếm và nhận đủ số phiếu, thay đổi nêu trên. Biên bản lập thành 02 "
            "bản, mỗi bên giữ 01 bản, có giá trị như nhau."
            if change_rows
            else "Bên nhận đã kiểm đếm và nhận đủ số phiếu nêu trên. Biên bản lập thành 02 bản, "
            "mỗi bên giữ 01 bản, có giá trị như nhau.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        if withdrawn:
            target.multi_cell(
                0,
                6,
                f"Rút khỏi biên bản khi xử lý chênh lệch: {withdrawn} mục"
                + (f" ({handover.resolution_note})." if handover.resolution_note else "."),
                new_x="LMARGIN",
                new_y="NEXT",
            )
        if handover.received_count is not None:
            target.multi_cell(
                0,
                6,
                f"Số Bên nhận xác nhận đã nhận: {handover.received_count}.",
                new_x="LMARGIN",
                new_y="NEXT",
            )
        target.ln(6)
        y = target.get_y()
        for column, (title, name) in enumerate(
            (("ĐẠI DIỆN BÊN NHẬN", ""), ("ĐẠI DIỆN BÊN GIAO", officer_name))
        ):
            x = target.l_margin + column * half
            target.set_xy(x, y)
            target.set_font(FONT, "B", 12)
            target.cell(half, 6, title, align="C", new_x="LEFT", new_y="NEXT")
            target.set_font(FONT, "I", 11)
            target.cell(half, 6, "(Ký, ghi rõ họ tên)", align="C", new_x="LEFT", new_y="NEXT")
            target.cell(half, 22, "", new_x="LEFT", new_y="NEXT")
            target.set_font(FONT, "B", 12)
            target.cell(half, 6, name, align="C", new_x="LEFT", new_y="NEXT")

    keep_together(pdf, close)
    pdf.alias_nb_pages()
    return bytes(pdf.output())
