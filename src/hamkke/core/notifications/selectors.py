"""A person's notifications and their preferences."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from hamkke.core.errors import NotFound
from hamkke.core.models import (
    Notification,
    NotificationPreference,
)
from hamkke.core.registries import notification_kinds

# An official of this role or higher in any department moderates (accounts.Role.MANAGER).


@dataclass(frozen=True)
class PreferenceRow:
    kind: str
    label: str
    in_site: bool
    email: bool


def notifications_for(person, *, unread_only: bool = False, limit: int = 100) -> list[Notification]:
    """The person's in-site notifications, newest first."""
    rows = Notification.objects.filter(recipient=person, in_site=True)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return list(rows.order_by("-created_at", "-id")[:limit])


def unread_notification_count(person) -> int:
    """For the badge on every page; 0 for visitors."""
    if person is None or not person.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=person, in_site=True, read_at__isnull=True).count()


def notification_by_id(person, notification_id: int) -> Notification:
    """One of the person's own notifications; another person's answers 404 like a missing one."""
    try:
        return Notification.objects.get(pk=notification_id, recipient=person)
    except (Notification.DoesNotExist, ValueError, TypeError) as exc:
        raise NotFound(_("No such notification.")) from exc


def notification_preferences_of(person) -> list[PreferenceRow]:
    """Every registered kind with the person's choice (both on without a saved preference)."""
    saved = {row.kind: row for row in NotificationPreference.objects.filter(user=person)}
    rows = []
    for kind in notification_kinds():
        preference = saved.get(kind.code)
        rows.append(
            PreferenceRow(
                kind=kind.code,
                label=str(kind.label),
                in_site=preference.in_site if preference else True,
                email=preference.email if preference else True,
            )
        )
    return rows
