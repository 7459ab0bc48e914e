"""The characters our printed documents can show: those of the bundled Noto Serif font. Text
with others (emoji, Chinese characters, direction controls) would print blank or reorder the
line, so it is refused where it is typed."""

from __future__ import annotations

import functools
import unicodedata

import fontpkg_noto_serif
from fontTools.ttLib import TTFont

FONT_FILE = fontpkg_noto_serif.ROOT / "files" / "NotoSerif[wdth,wght].ttf"
# Invisible characters that change how a line reads (right-to-left overrides, zero-width
# joiners) or control characters: never meaningful in a name or an address.
_HIDDEN = {"Cc", "Cf", "Co", "Cs", "Cn"}


@functools.lru_cache(maxsize=1)
def printable_characters() -> frozenset[int]:
    font = TTFont(FONT_FILE, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def unprintable(text: str) -> list[str]:
    """The characters of the text a printed form cannot show, each once, in order."""
    if text.isascii() and text.isprintable():
        return []
    known = printable_characters()
    found: list[str] = []
    for char in text:
        if char in found or char in " \t":
            continue
        if ord(char) not in known or unicodedata.category(char) in _HIDDEN:
            found.append(char)
    return found


def describe(chars: list[str]) -> str:
    """The characters as code points ("U+1F600"), which survive any display."""
    return ", ".join(f"U+{ord(char):04X}" for char in chars[:5])
