"""Django's EMAIL_BACKEND by default: every email sent through django.core.mail (allauth's
confirmations and password resets among them) is queued in the outbox instead of being sent in
the request. The outbox sends it with HAMKKE_EMAIL_DELIVERY_BACKEND (core/outbox/delivery.py)."""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from hamkke.core.outbox import services as outbox_services


class OutboxEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        queued = 0
        for message in email_messages:
            if not message.recipients():
                continue
            try:
                outbox_services.queue_email_message(message)
            except Exception:
                if not self.fail_silently:
                    raise
                continue
            queued += 1
        return queued
