"""The receipt for paper forms an enumerator hands to the officer ("biên nhận phiếu giấy"), on
half an A4 page: who gave how many forms to whom, on which day, and both signatures."""

from __future__ import annotations

from django.utils.translation import gettext as _

from laodong.collection.models import PaperReceipt
from laodong.core.money import number_in_words
from laodong.forms.pdf import FONT, NumberedPage, national_heading, signature_blocks


def receipt_pdf(receipt: PaperReceipt) -> bytes:
    pdf = NumberedPage(margins=(20, 15, 15), bottom=15)
    pdf.set_title(_("Biên nhận phiếu giấy"))
    pdf.set_creator("laodong")
    pdf.add_page()
    national_heading(pdf, [("B", f"UBND {receipt.commune.label().upper()}")])
    pdf.ln(6)
    pdf.set_font(FONT, "B", 13)
    pdf.cell(0, 7, _("BIÊN NHẬN PHIẾU THÔNG TIN NGƯỜI LAO ĐỘNG (PHIẾU GIẤY)"), align="C",
             new_x="LMARGIN", new_y="NEXT")  # fmt: skip
    pdf.set_font(FONT, "I", 10.5)
    pdf.cell(0, 6, receipt.campaign.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if receipt.cancelled_at is not None:
        pdf.set_text_color(176, 0, 32)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(0, 6, _("ĐÃ HỦY: %(reason)s") % {"reason": receipt.cancel_reason}, align="C",
                 new_x="LMARGIN", new_y="NEXT")  # fmt: skip
        pdf.set_text_color(0, 0, 0)
    pdf.ln(4)
    giver, taker = receipt.enumerator, receipt.received_by
    lines = [
        _("Ngày %(day)s, tại %(place)s.")
        % {
            "day": f"{receipt.received_on:%d/%m/%Y}",
            "place": f"UBND {receipt.commune.label_in_text()}",
        },
        _("Người giao: Ông/Bà %(name)s, %(role)s%(place)s.")
        % {
            "name": giver.full_name or giver.username,
            "role": giver.get_role_display().lower(),
            "place": f" ({giver.unit.label()})" if giver.unit is not None else "",
        },
        _("Người nhận: Ông/Bà %(name)s, %(role)s.")
        % {"name": taker.full_name or taker.username, "role": taker.get_role_display()},
        _("Số phiếu giấy đã giao nhận: %(count)s phiếu (bằng chữ: %(words)s phiếu).")
        % {"count": receipt.count, "words": number_in_words(receipt.count)},
    ]
    if receipt.note:
        lines.append(_("Ghi chú: %(note)s") % {"note": receipt.note})
    pdf.set_font(FONT, "", 11.5)
    for text in lines:
        pdf.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    hint = _("(Ký, ghi rõ họ tên)")
    signature_blocks(
        pdf,
        [([_("NGƯỜI GIAO")], hint, giver.full_name), ([_("NGƯỜI NHẬN")], hint, taker.full_name)],
    )
    pdf.alias_nb_pages()
    return bytes(pdf.output())
