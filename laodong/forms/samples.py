"""Realistic, valid form answers for demos, tests and benchmarks (never real people).

The shape follows a rural commune of Thanh Hóa such as Cẩm Tân: mostly farming, some factory and
construction work, a Mường and Thái minority, IDs registered in Thanh Hóa (038).
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Iterator
from typing import Any

from laodong.forms.dates import add_years, age_on

SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Đinh",
    "Trịnh",
    "Lò",
    "Hà",
    "Quách",
    "Vũ",
    "Lương",
    "Mai",
    "Phan",
    "Cao",
    "Đặng",
    "Lường",
]
MIDDLE = {
    "1": ["Văn", "Hữu", "Đức", "Minh", "Quang", "Xuân", "Ngọc", "Công"],
    "2": ["Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh"],
}
GIVEN = {
    "1": [
        "An",
        "Bình",
        "Cường",
        "Dũng",
        "Hùng",
        "Khánh",
        "Long",
        "Nam",
        "Phong",
        "Quân",
        "Sơn",
        "Tuấn",
        "Việt",
        "Hải",
        "Toàn",
        "Thắng",
        "Đạt",
        "Huy",
    ],
    "2": [
        "Anh",
        "Bích",
        "Chi",
        "Dung",
        "Hà",
        "Hoa",
        "Hương",
        "Lan",
        "Linh",
        "Mai",
        "Nga",
        "Oanh",
        "Phương",
        "Thảo",
        "Trang",
        "Yến",
        "Hằng",
        "Nhung",
    ],
}
# (job, VSCO level 2, employment status, workplace type, workplace name)
JOBS = [
    ("Trồng lúa, ngô", "61", "2", "1", "Hộ gia đình"),
    ("Chăn nuôi lợn, gà", "61", "2", "1", "Hộ gia đình"),
    ("Làm ruộng giúp gia đình", "92", "3", "1", "Hộ gia đình"),
    ("Buôn bán tạp hóa", "52", "1", "3", "Cửa hàng tạp hóa tại nhà"),
    ("Thợ xây", "71", "2", "2", "Các công trình trong huyện"),
    ("Công nhân may", "75", "4", "5", "Công ty TNHH May Cẩm Thủy"),
    ("Công nhân lắp ráp điện tử", "82", "4", "5", "Công ty TNHH Điện tử Bỉm Sơn"),
    ("Giáo viên tiểu học", "23", "4", "6", "Trường Tiểu học Cẩm Tân"),
    ("Y sĩ trạm y tế", "32", "4", "6", "Trạm Y tế xã Cẩm Tân"),
    ("Lái xe tải", "83", "4", "5", "Công ty Vận tải Thanh Hóa"),
    ("Xã viên hợp tác xã nông nghiệp", "61", "5", "4", "HTX Nông nghiệp Cẩm Tân"),
]
FIELDS_BY_JOB = {"23": "01", "32": "17", "75": "13", "82": "11", "83": "20"}


class SampleForms:
    """Generate valid answers for one commune; IDs are unique within a generator."""

    def __init__(
        self,
        *,
        seed: int = 2023,
        commune: str = "15178",
        province: str = "38",
        villages: list[str] | None = None,
        collection_date: datetime.date = datetime.date(2023, 12, 15),
        without_id_share: float = 0.03,
    ) -> None:
        self.random = random.Random(seed)
        self.commune, self.province = commune, province
        self.villages = villages or [f"Thôn {n}" for n in range(1, 9)]
        self.collection_date = collection_date
        self.used_ids: set[str] = set()
        self.household = 0
        self.without_id_share = without_id_share

    def rows(self, count: int) -> Iterator[dict[str, Any]]:
        while count > 0:
            for person in self.household_members():
                yield person
                count -= 1
                if count == 0:
                    return

    def household_members(self) -> list[dict[str, Any]]:
        self.household += 1
        village = self.random.choice(self.villages)
        members = []
        for position in range(self.random.choice((1, 2, 2, 3, 3, 4))):
            relation = "1" if position == 0 else self.random.choice(("2", "3", "3", "4"))
            members.append(self.person(village, f"HGD{self.household:06d}", relation))
        return members

    def person(self, village: str, household: str, relation: str) -> dict[str, Any]:
        r = self.random
        sex = r.choice("12")
        birth = self.collection_date - datetime.timedelta(days=r.randint(15 * 366, 80 * 365))
        age = age_on(birth, self.collection_date)
        answers: dict[str, Any] = {
            "province": self.province,
            "commune": self.commune,
            "village": village,
            "household_code": household,
            "relation_to_head": relation,
            "full_name": f"{r.choice(SURNAMES)} {r.choice(MIDDLE[sex])} {r.choice(GIVEN[sex])}",
            "birth_date": birth.strftime("%d/%m/%Y"),
            "sex": sex,
            "personal_id": ""
            if r.random() < self.without_id_share
            else self.personal_id(birth.year, sex),
            "permanent_address": f"{village}, xã Cẩm Tân, tỉnh Thanh Hóa",
            "collection_date": self.collection_date.strftime("%d/%m/%Y"),
        }
        answers.update(self.priority(r))
        answers.update(self.education(r, age))
        answers.update(self.activity(r, age, birth))
        return answers

    def personal_id(self, year: int, sex: str) -> str:
        century = (year - 1900) // 100
        digit = century * 2 + (0 if sex == "1" else 1)
        while True:
            number = f"038{digit}{year % 100:02d}{self.random.randint(0, 999_999):06d}"
            if number not in self.used_ids:
                self.used_ids.add(number)
                return number

    @staticmethod
    def priority(r: random.Random) -> dict[str, Any]:
        groups = []
        if r.random() < 0.04:
            groups.append("1")
        poverty = r.random()
        if poverty < 0.06:
            groups.append("2")
        elif poverty < 0.12:
            groups.append("3")
        answers: dict[str, Any] = {}
        if r.random() < 0.18:
            groups.append("6")
            answers["ethnic_group"] = r.choice(("06", "06", "03"))  # Mường, Thái (1979 list)
        answers["priority_groups"] = ",".join(groups)
        return answers

    @staticmethod
    def education(r: random.Random, age: int) -> dict[str, Any]:
        general = r.choice(("2", "3", "3", "4", "4")) if age >= 18 else r.choice(("2", "3"))
        levels = ["1"] * 12 + ["2", "3", "4", "5", "5", "6"]
        if age >= 24 and general == "4":
            levels += ["7", "7", "7"]
        if age >= 27 and general == "4":
            levels.append("8")
        qualification = r.choice(levels) if age >= 19 else "1"
        answers = {"general_education": general, "qualification": qualification}
        if qualification not in ("1", "2"):
            answers["field_of_training"] = r.choice(("11", "13", "14", "05", "17", "01"))
        return answers

    def activity(self, r: random.Random, age: int, birth: datetime.date) -> dict[str, Any]:
        if age < 23 and r.random() < 0.6:
            return {"activity_status": "3", "inactivity_reason": "1"}
        roll = r.random()
        if age >= 60 and roll < 0.5:
            return {"activity_status": "3", "inactivity_reason": "2"}
        if roll < 0.12:
            return {"activity_status": "3", "inactivity_reason": r.choice(("3", "3", "5"))}
        if roll < 0.15:
            worked = r.choice("12")
            return {
                "activity_status": "2",
                "unemployed_before": worked,
                "unemployment_duration": r.choice("123"),
            }
        return self.employed(r, age, birth)

    def employed(self, r: random.Random, age: int, birth: datetime.date) -> dict[str, Any]:
        job, occupation, status, workplace_type, workplace = r.choice(JOBS)
        answers: dict[str, Any] = {
            "activity_status": "1",
            "employment_status": status,
            "job_description": job,
            "occupation_code": occupation,
            "workplace_name": workplace,
            "workplace_type": workplace_type,
            "workplace_address": "Thanh Hóa",
        }
        if workplace_type == "5":
            answers["enterprise_type"] = r.choice(("5.2", "5.2", "5.3"))
        if status == "4" and age >= 18:
            earliest = add_years(birth, 18)
            span = max((self.collection_date - earliest).days, 1)
            start = earliest + datetime.timedelta(days=r.randint(0, span - 1))
            answers.update(
                {
                    "has_labor_contract": "1",
                    "contract_type": r.choice("12"),
                    "contract_start_date": start.strftime("%d/%m/%Y"),
                    "has_social_insurance": "1",
                    "social_insurance_type": "1",
                }
            )
        else:
            voluntary = r.random() < 0.1
            answers.update(
                {"has_labor_contract": "2", "has_social_insurance": "1" if voluntary else "2"}
            )
            if voluntary:
                answers["social_insurance_type"] = "2"
        return answers
