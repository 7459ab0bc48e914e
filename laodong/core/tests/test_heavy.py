"""Heavy work bounded: slots shared by every request, one per request, a page when busy."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.db import connection
from django.test import override_settings
from django.urls import reverse

from laodong.accounts.models import Role
from laodong.conftest import Tree, login
from laodong.core.heavy import Busy, heavy_work
from laodong.reports.tests.factories import hand_counted

pytestmark = pytest.mark.django_db(transaction=True)
ONE_SLOT = {"LAODONG_HEAVY_QUERIES": 1, "LAODONG_HEAVY_WAIT_SECONDS": 0.3}


@contextmanager
def held_elsewhere() -> Iterator[None]:
    """The only slot held by another request (a thread with its own connection)."""
    taken, done = threading.Event(), threading.Event()

    def other_request() -> None:
        try:
            with heavy_work():
                taken.set()
                done.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_request)
    thread.start()
    assert taken.wait(10)
    try:
        yield
    finally:
        done.set()
        thread.join(10)


@override_settings(**ONE_SLOT)
def test_a_request_holds_one_slot_whatever_it_calls_inside() -> None:
    with heavy_work(), heavy_work(), heavy_work():
        pass  # nested: the same slot, no waiting for itself
    with heavy_work():
        pass  # released: taken again at once


@override_settings(**ONE_SLOT)
def test_no_more_heavy_work_at_once_than_slots() -> None:
    with held_elsewhere(), pytest.raises(Busy), heavy_work():
        pass
    with heavy_work():
        pass  # the other request finished: free again


@override_settings(LAODONG_HEAVY_QUERIES=2, LAODONG_HEAVY_WAIT_SECONDS=0.3)
def test_two_slots_let_two_requests_work() -> None:
    with held_elsewhere(), heavy_work():
        pass


@override_settings(**ONE_SLOT)
def test_a_page_whose_heavy_work_must_wait_says_so(tree: Tree, users: dict[str, Any]) -> None:
    hand_counted(tree)  # the summary has villages to catch up: the page needs heavy work
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    url = reverse("reports-view-statistics")
    with held_elsewhere():
        busy = client.get(url, {"day": "22/11/2026"})
        light = client.get(reverse("register-list-people"))
    assert busy.status_code == 503 and busy["Retry-After"] == "30"
    assert "Máy chủ đang tính các báo cáo lớn khác" in busy.content.decode()
    assert light.status_code == 200  # the light pages are served meanwhile
    assert client.get(url, {"day": "22/11/2026"}).status_code == 200
