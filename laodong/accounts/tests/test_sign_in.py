"""Sign-in: throttled and locked by account and by address, unlocked by a new temporary
password; common Vietnamese passwords refused; idle sessions end (issue 11, finding 6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client, override_settings
from django.urls import reverse

from laodong.accounts import actions
from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent

LOGIN = reverse("accounts-login")
PASSWORD = "Rieng-Tu-7391"


def attempt(client: Client, username: str, password: str, address: str = "10.0.0.1") -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.fixture
def account(users: dict[str, Any]) -> Any:
    user = users[Role.ENUMERATOR]
    user.set_password(PASSWORD)
    user.save()
    return user


def test_many_wrong_passwords_lock_the_account_even_for_the_right_one(
    account: Any, users: dict[str, Any]
) -> None:
    client = Client()
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        response = attempt(client, account.username, "sai-mat-khau")
        assert response.status_code == 200 and "Sai tên đăng nhập" in response.content.decode()
    locked = attempt(client, account.username, "sai-mat-khau")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Tạm khóa đăng nhập" in page and "sau 15 phút" in page
    # The right password now is refused too, from this address and from another.
    assert attempt(client, account.username, PASSWORD).status_code == 429
    assert attempt(Client(), account.username, PASSWORD, address="10.9.9.9").status_code == 429
    # The commune leader's new temporary password unlocks it at once.
    temporary = actions.reset_password(acting_user=users[Role.COMMUNE_LEADER], account=account)
    assert AuditEvent.objects.filter(action="accounts.reset_password").exists()
    assert attempt(Client(), account.username, temporary, address="10.9.9.9").status_code == 302


def test_one_address_trying_many_accounts_is_locked(account: Any) -> None:
    client = Client()
    for number in range(settings.AXES_FAILURE_LIMIT):
        attempt(client, f"khong-co-{number}", "sai", address="10.0.0.66")
    # Even a right password, for a real account, from that address.
    assert attempt(client, account.username, PASSWORD, address="10.0.0.66").status_code == 429
    assert attempt(Client(), account.username, PASSWORD, address="10.0.0.67").status_code == 302


def test_a_success_clears_the_count(account: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(client, account.username, "sai")
    assert attempt(client, account.username, PASSWORD).status_code == 302
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        attempt(Client(), account.username, "sai")
    assert attempt(Client(), account.username, PASSWORD).status_code == 302


@override_settings(LAODONG_PROXY_COUNT=1)
def test_behind_a_proxy_the_forwarded_address_is_the_one_locked(account: Any) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        Client().post(
            LOGIN,
            {"username": "ai-do", "password": "sai"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.9",
        )
    blocked = Client().post(
        LOGIN,
        {"username": account.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="203.0.113.9",
    )
    other = Client().post(
        LOGIN,
        {"username": account.username, "password": PASSWORD},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert (blocked.status_code, other.status_code) == (429, 302)


@pytest.mark.parametrize(
    "password",
    ["matkhau1", "Laodong1", "laodong@2026", "123456a@", "MatKhau@123", "congan123", "Abc@123"],
)
def test_common_vietnamese_passwords_are_refused(password: str) -> None:
    with pytest.raises(ValidationError, match="quá phổ biến"):
        validate_password(password)


def test_a_good_password_passes_and_temporary_ones_always_do() -> None:
    validate_password("Rieng-Tu-7391")
    for _ in range(200):
        validate_password(actions.generate_password())


def test_an_idle_session_ends(account: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    from laodong.accounts import middleware

    client = Client()
    assert attempt(client, account.username, PASSWORD).status_code == 302
    home = reverse("overview-home")
    assert client.get(home).status_code == 200
    started = middleware.time.time()
    # 29 minutes later: still signed in, and the clock restarts.
    monkeypatch.setattr(middleware.time, "time", lambda: started + 29 * 60)
    assert client.get(home).status_code == 200
    monkeypatch.setattr(middleware.time, "time", lambda: started + 58 * 60)
    assert client.get(home).status_code == 200
    # Then 31 minutes without a request: signed out, told why, sent back after signing in.
    monkeypatch.setattr(middleware.time, "time", lambda: started + 90 * 60)
    response = client.get(home)
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    page = client.get(response["Location"]).content.decode()
    assert "Phiên làm việc đã kết thúc vì không dùng quá 30 phút" in page
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE


def test_every_sign_in_is_logged_with_its_address_failed_ones_too(account: Any) -> None:
    from axes.models import AccessFailureLog, AccessLog

    attempt(Client(), account.username, "sai", address="10.1.2.3")
    attempt(Client(), account.username, PASSWORD, address="10.1.2.4")
    failed = AccessFailureLog.objects.get()
    assert (failed.username, failed.ip_address) == (account.username, "10.1.2.3")
    assert AccessLog.objects.filter(username=account.username, ip_address="10.1.2.4").exists()
