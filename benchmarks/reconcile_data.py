"""Generate a register and a population-database extract for benchmarks/reconcile.py.

The register holds N people, 30% of them without an ID and written the ways communes write
them (no diacritics, old tone placement, "Thị" left out, middle names swapped, one typo, day
and month swapped, year only); 2% of the register is not in the extract (moved away). The
extract holds everyone else as the population database has them, plus look-alikes (the same
name and village born another day; a twin in the same household whose name differs only by
diacritics or one letter) and unrelated people, to 1.05 × N rows. `truth.csv` lists the true
pairs (register row, extract row), rows numbered as `laodong reconcile` numbers them.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import random
from pathlib import Path

FAMILY = [
    ("Nguyễn", 38), ("Trần", 11), ("Lê", 9.5), ("Phạm", 7), ("Hoàng", 5), ("Phan", 4.5),
    ("Vũ", 3.9), ("Đặng", 2.1), ("Bùi", 2), ("Đỗ", 1.4), ("Hồ", 1.3), ("Ngô", 1.3),
    ("Dương", 1), ("Lý", 0.5), ("Lò", 0.5), ("Hà", 0.6), ("Đinh", 0.6), ("Mai", 0.4),
    ("Trịnh", 0.4), ("Đào", 0.4), ("Cao", 0.3), ("Lương", 0.3), ("Tạ", 0.2), ("Quàng", 0.1),
]  # fmt: skip
MIDDLE_MALE = ["Văn", "Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "Công", "Xuân", "Thanh"]
MIDDLE_FEMALE = ["Thị", "Thị", "Thị", "Thị", "Ngọc", "Thu", "Thanh", "Hồng", "Minh", "Kim"]
SECOND_MIDDLE = ["Minh", "Thanh", "Ngọc", "Hồng", "Quang", "Anh", "Bảo", "Gia", "Thùy", "Phương"]
GIVEN_MALE = [
    "Hùng",
    "Hưng",
    "Dũng",
    "Tuấn",
    "Nam",
    "Long",
    "Minh",
    "Hải",
    "Sơn",
    "Thắng",
    "Cường",
    "Hiếu",
    "Huy",
    "Khánh",
    "Lâm",
    "Phong",
    "Quân",
    "Tài",
    "Thành",
    "Trung",
    "Việt",
    "Vinh",
    "Bình",
    "Cảnh",
    "Đạt",
    "Đông",
    "Giang",
    "Hoà",
    "Hoàng",
    "Khoa",
    "Lộc",
    "Luân",
    "Mạnh",
    "Nghĩa",
    "Phúc",
    "Quý",
    "Sang",
    "Tâm",
    "Thái",
    "Thiện",
    "Thịnh",
    "Toàn",
    "Trí",
    "Tú",
    "Tùng",
    "Văn",
    "Vũ",
    "Xuân",
    "Bảo",
    "Chiến",
    "Công",
    "Duy",
    "Hào",
    "Hậu",
    "Kiên",
    "Lực",
    "Nhân",
    "Phát",
    "Quang",
    "Quyết",
    "Tân",
    "Thuận",
    "Tiến",
    "Toản",
    "Trọng",
    "Tuệ",
    "Ước",
    "Vương",
    "Páo",
    "Sử",
    "Dìn",
]
GIVEN_FEMALE = [
    "Lan",
    "Hương",
    "Hoa",
    "Mai",
    "Linh",
    "Trang",
    "Hà",
    "Thảo",
    "Nga",
    "Hằng",
    "Thuý",
    "Thuỳ",
    "Hạnh",
    "Huyền",
    "Yến",
    "Nhung",
    "Loan",
    "Oanh",
    "Phương",
    "Quỳnh",
    "Tâm",
    "Thu",
    "Trinh",
    "Vân",
    "Anh",
    "Ánh",
    "Châu",
    "Diệp",
    "Dung",
    "Giang",
    "Hiền",
    "Hoà",
    "Hồng",
    "Khuê",
    "Liên",
    "Ly",
    "Mến",
    "Minh",
    "My",
    "Ngân",
    "Ngọc",
    "Nhi",
    "Như",
    "Phượng",
    "Quyên",
    "Sen",
    "Tuyết",
    "Uyên",
    "Vy",
    "Xuân",
    "Yên",
    "Chi",
    "Diệu",
    "Đào",
    "Gấm",
    "Hậu",
    "Kiều",
    "Lệ",
    "Lụa",
    "Mơ",
    "Nhàn",
    "Nhài",
    "Quế",
    "Thắm",
    "Thoa",
    "Tươi",
    "Sáu",
    "Dợ",
    "Mỷ",
]
TONE_OLD = {"Hòa": "Hoà", "Thủy": "Thuỷ", "Thúy": "Thuý", "Thùy": "Thuỳ", "Hóa": "Hoá"}
TONE_NEW = {old: new for new, old in TONE_OLD.items()}
LETTERS = "abcdeghiklmnopqrstuvxy"
STRIP = str.maketrans(
    "àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ"
    "ÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬÈÉẺẼẸÊỀẾỂỄỆÌÍỈĨỊÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢÙÚỦŨỤƯỪỨỬỮỰỲÝỶỸỴĐ",
    "aaaaaaaaaaaaaaaaaeeeeeeeeeeeiiiiiooooooooooooooooouuuuuuuuuuuyyyyyd"
    "AAAAAAAAAAAAAAAAAEEEEEEEEEEEIIIIIOOOOOOOOOOOOOOOOOUUUUUUUUUUUYYYYYD",
)
TWIN_OF = {"Hùng": "Hưng", "Hưng": "Hùng", "Lan": "Lân", "Hà": "Hạ", "Minh": "Mính"}
COLUMNS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Số định danh cá nhân", "Thôn", "Mã hộ"]


def province_code(rng: random.Random) -> str:
    return rng.choice(["001", "024", "038", "051", "052", "010", "036", "079"])


def make_id(rng: random.Random, birth: datetime.date, sex: str, serial: int) -> str:
    century = (birth.year - 1900) // 100
    digit = century * 2 + (0 if sex == "1" else 1)
    return f"{province_code(rng)}{digit}{birth.year % 100:02d}{serial % 1_000_000:06d}"


def new_person(rng: random.Random, families: list[str], weights: list[float]) -> dict:
    sex = rng.choice("12")
    family = rng.choices(families, weights)[0]
    middle = rng.choice(MIDDLE_MALE if sex == "1" else MIDDLE_FEMALE)
    given = rng.choice(GIVEN_MALE if sex == "1" else GIVEN_FEMALE)
    parts = [family, middle]
    if rng.random() < 0.25:
        parts.append(rng.choice(SECOND_MIDDLE))
    parts.append(given)
    birth = datetime.date(1945, 1, 1) + datetime.timedelta(days=rng.randrange(0, 65 * 365))
    return {"name": " ".join(parts), "birth": birth, "year_only": False, "sex": sex}


def typo(rng: random.Random, name: str) -> str:
    words = name.split(" ")
    index = rng.randrange(len(words))
    word = words[index]
    position = rng.randrange(len(word))
    change = rng.randrange(4)
    if change == 0 and len(word) > 2:
        word = word[:position] + word[position + 1 :]
    elif change == 1:
        word = word[:position] + rng.choice(LETTERS) + word[position:]
    elif change == 2 and position < len(word) - 1:
        word = word[:position] + word[position + 1] + word[position] + word[position + 2 :]
    else:
        word = word[:position] + rng.choice(LETTERS) + word[position + 1 :]
    words[index] = word
    return " ".join(words)


def vary(rng: random.Random, person: dict) -> dict:
    """The person as a commune wrote them (one or two variations)."""
    varied = dict(person)
    name = person["name"]
    for _ in range(1 if rng.random() < 0.8 else 2):
        roll = rng.random()
        words = name.split(" ")
        if roll < 0.3:
            name = name.translate(STRIP)
        elif roll < 0.4:
            name = " ".join(TONE_OLD.get(w, TONE_NEW.get(w, w)) for w in words)
            name = name.upper() if rng.random() < 0.5 else name
        elif roll < 0.5 and len(words) > 2 and words[1] in ("Thị", "Văn"):
            name = " ".join(words[:1] + words[2:])
        elif roll < 0.55 and len(words) > 3:
            name = " ".join([words[0], words[2], words[1], *words[3:]])
        elif roll < 0.7:
            name = typo(rng, name)
        elif roll < 0.8:
            birth = person["birth"]
            if birth.day <= 12 and birth.day != birth.month:
                varied["birth"] = birth.replace(day=birth.month, month=birth.day)
        elif roll < 0.9:
            varied["year_only"] = True
        else:
            varied["sex"] = ""
    varied["name"] = name
    return varied


def birth_text(person: dict) -> str:
    birth = person["birth"]
    return str(birth.year) if person["year_only"] else f"{birth:%d/%m/%Y}"


def generate(folder: Path, size: int, seed: int = 2026) -> None:
    rng = random.Random(seed)
    families = [f for f, _w in FAMILY]
    weights = [w for _f, w in FAMILY]
    folder.mkdir(parents=True, exist_ok=True)
    people = []
    villages = max(1, size // 700)
    household = 0
    while len(people) < size:
        household += 1
        village = f"Thôn {rng.randrange(1, 12)} xã {rng.randrange(villages // 10 + 1)}"
        for _member in range(rng.choice((1, 2, 3, 3, 4, 4, 5))):
            person = new_person(rng, families, weights)
            person["village"] = village
            person["household"] = f"H{household:07d}"
            person["id"] = make_id(rng, person["birth"], person["sex"], len(people))
            people.append(person)
    people = people[:size]
    extract: list[tuple[dict, int | None]] = []
    register_rows = []
    for index, person in enumerate(people):
        roll = rng.random()
        if roll < 0.30:
            shown = vary(rng, person)
            shown["id"] = ""
        elif roll < 0.32:
            shown = vary(rng, person)  # an ID and an item that differs (a conflict)
        else:
            shown = dict(person)
        register_rows.append(shown)
        if rng.random() >= 0.02:
            extract.append((person, index + 1))
    extra = int(size * 1.05) - len(extract)
    for number in range(extra):
        base = people[rng.randrange(size)]
        lookalike = dict(base)
        roll = rng.random()
        if roll < 0.4:
            lookalike["birth"] = base["birth"] + datetime.timedelta(days=rng.randrange(1, 4000))
        elif roll < 0.6:
            words = base["name"].split(" ")
            words[-1] = TWIN_OF.get(words[-1], typo(rng, words[-1]))
            lookalike["name"] = " ".join(words)
        else:
            lookalike = new_person(rng, families, weights)
            lookalike["village"], lookalike["household"] = base["village"], f"X{number:07d}"
        lookalike["id"] = make_id(rng, lookalike["birth"], lookalike["sex"], size + number)
        lookalike["year_only"] = False
        extract.append((lookalike, None))
    rng.shuffle(extract)
    _write(folder / "register.csv", register_rows)
    _write(folder / "extract.csv", [person for person, _ in extract])
    with (folder / "truth.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["left_row", "right_row", "left_has_id"])
        for row, (_person, register_row) in enumerate(extract, start=1):
            if register_row is not None:
                has_id = int(bool(register_rows[register_row - 1]["id"]))
                writer.writerow([register_row, row, has_id])


def _write(path: Path, rows: list[dict]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for number, person in enumerate(rows, start=1):
            sex = {"1": "Nam", "2": "Nữ"}.get(person["sex"], "")
            writer.writerow(
                [number, person["name"], birth_text(person), sex, person["id"],
                 person["village"], person["household"]]
            )  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--size", type=int, default=1_000_000)
    arguments = parser.parse_args()
    generate(arguments.folder, arguments.size)
