from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from laodong.accounts.actions import normalize_phone
from laodong.accounts.models import ROLE_LEVELS, Role
from laodong.accounts.permissions import assignable_roles
from laodong.core.text import fold
from laodong.units.models import Level, Unit

# Above this many units a select list is unusable on a phone: ask for the unit code instead.
MAX_UNIT_CHOICES = 300


def _units_for(user: Any) -> Any:
    levels = {level for role in assignable_roles(user) for level in ROLE_LEVELS[role]}
    return (
        Unit.objects.current()
        .within(user.unit)
        .filter(level__in=levels)
        .order_by("level", "name_folded")
    )


def unit_reference(unit: Unit) -> str:
    """How a unit is typed where a list would be too long: its code, or "commune/village"."""
    if unit.level == Level.VILLAGE and unit.parent is not None:
        return f"{unit.parent.code}/{unit.name}"
    return unit.code


def _unit_option(unit: Unit) -> str:
    """Villages are indented under their commune in the unit list."""
    return ("— " if unit.level == Level.VILLAGE else "") + unit.label()


class AccountForm(forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    phone = forms.CharField(
        label=_("Số điện thoại"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("Thư điện tử"),
        max_length=254,
        required=False,
        help_text=_("Để nhận nhắc việc qua thư điện tử (nếu hệ thống đã cấu hình gửi thư)."),
        widget=forms.EmailInput(attrs={"inputmode": "email", "autocomplete": "off"}),
    )
    role = forms.ChoiceField(label=_("Vai trò"))
    unit = forms.ModelChoiceField(label=_("Đơn vị"), queryset=Unit.objects.none())

    def __init__(self, *args: Any, acting_user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r.value, r.label) for r in assignable_roles(acting_user)]
        units = _units_for(acting_user)
        if units.count() <= MAX_UNIT_CHOICES:
            field = self.fields["unit"]
            assert isinstance(field, forms.ModelChoiceField)
            field.queryset = units
            field.label_from_instance = _unit_option  # type: ignore[method-assign,assignment]
        else:
            self.fields["unit"] = forms.CharField(
                label=_("Mã đơn vị"),
                help_text=_(
                    "Mã tỉnh (2 chữ số), mã xã (5 chữ số), hoặc mã xã/tên thôn "
                    "(ví dụ: 15178/Thôn 1)."
                ),
            )
            self._units = units
            current = self.initial.get("unit")
            if isinstance(current, Unit):
                self.initial["unit"] = unit_reference(current)

    def clean_phone(self) -> str:
        raw = self.cleaned_data["phone"]
        if not raw:
            return ""
        phone = normalize_phone(raw)
        if not phone:
            raise forms.ValidationError(_("Số điện thoại di động gồm 10 chữ số, bắt đầu bằng 0."))
        return phone

    def clean_email(self) -> str:
        return str(self.cleaned_data.get("email") or "").strip().lower()

    def clean_unit(self) -> Unit:
        value = self.cleaned_data["unit"]
        if isinstance(value, Unit):
            return value
        commune_code, _sep, village_name = value.strip().partition("/")
        if village_name:
            unit = self._units.filter(
                level=Level.VILLAGE,
                parent__code=commune_code.strip(),
                parent__level=Level.COMMUNE,
                name_folded=fold(village_name),
            ).first()
        else:
            unit = self._units.filter(level__lt=Level.VILLAGE, code=commune_code.strip()).first()
        if unit is None:
            raise forms.ValidationError(_("Không có đơn vị mã này trong phạm vi của bạn."))
        return unit

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        unit, role = data.get("unit"), data.get("role")
        if isinstance(unit, Unit) and role and unit.level not in ROLE_LEVELS[role]:
            levels = ", ".join(str(Level(level).label).lower() for level in ROLE_LEVELS[role])
            self.add_error(
                "unit",
                _("Vai trò “%(role)s” phải thuộc đơn vị cấp: %(levels)s.")
                % {"role": Role(role).label, "levels": levels},
            )
        return data


class CreateAccountForm(AccountForm):
    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        required=False,
        help_text=_("Để trống thì dùng số điện thoại làm tên đăng nhập."),
    )
    field_order = ["full_name", "phone", "email", "username", "role", "unit"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if not data.get("username") and not data.get("phone"):
            self.add_error("username", _("Hãy ghi số điện thoại hoặc tên đăng nhập."))
        data["username"] = data.get("username") or data.get("phone", "")
        return data


class AccountFilterForm(forms.Form):
    q = forms.CharField(label=_("Tìm theo tên hoặc tên đăng nhập"), required=False)
    role = forms.ChoiceField(label=_("Vai trò"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), ("active", _("Đang hoạt động")), ("locked", _("Đã khóa"))],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [("", _("Tất cả")), *Role.choices]
