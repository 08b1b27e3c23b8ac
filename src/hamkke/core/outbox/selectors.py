"""Reads of the outbox: how many messages wait, and since when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Min

from hamkke.core.models import OutboxMessage, OutboxStatus


@dataclass(frozen=True)
class OutboxState:
    by_status: dict[str, int]
    oldest_pending: datetime | None


def outbox_state() -> OutboxState:
    counts = dict(
        OutboxMessage.objects.values_list("status").annotate(n=Count("id")).order_by("status")
    )
    oldest = OutboxMessage.objects.filter(status=OutboxStatus.PENDING).aggregate(
        oldest=Min("created_at")
    )["oldest"]
    return OutboxState(
        by_status={status: counts.get(status, 0) for status in OutboxStatus.values},
        oldest_pending=oldest,
    )
