"""The person form in the browser, built from a form version's definition.

Django only reads the answers; whether an item is required, must be empty or is consistent
is decided by the validation engine (through register.actions.check_person), the same one the
imports and the API use.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from laodong.forms.definitions import FormDefinition, Item
from laodong.forms.validation import Finding
from laodong.units.models import Unit

# Header items that come from the chosen village (the "village" field) instead of being typed.
DERIVED_ITEMS = {"province", "district", "commune", "village"}
RADIO_LIMIT = 6


def _field_for(definition: FormDefinition, item: Item) -> forms.Field:
    label = item.title
    attrs: dict[str, str] = {}
    if item.type in ("choice", "multi_choice"):
        code_list = definition.code_lists[item.code_list]
        choices = [(c.code, f"{c.code}. {c.label}") for c in code_list.codes]
        if item.type == "multi_choice":
            return forms.MultipleChoiceField(
                label=label,
                choices=choices,
                required=False,
                widget=forms.CheckboxSelectMultiple,
                help_text=item.help,
            )
        # Few options read best as radios (as on paper); long lists as a dropdown.
        widget: forms.Widget = forms.RadioSelect()
        if len(choices) > RADIO_LIMIT:
            widget = forms.Select()
            choices = [("", "—"), *choices]
        return forms.ChoiceField(
            label=label, choices=choices, required=False, widget=widget, help_text=item.help
        )
    if item.type == "date":
        attrs = {"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"}
    elif item.type in ("personal_id", "digits"):
        attrs = {"inputmode": "numeric", "autocomplete": "off"}
    return forms.CharField(
        label=label,
        required=False,
        max_length=item.max_length or 300,
        help_text=item.help,
        widget=forms.TextInput(attrs=attrs),
    )


def _village_option(village: Unit) -> str:
    return f"{village.label()} – {village.parent.label()}" if village.parent else village.label()


class PersonForm(forms.Form):
    """All items of a form version, plus the village and the warnings to confirm."""

    village = forms.ModelChoiceField(label=_("Thôn / tổ dân phố"), queryset=Unit.objects.none())
    confirmed_warnings = forms.MultipleChoiceField(
        label=_("Tôi đã kiểm tra và xác nhận các cảnh báo trên"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, *args: Any, definition: FormDefinition, villages: QuerySet[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definition = definition
        village_field = self.fields["village"]
        assert isinstance(village_field, forms.ModelChoiceField)
        village_field.queryset = villages
        village_field.label_from_instance = _village_option  # type: ignore[method-assign,assignment]
        for item in definition.items:
            if item.key not in DERIVED_ITEMS:
                field = _field_for(definition, item)
                # Marked with * before submitting; the engine decides (skip logic included).
                field.item_required = item.required and item.required_severity == "error"  # type: ignore[attr-defined]
                self.fields[item.key] = field
        self.warnings: list[Finding] = []
        # Warnings previously shown may be confirmed on the next submit.
        warnings_field = self.fields["confirmed_warnings"]
        assert isinstance(warnings_field, forms.MultipleChoiceField)
        warnings_field.choices = (
            [(rule, rule) for rule in self.data.getlist("shown_warnings")]
            if hasattr(self.data, "getlist")
            else []
        )

    def first_error_id(self) -> str:
        """The anchor of the first item with an error, in the order of the form."""
        for name in self.fields:
            if name in self.errors:
                return f"field-{name}"
        return ""

    def answers_keys(self) -> list[str]:
        return [
            item.key
            for item in self.definition.items
            if item.key in self.fields and item.key not in DERIVED_ITEMS
        ]

    def answers(self) -> dict[str, Any]:
        return {key: self.cleaned_data.get(key) for key in self.answers_keys()}

    def add_findings(self, findings: list[Finding]) -> None:
        """Put errors next to their fields; keep warnings for confirmation."""
        for finding in findings:
            if finding.severity == "warning":
                self.warnings.append(finding)
            elif finding.field in self.fields:
                self.add_error(finding.field, finding.message)
            else:
                self.add_error(None, finding.message)

    def sections(self) -> list[tuple[str, list[dict[str, Any]]]]:
        """Fields grouped by the form's sections, each with its skip rule for the browser."""
        grouped = []
        for key, label in self.definition.sections:
            rows = []
            for item in self.definition.items:
                # The village item is the village chooser; the other header units follow it.
                if item.section != key or item.key not in self.fields:
                    continue
                rows.append(
                    {
                        "field": self[item.key],
                        "when": json.dumps(item.when.as_dict()) if item.when else "",
                    }
                )
            if rows:
                grouped.append((label, rows))
        return grouped


class PersonSearchForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo họ tên hoặc số CCCD"), required=False)
    village = forms.ModelChoiceField(
        label=_("Thôn"), queryset=Unit.objects.none(), required=False, empty_label=_("Tất cả")
    )
    state = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[
            ("", _("Đang quản lý")),
            ("left", _("Đã ra khỏi diện quản lý")),
            ("all", _("Tất cả")),
        ],
    )

    def __init__(
        self, *args: Any, villages: QuerySet[Unit], by_village: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages
        if not by_village:
            field.label = _("Đơn vị")


class PeopleUploadForm(forms.Form):
    file = forms.FileField(label=_("Tệp Excel (.xlsx) hoặc CSV"))
    form_code = forms.ChoiceField(
        label=_("Mẫu phiếu"),
        required=False,
        choices=[
            ("", _("Tự nhận biết")),
            ("tt09-2025-m01", "Mẫu số 01/2025 (TT 09/2025)"),
            ("tt11-2022-m03", "Mẫu số 03 (TT 11/2022)"),
        ],
    )
    confirm_warnings = forms.BooleanField(
        label=_("Tôi đã kiểm tra các cảnh báo và xác nhận nhập"),
        required=False,
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx hoặc .csv."))
        return upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Zero or more scanned documents (checked by register.evidence when stored)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else ([data] if data else [])
        from laodong.register.evidence import check_uploads

        problems = check_uploads(list(files))
        if problems:
            raise forms.ValidationError(problems)
        return list(files)


def date_field(label: Any, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=10,
        widget=forms.TextInput(attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}),
    )


def clean_day(text: str) -> Any:
    from laodong.forms.dates import parse_date

    text = (text or "").strip()
    if not text:
        return None
    parsed = parse_date(text)
    if parsed is None or parsed.year_only:
        raise forms.ValidationError(_("Ngày phải ghi dạng dd/mm/yyyy."))
    return parsed.value


class CloseForm(forms.Form):
    """Taking a person out of the register: when, why, and the document that says so."""

    left_on = date_field(_("Từ ngày"))
    reason = forms.ChoiceField(
        label=_("Lý do ra khỏi diện quản lý"), widget=forms.RadioSelect, choices=()
    )
    destination = forms.CharField(
        label=_("Chuyển đến (nếu biết)"),
        required=False,
        max_length=200,
        help_text=_("Xã/phường, tỉnh nơi chuyển đến."),
    )
    evidence = EvidenceField(
        label=_("Giấy tờ kèm theo (PDF, JPEG, PNG)"),
        help_text=_("Ví dụ: trích lục khai tử, quyết định gọi nhập ngũ. Không bắt buộc."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from laodong.register.models import LeaveReason

        super().__init__(*args, **kwargs)
        field = self.fields["reason"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = LeaveReason.choices

    def clean_left_on(self) -> Any:
        return clean_day(self.cleaned_data.get("left_on", ""))


PROPOSED_ROWS = 6


class ProposedValuesForm(forms.Form):
    """Up to six items of the person's form with the values proposed for them."""

    def __init__(self, *args: Any, items: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.row_names = []
        for index in range(1, PROPOSED_ROWS + 1):
            self.fields[f"item_{index}"] = forms.ChoiceField(
                label=_("Mục %(number)s") % {"number": index},
                required=False,
                choices=[("", "—"), *items],
            )
            self.fields[f"value_{index}"] = forms.CharField(
                label=_("Giá trị mới"), required=False, max_length=300
            )
            self.row_names.append((f"item_{index}", f"value_{index}"))

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[item], self[value]) for item, value in self.row_names]

    def proposed(self) -> dict[str, str]:
        data = self.cleaned_data
        return {
            data[item]: data[value].strip()
            for item, value in self.row_names
            if data.get(item) and (data.get(value) or "").strip()
        }

    @staticmethod
    def initial_for(proposed: dict[str, Any]) -> dict[str, Any]:
        initial: dict[str, Any] = {}
        for index, (key, value) in enumerate(list(proposed.items())[:PROPOSED_ROWS], start=1):
            initial[f"item_{index}"] = key
            initial[f"value_{index}"] = ", ".join(value) if isinstance(value, list) else value
        return initial


class RequestForm(forms.Form):
    """Who asked, how, when, and what for."""

    requester_kind = forms.ChoiceField(
        label=_("Người đề nghị là"), widget=forms.RadioSelect, choices=()
    )
    requester_name = forms.CharField(
        label=_("Tên người / cơ quan / tổ chức đề nghị"), max_length=200
    )
    channel = forms.ChoiceField(label=_("Hình thức"), widget=forms.RadioSelect, choices=())
    received_on = date_field(_("Ngày nhận"))
    content = forms.CharField(
        label=_("Nội dung đề nghị"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = EvidenceField(
        label=_("Giấy tờ kèm theo (PDF, JPEG, PNG)"),
        help_text=_("Bản quét giấy tờ chứng minh, nếu có."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from laodong.register.models import Channel, RequesterKind

        super().__init__(*args, **kwargs)
        kind = self.fields["requester_kind"]
        channel = self.fields["channel"]
        assert isinstance(kind, forms.ChoiceField) and isinstance(channel, forms.ChoiceField)
        kind.choices = RequesterKind.choices
        channel.choices = Channel.choices

    def clean_received_on(self) -> Any:
        return clean_day(self.cleaned_data.get("received_on", ""))


class DecisionForm(forms.Form):
    decision = forms.CharField(
        label=_("Trả lời / lý do"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    replied_on = date_field(_("Ngày trả lời"))

    def clean_replied_on(self) -> Any:
        return clean_day(self.cleaned_data.get("replied_on", ""))
