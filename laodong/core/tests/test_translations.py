"""The English catalog is complete and its compiled .mo matches the .po."""

from __future__ import annotations

import gettext
import re
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def _entries(po: Path) -> list[tuple[str, str]]:
    def unquote(block: str) -> str:
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', block)
        return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()

    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        if block.lstrip().startswith("#~"):
            continue
        msgid = re.search(r'^msgid ((?:".*"\n?)+)', block, re.M)
        msgstr = re.search(r'^msgstr(?:\[0\])? ((?:".*"\n?)+)', block, re.M)
        if msgid and msgstr and unquote(msgid.group(1)):
            assert "#, fuzzy" not in block, block
            entries.append((unquote(msgid.group(1)), unquote(msgstr.group(1))))
    return entries


def test_every_message_has_an_english_translation() -> None:
    entries = _entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")
    assert len(entries) > 200
    assert [msgid for msgid, msgstr in entries if not msgstr] == []


def test_compiled_catalog_matches_the_source() -> None:
    with (LOCALE / "en" / "LC_MESSAGES" / "django.mo").open("rb") as handle:
        catalog = gettext.GNUTranslations(handle)
    for msgid, msgstr in _entries(LOCALE / "en" / "LC_MESSAGES" / "django.po"):
        if "%(counter)s" in msgid:
            assert catalog.ngettext(msgid, msgid, 1) == msgstr
        else:
            assert catalog.gettext(msgid) == msgstr, msgid
