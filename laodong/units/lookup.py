"""Find the commune a list is about from how its title block names it ("Địa bàn: Xã Cẩm Tân,
Huyện Cẩm Thủy, Tỉnh Thanh Hóa"), before or after the 2025 reorganisation."""

from __future__ import annotations

import re
from dataclasses import dataclass

from laodong.core.text import fold
from laodong.units.models import Level, Unit

_COMMUNE = re.compile(
    r"\b(xa|phuong|thi tran|dac khu)\s+([^,;:()]+?)\s*(?=,|;|\(|\)|$|\s-\s|"
    r"\s(?:huyen|quan|thi xa|thanh pho|tinh)\b)"
)
_DISTRICT = re.compile(r"\b(huyen|quan|thi xa)\s+([^,;:()]+?)\s*(?=,|;|\(|\)|$|\s-\s|\stinh\b)")
_PROVINCE = re.compile(r"\b(tinh|thanh pho)\s+([^,;:()]+?)\s*(?=,|;|\(|\)|$|\s-\s)")
# The national motto sits beside the issuer on the same row; its "xã hội" is no commune.
_MOTTO = ("cong hoa xa hoi chu nghia viet nam", "doc lap - tu do - hanh phuc")


@dataclass(frozen=True)
class FoundCommune:
    commune: Unit | None
    # What the title said and how it was matched, or why nothing was.
    reason: str


def _named(queryset: object, prefix: str, name: str) -> list[Unit]:
    """Units named "Xã Cẩm Tân" or "Cẩm Tân" in the catalogue."""
    wanted = {fold(f"{prefix} {name}"), fold(name)}
    return list(queryset.filter(name_folded__in=wanted))  # type: ignore[attr-defined]


def find_commune_in_text(lines: list[str]) -> FoundCommune:
    """The commune named in a list's title rows, narrowed by its district and province."""
    unresolved = ""
    for line in lines:
        folded = fold(line)
        for words in _MOTTO:
            folded = folded.replace(words, ";")
        commune = _COMMUNE.search(folded)
        if commune is None:
            continue
        prefix, name = commune.group(1), commune.group(2).strip()
        rest = folded[commune.end() :]
        district = _DISTRICT.search(rest)
        province = _PROVINCE.search(rest)
        candidates = _named(Unit.objects.filter(level=Level.COMMUNE), prefix, name)
        if province is not None:
            provinces = _named(
                Unit.objects.filter(level=Level.PROVINCE), province.group(1), province.group(2)
            )
            candidates = [c for c in candidates if any(p.contains(c) for p in provinces)]
        if district is not None and len(candidates) > 1:
            districts = _named(
                Unit.objects.filter(level=Level.DISTRICT), district.group(1), district.group(2)
            )
            narrowed = [c for c in candidates if any(d.contains(c) for d in districts)]
            candidates = narrowed or candidates
        if len(candidates) > 1:
            # One name, before and after 2025: the unit in force.
            current = [c for c in candidates if c.valid_to is None]
            candidates = current if len(current) == 1 else candidates
        if len(candidates) == 1:
            return FoundCommune(candidates[0], line.strip())
        # A later line may say more ("UBND XÃ CẨM TÂN", then "Địa bàn: …, Tỉnh Thanh Hóa").
        if not unresolved:
            problem = "nhiều xã trùng tên" if candidates else "không có trong danh mục"
            unresolved = f"{line.strip()} — {problem}"
    return FoundCommune(None, unresolved)
