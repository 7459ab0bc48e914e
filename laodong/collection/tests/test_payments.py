"""The payment list: rates set by the plan's maker, counts of accepted forms once each per
task and person (returns and re-keying aside), amounts, the total in words, XLSX and PDF."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from laodong.accounts.models import Role
from laodong.campaigns.actions import CampaignError, set_rates
from laodong.campaigns.models import Campaign, PaymentRate
from laodong.collection import actions
from laodong.collection.models import WorkItem
from laodong.collection.payments import round_periods, statement
from laodong.collection.tests.test_workflow import ANSWERS, BINH, items  # noqa: F401 (fixture)
from laodong.conftest import Tree, login, make_user
from laodong.handover import actions as handover_actions

RATES = {"collect": 10_000, "key": 5_000, "accept": 2_000, "enter": 3_000}


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, day: int, hour: int = 9) -> None:
        self.moment = timezone.make_aware(datetime.datetime(2026, 11, day, hour))


@pytest.fixture
def worked(
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    items: dict[str, WorkItem],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> dict[str, Any]:
    """Hand-made history. An: collected on the phone by the enumerator, returned once and
    submitted again, accepted by the officer on 12/11. Bình: a paper form collected by a second
    enumerator, keyed by the officer, accepted by the leader-less officer on 13/11. Both handed
    over and entered by the police on 16/11. Cường: submitted, never accepted (not paid)."""
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    police = users[Role.COMMUNE_POLICE]
    paper_collector = make_user(Role.ENUMERATOR, tree.village, "dtv-giay", full_name="Lò Văn Páo")
    clock = Clock(monkeypatch)

    def fresh(key: str) -> WorkItem:
        return WorkItem.objects.get(pk=items[key].pk)

    an = {**ANSWERS, "collection_date": "10/11/2026"}
    clock.at(10)
    actions.submit_form(acting_user=enumerator, item=fresh("An"), answers=an)
    clock.at(11)
    actions.return_form(acting_user=officer, item=fresh("An"), reason="Thiếu nơi làm việc")
    actions.submit_form(acting_user=enumerator, item=fresh("An"), answers=an)
    clock.at(12)
    actions.accept_form(acting_user=officer, item=fresh("An"))
    actions.key_paper_form(
        acting_user=officer,
        item=fresh("Bình"),
        answers={**BINH, "collection_date": "12/11/2026"},
        collected_by=paper_collector,
        collected_on=datetime.date(2026, 11, 12),
    )
    clock.at(13)
    actions.accept_form(acting_user=officer, item=fresh("Bình"))
    clock.at(14)
    handover = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=tree.commune
    )
    clock.at(15)
    handover_actions.confirm_handover(acting_user=police, handover=handover, received_count=2)
    clock.at(17)
    handover_actions.mark_entered(
        acting_user=police,
        item_ids=[items["An"].pk, items["Bình"].pk],
        entered_on=datetime.date(2026, 11, 16),
    )
    actions.submit_form(
        acting_user=make_user(Role.ENUMERATOR, tree.village2, "dtv-thon2"),
        item=fresh("Cường"),
        answers={**ANSWERS, "full_name": "Trần Văn Cường", "birth_date": "06/06/1988",
                 "personal_id": "038088000003", "household_code": "HGD003",
                 "collection_date": "17/11/2026"},
    )  # fmt: skip
    monkeypatch.undo()
    set_rates(acting_user=officer, campaign=campaign, rates=RATES)
    return {"paper_collector": paper_collector}


def _lines(found: Any) -> dict[str, list[tuple[str, int, int]]]:
    return {
        task.task.value: [(line.name, line.count, line.amount) for line in task.lines]
        for task in found.tasks
    }


def test_each_accepted_form_is_paid_once_per_task(
    worked: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    found = statement(
        campaign, tree.commune, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), made_by="x"
    )
    assert _lines(found) == {
        # The return and resubmission of An's form count once; Cường's is not accepted.
        "collect": sorted(
            [(users[Role.ENUMERATOR].full_name, 1, 10_000), ("Lò Văn Páo", 1, 10_000)]
        ),
        "key": [(officer.full_name, 1, 5_000)],
        "accept": [(officer.full_name, 2, 4_000)],
        "enter": [(police.full_name, 2, 6_000)],
    }
    # 20,000 + 5,000 + 4,000 + 6,000.
    assert found.total == 35_000
    # A period holding only the 12th: An accepted; no entry yet.
    only = statement(
        campaign, tree.commune, datetime.date(2026, 11, 12), datetime.date(2026, 11, 12), made_by=""
    )
    assert only.total == 10_000 + 2_000
    # Entries are paid by the entry date (16/11), whatever the day they were recorded.
    entries = statement(
        campaign, tree.commune, datetime.date(2026, 11, 16), datetime.date(2026, 11, 16), made_by=""
    )
    assert entries.total == 6_000


def test_the_list_as_page_xlsx_and_pdf_for_the_finance_officer(
    worked: dict[str, Any], campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    finance = login(users[Role.COMMUNE_FINANCE_OFFICER])
    url = reverse("collection-list-payments", args=[campaign.pk, tree.commune.pk])
    query = {"from": "01/11/2026", "to": "30/11/2026"}
    page = finance.get(url, query).content.decode()
    assert "Ba mươi lăm nghìn đồng chẵn" in page
    assert "35.000" in page and "Lò Văn Páo" in page
    sheet = load_workbook(io.BytesIO(finance.get(url, {**query, "format": "xlsx"}).content)).active
    rows = [row for row in sheet.iter_rows(values_only=True)]
    total = rows[[r[1] for r in rows].index("TỔNG CỘNG")]
    assert [v for v in total if v] == ["TỔNG CỘNG", 35000]
    texts = [r[0] for r in rows if isinstance(r[0], str)]
    assert "Số tiền bằng chữ: Ba mươi lăm nghìn đồng chẵn." in texts
    assert any(r[0] == "NGƯỜI LẬP BẢNG" and "KẾ TOÁN TRƯỞNG" in r for r in rows)
    pdf = finance.get(url, {**query, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF") and pdf["Content-Type"] == "application/pdf"
    # The finance officer reaches it from the home page.
    home = finance.get(reverse("overview-home")).content.decode()
    assert url in home
    # A bad date is said, and the page still answers.
    response = finance.get(url, {"from": "32/13/2026"})
    assert response.status_code == 200 and "không đúng" in response.content.decode()
    # The enumerator and other communes see nothing.
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    neighbour = make_user(Role.COMMUNE_FINANCE_OFFICER, tree.other_commune, "ketoan-van")
    assert login(neighbour).get(url).status_code == 404


def test_rates_are_set_by_the_plan_maker_only(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    url = reverse("campaigns-edit-rates", args=[campaign.pk])
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    response = officer.post(url, {"rate_collect": "10.000", "rate_key": "abc"})
    assert "không phải là số tiền" in response.content.decode()
    assert not PaymentRate.objects.exists()
    officer.post(url, {"rate_collect": "10.000", "rate_enter": "3,000"})
    assert dict(PaymentRate.objects.values_list("task", "amount")) == {
        "collect": 10_000,
        "enter": 3_000,
    }
    officer.post(url, {"rate_collect": "12.000"})
    assert dict(PaymentRate.objects.values_list("task", "amount")) == {"collect": 12_000}
    # Finance sees the rates but may not change them.
    finance = login(users[Role.COMMUNE_FINANCE_OFFICER])
    assert "12.000" in finance.get(url).content.decode()
    assert finance.post(url, {"rate_collect": "1"}).status_code == 403
    with pytest.raises(CampaignError):
        set_rates(
            acting_user=users[Role.COMMUNE_LABOR_OFFICER],
            campaign=campaign,
            rates={"collect": 99_000_000},
        )


def test_round_periods(campaign: Campaign) -> None:
    assert round_periods(campaign) == [
        ("Thu thập 1", datetime.date(2026, 11, 1), datetime.date(2026, 12, 17)),
        ("Nhập dữ liệu 1", datetime.date(2026, 11, 10), datetime.date(2026, 12, 28)),
    ]
