"""Hand-made pairs: each variation registers write is linked, each look-alike is refused."""

from __future__ import annotations

import datetime

import pytest

from laodong.linkage import engine, names
from laodong.linkage.engine import Outcome, Record


def person(key: object, name: str, birth: str, sex: str = "", **extra: object) -> Record:
    day, month, year = (
        (int(part) for part in birth.split("/")) if "/" in birth else (1, 1, int(birth))
    )
    return Record(
        key=key,
        full_name=name,
        birth_date=datetime.date(year, month, day),
        birth_year_only="/" not in birth,
        sex=sex,
        **extra,  # type: ignore[arg-type]
    )


def links(left: list[Record], right: list[Record]) -> dict[object, engine.Link]:
    """Each left key → its outcome (pairs and left-only)."""
    found = {}
    for link in engine.link(left, right):
        if link.left is not None:
            found[link.left.key] = link
        else:
            assert link.right is not None
            found[("right", link.right.key)] = link
    return found


def test_typed_key_tone_placement_is_one_spelling() -> None:
    assert names.typed_key("Nguyễn Thị Hoà") == names.typed_key("NGUYỄN THỊ HÒA")
    assert names.typed_key("Lê Thị Thuý") == names.typed_key("Lê Thị Thúy")
    assert names.typed_key("Lê Thi Lan") != names.typed_key("Lê Thị Lan")
    assert names.typed_key("Trần Văn Hùng") != names.typed_key("Trần Văn Hưng")


@pytest.mark.parametrize(
    ("left", "right", "reason"),
    [
        ("Nguyễn Thị Lan", "Nguyễn Thị Lan", "name"),
        ("Nguyen Thi Lan", "Nguyễn Thị Lan", "name_diacritics"),
        ("NGUYỄN THỊ LAN", "Nguyễn Thị Lan", "name"),
        ("Nguyễn Thị Hoà", "Nguyễn Thị Hòa", "name"),
        ("Nguyễn Lan", "Nguyễn Thị Lan", "name_filler"),
        ("Trần Văn Minh Tuấn", "Trần Minh Văn Tuấn", "name_order"),
        ("Nguyễn Thị Lna", "Nguyễn Thị Lan", "name_typo"),
        ("Nguyễn Thị Lam", "Nguyễn Thị Lan", "name_typo"),
        ("Nguyễn Thị Lanh", "Nguyễn Thị Lan", "name_typo"),
    ],
)
def test_name_variations_link(left: str, right: str, reason: str) -> None:
    found = links([person("a", left, "05/03/1990", "2")], [person("b", right, "05/03/1990", "2")])
    link = found["a"]
    assert link.outcome in (Outcome.MATCH, Outcome.CONFLICT)
    assert link.right is not None and link.right.key == "b"
    assert reason in link.reasons


@pytest.mark.parametrize(
    ("left", "right", "reason"),
    [
        ("05/03/1990", "03/05/1990", "birth_swapped"),
        ("1990", "05/03/1990", "birth_year_only"),
        ("05/03/1990", "1990", "birth_year_only"),
    ],
)
def test_birth_variations_link(left: str, right: str, reason: str) -> None:
    found = links([person("a", "Lò Văn Páo", left, "1")], [person("b", "Lò Văn Páo", right, "1")])
    assert found["a"].right is not None
    assert reason in found["a"].reasons
    assert found["a"].outcome == Outcome.CONFLICT
    assert found["a"].differences == ("birth_date",)


def test_exact_pair_is_a_match_with_full_score() -> None:
    found = links(
        [person("a", "Hà Văn Dũng", "12/11/1985", "1", village="thon 1", household="H1")],
        [person("b", "Hà Văn Dũng", "12/11/1985", "1", village="thon 1", household="H1")],
    )
    assert found["a"].outcome == Outcome.MATCH
    assert found["a"].score == 1.0
    assert set(found["a"].reasons) >= {"name", "birth", "sex", "village", "household"}


def test_same_id_links_whatever_the_name_and_lists_differences() -> None:
    found = links(
        [person("a", "Lê Thi Lan", "01/02/1970", "2", personal_id="001170000001")],
        [person("b", "Lê Thị Lan", "02/01/1970", "2", personal_id="001170000001")],
    )
    link = found["a"]
    assert link.outcome == Outcome.CONFLICT
    assert link.reasons == ("id",)
    assert link.differences == ("full_name", "birth_date")


def test_two_different_ids_are_two_people() -> None:
    found = links(
        [person("a", "Lê Thị Lan", "01/02/1970", "2", personal_id="001170000001")],
        [person("b", "Lê Thị Lan", "01/02/1970", "2", personal_id="001170000002")],
    )
    assert found["a"].outcome == Outcome.LEFT_ONLY
    assert found[("right", "b")].outcome == Outcome.RIGHT_ONLY


def test_legacy_cmnd_links_by_name_to_the_personal_id() -> None:
    found = links(
        [person("a", "Lê Thị Lan", "01/02/1970", "2", personal_id="121234567")],
        [person("b", "Lê Thị Lan", "01/02/1970", "2", personal_id="001170000002")],
    )
    assert found["a"].outcome == Outcome.MATCH
    assert "legacy_id" in found["a"].reasons


def test_same_name_and_village_other_birth_date_is_not_linked() -> None:
    found = links(
        [person("a", "Nguyễn Văn Nam", "10/10/1980", "1", village="thon 2")],
        [person("b", "Nguyễn Văn Nam", "11/10/1980", "1", village="thon 2")],
    )
    assert found["a"].outcome == Outcome.LEFT_ONLY


def test_other_sex_is_not_linked() -> None:
    found = links(
        [person("a", "Nguyễn Minh Anh", "10/10/2000", "1")],
        [person("b", "Nguyễn Minh Anh", "10/10/2000", "2")],
    )
    assert found["a"].outcome == Outcome.LEFT_ONLY


def test_twins_in_one_household_each_find_their_own() -> None:
    left = [
        person("a1", "Trần Văn Hùng", "01/06/2001", "1", household="H7"),
        person("a2", "Trần Văn Hưng", "01/06/2001", "1", household="H7"),
    ]
    right = [
        person("b2", "Trần Văn Hưng", "01/06/2001", "1", household="H7"),
        person("b1", "Trần Văn Hùng", "01/06/2001", "1", household="H7"),
    ]
    found = links(left, right)
    assert found["a1"].right is not None and found["a1"].right.key == "b1"
    assert found["a2"].right is not None and found["a2"].right.key == "b2"


def test_a_twin_missing_on_the_other_side_is_not_taken_for_the_other() -> None:
    left = [
        person("a1", "Trần Văn Hùng", "01/06/2001", "1", household="H7"),
        person("a2", "Trần Văn Hưng", "01/06/2001", "1", household="H7"),
    ]
    found = links(left, [person("b2", "Trần Văn Hưng", "01/06/2001", "1", household="H7")])
    assert found["a2"].right is not None and found["a2"].right.key == "b2"
    assert found["a1"].outcome == Outcome.LEFT_ONLY


def test_twin_written_without_diacritics_is_ambiguous_not_guessed() -> None:
    left = [person("a", "Tran Van Hung", "01/06/2001", "1", household="H7")]
    right = [
        person("b1", "Trần Văn Hùng", "01/06/2001", "1", household="H7"),
        person("b2", "Trần Văn Hưng", "01/06/2001", "1", household="H7"),
    ]
    found = links(left, right)
    assert found["a"].outcome == Outcome.LEFT_ONLY
    assert found["a"].reasons in (("ambiguous",), ("twin",))


def test_two_look_alikes_in_a_province_are_not_guessed() -> None:
    left = [person("a", "Nguyễn Văn An", "1990", "1")]
    right = [
        person("b1", "Nguyễn Văn An", "03/04/1990", "1", village="thon 1"),
        person("b2", "Nguyễn Văn An", "05/06/1990", "1", village="thon 9"),
    ]
    assert links(left, right)["a"].outcome == Outcome.LEFT_ONLY


def test_one_clear_pair_frees_the_next() -> None:
    # b1 is a's best; once a–b1 is linked, c's only candidate left is b2.
    left = [person("a", "Lê Văn Tám", "08/08/1988", "1"), person("c", "Le Van Tam", "1988", "1")]
    right = [person("b1", "Lê Văn Tám", "08/08/1988", "1"), person("b2", "Lê Văn Tâm", "1988", "1")]
    found = links(left, right)
    assert found["a"].right is not None and found["a"].right.key == "b1"
    assert found["c"].right is not None and found["c"].right.key == "b2"


def test_each_person_appears_once() -> None:
    left = [person(i, f"Người Số {chr(65 + i)}", "01/01/1990") for i in range(5)]
    right = [person(i, f"Người Số {chr(65 + i)}", "01/01/1990") for i in range(3, 8)]
    outcomes = list(engine.link(left, right))
    assert sum(1 for o in outcomes if o.left is not None) == 5
    assert sum(1 for o in outcomes if o.right is not None) == 5
    assert sum(1 for o in outcomes if o.left and o.right) == 2


def test_rows_without_name_or_birth_are_kept_unlinked() -> None:
    broken = Record(key="x", full_name="", birth_date=None)
    found = links([broken], [person("b", "Lê Lan", "1990")])
    assert found["x"].outcome == Outcome.LEFT_ONLY


def test_duplicates_finds_the_same_person_twice_but_not_twins() -> None:
    records = [
        person(1, "Phạm Thị Hoa", "02/02/1992", "2", personal_id="036192000111", household="H1"),
        person(2, "Pham Thi Hoa", "02/02/1992", "2", household="H1"),
        person(3, "Trần Văn Hùng", "01/06/2001", "1", household="H7"),
        person(4, "Trần Văn Hưng", "01/06/2001", "1", household="H7"),
        person(5, "Lê Văn Ba", "03/03/1960", "1", personal_id="036160000001"),
        person(6, "Lê Văn Ba", "03/03/1960", "1", personal_id="036160000002"),
    ]
    found = engine.duplicates(records)
    assert [(d.left.key, d.right.key) for d in found if d.left and d.right] in ([(1, 2)], [(2, 1)])


def test_duplicates_across_groups_need_a_full_birth_date() -> None:
    """Two communes share no village: a full birth date links a person recorded in both, a
    birth year alone does not (namesakes), and pairs inside one commune are not this search's."""
    commune = {"a1": 1, "b1": 2, "a2": 1, "b2": 2, "a3": 1, "a4": 1}
    records = [
        person("a1", "Nguyễn Văn An", "12/03/1990", "1", personal_id="038090012345", village="1:1"),
        person("b1", "Nguyen Van An", "12/03/1990", "1", village="2:1"),
        person("a2", "Lê Thị Hoa", "1985", "2", personal_id="038185000001"),
        person("b2", "Lê Thị Hoa", "1985", "2"),
        person("a3", "Trần Văn Bình", "05/05/1970", "1", personal_id="038070000003", village="1:1"),
        person("a4", "Tran Van Binh", "05/05/1970", "1", village="1:1"),
    ]
    found = engine.duplicates_across(records, lambda record: commune[str(record.key)])
    assert [{link.left.key, link.right.key} for link in found] == [{"a1", "b1"}]  # type: ignore[union-attr]
    # The plain finder sees the commune's own pair, and the pair resting on a year alone.
    inside = {frozenset((link.left.key, link.right.key)) for link in engine.duplicates(records)}  # type: ignore[union-attr]
    assert frozenset(("a3", "a4")) in inside and frozenset(("a2", "b2")) in inside
