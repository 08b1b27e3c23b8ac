"""Background work of the Smart Complaint Report. Each task calls a service; with
CELERY_BROKER_URL unset they run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.complaints import services


@shared_task
def escalate_overdue_complaints() -> int:
    """Meant for the beat schedule (every few minutes): flag reports past their expected date
    and tell their departments' managers. Safe to run twice: each report is escalated once."""
    return services.escalate_overdue()
