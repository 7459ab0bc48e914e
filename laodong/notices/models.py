"""Reminders inside the app: one notice per user and event, open until its cause is gone."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    RETURNED_FORMS = "returned_forms", _("Phiếu bị trả lại chờ sửa")
    FORMS_TO_ACCEPT = "forms_to_accept", _("Phiếu chờ nghiệm thu")
    HANDOVER_WAITING = "handover_waiting", _("Biên bản bàn giao chờ Công an xác nhận")
    REPORT_DUE = "report_due", _("Báo cáo sắp đến hạn hoặc quá hạn")
    REPORT_TO_APPROVE = "report_to_approve", _("Báo cáo chờ lãnh đạo duyệt")
    REPORT_TO_REVIEW = "report_to_review", _("Báo cáo của cấp dưới chờ xem xét")
    REPORT_RETURNED = "report_returned", _("Báo cáo bị trả lại")
    ROUND_BEHIND = "round_behind", _("Chậm tiến độ so với đợt")
    SYNC_CONFLICTS = "sync_conflicts", _("Phiếu xung đột khi đồng bộ chờ quyết định")


class Notice(models.Model):
    """What one user should act on. `key` names the event ("returned:12" — the returned forms
    of campaign 12): while its cause lasts the notice stays one (its text follows the counts);
    when the cause is gone it is cleared; if the cause comes back, that is a new notice."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=20, choices=NoticeKind.choices)
    key = models.CharField(max_length=100)
    text = models.CharField(max_length=400)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    seen_at = models.DateTimeField(null=True, blank=True)
    cleared_at = models.DateTimeField(null=True, blank=True)
    # Sent through each configured channel (e-mail, later SMS or Zalo): {channel: ISO time}.
    sent = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            # At most one open notice per user and event.
            models.UniqueConstraint(
                fields=["user", "key"],
                condition=models.Q(cleared_at__isnull=True),
                name="notice_open_unique",
            ),
        ]
        indexes = [models.Index(fields=["user", "cleared_at"], name="notice_user_open")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.key}"
