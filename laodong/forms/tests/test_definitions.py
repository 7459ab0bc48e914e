from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from laodong.forms.definitions import FORM_CODES, code_lists, get_form

PAPER_ORDER = [
    "1",
    "2",
    "3",
    "4",
    "5",
    "6",
    "7",
    "8",
    "8.6",
    "9",
    "10",
    "10.1",
    "11",
    "11.3",
    "12.1",
    "12.2",
    "12.2",
    "12.2a",
    "12.2a",
    "12.2b",
    "12.2b",
    "12.2b",
    "12.3",
    "12.3a",
    "12.3a",
    "12.3b",
    "13",
    "13.1",
]


def test_mau_03_has_every_numbered_item_in_paper_order() -> None:
    form = get_form("tt11-2022-m03")
    assert [i.number for i in form.items if i.number] == PAPER_ORDER
    assert form.title == "PHIẾU THÔNG TIN VỀ NGƯỜI LAO ĐỘNG"
    assert form.form_number == "Mẫu số 03"
    assert [i.key for i in form.items if i.section == "header"] == [
        "province",
        "district",
        "commune",
        "village",
        "household_code",
        "relation_to_head",
    ]


def test_2025_form_is_derived_with_the_known_differences() -> None:
    old, new = get_form("tt11-2022-m03"), get_form("tt09-2025-m01")
    assert new.extends == "tt11-2022-m03"
    assert not new.has_item("district")
    assert new.item("commune").label == "Xã/phường/đặc khu"
    assert new.item("personal_id").label == "Số định danh cá nhân"
    assert new.item("consent_job_matching").code_list == "yes_no"
    shared = [i.key for i in old.items if new.has_item(i.key)]
    assert shared == [i.key for i in new.items if i.key != "consent_job_matching"]
    # Deriving never changes the base version.
    assert old.item("commune").label == "Xã/phường/thị trấn"


@pytest.mark.parametrize(
    ("list_id", "count", "first", "source"),
    [
        ("ethnic_group_1979", 54, ("04", "Hoa"), "Quyết định 121-TCTK/PPCĐ ngày 2/3/1979"),
        ("ethnic_group_2008", 54, ("04", "Mường"), "Quyết định 1019/QĐ-TCTK ngày 12/11/2008"),
        (
            "vsco_2020_level1",
            10,
            ("1", "Nhà lãnh đạo trong các ngành, các cấp và các đơn vị"),
            "Quyết định 34/2020/QĐ-TTg",
        ),
        (
            "vsic_2018_section",
            21,
            ("A", "Nông nghiệp, lâm nghiệp và thủy sản"),
            "Quyết định 27/2018/QĐ-TTg",
        ),
        (
            "field_of_training",
            23,
            ("01", "Khoa học giáo dục và đào tạo giáo viên"),
            "Quyết định 01/2017/QĐ-TTg",
        ),
    ],
)
def test_code_lists_carry_their_identity(
    list_id: str, count: int, first: tuple[str, str], source: str
) -> None:
    code_list = code_lists()[list_id]
    assert len(code_list.codes) == count
    assert code_list.source == source
    index = 3 if list_id.startswith("ethnic") else 0
    assert (code_list.codes[index].code, code_list.codes[index].label) == first


def test_the_two_ethnic_lists_code_the_same_group_differently() -> None:
    assert code_lists()["ethnic_group_1979"].match("Mường").code == "06"  # type: ignore[union-attr]
    assert code_lists()["ethnic_group_2008"].match("Mường").code == "04"  # type: ignore[union-attr]


@pytest.mark.parametrize("spelling", ["H'Mông", "HMông", "Mông", "hmong", "h mong"])
def test_ethnic_groups_match_field_spellings(spelling: str) -> None:
    found = code_lists()["ethnic_group_1979"].match(spelling)
    assert found is not None and found.code == "08"


def test_unverified_codes_are_marked() -> None:
    ethnic = code_lists()["ethnic_group_2008"]
    assert all(c.verified for c in ethnic.codes[:20])
    assert not any(c.verified for c in ethnic.codes[20:])
    assert not code_lists()["vsco_2020_level1"].get("0").verified  # type: ignore[union-attr]


@pytest.mark.parametrize("code", FORM_CODES)
def test_schema_command_prints_items_options_and_skip_rules(code: str) -> None:
    out = io.StringIO()
    call_command("forms", "schema", code, stdout=out)
    schema = json.loads(out.getvalue())
    assert schema["code"] == code
    items = {item["key"]: item for item in schema["items"]}
    assert items["social_insurance_type"]["when"] == {
        "all": [
            {"field": "activity_status", "in": ["1"]},
            {"field": "has_social_insurance", "in": ["1"]},
        ]
    }
    assert items["ethnic_group"]["when"] == {"field": "priority_groups", "contains": "6"}
    assert [c["code"] for c in schema["code_lists"]["activity_status"]["codes"]] == ["1", "2", "3"]
    assert set(schema["code_lists"]) == {
        i["code_list"] for i in schema["items"] if "code_list" in i
    }


def test_schema_command_refuses_an_unknown_form() -> None:
    with pytest.raises(CommandError, match="Không có mẫu phiếu “mau-99”"):
        call_command("forms", "schema", "mau-99")


@pytest.mark.django_db
def test_unknown_form_pages_are_not_found(client: object) -> None:
    from django.test import Client
    from django.urls import reverse

    from laodong.accounts.models import Role
    from laodong.conftest import login, make_unit, make_user
    from laodong.units.models import Level

    assert isinstance(client, Client)
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    user = make_user(Role.SYSTEM_ADMINISTRATOR, country)
    browser = login(user)
    assert browser.get(reverse("forms-download-template", args=["mau-99"])).status_code == 404
    assert browser.get(reverse("forms-view-schema", args=["mau-99"])).status_code == 404
    schema = browser.get(reverse("forms-view-schema", args=["tt11-2022-m03"])).json()
    assert schema["form_number"] == "Mẫu số 03"
