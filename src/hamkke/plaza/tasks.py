"""Background work of the Plaza. Each task calls a service; with CELERY_BROKER_URL unset they
run inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.plaza import services
from hamkke.plaza.disclosure import services as request_services


@shared_task
def publish_due_documents() -> int:
    """Every few minutes: publish approved documents whose day has come."""
    return services.publish_due_documents()


@shared_task
def warn_of_request_deadlines() -> int:
    """Hourly: tell departments of disclosure requests near or past their legal deadline."""
    return request_services.warn_of_deadlines()
