"""A unit's name inside a sentence: "tại xã Cẩm Tân", not "tại Xã Cẩm Tân"."""

from __future__ import annotations

from typing import Any

from laodong.conftest import make_unit
from laodong.units.models import Level, UnitType


def test_the_type_is_lower_case_inside_a_sentence(tree: Any) -> None:
    assert tree.commune.label() == "Xã Cẩm Tân"
    assert tree.commune.label_in_text() == "xã Cẩm Tân"
    assert tree.province.label_in_text() == "tỉnh Thanh Hóa"
    ward = make_unit("Phường Ba Đình", Level.COMMUNE, tree.other_province, "00004", UnitType.PHUONG)
    assert ward.label_in_text() == "phường Ba Đình"
    assert tree.village.label_in_text() == "thôn 1"
