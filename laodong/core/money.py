"""Amounts of money as a Vietnamese accounting document writes them.

`vnd(1500000)` is "1.500.000"; `in_words(1005000)` is "Một triệu không trăm lẻ năm nghìn đồng
chẵn" — the line "Số tiền bằng chữ" under a payment list. Rules: groups of three digits read as
nghìn, triệu, tỷ (and nghìn tỷ…); inside a group after a higher one, a missing hundred is "không
trăm" and a missing ten before a unit is "lẻ"; "mười" for ten, "mươi" for twenty and up; a unit
of 1 after twenty and up is "mốt", 5 after a ten is "lăm"; a group of zeros is not read; a whole
number of thousands ends in "chẵn".
"""

from __future__ import annotations

DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]
GROUPS = ["", "nghìn", "triệu", "tỷ"]


def vnd(amount: int) -> str:
    """1500000 → "1.500.000" (Vietnamese digit grouping)."""
    return f"{amount:,}".replace(",", ".")


def _group(number: int, *, leading: bool) -> list[str]:
    """Read 1–999; `leading` is the first group read (no "không trăm", no "lẻ" before it)."""
    hundreds, tens, units = number // 100, number // 10 % 10, number % 10
    words: list[str] = []
    if hundreds or not leading:
        words += [DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("lẻ")
    elif tens == 1:
        words.append("mười")
    else:
        words += [DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(DIGITS[units])
    return words


def _read(number: int) -> list[str]:
    """Read a positive number, billions repeating ("một nghìn tỷ")."""
    if number >= 10**12:
        high, low = divmod(number, 10**9)
        words = [*_read(high), "tỷ"]
        return words + (_read_below(low, leading=False) if low else [])
    return _read_below(number, leading=True)


def _read_below(number: int, *, leading: bool) -> list[str]:
    groups = []
    while number:
        number, group = divmod(number, 1000)
        groups.append(group)
    while len(groups) < 4 and not leading:
        groups.append(0)
    words: list[str] = []
    first = leading
    for index in range(len(groups) - 1, -1, -1):
        group = groups[index]
        if group == 0:
            continue
        words += _group(group, leading=first)
        first = False
        if GROUPS[index]:
            words.append(GROUPS[index])
    return words


def number_in_words(number: int) -> str:
    """A count in words ("bốn mươi lăm"), as a receipt writes "(bằng chữ: …)"."""
    if number < 0:
        raise ValueError("a count is never negative")
    return " ".join(_read(number)) if number else "không"


def in_words(amount: int) -> str:
    """The amount in Vietnamese words with its currency, capitalised."""
    if amount < 0:
        raise ValueError("a payment is never negative")
    if amount == 0:
        return "Không đồng"
    words = [*_read(amount), "đồng"]
    if amount % 1000 == 0:
        words.append("chẵn")
    text = " ".join(words)
    return text[0].upper() + text[1:]
