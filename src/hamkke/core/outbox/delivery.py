"""Handing one outbox message to its backend, with the timeout from settings: Django's mail
backend for emails (HAMKKE_EMAIL_TIMEOUT), the HAMKKE_SMS_BACKEND for texts
(HAMKKE_SMS_TIMEOUT). Also how an email is kept in the outbox row and rebuilt from it."""

from __future__ import annotations

import base64

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection

from hamkke.core.models import OutboxChannel, OutboxMessage
from hamkke.core.outbox.texts import SMSDeliveryError, get_sms_backend

# The backend said no to this message (as opposed to not answering): the sender of a one-time
# code tells the person at once instead of waiting for a retry.
REFUSALS: tuple[type[Exception], ...] = (SMSDeliveryError,)

OUTBOX_EMAIL_BACKEND = "hamkke.core.outbox.mail.OutboxEmailBackend"


def send(message: OutboxMessage) -> None:
    """Send, or raise. Returns only once the backend accepted the message."""
    if message.channel == OutboxChannel.TEXT:
        get_sms_backend().send(message.recipient, message.payload["text"])
        return
    email = email_from_payload(message.subject, message.payload)
    email.connection = get_connection(
        backend=email_delivery_backend(), fail_silently=False, timeout=email_timeout()
    )
    if email.send() != 1:
        raise RuntimeError("the mail backend did not take the message")


def email_timeout() -> float:
    return float(settings.HAMKKE_EMAIL_TIMEOUT)


def email_delivery_backend() -> str:
    """The backend that really sends: EMAIL_BACKEND, unless that is the outbox itself (the
    default, so that every email Django sends is queued), then HAMKKE_EMAIL_DELIVERY_BACKEND.
    Tests replace EMAIL_BACKEND with Django's memory backend, which then receives the mail."""
    if settings.EMAIL_BACKEND == OUTBOX_EMAIL_BACKEND:
        return settings.HAMKKE_EMAIL_DELIVERY_BACKEND
    return settings.EMAIL_BACKEND


def email_payload(message: EmailMessage) -> dict:
    """What the outbox row keeps of an email: JSON, rebuilt by email_from_payload."""
    attachments = []
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise TypeError("the outbox keeps attachments given as (filename, content, mimetype)")
        filename, content, mimetype = attachment
        raw = content.encode() if isinstance(content, str) else bytes(content)
        attachments.append([filename, base64.b64encode(raw).decode("ascii"), mimetype])
    return {
        "body": str(message.body),
        "from_email": message.from_email,
        "to": list(message.to),
        "cc": list(message.cc),
        "bcc": list(message.bcc),
        "reply_to": list(message.reply_to),
        "headers": dict(message.extra_headers),
        "content_subtype": message.content_subtype,
        "alternatives": [
            [str(content), mimetype] for content, mimetype in getattr(message, "alternatives", [])
        ],
        "attachments": attachments,
    }


def email_from_payload(subject: str, payload: dict) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=subject,
        body=payload["body"],
        from_email=payload.get("from_email"),
        to=payload.get("to", []),
        cc=payload.get("cc", []),
        bcc=payload.get("bcc", []),
        reply_to=payload.get("reply_to", []),
        headers=payload.get("headers", {}),
    )
    email.content_subtype = payload.get("content_subtype", "plain")
    for content, mimetype in payload.get("alternatives", []):
        email.attach_alternative(content, mimetype)
    for filename, encoded, mimetype in payload.get("attachments", []):
        email.attach(filename, base64.b64decode(encoded), mimetype)
    return email
