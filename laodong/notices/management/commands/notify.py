"""`laodong notify`: bring every user's reminders in line with the data and send the new ones
through the configured channels (e-mail when LAODONG_EMAIL_HOST is set). Safe to run as often
as cron likes: a second run creates and sends nothing new."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from laodong.notices import actions
from laodong.notices.channels import channels


class Command(BaseCommand):
    help = "Cập nhật thông báo việc cần làm của mọi người dùng và gửi thông báo mới (cho cron)."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome = actions.sync()
        actions.send(outcome)
        names = ", ".join(channel.name for channel in channels()) or "không có"
        sent = ", ".join(f"{name}: {n} người" for name, n in outcome.sent.items()) or "0"
        self.stdout.write(
            f"Thông báo mới: {outcome.created}; cập nhật: {outcome.updated}; "
            f"đã xong: {outcome.cleared}; kênh gửi: {names}; đã gửi: {sent}."
        )
