"""Template context every page needs: the city, the services for the navigation, and the
person's unread notifications and moderation link."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from hamkke.core import selectors
from hamkke.core.errors import NotFound
from hamkke.core.navigation import services


def city(request):
    try:
        the_city = selectors.current_city()
    except NotFound:
        the_city = None
    user = getattr(request, "user", None)
    return {
        "city": the_city,
        "services": services(),
        # Lazy: only pages that show the badge pay for the query.
        "unread_notifications": SimpleLazyObject(lambda: selectors.unread_notification_count(user)),
        "can_moderate": SimpleLazyObject(lambda: selectors.can_moderate(user)),
        "is_official": SimpleLazyObject(lambda: selectors.is_official(user)),
    }
