"""Accounts: one person, one role, one administrative unit."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from laodong.core.text import fold, normalize_text
from laodong.units.models import Level


class Role(models.TextChoices):
    ENUMERATOR = "enumerator", _("Điều tra viên")
    VILLAGE_HEAD = "village_head", _("Trưởng thôn")
    COMMUNE_LABOR_OFFICER = "commune_labor_officer", _("Công chức Văn hóa – Xã hội (lao động)")
    COMMUNE_POLICE = "commune_police", _("Công an xã")
    COMMUNE_LEADER = "commune_leader", _("Lãnh đạo UBND xã")
    COMMUNE_FINANCE_OFFICER = "commune_finance_officer", _("Công chức Tài chính – Kế toán")
    PROVINCE_LABOR_DEPARTMENT = "province_labor_department", _("Sở Nội vụ")
    PROVINCE_POLICE = "province_police", _("Công an tỉnh")
    # The head of the province's department, who signs the province's reports off.
    PROVINCE_LEADER = "province_leader", _("Lãnh đạo Sở Nội vụ")
    # The ministry receives the provinces' reports and accepts or returns them.
    MINISTRY = "ministry", _("Bộ Nội vụ")
    SYSTEM_ADMINISTRATOR = "system_administrator", _("Quản trị hệ thống")


# The unit levels an account of each role may belong to.
ROLE_LEVELS: dict[str, tuple[int, ...]] = {
    Role.ENUMERATOR: (Level.COMMUNE, Level.VILLAGE),
    Role.VILLAGE_HEAD: (Level.VILLAGE,),
    Role.COMMUNE_LABOR_OFFICER: (Level.COMMUNE,),
    Role.COMMUNE_POLICE: (Level.COMMUNE,),
    Role.COMMUNE_LEADER: (Level.COMMUNE,),
    Role.COMMUNE_FINANCE_OFFICER: (Level.COMMUNE,),
    Role.PROVINCE_LABOR_DEPARTMENT: (Level.PROVINCE,),
    Role.PROVINCE_POLICE: (Level.PROVINCE,),
    Role.PROVINCE_LEADER: (Level.PROVINCE,),
    Role.MINISTRY: (Level.COUNTRY,),
    Role.SYSTEM_ADMINISTRATOR: (Level.COUNTRY, Level.PROVINCE),
}


class AccountManager(UserManager["User"]):
    def create_superuser(
        self, username: str, email: str | None = None, password: str | None = None, **extra: Any
    ) -> User:
        """Create an administrator attached to the root unit (used by `createsuperuser`)."""
        from laodong.units.actions import get_country

        extra.setdefault("role", Role.SYSTEM_ADMINISTRATOR)
        extra.setdefault("must_change_password", False)
        if "unit" not in extra and "unit_id" not in extra:
            extra["unit"] = get_country()
        return super().create_superuser(username, email, password, **extra)


class User(AbstractUser):
    """A person who works with the register."""

    first_name = None  # type: ignore[assignment]
    last_name = None  # type: ignore[assignment]
    full_name = models.CharField(_("họ và tên"), max_length=150)
    full_name_folded = models.CharField(max_length=150, db_index=True, editable=False)
    phone = models.CharField(_("số điện thoại"), max_length=20, blank=True)
    role = models.CharField(_("vai trò"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "units.Unit",
        verbose_name=_("đơn vị"),
        null=True,
        on_delete=models.PROTECT,
        related_name="accounts",
    )
    must_change_password = models.BooleanField(_("phải đổi mật khẩu"), default=True)
    # Open notices the user has not looked at (laodong.notices keeps it), shown in the header
    # without a query on every page.
    unseen_notices = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = AccountManager()  # type: ignore[misc]
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        verbose_name = _("tài khoản")
        verbose_name_plural = _("tài khoản")
        indexes = [models.Index(fields=["unit", "role"], name="account_unit_role")]

    def __str__(self) -> str:
        return self.full_name or self.username

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.full_name = normalize_text(self.full_name)
        self.full_name_folded = fold(self.full_name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "full_name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "full_name_folded"}
        super().save(*args, **kwargs)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.rsplit(" ", 1)[-1] if self.full_name else self.username
