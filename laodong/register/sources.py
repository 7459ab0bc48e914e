"""Where a change to the register came from, and the reference each source needs.

Every version records its source (domain README, "sources of updates"). An officer chooses it
from `CHOSEN` (a list kept here, on the server: a value a client makes up is refused); the
system gives the others (a campaign's acceptance, a register import, a transfer, a request).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from laodong.register.forms import clean_day, date_field
from laodong.register.models import Source

# What an officer may choose for a change made by hand (a request's acceptance is made from
# the request, so that it links to it).
CHOSEN = (
    Source.PROCEDURE,
    Source.SOCIAL_INSURANCE,
    Source.UNEMPLOYMENT,
    Source.JOB_CENTRE,
    Source.POLICE,
    Source.CORRECTION,
    Source.OTHER,
)
# A person recorded by hand may also come from a form collected on paper.
CHOSEN_FOR_NEW = (Source.COLLECTION, *CHOSEN)
# Sources whose document (list, letter, decision) must be named.
NEEDS_REFERENCE = (
    Source.PROCEDURE,
    Source.SOCIAL_INSURANCE,
    Source.UNEMPLOYMENT,
    Source.JOB_CENTRE,
    Source.POLICE,
)

REFERENCE_HELP = {
    Source.PROCEDURE: gettext_lazy("Tên thủ tục, số hồ sơ và ngày có kết quả"),
    Source.SOCIAL_INSURANCE: gettext_lazy("Số công văn hoặc tên danh sách của cơ quan BHXH"),
    Source.UNEMPLOYMENT: gettext_lazy("Số quyết định hưởng trợ cấp thất nghiệp"),
    Source.JOB_CENTRE: gettext_lazy("Số văn bản hoặc phiếu của Trung tâm dịch vụ việc làm"),
    Source.POLICE: gettext_lazy("Danh sách hoặc văn bản của Công an"),
    Source.OTHER: gettext_lazy("Ghi rõ lý do ở ô Lý do"),
}


@dataclass(frozen=True)
class Origin:
    """A change's source and its reference."""

    source: str
    reference_title: str = ""
    reference: str = ""
    reference_date: datetime.date | None = None
    reason: str = ""
    request: Any = None  # the ChangeRequest a REQUEST change answers

    def problems(self, chosen: tuple[str, ...] | None = None) -> list[str]:
        """What is wrong with this origin, in words (empty when it can be stored)."""
        if self.source not in Source.values or (chosen is not None and self.source not in chosen):
            return [_("Nguồn thay đổi không hợp lệ. Hãy chọn một nguồn trong danh sách.")]
        found = []
        if self.source == Source.PROCEDURE:
            if not self.reference_title.strip():
                found.append(_("Nguồn “Thủ tục hành chính”: hãy ghi tên thủ tục."))
            if not self.reference.strip():
                found.append(_("Nguồn “Thủ tục hành chính”: hãy ghi số hồ sơ."))
            if self.reference_date is None:
                found.append(_("Nguồn “Thủ tục hành chính”: hãy ghi ngày (dd/mm/yyyy)."))
        elif self.source in NEEDS_REFERENCE and not self.reference.strip():
            found.append(
                _("Nguồn “%(source)s”: hãy ghi số văn bản hoặc tên danh sách.")
                % {"source": Source(self.source).label}
            )
        if self.source == Source.OTHER and not self.reason.strip():
            found.append(_("Nguồn “Khác”: hãy ghi lý do."))
        if self.source == Source.REQUEST and self.request is None:
            found.append(_("Nguồn “Đề nghị”: thay đổi phải được ghi từ một đề nghị."))
        if self.reference_date and self.reference_date > timezone.localdate():
            found.append(_("Ngày của văn bản không được sau hôm nay."))
        return found

    def text(self) -> str:
        """The reference in one line, for lists and the police's record."""
        parts = [self.reference_title.strip(), self.reference.strip()]
        if self.reference_date:
            parts.append(f"{self.reference_date:%d/%m/%Y}")
        return ", ".join(part for part in parts if part)


def origin_of(version: Any) -> Origin:
    """The origin a stored version (or anything with the same fields) records."""
    return Origin(
        source=version.source,
        reference_title=version.reference_title,
        reference=version.reference,
        reference_date=version.reference_date,
        reason=version.reason,
        request=version.request if version.request_id else None,
    )


class OriginForm(forms.Form):
    """The source of a change and its reference, as the pages that change the register ask
    for it. The choice is limited to `chosen`; anything else posted is refused."""

    source = forms.ChoiceField(label=gettext_lazy("Nguồn thay đổi"))
    reference_title = forms.CharField(
        label=gettext_lazy("Tên thủ tục / văn bản"), required=False, max_length=200
    )
    reference = forms.CharField(
        label=gettext_lazy("Số hồ sơ / số văn bản / tên danh sách"), required=False, max_length=200
    )
    reference_date = date_field(gettext_lazy("Ngày của văn bản"), required=False)
    reason = forms.CharField(label=gettext_lazy("Lý do"), required=False, max_length=300)

    prefix = "origin"

    def __init__(self, *args: Any, chosen: tuple[str, ...] = CHOSEN, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.chosen = chosen
        field = self.fields["source"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", "—"), *((value, Source(value).label) for value in chosen)]

    def clean_reference_date(self) -> datetime.date | None:
        return clean_day(self.cleaned_data.get("reference_date", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        for problem in self.origin(data).problems(self.chosen):
            self.add_error(None, problem)
        return data

    def origin(self, data: dict[str, Any] | None = None, request: Any = None) -> Origin:
        data = self.cleaned_data if data is None else data
        return Origin(
            source=data.get("source") or "",
            reference_title=(data.get("reference_title") or "").strip(),
            reference=(data.get("reference") or "").strip(),
            reference_date=data.get("reference_date"),
            reason=(data.get("reason") or "").strip(),
            request=request,
        )

    def help_texts(self) -> dict[str, str]:
        return {key: str(text) for key, text in REFERENCE_HELP.items()}
