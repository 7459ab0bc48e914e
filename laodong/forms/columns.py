"""Map the columns of a form file (Excel template, police exports, old systems) to items."""

from __future__ import annotations

from collections import Counter

from laodong.core.tabular import Column
from laodong.forms.definitions import FormDefinition

# Spellings seen in field spreadsheets, folded (no diacritics); matched after folding headers.
ALIASES: dict[str, tuple[str, ...]] = {
    "province": ("tinh", "tinh thanh pho", "ma tinh"),
    "district": ("huyen", "quan huyen", "ma huyen", "quan huyen thi xa"),
    "commune": ("xa", "xa phuong", "ma xa", "xa phuong thi tran", "xa phuong dac khu"),
    "village": ("thon", "thon to dan pho", "to dan pho", "thon xom", "ten thon"),
    "household_code": ("ma ho", "ma ho gia dinh", "ma hgd"),
    "relation_to_head": ("quan he voi chu ho", "quan he chu ho", "quan he"),
    "full_name": ("ho ten", "ho va ten", "ho ten khai sinh", "ho chu dem va ten"),
    "birth_date": ("ngay sinh", "ngay thang nam sinh", "nam sinh"),
    "sex": ("gioi tinh",),
    "personal_id": (
        "so cccd",
        "cccd",
        "so cmnd",
        "cmnd",
        "so cccd cmnd",
        "cccd cmnd",
        "so dinh danh",
        "so dinh danh ca nhan",
        "ma dinh danh",
    ),
    "social_insurance_number": ("ma bhxh", "so bhxh", "ma so bhxh"),
    "permanent_address": ("thuong tru", "dia chi thuong tru", "noi thuong tru"),
    "current_address": ("noi o hien tai", "cho o hien tai", "dia chi hien tai", "tam tru"),
    "priority_groups": ("doi tuong uu tien", "doi tuong"),
    "ethnic_group": ("dan toc", "ten dan toc", "dan toc thieu so"),
    "general_education": (
        "trinh do hoc van",
        "trinh do pho thong",
        "hoc van",
        "trinh do giao duc pho thong",
    ),
    "qualification": (
        "trinh do chuyen mon",
        "trinh do cmkt",
        "chuyen mon ky thuat",
        "trinh do chuyen mon ky thuat",
    ),
    "field_of_training": ("chuyen nganh", "chuyen nganh dao tao", "nganh dao tao"),
    "activity_status": (
        "tinh trang tham gia hdkt",
        "tinh trang hdkt",
        "tinh trang hoat dong kinh te",
        "tinh trang viec lam",
        "tinh trang tham gia hoat dong kinh te",
    ),
    "inactivity_reason": ("ly do khong tham gia", "ly do khong tham gia hdkt", "ly do"),
    "employment_status": ("vi the viec lam", "vi the"),
    "job_description": ("cong viec", "cong viec dang lam", "cong viec cu the", "nghe nghiep"),
    "occupation_code": ("ma nghe", "ma nghe nghiep"),
    "has_social_insurance": ("tham gia bhxh", "bhxh", "tham gia bao hiem xa hoi"),
    "social_insurance_type": ("loai bhxh", "loai bao hiem xa hoi"),
    "has_labor_contract": ("hop dong lao dong", "hdld", "co hdld"),
    "contract_type": ("loai hdld", "loai hop dong", "loai hop dong lao dong"),
    "contract_start_date": (
        "ngay bat dau hdld",
        "ngay bat dau hop dong",
        "thoi gian bat dau hdld",
        "thoi gian bat dau thuc hien hdld",
    ),
    "workplace_name": ("noi lam viec", "ten noi lam viec"),
    "workplace_type": (
        "loai hinh noi lam viec",
        "loai hinh",
        "noi lam viec loai hinh",
        "khu vuc lam viec",
    ),
    "enterprise_type": (
        "loai doanh nghiep",
        "loai dn",
        "loai hinh doanh nghiep",
        "loai hinh dn",
        "doanh nghiep",
    ),
    "workplace_address": ("dia chi noi lam viec",),
    "unemployed_before": ("da tung lam viec", "tung lam viec", "da tung lam viec chua"),
    "unemployment_duration": ("thoi gian that nghiep",),
    "collection_date": ("ngay thu thap", "ngay thu thap thong tin", "ngay dieu tra"),
    "informant_name": ("nguoi cung cap thong tin", "nguoi cung cap"),
    "consent_job_matching": ("dong y", "dong y gioi thieu viec lam"),
}
# A row is a person only if it has these; they also locate the header row below titles.
KEY_ITEMS = ("full_name", "birth_date")


def form_columns(form: FormDefinition) -> list[Column]:
    """The columns a file of this form version may have, in form order."""
    numbers = Counter(item.number for item in form.items if item.number)
    columns = []
    for item in form.items:
        aliases = [item.key, *ALIASES.get(item.key, ())]
        if item.number and numbers[item.number] == 1:
            aliases += [item.title, f"muc {item.number}"]
        columns.append(Column(item.key, item.label, tuple(aliases), required=item.key in KEY_ITEMS))
    return columns
