"""Background work of parking sharing. Each task calls a service; with CELERY_BROKER_URL unset
they run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.iot.parking import services


@shared_task
def release_no_shows() -> int:
    """Every minute (Celery beat): reservations past their grace period without a car become
    no-shows and their time is free again. Safe to run twice."""
    return services.release_no_shows()
