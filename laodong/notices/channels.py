"""Ways a notice leaves the app. Each channel says whether it is configured and sends one
user their new notices; `laodong notify` calls every channel named in
LAODONG_NOTICE_CHANNELS. E-mail uses Django's mail settings (LAODONG_EMAIL_HOST …). An SMS or
Zalo gateway is added later as another class with the same two methods — there is none today,
and no channel pretends to send."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class Channel(Protocol):
    name: str

    def configured(self) -> bool: ...

    def send(self, user: Any, notices: Sequence[Any]) -> bool:
        """Send the notices to the user; False when the user cannot be reached this way."""


class EmailChannel:
    name = "email"

    def configured(self) -> bool:
        backend = settings.EMAIL_BACKEND
        smtp = backend == "django.core.mail.backends.smtp.EmailBackend"
        return bool(settings.EMAIL_HOST) if smtp else True

    def send(self, user: Any, notices: Sequence[Any]) -> bool:
        if not user.email:
            return False
        site = getattr(settings, "LAODONG_SITE_URL", "").rstrip("/")
        lines = [
            f"- {notice.text}" + (f"\n  {site}{notice.url}" if site else "") for notice in notices
        ]
        subject = ngettext(
            "[laodong] %(n)s việc cần làm", "[laodong] %(n)s việc cần làm", len(notices)
        ) % {"n": len(notices)}
        body = "\n".join(
            [
                _("Xin chào %(name)s,") % {"name": user.full_name or user.username},
                "",
                _("Trên hệ thống cơ sở dữ liệu người lao động có việc chờ bạn:"),
                "",
                *lines,
                "",
                _("Thư gửi tự động; không trả lời thư này."),
            ]
        )
        send_mail(subject, body, None, [user.email])
        return True


def channels() -> list[Channel]:
    """The configured channels, in the order of LAODONG_NOTICE_CHANNELS."""
    found: list[Channel] = []
    for path in getattr(settings, "LAODONG_NOTICE_CHANNELS", []):
        channel = import_string(path)()
        if channel.configured():
            found.append(channel)
    return found
