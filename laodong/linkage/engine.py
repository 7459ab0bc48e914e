"""Link people across two sources, or find one source's duplicates.

`link(left, right)` pairs each person of `left` with at most one of `right`:

1. By personal ID where both have a 12-digit one (or the same 9-digit CMND). Two different
   12-digit IDs are two people, whatever else they share.
2. The rest by name and birth date. Candidates come from two blocking keys, so that a province
   is compared in seconds rather than pair by pair:
   (birth year, given name) and (birth year, day and month in either order, family name); a
   candidate's birth date must be the same, the same with day and month swapped, or a year
   only on either side. Each candidate pair gets a score from the names (`names.name_score`),
   the birth date, and village and household, and the reasons that made it.
3. Look-alikes are refused: a person whose sibling on the same side (same household and birth
   date: twins) looks at least as much like the candidate is not linked; a pair is linked only
   when each is the other's clearly best candidate (no second within `MARGIN`).

A link is a `match` when name, birth date and sex agree, and a `conflict` when it was made
(by ID, or by name and birth date) although some of them differ; `differences` says which.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext_lazy as _
from rapidfuzz.distance import OSA

from laodong.linkage import names

# The lowest score that links two people without a shared ID, and how far ahead of the second
# candidate the best one must be.
THRESHOLD = 0.7
MARGIN = 0.04

BIRTH_EXACT = 1.0
BIRTH_SWAPPED = 0.85
BIRTH_YEAR_ONLY = 0.8
BIRTH_BOTH_YEAR_ONLY = 0.75
VILLAGE_SAME = 0.05
VILLAGE_DIFFERENT = -0.1
HOUSEHOLD_SAME = 0.05


class Outcome(StrEnum):
    MATCH = "match"
    CONFLICT = "conflict"
    LEFT_ONLY = "left_only"
    RIGHT_ONLY = "right_only"


# What a reason code means, as reports and pages show it.
REASONS = {
    "id": _("trùng số định danh"),
    "legacy_id": _("một bên chỉ có CMND 9 số"),
    "name": _("họ tên giống hệt"),
    "name_diacritics": _("họ tên giống (khác dấu hoặc không dấu)"),
    "name_order": _("họ tên đảo thứ tự tên đệm"),
    "name_filler": _("họ tên thiếu chữ “Thị”/“Văn”"),
    "name_typo": _("họ tên sai một ký tự"),
    "name_typos": _("họ tên sai hai ký tự (cùng thôn hoặc cùng hộ)"),
    "birth": _("cùng ngày sinh"),
    "birth_swapped": _("ngày sinh đảo ngày và tháng"),
    "birth_year_only": _("một bên chỉ có năm sinh"),
    "birth_both_year_only": _("cùng năm sinh (không có ngày)"),
    "sex": _("cùng giới tính"),
    "village": _("cùng thôn"),
    "village_differs": _("khác thôn"),
    "household": _("cùng hộ"),
    "ambiguous": _("có nhiều người giống nhau, không tự ghép"),
    "twin": _("có thể là anh chị em sinh đôi cùng hộ, không tự ghép"),
}
# The items a link compares, as `differences` names them.
ITEMS = {
    "full_name": _("họ tên"),
    "birth_date": _("ngày sinh"),
    "sex": _("giới tính"),
}


def reason_text(codes: Iterable[str]) -> str:
    return "; ".join(str(REASONS.get(code, code)) for code in codes)


def differences_text(items: Iterable[str]) -> str:
    return ", ".join(str(ITEMS.get(item, item)) for item in items)


class Texts:
    """`reason_text` and `differences_text` remembered per combination, for writing a
    million outcomes in the active language."""

    def __init__(self) -> None:
        self._reasons: dict[tuple[str, ...], str] = {}
        self._differences: dict[tuple[str, ...], str] = {}

    def reasons(self, codes: tuple[str, ...]) -> str:
        text = self._reasons.get(codes)
        if text is None:
            text = self._reasons[codes] = reason_text(codes)
        return text

    def differences(self, items: tuple[str, ...]) -> str:
        text = self._differences.get(items)
        if text is None:
            text = self._differences[items] = differences_text(items)
        return text


@dataclass(slots=True)
class Record:
    """One person of a source. `key` is the caller's (a row number, a primary key);
    `village` and `household` are compared as given, so callers pass them normalised."""

    key: Hashable
    full_name: str
    birth_date: datetime.date | None
    birth_year_only: bool = False
    sex: str = ""
    personal_id: str = ""
    village: str = ""
    household: str = ""


@dataclass(slots=True)
class Link:
    """What became of one person, or of a pair."""

    outcome: Outcome
    left: Record | None
    right: Record | None
    score: float = 0.0
    reasons: tuple[str, ...] = ()
    differences: tuple[str, ...] = ()


@dataclass(slots=True)
class _Prepared:
    record: Record
    name: names.Name
    family: str
    given: str
    year: int
    month: int  # 0 when only the year is known
    day: int
    places: list[tuple[object, ...]]
    id_kind: str
    twins: list[_Prepared] = field(default_factory=list)

    @property
    def family_key(self) -> tuple[int, tuple[int, int], str, str]:
        # With the given name's first letter: a typo is rarely there, and it keeps the
        # block of a common family name ("Nguyễn", two in five people) small.
        return (self.year, self.day_month, self.family, self.given[:1])

    @property
    def day_month(self) -> tuple[int, int]:
        return (self.day, self.month) if self.day <= self.month else (self.month, self.day)


def _prepare(record: Record) -> _Prepared | None:
    folded = names.folded(record.full_name)
    birth = record.birth_date
    if not folded or birth is None:
        return None
    tokens = folded.split(" ")
    year_only = record.birth_year_only
    family = tokens[0]
    places: list[tuple[object, ...]] = []
    if record.household:
        places.append(("h", record.household, birth.year))
    if record.village:
        places.append(("v", record.village, birth.year, family, tokens[-1][:1]))
    return _Prepared(
        record,
        names.Name(record.full_name, folded),
        family,
        tokens[-1],
        birth.year,
        0 if year_only else birth.month,
        0 if year_only else birth.day,
        places,
        _kind_of_id(record.personal_id),
    )


def _birth_score(a: _Prepared, b: _Prepared) -> tuple[float, str]:
    if a.year != b.year:
        return 0.0, ""
    if not a.month or not b.month:
        if not a.month and not b.month:
            return BIRTH_BOTH_YEAR_ONLY, "birth_both_year_only"
        return BIRTH_YEAR_ONLY, "birth_year_only"
    if a.month == b.month and a.day == b.day:
        return BIRTH_EXACT, "birth"
    if a.month == b.day and a.day == b.month:
        return BIRTH_SWAPPED, "birth_swapped"
    return 0.0, ""


def score_pair(a: _Prepared, b: _Prepared) -> tuple[float, tuple[str, ...]]:
    """The score of two people without a shared ID (0: not one person) and its reasons. It
    may pass 1 (same village and household add to it), so that ranking keeps telling apart
    what a shown score, capped at 1, would not."""
    sex_a, sex_b = a.record.sex, b.record.sex
    if sex_a and sex_b and sex_a != sex_b:
        return 0.0, ()
    birth, birth_reason = _birth_score(a, b)
    if not birth:
        return 0.0, ()
    given_a, given_b = a.given, b.given
    if (
        given_a != given_b
        and OSA.distance(given_a, given_b, score_cutoff=1) > 1
        and given_a not in b.name.tokens
        and given_b not in a.name.tokens
    ):
        # Most candidates of a block: another given name altogether (no level of
        # names.name_score accepts that), refused without the full comparison.
        return 0.0, ()
    name, name_reason = names.name_score(a.name, b.name)
    if not name:
        return 0.0, ()
    score = name * birth
    reasons = [name_reason, birth_reason]
    if sex_a and sex_b:
        reasons.append("sex")
    village_a, village_b = a.record.village, b.record.village
    if village_a and village_b:
        if village_a == village_b:
            score += VILLAGE_SAME
            reasons.append("village")
        else:
            score += VILLAGE_DIFFERENT
            reasons.append("village_differs")
    household_a, household_b = a.record.household, b.record.household
    if household_a and household_a == household_b:
        score += HOUSEHOLD_SAME
        reasons.append("household")
    return round(score, 3), tuple(reasons)


def differences(a: Record, b: Record) -> tuple[str, ...]:
    """Which of name, birth date and sex differ between two records of one person (case and
    tone placement are no difference; missing diacritics are)."""
    found = []
    if a.full_name != b.full_name and names.typed_key(a.full_name) != names.typed_key(b.full_name):
        found.append("full_name")
    if (a.birth_date != b.birth_date or a.birth_year_only != b.birth_year_only) and not (
        a.birth_date
        and b.birth_date
        and a.birth_date.year == b.birth_date.year
        and (a.birth_year_only and b.birth_year_only)
    ):
        found.append("birth_date")
    if a.sex and b.sex and a.sex != b.sex:
        found.append("sex")
    return tuple(found)


def _kind_of_id(value: str) -> str:
    if len(value) == 12:
        return "personal"
    return "legacy" if value else ""


class _Index:
    """The blocking keys of one side's people without an ID link yet."""

    def __init__(self, people: Iterable[_Prepared]) -> None:
        self.by_given: dict[tuple[int, str], dict[tuple[int, int], list[_Prepared]]] = defaultdict(
            lambda: defaultdict(list)
        )
        self.by_family: dict[tuple[int, tuple[int, int], str, str], list[_Prepared]] = defaultdict(
            list
        )
        # Small blocks that catch what a typo in the given name and a year-only birth date
        # together would hide: the same household, or the same village, year and family name.
        self.by_place: dict[tuple[object, ...], list[_Prepared]] = defaultdict(list)
        # A person known only by the year of birth is compared with the same given and
        # family name only (a block of a given name alone, for a year, is a hundred people in
        # a province).
        self.by_names: dict[tuple[int, str, str], list[_Prepared]] = defaultdict(list)
        for person in people:
            self.by_given[(person.year, person.given)][person.day_month].append(person)
            self.by_names[(person.year, person.given, person.family)].append(person)
            if person.month:
                self.by_family[person.family_key].append(person)
            for key in person.places:
                self.by_place[key].append(person)

    def candidates(self, person: _Prepared) -> Iterator[_Prepared]:
        block = self.by_given.get((person.year, person.given))
        seen: set[int] = set()
        if block is not None:
            if person.month:
                groups = [block.get(person.day_month, ()), block.get((0, 0), ())]
            else:
                groups = [self.by_names.get((person.year, person.given, person.family), [])]
            for group in groups:
                for other in group:
                    seen.add(id(other))
                    yield other
        if person.month:
            for other in self.by_family.get(person.family_key, ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    yield other
        for key in person.places:
            for other in self.by_place.get(key, ()):
                if id(other) not in seen:
                    seen.add(id(other))
                    yield other


def _mark_twins(people: list[_Prepared]) -> None:
    """Note, for each person, the others of the same household (or, without households, the
    same village and family name) born the same day: twins, whom a link must not confuse."""
    groups: dict[tuple[object, ...], list[_Prepared]] = defaultdict(list)
    for person in people:
        record = person.record
        if not person.month:
            continue
        if record.household:
            key: tuple[object, ...] = ("h", record.household, person.year, person.month, person.day)
        elif record.village:
            key = ("v", record.village, person.family, person.year, person.month, person.day)
        else:
            continue
        groups[key].append(person)
    for group in groups.values():
        if len(group) > 1:
            for person in group:
                person.twins = [other for other in group if other is not person]


def _compatible_ids(a: _Prepared, b: _Prepared) -> bool:
    """Whether two people may be one although linked by name: not when both have a 12-digit
    ID (they would have matched by it), nor two different CMND numbers."""
    kind = a.id_kind
    return not (kind and kind == b.id_kind)


@dataclass
class _Candidate:
    score: float
    left: _Prepared
    right: _Prepared
    reasons: tuple[str, ...]


def _twin_blocks(person: _Prepared, other: _Prepared, score: float) -> bool:
    """Whether a twin of `person` looks at least as much like `other` as `person` does."""
    for twin in person.twins:
        if twin is other:
            continue
        twin_score, _reasons = score_pair(twin, other)
        if twin_score >= score:
            return True
    return False


@dataclass
class Linker:
    """Links two sources. Build with the left side, then `link(right)`; the ID pass streams
    the right side, so only the people it leaves over are held for the name pass."""

    threshold: float = THRESHOLD
    margin: float = MARGIN

    def link(self, left: Iterable[Record], right: Iterable[Record]) -> Iterator[Link]:
        by_id: dict[str, Record] = {}
        left_rest: list[Record] = []
        for record in left:
            if record.personal_id and record.personal_id not in by_id:
                by_id[record.personal_id] = record
            else:
                left_rest.append(record)
        right_rest: list[Record] = []
        for record in right:
            partner = by_id.pop(record.personal_id, None) if record.personal_id else None
            if partner is None:
                right_rest.append(record)
                continue
            found = differences(partner, record)
            yield Link(
                Outcome.CONFLICT if found else Outcome.MATCH,
                partner,
                record,
                1.0,
                ("id",),
                found,
            )
        left_rest.extend(by_id.values())
        del by_id
        yield from self._by_name(left_rest, right_rest)

    def _by_name(self, left: list[Record], right: list[Record]) -> Iterator[Link]:
        left_people, left_unusable = _split(left)
        right_people, right_unusable = _split(right)
        _mark_twins(left_people)
        _mark_twins(right_people)
        index = _Index(right_people)
        candidates: list[_Candidate] = []
        for person in left_people:
            for other in index.candidates(person):
                if not _compatible_ids(person, other):
                    continue
                score, reasons = score_pair(person, other)
                if score >= self.threshold:
                    candidates.append(_Candidate(score, person, other, reasons))
        del index
        linked, notes = self._choose(candidates)
        taken: set[int] = set()
        for candidate in linked:
            taken.add(id(candidate.left))
            taken.add(id(candidate.right))
            left_record, right_record = candidate.left.record, candidate.right.record
            found = differences(left_record, right_record)
            reasons = candidate.reasons
            if left_record.personal_id and right_record.personal_id:
                reasons = (*reasons, "legacy_id")
            yield Link(
                Outcome.CONFLICT if found else Outcome.MATCH,
                left_record,
                right_record,
                min(1.0, candidate.score),
                reasons,
                found,
            )
        for person in left_people:
            if id(person) not in taken:
                yield Link(
                    Outcome.LEFT_ONLY, person.record, None, reasons=notes.get(id(person), ())
                )
        for record in left_unusable:
            yield Link(Outcome.LEFT_ONLY, record, None)
        for person in right_people:
            if id(person) not in taken:
                yield Link(
                    Outcome.RIGHT_ONLY, None, person.record, reasons=notes.get(id(person), ())
                )
        for record in right_unusable:
            yield Link(Outcome.RIGHT_ONLY, None, record)

    def _choose(
        self, candidates: list[_Candidate]
    ) -> tuple[list[_Candidate], dict[int, tuple[str, ...]]]:
        """Each person's clearly best candidate, when it is the other's clearly best too, in
        rounds (a pair linked in one round may make another clear in the next); twins and
        near ties stay unlinked, with a note why."""
        chosen: list[_Candidate] = []
        notes: dict[int, tuple[str, ...]] = {}
        remaining = candidates
        while remaining:
            by_left: dict[int, list[_Candidate]] = defaultdict(list)
            by_right: dict[int, list[_Candidate]] = defaultdict(list)
            for candidate in remaining:
                by_left[id(candidate.left)].append(candidate)
                by_right[id(candidate.right)].append(candidate)
            taken: set[int] = set()
            undecided = []
            for candidate in remaining:
                mine = by_left[id(candidate.left)]
                theirs = by_right[id(candidate.right)]
                if not (
                    _clear_best(candidate, mine, self.margin)
                    and _clear_best(candidate, theirs, self.margin)
                ):
                    undecided.append(candidate)
                    continue
                if _twin_blocks(candidate.left, candidate.right, candidate.score) or (
                    _twin_blocks(candidate.right, candidate.left, candidate.score)
                ):
                    notes[id(candidate.left)] = notes[id(candidate.right)] = ("twin",)
                    continue
                chosen.append(candidate)
                taken.add(id(candidate.left))
                taken.add(id(candidate.right))
            if not taken:
                for candidate in undecided:
                    notes.setdefault(id(candidate.left), ("ambiguous",))
                    notes.setdefault(id(candidate.right), ("ambiguous",))
                break
            remaining = [
                c for c in undecided if id(c.left) not in taken and id(c.right) not in taken
            ]
        return chosen, notes


def _clear_best(candidate: _Candidate, group: list[_Candidate], margin: float) -> bool:
    return all(other is candidate or other.score + margin <= candidate.score for other in group)


def _split(records: list[Record]) -> tuple[list[_Prepared], list[Record]]:
    usable, unusable = [], []
    for record in records:
        prepared = _prepare(record)
        if prepared is None:
            unusable.append(record)
        else:
            usable.append(prepared)
    return usable, unusable


def link(
    left: Iterable[Record], right: Iterable[Record], *, threshold: float = THRESHOLD
) -> Iterator[Link]:
    """Every person of both sides once: linked pairs (match or conflict), then the left's and
    the right's people without a partner."""
    return Linker(threshold=threshold).link(left, right)


def duplicates(
    records: Iterable[Record],
    *,
    threshold: float = THRESHOLD,
    keep: Callable[[Record, Record], bool] | None = None,
    from_unidentified: bool = False,
) -> list[Link]:
    """Pairs of one source that are probably the same person: by name and birth date, where
    at most one of the two has a 12-digit ID. Twins (same household and birth date, names
    that differ) are never proposed. `keep` narrows the pairs worth scoring (e.g. only those
    of two communes); `from_unidentified` searches only from the people without a 12-digit
    ID, a tenth of the work on a province, at the cost of the rare pair the blocks reach
    from one side only (a year-only birth date and another family name)."""
    people, _unusable = _split(list(records))
    _mark_twins(people)
    index = _Index(people)
    found: list[Link] = []
    seen: set[tuple[int, int]] = set()
    starts = [p for p in people if p.id_kind != "personal"] if from_unidentified else people
    for person in starts:
        for other in index.candidates(person):
            if other is person:
                continue
            pair = (id(person), id(other)) if id(person) < id(other) else (id(other), id(person))
            if pair in seen:
                continue
            seen.add(pair)
            if not _compatible_ids(person, other):
                continue
            if keep is not None and not keep(person.record, other.record):
                continue
            if (
                other in person.twins
                and person.name.typed != other.name.typed
                and person.name.typed != person.name.folded
                and other.name.typed != other.name.folded
            ):
                # Born the same day in one household, both written with diacritics and
                # differently ("Hùng", "Hưng"): twins, not one person twice.
                continue
            score, reasons = score_pair(person, other)
            if score < threshold:
                continue
            if _twin_blocks(person, other, score) or _twin_blocks(other, person, score):
                continue
            found.append(
                Link(
                    Outcome.CONFLICT if differences(person.record, other.record) else Outcome.MATCH,
                    person.record,
                    other.record,
                    min(1.0, score),
                    reasons,
                    differences(person.record, other.record),
                )
            )
    found.sort(key=lambda link: -link.score)
    return found


# The reasons of a link that rests on a birth year alone (one side's or both sides').
YEAR_ONLY = frozenset({"birth_year_only", "birth_both_year_only"})


def duplicates_across(
    records: Iterable[Record],
    group_of: Callable[[Record], Hashable],
    *,
    threshold: float = THRESHOLD,
) -> list[Link]:
    """Pairs of two groups (two communes) that are probably one person. Two groups share no
    village or household, so a birth year alone is too weak a support there: namesakes born
    the same year in a province of two million outnumber the true pairs ten to one
    (benchmarks/cross_duplicates.py); such pairs are left out."""
    return [
        link
        for link in duplicates(
            records,
            threshold=threshold,
            keep=lambda a, b: group_of(a) != group_of(b),
            from_unidentified=True,
        )
        if not YEAR_ONLY.intersection(link.reasons)
    ]
