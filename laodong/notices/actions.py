"""Bringing the notices in line with the data, marking them seen, and sending them out."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from laodong.accounts.models import User
from laodong.notices.channels import channels
from laodong.notices.conditions import QUICK_SOURCES, SOURCES, Condition, current
from laodong.notices.models import Notice, NoticeKind

log = logging.getLogger(__name__)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    cleared: int = 0
    sent: dict[str, int] = field(default_factory=dict)


def _recount(user_ids: set[int]) -> None:
    """Each user's count of unseen open notices, kept on the account for the page header."""
    if not user_ids:
        return
    counts = dict(
        Notice.objects.filter(user_id__in=user_ids, cleared_at__isnull=True, seen_at__isnull=True)
        .values_list("user_id")
        .annotate(n=Count("pk"))
        .values_list("user_id", "n")
    )
    for user_id in user_ids:
        User.objects.filter(pk=user_id).update(unseen_notices=counts.get(user_id, 0))


@transaction.atomic
def sync(only: User | None = None) -> Outcome:
    """Create a notice for each new cause, update the text of those still open, clear those
    whose cause is gone. Running it twice changes nothing the second time. For one user (when
    they open their list) the rounds behind are left to the scheduled run: they need the
    progress of a whole province."""
    now = timezone.now()
    conditions: list[Condition] = current(only, QUICK_SOURCES if only else SOURCES)
    wanted = {(c.user_id, c.key): c for c in conditions}
    existing = Notice.objects.select_for_update().filter(cleared_at__isnull=True)
    if only is not None:
        existing = existing.filter(user=only).exclude(kind=NoticeKind.ROUND_BEHIND)
    outcome = Outcome()
    touched: set[int] = set()
    for notice in existing:
        condition = wanted.pop((notice.user_id, notice.key), None)
        if condition is None:
            notice.cleared_at = now
            notice.save(update_fields=["cleared_at"])
            outcome.cleared += 1
            touched.add(notice.user_id)
        elif (condition.text, condition.url) != (notice.text, notice.url):
            notice.text, notice.url, notice.updated_at = condition.text, condition.url, now
            notice.save(update_fields=["text", "url", "updated_at"])
            outcome.updated += 1
    Notice.objects.bulk_create(
        [
            Notice(
                user_id=c.user_id,
                kind=c.kind,
                key=c.key,
                text=c.text[:400],
                url=c.url[:300],
                created_at=now,
                updated_at=now,
            )
            for c in wanted.values()
        ]
    )
    outcome.created = len(wanted)
    touched |= {c.user_id for c in wanted.values()}
    _recount(touched)
    return outcome


def send(outcome: Outcome) -> None:
    """Send each user's open notices not yet sent through each configured channel, once."""
    for channel in channels():
        pending = Notice.objects.filter(cleared_at__isnull=True).exclude(sent__has_key=channel.name)
        by_user: dict[int, list[Notice]] = {}
        for notice in pending.order_by("created_at", "pk"):
            by_user.setdefault(notice.user_id, []).append(notice)
        users = User.objects.in_bulk(list(by_user))
        stamp = timezone.now().isoformat()
        for user_id, notices in by_user.items():
            user = users.get(user_id)
            if user is None or not user.is_active:
                continue
            try:
                delivered = channel.send(user, notices)
            except Exception:  # a mail server down must not stop the other users
                log.exception("notice channel %s failed for one user", channel.name)
                continue
            if not delivered:
                continue
            for notice in notices:
                notice.sent = {**notice.sent, channel.name: stamp}
            Notice.objects.bulk_update(notices, ["sent"])
            outcome.sent[channel.name] = outcome.sent.get(channel.name, 0) + 1


def mark_seen(user: Any) -> None:
    Notice.objects.filter(user=user, seen_at__isnull=True).update(seen_at=timezone.now())
    User.objects.filter(pk=user.pk).update(unseen_notices=0)
    user.unseen_notices = 0


def open_for(user: Any) -> Any:
    return Notice.objects.filter(user=user, cleared_at__isnull=True).order_by("-created_at", "-pk")


def recent_cleared(user: Any) -> Any:
    return (
        Notice.objects.filter(user=user, cleared_at__isnull=False)
        .filter(Q(cleared_at__gte=timezone.now() - datetime.timedelta(days=7)))
        .order_by("-cleared_at")[:20]
    )
