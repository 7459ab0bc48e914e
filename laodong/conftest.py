"""Shared test fixtures: a small unit tree and accounts for every role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from laodong.accounts.models import Role, User
from laodong.units.models import Level, Unit, UnitType

PASSWORD = "Mat-khau-thu-9"


def make_unit(
    name: str, level: int, parent: Unit | None, code: str = "", unit_type: str = ""
) -> Unit:
    default_type = {
        Level.COUNTRY: UnitType.QUOC_GIA,
        Level.PROVINCE: UnitType.TINH,
        Level.DISTRICT: UnitType.HUYEN,
        Level.COMMUNE: UnitType.XA,
        Level.VILLAGE: UnitType.THON,
    }[Level(level)]
    return Unit.objects.create(
        name=name, level=level, parent=parent, code=code, unit_type=unit_type or default_type
    )


def make_user(role: str, unit: Unit, username: str = "", **extra: Any) -> User:
    username = username or f"{role}-{unit.pk}-{User.objects.count()}"
    extra.setdefault("must_change_password", False)
    user = User(
        username=username,
        full_name=extra.pop("full_name", f"Người {username}"),
        role=role,
        unit=unit,
        **extra,
    )
    user.set_password(PASSWORD)
    user.save()
    return user


@dataclass
class Tree:
    country: Unit
    province: Unit
    commune: Unit
    village: Unit
    village2: Unit
    other_commune: Unit
    other_village: Unit
    other_province: Unit
    far_commune: Unit


@pytest.fixture
def tree(db: Any) -> Tree:
    country = make_unit("Việt Nam", Level.COUNTRY, None, "VN")
    province = make_unit("Thanh Hóa", Level.PROVINCE, country, "38")
    commune = make_unit("Xã Cẩm Tân", Level.COMMUNE, province, "15178")
    other_commune = make_unit("Xã Cẩm Thạch", Level.COMMUNE, province, "15142")
    other_province = make_unit(
        "Hà Nội", Level.PROVINCE, country, "01", UnitType.THANH_PHO_TRUNG_UONG
    )
    return Tree(
        country=country,
        province=province,
        commune=commune,
        village=make_unit("Thôn 1", Level.VILLAGE, commune),
        village2=make_unit("Thôn 2", Level.VILLAGE, commune),
        other_commune=other_commune,
        other_village=make_unit("Thôn Đông", Level.VILLAGE, other_commune),
        other_province=other_province,
        far_commune=make_unit(
            "Phường Hoàn Kiếm", Level.COMMUNE, other_province, "00070", UnitType.PHUONG
        ),
    )


def unit_for_role(tree: Tree, role: str) -> Unit:
    units: dict[str, Unit] = {
        Role.ENUMERATOR: tree.village,
        Role.VILLAGE_HEAD: tree.village,
        Role.PROVINCE_LABOR_DEPARTMENT: tree.province,
        Role.PROVINCE_POLICE: tree.province,
        Role.PROVINCE_LEADER: tree.province,
        Role.MINISTRY: tree.country,
        Role.SYSTEM_ADMINISTRATOR: tree.country,
    }
    return units.get(role, tree.commune)


@pytest.fixture
def users(tree: Tree) -> dict[str, User]:
    """One account per role, all in the tree's main commune (or its village/province)."""
    return {role.value: make_user(role, unit_for_role(tree, role), role.value) for role in Role}


def login(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: Any, call: Any) -> Any:
    """Keep each phase's report on the test item so fixtures can react to failures."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture
def campaign(tree: Tree, users: dict[str, User]) -> Any:
    """A commune's own campaign over the tree's main commune, as in the Cẩm Tân plan."""
    import datetime

    from laodong.campaigns.actions import RoundPlan, create_campaign

    return create_campaign(
        acting_user=users[Role.COMMUNE_LABOR_OFFICER],
        title="Thu thập thông tin người lao động năm 2026",
        legal_basis="Kế hoạch số 12/KH-UBND",
        form_code="tt09-2025-m01",
        area=[tree.commune],
        reference_date=datetime.date(2026, 11, 1),
        collection_start=datetime.date(2026, 11, 1),
        collection_end=datetime.date(2026, 12, 17),
        entry_start=datetime.date(2026, 11, 10),
        entry_end=datetime.date(2026, 12, 28),
        rounds=[
            RoundPlan("collection", datetime.date(2026, 12, 17)),
            RoundPlan("entry", datetime.date(2026, 12, 28)),
        ],
    )
