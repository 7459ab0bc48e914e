from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from laodong.conftest import Tree, make_unit
from laodong.units.models import Level, Unit
from laodong.units.querysets import subtree_filter


def test_within_returns_the_subtree_in_one_query(tree: Tree) -> None:
    with CaptureQueriesContext(connection) as queries:
        names = set(Unit.objects.within(tree.commune).values_list("name", flat=True))
    assert names == {"Xã Cẩm Tân", "Thôn 1", "Thôn 2"}
    assert len(queries) == 1
    assert set(Unit.objects.below(tree.province).values_list("name", flat=True)) == {
        "Xã Cẩm Tân",
        "Thôn 1",
        "Thôn 2",
        "Xã Cẩm Thạch",
        "Thôn Đông",
    }


def test_contains_is_inclusive_and_respects_boundaries(tree: Tree) -> None:
    assert tree.province.contains(tree.village)
    assert tree.commune.contains(tree.commune)
    assert not tree.commune.contains(tree.other_village)
    assert not tree.village.contains(tree.commune)


@pytest.mark.django_db
def test_a_sibling_whose_id_extends_ours_is_not_below_us() -> None:
    # "/1/2/" must not match "/1/23/": the trailing separator is part of the prefix.
    root = make_unit("Gốc", Level.COUNTRY, None, "VN")
    short = Unit.objects.create(
        name="A",
        level=Level.PROVINCE,
        unit_type="tinh",
        code="02",
        parent=root,
        path=f"{root.path}2/",
    )
    Unit.objects.create(
        name="B",
        level=Level.PROVINCE,
        unit_type="tinh",
        code="23",
        parent=root,
        path=f"{root.path}23/",
    )
    Unit.objects.create(
        name="C",
        level=Level.COMMUNE,
        unit_type="xa",
        code="00005",
        parent=short,
        path=f"{root.path}2/5/",
    )
    names = set(Unit.objects.filter(subtree_filter(short.path)).values_list("name", flat=True))
    assert names == {"A", "C"}


def test_ancestors_are_read_from_the_path(tree: Tree) -> None:
    assert list(Unit.objects.ancestors_of(tree.village)) == [
        tree.country,
        tree.province,
        tree.commune,
        tree.village,
    ]


def test_subtree_query_uses_the_path_index(tree: Tree) -> None:
    query = Unit.objects.within(tree.commune).values("pk").query
    sql, params = query.sql_with_params()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
            plan = " ".join(str(row) for row in cursor.fetchall())
            assert "USING INDEX" in plan or "USING COVERING INDEX" in plan
            assert "path" in plan
        else:
            cursor.execute("SET enable_seqscan = off")
            cursor.execute(f"EXPLAIN {sql}", params)
            plan = " ".join(row[0] for row in cursor.fetchall())
            cursor.execute("SET enable_seqscan = on")
            assert "units_unit_path" in plan


def test_village_label_does_not_repeat_its_type(tree: Tree) -> None:
    assert tree.village.label() == "Thôn 1"
    assert tree.commune.label() == "Xã Cẩm Tân"
    assert tree.province.label() == "Tỉnh Thanh Hóa"


def test_labels_stay_vietnamese_in_english(tree: Tree) -> None:
    from django.utils import translation

    with translation.override("en"):
        assert tree.commune.label() == "Xã Cẩm Tân"
        assert tree.province.label() == "Tỉnh Thanh Hóa"
        assert tree.other_province.label() == "Thành phố Hà Nội"
        assert tree.country.label() == "Việt Nam"


def test_unit_page_costs_the_same_for_many_children(
    tree: Tree, django_assert_num_queries: object
) -> None:
    from django.urls import reverse

    from laodong.accounts.models import Role
    from laodong.conftest import login, make_user

    client = login(make_user(Role.COMMUNE_LABOR_OFFICER, tree.commune))
    url = reverse("units-view-unit", args=[tree.commune.pk])
    # session, user with unit, unit, ancestors, children page, successions, predecessions
    with django_assert_num_queries(7):  # type: ignore[operator]
        client.get(url)
    for number in range(70):
        make_unit(f"Xóm {number}", Level.VILLAGE, tree.commune)
    with django_assert_num_queries(7):  # type: ignore[operator]
        response = client.get(url)
    assert len(response.context["page"].items) == 50
