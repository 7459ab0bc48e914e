"""The printed form: A4, in the paper form's layout, blank or filled in.

The font (Noto Serif, which has every Vietnamese letter) comes from the fontpkg-noto-serif
package, so the form prints the same on any server.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Mapping, Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any

import fontpkg_noto_serif
from django.conf import settings
from fpdf import FPDF

from laodong.forms.citizen_id import mask_id
from laodong.forms.definitions import FormDefinition, Item
from laodong.forms.fonts import FONT_FILE

FONT = "NotoSerif"
_FONT_FILE = FONT_FILE
_ITALIC_FILE = fontpkg_noto_serif.ROOT / "files" / "NotoSerif-Italic[wdth,wght].ttf"
# Lists longer than this are written on a line (code or name) instead of printed as boxes.
BOX_LIMIT = 9
LINE = 6.2  # mm per text line at 11 pt
BOX = 3.4  # mm, tick boxes


_STYLES = (("", _FONT_FILE, 400), ("B", _FONT_FILE, 700), ("I", _ITALIC_FILE, 400))
_font_lock = threading.Lock()


def static_fonts() -> dict[str, Path]:
    """Regular, bold and italic cut from the variable font once and kept in the data dir.

    Cutting an instance takes seconds; embedding a static font takes milliseconds.
    """
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    folder = settings.DATA_DIR / "cache" / "fonts"
    tag = version("fontpkg-noto-serif")
    paths = {
        style: folder / f"NotoSerif-{weight}{style or 'R'}-{tag}.ttf"
        for style, _source, weight in _STYLES
    }
    with _font_lock:
        for style, source, weight in _STYLES:
            target = paths[style]
            if target.exists():
                continue
            folder.mkdir(parents=True, exist_ok=True)
            cut = instancer.instantiateVariableFont(
                TTFont(str(source)), {"wght": weight, "wdth": 100}
            )
            handle, temporary = tempfile.mkstemp(dir=folder, suffix=".ttf")
            os.close(handle)
            cut.save(temporary)
            os.replace(temporary, target)  # atomic: a concurrent reader never sees half a file
    return paths


def add_static_fonts(pdf: FPDF) -> None:
    """Register the regular, bold and italic cuts under FONT."""
    for style, path in static_fonts().items():
        pdf.add_font(FONT, style, str(path))


def national_heading(pdf: FPDF, issuer: Sequence[tuple[str, str]]) -> None:
    """The heading of an official document: the issuing body on the left (lines of (style,
    text)), the national motto on the right with its rule underneath."""
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    top = pdf.get_y()
    for style, text in issuer:
        pdf.set_font(FONT, style, 11)
        pdf.multi_cell(half - 4, 5.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
    below_issuer = pdf.get_y()
    pdf.set_font(FONT, "B", 11)
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 5.5, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", align="C")
    pdf.set_x(pdf.l_margin + half)
    pdf.multi_cell(half, 5.5, "Độc lập - Tự do - Hạnh phúc", align="C")
    line_y = pdf.get_y()
    pdf.line(pdf.l_margin + half + 22, line_y, pdf.w - pdf.r_margin - 22, line_y)
    pdf.set_xy(pdf.l_margin, max(line_y, below_issuer))


def keep_together(pdf: FPDF, render: Callable[[FPDF, bool], None]) -> None:
    """Render a closing block (the last rows of a table with the signatures under it) on one
    page: when it would break, it starts on a new page, so a signature is never alone.
    `render(pdf, new_page)` draws it; `new_page` says whether a table heading must repeat."""
    with pdf.offset_rendering() as trial:
        render(trial, False)  # type: ignore[arg-type]  # a recorder standing in for the page
    if trial.page_break_triggered:
        pdf.add_page()
        render(pdf, True)
    else:
        render(pdf, False)


class NumberedPage(FPDF):
    """An A4 document page with the official fonts and "page/pages" at the foot."""

    def __init__(
        self, *, landscape: bool = False, margins: tuple[float, float, float] = (15, 12, 12),
        bottom: float = 14,
    ) -> None:  # fmt: skip
        super().__init__(orientation="L" if landscape else "P", format="A4", unit="mm")
        self.set_margins(*margins)
        self.set_auto_page_break(True, margin=bottom)
        add_static_fonts(self)

    def footer(self) -> None:
        self.set_y(-10)
        self.set_font(FONT, "I", 8)
        self.cell(0, 5, f"{self.page_no()}/{{nb}}", align="C")


def signature_blocks(
    pdf: FPDF, blocks: Sequence[tuple[Sequence[str], str, str]], *, room: float = 22
) -> None:
    """Signature blocks side by side: each its title lines (padded so the names stand level),
    the hint ("(Ký, ghi rõ họ tên)"), room to sign, and the signer's name when known."""
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(blocks)
    lines = max(len(titles) for titles, _hint, _name in blocks)
    top = pdf.get_y()
    for column, (titles, hint, name) in enumerate(blocks):
        pdf.set_xy(pdf.l_margin + column * width, top)
        pdf.set_font(FONT, "B", 11)
        for title in [*titles, *[""] * (lines - len(titles))]:
            pdf.cell(width, 6, title, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font(FONT, "I", 10)
        pdf.cell(width, 5, hint, align="C", new_x="LEFT", new_y="NEXT")
        pdf.cell(width, room, "", new_x="LEFT", new_y="NEXT")
        if name:
            pdf.set_font(FONT, "B", 11)
            pdf.cell(width, 6, name, align="C", new_x="LEFT", new_y="NEXT")


def signature_title(*, national: bool = False) -> list[str]:
    """The lines above the head's signature, as the issuing body signs (LAODONG_SIGNATURE_TITLE:
    "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH" by default; "KT. CHỦ TỊCH|PHÓ CHỦ TỊCH" where a deputy signs)."""
    if national:
        return ["THỦ TRƯỞNG ĐƠN VỊ"]
    title = getattr(settings, "LAODONG_SIGNATURE_TITLE", "") or "TM. ỦY BAN NHÂN DÂN|CHỦ TỊCH"
    return [line.strip() for line in title.split("|") if line.strip()]


class _Page(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4", unit="mm")
        self.set_margins(18, 14, 14)
        self.set_auto_page_break(True, margin=16)
        add_static_fonts(self)
        self.set_font(FONT, "", 11)

    def write_run(self, text: str, style: str = "", size: float = 11) -> None:
        self.set_font(FONT, style, size)
        self.write(LINE, text)

    def dotted_line_to_margin(self, value: str = "") -> None:
        """The answer on a dotted line that runs to the right margin."""
        right = self.w - self.r_margin
        if value:
            self.write_run(value, "B")
            self.ln(LINE)
            return
        start = self.get_x() + 1
        if right - start < 25:
            self.ln(LINE)
            start = self.l_margin
        y = self.get_y() + LINE - 1.4
        self.set_dash_pattern(dash=0.4, gap=0.9)
        self.line(start, y, right, y)
        self.set_dash_pattern()
        self.ln(LINE)

    def tick_box(self, ticked: bool) -> None:
        x, y = self.get_x(), self.get_y() + (LINE - BOX) / 2
        self.rect(x, y, BOX, BOX)
        if ticked:
            self.line(x + 0.6, y + 0.6, x + BOX - 0.6, y + BOX - 0.6)
            self.line(x + 0.6, y + BOX - 0.6, x + BOX - 0.6, y + 0.6)
        self.set_x(x + BOX + 1.2)

    def digit_boxes(self, count: int, digits: str) -> None:
        width = 5.2
        x, y = self.get_x() + 1, self.get_y() + 0.4
        for index in range(count):
            self.rect(x + index * width, y, width, LINE - 0.8)
            if index < len(digits):
                self.set_xy(x + index * width, y)
                self.set_font(FONT, "B", 10)
                self.cell(width, LINE - 0.8, digits[index], align="C")
        self.set_xy(self.l_margin, y + LINE)


def _jumps(definition: FormDefinition, item: Item) -> dict[str, str]:
    """For a choice item that routes the form: option code → "(chuyển mục N)", the paper's
    go-to instruction."""
    targets: dict[str, str] = {}
    own = item.number.split(".")[0]
    for other in definition.items:
        # Sub-items of the same item (10.1 after 10) follow anyway: only real jumps are shown.
        if other.when is None or not other.number or other.number.split(".")[0] == own:
            continue
        for part in other.when.parts or (other.when,):
            if part.field == item.key:
                for code in part.values:
                    targets.setdefault(code, f"(chuyển mục {other.number.split('.')[0]})")
    return targets


def _option_text(definition: FormDefinition, item: Item, value: Any) -> str:
    code_list = definition.code_lists[item.code_list]
    found = code_list.get(str(value))
    return f"{found.code} – {found.label}" if found else str(value)


def render_form_pdf(
    definition: FormDefinition,
    answers: Mapping[str, Any] | None = None,
    *,
    header_names: Mapping[str, str] | None = None,
    full_id: bool = True,
) -> bytes:
    """Return the form as a PDF: blank when `answers` is None, else filled in."""
    answers = answers or {}
    names = header_names or {}
    pdf = _Page()
    pdf.set_title(f"{definition.title} – {definition.form_number}")
    pdf.set_creator("laodong")
    pdf.add_page()

    pdf.set_font(FONT, "B", 11)
    pdf.cell(0, LINE, definition.form_number, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 9)
    pdf.cell(
        0,
        4.5,
        f"(Ban hành kèm theo {definition.legal_basis})",
        align="R",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    pdf.set_font(FONT, "B", 14)
    pdf.cell(0, 8, definition.title, align="C", new_x="LMARGIN", new_y="NEXT")
    if definition.subtitle:
        pdf.set_font(FONT, "I", 10.5)
        pdf.cell(0, 6, definition.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)

    for item in definition.items:
        # The signature block prints the collection date and the informant itself.
        if item.key in ("collection_date", "informant_name"):
            continue
        _render_item(pdf, definition, item, answers, names, full_id=full_id)

    _signature(pdf, definition, answers)
    return bytes(pdf.output())


def _render_item(
    pdf: _Page,
    definition: FormDefinition,
    item: Item,
    answers: Mapping[str, Any],
    names: Mapping[str, str],
    *,
    full_id: bool,
) -> None:
    value = answers.get(item.key)
    pdf.set_x(pdf.l_margin + (0 if "." not in item.number else 6))
    title = f"{item.number}. {item.label}" if item.number else item.label
    pdf.write_run(title + ": ", "B" if item.number and "." not in item.number else "")
    if item.type == "personal_id":
        digits = str(value or "")
        if digits and not full_id:
            digits = mask_id(digits)
        pdf.digit_boxes(12, digits)
        return
    if item.type == "unit":
        pdf.dotted_line_to_margin(names.get(item.key, str(value or "")))
        return
    if item.type in ("choice", "multi_choice"):
        code_list = definition.code_lists[item.code_list]
        if len(code_list.codes) > BOX_LIMIT:
            pdf.dotted_line_to_margin(_option_text(definition, item, value) if value else "")
            return
        chosen = set(value if isinstance(value, list) else [value] if value else [])
        jumps = _jumps(definition, item)
        pdf.ln(LINE)
        pdf.set_x(pdf.l_margin + 8)
        for code in code_list.codes:
            text = f"{code.code}. {code.label}" + (
                f"  {jumps[code.code]}" if code.code in jumps else ""
            )
            pdf.set_font(FONT, "", 11)
            needed = BOX + 2 + pdf.get_string_width(text) + 6
            if pdf.get_x() + needed > pdf.w - pdf.r_margin:
                pdf.ln(LINE)
                pdf.set_x(pdf.l_margin + 8)
            if pdf.get_y() + LINE > pdf.page_break_trigger:
                # Keep a box and its label on the same page.
                pdf.add_page()
                pdf.set_x(pdf.l_margin + 8)
            pdf.tick_box(code.code in chosen)
            pdf.write_run(text + "      ")
        pdf.ln(LINE + 0.6)
        return
    pdf.dotted_line_to_margin(str(value or ""))


def _signature(pdf: _Page, definition: FormDefinition, answers: Mapping[str, Any]) -> None:
    pdf.ln(4)
    if pdf.get_y() > pdf.h - 60:
        pdf.add_page()
    collected = str(answers.get("collection_date") or "")
    day = month = year = "……"
    if collected.count("/") == 2:
        day, month, year = collected.split("/")
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT, "I", 11)
    pdf.cell(
        half,
        LINE,
        f"……………, ngày {day} tháng {month} năm {year}",
        align="C",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT, "B", 11)
    pdf.cell(half, LINE, "Người cung cấp thông tin", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_x(pdf.l_margin + half)
    pdf.set_font(FONT, "I", 10)
    pdf.cell(half, LINE, "(Ký, ghi rõ họ tên)", align="C", new_x="LMARGIN", new_y="NEXT")
    informant = str(answers.get("informant_name") or answers.get("full_name") or "")
    if answers:
        pdf.ln(16)
        pdf.set_x(pdf.l_margin + half)
        pdf.set_font(FONT, "B", 11)
        pdf.cell(half, LINE, informant, align="C", new_x="LMARGIN", new_y="NEXT")
