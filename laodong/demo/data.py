"""The demo commune: modelled on the Cẩm Tân plan (Thanh Hóa, December 2023, 8 villages)."""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from laodong.accounts import actions as account_actions
from laodong.accounts.models import Role, User
from laodong.campaigns.models import Campaign
from laodong.core.text import fold
from laodong.forms.samples import SampleForms
from laodong.register.actions import RegisterError, record_person
from laodong.register.models import Person
from laodong.units import actions as unit_actions
from laodong.units.models import Level, Unit

DEMO_PASSWORD = "laodong-demo-2026"  # noqa: S105 (printed by the demo on purpose)
DEMO_COMMUNE_CODE = "15178"  # Xã Cẩm Tân, Thanh Hóa, in the 2025 list
DEMO_PEOPLE = 120
VILLAGE_NAMES = [f"Thôn {number}" for number in range(1, 9)]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: Role
    unit_hint: str  # "country", "province", "commune" or a village name


DEMO_LOGINS = [
    DemoLogin("quantri", "Quản trị Hệ thống", Role.SYSTEM_ADMINISTRATOR, "country"),
    DemoLogin("sonoivu", "Trần Thị Hạnh", Role.PROVINCE_LABOR_DEPARTMENT, "province"),
    DemoLogin("congantinh", "Lê Văn Dũng", Role.PROVINCE_POLICE, "province"),
    DemoLogin("lanhdaoso", "Nguyễn Văn Thành", Role.PROVINCE_LEADER, "province"),
    DemoLogin("bonoivu", "Phan Thị Thu", Role.MINISTRY, "country"),
    DemoLogin("lanhdaoxa", "Phạm Văn Hùng", Role.COMMUNE_LEADER, "commune"),
    DemoLogin("canbolaodong", "Nguyễn Thị Lan", Role.COMMUNE_LABOR_OFFICER, "commune"),
    DemoLogin("conganxa", "Hoàng Văn Nam", Role.COMMUNE_POLICE, "commune"),
    DemoLogin("ketoan", "Đỗ Thị Mai", Role.COMMUNE_FINANCE_OFFICER, "commune"),
    DemoLogin("truongthon1", "Bùi Văn Toàn", Role.VILLAGE_HEAD, "Thôn 1"),
    DemoLogin("dieutravien1", "Vũ Thị Hoa", Role.ENUMERATOR, "Thôn 1"),
    DemoLogin("dieutravien2", "Đinh Văn Quang", Role.ENUMERATOR, "Thôn 2"),
    # A member of the commune's working group who collects on paper in Thôn 3–5.
    DemoLogin("dieutravien3", "Lường Thị Thu", Role.ENUMERATOR, "commune"),
    # The labour officer of a neighbouring commune, where one Cẩm Tân worker was also recorded.
    DemoLogin("canbolaodong2", "Hà Văn Sơn", Role.COMMUNE_LABOR_OFFICER, "neighbour"),
]


@transaction.atomic
def prepare_demo() -> list[DemoLogin]:
    """Load units, create the demo commune's villages and one account per role; idempotent."""
    unit_actions.load_current_units()
    country = unit_actions.get_country()
    commune = Unit.objects.current().get(level=Level.COMMUNE, code=DEMO_COMMUNE_CODE)
    assert commune.parent is not None
    province = commune.parent

    admin = User.objects.filter(username="quantri").first()
    if admin is None:
        admin = User.objects.create_user(
            username="quantri",
            password=DEMO_PASSWORD,
            full_name="Quản trị Hệ thống",
            role=Role.SYSTEM_ADMINISTRATOR,
            unit=country,
            must_change_password=False,
        )
    for name in VILLAGE_NAMES:
        exists = (
            Unit.objects.current().filter(parent=commune, level=Level.VILLAGE, name=name).exists()
        )
        if not exists:
            unit_actions.create_village(acting_user=admin, commune=commune, name=name)

    neighbour = _neighbour(commune)
    if not Unit.objects.current().filter(parent=neighbour, level=Level.VILLAGE).exists():
        unit_actions.create_village(acting_user=admin, commune=neighbour, name="Thôn Đông")
    targets = {"country": country, "province": province, "commune": commune, "neighbour": neighbour}
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        unit = targets.get(login.unit_hint) or Unit.objects.current().get(
            parent=commune, level=Level.VILLAGE, name=login.unit_hint
        )
        account, _password = account_actions.create_account(
            acting_user=admin,
            username=login.username,
            full_name=login.full_name,
            role=login.role,
            unit=unit,
            password=DEMO_PASSWORD,
        )
        # Demo logins skip the first-login password change so every role can be tried at once.
        account.must_change_password = False
        account.save(update_fields=["must_change_password"])
    _record_demo_people(commune)
    _living_story(commune)
    _demo_campaign(commune)
    _reconciliation_story(commune)
    _two_communes_story(commune, neighbour)
    return DEMO_LOGINS


def _neighbour(commune: Unit) -> Unit:
    """Another commune of the demo's province (the first by code)."""
    return (
        Unit.objects.current()
        .filter(parent=commune.parent, level=Level.COMMUNE)
        .exclude(pk=commune.pk)
        .order_by("code")
        .first()
    ) or commune


def _two_communes_story(commune: Unit, neighbour: Unit) -> None:
    """A Cẩm Tân worker also recorded, without ID and without diacritics, by the neighbouring
    commune where he works in the season; the province's search has found the pair, which
    waits for the province to send it to both communes."""
    from laodong.reconcile.actions import run_cross
    from laodong.reconcile.models import CrossRun

    if (
        neighbour == commune
        or commune.parent is None
        or Person.objects.filter(commune=neighbour).exists()
    ):
        return
    base = (
        Person.objects.filter(commune=commune, leave_reason="", id_kind="personal")
        .exclude(full_name="")
        .order_by("-pk")
        .first()
    )
    village = Unit.objects.current().filter(parent=neighbour, level=Level.VILLAGE).first()
    if base is None or village is None:
        return
    officer = User.objects.get(username="canbolaodong2")
    with suppress(RegisterError):
        record_person(
            acting_user=officer,
            form_code="tt09-2025-m01",
            village=village,
            answers={
                **base.answers,
                "full_name": " ".join(w.capitalize() for w in fold(base.full_name).split(" ")),
                "personal_id": "",
                "household_code": "",
                "relation_to_head": "",
                "current_address": f"{village.name}, {neighbour.label()}",
            },
            confirmed_warnings=("id.missing", "duplicate.name_birth"),
            police=False,
        )
    run = CrossRun.objects.create(
        province=commune.parent,
        started_by=User.objects.get(username="sonoivu"),
        started_at=timezone.now(),
    )
    run_cross(run.pk)


class StoryClock:
    """Runs the demo's story on the days it happened: while active, "now" is the story's
    moment (a second later at each call, so that events keep their order), never later than
    the real now. Every action then dates its rows, versions and transitions as it would have."""

    def __init__(self) -> None:
        self.moment: datetime.datetime | None = None
        self.real_now = timezone.now

    def now(self) -> datetime.datetime:
        if self.moment is None:
            return self.real_now()
        self.moment += datetime.timedelta(seconds=1)
        return min(self.moment, self.real_now())

    def on(self, day: datetime.date, hour: int = 8) -> None:
        self.moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))

    @contextmanager
    def running(self) -> Iterator[StoryClock]:
        timezone.now = self.now
        try:
            yield self
        finally:
            timezone.now = self.real_now


def _record_demo_people(commune: Unit) -> None:
    """Some collected forms, so the register pages have something to show."""
    if Person.objects.filter(commune=commune).exists():
        return
    officer = User.objects.get(username="canbolaodong")
    villages = {
        v.name: v for v in Unit.objects.current().filter(parent=commune, level=Level.VILLAGE)
    }
    samples = SampleForms(
        seed=2025,
        commune=commune.code,
        villages=sorted(villages),
        collection_date=datetime.date(2025, 11, 20),
    )
    with StoryClock().running() as clock:
        clock.on(datetime.date(2025, 11, 20))
        _record_samples(officer, villages, samples)


def _record_samples(officer: User, villages: dict[str, Unit], samples: SampleForms) -> None:
    for answers in samples.rows(DEMO_PEOPLE):
        try:
            record_person(
                acting_user=officer,
                form_code="tt09-2025-m01",
                village=villages[answers["village"]],
                answers=answers,
                confirmed_warnings=("id.missing", "duplicate.name_birth"),
                # Collected in the 2025 round and handed to the police then.
                police=False,
            )
        except RegisterError:
            # A generated person can collide with an earlier one (same name and birth date);
            # the demo simply skips them.
            continue


def _living_story(commune: Unit) -> None:
    """A year between campaigns: a death closed from the police's notice, a correction from
    the social-insurance office, a request waiting at the counter — the changes for the police
    and the requests pages have something to show."""
    from laodong.register.actions import close_person, update_person
    from laodong.register.models import ChangeRequest, Source
    from laodong.register.requests import log_request
    from laodong.register.sources import Origin

    if ChangeRequest.objects.filter(commune=commune).exists():
        return
    officer = User.objects.get(username="canbolaodong")
    people = list(
        Person.objects.filter(commune=commune, leave_reason="")
        .exclude(personal_id="")
        .order_by("pk")[:3]
    )
    if len(people) < 3:
        return
    with StoryClock().running() as clock:
        clock.on(datetime.date(2026, 3, 12))
        close_person(
            acting_user=officer,
            person=people[0],
            left_on=datetime.date(2026, 3, 8),
            reason="deceased",
            origin=Origin(
                Source.POLICE,
                reference="Thông báo 12/TB-CAX",
                reference_date=datetime.date(2026, 3, 10),
            ),
        )
        clock.on(datetime.date(2026, 6, 2))
        worker = people[1]
        if (
            worker.answers.get("activity_status") == "1"
            and worker.answers.get("employment_status") == "4"
        ):
            update_person(
                acting_user=officer,
                person=worker,
                answers={**worker.answers, "workplace_name": "Công ty TNHH May Thanh Hóa"},
                origin=Origin(
                    Source.SOCIAL_INSURANCE,
                    reference="Danh sách BHXH tháng 5/2026",
                    reference_date=datetime.date(2026, 5, 31),
                ),
                confirmed_warnings=("id.missing", "duplicate.name_birth"),
            )
        clock.on(datetime.date(2026, 11, 24))
        log_request(
            acting_user=officer,
            person=people[2],
            requester_kind="worker",
            requester_name=people[2].full_name,
            channel="in_person",
            received_on=datetime.date(2026, 11, 24),
            content="Đã có bằng trung cấp, đề nghị cập nhật trình độ",
            proposed={"qualification": "5"},
        )


def _reconciliation_story(commune: Unit) -> None:
    """Records the working group keyed by hand from paper before the police list arrived,
    without IDs and spelled the ways people write (no diacritics, "Thị" left out), and one
    person keyed twice: the reconciliation page then proposes links, the police have IDs to
    complete, and the duplicates page has a pair to merge."""
    from laodong.collection.models import WorkItem

    officer = User.objects.get(username="canbolaodong")
    story_day = datetime.date(2026, 10, 15)
    if Person.objects.filter(commune=commune, created_at__date=story_day).exists():
        return
    registered = set(
        Person.objects.filter(commune=commune)
        .exclude(personal_id="")
        .values_list("personal_id", flat=True)
    )
    listed = [
        item
        for item in WorkItem.objects.filter(
            commune=commune, in_latest_list=True, out_of_scope="", birth_year_only=False
        )
        .select_related("village")
        .order_by("pk")[:400]
        if item.personal_id not in registered
    ]
    base = Person.objects.filter(commune=commune, leave_reason="").exclude(personal_id="").first()
    if len(listed) < 4 or base is None:
        return

    def written(name: str, variation: int) -> str:
        words = name.split(" ")
        if variation == 1 and len(words) > 2 and words[1] in ("Thị", "Văn"):
            return " ".join([words[0], *words[2:]])
        return " ".join(w.capitalize() for w in fold(name).split(" "))

    with StoryClock().running() as clock:
        clock.on(story_day)
        for number, item in enumerate(listed[:3]):
            answers = {
                **base.answers,
                "full_name": written(item.full_name, number % 2),
                "birth_date": f"{item.birth_date:%d/%m/%Y}",
                "sex": item.sex or base.answers.get("sex", ""),
                "personal_id": "",
                "household_code": item.household_code,
            }
            try:
                record_person(
                    acting_user=officer,
                    form_code="tt09-2025-m01",
                    village=item.village,
                    answers=answers,
                    confirmed_warnings=("id.missing", "duplicate.name_birth", "id.sex_mismatch"),
                    police=False,
                )
            except RegisterError:
                continue
        with suppress(RegisterError):
            record_person(
                acting_user=officer,
                form_code="tt09-2025-m01",
                village=base.village,
                answers={
                    **base.answers,
                    "full_name": written(base.full_name, 0),
                    "personal_id": "",
                },
                confirmed_warnings=("id.missing", "duplicate.name_birth"),
                police=False,
            )


DEMO_CAMPAIGN_TITLE = "Thu thập, cập nhật thông tin người lao động đợt tháng 11–12/2026"
# Forms collected so far per village, as (submitted, of which accepted): villages stand at
# different stages, as in a real campaign in mid-flight.
DEMO_PROGRESS = {
    "Thôn 1": (190, 180),
    "Thôn 2": (150, 130),
    "Thôn 3": (90, 40),
    "Thôn 4": (45, 0),
    "Thôn 5": (12, 0),
}


def _demo_campaign(commune: Unit) -> None:
    """A campaign in mid-flight modelled on the Cẩm Tân plan: a police list of 2,450 people,
    villages at different stages, returned forms, one handover confirmed and one pending; each
    step dated on its day of November 2026."""
    from laodong.campaigns.models import Campaign

    if Campaign.objects.filter(title=DEMO_CAMPAIGN_TITLE).exists():
        return
    with StoryClock().running() as clock:
        _campaign_story(commune, clock)
    # Each login's reminders as `laodong notify` would leave them (cron runs it in production).
    from laodong.notices.actions import sync

    sync()


# Days of November 2026 over which each village's forms were collected (the first villages
# were quick, the last had barely started when the demo's story stops on 1 December).
COLLECTION_DAYS = {
    "Thôn 1": (6, 12),
    "Thôn 2": (7, 22),
    "Thôn 3": (10, 28),
    "Thôn 4": (15, 30),
    "Thôn 5": (25, 31),
}


def _november(day: int) -> datetime.date:
    return datetime.date(2026, 11, 1) + datetime.timedelta(days=day - 1)


def _campaign_story(commune: Unit, clock: StoryClock) -> None:
    from laodong.campaigns.actions import (
        ReportPlan,
        RoundPlan,
        create_campaign,
        set_rates,
        set_targets,
    )
    from laodong.collection import actions as collection_actions
    from laodong.collection.models import Status, WorkItem
    from laodong.collection.police_list import import_list
    from laodong.handover import actions as handover_actions

    officer = User.objects.get(username="canbolaodong")
    police = User.objects.get(username="conganxa")
    leader = User.objects.get(username="lanhdaoxa")
    villages = {
        v.name: v for v in Unit.objects.current().filter(parent=commune, level=Level.VILLAGE)
    }
    day = datetime.date
    clock.on(day(2026, 11, 2))
    campaign = create_campaign(
        acting_user=officer,
        title=DEMO_CAMPAIGN_TITLE,
        legal_basis="Kế hoạch số 215/KH-UBND ngày 02/11/2026 của UBND xã Cẩm Tân",
        form_code="tt09-2025-m01",
        area=[commune],
        reference_date=day(2026, 11, 1),
        collection_start=day(2026, 11, 5),
        collection_end=day(2026, 12, 17),
        entry_start=day(2026, 11, 10),
        entry_end=day(2026, 12, 28),
        rounds=[
            RoundPlan("collection", day(2026, 11, 20), 40),
            RoundPlan("collection", day(2026, 12, 5), 70),
            RoundPlan("collection", day(2026, 12, 17), 100),
            RoundPlan("entry", day(2026, 12, 10), 50),
            RoundPlan("entry", day(2026, 12, 28), 100),
        ],
        # Reports to the province on its calendar, and the province's own to the ministry.
        reports=[
            ReportPlan("Báo cáo kết quả thu thập đến 30/11/2026", Level.COMMUNE, day(2026, 12, 1)),
            ReportPlan("Báo cáo kết quả cả đợt", Level.COMMUNE, day(2026, 12, 30)),
            ReportPlan("Báo cáo của tỉnh gửi Bộ Nội vụ", Level.PROVINCE, day(2027, 1, 10)),
        ],
    )
    # Đồng per accepted form of each task, as the plan sets them for settlement.
    set_rates(
        acting_user=officer,
        campaign=campaign,
        rates={"collect": 12_000, "key": 4_000, "accept": 2_000, "enter": 3_000},
    )
    set_targets(
        acting_user=leader,
        campaign=campaign,
        targets={
            commune: (4083, 2450),
            **{village: (None, 350) for village in villages.values()},
        },
    )
    samples = SampleForms(
        seed=2026,
        commune=commune.code,
        villages=sorted(villages),
        collection_date=day(2026, 11, 15),
        without_id_share=0,
    )
    people = list(samples.rows(2450))
    answers_by_id = {p["personal_id"]: p for p in people}
    header = "Họ và tên,Ngày sinh,Giới tính,Số định danh cá nhân,Thôn,Mã hộ,Ghi chú\n"
    lines = []
    for number, person in enumerate(people):
        note = "Đã chuyển đi" if number % 97 == 5 else ("Đang tại ngũ" if number % 131 == 7 else "")
        sex = "Nam" if person["sex"] == "1" else "Nữ"
        lines.append(
            f"{person['full_name']},{person['birth_date']},{sex},{person['personal_id']},"
            f"{person['village']},{person['household_code']},{note}\n"
        )
    clock.on(day(2026, 11, 4))
    import_list(
        campaign=campaign,
        commune=commune,
        stream=io.BytesIO(
            ("DANH SÁCH CÔNG DÂN TỪ ĐỦ 15 TUỔI\n\n" + header + "".join(lines)).encode()
        ),
        filename="danh-sach-cong-an-xa.csv",
        acting_user=police,
    )
    clock.on(day(2026, 11, 5))
    enumerators = {
        "Thôn 1": User.objects.get(username="dieutravien1"),
        "Thôn 2": User.objects.get(username="dieutravien2"),
    }
    # Thôn 3–5 are collected on paper by a member of the working group, keyed by the officer.
    paper_collector = User.objects.get(username="dieutravien3")
    for name in VILLAGE_NAMES[:5]:
        collection_actions.assign_work(
            acting_user=officer,
            campaign=campaign,
            village=villages[name],
            enumerator=enumerators.get(name, paper_collector),
        )
    for name, (submitted, accepted) in DEMO_PROGRESS.items():
        collector = enumerators.get(name, paper_collector)
        first_day, last_day = COLLECTION_DAYS[name]
        items = list(
            WorkItem.objects.filter(
                campaign=campaign, village=villages[name], status=Status.LISTED
            ).order_by("pk")[:submitted]
        )
        for index, item in enumerate(items):
            answers = answers_by_id[item.personal_id]
            collected = _november(first_day + index * (last_day - first_day) // len(items))
            answers = {**answers, "collection_date": f"{collected:%d/%m/%Y}"}
            clock.on(collected, 8 + index % 9)
            try:
                if name in enumerators:
                    collection_actions.submit_form(
                        acting_user=collector, item=item, answers=answers
                    )
                else:
                    collection_actions.key_paper_form(
                        acting_user=officer,
                        item=item,
                        answers=answers,
                        collected_by=collector,
                        collected_on=collected,
                    )
                if index < accepted:
                    clock.on(collected + datetime.timedelta(days=2), 14)
                    collection_actions.accept_form(
                        acting_user=officer,
                        item=item,
                        confirmed_warnings=("duplicate.name_birth",),
                    )
                elif index % 9 == 0:
                    clock.on(collected + datetime.timedelta(days=1), 15)
                    collection_actions.return_form(
                        acting_user=officer,
                        item=item,
                        reason="Thiếu nơi làm việc, ghi rõ tên cơ sở",
                        comments={"workplace_name": "Ghi tên đầy đủ của nơi làm việc"},
                    )
            except collection_actions.WorkflowError:
                continue
    # Rolling handover: the first batch (Thôn 1) is confirmed and partly entered and archived;
    # the second (Thôn 2) waits for the police to confirm.
    clock.on(day(2026, 11, 15), 9)
    first_ids = WorkItem.objects.filter(
        campaign=campaign, village=villages["Thôn 1"], status=Status.ACCEPTED
    ).values_list("pk", flat=True)
    first = handover_actions.create_handover(
        acting_user=officer, campaign=campaign, commune=commune, item_ids=list(first_ids)
    )
    clock.on(day(2026, 11, 16), 10)
    handover_actions.confirm_handover(
        acting_user=police, handover=first, received_count=first.sent_count
    )
    handed = list(
        WorkItem.objects.filter(handover=first).order_by("pk").values_list("pk", flat=True)
    )
    clock.on(day(2026, 11, 19), 16)
    handover_actions.mark_entered(
        acting_user=police, item_ids=handed[:120], entered_on=day(2026, 11, 19)
    )
    handover_actions.mark_not_enterable(
        acting_user=police, item_id=handed[120], reason="Không tìm thấy số định danh trong CSDL"
    )
    clock.on(day(2026, 11, 22), 10)
    handover_actions.archive_forms(
        acting_user=officer, item_ids=handed[:60], reference="Hộp 01/2026, kệ A – UBND xã"
    )
    clock.on(day(2026, 11, 27), 9)
    handover_actions.create_handover(acting_user=officer, campaign=campaign, commune=commune)
    _report_story(campaign, clock)


def _report_story(campaign: Campaign, clock: StoryClock) -> None:
    """The commune's report up to 30/11 was made and signed off on 1/12, and the province
    returned it the next day: the officer has to correct it and send it again."""
    from laodong.reports import actions as report_actions

    day = datetime.date
    deadline = campaign.report_deadlines.order_by("due")[0]
    clock.on(day(2026, 12, 1), 9)
    report = report_actions.prepare_report(
        acting_user=User.objects.get(username="canbolaodong"),
        deadline=deadline,
        as_of=day(2026, 11, 30),
    )
    clock.on(day(2026, 12, 1), 15)
    report_actions.approve_report(acting_user=User.objects.get(username="lanhdaoxa"), report=report)
    clock.on(day(2026, 12, 2), 10)
    report_actions.return_report(
        acting_user=User.objects.get(username="sonoivu"),
        report=report,
        comment="Đề nghị xã giải trình Thôn 2 chậm tiến độ và gửi lại báo cáo.",
    )
