"""The demo commune: modelled on the Cẩm Tân plan (Thanh Hóa, December 2023, 8 villages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from laodong.accounts import actions as account_actions
from laodong.accounts.models import Role, User
from laodong.forms.samples import SampleForms
from laodong.register.actions import RegisterError, record_person
from laodong.register.models import Person
from laodong.units import actions as unit_actions
from laodong.units.models import Level, Unit

DEMO_PASSWORD = "laodong-demo-2026"  # noqa: S105 (printed by the demo on purpose)
DEMO_COMMUNE_CODE = "15178"  # Xã Cẩm Tân, Thanh Hóa, in the 2025 list
DEMO_PEOPLE = 120
VILLAGE_NAMES = [f"Thôn {number}" for number in range(1, 9)]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: Role
    unit_hint: str  # "country", "province", "commune" or a village name


DEMO_LOGINS = [
    DemoLogin("quantri", "Quản trị Hệ thống", Role.SYSTEM_ADMINISTRATOR, "country"),
    DemoLogin("sonoivu", "Trần Thị Hạnh", Role.PROVINCE_LABOR_DEPARTMENT, "province"),
    DemoLogin("congantinh", "Lê Văn Dũng", Role.PROVINCE_POLICE, "province"),
    DemoLogin("lanhdaoxa", "Phạm Văn Hùng", Role.COMMUNE_LEADER, "commune"),
    DemoLogin("canbolaodong", "Nguyễn Thị Lan", Role.COMMUNE_LABOR_OFFICER, "commune"),
    DemoLogin("conganxa", "Hoàng Văn Nam", Role.COMMUNE_POLICE, "commune"),
    DemoLogin("ketoan", "Đỗ Thị Mai", Role.COMMUNE_FINANCE_OFFICER, "commune"),
    DemoLogin("truongthon1", "Bùi Văn Toàn", Role.VILLAGE_HEAD, "Thôn 1"),
    DemoLogin("dieutravien1", "Vũ Thị Hoa", Role.ENUMERATOR, "Thôn 1"),
    DemoLogin("dieutravien2", "Đinh Văn Quang", Role.ENUMERATOR, "Thôn 2"),
]


@transaction.atomic
def prepare_demo() -> list[DemoLogin]:
    """Load units, create the demo commune's villages and one account per role; idempotent."""
    unit_actions.load_current_units()
    country = unit_actions.get_country()
    commune = Unit.objects.current().get(level=Level.COMMUNE, code=DEMO_COMMUNE_CODE)
    assert commune.parent is not None
    province = commune.parent

    admin = User.objects.filter(username="quantri").first()
    if admin is None:
        admin = User.objects.create_user(
            username="quantri",
            password=DEMO_PASSWORD,
            full_name="Quản trị Hệ thống",
            role=Role.SYSTEM_ADMINISTRATOR,
            unit=country,
            must_change_password=False,
        )
    for name in VILLAGE_NAMES:
        exists = (
            Unit.objects.current().filter(parent=commune, level=Level.VILLAGE, name=name).exists()
        )
        if not exists:
            unit_actions.create_village(acting_user=admin, commune=commune, name=name)

    targets = {"country": country, "province": province, "commune": commune}
    for login in DEMO_LOGINS:
        if User.objects.filter(username=login.username).exists():
            continue
        unit = targets.get(login.unit_hint) or Unit.objects.current().get(
            parent=commune, level=Level.VILLAGE, name=login.unit_hint
        )
        account, _password = account_actions.create_account(
            acting_user=admin,
            username=login.username,
            full_name=login.full_name,
            role=login.role,
            unit=unit,
            password=DEMO_PASSWORD,
        )
        # Demo logins skip the first-login password change so every role can be tried at once.
        account.must_change_password = False
        account.save(update_fields=["must_change_password"])
    _record_demo_people(commune)
    return DEMO_LOGINS


def _record_demo_people(commune: Unit) -> None:
    """Some collected forms, so the register pages have something to show."""
    if Person.objects.filter(commune=commune).exists():
        return
    officer = User.objects.get(username="canbolaodong")
    villages = {
        v.name: v for v in Unit.objects.current().filter(parent=commune, level=Level.VILLAGE)
    }
    samples = SampleForms(
        seed=2025,
        commune=commune.code,
        villages=sorted(villages),
        collection_date=datetime.date(2025, 11, 20),
    )
    for answers in samples.rows(DEMO_PEOPLE):
        try:
            record_person(
                acting_user=officer,
                form_code="tt09-2025-m01",
                village=villages[answers["village"]],
                answers=answers,
                confirmed_warnings=("id.missing", "duplicate.name_birth"),
            )
        except RegisterError:
            # A generated person can collide with an earlier one (same name and birth date);
            # the demo simply skips them.
            continue
