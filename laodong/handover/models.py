"""Handover batches of accepted forms to the commune police (biên bản bàn giao)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class HandoverStatus(models.TextChoices):
    PENDING = "pending", _("Chờ Công an xã xác nhận")
    CONFIRMED = "confirmed", _("Đã xác nhận")
    MISMATCH = "mismatch", _("Số lượng không khớp")
    RESOLVED = "resolved", _("Đã xử lý chênh lệch")


# Batches whose forms the police may now enter.
RECEIVED = (HandoverStatus.CONFIRMED, HandoverStatus.RESOLVED)


class Handover(models.Model):
    """A batch handed to the commune police, confirmed with a count: accepted forms of a
    campaign, and changes made to the register outside campaigns (register.PoliceUpdate).
    A record without a campaign carries changes only (between campaigns); records are
    numbered per campaign and commune, and per commune for those without a campaign."""

    campaign = models.ForeignKey(
        "campaigns.Campaign",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="handovers",
    )
    commune = models.ForeignKey("units.Unit", on_delete=models.PROTECT, related_name="+")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=HandoverStatus.choices, default=HandoverStatus.PENDING
    )
    sent_count = models.PositiveIntegerField()
    # How many of sent_count are register changes rather than forms.
    update_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    received_count = models.PositiveIntegerField(null=True, blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(null=True, blank=True)
    mismatch_note = models.CharField(max_length=500, blank=True, default="")
    resolution_note = models.CharField(max_length=500, blank=True, default="")
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["campaign", "commune", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "commune", "number"], name="handover_number_unique"
            ),
            models.UniqueConstraint(
                fields=["commune", "number"],
                condition=models.Q(campaign__isnull=True),
                name="handover_update_number_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"Biên bản {self.number}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        if self.campaign_id is None:
            return reverse("handover-view-update-handover", args=[self.pk])
        return reverse("handover-view-handover", args=[self.campaign_id, self.commune_id, self.pk])

    @property
    def form_count(self) -> int:
        return self.sent_count - self.update_count

    def pdf_url(self) -> str:
        from django.urls import reverse

        if self.campaign_id is None:
            return reverse("handover-download-update-handover-pdf", args=[self.pk])
        return reverse(
            "handover-download-handover-pdf", args=[self.campaign_id, self.commune_id, self.pk]
        )


class HandoverLine(models.Model):
    """One person of a handover record as it was when the record was made. The record (page and
    PDF) prints these lines, never the live work items, so nothing done later — a new police
    list, an edit, a form re-accepted into another batch — changes what both sides signed."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField()
    work_item = models.ForeignKey(
        "collection.WorkItem", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # A register change (not a form): its line says what changed and where it came from.
    update = models.ForeignKey(
        "register.PoliceUpdate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="handover_lines",
    )
    summary = models.TextField(blank=True, default="")
    full_name = models.CharField(max_length=200)
    birth_year = models.PositiveSmallIntegerField(null=True)
    personal_id = models.CharField(max_length=12, blank=True, default="")
    village_label = models.CharField(max_length=200)
    # Set when a count mismatch was settled by withdrawing this form: the line stays on the
    # record, marked, as the police's note says.
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["handover", "position"]
        constraints = [
            models.UniqueConstraint(fields=["handover", "position"], name="handover_line_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.handover} · {self.position}"
