from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.demo.data import DEMO_LOGINS, DEMO_PASSWORD
from laodong.units.models import Level, Unit


@pytest.mark.django_db
def test_demo_prepares_cam_tan_with_every_role_and_can_run_twice() -> None:
    out = io.StringIO()
    call_command("demo", "--no-serve", stdout=out)
    text = out.getvalue()
    assert "http://127.0.0.1:8000/" in text
    assert DEMO_PASSWORD in text
    commune = Unit.objects.get(level=Level.COMMUNE, code="15178")
    assert Unit.objects.filter(parent=commune, level=Level.VILLAGE).count() == 8
    assert {u.role for u in User.objects.all()} == set(Role)
    counts = (Unit.objects.count(), User.objects.count())

    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert (Unit.objects.count(), User.objects.count()) == counts

    for login in DEMO_LOGINS:
        client = Client()
        signed_in = client.post(
            reverse("accounts-login"), {"username": login.username, "password": DEMO_PASSWORD}
        )
        assert signed_in.status_code == 302, login.username
        response = client.get(reverse("overview-home"))
        assert response.status_code == 200, login.username
        assert "Xin chào" in response.content.decode()


@pytest.mark.django_db
def test_demo_has_collected_forms_in_the_register() -> None:
    from laodong.register.models import Person

    call_command("demo", "--no-serve", stdout=io.StringIO())
    from laodong.reconcile.models import CrossPair

    people = Person.objects.count()
    assert people >= 100
    # One Cẩm Tân worker was also recorded by a neighbouring commune: the province's search
    # found the pair.
    assert Person.objects.filter(commune__code="15178").count() == people - 1
    pair = CrossPair.objects.get()
    assert {pair.first.commune.code, pair.second.commune.code} - {"15178"}
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert Person.objects.count() == people and CrossPair.objects.count() == 1


@pytest.mark.django_db
def test_the_demo_story_is_dated_across_november_and_collected_by_enumerators() -> None:
    import datetime

    from django.db.models.functions import TruncDate
    from django.utils import timezone

    from laodong.campaigns.models import Campaign
    from laodong.campaigns.progress import progress_by_unit
    from laodong.collection.models import Transition, WorkItem

    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert timezone.now().__class__ is datetime.datetime  # the story's clock is put back
    days = set(
        Transition.objects.annotate(day=TruncDate("at")).values_list("day", flat=True).distinct()
    )
    assert min(days) == datetime.date(2026, 11, 6) and len(days) >= 20
    collectors = set(
        WorkItem.objects.exclude(collected_by=None).values_list("collected_by__role", flat=True)
    )
    assert collectors == {Role.ENUMERATOR}  # the village head collected nothing
    # Handover 1 on 15/11, entries on 19/11: the entry round due 10/12 has real figures.
    campaign = Campaign.objects.get()
    _rows, total = progress_by_unit(campaign, campaign.communes.get())
    assert total.counts["entered"] == 120
    assert WorkItem.objects.filter(entered_on=datetime.date(2026, 11, 19)).count() == 120
