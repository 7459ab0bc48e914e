from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laodong.units.models import VILLAGE_TYPES, UnitType

VILLAGE_TYPE_CHOICES = [(t.value, t.label) for t in UnitType if t in VILLAGE_TYPES]


class VillageForm(forms.Form):
    name = forms.CharField(label=_("Tên thôn / tổ dân phố"), max_length=150)
    unit_type = forms.ChoiceField(
        label=_("Loại"), choices=VILLAGE_TYPE_CHOICES, initial=UnitType.THON
    )
    code = forms.CharField(label=_("Mã (nếu có)"), max_length=20, required=False)


class CloseVillageForm(forms.Form):
    valid_to = forms.DateField(
        label=_("Hết hiệu lực từ ngày"),
        widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )


class UploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) hoặc CSV"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload
