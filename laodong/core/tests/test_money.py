"""Amounts in words, hand-checked against how Vietnamese payment lists write them."""

from __future__ import annotations

import pytest

from laodong.core.money import in_words, vnd


@pytest.mark.parametrize(
    ("amount", "words"),
    [
        (0, "Không đồng"),
        (5, "Năm đồng"),
        (10, "Mười đồng"),
        (15, "Mười lăm đồng"),
        (21, "Hai mươi mốt đồng"),
        (25, "Hai mươi lăm đồng"),
        (105, "Một trăm lẻ năm đồng"),
        (110, "Một trăm mười đồng"),
        (1_000, "Một nghìn đồng chẵn"),
        (1_005, "Một nghìn không trăm lẻ năm đồng"),
        (1_050, "Một nghìn không trăm năm mươi đồng"),
        (15_000, "Mười lăm nghìn đồng chẵn"),
        (1_000_000, "Một triệu đồng chẵn"),
        (1_000_500, "Một triệu năm trăm đồng"),
        (1_005_000, "Một triệu không trăm lẻ năm nghìn đồng chẵn"),
        (1_500_000, "Một triệu năm trăm nghìn đồng chẵn"),
        # 2,450 forms at 10,000 đồng: Cẩm Tân's whole collection.
        (24_500_000, "Hai mươi bốn triệu năm trăm nghìn đồng chẵn"),
        (
            123_456_789,
            "Một trăm hai mươi ba triệu bốn trăm năm mươi sáu nghìn bảy trăm tám mươi chín đồng",
        ),
        (2_000_000_000, "Hai tỷ đồng chẵn"),
        (2_001_000_000, "Hai tỷ không trăm lẻ một triệu đồng chẵn"),
    ],
)
def test_amount_in_words(amount: int, words: str) -> None:
    assert in_words(amount) == words


def test_grouping_and_negative_amounts() -> None:
    assert vnd(24_500_000) == "24.500.000"
    with pytest.raises(ValueError):
        in_words(-1)
