"""What every app's API shares: the session sign-in with its CSRF check, pages of lists."""

from __future__ import annotations

import math

from django.core.paginator import Paginator
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import SessionAuth, django_auth
from ninja.utils import check_csrf

from hamkke.core.errors import NotAllowed

# Session sign-in (with its CSRF check on writes); token schemes are added here when they exist.
SIGNED_IN = [django_auth]


MAX_PAGE_SIZE = 100


def one_page(items, page: int, page_size: int) -> dict:
    """A list's page as the list endpoints answer it (count, page, page_size, pages, items):
    `page_size` kept between 1 and MAX_PAGE_SIZE, a page past the last answered with the last."""
    page_size = max(1, min(page_size, MAX_PAGE_SIZE))
    paginator = Paginator(items, page_size)
    current = paginator.get_page(page)
    return {
        "count": paginator.count,
        "page": current.number,
        "page_size": page_size,
        "pages": max(1, math.ceil(paginator.count / page_size)),
        "items": list(current.object_list),
    }


def session_user(request: HttpRequest):
    """The signed-in person, once their session's CSRF token is checked (another site must not
    act in their name): 403 `csrf_failed` without it. None when anonymous."""
    if not request.user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise NotAllowed(
            _("Send the CSRF token (X-CSRFToken header) with a signed-in session."),
            code="csrf_failed",
        )
    return request.user


class SessionWithCsrf(SessionAuth):
    """Session sign-in refusing a write without the CSRF token as 403 `csrf_failed` (django-ninja's
    own answers 403 without a code). Anonymous requests answer 401, whatever their token."""

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None):
        return session_user(request)
