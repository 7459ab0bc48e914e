"""The user's reminders: the list (fresh from the data when opened), and a word at sign-in."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import ngettext

from laodong.notices import actions


@login_required
def list_notices(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    if user.unit_id is not None:
        actions.sync(only=user)
    notices = list(actions.open_for(user))
    unseen = {notice.pk for notice in notices if notice.seen_at is None}
    actions.mark_seen(user)
    return render(
        request,
        "notices/list.html",
        {"notices": notices, "unseen": unseen, "cleared": list(actions.recent_cleared(user))},
    )


def tell_at_login(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """At sign-in, say how many reminders wait (counted by the last scheduled run)."""
    count = getattr(user, "unseen_notices", 0)
    if count:
        messages.info(
            request,
            ngettext(
                "Bạn có %(n)s việc cần làm mới: xem ở mục Thông báo.",
                "Bạn có %(n)s việc cần làm mới: xem ở mục Thông báo.",
                count,
            )
            % {"n": count},
            # A sign-in without the messages layer (an API client, a test's force_login).
            fail_silently=True,
        )
