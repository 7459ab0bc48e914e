from __future__ import annotations

import pytest

from laodong.audit.models import AuditEvent
from laodong.units.actions import load_current_units
from laodong.units.models import Level, Unit, UnitType


@pytest.mark.django_db
def test_load_creates_34_provinces_and_3321_communes_and_is_idempotent() -> None:
    first = load_current_units()
    assert first.created == 1 + 34 + 3321 - 1  # the country root is not counted by _sync
    assert Unit.objects.filter(level=Level.COUNTRY).count() == 1
    assert Unit.objects.filter(level=Level.PROVINCE).count() == 34
    assert Unit.objects.filter(level=Level.COMMUNE).count() == 3321
    events = AuditEvent.objects.count()
    snapshot = list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path"))

    second = load_current_units()

    assert (second.created, second.updated, second.unchanged) == (0, 0, 34 + 3321)
    assert list(Unit.objects.order_by("pk").values_list("pk", "code", "name", "path")) == snapshot
    assert AuditEvent.objects.count() == events


@pytest.mark.django_db
def test_loaded_units_have_codes_types_and_paths() -> None:
    load_current_units()
    thanh_hoa = Unit.objects.get(level=Level.PROVINCE, code="38")
    cam_tan = Unit.objects.get(level=Level.COMMUNE, code="15178")
    assert thanh_hoa.name == "Thanh Hóa"
    assert thanh_hoa.unit_type == UnitType.TINH
    assert cam_tan.name == "Xã Cẩm Tân"
    assert cam_tan.parent == thanh_hoa
    assert cam_tan.path == f"{thanh_hoa.path}{cam_tan.pk}/"
    assert Unit.objects.get(level=Level.PROVINCE, code="01").unit_type == (
        UnitType.THANH_PHO_TRUNG_UONG
    )
    assert Unit.objects.within(thanh_hoa).filter(level=Level.COMMUNE).count() == (
        Unit.objects.filter(parent=thanh_hoa).count()
    )
    assert Unit.objects.filter(level=Level.COMMUNE, unit_type=UnitType.DAC_KHU).count() == 13


@pytest.mark.django_db
def test_load_repairs_a_renamed_unit() -> None:
    load_current_units()
    Unit.objects.filter(level=Level.COMMUNE, code="15178").update(name="Sai tên")
    report = load_current_units()
    assert report.updated == 1
    assert Unit.objects.get(level=Level.COMMUNE, code="15178").name == "Xã Cẩm Tân"
