"""Read a file of filled forms as communes keep them: a list whose title rows name the form
("Mẫu số 03 … Thông tư 11/2022/TT-BLĐTBXH") and the area ("Địa bàn: Xã …, Huyện …, Tỉnh …")
instead of giving them in columns. `laodong validate` and the Excel import into the register
both read files this way, so they agree on every file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from django.utils.translation import gettext as _

from laodong.core.tabular import Table, TableError, is_footer_text, read_table
from laodong.core.text import fold
from laodong.forms.columns import form_columns
from laodong.forms.definitions import get_form
from laodong.units.lookup import find_commune_in_text
from laodong.units.models import Level, Unit

OLD_FORM, CURRENT_FORM = "tt11-2022-m03", "tt09-2025-m01"

# How titles name each form version (folded, without diacritics).
_FORM_TITLES = (
    (CURRENT_FORM, re.compile(r"09\s*/\s*2025|tt-bnv|phu luc i\b")),
    (OLD_FORM, re.compile(r"11\s*/\s*2022|tt-bldtbxh|mau so 03|mau 03")),
)


@dataclass
class FormFile:
    table: Table
    form_code: str
    # Why this form version: given, named in the title, or guessed from the columns.
    form_reason: str
    commune: Unit | None
    commune_reason: str
    skipped: int = 0

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """The people's rows, with the area filled in from the title (or --commune) where the
        file has no such column or leaves it empty. Rows naming nobody (a total, a signature
        line and the names under it) are skipped and counted in `skipped`."""
        header = self._header_answers()
        self.skipped = 0
        in_footer = False
        for number, answers in self.table.rows:
            named = any(answers.get(key) for key in ("full_name", "birth_date", "personal_id"))
            if not named or (
                in_footer and not answers.get("birth_date") and not answers.get("personal_id")
            ):
                first = next((str(v) for v in answers.values() if v), "")
                in_footer = in_footer or is_footer_text(first)
                self.skipped += 1
                continue
            filled = dict(answers)
            for key, value in header.items():
                if not str(filled.get(key) or "").strip():
                    filled[key] = value
            yield number, filled

    def _header_answers(self) -> dict[str, str]:
        if self.commune is None:
            return {}
        answers = {"commune": self.commune.code}
        form = get_form(self.form_code)
        for ancestor in Unit.objects.ancestors_of(self.commune):
            if ancestor.level == Level.PROVINCE:
                answers["province"] = ancestor.code
            elif ancestor.level == Level.DISTRICT and form.has_item("district"):
                answers["district"] = ancestor.code
        return answers


def form_from_titles(titles: list[str]) -> tuple[str, str] | None:
    """The form version a title names, and that title."""
    for line in titles:
        folded = fold(line)
        for code, pattern in _FORM_TITLES:
            if pattern.search(folded):
                return code, line.strip()
    return None


def read_form_file(
    stream: IO[bytes],
    filename: str,
    *,
    form_code: str | None = None,
    commune_code: str | None = None,
) -> FormFile:
    """Read the file with its form version's columns, deciding the version and the commune
    from the arguments, else the title rows, else the columns. Raises TableError."""
    commune: Unit | None = None
    commune_reason = ""
    if commune_code:
        commune = Unit.objects.filter(level=Level.COMMUNE, code=commune_code.strip()).first()
        if commune is None:
            raise TableError(_("Không có xã mã “%(code)s”.") % {"code": commune_code})
        commune_reason = _("chọn khi chạy (--commune)")
    code = form_code or OLD_FORM
    table = read_table(stream, filename, form_columns(get_form(code)))
    if form_code:
        reason = _("chọn khi chạy (--form)")
    else:
        named = form_from_titles(table.title_rows)
        if named is not None:
            code, title = named
            reason = _("tiêu đề: “%(title)s”") % {"title": title}
        elif "district" in table.positions:
            reason = _("tệp có cột Quận/huyện (Mẫu số 03)")
        else:
            code = CURRENT_FORM
            reason = _("tệp không ghi mẫu và không có cột Quận/huyện: mẫu hiện hành")
        if code != OLD_FORM:
            stream.seek(0)
            table = read_table(stream, filename, form_columns(get_form(code)))
    if commune is None:
        if "commune" in table.positions and any(a.get("commune") for _n, a in table.rows):
            commune_reason = _("cột Xã/phường trong tệp")
        else:
            found = find_commune_in_text(table.title_rows)
            commune = found.commune
            if commune is not None:
                commune_reason = _("tiêu đề: “%(title)s”") % {"title": found.reason}
            elif found.reason:
                commune_reason = _("không xác định được xã từ tiêu đề “%(title)s”") % {
                    "title": found.reason
                }
            else:
                commune_reason = _("tệp không ghi xã; hãy chạy lại với --commune MÃ_XÃ")
    return FormFile(
        table=table,
        form_code=code,
        form_reason=reason,
        commune=commune,
        commune_reason=commune_reason,
    )
