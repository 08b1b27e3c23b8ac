"""Background work of the Oasis. Each task calls a service; with CELERY_BROKER_URL unset they
run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.ideas import services


@shared_task
def check_due_ideas() -> dict[str, int]:
    """Thresholds reached, support periods run out, answers overdue: each idea moved on or
    escalated by the same transition pages and the API use. Safe to run twice."""
    return services.check_due_ideas()
