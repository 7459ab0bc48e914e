"""Passwords Vietnamese users choose first, refused like Django's list of common English ones."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from laodong.core.text import fold

# Words people build passwords on ("matkhau1", "Laodong@2026", "congan123"), folded.
COMMON_WORDS = frozenset(
    [
        "matkhau",
        "mk",
        "pass",
        "password",
        "admin",
        "quantri",
        "quantrivien",
        "laodong",
        "nguoilaodong",
        "ldtbxh",
        "sonoivu",
        "noivu",
        "congan",
        "conganxa",
        "ubnd",
        "ubndxa",
        "xa",
        "phuong",
        "tinh",
        "huyen",
        "vietnam",
        "hanoi",
        "saigon",
        "hochiminh",
        "iloveyou",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "yeuanh",
        "tinhyeu",
        "hanhphuc",
        "chaoban",
        "xinchao",
        "abc",
        "abcd",
        "abcde",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "zxcvbn",
        "a",
        "aa",
        "aaa",
        "test",
        "thu",
        "demo",
        "user",
        "nguoidung",
        "canbo",
        "cbx",
        "taikhoan",
        "dangnhap",
        "login",
        "welcome",
        "hello",
    ]
)
# Whole passwords that are common as they are.
COMMON_PASSWORDS = frozenset(
    [
        "123456a@",
        "123456aa",
        "123456a",
        "123456@a",
        "a123456",
        "a123456@",
        "123456abc",
        "abc123456",
        "abc@123",
        "abc@1234",
        "123456789a",
        "12345678a",
        "1234567a",
        "123123a",
        "112233",
        "11223344",
        "147258369",
        "123654789",
        "987654321",
        "123456qwe",
        "qwe123",
        "qwe@123",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "0123456789",
        "01234567",
        "12341234",
    ]
)
_AFFIXES = re.compile(r"[^a-z]+")


class VietnameseCommonPasswordValidator:
    """Refuses a password that is a common one, or a common word with digits and symbols
    around it (what is left once they are removed, folded, is on the list)."""

    def validate(self, password: str, user: Any = None) -> None:
        folded = fold(password).replace(" ", "")
        letters = _AFFIXES.sub("", folded)
        if folded in COMMON_PASSWORDS or letters in COMMON_WORDS or not letters:
            raise ValidationError(
                _(
                    "Mật khẩu này quá phổ biến, dễ bị đoán (như “matkhau1”, “laodong1”, "
                    "“123456a@”). Hãy chọn mật khẩu khác."
                ),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Không dùng mật khẩu phổ biến như “matkhau1”, “laodong1”, “123456a@”.")
