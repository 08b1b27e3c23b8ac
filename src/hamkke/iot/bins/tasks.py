"""Background work of the smart bins; each task calls a service."""

from __future__ import annotations

from celery import shared_task

from hamkke.iot.bins import services


@shared_task
def make_morning_plan() -> int | None:
    """Every ten minutes: today's collection plan, once the profile's plan_at has passed."""
    plan = services.make_morning_plan()
    return plan.pk if plan is not None else None
