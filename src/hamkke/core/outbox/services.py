"""Every write of the outbox: queueing an email or a text in the sender's transaction, sending
one (claimed, sent with a timeout, marked sent only once the backend accepted it), the sweep of
what is due, and the purge of what is done.

Delivery guarantee: at least once, at most twice. A message is claimed for a lease before it is
sent and marked sent after the backend took it. If the process dies between the two, the lease
runs out and the message is sent again: one resend per such crash, never a lost message.

Where delivery happens: with CELERY_BROKER_URL set, a Celery task after the commit; in the
embedded default, inline after the commit, in the request that queued it. Inline, a backend that
fails or hangs costs the request one timeout, then its channel is paused for a while in this
process, so the next messages of the request (and of the next requests) go straight to the
retries. Retries are sent by the periodic task `send_due_messages` (Celery beat),
`hamkke outbox send` (cron), and inline, along with the next delivery that succeeds."""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from hamkke.core.models import (
    Notification,
    OutboxChannel,
    OutboxMessage,
    OutboxStatus,
)
from hamkke.core.outbox import delivery

logger = logging.getLogger(__name__)

# Due messages sent along with an inline delivery that just succeeded (the embedded default has
# no beat): few, so a request that happens to carry them stays short.
RIDE_ALONG = 5


# --- queueing ----------------------------------------------------------------------------------


def queue_email(
    *,
    to: Sequence[str],
    subject: str,
    body: str,
    notification: Notification | None = None,
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """Owe `to` a plain-text email. Written in the caller's transaction; sent after it commits."""
    message = EmailMessage(subject=subject, body=body, to=list(to))
    return queue_email_message(message, notification=notification, expires_at=expires_at)


def queue_email_message(
    message: EmailMessage,
    *,
    notification: Notification | None = None,
    expires_at: datetime | None = None,
) -> OutboxMessage:
    """Owe the recipients of a built Django email (alternatives and headers kept)."""
    payload = delivery.email_payload(message)
    recipients = [*payload["to"], *payload["cc"], *payload["bcc"]]
    if not recipients:
        raise ValueError("an email needs at least one recipient")
    return _queue(
        channel=OutboxChannel.EMAIL,
        recipient=", ".join(recipients)[:500],
        subject=str(message.subject)[:300],
        payload=payload,
        notification=notification,
        expires_at=expires_at,
    )


def queue_text(*, phone: str, text: str, expires_at: datetime | None = None) -> OutboxMessage:
    """Owe `phone` a text message. Written in the caller's transaction; sent after it commits.
    Give `expires_at` when the text is worthless later (a one-time code)."""
    if not phone:
        raise ValueError("a text message needs a phone number")
    return _queue(
        channel=OutboxChannel.TEXT,
        recipient=phone[:500],
        subject="",
        payload={"text": text},
        notification=None,
        expires_at=expires_at,
    )


def _queue(**fields) -> OutboxMessage:
    message = OutboxMessage.objects.create(next_attempt_at=timezone.now(), **fields)
    message_id, channel = message.pk, message.channel
    # robust: a broker that is down must not fail the request whose data is committed; the
    # row stays pending and the sweep sends it.
    transaction.on_commit(lambda: _deliver_after_commit(message_id, channel), robust=True)
    return message


# --- sending -----------------------------------------------------------------------------------


def send_now(message: OutboxMessage) -> bool:
    """Send a queued message at once, inside the caller's transaction, for a sender that must
    answer a refusal in the same request (a one-time code to a number the gateway refuses).
    The refusal (SMSDeliveryError) is raised to the caller, whose rollback takes the message
    with it. Any other failure (a timeout, a gateway out of reach) is recorded, the channel
    pauses inline delivery, and the retries send it: returns False then."""
    try:
        return deliver_message(message_id=message.pk)
    except delivery.REFUSALS:
        raise
    except Exception:
        _pause(message.channel)
        logger.warning(
            "outbox: %s #%s not sent now; it will be retried", message.channel, message.pk
        )
        return False


def deliver_message(*, message_id: int) -> bool:
    """Send one pending message if no other sender holds it. Returns whether it was sent now
    (False: already sent, held by another sender, expired or gone). A failure of the backend
    is recorded for a retry with backoff (or gives up after HAMKKE_OUTBOX_MAX_ATTEMPTS) and
    raised to the caller."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .update(
            claimed_until=now + timedelta(seconds=settings.HAMKKE_OUTBOX_LEASE_SECONDS),
            attempts=F("attempts") + 1,
        )
    )
    if not claimed:
        return False
    message = OutboxMessage.objects.get(pk=message_id)
    if message.expires_at is not None and message.expires_at <= now:
        _close(message, status=OutboxStatus.EXPIRED, error="expired before it could be sent")
        return False
    try:
        delivery.send(message)
    except Exception as exc:
        _record_failure(message, exc)
        raise
    _record_sent(message)
    return True


@dataclass(frozen=True)
class SweepTally:
    sent: int
    failed: int
    expired: int


def send_due_messages(
    *, limit: int = 200, channel: str | None = None, now: datetime | None = None
) -> SweepTally:
    """Send what is due, oldest first. Messages past their expiry are closed unsent. After a
    channel's first failure the rest of its messages wait for the next sweep, so a backend that
    hangs costs one timeout per sweep, not one per message."""
    now = now or timezone.now()
    pending = OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
    expired = pending.filter(expires_at__lte=now).update(
        status=OutboxStatus.EXPIRED,
        payload={},
        claimed_until=None,
        last_error="expired before it could be sent",
    )
    due = pending.filter(next_attempt_at__lte=now).filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lte=now)
    )
    if channel:
        due = due.filter(channel=channel)
    rows = list(due.order_by("next_attempt_at", "id").values_list("pk", "channel")[:limit])
    sent = failed = 0
    broken: set[str] = set()
    for message_id, message_channel in rows:
        if message_channel in broken:
            continue
        try:
            sent += deliver_message(message_id=message_id)
        except Exception as exc:
            failed += 1
            broken.add(message_channel)
            logger.warning("outbox: %s #%s failed again: %s", message_channel, message_id, exc)
    return SweepTally(sent=sent, failed=failed, expired=expired)


def purge_outbox(*, now: datetime | None = None) -> int:
    """Delete messages sent, expired or given up more than HAMKKE_OUTBOX_KEEP_DAYS ago (their
    content is already erased; this removes the addresses too)."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.HAMKKE_OUTBOX_KEEP_DAYS)
    deleted, _by_model = (
        OutboxMessage.objects.exclude(status=OutboxStatus.PENDING)
        .filter(created_at__lt=cutoff)
        .delete()
    )
    return deleted


def retry_delay(attempts: int) -> timedelta:
    """Backoff after the `attempts`-th failure: HAMKKE_OUTBOX_RETRY_SECONDS doubled each time,
    at most an hour."""
    seconds = settings.HAMKKE_OUTBOX_RETRY_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, 3600))


def _record_sent(message: OutboxMessage) -> None:
    with transaction.atomic():
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.SENT,
            sent_at=timezone.now(),
            claimed_until=None,
            payload={},
            last_error="",
        )
        if message.notification_id:
            Notification.objects.filter(pk=message.notification_id).update(emailed=True)


def _record_failure(message: OutboxMessage, exc: Exception) -> None:
    error = f"{exc.__class__.__name__}: {exc}"[:300]
    if message.attempts >= settings.HAMKKE_OUTBOX_MAX_ATTEMPTS:
        _close(message, status=OutboxStatus.FAILED, error=error)
        logger.error("outbox: gave up on %s #%s: %s", message.channel, message.pk, error)
        return
    OutboxMessage.objects.filter(pk=message.pk, status=OutboxStatus.PENDING).update(
        claimed_until=None,
        next_attempt_at=timezone.now() + retry_delay(message.attempts),
        last_error=error,
    )


def _close(message: OutboxMessage, *, status: str, error: str) -> None:
    """An end without sending: the content goes, the row stays a while for the record."""
    OutboxMessage.objects.filter(pk=message.pk).update(
        status=status, payload={}, claimed_until=None, last_error=error
    )


# --- inline delivery in the embedded default ---------------------------------------------------

# Per process and only an optimisation: while a channel is paused, messages queued in requests
# are left to the retries instead of making the request wait for a backend that just failed.
_paused_until: dict[str, float] = {}


def _paused(channel: str) -> bool:
    return time.monotonic() < _paused_until.get(channel, 0.0)


def _pause(channel: str) -> None:
    _paused_until[channel] = time.monotonic() + settings.HAMKKE_OUTBOX_PAUSE_SECONDS


def resume_inline_delivery() -> None:
    """Lift this process's pauses (tests start each from a clean slate)."""
    _paused_until.clear()


def _deliver_after_commit(message_id: int, channel: str) -> None:
    if settings.CELERY_BROKER_URL:
        from hamkke.core.tasks import send_outbox_message

        send_outbox_message.delay(message_id)
        return
    if _paused(channel):
        return
    try:
        sent = deliver_message(message_id=message_id)
    except Exception as exc:
        _pause(channel)
        logger.warning("outbox: %s #%s not sent, will retry: %s", channel, message_id, exc)
        return
    if sent:
        tally = send_due_messages(limit=RIDE_ALONG, channel=channel)
        if tally.failed:
            _pause(channel)
