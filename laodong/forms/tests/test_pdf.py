"""The printed form: A4, Vietnamese glyphs intact (checked by extracting the text)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.pdf import render_form_pdf
from laodong.forms.tests.test_validation import EMPLOYED


def text_of(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


@pytest.mark.parametrize("code", FORM_CODES)
def test_blank_form_is_a4_with_every_item(code: str) -> None:
    form = get_form(code)
    reader, text = text_of(render_form_pdf(form))
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert (round(float(width)), round(float(height))) == (595, 842)  # A4 in points
    assert "PHIẾU THÔNG TIN VỀ NGƯỜI LAO ĐỘNG" in text
    assert form.form_number in text
    flat = " ".join(text.split())
    for item in form.items:
        if item.key in ("collection_date", "informant_name"):
            continue
        assert " ".join(item.label.split()) in flat, item.label
    assert "1. Người có việc làm (chuyển mục 12)" in flat
    assert "Người cung cấp thông tin" in flat and "(Ký, ghi rõ họ tên)" in flat


def test_filled_form_shows_the_answers() -> None:
    form = get_form("tt11-2022-m03")
    answers = {
        **EMPLOYED,
        "full_name": "Nguyễn Thị Ánh",
        "priority_groups": ["6"],
        "ethnic_group": "06",
        "personal_id": "038190012345",
        "sex": "2",
    }
    _, text = text_of(render_form_pdf(form, answers, header_names={"commune": "Xã Cẩm Tân"}))
    flat = " ".join(text.split())
    assert "Nguyễn Thị Ánh" in flat
    assert "Xã Cẩm Tân" in flat
    assert "06 – Mường" in flat
    assert "Công ty May Cẩm Thủy" in flat
    assert "ngày 15 tháng 11 năm 2026" in flat
    assert "0 3 8 1 9 0 0 1 2 3 4 5" in flat or "038190012345" in flat.replace(" ", "")


def test_masked_id_prints_only_the_last_digits() -> None:
    form = get_form("tt11-2022-m03")
    _, text = text_of(
        render_form_pdf(form, {**EMPLOYED, "personal_id": "038090012345"}, full_id=False)
    )
    squeezed = text.replace(" ", "").replace("\n", "")
    assert "038090012345" not in squeezed
    assert "********2345" in squeezed
