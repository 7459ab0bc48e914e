"""Personal ID numbers: the 12-digit số định danh cá nhân and the legacy 9-digit CMND.

Structure PPP G YY RRRRRR (Nghị định 137/2015/NĐ-CP art. 13; Thông tư 07/2016/TT-BCA annex 1):
PPP is the province (or country) where the birth was registered, G the century and sex,
YY the last two digits of the birth year. There is no public check digit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

# Birth-registration province codes of the 63 provinces before 2025; they do not change with
# the 2025 mergers (citizen-id.md).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa – Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

_SEPARATORS = re.compile(r"[\s.\-]")


class IdKind(StrEnum):
    PERSONAL = "personal"  # 12 digits: CCCD / căn cước / 12-digit CMND (2012–2016)
    LEGACY = "legacy"  # 9-digit CMND: says nothing about the person


class IdProblem(StrEnum):
    EMPTY = "empty"
    NOT_DIGITS = "not_digits"
    LENGTH = "length"
    PROVINCE = "province"


@dataclass(frozen=True)
class ParsedId:
    """A syntactically valid ID; for 12-digit IDs, what its digits say about the person."""

    number: str
    kind: IdKind
    province_code: str = ""
    birth_year: int | None = None
    is_male: bool | None = None

    @property
    def province_name(self) -> str:
        return PROVINCE_CODES.get(self.province_code, "")


def normalize_id(raw: str) -> str:
    """Drop spaces, dots and dashes people type inside ID numbers."""
    return _SEPARATORS.sub("", raw or "")


def with_lost_zero(digits: str) -> str | None:
    """An ID Excel kept as a number has lost its leading 0 (11 digits for a 12-digit ID, 8 for
    a 9-digit CMND): the number with it put back when that is a valid ID, else None."""
    if len(digits) in (8, 11) and digits.isdigit():
        padded = "0" + digits
        if not isinstance(parse_id(padded), IdProblem):
            return padded
    return None


def parse_id(raw: str) -> ParsedId | IdProblem:
    """Return the parsed ID, or the first structural problem found."""
    number = normalize_id(raw)
    if not number:
        return IdProblem.EMPTY
    if not number.isdigit() or not number.isascii():
        return IdProblem.NOT_DIGITS
    if len(number) == 9:
        return ParsedId(number=number, kind=IdKind.LEGACY)
    if len(number) != 12:
        return IdProblem.LENGTH
    province = number[:3]
    if province not in PROVINCE_CODES:
        # Births registered abroad carry a country code; the register only sees residents who
        # normally hold a Vietnamese birth registration, so an unknown code is flagged.
        return IdProblem.PROVINCE
    century_sex = int(number[3])
    return ParsedId(
        number=number,
        kind=IdKind.PERSONAL,
        province_code=province,
        birth_year=1900 + 100 * (century_sex // 2) + int(number[4:6]),
        is_male=century_sex % 2 == 0,
    )


def mask_id(raw: str) -> str:
    """Show only the last 4 digits (for lists and exports outside the roles that need more)."""
    number = normalize_id(raw)
    if len(number) <= 4:
        return "*" * len(number)
    return "*" * (len(number) - 4) + number[-4:]
