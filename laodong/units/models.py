"""Administrative units: country → province → (district) → commune → village."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils.translation import gettext_lazy as _

from laodong.core.text import fold, normalize_text
from laodong.units.querysets import UnitQuerySet

# The day the two-level local government took effect (Nghị quyết 202/2025/QH15).
REFORM_DATE = datetime.date(2025, 7, 1)
PATH_SEPARATOR = "/"


class PathField(models.CharField):
    """A materialised path compared byte by byte.

    Range and prefix searches on the path must not depend on the database's collation:
    PostgreSQL gets the "C" collation (SQLite's default BINARY already compares bytes).
    """

    def db_parameters(self, connection: BaseDatabaseWrapper) -> dict[str, Any]:
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            parameters["collation"] = "C"
        return parameters


class Level(models.IntegerChoices):
    COUNTRY = 0, _("Cả nước")
    PROVINCE = 1, _("Tỉnh")
    DISTRICT = 2, _("Huyện")
    COMMUNE = 3, _("Xã")
    VILLAGE = 4, _("Thôn")


class UnitType(models.TextChoices):
    # Member names follow the official Vietnamese type names, as vietnam-provinces does.
    QUOC_GIA = "quoc_gia", _("quốc gia")
    TINH = "tinh", _("tỉnh")
    THANH_PHO_TRUNG_UONG = "thanh_pho_trung_uong", _("thành phố trực thuộc trung ương")
    HUYEN = "huyen", _("huyện")
    QUAN = "quan", _("quận")
    THI_XA = "thi_xa", _("thị xã")
    THANH_PHO_THUOC_TINH = "thanh_pho_thuoc_tinh", _("thành phố thuộc tỉnh")
    XA = "xa", _("xã")
    PHUONG = "phuong", _("phường")
    THI_TRAN = "thi_tran", _("thị trấn")
    DAC_KHU = "dac_khu", _("đặc khu")
    THON = "thon", _("thôn")
    XOM = "xom", _("xóm")
    BAN = "ban", _("bản")
    AP = "ap", _("ấp")
    LANG = "lang", _("làng")
    BUON = "buon", _("buôn")
    PLEI = "plei", _("plei")
    KHOM = "khom", _("khóm")
    TO_DAN_PHO = "to_dan_pho", _("tổ dân phố")
    KHU_PHO = "khu_pho", _("khu phố")
    KHU_DAN_CU = "khu_dan_cu", _("khu dân cư")


LEVEL_OF_TYPE: dict[str, int] = {
    UnitType.QUOC_GIA: Level.COUNTRY,
    UnitType.TINH: Level.PROVINCE,
    UnitType.THANH_PHO_TRUNG_UONG: Level.PROVINCE,
    UnitType.HUYEN: Level.DISTRICT,
    UnitType.QUAN: Level.DISTRICT,
    UnitType.THI_XA: Level.DISTRICT,
    UnitType.THANH_PHO_THUOC_TINH: Level.DISTRICT,
    UnitType.XA: Level.COMMUNE,
    UnitType.PHUONG: Level.COMMUNE,
    UnitType.THI_TRAN: Level.COMMUNE,
    UnitType.DAC_KHU: Level.COMMUNE,
}
VILLAGE_TYPES = [t for t in UnitType if t not in LEVEL_OF_TYPE]

# Unit names are Vietnamese proper names in every UI language ("Xã Cẩm Tân"), so the word that
# prefixes a bare name is Vietnamese too, never the translated type label.
NAME_PREFIX: dict[str, str] = {
    UnitType.QUOC_GIA: "",
    UnitType.TINH: "Tỉnh",
    UnitType.THANH_PHO_TRUNG_UONG: "Thành phố",
    UnitType.HUYEN: "Huyện",
    UnitType.QUAN: "Quận",
    UnitType.THI_XA: "Thị xã",
    UnitType.THANH_PHO_THUOC_TINH: "Thành phố",
    UnitType.XA: "Xã",
    UnitType.PHUONG: "Phường",
    UnitType.THI_TRAN: "Thị trấn",
    UnitType.DAC_KHU: "Đặc khu",
    UnitType.THON: "Thôn",
    UnitType.XOM: "Xóm",
    UnitType.BAN: "Bản",
    UnitType.AP: "Ấp",
    UnitType.LANG: "Làng",
    UnitType.BUON: "Buôn",
    UnitType.PLEI: "Plei",
    UnitType.KHOM: "Khóm",
    UnitType.TO_DAN_PHO: "Tổ dân phố",
    UnitType.KHU_PHO: "Khu phố",
    UnitType.KHU_DAN_CU: "Khu dân cư",
}


class Unit(models.Model):
    """One administrative unit, current or historic, in a single tree."""

    code = models.CharField(_("mã"), max_length=20, blank=True)
    name = models.CharField(_("tên"), max_length=150)
    name_folded = models.CharField(max_length=150, db_index=True, editable=False)
    unit_type = models.CharField(_("loại"), max_length=24, choices=UnitType.choices)
    level = models.PositiveSmallIntegerField(_("cấp"), choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị cấp trên"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # "/<pk of root>/<pk>/.../<own pk>/": descendants are the rows whose path starts with ours.
    path = PathField(max_length=255, db_index=True, editable=False, default="")
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    source = models.CharField(_("nguồn"), max_length=80, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        constraints = [
            # Official codes are unique among the units in force at one level. Historic units
            # (valid_to set) may reuse a code, as 2025 communes did.
            models.UniqueConstraint(
                fields=["level", "code"],
                condition=models.Q(valid_to__isnull=True, level__lt=Level.VILLAGE),
                name="unit_current_code_unique",
            ),
            models.UniqueConstraint(
                fields=["level", "code", "valid_to"],
                condition=models.Q(valid_to__isnull=False, level__lt=Level.VILLAGE),
                name="unit_historic_code_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "code"],
                condition=models.Q(level=Level.VILLAGE) & ~models.Q(code=""),
                name="unit_village_code_unique",
            ),
            models.UniqueConstraint(
                fields=["parent", "name_folded"],
                condition=models.Q(level=Level.VILLAGE, valid_to__isnull=True),
                name="unit_village_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["parent", "name_folded"], name="unit_parent_name")]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name = normalize_text(self.name)
        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)
        if not self.path:
            self.path = self.build_path(self.parent.path if self.parent else PATH_SEPARATOR)
            super().save(update_fields=["path"])

    def build_path(self, parent_path: str) -> str:
        return f"{parent_path}{self.pk}{PATH_SEPARATOR}"

    @property
    def is_current(self) -> bool:
        return self.valid_to is None or self.valid_to >= datetime.date.today()

    @property
    def is_village(self) -> bool:
        return self.level == Level.VILLAGE

    @property
    def is_commune(self) -> bool:
        return self.level == Level.COMMUNE

    def contains(self, other: Unit) -> bool:
        """Return whether `other` is this unit or lies below it."""
        return other.path.startswith(self.path)

    def ancestor_ids(self) -> list[int]:
        return [int(part) for part in self.path.strip(PATH_SEPARATOR).split(PATH_SEPARATOR) if part]

    def label(self) -> str:
        """Name with the type when the name does not already carry it ("Xã Cẩm Tân")."""
        prefix = NAME_PREFIX.get(self.unit_type, "")
        if not prefix or fold(self.name).startswith(fold(prefix) + " "):
            return self.name
        return f"{prefix} {self.name}"

    def label_in_text(self) -> str:
        """The label as written inside a sentence, its type in lower case ("tại xã Cẩm Tân",
        "Công an phường Ba Đình"); the name keeps its capitals."""
        label = self.label()
        prefix = NAME_PREFIX.get(self.unit_type, "")
        if prefix and fold(label).startswith(fold(prefix) + " "):
            return prefix.lower() + label[len(prefix) :]
        return label


class UnitSuccession(models.Model):
    """An old unit continued (wholly or in part) by a newer one after a reorganisation."""

    predecessor = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    # When an old commune was split, data under its code is reported under the primary successor.
    is_primary = models.BooleanField(default=True)
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["predecessor", "successor"], name="succession_unique"),
            models.UniqueConstraint(
                fields=["predecessor"],
                condition=models.Q(is_primary=True),
                name="succession_one_primary",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"
