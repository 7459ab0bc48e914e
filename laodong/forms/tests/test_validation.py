"""Every skip rule and every validation rule, each with a passing and a failing case."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from laodong.forms.definitions import FORM_CODES, get_form
from laodong.forms.validation import Severity, validate_answers

TODAY = datetime.date(2026, 11, 22)
FORM = get_form("tt11-2022-m03")

EMPLOYED: dict[str, Any] = {
    "province": "38",
    "commune": "15178",
    "village": "Thôn 1",
    "household_code": "HGD001",
    "relation_to_head": "1",
    "full_name": "Nguyễn Văn An",
    "birth_date": "12/03/1990",
    "sex": "1",
    "personal_id": "038090012345",
    "social_insurance_number": "3812345678",
    "permanent_address": "Thôn 1, xã Cẩm Tân, tỉnh Thanh Hóa",
    "general_education": "4",
    "qualification": "5",
    "field_of_training": "11",
    "activity_status": "1",
    "employment_status": "4",
    "job_description": "Công nhân may",
    "occupation_code": "75",
    "has_social_insurance": "1",
    "social_insurance_type": "1",
    "has_labor_contract": "1",
    "contract_type": "2",
    "contract_start_date": "01/06/2015",
    "workplace_name": "Công ty May Cẩm Thủy",
    "workplace_type": "5",
    "enterprise_type": "5.2",
    "workplace_address": "Cẩm Thủy, Thanh Hóa",
    "collection_date": "15/11/2026",
}
UNEMPLOYED = {
    **{k: v for k, v in EMPLOYED.items() if FORM.item(k).section != "employed"},
    "activity_status": "2",
    "unemployed_before": "2",
    "unemployment_duration": "1",
}
INACTIVE = {
    **{k: v for k, v in EMPLOYED.items() if FORM.item(k).section != "employed"},
    "activity_status": "3",
    "inactivity_reason": "3",
}


def check(changes: dict[str, Any], base: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    return validate_answers(FORM, {**(base or EMPLOYED), **changes}, today=TODAY, **kwargs)


@pytest.mark.parametrize(
    "answers", [EMPLOYED, UNEMPLOYED, INACTIVE], ids=["employed", "unemployed", "inactive"]
)
def test_clean_forms_have_no_findings(answers: dict[str, Any]) -> None:
    assert validate_answers(FORM, answers, today=TODAY).findings == []


# --- skip logic: each conditional item, applicable and not -----------------------------------

# Without a contract, insurance is voluntary (compulsory insurance without one is a warning).
NO_CONTRACT = {
    **EMPLOYED,
    "has_labor_contract": "2",
    "contract_type": "",
    "contract_start_date": "",
    "social_insurance_type": "2",
}
SKIP_CASES = [
    # (item, base where it must be filled, base where it must be empty)
    ("inactivity_reason", INACTIVE, EMPLOYED),
    ("employment_status", EMPLOYED, INACTIVE),
    ("job_description", EMPLOYED, UNEMPLOYED),
    ("has_social_insurance", EMPLOYED, UNEMPLOYED),
    (
        "social_insurance_type",
        EMPLOYED,
        {**EMPLOYED, "has_social_insurance": "2", "social_insurance_type": ""},
    ),
    ("has_labor_contract", EMPLOYED, INACTIVE),
    (
        "contract_type",
        EMPLOYED,
        NO_CONTRACT,
    ),
    (
        "contract_start_date",
        EMPLOYED,
        NO_CONTRACT,
    ),
    ("workplace_type", EMPLOYED, UNEMPLOYED),
    ("enterprise_type", EMPLOYED, {**EMPLOYED, "workplace_type": "3", "enterprise_type": ""}),
    ("unemployed_before", UNEMPLOYED, EMPLOYED),
    ("unemployment_duration", UNEMPLOYED, INACTIVE),
    ("field_of_training", EMPLOYED, {**EMPLOYED, "qualification": "1", "field_of_training": ""}),
    ("ethnic_group", {**EMPLOYED, "priority_groups": "6", "ethnic_group": "02"}, EMPLOYED),
]
FILLERS = {
    "inactivity_reason": "1",
    "employment_status": "2",
    "job_description": "Làm ruộng",
    "has_social_insurance": "2",
    "social_insurance_type": "2",
    "has_labor_contract": "2",
    "contract_type": "1",
    "contract_start_date": "01/01/2020",
    "workplace_type": "1",
    "enterprise_type": "5.1",
    "unemployed_before": "1",
    "unemployment_duration": "3",
    "field_of_training": "01",
    "ethnic_group": "02",
}


@pytest.mark.parametrize(("key", "applies", "skipped"), SKIP_CASES, ids=[c[0] for c in SKIP_CASES])
def test_skip_rule(key: str, applies: dict[str, Any], skipped: dict[str, Any]) -> None:
    missing = validate_answers(FORM, {**applies, key: ""}, today=TODAY)
    assert [(f.rule, f.field) for f in missing.findings] == [("required", key)]
    assert missing.findings[0].severity == Severity(FORM.item(key).required_severity)
    extra = validate_answers(FORM, {**skipped, key: FILLERS[key]}, today=TODAY)
    if key == "ethnic_group":
        # A "Dân tộc" column is filled for everyone in commune lists: see the test below.
        assert [(f.rule, f.severity) for f in extra.findings] == [
            ("priority.ethnic_unticked", Severity.WARNING)
        ]
    else:
        assert ("not_applicable", key) in [(f.rule, f.field) for f in extra.findings]
    assert validate_answers(FORM, skipped, today=TODAY).findings == []


def test_an_ethnic_group_given_for_everyone_is_consistent() -> None:
    # Kinh with item 8 left empty: no finding at all.
    assert validate_answers(FORM, {**EMPLOYED, "ethnic_group": "Kinh"}, today=TODAY).findings == []
    # Mường without "Dân tộc thiểu số" ticked: at most a warning.
    result = validate_answers(FORM, {**EMPLOYED, "ethnic_group": "Mường"}, today=TODAY)
    assert [(f.rule, f.severity) for f in result.findings] == [
        ("priority.ethnic_unticked", Severity.WARNING)
    ]


def test_not_applicable_message_names_the_controlling_item() -> None:
    result = check({"inactivity_reason": "1"})
    assert result.findings[0].message == (
        "11.3. Lý do không tham gia hoạt động kinh tế: Chỉ ghi khi mục 11 là “Không tham gia "
        "hoạt động kinh tế”. Hãy xóa mục này hoặc sửa mục trước."
    )


@pytest.mark.parametrize("key", [i.key for i in FORM.items if i.required and i.when is None])
def test_unconditional_required_items(key: str) -> None:
    assert ("required", key) in [(f.rule, f.field) for f in check({key: ""}).findings]


# --- single-item rules --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "key"),
    [
        ({"sex": "3"}, "choice.invalid", "sex"),
        ({"birth_date": "31/02/1990"}, "date.invalid", "birth_date"),
        ({"collection_date": "hôm qua"}, "date.invalid", "collection_date"),
        ({"full_name": "Nguyễn Văn 4n"}, "name.characters", "full_name"),
        ({"social_insurance_number": "12345"}, "digits.format", "social_insurance_number"),
        ({"village": "T" * 151}, "text.too_long", "village"),
        ({"commune": "Cẩm Tân"}, "unit.code", "commune"),
    ],
)
def test_item_rules(changes: dict[str, Any], rule: str, key: str) -> None:
    assert [(f.rule, f.field) for f in check(changes).findings] == [(rule, key)]


def test_choices_accept_labels_and_codes_without_diacritics() -> None:
    result = check(
        {
            "sex": "nam",
            "workplace_type": "Doanh nghiệp",
            "enterprise_type": "5.2",
            "priority_groups": "Người khuyết tật; 4",
        }
    )
    assert result.findings == []
    assert (result.values["sex"], result.values["workplace_type"]) == ("1", "5")
    assert result.values["priority_groups"] == ["1", "4"]


def test_year_only_birth_date_is_accepted() -> None:
    result = check({"birth_date": "1990", "personal_id": ""})
    assert result.rules() == {"id.missing"}
    assert str(result.values["birth_date"]) == "1990"


# --- personal ID ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "severity"),
    [
        ({"personal_id": ""}, "id.missing", Severity.WARNING),
        ({"personal_id": "172345678"}, "id.legacy", Severity.WARNING),
        ({"personal_id": "03809001234"}, "id.length", Severity.ERROR),
        ({"personal_id": "0380900123AB"}, "id.not_digits", Severity.ERROR),
        ({"personal_id": "003090012345"}, "id.province", Severity.ERROR),
        ({"personal_id": "038091012345"}, "id.birth_year_mismatch", Severity.WARNING),
        ({"personal_id": "038190012345"}, "id.sex_mismatch", Severity.WARNING),
    ],
)
def test_personal_id_rules(changes: dict[str, Any], rule: str, severity: Severity) -> None:
    findings = check(changes).findings
    assert [(f.rule, f.severity) for f in findings] == [(rule, severity)]


def test_id_for_a_woman_born_after_2000() -> None:
    assert (
        check(
            {
                "personal_id": "038303012345",
                "birth_date": "05/05/2003",
                "sex": "2",
                "contract_start_date": "01/06/2022",
            }
        ).findings
        == []
    )


# --- age and dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("birth", "rule", "severity"),
    [
        ("23/11/2011", "age.under_15", Severity.ERROR),  # 15 only after the collection date
        ("2012", "age.under_15", Severity.ERROR),
        ("2011", "age.uncertain", Severity.WARNING),
        ("01/01/1900", "age.over_120", Severity.ERROR),
        ("01/01/1925", "age.over_100", Severity.WARNING),
        ("01/01/2030", "date.future", Severity.ERROR),
    ],
)
def test_age_rules(birth: str, rule: str, severity: Severity) -> None:
    answers = {**INACTIVE, "birth_date": birth, "personal_id": ""}
    findings = [
        f for f in validate_answers(FORM, answers, today=TODAY).findings if f.rule != "id.missing"
    ]
    assert [(f.rule, f.severity) for f in findings] == [(rule, severity)]


def test_fifteen_on_the_reference_date_is_in_scope() -> None:
    answers = {**INACTIVE, "birth_date": "15/11/2011", "personal_id": ""}
    assert validate_answers(FORM, answers, today=TODAY).rules() == {"id.missing"}
    early = validate_answers(FORM, answers, today=TODAY, reference_date=datetime.date(2026, 11, 1))
    assert "age.under_15" in early.rules()


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"contract_start_date": "01/01/2004"}, "contract.before_15"),
        ({"contract_start_date": "20/11/2026"}, "contract.after_collection"),
        ({"contract_start_date": "01/01/2027"}, "date.future"),
        ({"collection_date": "01/12/2026"}, "date.future"),
    ],
)
def test_contract_and_date_rules(changes: dict[str, Any], rule: str) -> None:
    assert rule in check(changes).rules()


# --- consistency rules ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "rule", "severity"),
    [
        ({"employment_status": "2"}, "contract.not_employee", Severity.WARNING),
        (
            {"has_labor_contract": "2", "contract_type": "", "contract_start_date": ""},
            "insurance.compulsory_without_contract",
            Severity.WARNING,
        ),
        (
            {"workplace_type": "8", "enterprise_type": "", "workplace_address": ""},
            "workplace.abroad_address",
            Severity.WARNING,
        ),
        ({"priority_groups": "2,3"}, "priority.poor_and_near_poor", Severity.ERROR),
        ({"priority_groups": "6", "ethnic_group": "01"}, "priority.ethnic_kinh", Severity.ERROR),
        ({"job_description": "Bộ đội biên phòng"}, "scope.armed_forces_text", Severity.WARNING),
        (
            {
                "qualification": "7",
                "birth_date": "01/01/2008",
                "personal_id": "",
                "contract_start_date": "01/01/2024",
            },
            "qualification.university_young",
            Severity.WARNING,
        ),
        (
            {
                "qualification": "8",
                "birth_date": "01/01/2006",
                "personal_id": "",
                "contract_start_date": "01/01/2024",
            },
            "qualification.postgraduate_young",
            Severity.WARNING,
        ),
    ],
)
def test_consistency_rules(changes: dict[str, Any], rule: str, severity: Severity) -> None:
    findings = [f for f in check(changes).findings if f.rule != "id.missing"]
    assert [(f.rule, f.severity) for f in findings] == [(rule, severity)]


@pytest.mark.parametrize(
    ("changes", "rule"),
    [
        ({"inactivity_reason": "2", "birth_date": "01/01/1990"}, "inactivity.retired_young"),
        ({"inactivity_reason": "1", "birth_date": "01/01/1980"}, "inactivity.student_old"),
    ],
)
def test_inactivity_plausibility(changes: dict[str, Any], rule: str) -> None:
    findings = [
        f
        for f in check({**changes, "personal_id": ""}, INACTIVE).findings
        if f.rule != "id.missing"
    ]
    assert [f.rule for f in findings] == [rule]
    older = {**changes, "birth_date": "01/01/1970" if rule.endswith("young") else "01/01/2000"}
    assert [f.rule for f in check({**older, "personal_id": ""}, INACTIVE).findings] == [
        "id.missing"
    ]


def test_armed_forces_occupation_code_is_out_of_scope() -> None:
    # The level-2 list has no armed-forces codes yet; a level-1 "0" typed as a code is caught
    # as an unknown code, and text mentioning the army is flagged for confirmation.
    assert "choice.invalid" in check({"occupation_code": "01"}).rules()
    assert check({"workplace_name": "Công an huyện Cẩm Thủy"}).rules() == {
        "scope.armed_forces_text"
    }


@pytest.mark.parametrize("code", FORM_CODES)
def test_every_version_accepts_its_own_clean_answers(code: str) -> None:
    form = get_form(code)
    answers = {k: v for k, v in EMPLOYED.items() if form.has_item(k)}
    assert validate_answers(form, answers, today=TODAY).findings == []


@pytest.mark.parametrize(
    ("key", "text", "shown"),
    [
        ("full_name", "Nguyễn Văn 王", "U+738B"),
        ("workplace_name", "Công ty Ánh Dương 😀", "U+1F600"),
        ("workplace_name", "Xưởng \u202emay", "U+202E"),
        ("job_description", "May\u200bmặc", "U+200B"),
    ],
)
def test_characters_the_printed_form_cannot_show_are_refused_at_entry(
    key: str, text: str, shown: str
) -> None:
    """They would print blank, or reverse the line (issue 11, finding 8)."""
    findings = check({key: text}).findings
    assert [(f.rule, f.field) for f in findings] == [("text.unprintable", key)]
    assert shown in findings[0].message


def test_vietnamese_text_of_every_kind_prints() -> None:
    text = "Đặng Thị Ngọc Hoà – Công ty TNHH “Hưng Thịnh” (số 5/2), 100% vốn"
    assert check({"workplace_name": text}).findings == []
