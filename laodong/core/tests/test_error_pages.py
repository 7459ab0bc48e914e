"""403, 404 and 500 pages in Vietnamese, in the site's layout, fit for a phone."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory
from django.urls import reverse
from django.views.defaults import server_error

from laodong.accounts.models import Role
from laodong.conftest import login


def test_a_page_the_role_may_not_open_says_so_in_vietnamese(users: dict[str, Any]) -> None:
    response = login(users[Role.ENUMERATOR]).get(reverse("accounts-list-accounts"))
    text = response.content.decode()
    assert response.status_code == 403
    assert "Bạn không có quyền làm việc này" in text
    assert 'class="topbar"' in text and 'name="viewport"' in text
    assert "Về trang chủ" in text


def test_a_missing_page_says_so_in_vietnamese(users: dict[str, Any]) -> None:
    response = login(users[Role.COMMUNE_POLICE]).get("/khong-co-trang-nay/")
    text = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy trang này" in text and 'class="topbar"' in text


def test_an_object_of_another_unit_answers_the_same_404(
    users: dict[str, Any], campaign: Any
) -> None:
    response = login(users[Role.COMMUNE_POLICE]).get(
        reverse("collection-view-item", args=[campaign.pk, 999999])
    )
    assert response.status_code == 404
    assert "thuộc đơn vị khác" in response.content.decode()


def test_a_server_error_page_needs_nothing_but_the_stylesheet(db: Any) -> None:
    response = server_error(RequestFactory().get("/"))
    text = response.content.decode()
    assert response.status_code == 500
    assert "Hệ thống gặp lỗi" in text and "không ghi dở dang" in text
    assert 'name="viewport"' in text
