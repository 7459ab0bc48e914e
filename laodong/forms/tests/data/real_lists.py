"""Lists of filled forms the way communes keep them, for tests.

    python -m laodong.forms.tests.data.real_lists    # rewrites the file beside this one

The unit and the form version are in the title rows, not in columns; headers are the ones
typed in commune spreadsheets ("Loại hình doanh nghiệp", "Trình độ CMKT", "Tình trạng tham gia
HĐKT"); a "Dân tộc" column is filled for everyone, Kinh included; sex, ethnicity and yes/no
answers are words, the rest codes as in the Excel template.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook

from laodong.forms.definitions import get_form
from laodong.forms.samples import SampleForms

HERE = Path(__file__).resolve().parent
# Header as typed → item key.
COLUMNS = [
    ("Thôn", "village"),
    ("Mã hộ", "household_code"),
    ("Quan hệ với chủ hộ", "relation_to_head"),
    ("Họ và tên", "full_name"),
    ("Ngày sinh", "birth_date"),
    ("Giới tính", "sex"),
    ("Số CCCD/CMND", "personal_id"),
    ("Nơi thường trú", "permanent_address"),
    ("Đối tượng ưu tiên", "priority_groups"),
    ("Dân tộc", "ethnic_group"),
    ("Trình độ học vấn", "general_education"),
    ("Trình độ CMKT", "qualification"),
    ("Chuyên ngành đào tạo", "field_of_training"),
    ("Tình trạng tham gia HĐKT", "activity_status"),
    ("Lý do không tham gia", "inactivity_reason"),
    ("Vị thế việc làm", "employment_status"),
    ("Công việc cụ thể", "job_description"),
    ("Mã nghề", "occupation_code"),
    ("Tham gia BHXH", "has_social_insurance"),
    ("Loại BHXH", "social_insurance_type"),
    ("HĐLĐ", "has_labor_contract"),
    ("Loại HĐLĐ", "contract_type"),
    ("Ngày bắt đầu HĐLĐ", "contract_start_date"),
    ("Nơi làm việc", "workplace_name"),
    ("Loại hình nơi làm việc", "workplace_type"),
    ("Loại hình doanh nghiệp", "enterprise_type"),
    ("Địa chỉ nơi làm việc", "workplace_address"),
    ("Đã từng làm việc", "unemployed_before"),
    ("Thời gian thất nghiệp", "unemployment_duration"),
    ("Ngày thu thập", "collection_date"),
]
WORDS = {"sex": "sex", "has_social_insurance": "yes_no", "has_labor_contract": "yes_no"}


def _cell(form: Any, key: str, answers: dict[str, Any]) -> str:
    value = str(answers.get(key) or "")
    if key == "ethnic_group":
        # Filled for everyone: the minority's name, or Kinh.
        code_list = form.code_lists[form.item("ethnic_group").code_list]
        found = code_list.get(value) if value else None
        return found.label if found else "Kinh"
    if key in WORDS and value:
        found = form.code_lists[WORDS[key]].get(value)
        return found.label if found else value
    return value


def mau_03_list(path: Path, count: int = 60, seed: int = 11) -> Path:
    """A commune's Mẫu số 03 list for 2023, as an XLSX file."""
    form = get_form("tt11-2022-m03")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["UBND XÃ CẨM TÂN", None, None, None, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"])
    sheet.append(["BAN CHỈ ĐẠO ĐỀ ÁN 06", None, None, None, "Độc lập - Tự do - Hạnh phúc"])
    sheet.append([])
    sheet.append(["DANH SÁCH THU THẬP THÔNG TIN NGƯỜI LAO ĐỘNG"])
    sheet.append(["(Mẫu số 03 ban hành kèm theo Thông tư số 11/2022/TT-BLĐTBXH ngày 30/6/2022)"])
    sheet.append(["Địa bàn: Xã Cẩm Tân, Huyện Cẩm Thủy, Tỉnh Thanh Hóa"])
    sheet.append([])
    sheet.append(["STT", *(header for header, _key in COLUMNS)])
    for number, answers in enumerate(SampleForms(seed=seed).rows(count), start=1):
        sheet.append([number, *(_cell(form, key, answers) for _header, key in COLUMNS)])
    sheet.append([])
    sheet.append([None, "Người lập biểu", None, None, None, None, "TM. UBND XÃ"])
    book.save(path)
    return path


if __name__ == "__main__":
    print(mau_03_list(HERE / "danh-sach-mau-03-cam-tan.xlsx"))
