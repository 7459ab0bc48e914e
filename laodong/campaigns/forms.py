from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from laodong.campaigns.actions import ReportPlan, RoundPlan
from laodong.campaigns.models import Campaign, ReportDeadline, RoundKind
from laodong.units.models import Unit

DATE_WIDGET = forms.DateInput(
    format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
)
ROUNDS_PER_KIND = 3
REPORT_ROWS = 4
FORM_CHOICES = [
    ("tt09-2025-m01", "Mẫu số 01 – Thông tư 09/2025/TT-BNV"),
    ("tt11-2022-m03", "Mẫu số 03 – Thông tư 11/2022/TT-BLĐTBXH"),
]


def _date(label: Any, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, required=required)


class CampaignForm(forms.Form):
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=200)
    legal_basis = forms.CharField(
        label=_("Căn cứ (số, ngày kế hoạch)"), max_length=300, required=False
    )
    form_code = forms.ChoiceField(label=_("Mẫu phiếu"), choices=FORM_CHOICES)
    communes = forms.ModelMultipleChoiceField(
        label=_("Các xã thực hiện"),
        queryset=Unit.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": "8"}),
        help_text=_("Bỏ trống và chọn “Cả tỉnh” để áp dụng cho mọi xã."),
    )
    whole_province = forms.BooleanField(label=_("Cả tỉnh"), required=False)
    reference_date = _date(_("Thời điểm tính tuổi (đủ 15 tuổi)"))
    collection_start = _date(_("Thu thập từ ngày"))
    collection_end = _date(_("Thu thập đến ngày"))
    entry_start = _date(_("Nhập dữ liệu từ ngày"))
    entry_end = _date(_("Nhập dữ liệu đến ngày"))
    double_entry = forms.BooleanField(
        label=_("Phiếu giấy nhập hai lần để đối chiếu"), required=False
    )

    def __init__(
        self, *args: Any, communes: QuerySet[Unit] | None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for kind, label in ((RoundKind.COLLECTION, _("thu thập")), (RoundKind.ENTRY, _("nhập"))):
            for number in range(1, ROUNDS_PER_KIND + 1):
                self.fields[f"{kind}_{number}_deadline"] = _date(
                    _("Hạn đợt %(label)s %(number)s") % {"label": label, "number": number},
                    required=False,
                )
                self.fields[f"{kind}_{number}_percent"] = forms.IntegerField(
                    label=_("Phần trăm chỉ tiêu"), min_value=1, max_value=100, required=False
                )
        for number in range(1, REPORT_ROWS + 1):
            self.fields[f"report_{number}_title"] = forms.CharField(
                label=_("Tên báo cáo %(number)s") % {"number": number},
                max_length=200,
                required=False,
            )
            self.fields[f"report_{number}_level"] = forms.TypedChoiceField(
                label=_("Cấp gửi"),
                choices=ReportDeadline.FROM_LEVELS,
                coerce=int,
                required=False,
            )
            self.fields[f"report_{number}_due"] = _date(_("Hạn gửi"), required=False)
        if communes is None or editing:
            del self.fields["communes"]
            del self.fields["whole_province"]
        else:
            field = self.fields["communes"]
            assert isinstance(field, forms.ModelMultipleChoiceField)
            field.queryset = communes
        if editing:
            del self.fields["form_code"]

    def round_fields(self) -> list[tuple[Any, Any]]:
        return [
            (self[f"{kind}_{n}_deadline"], self[f"{kind}_{n}_percent"])
            for kind in RoundKind
            for n in range(1, ROUNDS_PER_KIND + 1)
        ]

    def report_fields(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"report_{n}_title"], self[f"report_{n}_level"], self[f"report_{n}_due"])
            for n in range(1, REPORT_ROWS + 1)
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for number in range(1, REPORT_ROWS + 1):
            title = (data.get(f"report_{number}_title") or "").strip()
            due = data.get(f"report_{number}_due")
            if title and not due:
                self.add_error(f"report_{number}_due", _("Hãy ghi hạn gửi của báo cáo này."))
            if due and not title:
                self.add_error(f"report_{number}_title", _("Hãy ghi tên của báo cáo này."))
        return data

    def reports(self) -> list[ReportPlan]:
        plans = []
        for number in range(1, REPORT_ROWS + 1):
            title = (self.cleaned_data.get(f"report_{number}_title") or "").strip()
            due = self.cleaned_data.get(f"report_{number}_due")
            if title and due:
                level = self.cleaned_data.get(f"report_{number}_level") or 3
                plans.append(ReportPlan(title, level, due))
        return plans

    def plan(self) -> dict[str, Any]:
        """What create_campaign and update_campaign both take from the form."""
        data = self.cleaned_data
        names = ("title", "legal_basis", "reference_date", "collection_start", "collection_end")
        return {
            **{name: data[name] for name in names},
            "entry_start": data["entry_start"],
            "entry_end": data["entry_end"],
            "double_entry": data["double_entry"],
            "rounds": self.rounds(),
            "reports": self.reports(),
        }

    def rounds(self) -> list[RoundPlan]:
        plans = []
        for kind in RoundKind:
            for number in range(1, ROUNDS_PER_KIND + 1):
                deadline = self.cleaned_data.get(f"{kind}_{number}_deadline")
                if deadline:
                    percent = self.cleaned_data.get(f"{kind}_{number}_percent") or 100
                    plans.append(RoundPlan(kind, deadline, percent))
        return plans

    @staticmethod
    def initial_for(campaign: Campaign) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(campaign, name)
            for name in (
                "title",
                "legal_basis",
                "reference_date",
                "collection_start",
                "collection_end",
                "entry_start",
                "entry_end",
                "double_entry",
            )
        }
        for round_ in campaign.rounds.all():
            initial[f"{round_.kind}_{round_.number}_deadline"] = round_.deadline
            initial[f"{round_.kind}_{round_.number}_percent"] = round_.target_percent
        for number, deadline in enumerate(campaign.report_deadlines.order_by("pk"), start=1):
            initial[f"report_{number}_title"] = deadline.title
            initial[f"report_{number}_level"] = deadline.from_level
            initial[f"report_{number}_due"] = deadline.due
        return initial
