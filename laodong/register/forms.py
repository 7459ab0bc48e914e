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

    def __init__(self, *args: Any, villages: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["village"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = villages


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
