"""Vietnamese text normalisation shared by every app."""

import re
import unicodedata

_SPACES = re.compile(r"\s+")
_FOLD_PUNCTUATION = re.compile(r"[^0-9a-z ]+")


def normalize_text(value: str) -> str:
    """Return NFC text with runs of white space collapsed to one space and ends trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def fold(value: str) -> str:
    """Return a search key: lower case, no diacritics (đ→d), single spaces.

    "Nguyễn  Văn A" and "nguyen van a" fold to the same key.
    """
    text = unicodedata.normalize("NFD", normalize_text(value).lower())
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


def fold_compact(value: str) -> str:
    """Fold and drop everything but letters, digits and single spaces (for header matching)."""
    return _SPACES.sub(" ", _FOLD_PUNCTUATION.sub(" ", fold(value))).strip()
