"""The audit log: who did what to which object, when. Never personal data in `details`."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from laodong.audit.context import current_address


class AuditEvent(models.Model):
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, blank=True)
    unit = models.ForeignKey(
        "units.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    details = models.JSONField(default=dict, blank=True)
    # Where the action came from: the client's address for a web request (behind a proxy as
    # far as LAODONG_PROXY_COUNT trusts X-Forwarded-For), "" for a command or a job.
    address = models.CharField(max_length=45, blank=True, default="")

    class Meta:
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


def record_event(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    unit: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Write one audit row; call it inside the action's transaction."""
    if target is not None:
        target_type = target._meta.label_lower
    return AuditEvent.objects.create(
        address=current_address.get(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=str(target.pk) if target is not None else "",
        unit=unit,
        details=details or {},
    )
