"""Background work of IoT. Each task calls a service; with CELERY_BROKER_URL unset they run
inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.iot import services


@shared_task
def prune() -> list[int]:
    """Daily: roll up, then delete, the raw readings past `[iot] retention_days`. Safe to run
    twice: what is rolled up is gone from the history, and a day rolled up again merges."""
    written, deleted = services.prune()
    return [written, deleted]
