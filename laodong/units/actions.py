"""Every change to administrative units goes through these functions."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import IO, Any

import vietnam_provinces
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from vietnam_provinces import Province, VietNamDivisionType, Ward

from laodong.accounts.permissions import Capability, require_capability
from laodong.audit.models import record_event
from laodong.core.concurrency import check_token
from laodong.core.imports import ImportReport
from laodong.core.tabular import CellError, Column, TableError, import_rows, read_table, row_limit
from laodong.core.text import fold, normalize_text
from laodong.units.models import (
    REFORM_DATE,
    VILLAGE_TYPES,
    Level,
    Unit,
    UnitSuccession,
    UnitType,
)

PACKAGE_SOURCE = f"vietnam-provinces {vietnam_provinces.__version__}"
COUNTRY_CODE = "VN"

_PACKAGE_TYPES = {
    VietNamDivisionType.TINH: UnitType.TINH,
    VietNamDivisionType.THANH_PHO_TRUNG_UONG: UnitType.THANH_PHO_TRUNG_UONG,
    VietNamDivisionType.XA: UnitType.XA,
    VietNamDivisionType.PHUONG: UnitType.PHUONG,
    VietNamDivisionType.DAC_KHU: UnitType.DAC_KHU,
}


class UnitError(Exception):
    """A unit change was refused; the message is for the user."""


def get_country() -> Unit:
    """Return the root of the tree, creating it on first use."""
    country, _created = Unit.objects.get_or_create(
        level=Level.COUNTRY,
        code=COUNTRY_CODE,
        defaults={"name": "Việt Nam", "unit_type": UnitType.QUOC_GIA, "source": "laodong"},
    )
    return country


def _sync(
    wanted: list[dict[str, Any]], existing: dict[str, Unit], report: ImportReport
) -> list[Unit]:
    """Create missing units and update changed ones; return the units in `wanted` order."""
    result, new_units, changed = [], [], []
    for values in wanted:
        unit = existing.get(values["code"])
        if unit is None:
            unit = Unit(**values, name_folded=fold(values["name"]))
            new_units.append(unit)
        elif any(getattr(unit, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(unit, key, value)
            unit.name_folded = fold(unit.name)
            changed.append(unit)
        result.append(unit)
    Unit.objects.bulk_create(new_units, batch_size=500)
    for unit in new_units:
        assert unit.parent is not None
        unit.path = unit.build_path(unit.parent.path)
    Unit.objects.bulk_update(new_units, ["path"], batch_size=500)
    fields = [*wanted[0].keys(), "name_folded"] if wanted else []
    Unit.objects.bulk_update(changed, fields, batch_size=500)
    report.created += len(new_units)
    report.updated += len(changed)
    report.unchanged += len(wanted) - len(new_units) - len(changed)
    return result


@transaction.atomic
def load_current_units(*, acting_user: Any = None) -> ImportReport:
    """Load the 34 provinces and 3,321 communes in force since 1 July 2025; re-runs are no-ops."""
    report = ImportReport()
    country = get_country()
    current = Unit.objects.current()
    provinces_by_code = {u.code: u for u in current.filter(level=Level.PROVINCE)}
    provinces = _sync(
        [
            {
                "code": f"{int(p.code):02d}",
                "name": normalize_text(p.name),
                "unit_type": _PACKAGE_TYPES[p.division_type],
                "level": Level.PROVINCE,
                "parent": country,
                "valid_from": REFORM_DATE,
                "source": PACKAGE_SOURCE,
            }
            for p in sorted(Province.iter_all(), key=lambda p: int(p.code))
        ],
        provinces_by_code,
        report,
    )
    parent_of = {p.code: p for p in provinces}
    communes_by_code = {u.code: u for u in current.filter(level=Level.COMMUNE)}
    _sync(
        [
            {
                "code": f"{int(w.code):05d}",
                "name": normalize_text(w.name),
                "unit_type": _PACKAGE_TYPES[w.division_type],
                "level": Level.COMMUNE,
                "parent": parent_of[f"{int(w.province_code):02d}"],
                "valid_from": REFORM_DATE,
                "source": PACKAGE_SOURCE,
            }
            for w in sorted(Ward.iter_all(), key=lambda w: int(w.code))
        ],
        communes_by_code,
        report,
    )
    if report.created or report.updated:
        record_event(
            actor=acting_user,
            action="units.load_current",
            target_type="units.unit",
            details={"created": report.created, "updated": report.updated},
        )
    return report


# --- villages -----------------------------------------------------------------------------

_VILLAGE_TYPE_PREFIXES = sorted(
    (
        (fold(str(label)), UnitType(value))
        for value, label in UnitType.choices
        if value in VILLAGE_TYPES
    ),
    key=lambda item: -len(item[0]),
)


def guess_village_type(name: str) -> UnitType:
    """Take the type from the name's first words ("Tổ dân phố 3" → tổ dân phố); default thôn."""
    folded = fold(name)
    for prefix, unit_type in _VILLAGE_TYPE_PREFIXES:
        if folded.startswith(prefix + " "):
            return unit_type
    return UnitType.THON


def parse_village_type(text: str) -> UnitType | None:
    folded = fold(text)
    for prefix, unit_type in _VILLAGE_TYPE_PREFIXES:
        if folded in (prefix, unit_type.value.replace("_", " ")):
            return unit_type
    return None


def _check_can_manage_villages(acting_user: Any, commune: Unit) -> None:
    require_capability(acting_user, Capability.MANAGE_VILLAGES)
    if not acting_user.unit.contains(commune):
        raise UnitError(_("Xã này nằm ngoài phạm vi quản lý của bạn."))
    if commune.level != Level.COMMUNE or commune.valid_to is not None:
        raise UnitError(_("Chỉ thêm được thôn vào một xã/phường/đặc khu đang có hiệu lực."))


def _validate_village(commune: Unit, name: str, code: str, exclude_pk: int | None) -> str:
    """Return an error message for a village name/code in this commune, or ''."""
    if not name:
        return _("Tên thôn không được để trống.")
    if len(name) > 150:
        return _("Tên thôn dài quá 150 ký tự.")
    if code and (len(code) > 20 or not code.replace("-", "").replace(".", "").isalnum()):
        return _("Mã thôn chỉ gồm chữ, số, dấu gạch và dấu chấm, tối đa 20 ký tự.")
    siblings = Unit.objects.filter(parent=commune, level=Level.VILLAGE)
    if exclude_pk is not None:
        siblings = siblings.exclude(pk=exclude_pk)
    if siblings.filter(name_folded=fold(name), valid_to__isnull=True).exists():
        return _("Xã đã có thôn “%(name)s”.") % {"name": name}
    if code and siblings.filter(code=code).exists():
        return _("Mã thôn “%(code)s” đã được dùng trong xã.") % {"code": code}
    return ""


@transaction.atomic
def create_village(
    *, acting_user: Any, commune: Unit, name: str, code: str = "", unit_type: str = ""
) -> Unit:
    """Add a village or residential group to a commune."""
    _check_can_manage_villages(acting_user, commune)
    name, code = normalize_text(name), normalize_text(code)
    error = _validate_village(commune, name, code, exclude_pk=None)
    if error:
        raise UnitError(error)
    village = Unit.objects.create(
        name=name,
        code=code,
        unit_type=unit_type or guess_village_type(name),
        level=Level.VILLAGE,
        parent=commune,
        valid_from=datetime.date.today(),
        source="manual",
    )
    record_event(actor=acting_user, action="units.create_village", target=village, unit=commune)
    return village


def village_values(name: str, code: str, unit_type: str) -> dict[str, str]:
    """A village's editable values as its page shows them (what its edit token guards)."""
    label = UnitType(unit_type).label if unit_type in UnitType.values else unit_type
    return {"name": normalize_text(name), "code": normalize_text(code), "unit_type": str(label)}


VILLAGE_LABELS = {
    "name": gettext_lazy("Tên"),
    "code": gettext_lazy("Mã"),
    "unit_type": gettext_lazy("Loại"),
}


@transaction.atomic
def update_village(
    *,
    acting_user: Any,
    village: Unit,
    name: str,
    code: str,
    unit_type: str,
    loaded_token: str | None = None,
) -> Unit:
    """Rename or re-code a village."""
    village = Unit.objects.select_for_update().get(pk=village.pk)
    check_token(
        loaded_token,
        current=village_values(village.name, village.code, village.unit_type),
        mine=village_values(name, code, unit_type),
        labels={key: str(label) for key, label in VILLAGE_LABELS.items()},
    )
    assert village.parent is not None
    _check_can_manage_villages(acting_user, village.parent)
    name, code = normalize_text(name), normalize_text(code)
    error = _validate_village(village.parent, name, code, exclude_pk=village.pk)
    if error:
        raise UnitError(error)
    changes = {
        key: [getattr(village, key), value]
        for key, value in {"name": name, "code": code, "unit_type": unit_type}.items()
        if getattr(village, key) != value
    }
    if changes:
        village.name, village.code, village.unit_type = name, code, unit_type
        village.save(update_fields=["name", "name_folded", "code", "unit_type", "updated_at"])
        record_event(
            actor=acting_user,
            action="units.update_village",
            target=village,
            unit=village.parent,
            details={"changes": changes},
        )
    return village


@transaction.atomic
def close_village(*, acting_user: Any, village: Unit, valid_to: datetime.date) -> Unit:
    """End a village (merged or dissolved); it stays in history for the data collected in it."""
    village = Unit.objects.select_for_update().get(pk=village.pk)
    assert village.parent is not None
    _check_can_manage_villages(acting_user, village.parent)
    if village.valid_to is not None:
        raise UnitError(_("Thôn này đã hết hiệu lực từ trước."))
    if village.valid_from and valid_to < village.valid_from:
        raise UnitError(_("Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực."))
    village.valid_to = valid_to
    village.save(update_fields=["valid_to", "updated_at"])
    record_event(
        actor=acting_user,
        action="units.close_village",
        target=village,
        unit=village.parent,
        details={"valid_to": valid_to.isoformat()},
    )
    return village


VILLAGE_COLUMNS = (
    Column("commune_code", _("Mã xã"), ("ma xa", "ma xa phuong", "ma don vi", "commune code")),
    Column(
        "name",
        _("Tên thôn"),
        (
            "ten thon",
            "thon",
            "ten thon to dan pho",
            "thon to dan pho",
            "ten to dan pho",
            "village name",
            "village",
        ),
    ),
    Column("code", _("Mã thôn"), ("ma thon", "village code"), required=False),
    Column("unit_type", _("Loại"), ("loai", "loai thon"), required=False),
)


@transaction.atomic
def import_villages(*, acting_user: Any, stream: IO[bytes], filename: str) -> ImportReport:
    """Import villages from XLSX/CSV (commune code, village name, optional code and type).

    All rows are checked first; if any row is wrong nothing is written.
    """
    require_capability(acting_user, Capability.MANAGE_VILLAGES)
    report = ImportReport()
    try:
        # Each village is checked and written in this request: a bounded file keeps it
        # within a proxy's 30 seconds (about 15 ms a village on PostgreSQL).
        with row_limit(import_rows("LAODONG_VILLAGE_IMPORT_ROWS", 1000)):
            table = read_table(stream, filename, VILLAGE_COLUMNS)
    except TableError as error:
        report.file_error = str(error)
        return report
    report.unknown_headers = table.unknown_headers
    report.encoding_name = table.encoding_name
    labels = {c.key: c.label for c in VILLAGE_COLUMNS}

    def add_error(row: int, key: str, message: str) -> None:
        report.errors.append(
            CellError(row, message, table.column_letter(key), str(labels[key]), table.sheet)
        )

    communes = {
        u.code: u
        for u in Unit.objects.current().within(acting_user.unit).filter(level=Level.COMMUNE)
    }
    seen: dict[tuple[int, str], int] = {}
    seen_codes: dict[tuple[int, str], int] = {}
    to_create: list[tuple[int, Unit, str, str, UnitType]] = []
    for row, record in table.rows:
        commune_code = record["commune_code"].zfill(5) if record["commune_code"].isdigit() else ""
        commune = communes.get(commune_code)
        name, code = record["name"], record.get("code", "")
        if not record["commune_code"]:
            add_error(row, "commune_code", _("Để trống. Hãy ghi mã xã gồm 5 chữ số."))
            continue
        if commune is None:
            add_error(
                row,
                "commune_code",
                _(
                    "Không có xã mã “%(code)s” trong phạm vi của bạn. Hãy kiểm tra mã xã "
                    "(5 chữ số, theo danh mục từ 01/07/2025)."
                )
                % {"code": record["commune_code"]},
            )
            continue
        unit_type = guess_village_type(name)
        if record.get("unit_type"):
            parsed = parse_village_type(record["unit_type"])
            if parsed is None:
                add_error(
                    row,
                    "unit_type",
                    _(
                        "Không hiểu loại “%(value)s”. Hãy ghi một trong: thôn, xóm, bản, ấp, "
                        "tổ dân phố, khu phố…"
                    )
                    % {"value": record["unit_type"]},
                )
                continue
            unit_type = parsed
        key = (commune.pk, fold(name))
        if name and key in seen:
            add_error(row, "name", _("Trùng với dòng %(row)s.") % {"row": seen[key]})
            continue
        seen[key] = row
        if code:
            code_key = (commune.pk, code)
            if code_key in seen_codes:
                add_error(
                    row,
                    "code",
                    _("Trùng mã thôn với dòng %(row)s.") % {"row": seen_codes[code_key]},
                )
                continue
            seen_codes[code_key] = row
        existing = Unit.objects.filter(
            parent=commune, level=Level.VILLAGE, name_folded=fold(name), valid_to__isnull=True
        ).first()
        if existing is not None and (not code or existing.code == code):
            report.unchanged += 1
            continue
        message = _validate_village(commune, name, code, exclude_pk=None)
        if message:
            add_error(row, "code" if name and code and existing is None else "name", message)
            continue
        to_create.append((row, commune, name, code, unit_type))
    if report.errors:
        return report
    for row, commune, name, code, unit_type in to_create:
        try:
            create_village(
                acting_user=acting_user,
                commune=commune,
                name=name,
                code=code,
                unit_type=unit_type,
            )
        except UnitError as refused:
            # Changed by someone else since the check: write nothing, say which row.
            transaction.set_rollback(True)
            add_error(row, "name", str(refused))
            report.created = 0
            return report
        report.created += 1
    return report


# --- pre-2025 units and their successors ---------------------------------------------------

LEGACY_COLUMNS = (
    Column("province_code", "ma_tinh_cu", ("mã tỉnh cũ", "old province code")),
    Column("province_name", "ten_tinh_cu", ("tên tỉnh cũ", "old province name")),
    Column("district_code", "ma_huyen_cu", ("mã huyện cũ", "old district code")),
    Column("district_name", "ten_huyen_cu", ("tên huyện cũ", "old district name")),
    Column("commune_code", "ma_xa_cu", ("mã xã cũ", "old commune code")),
    Column("commune_name", "ten_xa_cu", ("tên xã cũ", "old commune name")),
    Column("successor_code", "ma_xa_moi", ("mã xã mới", "new commune code")),
    Column("primary", "chinh", ("chính", "primary"), required=False),
    Column("valid_to", "het_hieu_luc", ("hết hiệu lực", "valid to"), required=False),
)

_LEGACY_TYPE_PREFIXES: list[tuple[str, dict[int, UnitType]]] = [
    (
        "thanh pho",
        {
            Level.PROVINCE: UnitType.THANH_PHO_TRUNG_UONG,
            Level.DISTRICT: UnitType.THANH_PHO_THUOC_TINH,
        },
    ),
    ("tinh", {Level.PROVINCE: UnitType.TINH}),
    ("huyen", {Level.DISTRICT: UnitType.HUYEN}),
    ("quan", {Level.DISTRICT: UnitType.QUAN}),
    ("thi xa", {Level.DISTRICT: UnitType.THI_XA}),
    ("thi tran", {Level.COMMUNE: UnitType.THI_TRAN}),
    ("phuong", {Level.COMMUNE: UnitType.PHUONG}),
    ("xa", {Level.COMMUNE: UnitType.XA}),
]
_DEFAULT_TYPE: dict[int, UnitType] = {
    Level.PROVINCE: UnitType.TINH,
    Level.DISTRICT: UnitType.HUYEN,
    Level.COMMUNE: UnitType.XA,
}


def _legacy_type(name: str, level: int) -> UnitType:
    folded = fold(name)
    for prefix, by_level in _LEGACY_TYPE_PREFIXES:
        if folded.startswith(prefix + " ") and level in by_level:
            return by_level[level]
    return _DEFAULT_TYPE[level]


def _parse_date(text: str) -> datetime.date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    return None


@transaction.atomic
def import_legacy_units(
    *, acting_user: Any, stream: IO[bytes], filename: str, source: str = ""
) -> ImportReport:
    """Record pre-2025 provinces, districts and communes with end dates and their successors.

    One row per (old commune, new commune) pair; an old commune split between several new ones
    has several rows, one of them marked primary (chinh = 1). Re-running the file changes nothing.
    """
    report = ImportReport()
    try:
        table = read_table(stream, filename, LEGACY_COLUMNS)
    except TableError as error:
        report.file_error = str(error)
        return report
    report.unknown_headers = table.unknown_headers
    report.encoding_name = table.encoding_name
    labels = {c.key: c.label for c in LEGACY_COLUMNS}

    def add_error(row: int, key: str, message: str) -> None:
        report.errors.append(
            CellError(row, message, table.column_letter(key), str(labels[key]), table.sheet)
        )

    current_communes = {u.code: u for u in Unit.objects.current().filter(level=Level.COMMUNE)}
    names: dict[tuple[int, str], tuple[str, int]] = {}
    pairs: dict[str, list[tuple[str, bool]]] = {}
    rows: list[dict[str, Any]] = []
    for row, record in table.rows:
        bad = False
        for key, level, width in (
            ("province_code", Level.PROVINCE, 2),
            ("district_code", Level.DISTRICT, 3),
            ("commune_code", Level.COMMUNE, 5),
        ):
            value = record[key]
            if not value.isdigit() or len(value) > width:
                add_error(row, key, _("Mã phải gồm tối đa %(width)s chữ số.") % {"width": width})
                bad = True
                continue
            record[key] = value.zfill(width)
            name_key = key.replace("code", "name")
            if not record[name_key]:
                add_error(row, name_key, _("Tên không được để trống."))
                bad = True
                continue
            known = names.setdefault((level, record[key]), (record[name_key], row))
            if fold(known[0]) != fold(record[name_key]):
                add_error(
                    row,
                    name_key,
                    _("Mã %(code)s đã mang tên “%(name)s” ở dòng %(row)s.")
                    % {"code": record[key], "name": known[0], "row": known[1]},
                )
                bad = True
        successor = current_communes.get(record["successor_code"].zfill(5))
        if successor is None:
            add_error(
                row,
                "successor_code",
                _(
                    "Không có xã hiện hành mã “%(code)s”. Hãy nạp danh mục đơn vị hiện hành trước "
                    "(laodong units load) và kiểm tra mã."
                )
                % {"code": record["successor_code"]},
            )
            bad = True
        valid_to = REFORM_DATE - datetime.timedelta(days=1)
        if record.get("valid_to"):
            parsed = _parse_date(record["valid_to"])
            if parsed is None:
                add_error(row, "valid_to", _("Ngày phải ghi dạng dd/mm/yyyy."))
                bad = True
            else:
                valid_to = parsed
        primary_text = fold(record.get("primary", ""))
        if primary_text not in ("", "1", "0", "x", "co", "khong"):
            add_error(row, "primary", _("Ghi 1 (chính) hoặc 0, hoặc để trống."))
            bad = True
        if bad:
            continue
        assert successor is not None
        primary = primary_text in ("1", "x", "co")
        pairs.setdefault(record["commune_code"], []).append((successor.code, primary))
        rows.append(
            {**record, "row": row, "successor": successor, "valid_to": valid_to, "primary": primary}
        )
    for commune_code, targets in pairs.items():
        primaries = sum(1 for _code, primary in targets if primary)
        if (len(targets) > 1 and primaries != 1) or primaries > 1:
            first = next(r["row"] for r in rows if r["commune_code"] == commune_code)
            add_error(
                first,
                "primary",
                _(
                    "Xã cũ mã %(code)s được chia cho %(count)s xã mới: đánh dấu đúng một dòng "
                    "chính (chinh = 1)."
                )
                % {"code": commune_code, "count": len(targets)},
            )
    if report.errors:
        return report

    country = get_country()
    created_units: dict[tuple[int, str], Unit] = {}

    def upsert(level: int, code: str, name: str, parent: Unit, valid_to: datetime.date) -> Unit:
        key = (level, code)
        if key in created_units:
            return created_units[key]
        unit = Unit.objects.filter(level=level, code=code, valid_to=valid_to).first()
        if unit is None:
            unit = Unit.objects.create(
                level=level,
                code=code,
                name=name,
                unit_type=_legacy_type(name, level),
                parent=parent,
                valid_to=valid_to,
                source=source or filename,
            )
            report.created += 1
        created_units[key] = unit
        return unit

    for item in rows:
        province = upsert(
            Level.PROVINCE,
            item["province_code"],
            item["province_name"],
            country,
            item["valid_to"],
        )
        district = upsert(
            Level.DISTRICT,
            item["district_code"],
            item["district_name"],
            province,
            item["valid_to"],
        )
        commune = upsert(
            Level.COMMUNE,
            item["commune_code"],
            item["commune_name"],
            district,
            item["valid_to"],
        )
        is_primary = item["primary"] or len(pairs[item["commune_code"]]) == 1
        _link, made = UnitSuccession.objects.get_or_create(
            predecessor=commune,
            successor=item["successor"],
            defaults={"is_primary": is_primary, "source": source or filename},
        )
        if made:
            report.created += 1
        else:
            report.unchanged += 1
    if report.created:
        record_event(
            actor=acting_user,
            action="units.import_legacy",
            target_type="units.unit",
            details={"created": report.created, "file": filename},
        )
    return report


def primary_successor(unit: Unit) -> Unit | None:
    """Follow primary successions to the unit in force today (None if the chain ends)."""
    seen: set[int] = set()
    current: Unit | None = unit
    while current is not None and current.valid_to is not None and current.pk not in seen:
        seen.add(current.pk)
        link = current.successions.filter(is_primary=True).select_related("successor").first()
        current = link.successor if link else None
    return current


def village_choices(commune: Unit) -> Iterable[Unit]:
    return Unit.objects.current().filter(parent=commune, level=Level.VILLAGE).order_by("name")
