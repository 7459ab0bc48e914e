"""Send accounts that still carry a temporary password to the password-change page; end
sessions left idle."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from laodong.audit.models import record_event

# The session remembers when it was last used, rewritten at most this often (not on every
# request: that would be a database write per page).
_SEEN_EVERY = 60


@receiver(user_logged_in)
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    from laodong.accounts import twofactor

    request.session["seen"] = int(time.time())
    # Looked up once per sign-in, not on every page.
    request.session["two_factor"] = twofactor.enrolled(user)
    record_event(actor=user, action="accounts.sign_in", target=user, unit=user.unit)


@receiver(user_login_failed)
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    """A failed sign-in, against the account it named when there is one. What was typed is
    never kept: a password typed into the user-name box would end up in the log."""
    from laodong.accounts.models import User

    account = User.objects.filter(username=credentials.get("username") or "").first()
    record_event(
        actor=None,
        action="accounts.sign_in_failed",
        target=account,
        target_type="accounts.user",
        unit=account.unit if account else None,
    )


class IdleTimeoutMiddleware:
    """Signs out a session unused for LAODONG_IDLE_MINUTES and says why on the sign-in page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = int(time.time())
            seen = request.session.get("seen") or now
            if now - seen > settings.LAODONG_IDLE_MINUTES * 60:
                logout(request)
                messages.info(
                    request,
                    _(
                        "Phiên làm việc đã kết thúc vì không dùng quá %(minutes)s phút. Hãy "
                        "đăng nhập lại."
                    )
                    % {"minutes": settings.LAODONG_IDLE_MINUTES},
                )
                if request.method == "GET":
                    return redirect_to_login(request.get_full_path())
                return redirect("accounts-login")
            if now - seen > _SEEN_EVERY or "seen" not in request.session:
                request.session["seen"] = now
        return self.get_response(request)


def _open_to(request: HttpRequest, *names: str) -> bool:
    """Whether a signed-in user with a step still to do (a new password, a one-time code) may
    open this address anyway: the step's own pages, signing out, the language switch, static
    files."""
    if request.path.startswith("/" + settings.STATIC_URL.lstrip("/")):
        return True
    return request.path in {reverse(name) for name in (*names, "accounts-logout", "set_language")}


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if (
            getattr(user, "must_change_password", False)
            and user.is_authenticated
            and not _open_to(request, "accounts-password-change")
        ):
            return redirect("accounts-password-change")
        return self.get_response(request)


class TwoFactorMiddleware:
    """After the password, the one-time code: an account with an enrolled phone enters a code
    from it; an account whose role requires one and has none enrols first."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from laodong.accounts import twofactor

        user: Any = request.user
        steps = ("accounts-two-factor-setup", "accounts-two-factor-verify")
        if (
            user.is_authenticated
            and not user.is_verified()
            and not _open_to(request, *steps, "accounts-password-change")
        ):
            enrolled = request.session.get("two_factor")
            if enrolled is None:
                enrolled = request.session["two_factor"] = twofactor.enrolled(user)
            if enrolled:
                return redirect_to_login(
                    request.get_full_path(), reverse("accounts-two-factor-verify")
                )
            if twofactor.required(user):
                return redirect("accounts-two-factor-setup")
        return self.get_response(request)
