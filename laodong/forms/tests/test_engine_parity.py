"""The phone's engine (static/forms/engine.js, in Chromium) and the server's (forms.validation)
give identical findings — rule, severity, item and message, in the same order — for thousands
of generated forms with planted mistakes of every rule, in both form versions and both
languages."""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from laodong.core.tests.test_browser import browser  # noqa: F401 (fixture)
from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.offline import engine_pack
from laodong.forms.rules import RULES
from laodong.forms.samples import SampleForms
from laodong.forms.validation import validate_answers

ENGINE = Path(__file__).resolve().parents[1] / "static" / "forms" / "engine.js"
TODAY = datetime.date(2026, 12, 3)
FORMS = 2400  # at least 2,000 (issue 15), spread over both versions
ENGINE_RULES = {
    "required", "not_applicable", "choice.invalid", "date.invalid", "text.too_long",
    "text.unprintable", "name.characters", "digits.format", "unit.code",
}  # fmt: skip

Mistake = Callable[[random.Random, dict[str, Any]], None]


def _set(key: str, *values: Any) -> Mistake:
    def plant(r: random.Random, answers: dict[str, Any]) -> None:
        answers[key] = r.choice(values)

    return plant


def _drop(r: random.Random, answers: dict[str, Any]) -> None:
    if answers:
        answers.pop(r.choice(sorted(answers)))


def _employee(r: random.Random, answers: dict[str, Any]) -> None:
    answers.update(
        activity_status="1", employment_status="4", job_description="Công nhân may",
        occupation_code="75", workplace_name="Công ty May", workplace_type="5",
        enterprise_type="5.2", has_labor_contract="1", contract_type="2",
        has_social_insurance="1", social_insurance_type="1",
        contract_start_date=r.choice(("01/06/2015", "1/6/2015", "2015-06-01")),
    )  # fmt: skip


def _young(r: random.Random, answers: dict[str, Any]) -> None:
    answers["birth_date"] = r.choice(("05/05/2015", "2012", "2011", "01/01/2006", "2005"))
    answers["personal_id"] = ""


def _old(r: random.Random, answers: dict[str, Any]) -> None:
    answers["birth_date"] = r.choice(("01/01/1920", "1900", "1925", "31/12/1905"))
    answers["personal_id"] = r.choice(("", "038020000001"))


def _spelling(r: random.Random, answers: dict[str, Any]) -> None:
    """Right answers written the ways people write them."""
    answers["sex"] = r.choice(("Nam", "nu", "Nữ", "1 - Nam", "  2 ", "NAM"))
    answers["full_name"] = r.choice(("nguyễn  văn an", "LÊ THỊ BÌNH", "lò-văn h'mông", "Hà  Thu"))
    if answers.get("personal_id"):
        number = answers["personal_id"]
        answers["personal_id"] = r.choice((number, f"{number[:3]} {number[3:6]} {number[6:]}",
                                           f"{number[:6]}.{number[6:]}"))  # fmt: skip
    answers["priority_groups"] = r.choice(("", "2; 6", "Hộ nghèo, Dân tộc thiểu số", ["1", "3"]))


MISTAKES: list[Mistake] = [
    _drop,
    _spelling,
    _employee,
    _young,
    _old,
    _set("sex", "X", "nam nữ", "3"),
    _set("birth_date", "31/02/1990", "1990-13-01", "12/1990", "ngày 5", "1850", "01/01/2099"),
    _set("collection_date", "32/01/2026", "01/01/2099", "15/11/2026"),
    _set("contract_start_date", "01/01/1999", "01/01/2099", "30/02/2020", "01/12/2026"),
    _set("full_name", "Nguyễn Văn 3", "Lê Thị 😀", "Trần\u202eVăn", "A" * 160, "Bùi_Văn", "Hà-"),
    _set("household_code", "HGD 01", "x" * 40, "Hộ \u200b1"),
    _set("social_insurance_number", "12345", "12345678901", "abcdefghij", "0123456789", "１２３"),
    _set(
        "personal_id",
        "12345",
        "03809001234X",
        "999090012345",
        "038 090 012 345",
        "123456789",
        "038190012345",
        "038090012345",
        "٠٣٨٠٩٠٠١٢٣٤٥",
        "",
        "00109",
    ),
    _set("province", "38", "Thanh Hóa", "3 8"),
    _set("commune", "15178", "abc"),
    _set("ethnic_group", "01", "06", "Kinh", "Mường", "xyz", ""),
    _set("priority_groups", "2,3", "6", "2;3;6", "9", "1,x"),
    _set("qualification", "7", "8", "Đại học", "99"),
    _set("inactivity_reason", "1", "2", "4", "7"),
    _set("activity_status", "1", "2", "3", "", "5"),
    _set("employment_status", "1", "2", "4", ""),
    _set("has_labor_contract", "1", "2", "có"),
    _set("social_insurance_type", "1", "2"),
    _set("workplace_type", "8", "5", "1"),
    _set("workplace_address", "", "Lào"),
    _set("occupation_code", "01", "02", "75", "Quân đội"),
    _set(
        "job_description",
        "Bộ đội biên phòng",
        "Công an xã",
        "Quân nhân chuyên nghiệp",
        "Làm ruộng",
        "Sĩ quan quân đội",
    ),
    _set("workplace_name", "Đồn Biên phòng Mường Lát", "Công an huyện", "HTX"),
    _set("unemployed_before", "1", "2"),
    _set("field_of_training", "11", "99"),
    _set("relation_to_head", "Vợ", "Con", "chu ho", "xx"),
    _set("village", "Thôn 1", "T" * 151),
    _set("permanent_address", "Thôn 1 \U0001f3e0", "x" * 301),
    _set("informant_name", "Nguyễn Văn An", "123"),
]


def generated(seed: int, count: int) -> Iterator[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(form version, answers, options): valid samples with 0–4 planted mistakes each."""
    r = random.Random(seed)  # noqa: S311 (reproducible test data)
    samples = SampleForms(seed=seed, collection_date=datetime.date(2026, 11, 15))
    for number, answers in enumerate(samples.rows(count)):
        for _ in range(r.choice((0, 1, 1, 2, 2, 3, 4))):
            r.choice(MISTAKES)(r, answers)
        options: dict[str, Any] = {"today": TODAY.isoformat()}
        if number % 3 == 0:
            options["referenceDate"] = "2026-11-01"
        yield FORM_CODES[number % len(FORM_CODES)], answers, options


def server_findings(code: str, answers: dict[str, Any], options: dict[str, Any]) -> list[Any]:
    reference = options.get("referenceDate")
    result = validate_answers(
        get_form(code),
        answers,
        today=TODAY,
        reference_date=datetime.date.fromisoformat(reference) if reference else None,
    )
    return [finding.as_dict() for finding in result.findings]


@pytest.mark.browser
@pytest.mark.parametrize("language", ["vi", "en"])
def test_the_phone_and_the_server_find_the_same(browser: Any, language: str) -> None:  # noqa: F811
    forms = list(generated(2026 if language == "vi" else 2027, FORMS if language == "vi" else 600))
    with translation.override(language):
        packs = {code: engine_pack(code) for code in FORM_CODES}
        expected = [server_findings(code, answers, options) for code, answers, options in forms]
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(ENGINE))
    found: list[Any] = []
    for start in range(0, len(forms), 400):
        batch = [
            {"code": code, "answers": answers, "options": options}
            for code, answers, options in forms[start : start + 400]
        ]
        found += page.evaluate(
            """([packs, batch]) => batch.map(
                 f => LaodongEngine.validate(packs[f.code], f.answers, f.options).findings)""",
            [packs, batch],
        )
    page.close()
    differing = [
        (number, forms[number], mine, theirs)
        for number, (mine, theirs) in enumerate(zip(found, expected, strict=True))
        if mine != theirs
    ]
    assert not differing, differing[:3]
    if language == "vi":
        fired = {finding["rule"] for findings in expected for finding in findings}
        # "scope.armed_forces" needs an occupation code starting with 0, which today's level-2
        # list does not have (such a code is refused as unknown first): the next test.
        every = ({rule["rule"] for rule in RULES} | ENGINE_RULES) - {"scope.armed_forces"}
        assert every <= fired, sorted(every - fired)


@pytest.mark.browser
def test_an_armed_forces_occupation_code_is_found_alike(browser: Any) -> None:  # noqa: F811
    """ "scope.armed_forces" needs a code starting with 0, which today's occupation list lacks:
    both engines run with a list that has the level-1 armed-forces codes added."""
    import dataclasses

    from laodong.forms.definitions import Code

    code = "tt09-2025-m01"
    form = get_form(code)
    occupations = form.code_lists["vsco_2020_level2"]
    extended = dataclasses.replace(
        occupations,
        codes=(*occupations.codes, Code("01", "Sĩ quan lực lượng vũ trang"),
               Code("02", "Quân nhân chuyên nghiệp")),
    )  # fmt: skip
    form = dataclasses.replace(form, code_lists={**form.code_lists, occupations.id: extended})
    pack = engine_pack(code)
    pack["form"]["code_lists"][occupations.id] = extended.as_dict()
    forms = []
    for _code, answers, options in generated(31, 60):
        answers.update(activity_status="1", employment_status="4", occupation_code="01")
        forms.append((answers, options))
    expected = [
        [f.as_dict() for f in validate_answers(form, answers, today=TODAY).findings]
        for answers, _options in forms
    ]
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(ENGINE))
    found = page.evaluate(
        """([pack, forms, today]) => forms.map(([answers]) =>
             LaodongEngine.validate(pack, answers, {today}).findings)""",
        [pack, [list(f) for f in forms], TODAY.isoformat()],
    )
    page.close()
    assert found == expected
    assert all("scope.armed_forces" in {f["rule"] for f in findings} for findings in expected)
