"""Vietnamese text normalisation shared by every app."""

import re
import unicodedata
from collections import Counter

_SPACES = re.compile(r"\s+")
_FOLD_PUNCTUATION = re.compile(r"[^0-9a-z ]+")


def normalize_text(value: str) -> str:
    """Return NFC text with runs of white space collapsed to one space and ends trimmed."""
    # str.split() without arguments splits on runs of white space and drops the ends; it is
    # several times faster than a regular expression, which matters on million-row files.
    if not value.isascii():
        value = unicodedata.normalize("NFC", value)
    return " ".join(value.split())


def fold(value: str) -> str:
    """Return a search key: lower case, no diacritics (đ→d), single spaces.

    "Nguyễn  Văn A" and "nguyen van a" fold to the same key.
    """
    text = unicodedata.normalize("NFD", normalize_text(value).lower()).translate(_COMBINING_MARKS)
    if not text.isascii():
        # Marks outside the block Vietnamese uses (rare): the general, slower way.
        text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return text.replace("đ", "d")


# Vietnamese diacritics all decompose to this block; a translate table strips them fast
# (police lists of a million names are folded one by one).
_COMBINING_MARKS = {code: None for code in range(0x300, 0x370)} | {ord("đ"): "d"}


def capitalize_name(value: str) -> str:
    """Write a person's name the usual way: each word capitalised ("Nguyễn Văn An").

    Works on NFC text so that "đ" and letters with diacritics capitalise as one letter;
    parts joined by a hyphen or apostrophe (H'Mông, Lò-Văn) are capitalised each.
    """
    words = normalize_text(value).split(" ")
    return " ".join(_capitalize_word(word) for word in words if word)


def _capitalize_word(word: str) -> str:
    return "".join(
        part[:1].upper() + part[1:].lower() if part not in "-'" else part
        for part in re.split(r"([-'])", word)
    )


def fold_compact(value: str) -> str:
    """Fold and drop everything but letters, digits and single spaces (for header matching)."""
    return _SPACES.sub(" ", _FOLD_PUNCTUATION.sub(" ", fold(value))).strip()


# Legacy Vietnamese encodings still met in spreadsheets typed with .VnTime (TCVN3/ABC) or
# VNI-Times fonts. The conversion tables and the content-based detection come from viparse,
# whose tables were validated against real government documents.
LEGACY_ENCODING_NAMES = {"tcvn3": "TCVN3 (ABC)", "vni": "VNI"}


def detect_legacy_encoding(sample: str) -> str | None:
    """Return "tcvn3" or "vni" when the sample reads as Vietnamese only after conversion."""
    from viparse.normalize.detector import detect_encoding_by_content
    from viparse.normalize.encodings import CHARMAPS

    candidates = {name: CHARMAPS[name] for name in LEGACY_ENCODING_NAMES}
    found = detect_encoding_by_content(sample, candidates).encoding
    if found in LEGACY_ENCODING_NAMES:
        return found
    # A list of short names ("Lª B×nh") says too little as a whole; its lines vote: at least
    # two of them, a quarter of those with letters outside ASCII, and none for the other.
    lines = [line for line in sample.splitlines() if not line.isascii()]
    votes = Counter(detect_encoding_by_content(line, candidates).encoding for line in lines)
    legacy = [(count, name) for name, count in votes.items() if name in LEGACY_ENCODING_NAMES]
    if len(legacy) == 1 and legacy[0][0] >= max(2, len(lines) / 4):
        return legacy[0][1]
    return None


def convert_legacy(text: str, encoding: str) -> str:
    """Convert text typed in a legacy encoding to Unicode NFC."""
    from viparse.normalize.encodings import CHARMAPS
    from viparse.normalize.tables import convert

    return unicodedata.normalize("NFC", convert(text, CHARMAPS[encoding]))
