"""One person recorded in two communes: the province finds the pair, sends it to both
communes, one asks for the other's record, the holding commune agrees, and the pair is
merged (and un-merged) in one commune; or they are two people."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import TestCase
from django.urls import reverse

from laodong.accounts.models import Role, User
from laodong.conftest import Tree, login, make_user
from laodong.reconcile import actions
from laodong.reconcile.duplicates import find_duplicates
from laodong.reconcile.models import CrossPair, CrossRun, CrossStatus, NotDuplicate
from laodong.register.actions import record_person
from laodong.register.models import LeaveReason, Merge, Person, TransferRequest, TransferStatus
from laodong.register.tests.test_actions import ANSWERS

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_officer(tree: Tree) -> User:
    return make_user(Role.COMMUNE_LABOR_OFFICER, tree.other_commune, "canbo-camthach")


def _record(user: User, village: Any, confirm: tuple[str, ...] = (), **changes: Any) -> Person:
    return record_person(
        acting_user=user,
        form_code="tt09-2025-m01",
        village=village,
        answers={**ANSWERS, **changes},
        confirmed_warnings=confirm,
    )


@pytest.fixture
def two_communes(tree: Tree, users: dict[str, Any], other_officer: User) -> tuple[Person, Person]:
    """Nguyễn Văn An with his ID in Cẩm Tân, and again without it (no diacritics, with the
    current address) in Cẩm Thạch, where he works in the season; the same household code in both
    communes is no shared household."""
    home = _record(users[Role.COMMUNE_LABOR_OFFICER], tree.village)
    away = _record(
        other_officer,
        tree.other_village,
        ("id.missing",),
        full_name="Nguyen Van An",
        personal_id="",
        current_address="Thôn Đông, xã Cẩm Thạch",
    )
    return home, away


def _province_search(users: dict[str, Any], tree: Tree) -> CrossRun:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(reverse("reconcile-cross-run"))
    assert response.status_code == 302
    return CrossRun.objects.filter(province=tree.province).first()  # type: ignore[return-value]


def test_the_province_finds_the_pair_and_the_communes_settle_it(
    two_communes: tuple[Person, Person], tree: Tree, users: dict[str, Any], other_officer: User
) -> None:
    home, away = two_communes
    # Within each commune there is nothing to merge.
    assert find_duplicates(tree.commune) == [] and find_duplicates(tree.other_commune) == []
    run = _province_search(users, tree)
    assert (run.status, run.people, run.found) == ("done", 2, 1)
    pair = CrossPair.objects.get()
    assert (pair.first, pair.second, pair.status) == (home, away, CrossStatus.FOUND)
    assert "không dấu" in pair.reasons and pair.score >= 0.7

    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    page = province.get(reverse("reconcile-cross-province")).content.decode()
    assert "Nguyen Van An" in page and "Xã Cẩm Thạch" in page
    assert "038090012345" not in page  # the province department sees IDs masked
    # Before the province sends it, the communes see nothing.
    officer = login(users[Role.COMMUNE_LABOR_OFFICER])
    assert "Nguyen Van An" not in officer.get(reverse("reconcile-list-duplicates")).content.decode()
    province.post(
        reverse("reconcile-cross-province-decide", args=[pair.pk]),
        {"decision": "send", "note": "Kiểm tra giúp"},
    )
    pair.refresh_from_db()
    assert pair.status == CrossStatus.SENT and pair.sent_by == users[Role.PROVINCE_LABOR_DEPARTMENT]

    # Cẩm Tân (where he lives) sees the pair, the other record's ID masked (it has none
    # here) and its own in full, and asks for the other record.
    page = officer.get(reverse("reconcile-list-duplicates")).content.decode()
    assert "Nguyen Van An" in page and "Kiểm tra giúp" in page and "038090012345" in page
    assert "Đề nghị chuyển hồ sơ kia về xã" in page
    # Merging is refused while the records are in two communes.
    refused = officer.post(
        reverse("reconcile-cross-commune-decide", args=[pair.pk]),
        {"decision": "merge", "survivor": home.pk},
        follow=True,
    )
    assert "còn ở hai xã" in refused.content.decode()
    officer.post(reverse("reconcile-cross-commune-decide", args=[pair.pk]), {"decision": "ask"})
    transfer = TransferRequest.objects.get(person=away)
    assert (transfer.from_commune, transfer.to_commune, transfer.to_village) == (
        tree.other_commune,
        tree.commune,
        tree.village,
    )
    # Cẩm Thạch sees that Cẩm Tân asked, and agrees on the transfers page.
    other = login(other_officer)
    page = other.get(reverse("reconcile-list-duplicates")).content.decode()
    assert "đề nghị chuyển hồ sơ của xã mình sang" in page
    other.post(reverse("register-view-transfer", args=[transfer.pk]), {"step": "accept"})
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED
    away.refresh_from_db()
    assert away.commune == tree.commune
    # The pair has left Cẩm Thạch's page; Cẩm Tân merges, keeping the record with the ID.
    assert "Nguyen Van An" not in other.get(reverse("reconcile-list-duplicates")).content.decode()
    page = officer.get(reverse("reconcile-list-duplicates")).content.decode()
    assert page.count("Nguyen Van An") == 1  # only in the pair's section, not twice
    officer.post(
        reverse("reconcile-cross-commune-decide", args=[pair.pk]),
        {"decision": "merge", "survivor": home.pk, "note": "Cùng người"},
    )
    home.refresh_from_db()
    away.refresh_from_db()
    assert away.leave_reason == LeaveReason.MERGED and away.merged_into == home
    assert home.answers["current_address"] == "Thôn Đông, xã Cẩm Thạch"  # only the other had it
    pair.refresh_from_db()
    assert pair.status == CrossStatus.MERGED
    page = province.get(reverse("reconcile-cross-province") + "?tab=done").content.decode()
    assert "Đã gộp" in page
    # Un-merging gives the pair back to the commune.
    officer.post(reverse("reconcile-undo-merge", args=[Merge.objects.get().pk]))
    pair.refresh_from_db()
    away.refresh_from_db()
    assert pair.status == CrossStatus.SENT and away.leave_reason == ""
    # A new search does not propose a pair already sent.
    _province_search(users, tree)
    assert CrossPair.objects.count() == 1


def test_two_people_said_by_the_province_or_a_commune_are_never_proposed_again(
    two_communes: tuple[Person, Person], tree: Tree, users: dict[str, Any], other_officer: User
) -> None:
    _province_search(users, tree)
    pair = CrossPair.objects.get()
    province = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    province.post(reverse("reconcile-cross-province-decide", args=[pair.pk]), {"decision": "send"})
    other = login(other_officer)
    # A commune must say why.
    page = other.post(
        reverse("reconcile-cross-commune-decide", args=[pair.pk]),
        {"decision": "distinct"},
        follow=True,
    ).content.decode()
    assert "Hãy ghi vì sao là hai người" in page
    other.post(
        reverse("reconcile-cross-commune-decide", args=[pair.pk]),
        {"decision": "distinct", "note": "Hai anh em họ, khác cha mẹ"},
    )
    pair.refresh_from_db()
    assert pair.status == CrossStatus.DISTINCT and pair.note == "Hai anh em họ, khác cha mẹ"
    assert NotDuplicate.objects.filter(first=pair.first, second=pair.second).exists()
    _province_search(users, tree)
    assert CrossPair.objects.count() == 1 and CrossRun.objects.first().found == 0  # type: ignore[union-attr]
    # Said by the province before sending (no reason needed).
    NotDuplicate.objects.all().delete()
    CrossPair.objects.all().delete()
    _province_search(users, tree)
    pair = CrossPair.objects.get()
    province.post(
        reverse("reconcile-cross-province-decide", args=[pair.pk]), {"decision": "distinct"}
    )
    pair.refresh_from_db()
    assert pair.status == CrossStatus.DISTINCT
    # A pair already decided cannot be decided again.
    page = province.post(
        reverse("reconcile-cross-province-decide", args=[pair.pk]),
        {"decision": "send"},
        follow=True,
    ).content.decode()
    assert "đã được xử lý" in page


def test_a_new_search_replaces_the_undecided_proposals_and_ignores_pairs_of_one_commune(
    two_communes: tuple[Person, Person], tree: Tree, users: dict[str, Any]
) -> None:
    # Trần Thị Bình twice inside Cẩm Tân is the commune's own finder's job.
    officer = users[Role.COMMUNE_LABOR_OFFICER]
    bình = {"full_name": "Trần Thị Bình", "sex": "Nữ", "birth_date": "05/07/1985",
            "household_code": "HGD007", "relation_to_head": "2"}  # fmt: skip
    _record(officer, tree.village2, personal_id="038185001234", **bình)
    _record(officer, tree.village2, ("id.missing", "duplicate.name_birth"), personal_id="", **bình)
    assert len(find_duplicates(tree.commune)) == 1
    _province_search(users, tree)
    assert CrossPair.objects.filter(status=CrossStatus.FOUND).count() == 1
    first_run = CrossRun.objects.get()
    _province_search(users, tree)
    runs = list(CrossRun.objects.order_by("pk"))
    assert len(runs) == 2 and runs[0] == first_run
    assert set(CrossPair.objects.values_list("run_id", flat=True)) == {runs[1].pk}
    assert all(p.first.commune_id != p.second.commune_id for p in CrossPair.objects.all())


def test_one_search_at_a_time_and_a_failed_one_says_so(
    tree: Tree, users: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    province_user = users[Role.PROVINCE_LABOR_DEPARTMENT]
    from django.utils import timezone

    CrossRun.objects.create(
        province=tree.province, started_by=province_user, started_at=timezone.now()
    )
    with pytest.raises(actions.ReconcileError, match="chưa xong"):
        actions.start_cross_run(acting_user=province_user, province=tree.province)
    # A run that died with its process (hours old) no longer blocks a new one.
    CrossRun.objects.update(started_at=timezone.now() - actions.CROSS_STALE_AFTER * 2)
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = actions.start_cross_run(acting_user=province_user, province=tree.province)
    assert CrossRun.objects.get(pk=run.pk).status == "done"
    assert CrossRun.objects.exclude(pk=run.pk).get().status == "failed"

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("boom")

    monkeypatch.setattr(actions.engine, "duplicates", broken)
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = actions.start_cross_run(acting_user=province_user, province=tree.province)
    run.refresh_from_db()
    assert run.status == "failed" and "hãy chạy lại" in run.message
    page = login(province_user).get(reverse("reconcile-cross-province")).content.decode()
    assert "hãy chạy lại" in page


def test_status_polling_reloads_the_page_when_the_search_ends(
    tree: Tree, users: dict[str, Any]
) -> None:
    client = login(users[Role.PROVINCE_LABOR_DEPARTMENT])
    response = client.get(reverse("reconcile-cross-status") + "?was=busy")
    assert response.status_code == 200 and response["HX-Refresh"] == "true"
    assert "HX-Refresh" not in client.get(reverse("reconcile-cross-status"))


@pytest.mark.parametrize(
    "role",
    [
        Role.COMMUNE_LABOR_OFFICER,
        Role.COMMUNE_LEADER,
        Role.COMMUNE_POLICE,
        Role.PROVINCE_POLICE,
        Role.ENUMERATOR,
    ],
)
def test_only_the_province_labour_department_searches(
    role: str, tree: Tree, users: dict[str, Any]
) -> None:
    client = login(users[role])
    assert client.get(reverse("reconcile-cross-province")).status_code == 403
    assert client.post(reverse("reconcile-cross-run")).status_code == 403
    assert not CrossRun.objects.exists()


def test_pairs_of_another_province_or_commune_answer_404(
    two_communes: tuple[Person, Person], tree: Tree, users: dict[str, Any]
) -> None:
    _province_search(users, tree)
    pair = CrossPair.objects.get()
    elsewhere = make_user(Role.PROVINCE_LABOR_DEPARTMENT, tree.other_province, "soldhanoi")
    response = login(elsewhere).post(
        reverse("reconcile-cross-province-decide", args=[pair.pk]), {"decision": "send"}
    )
    assert response.status_code == 404
    assert (
        login(elsewhere)
        .get(reverse("reconcile-cross-province"))
        .content.decode()
        .count("Nguyen Van An")
        == 0
    )
    actions.send_cross_pair(acting_user=users[Role.PROVINCE_LABOR_DEPARTMENT], pair=pair)
    far = make_user(Role.COMMUNE_LABOR_OFFICER, tree.far_commune, "canbo-xa")
    response = login(far).post(
        reverse("reconcile-cross-commune-decide", args=[pair.pk]), {"decision": "ask"}
    )
    assert response.status_code == 404
    police = login(users[Role.COMMUNE_POLICE])
    assert (
        police.post(
            reverse("reconcile-cross-commune-decide", args=[pair.pk]), {"decision": "ask"}
        ).status_code
        == 403
    )
    assert not TransferRequest.objects.exists()
