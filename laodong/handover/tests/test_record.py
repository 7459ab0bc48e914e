"""A handover record's content never changes after it is made: both sides signed it."""

from __future__ import annotations

import io
from typing import Any

from django.urls import reverse
from pypdf import PdfReader

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.collection import actions
from laodong.collection.models import WorkItem
from laodong.collection.tests import test_workflow
from laodong.collection.tests.test_workflow import accept_all
from laodong.conftest import Tree, login
from laodong.handover import actions as handover_actions
from laodong.handover.models import HandoverLine

items = test_workflow.items  # the fixture: An, Bình and Cường listed by the police


def _pdf_text(handover: Any, user: Any) -> str:
    url = reverse(
        "handover-download-handover-pdf",
        args=[handover.campaign_id, handover.commune_id, handover.pk],
    )
    response = login(user).get(url)
    assert response.status_code == 200, url
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _page(handover: Any, user: Any) -> str:
    url = reverse(
        "handover-view-handover", args=[handover.campaign_id, handover.commune_id, handover.pk]
    )
    return str(login(user).get(url).content.decode())


def test_the_record_keeps_what_was_signed_whatever_happens_later(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    accept_all(items, users)
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    first = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    signed = list(first.lines.values_list("position", "full_name", "personal_id", "village_label"))
    assert [row[1] for row in signed] == ["Lê Thị Bình", "Nguyễn Văn An"]
    before = _pdf_text(first, officer)
    # Later: the police miss Bình's paper, the mismatch is settled by withdrawing her form,
    # which goes into the next record; An's work item is renamed and moved by a later change.
    handover_actions.confirm_handover(
        acting_user=police, handover=first, received_count=1, note="Thiếu phiếu của Bình"
    )
    handover_actions.resolve_handover(
        acting_user=officer,
        handover=first,
        note="Rút phiếu của Bình",
        withdrawn_ids=[items["Bình"].pk],
    )
    second = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    WorkItem.objects.filter(pk=items["An"].pk).update(
        full_name="Người Khác", personal_id="038090099999", village=tree.other_village
    )
    assert (
        list(first.lines.values_list("position", "full_name", "personal_id", "village_label"))
        == signed
    )
    withdrawn = HandoverLine.objects.get(handover=first, work_item=items["Bình"])
    assert withdrawn.withdrawn_at is not None
    assert list(second.lines.values_list("full_name", flat=True)) == ["Lê Thị Bình"]
    after = _pdf_text(first, officer)
    assert "Người Khác" not in after and "Nguyễn Văn An" in after
    assert "Bên giao bàn giao cho Bên nhận 2 phiếu" in before and "2 phiếu" in after
    assert "Lê Thị Bình (đã rút)" in after and "Rút khỏi biên bản khi xử lý chênh lệch: 1" in after
    page = _page(first, officer)
    assert "Nguyễn Văn An" in page and "Người Khác" not in page
    assert "Đã rút khỏi biên bản" in page


def test_a_form_returned_by_the_police_stays_on_its_record(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    accept_all(items, users)
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    first = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    handover_actions.confirm_handover(acting_user=police, handover=first, received_count=2)
    handover_actions.mark_not_enterable(
        acting_user=police, item_id=items["Bình"].pk, reason="Không tìm thấy số định danh"
    )
    actions.accept_form(acting_user=officer, item=WorkItem.objects.get(pk=items["Bình"].pk))
    assert first.lines.count() == 2
    page = _page(first, police)
    assert "Lê Thị Bình" in page and "Đã trả về, không còn trong biên bản này" in page


def test_the_record_prints_the_working_groups_reconciliation(
    items: dict[str, WorkItem], users: dict[str, Any], tree: Tree, campaign: Campaign
) -> None:
    import datetime

    from laodong.reconcile import actions as reconcile_actions

    accept_all(items, users)
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=2)
    reconcile_actions.record_reconciled(
        acting_user=users[Role.COMMUNE_LEADER],
        campaign=campaign,
        commune=tree.commune,
        reconciled_on=datetime.date(2026, 12, 1),
        note="Khớp đủ",
        handover=handover,
    )
    text = " ".join(_pdf_text(handover, officer).split())
    assert "đã đối soát với danh sách Công an xã" in text and "01/12/2026" in text
    assert "Khớp đủ" in text
    assert "Khớp đủ" in _page(handover, officer)
