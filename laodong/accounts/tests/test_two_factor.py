"""One-time passwords: required for administrator and province accounts, optional for others,
with recovery codes (issue 11, finding 6)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from laodong.accounts.models import Role
from laodong.audit.models import AuditEvent

LOGIN = reverse("accounts-login")
SETUP = reverse("accounts-two-factor-setup")
VERIFY = reverse("accounts-two-factor-verify")
HOME = reverse("overview-home")
PASSWORD = "Rieng-Tu-7391"

pytestmark = pytest.mark.usefixtures("required")


@pytest.fixture
def required() -> Any:
    with override_settings(LAODONG_REQUIRE_TOTP=True):
        yield


def sign_in(user: Any) -> Client:
    user.set_password(PASSWORD)
    user.save()
    client = Client()
    response = client.post(LOGIN, {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def code(device: TOTPDevice) -> str:
    """The code the phone shows now. The test neither waits after a wrong try (the device's
    throttling) nor for the next 30-second step (a code is accepted once)."""
    device.refresh_from_db()
    device.last_t = -1
    device.throttle_reset()
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():06d}"


def test_a_province_account_enrols_before_anything_else(users: dict[str, Any]) -> None:
    user = users[Role.PROVINCE_LABOR_DEPARTMENT]
    client = sign_in(user)
    assert client.get(HOME)["Location"] == SETUP
    assert client.get(reverse("register-list-people"))["Location"] == SETUP
    page = client.get(SETUP).content.decode()
    assert "<svg" in page and "Tài khoản cấp tỉnh" in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = client.post(SETUP, {"token": "000000"}).content.decode()
    assert "Mã không đúng" in wrong
    done = client.post(SETUP, {"token": code(device)}).content.decode()
    codes = re.findall(r"<code>([a-z0-9]+)</code>", done)
    assert len(codes) == 10
    assert AuditEvent.objects.filter(action="accounts.enable_two_factor").exists()
    assert client.get(HOME).status_code == 200

    # Next time: password, then the code.
    device.refresh_from_db()
    again = sign_in(user)
    response = again.get(HOME)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert "Mã không đúng" in again.post(VERIFY, {"token": "123456"}).content.decode()
    # A wrong code makes the next try wait (django-otp's throttling).
    assert "Mã không đúng" in again.post(VERIFY, {"token": "654321"}).content.decode()
    assert again.post(VERIFY, {"token": code(device), "next": HOME})["Location"] == HOME
    assert again.get(HOME).status_code == 200


def test_a_recovery_code_works_once(users: dict[str, Any]) -> None:
    user = users[Role.SYSTEM_ADMINISTRATOR]
    client = sign_in(user)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=user)
    codes = re.findall(
        r"<code>([a-z0-9]+)</code>", client.post(SETUP, {"token": code(device)}).content.decode()
    )
    first = sign_in(user)
    assert first.post(VERIFY, {"token": codes[0]}).status_code == 302
    assert first.get(HOME).status_code == 200
    second = sign_in(user)
    assert "Mã không đúng" in second.post(VERIFY, {"token": codes[0]}).content.decode()


def test_others_may_but_need_not(users: dict[str, Any]) -> None:
    client = sign_in(users[Role.ENUMERATOR])
    assert client.get(HOME).status_code == 200
    assert client.get(SETUP).status_code == 200  # they may enrol


def test_a_manager_removes_a_lost_phone(users: dict[str, Any]) -> None:
    enumerator = users[Role.ENUMERATOR]
    client = sign_in(enumerator)
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=enumerator)
    client.post(SETUP, {"token": code(device)})
    leader = Client()
    leader.force_login(users[Role.COMMUNE_LEADER])
    leader.post(reverse("accounts-remove-two-factor", args=[enumerator.pk]))
    assert not TOTPDevice.objects.filter(user=enumerator).exists()
    assert sign_in(enumerator).get(HOME).status_code == 200
