"""The checks against the police list's row (collection.identity) give the same findings on
the phone (engine.js, in Chromium) as on the server, for generated forms whose name, birth
date, sex and ID were changed the ways people change them."""

from __future__ import annotations

import datetime
import random
from typing import Any

import pytest
from django.utils import translation

from laodong.collection import identity
from laodong.core.tests.test_browser import browser  # noqa: F401 (fixture)
from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.offline import engine_pack
from laodong.forms.samples import SampleForms
from laodong.forms.tests.test_engine_parity import ENGINE, TODAY
from laodong.forms.validation import validate_answers

CHANGES = [
    ("full_name", lambda name: name.upper()),
    ("full_name", lambda name: name.replace("Thị", "Thi").replace("Văn", "Van")),
    ("full_name", lambda name: name.replace("Thùy", "Thuỳ").replace("Hòa", "Hoà")),
    ("full_name", lambda name: name + " Anh"),
    ("full_name", lambda name: ""),
    ("birth_date", lambda birth: birth[-4:]),
    ("birth_date", lambda birth: "01/01/1980"),
    ("sex", lambda sex: "2" if sex == "1" else "1"),
    ("sex", lambda sex: "Nữ"),
    ("personal_id", lambda number: number[:-1] + "9" if number else "038090012345"),
    ("personal_id", lambda number: f"{number[:3]} {number[3:]}"),
]


def forms(count: int) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    r = random.Random(15)  # noqa: S311 (reproducible test data)
    found = []
    samples = SampleForms(seed=15, collection_date=datetime.date(2026, 11, 15))
    for number, answers in enumerate(samples.rows(count)):
        listed = {
            "from_list": r.random() < 0.9,
            "personal_id": answers["personal_id"],
            "full_name": answers["full_name"],
            "birth": answers["birth_date"] if r.random() < 0.8 else answers["birth_date"][-4:],
            "sex": answers["sex"] if r.random() < 0.95 else "",
        }
        for _ in range(r.choice((0, 1, 1, 2))):
            key, change = r.choice(CHANGES)
            answers[key] = change(answers.get(key) or "")
        found.append((FORM_CODES[number % len(FORM_CODES)], answers, listed))
    return found


@pytest.mark.browser
@pytest.mark.parametrize("language", ["vi", "en"])
def test_identity_checks_agree(browser: Any, language: str) -> None:  # noqa: F811
    cases = forms(800)
    with translation.override(language):
        packs = {code: engine_pack(code) for code in FORM_CODES}
        rules = identity.rules_as_data()
        expected = []
        for code, answers, listed in cases:
            result = validate_answers(get_form(code), answers, today=TODAY)
            found = result.findings + identity.findings_for(listed, result.values)
            expected.append([finding.as_dict() for finding in found])
    page = browser.new_page()
    page.set_content("<!doctype html><html><body></body></html>")
    page.add_script_tag(path=str(ENGINE))
    found = page.evaluate(
        """([packs, rules, cases, today]) => cases.map(([code, answers, listed]) =>
             LaodongEngine.validate(packs[code], answers,
               {today, listed, extraRules: rules}).findings)""",
        [packs, rules, [list(case) for case in cases], TODAY.isoformat()],
    )
    page.close()
    differing = [
        (n, cases[n], a, b) for n, (a, b) in enumerate(zip(found, expected, strict=True)) if a != b
    ]
    assert not differing, differing[:3]
    fired = {f["rule"] for findings in expected for f in findings}
    assert {identity.ID_RULE, identity.NAME_RULE, identity.BIRTH_RULE, identity.SEX_RULE} <= fired
