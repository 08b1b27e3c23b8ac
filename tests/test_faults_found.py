"""What the fault drill (`python -m bench faults`) found in the app, each as a test that fails
until the app is fixed. They are marked xfail(strict=True): the day the fix lands they pass, the
strict marker turns that into a failure, and the marker is removed."""

from __future__ import annotations

import pytest
from django.db import OperationalError

from tests import factories


@pytest.mark.xfail(
    strict=True,
    reason="found by the fault drill: send_notification_email retries mail errors only; a "
    "database error (PostgreSQL restarting) fails the task for good and the email is never sent "
    "(issue #9 point 6, the outbox, owns the fix)",
)
def test_a_notification_email_whose_task_meets_a_database_restart_is_still_sent(
    db, mailoutbox, monkeypatch
):
    """In the drill the worker took a confirmation email while PostgreSQL restarted: the task
    "raised unexpected: OperationalError", was acknowledged as done and never ran again, and
    the notification stayed unsent."""
    from hamkke.core import tasks
    from hamkke.core.models import Notification
    from hamkke.core.notifications import services as notification_services

    person = factories.make_user(email="reporter@example.org")
    notification = Notification.objects.create(
        recipient=person, kind="complaints.status", title="Your report was received", body="N1"
    )
    deliver = notification_services.deliver_notification_email
    calls = []

    def database_restarting_once(*, notification_id: int) -> bool:
        calls.append(notification_id)
        if len(calls) == 1:
            raise OperationalError("consuming input failed: server closed the connection")
        return deliver(notification_id=notification_id)

    monkeypatch.setattr(
        notification_services, "deliver_notification_email", database_restarting_once
    )
    # Eager, as tests run tasks: a retry runs again at once instead of after its countdown.
    tasks.send_notification_email.apply(args=[notification.pk], throw=False)

    notification.refresh_from_db()
    assert len(mailoutbox) == 1
    assert notification.emailed is True
