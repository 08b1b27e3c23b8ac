"""Template context every page needs: the city, the services for the navigation, and the
person's unread notifications and moderation link."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from hamkke.core import moderation
from hamkke.core.city import selectors as city_selectors
from hamkke.core.errors import NotFound
from hamkke.core.navigation import services
from hamkke.core.notifications import selectors as notification_selectors


def city(request):
    try:
        the_city = city_selectors.current_city()
    except NotFound:
        the_city = None
    user = getattr(request, "user", None)
    return {
        "city": the_city,
        "services": services(),
        # Lazy: only pages that show the badge pay for the query.
        "unread_notifications": SimpleLazyObject(
            lambda: notification_selectors.unread_notification_count(user)
        ),
        "can_moderate": SimpleLazyObject(
            lambda: bool(moderation.may_moderate(getattr(request, "actor", None)))
        ),
        "is_official": SimpleLazyObject(lambda: moderation.is_official(user)),
    }
