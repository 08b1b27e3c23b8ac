"""The outbox: emails and texts are written with the change that owes them, sent after the
commit with a timeout, marked sent only once the backend took them, retried with backoff, and
a hung mail server or SMS gateway costs an official's request one timeout at most."""

from __future__ import annotations

import re
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives, send_mail
from django.core.management import call_command
from django.utils import timezone

from hamkke.accounts import services as account_services
from hamkke.accounts.models import PhoneChallenge, Role
from hamkke.accounts.sms import MemorySMSBackend, SMSBackend, SMSDeliveryError
from hamkke.complaints import services as complaint_services
from hamkke.complaints.models import Category, Complaint, Status
from hamkke.core import tasks
from hamkke.core.errors import InvalidInput
from hamkke.core.models import Department, Notification, OutboxMessage, OutboxStatus
from hamkke.core.outbox import delivery
from hamkke.core.outbox import services as outbox_services
from hamkke.core.service_app import beat_schedule
from tests import factories
from tests.core.smtp_server import FakeSMTPServer
from tests.factories import log_in

pytestmark = pytest.mark.django_db

JONGNO = (37.5704, 126.9920)
TIMEOUT = 1.0


@pytest.fixture(autouse=True)
def _inline_delivery_resumes():
    """A pause set by one test (a backend that hung) must not hold back the next test's mail."""
    outbox_services.resume_inline_delivery()
    yield
    outbox_services.resume_inline_delivery()


@pytest.fixture
def smtp(settings):
    """Django's SMTP backend pointed at a local server that hangs until told to answer."""
    server = FakeSMTPServer(hold_seconds=20)
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.HAMKKE_EMAIL_TIMEOUT = TIMEOUT
    yield server
    server.stop()


@pytest.fixture
def texts(settings):
    settings.HAMKKE_SMS_BACKEND = "hamkke.accounts.sms.MemorySMSBackend"
    MemorySMSBackend.outbox.clear()
    yield MemorySMSBackend.outbox
    MemorySMSBackend.outbox.clear()


class HangingSMSBackend(SMSBackend):
    """A gateway that never answers, behind a backend that honours its timeout."""

    calls = 0

    def send(self, phone: str, text: str) -> None:
        type(self).calls += 1
        time.sleep(self.timeout)
        raise TimeoutError(f"no answer from the gateway in {self.timeout} s")


class RefusingSMSBackend(SMSBackend):
    def send(self, phone: str, text: str) -> None:
        raise SMSDeliveryError("invalid destination number")


class BrokenSMSBackend(SMSBackend):
    def send(self, phone: str, text: str) -> None:
        raise ConnectionRefusedError("gateway down")


def later(minutes: float = 0):
    """Make every pending message due now, as if `minutes` had passed (at least its backoff)."""
    OutboxMessage.objects.filter(status=OutboxStatus.PENDING).update(
        next_attempt_at=timezone.now() - timedelta(minutes=minutes)
    )


# --- a hung mail server and an official's request ---------------------------------------------


def test_a_hung_mail_server_costs_the_officials_request_one_timeout_and_a_retry_delivers(
    client, city, smtp, django_capture_on_commit_callbacks
):
    office = Department.objects.get(city=city, code="office-11110")
    reporter = factories.make_user(email="reporter@example.org")
    complaint = complaint_services.file_complaint(
        category=Category.objects.get(city=city, code="litter"),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="골목에 쓰레기가 쌓여 있습니다.",
        reporter=reporter,
    )
    followers = [factories.make_user(email=f"follower{n}@example.org") for n in range(4)]
    for follower in followers:
        complaint_services.follow_complaint(complaint=complaint, actor=follower)
    OutboxMessage.objects.all().delete()  # the filing's own email is not this test's concern
    handler = factories.make_official(role=Role.HANDLER, department=office)
    log_in(client, handler, secret=factories.activate_totp(handler))

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/v1/complaints/desk/reports/{complaint.tracking_number}/status",
            {"status": "accepted"},
            content_type="application/json",
        )
    elapsed = time.monotonic() - started

    assert response.status_code == 200, response.content
    # Five emails owed; the first waited one timeout, the other four went to the retries
    # (without the pause this would be five timeouts, without a timeout 20 s each).
    assert elapsed < 3.5 * TIMEOUT, f"the request took {elapsed:.1f} s"
    complaint.refresh_from_db()
    assert complaint.status == Status.ACCEPTED
    owed = OutboxMessage.objects.filter(channel="email")
    assert sorted(owed.values_list("recipient", flat=True)) == sorted(
        [reporter.email, *(f.email for f in followers)]
    )
    assert set(owed.values_list("status", flat=True)) == {OutboxStatus.PENDING}
    assert sorted(owed.values_list("attempts", flat=True)) == [0, 0, 0, 0, 1]
    tried = owed.get(attempts=1)
    assert "timed out" in tried.last_error.lower()
    assert tried.next_attempt_at > timezone.now() + timedelta(seconds=30)
    assert smtp.received == []
    assert not Notification.objects.filter(emailed=True).exists()

    # The mail server recovers; the next sweep delivers every message, and only then marks it.
    smtp.hanging = False
    later(minutes=2)
    tally = outbox_services.send_due_messages()
    assert (tally.sent, tally.failed) == (5, 0)
    assert sorted(m["To"] for m in smtp.received) == sorted(
        owed.values_list("recipient", flat=True)
    )
    assert all(complaint.tracking_number in m.get_payload() for m in smtp.received)
    assert set(owed.values_list("status", flat=True)) == {OutboxStatus.SENT}
    assert Notification.objects.filter(emailed=True).count() == 5


def test_a_hung_mail_server_is_not_tried_again_inline_while_paused(
    smtp, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_services.queue_email(to=["a@example.org"], subject="one", body="1")
    assert smtp.connections == 1
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        outbox_services.queue_email(to=["b@example.org"], subject="two", body="2")
    assert time.monotonic() - started < TIMEOUT / 2
    assert smtp.connections == 1  # the second request did not even connect
    assert OutboxMessage.objects.get(subject="two").attempts == 0


# --- sending, marking, retrying ----------------------------------------------------------------


def test_a_text_is_sent_after_the_commit_and_its_content_erased(
    texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = outbox_services.queue_text(phone="010-2222-3333", text="Your report moved")
    assert texts == []  # nothing leaves before the commit
    message.refresh_from_db()
    assert (message.status, message.payload) == (
        OutboxStatus.PENDING,
        {"text": "Your report moved"},
    )

    for callback in callbacks:
        callback()
    assert [(t.phone, t.text) for t in texts] == [("010-2222-3333", "Your report moved")]
    message.refresh_from_db()
    assert message.status == OutboxStatus.SENT
    assert message.sent_at is not None
    assert message.payload == {}  # a queue, not an archive


def test_a_failure_is_not_marked_sent_and_is_retried_with_backoff_then_given_up(settings):
    settings.HAMKKE_SMS_BACKEND = f"{__name__}.BrokenSMSBackend"
    settings.HAMKKE_OUTBOX_RETRY_SECONDS = 60
    settings.HAMKKE_OUTBOX_MAX_ATTEMPTS = 3
    message = outbox_services.queue_text(phone="010-1", text="hello")

    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        with pytest.raises(ConnectionRefusedError):
            outbox_services.deliver_message(message_id=message.pk)
        message.refresh_from_db()
        assert (message.status, message.attempts, message.sent_at) == (
            OutboxStatus.PENDING,
            attempt,
            None,
        )
        assert message.last_error == "ConnectionRefusedError: gateway down"
        assert message.claimed_until is None
        delays.append((message.next_attempt_at - before).total_seconds())
    assert 59 <= delays[0] <= 62 and 119 <= delays[1] <= 122  # doubling

    with pytest.raises(ConnectionRefusedError):
        outbox_services.deliver_message(message_id=message.pk)
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.FAILED, 3)
    assert message.payload == {}
    assert outbox_services.deliver_message(message_id=message.pk) is False


def test_backoff_is_capped_at_an_hour(settings):
    settings.HAMKKE_OUTBOX_RETRY_SECONDS = 60
    assert [outbox_services.retry_delay(n).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [
        60,
        120,
        240,
        3600,
        3600,
        3600,
    ]


def test_a_message_held_by_one_sender_is_not_sent_by_another(texts):
    message = outbox_services.queue_text(phone="010-1", text="once")
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() + timedelta(minutes=5)
    )
    assert outbox_services.deliver_message(message_id=message.pk) is False
    later()
    assert outbox_services.send_due_messages().sent == 0
    assert texts == []


class Crash(BaseException):
    """The process dies: not an error any code catches."""


def test_a_crash_between_sending_and_marking_sends_again_once(texts, monkeypatch):
    message = outbox_services.queue_text(phone="010-1", text="at least once")

    def crash(*args, **kwargs):
        raise Crash

    monkeypatch.setattr(outbox_services, "_record_sent", crash)
    with pytest.raises(Crash):
        outbox_services.deliver_message(message_id=message.pk)
    monkeypatch.undo()
    assert len(texts) == 1
    message.refresh_from_db()
    assert message.status == OutboxStatus.PENDING  # never marked: it was not known to be sent

    # While the dead sender's lease runs, nobody sends it again ...
    assert outbox_services.send_due_messages().sent == 0
    # ... and once the lease is over, it is sent once more, and that is the end of it.
    OutboxMessage.objects.filter(pk=message.pk).update(
        claimed_until=timezone.now() - timedelta(seconds=1)
    )
    assert outbox_services.send_due_messages().sent == 1
    assert outbox_services.send_due_messages(now=timezone.now() + timedelta(days=1)).sent == 0
    assert [t.text for t in texts] == ["at least once", "at least once"]


def test_a_sweep_leaves_a_failing_channel_after_its_first_failure(settings, texts, monkeypatch):
    for n in range(3):
        outbox_services.queue_email(to=[f"p{n}@example.org"], subject=f"s{n}", body="b")
    outbox_services.queue_text(phone="010-1", text="t")
    calls = []

    def down(self, *args, **kwargs):
        calls.append(self.to)
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(delivery.EmailMultiAlternatives, "send", down)
    tally = outbox_services.send_due_messages()
    assert (tally.sent, tally.failed) == (1, 1)
    assert len(calls) == 1
    assert [t.text for t in texts] == ["t"]
    assert sorted(
        OutboxMessage.objects.filter(channel="email").values_list("attempts", flat=True)
    ) == [
        0,
        0,
        1,
    ]


def test_an_expired_message_is_closed_unsent(texts):
    outbox_services.queue_text(
        phone="010-1", text="code 123456", expires_at=timezone.now() - timedelta(seconds=1)
    )
    tally = outbox_services.send_due_messages()
    assert (tally.sent, tally.expired) == (0, 1)
    message = OutboxMessage.objects.get()
    assert (message.status, message.payload) == (OutboxStatus.EXPIRED, {})
    assert texts == []


def test_old_finished_messages_are_purged(settings, texts):
    settings.HAMKKE_OUTBOX_KEEP_DAYS = 7
    old_sent = outbox_services.queue_text(phone="010-1", text="old")
    outbox_services.deliver_message(message_id=old_sent.pk)
    recent_sent = outbox_services.queue_text(phone="010-2", text="recent")
    outbox_services.deliver_message(message_id=recent_sent.pk)
    old_pending = outbox_services.queue_text(phone="010-3", text="still owed")
    OutboxMessage.objects.filter(pk__in=[old_sent.pk, old_pending.pk]).update(
        created_at=timezone.now() - timedelta(days=8)
    )
    assert outbox_services.purge_outbox() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {
        recent_sent.pk,
        old_pending.pk,
    }


# --- where delivery happens ---------------------------------------------------------------------


def test_with_a_broker_the_message_goes_to_a_celery_task(
    settings, texts, monkeypatch, django_capture_on_commit_callbacks
):
    settings.CELERY_BROKER_URL = "memory://"
    queued = []
    monkeypatch.setattr(tasks.send_outbox_message, "delay", queued.append)
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_services.queue_text(phone="010-1", text="by the worker")
    assert queued == [message.pk]
    assert texts == []  # not sent in the request

    assert tasks.send_outbox_message(message.pk) is True  # what the worker runs
    assert [t.text for t in texts] == ["by the worker"]


def test_the_task_records_a_failure_for_the_outbox_to_retry(settings):
    settings.HAMKKE_SMS_BACKEND = f"{__name__}.BrokenSMSBackend"
    message = outbox_services.queue_text(phone="010-1", text="x")
    assert tasks.send_outbox_message(message.pk) is False
    message.refresh_from_db()
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)


def test_inline_retries_ride_along_with_the_next_delivery_that_succeeds(
    texts, django_capture_on_commit_callbacks
):
    owed = outbox_services.queue_text(phone="010-1", text="owed since the gateway was down")
    OutboxMessage.objects.filter(pk=owed.pk).update(attempts=1)
    later(minutes=2)
    with django_capture_on_commit_callbacks(execute=True):
        outbox_services.queue_text(phone="010-2", text="new")
    assert sorted(t.text for t in texts) == ["new", "owed since the gateway was down"]


def test_the_command_sends_what_is_due_and_counts(texts, capsys):
    outbox_services.queue_text(phone="010-1", text="due")
    call_command("outbox", "send")
    assert "sent 1, failed 0" in capsys.readouterr().out
    assert [t.text for t in texts] == ["due"]
    call_command("outbox", "status")
    out = capsys.readouterr().out
    assert "sent: 1" in out and "pending: 0" in out


def test_the_retries_and_purges_are_periodic_tasks():
    schedule = beat_schedule()
    assert schedule["send-due-outbox-messages"] == {
        "task": "hamkke.core.tasks.send_due_outbox_messages",
        "schedule": 60,
    }
    assert schedule["purge-outbox"]["task"] == "hamkke.core.tasks.purge_outbox"


# --- every email Django sends ------------------------------------------------------------------


def test_djangos_mail_is_queued_in_the_outbox_and_sent_after_the_commit(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "hamkke.core.outbox.mail.OutboxEmailBackend"
    settings.HAMKKE_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email = EmailMultiAlternatives(
            subject="Confirm your address",
            body="Open https://city.example/confirm/abc",
            to=["new@example.org"],
            reply_to=["help@city.example"],
        )
        email.attach_alternative("<p>Open the link</p>", "text/html")
        assert email.send() == 1
        assert send_mail("Second", "text", None, ["other@example.org"]) == 1
    assert mail.outbox == []
    assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 2

    for callback in callbacks:
        callback()
    sent = {m.subject: m for m in mail.outbox}
    assert set(sent) == {"Confirm your address", "Second"}
    confirm = sent["Confirm your address"]
    assert (confirm.to, confirm.reply_to, confirm.body) == (
        ["new@example.org"],
        ["help@city.example"],
        "Open https://city.example/confirm/abc",
    )
    assert confirm.alternatives[0][0] == "<p>Open the link</p>"
    assert OutboxMessage.objects.filter(status=OutboxStatus.SENT).count() == 2


# --- one-time codes by text ---------------------------------------------------------------------


def test_a_hung_sms_gateway_costs_one_timeout_and_the_code_arrives_on_a_retry(
    citizen, settings, texts
):
    settings.HAMKKE_SMS_BACKEND = f"{__name__}.HangingSMSBackend"
    settings.HAMKKE_SMS_TIMEOUT = TIMEOUT
    HangingSMSBackend.calls = 0
    started = time.monotonic()
    challenge = account_services.start_phone_verification(user=citizen, phone="010-1234-5678")
    assert time.monotonic() - started < 2.5 * TIMEOUT
    assert HangingSMSBackend.calls == 1
    message = OutboxMessage.objects.get(channel="text")
    assert (message.status, message.attempts) == (OutboxStatus.PENDING, 1)
    assert message.expires_at == challenge.expires_at

    settings.HAMKKE_SMS_BACKEND = "hamkke.accounts.sms.MemorySMSBackend"
    later(minutes=2)
    assert outbox_services.send_due_messages().sent == 1
    assert [t.phone for t in texts] == ["+821012345678"]
    code = re.search(r"(?<!\d)\d{6}(?!\d)", texts[0].text).group(0)
    assert account_services.confirm_phone_verification(user=citizen, code=code).method == "phone"
    message.refresh_from_db()
    assert message.payload == {}  # the code does not stay in the outbox


def test_a_number_the_gateway_refuses_is_told_at_once_and_nothing_is_kept(citizen, settings):
    settings.HAMKKE_SMS_BACKEND = f"{__name__}.RefusingSMSBackend"
    with pytest.raises(InvalidInput) as refused:
        account_services.start_phone_verification(user=citizen, phone="010-1234-5678")
    assert refused.value.code == "sms_failed"
    assert not PhoneChallenge.objects.exists()
    assert not OutboxMessage.objects.exists()


def test_a_code_sent_at_once_is_not_sent_again_after_the_commit(
    citizen, texts, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        account_services.start_phone_verification(user=citizen, phone="010-1234-5678")
    assert len(texts) == 1
    assert OutboxMessage.objects.get().status == OutboxStatus.SENT


def test_a_complaint_reporter_without_an_account_is_told_through_the_outbox(
    city, texts, mailoutbox, django_capture_on_commit_callbacks
):
    complaint = complaint_services.file_complaint(
        category=Category.objects.get(city=city, code="litter"),
        latitude=JONGNO[0],
        longitude=JONGNO[1],
        description="쓰레기",
        contact=complaint_services.Contact(email="anon@example.org", phone="010-2222-3333"),
    )
    handler = factories.make_official(
        role=Role.HANDLER, department=Department.objects.get(city=city, code="office-11110")
    )
    with django_capture_on_commit_callbacks(execute=False):
        complaint_services.change_status(complaint=complaint, actor=handler, status=Status.ACCEPTED)
    # Written with the change, in its transaction, before anything is sent.
    assert set(OutboxMessage.objects.values_list("channel", "recipient")) == {
        ("email", "anon@example.org"),
        ("text", "010-2222-3333"),
    }
    assert mailoutbox == [] and texts == []
    assert Complaint.objects.get(pk=complaint.pk).status == Status.ACCEPTED
