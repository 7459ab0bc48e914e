"""Two-step sign-in with one-time passwords (TOTP, RFC 6238) from a phone app, and recovery
codes for a lost phone. Required for the roles that see a whole province or the country,
optional for everyone else (docs/access.md "Sign-in")."""

from __future__ import annotations

from typing import Any

import segno
from django.conf import settings
from django.db import transaction
from django_otp import devices_for_user, user_has_device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from laodong.accounts.models import Role
from laodong.audit.models import record_event

REQUIRED_ROLES = frozenset(
    {Role.SYSTEM_ADMINISTRATOR, Role.PROVINCE_LABOR_DEPARTMENT, Role.PROVINCE_POLICE}
)
RECOVERY_CODES = 10


def required(user: Any) -> bool:
    return bool(settings.LAODONG_REQUIRE_TOTP) and user.role in REQUIRED_ROLES


def enrolled(user: Any) -> bool:
    return bool(user_has_device(user, confirmed=True))


def pending_device(user: Any) -> TOTPDevice:
    """The phone being enrolled: made once, kept until confirmed with a code from it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Điện thoại", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The enrolment address as an inline SVG QR code (drawn here, nothing fetched)."""
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, border=2))


def secret_text(device: TOTPDevice) -> str:
    """The key for typing into the app by hand, in groups of four."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


@transaction.atomic
def confirm(user: Any, device: TOTPDevice, token: str) -> list[str] | None:
    """Confirm the phone with a code it shows; returns new recovery codes (shown once), or
    None when the code is wrong."""
    if not device.verify_is_allowed()[0] or not device.verify_token(token.strip()):
        return None
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = new_recovery_codes(user)
    record_event(actor=user, action="accounts.enable_two_factor", target=user, unit=user.unit)
    return codes


def new_recovery_codes(user: Any) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="Mã khôi phục", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    for code in codes:
        device.token_set.create(token=code)
    return codes


def check(user: Any, token: str) -> Any:
    """The device that accepts the code (a phone's, or a recovery code, used up), or None.
    Each device counts its failures and makes the next try wait longer (django-otp)."""
    token = "".join(token.split())
    for device in devices_for_user(user, confirmed=True):
        if device.verify_is_allowed()[0] and device.verify_token(token):
            return device
    return None


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user).count()


def remove(acting_user: Any, account: Any) -> None:
    """Forget the account's phone and recovery codes (a lost phone): it enrols again."""
    TOTPDevice.objects.filter(user=account).delete()
    StaticDevice.objects.filter(user=account).delete()
    record_event(
        actor=acting_user, action="accounts.remove_two_factor", target=account, unit=account.unit
    )
