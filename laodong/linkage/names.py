"""Vietnamese personal names, compared the ways registers write them.

Three keys per name, from loosest to strictest:

- `fold` (core.text): no case, no diacritics ("nguyen thi lan"); what blocking and most
  comparisons use.
- `typed_key`: no case, and the tone mark of each word kept apart from its letters, so that the
  old and new tone placements ("Hoà" / "Hòa", "Thuý" / "Thúy") are one spelling while "Thi" and
  "Thị" stay two.
- the text as typed.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from rapidfuzz.distance import OSA

from laodong.core.text import fold

# Combining marks that carry the tone (thanh điệu); the others (circumflex, breve, horn) make
# letters (â, ă, ơ, ư) and stay with them.
_TONES = {
    "\u0300": "2",  # huyền
    "\u0301": "1",  # sắc
    "\u0303": "4",  # ngã
    "\u0309": "3",  # hỏi
    "\u0323": "5",  # nặng
}
# Middle words that mark sex and are often left out or added ("Nguyễn Lan" / "Nguyễn Thị Lan").
FILLER_WORDS = frozenset({"thi", "van"})

# How alike two names are, as a score and the reason it gives (engine.REASONS has the words).
EXACT = 1.0
DIACRITICS = 0.95  # same letters, different diacritics or none ("Nguyen Van An")
ORDER = 0.9  # the same words in another order (middle names swapped)
FILLER = 0.9  # the same once "Thị"/"Văn" is left out of one of them
TYPO = 0.8  # one letter wrong, missing, added or two letters swapped
# Two words each one letter off (or one word off in a swapped order): linked only with the
# support of the same village or household (engine.THRESHOLD is above this).
TWO_TYPOS = 0.65


_WITHOUT_TONES = {ord(mark): None for mark in _TONES}


def typed_key(name: str) -> str:
    """The name without case, with each word's tone moved to its end ("hoa" + the grave mark
    for both "Hoà" and "Hòa"), so that only real spelling differences remain. Decomposed
    (NFD): a key to compare, not to show."""
    words = unicodedata.normalize("NFD", name.casefold()).split()
    for index, word in enumerate(words):
        letters = word.translate(_WITHOUT_TONES)
        if len(letters) != len(word):
            tone = next(_TONES[char] for char in word if char in _TONES)
            words[index] = letters + tone
    return " ".join(words)


@lru_cache(maxsize=200_000)
def folded(name: str) -> str:
    return fold(name)


def without_fillers(tokens: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a folded name without the middle "thi"/"van" (never the first or last)."""
    if len(tokens) <= 2:
        return tokens
    middle = tuple(t for t in tokens[1:-1] if t not in FILLER_WORDS)
    return (tokens[0], *middle, tokens[-1])


def _tone(typed_word: str) -> str:
    return typed_word[-1] if typed_word and typed_word[-1].isdigit() else ""


def _other_given_name(typed_a: str, typed_b: str, given_a: str, given_b: str) -> bool:
    """Whether the given names differ in a letter and in the tone as well ("Hùng"/"Dũng",
    "Hải"/"Hà"): two names, not one name mistyped."""
    if given_a == given_b:
        return False
    tone_a = _tone(typed_a.rsplit(" ", 1)[-1])
    tone_b = _tone(typed_b.rsplit(" ", 1)[-1])
    return bool(tone_a and tone_b and tone_a != tone_b)


def _word_typos(tokens_a: tuple[str, ...], tokens_b: tuple[str, ...]) -> int:
    """How many words differ, when each differs by one letter at most (else 99)."""
    count = 0
    for word_a, word_b in zip(tokens_a, tokens_b, strict=True):
        if word_a != word_b:
            if OSA.distance(word_a, word_b, score_cutoff=1) > 1:
                return 99
            count += 1
    return count


class Name:
    """A name's keys, computed once per person (a province compares millions of pairs)."""

    __slots__ = ("_typed", "folded", "given", "short_sorted", "sorted", "text", "tokens")

    def __init__(self, text: str, folded_text: str) -> None:
        self.text = text
        self.folded = folded_text
        tokens = tuple(folded_text.split(" "))
        self.tokens = tokens
        self.given = tokens[-1]
        self.sorted = tuple(sorted(tokens))
        self.short_sorted = tuple(sorted(without_fillers(tokens)))
        self._typed: str | None = None

    @property
    def typed(self) -> str:
        if self._typed is None:
            self._typed = typed_key(self.text)
        return self._typed


def name_score(a: Name, b: Name) -> tuple[float, str]:
    """How alike two names are (0 when not alike enough to be one person) and the reason."""
    folded_a, folded_b = a.folded, b.folded
    if folded_a == folded_b:
        return (EXACT, "name") if a.typed == b.typed else (DIACRITICS, "name_diacritics")
    tokens_a, tokens_b = a.tokens, b.tokens
    if a.sorted == b.sorted and tokens_a[0] == tokens_b[0]:
        return ORDER, "name_order"
    same_length = len(tokens_a) == len(tokens_b)
    if not same_length and a.short_sorted == b.short_sorted:
        return FILLER, "name_filler"
    if a.given != b.given and _other_given_name(a.typed, b.typed, a.given, b.given):
        return 0.0, ""
    if (
        abs(len(folded_a) - len(folded_b)) <= 1
        and OSA.distance(folded_a, folded_b, score_cutoff=1) <= 1
    ):
        return TYPO, "name_typo"
    if same_length and min(_word_typos(tokens_a, tokens_b), _word_typos(a.sorted, b.sorted)) <= 2:
        return TWO_TYPOS, "name_typos"
    return 0.0, ""
