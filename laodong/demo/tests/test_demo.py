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
        assert client.login(username=login.username, password=DEMO_PASSWORD), login.username
        response = client.get(reverse("overview-home"))
        assert response.status_code == 200, login.username
        assert "Xin chào" in response.content.decode()


@pytest.mark.django_db
def test_demo_has_collected_forms_in_the_register() -> None:
    from laodong.register.models import Person

    call_command("demo", "--no-serve", stdout=io.StringIO())
    people = Person.objects.count()
    assert people >= 100
    assert Person.objects.filter(commune__code="15178").count() == people
    call_command("demo", "--no-serve", stdout=io.StringIO())
    assert Person.objects.count() == people
