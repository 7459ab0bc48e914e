"""The phone's two calls: download and sync — scope and role, each form once, every conflict
kept aside and decided, errors found at sync, revoked devices."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.campaigns.models import Campaign
from laodong.collection import actions as collection_actions
from laodong.collection.models import Status, Transition, WorkItem
from laodong.collection.tests.test_workflow import BINH
from laodong.conftest import Tree, login, make_user
from laodong.offline.models import Device, Outcome, SyncedForm
from laodong.register.tests.test_actions import ANSWERS

DEVICE = str(uuid.UUID(int=1))


def call(client: Client, name: str, **data: Any) -> Any:
    return client.post(
        reverse(name), json.dumps({"device": DEVICE, **data}), content_type="application/json"
    )


def entry(person: dict[str, Any], answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client_id": str(uuid.uuid4()),
        "item": person["id"],
        "answers": answers,
        "base_status": person["status"],
        "base_token": person["token"],
        "filled_at": "2026-11-20T09:15:00+07:00",
        **extra,
    }


@pytest.fixture
def phone(users: dict[str, User], items: dict[str, WorkItem]) -> Client:
    return login(users[Role.ENUMERATOR])


def download(client: Client) -> dict[str, Any]:
    response = call(client, "offline-download", counts={"waiting": 0, "drafts": 0})
    assert response.status_code == 200, response.content
    return {p["full_name"]: p for p in response.json()["people"]} | {"_": response.json()}


def test_the_download_holds_the_assigned_people_and_the_form(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
    tree: Tree,
) -> None:
    people = download(phone)
    pack = people.pop("_")
    # The enumerator of Thôn 1 has its two people; Cường lives in Thôn 2.
    assert sorted(people) == ["Lê Thị Bình", "Nguyễn Văn An"]
    an = people["Nguyễn Văn An"]
    assert an["answers"]["full_name"] == "Nguyễn Văn An" and an["status"] == Status.LISTED
    assert set(pack["forms"]) == {"tt09-2025-m01"}
    assert pack["forms"]["tt09-2025-m01"]["rules"]["rules"]
    assert pack["wipe_after_days"] == 14
    device = Device.objects.get(pk=DEVICE)
    assert device.user == users[Role.ENUMERATOR] and device.people == 2


@pytest.mark.parametrize(
    ("role", "status"), [(Role.COMMUNE_POLICE, 403), (Role.COMMUNE_FINANCE_OFFICER, 403)]
)
def test_roles_without_collection_are_refused(
    users: dict[str, User],
    items: Any,
    role: str,
    status: int,
) -> None:
    assert call(login(users[role]), "offline-download").status_code == status


def test_signed_out_gets_json_401(items: Any) -> None:
    response = call(Client(), "offline-download")
    assert response.status_code == 401 and "đăng nhập" in response.json()["error"]


def test_a_form_synced_twice_is_stored_once(
    phone: Client,
    items: dict[str, WorkItem],
) -> None:
    an = download(phone)["Nguyễn Văn An"]
    form = entry(an, ANSWERS)
    first = call(phone, "offline-sync", outbox=[form], counts={"waiting": 1}).json()
    assert [r["outcome"] for r in first["results"]] == [Outcome.SUBMITTED]
    # The answer was lost on the way: the phone sends the same form again.
    again = call(phone, "offline-sync", outbox=[form]).json()
    assert again["results"] == first["results"]
    item = WorkItem.objects.get(pk=an["id"])
    assert item.status == Status.SUBMITTED and item.collected_by.role == Role.ENUMERATOR
    assert Transition.objects.filter(work_item=item, to_status=Status.SUBMITTED).count() == 1
    assert SyncedForm.objects.count() == 1
    # The refreshed list no longer holds the submitted person.
    assert [p["full_name"] for p in again["pack"]["people"]] == ["Lê Thị Bình"]
    assert Device.objects.get(pk=DEVICE).synced_at is not None


def test_errors_found_at_sync_come_back_with_their_findings(
    phone: Client,
    items: dict[str, WorkItem],
) -> None:
    binh = download(phone)["Lê Thị Bình"]
    wrong = {**BINH, "birth_date": "31/02/1992"}
    result = call(phone, "offline-sync", outbox=[entry(binh, wrong)]).json()["results"][0]
    assert result["outcome"] == Outcome.REFUSED
    assert "lỗi" in result["message"]
    assert "date.invalid" in {f["rule"] for f in result["findings"]}
    assert WorkItem.objects.get(pk=binh["id"]).status == Status.LISTED


def test_a_person_never_given_to_the_enumerator_is_not_found(
    phone: Client,
    items: dict[str, WorkItem],
) -> None:
    people = download(phone)
    cuong = items["Cường"]
    stranger = {"id": cuong.pk, "status": Status.LISTED, "token": ""}
    mine = entry(people["Nguyễn Văn An"], ANSWERS)
    response = call(phone, "offline-sync", outbox=[mine, entry(stranger, ANSWERS)])
    assert response.status_code == 404
    # Nothing of the request was written.
    assert not SyncedForm.objects.exists()
    assert WorkItem.objects.get(pk=people["Nguyễn Văn An"]["id"]).status == Status.LISTED


def test_malformed_outboxes_say_which_form(phone: Client, items: Any) -> None:
    download(phone)
    response = call(phone, "offline-sync", outbox=[{"item": "x"}])
    assert response.status_code == 400
    assert response.json()["error"] == "Phiếu thứ 1 gửi lên không đúng dạng."
    bad = phone.post(reverse("offline-sync"), "{", content_type="application/json")
    assert bad.status_code == 400


def test_another_accounts_device_is_refused(
    phone: Client,
    tree: Tree,
    items: Any,
) -> None:
    download(phone)
    other = login(make_user(Role.ENUMERATOR, tree.village2, "dtv-2"))
    response = call(other, "offline-download")
    assert response.status_code == 400 and "tài khoản khác" in response.json()["error"]


def conflict_of(phone: Client, person: dict[str, Any], answers: dict[str, Any]) -> Any:
    result = call(phone, "offline-sync", outbox=[entry(person, answers)]).json()["results"][0]
    assert result["outcome"] == Outcome.CONFLICT, result
    return result


def test_a_person_given_to_someone_else_meanwhile_is_a_conflict(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
    campaign: Campaign,
    tree: Tree,
) -> None:
    an = download(phone)["Nguyễn Văn An"]
    collection_actions.assign_work(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        campaign=campaign,
        village=tree.village,
        enumerator=make_user(Role.ENUMERATOR, tree.village, "dtv-moi"),
    )
    assert conflict_of(phone, an, ANSWERS)["reason"] == "reassigned"
    item = WorkItem.objects.get(pk=an["id"])
    assert item.status == Status.LISTED and item.answers == {}
    kept = SyncedForm.objects.get()
    assert kept.answers == ANSWERS and kept.decided_at is None


def test_an_excluded_person_is_a_conflict(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
) -> None:
    an = download(phone)["Nguyễn Văn An"]
    collection_actions.exclude_person(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], item=items["An"], reason="Đã chuyển đi"
    )
    assert conflict_of(phone, an, ANSWERS)["reason"] == "excluded"


def test_a_form_changed_on_the_server_since_the_download_is_a_conflict(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
) -> None:
    """The officer returns a form while the phone holds a newer version of it."""
    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    collection_actions.submit_form(acting_user=enumerator, item=items["An"], answers=ANSWERS)
    collection_actions.return_form(
        acting_user=officer, item=WorkItem.objects.get(pk=items["An"].pk), reason="Sai nghề"
    )
    an = download(phone)["Nguyễn Văn An"]
    assert an["status"] == Status.RETURNED and an["return_reason"] == "Sai nghề"
    # The officer edits the returned form on the server meanwhile (keys a correction).
    collection_actions.save_form_draft(
        acting_user=officer,
        item=WorkItem.objects.get(pk=an["id"]),
        answers={**ANSWERS, "job_description": "Thợ may"},
    )
    newer = {**ANSWERS, "job_description": "Công nhân may công nghiệp"}
    assert conflict_of(phone, an, newer)["reason"] == "changed"
    synced = SyncedForm.objects.get()
    # Both versions are shown to the enumerator and to the officer.
    for user in (enumerator, officer):
        page = login(user).get(reverse("offline-view-conflict", args=[synced.pk]))
        text = page.content.decode()
        assert page.status_code == 200
        assert "Thợ may" in text and "Công nhân may công nghiệp" in text
    # The officer decides for the phone's version: it goes in, credited to the enumerator.
    response = login(officer).post(
        reverse("offline-decide-conflict", args=[synced.pk]), {"keep": "phone"}
    )
    assert response.status_code == 302
    item = WorkItem.objects.get(pk=an["id"])
    assert item.status == Status.SUBMITTED
    assert item.answers["job_description"] == "Công nhân may công nghiệp"
    assert item.collected_by == enumerator
    synced.refresh_from_db()
    assert (synced.decision, synced.decided_by) == ("phone", officer)


def test_keeping_the_servers_version_keeps_the_phones_on_record(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
) -> None:
    an = download(phone)["Nguyễn Văn An"]
    collection_actions.exclude_person(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], item=items["An"], reason="Đã chuyển đi"
    )
    conflict_of(phone, an, ANSWERS)
    synced = SyncedForm.objects.get()
    listed = phone.get(reverse("offline-list-conflicts")).content.decode()
    assert "Nguyễn Văn An" in listed
    # The phone's version cannot go in while the person is excluded.
    refused = phone.post(reverse("offline-decide-conflict", args=[synced.pk]), {"keep": "phone"})
    assert refused.status_code == 302
    synced.refresh_from_db()
    assert synced.decided_at is None
    phone.post(reverse("offline-decide-conflict", args=[synced.pk]), {"keep": "server"})
    synced.refresh_from_db()
    assert synced.decision == "server" and synced.answers == ANSWERS
    assert WorkItem.objects.get(pk=an["id"]).status == Status.EXCLUDED


def test_conflicts_are_seen_only_by_their_enumerator_and_the_communes_officers(
    phone: Client,
    users: dict[str, User],
    items: dict[str, WorkItem],
    tree: Tree,
) -> None:
    an = download(phone)["Nguyễn Văn An"]
    collection_actions.exclude_person(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER], item=items["An"], reason="x"
    )
    conflict_of(phone, an, ANSWERS)
    synced = SyncedForm.objects.get()
    url = reverse("offline-view-conflict", args=[synced.pk])
    other_enumerator = make_user(Role.ENUMERATOR, tree.village, "dtv-khac")
    other_officer = make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "cb-khac")
    assert login(other_enumerator).get(url).status_code == 404
    assert login(other_officer).get(url).status_code == 404
    decide = reverse("offline-decide-conflict", args=[synced.pk])
    assert login(other_officer).post(decide, {"keep": "server"}).status_code == 404
    assert login(users[Role.COMMUNE_POLICE]).get(url).status_code == 403


def test_the_officer_sees_the_phones_and_revokes_one(
    phone: Client,
    users: dict[str, User],
    items: Any,
    tree: Tree,
) -> None:
    download(phone)
    call(phone, "offline-sync", outbox=[], counts={"waiting": 3, "drafts": 1})
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    page = officer.get(reverse("offline-list-devices")).content.decode()
    assert users[Role.ENUMERATOR].full_name in page and "1 nháp" in page
    device = Device.objects.get()
    assert device.waiting == 3
    revoke = reverse("offline-revoke-device", args=[device.pk])
    stranger = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "cb-khac"))
    assert stranger.post(revoke).status_code == 404
    assert login(users[Role.ENUMERATOR]).post(revoke).status_code == 403
    session_key = phone.session.session_key
    assert officer.post(revoke).status_code == 302
    device.refresh_from_db()
    assert device.revoked_at is not None
    # The phone's session is over; signing in again, the device is told to clear its data.
    assert not Session.objects.filter(session_key=session_key).exists()
    again = call(login(users[Role.ENUMERATOR]), "offline-download")
    assert again.status_code == 410 and again.json()["revoked"] is True


def test_a_conflict_is_a_reminder_for_the_enumerator_and_the_officers_until_decided(
    phone: Client, users: dict[str, User], items: dict[str, WorkItem]
) -> None:
    from laodong.notices import actions as notice_actions
    from laodong.notices.models import Notice, NoticeKind

    enumerator, officer = users[Role.ENUMERATOR], users[Role.COMMUNE_LABOR_OFFICER]
    an = download(phone)["Nguyễn Văn An"]
    collection_actions.exclude_person(acting_user=officer, item=items["An"], reason="x")
    conflict_of(phone, an, ANSWERS)
    notice_actions.sync()

    def open_for(user: User) -> list[str]:
        return list(
            Notice.objects.filter(
                user=user, kind=NoticeKind.SYNC_CONFLICTS, cleared_at__isnull=True
            ).values_list("text", flat=True)
        )

    assert open_for(enumerator) == ["1 phiếu xung đột khi đồng bộ chờ quyết định"]
    assert open_for(officer) == ["1 phiếu xung đột khi đồng bộ chờ quyết định"]
    assert open_for(users[Role.COMMUNE_POLICE]) == []
    phone.post(
        reverse("offline-decide-conflict", args=[SyncedForm.objects.get().pk]), {"keep": "server"}
    )
    notice_actions.sync()
    assert open_for(enumerator) == [] and open_for(officer) == []
