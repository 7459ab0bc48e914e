"""The handover record as printed: "xã" in lower case inside sentences, and the signatures
never alone on the last page."""

from __future__ import annotations

import io
from typing import Any

import pytest
from pypdf import PdfReader

from laodong.accounts.models import Role
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.handover import actions
from laodong.handover.pdf import render_handover_pdf


@pytest.mark.parametrize("people", [3, 38, 45])
def test_the_signatures_come_with_the_last_rows_of_the_list(
    campaign: Any, tree: Any, users: dict[str, Any], people: int
) -> None:
    header = "Họ và tên,Ngày sinh,Số định danh cá nhân,Thôn\n"
    rows = "".join(f"Người Số {n},1990,0380900{n:05d},Thôn 1\n" for n in range(1, people + 1))
    import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=io.BytesIO((header + rows).encode()),
        filename="ds.csv",
        acting_user=users[Role.COMMUNE_POLICE],
    )
    WorkItem.objects.update(status=Status.ACCEPTED)
    handover = actions.create_handover(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], campaign=campaign, commune=tree.commune
    )
    lines = list(handover.lines.all())
    pdf = render_handover_pdf(handover, lines, officer_name="Nguyễn Thị Lan", full_id=False)
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    text = "\n".join(pages)
    assert "tại UBND xã Cẩm Tân" in text and "Công an xã Cẩm Tân" in text
    assert "ĐẠI DIỆN BÊN GIAO" in pages[-1]
    # The last person listed is on the signatures' page.
    assert f"{lines[-1].full_name} 1990" in pages[-1]
