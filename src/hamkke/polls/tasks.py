"""Background work of M-Voting. Each task calls a service; with CELERY_BROKER_URL unset they
run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.polls import services


@shared_task
def close_due_polls() -> int:
    """Seal and publish every poll whose time is up (the ballot pattern's mix, the hash-chained
    ballot list, the results). Safe to run twice: a published poll is left alone."""
    return services.close_due_polls()


@shared_task
def expire_proposals() -> int:
    return services.expire_proposals()
