"""What the fault drill (`python -m bench faults`) found in the app, each kept as a test.

1. A notification email whose Celery task met a PostgreSQL restart was acknowledged as done and
   never sent (the task retried mail errors only). Emails now go through the outbox
   (core/outbox/): the row stays owed until a send succeeds, and the sweep sends it."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from hamkke.core import tasks
from hamkke.core.models import OutboxMessage, OutboxStatus
from hamkke.core.outbox import services as outbox_services

pytestmark = pytest.mark.django_db


def test_an_email_whose_task_meets_a_database_restart_is_still_sent(mailoutbox, monkeypatch):
    message = outbox_services.queue_email(
        to=["reporter@example.org"], subject="Your report was received", body="N1"
    )
    deliver = outbox_services.deliver_message
    calls = []

    def database_restarting_once(*, message_id: int) -> bool:
        calls.append(message_id)
        if len(calls) == 1:
            raise OperationalError("consuming input failed: server closed the connection")
        return deliver(message_id=message_id)

    monkeypatch.setattr(outbox_services, "deliver_message", database_restarting_once)
    assert tasks.send_outbox_message(message.pk) is False  # the task met the restart
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.PENDING
    monkeypatch.setattr(outbox_services, "deliver_message", deliver)
    assert outbox_services.send_due_messages().sent == 1  # the sweep, a minute later
    assert [(sent.to, sent.subject) for sent in mailoutbox] == [
        (["reporter@example.org"], "Your report was received")
    ]
    assert OutboxMessage.objects.get(pk=message.pk).status == OutboxStatus.SENT
