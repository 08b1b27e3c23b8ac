"""Open API of the signed-in person's notifications."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema

from hamkke.core.notifications import selectors as notification_selectors
from hamkke.core.notifications import services as notification_services
from hamkke.core.web.api import SIGNED_IN

router = Router(tags=["notifications"])


class NotificationOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    url: str
    created_at: datetime
    read: bool

    @staticmethod
    def resolve_read(notification) -> bool:
        return notification.read_at is not None


class NotificationsOut(Schema):
    unread: int
    items: list[NotificationOut]


class MarkedOut(Schema):
    marked: int


@router.get(
    "/notifications",
    response=NotificationsOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="My notifications, newest first",
)
def list_notifications(request: HttpRequest, unread_only: bool = False, limit: int = 50):
    limit = max(1, min(limit, 200))
    return NotificationsOut(
        unread=notification_selectors.unread_notification_count(request.user),
        items=notification_selectors.notifications_for(
            request.user, unread_only=unread_only, limit=limit
        ),
    )


@router.post(
    "/notifications/{int:notification_id}/read",
    response=NotificationOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="Mark one of my notifications read",
)
def read_notification(request: HttpRequest, notification_id: int):
    notification = notification_selectors.notification_by_id(request.user, notification_id)
    return notification_services.mark_notification_read(
        notification=notification, user=request.user
    )


@router.post(
    "/notifications/read-all",
    response=MarkedOut,
    auth=SIGNED_IN,
    tags=["notifications"],
    summary="Mark all my notifications read",
)
def read_all_notifications(request: HttpRequest):
    return MarkedOut(marked=notification_services.mark_all_notifications_read(user=request.user))
