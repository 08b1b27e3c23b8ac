"""Background work of core: notification emails and the sweep of orphaned upload files. Each
task calls a service; with CELERY_BROKER_URL unset they run inline."""

from __future__ import annotations

import smtplib

from celery import shared_task

from hamkke.core.media import services as media_services
from hamkke.core.notifications import services as notification_services


@shared_task(
    autoretry_for=(smtplib.SMTPException, ConnectionError, TimeoutError),
    retry_backoff=True,
    max_retries=5,
)
def send_notification_email(notification_id: int) -> bool:
    return notification_services.deliver_notification_email(notification_id=notification_id)


@shared_task
def delete_orphan_media_files() -> int:
    """Meant for the beat schedule, a few times a day."""
    return len(media_services.delete_orphan_media_files())
