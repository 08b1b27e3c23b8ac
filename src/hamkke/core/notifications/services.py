"""Notifications: in-site and by email, per-kind preferences, read marks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from hamkke.core.errors import InvalidInput, NotFound
from hamkke.core.models import (
    Notification,
    NotificationPreference,
)
from hamkke.core.registries import notification_kind

if TYPE_CHECKING:
    from hamkke.accounts.models import User


@transaction.atomic
def notify(
    *, recipient: User, kind: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Tell a person something, in the site and by email, as their preference for this kind
    allows (without a preference, both). The email is queued once the transaction commits,
    so it never announces something that was rolled back. Returns None when both are off."""
    if notification_kind(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    preference = NotificationPreference.objects.filter(user=recipient, kind=kind).first()
    in_site = preference.in_site if preference else True
    by_email = (preference.email if preference else True) and bool(recipient.email)
    if not (in_site or by_email):
        return None
    notification = Notification.objects.create(
        recipient=recipient,
        kind=kind,
        title=str(title).replace("\n", " ").strip()[:200],
        body=str(body),
        url=str(url)[:300],
        in_site=in_site,
    )
    if by_email:
        from hamkke.core.tasks import send_notification_email

        notification_id = notification.pk
        # robust: a broker or mail server that is down must not undo or fail the request
        # whose data is already committed; the failure is logged.
        transaction.on_commit(lambda: send_notification_email.delay(notification_id), robust=True)
    return notification


def deliver_notification_email(*, notification_id: int) -> bool:
    """Send one notification's email, at most once even if the task runs twice. Only the
    title, body and link go out. Returns whether an email was sent."""
    claimed = Notification.objects.filter(pk=notification_id, emailed=False).update(emailed=True)
    if not claimed:
        return False
    notification = Notification.objects.select_related("recipient").get(pk=notification_id)
    recipient = notification.recipient
    if not recipient.email or not recipient.is_active:
        return False
    context = {
        "title": notification.title,
        "body": notification.body,
        "url": _absolute_url(notification.url),
        "preferences_url": _absolute_url(reverse("core:notification-preferences")),
    }
    try:
        send_mail(
            subject=notification.title,
            message=render_to_string("core/emails/notification.txt", context),
            from_email=None,
            recipient_list=[recipient.email],
        )
    except Exception:
        # Unclaim so a retry can send it.
        Notification.objects.filter(pk=notification_id).update(emailed=False)
        raise
    return True


def _absolute_url(url: str) -> str:
    if not url or "://" in url:
        return url
    base = getattr(settings, "HAMKKE_SITE_URL", "").rstrip("/")
    return f"{base}{url}" if base else url


@transaction.atomic
def mark_notification_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of the person's own notifications read; another's answers 404."""
    if notification.recipient_id != getattr(user, "pk", None):
        raise NotFound(_("No such notification."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def mark_all_notifications_read(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_notification_preferences(
    *, user: User, preferences: Mapping[str, tuple[bool, bool]]
) -> None:
    """Save the person's choice per kind as (in_site, email). Unknown kinds are refused."""
    unknown = sorted(code for code in preferences if notification_kind(code) is None)
    if unknown:
        raise InvalidInput(
            _("Unknown kind of notification: %(kinds)s.") % {"kinds": ", ".join(unknown)}
        )
    for code, (in_site, email) in preferences.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=code, defaults={"in_site": bool(in_site), "email": bool(email)}
        )
