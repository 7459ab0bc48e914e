"""The progress kept by day (collection.tally) equals the count from the forms and their
transitions, for every unit and day, whatever the history: random moves at random moments
(also out of time order), police lists that add, change, exclude and drop people, an undone
list, people added outside the list, entries with their dates."""

from __future__ import annotations

import contextlib
import datetime
import io
import random
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone

from laodong.accounts.models import Role
from laodong.campaigns.models import Campaign
from laodong.campaigns.progress import counted, counted_raw
from laodong.collection import actions, tally
from laodong.collection.actions import TRANSITIONS
from laodong.collection.models import ProgressStale, ProgressTally, Status, WorkItem
from laodong.collection.police_list import ListRefused, import_list, undo_list
from laodong.collection.tests.test_police_list import ROWS, csv_file
from laodong.conftest import Tree
from laodong.forms.dates import PartialDate

DAYS = [datetime.date(2026, 11, d) for d in range(1, 31)]


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.moment = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.moment)

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> None:
        moment = datetime.datetime.combine(day, datetime.time(hour, minute))
        self.moment = timezone.make_aware(moment)


def assert_same(campaign: Campaign, tree: Tree, days: list[datetime.date]) -> None:
    for unit in (tree.province, tree.commune, tree.village, tree.village2):
        for day in [None, *days]:
            assert counted(campaign, unit, day) == counted_raw(campaign, unit, day), (unit, day)


def police_list(campaign: Campaign, tree: Tree, user: Any, *rows: str, **kwargs: Any) -> Any:
    return import_list(
        campaign=campaign,
        commune=tree.commune,
        stream=csv_file(*rows),
        filename="ds.csv",
        acting_user=user,
        **kwargs,
    )


@pytest.mark.parametrize("seed", range(8))
def test_the_tally_equals_the_raw_count_after_random_histories(
    seed: int,
    campaign: Campaign,
    tree: Tree,
    users: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rng = random.Random(seed)  # noqa: S311 (reproducible histories, not secrets)
    police, officer = users[Role.COMMUNE_POLICE], users[Role.COMMUNE_LABOR_OFFICER]
    clock = Clock(monkeypatch)
    clock.at(DAYS[0], 8)
    # Five people, two of them out of scope: their status comes without a transition.
    police_list(campaign, tree, police, *ROWS)
    for number in range(rng.randint(0, 3)):
        clock.at(rng.choice(DAYS[:10]), 10)
        by_officer = rng.random() < 0.5
        actions.add_outside_list(
            acting_user=officer if by_officer else users[Role.ENUMERATOR],
            campaign=campaign,
            village=rng.choice([tree.village, tree.village2]) if by_officer else tree.village,
            full_name=f"Người Bổ Sung {number}",
            birth_date=PartialDate(datetime.date(1990, 1, 1 + number), False),
            sex="1",
        )
    for _step in range(rng.randint(10, 40)):
        item = rng.choice(list(WorkItem.objects.order_by("pk")))
        choices = sorted(TRANSITIONS[item.status])
        if not choices:
            continue
        to = rng.choice(choices)
        # Mostly forwards in time, sometimes a moment before an earlier move.
        clock.at(rng.choice(DAYS), rng.randint(0, 23), rng.choice((0, 59)))
        fields: tuple[str, ...] = ()
        if to == Status.ENTERED:
            item.entered_on = rng.choice(DAYS)
            fields = ("entered_on",)
        actions.move_item(item, to, acting_user=officer, now=timezone.now(), fields=fields).save()
        if rng.random() < 0.2:
            assert_same(campaign, tree, rng.sample(DAYS, 3))
    if rng.random() < 0.5:
        # A later full list drops two people and changes one (flags and villages move).
        clock.at(DAYS[20], 9)
        newer = (ROWS[0].replace("Thôn 1", "Thôn 2"), ROWS[2], ROWS[3])
        police_list(campaign, tree, police, *newer, accept_risk=True)
        if rng.random() < 0.5:
            clock.at(DAYS[21], 9)
            job = campaign.list_imports.order_by("-pk").first()
            with contextlib.suppress(ListRefused):  # forms worked on since: kept as they are
                undo_list(job, police)
    assert_same(campaign, tree, DAYS)


def test_a_list_that_drops_people_and_its_undo(
    campaign: Campaign, tree: Tree, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    police = users[Role.COMMUNE_POLICE]
    clock = Clock(monkeypatch)
    clock.at(DAYS[0], 8)
    police_list(campaign, tree, police, *ROWS)
    clock.at(DAYS[5], 8)
    item = WorkItem.objects.get(personal_id="038090000001")
    actions.move_item(item, Status.EXCLUDED, acting_user=police, now=timezone.now()).save()
    assert_same(campaign, tree, DAYS[:8])
    clock.at(DAYS[10], 8)
    newer = (ROWS[1].replace("thon 2", "Thôn 1"), ROWS[2], ROWS[3])
    police_list(campaign, tree, police, *newer, accept_risk=True)
    assert WorkItem.objects.filter(in_latest_list=False).count() == 2
    assert_same(campaign, tree, DAYS[:12])
    clock.at(DAYS[11], 8)
    undo_list(campaign.list_imports.order_by("-pk").first(), police)
    assert not WorkItem.objects.filter(in_latest_list=False).exists()
    assert_same(campaign, tree, DAYS[:12])


def test_a_write_marks_its_village_and_a_reader_clears_the_mark(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    police_list(campaign, tree, users[Role.COMMUNE_POLICE], *ROWS)
    assert ProgressStale.objects.filter(village=None, commune=tree.commune).exists()
    counted(campaign, tree.commune)
    assert not ProgressStale.objects.exists()
    before = ProgressTally.objects.count()
    item = WorkItem.objects.filter(status=Status.LISTED, village=tree.village2).first()
    actions.move_item(
        item, Status.EXCLUDED, acting_user=users[Role.COMMUNE_LABOR_OFFICER], now=timezone.now()
    ).save()
    assert list(ProgressStale.objects.values_list("commune", "village")) == [
        (tree.commune.pk, tree.village2.pk)
    ]
    # A reader of another place leaves the mark; a reader of the commune or province clears it.
    counted(campaign, tree.village)
    assert ProgressStale.objects.exists()
    assert counted(campaign, tree.province)[tree.commune.pk]["excluded"] == 3
    assert not ProgressStale.objects.exists()
    assert ProgressTally.objects.count() > before


def test_the_commands_rebuild_and_check(
    campaign: Campaign, tree: Tree, users: dict[str, Any]
) -> None:
    police_list(campaign, tree, users[Role.COMMUNE_POLICE], *ROWS)
    counted(campaign, tree.commune)
    # Damage the tally behind the app's back: the check finds it, a rebuild mends it.
    ProgressTally.objects.filter(status=Status.LISTED).update(count=99)
    out = io.StringIO()
    with pytest.raises(SystemExit) as failed:
        call_command("progress", "check", stdout=out)
    assert failed.value.code == 1
    assert "Xã Cẩm Tân" in out.getvalue() and "listed" in out.getvalue()
    out = io.StringIO()
    call_command("progress", "rebuild", stdout=out)
    assert "1 kế hoạch" in out.getvalue()
    out = io.StringIO()
    call_command("progress", "check", stdout=out)
    assert "khớp" in out.getvalue()
    assert counted(campaign, tree.commune) == counted_raw(campaign, tree.commune)


def test_mark_all_makes_every_place_stale(campaign: Campaign, tree: Tree, users: Any) -> None:
    police_list(campaign, tree, users[Role.COMMUNE_POLICE], *ROWS)
    counted(campaign, tree.commune)
    assert tally.mark_all() == 1
    ProgressTally.objects.all().delete()
    assert counted(campaign, tree.commune) == counted_raw(campaign, tree.commune)
