"""Counts by criteria: the people matching them, counted in the background with progress."""

from __future__ import annotations

import datetime
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from laodong.accounts.models import Role
from laodong.conftest import Tree, login
from laodong.core.heavy import heavy_work
from laodong.register.models import PersonPeriod
from laodong.reports import custom
from laodong.reports.custom import Criteria, run_count
from laodong.reports.models import CountStatus, CustomCount
from laodong.reports.statistics import periods_on
from laodong.reports.tests.factories import DAY, hand_counted, make_person


def age_on(birth: datetime.date, day: datetime.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def matches(period: PersonPeriod, criteria: Criteria, day: datetime.date) -> bool:
    """The criteria checked on one period in Python: the reference for the count's SQL."""
    age = age_on(period.birth_date, day)
    if criteria.age_from is not None and age < criteria.age_from:
        return False
    if criteria.age_to is not None and age > criteria.age_to:
        return False
    for key, values in criteria.codes.items():
        if key == "priority":
            if not any(getattr(period, custom.PRIORITY_FLAGS[group]) for group in values):
                return False
        elif getattr(period, key) not in values:
            return False
    return True


def run(tree: Tree, unit: Any, criteria: Criteria, day: datetime.date = DAY) -> CustomCount:
    count = CustomCount.objects.create(
        created_by=make_owner(tree), unit=unit, as_of=day, criteria=criteria.as_data()
    )
    return run_count(count.pk)


def make_owner(tree: Tree) -> Any:
    from laodong.conftest import make_user

    return make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.province, f"owner{time.monotonic_ns()}")


def by_label(count: CustomCount) -> dict[str, list[int]]:
    return {label: values for _pk, label, *values in count.result["rows"]}


def test_hand_counted_people_by_commune_and_by_village(tree: Tree) -> None:
    hand_counted(tree)
    # The unemployed or inactive aged 55 and over, in a poor household or disabled.
    criteria = Criteria(age_from=55, codes={"activity_status": (2, 3), "priority": (1, 2)})
    province = run(tree, tree.province, criteria)
    assert province.status == CountStatus.DONE
    assert province.parts_done == province.parts_total == 2
    # Only the jobseeker (60 on DAY, unemployed, poor and disabled); the retiree is in neither.
    assert by_label(province) == {
        tree.commune.label(): [1, 0, 0, 0, 0, 0, 0, 1],
        tree.other_commune.label(): [0] * 8,
    }
    # Either group counts: the worker (ethnic minority) and the jobseeker (disabled).
    either = run(tree, tree.province, Criteria(codes={"priority": (1, 6)}))
    assert by_label(either)[tree.commune.label()][0] == 2
    # Up to 59 on DAY: the farmer (59 until tomorrow), not the jobseeker (60 on DAY).
    up_to_59 = run(tree, tree.commune, Criteria(age_from=59, age_to=59))
    assert by_label(up_to_59)[tree.village2.label()][:2] == [1, 1]
    # The women aged 15 to 24 on DAY (the pupil turns 15 on DAY itself; the child the day after).
    young_women = run(tree, tree.commune, Criteria(age_to=24, codes={"sex": (2,)}))
    assert by_label(young_women) == {
        tree.village.label(): [1, 1, 1, 0, 0, 0, 0, 0],
        tree.village2.label(): [0] * 8,
    }
    village = run(tree, tree.village, Criteria())
    assert list(by_label(village)) == [tree.village.label()]
    # Everyone in the register of Thôn 1 on DAY: worker, pupil, retiree (not the child, not
    # the newcomer recorded the day after).
    assert by_label(village)[tree.village.label()][0] == 3
    # A country's rows are its provinces.
    country = run(tree, tree.country, Criteria(codes={"activity_status": (1,)}))
    assert by_label(country)[tree.province.label()][0] == 4  # worker, farmer, helper, official
    assert by_label(country)[tree.other_province.label()][0] == 0


criteria_strategy = st.builds(
    Criteria,
    age_from=st.one_of(st.none(), st.integers(15, 70)),
    age_to=st.one_of(st.none(), st.integers(15, 80)),
    codes=st.dictionaries(
        st.sampled_from([item.key for item in custom.ITEMS]),
        st.sets(st.integers(1, 9), min_size=1, max_size=3).map(lambda s: tuple(sorted(s))),
        max_size=3,
    )
    .map(
        lambda codes: {
            key: tuple(v for v in values if v in dict(custom.choices_of(custom.ITEMS_BY_KEY[key])))
            for key, values in codes.items()
        }
    )
    .map(lambda codes: {key: values for key, values in codes.items() if values}),
)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(criteria=criteria_strategy, day=st.sampled_from([DAY, datetime.date(2026, 3, 1)]))
def test_random_criteria_count_what_a_check_of_every_period_counts(
    tree: Tree, criteria: Criteria, day: datetime.date
) -> None:
    if not CustomCount.objects.exists() and not PersonPeriod.objects.exists():
        hand_counted(tree)
    people = [p for p in PersonPeriod.objects.filter(periods_on(day)) if matches(p, criteria, day)]
    for unit, column in ((tree.province, "commune_id"), (tree.commune, "village_id")):
        counted = {}
        for commune in custom.parts_of(unit):
            counted.update(custom.count_part(unit, commune, criteria, day))
        expected: dict[int, list[int]] = {}
        for period in people:
            if unit == tree.commune and period.commune_id != tree.commune.pk:
                continue
            place = getattr(period, column)
            row = expected.setdefault(place, [0] * 8)
            row[0] += 1
            row[1] += period.sex == 2
            age = age_on(period.birth_date, day)
            for index, (low, high) in enumerate(custom.AGE_GROUPS):
                row[2 + index] += low <= age and (high is None or age <= high)
        assert counted == expected, criteria


def test_the_criteria_in_words() -> None:
    lines = Criteria(age_from=18, age_to=35, codes={"activity_status": (2,), "priority": (2, 3)})
    assert lines.lines() == [
        ("Độ tuổi", "Từ 18 đến 35 tuổi"),
        ("Tình trạng hoạt động kinh tế", "Người thất nghiệp"),
        ("Thuộc đối tượng ưu tiên (một trong)", "Thuộc hộ nghèo; Thuộc hộ cận nghèo"),
    ]
    assert Criteria(age_from=60).lines() == [("Độ tuổi", "Từ 60 tuổi trở lên")]
    assert Criteria.from_data(lines.as_data()) == lines


def test_the_page_queues_the_count_then_shows_its_table_and_files(
    tree: Tree, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    hand_counted(tree)
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    url = reverse("reports-custom-counts")
    page = client.get(url)
    assert page.status_code == 200
    assert "Trình độ chuyên môn kỹ thuật" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            {"day": "22/11/2026", "age_from": "18", "age_to": "65", "activity_status": ["1"]},
        )
    count = CustomCount.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports-view-custom-count", args=[count.pk])
    assert count.status == CountStatus.DONE and count.as_of == DAY
    shown = client.get(response["Location"]).content.decode()
    assert "Từ 18 đến 65 tuổi" in shown
    assert tree.commune.label() in shown
    # The other commune has nobody employed aged 18 to 65 but the official (36): shown.
    assert tree.other_commune.label() in shown
    with django_capture_on_commit_callbacks(execute=True):
        nobody = client.post(url, {"day": "22/11/2026", "age_from": "30", "activity_status": ["2"]})
    hidden = client.get(nobody["Location"]).content.decode()
    assert "1 đơn vị không có ai được ẩn" in hidden
    assert tree.other_commune.label() not in hidden
    assert (
        tree.other_commune.label() in client.get(nobody["Location"], {"all": "1"}).content.decode()
    )
    assert "Tải Excel" in shown
    for output_format in ("xlsx", "pdf"):
        download = client.get(
            reverse("reports-download-custom-count", args=[count.pk, output_format])
        )
        assert download.status_code == 200
        assert download["Content-Disposition"].startswith('attachment; filename="tieu-chi-')
    progress = client.get(reverse("reports-custom-count-progress", args=[count.pk]))
    assert progress["HX-Refresh"] == "true"
    listed = client.get(url).content.decode()
    assert "Đã xong" in listed and "Người có việc làm" in listed


def test_wrong_input_is_explained_and_nothing_is_queued(tree: Tree, users: dict[str, Any]) -> None:
    client = login(users[Role.COMMUNE_LABOR_OFFICER])
    url = reverse("reports-custom-counts")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    cases = [
        ({"age_from": "40", "age_to": "30"}, "“Đến tuổi” phải lớn hơn hoặc bằng “Từ tuổi”."),
        ({"age_from": "12"}, "Từ tuổi"),
        ({"day": "31/02/2026"}, "Ngày “31/02/2026” không đúng"),
        ({"day": f"{tomorrow:%d/%m/%Y}"}, "Chưa có số liệu của ngày tương lai"),
        ({"activity_status": ["7"]}, "Tình trạng hoạt động kinh tế"),
    ]
    for data, message in cases:
        page = client.post(url, data)
        assert page.status_code == 200
        assert message in page.content.decode(), data
    assert not CustomCount.objects.exists()


def test_who_may_count_and_see_which_counts(tree: Tree, users: dict[str, Any]) -> None:
    url = reverse("reports-custom-counts")
    assert login(users[Role.ENUMERATOR]).get(url).status_code == 403
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    # Another unit than one's own or below it: not found.
    assert officer.get(url, {"unit": tree.other_commune.pk}).status_code == 404
    assert officer.post(url, {"unit": tree.province.pk}).status_code == 404
    province_count = run(tree, tree.province, Criteria())
    commune_count = run(tree, tree.commune, Criteria())
    for name in ("reports-view-custom-count", "reports-custom-count-progress"):
        assert officer.get(reverse(name, args=[province_count.pk])).status_code == 404
        assert officer.get(reverse(name, args=[commune_count.pk])).status_code == 200
    xlsx = reverse("reports-download-custom-count", args=[province_count.pk, "xlsx"])
    assert officer.get(xlsx).status_code == 404
    assert (
        login(users[Role.ENUMERATOR])
        .get(reverse("reports-view-custom-count", args=[commune_count.pk]))
        .status_code
        == 403
    )
    # The province sees both; no file of a count not yet done, no unknown format.
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    assert (
        province.get(reverse("reports-view-custom-count", args=[commune_count.pk])).status_code
        == 200
    )
    waiting = CustomCount.objects.create(
        created_by=users[Role.PROVINCE_LABOR_DEPARTMENT],
        unit=tree.province,
        as_of=DAY,
        criteria={},
    )
    assert (
        province.get(
            reverse("reports-download-custom-count", args=[waiting.pk, "xlsx"])
        ).status_code
        == 404
    )
    assert (
        province.get(
            reverse("reports-download-custom-count", args=[province_count.pk, "exe"])
        ).status_code
        == 404
    )


def test_a_user_waits_for_three_counts_before_a_fourth(tree: Tree, users: dict[str, Any]) -> None:
    user = users[Role.COMMUNE_LABOR_OFFICER]
    for _ in range(3):
        CustomCount.objects.create(created_by=user, unit=tree.commune, as_of=DAY, criteria={})
    page = login(user).post(reverse("reports-custom-counts"), {"day": "22/11/2026"})
    assert "Bạn đang có 3 lượt đếm chưa xong" in page.content.decode()
    assert CustomCount.objects.count() == 3


def test_a_count_stopped_by_a_restart_is_shown_and_run_again(
    tree: Tree, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    hand_counted(tree)
    user = users[Role.COMMUNE_LABOR_OFFICER]
    count = CustomCount.objects.create(
        created_by=user,
        unit=tree.commune,
        as_of=DAY,
        criteria={},
        status=CountStatus.RUNNING,
        parts_total=1,
        heartbeat_at=timezone.now() - datetime.timedelta(minutes=5),
    )
    client = login(user)
    page = client.get(reverse("reports-view-custom-count", args=[count.pk])).content.decode()
    assert "Việc đếm đã dừng (máy chủ khởi động lại)" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports-view-custom-count", args=[count.pk]), {"step": "restart"})
    count.refresh_from_db()
    assert count.status == CountStatus.DONE
    assert sum(row[2] for row in count.result["rows"]) == 6  # everyone of the commune on DAY


def test_a_count_queued_when_the_server_stopped_is_shown_and_run_again(
    tree: Tree, users: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    user = users[Role.COMMUNE_LABOR_OFFICER]
    count = CustomCount.objects.create(created_by=user, unit=tree.commune, as_of=DAY, criteria={})
    CustomCount.objects.filter(pk=count.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=5)
    )
    client = login(user)
    url = reverse("reports-view-custom-count", args=[count.pk])
    assert "Việc đếm đã dừng" in client.get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"step": "restart"})
    count.refresh_from_db()
    assert count.status == CountStatus.DONE
    # A count still going (queued a moment ago) is not started twice.
    fresh = CustomCount.objects.create(created_by=user, unit=tree.commune, as_of=DAY, criteria={})
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("reports-view-custom-count", args=[fresh.pk]), {"step": "restart"})
    fresh.refresh_from_db()
    assert fresh.status == CountStatus.QUEUED


def test_a_count_that_fails_says_so_without_figures(tree: Tree) -> None:
    # Criteria the form could never give (a priority group that does not exist).
    count = run(tree, tree.commune, Criteria.from_data({"codes": {"priority": [9]}}))
    assert count.status == CountStatus.FAILED
    assert count.message == "Không đếm được do lỗi của hệ thống. Hãy thử lại sau."
    assert count.result == {}


def test_the_list_of_counts_takes_the_same_queries_for_one_or_ten(
    tree: Tree, users: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    user = users[Role.COMMUNE_LABOR_OFFICER]
    client = login(user)
    url = reverse("reports-custom-counts")
    CustomCount.objects.create(created_by=user, unit=tree.commune, as_of=DAY, criteria={})
    client.get(url)
    with django_assert_max_num_queries(8) as one:
        client.get(url)
    for _ in range(9):
        CustomCount.objects.create(
            created_by=user, unit=tree.village, as_of=DAY, criteria={"age_from": 20}
        )
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(url)


@pytest.mark.django_db(transaction=True)
@override_settings(LAODONG_HEAVY_QUERIES=1, LAODONG_HEAVY_WAIT_SECONDS=0.1)
def test_a_count_waits_for_a_slot_of_heavy_work_however_long(tree: Tree) -> None:
    hand_counted(tree)
    count = CustomCount.objects.create(
        created_by=make_owner(tree), unit=tree.province, as_of=DAY, criteria={}
    )
    taken, release = threading.Event(), threading.Event()

    def other_report() -> None:
        try:
            with heavy_work():
                taken.set()
                release.wait(10)
        finally:
            connection.close()

    holder = threading.Thread(target=other_report)
    holder.start()
    assert taken.wait(10)
    threading.Timer(0.5, release.set).start()  # longer than a request would wait
    done = run_count(count.pk)
    holder.join(10)
    assert done.status == CountStatus.DONE
    assert sum(row[2] for row in done.result["rows"]) == 7  # everyone of the province


def test_the_reports_page_links_to_the_counts(tree: Tree, users: dict[str, Any]) -> None:
    page = login(users[Role.COMMUNE_LEADER]).get(reverse("reports-index")).content.decode()
    assert reverse("reports-custom-counts") in page


def test_ages_in_full_years_as_the_statistics_count_them(tree: Tree) -> None:
    # Born on 29 February 2008: 18 on 1 March 2026, not on 28 February.
    make_person(tree.village, datetime.date(2008, 2, 29), {"sex": 2, "activity_status": 3})
    for day, people in ((datetime.date(2026, 2, 28), 0), (datetime.date(2026, 3, 1), 1)):
        count = run(tree, tree.village, Criteria(age_from=18, age_to=18), day)
        assert by_label(count)[tree.village.label()][0] == people, day
