from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from laodong.core.text import fold, fold_compact, normalize_text


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Nguyễn Văn A", "nguyen van a"),
        ("ĐỖ  THỊ   ĐÀO", "do thi dao"),
        ("Thôn Đông", "thon dong"),
        ("Xã Cẩm Tân", "xa cam tan"),
    ],
)
def test_fold_examples(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_decomposed_and_composed_input_fold_alike() -> None:
    composed = "Nguyễn"
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    assert normalize_text(decomposed) == composed
    assert fold(decomposed) == fold(composed) == "nguyen"


@given(st.text())
def test_normalize_is_idempotent_nfc_and_trimmed(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert unicodedata.is_normalized("NFC", once)
    assert once == once.strip()
    assert "  " not in once


@given(st.text())
def test_fold_is_idempotent_and_has_no_marks(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert not any(unicodedata.category(ch) == "Mn" for ch in folded)
    assert "đ" not in folded


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọ"
        "ốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ -'",
        max_size=40,
    )
)
def test_vietnamese_text_folds_to_ascii_letters(text: str) -> None:
    assert all(ch.isascii() for ch in fold(text))
    assert all(ch.isalnum() or ch == " " for ch in fold_compact(text))


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("nguyễn  văn an", "Nguyễn Văn An"),
        ("ĐỖ THỊ ĐÀO", "Đỗ Thị Đào"),
        ("lò văn pấng", "Lò Văn Pấng"),
        ("h'mông a", "H'Mông A"),
        (unicodedata.normalize("NFD", "trần thị ánh"), "Trần Thị Ánh"),
    ],
)
def test_capitalize_name_examples(raw: str, name: str) -> None:
    from laodong.core.text import capitalize_name

    assert capitalize_name(raw) == name


@given(
    st.text(
        alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyáàảãạắằẳẵặấầẩẫậéèẻẽẹếềểễệíìỉĩịóòỏõọ"
        "ốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ ",
        max_size=40,
    )
)
def test_capitalize_name_is_idempotent_and_keeps_the_letters(text: str) -> None:
    from laodong.core.text import capitalize_name

    once = capitalize_name(text)
    assert capitalize_name(once) == once
    assert fold(once) == fold(text)
    assert all(word[:1].isupper() for word in once.split())
