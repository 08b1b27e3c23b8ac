"""Background work of participatory budgeting. Each task calls a service; with CELERY_BROKER_URL
unset they run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.budget import services


@shared_task
def close_ballot_boxes() -> int:
    """Meant for the beat schedule (every few minutes): once a cycle's voting is over, rewrite
    each pool's ballots as one shuffled batch and VACUUM the ballot tables (the ballot pattern,
    ARCHITECTURE.md). Safe to run twice: a closed box with nothing waiting is left alone."""
    return services.close_ballot_boxes()
