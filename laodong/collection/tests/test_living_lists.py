"""What a police list does for the living register (issue 12): it proposes closing the records
of people it marks dead, moved away or in the armed forces, completes transfers the commune
asked for, and a closed person leaves the open campaigns' work lists."""

from __future__ import annotations

import datetime
import io
from typing import Any

from django.urls import reverse
from django.utils import timezone

from laodong.accounts.models import Role
from laodong.campaigns.actions import create_campaign
from laodong.campaigns.models import Campaign
from laodong.collection.models import Status, WorkItem
from laodong.collection.police_list import import_list
from laodong.conftest import Tree, login, make_user
from laodong.register import transfers
from laodong.register.actions import close_person, record_person
from laodong.register.models import Person, PersonPeriod, PoliceUpdate, Source
from laodong.register.sources import Origin
from laodong.register.tests.test_actions import ANSWERS
from laodong.reports.statistics import periods_on, scope_of

HEADER = "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Ghi chú\n"


def _record(tree: Tree, officer: Any, number: str, name: str, village: Any = None) -> Person:
    person = record_person(
        acting_user=officer,
        form_code="tt09-2025-m01",
        village=village or tree.village,
        answers={**ANSWERS, "personal_id": number, "full_name": name},
    )
    # In the register since the start of the year.
    since = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    PersonPeriod.objects.filter(person=person).update(valid_from=since)
    return person


def _list(campaign: Campaign, commune: Any, rows: str, police: Any) -> Any:
    outcome = import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO((HEADER + rows).encode()),
        filename="danh-sach-cong-an.csv",
        acting_user=police,
    )
    assert outcome.job is not None, outcome
    return outcome.job


def _count(commune: Any, day: datetime.date) -> int:
    return PersonPeriod.objects.filter(scope_of(commune) & periods_on(day)).count()


def test_the_police_list_proposes_closing_the_dead_and_the_officer_closes_them(
    tree: Tree, users: dict[str, Any], campaign: Campaign
) -> None:
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    an = _record(tree, officer, "038090000201", "Nguyễn Văn An")
    binh = _record(tree, officer, "038090000202", "Lê Văn Bình")
    _record(tree, officer, "038090000203", "Trần Văn Cường")
    job = _list(
        campaign,
        tree.commune,
        "Nguyễn Văn An,12/03/1990,Nam,038090000201,Thôn 1,Đã chết\n"
        "Lê Văn Bình,12/03/1990,Nam,038090000202,Thôn 1,Đi nghĩa vụ quân sự\n"
        "Trần Văn Cường,12/03/1990,Nam,038090000203,Thôn 1,\n",
        police,
    )
    page = login(officer)
    result = page.get(reverse("collection-view-import", args=[campaign.pk, job.pk]))
    assert "xem đề xuất đóng hồ sơ" in result.content.decode()
    url = reverse("collection-list-closures", args=[campaign.pk, tree.commune.pk])
    text = page.get(url).content.decode()
    assert "Nguyễn Văn An" in text and "Lê Văn Bình" in text and "Trần Văn Cường" not in text
    # One click for An.
    an_item = WorkItem.objects.get(personal_id=an.personal_id)
    page.post(url, {"items": str(an_item.pk), "left_on": "15/11/2026"})
    an.refresh_from_db()
    assert (an.leave_reason, an.left_on) == ("deceased", datetime.date(2026, 11, 15))
    closure = an.versions.get(number=2)
    assert closure.source == Source.POLICE and closure.reference == "danh-sach-cong-an.csv"
    # Then all the rest at once (Bình), and nobody is proposed any more.
    page.post(url, {"all": "1", "left_on": "16/11/2026"})
    binh.refresh_from_db()
    assert binh.leave_reason == "armed_forces"
    assert "Không có đề xuất nào" in page.get(url).content.decode()
    assert _count(tree.commune, datetime.date(2026, 11, 14)) == 3
    assert _count(tree.commune, datetime.date(2026, 11, 16)) == 1
    # The officer's closures go to the police like any change.
    assert PoliceUpdate.objects.filter(version__kind="close").count() == 2


def test_a_closed_person_leaves_the_open_campaigns_work_list(
    tree: Tree, users: dict[str, Any], campaign: Campaign
) -> None:
    officer, police = users[Role.COMMUNE_LABOR_OFFICER], users[Role.COMMUNE_POLICE]
    an = _record(tree, officer, "038090000211", "Nguyễn Văn An")
    _list(campaign, tree.commune, "Nguyễn Văn An,12/03/1990,Nam,038090000211,Thôn 1,\n", police)
    item = WorkItem.objects.get(personal_id=an.personal_id)
    assert item.status == Status.LISTED
    close_person(
        acting_user=officer,
        person=an,
        left_on=timezone.localdate(),
        reason="abroad",
        origin=Origin(Source.OTHER, reason="Đi lao động ở Hàn Quốc 5 năm"),
    )
    item.refresh_from_db()
    assert item.status == Status.EXCLUDED
    last = item.transitions.order_by("-at", "-pk").first()
    assert last is not None and "Ra khỏi diện quản lý" in last.reason


def test_a_transfer_completes_when_the_new_communes_police_list_holds_the_person(
    tree: Tree, users: dict[str, Any]
) -> None:
    holder = users[Role.COMMUNE_LABOR_OFFICER]
    person = _record(tree, holder, "038090000221", "Phạm Văn Dũng")
    asker = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")
    police = make_user(Role.COMMUNE_POLICE, tree.other_commune, "congan-camthach")
    transfer = transfers.request_transfer(
        acting_user=asker,
        personal_id=person.personal_id,
        village=tree.other_village,
        reason="Chuyển đến ở từ tháng 11",
    )
    campaign = create_campaign(
        acting_user=asker,
        title="Thu thập ở Cẩm Thạch",
        legal_basis="",
        form_code="tt09-2025-m01",
        area=[tree.other_commune],
        reference_date=datetime.date(2026, 11, 1),
        collection_start=datetime.date(2026, 11, 1),
        collection_end=datetime.date(2026, 12, 17),
        entry_start=datetime.date(2026, 11, 10),
        entry_end=datetime.date(2026, 12, 28),
    )
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    job = _list(
        campaign,
        tree.other_commune,
        f"Phạm Văn Dũng,12/03/1990,Nam,038090000221,{tree.other_village.name},\n",
        police,
    )
    assert job.counts["transfers_completed"] == 1
    transfer.refresh_from_db()
    person.refresh_from_db()
    assert transfer.status == "accepted" and "danh sách Công an" in transfer.note
    assert person.commune == tree.other_commune and person.version == 2
    item = WorkItem.objects.get(campaign=campaign, personal_id=person.personal_id)
    assert item.person_id == person.pk
    # Both communes' figures: the old one until today, the new one from today.
    today = timezone.localdate()
    assert (_count(tree.commune, yesterday), _count(tree.other_commune, yesterday)) == (1, 0)
    assert (_count(tree.commune, today), _count(tree.other_commune, today)) == (0, 1)
    # The move reaches the new commune's police.
    update = PoliceUpdate.objects.get(version__kind="transfer_in")
    assert update.commune == tree.other_commune
