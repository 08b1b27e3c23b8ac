"""Background work of the alarms: the rules' evaluation, every minute on Celery beat (declared on
the iot app's config). With CELERY_BROKER_URL unset it runs inline."""

from __future__ import annotations

from celery import shared_task

from hamkke.iot.alarms import services


@shared_task
def evaluate_rules() -> dict:
    """Raise and clear the alarms, file the complaints owed. Idempotent and safe to overlap
    with another run (services.evaluate)."""
    done = services.evaluate()
    return {
        "raised": dict(done.raised),
        "cleared": dict(done.cleared),
        "complaints": done.complaints,
    }
