"""The register of a unit as a spreadsheet (XLSX or CSV), streamed row by row.

Privacy (privacy.md): the personal ID is masked unless the role may see it and the user asks for
it; ethnicity and disability (sensitive data) are left out unless asked for by such a role;
every export is logged (who, which unit, which options, when).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from laodong.audit.models import record_event
from laodong.core.cells import csv_stream
from laodong.core.xlsx_stream import stream_xlsx
from laodong.forms.citizen_id import mask_id
from laodong.forms.definitions import code_lists
from laodong.register.models import Person
from laodong.units.models import Unit

SENSITIVE = ("ethnic_group", "is_disabled")


@dataclass(frozen=True)
class Column:
    header: str
    field: str
    code_list: str = ""
    width: float = 14


def columns(*, sensitive: bool) -> list[Column]:
    chosen = [
        Column(_("Họ và tên"), "full_name", width=26),
        Column(_("Ngày sinh"), "birth_date", width=11),
        Column(_("Giới tính"), "sex", "sex", width=8),
        Column(_("Số CCCD/định danh"), "personal_id", width=15),
        Column(_("Thôn / tổ dân phố"), "village_id", width=18),
        Column(_("Xã / phường"), "commune_id", width=20),
        Column(_("Mã hộ"), "household_code", width=10),
        Column(_("Quan hệ với chủ hộ"), "relation_to_head", "relation_to_head"),
        Column(_("Dân tộc"), "ethnic_group", "ethnic_group_1979"),
        Column(_("Trình độ giáo dục phổ thông"), "general_education", "general_education"),
        Column(_("Trình độ chuyên môn kỹ thuật"), "qualification", "qualification"),
        Column(_("Tình trạng hoạt động kinh tế"), "activity_status", "activity_status"),
        Column(_("Lý do không tham gia"), "inactivity_reason", "inactivity_reason"),
        Column(_("Vị thế việc làm"), "employment_status", "employment_status"),
        Column(_("Mã nghề"), "occupation_code", width=8),
        Column(_("Loại hình nơi làm việc"), "workplace_type", "workplace_type"),
        Column(_("Tham gia BHXH"), "has_social_insurance", "yes_no", width=8),
        Column(_("Loại BHXH"), "social_insurance_type", "social_insurance_type"),
        Column(_("Có HĐLĐ"), "has_labor_contract", "yes_no", width=8),
        Column(_("Loại HĐLĐ"), "contract_type", "contract_type"),
        Column(_("Đã từng làm việc"), "unemployed_before", "unemployed_before"),
        Column(_("Thời gian thất nghiệp"), "unemployment_duration", "unemployment_duration"),
        Column(_("Người khuyết tật"), "is_disabled", width=8),
        Column(_("Hộ nghèo"), "is_poor_household", width=8),
        Column(_("Hộ cận nghèo"), "is_near_poor_household", width=8),
        Column(_("Hộ bị thu hồi đất"), "is_land_recovered_household", width=8),
        Column(_("Thân nhân người có công"), "is_merit_relative", width=8),
        Column(_("Mã số BHXH"), "social_insurance_number", width=12),
        Column(_("Đồng ý dùng thông tin để giới thiệu việc làm"), "consent_job_matching", "yes_no"),
        Column(_("Ngày đồng ý / thay đổi"), "consent_on", width=11),
        Column(_("Ngày thu thập"), "collection_date", width=11),
        Column(_("Mẫu phiếu"), "form_code", width=14),
        Column(_("Cập nhật lần cuối"), "updated_at", width=16),
    ]
    return [c for c in chosen if sensitive or c.field not in SENSITIVE]


def rows(
    people: QuerySet[Person], chosen: list[Column], *, full_id: bool, unit: Unit
) -> Iterator[list[object]]:
    """One list of cell values per person, read in chunks with a server-side cursor."""
    lists = code_lists()
    labels = {
        c.field: {code.code: code.label for code in lists[c.code_list].codes}
        for c in chosen
        if c.code_list
    }
    units = {place.pk: place.label() for place in Unit.objects.within(unit)}
    fields = [c.field for c in chosen]
    unit_fields = {
        index for index, name in enumerate(fields) if name in ("village_id", "commune_id")
    }
    for values in (
        people.values_list(*fields)
        .order_by("commune_id", "village_id", "pk")
        .iterator(chunk_size=2000)
    ):
        out: list[object] = []
        for index, (column, value) in enumerate(zip(chosen, values, strict=True)):
            if index in unit_fields:
                out.append(units.get(value, ""))
            elif column.field == "personal_id":
                out.append(value if full_id else mask_id(value or ""))
            elif column.code_list:
                out.append(labels[column.field].get(value, value) if value else "")
            elif column.field in ("birth_date", "collection_date", "consent_on"):
                out.append(value.strftime("%d/%m/%Y") if value else "")
            elif column.field == "updated_at":
                out.append(timezone.localtime(value).strftime("%d/%m/%Y %H:%M"))
            elif isinstance(value, bool):
                out.append("x" if value else "")
            else:
                out.append(value)
        yield out


def export_register(
    *,
    acting_user: Any,
    unit: Unit,
    people: QuerySet[Person],
    output_format: str,
    full_id: bool,
    sensitive: bool,
) -> Iterator[bytes]:
    """Log the export, then return the file's bytes as a stream."""
    chosen = columns(sensitive=sensitive)
    record_event(
        actor=acting_user,
        action="reports.export_register",
        target_type="register",
        unit=unit,
        details={"format": output_format, "full_id": full_id, "sensitive": sensitive},
    )
    header = [c.header for c in chosen]
    body = rows(people, chosen, full_id=full_id, unit=unit)
    if output_format == "csv":
        return csv_stream(header, body)
    who = acting_user.get_full_name() or acting_user.get_username()
    made = timezone.localtime().strftime("%d/%m/%Y %H:%M")
    title = _("Danh sách người lao động — %(unit)s") % {"unit": unit.label()}

    def about(count: int) -> list[tuple[str, str]]:
        return [
            (_("Nội dung"), title),
            (_("Người xuất"), who),
            (_("Thời điểm xuất"), made),
            (_("Số người"), str(count)),
            (_("Số CCCD/định danh"), _("đầy đủ") if full_id else _("che bớt")),
            (
                _("Lưu ý"),
                _(
                    "Dữ liệu cá nhân: chỉ dùng cho công việc được giao, không chia sẻ, "
                    "xóa khi dùng xong."
                ),
            ),
        ]

    return stream_xlsx(
        header,
        body,
        column_widths=[c.width for c in chosen],
        title=title,
        creator=who,
        about=about,
    )
