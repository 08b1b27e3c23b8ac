"""Background work of core: the outbox's emails and texts, the sweep of orphaned upload files,
and forgetting expired idempotency keys. Each task calls a service; with CELERY_BROKER_URL unset
they run inline."""

from __future__ import annotations

import logging

from celery import shared_task

from hamkke.core import idempotency
from hamkke.core.imports import engine as imports
from hamkke.core.media import services as media_services
from hamkke.core.outbox import services as outbox_services

logger = logging.getLogger(__name__)


@shared_task
def send_outbox_message(message_id: int) -> bool:
    """Queued after the commit of whatever owes the message. A failure is recorded on the row
    and retried by `send_due_outbox_messages` with backoff, not by Celery."""
    try:
        return outbox_services.deliver_message(message_id=message_id)
    except Exception as exc:
        logger.warning("outbox message %s not sent, will retry: %s", message_id, exc)
        return False


@shared_task
def send_due_outbox_messages() -> dict:
    """Meant for the beat schedule, every minute: retries whatever is due."""
    tally = outbox_services.send_due_messages()
    return {"sent": tally.sent, "failed": tally.failed, "expired": tally.expired}


@shared_task
def purge_outbox() -> int:
    """Meant for the beat schedule, daily."""
    return outbox_services.purge_outbox()


@shared_task
def delete_expired_idempotency_keys() -> int:
    """Meant for the beat schedule, hourly: keys are honoured for 24 hours."""
    return idempotency.delete_expired_keys()


@shared_task
def delete_orphan_media_files() -> int:
    """Meant for the beat schedule, a few times a day."""
    return len(media_services.delete_orphan_media_files())


@shared_task
def check_import_job(job_id: int) -> str:
    """Queued when an official submits a file (core/imports): check it, storing nothing."""
    return imports.check(job_id).status


@shared_task
def run_import_job(job_id: int) -> str:
    """Queued when an official confirms a checked import."""
    return imports.run(job_id).status
