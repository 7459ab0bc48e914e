"""Send accounts that still carry a temporary password to the password-change page."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if getattr(user, "must_change_password", False) and user.is_authenticated:
            allowed = {
                reverse("accounts-password-change"),
                reverse("accounts-logout"),
                reverse("set_language"),
            }
            if request.path not in allowed and not request.path.startswith(
                "/" + settings.STATIC_URL.lstrip("/")
            ):
                return redirect("accounts-password-change")
        return self.get_response(request)
