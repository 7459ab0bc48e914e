"""The progress report of a campaign: per unit and round, with late units, in every format."""

from __future__ import annotations

import datetime
import io
import json
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.actions import set_targets
from laodong.campaigns.models import Campaign
from laodong.collection.models import WorkItem
from laodong.collection.tests.test_workflow import accept_all, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login, make_user
from laodong.reports.documents import Document
from laodong.reports.progress import progress_document

AFTER_COLLECTION = datetime.date(2026, 12, 20)  # collection round due 17/12, entry 28/12


@pytest.fixture
def halfway(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
) -> Campaign:
    """Thôn 1 has both its forms accepted; Thôn 2 none of its target of 2."""
    set_targets(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        targets={tree.village: (2, 2), tree.village2: (2, 2)},
    )
    accept_all(items, users)
    return campaign


def section(document: Document, number: int) -> list[list[Any]]:
    return [row.cells for row in document.sections[number].rows]


def test_by_unit_round_and_late_units(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(
        halfway, tree.commune, made_by="Nguyễn Thị Lan", today=AFTER_COLLECTION
    )
    assert document.period.endswith("số liệu đến ngày 20/12/2026")
    assert section(document, 0) == [
        ["Thôn 1", 2, 2, 2, 100.0, 2, 0, 0, 0, 0.0, 0],
        ["Thôn 2", 2, 1, 0, 0.0, 0, 0, 0, 0, 0.0, 0],
        ["Cộng", 4, 3, 2, 50.0, 2, 0, 0, 0, 0.0, 0],
    ]
    assert [row.late for row in document.sections[0].rows] == [False, True, False]
    assert section(document, 1) == [
        ["Thu thập 1", datetime.date(2026, 12, 17), 4, 2, 50.0, 1, "Quá hạn 3 ngày"],
        ["Nhập dữ liệu 1", datetime.date(2026, 12, 28), 2, 0, 0.0, 0, "Còn 8 ngày"],
    ]
    assert section(document, 2) == [
        ["Thôn 2", "Thu thập 1", datetime.date(2026, 12, 17), 2, 0, 0, 3]
    ]


def test_before_any_deadline_nobody_is_late(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(
        halfway, tree.commune, made_by="x", today=datetime.date(2026, 12, 1)
    )
    assert not any(row.late for s in document.sections for row in s.rows)
    # No list of late units: progress by unit and by round, then the changes for the police.
    assert [s.title[:2] for s in document.sections] == ["1.", "2.", "3.", "4."]
    assert "chuyển Công an xã" in document.sections[2].title


def test_the_province_sees_its_communes(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(halfway, tree.province, made_by="x", today=AFTER_COLLECTION)
    assert section(document, 0)[0][:4] == ["Xã Cẩm Tân", 4, 3, 2]


def test_downloads_per_role_and_scope(halfway: Campaign, tree: Tree, users: dict[str, Any]) -> None:
    url = reverse("reports-download-progress", args=[halfway.pk, "xlsx"])
    for role in (Role.COMMUNE_LEADER, Role.COMMUNE_POLICE, Role.PROVINCE_LABOR_DEPARTMENT):
        response = login(users[role]).get(url)
        assert response.status_code == 200, role
    sheet = load_workbook(io.BytesIO(login(users[Role.COMMUNE_LEADER]).get(url).content)).active
    labels = [row[0] for row in sheet.iter_rows(values_only=True)]
    assert "Thôn 2" in labels and "1. Tiến độ theo đơn vị" in labels
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    assert login(users[Role.VILLAGE_HEAD]).get(url, {"unit": tree.commune.pk}).status_code == 404
    pdf = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-download-progress", args=[halfway.pk, "pdf"])
    )
    assert pdf.content.startswith(b"%PDF")
    other = login(users[Role.COMMUNE_LEADER]).get(
        reverse("reports-download-progress", args=[halfway.pk + 1, "xlsx"])
    )
    assert other.status_code == 404


def test_the_campaign_page_marks_late_units_and_offers_the_report(
    halfway: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    page = login(users[Role.COMMUNE_LABOR_OFFICER]).get(
        reverse("campaigns-view-campaign", args=[halfway.pk])
    )
    assert reverse("reports-download-progress", args=[halfway.pk, "xlsx"]) in page.content.decode()


def test_json_and_csv_carry_the_same_rows(halfway: Campaign, tree: Tree) -> None:
    document = progress_document(halfway, tree.commune, made_by="x", today=AFTER_COLLECTION)
    data = json.loads(document.render("json"))
    assert data["sections"][0]["rows"][1]["cells"][:4] == ["Thôn 2", 2, 1, 0]
    assert data["sections"][0]["rows"][1]["late"] is True
    text = document.render("csv").decode("utf-8-sig")
    assert ",Thôn 2,2,1,0,0.0,0,0,0,0,0.0,0" in text


class _Clock:
    """Actions run at chosen moments of Vietnam's time (as the demo's story clock does)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        from django.utils import timezone

        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, day: int, hour: int, minute: int = 0, month: int = 11) -> None:
        from django.utils import timezone

        self.moment = timezone.make_aware(datetime.datetime(2026, month, day, hour, minute))


def test_progress_as_of_a_past_day_counts_each_form_as_it_stood_that_evening(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Any,
) -> None:
    """Hand-counted: An is submitted on 10/11 and accepted on 11/11; Bình is submitted at
    23:30 on 10/11 (still that day in Vietnam), returned on 11/11, submitted again on 12/11
    and accepted on 13/11; both are handed over on 14/11, confirmed on 15/11 and marked
    entered on 17/11 as entered on 16/11."""
    from django.core.management import call_command

    from laodong.campaigns.progress import progress_by_unit
    from laodong.collection import actions
    from laodong.collection.tests.test_workflow import ANSWERS, BINH
    from laodong.handover import actions as handover_actions

    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    police = users[Role.COMMUNE_POLICE]
    clock = _Clock(monkeypatch)

    def fresh(key: str) -> WorkItem:
        return WorkItem.objects.get(pk=items[key].pk)

    an = {**ANSWERS, "collection_date": "10/11/2026"}
    binh = {**BINH, "collection_date": "10/11/2026"}
    clock.at(10, 8)
    actions.submit_form(acting_user=enumerator, item=fresh("An"), answers=an)
    clock.at(10, 23, 30)
    actions.submit_form(acting_user=enumerator, item=fresh("Bình"), answers=binh)
    clock.at(11, 9)
    actions.accept_form(acting_user=officer, item=fresh("An"))
    actions.return_form(acting_user=officer, item=fresh("Bình"), reason="Thiếu nơi làm việc")
    clock.at(12, 9)
    actions.submit_form(acting_user=enumerator, item=fresh("Bình"), answers=binh)
    clock.at(13, 9)
    actions.accept_form(acting_user=officer, item=fresh("Bình"))
    clock.at(14, 9)
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    clock.at(15, 9)
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=2)
    clock.at(17, 9)
    handover_actions.mark_entered(
        acting_user=police,
        item_ids=[items["An"].pk, items["Bình"].pk],
        entered_on=datetime.date(2026, 11, 16),
    )
    # Cường's form comes on 01/12, after the annual report's period (to 30/11).
    clock.at(1, 9, month=12)
    actions.submit_form(
        acting_user=make_user(Role.ENUMERATOR, tree.village2, "dtv-thon2"),
        item=fresh("Cường"),
        answers={**ANSWERS, "full_name": "Trần Văn Cường", "birth_date": "06/06/1988",
                 "personal_id": "038088000003", "household_code": "HGD003",
                 "collection_date": "01/12/2026"},
    )  # fmt: skip
    monkeypatch.undo()

    def counted(day: int) -> tuple[int, ...]:
        _rows, total = progress_by_unit(campaign, tree.commune, datetime.date(2026, 11, day))
        c = total.counts
        return (c["collected"], c["submitted"], c["accepted"], c["returned"], c["handed_over"],
                c["entered"], c["to_do"])  # fmt: skip

    #                collected submitted accepted returned handed entered to_do
    assert counted(9) == (0, 0, 0, 0, 0, 0, 3)
    assert counted(10) == (2, 2, 0, 0, 0, 0, 1)
    assert counted(11) == (1, 0, 1, 1, 0, 0, 1)
    assert counted(12) == (2, 1, 1, 0, 0, 0, 1)
    assert counted(13) == (2, 0, 2, 0, 0, 0, 1)
    assert counted(14) == (2, 0, 2, 0, 2, 0, 1)
    assert counted(15) == (2, 0, 2, 0, 2, 0, 1)
    assert counted(16) == (2, 0, 2, 0, 2, 2, 1)
    assert counted(30) == (2, 0, 2, 0, 2, 2, 1)
    # The annual report (to 30/11) prints the figures at its end, not today's three forms.
    from laodong.reports.periodic import YEAR, periodic_document

    annual = periodic_document(tree.commune, 2026, YEAR, acting_user=officer, made_by="x")
    progress = next(part for part in annual.sections if "Tiến độ" in part.title)
    assert progress.rows[-1].cells[:4] == ["Cộng", None, 3, 2]
    # Today: as the forms are now, the same as without a date.
    assert (
        progress_by_unit(campaign, tree.commune)[1].counts
        == progress_by_unit(campaign, tree.commune, datetime.date.today())[1].counts
    )
    # The report of a past day prints that day's figures under that day.
    document = progress_document(
        campaign, tree.commune, made_by="x", today=datetime.date(2026, 11, 11)
    )
    assert document.period.endswith("số liệu đến ngày 11/11/2026")
    assert section(document, 0)[-1][:6] == ["Cộng", None, 3, 1, 33.3, 1]

    # The same figures on the campaign's page, in every download and from the command.
    client = login(officer)
    page = client.get(
        reverse("campaigns-view-campaign", args=[campaign.pk]),
        {"unit": tree.commune.pk, "to": "11/11/2026"},
    ).content.decode()
    assert "Đang xem số liệu đến hết ngày 11/11/2026" in page and "&amp;to=11/11/2026" in page
    wrong = client.get(reverse("campaigns-view-campaign", args=[campaign.pk]), {"to": "31/11/2026"})
    assert "Ngày “31/11/2026” không đúng" in wrong.content.decode()
    data = json.loads(
        client.get(
            reverse("reports-download-progress", args=[campaign.pk, "json"]),
            {"to": "11/11/2026", "unit": tree.commune.pk},
        ).content
    )
    assert data["sections"][0]["rows"][-1]["cells"][:6] == ["Cộng", None, 3, 1, 33.3, 1]
    csv_text = client.get(
        reverse("reports-download-progress", args=[campaign.pk, "csv"]), {"to": "11/11/2026"}
    ).content.decode("utf-8-sig")
    assert "Cộng,,3,1,33.3,1" in csv_text.replace(";", ",")
    out = tmp_path / "tien-do.json"
    call_command("report", "progress", "--unit", "15178", "--to", "11/11/2026",
                 "--format", "json", "--out", str(out))  # fmt: skip
    assert (
        json.loads(out.read_text())["sections"][0]["rows"][-1]["cells"][:6]
        == data["sections"][0]["rows"][-1]["cells"][:6]
    )

    # A round due on 11/11 with Thôn 1's target of 2: one form collected at the deadline, two
    # since. Thôn 1 stays late for that round, caught up, with both figures.
    from laodong.campaigns.actions import set_targets
    from laodong.campaigns.models import Round, RoundKind

    set_targets(acting_user=officer, campaign=campaign, targets={tree.village: (2, 2)})
    Round.objects.create(
        campaign=campaign, kind=RoundKind.COLLECTION, number=9,
        deadline=datetime.date(2026, 11, 11), target_percent=100,
    )  # fmt: skip
    later = progress_document(
        campaign, tree.commune, made_by="x", today=datetime.date(2026, 11, 20)
    )
    rounds = {row.cells[0]: row for row in later.sections[1].rows}
    early = rounds["Thu thập 9"]
    assert early.cells[3] == 2 and early.late  # done now 2 of 2, yet late at its deadline
    assert early.cells[6] == "Chậm tại hạn (đạt 1), nay đã đạt"
    # Late by one day: Bình's form, returned on 11/11, came back on 12/11.
    assert section(later, 2) == [["Thôn 1", "Thu thập 9", datetime.date(2026, 11, 11), 2, 1, 2, 1]]
    # An entry round due 15/11 (both forms accepted by then): entered on 16/11, a day late.
    Round.objects.create(
        campaign=campaign, kind=RoundKind.ENTRY, number=9,
        deadline=datetime.date(2026, 11, 15), target_percent=100,
    )  # fmt: skip
    later = progress_document(
        campaign, tree.commune, made_by="x", today=datetime.date(2026, 11, 20)
    )
    assert ["Thôn 1", "Nhập dữ liệu 9", datetime.date(2026, 11, 15), 2, 0, 2, 1] in section(
        later, 2
    )
    # On the deadline's own day nobody is late yet.
    same_day = progress_document(
        campaign, tree.commune, made_by="x", today=datetime.date(2026, 11, 11)
    )
    assert not any(row.late for part in same_day.sections for row in part.rows)
