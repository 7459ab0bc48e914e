"""Collecting without signal (issue 15): the phones that hold an enumerator's list, and every
form they sent, once each."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Device(models.Model):
    """A browser that downloaded an enumerator's list ("thiết bị"): what the officer sees of it
    and can revoke. Its id is made on the phone and kept in its storage with the data."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="devices"
    )
    label = models.CharField(max_length=200, blank=True, default="")
    # The session it signs in with: revoking the device ends it.
    session_key = models.CharField(max_length=40, blank=True, default="")
    created_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)
    synced_at = models.DateTimeField(null=True, blank=True)
    # As the phone reported at its last contact.
    waiting = models.PositiveIntegerField(default=0)
    drafts = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    # The work items of its last download: a form for one of them since given to someone else
    # is a conflict to show, not an unknown item.
    items = models.JSONField(default=list)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-synced_at", "-created_at"]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.label or self.pk}"


class Outcome(models.TextChoices):
    SUBMITTED = "submitted", _("Đã vào quy trình")
    REFUSED = "refused", _("Có lỗi khi đồng bộ")
    CONFLICT = "conflict", _("Xung đột, chờ quyết định")


class SyncedForm(models.Model):
    """A form the phone sent from its outbox, once per id the phone gave it: sent again (the
    connection dropped after the server saved it), the stored outcome is answered again. A
    conflict keeps the phone's version here, aside, until someone decides."""

    client_id = models.UUIDField(unique=True)
    device = models.ForeignKey(Device, on_delete=models.PROTECT, related_name="forms")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    work_item = models.ForeignKey(
        "collection.WorkItem", on_delete=models.CASCADE, related_name="synced_forms"
    )
    answers = models.JSONField(default=dict)
    confirmed_warnings = models.JSONField(default=list)
    identity_reasons = models.JSONField(default=dict)
    # What the phone's copy was made from: the form's status and answers token at download.
    base_status = models.CharField(max_length=14)
    base_token = models.CharField(max_length=64, blank=True, default="")
    filled_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    reason = models.CharField(max_length=40, blank=True, default="")
    message = models.TextField(blank=True, default="")
    findings = models.JSONField(default=list)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decision = models.CharField(max_length=10, blank=True, default="")

    class Meta:
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(fields=["work_item", "outcome"], name="synced_form_item"),
            models.Index(fields=["user", "outcome"], name="synced_form_user"),
        ]

    def __str__(self) -> str:
        return f"{self.client_id}: {self.outcome}"
