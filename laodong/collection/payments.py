"""The payment list ("bảng kê thanh toán") of a commune for a campaign and a period.

Each accepted form is paid once per task, to whoever did it: collected (the collector), keyed
from paper (the keyer; with double entry both keyers, one keying each), checked and accepted
(the officer who accepted it), entered into the population database (the police officer, by
the entry date). A form counts in the period in which it was accepted (entered, for entry),
whatever returns or re-keyings came before: it is one row, so it is never paid twice. Amount =
count × the campaign's rate for the task (campaigns.PaymentRate).
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.fonts import FontFace
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.properties import PageSetupProperties

from laodong.accounts.models import User
from laodong.campaigns.models import Campaign, PaymentTask, RoundKind
from laodong.collection.models import ACCEPTED_OR_LATER, ENTERED_OR_LATER, Mode, WorkItem
from laodong.core.cells import no_formulas
from laodong.core.money import in_words, vnd
from laodong.core.text import fold
from laodong.forms.pdf import (
    FONT,
    NumberedPage,
    keep_together,
    national_heading,
    signature_blocks,
    signature_title,
)
from laodong.units.models import Unit

ROMAN = ["I", "II", "III", "IV"]


@dataclass
class Line:
    name: str
    title: str  # chức danh: the account's role
    count: int
    rate: int | None
    user_id: int | None = None

    @property
    def amount(self) -> int:
        return self.count * (self.rate or 0)


@dataclass
class TaskLines:
    task: PaymentTask
    rate: int | None
    lines: list[Line] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(line.count for line in self.lines)

    @property
    def amount(self) -> int:
        return sum(line.amount for line in self.lines)


@dataclass
class Statement:
    campaign: Campaign
    commune: Unit
    start: datetime.date
    end: datetime.date
    tasks: list[TaskLines]
    made_by: str
    made_at: datetime.datetime = field(default_factory=lambda: timezone.now())

    @property
    def total(self) -> int:
        return sum(task.amount for task in self.tasks)

    @property
    def missing_rates(self) -> list[str]:
        return [str(t.task.label) for t in self.tasks if t.lines and t.rate is None]

    @property
    def people(self) -> int:
        return len({line.user_id for task in self.tasks for line in task.lines})


def _counts(items: QuerySet[WorkItem], account: str) -> dict[int | None, int]:
    rows = items.values(account).annotate(n=Count("pk")).order_by()
    return {row[account]: row["n"] for row in rows}


def statement(
    campaign: Campaign,
    commune: Unit,
    start: datetime.date,
    end: datetime.date,
    *,
    made_by: str,
) -> Statement:
    """Counts per person and task in [start, end] (Vietnam's days), with amounts."""
    items = WorkItem.objects.filter(campaign=campaign, commune=commune)
    accepted = items.filter(
        status__in=ACCEPTED_OR_LATER,
        accepted_at__date__gte=start,
        accepted_at__date__lte=end,
    )
    paper = accepted.filter(mode=Mode.PAPER)
    keyed = _counts(paper, "keyed_by")
    # With double entry the first keying is work too, paid once to whoever typed it.
    for user_id, n in _counts(
        paper.filter(first_keyed_by__isnull=False).exclude(first_keyed_by=F("keyed_by")),
        "first_keyed_by",
    ).items():
        keyed[user_id] = keyed.get(user_id, 0) + n
    counts: dict[PaymentTask, dict[int | None, int]] = {
        PaymentTask.COLLECT: _counts(accepted, "collected_by"),
        PaymentTask.KEY: keyed,
        PaymentTask.ACCEPT: _counts(accepted, "accepted_by"),
        PaymentTask.ENTER: _counts(
            items.filter(status__in=ENTERED_OR_LATER, entered_on__gte=start, entered_on__lte=end),
            "entered_by",
        ),
    }
    ids = {pk for by_user in counts.values() for pk in by_user if pk is not None}
    found = User.objects.filter(pk__in=ids).only("pk", "full_name", "username", "role")
    users = {user.pk: user for user in found}
    rates = {rate.task: rate.amount for rate in campaign.rates.all()}
    tasks = []
    for task in PaymentTask:
        rate = rates.get(task.value)
        lines = []
        for user_id, n in counts[task].items():
            user = users.get(user_id) if user_id is not None else None
            if user is None:
                lines.append(Line(_("(không rõ người thực hiện)"), "", n, rate, None))
            else:
                name = user.full_name or user.username
                lines.append(Line(name, user.get_role_display(), n, rate, user.pk))
        lines.sort(key=lambda line: (line.user_id is None, fold(line.name)))
        tasks.append(TaskLines(task, rate, lines))
    return Statement(campaign, commune, start, end, tasks, made_by)


def round_periods(campaign: Campaign) -> list[tuple[str, datetime.date, datetime.date]]:
    """Each round as a payment period: from the day after the previous round's deadline (the
    campaign's start for the first) to its own deadline."""
    periods = []
    for kind, first in (
        (RoundKind.COLLECTION, campaign.collection_start),
        (RoundKind.ENTRY, campaign.entry_start),
    ):
        start = first
        for round_ in campaign.rounds.filter(kind=kind).order_by("number"):
            periods.append((str(round_), start, round_.deadline))
            start = round_.deadline + datetime.timedelta(days=1)
    return periods


def _heading(statement: Statement) -> tuple[str, str]:
    title = _("BẢNG KÊ THANH TOÁN THÙ LAO THU THẬP, CẬP NHẬT THÔNG TIN NGƯỜI LAO ĐỘNG")
    period = _("%(campaign)s — từ ngày %(start)s đến ngày %(end)s") % {
        "campaign": statement.campaign.title,
        "start": f"{statement.start:%d/%m/%Y}",
        "end": f"{statement.end:%d/%m/%Y}",
    }
    return title, period


COLUMNS = [
    ("STT", 10),
    ("Họ và tên", 44),
    ("Chức danh", 36),
    ("Số phiếu", 16),
    ("Đơn giá (đồng)", 20),
    ("Thành tiền (đồng)", 24),
    ("Ký nhận", 26),
]


def _columns() -> list[str]:
    return [
        _("STT"),
        _("Họ và tên"),
        _("Chức danh"),
        _("Số phiếu"),
        _("Đơn giá (đồng)"),
        _("Thành tiền (đồng)"),
        _("Ký nhận"),
    ]


def _signers() -> list[list[str]]:
    return [[_("NGƯỜI LẬP BẢNG")], [_("KẾ TOÁN TRƯỞNG")], signature_title()]


def issuer(commune: Unit) -> str:
    return f"UBND {commune.label().upper()}"


def to_xlsx(statement: Statement) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Bảng kê")[:31]
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    width = len(COLUMNS)

    def line(text: str, font: Font | None = None, align: str = "center") -> None:
        sheet.append([text])
        row = sheet.max_row
        sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
        cell = sheet.cell(row=row, column=1)
        cell.alignment = Alignment(horizontal=align, wrap_text=True)
        if font is not None:
            cell.font = font

    title, period = _heading(statement)
    line(issuer(statement.commune), bold, "left")
    line("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold)
    line("Độc lập - Tự do - Hạnh phúc", Font(bold=True, italic=True))
    sheet.append([])
    line(title, Font(bold=True, size=13))
    line(period, Font(italic=True))
    sheet.append([])
    sheet.append(_columns())
    for cell in sheet[sheet.max_row]:
        cell.font, cell.border = bold, box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def boxed(values: list[Any], font: Font | None = None) -> None:
        sheet.append(values)
        for index, cell in enumerate(sheet[sheet.max_row][:width]):
            cell.border = box
            if index >= 3 and isinstance(cell.value, int):
                cell.number_format = "#,##0"
            if font is not None:
                cell.font = font

    for number, task in enumerate(statement.tasks):
        boxed([ROMAN[number], str(task.task.label), None, None, task.rate, None, None], bold)
        for index, entry in enumerate(task.lines, start=1):
            boxed([index, entry.name, entry.title, entry.count, entry.rate, entry.amount, None])
        boxed([None, _("Cộng %(n)s") % {"n": ROMAN[number]}, None, task.count, None,
               task.amount, None], bold)  # fmt: skip
    boxed([None, _("TỔNG CỘNG"), None, None, None, statement.total, None], bold)
    sheet.append([])
    line(_("Số tiền bằng chữ: %(words)s.") % {"words": in_words(statement.total)}, bold, "left")
    line(_made(statement), Font(italic=True, color="666666"), "left")
    sheet.append([])
    positions = (1, 3, 6)
    for row_index in range(max(len(s) for s in _signers())):
        values: list[Any] = [None] * width
        for position, titles in zip(positions, _signers(), strict=True):
            values[position - 1] = titles[row_index] if row_index < len(titles) else None
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            cell.font, cell.alignment = bold, Alignment(horizontal="center")
    hints: list[Any] = [None] * width
    for position in positions:
        hints[position - 1] = _("(Ký, ghi rõ họ tên)")
    sheet.append(hints)
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment = Font(italic=True), Alignment(horizontal="center")
    for index, (_label, size) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = size * 0.9
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    buffer = io.BytesIO()
    no_formulas(workbook)
    workbook.save(buffer)
    return buffer.getvalue()


def _made(statement: Statement) -> str:
    made = timezone.localtime(statement.made_at)
    return _("Lập lúc %(time)s ngày %(day)s, người lập: %(user)s") % {
        "time": f"{made:%H:%M}",
        "day": f"{made:%d/%m/%Y}",
        "user": statement.made_by,
    }


def to_pdf(statement: Statement) -> bytes:
    """A4 portrait: heading, one block per task with its subtotal, the total in figures and in
    words, and the three signatures (maker, chief accountant, chairman) kept together."""
    pdf = NumberedPage(margins=(12, 12, 12))
    pdf.set_title(_heading(statement)[0])
    pdf.set_creator("laodong")
    pdf.add_page()
    national_heading(pdf, [("B", issuer(statement.commune))])
    pdf.ln(5)
    title, period = _heading(statement)
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6.5, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(FONT, "I", 10)
    pdf.multi_cell(0, 5, period, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    widths = [size for _label, size in COLUMNS]
    heading = FontFace(emphasis="BOLD", fill_color=(221, 235, 247))
    bold = FontFace(emphasis="BOLD")
    with pdf.table(
        col_widths=widths,
        width=pdf.w - pdf.l_margin - pdf.r_margin,
        text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        headings_style=heading,
        line_height=5,
    ) as table:
        pdf.set_font(FONT, "", 9.5)
        table.row(_columns())
        for number, task in enumerate(statement.tasks):
            table.row(
                [ROMAN[number], str(task.task.label), "", "", _money(task.rate), "", ""],
                style=bold,
            )
            for index, entry in enumerate(task.lines, start=1):
                # Room for a handwritten signature in the last column.
                row = table.row()
                for value in (
                    str(index),
                    entry.name,
                    entry.title,
                    vnd(entry.count),
                    _money(entry.rate),
                    vnd(entry.amount),
                    # Non-breaking spaces: the table keeps the empty line a signature needs.
                    "\u00a0\n\u00a0",
                ):
                    row.cell(value)
            table.row(
                ["", _("Cộng %(n)s") % {"n": ROMAN[number]}, "", vnd(task.count), "",
                 vnd(task.amount), ""],
                style=bold,
            )  # fmt: skip
        table.row(["", _("TỔNG CỘNG"), "", "", "", vnd(statement.total), ""], style=bold)

    def close(target: FPDF, _new_page: bool) -> None:
        target.ln(3)
        target.set_font(FONT, "B", 10.5)
        target.multi_cell(
            0,
            5.5,
            _("Số tiền bằng chữ: %(words)s.") % {"words": in_words(statement.total)},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        target.set_font(FONT, "I", 9)
        target.cell(0, 5, _made(statement), new_x="LMARGIN", new_y="NEXT")
        target.ln(4)
        hint = _("(Ký, ghi rõ họ tên)")
        names = [statement.made_by, "", ""]
        signature_blocks(target, [(titles, hint, names[i]) for i, titles in enumerate(_signers())])

    keep_together(pdf, close)
    pdf.alias_nb_pages()
    return bytes(pdf.output())


def _money(value: int | None) -> str:
    return vnd(value) if value is not None else _("chưa có")


def filename(statement: Statement, extension: str) -> str:
    return (
        f"bang-ke-thanh-toan-{statement.commune.code or statement.commune.pk}-"
        f"{statement.start:%Y%m%d}-{statement.end:%Y%m%d}.{extension}"
    )
