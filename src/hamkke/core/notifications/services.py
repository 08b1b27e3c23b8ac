"""Notifications: in-site and by email (through the outbox), per-kind preferences, read marks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
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
from hamkke.core.outbox import services as outbox_services
from hamkke.core.registries import notification_kind

if TYPE_CHECKING:
    from hamkke.accounts.models import User


@transaction.atomic
def notify(
    *, recipient: User, kind: str, title: str, body: str = "", url: str = ""
) -> Notification | None:
    """Tell a person something, in the site and by email, as their preference for this kind
    allows (without a preference, both). The email is written to the outbox in the same
    transaction and sent once it commits, so it never announces something that was rolled back
    and is never lost to a mail server that is down. Returns None when both are off."""
    if notification_kind(kind) is None:
        raise ValueError(f"unknown notification kind {kind!r}: register it first")
    preference = NotificationPreference.objects.filter(user=recipient, kind=kind).first()
    in_site = preference.in_site if preference else True
    by_email = (
        (preference.email if preference else True) and bool(recipient.email) and recipient.is_active
    )
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
        _queue_email(notification, recipient.email)
    return notification


def _queue_email(notification: Notification, address: str) -> None:
    """Only the title, body and link go out."""
    context = {
        "title": notification.title,
        "body": notification.body,
        "url": _absolute_url(notification.url),
        "preferences_url": _absolute_url(reverse("core:notification-preferences")),
    }
    outbox_services.queue_email(
        to=[address],
        subject=notification.title,
        body=render_to_string("core/emails/notification.txt", context),
        notification=notification,
    )


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
