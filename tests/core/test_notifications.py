"""Notifications: preferences per kind decide the site and the email; the email goes out after
commit with nothing but title, body and link; pages and API are the person's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hamkke.core import registries
from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import Notification, NotificationPreference, OutboxMessage
from hamkke.core.notifications import selectors as notification_selectors
from hamkke.core.notifications import services as notification_services
from hamkke.core.outbox import delivery
from hamkke.core.outbox import services as outbox_services
from tests import factories

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KIND = "test.news"


@pytest.fixture(autouse=True)
def test_kind(monkeypatch):
    monkeypatch.setitem(
        registries._notification_kinds, KIND, registries.NotificationKind(KIND, "Test news")
    )


@pytest.fixture
def person(db):
    return factories.make_user(email="reader@example.org", display_name="Reader Lee")


def send(person, **fields):
    values = {"title": "Your report was fixed", "body": "The lamp works.", "url": "/r/5/"}
    return notification_services.notify(recipient=person, kind=KIND, **{**values, **fields})


# --- notify ------------------------------------------------------------------------------------


def test_without_a_preference_both_the_site_and_the_email_get_it(
    person, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)

    assert notification.in_site is True
    assert notification_selectors.notifications_for(person) == [notification]
    assert len(mailoutbox) == 1
    email = mailoutbox[0]
    assert email.to == ["reader@example.org"]
    assert email.subject == "Your report was fixed"
    notification.refresh_from_db()
    assert notification.emailed is True


def test_the_email_holds_only_title_body_and_link(
    person, mailoutbox, django_capture_on_commit_callbacks, settings
):
    settings.HAMKKE_SITE_URL = "https://city.example"
    with django_capture_on_commit_callbacks(execute=True):
        send(person)
    lines = [line.strip() for line in mailoutbox[0].body.splitlines() if line.strip()]
    assert lines == [
        "Your report was fixed",
        "The lamp works.",
        "https://city.example/r/5/",
        "--",
        "Choose which notifications you get: https://city.example/notifications/preferences/",
    ]
    assert "Reader Lee" not in mailoutbox[0].body
    assert "reader@example.org" not in mailoutbox[0].body


def test_the_email_waits_for_the_commit(person, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send(person)
    assert mailoutbox == []
    assert len(callbacks) == 1


def test_in_site_off_sends_only_the_email(person, mailoutbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=person, kind=KIND, in_site=False, email=True)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)
    assert notification.in_site is False
    assert notification_selectors.notifications_for(person) == []
    assert notification_selectors.unread_notification_count(person) == 0
    assert len(mailoutbox) == 1


def test_email_off_shows_it_only_on_the_site(
    person, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=person, kind=KIND, in_site=True, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)
    assert notification_selectors.notifications_for(person) == [notification]
    assert mailoutbox == []


def test_both_off_leaves_nothing(person, mailoutbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(user=person, kind=KIND, in_site=False, email=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert send(person) is None
    assert Notification.objects.count() == 0
    assert mailoutbox == []


def test_a_preference_for_another_kind_does_not_count(
    person, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(
        user=person, kind="comment_hidden", in_site=False, email=False
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send(person) is not None
    assert len(mailoutbox) == 1


def test_an_unregistered_kind_is_a_programming_error(person):
    with pytest.raises(ValueError, match="unknown notification kind"):
        notification_services.notify(recipient=person, kind="nobody.registered.this", title="x")


def deliver_email_of(notification) -> bool:
    """What the task does after the commit: send the notification's email from the outbox."""
    message = OutboxMessage.objects.get(notification=notification)
    return outbox_services.deliver_message(message_id=message.pk)


def test_an_email_is_sent_once_even_if_the_task_runs_twice(person, mailoutbox):
    notification = send(person)
    assert deliver_email_of(notification) is True
    assert deliver_email_of(notification) is False
    assert len(mailoutbox) == 1


def test_a_failed_send_can_be_retried(person, mailoutbox, monkeypatch):
    notification = send(person)

    def broken(*args, **kwargs):
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr(delivery.EmailMultiAlternatives, "send", broken)
    with pytest.raises(ConnectionRefusedError):
        deliver_email_of(notification)
    notification.refresh_from_db()
    assert notification.emailed is False

    monkeypatch.undo()
    assert deliver_email_of(notification) is True
    assert len(mailoutbox) == 1


def test_reading(person):
    first, second = send(person, title="one"), send(person, title="two")
    other = send(factories.make_user(), title="not yours")
    assert notification_selectors.unread_notification_count(person) == 2

    notification_services.mark_notification_read(notification=first, user=person)
    assert notification_selectors.unread_notification_count(person) == 1
    with pytest.raises(NotFound):
        notification_services.mark_notification_read(notification=other, user=person)
    other.refresh_from_db()
    assert other.read_at is None

    assert notification_services.mark_all_notifications_read(user=person) == 1
    second.refresh_from_db()
    assert second.read_at is not None
    assert notification_selectors.unread_notification_count(person) == 0


def test_preferences_are_saved_and_read_back(person):
    notification_services.set_notification_preferences(
        user=person, preferences={KIND: (False, True)}
    )
    rows = {row.kind: row for row in notification_selectors.notification_preferences_of(person)}
    assert (rows[KIND].in_site, rows[KIND].email) == (False, True)
    assert (rows["comment_hidden"].in_site, rows["comment_hidden"].email) == (True, True)
    with pytest.raises(InvalidInput):
        notification_services.set_notification_preferences(
            user=person, preferences={"nope": (True, True)}
        )


# --- pages -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/notifications/", "/notifications/preferences/"],
)
def test_notification_pages_need_a_login(client, db, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_posts_need_a_login_too(client, person):
    notification = send(person)
    response = client.post(f"/notifications/{notification.pk}/read/")
    assert response.status_code == 302
    notification.refresh_from_db()
    assert notification.read_at is None


def test_the_list_shows_my_notifications_only(client, person):
    send(person, title="Mine")
    send(factories.make_user(), title="Someone else's")
    client.force_login(person)
    html = client.get(reverse("core:notifications")).content.decode()
    assert "Mine" in html
    assert "Someone else" not in html
    assert "1 unread" in html


def test_marking_one_read_and_opening_it(client, person):
    notification = send(person, url="/somewhere/")
    client.force_login(person)
    response = client.post(f"/notifications/{notification.pk}/read/", {"open": "1"})
    assert response.status_code == 302
    assert response["Location"] == "/somewhere/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_marking_another_persons_notification_is_404(client, person):
    foreign = send(factories.make_user())
    client.force_login(person)
    assert client.post(f"/notifications/{foreign.pk}/read/").status_code == 404
    foreign.refresh_from_db()
    assert foreign.read_at is None


def test_mark_all_read(client, person):
    send(person), send(person)
    client.force_login(person)
    response = client.post(reverse("core:notifications-read-all"))
    assert response.status_code == 302
    assert notification_selectors.unread_notification_count(person) == 0


def test_preferences_page_saves_the_checkboxes(client, person):
    client.force_login(person)
    page = client.get(reverse("core:notification-preferences"))
    assert "Test news" in page.content.decode()

    response = client.post(
        reverse("core:notification-preferences"),
        {f"{KIND}__email": "on", "comment_hidden__in_site": "on"},
    )
    assert response.status_code == 302
    saved = {
        p.kind: (p.in_site, p.email) for p in NotificationPreference.objects.filter(user=person)
    }
    assert saved.pop(KIND) == (False, True)
    assert saved.pop("comment_hidden") == (True, False)
    # Every other kind (other apps register theirs) was left unticked: both channels off.
    assert set(saved.values()) <= {(False, False)}


# --- API ---------------------------------------------------------------------------------------


def test_api_needs_a_session(client, db):
    response = client.get("/api/v1/notifications")
    assert response.status_code == 401
    assert response.json() == {"detail": "Log in first.", "code": "not_authenticated"}


def test_api_lists_and_marks(client, person):
    first = send(person, title="one")
    send(person, title="two")
    foreign = send(factories.make_user(), title="not yours")
    client.force_login(person)

    listing = client.get("/api/v1/notifications").json()
    assert listing["unread"] == 2
    assert [item["title"] for item in listing["items"]] == ["two", "one"]
    assert listing["items"][0]["read"] is False

    marked = client.post(f"/api/v1/notifications/{first.pk}/read")
    assert marked.status_code == 200
    assert marked.json()["read"] is True
    assert client.get("/api/v1/notifications?unread_only=true").json()["unread"] == 1

    refused = client.post(f"/api/v1/notifications/{foreign.pk}/read")
    assert refused.status_code == 404
    assert refused.json() == {"detail": "No such notification.", "code": "not_found"}

    assert client.post("/api/v1/notifications/read-all").json() == {"marked": 1}
