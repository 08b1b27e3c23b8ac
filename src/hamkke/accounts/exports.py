"""The parts of a person's data download that accounts and core hold. Each function returns
JSON-ready data about one person only: never keys, secrets, or anything another person wrote."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator

from hamkke.accounts.models import Membership, User, VerifiedIdentity
from hamkke.core.models import (
    AuditEntry,
    Comment,
    CommentReport,
    Media,
    Notification,
    NotificationPreference,
)


def _when(value) -> str | None:
    return value.isoformat() if value else None


def account(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "display_name": user.display_name,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "home_district": user.home_district.name if user.home_district else None,
        "date_joined": _when(user.date_joined),
        "last_login": _when(user.last_login),
        "is_staff": user.is_staff,
        "email_addresses": [
            {"email": address.email, "verified": address.verified, "primary": address.primary}
            for address in EmailAddress.objects.filter(user=user).order_by("email")
        ],
        # Which kinds of second factor are set up and when: never their secrets.
        "authenticators": [
            {
                "type": authenticator.type,
                "created_at": _when(authenticator.created_at),
                "last_used_at": _when(authenticator.last_used_at),
            }
            for authenticator in Authenticator.objects.filter(user=user).order_by("created_at")
        ],
    }


def identities(user: User) -> list[dict[str, Any]]:
    """How and when the person was verified; the identity keys stay on the server."""
    return [
        {
            "method": identity.method,
            "verified_at": _when(identity.verified_at),
            "district": identity.district.name if identity.district else None,
            "birth_date": identity.birth_date.isoformat() if identity.birth_date else None,
        }
        for identity in VerifiedIdentity.objects.filter(user=user)
        .select_related("district")
        .order_by("verified_at")
    ]


def memberships(user: User) -> list[dict[str, Any]]:
    return [
        {
            "department": membership.department.name,
            "department_code": membership.department.code,
            "role": membership.get_role_display(),
            "since": _when(membership.created_at),
        }
        for membership in Membership.objects.filter(user=user)
        .select_related("department")
        .order_by("created_at")
    ]


def notifications(user: User) -> list[dict[str, Any]]:
    return [
        {
            "kind": notification.kind,
            "title": notification.title,
            "body": notification.body,
            "url": notification.url,
            "created_at": _when(notification.created_at),
            "read_at": _when(notification.read_at),
        }
        for notification in Notification.objects.filter(recipient=user).order_by("created_at")
    ]


def notification_preferences(user: User) -> list[dict[str, Any]]:
    return [
        {"kind": preference.kind, "in_site": preference.in_site, "email": preference.email}
        for preference in NotificationPreference.objects.filter(user=user).order_by("kind")
    ]


def comments(user: User) -> list[dict[str, Any]]:
    return [
        {
            "on": f"{comment.target_type.app_label}.{comment.target_type.model}",
            "target_id": comment.target_id,
            "body": comment.body,
            "status": comment.status,
            "created_at": _when(comment.created_at),
        }
        for comment in Comment.objects.filter(author=user)
        .select_related("target_type")
        .order_by("created_at")
    ]


def comment_reports(user: User) -> list[dict[str, Any]]:
    """The person's own flags: their reason, not the reported comment (someone else wrote it)."""
    return [
        {
            "comment_id": report.comment_id,
            "reason": report.reason,
            "created_at": _when(report.created_at),
            "resolved": report.resolved,
        }
        for report in CommentReport.objects.filter(reporter=user).order_by("created_at")
    ]


def uploads(user: User) -> list[dict[str, Any]]:
    return [
        {
            "kind": media.kind,
            "original_name": media.original_name,
            "content_type": media.content_type,
            "size": media.size,
            "url": media.file.url if media.file else "",
            "created_at": _when(media.created_at),
        }
        for media in Media.objects.filter(uploaded_by=user).order_by("created_at")
    ]


def official_actions(user: User) -> list[dict[str, Any]]:
    """What the person did as an official: the action and its object's type and id. Labels and
    data are left out, since they name the other people concerned."""
    return [
        {
            "action": entry.action,
            "target_type": (
                f"{entry.target_type.app_label}.{entry.target_type.model}"
                if entry.target_type
                else None
            ),
            "target_id": entry.target_id,
            "at": _when(entry.created_at),
        }
        for entry in AuditEntry.objects.filter(actor=user)
        .select_related("target_type")
        .order_by("created_at")
    ]


BUILT_IN = {
    "account": account,
    "identities": identities,
    "memberships": memberships,
    "notifications": notifications,
    "notification_preferences": notification_preferences,
    "comments": comments,
    "comment_reports": comment_reports,
    "uploads": uploads,
    "official_actions": official_actions,
}
